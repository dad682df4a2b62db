//! HTML report for elected officials and commune staff: one self-contained file (inline CSS
//! and SVG, no network, no JavaScript), in French, printable on A4.
//!
//! Sections: the convention; a summary (Caf total, collectivité total N-1 → N, eligible
//! structures); a bar chart of the bonus per structure grouped by volet; a stacked chart of
//! Caf vs collectivité funding per gestionnaire, N-1 vs N; the per-structure table; the
//! reconciliation; the excluded structures with their reason; the barème with its sources;
//! the modelling choices.
//!
//! Every amount cell carries its exact value in cents (`data-centimes`) and every structure
//! row its id (`data-id`), so that a test can check the DOM against the CSV output.
//! Chart geometry is computed in integers (tenths of a pixel): no floating point.

use super::parametres::{hypotheses, lignes_bareme};
use super::{euros, groupe_fr, montant_fr};
use crate::bareme::Statut;
use crate::calcul::eligibilite::Motif;
use crate::calcul::rationnel::R;
use crate::calcul::{LigneStructure, Resultat, Totaux};
use crate::modele::{Convention, Date, Montant};
use std::fmt::Write;

/// Escapes a text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// `12 345,67 €` with a no-break space before the euro sign.
pub(crate) fn fr(m: Montant) -> String {
    montant_fr(m).replace(" €", "\u{a0}€")
}

/// `<td>` of an amount, with its exact value in cents.
fn td_montant(m: Montant) -> String {
    format!(
        "<td class=\"n\" data-centimes=\"{}\">{}</td>",
        m.0,
        esc(&fr(m))
    )
}

pub(crate) fn date_fr(d: Date) -> String {
    format!("{:02}/{:02}/{:04}", d.jour, d.mois, d.annee)
}

/// Tenths of a pixel as an SVG coordinate: `1234` → `123.4`.
pub(crate) fn px(dixiemes: i128) -> String {
    let s = if dixiemes < 0 { "-" } else { "" };
    let a = dixiemes.unsigned_abs();
    if a.is_multiple_of(10) {
        format!("{s}{}", a / 10)
    } else {
        format!("{s}{}.{}", a / 10, a % 10)
    }
}

/// `v / max × largeur` in tenths of a pixel (integers only; `max > 0`).
fn echelle(v: i64, max: i64, largeur_px: i128) -> i128 {
    if max <= 0 || v <= 0 {
        return 0;
    }
    (v as i128 * largeur_px * 10) / max as i128
}

/// A "nice" axis end and step (cents) for values up to `max` cents: steps of 1, 2 or 5 ×
/// 10^k euros, at most 5 intervals.
pub(crate) fn graduation(max: i64) -> (i64, i64) {
    let max_euros = (max.max(1) + 99) / 100;
    let mut p: i64 = 1;
    loop {
        for f in [1i64, 2, 5] {
            let pas = f.saturating_mul(p);
            if pas.saturating_mul(5) >= max_euros {
                let n = (max_euros + pas - 1) / pas;
                return (
                    pas.saturating_mul(n).saturating_mul(100),
                    pas.saturating_mul(100),
                );
            }
        }
        p = p.saturating_mul(10);
    }
}

/// Short French amount for axis ticks: `50 000 €`.
fn euros_ronds(c: i64) -> String {
    format!("{}\u{a0}€", groupe_fr(&(c / 100).to_string()))
}

