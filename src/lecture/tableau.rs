//! Generic CSV table reading: delimiter detected from the header, header names matched
//! case- and accent-insensitively, every record kept with its line number.

use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::champs::{probleme_guillemet, Lecteur};
use super::entete::decouper_entete;
pub(crate) use super::entete::verifier_entete;
pub use super::entete::{
    apparier_entete, colonne_de, colonne_ressemblante, ALIAS, COLONNES_TEXTE_LIBRE,
    LIBELLES_PROCHES,
};
use super::texte;

/// FNV-1a: column names are short and few; hashed for every cell read, where SipHash showed
/// in profiles (no untrusted-key flooding concern: a header has a handful of names).
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, octets: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in octets {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub type Index = HashMap<String, usize, BuildHasherDefault<Fnv>>;

/// At most this many data lines per table (R50).
pub const LIGNES_MAX: usize = 1_000_000;

/// Normalises a header name: Unicode compatibility forms folded (NFKD: a full-width
/// `ｂｏｎｕｓ` is `bonus`, a no-break space a space), accents removed (precomposed or
/// written as a combining mark), ASCII lower case, spaces, dashes and apostrophes as `_`.
pub fn normaliser_nom(s: &str) -> String {
    use unicode_normalization::{char::is_combining_mark, UnicodeNormalization};
    let s = s.trim().trim_start_matches('\u{feff}').trim();
    let separateur = |c: char| match c {
        ' ' | '-' | '\'' | '’' | '\u{2010}'..='\u{2015}' | '\u{2212}' => '_',
        c => c.to_ascii_lowercase(),
    };
    // ASCII is its own NFKD form, without combining marks: the usual header, read once per
    // candidate delimiter of every file, skips the normaliser
    if s.is_ascii() {
        return s.chars().map(separateur).collect();
    }
    s.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .map(separateur)
        .collect()
}

/// A CSV file (or a sheet of an `.xlsx` workbook) read into records, with the position of
/// each one.
pub struct Tableau {
    pub fichier: String,
    pub delimiteur: u8,
    /// The sheet's name when the table comes from a workbook: cells are then located as
    /// `feuille!F12` (the record's line number is the spreadsheet row).
    pub feuille: Option<String>,
    colonnes: Index,
    /// (line number in the file, fields), every record with the same number of fields
    pub lignes: Lignes,
}

/// The records of a table, stored flat (one text, the end of each field, the line of each
/// record): a record costs its text, 4 bytes per field and 8 for its line, whatever the
/// number of fields, so that memory stays a small multiple of the file's size.
#[derive(Debug, Clone, Default)]
pub struct Lignes {
    texte: String,
    fins: Vec<u32>,
    nos: Vec<u64>,
    largeur: usize,
}

/// One record of [`Lignes`] (cheap to copy).
#[derive(Clone, Copy)]
pub struct Enregistrement<'a> {
    lignes: &'a Lignes,
    k: usize,
}

impl<'a> Enregistrement<'a> {
    /// Field `i`, as read (not trimmed).
    #[inline]
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let l = self.lignes;
        if i >= l.largeur {
            return None;
        }
        let j = self.k * l.largeur + i;
        let debut = if j == 0 { 0 } else { l.fins[j - 1] as usize };
        l.texte.get(debut..l.fins[j] as usize)
    }
    pub fn len(&self) -> usize {
        self.lignes.largeur
    }
    pub fn is_empty(&self) -> bool {
        self.lignes.largeur == 0
    }
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let e = *self;
        (0..e.len()).filter_map(move |i| e.get(i))
    }
}

impl std::fmt::Debug for Enregistrement<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Lignes {
    pub(crate) fn new(largeur: usize) -> Self {
        Lignes {
            largeur,
            ..Default::default()
        }
    }
    pub fn len(&self) -> usize {
        self.nos.len()
    }
    pub fn is_empty(&self) -> bool {
        self.nos.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&u64, Enregistrement<'_>)> {
        self.nos
            .iter()
            .enumerate()
            .map(move |(k, no)| (no, Enregistrement { lignes: self, k }))
    }
    /// Appends one field of the record being written; `false` if the text outgrows the
    /// 4 GB the offsets can address (the caller refuses the table).
    pub(crate) fn champ(&mut self, t: &str) -> bool {
        if self.texte.len() + t.len() > u32::MAX as usize {
            return false;
        }
        self.texte.push_str(t);
        self.fins.push(self.texte.len() as u32);
        true
    }
    /// Ends the record being written at line `no` (its fields were pushed with `champ`).
    pub(crate) fn fin(&mut self, no: u64) {
        self.nos.push(no);
    }
    /// Drops the fields pushed since the last complete record.
    fn annuler(&mut self) {
        let n = self.nos.len() * self.largeur;
        let t = if n == 0 { 0 } else { self.fins[n - 1] as usize };
        self.fins.truncate(n);
        self.texte.truncate(t);
    }
}

