//! The HTTP API, for scripts and CI pipelines: the same engine and the same JSON as the
//! command line.
//!
//! - `GET /sante` → `200 ok`;
//! - `POST /api/calculer`, multipart field `dossier` (a workbook dossier `.xlsx`, or a `.zip`
//!   of a folder dossier) → `200` with the JSON of `bonus-ctg calculer --format json`;
//!   invalid data → `422` with `{"erreurs": [{code, message, fichier, ligne, cellule,
//!   colonne, valeur, conseil}…]}`; too large → `413`; malformed request → `400`.
//!
//! Nothing is stored: the API computes and answers (no form token: it changes nothing).

use super::accueil::genre_depot;
use super::dossier;
use super::stockage::Enregistrement;
use crate::diagnostic::Diagnostics;
use axum::extract::Multipart;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub async fn sante() -> &'static str {
    "ok"
}

fn json(statut: StatusCode, corps: Vec<u8>) -> Response {
    (
        statut,
        [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
        corps,
    )
        .into_response()
}

/// `{"erreurs": […]}`: the located diagnostics, as `--format-erreurs json` writes them.
fn erreurs(statut: StatusCode, d: &Diagnostics) -> Response {
    let liste: Vec<serde_json::Value> = d
        .erreurs()
        .map(|x| serde_json::to_value(x).unwrap_or_default())
        .collect();
    json(
        statut,
        serde_json::to_vec(&serde_json::json!({ "erreurs": liste })).unwrap_or_default(),
    )
}

fn erreur_simple(statut: StatusCode, code: &'static str, message: &str) -> Response {
    let mut d = Diagnostics::default();
    d.push(crate::diagnostic::Diagnostic::erreur(
        code, "requête", message,
    ));
    erreurs(statut, &d)
}

pub async fn calculer(mut m: Multipart) -> Response {
    let mut depot = None;
    loop {
        match m.next_field().await {
            Ok(Some(champ)) if champ.name() == Some("dossier") => {
                let nom = super::accueil::nom_affiche(champ.file_name().unwrap_or("dossier"));
                match champ.bytes().await {
                    Ok(o) => depot = Some((nom, o.to_vec())),
                    Err(e) => return trop_gros_ou_mal_forme(&e),
                }
            }
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) => return trop_gros_ou_mal_forme(&e),
        }
    }
    let Some((nom, octets)) = depot.filter(|(_, o)| !o.is_empty()) else {
        return erreur_simple(
            StatusCode::BAD_REQUEST,
            "E131",
            "champ « dossier » absent ou vide (classeur .xlsx ou archive .zip attendu)",
        );
    };
    let genre = match genre_depot(&nom, &octets) {
        Ok(g) => g,
        Err(_) => {
            return erreur_simple(
                StatusCode::UNPROCESSABLE_ENTITY,
                "E131",
                &format!("« {nom} » n'est ni un classeur .xlsx ni une archive .zip"),
            )
        }
    };
    let enr = Enregistrement {
        genre,
        nom,
        octets: Arc::new(octets),
        etapes: Vec::new(),
    };
    let r = tokio::task::spawn_blocking(move || {
        let l = dossier::lire(&enr).map_err(|d| erreurs(StatusCode::UNPROCESSABLE_ENTITY, &d))?;
        let (r, avert) = crate::traiter(&l.lu, None, "bareme.toml")
            .map_err(|d| erreurs(StatusCode::UNPROCESSABLE_ENTITY, &d))?;
        let mut a = l.diags;
        a.extend(avert);
        crate::rapport::json::rendre(&r, &a)
            .map(|o| json(StatusCode::OK, o))
            .map_err(|e| erreur_simple(StatusCode::UNPROCESSABLE_ENTITY, "E023", &e.to_string()))
    })
    .await;
    match r {
        Ok(Ok(x)) | Ok(Err(x)) => x,
        Err(_) => erreur_simple(
            StatusCode::INTERNAL_SERVER_ERROR,
            "E139",
            "erreur interne pendant le calcul",
        ),
    }
}

fn trop_gros_ou_mal_forme(e: &axum::extract::multipart::MultipartError) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        erreur_simple(
            StatusCode::PAYLOAD_TOO_LARGE,
            "E130",
            "fichier trop gros : plus de 20 Mo",
        )
    } else {
        erreur_simple(
            StatusCode::BAD_REQUEST,
            "E130",
            "requête multipart mal formée ou incomplète",
        )
    }
}
