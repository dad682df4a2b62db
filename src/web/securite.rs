//! Access control and limits of the server.
//!
//! - **Password** (`--mot-de-passe-fichier F`): the file holds an Argon2id hash (a PHC
//!   string, made by `bonus-ctg serveur --creer-mot-de-passe F`); the password is checked in
//!   constant time by the `argon2` crate; a successful login opens a session: 128 random
//!   bits from the operating system in an `HttpOnly; SameSite=Strict` cookie, valid
//!   [`DUREE_SESSION`]. Every page but the login page, `/sante` and the static files then
//!   asks for a session (pages: redirection to `/connexion`; API: `401`).
//! - **Binding**: an address that is not the loopback refuses to start without
//!   `--mot-de-passe-fichier` or an explicit `--sans-authentification` (E140).
//! - **Time**: each request is bounded ([`super::Options::delai_requete`], `504`, E141).
//! - **Computations**: at most [`super::Options::calculs_max`] at once; a request waits
//!   [`super::Options::attente_calcul`] at most for its turn, then `503` « serveur occupé »
//!   (E142). The permit goes with the blocking work itself, so a request given up by the
//!   time limit still counts until its computation really ends.

use super::{erreur, gabarit, EtatPartage, Jeton, Onglet};
use crate::diagnostic::Code;
use crate::rapport::html::esc;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use axum::extract::{Form, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use password_hash::rand_core::{OsRng, RngCore};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Code of the refusals to start (address, password file).
pub const E140: Code = Code::E140;

/// Name of the session cookie (with `--mot-de-passe-fichier`).
pub const COOKIE_SESSION: &str = "bonus_ctg_session";
/// A session lasts 12 hours from the login.
pub const DUREE_SESSION: u64 = 12 * 3600;
/// Sessions kept at once (the expired ones are dropped first).
pub const SESSIONS_MAX: usize = 10_000;
/// Shortest password accepted by `--creer-mot-de-passe`.
pub const MOT_DE_PASSE_MIN: usize = 10;

/// Who may use the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Acces {
    /// No option: loopback only, no login.
    Local,
    /// `--sans-authentification`: no login, whatever the address.
    SansAuthentification,
    /// `--mot-de-passe-fichier`: the Argon2 hash (PHC string) of the password.
    MotDePasse(String),
}

impl Acces {
    /// Reads the hash file of `--mot-de-passe-fichier` (E140 if it is not one).
    pub fn lire_fichier(chemin: &Path) -> Result<Acces, String> {
        let t = std::fs::read_to_string(chemin).map_err(|e| {
            format!(
                "erreur {E140} : fichier de mot de passe {} illisible : {} (conseil : créez-le avec « bonus-ctg serveur --creer-mot-de-passe {} »)",
                chemin.display(),
                crate::diagnostic::texte_io(&e),
                chemin.display()
            )
        })?;
        let h = t.trim().to_string();
        if PasswordHash::new(&h).is_err() || !h.starts_with("$argon2") {
            return Err(format!(
                "erreur {E140} : fichier de mot de passe {} : empreinte Argon2 attendue (texte « $argon2id$… »), le fichier n'en contient pas (conseil : créez-le avec « bonus-ctg serveur --creer-mot-de-passe {} »)",
                chemin.display(),
                chemin.display()
            ));
        }
        Ok(Acces::MotDePasse(h))
    }
}

/// The Argon2id hash (PHC string) of `mot_de_passe`, with a random salt.
pub fn empreinte_mot_de_passe(mot_de_passe: &str) -> Result<String, String> {
    let sel = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(mot_de_passe.as_bytes(), &sel)
        .map(|h| h.to_string())
        .map_err(|e| format!("erreur {E140} : empreinte du mot de passe impossible : {e}"))
}

/// Whether `mot_de_passe` matches the hash (constant-time comparison inside `argon2`).
pub fn verifier_mot_de_passe(empreinte: &str, mot_de_passe: &str) -> bool {
    PasswordHash::new(empreinte).is_ok_and(|h| {
        Argon2::default()
            .verify_password(mot_de_passe.as_bytes(), &h)
            .is_ok()
    })
}

