//! The web application (`bonus-ctg serveur`): one process (axum on tokio), every page,
//! style and script embedded in the binary, French throughout. Pages, one module each:
//! [`accueil`] (upload or open a fixture), [`resultat`] (figures, charts, table,
//! explanations, downloads), [`simulation`] (edit the scenario, recompute, differences,
//! undo), [`verifier`] (a Caf notification), [`projection`], [`bareme`].
//!
//! Security: forms carry a per-browser token equal to a `SameSite=Strict` cookie (a form
//! posted from another site has neither), every user value is escaped with
//! [`crate::rapport::html::esc`], no user path reaches the file system (uploads are read
//! from memory, fixtures are embedded), request bodies are limited ([`TAILLE_MAX_DEPOT`]),
//! and the library work runs on a blocking thread whose panic becomes a French error page.

// An error is a whole French page (`Response`, 128 bytes), returned once per request: no
// point boxing it.
#![allow(clippy::result_large_err)]

pub mod accueil;
pub mod api;
pub mod bareme;
pub mod dossier;
pub mod journal;
pub mod projection;
pub mod regles;
mod rejets;
use rejets::rejet_en_francais;
pub use rejets::{champ_repete, premier_champ_repete};
pub mod resultat;
pub mod scenarios;
pub mod securite;
pub mod simulation;
pub mod stockage;
pub mod telechargement;
pub mod verifier;

use crate::diagnostic::Code;
use crate::rapport::html::esc;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// Largest upload (dossier or notification): 20 MB.
pub const TAILLE_MAX_DEPOT: usize = 20 * 1024 * 1024;
/// Largest request body: an upload and its form fields.
pub const CORPS_MAX: usize = TAILLE_MAX_DEPOT + 64 * 1024;
/// Dossiers kept in memory without `--base` (least recently used dropped first).
pub const CAPACITE_MEMOIRE: usize = 100;
/// Name of the form-token cookie.
pub const COOKIE_JETON: &str = "bonus_ctg_jeton";

/// Each request is answered within 2 minutes (a 20 MB upload on a slow link included).
pub const DELAI_REQUETE: Duration = Duration::from_secs(120);
/// A computation waits at most 60 s for its turn.
pub const ATTENTE_CALCUL: Duration = Duration::from_secs(60);

/// How the server runs.
#[derive(Clone)]
pub struct Options {
    /// `--base`: the SQLite file (`None`: in memory).
    pub base: Option<PathBuf>,
    pub acces: securite::Acces,
    /// Longest time to answer a request (then `504`, E141).
    pub delai_requete: Duration,
    /// Computations run at once (default: the machine's cores).
    pub calculs_max: usize,
    /// Longest wait for a computation's turn (then `503`, E142).
    pub attente_calcul: Duration,
    /// The clock (seconds since 1970 UTC): sessions, expiry in memory, journal.
    pub horloge: stockage::Horloge,
}

impl Options {
    /// Defaults: in memory or `base`, loopback without login.
    pub fn defaut(base: Option<&Path>) -> Self {
        Options {
            base: base.map(Path::to_path_buf),
            acces: securite::Acces::Local,
            delai_requete: DELAI_REQUETE,
            calculs_max: std::thread::available_parallelism().map_or(2, |n| n.get()),
            attente_calcul: ATTENTE_CALCUL,
            horloge: stockage::horloge_systeme(),
        }
    }
}

/// Shared state of the server.
pub struct Etat {
    pub magasin: stockage::Magasin,
    pub acces: securite::Acces,
    pub sessions: securite::Sessions,
    /// Turns of computation (bounded concurrency).
    pub calculs: Arc<tokio::sync::Semaphore>,
    pub attente_calcul: Duration,
    pub delai_requete: Duration,
    pub horloge: stockage::Horloge,
}

pub type EtatPartage = Arc<Etat>;

/// The router with its state: in memory (`base` = `None`) or in a SQLite file.
pub fn application(base: Option<&Path>) -> Result<Router, String> {
    application_avec(Options::defaut(base)).map(|(r, _)| r)
}

