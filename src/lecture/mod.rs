//! Reading a dossier (README « Le dossier d’entrée »): `convention.toml`, `structures.csv`, `charges_n1.csv`,
//! optional `bareme.toml`. The parsing functions are pure (text in, data and located
//! diagnostics out); only [`lire_dossier`] touches the file system.

pub mod classeur;
pub mod fichier;
pub mod nombres;
pub mod tableau;
pub mod texte;
pub mod xlsx;

use crate::bareme::Bareme;
use crate::diagnostic::Code;
use crate::diagnostic::Table;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::modele::*;
pub use fichier::lire_fichier_borne;
use nombres::{analyser_booleen, analyser_decimal, en_centiemes};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use tableau::{Enregistrement, Localisation, Tableau};
pub use texte::Encodage;
use toml::Spanned;

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
}

impl DossierLu {
    /// Re-locates diagnostics written with the CSV names (validation's cross-file checks
    /// say `structures.csv`, line N, column C) in the files actually read: the workbook's
    /// name and the cell reference (`structures!G4`).
    pub fn localiser(&self, diags: &mut Diagnostics) {
        for d in diags.0.iter_mut() {
            let Some(table) = d.table else { continue };
            if let (Some((f, cellules)), Table::Convention) =
                (&self.localisations.convention, table)
            {
                d.fichier = f.clone();
                if let Some(c) = d
                    .ligne
                    .and_then(|l| cellules.get((l as usize).wrapping_sub(1)))
                {
                    d.cellule = Some(c.clone());
                }
                continue;
            }
            let loc = match table {
                Table::Structures => &self.localisations.structures,
                Table::Charges => &self.localisations.charges,
                Table::Convention | Table::Bareme => continue,
            };
            if loc.fichier.is_empty() || loc.fichier == d.fichier {
                continue;
            }
            d.fichier = loc.fichier.clone();
            if let (Some(l), Some(c), None) = (d.ligne, d.colonne.as_deref(), &d.cellule) {
                d.cellule = loc.cellule(l, c);
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

fn lire_tableau(
    src: Source<'_>,
    connues: &[&str],
    requises: &[&str],
    diags: &mut Diagnostics,
) -> Option<Tableau> {
    match src.contenu {
        Contenu::Csv(t) => tableau::lire(src.fichier, t, connues, requises, diags),
        Contenu::Xlsx(o, f) => xlsx::lire(src.fichier, o, f, connues, requises, diags),
    }
}

struct Ligne<'a> {
    tab: &'a Tableau,
    enr: Enregistrement<'a>,
    no: u64,
    diags: &'a mut Diagnostics,
    ok: bool,
}

impl Ligne<'_> {
    fn err(&mut self, code: Code, col: &str, val: &str, msg: impl Into<String>, conseil: &str) {
        self.ok = false;
        let mut d = Diagnostic::erreur(code, &self.tab.fichier, msg).ligne(self.no);
        if let Some(c) = self.tab.cellule(self.no, col) {
            d = d.cellule(c);
        }
        let mut d = d.colonne(col);
        if !val.is_empty() {
            d = d.valeur(val);
        }
        if !conseil.is_empty() {
            d = d.conseil(conseil);
        }
        self.diags.push(d);
    }

    fn texte(&mut self, col: &str, requis: bool) -> String {
        match self.tab.champ(self.enr, col) {
            Some(v) => v.to_string(),
            None => {
                if requis {
                    self.err(
                        Code::E006,
                        col,
                        "",
                        "valeur obligatoire manquante",
                        "renseignez la cellule",
                    );
                }
                String::new()
            }
        }
    }

    /// An id (`id`, `collectivite`): text without invisible or control characters (E053).
    fn id(&mut self, col: &str) -> String {
        let v = self.texte(col, true);
        if let Some(c) = texte::caractere_invisible(&v) {
            self.err(
                Code::E053,
                col,
                &texte::montrer_invisibles(&v),
                format!(
                    "identifiant contenant un caractère invisible ou de contrôle (U+{:04X})",
                    c as u32
                ),
                "retapez l'identifiant : un caractère invisible (copié d'une page web ou d'un autre logiciel) le rendrait différent d'un identifiant d'apparence identique",
            );
        }
        v
    }

    fn code<T>(
        &mut self,
        col: &str,
        code_err: Code,
        analyser: fn(&str) -> Option<T>,
        liste: &str,
        defaut: T,
    ) -> T {
        match self.tab.champ(self.enr, col) {
            None => {
                self.err(
                    Code::E006,
                    col,
                    "",
                    "valeur obligatoire manquante",
                    &format!("valeurs admises : {liste}"),
                );
                defaut
            }
            Some(v) => analyser(v).unwrap_or_else(|| {
                self.err(
                    code_err,
                    col,
                    v,
                    "valeur inconnue",
                    &format!("valeurs admises : {liste}"),
                );
                defaut
            }),
        }
    }

    /// A decimal ≥ 0 with at most 2 decimals, in hundredths, ≤ `max`.
    fn centiemes(&mut self, col: &str, max: i64, quoi: &str) -> i64 {
        let Some(v) = self.tab.champ(self.enr, col) else {
            return 0;
        };
        if let Some(c) = nombres::centiemes_simples(v).filter(|c| *c <= max) {
            return c; // plain writing: same value as below, without the general parser
        }
        let lu = if self.tab.feuille.is_some() {
            nombres::analyser_decimal_classeur(v)
        } else {
            analyser_decimal(v)
        };
        let d = match lu {
            Ok(d) => d,
            Err(m) => {
                let conseil = if self.tab.feuille.is_some() && v.contains('/') {
                    "la cellule est au format date : remettez-la au format Nombre ou Standard"
                } else {
                    "écrivez par exemple 1234,56 ou 1234.56"
                };
                self.err(
                    Code::E007,
                    col,
                    v,
                    format!("{quoi} illisible : {m}"),
                    conseil,
                );
                return 0;
            }
        };
        if d.is_sign_negative() && !d.is_zero() {
            self.err(
                Code::E008,
                col,
                v,
                format!("{quoi} négatif"),
                "les montants et unités sont positifs ou nuls",
            );
            return 0;
        }
        match en_centiemes(d) {
            Ok(c) if c <= max => c,
            Ok(_) => {
                self.err(
                    Code::E023,
                    col,
                    v,
                    format!(
                        "{quoi} trop grand (maximum {}{})",
                        tableau::groupe((max / 100) as usize),
                        if quoi == "montant" { " €" } else { "" }
                    ),
                    "vérifiez l'unité de la colonne",
                );
                0
            }
            Err(m) => {
                let conseil = if self.tab.feuille.is_some() {
                    "la cellule contient exactement cette valeur : arrondissez-la au centième (=ARRONDI(…;2)) puis collez-la en valeur"
                } else {
                    "arrondissez au centième"
                };
                self.err(Code::E009, col, v, format!("{quoi} avec {m}"), conseil);
                0
            }
        }
    }
}

/// Parses structures.csv.
pub fn analyser_structures(fichier: &str, texte: &str, diags: &mut Diagnostics) -> Vec<Structure> {
    let src = Source {
        fichier,
        contenu: Contenu::Csv(texte),
    };
    lire_structures(src, diags).0
}

/// Parses the structures table from a CSV text or a workbook's sheet.
pub fn lire_structures(src: Source<'_>, diags: &mut Diagnostics) -> (Vec<Structure>, Localisation) {
    let Some(tab) = lire_tableau(src, COLONNES_STRUCTURES, REQUISES_STRUCTURES, diags) else {
        return (Vec::new(), Localisation::csv(src.fichier));
    };
    let mut r = Vec::with_capacity(tab.lignes.len());
    // lists for the messages, built once per file rather than once per line
    let (types, financements) = (TypeStructure::liste(), Financement::liste());
    for (no, enr) in &tab.lignes {
        let mut l = Ligne {
            tab: &tab,
            enr,
            no: *no,
            diags,
            ok: true,
        };
        let id = l.id("id");
        if id.chars().count() > LONGUEUR_ID_MAX {
            let court: String = id.chars().take(40).collect();
            l.err(
                Code::E023,
                "id",
                &format!("{court}…"),
                format!("identifiant trop long (plus de {LONGUEUR_ID_MAX} caractères)"),
                "",
            );
        }
        let annexe = l.code(
            "annexe",
            Code::E011,
            Annexe::analyser,
            "2, 2bis",
            Annexe::Deux,
        );
        let type_structure = l.code(
            "type",
            Code::E012,
            TypeStructure::analyser,
            &types,
            TypeStructure::Autre,
        );
        let nom = l.texte("nom", true);
        let adresse = l.texte("adresse", false);
        let gestionnaire = l.texte("gestionnaire", true);
        let collectivite = l.id("collectivite");
        let financement = l.code(
            "financement",
            Code::E013,
            Financement::analyser,
            &financements,
            Financement::Aucun,
        );
        let soutien_collectivite = match l.tab.champ(enr, "soutien_collectivite") {
            None => true,
            Some(v) => analyser_booleen(v).unwrap_or_else(|| {
                l.err(
                    Code::E010,
                    "soutien_collectivite",
                    v,
                    "booléen illisible",
                    "écrivez oui ou non",
                );
                true
            }),
        };
        let unites_existantes =
            Unites(l.centiemes("unites_existantes", UNITES_MAX, "nombre d'unités"));
        let unites_nouvelles =
            Unites(l.centiemes("unites_nouvelles", UNITES_MAX, "nombre d'unités"));
        let unites_employeurs =
            Unites(l.centiemes("unites_employeurs", UNITES_MAX, "nombre d'unités"));
        let unites_employeurs_nouvelles =
            Unites(l.centiemes("unites_employeurs_nouvelles", UNITES_MAX, "nombre d'unités"));
        let mois_ouverture = match l.tab.champ(enr, "mois_ouverture") {
            None => 12,
            Some(v) => match v.parse::<u8>() {
                Ok(m) if m <= 12 => m,
                _ => {
                    l.err(
                        Code::E018,
                        "mois_ouverture",
                        v,
                        "mois d'ouverture hors de 0 à 12",
                        "nombre entier de mois d'ouverture dans l'exercice",
                    );
                    12
                }
            },
        };
        let contribution_collectivite_n1 =
            Montant(l.centiemes("contribution_collectivite_n1", MONTANT_MAX, "montant"));
        let bonus_n1 = Montant(l.centiemes("bonus_n1", MONTANT_MAX, "montant"));
        if unites_employeurs > unites_existantes {
            let v = l
                .tab
                .champ(enr, "unites_employeurs")
                .unwrap_or("")
                .to_string();
            l.err(
                Code::E017,
                "unites_employeurs",
                &v,
                format!("les unités réservées aux employeurs ({unites_employeurs}) dépassent les unités existantes ({unites_existantes})"),
                "les places employeurs font partie des places existantes",
            );
        }
        r.push(Structure {
            id,
            annexe,
            type_structure,
            nom,
            adresse,
            gestionnaire,
            collectivite,
            financement,
            soutien_collectivite,
            unites_existantes,
            unites_nouvelles,
            unites_employeurs,
            unites_employeurs_nouvelles,
            mois_ouverture,
            contribution_collectivite_n1,
            bonus_n1,
            ligne: *no,
        });
    }
    (r, tab.localisation())
}

/// Parses charges_n1.csv.
pub fn analyser_charges(fichier: &str, texte: &str, diags: &mut Diagnostics) -> Vec<ChargeAPayer> {
    let src = Source {
        fichier,
        contenu: Contenu::Csv(texte),
    };
    lire_charges(src, diags).0
}

/// Parses the charges table from a CSV text or a workbook's sheet.
pub fn lire_charges(src: Source<'_>, diags: &mut Diagnostics) -> (Vec<ChargeAPayer>, Localisation) {
    let Some(tab) = lire_tableau(src, COLONNES_CHARGES, REQUISES_CHARGES, diags) else {
        return (Vec::new(), Localisation::csv(src.fichier));
    };
    let mut r = Vec::with_capacity(tab.lignes.len());
    for (no, enr) in &tab.lignes {
        let mut l = Ligne {
            tab: &tab,
            enr,
            no: *no,
            diags,
            ok: true,
        };
        let collectivite = l.id("collectivite");
        let brut = l.texte("volet", true);
        let volet = brut.trim().to_uppercase();
        if !brut.is_empty() && !volet_valide(&volet) {
            l.err(Code::E014, "volet", &brut, "nom de volet invalide", "EAJE, RPE, LAEP, ALSH, PILOTAGE, AUTRE ou un volet local du barème (lettres, chiffres, _)");
        }
        let montant = if l.tab.champ(enr, "montant").is_none() {
            l.err(
                Code::E006,
                "montant",
                "",
                "valeur obligatoire manquante",
                "renseignez la cellule",
            );
            Montant(0)
        } else {
            Montant(l.centiemes("montant", MONTANT_MAX, "montant"))
        };
        let libelle = l.texte("libelle", false);
        r.push(ChargeAPayer {
            collectivite,
            volet,
            montant,
            libelle,
            ligne: crate::diagnostic::Origine::Ligne(*no),
        });
    }
    (r, tab.localisation())
}

#[derive(Deserialize)]
struct ConventionBrute {
    nom: Option<Spanned<String>>,
    caf: Option<Spanned<String>>,
    debut: Option<Spanned<toml::value::Datetime>>,
    fin: Option<Spanned<toml::value::Datetime>>,
    exercice: Option<Spanned<i64>>,
    collectivites: Option<Spanned<Vec<CollectiviteBrute>>>,
}

#[derive(Deserialize)]
struct CollectiviteBrute {
    id: Option<Spanned<String>>,
    nom: Option<Spanned<String>>,
    tranche: Option<Spanned<i64>>,
    signataire: Option<Spanned<bool>>,
    /// optional, an integer ≥ 0 (read for the rules that use it; checked here)
    population: Option<Spanned<i64>>,
}

/// Keys of convention.toml, at the top level and in each `[[collectivites]]`.
pub const CLES_CONVENTION: &[&str] = &["nom", "caf", "debut", "fin", "exercice", "collectivites"];
pub const CLES_COLLECTIVITE: &[&str] = &["id", "nom", "tranche", "signataire", "population"];

/// The known key nearest to `cle` (smallest edit distance; the first of the list on a tie).
pub fn cle_la_plus_proche<'c>(cle: &str, connues: &[&'c str]) -> Option<&'c str> {
    connues
        .iter()
        .min_by_key(|c| strsim::levenshtein(cle, c))
        .copied()
}