/// `bonus-ctg serveur --creer-mot-de-passe F`: the password read from `entree` (its first
/// line), its hash written to a new file `F` (readable by its owner only).
pub fn creer_fichier_mot_de_passe(
    chemin: &Path,
    entree: &mut dyn std::io::BufRead,
) -> Result<(), String> {
    let mut ligne = String::new();
    entree.read_line(&mut ligne).map_err(|e| {
        format!(
            "erreur {E140} : mot de passe illisible sur l'entrée standard : {}",
            crate::diagnostic::texte_io(&e)
        )
    })?;
    let mdp = ligne.trim_end_matches(['\n', '\r']);
    if mdp.chars().count() < MOT_DE_PASSE_MIN {
        return Err(format!(
            "erreur {E140} : mot de passe trop court : {} caractères (au moins {MOT_DE_PASSE_MIN}) (conseil : tapez le mot de passe puis Entrée, ou « echo 'phrase de passe' | bonus-ctg serveur --creer-mot-de-passe {} »)",
            mdp.chars().count(),
            chemin.display()
        ));
    }
    let h = empreinte_mot_de_passe(mdp)?;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(chemin).map_err(|e| {
        format!(
            "erreur {E140} : fichier de mot de passe {} impossible à créer : {} (conseil : donnez un nouveau nom de fichier ; un fichier existant n'est jamais remplacé)",
            chemin.display(),
            crate::diagnostic::texte_io(&e)
        )
    })?;
    std::io::Write::write_all(&mut f, format!("{h}\n").as_bytes()).map_err(|e| {
        format!(
            "erreur {E140} : fichier de mot de passe {} : écriture impossible : {}",
            chemin.display(),
            crate::diagnostic::texte_io(&e)
        )
    })
}

/// Whether every address `adresse` names is a loopback one (`false` when it cannot be
/// resolved: the bind then says why).
pub fn adresse_locale(adresse: &str) -> Option<bool> {
    use std::net::ToSocketAddrs;
    let v: Vec<_> = adresse.to_socket_addrs().ok()?.collect();
    if v.is_empty() {
        return None;
    }
    Some(v.iter().all(|a| a.ip().is_loopback()))
}

/// 128 bits from the operating system's generator, in hex.
pub fn aleatoire_os() -> String {
    let mut o = [0u8; 16];
    OsRng.fill_bytes(&mut o);
    o.iter().map(|b| format!("{b:02x}")).collect()
}

/// The open sessions: identifier → end (seconds of the server's clock).
#[derive(Default)]
pub struct Sessions(Mutex<HashMap<String, u64>>);

impl Sessions {
    fn ouvrir(&self, maintenant: u64) -> String {
        let id = aleatoire_os();
        let mut m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.retain(|_, fin| *fin > maintenant);
        if m.len() >= SESSIONS_MAX {
            // the one closest to its end goes
            if let Some(k) = m.iter().min_by_key(|(_, f)| **f).map(|(k, _)| k.clone()) {
                m.remove(&k);
            }
        }
        m.insert(id.clone(), maintenant + DUREE_SESSION);
        id
    }
    fn valide(&self, id: &str, maintenant: u64) -> bool {
        let m = self.0.lock().unwrap_or_else(|e| e.into_inner());
        m.get(id).is_some_and(|fin| *fin > maintenant)
    }
    fn fermer(&self, id: &str) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }
}

fn cookie(h: &HeaderMap, nom: &str) -> Option<String> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, v)| *k == nom && v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(|(_, v)| v.to_string())
}

/// A French error as a page, or as the API's JSON for `/api/…`.
pub fn erreur_selon(
    api: bool,
    statut: StatusCode,
    code: Code,
    message: &str,
    conseil: &str,
) -> Response {
    if api {
        super::api::erreur_simple(statut, code, &format!("{message} ({conseil})"))
    } else {
        erreur(statut, code, message, conseil)
    }
}

// ---------------------------------------------------------------------------------------
// Limits: time and concurrent computations

