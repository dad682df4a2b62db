//! HTML report of `bonus-ctg projeter`: one self-contained file (inline CSS and SVG, no
//! network, no JavaScript), in French, printable on A4.
//!
//! Sections: the convention and the projection's base; a summary (Caf, collectivités and
//! public funding, N-1 → last year); the totals per year (N-1 then each year); a line chart
//! of the Caf's and the collectivités' funding by year; the bonus trajectoire; the
//! per-structure table (Caf bonus and contribution, N-1 then each year); the events applied.
//!
//! Styles and helpers are those of the one-year report ([`super::html`]). Every amount cell
//! and chart point carries its exact value in cents (`data-centimes`), its year
//! (`data-exercice`) and its field (`data-champ` / `data-serie`), so that a test can check the
//! DOM against the projection's CSV. Chart geometry is computed in integers (tenths of a
//! pixel): no floating point.

use super::groupe_fr;
use super::html::{debut_page, esc, fr, motif_court, periode_et_collectivites};
use super::projection::{evenements_appliques, nom_base, pourcent, RANGS_TOTAUX};
use crate::calcul::eligibilite::Motif;
use crate::calcul::rationnel::{format_echelle, R};
use crate::modele::Montant;
use crate::projection::{LigneProjetee, Projection, TotauxAnnee};
use std::collections::BTreeSet;
use std::fmt::Write;

const COULEUR_FINANCEMENT: &str = "#4a5568";

