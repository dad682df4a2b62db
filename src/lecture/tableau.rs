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

/// Normalises a header name: lower case, accents removed, spaces and dashes as `_`.
pub fn normaliser_nom(s: &str) -> String {
    let mut r = String::with_capacity(s.len());
    for c in s.trim().trim_start_matches('\u{feff}').chars() {
        let c = match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' | 'Ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'î' | 'ï' | 'Î' | 'Ï' => 'i',
            'ô' | 'ö' | 'Ô' | 'Ö' => 'o',
            'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => 'u',
            'ç' | 'Ç' => 'c',
            ' ' | '-' | '\u{a0}' | '\'' | '’' => '_',
            c => c.to_ascii_lowercase(),
        };
        r.push(c);
    }
    r
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
        enr.get(i).map(|s| s.trim()).filter(|s| !s.is_empty())
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
    // Excel for Mac's « CSV (Macintosh) » ends lines with a lone CR
    let texte: Cow<str> = if !texte.contains('\n') && texte.contains('\r') {
        Cow::Owned(texte.replace('\r', "\n"))
    } else {
        Cow::Borrowed(texte)
    };
    // first non-empty line = header
    let debut_entete = texte.lines().position(|l| !l.trim().is_empty());
    let Some(debut) = debut_entete else {
        diags.push(
            Diagnostic::erreur(Code::E005, fichier, "fichier vide : aucune ligne d'en-tête")
                .conseil(format!(
                    "la première ligne doit nommer les colonnes : {}",
                    requises.join(", ")
                )),
        );
        return None;
    };
    let reste: &str = {
        // keep byte offsets simple: cut the text at the header line
        let mut off = 0;
        for (i, l) in texte.split_inclusive('\n').enumerate() {
            if i == debut {
                break;
            }
            off += l.len();
        }
        &texte[off..]
    };
    let mut meilleur: Option<(usize, u8, Vec<String>)> = None;
    for d in [b';', b',', b'\t'] {
        let noms = decouper_entete(reste, d);
        let n = noms
            .iter()
            .filter(|n| colonne_de(n, connues).is_some())
            .count();
        if n > 0 && meilleur.as_ref().is_none_or(|(m, _, _)| n > *m) {
            meilleur = Some((n, d, noms));
        }
    }
    let Some((_, delimiteur, noms)) = meilleur else {
        let premiere = reste
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(120)
            .collect::<String>();
        diags.push(
            Diagnostic::erreur(Code::E005, fichier, "en-tête non reconnu : aucune colonne attendue trouvée (séparateurs essayés : « ; », « , », tabulation)")
                .ligne(debut as u64 + 1)
                .valeur(premiere)
                .conseil(format!("colonnes attendues : {}", connues.join(", "))),
        );
        return None;
    };
    let ligne_entete = debut as u64 + 1;
    // the header's number of fields: every record must have it
    let largeur = noms.len();
    let texte_libre: Vec<bool> = noms
        .iter()
        .map(|n| colonne_de(n, connues).is_some_and(|c| COLONNES_TEXTE_LIBRE.contains(&c)))
        .collect();
    let mut lecteur = Lecteur::new(reste.as_bytes(), delimiteur, ligne_entete);
    let mut lignes = Lignes::new(largeur);
    // the header record (as decouper_entete read it): a quoted name spanning lines would
    // swallow the first records
    let mut multiligne = false;
    while let Some(c) = lecteur.champ(true) {
        multiligne |= c.multiligne;
        if c.fin_enregistrement {
            break;
        }
    }
    if multiligne {
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
    let mut ok = colonnes.is_some();
    loop {
        lecteur.sauter_lignes_vides();
        if lecteur.fini() {
            break;
        }
        let ligne = lecteur.ligne;
        let mut n = 0usize; // fields read
        let mut vide = true;
        let mut erreur_guillemet = false;
        // a record on one line whose quotes, if any, only wrap whole fields: its fields
        // read in place, exactly what the csv reader gives; any other record (a quote
        // inside a field, a field over several lines) goes to the reader
        let fin = lecteur.fin_de_ligne();
        let mut trop_gros = false;
        let simple = champs_simples(
            reste.get(lecteur.pos..fin).unwrap_or(""),
            delimiteur,
            |texte| {
                // as for a field of the reader: kept fields count when not blank, the others
                // when they hold anything but ASCII whitespace
                if if n < largeur {
                    !texte.trim().is_empty()
                } else {
                    texte.bytes().any(|b| !b.is_ascii_whitespace())
                } {
                    vide = false;
                }
                if n < largeur && !lignes.champ(texte) {
                    trop_gros = true;
                    return false;
                }
                n += 1;
                true
            },
        );
        if trop_gros {
            diags.push(
                Diagnostic::erreur(Code::E023, fichier, "fichier trop gros pour être lu")
                    .ligne(ligne),
            );
            return None;
        }
        if simple {
            lecteur.pos = fin; // no line break inside
        } else {
            lignes.annuler();
            (n, vide) = (0, true);
            while let Some(c) = lecteur.champ(n < largeur) {
                let texte = lecteur.texte_champ(&c);
                if c.rempli && (c.longueur == 0 || !texte.trim().is_empty()) {
                    vide = false;
                }
                if (c.multiligne || c.apres_guillemet) && !erreur_guillemet {
                    if let Some(d) =
                        probleme_guillemet(fichier, &c, texte, &noms, &texte_libre, n, delimiteur)
                    {
                        diags.push(d);
                        erreur_guillemet = true;
                    }
                }
                if n < largeur && !lignes.champ(texte) {
                    diags.push(
                        Diagnostic::erreur(Code::E023, fichier, "fichier trop gros pour être lu")
                            .ligne(ligne),
                    );
                    return None;
                }
                n += 1;
                if c.fin_enregistrement {
                    break;
                }
            }
        }
        if vide {
            lignes.annuler();
            continue; // empty line (or only delimiters, as Excel writes them)
        }
        if erreur_guillemet {
            ok = false;
            lignes.annuler();
            continue;
        }
        if n != largeur {
            diags.push(
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
                }),
            );
            ok = false;
            lignes.annuler();
            continue;
        }
        if lignes.len() >= max_lignes {
            diags.push(
                Diagnostic::erreur(
                    Code::E023,
                    fichier,
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
    let colonnes = match colonnes {
        Some(c) if ok => c,
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

/// Splits a one-line record whose quotes, if any, only wrap whole fields (`"a, b"` between
/// two delimiters, no quote inside) into the fields the csv reader would give, handing
/// each to `champ` (which returns `false` to stop). `false` for any other record (some
/// fields may have been handed: the caller drops them and reads the record with the
/// reader).
fn champs_simples(ligne: &str, d: u8, mut champ: impl FnMut(&str) -> bool) -> bool {
    let o = ligne.as_bytes();
    let mut i = 0;
    loop {
        if o.get(i) == Some(&b'"') {
            let Some(k) = memchr::memchr(b'"', &o[i + 1..]) else {
                return false; // closed on a later line, or never
            };
            let fin = i + 1 + k;
            let Some(texte) = ligne.get(i + 1..fin) else {
                return false;
            };
            match o.get(fin + 1) {
                None => return champ(texte),
                Some(&b) if b == d => {
                    if !champ(texte) {
                        return false;
                    }
                    i = fin + 2;
                    continue;
                }
                // text after the closing quote, or a doubled quote
                Some(_) => return false,
            }
        }
        let reste = &o[i.min(o.len())..];
        let k = memchr::memchr(d, reste).unwrap_or(reste.len());
        if memchr::memchr(b'"', &reste[..k]).is_some() {
            return false;
        }
        let Some(texte) = ligne.get(i..i + k) else {
            return false;
        };
        if !champ(texte) {
            return false;
        }
        if i + k >= o.len() {
            return true;
        }
        i += k + 1;
    }
}

/// `1000000` → `1 000 000` (for messages).
pub(crate) fn groupe(n: usize) -> String {
    crate::rapport::groupe_fr(&n.to_string()).replace('\u{202f}', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noms_normalises() {
        assert_eq!(normaliser_nom(" Unités existantes "), "unites_existantes");
        assert_eq!(normaliser_nom("\u{feff}ID"), "id");
        assert_eq!(normaliser_nom("Collectivité"), "collectivite");
    }

    #[test]
    fn delimiteur_et_lignes() {
        let mut d = Diagnostics::default();
        let t = "\n\nid,montant\n\"a,b\",\"1,5\"\n\n,\nc,2\n";
        let tab = lire("f.csv", t, &["id", "montant"], &["id"], &mut d).unwrap();
        assert_eq!(tab.delimiteur, b',');
        assert_eq!(tab.lignes.len(), 2);
        let l: Vec<_> = tab.lignes.iter().collect();
        assert_eq!(*l[0].0, 4); // header on line 3
        assert_eq!(tab.champ(l[0].1, "id"), Some("a,b"));
        assert_eq!(tab.champ(l[0].1, "montant"), Some("1,5"));
        assert_eq!(*l[1].0, 7);
        let tab = lire(
            "f.csv",
            "id;montant\r\nx;1,5\r\n",
            &["id", "montant"],
            &["id"],
            &mut d,
        )
        .unwrap();
        assert_eq!(tab.delimiteur, b';');
        let l = tab.lignes.iter().next().unwrap();
        assert_eq!(tab.champ(l.1, "montant"), Some("1,5"));
        assert!(!d.a_des_erreurs());
    }

    #[test]
    fn entete_sans_guillemets_comme_le_lecteur_csv() {
        let par_csv = |t: &str, d: u8| -> Vec<String> {
            let mut r = csv::ReaderBuilder::new()
                .delimiter(d)
                .has_headers(false)
                .flexible(true)
                .from_reader(t.as_bytes());
            let mut rec = csv::StringRecord::new();
            match r.read_record(&mut rec) {
                Ok(true) => rec.iter().map(normaliser_nom).collect(),
                _ => Vec::new(),
            }
        };
        for t in [
            "id;annexe;Unités existantes\r\nx;2;3\r\n",
            "\u{feff}id,nom,\n1,2\n",
            "id\tnom\rsuite",
            "a;;b; c ;\n",
            "seul",
            "id;\"nom;x\";b\n",
        ] {
            for d in [b';', b',', b'\t'] {
                assert_eq!(decouper_entete(t, d), par_csv(t, d), "{t:?} {d}");
            }
        }
    }

    #[test]
    fn colonne_manquante() {
        let mut d = Diagnostics::default();
        assert!(lire(
            "f.csv",
            "id;autre\n1;2\n",
            &["id", "montant"],
            &["id", "montant"],
            &mut d
        )
        .is_none());
        assert_eq!(d.0[0].code, Code::W050);
        assert_eq!(d.0[1].code, Code::E004);
        assert_eq!(d.0[1].colonne.as_deref(), Some("montant"));
        let mut d = Diagnostics::default();
        assert!(lire("f.csv", "a;b\n", &["id"], &["id"], &mut d).is_none());
        assert_eq!(d.0[0].code, Code::E005);
    }
}

#[cfg(test)]
mod tests_crlf {
    use super::*;

    #[test]
    fn numeros_de_ligne_crlf_comme_lf() {
        for fin in ["\n", "\r\n"] {
            let t = format!("id;montant{fin}a;1{fin}{fin}b;2{fin}");
            let mut d = Diagnostics::default();
            let tab = lire("f.csv", &t, &["id", "montant"], &["id"], &mut d).unwrap();
            let lignes: Vec<u64> = tab.lignes.iter().map(|l| *l.0).collect();
            assert_eq!(lignes, vec![2, 4], "fin de ligne {fin:?}");
        }
    }

    /// `max` data lines are read (empty ones not counted); one more is refused with E023
    /// at that line. The real limit is 1 000 000.
    #[test]
    fn plafond_de_lignes() {
        assert_eq!(LIGNES_MAX, 1_000_000);
        let mut t = String::from("id\n");
        t.push_str(&"a\n\n".repeat(1000));
        let mut d = Diagnostics::default();
        let tab = lire_max("f.csv", &t, &["id"], &["id"], &mut d, 1000).unwrap();
        assert_eq!(tab.lignes.len(), 1000);
        assert!(d.0.is_empty());
        t.push_str("b\n");
        assert!(lire_max("f.csv", &t, &["id"], &["id"], &mut d, 1000).is_none());
        assert_eq!(d.0.len(), 1);
        assert_eq!(
            d.0[0].to_string(),
            "erreur E023 : f.csv, ligne 2002 : trop de lignes : plus de 1 000 lignes de données (conseil : un dossier décrit une seule convention : découpez le fichier)"
        );
    }
}

#[cfg(test)]
mod tests_v2 {
    use super::*;

    fn lire_t(t: &str) -> (Option<Tableau>, Vec<String>) {
        let mut d = Diagnostics::default();
        let tab = lire(
            "f.csv",
            t,
            &["id", "nom", "montant"],
            &["id", "montant"],
            &mut d,
        );
        (tab, d.0.iter().map(|x| x.to_string()).collect())
    }

    #[test]
    fn lignes_lues_en_place_comme_le_lecteur_csv() {
        // every combination of field writings over three columns (nom is free text: it may
        // span lines), both delimiters, LF and CRLF: the records read equal those of the
        // csv crate (records whose fields are all blank are skipped by the reader)
        let variantes = [
            "abc",
            "",
            "  ",
            "\"a,b\"",
            "\"a;b\"",
            "\"a\"\"b\"",
            "\"q\"",
            "\"\"",
            " x ",
            "é",
            "\"x\ny\"",
        ];
        for d in [',', ';'] {
            for fin in ["\n", "\r\n"] {
                let mut t = format!("id{d}nom{d}montant{fin}");
                let mut n = 0;
                for a in &variantes[..10] {
                    for b in &variantes {
                        for c in &variantes[..10] {
                            t.push_str(&format!("{a}{d}{b}{d}{c}{fin}"));
                            n += 1;
                        }
                    }
                }
                let mut attendu = Vec::new();
                let mut r = csv::ReaderBuilder::new()
                    .delimiter(d as u8)
                    .flexible(true)
                    .from_reader(t.as_bytes());
                for rec in r.records() {
                    let rec = rec.unwrap();
                    let champs: Vec<String> = rec.iter().map(str::to_string).collect();
                    if champs.iter().any(|c| !c.trim().is_empty()) {
                        attendu.push(champs);
                    }
                }
                assert!(attendu.len() > n / 2);
                let (tab, _) = lire_t(&t);
                let tab = tab.expect("table lue");
                let lu: Vec<Vec<String>> = tab
                    .lignes
                    .iter()
                    .map(|(_, e)| e.iter().map(str::to_string).collect())
                    .collect();
                assert_eq!(lu, attendu, "délimiteur {d:?}, fin {fin:?}");
            }
        }
    }

    #[test]
    fn texte_libre_sur_plusieurs_lignes_accepte() {
        let (tab, d) = lire_t("id;nom;montant\na;\"Crèche\nde la gare\";1\n\nb;x;2\n");
        assert!(d.is_empty(), "{d:?}");
        let tab = tab.unwrap();
        let l: Vec<_> = tab.lignes.iter().collect();
        assert_eq!(tab.champ(l[0].1, "nom"), Some("Crèche\nde la gare"));
        // the second record starts on line 5 (the quoted cell spans lines 2 and 3)
        assert_eq!(*l[1].0, 5);
    }

    #[test]
    fn lignes_vides_quel_que_soit_le_nombre_de_separateurs() {
        let (tab, d) = lire_t("id;nom;montant\n;;;;;;\n  ;\u{a0};\na;x;1\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(tab.unwrap().lignes.len(), 1);
    }

    #[test]
    fn refus_localises() {
        // a non-blank field beyond the header: not an empty line
        let (tab, d) = lire_t("id;nom;montant\n;;;x\n");
        assert!(tab.is_none());
        assert_eq!(d, ["erreur E051 : f.csv, ligne 2 : ligne de 4 champs alors que l'en-tête en a 3 : champs en trop (conseil : un séparateur est en trop (une virgule dans un nom ? mettez-le entre guillemets) : chaque ligne a autant de champs que l'en-tête)"]);
        // a quoted number spanning lines, reported where it opens
        let (_, d) = lire_t("id;nom;montant\na;x;\"1\nb;y;2\"\n");
        assert!(
            d[0].starts_with("erreur E052 : f.csv, ligne 2, colonne « montant »"),
            "{d:?}"
        );
        // text after a closing quote
        let (_, d) = lire_t("id;nom;montant\na;\"x\"y;1\n");
        assert!(d[0].starts_with("erreur E052 : f.csv, ligne 2, colonne « nom », valeur « xy » : texte après le guillemet fermant"), "{d:?}");
        // a quote never closed, reported at its line (not the last record's)
        let (_, d) = lire_t("id;nom;montant\na;x;1\nb;\"y;2\nc;z;3\n");
        assert!(d[0].starts_with("erreur E024 : f.csv, ligne 3 :"), "{d:?}");
        // a free-text cell holding a whole record's worth of delimiters
        let (_, d) = lire_t("id;nom;montant\na;\"x;1\nb;\"y;2\n");
        assert!(
            d[0].starts_with("erreur E052 : f.csv, ligne 2, colonne « nom »"),
            "{d:?}"
        );
    }

    #[test]
    fn entete_alias_et_ressemblances() {
        let c = ["id", "contribution_collectivite_n1", "unites_existantes"];
        let ok = |n: &str| colonne_de(n, &c);
        assert_eq!(
            ok("contribution_collectivite_n_1"),
            Some("contribution_collectivite_n1")
        );
        assert_eq!(ok("identifiant"), Some("id"));
        assert_eq!(ok("bonus_n_1"), None); // not a column of this table
        assert_eq!(
            colonne_ressemblante("unites_existante", &c),
            Some("unites_existantes")
        );
        assert_eq!(
            colonne_ressemblante("places", &c),
            Some("unites_existantes")
        );
        assert_eq!(
            colonne_ressemblante("contribution_n_1", &c),
            Some("contribution_collectivite_n1")
        );
        // short names: one letter at most
        assert_eq!(colonne_ressemblante("ix", &c), Some("id"));
        assert_eq!(colonne_ressemblante("no", &c), None);
        assert_eq!(colonne_ressemblante("observation", &c), None);
    }
}