/// The computations' semaphore and the longest wait for a turn.
#[derive(Clone)]
pub struct Limite {
    pub calculs: Arc<Semaphore>,
    pub attente: Duration,
}

tokio::task_local! {
    static LIMITE: Limite;
}

/// A turn to compute: `Ok(None)` outside a request (no limit), `Err(())` when the server
/// stayed busy for the whole wait.
pub async fn permis() -> Result<Option<OwnedSemaphorePermit>, ()> {
    let Ok(l) = LIMITE.try_with(Clone::clone) else {
        return Ok(None);
    };
    match tokio::time::timeout(l.attente, l.calculs.acquire_owned()).await {
        Ok(Ok(p)) => Ok(Some(p)),
        _ => Err(()),
    }
}

/// A body over the limit: 413 (E130).
pub fn trop_gros(api: bool) -> Response {
    erreur_selon(
        api,
        StatusCode::PAYLOAD_TOO_LARGE,
        Code::E130,
        "fichier trop gros : plus de 20 Mo",
        "déposez un fichier de 20 Mo au plus (un classeur-dossier ordinaire fait moins de 1 Mo)",
    )
}

/// The « serveur occupé » answer (503, E142).
pub fn occupe(api: bool) -> Response {
    erreur_selon(
        api,
        StatusCode::SERVICE_UNAVAILABLE,
        Code::E142,
        "serveur occupé : trop de calculs en cours, votre demande n'a pas pu être traitée à temps",
        "réessayez dans une minute",
    )
}

/// Middleware: the request's time limit, the computations' semaphore and, with a
/// password, the session.
pub async fn garde(State(etat): State<EtatPartage>, req: Request, next: Next) -> Response {
    let chemin = req.uri().path().to_string();
    let api = chemin.starts_with("/api/");
    // a body announced over the limit is refused before reading any of it
    let annonce = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if annonce.is_some_and(|n| n > super::CORPS_MAX as u64) {
        return trop_gros(api);
    }
    if let super::securite::Acces::MotDePasse(_) = etat.acces {
        let public =
            chemin == "/connexion" || chemin == "/sante" || chemin.starts_with("/statique/");
        let ok = cookie(req.headers(), COOKIE_SESSION)
            .is_some_and(|s| etat.sessions.valide(&s, (etat.horloge)()));
        if !public && !ok {
            return if api {
                super::api::erreur_simple(
                    StatusCode::UNAUTHORIZED,
                    Code::E144,
                    "connexion demandée : ce serveur est protégé par un mot de passe (conseil : ouvrez une session avec POST /connexion et gardez son cookie, voir docs/api.md)",
                )
            } else {
                Redirect::to("/connexion").into_response()
            };
        }
    }
    let limite = Limite {
        calculs: etat.calculs.clone(),
        attente: etat.attente_calcul,
    };
    match tokio::time::timeout(etat.delai_requete, LIMITE.scope(limite, next.run(req))).await {
        Ok(r) => r,
        Err(_) => erreur_selon(
            api,
            StatusCode::GATEWAY_TIMEOUT,
            Code::E141,
            &{
                let s = etat.delai_requete.as_secs_f64().ceil() as u64;
                format!(
                    "délai dépassé : la demande n'a pas abouti en {s} seconde{}",
                    if s > 1 { "s" } else { "" }
                )
            },
            "réessayez ; si cela se répète, le serveur est surchargé ou le dossier trop gros",
        ),
    }
}

// ---------------------------------------------------------------------------------------
// Login page

fn page_connexion(j: &Jeton, message: Option<&str>) -> String {
    let corps = format!(
        "<section class=\"carte-depot\"><h1>Connexion</h1>{}<p>Ce serveur est protégé par un mot de passe commun, donné par la personne qui l'a installé.</p><form method=\"post\" action=\"/connexion\">{}<label for=\"mot_de_passe\">Mot de passe</label> <input type=\"password\" id=\"mot_de_passe\" name=\"mot_de_passe\" autocomplete=\"current-password\" required autofocus> <button type=\"submit\">Se connecter</button></form></section>",
        message
            .map(|m| format!("<p class=\"erreur\" role=\"alert\">{}</p>", esc(m)))
            .unwrap_or_default(),
        j.champ()
    );
    gabarit("Connexion", Onglet::Accueil, None, "", &corps).0
}

