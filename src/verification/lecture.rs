//! Reading the notification through the dossier's input layer (`crate::lecture`): the CSV
//! reader [`tableau::lire`] (encodings, delimiters, quotes, line limit), the hardened
//! workbook reader [`xlsx::lire`] (zip bomb, cell count, hostile references, parser panics)
//! and the dossier's amount rules ([`xlsx::montant_requis`]: grammar, at most 2 decimals,
//! limits, same messages). This module only says which columns a notification has and
//! which file formats it refuses; it parses nothing itself.

use super::LigneNotification;
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::lecture::tableau::{self, Tableau};
use crate::lecture::{texte, xlsx, TAILLE_MAX};
use crate::modele::Montant;
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

/// The notification's bytes: the input layer's bounded read of a regular file (E001, E002,
/// E023, E070), with the advice of `--notification`.
fn lire_octets(chemin: &Path, diags: &mut Diagnostics) -> Option<Vec<u8>> {
    let nom = chemin.display().to_string();
    match crate::lecture::lire_fichier_borne(chemin, &nom, TAILLE_MAX) {
        Ok(o) => Some(o),
        Err(d) => {
            let conseil = match d.code {
                Code::E001 => Some("vérifiez le chemin donné à --notification"),
                Code::E023 => Some("une notification tient en quelques milliers de lignes : vérifiez qu'il s'agit du bon fichier"),
                Code::E002 => Some("vérifiez le fichier donné à --notification et ses droits d'accès"),
                _ => None, // E070: the input layer's own advice
            };
            diags.push(match conseil {
                Some(c) => d.conseil(c),
                None => *d,
            });
            None
        }
    }
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
                    Code::E090,
                    &nom,
                    format!("{format} : format de notification non pris en charge"),
                )
                .conseil(CONSEIL_FORMAT),
            );
            Vec::new()
        }
        Nature::Xlsx => analyser_tableur(&nom, &octets, &mut d),
        Nature::Csv => {
            let conseil =
                "enregistrez le fichier en « CSV UTF-8 », ou essayez --encodage windows-1252";
            match texte::decoder_fichier(&octets, &nom, encodage, conseil, &mut d) {
                Some(t) => analyser_csv(&nom, &t, &mut d),
                None => Vec::new(),
            }
        }
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

/// The notification lines of a table read by `crate::lecture`. `entete`: the header's line
/// (CSV), for the message when neither `id` nor `nom` is there.
fn lignes(tab: &Tableau, entete: Option<u64>, diags: &mut Diagnostics) -> Vec<LigneNotification> {
    let (a_id, a_nom) = (a_la_colonne(tab, "id"), a_la_colonne(tab, "nom"));
    if !a_id && !a_nom {
        let mut d = Diagnostic::erreur(
            Code::E041,
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
    let mut r = Vec::with_capacity(tab.lignes.len());
    for (no, enr) in &tab.lignes {
        let no = *no;
        let id = tab.champ(enr, "id").map(str::to_string);
        let nom = tab.champ(enr, "nom").map(str::to_string);
        if id.is_none() && nom.is_none() {
            let mut d = Diagnostic::erreur(
                Code::E043,
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
        let refus = [
            id.as_deref().and_then(|i| invisible_dans_l_id(tab, no, i)),
            nom.as_deref()
                .and_then(|n| controle_dans_le_nom(tab, no, n)),
        ];
        if refus.iter().any(Option::is_some) {
            for d in refus.into_iter().flatten() {
                diags.push(d);
            }
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

/// E053: an invisible or control character in the `id` of line `no` (as in the dossier's
/// files: such an id would match no structure, while looking like one).
fn invisible_dans_l_id(tab: &Tableau, no: u64, id: &str) -> Option<Diagnostic> {
    let (message, conseil) = texte::message_invisible(texte::caractere_invisible(id)?);
    Some(refus(tab, (no, "id", id), Code::E053, message, conseil))
}

/// E055: a control character in the `nom` of line `no` (a free text, as in the dossier's
/// files: docs/regles.md R50).
fn controle_dans_le_nom(tab: &Tableau, no: u64, nom: &str) -> Option<Diagnostic> {
    let (message, conseil) = texte::message_controle(texte::caractere_de_controle(nom)?);
    Some(refus(tab, (no, "nom", nom), Code::E055, message, conseil))
}

/// The error `code` on the value `v` of column `col` of line `no`, shown with its invisible
/// characters written `<U+…>`, at its cell in a workbook.
fn refus(
    tab: &Tableau,
    (no, col, v): (u64, &str, &str),
    code: Code,
    message: String,
    conseil: &str,
) -> Diagnostic {
    let mut d = Diagnostic::erreur(code, &tab.fichier, message)
        .ligne(no)
        .colonne(col)
        .valeur(texte::montrer_invisibles(v))
        .conseil(conseil);
    if let Some(c) = tab.cellule(no, col) {
        d = d.cellule(c);
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

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