/// The error for an unknown key of a TOML file (convention.toml, bareme.toml, any other):
/// `chemin` is where it was found (`collectivites[1].signatair`), `connues` the keys
/// allowed there; the message names the nearest one. The one mechanism for every TOML file.
pub fn cle_inconnue(
    code: Code,
    fichier: &str,
    chemin: &str,
    cle: &str,
    connues: &[&str],
) -> Diagnostic {
    let proche = cle_la_plus_proche(cle, connues).map_or(String::new(), |p| {
        format!(" (clé admise la plus proche : « {p} »)")
    });
    Diagnostic::erreur(code, fichier, format!("clé inconnue « {cle} »{proche}"))
        .colonne(chemin)
        .conseil(format!(
            "clés admises ici : {} (une clé mal orthographiée serait sinon ignorée)",
            connues.join(", ")
        ))
}

/// Line (1-based) where key `cle` is written in a TOML text: at the top level (`section`
/// `None`) or in the `k`-th `[[collectivites]]` table (`Some(k)`, 0-based).
fn ligne_cle_toml(texte: &str, section: Option<usize>, cle: &str) -> Option<u64> {
    let mut ici: Option<usize> = None; // None: top level
    let mut dans_autre = false;
    let mut k = 0;
    for (i, l) in texte.lines().enumerate() {
        let t = l.trim();
        if t.starts_with("[[") {
            let nom = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim();
            if nom == "collectivites" {
                ici = Some(k);
                k += 1;
                dans_autre = false;
            } else {
                dans_autre = true;
            }
            if section.is_none() && nom == cle {
                return Some(i as u64 + 1);
            }
            continue;
        }
        if t.starts_with('[') {
            let nom = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim();
            if section.is_none() && (nom == cle || nom.starts_with(&format!("{cle}."))) {
                return Some(i as u64 + 1);
            }
            dans_autre = true;
            continue;
        }
        if dans_autre || ici != section {
            continue;
        }
        let t = t.trim_start_matches(['"', '\'']);
        if let Some(reste) = t.strip_prefix(cle) {
            let reste = reste.trim_start_matches(['"', '\'']).trim_start();
            if reste.starts_with('=') || reste.starts_with('.') {
                return Some(i as u64 + 1);
            }
        }
    }
    None
}