pub async fn connexion(
    State(etat): State<EtatPartage>,
    Extension(j): Extension<Jeton>,
) -> Response {
    match etat.acces {
        Acces::MotDePasse(_) => axum::response::Html(page_connexion(&j, None)).into_response(),
        _ => Redirect::to("/").into_response(),
    }
}

#[derive(serde::Deserialize)]
pub struct FormConnexion {
    jeton: Option<String>,
    #[serde(default)]
    mot_de_passe: String,
}

pub async fn connecter(
    State(etat): State<EtatPartage>,
    Extension(j): Extension<Jeton>,
    Form(f): Form<FormConnexion>,
) -> Response {
    let Acces::MotDePasse(h) = etat.acces.clone() else {
        return Redirect::to("/").into_response();
    };
    if let Err(r) = j.verifier(f.jeton.as_deref()) {
        return r;
    }
    let mdp: String = f.mot_de_passe.chars().take(1024).collect();
    // Argon2 is costly on purpose: a check takes a computation's turn (a flood of logins
    // cannot take all the cores)
    let Ok(tour) = permis().await else {
        return occupe(false);
    };
    let bon = tokio::task::spawn_blocking(move || {
        let _tour = tour;
        verifier_mot_de_passe(&h, &mdp)
    })
    .await
    .unwrap_or(false);
    if !bon {
        return (
            StatusCode::UNAUTHORIZED,
            axum::response::Html(page_connexion(
                &j,
                Some(&format!(
                    "Erreur {} — mot de passe incorrect (conseil : vérifiez la touche Verr. Maj. et réessayez)",
                    Code::E143
                )),
            )),
        )
            .into_response();
    }
    let s = etat.sessions.ouvrir((etat.horloge)());
    let mut r = Redirect::to("/").into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{COOKIE_SESSION}={s}; Path=/; HttpOnly; SameSite=Strict; Max-Age={DUREE_SESSION}"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(serde::Deserialize)]
pub struct FormJeton {
    jeton: Option<String>,
}

pub async fn deconnecter(
    State(etat): State<EtatPartage>,
    Extension(j): Extension<Jeton>,
    headers: HeaderMap,
    Form(f): Form<FormJeton>,
) -> Response {
    if let Err(r) = j.verifier(f.jeton.as_deref()) {
        return r;
    }
    if let Some(s) = cookie(&headers, COOKIE_SESSION) {
        etat.sessions.fermer(&s);
    }
    let mut r = Redirect::to("/connexion").into_response();
    r.headers_mut().append(
        header::SET_COOKIE,
        HeaderValue::from_static(
            "bonus_ctg_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0",
        ),
    );
    r
}

/// The sessions of a server (created by [`super::application_avec`]).
pub fn sessions() -> Sessions {
    Sessions::default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empreinte_verifiee_et_sessions_perimees() {
        let h = empreinte_mot_de_passe("une phrase de passe").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verifier_mot_de_passe(&h, "une phrase de passe"));
        assert!(!verifier_mot_de_passe(&h, "une phrase de passE"));
        assert!(!verifier_mot_de_passe("pas une empreinte", "x"));
        let s = Sessions::default();
        let id = s.ouvrir(1000);
        assert_eq!(id.len(), 32);
        assert!(s.valide(&id, 1000 + DUREE_SESSION - 1));
        assert!(!s.valide(&id, 1000 + DUREE_SESSION));
        assert!(!s.valide("0123", 1000));
        s.fermer(&id);
        assert!(!s.valide(&id, 1001));
    }

    #[test]
    fn adresses_locales() {
        assert_eq!(adresse_locale("127.0.0.1:8080"), Some(true));
        assert_eq!(adresse_locale("[::1]:8080"), Some(true));
        assert_eq!(adresse_locale("0.0.0.0:8080"), Some(false));
        assert_eq!(adresse_locale("192.168.1.10:80"), Some(false));
        assert_eq!(adresse_locale("pas-une-adresse"), None);
    }
}