/// The router and its shared state, with all the options.
pub fn application_avec(o: Options) -> Result<(Router, EtatPartage), String> {
    let magasin = match &o.base {
        Some(p) => stockage::Magasin::ouvrir_horloge(p, o.horloge.clone())?,
        None => stockage::Magasin::memoire_horloge(
            CAPACITE_MEMOIRE,
            stockage::MEMOIRE_OCTETS_MAX,
            o.horloge.clone(),
        ),
    };
    let etat = Arc::new(Etat {
        magasin,
        acces: o.acces,
        sessions: securite::sessions(),
        calculs: Arc::new(tokio::sync::Semaphore::new(o.calculs_max.max(1))),
        attente_calcul: o.attente_calcul,
        delai_requete: o.delai_requete,
        horloge: o.horloge,
    });
    Ok((routeur(etat.clone()), etat))
}

fn routeur(etat: EtatPartage) -> Router {
    Router::new()
        .route("/", get(accueil::page))
        .route(
            "/connexion",
            get(securite::connexion).post(securite::connecter),
        )
        .route("/deconnexion", post(securite::deconnecter))
        .route("/journal", get(journal::page))
        .route("/scenarios", get(scenarios::liste))
        .route("/scenarios/{sid}", get(scenarios::detail))
        .route("/scenarios/{sid}/ouvrir", post(scenarios::rouvrir))
        .route("/d/{id}/scenario", post(scenarios::enregistrer))
        .route("/sante", get(api::sante))
        .route("/api/calculer", post(api::calculer))
        .route("/api/projeter", post(api::projeter))
        .route("/api/verifier", post(api::verifier))
        .route("/api/expliquer", post(api::expliquer))
        .route("/deposer", post(accueil::deposer))
        .route("/ouvrir", post(accueil::ouvrir))
        .route("/bareme", get(bareme::page_integre))
        .route("/regles", get(regles::page))
        .route("/modele.xlsx", get(accueil::modele_vierge))
        .route("/statique/app.css", get(feuille_style))
        .route("/statique/app.js", get(script))
        .route("/d/{id}", get(resultat::page))
        .route("/d/{id}/structure/{sid}", get(resultat::structure))
        .route("/d/{id}/structure", get(resultat::structure_par_requete))
        .route(
            "/d/{id}/telecharger/{fichier}",
            get(telechargement::telecharger),
        )
        .route(
            "/d/{id}/simulation",
            get(simulation::page).post(simulation::modifier),
        )
        .route("/d/{id}/simulation/ajouter", post(simulation::ajouter))
        .route("/d/{id}/simulation/annuler", post(simulation::annuler))
        .route(
            "/d/{id}/simulation/reinitialiser",
            post(simulation::reinitialiser),
        )
        .route(
            "/d/{id}/verifier",
            get(verifier::page).post(verifier::verifier),
        )
        .route("/d/{id}/projection", get(projection::page))
        .route("/d/{id}/bareme", get(bareme::page_dossier))
        .fallback(introuvable)
        .layer(DefaultBodyLimit::max(CORPS_MAX))
        .layer(middleware::from_fn_with_state(
            etat.clone(),
            securite::garde,
        ))
        .layer(middleware::from_fn(entetes))
        .with_state(etat)
}

