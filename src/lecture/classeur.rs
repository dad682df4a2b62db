//! The workbook dossier: one `.xlsx` holding the whole dossier, so that a finance officer
//! never writes TOML.
//!
//! - sheet `convention`: rows `champ | valeur` (`nom`, `caf`, `debut`, `fin`, `exercice`),
//!   then a table headed `id | nom | tranche | signataire | population`, one row per
//!   collectivité;
//! - sheets `structures` and `charges_n1`: the same tables as the CSV files;
//! - optional sheet `evenements` (`date | id | action | valeur`), read by `projeter`;
//! - optional sheet `bareme`: rows `parametre | debut | valeur | reference | statut`.
//!
//! The `convention` and `bareme` sheets are turned into the TOML text their files would
//! hold, one key per line, and read by the same readers as `convention.toml` and
//! `bareme.toml` (one definition of every check); each generated line remembers its cell, so
//! every message names the cell (`convention!B4`), never a line of a text the user never saw.

use super::xlsx::grille::{self, Cellule};
use super::xlsx::{self, Feuille};
use super::{analyser_entrees, Contenu, DossierLu, Entrees, Source};
use super::{FEUILLE_CHARGES, FEUILLE_STRUCTURES};
use crate::diagnostic::Code;
use crate::diagnostic::Table;
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::lecture::nombres::analyser_booleen;
use crate::lecture::tableau::normaliser_nom;

mod bareme;
pub use bareme::bareme_en_toml;
use bareme::valeurs_du_bareme_nommees;

/// The sheet holding the convention and its collectivités.
pub const FEUILLE_CONVENTION: &[&str] = &["convention"];
/// The optional sheet of events (`projeter`).
pub const FEUILLE_EVENEMENTS: &[&str] = &["evenements"];
/// The optional sheet overriding the built-in barème.
pub const FEUILLE_BAREME: &[&str] = &["bareme"];

/// The `champ | valeur` rows of the convention sheet, in the order the template writes them.
pub const CHAMPS_CONVENTION: &[&str] = &["nom", "caf", "debut", "fin", "exercice"];
/// The header of the collectivités table of the convention sheet.
pub const COLONNES_COLLECTIVITES: &[&str] = &["id", "nom", "tranche", "signataire", "population"];
/// The header of the barème sheet.
pub const COLONNES_BAREME: &[&str] = &["parametre", "debut", "valeur", "reference", "statut"];

/// A TOML text made from a sheet, with the cell each of its lines came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TomlDeFeuille {
    pub texte: String,
    /// `cellules[l - 1]`: the cell of line `l` (none for a line the reader added, such as
    /// `[[collectivites]]`: it then names the row's first cell).
    pub cellules: Vec<String>,
    /// For messages that name a parameter rather than a line (`volets.EAJE.plancher[2]`, the
    /// barème's own notation): the cell of its row.
    pub parametres: Vec<(String, String)>,
    /// Lines written with a placeholder for a cell already refused (E021 « nombre entier
    /// attendu »): the reader's messages about them are not shown (`exercice` 2025.5 is
    /// one error, not a second one about the placeholder 0).
    pub substituts: Vec<u64>,
    /// `(l, cell)`: the cell that names the key of line `l` (the label of a `champ | valeur`
    /// row, the header of a collectivités column), where a misspelt key (E056) is.
    pub cles: Vec<(u64, String)>,
}

impl TomlDeFeuille {
    fn ligne(&mut self, texte: &str, cellule: String) {
        self.texte.push_str(texte);
        self.texte.push('\n');
        self.cellules.push(cellule);
    }

