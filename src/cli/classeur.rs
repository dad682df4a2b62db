//! `bonus-ctg modele` and `bonus-ctg exporter`.

use super::commun::fichiers_lus_de;
use super::messages::{Erreur, Fin, Messages};
use crate::classeur;
use crate::diagnostic::{Code, Diagnostics};
use crate::lecture::{self, Encodage, OptionsLecture};
use crate::sortie;
use std::path::Path;

/// `modele FICHIER [--depuis DOSSIER]`.
pub fn modele(
    fichier: &Path,
    depuis: Option<&Path>,
    encodage: Encodage,
    ecraser: bool,
    m: &Messages,
) -> Result<Fin, Erreur> {
    // a workbook under another name (`d.csv`) opens as garbage in a spreadsheet
    let xlsx = fichier
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
    if !xlsx {
        return Err(Erreur::usage(format!(
            "{} : le classeur s'écrit au format .xlsx : nommez le fichier en .xlsx (ex. dossier.xlsx)",
            fichier.display()
        )));
    }
    // the workbook may not be one of the files read (`--depuis` the workbook itself, or a
    // folder holding it): checked before anything is read
    let lus = depuis.map(fichiers_lus_de).unwrap_or_default();
    sortie::verifier_cible(fichier, ecraser, &lus)?;
    let mut diags = Diagnostics::default();
    let (lu, evenements, bareme) = match depuis {
        None => (None, Vec::new(), None),
        Some(d) => {
            let opts = OptionsLecture {
                encodage,
                bareme: None,
            };
            let lu = lecture::lire_dossier(d, &opts, &mut diags);
            let (ev, _) =
                crate::projection::evenements::evenements_du_dossier(d, encodage, &mut diags);
            let (Some(lu), Some(ev)) = (lu, ev) else {
                return Err(m.refus(d, &diags));
            };
            // the barème the calculation of the dossier read (its bareme.toml, or its
            // workbook's `bareme` sheet), so that the copy computes the same figures
            let bareme = lu.localisations.bareme_toml.clone();
            (Some(lu), ev, bareme)
        }
    };
    m.diagnostics(&diags);
    let contenu = classeur::Contenu {
        dossier: lu.as_ref(),
        evenements: &evenements,
        bareme_toml: bareme.as_deref(),
    };
    let octets = classeur::ecrire_modele(&contenu).map_err(|e| {
        Erreur::message(Code::E084, format!("écriture du classeur impossible : {e}"))
    })?;
    sortie::ecrire_fichier(fichier, &octets, ecraser, &lus)?;
    m.info(format_args!("{} : classeur écrit", fichier.display()));
    Ok(Fin::Succes)
}

/// `exporter CLASSEUR --vers DIR`.
pub fn exporter(
    classeur_xlsx: &Path,
    vers: &Path,
    ecraser: bool,
    m: &Messages,
) -> Result<Fin, Erreur> {
    let mut diags = Diagnostics::default();
    let nom = classeur_xlsx.display().to_string();
    let octets = lecture::lire_fichier_borne(classeur_xlsx, &nom, lecture::TAILLE_MAX)
        .map_err(Erreur::Message)?;
    let Some(fichiers) = classeur::exporter(&nom, &octets, &mut diags) else {
        return Err(m.refus(classeur_xlsx, &diags));
    };
    m.diagnostics(&diags);
    // every target checked before anything is written: the folder (never through a link),
    // then each file (see `sortie::ecrire_ensemble`)
    let noms: Vec<&str> = fichiers.iter().map(|(f, _)| *f).collect();
    let usage = "les fichiers exportés sont écrits dans un dossier";
    let lus = [classeur_xlsx.to_path_buf()];
    sortie::ecrire_dans_dossier(vers, usage, &noms, ecraser, &lus, |k, w| {
        w.write_all(fichiers.get(k).map_or(&[][..], |(_, o)| o.as_slice()))
    })?;
    m.info(format_args!("{} : {}", vers.display(), noms.join(", ")));
    Ok(Fin::Succes)
}