/// Serves on `adresse` until Ctrl-C or SIGTERM (graceful shutdown). An address other than
/// the loopback needs a password or `--sans-authentification` (E140).
pub fn lancer(adresse: &str, options: Options) -> Result<(), String> {
    if options.acces == securite::Acces::Local && securite::adresse_locale(adresse) == Some(false) {
        return Err(format!(
            "erreur {} : adresse « {adresse} » ouverte aux autres machines sans contrôle d'accès : démarrage refusé (conseil : protégez le serveur par un mot de passe, « bonus-ctg serveur --creer-mot-de-passe mdp.txt » puis « --mot-de-passe-fichier mdp.txt », ou, sur un réseau de confiance, ajoutez --sans-authentification ; sans ces options, gardez --adresse 127.0.0.1:8080)",
            securite::E140
        ));
    }
    let base = options.base.clone();
    let base = base.as_deref();
    let protection = match &options.acces {
        securite::Acces::MotDePasse(_) => "accès par mot de passe",
        securite::Acces::SansAuthentification => "sans authentification",
        securite::Acces::Local => "cette machine seulement",
    };
    let (app, _) = application_avec(options)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("erreur E139 : démarrage du serveur impossible : {e}"))?;
    rt.block_on(async move {
        let ecoute = tokio::net::TcpListener::bind(adresse).await.map_err(|e| {
            format!(
                "erreur E139 : adresse « {adresse} » inutilisable : {} (conseil : choisissez un autre port avec --adresse 127.0.0.1:8081)",
                match e.kind() {
                    std::io::ErrorKind::AddrInUse => "adresse déjà utilisée (un autre programme écoute sur ce port)".to_string(),
                    std::io::ErrorKind::AddrNotAvailable => "adresse absente de cette machine".to_string(),
                    std::io::ErrorKind::PermissionDenied => "permission refusée (un port inférieur à 1024 demande les droits d'administrateur)".to_string(),
                    std::io::ErrorKind::InvalidInput => "adresse invalide : IP:PORT attendu, par exemple 127.0.0.1:8080".to_string(),
                    _ => crate::diagnostic::texte_io(&e),
                }
            )
        })?;
        let vraie = ecoute.local_addr().map_err(|e| e.to_string())?;
        let _ = std::io::Write::write_all(
            &mut std::io::stderr(),
            format!(
                "bonus-ctg : application web sur http://{vraie}/ ({protection} ; {}) — Ctrl-C pour arrêter\n",
                match base {
                    Some(b) => format!("dossiers gardés dans {}", b.display()),
                    None => format!(
                        "dossiers gardés en mémoire, au plus {CAPACITE_MEMOIRE}"
                    ),
                }
            )
            .as_bytes(),
        );
        axum::serve(ecoute, app)
            .with_graceful_shutdown(arret())
            .await
            .map_err(|e| format!("erreur E139 : serveur arrêté sur une erreur : {e}"))?;
        let _ = std::io::Write::write_all(&mut std::io::stderr(), b"bonus-ctg : serveur arr\xc3\xaat\xc3\xa9\n");
        Ok(())
    })
}

/// Ctrl-C (SIGINT) or SIGTERM.
async fn arret() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

// ---------------------------------------------------------------------------------------
// Form token (CSRF)

/// The browser's form token, from its cookie, or a new one (`nouveau`) set by [`entetes`].
#[derive(Debug, Clone)]
pub struct Jeton {
    pub valeur: String,
    pub nouveau: bool,
}

impl Jeton {
    /// A posted form is accepted only with the cookie's value (a cross-site form has
    /// neither the cookie, which is `SameSite=Strict`, nor the value).
    pub fn verifier(&self, poste: Option<&str>) -> Result<(), Response> {
        if !self.nouveau && poste.is_some_and(|p| egal_temps_constant(p, &self.valeur)) {
            Ok(())
        } else {
            Err(erreur(
                StatusCode::FORBIDDEN,
                Code::E137,
                "formulaire refusé : jeton de formulaire absent ou périmé",
                "rechargez la page (les cookies doivent être acceptés pour ce site) et envoyez le formulaire à nouveau",
            ))
        }
    }
    /// The hidden field every form carries.
    pub fn champ(&self) -> String {
        format!(
            "<input type=\"hidden\" name=\"jeton\" value=\"{}\">",
            esc(&self.valeur)
        )
    }
}

fn egal_temps_constant(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// 128 random bits in hex, from the operating system's generator: dossier identifiers and
/// form tokens.
pub fn aleatoire() -> String {
    securite::aleatoire_os()
}

fn jeton_du_cookie(h: &HeaderMap) -> Option<String> {
    h.get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, v)| {
            *k == COOKIE_JETON && v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit())
        })
        .map(|(_, v)| v.to_string())
}

