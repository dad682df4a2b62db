//! `bonus-ctg expliquer`: the full derivation of one structure's figures — eligibility rule
//! by rule, A, U, m, floor and revaluation, its exact share, the group rounding and the cent
//! it got or lost, the contribution adjustment, and every barème value read with its date,
//! reference and status. Every renderer (text here, [`html`], [`xlsx`], [`json`]) walks the
//! tree the calculation built ([`crate::calcul::explication`]) through [`rendu`]: none of
//! them writes a formula of its own.

use super::{euros, groupe_fr, montant_fr};
use crate::calcul::explication::{self, Explication};
use crate::calcul::rationnel::{Invariant, R};
use crate::calcul::Resultat;
use crate::modele::Dossier;
use std::fmt::Write;

pub mod html;
mod json;
pub mod rendu;
pub mod xlsx;
pub use json::{json, json_explication, SCHEMA_JSON};
pub use rendu::{source, Entete};

/// The explanation of structure `id` and its header (`None`: no such structure).
pub fn explication(d: &Dossier, r: &Resultat, id: &str) -> R<Option<(Entete, Explication)>> {
    let Some(e) = explication::expliquer(d, r, id)? else {
        return Ok(None);
    };
    Ok(Some((Entete::de(r, &e, &r.convention.nom)?, e)))
}

/// `bonus-ctg expliquer DOSSIER ID`: the text (`None`: no such structure).
pub fn expliquer(d: &Dossier, r: &Resultat, id: &str) -> R<Option<String>> {
    let Some((en, e)) = explication(d, r, id)? else {
        return Ok(None);
    };
    let mut o = String::new();
    let _ = writeln!(o, "{}", en.titre());
    let _ = writeln!(o, "  {}", en.description);
    let _ = writeln!(o, "  {}\n", en.cadre());
    o.push_str(&texte_figures(&e, "")?);
    Ok(Some(o))
}

/// `bonus-ctg expliquer … --format html`: the page (`None`: no such structure).
pub fn page_html(d: &Dossier, r: &Resultat, id: &str) -> R<Option<String>> {
    let Some((en, e)) = explication(d, r, id)? else {
        return Ok(None);
    };
    html::page(&en, &html::fragment(&en, &e)?).map(Some)
}

/// The figures of an explanation as text, numbered, one line per node indented by its
/// depth, each barème parameter under the node that read it; `marge` starts every line
/// (the projection indents them under its own sections).
pub fn texte_figures(e: &Explication, marge: &str) -> R<String> {
    let mut o = String::new();
    for (i, lignes) in rendu::figures(e)?.iter().enumerate() {
        for l in lignes {
            let t = l.texte();
            let retrait = "  ".repeat(l.profondeur);
            let _ = if l.profondeur == 0 {
                let t = if l.symbole.is_none() {
                    rendu::majuscule(&t)
                } else {
                    t
                };
                writeln!(o, "{marge}{}. {t}", i + 1)
            } else {
                writeln!(o, "{marge}{retrait}{t}")
            };
            for p in &l.parametres {
                let _ = writeln!(
                    o,
                    "{marge}{retrait}  barème lu : {} {}",
                    p.texte(),
                    source(&p.lu.source)
                );
            }
        }
        o.push('\n');
    }
    // no blank line after the last figure
    while o.ends_with("\n\n") {
        o.pop();
    }
    if o.is_empty() {
        return Err(Invariant("explication sans figure"));
    }
    Ok(o)
}
