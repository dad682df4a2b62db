//! Generic CSV table reading: delimiter detected from the header, header names matched
//! case- and accent-insensitively, every record kept with its line number.

use crate::diagnostic::{Diagnostic, Diagnostics};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: column names are short and few; hashed for every cell read, where SipHash showed
/// in profiles (no untrusted-key flooding concern: a header has a handful of names).
#[derive(Default)]
pub(crate) struct Fnv(u64);

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

pub(crate) type Index = HashMap<String, usize, BuildHasherDefault<Fnv>>;

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
    /// (line number in the file, fields)
    pub lignes: Vec<(u64, Vec<String>)>,
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
    /// A table read from a workbook's sheet (`xlsx`): lines are spreadsheet rows.
    pub(crate) fn depuis_feuille(
        fichier: &str,
        feuille: &str,
        colonnes: Index,
        lignes: Vec<(u64, Vec<String>)>,
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
    /// The trimmed value of column `nom` on a record; `None` if the column is absent or the
    /// cell empty.
    pub fn champ<'a>(&self, enr: &'a [String], nom: &str) -> Option<&'a str> {
        let i = *self.colonnes.get(nom)?;
        enr.get(i).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

fn decouper_entete(texte: &str, d: u8) -> Vec<String> {
    // A header line without quotes splits on the delimiter exactly as the csv reader would
    // (fields end at the delimiter, the record at the first CR or LF); building a csv reader
    // per candidate delimiter costs more than reading the whole file's numbers.
    let ligne = texte.split(['\r', '\n']).next().unwrap_or("");
    if !ligne.trim().is_empty() && !ligne.contains('"') {
        return ligne.split(d as char).map(normaliser_nom).collect();
    }
    let mut r = csv::ReaderBuilder::new()
        .delimiter(d)
        .has_headers(false)
        .flexible(true)
        .from_reader(texte.as_bytes());
    let mut rec = csv::StringRecord::new();
    match r.read_record(&mut rec) {
        Ok(true) => rec.iter().map(normaliser_nom).collect(),
        _ => Vec::new(),
    }
}

