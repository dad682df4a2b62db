//! Reading the notification through the dossier's input layer (`crate::lecture`): the CSV
//! reader [`tableau::lire`] (encodings, delimiters, quotes, line limit), the hardened
//! workbook reader [`xlsx::lire`] (zip bomb, cell count, hostile references, parser panics)
//! and the dossier's amount rules ([`xlsx::montant_requis`]: grammar, at most 2 decimals,
//! limits, same messages). This module only says which columns a notification has and
//! which file formats it refuses; it parses nothing itself.

use super::LigneNotification;
use crate::diagnostic::{texte_io, Diagnostic, Diagnostics};
use crate::lecture::tableau::{self, Tableau};
use crate::lecture::{texte, xlsx, TAILLE_MAX};
use crate::modele::Montant;
use std::io::Read;
use std::path::Path;

/// Columns of a notification: `id` or `nom` (or both), and `montant`.
pub const COLONNES: &[&str] = &["id", "nom", "montant"];
const REQUISES: &[&str] = &["montant"];

/// The sheet read in a workbook: the one named `notification`, else the first.
const FEUILLE: xlsx::Feuille<'static> = xlsx::Feuille {
    noms: &["notification"],
    premiere_sinon: true,
};

const CONSEIL_FORMAT: &str = "ouvrez-la dans Excel ou LibreOffice et enregistrez-la au format « Classeur Excel (.xlsx) », ou exportez la feuille en « CSV UTF-8 »";

/// What the notification file is, from its first bytes and its extension.
#[derive(Debug, PartialEq, Eq)]
enum Nature {
    Csv,
    Xlsx,
    /// A spreadsheet format that is not read (E090): its name for the message.
    NonLue(&'static str),
}

fn nature(chemin: &Path, octets: &[u8]) -> Nature {
    let ext = chemin
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let zip = octets.starts_with(b"PK");
    // an OpenDocument file starts with its uncompressed `mimetype` part
    let ods = zip
        && octets
            .get(30..)
            .is_some_and(|o| o.starts_with(b"mimetypeapplication/vnd.oasis.opendocument"));
    if ods || ext == "ods" || ext == "fods" {
        return Nature::NonLue("classeur OpenDocument (.ods)");
    }
    if ext == "xlsb" {
        return Nature::NonLue("classeur binaire Excel (.xlsb)");
    }
    if zip {
        return Nature::Xlsx;
    }
    // the old binary format is never handed to a parser: refused here
    if ext == "xls" {
        return Nature::NonLue("classeur Excel 97-2003 (.xls)");
    }
    // an OLE container under another name (protected workbook, renamed .xls): the
    // workbook reader refuses it with its own message, before any parsing
    if ext == "xlsx" || ext == "xlsm" || octets.starts_with(b"\xD0\xCF\x11\xE0") {
        return Nature::Xlsx;
    }
    Nature::Csv
}

/// The notification's bytes, bounded by the dossier's file size limit (E023), from a
/// regular file only (a FIFO would block). The only read of the notification file: when
/// `crate::lecture` offers a bounded read of a file, this is the one call to switch.
fn lire_octets(chemin: &Path, diags: &mut Diagnostics) -> Option<Vec<u8>> {
    let nom = chemin.display().to_string();
    let trop_gros = |taille: u64| {
        Diagnostic::erreur(
            "E023",
            &nom,
            format!(
                "fichier trop gros : {} Mo (maximum {} Mo)",
                taille.div_ceil(1_000_000),
                TAILLE_MAX / 1_000_000
            ),
        )
        .conseil("une notification tient en quelques milliers de lignes : vérifiez qu'il s'agit du bon fichier")
    };
    let impossible = |raison: String| {
        Diagnostic::erreur("E002", &nom, format!("lecture impossible : {raison}"))
            .conseil("vérifiez le fichier donné à --notification et ses droits d'accès")
    };
    match std::fs::metadata(chemin) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            diags.push(
                Diagnostic::erreur("E001", &nom, "notification introuvable")
                    .conseil("vérifiez le chemin donné à --notification"),
            );
            return None;
        }
        Err(e) => {
            diags.push(impossible(texte_io(&e)));
            return None;
        }
        Ok(m) if m.is_dir() => {
            diags.push(impossible("c'est un dossier, pas un fichier".into()));
            return None;
        }
        Ok(m) if !m.is_file() => {
            diags.push(impossible("ce n'est pas un fichier ordinaire".into()));
            return None;
        }
        Ok(m) if m.len() > TAILLE_MAX => {
            diags.push(trop_gros(m.len()));
            return None;
        }
        Ok(_) => {}
    }
    let mut octets = Vec::new();
    let lu =
        std::fs::File::open(chemin).and_then(|f| f.take(TAILLE_MAX + 1).read_to_end(&mut octets));
    if let Err(e) = lu {
        diags.push(impossible(texte_io(&e)));
        return None;
    }
    if octets.len() as u64 > TAILLE_MAX {
        diags.push(trop_gros(octets.len() as u64));
        return None;
    }
    Some(octets)
}

