//! `bonus-ctg expliquer … --format html` and the web application's structure page: the
//! calculation's explanation tree as nested lists, one item per node (its formula, the same
//! formula with the operands' values, its value, its rule, the barème parameters it read),
//! one section with its heading per figure. Every text is escaped; the structure is made of
//! headings and lists, never of layout tables.

use super::rendu::{self, Entete, Ligne};
use super::source;
use crate::calcul::explication::Explication;
use crate::calcul::rationnel::R;
use crate::rapport::html::esc;
use std::fmt::Write;

/// The style of the standalone page around the tree.
const STYLE_PAGE: &str = "body{font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:#1a202c;margin:0;background:#fff}\
main{max-width:1100px;margin:0 auto;padding:16px 24px}\
h1{font-size:22px}";

/// The style of the tree (only `.explication-arbre` and what it holds: the web application's
/// page includes it as is).
pub const STYLE_ARBRE: &str = ".explication-arbre h2,.explication-arbre h3{font-size:16px;margin:22px 0 6px;padding:6px 8px;background:#eef3f8;border-left:4px solid #2b6cb0;font-weight:600}\
.explication-arbre ul{list-style:none;margin:0;padding-left:0}\
.explication-arbre ul.noeuds ul.noeuds{padding-left:22px;border-left:1px dotted #a0aec0;margin-left:6px}\
.explication-arbre li{margin:3px 0}\
.explication-arbre p.noeud{margin:0;line-height:1.5}\
.explication-arbre code{font-family:\"DejaVu Sans Mono\",Consolas,monospace;font-size:13px}\
.explication-arbre .symbole{font-weight:700;color:#2b4c7e}\
.explication-arbre .formule{color:#4a5568}\
.explication-arbre .valeur{white-space:nowrap}\
.explication-arbre .regle{color:#718096;font-size:12px}\
.explication-arbre .exact{color:#4a5568;font-size:13px}\
.explication-arbre .ok{color:#276749;font-weight:700}\
.explication-arbre .non{color:#c53030;font-weight:700}\
.explication-arbre ul.parametres{margin:2px 0 4px 18px;font-size:13px;color:#4a5568}\
.explication-arbre ul.parametres li::before{content:\"barème lu : \";font-style:italic}\
.explication-arbre .source{color:#718096}\
.explication-arbre .structure{color:#4a5568;margin:4px 0}";

/// The whole page of `expliquer … --format html` around `corps` (see [`fragment`]).
pub fn page(en: &Entete, corps: &str) -> R<String> {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>Explication — {} — {}</title>\n<style>{STYLE_PAGE}{STYLE_ARBRE}</style>\n</head>\n<body>\n<main>\n<h1>Explication des chiffres de {} <span class=\"id\">({})</span></h1>\n",
        esc(&en.id),
        esc(&en.nom),
        esc(&en.nom),
        esc(&en.id)
    );
    o.push_str(corps);
    o.push_str("</main>\n</body>\n</html>\n");
    Ok(o)
}

/// The explanation under a page's `h1`: the structure, then one section per figure (`h2`).
pub fn fragment(en: &Entete, e: &Explication) -> R<String> {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "<div class=\"explication-arbre\">\n<p class=\"structure\">{}<br>{}<br>{}</p>",
        esc(&en.titre()),
        esc(&en.description),
        esc(&en.cadre())
    );
    o.push_str(&figures(e, 2)?);
    o.push_str("</div>\n");
    Ok(o)
}

/// The figures of an explanation, one `section` each with a heading of level `niveau`
/// (also the projection's years).
pub fn figures(e: &Explication, niveau: u8) -> R<String> {
    let mut o = String::new();
    for (i, lignes) in rendu::figures(e)?.iter().enumerate() {
        let Some((tete, reste)) = lignes.split_first() else {
            continue;
        };
        let _ = write!(
            o,
            "<section class=\"figure\" data-id=\"{}\" aria-labelledby=\"figure-{n}\">\n<h{niveau} id=\"figure-{n}\">{n}. {}</h{niveau}>\n",
            esc(tete.noeud.id),
            contenu(tete, true),
            n = i + 1
        );
        o.push_str(&parametres(tete));
        noeuds(&mut o, reste);
        o.push_str("</section>\n");
    }
    Ok(o)
}

