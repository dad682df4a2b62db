//! Accueil: upload a dossier (workbook `.xlsx` or `.zip` of a folder dossier) or open one
//! of the embedded fixtures.

use super::dossier::{lire, EXEMPLES};
use super::stockage::{Enregistrement, Genre};
use super::{erreur, gabarit, page_diagnostics, Jeton, Onglet, S, TAILLE_MAX_DEPOT};
use crate::diagnostic::Code;
use crate::rapport::html::esc;
use axum::extract::{Form, Multipart};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::Extension;
use std::sync::Arc;

pub async fn page(etat: S, Extension(j): Extension<Jeton>) -> Html<String> {
    let mut exemples = String::new();
    for x in EXEMPLES {
        exemples.push_str(&format!(
            "<li><form method=\"post\" action=\"/ouvrir\">{}<input type=\"hidden\" name=\"exemple\" value=\"{}\"><button type=\"submit\">Ouvrir</button> {}</form></li>",
            j.champ(),
            esc(x.nom),
            esc(x.titre)
        ));
    }
    let corps = format!(
        "<h1>Calculer le bonus territoire d'une CTG</h1>\n\
<p class=\"intro\">Déposez le dossier d'une convention territoriale globale : le calcul est fait ici, au centime près, et rien n'est envoyé ailleurs.</p>\n\
<section class=\"carte-depot\"><h2>Déposer un dossier</h2>\n\
<form method=\"post\" action=\"/deposer\" enctype=\"multipart/form-data\" id=\"form-depot\">{jeton}\n\
<p>Pour commencer un dossier : <a href=\"/modele.xlsx\" download id=\"modele-vierge\">télécharger le classeur-dossier vierge</a> (une feuille par partie du dossier, avec la description de chaque colonne), le remplir, puis le déposer ici.</p>\n\
<label for=\"fichier\">Classeur-dossier <code>.xlsx</code> ou archive <code>.zip</code> d'un dossier (<code>convention.toml</code>, <code>structures.csv</code>, <code>charges_n1.csv</code>, et facultatifs <code>bareme.toml</code>, <code>evenements.csv</code>)</label>\n\
<input type=\"file\" id=\"fichier\" name=\"fichier\" accept=\".xlsx,.zip\" required>\n\
<button type=\"submit\">Calculer</button>\n</form>\n\
<p class=\"limites\">Limites : un fichier de 20 Mo au plus ; dans une archive zip, 1 000 entrées au plus, 20 Mo par fichier décompressé (2 Mo pour un fichier TOML) et 50 Mo en tout ; un classeur se décompresse en au plus 20 fois sa taille. Les dossiers ouverts sont gardés {garde}.</p>\n</section>\n\
<section><h2>Ou ouvrir un dossier d'exemple</h2><ul class=\"exemples\">{exemples}</ul></section>\n\
<section><h2>Les pages</h2><dl class=\"aide\">\n\
<dt>Résultat</dt><dd>total versé par la Caf, contributions des collectivités, graphiques, tableau par structure filtrable, explication de chaque montant, avertissements, téléchargements (classeur, CSV, JSON, rapport HTML, lettres de notification prêtes à signer).</dd>\n\
<dt>Simulation</dt><dd>modifier les unités, les mois, le soutien, l'annexe ou un montant N-1, ajouter ou retirer une structure : tout est recalculé, avec l'écart par structure.</dd>\n\
<dt>Vérifier</dt><dd>contrôler ligne par ligne une notification de la Caf (CSV ou XLSX).</dd>\n\
<dt>Projection</dt><dd>le bonus année par année jusqu'à la fin de la convention.</dd>\n\
<dt>Barème</dt><dd>les valeurs en vigueur (taux, forfaits, planchers…) avec leur date, leur statut et leur source.</dd>\n\
<dt>Règles</dt><dd>l'énoncé des règles de calcul, chacune avec son numéro (R16…), ses sources et son statut : chaque règle citée dans une explication y mène.</dd>\n\
<dt>Scénarios</dt><dd>les scénarios enregistrés depuis la page Simulation, à rouvrir.</dd>\n\
<dt>Journal</dt><dd>chaque calcul fait par ce serveur, avec l'empreinte du dossier, le barème et les totaux.</dd></dl></section>{deconnexion}",
        jeton = j.champ(),
        deconnexion = match etat.acces {
            super::securite::Acces::MotDePasse(_) => format!(
                "<form method=\"post\" action=\"/deconnexion\" class=\"deconnexion\">{}<button type=\"submit\">Se déconnecter</button></form>",
                j.champ()
            ),
            _ => String::new(),
        },
        garde = "en mémoire (les 100 derniers, 256 Mo au plus, oubliés 2 heures après leur dernière ouverture), ou dans la base de données du serveur quand il en a une",
    );
    gabarit("Accueil", Onglet::Accueil, None, "", &corps)
}

