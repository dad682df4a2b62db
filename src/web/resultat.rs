//! Résultat: summary figures, the HTML report's charts, the per-structure table with its
//! filters, each structure's explanation, the warnings, the downloads.

use super::dossier::{charger, Scenario};
use super::{erreur, gabarit, liste_diagnostics, section, Onglet, S};
use crate::calcul::{LigneStructure, Resultat};
use crate::comparaison::Comparaison;
use crate::diagnostic::Code;
use crate::rapport;
use crate::rapport::html::{esc, fr};
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::collections::BTreeSet;

/// Filters of the structure table (GET parameters: the form works without JavaScript).
#[derive(Debug, Default, serde::Deserialize)]
pub struct Filtres {
    #[serde(default)]
    pub collectivite: String,
    #[serde(default)]
    pub gestionnaire: String,
    #[serde(default)]
    pub volet: String,
    #[serde(default)]
    pub motif: String,
    #[serde(default)]
    pub q: String,
}

fn volet(l: &LigneStructure) -> &str {
    l.eligibilite.volet().unwrap_or("—")
}

impl Filtres {
    fn garde(&self, l: &LigneStructure) -> bool {
        let s = &l.structure;
        let q = self.q.trim().to_lowercase();
        (self.collectivite.is_empty() || s.collectivite == self.collectivite)
            && (self.gestionnaire.is_empty() || s.gestionnaire == self.gestionnaire)
            && (self.volet.is_empty() || volet(l) == self.volet)
            && (self.motif.is_empty() || l.motif().code() == self.motif)
            && (q.is_empty()
                || s.id.to_lowercase().contains(&q)
                || s.nom.to_lowercase().contains(&q)
                || s.gestionnaire.to_lowercase().contains(&q))
    }
}

fn select(nom: &str, libelle: &str, valeurs: &BTreeSet<(String, String)>, choisi: &str) -> String {
    // « toutes » les collectivités, « tous » les gestionnaires, volets, motifs
    let tous = if nom == "collectivite" {
        "toutes"
    } else {
        "tous"
    };
    let mut o = format!(
        "<label>{libelle} <select name=\"{nom}\" data-filtre=\"{nom}\"><option value=\"\">{tous}</option>"
    );
    for (v, l) in valeurs {
        o.push_str(&format!(
            "<option value=\"{}\"{}>{}</option>",
            esc(v),
            if v == choisi { " selected" } else { "" },
            esc(l)
        ));
    }
    o.push_str("</select></label>");
    o
}

/// The filter form and the per-structure table. `comparaison`: adds the difference column
/// (simulation). `action`: the page the filter form reloads.
pub fn tableau(
    r: &Resultat,
    f: &Filtres,
    id: &str,
    action: &str,
    comparaison: Option<&Comparaison>,
) -> String {
    let mut o = formulaire_filtres(r, f, action);
    let c = Colonnes::de(r);
    // the collectivités by name (the id stays in `data-collectivite`, for the filters)
    let noms: std::collections::HashMap<&str, &str> = r
        .convention
        .collectivites
        .iter()
        .map(|x| (x.id.as_str(), x.nom.as_str()))
        .collect();
    o.push_str(&entete_structures(c, comparaison));
    let mut n = 0;
    for l in &r.structures {
        let cache = if f.garde(l) { "" } else { " hidden" };
        if cache.is_empty() {
            n += 1;
        }
        let nom = noms
            .get(l.structure.collectivite.as_str())
            .copied()
            .unwrap_or(l.structure.collectivite.as_str());
        o.push_str(&rang_structure(l, c, nom, id, cache));
        if let Some(c) = comparaison {
            o.push_str(&cellule_ecart(c, &l.structure.id));
        }
        o.push_str("</tr>\n");
    }
    o.push_str(&pied_structures(r, c, comparaison));
    o.push_str(&format!(
        "</tr></tfoot></table></div>\n<p class=\"compte\" id=\"compte\">{n} structure{} affichée{} sur {}.</p>\n",
        if n > 1 { "s" } else { "" },
        if n > 1 { "s" } else { "" },
        r.structures.len()
    ));
    o
}