    /// Re-locates the diagnostics of the TOML reader (table `depuis`, a line of the
    /// generated text) in the workbook (`fichier`, the cell).
    pub fn relocaliser(&self, diags: &mut Diagnostics, depuis: Table, fichier: &str) {
        diags.0.retain(|d| {
            d.table != Some(depuis)
                || !d
                    .numero_de_ligne()
                    .is_some_and(|l| self.substituts.contains(&l))
        });
        for d in diags.0.iter_mut().filter(|d| d.table == Some(depuis)) {
            d.fichier = fichier.to_string();
            d.table = None;
            // a cell of a sheet is no TOML text: the reader's words for it
            if let Some(m) = d.message.strip_prefix("TOML invalide : ") {
                d.message = m.to_string();
            }
            let cle = d
                .numero_de_ligne()
                .filter(|_| d.code == Code::E056)
                .and_then(|l| self.cles.iter().find(|(x, _)| *x == l).map(|(_, c)| c));
            if let Some(c) = cle.or_else(|| {
                d.numero_de_ligne()
                    .and_then(|l| self.cellules.get((l as usize).wrapping_sub(1)))
            }) {
                d.position = Some(Position::Cellule(c.clone()));
                // a collectivité's key is the header of its column in the sheet
                // (`collectivites[2].nom` → `nom`)
                if let Some(k) = d.colonne.as_deref().and_then(|x| {
                    x.strip_prefix("collectivites[")
                        .and_then(|r| r.split_once("]."))
                        .map(|(_, k)| k.to_string())
                }) {
                    d.colonne = Some(k);
                }
            } else if let Some((_, c)) = d
                .colonne
                .as_deref()
                .and_then(|col| self.parametres.iter().find(|(p, _)| p == col))
            {
                d.position = Some(Position::Cellule(c.clone()));
            }
        }
        // a misspelt header of the collectivités (`signatair`) is one unknown key for each
        // collectivité, all at its header cell: said once
        let mut vues: Vec<Diagnostic> = Vec::new();
        diags.0.retain(|d| {
            if d.code != Code::E056 || d.fichier != fichier {
                return true;
            }
            if vues.contains(d) {
                return false;
            }
            vues.push(d.clone());
            true
        });
    }
}

/// A TOML string literal.
fn chaine(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A TOML key: bare when it can be, quoted otherwise (an unknown header stays readable in the
/// « clé inconnue » message).
fn cle(s: &str) -> String {
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        s.to_string()
    } else {
        chaine(s)
    }
}

/// `2024-07-01` or `01/07/2024` (how a date cell reads) as a TOML date.
fn date_toml(t: &str) -> Option<String> {
    let t = t.trim();
    let iso = |a: &str, m: &str, j: &str| {
        let ok = a.len() == 4
            && m.len() == 2
            && j.len() == 2
            && [a, m, j]
                .iter()
                .all(|x| x.bytes().all(|b| b.is_ascii_digit()));
        // a day that exists (`30/02/2023` is refused here, as a date, not by the TOML reader)
        let (an, mois, jour) = (
            a.parse::<u32>().unwrap_or(0),
            m.parse::<u32>().unwrap_or(0),
            j.parse::<u32>().unwrap_or(0),
        );
        let bissextile = an % 4 == 0 && (an % 100 != 0 || an % 400 == 0);
        let jours = match mois {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if bissextile => 29,
            2 => 28,
            _ => 0,
        };
        (ok && an >= 1 && (1..=jours).contains(&jour)).then(|| format!("{a}-{m}-{j}"))
    };
    let p: Vec<&str> = t.split(['-', '/']).collect();
    match p.as_slice() {
        [a, m, j] if t.contains('-') => iso(a, m, j),
        [j, m, a] if t.contains('/') => iso(a, m, j),
        _ => None,
    }
}

/// A date, or a string that the reader refuses with its own message (barème sheet).
fn date(t: &str) -> String {
    date_toml(t).unwrap_or_else(|| chaine(t.trim()))
}

/// A whole number as a TOML integer.
fn entier_toml(t: &str) -> Option<String> {
    let t = t.trim();
    (!t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()))
        .then(|| t.parse::<u64>().map(|n| n.to_string()).ok())
        .flatten()
}