/// Unknown keys of convention.toml (errors E056 naming the nearest known key).
fn cles_inconnues_convention(fichier: &str, texte: &str, diags: &mut Diagnostics) -> bool {
    let Ok(table) = texte.parse::<toml::Table>() else {
        return true; // the syntax error is reported by the typed reading
    };
    let mut ok = true;
    let mut signaler =
        |chemin: String, cle: &str, connues: &[&str], section, diags: &mut Diagnostics| {
            let mut d = cle_inconnue(Code::E056, fichier, &chemin, cle, connues);
            if let Some(l) = ligne_cle_toml(texte, section, cle) {
                d = d.ligne(l);
            }
            diags.push(d);
            ok = false;
        };
    for (cle, v) in &table {
        if !CLES_CONVENTION.contains(&cle.as_str()) {
            signaler(cle.clone(), cle, CLES_CONVENTION, None, diags);
        } else if cle == "collectivites" {
            if let Some(cs) = v.as_array() {
                for (k, c) in cs.iter().enumerate() {
                    let Some(c) = c.as_table() else { continue };
                    for cle in c.keys() {
                        if !CLES_COLLECTIVITE.contains(&cle.as_str()) {
                            signaler(
                                format!("collectivites[{}].{cle}", k + 1),
                                cle,
                                CLES_COLLECTIVITE,
                                Some(k),
                                diags,
                            );
                        }
                    }
                }
            }
        }
    }
    ok
}

