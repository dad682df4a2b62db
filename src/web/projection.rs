//! Projection: the years chart and tables of the multi-year report
//! ([`crate::rapport::projection_html`]), for the scenario.

use super::dossier::charger;
use super::{gabarit, style_et_corps, Onglet, S};
use crate::projection::{projeter, OptionsProjection};
use axum::extract::Path;
use axum::response::{IntoResponse, Response};

pub async fn page(etat: S, Path(id): Path<String>) -> Response {
    let sc = match charger(&etat, &id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let r = super::travail(move || {
        let (pr, _) = projeter(
            &sc.lu,
            &sc.evenements,
            &OptionsProjection::default(),
            "bareme.toml",
            &sc.source_evenements,
        )
        .map_err(|d| sc.invalide("La projection ne peut pas être calculée", &d))?;
        let html = crate::rapport::projection_html::rendre(&pr)
            .map_err(|e| super::telechargement::interne(&e.to_string()))?;
        let (style, corps) = style_et_corps(&html);
        let corps = format!(
            "<p class=\"intro\">Projection du scénario{} année par année jusqu'à la fin de la convention.</p><div class=\"rapport\">{corps}</div>",
            if sc.enr.etapes.is_empty() { String::new() } else { format!(" (modifié : {} de simulation)", crate::rapport::nombre_de(sc.enr.etapes.len() as u64, "étape", "étapes")) }
        );
        Ok(gabarit(&format!("Projection — {}", sc.nom()),
            Onglet::Projection,
            Some(&sc.contexte()),
            style,
            &corps,
        )
        .into_response())
    })
    .await;
    match r {
        Ok(r) | Err(r) => r,
    }
}
