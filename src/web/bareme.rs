//! Barème: the rules in force for the exercice, each with its date, status and source (the
//! built-in barème, or the dossier's with its local overrides).

use super::dossier::charger;
use super::{erreur, gabarit, page_diagnostics, Onglet, S};
use crate::bareme::{Bareme, BaremeExercice, Lu, Statut};
use crate::diagnostic::Code;
use crate::rapport::html::esc;
use crate::rapport::parametres::{hypotheses, lignes_bareme};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// One row of a value read with its source.
fn ligne<T>(nom: &str, l: &Lu<T>, valeur: String) -> String {
    match &l.source {
        Some(x) => format!(
            "<tr data-parametre=\"{p}\"><td><code>{p}</code></td><td data-label=\"Valeur\">{v}</td><td data-label=\"Depuis le\">{d}</td><td data-label=\"Statut\">{s}</td><td data-label=\"Source\"><span class=\"source\">{r}</span><br><small>{f}</small></td></tr>",
            p = esc(nom),
            v = esc(&valeur),
            d = x.debut.en_toutes_lettres(),
            s = statut(Some(x.statut)),
            r = esc(&x.reference),
            f = esc(&x.origine),
        ),
        None => format!(
            "<tr data-parametre=\"{p}\"><td><code>{p}</code></td><td data-label=\"Valeur\">{v}</td><td data-label=\"Depuis le\">—</td><td data-label=\"Statut\">absent</td><td data-label=\"Source\">absent du barème : valeur neutre par défaut</td></tr>",
            p = esc(nom),
            v = esc(&valeur),
        ),
    }
}

fn statut(s: Option<Statut>) -> &'static str {
    match s {
        Some(Statut::Confirme) => "confirmé",
        Some(Statut::Hypothese) => "hypothèse",
        None => "absent",
    }
}

/// The multi-year parameters (as `bonus-ctg bareme` prints them): base and trajectory bonus.
fn pluriannuel(b: &Bareme, annee: i32) -> String {
    let mut o = String::from("<h2>Projection pluriannuelle</h2><div class=\"defile\"><table id=\"table-pluriannuel\" class=\"fiches\"><thead><tr><th>Paramètre</th><th>Valeur</th><th>Depuis le</th><th>Statut</th><th>Source</th></tr></thead><tbody>");
    let base = b.base_pour(annee);
    o.push_str(&ligne(
        "base_pluriannuelle",
        &base,
        base.valeur.code().into(),
    ));
    match b.trajectoire_pour(annee, "bareme.toml") {
        Ok(Some(t)) => {
            o.push_str(&ligne("trajectoire.volet", &t.volet, t.volet.valeur.clone()));
            o.push_str(&ligne(
                "trajectoire.annee_reference",
                &t.annee_reference,
                t.annee_reference.valeur.to_string(),
            ));
            o.push_str(&ligne(
                "trajectoire.seuils",
                &t.seuils,
                t.seuils.valeur.iter().map(|x| x.to_string()).collect::<Vec<_>>().join(" ; "),
            ));
            o.push_str(&ligne(
                "trajectoire.montants",
                &t.montants,
                t.montants
                    .valeur
                    .iter()
                    .map(|m| crate::rapport::montant_fr(*m))
                    .collect::<Vec<_>>()
                    .join(" ; "),
            ));
        }
        Ok(None) => o.push_str(&format!(
            "<tr><td><code>trajectoire</code></td><td colspan=\"4\">aucun bonus trajectoire de développement en {annee}</td></tr>"
        )),
        Err(d) => o.push_str(&format!(
            "<tr><td><code>trajectoire</code></td><td colspan=\"4\">{}</td></tr>",
            esc(&d.resume())
        )),
    }
    o.push_str("</tbody></table></div>");
    o
}