/// Middleware: the form token (cookie set when new) and the security headers.
async fn entetes(mut req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/api/");
    let jeton = match jeton_du_cookie(req.headers()) {
        Some(v) => Jeton {
            valeur: v,
            nouveau: false,
        },
        None => Jeton {
            valeur: aleatoire(),
            nouveau: true,
        },
    };
    req.extensions_mut().insert(jeton.clone());
    let mut rep = rejet_en_francais(api, next.run(req).await).await;
    let h = rep.headers_mut();
    if jeton.nouveau {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{COOKIE_JETON}={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=31536000",
            jeton.valeur
        )) {
            h.append(header::SET_COOKIE, v);
        }
    }
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self' 'unsafe-inline'; script-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    rep
}

// ---------------------------------------------------------------------------------------
// Pages

/// Tabs of a dossier's pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Onglet {
    Accueil,
    Resultat,
    Simulation,
    Verifier,
    Projection,
    Bareme,
    Scenarios,
    Journal,
    Regles,
}

/// The dossier a page is about: its identifier and its name.
pub struct Contexte<'a> {
    pub id: &'a str,
    pub nom: &'a str,
}

/// A whole page: head, navigation, `corps` (already escaped HTML), footer. `style`: extra
/// CSS (the report's, for its charts).
pub fn gabarit(
    titre: &str,
    onglet: Onglet,
    d: Option<&Contexte<'_>>,
    style: &str,
    corps: &str,
) -> Html<String> {
    let mut nav = String::from("<nav class=\"onglets\" aria-label=\"Pages\"><a href=\"/\"");
    if onglet == Onglet::Accueil {
        nav.push_str(" aria-current=\"page\"");
    }
    nav.push_str(">Accueil</a>");
    for (o, chemin, libelle) in [
        (Onglet::Scenarios, "/scenarios", "Scénarios"),
        (Onglet::Journal, "/journal", "Journal"),
        (Onglet::Regles, "/regles", "Règles"),
    ] {
        nav.push_str(&format!(
            "<a href=\"{chemin}\"{}>{libelle}</a>",
            if o == onglet {
                " aria-current=\"page\""
            } else {
                ""
            }
        ));
    }
    match d {
        Some(c) => {
            for (o, chemin, libelle) in [
                (Onglet::Resultat, "", "Résultat"),
                (Onglet::Simulation, "/simulation", "Simulation"),
                (Onglet::Verifier, "/verifier", "Vérifier"),
                (Onglet::Projection, "/projection", "Projection"),
                (Onglet::Bareme, "/bareme", "Barème"),
            ] {
                nav.push_str(&format!(
                    "<a href=\"/d/{}{chemin}\"{}>{libelle}</a>",
                    esc(c.id),
                    if o == onglet {
                        " aria-current=\"page\""
                    } else {
                        ""
                    }
                ));
            }
            nav.push_str(&format!(
                "<span class=\"dossier\" title=\"dossier ouvert\">{}</span>",
                esc(c.nom)
            ));
        }
        None => nav.push_str(&format!(
            "<a href=\"/bareme\"{}>Barème</a>",
            if onglet == Onglet::Bareme {
                " aria-current=\"page\""
            } else {
                ""
            }
        )),
    }
    nav.push_str("</nav>");
    Html(format!(
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{} — bonus-ctg</title>\n{}<link rel=\"stylesheet\" href=\"/statique/app.css\">\n<script src=\"/statique/app.js\" defer></script>\n</head>\n<body>\n<header class=\"bandeau\"><p class=\"marque\">bonus-ctg · bonus territoire CTG</p>{nav}</header>\n<main id=\"contenu\">\n{corps}\n</main>\n<footer class=\"pied\">bonus-ctg {} — calcul exact au centime, sur cette machine : aucun fichier n'est envoyé ailleurs.</footer>\n</body>\n</html>\n",
        esc(titre),
        if style.is_empty() {
            String::new()
        } else {
            format!("<style>{style}</style>\n")
        },
        env!("CARGO_PKG_VERSION")
    ))
}

