//! `verifier` (a notification against the calculation) and `comparer` (two scenarios).

use super::arguments::{options, profil_de, EncodageArg, Entree, FormatSimple, OptionsSortie};
use super::commun::{
    charger, charger_parmi, choisir_format_simple, ecrire, fichiers_lus, verifier_sortie,
};
use super::messages::{Erreur, Fin};
use super::Contexte;
use crate::diagnostic::Diagnostics;
use crate::verification;
use std::path::{Path, PathBuf};

/// `verifier DOSSIER --notification F`: `Fin::Ecarts` when the notification differs.
pub fn verifier(
    entree: &Entree,
    notification: &Path,
    collectivite: Option<String>,
    gestionnaire: Option<String>,
    s: &OptionsSortie<FormatSimple>,
    ctx: &Contexte,
) -> Result<Fin, Erreur> {
    let mut lus = fichiers_lus(entree);
    lus.push(notification.to_path_buf());
    verifier_sortie(s.sortie.as_ref(), s.ecraser, &lus)?;
    let (lu, r, _) = charger(entree, &ctx.m)?;
    let mut diags = Diagnostics::default();
    let encodage = options(entree).encodage;
    let lignes = verification::lire_notification(notification, encodage, &mut diags);
    ctx.m.diagnostics(&diags);
    let Some(lignes) = lignes else {
        ctx.m.resume(notification, &diags);
        return Err(Erreur::Donnees);
    };
    let filtre = verification::Filtre {
        collectivite,
        gestionnaire,
    };
    verification::controler_filtre(&r, &filtre).map_err(Erreur::usage)?;
    let nom = notification.display().to_string();
    let v = verification::verifier(&r, &lu.dossier, &nom, &lignes, &filtre)?;
    let fin = if v.concorde() {
        Fin::Succes
    } else {
        Fin::Ecarts
    };
    let format = choisir_format_simple(s.format, s.sortie.as_ref())?;
    if ctx.m.silencieux && format == FormatSimple::Table && s.sortie.is_none() {
        return Ok(fin);
    }
    let octets = match format {
        FormatSimple::Table => {
            crate::rapport::verification::rendre_table(&v, s.largeur, ctx.couleur).into_bytes()
        }
        FormatSimple::Csv => crate::rapport::verification::rendre_csv(&v, profil_de(s.profil)),
        FormatSimple::Json => crate::rapport::verification::rendre_json(&v),
    };
    ecrire(s.sortie.as_ref(), &octets, s.ecraser, &lus)?;
    Ok(fin)
}

/// `comparer DOSSIER_A DOSSIER_B`.
pub fn comparer(
    dossiers: [&PathBuf; 2],
    exercice: Option<i32>,
    encodage: EncodageArg,
    s: &OptionsSortie<FormatSimple>,
    tout: bool,
    ctx: &Contexte,
) -> Result<Fin, Erreur> {
    let [ea, eb] = dossiers.map(|d| Entree {
        dossier: d.clone(),
        exercice,
        bareme: None,
        encodage,
    });
    let lus: Vec<PathBuf> = fichiers_lus(&ea)
        .into_iter()
        .chain(fichiers_lus(&eb))
        .collect();
    verifier_sortie(s.sortie.as_ref(), s.ecraser, &lus)?;
    let (_, ra, _) = charger_parmi(&ea, &ctx.m)?;
    let (_, rb, _) = charger_parmi(&eb, &ctx.m)?;
    let c = crate::comparaison::comparer(
        &ra,
        &rb,
        &ea.dossier.display().to_string(),
        &eb.dossier.display().to_string(),
    );
    for d in crate::comparaison::avertissements(&c, &ra, &rb) {
        ctx.m.diagnostic(&d);
    }
    let format = choisir_format_simple(s.format, s.sortie.as_ref())?;
    let octets = match format {
        FormatSimple::Table => {
            crate::comparaison::rendre_table(&c, s.largeur, ctx.couleur, tout).into_bytes()
        }
        FormatSimple::Csv => crate::comparaison::rendre_csv(&c, profil_de(s.profil)),
        FormatSimple::Json => crate::comparaison::rendre_json(&c),
    };
    ecrire(s.sortie.as_ref(), &octets, s.ecraser, &lus)?;
    Ok(Fin::Succes)
}
