//! Reading a dossier (README « Le dossier d’entrée »): `convention.toml`, `structures.csv`, `charges_n1.csv`,
//! optional `bareme.toml`. The parsing functions are pure (text in, data and located
//! diagnostics out); only [`lire_dossier`] touches the file system.

mod champs;
pub mod classeur;
mod convention;
mod entete;
pub mod fichier;
pub mod nombres;
mod structures;
pub mod tableau;
pub mod texte;
pub mod toml_lignes;
mod toml_messages;
pub mod xlsx;

use crate::bareme::Bareme;
use crate::diagnostic::Code;
use crate::diagnostic::Table;
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::modele::*;
pub use convention::*;
pub use fichier::lire_fichier_borne;
use nombres::{analyser_booleen, analyser_decimal, en_centiemes};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
pub(crate) use structures::Ligne;
pub use structures::*;
use tableau::{Enregistrement, Localisation, Tableau};
pub use texte::Encodage;
use toml::Spanned;
pub use toml_messages::*;

/// Input limits (R50).
pub const MONTANT_MAX: i64 = 1_000_000_000 * 100; // 1 000 000 000 € in cents
pub const UNITES_MAX: i64 = 100_000 * 100; // 100 000 units in hundredths
pub const LONGUEUR_ID_MAX: usize = 200;
/// Size of one input file, at most (checked before reading it).
pub const TAILLE_MAX: u64 = 200_000_000;
/// Collectivités of one convention, at most (a CTG covers at most a département, fewer than
/// 900 communes; the bound keeps the per-structure lookups of validation and calculation,
/// linear in the collectivités, from growing into a quadratic cost).
pub const COLLECTIVITES_MAX: usize = 2_000;
/// Volets of the effective barème, at most (each structure is matched against the volets).
pub const VOLETS_MAX: usize = 200;

pub const COLONNES_STRUCTURES: &[&str] = &[
    "id",
    "annexe",
    "type",
    "nom",
    "adresse",
    "gestionnaire",
    "collectivite",
    "financement",
    "soutien_collectivite",
    "unites_existantes",
    "unites_nouvelles",
    "unites_employeurs",
    "mois_ouverture",
    "contribution_collectivite_n1",
    "bonus_n1",
    "unites_employeurs_nouvelles",
];
const REQUISES_STRUCTURES: &[&str] = &[
    "id",
    "annexe",
    "type",
    "nom",
    "gestionnaire",
    "collectivite",
    "financement",
];
pub const COLONNES_CHARGES: &[&str] = &["collectivite", "volet", "montant", "libelle"];
const REQUISES_CHARGES: &[&str] = &["collectivite", "volet", "montant"];

/// The raw contents of a dossier's files.
#[derive(Debug, Clone, Default)]
pub struct Fichiers {
    pub convention: String,
    pub structures: String,
    pub charges: String,
    /// (file name for messages, text)
    pub bareme: Option<(String, String)>,
}

/// A read dossier with its effective barème.
#[derive(Debug, Clone)]
pub struct DossierLu {
    pub dossier: Dossier,
    pub bareme: Bareme,
    /// Where the two tables were read from (CSV or a workbook's sheet).
    pub localisations: Localisations,
}

/// Where `structures` and `charges_n1` were read from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Localisations {
    pub structures: Localisation,
    pub charges: Localisation,
    /// A workbook dossier: the workbook's name and the cell of each line of the convention
    /// text made from its `convention` sheet (see [`classeur`]).
    pub convention: Option<(String, Vec<String>)>,
    /// The convention's TOML text (written by the person, or made from the workbook's
    /// sheet): the line of a key named by a cross-file check (`exercice`,
    /// `collectivites[DIJON].tranche`).
    pub convention_toml: String,
    /// The text of the barème that overrides the built-in one, as read (a folder's
    /// `bareme.toml`, the text made from a workbook's `bareme` sheet, or `--bareme F`);
    /// `None` with the built-in barème alone. What a copy of the dossier must carry
    /// (`modele --depuis`, a web scenario's workbook) to compute the same figures.
    pub bareme_toml: Option<String>,
}

