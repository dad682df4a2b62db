//! Named scenarios: the Simulation page saves the dossier and its steps under a name
//! (`POST /d/{id}/scenario`); `/scenarios` lists the ones saved from this browser (the
//! owner is a fingerprint of its form-token cookie); `/scenarios/{sid}` shows one to
//! whoever has its unguessable link, and « Rouvrir » opens a new copy of it in Simulation.

use super::stockage::Enregistrement;
use super::{erreur, gabarit, Jeton, Onglet, S};
use crate::diagnostic::Code;
use crate::rapport::html::esc;
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;

/// Longest scenario name.
pub const NOM_MAX: usize = 120;

/// The owner of the scenarios saved from a browser: SHA-256 of its cookie (the cookie's
/// value itself, the form token, is never stored).
pub fn proprietaire(j: &Jeton) -> String {
    super::journal::sha256(j.valeur.as_bytes())[..32].to_string()
}

fn e139(m: &str) -> Response {
    erreur(
        StatusCode::INTERNAL_SERVER_ERROR,
        Code::E139,
        m,
        "vérifiez le fichier de la base (--base)",
    )
}

/// A scenario name: trimmed, 1 to [`NOM_MAX`] characters, no control nor invisible
/// character (E145).
pub fn nom_valide(nom: &str) -> Result<String, String> {
    let n = nom.trim();
    // (a direction mark would show the name backwards to the colleague it is given to: the
    // characters refused in an identifier and in the place of signature)
    if n.is_empty()
        || n.chars().count() > NOM_MAX
        || crate::lecture::texte::caractere_invisible(n).is_some()
    {
        Err(format!(
            "nom de scénario refusé : « {} » (texte de 1 à {NOM_MAX} caractères attendu, sans caractère de contrôle ni invisible)",
            crate::lecture::texte::montrer_invisibles(
                &n.chars().filter(|c| !c.is_control()).take(NOM_MAX).collect::<String>()
            )
        ))
    } else {
        Ok(n.to_string())
    }
}

#[derive(serde::Deserialize)]
pub struct FormScenario {
    jeton: Option<String>,
    #[serde(default)]
    nom: String,
}

/// `POST /d/{id}/scenario` (`nom`): saves the dossier `id` as it is now.
pub async fn enregistrer(
    etat: S,
    Path(id): Path<String>,
    Extension(j): Extension<Jeton>,
    Form(f): Form<FormScenario>,
) -> Response {
    if let Err(r) = j.verifier(f.jeton.as_deref()) {
        return r;
    }
    let nom =
        match nom_valide(&f.nom) {
            Ok(n) => n,
            Err(m) => return erreur(
                StatusCode::UNPROCESSABLE_ENTITY,
                Code::E145,
                &m,
                "donnez un nom court au scénario, par exemple « Ouverture de 12 places en 2025 »",
            ),
        };
    let enr = match etat.magasin.lire(&id) {
        Ok(Some(e)) => e,
        Ok(None) => {
            return erreur(
                StatusCode::NOT_FOUND,
                Code::E136,
                "dossier inconnu : ce lien ne correspond à aucun dossier ouvert",
                "déposez à nouveau le dossier depuis l'accueil",
            )
        }
        Err(m) => return e139(&m),
    };
    match etat
        .magasin
        .enregistrer_scenario(&nom, &proprietaire(&j), &enr)
    {
        Ok(sid) => Redirect::to(&format!("/scenarios/{sid}")).into_response(),
        Err(m) => e139(&m),
    }
}

fn garde(etat: &super::Etat) -> &'static str {
    match etat.magasin {
        super::stockage::Magasin::Base(..) => "Les scénarios sont gardés dans la base (--base) : ils restent après un redémarrage du serveur.",
        super::stockage::Magasin::Memoire(..) => "Ce serveur n'enregistre pas les scénarios sur disque : il en garde 100 au plus en mémoire, oubliés 2 heures après leur dernière ouverture ou à son arrêt (pour les conserver, l'administrateur lance le serveur avec une base de données).",
    }
}

