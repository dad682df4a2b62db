//! The HTTP API, for scripts and CI pipelines: the same engine and the same JSON as the
//! command line.
//!
//! - `GET /sante` → `200 ok`;
//! - `POST /api/calculer`, multipart field `dossier` (a workbook dossier `.xlsx`, or a `.zip`
//!   of a folder dossier) → `200` with the JSON of `bonus-ctg calculer --format json`;
//!   invalid data → `422` with `{"erreurs": [{code, message, fichier, ligne, cellule,
//!   colonne, valeur, conseil}…]}`; too large → `413`; malformed request → `400`;
//! - `POST /api/projeter` (`dossier`, optional `evenements`) and `POST /api/verifier`
//!   (`dossier`, `notification`, optional `collectivite`, `gestionnaire`) → the JSON of
//!   `projeter --format json` and `verifier --format json`.
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

/// The fields of an API request: files by field name (name, bytes), and short texts.
struct Champs {
    fichiers: Vec<(String, String, Vec<u8>)>,
    textes: Vec<(String, String)>,
}

impl Champs {
    fn fichier(&self, n: &str) -> Option<(&str, &[u8])> {
        self.fichiers
            .iter()
            .find(|(c, _, o)| c == n && !o.is_empty())
            .map(|(_, nom, o)| (nom.as_str(), o.as_slice()))
    }
    fn texte(&self, n: &str) -> Option<String> {
        self.textes
            .iter()
            .find(|(c, v)| c == n && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
    }
}

/// Reads the multipart fields (at most 8; the body limit bounds their size).
async fn champs(mut m: Multipart) -> Result<Champs, Response> {
    let mut c = Champs {
        fichiers: Vec::new(),
        textes: Vec::new(),
    };
    for _ in 0..8 {
        match m.next_field().await {
            Ok(Some(champ)) => {
                let n = champ.name().unwrap_or("").to_string();
                match champ.file_name().map(super::accueil::nom_affiche) {
                    Some(nom) => match champ.bytes().await {
                        Ok(o) => c.fichiers.push((n, nom, o.to_vec())),
                        Err(e) => return Err(trop_gros_ou_mal_forme(&e)),
                    },
                    None => match champ.text().await {
                        Ok(t) => c.textes.push((n, t.chars().take(200).collect())),
                        Err(e) => return Err(trop_gros_ou_mal_forme(&e)),
                    },
                }
            }
            Ok(None) => break,
            Err(e) => return Err(trop_gros_ou_mal_forme(&e)),
        }
    }
    Ok(c)
}

/// The dossier of the field `dossier`, read (on a blocking thread by the caller).
fn lire_dossier(c: &Champs) -> Result<dossier::Lecture, Response> {
    let Some((nom, octets)) = c.fichier("dossier") else {
        return Err(erreur_simple(
            StatusCode::BAD_REQUEST,
            "E131",
            "champ « dossier » absent ou vide (classeur .xlsx ou archive .zip attendu)",
        ));
    };
    let genre = genre_depot(nom, octets).map_err(|_| {
        erreur_simple(
            StatusCode::UNPROCESSABLE_ENTITY,
            "E131",
            &format!("« {nom} » n'est ni un classeur .xlsx ni une archive .zip"),
        )
    })?;
    let enr = Enregistrement {
        genre,
        nom: nom.to_string(),
        octets: Arc::new(octets.to_vec()),
        etapes: Vec::new(),
    };
    dossier::lire(&enr).map_err(|d| erreurs(StatusCode::UNPROCESSABLE_ENTITY, &d))
}

/// Runs `f` on the request's fields on a blocking thread; its `Err` is the response.
async fn repondre(m: Multipart, f: fn(Champs) -> Result<Response, Response>) -> Response {
    let c = match champs(m).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    match tokio::task::spawn_blocking(move || f(c)).await {
        Ok(Ok(x)) | Ok(Err(x)) => x,
        Err(_) => erreur_simple(
            StatusCode::INTERNAL_SERVER_ERROR,
            "E139",
            "erreur interne pendant le calcul",
        ),
    }
}

fn invalide(d: Diagnostics) -> Response {
    erreurs(StatusCode::UNPROCESSABLE_ENTITY, &d)
}

fn depassement(e: crate::calcul::rationnel::ErreurCalcul) -> Response {
    erreur_simple(StatusCode::UNPROCESSABLE_ENTITY, e.code(), &e.to_string())
}

/// `POST /api/calculer` (`dossier`): the JSON of `calculer --format json`.
pub async fn calculer(m: Multipart) -> Response {
    repondre(m, |c| {
        let l = lire_dossier(&c)?;
        let (r, avert) = crate::traiter(&l.lu, None, "bareme.toml").map_err(invalide)?;
        let mut a = l.diags;
        a.extend(avert);
        let o = crate::rapport::json::rendre(&r, &a).map_err(depassement)?;
        Ok(json(StatusCode::OK, o))
    })
    .await
}

/// `POST /api/projeter` (`dossier`, optional `evenements` CSV replacing the dossier's): the
/// JSON of `projeter --format json`.
pub async fn projeter(m: Multipart) -> Response {
    repondre(m, |c| {
        let l = lire_dossier(&c)?;
        let mut d = Diagnostics::default();
        let ev = match c.fichier("evenements") {
            Some((nom, o)) => {
                let t = crate::lecture::texte::decoder(o, crate::lecture::texte::Encodage::Auto)
                    .map_err(|m| erreur_simple(StatusCode::UNPROCESSABLE_ENTITY, "E003", &m))?;
                let ev = crate::projection::evenements::analyser_evenements(nom, &t.texte, &mut d);
                if d.a_des_erreurs() {
                    return Err(invalide(d));
                }
                ev
            }
            None => l.evenements.clone(),
        };
        let options = crate::projection::OptionsProjection {
            exercice: None,
            jusqu_a: None,
            base: None,
        };
        let (pr, avert) =
            crate::projection::projeter(&l.lu, &ev, &options, "bareme.toml", "evenements.csv")
                .map_err(invalide)?;
        let o = crate::rapport::projection::json(&pr, &avert).map_err(depassement)?;
        Ok(json(StatusCode::OK, o))
    })
    .await
}

/// `POST /api/verifier` (`dossier`, `notification`, optional `collectivite`,
/// `gestionnaire`): the JSON of `verifier --format json`.
pub async fn verifier(m: Multipart) -> Response {
    repondre(m, |c| {
        let l = lire_dossier(&c)?;
        let (r, _) = crate::traiter(&l.lu, None, "bareme.toml").map_err(invalide)?;
        let Some((nom, o)) = c.fichier("notification") else {
            return Err(erreur_simple(
                StatusCode::BAD_REQUEST,
                "E131",
                "champ « notification » absent ou vide (CSV ou classeur .xlsx attendu)",
            ));
        };
        let mut d = Diagnostics::default();
        let lignes =
            super::verifier::lire_notification(nom, o, &mut d).ok_or_else(|| invalide(d))?;
        let filtre = crate::verification::Filtre {
            collectivite: c.texte("collectivite"),
            gestionnaire: c.texte("gestionnaire"),
        };
        crate::verification::controler_filtre(&r, &filtre)
            .map_err(|m| erreur_simple(StatusCode::UNPROCESSABLE_ENTITY, "E138", &m))?;
        let v = crate::verification::verifier(&r, &l.lu.dossier, nom, &lignes, &filtre)
            .map_err(depassement)?;
        Ok(json(StatusCode::OK, crate::verification::rendre_json(&v)))
    })
    .await
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