impl<'a> IntoIterator for &'a Lignes {
    type Item = (&'a u64, Enregistrement<'a>);
    type IntoIter = Box<dyn Iterator<Item = (&'a u64, Enregistrement<'a>)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl PartialEq<Vec<(u64, Vec<String>)>> for Lignes {
    fn eq(&self, autre: &Vec<(u64, Vec<String>)>) -> bool {
        self.len() == autre.len()
            && self.iter().zip(autre).all(|((no, e), (n2, c))| {
                no == n2 && e.len() == c.len() && e.iter().zip(c).all(|(a, b)| a == b)
            })
    }
}

/// Where a table was read from: enough to locate a later (cross-file) diagnostic given its
/// line and column name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Localisation {
    pub fichier: String,
    pub feuille: Option<String>,
    colonnes: Index,
}

impl Localisation {
    /// How a message names the table read: the CSV file as given, or the workbook and its
    /// sheet (`dugny.xlsx, feuille « structures »`).
    pub fn nom(&self) -> String {
        match &self.feuille {
            Some(f) => format!("{}, feuille « {f} »", self.fichier),
            None => self.fichier.clone(),
        }
    }
    /// A CSV file, located by line only.
    pub fn csv(fichier: &str) -> Self {
        Localisation {
            fichier: fichier.to_string(),
            ..Default::default()
        }
    }
    /// The cell reference (`structures!F12`) of column `nom` on spreadsheet row `ligne`.
    pub fn cellule(&self, ligne: u64, nom: &str) -> Option<String> {
        let f = self.feuille.as_deref()?;
        let i = *self.colonnes.get(nom)?;
        Some(reference_cellule(f, i, ligne))
    }
}

/// Spreadsheet column letters of a 0-based index: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn lettres_colonne(mut i: usize) -> String {
    let mut r = Vec::new();
    loop {
        r.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    r.reverse();
    String::from_utf8(r).unwrap_or_default()
}

/// `feuille!F12`, the sheet name quoted as Excel does when it is not a plain word.
pub fn reference_cellule(feuille: &str, colonne: usize, ligne: u64) -> String {
    let simple = !feuille.is_empty() && feuille.chars().all(|c| c.is_alphanumeric() || c == '_');
    let f = if simple {
        feuille.to_string()
    } else {
        format!("'{}'", feuille.replace('\'', "''"))
    };
    format!("{f}!{}{ligne}", lettres_colonne(colonne))
}

/// `feuille!3:3`, a whole row (for a header problem).
pub fn reference_ligne(feuille: &str, ligne: u64) -> String {
    let c = reference_cellule(feuille, 0, ligne);
    let f = &c[..c.rfind('!').unwrap_or(0)];
    format!("{f}!{ligne}:{ligne}")
}

impl Tableau {
    /// A table read from a workbook's sheet, its rows already stored flat.
    pub(crate) fn depuis_lignes(
        fichier: &str,
        feuille: &str,
        colonnes: Index,
        lignes: Lignes,
    ) -> Tableau {
        Tableau {
            fichier: fichier.to_string(),
            delimiteur: 0,
            feuille: Some(feuille.to_string()),
            colonnes,
            lignes,
        }
    }
    /// Where this table comes from, to locate later diagnostics.
    pub fn localisation(&self) -> Localisation {
        Localisation {
            fichier: self.fichier.clone(),
            feuille: self.feuille.clone(),
            colonnes: self.colonnes.clone(),
        }
    }
    /// The cell reference of column `nom` on line `ligne`, for a workbook's table.
    pub fn cellule(&self, ligne: u64, nom: &str) -> Option<String> {
        let f = self.feuille.as_deref()?;
        let i = *self.colonnes.get(nom)?;
        Some(reference_cellule(f, i, ligne))
    }
    /// The position of column `nom` in the records, if the table has it.
    pub fn indice(&self, nom: &str) -> Option<usize> {
        self.colonnes.get(nom).copied()
    }
    /// The trimmed value of column `nom` on a record; `None` if the column is absent or the
    /// cell empty.
    pub fn champ<'a>(&self, enr: Enregistrement<'a>, nom: &str) -> Option<&'a str> {
        let i = *self.colonnes.get(nom)?;
        enr.get(i).map(texte::rogner).filter(|s| !s.is_empty())
    }
}

