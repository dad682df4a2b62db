//! Requests refused before any work: a form field sent twice, and the rejections axum
//! answers itself (in English) said in French.

use super::*;

/// A form field sent more than once: refused (400, E146), a page or the API's JSON. No form
/// of the application repeats a field, and keeping the first or the last value would drop
/// the other without a word (two `dossier` files: which one was computed?).
pub fn champ_repete(api: bool, nom: &str) -> Response {
    // (the name as sent, shortened, its invisible characters shown)
    let nom: String = crate::lecture::texte::montrer_invisibles(nom)
        .chars()
        .take(80)
        .collect();
    securite::erreur_selon(
        api,
        StatusCode::BAD_REQUEST,
        Code::E146,
        &format!(
            "requête mal formée : champ « {nom} » envoyé plusieurs fois (une seule valeur attendue)"
        ),
        if api {
            "envoyez chaque champ une seule fois, voir docs/api.md"
        } else {
            "rechargez la page et envoyez le formulaire à nouveau"
        },
    )
}

/// The first field name of `champs` sent a second time.
pub fn premier_champ_repete<'a>(champs: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let mut vus = std::collections::HashSet::new();
    champs.into_iter().find(|n| !vus.insert(*n))
}

/// A client error answered by axum itself (an extractor's rejection: plain English text or
/// an empty body) becomes a French error (E146), a page or the API's JSON, same status.
/// A field sent twice to a form read by serde (`Form`, `Query`) is refused by axum with
/// « … duplicate field `nom` »: said as [`champ_repete`].
pub(super) async fn rejet_en_francais(api: bool, rep: Response) -> Response {
    let statut = rep.status();
    let texte_brut = rep
        .headers()
        .get(header::CONTENT_TYPE)
        .is_none_or(|v| v.as_bytes().starts_with(b"text/plain"));
    if !statut.is_client_error() || !texte_brut {
        return rep;
    }
    let (parts, corps) = rep.into_parts();
    // (axum's messages are a line; a longer body is not one of them)
    let texte = axum::body::to_bytes(corps, 4096).await.unwrap_or_default();
    if let Some(nom) = String::from_utf8_lossy(&texte)
        .split_once("duplicate field `")
        .and_then(|(_, reste)| reste.split_once('`'))
        .map(|(nom, _)| nom.to_string())
    {
        return champ_repete(api, &nom);
    }
    let rep = Response::from_parts(parts, axum::body::Body::from(texte));
    let (message, conseil) = match statut {
        StatusCode::PAYLOAD_TOO_LARGE => (
            "requête trop grosse : plus de 20 Mo".to_string(),
            "déposez un fichier de 20 Mo au plus",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "type de contenu non pris en charge : formulaire multipart/form-data (fichiers) ou application/x-www-form-urlencoded attendu".to_string(),
            "envoyez le formulaire de la page, ou, avec curl, utilisez -F champ=@fichier",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "méthode non permise à cette adresse".to_string(),
            "ouvrez la page depuis l'accueil (un formulaire s'envoie avec POST, une page s'ouvre avec GET)",
        ),
        s => (
            format!(
                "requête mal formée (statut {}) : formulaire incomplet ou illisible",
                s.as_u16()
            ),
            "rechargez la page et envoyez le formulaire à nouveau ; avec l'API, voir docs/api.md",
        ),
    };
    let mut r = securite::erreur_selon(api, statut, Code::E146, &message, conseil);
    if let Some(a) = rep.headers().get(header::ALLOW) {
        r.headers_mut().insert(header::ALLOW, a.clone());
    }
    r
}