/// The filters' form: collectivité, gestionnaire, volet, motif, search.
fn formulaire_filtres(r: &Resultat, f: &Filtres, action: &str) -> String {
    let ens = |g: &dyn Fn(&LigneStructure) -> (String, String)| -> BTreeSet<(String, String)> {
        r.structures.iter().map(g).collect()
    };
    format!(
        "<form method=\"get\" action=\"{}\" class=\"filtres\" id=\"filtres\">{}{}{}{}<label>Recherche <input type=\"search\" name=\"q\" value=\"{}\" data-filtre=\"q\" placeholder=\"nom, id, gestionnaire\"></label><button type=\"submit\">Filtrer</button></form>\n",
        esc(action),
        select(
            "collectivite",
            "Collectivité",
            &ens(&|l| (l.structure.collectivite.to_string(), l.structure.collectivite.to_string())),
            &f.collectivite
        ),
        select(
            "gestionnaire",
            "Gestionnaire",
            &ens(&|l| (l.structure.gestionnaire.to_string(), l.structure.gestionnaire.to_string())),
            &f.gestionnaire
        ),
        select("volet", "Volet", &ens(&|l| (volet(l).to_string(), volet(l).to_string())), &f.volet),
        select(
            "motif",
            "Motif",
            &ens(&|l| (l.motif().code().to_string(), l.motif().libelle().to_string())),
            &f.motif
        ),
        esc(&f.q)
    )
}

/// The optional amount columns of the structures' table: the bonus trajectoire (a part of
/// the bonus) and the CTRE (paid beside it), shown when some structure receives one, so that
/// every row adds up (bonus = lissage + places nouvelles + trajectoire).
#[derive(Clone, Copy)]
struct Colonnes {
    trajectoire: bool,
    ctre: bool,
}

impl Colonnes {
    fn de(r: &Resultat) -> Self {
        Colonnes {
            trajectoire: r.total.structures.bonus_trajectoire.0 != 0,
            ctre: r.total.structures.bonus_ctre.0 != 0,
        }
    }
    /// The cells of the trajectoire (before the bonus) and of the CTRE (after it), empty
    /// when not shown.
    fn cellules(self, m: [crate::modele::Montant; 2]) -> [String; 2] {
        let cellule = |montrer: bool, m: crate::modele::Montant| {
            if montrer {
                format!(
                    "<td class=\"n\" data-centimes=\"{}\">{}</td>",
                    m.0,
                    esc(&fr(m))
                )
            } else {
                String::new()
            }
        };
        [cellule(self.trajectoire, m[0]), cellule(self.ctre, m[1])]
    }
}

/// The opening of the structures' table and its heading row (with the difference column
/// when the scenario is compared with its original).
fn entete_structures(c: Colonnes, comparaison: Option<&Comparaison>) -> String {
    let mut o = String::new();
    o.push_str(&format!("<div class=\"defile\"><table id=\"structures\" class=\"structures\"><thead><tr><th>Structure</th><th>Collectivité</th><th>Gestionnaire</th><th>Volet</th><th>Éligibilité</th><th class=\"n\">Unités éligibles</th><th class=\"n\">Lissage</th><th class=\"n\">Places nouvelles</th>{}<th class=\"n\">Bonus</th>{}<th class=\"n\">Contrib. N</th>",
        if c.trajectoire { "<th class=\"n\">Trajectoire</th>" } else { "" },
        if c.ctre { "<th class=\"n\">CTRE (places employeurs)</th>" } else { "" },
    ));
    if comparaison.is_some() {
        o.push_str("<th class=\"n\">Écart / original</th>");
    }
    o.push_str("</tr></thead><tbody>\n");
    o
}