impl DossierLu {
    /// Re-locates diagnostics written with the CSV names (validation's cross-file checks
    /// say `structures.csv`, line N, column C) in the files actually read: the workbook's
    /// name and the cell reference (`structures!G4`).
    pub fn localiser(&self, diags: &mut Diagnostics) {
        for d in diags.0.iter_mut() {
            let Some(table) = d.table else { continue };
            if table == Table::Convention && d.position.is_none() {
                if let Some(n) = d.colonne.as_deref().and_then(|c| {
                    toml_lignes::ligne_du_chemin(&self.localisations.convention_toml, c, None)
                }) {
                    d.position = Some(Position::Ligne(n));
                }
            }
            if let (Some((f, cellules)), Table::Convention) =
                (&self.localisations.convention, table)
            {
                d.fichier = f.clone();
                if let Some(c) = d
                    .numero_de_ligne()
                    .and_then(|l| cellules.get((l as usize).wrapping_sub(1)))
                {
                    d.position = Some(Position::Cellule(c.clone()));
                }
                continue;
            }
            let loc = match table {
                Table::Structures => &self.localisations.structures,
                Table::Charges => &self.localisations.charges,
                Table::Convention | Table::Bareme => continue,
            };
            if loc.fichier.is_empty() {
                continue;
            }
            // the file actually read (for a CSV file, the name it already has), and in a
            // workbook the cell of the line and column
            d.fichier = loc.fichier.clone();
            if let (Some(l), Some(c)) = (d.numero_de_ligne(), d.colonne.as_deref()) {
                if let Some(c) = loc.cellule(l, c) {
                    d.position = Some(Position::Cellule(c));
                }
            }
        }
    }
}

/// The contents of one table (`structures` or `charges_n1`).
#[derive(Debug, Clone, Copy)]
pub enum Contenu<'a> {
    /// A CSV file's decoded text.
    Csv(&'a str),
    /// An `.xlsx` workbook's bytes and the sheet to read.
    Xlsx(&'a [u8], xlsx::Feuille<'a>),
}

/// One table and the file name used in messages.
#[derive(Debug, Clone, Copy)]
pub struct Source<'a> {
    pub fichier: &'a str,
    pub contenu: Contenu<'a>,
}

/// A dossier's inputs when a table may come from a workbook (see [`Fichiers`] for the
/// all-CSV case).
#[derive(Debug, Clone, Copy)]
pub struct Entrees<'a> {
    pub convention: &'a str,
    pub structures: Source<'a>,
    pub charges: Source<'a>,
    /// (file name for messages, text)
    pub bareme: Option<(&'a str, &'a str)>,
}

/// The sheet holding the structures in a workbook.
pub const FEUILLE_STRUCTURES: &[&str] = &["structures"];
/// The sheet holding the charges in a workbook.
pub const FEUILLE_CHARGES: &[&str] = &["charges_n1", "charges"];

/// Parses a whole dossier from its files' texts (pure). The barème is the built-in one
/// overridden by the dossier's, if any. Errors and warnings of reading go to `diags`.
pub fn analyser_dossier(f: &Fichiers, diags: &mut Diagnostics) -> Option<DossierLu> {
    analyser_entrees(
        &Entrees {
            convention: &f.convention,
            structures: Source {
                fichier: "structures.csv",
                contenu: Contenu::Csv(&f.structures),
            },
            charges: Source {
                fichier: "charges_n1.csv",
                contenu: Contenu::Csv(&f.charges),
            },
            bareme: f.bareme.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
        },
        diags,
    )
}