/// A French error page with its code and advice.
pub fn erreur(statut: StatusCode, code: Code, message: &str, conseil: &str) -> Response {
    let corps = format!(
        "<section class=\"erreur\"><h1>Erreur {}</h1><p class=\"message\">{}</p><p class=\"conseil\">Conseil : {}</p><p><a href=\"/\">Retour à l'accueil</a></p></section>",
        esc(code.as_str()),
        esc(message),
        esc(conseil)
    );
    (statut, gabarit("Erreur", Onglet::Accueil, None, "", &corps)).into_response()
}

/// A page listing the located diagnostics of an invalid dossier (status 422).
pub fn page_diagnostics(titre: &str, diags: &crate::diagnostic::Diagnostics) -> Response {
    let mut corps = format!(
        "<section class=\"erreur\"><h1>{}</h1><p>{}</p>",
        esc(titre),
        esc(&diags.resume())
    );
    corps.push_str(&liste_diagnostics(diags));
    corps.push_str("<p><a href=\"/\">Retour à l'accueil</a></p></section>");
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        gabarit(titre, Onglet::Accueil, None, "", &corps),
    )
        .into_response()
}

/// The diagnostics as an HTML list (errors first), each with its file, cell or line.
pub fn liste_diagnostics(diags: &crate::diagnostic::Diagnostics) -> String {
    let mut o = String::from("<ul class=\"diagnostics\">");
    for d in diags.erreurs().chain(diags.avertissements()) {
        o.push_str(&format!(
            "<li class=\"{}\">{}</li>",
            if d.est_erreur() { "err" } else { "avert" },
            esc(&d.to_string())
        ));
    }
    if let Some(d) = diags.omis() {
        o.push_str(&format!("<li>{}</li>", esc(&d.to_string())));
    }
    o.push_str("</ul>");
    o
}

/// Runs library work on a blocking thread: a panic there gives a French error page (E139),
/// never a dead server.
pub async fn travail<T, F>(f: F) -> Result<T, Response>
where
    F: FnOnce() -> Result<T, Response> + Send + 'static,
    T: Send + 'static,
{
    let permis = securite::permis()
        .await
        .map_err(|()| securite::occupe(false))?;
    match tokio::task::spawn_blocking(move || {
        let _tour = permis;
        f()
    })
    .await
    {
        Ok(r) => r,
        Err(_) => Err(erreur(
            StatusCode::INTERNAL_SERVER_ERROR,
            Code::E139,
            "erreur interne pendant le traitement de ce dossier (le serveur continue)",
            "vérifiez le fichier, puis signalez le problème avec le fichier en cause",
        )),
    }
}

async fn introuvable() -> Response {
    erreur(
        StatusCode::NOT_FOUND,
        Code::E136,
        "page introuvable",
        "revenez à l'accueil et ouvrez un dossier",
    )
}

async fn feuille_style() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("assets/app.css"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("assets/app.js"),
    )
}

/// The `<style>` content of a report page and its body (between `<body>` and `</body>`).
pub fn style_et_corps(rapport: &str) -> (&str, &str) {
    let style = entre(rapport, "<style>", "</style>").unwrap_or("");
    let corps = entre(rapport, "<body>", "</body>").unwrap_or("");
    (style, corps)
}

/// The text between `debut` and the first `fin` after it.
pub fn entre<'a>(s: &'a str, debut: &str, fin: &str) -> Option<&'a str> {
    let i = s.find(debut)? + debut.len();
    let j = s[i..].find(fin)? + i;
    Some(&s[i..j])
}

/// A report section `<section id="ID">…</section>` (sections do not nest in the reports).
pub fn section<'a>(rapport: &'a str, id: &str) -> Option<&'a str> {
    let debut = format!("<section id=\"{id}\"");
    let i = rapport.find(&debut)?;
    let j = rapport[i..].find("</section>")? + i + "</section>".len();
    Some(&rapport[i..j])
}

/// State extractor shortcut.
pub type S = State<EtatPartage>;