const STYLE_PROJECTION: &str = r#"
svg .serie { fill: none; stroke-width: 2.5; stroke-linejoin: round; stroke-linecap: round; }
svg .serie.financement { stroke-width: 1.5; stroke-dasharray: 6 4; }
svg .axe { stroke: #a0aec0; stroke-width: 1; }
svg .point-valeur { font-size: 11px; font-weight: bold; }
svg .annee-axe { font-size: 11px; fill: #1a202c; }
.legende span.trait { height: 3px; width: 20px; vertical-align: 3px; }
.legende span.tirets { height: 0; width: 20px; vertical-align: 3px; border-top: 2px dashed #4a5568; background: none; }
td .note { display: block; color: var(--gris); font-size: 10px; white-space: normal; }
#table-totaux td:first-child { min-width: 18em; }
#table-structures th.annee { text-align: center; border-left: 1px solid var(--filet); }
#table-structures td.debut-annee, #table-structures th.debut-annee { border-left: 1px solid var(--filet); }
.evenements { font-size: 13px; }
#table-trajectoire td.n, #table-trajectoire th.n { padding-left: 12px; }
@media print { #financement { break-inside: avoid; } }
"#;

/// `1,2 M€`, `450 k€`, `800 €`: a short amount for chart labels, rounded half away from
/// zero to `decimales` decimals of its unit (trailing zeros removed).
pub fn montant_court(centimes: i64, decimales: u32) -> String {
    let v = centimes as i128;
    let a = v.abs();
    let (diviseur, unite): (i128, &str) = if a >= 100_000_000 {
        (100_000_000, "M€")
    } else if a >= 100_000 {
        (100_000, "k€")
    } else {
        (100, "€")
    };
    let p = 10i128.pow(decimales.min(6));
    let q = (a * p * 2 + diviseur) / (2 * diviseur);
    let mut s = format_echelle(if v < 0 { -q } else { q }, decimales.min(6));
    if s.contains('.') {
        s = s.trim_end_matches('0').trim_end_matches('.').to_string();
    }
    if s == "-0" {
        s = "0".into();
    }
    format!("{}\u{a0}{unite}", groupe_fr(&s))
}

/// `<td>` of an amount with its year and field.
fn td(m: Montant, exercice: i32, champ: &str, classe: &str, note: &str) -> String {
    format!(
        "<td class=\"n{}\" data-exercice=\"{exercice}\" data-champ=\"{champ}\" data-centimes=\"{}\">{}{}</td>",
        if classe.is_empty() {
            String::new()
        } else {
            format!(" {classe}")
        },
        m.0,
        esc(&fr(m)),
        if note.is_empty() {
            String::new()
        } else {
            format!("<span class=\"note\">{}</span>", esc(note))
        }
    )
}

/// The year headers of a table by year: N-1, then each projected year; ends the head.
fn entetes_annees(o: &mut String, pr: &Projection) {
    let _ = write!(o, "<th class=\"n\">{} (N-1)</th>", pr.n1.exercice);
    for a in &pr.annees {
        let _ = write!(o, "<th class=\"n\">{}</th>", a.exercice);
    }
    o.push_str("</tr></thead>\n<tbody>\n");
}

fn table_totaux(o: &mut String, pr: &Projection) {
    let mut colonnes: Vec<&TotauxAnnee> = vec![&pr.n1];
    colonnes.extend(pr.annees.iter().map(|a| &a.totaux));
    o.push_str("<table id=\"table-totaux\">\n<thead><tr><th></th>");
    entetes_annees(o, pr);
    for r in RANGS_TOTAUX {
        let _ = write!(
            o,
            "<tr data-champ=\"{}\"{}><td>{}</td>",
            r.champ,
            if r.total { " class=\"total\"" } else { "" },
            esc(r.libelle)
        );
        for (k, t) in colonnes.iter().enumerate() {
            if k == 0 && !r.connu_n1 {
                o.push_str("<td class=\"n\">—</td>");
            } else {
                o.push_str(&td((r.valeur)(t), t_exercice(pr, k), r.champ, "", ""));
            }
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n</table>\n");
}

/// Year of column `k` of the totals (0: N−1).
fn t_exercice(pr: &Projection, k: usize) -> i32 {
    if k == 0 {
        pr.n1.exercice
    } else {
        pr.annees.get(k - 1).map_or(0, |a| a.exercice)
    }
}

fn table_collectivites(o: &mut String, pr: &Projection) {
    o.push_str("<h3>Par collectivité</h3>\n<table id=\"table-collectivites\">\n<thead><tr><th>Collectivité</th><th></th>");
    entetes_annees(o, pr);
    for c in &pr.convention.collectivites {
        let mut cols: Vec<(i32, Option<&TotauxAnnee>)> =
            vec![(pr.n1.exercice, pr.n1_par_collectivite.get(&c.id))];
        cols.extend(
            pr.annees
                .iter()
                .map(|a| (a.exercice, a.par_collectivite.get(&c.id))),
        );
        for (k, (champ, libelle)) in [
            ("verse_caf", "Caf"),
            ("contribution_collectivite", "collectivité"),
        ]
        .into_iter()
        .enumerate()
        {
            let _ = write!(o, "<tr data-collectivite=\"{}\">", esc(&c.id));
            if k == 0 {
                let _ = write!(
                    o,
                    "<td rowspan=\"2\">{}<br><span class=\"id\">{}</span></td>",
                    esc(&c.nom),
                    esc(&c.id)
                );
            }
            let _ = write!(o, "<td>{libelle}</td>");
            for (e, t) in &cols {
                match t {
                    Some(t) => {
                        let m = if k == 0 {
                            t.verse_caf
                        } else {
                            t.contribution_collectivite
                        };
                        o.push_str(&td(m, *e, champ, "", ""));
                    }
                    None => o.push_str("<td class=\"n\">—</td>"),
                }
            }
            o.push_str("</tr>\n");
        }
    }
    o.push_str("</tbody>\n</table>\n");
}

fn table_trajectoire(o: &mut String, pr: &Projection) -> R<()> {
    let lignes: Vec<_> = pr
        .annees
        .iter()
        .flat_map(|a| a.trajectoire.iter().map(move |t| (a.exercice, t)))
        .collect();
    if lignes.is_empty() {
        o.push_str("<p>Aucun bonus trajectoire en vigueur sur la période.</p>\n");
        return Ok(());
    }
    o.push_str("<table id=\"table-trajectoire\">\n<thead><tr><th>Exercice</th><th>Collectivité</th><th>Volet</th><th class=\"n\">Places de référence</th><th class=\"n\">Places en décembre</th><th class=\"n\">Croissance</th><th class=\"n\">Seuil atteint</th><th class=\"n\">Par place et par an</th><th class=\"n\">Versé</th></tr></thead>\n<tbody>\n");
    for (e, t) in lignes {
        let _ = writeln!(
            o,
            "<tr data-exercice=\"{e}\" data-collectivite=\"{c}\"><td>{e}</td><td>{c}</td><td>{v}</td><td class=\"n\">{pr_} ({ar})</td><td class=\"n\">{p}</td><td class=\"n\">{cr}</td><td class=\"n\">{s}</td>{mp}{ve}</tr>",
            c = esc(&t.collectivite),
            v = esc(&t.volet),
            pr_ = esc(&groupe_fr(&t.places_reference.to_string())),
            ar = t.annee_reference,
            p = esc(&groupe_fr(&t.places.to_string())),
            cr = match &t.croissance {
                Some(c) => format!("{}\u{a0}%", esc(&pourcent(c)?)),
                None => "—".into(),
            },
            s = match t.seuil {
                Some(s) => format!(
                    "{}\u{a0}%",
                    esc(&groupe_fr(
                        &(s * rust_decimal::Decimal::from(100))
                            .normalize()
                            .to_string()
                    ))
                ),
                None => "aucun".into(),
            },
            mp = td(t.montant_par_place, e, "montant_par_place", "", ""),
            ve = td(t.verse, e, "verse", "", ""),
        );
    }
    o.push_str("</tbody>\n</table>\n<p class=\"note\">Places de référence : les unités existantes des structures éligibles du dossier, hors places réservées aux employeurs, tenues pour celles de l'année de référence (entre parenthèses) : les unités nouvelles du dossier sont celles créées depuis cette année (règle R63, hypothèse).</p>\n");
    Ok(())
}

/// The note under a structure's bonus in a year: months, reason, trajectoire.
fn note(l: &LigneProjetee) -> String {
    let mut v = Vec::new();
    if l.motif != Motif::Eligible {
        v.push(motif_court(l.motif).to_string());
    } else if l.mois < 12 {
        v.push(format!("{} mois", l.mois));
    }
    if l.bonus_trajectoire.0 != 0 {
        v.push(format!("dont trajectoire {}", fr(l.bonus_trajectoire)));
    }
    v.join(" · ")
}

fn table_structures(o: &mut String, pr: &Projection) {
    let ids: BTreeSet<&str> = pr
        .annees
        .iter()
        .flat_map(|a| a.lignes.iter().map(|l| l.id.as_str()))
        .collect();
    entete_table_structures(o, pr);
    for id in &ids {
        ligne_table_structures(o, pr, id);
    }
    total_table_structures(o, pr, ids.len());
    o.push_str("</tr></tfoot>\n</table>\n");
}

/// The header: N-1 then each year, Caf and collectivité.
fn entete_table_structures(o: &mut String, pr: &Projection) {
    let _ = write!(
        o,
        "<table id=\"table-structures\">\n<thead><tr><th rowspan=\"2\">Structure</th><th rowspan=\"2\">Volet</th><th colspan=\"2\" class=\"annee\">{} (N-1)</th>",
        pr.n1.exercice
    );
    for a in &pr.annees {
        let _ = write!(o, "<th colspan=\"2\" class=\"annee\">{}</th>", a.exercice);
    }
    o.push_str("</tr>\n<tr>");
    for _ in 0..=pr.annees.len() {
        o.push_str("<th class=\"n debut-annee\">Caf</th><th class=\"n\">Collectivité</th>");
    }
    o.push_str("</tr></thead>\n<tbody>\n");
}

/// The row of structure `id`: its N-1 amounts (from the first year's line), then each year's.
fn ligne_table_structures(o: &mut String, pr: &Projection, id: &str) {
    let n1 = pr.n1.exercice;
    let premiere = pr.annees.first();
    let premiere_ligne = premiere.and_then(|a| a.ligne(id));
    let reference = pr.annees.iter().find_map(|a| a.ligne(id));
    let Some(r) = reference else { return };
    let _ = write!(
        o,
        "<tr data-id=\"{}\"><td>{}<br><span class=\"id\">{}</span></td><td>{}</td>",
        esc(id),
        esc(&r.nom),
        esc(id),
        esc(r.volet.as_deref().unwrap_or("—"))
    );
    match premiere_ligne {
        Some(l) => {
            o.push_str(&td(l.bonus_n1, n1, "bonus_total", "debut-annee", ""));
            o.push_str(&td(
                l.contribution_n1,
                n1,
                "contribution_collectivite",
                "",
                "",
            ));
        }
        None => o.push_str("<td class=\"n debut-annee\">—</td><td class=\"n\">—</td>"),
    }
    for a in &pr.annees {
        match a.ligne(id) {
            Some(l) => {
                o.push_str(&td(
                    l.bonus_total,
                    a.exercice,
                    "bonus_total",
                    "debut-annee",
                    &note(l),
                ));
                o.push_str(&td(
                    l.contribution_n,
                    a.exercice,
                    "contribution_collectivite",
                    "",
                    "",
                ));
            }
            None => o.push_str("<td class=\"n debut-annee\">—</td><td class=\"n\">—</td>"),
        }
    }
    o.push_str("</tr>\n");
}

/// The totals: Σ of the rows (bonus to the structures, contributions), `n` structures.
fn total_table_structures(o: &mut String, pr: &Projection, n: usize) {
    let n1 = pr.n1.exercice;
    let premiere = pr.annees.first();
    let somme = |f: &dyn Fn(&LigneProjetee) -> Montant, lignes: &[LigneProjetee]| {
        Montant(lignes.iter().map(|l| f(l).0).sum())
    };
    let _ = write!(
        o,
        "</tbody>\n<tfoot><tr id=\"total-structures\"><td colspan=\"2\">Total ({} structures)</td>",
        n
    );
    match premiere {
        Some(a) => {
            o.push_str(&td(
                somme(&|l| l.bonus_n1, &a.lignes),
                n1,
                "bonus_total",
                "debut-annee",
                "",
            ));
            o.push_str(&td(
                somme(&|l| l.contribution_n1, &a.lignes),
                n1,
                "contribution_collectivite",
                "",
                "",
            ));
        }
        None => o.push_str("<td></td><td></td>"),
    }
    for a in &pr.annees {
        o.push_str(&td(
            somme(&|l| l.bonus_total, &a.lignes),
            a.exercice,
            "bonus_total",
            "debut-annee",
            "",
        ));
        o.push_str(&td(
            somme(&|l| l.contribution_n, &a.lignes),
            a.exercice,
            "contribution_collectivite",
            "",
            "",
        ));
    }
}

/// The report, as one HTML string.
pub fn rendre(pr: &Projection) -> R<String> {
    let mut o = String::with_capacity(200_000);
    let c = &pr.convention;
    let titre = format!(
        "Bonus territoire — {} — projection {}–{}",
        c.nom, pr.premiere, pr.derniere
    );
    debut_page(&mut o, &titre, STYLE_PROJECTION);
    entete_projection(&mut o, pr);
    synthese_projection(&mut o, pr);
    // totals per year
    o.push_str("<section id=\"totaux\">\n<div class=\"tete\"><h2>2. Totaux par année : Caf et collectivités</h2>\n<p>« TOTAL Caf » = lissage + unités nouvelles + trajectoire + versé aux collectivités ; « financement public » = contributions des collectivités + bonus versés aux structures. En N-1, seuls les montants du dossier sont connus.</p></div>\n");
    table_totaux(&mut o, pr);
    if c.collectivites.len() > 1 {
        table_collectivites(&mut o, pr);
    }
    o.push_str("</section>\n");

    // chart
    o.push_str("<section id=\"financement\">\n<div class=\"tete\"><h2>3. Financement Caf et collectivités par année</h2>\n<p>Chaque année, ce que verse la Caf, ce que versent les collectivités, et le financement public des structures qui en résulte.</p></div>\n<figure>\n");
    graphique(&mut o, &points(pr));
    o.push_str("\n<p class=\"legende\">Légende :<span class=\"trait\" style=\"background:#2b6cb0\"></span>Caf (total versé)<span class=\"trait\" style=\"background:#dd6b20\"></span>collectivités (contributions aux structures)<span class=\"tirets\"></span>financement public des structures (contributions + bonus)</p>\n</figure>\n</section>\n");

    // trajectoire
    o.push_str("<section id=\"trajectoire\">\n<div class=\"tete\"><h2>4. Bonus trajectoire de développement</h2>\n<p>Versé quand les places de la collectivité dépassent un seuil de croissance par rapport à l'année de référence (règle R24).</p></div>\n");
    table_trajectoire(&mut o, pr)?;
    o.push_str("</section>\n");

    // per structure
    o.push_str("<section id=\"structures\" class=\"saut\">\n<div class=\"tete\"><h2>5. Détail par structure</h2>\n<p>Pour chaque année : bonus total versé par la Caf à la structure (lissage + unités nouvelles + trajectoire) et contribution de la collectivité. Sous le montant : mois comptés quand la structure n'est pas ouverte toute l'année, raison d'une non-éligibilité (annexe 2 bis, fermée, sans soutien…), part du bonus trajectoire. Chaque chiffre s'explique règle par règle : page « Expliquer » de la structure dans l'application web, ou commande <code>expliquer</code> avec l'année voulue.</p></div>\n");
    table_structures(&mut o, pr);
    o.push_str("</section>\n");

    evenements(&mut o, pr);
    let _ = write!(
        o,
        "</section>\n<footer>Produit le {} par bonus-ctg {} à partir du dossier de la convention. Montants calculés exactement au centime ; le classeur XLSX de la projection contient le barème de chaque année et les choix de modélisation.</footer>\n</body>\n</html>\n",
        esc(&super::aujourd_hui().en_toutes_lettres()),
        env!("CARGO_PKG_VERSION")
    );
    // every table scrolls within its column on screen (its own width otherwise widens the
    // page)
    Ok(
        o.replace("<table id=", "<div class=\"defilement\"><table id=")
            .replace("</table>", "</table></div>"),
    )
}

/// The convention: title, Caf, years, collectivités, base, events; and the contents.
fn entete_projection(o: &mut String, pr: &Projection) {
    let c = &pr.convention;
    let (periode, libelle, collectivites) = periode_et_collectivites(c);
    let _ = write!(
        o,
        "<header>\n<p class=\"surtitre\">Bonus territoire CTG — projection pluriannuelle</p>\n<h1>{}</h1>\n<p class=\"meta\">{} · projection <strong>{}–{}</strong>{} · {} : {}</p>\n<p class=\"meta\">Base {} ({}) · {}</p>\n</header>\n",
        esc(&c.nom),
        esc(&c.caf),
        pr.premiere,
        pr.derniere,
        periode,
        libelle,
        collectivites,
        nom_base(pr.base),
        esc(&pr.origine_base),
        match pr.nombre_evenements {
            0 => "aucun événement".to_string(),
            1 => "1 événement pris en compte".to_string(),
            n => format!("{n} événements pris en compte"),
        },
    );
    o.push_str("<nav aria-label=\"Sommaire\"><ol><li><a href=\"#synthese\">Synthèse</a></li><li><a href=\"#totaux\">Totaux par année</a></li><li><a href=\"#financement\">Graphique Caf et collectivités</a></li><li><a href=\"#trajectoire\">Bonus trajectoire</a></li><li><a href=\"#structures\">Détail par structure</a></li><li><a href=\"#evenements\">Événements</a></li></ol></nav>\n");
}

/// Section 1: what the Caf, the collectivités and public funding amount to in N-1 and in
/// the last year.
fn synthese_projection(o: &mut String, pr: &Projection) {
    let derniere = pr.annees.last().map_or(&pr.n1, |a| &a.totaux);
    o.push_str("<section id=\"synthese\">\n<h2>1. Synthèse</h2>\n<div class=\"cartes\">\n");
    for (id, classe, libelle, f) in [
        (
            "synthese-caf",
            "",
            "Versé par la Caf",
            (|t| t.verse_caf) as fn(&TotauxAnnee) -> Montant,
        ),
        (
            "synthese-collectivites",
            " coll",
            "Contributions des collectivités",
            |t| t.contribution_collectivite,
        ),
        (
            "synthese-financement",
            " elig",
            "Financement public des structures",
            |t| t.financement_public,
        ),
    ] {
        let (a, b) = (f(&pr.n1), f(derniere));
        let _ = writeln!(
            o,
            "<div class=\"carte{classe}\" id=\"{id}\"><div class=\"etiquette\">{libelle}</div><div class=\"valeur petite\">{n1} : <span data-centimes=\"{a}\">{af}</span></div><div class=\"valeur petite\">{dn} : <span data-centimes=\"{b}\">{bf}</span></div></div>",
            n1 = pr.n1.exercice,
            dn = derniere.exercice,
            a = a.0,
            b = b.0,
            af = esc(&fr(a)),
            bf = esc(&fr(b)),
        );
    }
    let _ = write!(
        o,
        "</div>\n<p>La projection enchaîne les exercices {p}–{d} : chaque année, l'enveloppe à répartir est ce que la Caf a versé l'année précédente (base {b}), les structures évoluent selon les événements (<code>{ev}</code>), et les collectivités ajustent leurs contributions d'année en année (règles R20 à R26). N-1 ({n1}) : montants du dossier (charge à payer N-1, contributions N-1).</p>\n</section>\n",
        p = pr.premiere,
        d = pr.derniere,
        b = nom_base(pr.base),
        n1 = pr.n1.exercice,
        ev = esc(&pr.libelle_evenements),
    );
}

/// Section 6: the events applied.
fn evenements(o: &mut String, pr: &Projection) {
    let evs = evenements_appliques(pr);
    o.push_str("<section id=\"evenements\">\n<h2>6. Événements appliqués</h2>\n");
    if evs.is_empty() {
        o.push_str("<p>Aucun événement : les structures gardent leur situation du dossier.</p>\n");
    } else {
        let _ = write!(o, "<p>Lignes des événements (<code>{}</code>) ; un changement compte à partir du mois qui suit sa date, sauf s'il a lieu le 1<sup>er</sup> du mois (règle R21).</p>\n<ul class=\"evenements\">\n", esc(&pr.libelle_evenements));
        for e in evs {
            let _ = writeln!(o, "<li>{}</li>", esc(&e));
        }
        o.push_str("</ul>\n");
    }
}

mod graphique;
use graphique::{graphique, points};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn montants_courts() {
        assert_eq!(montant_court(120_000_000, 1), "1,2\u{a0}M€");
        assert_eq!(montant_court(800_000_000, 1), "8\u{a0}M€");
        // 1 685 340,11 € → 1,685… M€ → 1,69 M€ (half away from zero)
        assert_eq!(montant_court(168_534_011, 2), "1,69\u{a0}M€");
        assert_eq!(montant_court(50_000_000, 1), "500\u{a0}k€");
        assert_eq!(montant_court(45_000, 1), "450\u{a0}€");
        assert_eq!(montant_court(0, 1), "0\u{a0}€");
        assert_eq!(montant_court(-250_000_000, 1), "-2,5\u{a0}M€");
        assert_eq!(montant_court(1_500_000_000_000, 0), "15\u{202f}000\u{a0}M€");
    }
}