/// Parses a whole dossier whose tables may come from CSV texts or workbooks (pure).
pub fn analyser_entrees(e: &Entrees<'_>, diags: &mut Diagnostics) -> Option<DossierLu> {
    let mut dc = Diagnostics::default();
    let convention = analyser_convention("convention.toml", e.convention, &mut dc);
    diags.extend(dc.dans(Table::Convention));
    let (structures, loc_s) = lire_structures(e.structures, diags);
    let (charges, loc_c) = lire_charges(e.charges, diags);
    let bareme = match e.bareme {
        None => Bareme::integre(),
        Some((nom, t)) => Bareme::avec_surcharge(t, nom),
    };
    let bareme = match bareme {
        Ok(b) if b.volets.len() > VOLETS_MAX => {
            diags.push(
                Diagnostic::erreur(
                    Code::E023,
                    e.bareme.map_or("bareme.toml", |(n, _)| n),
                    format!(
                        "trop de volets dans le barème : {} (maximum {VOLETS_MAX})",
                        b.volets.len()
                    ),
                )
                .colonne("volets"),
            );
            None
        }
        Ok(b) => Some(b),
        Err(e) => {
            diags.extend(e.dans(Table::Bareme));
            None
        }
    };
    if diags.a_des_erreurs() {
        return None;
    }
    let convention = convention?;
    let (mut structures, mut charges) = (structures, charges);
    rattacher_collectivites(&convention, &mut structures, &mut charges);
    Some(DossierLu {
        dossier: Dossier {
            convention,
            structures,
            charges,
        },
        bareme: bareme?,
        localisations: Localisations {
            structures: loc_s,
            charges: loc_c,
            convention: None,
            convention_toml: e.convention.to_string(),
            bareme_toml: e.bareme.map(|(_, t)| t.to_string()),
        },
    })
}

/// Options of reading.
#[derive(Debug, Clone, Default)]
pub struct OptionsLecture {
    pub encodage: Encodage,
    /// `--bareme F`: a barème file replacing the dossier's `bareme.toml`.
    pub bareme: Option<std::path::PathBuf>,
}

/// The bytes of a dossier's file (a regular file of at most [`TAILLE_MAX`] bytes).
fn lire_octets(chemin: &Path, nom: &str, diags: &mut Diagnostics) -> Option<Vec<u8>> {
    match lire_fichier_borne(chemin, nom, TAILLE_MAX) {
        Ok(o) => Some(o),
        Err(d) => {
            let mut d = *d;
            if d.code == Code::E001 {
                d = d.conseil(
                    "un dossier contient convention.toml, structures.csv et charges_n1.csv",
                );
            }
            diags.push(d);
            None
        }
    }
}

fn lire_texte(chemin: &Path, nom: &str, enc: Encodage, diags: &mut Diagnostics) -> Option<String> {
    let o = lire_octets(chemin, nom, diags)?;
    decoder_texte(&o, nom, enc, diags)
}

/// A CSV table's text and where it starts in it (after a UTF-8 byte order mark).
fn lire_csv(
    chemin: &Path,
    nom: &str,
    enc: Encodage,
    diags: &mut Diagnostics,
) -> Option<(String, usize)> {
    let o = lire_octets(chemin, nom, diags)?;
    if enc == Encodage::Windows1252 {
        return decoder_texte(&o, nom, enc, diags).map(|t| (t, 0));
    }
    // valid UTF-8 (with or without its byte order mark, which is UTF-8 itself): the bytes
    // read become the text, without a copy, as `texte::decoder` would have decoded them;
    // anything else through it (UTF-16, Windows-1252, the messages)
    let bom = if o.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
    match String::from_utf8(o) {
        Ok(t) => Some((t, bom)),
        Err(e) => decoder_texte(&e.into_bytes(), nom, enc, diags).map(|t| (t, 0)),
    }
}

fn decoder_texte(o: &[u8], nom: &str, enc: Encodage, diags: &mut Diagnostics) -> Option<String> {
    let conseil = if nom.ends_with(".toml") {
        "enregistrez le fichier en UTF-8"
    } else {
        "enregistrez le fichier en « CSV UTF-8 », ou essayez --encodage windows-1252"
    };
    texte::decoder_fichier(o, nom, enc, conseil, diags)
}