/// A whole number, or a string (barème sheet: refused by its reader where a number is due).
fn entier(t: &str) -> String {
    entier_toml(t).unwrap_or_else(|| chaine(t.trim()))
}

/// The TOML writing of a convention sheet's value, or the reason it is refused. Types are
/// checked here, so that a person who never wrote TOML reads « nombre entier attendu », not
/// a TOML type error.
fn valeur_convention(cle_: &str, t: &str) -> Result<Option<String>, (&'static str, &'static str)> {
    match cle_ {
        "debut" | "fin" => match date_toml(t) {
            Some(d) => Ok(Some(d)),
            // the shape of a date, a day that does not exist (`30/02/2023`)
            None if t.trim().split(['-', '/']).count() == 3
                && t.trim()
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-' || b == b'/') =>
            {
                Err((
                    "date inexistante",
                    "vérifiez le jour et le mois (jj/mm/aaaa)",
                ))
            }
            None => Err(("date attendue", "saisissez une date (jj/mm/aaaa)")),
        },
        "exercice" | "tranche" | "population" => entier_toml(t).map(Some).ok_or((
            "nombre entier attendu",
            "écrivez un nombre sans décimales (ex. 2025)",
        )),
        "signataire" => analyser_booleen(t)
            .map(|b| Some(b.to_string()))
            .ok_or(("oui ou non attendu", "écrivez oui ou non")),
        _ => Ok(Some(chaine(t.trim()))),
    }
}

/// The cells of a grid grouped by row.
fn lignes(cellules: &[Cellule]) -> Vec<&[Cellule]> {
    let mut r = Vec::new();
    let mut i = 0;
    while i < cellules.len() {
        let l = cellules[i].ligne;
        let n = cellules[i..].partition_point(|c| c.ligne == l);
        r.push(&cellules[i..i + n]);
        i += n;
    }
    r
}

/// A named column of a table of the convention sheet: its column, its normalised name and
/// the reference of its header cell.
type ColonneNommee = (u32, String, String);

/// The values of a sheet's table found in a column without a header name (under an empty
/// header cell, left or right of the table), reported once a column.
#[derive(Default)]
struct HorsTableau {
    /// The row (0-based) of the table's header; `None` for `champ | valeur` rows written
    /// without their header row.
    ligne_entete: Option<u32>,
    /// The columns already reported.
    signalees: std::collections::BTreeSet<u32>,
}

impl HorsTableau {
    /// Reports cell `c`, outside the table's named columns: E058 with its cell and the empty
    /// header cell above it (E021 when the rows have no header), once a column.
    fn signaler(&mut self, feuille: &str, fichier: &str, c: &Cellule, diags: &mut Diagnostics) {
        if !self.signalees.insert(c.colonne) {
            return;
        }
        diags.push(match self.ligne_entete {
            Some(l) => crate::lecture::entete::valeur_sans_entete(
                fichier,
                Some(feuille),
                u64::from(l) + 1,
                c.colonne as usize,
                u64::from(c.ligne) + 1,
                c.texte.trim(),
            ),
            None => Diagnostic::erreur(
                Code::E021,
                fichier,
                "valeur hors des colonnes champ et valeur : elle serait ignorée",
            )
            .cellule(c.reference(feuille))
            .valeur(c.texte.trim())
            .conseil("écrivez chaque champ sur sa ligne, son nom dans la première colonne et sa valeur dans la suivante, ou videz la cellule"),
        });
    }
}

/// A value `c` of a sheet whose label cell (the field name to its left, the row's
/// parameter: column `colonne` of its row) is empty: it would be ignored. `sans`: what is
/// missing (« sans nom de champ »), `conseil`: how to name it.
fn valeur_sans_libelle(
    code: Code,
    (feuille, fichier): (&str, &str),
    colonne: u32,
    c: &Cellule,
    sans: &str,
    conseil: &str,
) -> Diagnostic {
    let vide = Cellule {
        ligne: c.ligne,
        colonne,
        texte: String::new(),
    };
    Diagnostic::erreur(
        code,
        fichier,
        format!(
            "valeur {sans} (la cellule {} est vide) : elle serait ignorée",
            vide.reference(feuille)
        ),
    )
    .cellule(c.reference(feuille))
    .valeur(c.texte.trim())
    .conseil(conseil)
}