/// Cuts a label to `n` characters (with `…`).
fn couper(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

const COULEUR_LISSAGE: &str = "#2b6cb0";
const COULEUR_NOUVELLES: &str = "#38a169";
pub(crate) const COULEUR_CAF: &str = "#2b6cb0";
pub(crate) const COULEUR_COLLECTIVITE: &str = "#dd6b20";

pub(crate) const LARGEUR_SVG: i128 = 760;
const MARGE_ETIQUETTE: i128 = 250;
const MARGE_VALEUR: i128 = 110;

/// Vertical grid and tick labels of a horizontal bar chart.
fn axe(o: &mut String, haut: i128, bas: i128, fin: i64, pas: i64) {
    let largeur = LARGEUR_SVG - MARGE_ETIQUETTE - MARGE_VALEUR;
    let mut v = 0i64;
    while v <= fin {
        let x = MARGE_ETIQUETTE * 10 + echelle(v, fin, largeur);
        let _ = write!(
            o,
            "<line class=\"grille\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/><text class=\"graduation\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            px(haut * 10),
            px(bas * 10),
            px(bas * 10 + 130),
            esc(&euros_ronds(v)),
            x = px(x)
        );
        if pas <= 0 {
            break;
        }
        v += pas;
    }
}

/// Bar chart of one volet: one bar per structure, lissage and new units stacked.
fn graphique_volet(o: &mut String, volet: &str, lignes: &[&LigneStructure]) {
    let ligne_h: i128 = 20;
    let haut: i128 = 8;
    let n = lignes.len() as i128;
    let bas = haut + n * ligne_h;
    let hauteur = bas + 22;
    let max = lignes.iter().map(|l| l.bonus_total.0).max().unwrap_or(0);
    let (fin, pas) = graduation(max);
    let largeur = LARGEUR_SVG - MARGE_ETIQUETTE - MARGE_VALEUR;
    let _ = write!(
        o,
        "<svg class=\"graphique\" role=\"img\" viewBox=\"0 0 {LARGEUR_SVG} {hauteur}\" aria-labelledby=\"titre-volet-{v}\" data-volet=\"{v}\"><title id=\"titre-volet-{v}\">Bonus par structure, volet {v}</title>",
        v = esc(volet)
    );
    axe(o, haut, bas, fin, pas);
    for (i, l) in lignes.iter().enumerate() {
        let y = haut + i as i128 * ligne_h;
        let s = &l.structure;
        let x0 = MARGE_ETIQUETTE * 10;
        let wl = echelle(l.bonus_lissage.0, fin, largeur);
        let wt = echelle(l.bonus_total.0, fin, largeur);
        let _ = write!(
            o,
            "<g class=\"barre\" data-id=\"{id}\" data-centimes=\"{c}\"><title>{nom} ({id}) : {t} = lissage {bl} + places nouvelles {bn}</title>",
            id = esc(&s.id),
            c = l.bonus_total.0,
            nom = esc(&s.nom),
            t = esc(&fr(l.bonus_total)),
            bl = esc(&fr(l.bonus_lissage)),
            bn = esc(&fr(l.bonus_nouvelles)),
        );
        let _ = write!(
            o,
            "<text class=\"etiquette\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            px(x0 - 60),
            px(y * 10 + 140),
            esc(&couper(&s.nom, 40))
        );
        let _ = write!(
            o,
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"13\" fill=\"{COULEUR_LISSAGE}\"/>",
            px(x0),
            px(y * 10 + 30),
            px(wl)
        );
        if wt > wl {
            let _ = write!(
                o,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"13\" fill=\"{COULEUR_NOUVELLES}\"/>",
                px(x0 + wl),
                px(y * 10 + 30),
                px(wt - wl)
            );
        }
        let _ = write!(
            o,
            "<text class=\"valeur\" x=\"{}\" y=\"{}\">{}</text></g>",
            px(x0 + wt + 50),
            px(y * 10 + 140),
            esc(&fr(l.bonus_total))
        );
    }
    o.push_str("</svg>");
}

/// Stacked bars per gestionnaire, N-1 and N: the shares of the Caf (bonus) and of the
/// collectivité (contribution) in its public funding (100 % bars: a large gestionnaire does
/// not flatten the others), the total amount on the right.
fn graphique_gestionnaires(o: &mut String, r: &Resultat) {
    let lignes: Vec<(&String, &crate::calcul::Totaux)> = r
        .gestionnaires
        .iter()
        .filter(|(_, t)| t.financement_public_n1.0 > 0 || t.financement_public_n.0 > 0)
        .collect();
    let bloc: i128 = 44;
    let haut: i128 = 8;
    let bas = haut + lignes.len() as i128 * bloc;
    let hauteur = bas + 22;
    let largeur = LARGEUR_SVG - MARGE_ETIQUETTE - MARGE_VALEUR - 60;
    let _ = write!(
        o,
        "<svg class=\"graphique\" role=\"img\" viewBox=\"0 0 {LARGEUR_SVG} {hauteur}\" aria-labelledby=\"titre-gest\"><title id=\"titre-gest\">Part de la Caf et de la collectivité dans le financement public de chaque gestionnaire, N-1 et N</title>"
    );
    let x0 = MARGE_ETIQUETTE * 10;
    for k in 0..=4i128 {
        let x = x0 + largeur * 10 * k / 4;
        let _ = write!(
            o,
            "<line class=\"grille\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/><text class=\"graduation\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{} %</text>",
            px(haut * 10),
            px(bas * 10),
            px(bas * 10 + 130),
            k * 25,
            x = px(x)
        );
    }
    for (i, (g, t)) in lignes.iter().enumerate() {
        let y = haut + i as i128 * bloc;
        let _ = write!(
            o,
            "<g class=\"gestionnaire\" data-gestionnaire=\"{}\"><text class=\"etiquette\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            esc(g),
            px(x0 - 330),
            px(y * 10 + 240),
            esc(&couper(g, 34))
        );
        for (k, (annee, caf, coll)) in [
            ("N-1", t.bonus_n1, t.contribution_n1),
            ("N", t.bonus_total, t.contribution_n),
        ]
        .into_iter()
        .enumerate()
        {
            let yb = y * 10 + 30 + k as i128 * 190;
            let total = caf.0 + coll.0;
            let wc = echelle(caf.0, total, largeur);
            let wtot = if total > 0 { largeur * 10 } else { 0 };
            // share of the Caf, in whole percent (half up)
            let pc = if total > 0 {
                (caf.0 as i128 * 200 + total as i128) / (total as i128 * 2)
            } else {
                0
            };
            let _ = write!(
                o,
                "<text class=\"annee\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{annee}</text><g data-annee=\"{annee}\" data-caf=\"{}\" data-collectivite=\"{}\"><title>{} — {annee} : Caf {} + collectivité {} = {}</title>",
                px(x0 - 60),
                px(yb + 115),
                caf.0,
                coll.0,
                esc(g),
                esc(&fr(caf)),
                esc(&fr(coll)),
                esc(&fr(Montant(total)))
            );
            let _ = write!(
                o,
                "<rect class=\"caf\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"15\" fill=\"{COULEUR_CAF}\"/><rect class=\"collectivite\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"15\" fill=\"{COULEUR_COLLECTIVITE}\"/></g>",
                px(x0),
                px(yb),
                px(wc),
                px(x0 + wc),
                px(yb),
                px(wtot - wc)
            );
            let _ = write!(
                o,
                "<text class=\"valeur\" x=\"{}\" y=\"{}\">{} · Caf {pc} %</text>",
                px(x0 + largeur * 10 + 50),
                px(yb + 115),
                esc(&fr(Montant(total)))
            );
        }
        o.push_str("</g>");
    }
    o.push_str("</svg>");
}

pub(crate) const STYLE: &str = r#"
:root { --bleu: #2b6cb0; --orange: #dd6b20; --vert: #38a169; --gris: #4a5568; --filet: #cbd5e0; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1a202c; margin: 0 auto; max-width: 1100px; padding: 24px; line-height: 1.4; font-size: 15px; }
header { border-bottom: 3px solid var(--bleu); margin-bottom: 16px; }
.surtitre { color: var(--bleu); font-weight: bold; text-transform: uppercase; letter-spacing: .05em; font-size: 12px; margin: 0; }
h1 { margin: 4px 0 6px; font-size: 26px; }
h2 { border-bottom: 1px solid var(--filet); padding-bottom: 4px; margin-top: 32px; font-size: 20px; }
h3 { font-size: 16px; margin: 18px 0 4px; }
.meta { color: var(--gris); margin: 0 0 12px; }
nav ol { columns: 2; margin: 0; padding-left: 20px; color: var(--gris); }
nav a { color: var(--bleu); text-decoration: none; }
.cartes { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
.carte { border: 1px solid var(--filet); border-left: 5px solid var(--bleu); border-radius: 4px; padding: 10px 12px; break-inside: avoid; }
.carte.coll { border-left-color: var(--orange); }
.carte.elig { border-left-color: var(--vert); }
.carte .etiquette { color: var(--gris); font-size: 13px; }
.carte .valeur { font-size: 22px; font-weight: bold; white-space: nowrap; }
.carte .valeur.petite { font-size: 16px; }
.carte .detail { font-size: 12px; color: var(--gris); }
figure { margin: 12px 0 20px; break-inside: avoid; }
figcaption { font-weight: bold; margin-bottom: 4px; }
svg.graphique { width: 100%; height: auto; display: block; font-family: inherit; }
svg .etiquette, svg .annee { font-size: 11px; fill: #1a202c; }
svg .annee { fill: var(--gris); }
svg .valeur { font-size: 10.5px; fill: #1a202c; }
svg .graduation { font-size: 9.5px; fill: var(--gris); }
svg .grille { stroke: #e2e8f0; stroke-width: 1; }
.legende { font-size: 13px; color: var(--gris); margin: 4px 0; }
.legende span { display: inline-block; width: 12px; height: 12px; vertical-align: -1px; margin: 0 4px 0 12px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; margin: 8px 0 16px; }
th, td { border-bottom: 1px solid #e2e8f0; padding: 3px 5px; vertical-align: top; }
th { background: #edf2f7; text-align: left; font-weight: bold; }
thead th { border-bottom: 2px solid var(--filet); }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tfoot td, tr.total td { font-weight: bold; border-top: 2px solid var(--filet); background: #f7fafc; }
tr.exclue td { color: var(--gris); }
small, .id { color: var(--gris); font-size: 11px; }
#table-structures td:first-child, #table-exclues td:first-child { min-width: 16em; }
#table-structures td:nth-child(3) { min-width: 7em; }
#table-structures td:nth-child(2) { min-width: 8em; }
.id { word-break: break-all; }
.motif { font-size: 11px; }
.hyp { font-size: 13px; }
.hyp li { margin-bottom: 4px; }
footer { margin-top: 32px; border-top: 1px solid var(--filet); padding-top: 8px; color: var(--gris); font-size: 12px; }
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
@page paysage { size: A4 landscape; margin: 12mm 12mm 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  nav { display: none; }
  h1 { font-size: 17pt; }
  h2 { font-size: 13pt; margin-top: 14pt; break-after: avoid; }
  h3 { break-after: avoid; }
  table { font-size: 7.5pt; }
  th, td { padding: 1.5pt 3pt; }
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  tr, .carte, figure { break-inside: avoid; }
  .cartes { grid-template-columns: repeat(4, 1fr); gap: 6pt; }
  .carte .valeur { font-size: 12pt; }
  .carte .valeur.petite { font-size: 10pt; }
  .saut { break-before: page; }
  #structures { page: paysage; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Short reason for the per-structure table (the full one is in section 6).
pub(crate) fn motif_court(m: Motif) -> &'static str {
    match m {
        Motif::Eligible => "éligible",
        Motif::Annexe2Bis => "annexe 2 bis",
        Motif::TypeSansVolet => "type sans volet",
        Motif::FinancementIncompatible => "financement",
        Motif::SansSoutienCollectivite => "sans soutien",
        Motif::CollectiviteNonSignataire => "non signataire",
        Motif::Fermee => "fermée",
    }
}

fn libelle_statut(s: Option<Statut>) -> &'static str {
    match s {
        Some(Statut::Confirme) => "confirmé",
        Some(Statut::Hypothese) => "hypothèse",
        None => "défaut",
    }
}

/// The cells of a row of the gestionnaires table (or of its total): eligible / all
/// structures, then bonus, contribution and public funding N-1 and N, and the variation.
fn cellules_gestionnaire(x: &Totaux) -> String {
    format!(
        "<td class=\"n\">{} / {}</td>{}{}{}{}{}{}{}",
        x.structures_eligibles,
        x.structures,
        td_montant(x.bonus_n1),
        td_montant(x.bonus_total),
        td_montant(x.contribution_n1),
        td_montant(x.contribution_n),
        td_montant(x.financement_public_n1),
        td_montant(x.financement_public_n),
        td_montant(x.variation)
    )
}

/// The start of a report page: doctype, head (title, the shared [`STYLE`] followed by
/// `style`), opening `<body>`.
pub(crate) fn debut_page(o: &mut String, titre: &str, style: &str) {
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"bonus-ctg {}\">\n<title>{}</title>\n<style>{STYLE}{style}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        esc(titre)
    );
}

/// Under a report's title, escaped: the convention's period (` · convention du … au …`, or
/// nothing), « collectivité » or « collectivités », and the collectivités (the non
/// signatory ones marked).
pub(crate) fn periode_et_collectivites(c: &Convention) -> (String, &'static str, String) {
    let periode = match (c.debut, c.fin) {
        (Some(d), Some(f)) => format!(" · convention du {} au {}", date_fr(d), date_fr(f)),
        _ => String::new(),
    };
    let collectivites = c
        .collectivites
        .iter()
        .map(|x| {
            format!(
                "{}{}",
                x.nom,
                if x.signataire {
                    ""
                } else {
                    " (non signataire)"
                }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let libelle = if c.collectivites.len() > 1 {
        "collectivités"
    } else {
        "collectivité"
    };
    (esc(&periode), libelle, esc(&collectivites))
}

/// The report, as one HTML string.
pub fn rendre(r: &Resultat) -> R<String> {
    let mut o = String::with_capacity(200_000);
    let c = &r.convention;
    let t = &r.total;
    let titre = format!("Bonus territoire — {} — exercice {}", c.nom, r.exercice);
    debut_page(&mut o, &titre, "");

    // the convention
    let (periode, libelle, collectivites) = periode_et_collectivites(c);
    let _ = write!(
        o,
        "<header>\n<p class=\"surtitre\">Bonus territoire CTG — rapport de répartition</p>\n<h1>{}</h1>\n<p class=\"meta\">{} · exercice <strong>{}</strong>{} · {} : {}</p>\n</header>\n",
        esc(&c.nom),
        esc(&c.caf),
        r.exercice,
        periode,
        libelle,
        collectivites
    );
    o.push_str("<nav aria-label=\"Sommaire\"><ol><li><a href=\"#synthese\">Synthèse</a></li><li><a href=\"#bonus-par-volet\">Bonus par structure et par volet</a></li><li><a href=\"#financement-gestionnaires\">Financement par gestionnaire</a></li><li><a href=\"#structures\">Détail par structure</a></li><li><a href=\"#rapprochement\">Rapprochement</a></li><li><a href=\"#exclues\">Structures non éligibles</a></li><li><a href=\"#bareme\">Barème et sources</a></li><li><a href=\"#hypotheses\">Choix de modélisation</a></li></ol></nav>\n");

    // summary
    let _ = write!(
        o,
        "<section id=\"synthese\">\n<h2>1. Synthèse</h2>\n<div class=\"cartes\">\n\
         <div class=\"carte\" id=\"total-caf\"><div class=\"etiquette\">Versé par la Caf en {ex}</div><div class=\"valeur\" data-centimes=\"{vc}\">{vcf}</div><div class=\"detail\">bonus aux structures {bs} + versé aux collectivités {vcol}</div></div>\n\
         <div class=\"carte coll\" id=\"total-collectivites\"><div class=\"etiquette\">Contributions des collectivités aux structures</div><div class=\"valeur petite\">N-1 : <span data-centimes=\"{c1}\">{c1f}</span></div><div class=\"valeur petite\">{ex} : <span data-centimes=\"{cn}\">{cnf}</span></div></div>\n\
         <div class=\"carte elig\" id=\"structures-eligibles\"><div class=\"etiquette\">Structures éligibles</div><div class=\"valeur\"><span data-nombre=\"{ne}\">{ne}</span> sur {ns}</div><div class=\"detail\">{nx} structure{px} non éligible{px} (section 6)</div></div>\n\
         <div class=\"carte\" id=\"charge-n1\"><div class=\"etiquette\">Charge à payer N-1 à répartir</div><div class=\"valeur\" data-centimes=\"{a}\">{af}</div><div class=\"detail\">dont non redistribué {nr}</div></div>\n\
         </div>\n",
        ex = r.exercice,
        vc = t.verse_caf.0,
        vcf = esc(&fr(t.verse_caf)),
        bs = esc(&fr(t.structures.bonus_total)),
        vcol = esc(&fr(t.verse_collectivite)),
        c1 = t.structures.contribution_n1.0,
        c1f = esc(&fr(t.structures.contribution_n1)),
        cn = t.structures.contribution_n.0,
        cnf = esc(&fr(t.structures.contribution_n)),
        ne = t.structures.structures_eligibles,
        ns = t.structures.structures,
        nx = t.structures.structures - t.structures.structures_eligibles,
        px = if t.structures.structures - t.structures.structures_eligibles > 1 { "s" } else { "" },
        a = t.charge_n1.0,
        af = esc(&fr(t.charge_n1)),
        nr = esc(&fr(t.non_redistribue)),
    );
    let fp1 = t.structures.financement_public_n1;
    let fpn = t.structures.financement_public_n;
    let _ = write!(
        o,
        "<p>En {ex}, la Caf verse le bonus territoire directement aux gestionnaires des structures éligibles ({bs}), au lieu de le verser à la collectivité. \
         Les collectivités ajustent leurs contributions : {c1} en N-1, {cn} en {ex}. \
         Le financement public des structures (Caf + collectivités) passe de {fp1} à {fpn} (variation {va}).</p>\n</section>\n",
        ex = r.exercice,
        bs = esc(&fr(t.structures.bonus_total)),
        c1 = esc(&fr(t.structures.contribution_n1)),
        cn = esc(&fr(t.structures.contribution_n)),
        fp1 = esc(&fr(fp1)),
        fpn = esc(&fr(fpn)),
        va = esc(&fr(t.structures.variation)),
    );

    // bar chart per volet
    o.push_str("<section id=\"bonus-par-volet\">\n<h2>2. Bonus par structure, par volet</h2>\n<p class=\"legende\">Barres :<span style=\"background:#2b6cb0\"></span>lissage des unités existantes<span style=\"background:#38a169\"></span>forfaits des places nouvelles. Chaque volet a sa propre échelle.</p>\n");
    let mut volets: Vec<&str> = Vec::new();
    for g in &r.groupes {
        if !volets.contains(&g.volet.as_str()) {
            volets.push(&g.volet);
        }
    }
    let mut aucun = true;
    for v in &volets {
        let mut lignes: Vec<&LigneStructure> = r
            .structures
            .iter()
            .filter(|l| l.motif() == Motif::Eligible && l.eligibilite.volet() == Some(v))
            .collect();
        if lignes.is_empty() {
            continue;
        }
        aucun = false;
        lignes.sort_by(|a, b| {
            b.bonus_total
                .cmp(&a.bonus_total)
                .then_with(|| a.structure.id.as_bytes().cmp(b.structure.id.as_bytes()))
        });
        let total = Montant(lignes.iter().map(|l| l.bonus_total.0).sum());
        let unite = r
            .bareme
            .volets
            .get(*v)
            .map_or("unité".to_string(), |x| x.unite.valeur.clone());
        let charge = Montant(
            r.groupes
                .iter()
                .filter(|g| g.volet == *v)
                .map(|g| g.charge_n1.0)
                .sum(),
        );
        let _ = write!(
            o,
            "<figure id=\"volet-{}\"><figcaption>Volet {} — {} structure{} — bonus {} (charge N-1 {}) — unité : {}</figcaption>",
            esc(v),
            esc(v),
            lignes.len(),
            if lignes.len() > 1 { "s" } else { "" },
            esc(&fr(total)),
            esc(&fr(charge)),
            esc(&unite)
        );
        graphique_volet(&mut o, v, &lignes);
        o.push_str("</figure>\n");
    }
    if aucun {
        o.push_str("<p>Aucune structure éligible : aucun bonus n'est réparti.</p>\n");
    }
    o.push_str("</section>\n");

    // gestionnaires
    let _ = write!(o, "<section id=\"financement-gestionnaires\">\n<h2>3. Financement Caf et collectivité par gestionnaire, N-1 et N</h2>\n<p class=\"legende\">Part de chaque financeur dans le financement public du gestionnaire ; barre du haut : N-1, barre du bas : {ex}.<span style=\"background:#2b6cb0\"></span>Caf (bonus)<span style=\"background:#dd6b20\"></span>collectivité (contribution). À droite : financement public total et part de la Caf.</p>\n<figure>", ex = r.exercice);
    graphique_gestionnaires(&mut o, r);
    o.push_str("</figure>\n<table id=\"table-gestionnaires\">\n<thead><tr><th>Gestionnaire</th><th class=\"n\">Structures éligibles</th><th class=\"n\">Bonus N-1</th><th class=\"n\">Bonus N</th><th class=\"n\">Contrib. N-1</th><th class=\"n\">Contrib. N</th><th class=\"n\">Fin. public N-1</th><th class=\"n\">Fin. public N</th><th class=\"n\">Variation</th></tr></thead>\n<tbody>\n");
    for (g, x) in &r.gestionnaires {
        let _ = writeln!(
            o,
            "<tr data-gestionnaire=\"{}\"><td>{}</td>{}</tr>",
            esc(g),
            esc(g),
            cellules_gestionnaire(x)
        );
    }
    let x = &t.structures;
    let _ = writeln!(
        o,
        "</tbody>\n<tfoot><tr><td>Total</td>{}</tr></tfoot>\n</table>\n</section>",
        cellules_gestionnaire(x)
    );

    // per-structure table
    o.push_str("<section id=\"structures\" class=\"saut\">\n<h2>4. Détail par structure</h2>\n<p>Montants versés après arrondi au centime (arrondi de groupe, R9). « Unités » : unités existantes retenues (hors places réservées aux employeurs).</p>\n<table id=\"table-structures\">\n<thead><tr><th>Structure</th><th>Gestionnaire</th><th>Volet</th><th class=\"n\">Unités</th><th class=\"n\">Taux / unité</th><th class=\"n\">Lissage</th><th class=\"n\">Places nouvelles</th><th class=\"n\">Bonus total</th><th class=\"n\">Contrib. N-1</th><th class=\"n\">Contrib. N</th><th class=\"n\">Variation</th><th class=\"n\">dont trajectoire</th><th class=\"n\">CTRE</th></tr></thead>\n<tbody>\n");
    for l in &r.structures {
        let s = &l.structure;
        let eligible = l.motif() == Motif::Eligible;
        let taux = match &l.taux_unitaire {
            Some(x) if eligible => format!("{}\u{a0}€", groupe_fr(&euros(x, 2)?)),
            _ => "—".into(),
        };
        let _ = writeln!(
            o,
            "<tr data-id=\"{id}\" data-motif=\"{m}\"{cl}><td>{nom}<br><span class=\"id\">{id}</span></td><td>{g}</td><td>{v}</td><td class=\"n\">{u}</td><td class=\"n\">{taux}</td>{bl}{bn}{bt}{c1}{cn}{va}{tj}{ct}</tr>",
            id = esc(&s.id),
            m = l.motif().code(),
            cl = if eligible { "" } else { " class=\"exclue\"" },
            nom = esc(&s.nom),
            g = esc(&s.gestionnaire),
            v = if eligible {
                esc(l.eligibilite.volet().unwrap_or("—"))
            } else {
                format!(
                    "{}<br><span class=\"motif\">non éligible ({})</span>",
                    esc(l.eligibilite.volet().unwrap_or("—")),
                    motif_court(l.motif())
                )
            },
            u = if eligible { esc(&groupe_fr(&l.unites_eligibles.to_string())) } else { "—".into() },
            taux = esc(&taux),
            bl = td_montant(l.bonus_lissage),
            bn = td_montant(l.bonus_nouvelles),
            bt = td_montant(l.bonus_total),
            c1 = td_montant(l.contribution_n1),
            cn = td_montant(l.contribution_n),
            va = td_montant(l.variation),
            tj = td_montant(l.bonus_trajectoire),
            ct = td_montant(l.bonus_ctre),
        );
    }
    let _ = writeln!(
        o,
        "</tbody>\n<tfoot><tr id=\"total-structures\"><td colspan=\"5\">Total ({} structures, dont {} éligibles)</td>{}{}{}{}{}{}{}{}</tr></tfoot>\n</table>\n</section>",
        x.structures,
        x.structures_eligibles,
        td_montant(x.bonus_lissage),
        td_montant(x.bonus_nouvelles),
        td_montant(x.bonus_total),
        td_montant(x.contribution_n1),
        td_montant(x.contribution_n),
        td_montant(x.variation),
        td_montant(x.bonus_trajectoire),
        td_montant(x.bonus_ctre)
    );

    // reconciliation
    o.push_str("<section id=\"rapprochement\">\n<h2>5. Rapprochement par collectivité et volet</h2>\n<p>Pour chaque collectivité et chaque volet : la charge à payer N-1 (A) se retrouve dans le lissage versé (L), le complément dû au plancher et à la revalorisation (C), le non redistribué (R : mois de fermeture, volet sans structure éligible ou inconnu du barème) et ce qui est versé à la collectivité elle-même (P, pilotage) : A + C = L + R + P. La Caf verse L + N + P.</p>\n<table id=\"table-rapprochement\">\n<thead><tr><th>Collectivité</th><th>Volet</th><th class=\"n\">Charge N-1 (A)</th><th class=\"n\">Unités (U)</th><th class=\"n\">Lissage (L)</th><th class=\"n\">Places nouvelles (N)</th><th class=\"n\">Complément (C)</th><th class=\"n\">Non redistribué (R)</th><th class=\"n\">Versé collectivité (P)</th><th class=\"n\">Versé Caf</th></tr></thead>\n<tbody>\n");
    for g in &r.groupes {
        let _ = writeln!(
            o,
            "<tr data-collectivite=\"{}\" data-volet=\"{}\"><td>{}</td><td>{}</td>{}<td class=\"n\">{}</td>{}{}{}{}{}{}</tr>",
            esc(&g.collectivite),
            esc(&g.volet),
            esc(&g.collectivite),
            esc(&g.volet),
            td_montant(g.charge_n1),
            esc(&groupe_fr(&g.unites.to_string())),
            td_montant(g.lissage_verse),
            td_montant(g.nouvelles_versees),
            td_montant(g.complement_plancher),
            td_montant(g.non_redistribue),
            td_montant(g.verse_collectivite),
            td_montant(g.verse_caf())
        );
    }
    let _ = writeln!(
        o,
        "</tbody>\n<tfoot><tr id=\"total-rapprochement\"><td colspan=\"2\">Total</td>{}<td></td>{}{}{}{}{}{}</tr></tfoot>\n</table>\n<p>Total versé par la Caf : bonus aux structures {} + versé aux collectivités {} = <strong>{}</strong>.</p>\n</section>",
        td_montant(t.charge_n1),
        td_montant(t.lissage_verse),
        td_montant(t.nouvelles_versees),
        td_montant(t.complement_plancher),
        td_montant(t.non_redistribue),
        td_montant(t.verse_collectivite),
        td_montant(t.verse_caf),
        esc(&fr(t.structures.bonus_total)),
        esc(&fr(t.verse_collectivite)),
        esc(&fr(t.verse_caf)),
    );

    // excluded structures
    let exclues: Vec<&LigneStructure> = r
        .structures
        .iter()
        .filter(|l| l.motif() != Motif::Eligible)
        .collect();
    o.push_str("<section id=\"exclues\">\n<h2>6. Structures non éligibles</h2>\n");
    if exclues.is_empty() {
        o.push_str("<p>Toutes les structures sont éligibles.</p>\n");
    } else {
        o.push_str("<p>Ces structures sont listées par la convention mais ne reçoivent pas de bonus territoire. La raison est la première règle d'éligibilité non remplie (R15).</p>\n<table id=\"table-exclues\">\n<thead><tr><th>Structure</th><th>Gestionnaire</th><th>Raison</th><th class=\"n\">Contrib. N-1</th><th class=\"n\">Contrib. N</th></tr></thead>\n<tbody>\n");
        for l in &exclues {
            let s = &l.structure;
            // the rule's detail adds information only for these reasons
            let detail = match l.motif() {
                Motif::TypeSansVolet | Motif::FinancementIncompatible | Motif::Fermee => l
                    .eligibilite
                    .verifications
                    .iter()
                    .find(|v| !v.satisfaite)
                    .map_or(String::new(), |v| v.detail.clone()),
                _ => String::new(),
            };
            let mut raison = l.motif().libelle().to_string();
            if let Some(p) = raison.get(0..1) {
                raison = format!("{}{}", p.to_uppercase(), &raison[1..]);
            }
            let _ = writeln!(
                o,
                "<tr data-id=\"{id}\" data-motif=\"{m}\"><td>{nom}<br><span class=\"id\">{id}</span></td><td>{g}</td><td>{raison}.{detail}</td>{c1}{cn}</tr>",
                id = esc(&s.id),
                m = l.motif().code(),
                nom = esc(&s.nom),
                g = esc(&s.gestionnaire),
                raison = esc(&raison),
                detail = if detail.is_empty() {
                    String::new()
                } else {
                    format!("<br><small>{}</small>", esc(&detail))
                },
                c1 = td_montant(l.contribution_n1),
                cn = td_montant(l.contribution_n),
            );
        }
        o.push_str("</tbody>\n</table>\n");
    }
    o.push_str("</section>\n");

    // barème
    let _ = write!(
        o,
        "<section id=\"bareme\">\n<h2>7. Barème appliqué et sources</h2>\n<p>Valeurs en vigueur au 1<sup>er</sup> janvier {} (docs/regles.md, R1). Statut « hypothèse » : choix de modélisation en l'absence de source publique.</p>\n<table id=\"table-bareme\">\n<thead><tr><th>Paramètre</th><th>Valeur</th><th>Depuis le</th><th>Statut</th><th>Référence</th></tr></thead>\n<tbody>\n",
        r.exercice
    );
    for b in lignes_bareme(&r.bareme) {
        let _ = writeln!(
            o,
            "<tr data-parametre=\"{p}\"><td>{p}</td><td>{v}</td><td>{d}</td><td>{s}</td><td>{re}{f}</td></tr>",
            p = esc(&b.parametre),
            v = esc(&b.valeur),
            d = b.debut.map_or("—".into(), date_fr),
            s = libelle_statut(b.statut),
            re = esc(&b.reference),
            f = if b.fichier.is_empty() {
                String::new()
            } else {
                format!("<br><small>{}</small>", esc(&b.fichier))
            },
        );
    }
    o.push_str("</tbody>\n</table>\n</section>\n");

    // modelling choices
    o.push_str("<section id=\"hypotheses\">\n<h2>8. Choix de modélisation appliqués</h2>\n<ul class=\"hyp\">\n");
    for h in hypotheses(&r.bareme) {
        let _ = writeln!(
            o,
            "<li><strong>{}</strong> — {}</li>",
            esc(&h.code),
            esc(&h.titre)
        );
    }
    let _ = write!(
        o,
        "</ul>\n<p class=\"hyp\">Le texte complet de chaque règle figure dans docs/regles.md et dans la feuille « Hypotheses » du classeur XLSX.</p>\n</section>\n<footer>Produit par bonus-ctg {} à partir du dossier de la convention. Montants calculés exactement au centime ; « bonus-ctg expliquer ID » détaille le calcul d'une structure.</footer>\n</body>\n</html>\n",
        env!("CARGO_PKG_VERSION")
    );
    Ok(o)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echappement() {
        assert_eq!(
            esc("<a href=\"x\">L'été & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;L&#39;été &amp; co&lt;/a&gt;"
        );
    }

    #[test]
    fn graduations() {
        // max 56 818,18 € → steps of 20 000 € (5 × 10 000 € would be < 56 819 € only with
        // 10 000 € × 6 intervals): 20 000 × 3 = 60 000 €
        assert_eq!(graduation(5_681_818), (6_000_000, 2_000_000));
        // max 6 172,84 € → step 2 000 €, end 8 000 €
        assert_eq!(graduation(617_284), (800_000, 200_000));
        // 0 → 1 € scale, never a division by zero
        assert_eq!(graduation(0), (100, 100));
        assert_eq!(echelle(50, 100, 400), 2000);
        assert_eq!(echelle(5, 0, 400), 0);
        assert_eq!(px(1234), "123.4");
        assert_eq!(px(1230), "123");
    }

    #[test]
    fn coupe() {
        assert_eq!(couper("abcdef", 4), "abc…");
        assert_eq!(couper("abc", 4), "abc");
    }
}