/// One structure's row, its cells up to the contribution (the row is closed by the caller).
fn rang_structure(
    l: &LigneStructure,
    colonnes: Colonnes,
    collectivite: &str,
    id: &str,
    cache: &str,
) -> String {
    let s = &l.structure;
    let [tr, ctre] = colonnes.cellules([l.bonus_trajectoire, l.bonus_ctre]);
    format!(
        "<tr data-id=\"{idc}\" data-collectivite=\"{c}\" data-gestionnaire=\"{g}\" data-volet=\"{v}\" data-motif=\"{m}\" data-texte=\"{t}\"{cache}><td><a class=\"expliquer\" href=\"{lien}\">{nom}</a><br><span class=\"id\">{idc}</span></td><td>{cnom}</td><td>{g}</td><td>{v}</td><td title=\"{mt}\">{ml}</td><td class=\"n\">{u}</td><td class=\"n\" data-centimes=\"{bl}\">{blf}</td><td class=\"n\" data-centimes=\"{bn}\">{bnf}</td>{tr}<td class=\"n bonus\" data-centimes=\"{bt}\">{btf}</td>{ctre}<td class=\"n\" data-centimes=\"{cn}\">{cnf}</td>",
        idc = esc(&s.id),
        lien = esc(&lien_structure(id, &s.id)),
        c = esc(&s.collectivite),
        cnom = esc(collectivite),
        g = esc(&s.gestionnaire),
        v = esc(volet(l)),
        m = l.motif().code(),
        ml = esc(crate::rapport::html::motif_court(l.motif())),
        mt = esc(l.motif().libelle()),
        t = esc(&format!("{} {} {}", s.id, s.nom, s.gestionnaire).to_lowercase()),
        nom = esc(&s.nom),
        u = esc(&rapport::groupe_fr(&l.unites_eligibles.to_string())),
        bl = l.bonus_lissage.0,
        blf = esc(&fr(l.bonus_lissage)),
        bn = l.bonus_nouvelles.0,
        bnf = esc(&fr(l.bonus_nouvelles)),
        bt = l.bonus_total.0,
        btf = esc(&fr(l.bonus_total)),
        cn = l.contribution_n.0,
        cnf = esc(&fr(l.contribution_n)),
    )
}

/// The totals row, the difference of the total and the structures removed from the
/// scenario (left open: the caller closes it).
fn pied_structures(r: &Resultat, c: Colonnes, comparaison: Option<&Comparaison>) -> String {
    let mut o = String::new();
    let t = &r.total.structures;
    let [tr, ctre] = c.cellules([t.bonus_trajectoire, t.bonus_ctre]);
    o.push_str(&format!(
        "</tbody><tfoot><tr><td colspan=\"6\">Total ({} structures, dont {} éligibles)</td><td class=\"n\">{}</td><td class=\"n\">{}</td>{tr}<td class=\"n\" id=\"total-bonus\" data-centimes=\"{}\">{}</td>{ctre}<td class=\"n\">{}</td>",
        t.structures,
        t.structures_eligibles,
        esc(&fr(t.bonus_lissage)),
        esc(&fr(t.bonus_nouvelles)),
        t.bonus_total.0,
        esc(&fr(t.bonus_total)),
        esc(&fr(t.contribution_n)),
    ));
    if let Some(cmp) = comparaison {
        o.push_str(&format!(
            "<td class=\"n\">{}</td>",
            esc(&signe(cmp.total.bonus.ecart()))
        ));
        // structures removed from the scenario: only in the original
        for s in cmp
            .structures
            .iter()
            .filter(|s| s.presente_a && !s.presente_b)
        {
            o.push_str(&format!(
                "</tr><tr class=\"retiree\"><td colspan=\"{}\">Retirée du scénario : {} <span class=\"id\">{}</span></td><td class=\"n\">—</td>{}<td class=\"n ecart negatif\">{}</td>",
                8 + usize::from(c.trajectoire),
                esc(&s.nom),
                esc(&s.id),
                "<td></td>".repeat(1 + usize::from(c.ctre)),
                esc(&signe(s.bonus.ecart()))
            ));
        }
    }
    o
}

/// `+333,33 €`, `−333,33 €` or `0,00 €`.
pub fn signe(m: crate::modele::Montant) -> String {
    crate::rapport::ecart_fr(m).replace(" €", "\u{a0}€")
}

fn cellule_ecart(c: &Comparaison, id: &str) -> String {
    match c.structures.iter().find(|s| s.id == id) {
        Some(s) if !s.presente_a => format!(
            "<td class=\"n ecart positif\" data-centimes=\"{}\">ajoutée : {}</td>",
            s.bonus.ecart().0,
            esc(&signe(s.bonus.ecart()))
        ),
        Some(s) => {
            let e = s.bonus.ecart();
            format!(
                "<td class=\"n ecart{}\" data-centimes=\"{}\">{}</td>",
                match e.0.cmp(&0) {
                    std::cmp::Ordering::Greater => " positif",
                    std::cmp::Ordering::Less => " negatif",
                    std::cmp::Ordering::Equal => "",
                },
                e.0,
                esc(&signe(e))
            )
        }
        None => "<td class=\"n\">—</td>".into(),
    }
}