/// E021: a value of the `champ | valeur` rows whose key cell (column `colonne_cles`, to
/// its left) is empty: it would be ignored, and its field missing or taking its default.
fn valeur_sans_champ(feuille: &str, fichier: &str, colonne_cles: u32, c: &Cellule) -> Diagnostic {
    let conseil = format!(
        "écrivez à sa gauche le nom du champ ({}), ou videz la cellule",
        CHAMPS_CONVENTION.join(", ")
    );
    let sans = "sans nom de champ";
    valeur_sans_libelle(
        Code::E021,
        (feuille, fichier),
        colonne_cles,
        c,
        sans,
        &conseil,
    )
}

/// The convention sheet as `convention.toml` text. A value of the wrong type is reported
/// here with its cell (E021) and written as a neutral placeholder, so that the reader goes on
/// and reports the other mistakes in the same pass (the dossier is refused either way).
pub fn convention_en_toml(
    feuille: &str,
    fichier: &str,
    cellules: &[Cellule],
    diags: &mut Diagnostics,
) -> TomlDeFeuille {
    let mut t = TomlDeFeuille::default();
    // the collectivités' header: its row (0-based), its columns' names and cells
    let mut entete: Option<(u32, Vec<ColonneNommee>)> = None;
    // `cle_en`: the cell naming the key
    let ecrire =
        |t: &mut TomlDeFeuille, nom: &str, cle_en: String, c: &Cellule, diags: &mut Diagnostics| {
            match valeur_convention(nom, &c.texte) {
                Ok(Some(v)) => {
                    t.ligne(&format!("{} = {v}", cle(nom)), c.reference(feuille));
                    t.cles.push((t.cellules.len() as u64, cle_en));
                }
                Ok(None) => {}
                Err((message, conseil)) => {
                    diags.push(
                        Diagnostic::erreur(Code::E021, fichier, message)
                            .cellule(c.reference(feuille))
                            .colonne(nom)
                            .valeur(c.texte.trim())
                            .conseil(conseil),
                    );
                    let substitut = match nom {
                        "signataire" => Some("true"),
                        "debut" | "fin" => None,
                        _ => Some("0"),
                    };
                    if let Some(x) = substitut {
                        t.ligne(&format!("{nom} = {x}"), c.reference(feuille));
                        t.substituts.push(t.cellules.len() as u64);
                    }
                }
            }
        };
    let rangs = lignes(cellules);
    // the `champ | valeur` rows come before the collectivités' header (a row starting
    // with `id`): keys in their leftmost column, values in the next one
    let fin_champs = rangs
        .iter()
        .position(|l| normaliser_nom(&l[0].texte) == "id")
        .unwrap_or(rangs.len());
    // their header row `champ | valeur`, if written: the rows above it are a title
    let entete_champs = rangs[..fin_champs]
        .iter()
        .position(|l| normaliser_nom(&l[0].texte) == "champ");
    let depuis = entete_champs.map_or(0, |i| i + 1);
    let colonne_cles = match entete_champs {
        Some(i) => rangs[i][0].colonne,
        None => rangs[..fin_champs]
            .iter()
            .map(|l| l[0].colonne)
            .min()
            .unwrap_or(0),
    };
    let mut hors = HorsTableau {
        ligne_entete: entete_champs.map(|i| rangs[i][0].ligne),
        ..HorsTableau::default()
    };
    for ligne in rangs.into_iter().skip(depuis) {
        let premiere = &ligne[0];
        let champ = normaliser_nom(&premiere.texte);
        match &entete {
            None if champ == "id" => {
                entete = Some((
                    premiere.ligne,
                    ligne
                        .iter()
                        .map(|c| (c.colonne, normaliser_nom(&c.texte), c.reference(feuille)))
                        .filter(|(_, nom, _)| !nom.is_empty())
                        .collect(),
                ));
            }
            None => {
                let cle_ = ligne.iter().find(|c| c.colonne == colonne_cles);
                for c in ligne.iter().filter(|c| c.colonne != colonne_cles) {
                    match cle_ {
                        // (a field left empty: the reader says it is missing)
                        Some(k) if c.colonne == colonne_cles + 1 => {
                            let champ = normaliser_nom(&k.texte);
                            ecrire(&mut t, &champ, k.reference(feuille), c, diags)
                        }
                        None if c.colonne == colonne_cles + 1 => {
                            diags.push(valeur_sans_champ(feuille, fichier, colonne_cles, c))
                        }
                        _ => hors.signaler(feuille, fichier, c, diags),
                    }
                }
            }
            Some((ligne_entete, colonnes)) => {
                t.ligne("[[collectivites]]", premiere.reference(feuille));
                for c in ligne {
                    match colonnes.iter().find(|(col, _, _)| *col == c.colonne) {
                        Some((_, nom, en_tete)) => ecrire(&mut t, nom, en_tete.clone(), c, diags),
                        // under an empty header cell: it would be ignored
                        None => {
                            if hors.ligne_entete != Some(*ligne_entete) {
                                hors = HorsTableau {
                                    ligne_entete: Some(*ligne_entete),
                                    ..HorsTableau::default()
                                };
                            }
                            hors.signaler(feuille, fichier, c, diags)
                        }
                    }
                }
            }
        }
    }
    t
}

