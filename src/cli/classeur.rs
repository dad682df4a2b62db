//! `bonus-ctg modele` and `bonus-ctg exporter`.

use super::{afficher_diagnostics, FormatErreurs, DONNEES_INVALIDES, SUCCES};
use crate::classeur;
use crate::diagnostic::Diagnostics;
use crate::lecture::{self, Encodage, OptionsLecture};
use crate::sortie;
use std::path::Path;

/// `modele FICHIER [--depuis DOSSIER]`.
pub fn modele(
    fichier: &Path,
    depuis: Option<&Path>,
    encodage: Encodage,
    ecraser: bool,
    fe: FormatErreurs,
) -> i32 {
    let mut diags = Diagnostics::default();
    let (lu, evenements, bareme) = match depuis {
        None => (None, Vec::new(), None),
        Some(d) => {
            let opts = OptionsLecture {
                encodage,
                bareme: None,
            };
            let lu = lecture::lire_dossier(d, &opts, &mut diags);
            let p_ev = d.join(crate::projection::evenements::FICHIER);
            let ev = if d.is_dir() && p_ev.is_file() {
                crate::projection::evenements::lire_evenements(&p_ev, encodage, &mut diags)
            } else if d.is_file() {
                lecture::classeur::lire_evenements_du_classeur(d, &mut diags)
            } else {
                Some(Vec::new())
            };
            let p_b = d.join("bareme.toml");
            let bareme = if d.is_dir() && p_b.exists() {
                // read and checked as the dossier's barème was (lu is None otherwise)
                lecture::lire_fichier_borne(&p_b, "bareme.toml", lecture::TAILLE_MAX)
                    .ok()
                    .map(|o| String::from_utf8_lossy(&o).into_owned())
            } else {
                None
            };
            let (Some(lu), Some(ev)) = (lu, ev) else {
                afficher_diagnostics(&diags, fe);
                eprintln!("{} : {}", d.display(), diags.resume());
                return DONNEES_INVALIDES;
            };
            (Some(lu), ev, bareme)
        }
    };
    afficher_diagnostics(&diags, fe);
    let contenu = classeur::Contenu {
        dossier: lu.as_ref(),
        evenements: &evenements,
        bareme_toml: bareme.as_deref(),
    };
    let octets = match classeur::ecrire_modele(&contenu) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("erreur : écriture du classeur impossible ({e})");
            return DONNEES_INVALIDES;
        }
    };
    match sortie::ecrire_atomique(fichier, &octets, ecraser) {
        Ok(()) => {
            if !super::silencieux() {
                eprintln!("{} : classeur écrit", fichier.display());
            }
            SUCCES
        }
        Err(e) => {
            eprintln!("{e}");
            DONNEES_INVALIDES
        }
    }
}

/// `exporter CLASSEUR --vers DIR`.
pub fn exporter(classeur_xlsx: &Path, vers: &Path, ecraser: bool, fe: FormatErreurs) -> i32 {
    let mut diags = Diagnostics::default();
    let nom = classeur_xlsx.display().to_string();
    let octets = match lecture::lire_fichier_borne(classeur_xlsx, &nom, lecture::TAILLE_MAX) {
        Ok(o) => o,
        Err(d) => {
            diags.push(*d);
            afficher_diagnostics(&diags, fe);
            return DONNEES_INVALIDES;
        }
    };
    let Some(fichiers) = classeur::exporter(&nom, &octets, &mut diags) else {
        afficher_diagnostics(&diags, fe);
        eprintln!("{nom} : {}", diags.resume());
        return DONNEES_INVALIDES;
    };
    afficher_diagnostics(&diags, fe);
    if let Err(e) = std::fs::create_dir_all(vers) {
        eprintln!(
            "erreur : création de {} impossible : {}",
            vers.display(),
            crate::diagnostic::texte_io(&e)
        );
        return DONNEES_INVALIDES;
    }
    for (f, o) in &fichiers {
        if let Err(e) = sortie::ecrire_atomique(&vers.join(f), o, ecraser) {
            eprintln!("{e}");
            return DONNEES_INVALIDES;
        }
    }
    if !super::silencieux() {
        let noms: Vec<&str> = fichiers.iter().map(|(f, _)| *f).collect();
        eprintln!("{} : {}", vers.display(), noms.join(", "));
    }
    SUCCES
}