#[derive(serde::Deserialize)]
pub struct FormExemple {
    jeton: Option<String>,
    exemple: String,
}

/// Opens an embedded fixture (its name is checked against the list: no path).
pub async fn ouvrir(
    etat: S,
    Extension(j): Extension<Jeton>,
    Form(f): Form<FormExemple>,
) -> Response {
    if let Err(r) = j.verifier(f.jeton.as_deref()) {
        return r;
    }
    let Some(x) = EXEMPLES.iter().find(|x| x.nom == f.exemple) else {
        return erreur(
            StatusCode::NOT_FOUND,
            Code::E136,
            &format!("dossier d'exemple inconnu : « {} »", f.exemple),
            "choisissez un des exemples de l'accueil",
        );
    };
    enregistrer(
        &etat,
        Enregistrement {
            genre: Genre::Exemple,
            nom: x.nom.to_string(),
            octets: Arc::new(Vec::new()),
            etapes: Vec::new(),
        },
    )
    .await
}

/// Reads the dossier once (its errors shown at once), stores it, redirects to its result.
async fn enregistrer(etat: &super::EtatPartage, enr: Enregistrement) -> Response {
    let e2 = enr.clone();
    let lu = super::travail(move || Ok(lire(&e2))).await;
    match lu {
        Err(r) => r,
        Ok(Err(d)) => page_diagnostics(&format!("Dossier « {} » invalide", enr.nom), &d),
        Ok(Ok(_)) => match super::journal::journaliser(etat, "dépôt", enr.clone())
            .await
            .map(|()| etat.magasin.ajouter(enr))
        {
            Err(r) => r,
            Ok(Ok(id)) => Redirect::to(&format!("/d/{id}")).into_response(),
            Ok(Err(m)) => erreur(
                StatusCode::INTERNAL_SERVER_ERROR,
                Code::E139,
                &m,
                "vérifiez le fichier de la base (--base)",
            ),
        },
    }
}

/// A multipart field read as bytes: a body over the limit or a broken form gives E130.
pub fn erreur_depot(e: axum::extract::multipart::MultipartError) -> Response {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        erreur(
            StatusCode::PAYLOAD_TOO_LARGE,
            Code::E130,
            &format!(
                "fichier trop gros : plus de {} Mo",
                TAILLE_MAX_DEPOT / (1024 * 1024)
            ),
            "déposez un fichier de 20 Mo au plus (un classeur-dossier ordinaire fait moins de 1 Mo)",
        )
    } else {
        erreur(
            StatusCode::BAD_REQUEST,
            Code::E130,
            &format!("envoi incomplet ou illisible : {}", e.body_text()),
            "choisissez le fichier à nouveau et renvoyez le formulaire",
        )
    }
}

/// The fields `jeton` and `fichier` (name, bytes) of an upload form.
pub async fn champs_depot(
    m: Multipart,
    nom_champ: &str,
) -> Result<(Option<String>, Option<(String, Vec<u8>)>), Response> {
    champs_depot_format(m, nom_champ)
        .await
        .map(|(j, f, _, _)| (j, f))
}

/// [`champs_depot`] and the optional `format` field (the button pressed).
/// The other short text fields of the form (`collectivite`, `gestionnaire`…): at most
/// [`AUTRES_MAX`] of them, each cut to 200 characters.
pub type Autres = Vec<(String, String)>;
const AUTRES_MAX: usize = 8;

pub async fn champs_depot_format(
    mut m: Multipart,
    nom_champ: &str,
) -> Result<
    (
        Option<String>,
        Option<(String, Vec<u8>)>,
        Option<String>,
        Autres,
    ),
    Response,
> {
    let mut autres: Autres = Vec::new();
    let mut format = None;
    let mut jeton = None;
    let mut fichier = None;
    // every field once: a second `jeton`, `fichier` or `collectivite` is refused, never
    // taken (or dropped) in silence
    let mut vus = std::collections::HashSet::new();
    loop {
        let champ = match m.next_field().await {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => return Err(erreur_depot(e)),
        };
        if let Some(n) = champ.name() {
            if !vus.insert(n.to_string()) {
                return Err(super::champ_repete(false, n));
            }
        }
        match champ.name() {
            Some("jeton") => jeton = Some(champ.text().await.map_err(erreur_depot)?),
            Some("format") => format = Some(champ.text().await.map_err(erreur_depot)?),
            Some(n) if n == nom_champ => {
                let nom = champ.file_name().unwrap_or("").to_string();
                let o = champ.bytes().await.map_err(erreur_depot)?;
                if o.len() > TAILLE_MAX_DEPOT {
                    return Err(erreur(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        Code::E130,
                        "fichier trop gros : plus de 20 Mo",
                        "déposez un fichier de 20 Mo au plus",
                    ));
                }
                fichier = Some((nom, o.to_vec()));
            }
            Some(n) if autres.len() < AUTRES_MAX => {
                let n = n.to_string();
                let t = champ.text().await.map_err(erreur_depot)?;
                autres.push((n, t.chars().take(200).collect()));
            }
            _ => {}
        }
    }
    Ok((jeton, fichier, format, autres))
}