/// Reads a CSV text. `connues` are the column names of the format (to detect the delimiter),
/// `requises` the mandatory ones. Errors go to `diags`; `None` if the table is unusable.
pub fn lire(
    fichier: &str,
    texte: &str,
    connues: &[&str],
    requises: &[&str],
    diags: &mut Diagnostics,
) -> Option<Tableau> {
    lire_max(fichier, texte, connues, requises, diags, LIGNES_MAX)
}

/// [`lire`] with the line limit as a parameter (tested with a small one).
fn lire_max(
    fichier: &str,
    texte: &str,
    connues: &[&str],
    requises: &[&str],
    diags: &mut Diagnostics,
    max_lignes: usize,
) -> Option<Tableau> {
    let texte = fins_de_ligne_mac(texte);
    let (debut, reste) = couper_avant_entete(fichier, &texte, requises, diags)?;
    let (delimiteur, noms) = delimiteur_et_noms(fichier, reste, debut, connues, diags)?;
    let ligne_entete = debut as u64 + 1;
    let forme = Forme {
        fichier,
        reste,
        delimiteur,
        // the header's number of fields: every record must have it
        largeur: noms.len(),
        texte_libre: noms
            .iter()
            .map(|n| colonne_de(n, connues).is_some_and(|c| COLONNES_TEXTE_LIBRE.contains(&c)))
            .collect(),
        noms: &noms,
    };
    let mut lecteur = Lecteur::new(reste.as_bytes(), delimiteur, ligne_entete);
    if entete_multiligne(&mut lecteur) {
        diags.push(
            Diagnostic::erreur(
                Code::E052,
                fichier,
                "guillemet ouvert dans l'en-tête : la cellule s'étend sur plusieurs lignes et absorberait les premières lignes de données",
            )
            .ligne(ligne_entete)
            .conseil("retirez le guillemet en trop de l'en-tête"),
        );
        return None;
    }
    let colonnes = apparier_entete(fichier, ligne_entete, None, &noms, connues, requises, diags);
    let mut lignes = Lignes::new(forme.largeur);
    // the fields kept are at most the text after the header: one allocation instead of a
    // doubling (and copying) buffer; pages never written are never resident
    lignes.texte.reserve(reste.len());
    let ok = lire_enregistrements(&forme, &mut lecteur, &mut lignes, max_lignes, diags)?;
    // (also said beside a missing column: the cleared name may be the missing one's)
    let nommees = ok && valeurs_sous_entete(&forme, &lignes, ligne_entete, diags);
    let colonnes = match colonnes {
        Some(c) if nommees => c,
        _ => return None,
    };
    Some(Tableau {
        fichier: fichier.to_string(),
        delimiteur,
        feuille: None,
        colonnes,
        lignes,
    })
}

/// What the records of a CSV text are read against.
struct Forme<'a> {
    fichier: &'a str,
    /// The text from the header on.
    reste: &'a str,
    delimiteur: u8,
    noms: &'a [String],
    /// Number of fields of the header.
    largeur: usize,
    /// For each column: does it hold free text (a name, an address), where a quoted value
    /// may span lines?
    texte_libre: Vec<bool>,
}

/// A record read: its number of fields, whether it is blank, whether a misplaced quote was
/// reported.
struct Lu {
    n: usize,
    vide: bool,
    erreur_guillemet: bool,
}

/// Reads the records after the header into `lignes`: `Some(true)` when all are good,
/// `Some(false)` when some were refused (reported), `None` when the file is too big to go on.
fn lire_enregistrements(
    forme: &Forme,
    lecteur: &mut Lecteur,
    lignes: &mut Lignes,
    max_lignes: usize,
    diags: &mut Diagnostics,
) -> Option<bool> {
    let mut ok = true;
    loop {
        lecteur.sauter_lignes_vides();
        if lecteur.fini() {
            break;
        }
        let ligne = lecteur.ligne;
        let lu = lire_enregistrement(forme, lecteur, lignes, diags)?;
        if lu.vide {
            lignes.annuler();
            continue; // empty line (or only delimiters, as Excel writes them)
        }
        if lu.erreur_guillemet {
            ok = false;
            lignes.annuler();
            continue;
        }
        if lu.n != forme.largeur {
            diags.push(largeur_fausse(forme.fichier, ligne, lu.n, forme.largeur));
            ok = false;
            lignes.annuler();
            continue;
        }
        if lignes.len() >= max_lignes {
            diags.push(
                Diagnostic::erreur(
                    Code::E023,
                    forme.fichier,
                    format!(
                        "trop de lignes : plus de {} lignes de données",
                        groupe(max_lignes)
                    ),
                )
                .ligne(ligne)
                .conseil("un dossier décrit une seule convention : découpez le fichier"),
            );
            ok = false;
            break;
        }
        lignes.fin(ligne);
    }
    Some(ok)
}