/// A TOML parser message in French (the frequent ones; otherwise the original in brackets).
pub fn message_toml(m: &str) -> String {
    let m = m.trim();
    let fr = [
        (
            "invalid basic string",
            "texte entre guillemets jamais fermé",
        ),
        (
            "invalid literal string",
            "texte entre apostrophes jamais fermé",
        ),
        ("duplicate key", "clé écrite deux fois"),
        ("expected `=`", "« = » attendu après le nom de la clé"),
        ("invalid key", "nom de clé invalide"),
        ("invalid table header", "en-tête de table [..] invalide"),
        ("invalid array", "liste [..] invalide"),
        ("invalid inline table", "table { .. } invalide"),
        ("invalid number", "nombre invalide"),
        ("invalid date", "date invalide (format AAAA-MM-JJ)"),
        ("missing field", "clé obligatoire absente"),
        ("unknown field", "clé inconnue"),
        ("expected newline", "fin de ligne attendue"),
        ("invalid string", "texte invalide"),
    ];
    if let Some(reste) = m.strip_prefix("invalid type:") {
        return type_inattendu(reste);
    }
    match fr.iter().find(|(en, _)| m.starts_with(en)) {
        Some((en, f)) if m.len() == en.len() => f.to_string(),
        Some((en, f)) => format!(
            "{f} ({})",
            m[en.len()..].trim_start_matches([',', ':', ' '])
        ),
        None => format!("syntaxe incorrecte ({m})"),
    }
}

