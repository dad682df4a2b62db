//! `bonus-ctg serveur`: the web application (src/web).

use super::messages::{Erreur, Fin, Messages};
use crate::web::securite::{creer_fichier_mot_de_passe, Acces};
use std::path::Path;

/// The options of `serveur`, as parsed.
pub struct OptionsServeur<'a> {
    pub adresse: &'a str,
    pub base: Option<&'a Path>,
    pub mot_de_passe_fichier: Option<&'a Path>,
    pub sans_authentification: bool,
    pub creer_mot_de_passe: Option<&'a Path>,
}

/// Serves until Ctrl-C or SIGTERM; code 1 when the address, the base or the password file
/// cannot be used, or when an address open to other machines has no access control.
/// `--creer-mot-de-passe F`: writes the hash of the password read on stdin, and stops.
pub fn serveur(o: OptionsServeur<'_>, m: &Messages) -> Result<Fin, Erreur> {
    if let Some(f) = o.creer_mot_de_passe {
        creer_fichier_mot_de_passe(f, &mut std::io::stdin().lock())
            .map_err(|e| Erreur::texte(&e))?;
        m.info(format_args!(
            "bonus-ctg : empreinte du mot de passe écrite dans {} (lancez « bonus-ctg serveur --mot-de-passe-fichier {} --adresse 0.0.0.0:8080 »)",
            f.display(),
            f.display()
        ));
        return Ok(Fin::Succes);
    }
    let acces = match (o.mot_de_passe_fichier, o.sans_authentification) {
        (Some(f), _) => Acces::lire_fichier(f).map_err(|e| Erreur::texte(&e))?,
        (None, true) => Acces::SansAuthentification,
        (None, false) => Acces::Local,
    };
    let mut options = crate::web::Options::defaut(o.base);
    options.acces = acces;
    crate::web::lancer(o.adresse, options).map_err(|e| Erreur::texte(&e))?;
    Ok(Fin::Succes)
}