fn tableau(be: &BaremeExercice, annee: i32) -> String {
    let mut o = format!(
        "<p>Valeurs en vigueur au 1<sup>er</sup> janvier {annee}. Statut « hypothèse » : choix de modélisation en l'absence de source publique.</p><div class=\"defile\"><table id=\"table-bareme\" class=\"fiches\"><thead><tr><th>Paramètre</th><th>Valeur</th><th>Depuis le</th><th>Statut</th><th>Source</th></tr></thead><tbody>"
    );
    for l in lignes_bareme(be) {
        o.push_str(&format!(
            "<tr data-parametre=\"{p}\"><td><code>{p}</code></td><td data-label=\"Valeur\">{v}</td><td data-label=\"Depuis le\">{d}</td><td data-label=\"Statut\">{s}</td><td data-label=\"Source\"><span class=\"source\">{r}</span>{f}</td></tr>",
            p = esc(&l.parametre),
            v = esc(&l.valeur),
            d = l.debut.map_or("—".into(), |d| d.en_toutes_lettres()),
            s = statut(l.statut),
            r = esc(&l.reference),
            f = if l.fichier.is_empty() {
                String::new()
            } else {
                format!("<br><small>{}</small>", esc(&l.fichier))
            }
        ));
    }
    o.push_str("</tbody></table></div><h2>Choix de modélisation appliqués</h2><ul class=\"hyp\">");
    for h in hypotheses(be) {
        o.push_str(&format!(
            "<li><strong><span class=\"regle\">{}</span></strong> — {}</li>",
            esc(&h.code),
            esc(&h.titre)
        ));
    }
    o.push_str("</ul>");
    o
}

/// The form's exercice as typed (read by the page: an empty field is the default year, a
/// value that is not a year is refused naming it, not as a malformed request).
#[derive(serde::Deserialize)]
pub struct Annee {
    exercice: Option<String>,
}

/// The built-in barème (no dossier open).
pub async fn page_integre(Query(q): Query<Annee>) -> Response {
    let b = match Bareme::integre() {
        Ok(b) => b,
        Err(d) => return page_diagnostics("Barème intégré illisible", &d),
    };
    let defaut = b
        .volets
        .values()
        .flat_map(|v| v.forfaits_nouvelles.valeurs.iter().map(|x| x.debut.annee))
        .max()
        .unwrap_or(2025);
    let annee = match q
        .exercice
        .as_deref()
        .map(str::trim)
        .filter(|e| !e.is_empty())
    {
        None => defaut,
        Some(e) => match e.parse::<i32>() {
            Ok(a) => a,
            Err(_) => {
                return erreur(
                    StatusCode::BAD_REQUEST,
                    Code::E138,
                    &format!("exercice « {e} » illisible : une année est attendue"),
                    "donnez une année, par exemple 2025",
                )
            }
        },
    };
    if !(1900..=2200).contains(&annee) {
        return erreur(
            StatusCode::BAD_REQUEST,
            Code::E138,
            &format!("exercice {annee} hors de la plage 1900 à 2200"),
            "donnez une année, par exemple 2025",
        );
    }
    let be = match b.pour_exercice(annee, "bareme.toml") {
        Ok(b) => b,
        Err(d) => return page_diagnostics("Barème incomplet pour cet exercice", &d),
    };
    let corps = format!(
        "<h1>Barème intégré — exercice {annee}</h1><form method=\"get\" action=\"/bareme\" class=\"filtres\"><label>Exercice <input name=\"exercice\" value=\"{annee}\" inputmode=\"numeric\" size=\"5\"></label><button type=\"submit\">Afficher</button></form>{}{}",
        tableau(&be, annee),
        pluriannuel(&b, annee)
    );
    gabarit(
        "Barème",
        Onglet::Bareme,
        None,
        "",
        &super::regles::lier(&corps),
    )
    .into_response()
}

/// The barème applied to a dossier (its own overrides included).
pub async fn page_dossier(etat: S, Path(id): Path<String>) -> Response {
    let sc = match charger(&etat, &id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let annee = sc.lu.dossier.convention.exercice;
    let be = match sc.lu.bareme.pour_exercice(annee, "bareme.toml") {
        Ok(b) => b,
        Err(d) => return page_diagnostics("Barème incomplet pour cet exercice", &d),
    };
    let corps = format!(
        "<h1>Barème appliqué — {} — exercice {annee}</h1>{}{}",
        esc(sc.nom()),
        tableau(&be, annee),
        pluriannuel(&sc.lu.bareme, annee)
    );
    gabarit(
        "Barème",
        Onglet::Bareme,
        Some(&sc.contexte()),
        "",
        &super::regles::lier(&corps),
    )
    .into_response()
}
