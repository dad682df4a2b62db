//! `bonus-ctg serveur`: the web application (src/web).

use super::{DONNEES_INVALIDES, SUCCES};
use crate::web::securite::{creer_fichier_mot_de_passe, Acces};
use std::path::Path;

/// Serves until Ctrl-C or SIGTERM; code 1 when the address, the base or the password file
/// cannot be used, or when an address open to other machines has no access control.
/// `--creer-mot-de-passe F`: writes the hash of the password read on stdin, and stops.
pub fn serveur(
    adresse: &str,
    base: Option<&Path>,
    mot_de_passe_fichier: Option<&Path>,
    sans_authentification: bool,
    creer_mot_de_passe: Option<&Path>,
) -> i32 {
    let r = match creer_mot_de_passe {
        Some(f) => creer_fichier_mot_de_passe(f, &mut std::io::stdin().lock()).map(|()| {
            eprintln!(
                "bonus-ctg : empreinte du mot de passe écrite dans {} (lancez « bonus-ctg serveur --mot-de-passe-fichier {} --adresse 0.0.0.0:8080 »)",
                f.display(),
                f.display()
            );
        }),
        None => {
            let acces = match (mot_de_passe_fichier, sans_authentification) {
                (Some(f), _) => Acces::lire_fichier(f),
                (None, true) => Ok(Acces::SansAuthentification),
                (None, false) => Ok(Acces::Local),
            };
            acces.and_then(|acces| {
                let mut o = crate::web::Options::defaut(base);
                o.acces = acces;
                crate::web::lancer(adresse, o)
            })
        }
    };
    match r {
        Ok(()) => SUCCES,
        Err(e) => {
            eprintln!("{e}");
            DONNEES_INVALIDES
        }
    }
}