/// `string "deux mille", expected i64` (serde's words) in French: what was written and what
/// the key takes.
fn type_inattendu(reste: &str) -> String {
    let (trouve, attendu) = reste.split_once(", expected").unwrap_or((reste, ""));
    let trouve = trouve.trim();
    let (genre, valeur) = trouve.split_once(' ').unwrap_or((trouve, ""));
    let genre = match genre {
        "string" => "texte",
        "boolean" => "booléen",
        "integer" => "nombre entier",
        "float" => "nombre décimal",
        "map" => "table",
        "sequence" => "liste",
        "datetime" => "date",
        autre => autre,
    };
    let attendu = attendu.trim();
    let attendu =
        if attendu.starts_with('i') || attendu.starts_with('u') || attendu.contains("integer") {
            "un nombre entier"
        } else if attendu.contains("bool") {
            "true ou false"
        } else if attendu.contains("string") {
            "un texte entre guillemets"
        } else if attendu.contains("sequence") || attendu.contains("array") {
            "une liste [ … ]"
        } else if attendu.contains("datetime") || attendu.contains("date") {
            "une date AAAA-MM-JJ"
        } else {
            "une valeur d'un autre type"
        };
    let valeur = valeur.trim_matches(['`', ' ']);
    if valeur.is_empty() {
        format!("type de valeur inattendu : {genre} là où il faut {attendu}")
    } else {
        format!("type de valeur inattendu : {genre} {valeur} là où il faut {attendu}")
    }
}

