//! `bonus-ctg serveur`: the web application (src/web).

use super::messages::{Erreur, Fin};
use std::path::Path;

/// Serves until Ctrl-C or SIGTERM; E139 (code 1) when the address or the base cannot be used.
pub fn serveur(adresse: &str, base: Option<&Path>) -> Result<Fin, Erreur> {
    crate::web::lancer(adresse, base).map_err(|e| Erreur::texte(&e))?;
    Ok(Fin::Succes)
}