/// Whether a workbook is a whole dossier (it has a `convention` sheet).
pub fn est_dossier_complet(fichier: &str, octets: &[u8]) -> bool {
    grille::feuilles(fichier, octets)
        .map(|n| grille::a_feuille(&n, FEUILLE_CONVENTION[0]))
        .unwrap_or(false)
}

/// Name under which the generated barème text is read before its messages are relocated.
const BAREME_GENERE: &str = "\u{0}bareme du classeur";

/// Reads a workbook dossier (pure: its bytes). `bareme`: a barème file given with
/// `--bareme`, which replaces the workbook's `bareme` sheet.
pub fn analyser_classeur(
    fichier: &str,
    octets: &[u8],
    bareme: Option<(&str, &str)>,
    diags: &mut Diagnostics,
) -> Option<DossierLu> {
    let feuilles = match grille::feuilles(fichier, octets) {
        Ok(f) => f,
        Err(d) => {
            diags.push(*d);
            return None;
        }
    };
    let lire = |noms: &'static [&'static str], diags: &mut Diagnostics| match grille::lire_grille(
        fichier,
        octets,
        Feuille {
            noms,
            premiere_sinon: false,
        },
    ) {
        Ok(g) => Some(g),
        Err(d) => {
            diags.push(*d);
            None
        }
    };
    let (nom_c, cellules_c) = lire(FEUILLE_CONVENTION, diags)?;
    let mut locales = Diagnostics::default();
    let convention = convention_en_toml(&nom_c, fichier, &cellules_c, &mut locales);
    let bareme_feuille = if bareme.is_none() && grille::a_feuille(&feuilles, FEUILLE_BAREME[0]) {
        let (nom_b, cellules_b) = lire(FEUILLE_BAREME, diags)?;
        valeurs_du_bareme_nommees(&nom_b, fichier, &cellules_b, &mut locales);
        Some(bareme_en_toml(&nom_b, &cellules_b))
    } else {
        None
    };
    let source = |noms: &'static [&'static str]| Source {
        fichier,
        contenu: Contenu::Xlsx(
            octets,
            xlsx::Feuille {
                noms,
                premiere_sinon: false,
            },
        ),
    };
    let entrees = Entrees {
        convention: &convention.texte,
        structures: source(FEUILLE_STRUCTURES),
        charges: source(FEUILLE_CHARGES),
        bareme: bareme.or(bareme_feuille
            .as_ref()
            .map(|b| (BAREME_GENERE, b.texte.as_str()))),
    };
    let lu = analyser_entrees(&entrees, &mut locales);
    convention.relocaliser(&mut locales, Table::Convention, fichier);
    if let Some(b) = &bareme_feuille {
        b.relocaliser(&mut locales, Table::Bareme, fichier);
    }
    diags.extend(locales);
    let mut lu = lu?;
    lu.localisations.convention = Some((fichier.to_string(), convention.cellules));
    Some(lu)
}