/// Maps the (normalised) header names to their index, reporting duplicate known columns
/// (E005) and missing required ones (E004, with the list of expected names). `feuille`:
/// the sheet, to give cell references. `None` if the header is unusable.
pub(crate) fn verifier_entete(
    fichier: &str,
    ligne: u64,
    feuille: Option<&str>,
    noms: &[String],
    connues: &[&str],
    requises: &[&str],
    diags: &mut Diagnostics,
) -> Option<Index> {
    let mut colonnes = Index::default();
    let mut ok = true;
    for (i, n) in noms.iter().enumerate() {
        if n.is_empty() {
            continue;
        }
        if let Some(premiere) = colonnes.insert(n.clone(), i) {
            // keep the first one; report only the format's columns
            colonnes.insert(n.clone(), premiere);
            if connues.contains(&n.as_str()) {
                let mut d = Diagnostic::erreur("E005", fichier, "colonne en double dans l'en-tête")
                    .ligne(ligne)
                    .colonne(n.clone())
                    .conseil("gardez une seule colonne de ce nom");
                if let Some(f) = feuille {
                    d = d.cellule(reference_cellule(f, i, ligne));
                }
                diags.push(d);
                ok = false;
            }
        }
    }
    for r in requises {
        if !colonnes.contains_key(*r) {
            let mut d = Diagnostic::erreur(
                "E004",
                fichier,
                format!("colonne obligatoire « {r} » absente"),
            )
            .ligne(ligne)
            .colonne(*r)
            .conseil(format!("colonnes obligatoires : {}", requises.join(", ")));
            if let Some(f) = feuille {
                d = d.cellule(reference_ligne(f, ligne));
            }
            diags.push(d);
            ok = false;
        }
    }
    ok.then_some(colonnes)
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
            Diagnostic::erreur("E005", fichier, "fichier vide : aucune ligne d'en-tête").conseil(
                format!(
                    "la première ligne doit nommer les colonnes : {}",
                    requises.join(", ")
                ),
            ),
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
            .filter(|n| connues.contains(&n.as_str()))
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
            Diagnostic::erreur("E005", fichier, "en-tête non reconnu : aucune colonne attendue trouvée (séparateurs essayés : « ; », « , », tabulation)")
                .ligne(debut as u64 + 1)
                .valeur(premiere)
                .conseil(format!("colonnes attendues : {}", connues.join(", "))),
        );
        return None;
    };
    let colonnes = verifier_entete(
        fichier,
        debut as u64 + 1,
        None,
        &noms,
        connues,
        requises,
        diags,
    );
    let mut ok = colonnes.is_some();
    let mut lecteur = csv::ReaderBuilder::new()
        .delimiter(delimiteur)
        .has_headers(true)
        .flexible(true)
        .from_reader(reste.as_bytes());
    // line numbers from byte offsets (the csv crate's own line counter skips empty lines)
    let sauts: Vec<usize> = reste
        .bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
        .collect();
    let octets = reste.as_bytes();
    let ligne_de = |octet: u64| -> u64 {
        // the recorded start may sit on the empty lines skipped before the record
        let mut o = octet as usize;
        while o < octets.len() && (octets[o] == b'\n' || octets[o] == b'\r') {
            o += 1;
        }
        1 + debut as u64 + sauts.partition_point(|&i| i < o) as u64
    };
    let mut lignes = Vec::new();
    let mut rec = csv::StringRecord::new();
    // (line, byte offset) of the last record, to detect an unclosed quote
    let mut dernier: Option<(u64, usize, bool)> = None;
    loop {
        match lecteur.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                let pos = rec.position();
                let ligne = ligne_de(pos.map_or(0, |p| p.byte()));
                let multiligne = rec.iter().any(|c| c.contains(['\n', '\r']));
                dernier = Some((ligne, pos.map_or(0, |p| p.byte() as usize), multiligne));
                if rec.iter().all(|c| c.trim().is_empty()) {
                    continue; // empty line (or only delimiters, as Excel writes them)
                }
                if lignes.len() >= max_lignes {
                    diags.push(
                        Diagnostic::erreur(
                            "E023",
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
                lignes.push((ligne, rec.iter().map(str::to_string).collect()));
            }
            Err(e) => {
                let ligne = ligne_de(e.position().map_or(0, |p| p.byte()));
                diags.push(
                    Diagnostic::erreur("E024", fichier, format!("ligne CSV mal formée : {e}"))
                        .ligne(ligne)
                        .conseil("vérifiez les guillemets de la ligne"),
                );
                ok = false;
                if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                    break;
                }
            }
        }
    }
    if let Some((ligne, octet, true)) = dernier {
        // the reader accepts a quote left open until the end of the file, which silently
        // swallows every following line into one cell: refuse it
        let fin = reste.get(octet..).unwrap_or("");
        if fin.bytes().filter(|b| *b == b'"').count() % 2 == 1 {
            diags.push(
                Diagnostic::erreur(
                    "E024",
                    fichier,
                    "guillemet ouvert jamais fermé : la suite du fichier serait lue comme une seule cellule",
                )
                .ligne(ligne)
                .conseil("fermez le guillemet de cette ligne (ou doublez-le s'il fait partie du texte : \"\")"),
            );
            ok = false;
        }
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
        assert_eq!(tab.lignes[0].0, 4); // header on line 3
        assert_eq!(tab.champ(&tab.lignes[0].1, "id"), Some("a,b"));
        assert_eq!(tab.champ(&tab.lignes[0].1, "montant"), Some("1,5"));
        assert_eq!(tab.lignes[1].0, 7);
        let tab = lire(
            "f.csv",
            "id;montant\r\nx;1,5\r\n",
            &["id", "montant"],
            &["id"],
            &mut d,
        )
        .unwrap();
        assert_eq!(tab.delimiteur, b';');
        assert_eq!(tab.champ(&tab.lignes[0].1, "montant"), Some("1,5"));
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
        assert_eq!(d.0[0].code, "E004");
        assert_eq!(d.0[0].colonne.as_deref(), Some("montant"));
        let mut d = Diagnostics::default();
        assert!(lire("f.csv", "a;b\n", &["id"], &["id"], &mut d).is_none());
        assert_eq!(d.0[0].code, "E005");
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
            let lignes: Vec<u64> = tab.lignes.iter().map(|l| l.0).collect();
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
