//! Where a projection's events are read: a CSV file (`--evenements F`, or the folder's
//! `evenements.csv`), or the `evenements` sheet of the dossier's workbook.

use super::{analyser_evenements, Evenement, FICHIER};
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::lecture::classeur::{classeur_du_dossier, lire_evenements_du_classeur};
use crate::lecture::tableau::Localisation;
use crate::lecture::texte::{self, Encodage};
use std::path::Path;

/// The events of `dossier` when `--evenements` is not given: its `evenements.csv`, else the
/// `evenements` sheet of its workbook ([`classeur_du_dossier`]: the `.xlsx` given, or the
/// folder's `dossier.xlsx`), else none. The events (`None` on error) and where they were
/// read, for the messages of the later checks. A sheet left aside for `evenements.csv` is
/// reported (W005).
pub fn evenements_du_dossier(
    dossier: &Path,
    encodage: Encodage,
    diags: &mut Diagnostics,
) -> (Option<Vec<Evenement>>, Localisation) {
    let csv = dossier.join(FICHIER);
    let classeur = classeur_du_dossier(dossier);
    if dossier.is_dir() && csv.exists() {
        if let Some(x) = classeur.filter(|x| a_une_feuille_evenements(x)) {
            diags.push(
                Diagnostic::avertissement(
                    Code::W005,
                    x.display().to_string(),
                    format!("feuille « evenements » ignorée : {FICHIER} est présent et c'est lui qui est lu"),
                )
                .conseil(format!("gardez les événements à un seul endroit ({FICHIER} ou la feuille « evenements »)")),
            );
        }
        return (
            lire_evenements(&csv, encodage, diags),
            Localisation::csv(&csv.display().to_string()),
        );
    }
    match classeur {
        Some(x) => match lire_evenements_du_classeur(&x, diags) {
            Some((ev, source)) => (Some(ev), source),
            None => (None, Localisation::csv(&x.display().to_string())),
        },
        None => (Some(Vec::new()), Localisation::csv(FICHIER)),
    }
}

/// The events' source in a report, without the path it was given by: the CSV file's name
/// (`evenements.csv`), or the workbook's sheet (`feuille « evenements »`).
pub fn libelle_de_la_source(source: &Localisation) -> String {
    match &source.feuille {
        Some(f) => format!("feuille « {f} »"),
        None => Path::new(&source.fichier)
            .file_name()
            .map_or(source.fichier.clone(), |n| n.to_string_lossy().into_owned()),
    }
}

/// Whether the workbook at `chemin` has an `evenements` sheet (`false` when it cannot be
/// read: reading the dossier reports why).
fn a_une_feuille_evenements(chemin: &Path) -> bool {
    let nom = chemin.display().to_string();
    crate::lecture::lire_fichier_borne(chemin, &nom, crate::lecture::TAILLE_MAX)
        .ok()
        .and_then(|o| crate::lecture::xlsx::grille::feuilles(&nom, &o).ok())
        .is_some_and(|f| crate::lecture::xlsx::grille::a_feuille(&f, "evenements"))
}

/// Reads an events file from disk (encoding rules of the CSV files). `None` on error.
pub fn lire_evenements(
    chemin: &Path,
    encodage: Encodage,
    diags: &mut Diagnostics,
) -> Option<Vec<Evenement>> {
    let nom = chemin.display().to_string();
    let octets = match crate::lecture::lire_fichier_borne(chemin, &nom, crate::lecture::TAILLE_MAX)
    {
        Ok(o) => o,
        Err(e) if e.code == Code::E001 => {
            diags.push(
                Diagnostic::erreur(Code::E001, &nom, "fichier d'événements introuvable").conseil(
                    "donnez le chemin d'un fichier evenements.csv (date;id;action;valeur)",
                ),
            );
            return None;
        }
        Err(e) => {
            diags.push(*e);
            return None;
        }
    };
    let conseil = "enregistrez le fichier en « CSV UTF-8 »";
    let texte = texte::decoder_fichier(&octets, &nom, encodage, conseil, diags)?;
    let avant = diags.erreurs().count();
    let ev = analyser_evenements(&nom, &texte, diags);
    (diags.erreurs().count() == avant).then_some(ev)
}