/// A TOML file's text (UTF-8), at most [`fichier::TOML_TAILLE_MAX`] bytes and
/// [`fichier::TOML_ELEMENTS_MAX`] elements: the TOML parser takes about 90 bytes of memory
/// per input byte on a long array, so the text is bounded before it is parsed.
fn lire_toml(chemin: &Path, nom: &str, diags: &mut Diagnostics) -> Option<String> {
    let o = match fichier::lire_brut(chemin, fichier::TOML_TAILLE_MAX) {
        Ok(o) => o,
        Err(fichier::Refus::TropGros { taille, au_moins }) => {
            diags.push(fichier::toml_trop_gros(nom, taille, au_moins));
            return None;
        }
        Err(r) => {
            let mut d = fichier::diagnostic(chemin, nom, fichier::TOML_TAILLE_MAX, r);
            if d.code == Code::E001 {
                d = d.conseil(
                    "un dossier contient convention.toml, structures.csv et charges_n1.csv",
                );
            }
            diags.push(d);
            return None;
        }
    };
    let t = decoder_texte(&o, nom, Encodage::Utf8, diags)?;
    if let Some(d) = fichier::verifier_elements_toml(nom, &t) {
        diags.push(d);
        return None;
    }
    Some(t)
}

/// A table found in the dossier folder.
enum Trouve {
    /// the text, and where the table starts in it
    Csv(String, usize),
    Xlsx(String, Vec<u8>),
    /// the sheet of `dossier.xlsx`
    Classeur,
}

const CONSEIL_DOSSIER: &str = "un dossier contient convention.toml, structures.csv et charges_n1.csv (ou structures.xlsx et charges_n1.xlsx, ou un classeur dossier.xlsx avec les feuilles « structures » et « charges_n1 »)";

/// Finds one table: `NOM.csv`, else `NOM.xlsx`, else a sheet of `dossier.xlsx`.
fn trouver_table(
    dossier: &Path,
    nom: &str,
    opts: &OptionsLecture,
    diags: &mut Diagnostics,
) -> Option<Trouve> {
    let csv = format!("{nom}.csv");
    let xlsx = format!("{nom}.xlsx");
    let p_csv = dossier.join(&csv);
    if p_csv.exists() || !dossier.join(&xlsx).exists() && !dossier.join("dossier.xlsx").exists() {
        if dossier.join(&xlsx).exists() {
            diags.push(
                Diagnostic::avertissement(
                    Code::W005,
                    &xlsx,
                    format!("{xlsx} ignoré : {csv} est présent et c'est lui qui est lu"),
                )
                .conseil(format!(
                    "gardez un seul des deux fichiers ({csv} ou {xlsx})"
                )),
            );
        }
        if !p_csv.exists() {
            diags.push(
                Diagnostic::erreur(
                    Code::E001,
                    p_csv.display().to_string(),
                    format!("fichier « {csv} » introuvable"),
                )
                .conseil(CONSEIL_DOSSIER),
            );
            return None;
        }
        return lire_csv(&p_csv, &csv, opts.encodage, diags).map(|(t, d)| Trouve::Csv(t, d));
    }
    if dossier.join(&xlsx).exists() {
        return lire_octets(&dossier.join(&xlsx), &xlsx, diags).map(|o| Trouve::Xlsx(xlsx, o));
    }
    Some(Trouve::Classeur)
}

