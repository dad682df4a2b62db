//! Generic CSV table reading: delimiter detected from the header, header names matched
//! case- and accent-insensitively, every record kept with its line number.

use crate::diagnostic::{Diagnostic, Diagnostics};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: column names are short and few; hashed for every cell read, where SipHash showed
/// in profiles (no untrusted-key flooding concern: a header has a handful of names).
#[derive(Default)]
struct Fnv(u64);

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

type Index = HashMap<String, usize, BuildHasherDefault<Fnv>>;

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

/// A CSV file read into records, with the position of each one.
pub struct Tableau {
    pub fichier: String,
    pub delimiteur: u8,
    colonnes: Index,
    /// (line number in the file, fields)
    pub lignes: Vec<(u64, Vec<String>)>,
}

impl Tableau {
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

/// Reads a CSV text. `connues` are the column names of the format (to detect the delimiter),
/// `requises` the mandatory ones. Errors go to `diags`; `None` if the table is unusable.
pub fn lire(
    fichier: &str,
    texte: &str,
    connues: &[&str],
    requises: &[&str],
    diags: &mut Diagnostics,
) -> Option<Tableau> {
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
    let reste: String = {
        // keep byte offsets simple: cut the text at the header line
        let mut off = 0;
        for (i, l) in texte.split_inclusive('\n').enumerate() {
            if i == debut {
                break;
            }
            off += l.len();
        }
        texte[off..].to_string()
    };
    let mut meilleur: Option<(usize, u8, Vec<String>)> = None;
    for d in [b';', b',', b'\t'] {
        let noms = decouper_entete(&reste, d);
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
    let mut colonnes = Index::default();
    let mut ok = true;
    for (i, n) in noms.iter().enumerate() {
        if n.is_empty() {
            continue;
        }
        if colonnes.insert(n.clone(), i).is_some() && connues.contains(&n.as_str()) {
            diags.push(
                Diagnostic::erreur("E005", fichier, "colonne en double dans l'en-tête")
                    .ligne(debut as u64 + 1)
                    .colonne(n.clone())
                    .conseil("gardez une seule colonne de ce nom"),
            );
            ok = false;
        }
    }
    for r in requises {
        if !colonnes.contains_key(*r) {
            diags.push(
                Diagnostic::erreur(
                    "E004",
                    fichier,
                    format!("colonne obligatoire « {r} » absente"),
                )
                .ligne(debut as u64 + 1)
                .colonne(*r)
                .conseil(format!("colonnes obligatoires : {}", requises.join(", "))),
            );
            ok = false;
        }
    }
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
    loop {
        match lecteur.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                if rec.iter().all(|c| c.trim().is_empty()) {
                    continue; // empty line (or only delimiters, as Excel writes them)
                }
                let ligne = ligne_de(rec.position().map_or(0, |p| p.byte()));
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
    if !ok {
        return None;
    }
    Some(Tableau {
        fichier: fichier.to_string(),
        delimiteur,
        colonnes,
        lignes,
    })
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
}