fn ligne_de(texte: &str, pos: usize) -> u64 {
    1 + texte.as_bytes()[..pos.min(texte.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
}

/// Parses convention.toml.
pub fn analyser_convention(
    fichier: &str,
    texte: &str,
    diags: &mut Diagnostics,
) -> Option<Convention> {
    let brute: ConventionBrute = match toml::from_str(texte) {
        Ok(b) => b,
        Err(e) => {
            let mut d = Diagnostic::erreur(
                Code::E021,
                fichier,
                format!("TOML invalide : {}", message_toml(e.message())),
            );
            if let Some(s) = e.span() {
                d = d.ligne(ligne_de(texte, s.start));
                let v = texte
                    .get(s.clone())
                    .unwrap_or("")
                    .trim()
                    .chars()
                    .take(60)
                    .collect::<String>();
                if !v.is_empty() {
                    d = d.valeur(v);
                }
            }
            diags.push(d.conseil("voir le README, section « Le dossier d’entrée »"));
            return None;
        }
    };
    let mut ok = cles_inconnues_convention(fichier, texte, diags);
    // line of a byte offset, by binary search (a linear count per key would be quadratic)
    let sauts: Vec<usize> = texte
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let ligne_de = |pos: usize| 1 + sauts.partition_point(|&p| p < pos) as u64;
    let mut manque = |cle: &str, diags: &mut Diagnostics| {
        ok = false;
        diags.push(
            Diagnostic::erreur(
                Code::E021,
                fichier,
                format!("clé obligatoire « {cle} » absente"),
            )
            .colonne(cle),
        );
    };
    let date = |d: &Option<Spanned<toml::value::Datetime>>,
                cle: &str,
                diags: &mut Diagnostics|
     -> Option<Date> {
        let s = d.as_ref()?;
        match s.get_ref().date {
            Some(x) if s.get_ref().time.is_none() => Some(Date::new(x.year as i32, x.month, x.day)),
            _ => {
                diags.push(
                    Diagnostic::erreur(
                        Code::E021,
                        fichier,
                        "une date sans heure est attendue (ex. 2024-07-01)",
                    )
                    .ligne(ligne_de(s.span().start))
                    .colonne(cle)
                    .valeur(s.get_ref().to_string()),
                );
                None
            }
        }
    };
    let debut = date(&brute.debut, "debut", diags);
    let fin = date(&brute.fin, "fin", diags);
    if brute.exercice.is_none() {
        manque("exercice", diags);
    }
    let mut collectivites = Vec::new();
    match &brute.collectivites {
        None => manque("collectivites", diags),
        Some(cs) => {
            if cs.get_ref().len() > COLLECTIVITES_MAX {
                diags.push(
                    Diagnostic::erreur(
                        Code::E023,
                        fichier,
                        format!(
                            "trop de collectivités : {} (maximum {COLLECTIVITES_MAX})",
                            cs.get_ref().len()
                        ),
                    )
                    .ligne(ligne_de(cs.span().start))
                    .colonne("collectivites")
                    .conseil(
                        "une convention territoriale couvre au plus les communes d'un département",
                    ),
                );
                return None;
            }
            // canonical form (texte::cle_id) → the id as first written
            let mut ids: HashMap<String, String> = HashMap::new();
            for (k, c) in cs.get_ref().iter().enumerate() {
                let ici = format!("collectivites[{}]", k + 1);
                let ligne_c =
                    || ligne_de(c.id.as_ref().map_or(cs.span().start, |s| s.span().start));
                let Some(id) =
                    c.id.as_ref()
                        .map(|s| s.get_ref().trim().to_string())
                        .filter(|s| !s.is_empty())
                else {
                    diags.push(
                        Diagnostic::erreur(Code::E021, fichier, "clé obligatoire « id » absente")
                            .ligne(ligne_c())
                            .colonne(format!("{ici}.id")),
                    );
                    ok = false;
                    continue;
                };
                if let Some(c) = texte::caractere_invisible(&id) {
                    diags.push(
                        Diagnostic::erreur(
                            Code::E053,
                            fichier,
                            format!(
                                "identifiant contenant un caractère invisible ou de contrôle (U+{:04X})",
                                c as u32
                            ),
                        )
                        .ligne(ligne_c())
                        .colonne(format!("{ici}.id"))
                        .valeur(texte::montrer_invisibles(&id))
                        .conseil("retapez l'identifiant : un caractère invisible le rendrait différent d'un identifiant d'apparence identique"),
                    );
                    ok = false;
                }
                match ids.get(&texte::cle_id(&id)) {
                    Some(premier) => {
                        let msg = if *premier == id {
                            "collectivité déclarée deux fois".to_string()
                        } else {
                            format!("collectivité déclarée deux fois : « {id} » et « {premier} » ne diffèrent que par la casse ou la forme Unicode")
                        };
                        diags.push(
                            Diagnostic::erreur(Code::E021, fichier, msg)
                                .ligne(ligne_c())
                                .colonne(format!("{ici}.id"))
                                .valeur(&id),
                        );
                        ok = false;
                    }
                    None => {
                        ids.insert(texte::cle_id(&id), id.clone());
                    }
                }
                let mut borne = |v: &Option<Spanned<i64>>,
                                 bornes: std::ops::RangeInclusive<i64>,
                                 code: Code,
                                 cle: &str,
                                 message: &str| {
                    let v = v.as_ref()?;
                    if bornes.contains(v.get_ref()) {
                        return Some(*v.get_ref());
                    }
                    diags.push(
                        Diagnostic::erreur(code, fichier, message)
                            .ligne(ligne_de(v.span().start))
                            .colonne(format!("{ici}.{cle}"))
                            .valeur(v.get_ref().to_string()),
                    );
                    ok = false;
                    None
                };
                let tranche = borne(
                    &c.tranche,
                    1..=1000,
                    Code::E020,
                    "tranche",
                    "tranche invalide (entier ≥ 1 attendu)",
                )
                .map(|t| t as u32);
                let population = borne(
                    &c.population,
                    0..=1_000_000_000,
                    Code::E100,
                    "population",
                    "population invalide (entier de 0 à 1 000 000 000 attendu)",
                )
                .map(|p| p as u64);
                collectivites.push(Collectivite {
                    population,
                    nom: c
                        .nom
                        .as_ref()
                        .map(|s| s.get_ref().clone())
                        .unwrap_or_else(|| id.clone()),
                    id,
                    tranche,
                    signataire: c.signataire.as_ref().is_none_or(|s| *s.get_ref()),
                });
            }
        }
    }
    let exercice = brute.exercice.as_ref().map(|e| *e.get_ref()).unwrap_or(0);
    if let Some(e) = &brute.exercice {
        if !(1900..=2200).contains(e.get_ref()) {
            diags.push(
                Diagnostic::erreur(Code::E019, fichier, "exercice invalide")
                    .ligne(ligne_de(e.span().start))
                    .colonne("exercice")
                    .valeur(e.get_ref().to_string())
                    .conseil("une année entre 1900 et 2200, par exemple exercice = 2025"),
            );
            ok = false;
        }
    }
    if brute.debut.is_some() && debut.is_none() || brute.fin.is_some() && fin.is_none() {
        return None;
    }
    if let (Some(debut), Some(fin)) = (debut, fin) {
        if fin < debut {
            diags.push(
                Diagnostic::erreur(
                    Code::E021,
                    fichier,
                    format!("la fin de convention ({fin}) précède son début ({debut})"),
                )
                .ligne(ligne_de(brute.fin.as_ref().map_or(0, |s| s.span().start)))
                .colonne("fin")
                .valeur(fin.to_string()),
            );
            ok = false;
        }
    }
    if !ok {
        return None;
    }
    Some(Convention {
        nom: brute.nom.map(|s| s.into_inner()).unwrap_or_default(),
        caf: brute.caf.map(|s| s.into_inner()).unwrap_or_default(),
        debut,
        fin,
        exercice: exercice as i32,
        collectivites,
    })
}

/// Writes every `collectivite` of the tables as convention.toml spells it when it names a
/// declared collectivité up to case and Unicode form ([`texte::cle_id`]): one collectivité,
/// one canonical id, wherever it is compared later (validation, calculation, reports).
pub fn rattacher_collectivites(
    convention: &Convention,
    structures: &mut [Structure],
    charges: &mut [ChargeAPayer],
) {
    let declarees: HashMap<String, &str> = convention
        .collectivites
        .iter()
        .rev() // the first one wins, as Convention::collectivite
        .map(|c| (texte::cle_id(&c.id), c.id.as_str()))
        .collect();
    let exacts: std::collections::HashSet<&str> = convention
        .collectivites
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    let rattacher = |c: &mut String| {
        if exacts.contains(c.as_str()) {
            return; // already as declared (nearly every line)
        }
        if let Some(id) = declarees.get(&texte::cle_id(c)) {
            if c != id {
                *c = id.to_string();
            }
        }
    };
    structures
        .iter_mut()
        .for_each(|s| rattacher(&mut s.collectivite));
    charges
        .iter_mut()
        .for_each(|c| rattacher(&mut c.collectivite));
}

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

fn decoder_texte(o: &[u8], nom: &str, enc: Encodage, diags: &mut Diagnostics) -> Option<String> {
    match texte::decoder(o, enc) {
        Ok(d) => {
            if d.repli_windows1252 {
                diags.push(
                    Diagnostic::avertissement(
                        Code::W004,
                        nom,
                        "octets non UTF-8 : fichier lu en Windows-1252",
                    )
                    .conseil("enregistrez en « CSV UTF-8 » ou passez --encodage windows-1252"),
                );
            }
            Some(d.texte)
        }
        Err(m) => {
            diags.push(
                Diagnostic::erreur(Code::E003, nom, format!("encodage illisible : {m}")).conseil(
                    if nom.ends_with(".toml") {
                        "enregistrez le fichier en UTF-8"
                    } else {
                        "enregistrez le fichier en « CSV UTF-8 », ou essayez --encodage windows-1252"
                    },
                ),
            );
            None
        }
    }
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
    Csv(String),
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
        return lire_texte(&p_csv, &csv, opts.encodage, diags).map(Trouve::Csv);
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
    if dossier.is_file() {
        return lire_classeur(dossier, opts, diags);
    }
    if dossier.is_dir()
        && !dossier.join("convention.toml").exists()
        && dossier.join("dossier.xlsx").is_file()
    {
        return lire_classeur(&dossier.join("dossier.xlsx"), opts, diags);
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
        Trouve::Csv(texte) => Source {
            fichier: nom_csv,
            contenu: Contenu::Csv(texte),
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
mod tests_limites {
    use super::*;

    #[test]
    fn type_toml_en_francais() {
        assert_eq!(
            message_toml("invalid type: string \"deux mille\", expected i64"),
            "type de valeur inattendu : texte \"deux mille\" là où il faut un nombre entier"
        );
        assert_eq!(
            message_toml("invalid type: integer `3`, expected a boolean"),
            "type de valeur inattendu : nombre entier 3 là où il faut true ou false"
        );
    }

    fn entrees<'a>(convention: &'a str, bareme: Option<(&'a str, &'a str)>) -> Entrees<'a> {
        Entrees {
            convention,
            structures: Source {
                fichier: "structures.csv",
                contenu: Contenu::Csv("id;annexe;type;nom;gestionnaire;collectivite;financement\n"),
            },
            charges: Source {
                fichier: "charges_n1.csv",
                contenu: Contenu::Csv("collectivite;volet;montant\n"),
            },
            bareme,
        }
    }

    #[test]
    fn trop_de_collectivites() {
        let mut c = String::from("exercice = 2025\n");
        for i in 0..=COLLECTIVITES_MAX {
            c.push_str(&format!("[[collectivites]]\nid = \"C{i}\"\n"));
        }
        let mut d = Diagnostics::default();
        assert!(analyser_entrees(&entrees(&c, None), &mut d).is_none());
        assert_eq!(
            d.0[0].to_string(),
            "erreur E023 : convention.toml, ligne 2, colonne « collectivites » : trop de collectivités : 2001 (maximum 2000) (conseil : une convention territoriale couvre au plus les communes d'un département)"
        );
    }

    #[test]
    fn trop_de_volets() {
        let c = "exercice = 2025\n[[collectivites]]\nid = \"A\"\n";
        let mut b = String::new();
        for i in 0..=VOLETS_MAX {
            b.push_str(&format!(
                "[volets.LOCAL{i}]\ntypes = [\"AUTRE\"]\nunite = \"structure\"\n"
            ));
        }
        let mut d = Diagnostics::default();
        assert!(analyser_entrees(&entrees(c, Some(("bareme.toml", &b))), &mut d).is_none());
        let e = d.erreurs().next().unwrap();
        assert_eq!(e.code, Code::E023);
        assert!(
            e.message.starts_with("trop de volets dans le barème : "),
            "{e}"
        );
    }
}

#[cfg(test)]
mod tests_lecture_v2 {
    use super::*;

    /// An alias column placed last in a workbook is read (the sheet is not cut before it).
    #[test]
    fn alias_en_derniere_colonne_d_un_classeur() {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.set_name("structures").unwrap();
        let entete = [
            "id",
            "annexe",
            "type",
            "nom",
            "gestionnaire",
            "collectivite",
            "financement",
            "Contribution collectivité N-1",
        ];
        let ligne = ["A", "2", "EAJE", "n", "g", "V", "PSU", "1234,5"];
        for (c, (h, v)) in entete.iter().zip(ligne).enumerate() {
            ws.write_string(0, c as u16, *h).unwrap();
            ws.write_string(1, c as u16, v).unwrap();
        }
        let o = wb.save_to_buffer().unwrap();
        let mut d = Diagnostics::default();
        let src = Source {
            fichier: "structures.xlsx",
            contenu: Contenu::Xlsx(
                &o,
                xlsx::Feuille {
                    noms: FEUILLE_STRUCTURES,
                    premiere_sinon: true,
                },
            ),
        };
        let (s, _) = lire_structures(src, &mut d);
        assert!(d.0.is_empty(), "{:?}", d.0);
        // 1 234,50 € = 123 450 cents
        assert_eq!(s[0].contribution_collectivite_n1, Montant(123_450));
    }

    /// A collectivité written with another case or Unicode form in the tables is the
    /// convention's, spelt as the convention spells it.
    #[test]
    fn collectivites_rattachees_a_la_convention() {
        let f = Fichiers {
            convention: "exercice = 2025\n[[collectivites]]\nid = \"Ézy\"\n".into(),
            // « E » + combining acute, lower case
            structures: "id;annexe;type;nom;gestionnaire;collectivite;financement\nA;2;EAJE;n;g;e\u{301}zy;PSU\n".into(),
            charges: "collectivite;volet;montant\nÉZY;EAJE;10\n".into(),
            bareme: None,
        };
        let mut d = Diagnostics::default();
        let lu = analyser_dossier(&f, &mut d).unwrap();
        assert_eq!(lu.dossier.structures[0].collectivite, "Ézy");
        assert_eq!(lu.dossier.charges[0].collectivite, "Ézy");
    }

    #[test]
    fn cle_la_plus_proche_nommee() {
        assert_eq!(
            cle_la_plus_proche("signatair", CLES_COLLECTIVITE),
            Some("signataire")
        );
        assert_eq!(
            cle_la_plus_proche("tranch", CLES_COLLECTIVITE),
            Some("tranche")
        );
        assert_eq!(cle_la_plus_proche("x", &[]), None);
    }
}
