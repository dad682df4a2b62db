//! `bonus-ctg serveur`: the web application (src/web).

use super::{DONNEES_INVALIDES, SUCCES};
use std::path::Path;

/// Serves until Ctrl-C or SIGTERM; code 1 when the address or the base cannot be used.
pub fn serveur(adresse: &str, base: Option<&Path>) -> i32 {
    match crate::web::lancer(adresse, base) {
        Ok(()) => SUCCES,
        Err(e) => {
            eprintln!("{e}");
            DONNEES_INVALIDES
        }
    }
}