/// Percent-encoding of a path segment (an id may hold any character).
/// The address of a structure's explanation page. An id `.` or `..` cannot be a segment of
/// the path (a browser resolves it as « this folder » or « the folder above » before sending
/// the request, percent-encoded or not): such an id goes in the query instead
/// (`/d/D/structure?id=..`), every other one in the path.
pub fn lien_structure(dossier: &str, id: &str) -> String {
    let d = encoder(dossier);
    if id == "." || id == ".." {
        format!("/d/{d}/structure?id={}", encoder(id))
    } else {
        format!("/d/{d}/structure/{}", encoder(id))
    }
}

/// `id` of `/d/D/structure?id=…` (see [`lien_structure`]).
#[derive(serde::Deserialize)]
pub struct IdStructure {
    id: String,
}

/// The explanation page of a structure whose id is in the query (see [`lien_structure`]).
pub async fn structure_par_requete(
    etat: S,
    Path(id): Path<String>,
    Query(q): Query<IdStructure>,
) -> Response {
    structure(etat, Path((id, q.id))).await
}

pub fn encoder(s: &str) -> String {
    let mut o = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            o.push(b as char);
        } else {
            o.push_str(&format!("%{b:02X}"));
        }
    }
    o
}

/// Summary cards and the per-collectivité table.
pub fn synthese(r: &Resultat) -> String {
    let t = &r.total;
    let mut o = format!(
        "<div class=\"cartes\"><div class=\"carte\" id=\"carte-caf\"><div class=\"etiquette\">Versé par la Caf en {ex}</div><div class=\"valeur\" data-centimes=\"{vc}\">{vcf}</div><div class=\"detail\">{detail}</div></div>\
<div class=\"carte coll\"><div class=\"etiquette\">Contributions des collectivités</div><div class=\"valeur petite\">N-1 : {c1}</div><div class=\"valeur petite\">{ex} : {cn}</div></div>\
<div class=\"carte elig\"><div class=\"etiquette\">Structures éligibles</div><div class=\"valeur\">{ne} sur {ns}</div></div>\
<div class=\"carte\"><div class=\"etiquette\">Charge à payer N-1</div><div class=\"valeur\">{a}</div><div class=\"detail\">dont non redistribué {nr}</div></div></div>\n",
        ex = r.exercice,
        vc = t.verse_caf.0,
        vcf = esc(&fr(t.verse_caf)),
        detail = esc(&crate::rapport::detail_verse_caf(t, fr)),
        c1 = esc(&fr(t.structures.contribution_n1)),
        cn = esc(&fr(t.structures.contribution_n)),
        ne = t.structures.structures_eligibles,
        ns = t.structures.structures,
        a = esc(&fr(t.charge_n1)),
        nr = esc(&fr(t.non_redistribue)),
    );
    // the CTRE, when there is some, between the bonus and the pilotage: the parts of
    // « Versé par la Caf » side by side
    let colonnes = Colonnes {
        trajectoire: false,
        ..Colonnes::de(r)
    };
    o.push_str(&format!("<div class=\"defile\"><table id=\"collectivites\"><thead><tr><th>Collectivité</th><th class=\"n\">Versé par la Caf</th><th class=\"n\">Bonus aux structures</th>{}<th class=\"n\">Versé à la collectivité</th><th class=\"n\">Contribution N-1</th><th class=\"n\">Contribution N</th></tr></thead><tbody>",
        if colonnes.ctre { "<th class=\"n\">CTRE (places employeurs)</th>" } else { "" }));
    for (id, c) in &r.collectivites {
        let nom = r
            .convention
            .collectivite(id)
            .map_or(id.as_str(), |x| x.nom.as_str());
        let [_, ctre] =
            colonnes.cellules([c.structures.bonus_trajectoire, c.structures.bonus_ctre]);
        o.push_str(&format!(
            "<tr data-collectivite=\"{}\"><td>{}</td><td class=\"n\" data-centimes=\"{}\">{}</td><td class=\"n\">{}</td>{ctre}<td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(id),
            esc(nom),
            c.verse_caf.0,
            esc(&fr(c.verse_caf)),
            esc(&fr(c.structures.bonus_total)),
            esc(&fr(c.verse_collectivite)),
            esc(&fr(c.structures.contribution_n1)),
            esc(&fr(c.structures.contribution_n)),
        ));
    }
    o.push_str("</tbody></table></div>\n");
    o
}

