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
//! Nothing is stored but the journal's line of each computation (no form token: it changes
//! no dossier; with a password, the session cookie is asked, see [`super::securite`]).

use super::accueil::genre_depot;
use super::stockage::{Enregistrement, EntreeJournal};
use super::{dossier, journal, S};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostics;
use crate::lecture::tableau::Localisation;
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

pub(crate) fn erreur_simple(statut: StatusCode, code: Code, message: &str) -> Response {
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

/// Fields of an API request: at most this many.
const CHAMPS_MAX: usize = 8;

/// Reads the multipart fields (at most [`CHAMPS_MAX`]; the body limit bounds their size),
/// each name once: a field sent again, or one field too many, is refused (400, E146), never
/// dropped in silence (a second `dossier` would not be computed, an `annee` after 8 fields
/// would not be read).
async fn champs(mut m: Multipart) -> Result<Champs, Response> {
    let mut c = Champs {
        fichiers: Vec::new(),
        textes: Vec::new(),
    };
    let mut lus = 0;
    loop {
        match m.next_field().await {
            Ok(Some(champ)) => {
                let n = champ.name().unwrap_or("").to_string();
                if !n.is_empty()
                    && (c.fichiers.iter().any(|(x, _, _)| *x == n)
                        || c.textes.iter().any(|(x, _)| *x == n))
                {
                    return Err(super::champ_repete(true, &n));
                }
                lus += 1;
                if lus > CHAMPS_MAX {
                    return Err(erreur_simple(
                        StatusCode::BAD_REQUEST,
                        Code::E146,
                        &format!(
                            "requête mal formée : plus de {CHAMPS_MAX} champs (l'API lit au plus dossier, notification, evenements, id, annee, collectivite et gestionnaire)"
                        ),
                    ));
                }
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

/// The dossier of the field `dossier`, read (on a blocking thread by the caller), with its
/// record (for the journal).
fn lire_dossier(c: &Champs) -> Result<(dossier::Lecture, Enregistrement), Response> {
    let Some((nom, octets)) = c.fichier("dossier") else {
        return Err(erreur_simple(
            StatusCode::BAD_REQUEST,
            Code::E131,
            "champ « dossier » absent ou vide (classeur .xlsx ou archive .zip attendu)",
        ));
    };
    let genre = genre_depot(nom, octets).map_err(|_| {
        erreur_simple(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::E131,
            &format!("« {nom} » n'est ni un classeur .xlsx ni une archive .zip"),
        )
    })?;
    let enr = Enregistrement {
        genre,
        nom: nom.to_string(),
        octets: Arc::new(octets.to_vec()),
        etapes: Vec::new(),
    };
    let l = dossier::lire(&enr).map_err(|d| erreurs(StatusCode::UNPROCESSABLE_ENTITY, &d))?;
    Ok((l, enr))
}

/// What a computation of the API answers, and its journal line.
type Sortie = Result<(Response, Option<EntreeJournal>), Response>;

/// Runs `f` on the request's fields on a blocking thread (when a computation's turn
/// comes: 503 E142 if none comes in time), journals its line; its `Err` is the response.
async fn repondre(etat: &super::EtatPartage, m: Multipart, f: fn(Champs) -> Sortie) -> Response {
    let c = match champs(m).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let Ok(permis) = super::securite::permis().await else {
        return super::securite::occupe(true);
    };
    let e = etat.clone();
    let r = tokio::task::spawn_blocking(move || {
        let _tour = permis;
        let (r, ligne) = f(c)?;
        if let Some(l) = ligne {
            e.magasin
                .journaliser(l)
                .map_err(|m| erreur_simple(StatusCode::INTERNAL_SERVER_ERROR, Code::E139, &m))?;
        }
        Ok(r)
    })
    .await;
    match r {
        Ok(Ok(x)) | Ok(Err(x)) => x,
        Err(_) => erreur_simple(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::E139,
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
pub async fn calculer(etat: S, m: Multipart) -> Response {
    repondre(&etat, m, |c| {
        let (l, enr) = lire_dossier(&c)?;
        let (r, avert) = crate::traiter(&l.lu, None, "bareme.toml").map_err(invalide)?;
        let ligne = journal::entree("api/calculer", &enr, &l.lu, Some(&r));
        let mut a = l.diags;
        a.extend(avert);
        let o = crate::rapport::json::rendre(&r, &a).map_err(depassement)?;
        Ok((json(StatusCode::OK, o), Some(ligne)))
    })
    .await
}

/// `POST /api/projeter` (`dossier`, optional `evenements` CSV replacing the dossier's): the
/// JSON of `projeter --format json`.
pub async fn projeter(etat: S, m: Multipart) -> Response {
    repondre(&etat, m, |c| {
        let (l, enr) = lire_dossier(&c)?;
        let mut d = Diagnostics::default();
        let (ev, source) = match c.fichier("evenements") {
            Some((nom, o)) => {
                let t = crate::lecture::texte::decoder(o, crate::lecture::texte::Encodage::Auto)
                    .map_err(|m| erreur_simple(StatusCode::UNPROCESSABLE_ENTITY, Code::E003, &m))?;
                let ev = crate::projection::evenements::analyser_evenements(nom, &t.texte, &mut d);
                if d.a_des_erreurs() {
                    return Err(invalide(d));
                }
                (ev, Localisation::csv(nom))
            }
            None => (l.evenements.clone(), l.source_evenements.clone()),
        };
        let options = crate::projection::OptionsProjection {
            exercice: None,
            jusqu_a: None,
            base: None,
        };
        let (pr, avert) = crate::projection::projeter(&l.lu, &ev, &options, "bareme.toml", &source)
            .map_err(invalide)?;
        let o = crate::rapport::projection::json(&pr, &avert).map_err(depassement)?;
        let ligne = journal::entree("api/projeter", &enr, &l.lu, None);
        Ok((json(StatusCode::OK, o), Some(ligne)))
    })
    .await
}

/// `POST /api/verifier` (`dossier`, `notification`, optional `collectivite`,
/// `gestionnaire`): the JSON of `verifier --format json`.
pub async fn verifier(etat: S, m: Multipart) -> Response {
    repondre(&etat, m, |c| {
        let (l, enr) = lire_dossier(&c)?;
        let (r, _) = crate::traiter(&l.lu, None, "bareme.toml").map_err(invalide)?;
        let Some((nom, o)) = c.fichier("notification") else {
            return Err(erreur_simple(
                StatusCode::BAD_REQUEST,
                Code::E131,
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
            .map_err(|m| erreur_simple(StatusCode::UNPROCESSABLE_ENTITY, Code::E138, &m))?;
        let v = crate::verification::verifier(&r, &l.lu.dossier, nom, &lignes, &filtre)
            .map_err(depassement)?;
        let ligne = journal::entree("api/verifier", &enr, &l.lu, Some(&r));
        Ok((
            json(
                StatusCode::OK,
                crate::rapport::verification::rendre_json(&v),
            ),
            Some(ligne),
        ))
    })
    .await
}

/// `POST /api/expliquer` (`dossier`, `id`, optional `annee` of the projection): the JSON
/// of `expliquer --format json` (schema `bonus-ctg.explication.v1`); an unknown structure
/// or year: 422 E171 with the nearest id.
pub async fn expliquer(etat: S, m: Multipart) -> Response {
    repondre(&etat, m, |c| {
        let (l, enr) = lire_dossier(&c)?;
        let Some(id) = c.texte("id") else {
            return Err(erreur_simple(
                StatusCode::BAD_REQUEST,
                Code::E146,
                "champ « id » absent ou vide (identifiant de la structure à expliquer)",
            ));
        };
        // `eaje-balzac` names `EAJE-BALZAC`, as ids are compared everywhere
        let id = crate::lecture::texte::id_retrouve(
            &id,
            l.lu.dossier.structures.iter().map(|s| s.id.as_str()),
        )
        .map_or(id.clone(), str::to_string);
        // the table as sent: structures.csv of a zip, or the workbook's sheet
        let table = l.lu.localisations.structures.nom();
        let introuvable = |ids: &mut dyn Iterator<Item = &str>| {
            let message = format!(
                "structure « {id} » introuvable dans {table}{}",
                crate::verification::vouliez_vous_dire(&id, &mut ids.map(str::to_string))
            );
            erreur_simple(StatusCode::UNPROCESSABLE_ENTITY, Code::E171, &message)
        };
        match c.texte("annee") {
            None => {
                let (r, _) = crate::traiter(&l.lu, None, "bareme.toml").map_err(invalide)?;
                let o = crate::rapport::explication::json(&l.lu.dossier, &r, &id)
                    .map_err(depassement)?
                    .ok_or_else(|| {
                        introuvable(&mut l.lu.dossier.structures.iter().map(|s| s.id.as_str()))
                    })?;
                let ligne = journal::entree("api/expliquer", &enr, &l.lu, Some(&r));
                Ok((json(StatusCode::OK, o.into_bytes()), Some(ligne)))
            }
            Some(a) => {
                let annee: i32 = a.parse().map_err(|_| {
                    erreur_simple(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        Code::E138,
                        &format!("année « {a} » illisible (une année sur 4 chiffres est attendue)"),
                    )
                })?;
                let options = crate::projection::OptionsProjection {
                    exercice: None,
                    jusqu_a: None,
                    base: None,
                };
                let (pr, _) = crate::projection::projeter(
                    &l.lu,
                    &l.evenements,
                    &options,
                    "bareme.toml",
                    &l.source_evenements,
                )
                .map_err(invalide)?;
                let o = crate::rapport::projection::json_explication(&pr, &id, annee)
                    .map_err(depassement)?;
                let Some(o) = o else {
                    return Err(match pr.annee(annee) {
                        None => erreur_simple(
                            StatusCode::UNPROCESSABLE_ENTITY,
                            Code::E171,
                            &format!(
                                "l'année {annee} n'est pas projetée ({}–{})",
                                pr.premiere, pr.derniere
                            ),
                        ),
                        Some(y) => introuvable(&mut y.lignes.iter().map(|l| l.id.as_str())),
                    });
                };
                let ligne = journal::entree("api/expliquer", &enr, &l.lu, None);
                Ok((json(StatusCode::OK, o.into_bytes()), Some(ligne)))
            }
        }
    })
    .await
}

fn trop_gros_ou_mal_forme(e: &axum::extract::multipart::MultipartError) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        erreur_simple(
            StatusCode::PAYLOAD_TOO_LARGE,
            Code::E130,
            "fichier trop gros : plus de 20 Mo",
        )
    } else {
        erreur_simple(
            StatusCode::BAD_REQUEST,
            Code::E130,
            "requête multipart mal formée ou incomplète",
        )
    }
}
