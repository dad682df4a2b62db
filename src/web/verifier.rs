//! Vérifier: a commune checks the bonus notified by the Caf, line by line
//! ([`crate::verification`]). The notification is read from memory by the module's own
//! readers, in one place ([`lire_notification`]).

use super::accueil::{champs_depot_format, nom_affiche};
use super::dossier::{charger, Scenario};
use super::resultat::signe;
use super::{erreur, gabarit, liste_diagnostics, Jeton, Onglet, S};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::rapport::html::{esc, fr};
use crate::verification::{self, LigneNotification, Statut, Verification};
use axum::extract::{Multipart, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Extension;

/// The notification's lines from its bytes: a spreadsheet (zip or OLE container) or a CSV
/// text. `None` when it has errors (in `diags`).
pub fn lire_notification(
    nom: &str,
    octets: &[u8],
    diags: &mut Diagnostics,
) -> Option<Vec<LigneNotification>> {
    let avant = diags.erreurs().count();
    let lignes = if octets.starts_with(b"PK\x03\x04") || octets.starts_with(b"\xD0\xCF\x11\xE0") {
        verification::analyser_tableur(nom, octets, diags)
    } else {
        match crate::lecture::texte::decoder(octets, crate::lecture::texte::Encodage::Auto) {
            Ok(d) => verification::analyser_csv(nom, &d.texte, diags),
            Err(m) => {
                diags.push(Diagnostic::erreur(
                    Code::E003,
                    nom,
                    format!("encodage illisible : {m}"),
                ));
                return None;
            }
        }
    };
    (diags.erreurs().count() == avant).then_some(lignes)
}

fn formulaire(sc: &Scenario, j: &Jeton) -> String {
    let d = &sc.origine.dossier;
    let mut collectivites = String::from("<option value=\"\">toutes</option>");
    for c in &d.convention.collectivites {
        collectivites.push_str(&format!(
            "<option value=\"{}\">{}</option>",
            esc(&c.id),
            esc(&c.nom)
        ));
    }
    let mut gestionnaires: Vec<&str> = d
        .structures
        .iter()
        .map(|s| s.gestionnaire.as_str())
        .collect();
    gestionnaires.sort_unstable();
    gestionnaires.dedup();
    let mut options_g = String::from("<option value=\"\">tous</option>");
    for g in gestionnaires {
        options_g.push_str(&format!("<option value=\"{0}\">{0}</option>", esc(g)));
    }
    format!(
        "<form method=\"post\" action=\"/d/{}/verifier\" enctype=\"multipart/form-data\" id=\"form-verifier\">{}<label for=\"notification\">Notification de la Caf : CSV ou classeur XLSX, avec une colonne « id » ou « nom » et une colonne « montant » (20 Mo au plus)</label><input type=\"file\" id=\"notification\" name=\"notification\" accept=\".csv,.xlsx,.txt\" required><label for=\"collectivite\">Seulement les structures de la collectivité</label><select id=\"collectivite\" name=\"collectivite\">{collectivites}</select><label for=\"gestionnaire\">Seulement celles du gestionnaire</label><select id=\"gestionnaire\" name=\"gestionnaire\">{options_g}</select><button type=\"submit\" name=\"format\" value=\"html\">Vérifier</button> <button type=\"submit\" name=\"format\" value=\"csv\">Télécharger le contrôle (CSV)</button> <button type=\"submit\" name=\"format\" value=\"json\">Télécharger (JSON)</button></form>",
        esc(&sc.id),
        j.champ()
    )
}

pub async fn page(etat: S, Path(id): Path<String>, Extension(j): Extension<Jeton>) -> Response {
    let sc = match charger(&etat, &id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let corps = format!(
        "<h1>Vérifier une notification — {}</h1><p class=\"intro\">Chaque ligne notifiée est rapprochée d'une structure du dossier (par identifiant ou par nom), comparée au montant recalculé sur le dossier déposé (jamais sur une simulation), et chaque écart reçoit sa cause probable.</p>{}",
        esc(sc.nom()),
        formulaire(&sc, &j)
    );
    gabarit(
        "Vérifier",
        Onglet::Verifier,
        Some(&sc.contexte()),
        "",
        &corps,
    )
    .into_response()
}

/// The check's summary and table; `lien`: the scenario whose structure pages explain the
/// amounts recalculated (none when it is a simulation: the check is on the dossier as
/// deposited).
fn tableau(v: &Verification, lien: Option<&str>) -> String {
    let p =
        |n: usize, un: &str, plusieurs: &str| format!("{n} {}", if n > 1 { plusieurs } else { un });
    let mut o = format!(
        "<p class=\"bilan {}\" id=\"bilan\">{} : {}, {}, {}, {}. Total notifié {} ; total recalculé {}.</p>",
        if v.concorde() { "ok" } else { "ko" },
        if v.concorde() {
            "La notification concorde au centime"
        } else {
            "La notification diffère du calcul"
        },
        p(v.nombre(Statut::Concorde), "ligne concorde", "lignes concordent"),
        p(v.nombre(Statut::Ecart), "écart", "écarts"),
        p(v.nombre(Statut::Absente), "structure absente", "structures absentes"),
        p(
            v.nombre(Statut::Introuvable) + v.nombre(Statut::Ambigue) + v.nombre(Statut::Doublon),
            "ligne non rapprochée",
            "lignes non rapprochées"
        ),
        esc(&fr(v.total_notifie)),
        esc(&fr(v.total_recalcule)),
    );
    if let Some(p) = &v.perimetre {
        o.push_str(&format!(
            "<p id=\"perimetre\">{} : {} (les structures hors de ce périmètre ne sont pas attendues).</p>",
            if p.deduit {
                "Notification partielle, reconnue à ses lignes"
            } else {
                "Vérification limitée à"
            },
            esc(&p.libelle)
        ));
    }
    o.push_str("<div class=\"defile\"><table id=\"verification\"><thead><tr><th class=\"n\">Ligne</th><th>Structure</th><th class=\"n\">Notifié</th><th class=\"n\">Recalculé</th><th class=\"n\">Écart</th><th>Constat</th></tr></thead><tbody>");
    for l in &v.lignes {
        let structure = match (&l.id, &l.nom, lien) {
            (Some(i), Some(n), Some(d)) => format!(
                "<a href=\"{}\">{}</a><br><span class=\"id\">{}</span>",
                esc(&super::resultat::lien_structure(d, i)),
                esc(n),
                esc(i)
            ),
            (Some(i), Some(n), None) => {
                format!("{}<br><span class=\"id\">{}</span>", esc(n), esc(i))
            }
            _ => esc(&l.libelle),
        };
        let mut constat = match &l.cause {
            Some(c) => format!(
                "<strong>{}</strong><br>{}",
                esc(c.libelle),
                esc(&c.explication)
            ),
            None => esc(l.statut.libelle()),
        };
        if !l.candidats.is_empty() {
            constat.push_str(&format!(
                "<br><small>structures proches : {}</small>",
                esc(&l.candidats.join(", "))
            ));
        }
        if let Some(a) = &l.nom_d_une_autre {
            constat.push_str(&format!(
                "<br><strong>{}</strong>",
                esc(&crate::rapport::verification::nom_d_une_autre(a))
            ));
        }
        let m = |x: Option<crate::modele::Montant>| x.map_or("—".into(), |m| esc(&fr(m)));
        o.push_str(&format!(
            "<tr class=\"{}\" data-statut=\"{:?}\"><td class=\"n\">{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            if l.statut == Statut::Concorde { "ok" } else { "ko" },
            l.statut,
            l.ligne.map_or("—".into(), |n| n.to_string()),
            structure,
            m(l.notifie),
            m(l.recalcule),
            l.ecart.map_or("—".into(), |e| esc(&signe(e))),
            constat
        ));
    }
    o.push_str("</tbody></table></div>");
    o
}

pub async fn verifier(
    etat: S,
    Path(id): Path<String>,
    Extension(j): Extension<Jeton>,
    m: Multipart,
) -> Response {
    let (jeton, fichier, format, autres) = match champs_depot_format(m, "notification").await {
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
            "aucune notification reçue (ou fichier vide)",
            "choisissez le fichier de la notification avant de cliquer sur « Vérifier »",
        );
    };
    let sc = match charger(&etat, &id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let nom = nom_affiche(&nom);
    let r = super::travail(move || {
        verifier_notification(&sc, &j, &nom, &octets, format.as_deref(), &autres)
    })
    .await;
    match r {
        Ok(r) | Err(r) => r,
    }
}

/// The check of notification `nom` (its bytes) against the scenario: the page, or the CSV
/// or JSON file (`format`); `autres`: the form's other fields (the optional filter).
fn verifier_notification(
    sc: &Scenario,
    j: &Jeton,
    nom: &str,
    octets: &[u8],
    format: Option<&str>,
    autres: &[(String, String)],
) -> Result<Response, Response> {
    // a notification is of the dossier as deposited, never of a simulation of it
    let (r, _) = sc
        .calculer_origine()
        .map_err(|d| sc.invalide("Le dossier déposé ne peut pas être calculé", &d))?;
    let mut diags = Diagnostics::default();
    let Some(lignes) = lire_notification(nom, octets, &mut diags) else {
        return Ok(notification_illisible(sc, j, nom, &diags));
    };
    let filtre = filtre_du_formulaire(autres);
    if let Err(m) = verification::controler_filtre(&r, &filtre) {
        return Err(erreur(
            StatusCode::UNPROCESSABLE_ENTITY,
            Code::E138,
            &m,
            "choisissez la collectivité ou le gestionnaire dans la liste",
        ));
    }
    let v = verification::verifier(&r, &sc.origine.dossier, nom, &lignes, &filtre)
        .map_err(|e| super::telechargement::interne(&e.to_string()))?;
    match format {
        Some("csv") => {
            return Ok(super::telechargement::fichier_reponse(
                crate::rapport::verification::rendre_csv(&v, crate::rapport::Profil::ExcelFr),
                "text/csv; charset=utf-8",
                "verification.csv",
            ))
        }
        Some("json") => {
            return Ok(super::telechargement::fichier_reponse(
                crate::rapport::verification::rendre_json(&v),
                "application/json",
                "verification.json",
            ))
        }
        _ => {}
    }
    let mut corps = format!(
        "<h1>Vérification de « {} » — {}</h1>{}",
        esc(nom),
        esc(sc.nom()),
        tableau(&v, sc.enr.etapes.is_empty().then_some(sc.id.as_str()))
    );
    if !diags.0.is_empty() {
        corps.push_str("<h2>Avertissements de lecture</h2>");
        corps.push_str(&liste_diagnostics(&diags));
    }
    corps.push_str("<h2>Vérifier une autre notification</h2>");
    corps.push_str(&formulaire(sc, j));
    Ok(gabarit(
        "Vérifier",
        Onglet::Verifier,
        Some(&sc.contexte()),
        "",
        &corps,
    )
    .into_response())
}

/// The page of a notification that cannot be read (status 422).
fn notification_illisible(sc: &Scenario, j: &Jeton, nom: &str, diags: &Diagnostics) -> Response {
    let corps = format!(
        "<h1>Notification « {} » illisible</h1>{}{}",
        esc(nom),
        liste_diagnostics(diags),
        formulaire(sc, j)
    );
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        gabarit(
            "Vérifier",
            Onglet::Verifier,
            Some(&sc.contexte()),
            "",
            &corps,
        ),
    )
        .into_response()
}

/// The optional filter (a commune checks its own lines); without it, a notification that
/// covers exactly one collectivité or gestionnaire is recognised as partial.
fn filtre_du_formulaire(autres: &[(String, String)]) -> verification::Filtre {
    let champ = |n: &str| {
        autres
            .iter()
            .find(|(k, v)| k == n && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
    };
    verification::Filtre {
        collectivite: champ("collectivite"),
        gestionnaire: champ("gestionnaire"),
    }
}