/// The report's charts (bonus per volet, funding per gestionnaire) and its style.
pub fn graphiques(r: &Resultat) -> (String, String) {
    match rapport::html::rendre(r) {
        Ok(h) => {
            let (style, _) = super::style_et_corps(&h);
            let mut o = String::new();
            for id in ["bonus-par-volet", "financement-gestionnaires"] {
                if let Some(s) = section(&h, id) {
                    // the report numbers its sections; here they stand alone
                    o.push_str(
                        &s.replacen("<h2>2. ", "<h2>", 1)
                            .replacen("<h2>3. ", "<h2>", 1),
                    );
                }
            }
            (style.to_string(), o)
        }
        Err(e) => (
            String::new(),
            format!(
                "<p class=\"erreur\">graphiques indisponibles : {}</p>",
                esc(&e.to_string())
            ),
        ),
    }
}

fn titre_dossier(sc: &Scenario, r: &Resultat) -> String {
    let c = &r.convention;
    format!(
        "<h1>{}</h1><p class=\"meta\">{} · exercice <strong>{}</strong> · déposé : {}{}</p>",
        esc(&c.nom),
        esc(&c.caf),
        r.exercice,
        esc(&sc.enr.nom),
        if sc.enr.etapes.is_empty() {
            String::new()
        } else {
            format!(
                " · <a href=\"/d/{}/simulation\" class=\"modifie\">scénario modifié ({} étape{})</a>",
                esc(&sc.id),
                sc.enr.etapes.len(),
                if sc.enr.etapes.len() > 1 { "s" } else { "" }
            )
        }
    )
}

/// For a scenario changed in Simulation: what its figures are, and what stays on the
/// deposited dossier (nothing for a dossier as deposited).
pub fn bandeau_simulation(sc: &Scenario) -> String {
    let n = sc.enr.etapes.len();
    if n == 0 {
        return String::new();
    }
    format!(
        "<p class=\"bandeau-simulation\" role=\"note\"><strong>Simulation</strong> : ce scénario a été modifié ({}). Les montants de cette page et ses téléchargements (classeur, CSV, JSON, rapport) sont ceux de la simulation, pas du dossier déposé ; les lettres de notification et la vérification d'une notification portent toujours sur le dossier déposé. <a href=\"/d/{}/simulation\">Voir ou annuler les étapes</a></p>",
        crate::rapport::nombre_de(n as u64, "étape", "étapes"),
        esc(&sc.id)
    )
}