/// Only the last component of a browser-given name, for messages (never a path).
pub fn nom_affiche(nom: &str) -> String {
    let n = nom.rsplit(['/', '\\']).next().unwrap_or("").trim();
    // browsers write a quote of a file name as `%22` in the form (HTML's multipart encoding,
    // which also turns line breaks into `%0A`/`%0D`: removed with the other controls)
    let n = n.replace("%22", "\"").replace("%0A", "").replace("%0D", "");
    // (and the invisible characters: a direction mark would show the rest of the line
    // backwards in the pages, the journal and the scenarios)
    let n: String = n
        .chars()
        .filter(|c| crate::lecture::texte::caractere_invisible(&c.to_string()).is_none())
        .take(120)
        .collect();
    if n.is_empty() {
        "fichier déposé".into()
    } else {
        n
    }
}

pub async fn deposer(etat: S, Extension(j): Extension<Jeton>, m: Multipart) -> Response {
    let (jeton, fichier) = match champs_depot(m, "fichier").await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if let Err(r) = j.verifier(jeton.as_deref()) {
        return r;
    }
    let Some((nom, octets)) = fichier.filter(|(_, o)| !o.is_empty()) else {
        return erreur(
            StatusCode::BAD_REQUEST,
            Code::E131,
            "aucun fichier reçu (ou fichier vide)",
            "choisissez un classeur .xlsx ou une archive .zip avant de cliquer sur « Calculer »",
        );
    };
    let nom = nom_affiche(&nom);
    let genre = match genre_depot(&nom, &octets) {
        Ok(g) => g,
        Err(r) => return r,
    };
    enregistrer(
        &etat,
        Enregistrement {
            genre,
            nom,
            octets: Arc::new(octets),
            etapes: Vec::new(),
        },
    )
    .await
}

/// What an uploaded dossier is: the bytes decide (both kinds are zip containers; a workbook
/// holds `[Content_Types].xml`); anything else is refused (E131).
pub fn genre_depot(nom: &str, octets: &[u8]) -> Result<Genre, Response> {
    let minuscule = nom.to_lowercase();
    if !octets.starts_with(b"PK\x03\x04") {
        return Err(erreur(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Code::E131,
            &format!("« {nom} » n'est ni un classeur .xlsx ni une archive .zip"),
            "déposez le classeur-dossier (.xlsx) ou le dossier compressé en .zip ; un classeur .xls ou .ods doit d'abord être enregistré en .xlsx",
        ));
    }
    Ok(if minuscule.ends_with(".zip") {
        Genre::Zip
    } else if minuscule.ends_with(".xlsx") || minuscule.ends_with(".xlsm") || est_classeur(octets) {
        Genre::Classeur
    } else {
        Genre::Zip
    })
}

/// A zip container holding `[Content_Types].xml` is an Office document.
fn est_classeur(octets: &[u8]) -> bool {
    zip::ZipArchive::new(std::io::Cursor::new(octets))
        .map(|a| a.index_for_name("[Content_Types].xml").is_some())
        .unwrap_or(false)
}

/// The blank dossier workbook (`bonus-ctg modele`), to fill in and deposit.
pub async fn modele_vierge() -> axum::response::Response {
    let contenu = crate::classeur::modele::Contenu {
        dossier: None,
        evenements: &[],
        bareme_toml: None,
    };
    match crate::classeur::modele::ecrire_modele(&contenu) {
        Ok(octets) => super::telechargement::fichier_reponse(
            octets,
            super::telechargement::XLSX,
            "classeur-dossier-vierge.xlsx",
        ),
        Err(e) => super::telechargement::interne(&e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::nom_affiche;

    /// The name shown is the one the user chose: path dropped, the form's `%22` back to a
    /// quote (Chromium sends `été l'"année" copie.xlsx` as `été l'%22année%22 copie.xlsx`),
    /// controls and encoded line breaks removed.
    #[test]
    fn nom_du_fichier_depose() {
        assert_eq!(
            nom_affiche("été l'%22année%22 copie.xlsx"),
            "été l'\"année\" copie.xlsx"
        );
        assert_eq!(nom_affiche("C:\\dossiers\\a%0Ab.xlsx"), "ab.xlsx");
        assert_eq!(nom_affiche("../../x/\u{7}"), "fichier déposé");
        // a right-to-left override would show « exe.xlsx » as « xslx.exe »
        assert_eq!(nom_affiche("ctg\u{202e}xslx.exe"), "ctgxslx.exe");
    }
}