/// Reads a dossier folder (the only function of this module that touches the disk).
/// Each table is `NOM.csv`, or when it is absent `NOM.xlsx`, or a sheet of `dossier.xlsx`.
pub fn lire_dossier(
    dossier: &Path,
    opts: &OptionsLecture,
    diags: &mut Diagnostics,
) -> Option<DossierLu> {
    if let Some(x) = classeur::classeur_entier(dossier) {
        return lire_classeur(&x, opts, diags);
    }
    if !dossier.is_dir() {
        diags.push(
            Diagnostic::erreur(
                Code::E001,
                dossier.display().to_string(),
                "dossier introuvable",
            )
            .conseil(format!("donnez le chemin d'un dossier — {CONSEIL_DOSSIER}")),
        );
        return None;
    }
    let convention = lire_toml(&dossier.join("convention.toml"), "convention.toml", diags);
    let structures = trouver_table(dossier, "structures", opts, diags);
    let charges = trouver_table(dossier, "charges_n1", opts, diags);
    let p_classeur = dossier.join("dossier.xlsx");
    let utilise =
        matches!(structures, Some(Trouve::Classeur)) || matches!(charges, Some(Trouve::Classeur));
    let classeur = if utilise {
        lire_octets(&p_classeur, "dossier.xlsx", diags)
    } else {
        if p_classeur.exists() && structures.is_some() && charges.is_some() {
            diags.push(
                Diagnostic::avertissement(
                    Code::W005,
                    "dossier.xlsx",
                    "dossier.xlsx ignoré : les tables sont lues dans les fichiers structures et charges_n1",
                )
                .conseil("gardez soit dossier.xlsx, soit les fichiers séparés"),
            );
        }
        None
    };
    let bareme = match &opts.bareme {
        Some(p) => {
            let nom = p.display().to_string();
            lire_toml(p, &nom, diags).map(|t| (nom, t))
        }
        None => {
            let p = dossier.join("bareme.toml");
            if p.exists() {
                lire_toml(&p, "bareme.toml", diags).map(|t| ("bareme.toml".to_string(), t))
            } else {
                None
            }
        }
    };
    let (convention, structures, charges) = (convention?, structures?, charges?);
    if utilise && classeur.is_none() {
        return None;
    }
    let vide: &[u8] = &[];
    let octets_classeur = classeur.as_deref().unwrap_or(vide);
    let entrees = Entrees {
        convention: &convention,
        structures: source_de(
            &structures,
            "structures.csv",
            FEUILLE_STRUCTURES,
            octets_classeur,
        ),
        charges: source_de(&charges, "charges_n1.csv", FEUILLE_CHARGES, octets_classeur),
        bareme: bareme.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
    };
    analyser_entrees(&entrees, diags)
}

fn source_de<'a>(
    t: &'a Trouve,
    nom_csv: &'a str,
    feuille: &'a [&'a str],
    classeur: &'a [u8],
) -> Source<'a> {
    match t {
        Trouve::Csv(texte, debut) => Source {
            fichier: nom_csv,
            contenu: Contenu::Csv(texte.get(*debut..).unwrap_or(texte)),
        },
        Trouve::Xlsx(nom, octets) => Source {
            fichier: nom,
            contenu: Contenu::Xlsx(
                octets,
                xlsx::Feuille {
                    noms: feuille,
                    premiere_sinon: true,
                },
            ),
        },
        Trouve::Classeur => Source {
            fichier: "dossier.xlsx",
            contenu: Contenu::Xlsx(
                classeur,
                xlsx::Feuille {
                    noms: feuille,
                    premiere_sinon: false,
                },
            ),
        },
    }
}

/// Reads a workbook dossier (a `.xlsx` given as DOSSIER, or `dossier.xlsx` of a folder
/// without `convention.toml`).
fn lire_classeur(
    chemin: &Path,
    opts: &OptionsLecture,
    diags: &mut Diagnostics,
) -> Option<DossierLu> {
    let nom = chemin.display().to_string();
    let octets = lire_octets(chemin, &nom, diags)?;
    if !octets.starts_with(b"PK") {
        diags.push(classeur::pas_un_classeur(&nom));
        return None;
    }
    let bareme = match &opts.bareme {
        Some(p) => {
            let n = p.display().to_string();
            Some((n.clone(), lire_texte(p, &n, Encodage::Utf8, diags)?))
        }
        None => None,
    };
    classeur::analyser_classeur(
        &nom,
        &octets,
        bareme.as_ref().map(|(n, t)| (n.as_str(), t.as_str())),
        diags,
    )
}

#[cfg(test)]
mod tests_limites;

#[cfg(test)]
mod tests_lecture_v2;