pub async fn page(etat: S, Path(id): Path<String>, Query(f): Query<Filtres>) -> Response {
    let sc = match charger(&etat, &id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match super::travail(move || Ok(rendre_page(&sc, &f))).await {
        Ok(r) | Err(r) => r,
    }
}

fn rendre_page(sc: &Scenario, f: &Filtres) -> Response {
    let (r, avert) = match sc.calculer() {
        Ok(x) => x,
        Err(d) => {
            return sc.invalide("Le scénario ne peut pas être calculé", &d);
        }
    };
    let avert = sc.avertissements(&avert);
    let (style, graphs) = graphiques(&r);
    let id = &sc.id;
    let mut corps = titre_dossier(sc, &r);
    corps.push_str(&bandeau_simulation(sc));
    let (de, lettres) = if sc.enr.etapes.is_empty() {
        ("", "lettres de notification (PDF, dans un zip)")
    } else {
        (
            " de la simulation",
            "lettres de notification du dossier déposé (PDF, dans un zip)",
        )
    };
    corps.push_str(&format!(
        "<nav class=\"telechargements\" aria-label=\"Téléchargements\">Télécharger{de} : <a href=\"/d/{i}/telecharger/resultat.xlsx\" download>classeur</a> · <a href=\"/d/{i}/telecharger/resultat.csv\" download>CSV</a> · <a href=\"/d/{i}/telecharger/resultat.json\" download>JSON</a> · <a href=\"/d/{i}/telecharger/rapport.html\" download>rapport HTML</a> · <a href=\"/d/{i}/telecharger/lettres.zip\" download>{lettres}</a></nav>",
        i = esc(id)
    ));
    corps.push_str(&super::telechargement::formulaire_signature(id));
    corps.push_str("<section id=\"synthese\"><h2>Synthèse</h2>");
    corps.push_str(&synthese(&r));
    corps.push_str("</section>\n<section id=\"detail\"><h2>Détail par structure</h2><p class=\"legende\">Cliquez sur une structure pour voir le détail de son calcul.</p>");
    corps.push_str(&tableau(&r, f, id, &format!("/d/{id}"), None));
    corps.push_str("<aside id=\"panneau\" class=\"panneau\" hidden><button type=\"button\" class=\"fermer\" aria-label=\"Fermer\">×</button><div class=\"panneau-contenu\"></div></aside></section>\n");
    corps.push_str("<section id=\"avertissements\"><h2>Avertissements</h2>");
    if avert.0.is_empty() {
        corps.push_str("<p>Aucun avertissement.</p>");
    } else {
        corps.push_str(&liste_diagnostics(&avert));
    }
    corps.push_str("</section>\n<div class=\"rapport\">");
    corps.push_str(&graphs);
    corps.push_str("</div>");
    gabarit(
        &format!("Résultat — {}", r.convention.nom),
        Onglet::Resultat,
        Some(&sc.contexte()),
        &style,
        &corps,
    )
    .into_response()
}

/// A structure's explanation (`bonus-ctg expliquer --format html`): the calculation's tree,
/// one section per figure, one list item per node.
pub async fn structure(etat: S, Path((id, sid)): Path<(String, String)>) -> Response {
    let sc = match charger(&etat, &id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let r = super::travail(move || {
        let (r, _) = sc
            .calculer()
            .map_err(|d| sc.invalide("Le scénario ne peut pas être calculé", &d))?;
        let arbre = match crate::rapport::explication::explication(&sc.lu.dossier, &r, &sid)
            .and_then(|x| {
                x.map(|(en, e)| crate::rapport::explication::html::fragment(&en, &e))
                    .transpose()
            }) {
            Ok(Some(t)) => t,
            Ok(None) => {
                return Err(erreur(
                    StatusCode::NOT_FOUND,
                    Code::E136,
                    &format!("structure inconnue : « {sid} »"),
                    "choisissez une structure dans le tableau du résultat",
                ))
            }
            Err(e) => {
                return Err(erreur(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Code::E023,
                    &e.to_string(),
                    "vérifiez les ordres de grandeur des montants et des unités",
                ))
            }
        };
        let nom = r.structure(&sid).map_or(sid.clone(), |l| l.structure.nom.to_string());
        // the tree's style goes with the article: the result page's side panel shows the
        // article alone
        // a simulation's figures, said in the article itself (the side panel shows it
        // alone): its values are not those of the file's line the explanation cites
        let n = sc.enr.etapes.len();
        let simulation = if n == 0 {
            String::new()
        } else {
            format!(
                "<p class=\"bandeau-simulation\" role=\"note\"><strong>Simulation</strong> : explication du scénario modifié ({}), pas du dossier déposé : une valeur changée dans la page Simulation n'est pas celle de la ligne du fichier citée ci-dessous.</p>",
                crate::rapport::nombre_de(n as u64, "étape", "étapes")
            )
        };
        let corps = format!(
            "<p><a href=\"/d/{}\">← Retour au résultat</a></p><article id=\"explication\"><style>{}</style><h1>{}</h1><p class=\"id\">{}</p>{simulation}{}</article>",
            esc(&sc.id),
            crate::rapport::explication::html::STYLE_ARBRE,
            esc(&nom),
            esc(&sid),
            super::regles::lier(&arbre)
        );
        Ok(gabarit(&format!("Explication — {nom}"),
            Onglet::Resultat,
            Some(&sc.contexte()),
            "",
            &corps,
        )
        .into_response())
    })
    .await;
    match r {
        Ok(r) | Err(r) => r,
    }
}