/// Reads a notification file (CSV or XLSX, see [`nature`]). `None` when it has errors (in
/// `diags`).
pub fn lire_notification(
    chemin: &Path,
    encodage: texte::Encodage,
    diags: &mut Diagnostics,
) -> Option<Vec<LigneNotification>> {
    let nom = chemin.display().to_string();
    let octets = lire_octets(chemin, diags)?;
    let mut d = Diagnostics::default();
    let lignes = match nature(chemin, &octets) {
        Nature::NonLue(format) => {
            d.push(
                Diagnostic::erreur(
                    "E090",
                    &nom,
                    format!("{format} : format de notification non pris en charge"),
                )
                .conseil(CONSEIL_FORMAT),
            );
            Vec::new()
        }
        Nature::Xlsx => analyser_tableur(&nom, &octets, &mut d),
        Nature::Csv => match texte::decoder(&octets, encodage) {
            Ok(t) => {
                if t.repli_windows1252 {
                    d.push(
                        Diagnostic::avertissement(
                            "W004",
                            &nom,
                            "octets non UTF-8 : fichier lu en Windows-1252",
                        )
                        .conseil("enregistrez en « CSV UTF-8 » ou passez --encodage windows-1252"),
                    );
                }
                analyser_csv(&nom, &t.texte, &mut d)
            }
            Err(m) => {
                d.push(
                    Diagnostic::erreur("E003", &nom, format!("encodage illisible : {m}")).conseil(
                        "enregistrez le fichier en « CSV UTF-8 », ou essayez --encodage windows-1252",
                    ),
                );
                Vec::new()
            }
        },
    };
    let ok = !d.a_des_erreurs();
    diags.extend(d);
    ok.then_some(lignes)
}

/// Parses a CSV notification (pure).
pub fn analyser_csv(fichier: &str, texte: &str, diags: &mut Diagnostics) -> Vec<LigneNotification> {
    match tableau::lire(fichier, texte, COLONNES, REQUISES, diags) {
        // the header is the first non-empty line (as `tableau::lire` reads it)
        Some(tab) => lignes(
            &tab,
            texte
                .lines()
                .position(|l| !l.trim().is_empty())
                .map(|i| i as u64 + 1),
            diags,
        ),
        None => Vec::new(),
    }
}

/// Parses a workbook notification (`.xlsx`; the sheet `notification`, else the first one;
/// pure: bytes in).
pub fn analyser_tableur(
    fichier: &str,
    octets: &[u8],
    diags: &mut Diagnostics,
) -> Vec<LigneNotification> {
    match xlsx::lire(fichier, octets, FEUILLE, COLONNES, REQUISES, diags) {
        Some(tab) => lignes(&tab, None, diags),
        None => Vec::new(),
    }
}

/// Whether the table's header has column `nom` (through the public cell locator: a table
/// locates a column's cells only when it has the column).
fn a_la_colonne(tab: &Tableau, nom: &str) -> bool {
    let mut loc = tab.localisation();
    loc.feuille.get_or_insert_with(|| "f".into());
    loc.cellule(1, nom).is_some()
}

/// `85.000`, `12,000`: one separator followed by exactly three digits after an integer part
/// of one to three digits reads as thousands or as decimals; refused rather than guessed.
/// A workbook's number cell never gives such a text with a dot (its text is the float's
/// shortest writing, without trailing zero: `85.125` there has 3 decimals, refused as such).
fn ambigu(brut: &str, classeur: bool) -> bool {
    let s = brut.trim();
    let s = s
        .strip_suffix('€')
        .map_or(s, |x| x.trim_end_matches([' ', '\u{a0}', '\u{202f}']));
    let s = s.strip_prefix(['-', '+']).unwrap_or(s);
    let Some(i) = s.find(['.', ',']) else {
        return false;
    };
    let (e, d) = (&s[..i], &s[i + 1..]);
    let chiffres = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    (1..=3).contains(&e.len())
        && chiffres(e)
        && d.len() == 3
        && chiffres(d)
        && !(classeur && s.as_bytes()[i] == b'.' && !d.ends_with('0'))
}