/// The operands' lines as nested lists (each line's depth is one more than its parent's).
fn noeuds(o: &mut String, lignes: &[Ligne]) {
    let mut courant = 0;
    for l in lignes {
        let d = l.profondeur;
        if d > courant {
            o.push_str("<ul class=\"noeuds\">\n");
        } else {
            o.push_str("</li>\n");
            for _ in d..courant {
                o.push_str("</ul></li>\n");
            }
        }
        let _ = write!(
            o,
            "<li data-id=\"{}\" data-regle=\"{}\"><p class=\"noeud\">{}</p>{}",
            esc(l.noeud.id),
            esc(l.noeud.regle),
            contenu(l, false),
            parametres(l)
        );
        courant = d;
    }
    if courant > 0 {
        o.push_str("</li>\n");
        for _ in 1..courant {
            o.push_str("</ul></li>\n");
        }
        o.push_str("</ul>\n");
    }
}

/// One node's line, as in the text (`id = formule = avec valeurs = valeur — libellé
/// (règle)`), each part marked.
fn contenu(l: &Ligne, titre: bool) -> String {
    let n = l.noeud;
    let regle = format!("<span class=\"regle\">({})</span>", esc(n.regle));
    let valeur = match l.valeur_et_fraction() {
        (v, None) => format!("<strong class=\"valeur\">{}</strong>", esc(v)),
        (v, Some(f)) => format!(
            "<strong class=\"valeur\">{}</strong> <span class=\"exact\">{}</span>",
            esc(v),
            esc(f)
        ),
    };
    let libelle = |s: &str| {
        let s = if titre { rendu::majuscule(s) } else { s.into() };
        format!("<span class=\"libelle\">{}</span>", esc(&s))
    };
    match l.symbole {
        Some(id) => {
            let mut t = format!("<code class=\"symbole\">{}</code> = ", esc(id));
            if let Some(f) = &n.formule {
                let _ = write!(t, "<code class=\"formule\">{}</code> = ", esc(f));
            }
            if let Some(v) = &l.avec_valeurs {
                let _ = write!(t, "<span class=\"avec-valeurs\">{}</span> = ", esc(v));
            }
            format!(
                "{t}{valeur} — <span class=\"libelle\">{}</span> {regle}",
                esc(&n.libelle)
            )
        }
        None => match &n.valeur {
            crate::calcul::explication::Valeur::Texte(_) => {
                format!("{} {regle}", libelle(&n.libelle))
            }
            crate::calcul::explication::Valeur::Booleen(b) => format!(
                "<span class=\"{}\">{}</span> {} {regle}",
                if *b { "ok" } else { "non" },
                if *b { "oui" } else { "non" },
                libelle(&n.libelle)
            ),
            _ => {
                let formule = n.formule.as_deref().map_or(String::new(), |f| {
                    format!("<code class=\"formule\">{}</code> = ", esc(f))
                });
                format!("{} : {formule}{valeur} {regle}", libelle(&n.libelle))
            }
        },
    }
}

/// The barème parameters a node read, with their source.
fn parametres(l: &Ligne) -> String {
    if l.parametres.is_empty() {
        return String::new();
    }
    let mut o = String::from("<ul class=\"parametres\">");
    for p in &l.parametres {
        let _ = write!(
            o,
            "<li><code>{}</code> = {}{} <span class=\"source\">{}</span></li>",
            esc(&p.lu.nom),
            esc(&p.valeur),
            if p.lu.case_de_grille {
                " (case retenue)"
            } else {
                ""
            },
            esc(&source(&p.lu.source))
        );
    }
    o.push_str("</ul>");
    o
}