fn trop_gros(fichier: &str, ligne: u64) -> Diagnostic {
    Diagnostic::erreur(Code::E023, fichier, "fichier trop gros pour être lu").ligne(ligne)
}

/// E051: a record of `n` fields under a header of `largeur`.
fn largeur_fausse(fichier: &str, ligne: u64, n: usize, largeur: usize) -> Diagnostic {
    Diagnostic::erreur(
        Code::E051,
        fichier,
        format!(
            "ligne de {} champ{} alors que l'en-tête en a {largeur} : {}",
            groupe(n),
            if n > 1 { "s" } else { "" },
            if n < largeur {
                "champs manquants"
            } else {
                "champs en trop"
            }
        ),
    )
    .ligne(ligne)
    .conseil(if n < largeur {
        "un séparateur manque, ou la ligne a été coupée : chaque ligne a autant de champs que l'en-tête (les cellules vides comprises)"
    } else {
        "un séparateur est en trop (une virgule dans un nom ? mettez-le entre guillemets) : chaque ligne a autant de champs que l'en-tête"
    })
}

/// Reads one record's fields into `lignes`. `None` (E023 reported) when the table is too big.
fn lire_enregistrement(
    forme: &Forme,
    lecteur: &mut Lecteur,
    lignes: &mut Lignes,
    diags: &mut Diagnostics,
) -> Option<Lu> {
    let ligne = lecteur.ligne;
    // a record on one line whose quotes, if any, only wrap whole fields: its fields read in
    // place, exactly what the csv reader gives; any other record (a quote inside a field, a
    // field over several lines) goes to the reader
    let fin = lecteur.fin_de_ligne();
    let texte = forme.reste.get(lecteur.pos..fin).unwrap_or("");
    match champs_en_place(forme, texte, lignes) {
        EnPlace::Lu(lu) => {
            lecteur.pos = fin; // no line break inside
            Some(lu)
        }
        EnPlace::TropGros => {
            diags.push(trop_gros(forme.fichier, ligne));
            None
        }
        EnPlace::AuLecteur => {
            lignes.annuler();
            champs_du_lecteur(forme, lecteur, lignes, diags)
        }
    }
}

/// Reads a record with the reader (quotes inside fields, fields over several lines),
/// reporting the first misplaced quote.
fn champs_du_lecteur(
    forme: &Forme,
    lecteur: &mut Lecteur,
    lignes: &mut Lignes,
    diags: &mut Diagnostics,
) -> Option<Lu> {
    let ligne = lecteur.ligne;
    let (mut n, mut vide, mut erreur_guillemet) = (0usize, true, false);
    while let Some(c) = lecteur.champ(n < forme.largeur) {
        let texte = lecteur.texte_champ(&c);
        if c.rempli && (c.longueur == 0 || !texte::blanc(texte)) {
            vide = false;
        }
        if (c.multiligne || c.apres_guillemet) && !erreur_guillemet {
            if let Some(d) = probleme_guillemet(
                forme.fichier,
                &c,
                texte,
                forme.noms,
                &forme.texte_libre,
                n,
                forme.delimiteur,
            ) {
                diags.push(d);
                erreur_guillemet = true;
            }
        }
        if n < forme.largeur && !lignes.champ(texte) {
            diags.push(trop_gros(forme.fichier, ligne));
            return None;
        }
        n += 1;
        if c.fin_enregistrement {
            break;
        }
    }
    Some(Lu {
        n,
        vide,
        erreur_guillemet,
    })
}

/// `1000000` → `1 000 000` (for messages).
pub(crate) fn groupe(n: usize) -> String {
    crate::rapport::groupe_fr(&n.to_string()).replace('\u{202f}', " ")
}

mod debut;
use debut::{
    couper_avant_entete, delimiteur_et_noms, entete_multiligne, fins_de_ligne_mac,
    valeurs_sous_entete,
};
mod en_place;
#[cfg(test)]
use en_place::premier;
use en_place::{champs_en_place, EnPlace};

#[cfg(test)]
mod tests;