/// `GET /scenarios`: the scenarios saved from this browser.
pub async fn liste(etat: S, Extension(j): Extension<Jeton>) -> Response {
    let v = match etat.magasin.scenarios(&proprietaire(&j)) {
        Ok(v) => v,
        Err(m) => return e139(&m),
    };
    let mut corps = format!(
        "<h1>Scénarios enregistrés</h1><p class=\"intro\">Les scénarios enregistrés depuis ce navigateur (bouton « Enregistrer le scénario » de la page Simulation). Chacun a un lien à lui, que vous pouvez donner à un collègue. {}</p>",
        garde(&etat)
    );
    if v.is_empty() {
        corps.push_str("<p>Aucun scénario enregistré depuis ce navigateur.</p>");
    } else {
        corps.push_str("<div class=\"defile\"><table class=\"scenarios\"><thead><tr><th>Nom</th><th>Fichier déposé</th><th class=\"n\">Étapes</th><th>Enregistré le</th><th></th></tr></thead><tbody>");
        for s in &v {
            corps.push_str(&format!(
                "<tr data-id=\"{id}\"><td><a href=\"/scenarios/{id}\">{}</a></td><td>{}</td><td class=\"n\">{}</td><td>{}</td><td><form method=\"post\" action=\"/scenarios/{id}/ouvrir\">{}<button type=\"submit\">Rouvrir</button></form></td></tr>",
                esc(&s.nom),
                esc(&s.fichier),
                s.etapes,
                esc(&crate::rapport::heure_de_paris(s.quand)),
                j.champ(),
                id = esc(&s.id),
            ));
        }
        corps.push_str("</tbody></table></div>");
    }
    Html(gabarit("Scénarios", Onglet::Scenarios, None, "", &corps).0).into_response()
}

fn inconnu() -> Response {
    erreur(
        StatusCode::NOT_FOUND,
        Code::E136,
        "scénario inconnu : ce lien ne correspond à aucun scénario enregistré (sans --base, un scénario est oublié 2 heures après sa dernière ouverture)",
        "ouvrez la liste des scénarios, ou enregistrez le scénario à nouveau depuis la page Simulation",
    )
}

/// `GET /scenarios/{sid}`: one scenario, for whoever has its link.
pub async fn detail(etat: S, Path(sid): Path<String>, Extension(j): Extension<Jeton>) -> Response {
    let s = match etat.magasin.scenario(&sid) {
        Ok(Some(s)) => s,
        Ok(None) => return inconnu(),
        Err(m) => return e139(&m),
    };
    let n = s.dossier.etapes.len();
    let corps = format!(
        "<h1>Scénario « {} »</h1><dl class=\"aide\"><dt>Fichier déposé</dt><dd>{}</dd><dt>Modifications</dt><dd>{}</dd><dt>Enregistré le</dt><dd>{}</dd><dt>Empreinte SHA-256 du dossier</dt><dd><code>{}</code></dd></dl><form method=\"post\" action=\"/scenarios/{id}/ouvrir\">{}<button type=\"submit\">Rouvrir dans la page Simulation</button></form><p>Lien de ce scénario : <code>/scenarios/{id}</code>. {}</p><p><a href=\"/scenarios\">Tous les scénarios de ce navigateur</a></p>",
        esc(&s.nom),
        esc(&s.dossier.nom),
        match n {
            0 => "aucune (le dossier tel que déposé)".to_string(),
            1 => "1 étape de simulation".to_string(),
            n => format!("{n} étapes de simulation"),
        },
        esc(&crate::rapport::heure_de_paris(s.quand)),
        esc(&super::journal::empreinte(&s.dossier)),
        j.champ(),
        garde(&etat),
        id = esc(&s.id),
    );
    Html(
        gabarit(
            &format!("Scénario {}", s.nom),
            Onglet::Scenarios,
            None,
            "",
            &corps,
        )
        .0,
    )
    .into_response()
}

#[derive(serde::Deserialize)]
pub struct FormJeton {
    jeton: Option<String>,
}

/// `POST /scenarios/{sid}/ouvrir`: a new dossier from the scenario (the saved scenario
/// itself never changes), opened in Simulation.
pub async fn rouvrir(
    etat: S,
    Path(sid): Path<String>,
    Extension(j): Extension<Jeton>,
    Form(f): Form<FormJeton>,
) -> Response {
    if let Err(r) = j.verifier(f.jeton.as_deref()) {
        return r;
    }
    let s = match etat.magasin.scenario(&sid) {
        Ok(Some(s)) => s,
        Ok(None) => return inconnu(),
        Err(m) => return e139(&m),
    };
    let enr: Enregistrement = s.dossier;
    if let Err(r) = super::journal::journaliser(&etat, "scénario rouvert", enr.clone()).await {
        return r;
    }
    match etat.magasin.ajouter(enr) {
        Ok(id) => Redirect::to(&format!("/d/{id}/simulation")).into_response(),
        Err(m) => e139(&m),
    }
}