/// Diagnostic for a DOSSIER that is a file but not a workbook.
pub fn pas_un_classeur(fichier: &str) -> Diagnostic {
    Diagnostic::erreur(
        Code::E001,
        fichier,
        "ce fichier n'est ni un dossier ni un classeur .xlsx",
    )
    .conseil("donnez le chemin d'un dossier (convention.toml, structures.csv, charges_n1.csv) ou d'un classeur .xlsx fait avec « bonus-ctg modele »")
}

/// The workbook whose sheets make the dossier `dossier`, as [`super::lire_dossier`] reads
/// it: the `.xlsx` given itself, or the `dossier.xlsx` of a folder that takes a table from it
/// (no `convention.toml`, or a table with neither its `.csv` nor its `.xlsx` file).
pub fn classeur_du_dossier(dossier: &std::path::Path) -> Option<std::path::PathBuf> {
    if let Some(x) = classeur_entier(dossier) {
        return Some(x);
    }
    // a folder with its convention.toml whose tables are sheets of its dossier.xlsx
    let x = dossier.join("dossier.xlsx");
    let sans_fichier = |nom: &str| {
        !dossier.join(format!("{nom}.csv")).exists()
            && !dossier.join(format!("{nom}.xlsx")).exists()
    };
    (dossier.is_dir() && x.is_file() && (sans_fichier("structures") || sans_fichier("charges_n1")))
        .then_some(x)
}

/// The workbook that is the whole dossier `dossier`: the `.xlsx` given itself, or the
/// `dossier.xlsx` of a folder without `convention.toml`.
pub fn classeur_entier(dossier: &std::path::Path) -> Option<std::path::PathBuf> {
    if dossier.is_file() {
        return Some(dossier.to_path_buf());
    }
    let x = dossier.join("dossier.xlsx");
    (dossier.is_dir() && !dossier.join("convention.toml").exists() && x.is_file()).then_some(x)
}

/// The events of a workbook dossier's optional `evenements` sheet (none without the sheet),
/// and where they were read (the sheet's cells).
pub fn lire_evenements_du_classeur(
    chemin: &std::path::Path,
    diags: &mut Diagnostics,
) -> Option<(
    Vec<crate::projection::evenements::Evenement>,
    super::tableau::Localisation,
)> {
    let nom = chemin.display().to_string();
    let octets = super::lire_octets(chemin, &nom, diags)?;
    evenements_du_classeur(&nom, &octets, diags)
}

/// The events of the optional `evenements` sheet of workbook `fichier` (pure: its bytes),
/// with where they were read; none without the sheet. `None` on error.
pub fn evenements_du_classeur(
    fichier: &str,
    octets: &[u8],
    diags: &mut Diagnostics,
) -> Option<(
    Vec<crate::projection::evenements::Evenement>,
    super::tableau::Localisation,
)> {
    let feuilles = match grille::feuilles(fichier, octets) {
        Ok(f) => f,
        Err(d) => {
            diags.push(*d);
            return None;
        }
    };
    if !grille::a_feuille(&feuilles, FEUILLE_EVENEMENTS[0]) {
        return Some((Vec::new(), super::tableau::Localisation::csv(fichier)));
    }
    crate::projection::evenements::analyser_feuille_evenements(fichier, octets, diags)
}