/// The notification lines of a table read by `crate::lecture`. `entete`: the header's line
/// (CSV), for the message when neither `id` nor `nom` is there.
fn lignes(tab: &Tableau, entete: Option<u64>, diags: &mut Diagnostics) -> Vec<LigneNotification> {
    let (a_id, a_nom) = (a_la_colonne(tab, "id"), a_la_colonne(tab, "nom"));
    if !a_id && !a_nom {
        let mut d = Diagnostic::erreur(
            "E041",
            &tab.fichier,
            "il faut une colonne « id » ou une colonne « nom » pour identifier les structures",
        )
        .conseil("colonnes attendues : id ou nom, et montant");
        if let Some(l) = entete {
            d = d.ligne(l);
        }
        diags.push(d);
        return Vec::new();
    }
    let classeur = tab.feuille.is_some();
    let mut r = Vec::with_capacity(tab.lignes.len());
    for (no, enr) in &tab.lignes {
        let no = *no;
        let id = tab.champ(enr, "id").map(str::to_string);
        let nom = tab.champ(enr, "nom").map(str::to_string);
        if id.is_none() && nom.is_none() {
            let mut d = Diagnostic::erreur(
                "E043",
                &tab.fichier,
                "ligne sans id ni nom : impossible de la rapprocher",
            )
            .ligne(no)
            .colonne(if a_id { "id" } else { "nom" })
            .conseil("renseignez l'id ou le nom de la structure");
            if let Some(c) = tab.cellule(no, if a_id { "id" } else { "nom" }) {
                d = d.cellule(c);
            }
            diags.push(d);
            continue;
        }
        if let Some(v) = tab.champ(enr, "montant").filter(|v| ambigu(v, classeur)) {
            let mut d = Diagnostic::erreur(
                "E007",
                &tab.fichier,
                "montant illisible : écriture ambiguë (milliers ou décimales ?)",
            )
            .ligne(no)
            .colonne("montant")
            .valeur(v)
            .conseil("écrivez les milliers sans séparateur ou avec une espace (85000 ou 85 000) et au plus deux décimales (85,00)");
            if let Some(c) = tab.cellule(no, "montant") {
                d = d.cellule(c);
            }
            diags.push(d);
            continue;
        }
        if let Some(c) = xlsx::montant_requis(tab, enr, no, "montant", diags) {
            r.push(LigneNotification {
                ligne: no,
                id,
                nom,
                montant: Montant(c),
            });
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecritures_ambigues() {
        for s in ["85.000", "12,000", "1,500 €", "-1.250", "999.999"] {
            assert!(ambigu(s, false), "{s}");
        }
        for s in [
            "85",
            "85,00",
            "1 234,567",
            "1234.567",
            "85.0000",
            "1.234,56",
            "0,5",
        ] {
            assert!(!ambigu(s, false), "{s}");
        }
        // a workbook's float 85.125 (shortest text, no trailing zero): 3 decimals, not
        // ambiguous; a text cell "85.000" or "12,000" is
        assert!(!ambigu("85.125", true));
        assert!(ambigu("85.000", true));
        assert!(ambigu("12,000", true));
    }

    #[test]
    fn natures() {
        let p = |s: &str| Path::new(s).to_path_buf();
        assert_eq!(nature(&p("n.csv"), b"id;montant\n"), Nature::Csv);
        assert_eq!(nature(&p("n.txt"), b"PK\x03\x04"), Nature::Xlsx);
        assert_eq!(nature(&p("n.xls"), b"PK\x03\x04"), Nature::Xlsx);
        assert_eq!(nature(&p("n.xlsx"), b"id;montant\n"), Nature::Xlsx);
        assert_eq!(nature(&p("n.csv"), b"\xD0\xCF\x11\xE0"), Nature::Xlsx);
        assert!(matches!(
            nature(&p("n.XLS"), b"\xD0\xCF\x11\xE0"),
            Nature::NonLue(_)
        ));
        assert!(matches!(nature(&p("n.xls"), b"abc"), Nature::NonLue(_)));
        assert!(matches!(nature(&p("n.ods"), b"PK"), Nature::NonLue(_)));
        let mut ods = b"PK\x03\x04".to_vec();
        ods.resize(30, 0);
        ods.extend_from_slice(b"mimetypeapplication/vnd.oasis.opendocument.spreadsheet");
        assert!(matches!(nature(&p("n.zip"), &ods), Nature::NonLue(_)));
    }
}
