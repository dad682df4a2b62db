//! Diagnosis of a difference (docs/regles.md, R30): the notified amount is compared with
//! what the calculation gives under alternative hypotheses — eligibility, rounding, a
//! different rate for the whole (collectivité, volet) group (different N-1 envelope, or
//! different unit count of one structure re-spread over the group), then, for the structure
//! alone, other unit counts, employer units, months, new units, tranche.

use super::{cause, Cause};
use crate::calcul::eligibilite::Motif;
use crate::calcul::rationnel::{format_echelle, Invariant, Rationnel, R};
use crate::calcul::{decimal_en_rationnel, GroupeVolet, LigneStructure, Resultat};
use crate::modele::{Dossier, Montant};
use crate::rapport::{groupe_fr, montant_fr};
use std::collections::BTreeMap;

mod hypotheses;
use crate::calcul::parts::{
    antecedent, antecedents, part_lissage, part_nouvelles, revaloriser, taux_enveloppe,
};
use hypotheses::hypotheses_structure;

fn rat(m: Montant) -> Rationnel {
    Rationnel::entier(m.0 as i128)
}

/// Smallest integer ≥ r.
fn plafond(r: &Rationnel) -> i128 {
    -(Rationnel::entier(0).sub(*r).map_or(0, |x| x.plancher()))
}

/// `pred` (exact cents) rounds to `n` in some way: `⌊pred⌋ ≤ n ≤ ⌈pred⌉`.
fn arrondit_a(pred: &Rationnel, n: Montant) -> bool {
    let n = n.0 as i128;
    pred.plancher() <= n && n <= plafond(pred)
}

/// Exact cents rational in euros: `12 345,67 €` (2 decimals, half away from zero).
fn fr_r(r: &Rationnel) -> R<String> {
    Ok(format!("{} €", groupe_fr(&crate::rapport::euros(r, 2)?)))
}

/// A rate (cents per unit) in euros with 2 decimals.
fn taux_fr(r: &Rationnel) -> R<String> {
    fr_r(r)
}

/// `d'environ 13,3345 € par unité au lieu de 13,3333 €`: the rate the notification implies
/// and the computed one, with as many decimals as it takes to tell them apart (2 to 6), so
/// that a message never reads « 13,33 € au lieu de 13,33 € »; `égal au taux calculé
/// (13,333333 € par unité)` when six decimals do not separate them.
fn taux_compares(notifie: &Rationnel, calcule: &Rationnel) -> R<String> {
    for d in 2..=6 {
        let (a, b) = (
            crate::rapport::euros(notifie, d)?,
            crate::rapport::euros(calcule, d)?,
        );
        if a != b {
            return Ok(format!(
                "d'environ {} € par unité au lieu de {} €",
                groupe_fr(&a),
                groupe_fr(&b)
            ));
        }
    }
    Ok(format!(
        "égal au taux calculé ({} € par unité)",
        groupe_fr(&crate::rapport::euros(calcule, 6)?)
    ))
}

/// Hundredths of units: `60`, `1,5`.
fn unites_fr(h: i128) -> String {
    let s = format_echelle(h, 2);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    groupe_fr(s)
}

/// A "round" value in `[lo, hi]` (hundredths): whole units first, then halves, then tenths;
/// the one closest to the middle.
fn valeur_ronde(lo: &Rationnel, hi: &Rationnel) -> R<Option<i128>> {
    if hi < lo {
        return Ok(None);
    }
    let milieu = lo.add(*hi)?.mul(Rationnel::new(1, 2)?)?;
    for pas in [100i128, 50, 10] {
        let p = Rationnel::entier(pas);
        let kmin = plafond(&lo.div(p)?);
        let kmax = hi.div(p)?.plancher();
        if kmin <= kmax {
            let k = milieu.div(p)?.arrondi_demi_haut().clamp(kmin, kmax);
            return Ok(Some(k * pas));
        }
    }
    Ok(None)
}

/// Notified-rate analysis of one (collectivité, volet) group.
#[derive(Debug, Clone)]
pub(super) enum Histoire {
    /// The group's notified amounts agree with our rate (or cannot tell).
    Conforme,
    /// A different rate explained by one structure's unit count re-spread over the group.
    Unites(ParUnites),
    /// A different rate explained by a different envelope `A'`.
    Enveloppe(ParEnveloppe),
}

/// A different rate `[lo, hi]` (cents per unit, effective) for the structures in
/// `coherentes`, explained by structure `structure` counted with `u_prime` units (the
/// group's total then `total_prime`), hundredths.
#[derive(Debug, Clone)]
pub(super) struct ParUnites {
    lo: Rationnel,
    hi: Rationnel,
    coherentes: Vec<usize>,
    structure: usize,
    u_prime: i128,
    total_prime: i128,
}

/// A different rate `[lo, hi]` for the structures in `coherentes`, explained by an envelope
/// `A'` in `[a_lo, a_hi]` (cents), or a group's total of units in `[u_lo, u_hi]`.
#[derive(Debug, Clone)]
pub(super) struct ParEnveloppe {
    lo: Rationnel,
    hi: Rationnel,
    coherentes: Vec<usize>,
    a_lo: Rationnel,
    a_hi: Rationnel,
    u_lo: Rationnel,
    u_hi: Rationnel,
}

pub(super) struct Contexte<'a> {
    pub(super) r: &'a Resultat,
    pub(super) d: &'a Dossier,
    /// index of structure → notified amount (first matching line)
    pub(super) notifies: BTreeMap<usize, Montant>,
    pub(super) histoires: BTreeMap<(String, String), Histoire>,
}

fn u_h(l: &LigneStructure) -> i128 {
    l.unites_eligibles.0 as i128
}
fn mo(l: &LigneStructure) -> i128 {
    l.structure.mois_ouverture as i128
}
fn exacte_lissage(l: &LigneStructure) -> Rationnel {
    l.lissage.as_ref().map_or(Rationnel::ZERO, |a| a.exacte)
}
fn exacte_nouvelles(l: &LigneStructure) -> Rationnel {
    l.nouvelles.as_ref().map_or(Rationnel::ZERO, |a| a.exacte)
}

/// The lissage and new-units shares of structure `l` at rate `taux` (cents per unit),
/// `u` units and its own new-unit share: the amount a rate or a unit count gives.
fn montant_au_taux(l: &LigneStructure, taux: Rationnel, u: Rationnel) -> R<Rationnel> {
    part_lissage(taux, u, mo(l))?.add(exacte_nouvelles(l))
}

/// Rate interval (cents per unit) that reproduces `n` within a cent, given the structure's
/// own new-unit share.
fn intervalle_taux(l: &LigneStructure, n: Montant) -> R<(Rationnel, Rationnel)> {
    antecedents(
        |taux| montant_au_taux(l, taux, Rationnel::entier(u_h(l))),
        n,
    )
}

/// `1 + revalorisation` of group `g`.
fn facteur_revalorisation(g: &GroupeVolet) -> R<Rationnel> {
    Rationnel::UN.add(decimal_en_rationnel(g.revalorisation)?)
}

/// The (collectivité, volet) group in which a structure's notified amount says something
/// about the group's rate: eligible, with units and months.
pub(super) fn groupe_analyse(l: &LigneStructure) -> Option<(&str, &str)> {
    if l.motif() != Motif::Eligible || u_h(l) <= 0 || mo(l) <= 0 {
        return None;
    }
    let v = l.eligibilite.volet()?;
    Some((l.structure.collectivite.as_str(), v))
}

/// Notified-rate analysis of group `g`. `membres`: its notified structures counted by
/// [`groupe_analyse`], ascending; `eligibles`: all its structures so counted.
pub(super) fn analyser_groupe(
    ctx: &Contexte,
    g: &GroupeVolet,
    membres: &[usize],
    eligibles: usize,
) -> R<Histoire> {
    let Some(m_eff) = g.taux_effectif else {
        return Ok(Histoire::Conforme);
    };
    let mut iv = Vec::with_capacity(membres.len());
    for &i in membres {
        iv.push(intervalle_taux(&ctx.r.structures[i], ctx.notifies[&i])?);
    }
    let Some(p) = taux_majoritaire(&iv, &m_eff, eligibles) else {
        return Ok(Histoire::Conforme);
    };
    let (coherentes, lo, hi) = coherentes(&iv, membres, p);
    // base rate (before revaluation); the envelope is inferable only above the floor
    let reval = facteur_revalorisation(g)?;
    let avant_revalorisation = |taux| antecedent(|m| revaloriser(m, reval), taux);
    let (lo_b, hi_b) = (avant_revalorisation(lo)?, avant_revalorisation(hi)?);
    let plancher = Rationnel::entier(g.plancher.0 as i128);
    if lo_b <= Rationnel::ZERO || lo_b < plancher {
        return Ok(Histoire::Conforme);
    }
    let a = Rationnel::entier(g.charge_n1.0 as i128);
    // U' = A / m' (hundredths)
    let u_lo = taux_enveloppe(a, hi_b)?;
    let u_hi = taux_enveloppe(a, lo_b)?;
    let total = g.unites.0 as i128;
    // outliers: a unit count at the notified rate that explains U'
    let explications =
        unites_qui_expliquent(ctx, membres, &coherentes, (lo, hi), (u_lo, u_hi), total)?;
    if let [(structure, u_prime, total_prime)] = explications[..] {
        return Ok(Histoire::Unites(ParUnites {
            lo,
            hi,
            coherentes,
            structure,
            u_prime,
            total_prime,
        }));
    }
    // A' such that A' / U, revalued, is the notified rate
    let enveloppe = |taux| {
        antecedent(
            |a| revaloriser(taux_enveloppe(a, Rationnel::entier(total))?, reval),
            taux,
        )
    };
    Ok(Histoire::Enveloppe(ParEnveloppe {
        lo,
        hi,
        coherentes,
        a_lo: enveloppe(lo)?,
        a_hi: enveloppe(hi)?,
        u_lo,
        u_hi,
    }))
}

/// The rate held by the most intervals, when it says the group has another rate than
/// `m_eff`: at least two structures, more than at `m_eff`, and half of the group's eligible
/// ones (a partial notification of a few structures says nothing about the whole group).
fn taux_majoritaire(
    iv: &[(Rationnel, Rationnel)],
    m_eff: &Rationnel,
    eligibles: usize,
) -> Option<Rationnel> {
    // number of intervals holding p: (lo ≤ p) − (hi < p), as lo ≤ hi for each (sorted
    // bounds and binary search: a group of 10 000 notified structures stays fast)
    let (mut los, mut his): (Vec<Rationnel>, Vec<Rationnel>) = iv.iter().copied().unzip();
    los.sort();
    his.sort();
    let contient = |p: &Rationnel| los.partition_point(|x| x <= p) - his.partition_point(|x| x < p);
    let c0 = contient(m_eff);
    let mut meilleur: Option<(usize, Rationnel)> = None;
    for (lo, _) in iv {
        let c = contient(lo);
        if meilleur.is_none_or(|(m, _)| c > m) {
            meilleur = Some((c, *lo));
        }
    }
    let (c_max, p) = meilleur?;
    (c_max >= 2 && c_max > c0 && 2 * c_max >= eligibles).then_some(p)
}

/// The structures whose interval holds rate `p` (ascending, as `membres`), and the
/// intersection of their intervals.
fn coherentes(
    iv: &[(Rationnel, Rationnel)],
    membres: &[usize],
    p: Rationnel,
) -> (Vec<usize>, Rationnel, Rationnel) {
    let mut coherentes = Vec::new();
    let (mut lo, mut hi) = (p, p);
    let mut premier = true;
    for (k, (a, b)) in iv.iter().enumerate() {
        if *a <= p && p <= *b {
            coherentes.push(membres[k]);
            if premier {
                lo = *a;
                hi = *b;
                premier = false;
            } else {
                lo = lo.max(*a);
                hi = if *b < hi { *b } else { hi };
            }
        }
    }
    (coherentes, lo, hi)
}

/// The structures outside `coherentes` whose notified amount, at the notified rate
/// `[lo, hi]`, gives a round unit count that brings the group's total within `[u_lo, u_hi]`:
/// (structure, its units, the group's total), hundredths.
fn unites_qui_expliquent(
    ctx: &Contexte,
    membres: &[usize],
    coherentes: &[usize],
    (lo, hi): (Rationnel, Rationnel),
    (u_lo, u_hi): (Rationnel, Rationnel),
    total: i128,
) -> R<Vec<(usize, i128, i128)>> {
    let mut explications = Vec::new();
    // `coherentes` is ascending (taken from `membres` in order)
    for &j in membres
        .iter()
        .filter(|j| coherentes.binary_search(j).is_err())
    {
        let l = &ctx.r.structures[j];
        let n = ctx.notifies[&j];
        if n == l.bonus_total {
            continue;
        }
        let (ulo, _) = antecedents(|u| montant_au_taux(l, hi, u), n)?;
        let (_, uhi) = antecedents(|u| montant_au_taux(l, lo, u), n)?;
        if let Some(up) = valeur_ronde(&ulo, &uhi)? {
            let tp = Rationnel::entier(total - u_h(l) + up);
            if up != u_h(l) && u_lo <= tp && tp <= u_hi {
                explications.push((j, up, total - u_h(l) + up));
            }
        }
    }
    Ok(explications)
}

fn milieu(a: &Rationnel, b: &Rationnel) -> R<Rationnel> {
    a.add(*b)?.mul(Rationnel::new(1, 2)?)
}

/// Explains the envelope `A'`: a charge line missing or counted twice.
fn explique_enveloppe(
    ctx: &Contexte,
    g: &GroupeVolet,
    a_lo: &Rationnel,
    a_hi: &Rationnel,
) -> R<String> {
    let a = g.charge_n1;
    let mut o = String::new();
    for c in ctx
        .d
        .charges
        .iter()
        .filter(|c| c.collectivite == g.collectivite && c.volet == g.volet)
    {
        // a notification is checked against a dossier read from its files: every line has one
        let Some(ligne) = c.ligne.ligne() else {
            continue;
        };
        for (signe, texte) in [(-1i64, "absente"), (1, "comptée deux fois")] {
            let v = rat(Montant(a.0 + signe * c.montant.0));
            if *a_lo <= v && v <= *a_hi {
                o = format!(
                    " ; l'écart correspond à la ligne {} de charges_n1.csv « {} » ({}), qui semble {texte} côté Caf",
                    ligne,
                    c.libelle,
                    montant_fr(c.montant)
                );
            }
        }
    }
    Ok(o)
}

pub(super) fn diagnostiquer(ctx: &Contexte, i: usize, n: Montant) -> R<Cause> {
    let l = &ctx.r.structures[i];
    let s = &l.structure;
    if let Some(c) = cause_eligibilite(ctx, l, n) {
        return Ok(c);
    }
    if let Some(c) = cause_arrondi(l, n)? {
        return Ok(c);
    }
    let Some(g) = l
        .eligibilite
        .volet()
        .and_then(|v| ctx.r.groupe(&s.collectivite, v))
    else {
        return Ok(indeterminee(l, n));
    };
    let taux = match cause_du_groupe(ctx, i, g)? {
        DuGroupe::Cause(c) => return Ok(c),
        DuGroupe::Taux(t) => t,
    };
    let mut v = hypotheses_structure(ctx, l, g, n, taux)?;
    if v.is_empty() {
        return Ok(indeterminee(l, n));
    }
    let mut c = v.remove(0);
    c.autres = v.into_iter().map(|x| x.explication).collect();
    Ok(c)
}

/// The structure is not eligible for the calculation but notified, or eligible but not
/// notified.
fn cause_eligibilite(ctx: &Contexte, l: &LigneStructure, n: Montant) -> Option<Cause> {
    if l.motif() != Motif::Eligible {
        let detail = ctx
            .r
            .verifications(l)
            .into_iter()
            .find(|v| !v.satisfaite)
            .map_or(String::new(), |v| format!(" ({})", v.detail));
        return Some(cause(
            "ELIGIBILITE",
            format!(
                "la Caf notifie {} alors que la structure n'est pas éligible pour le calcul : {}{detail}",
                montant_fr(n),
                l.motif().libelle()
            ),
        ));
    }
    if n.0 == 0 && l.bonus_total.0 > 0 {
        return Some(cause(
            "ELIGIBILITE",
            format!(
                "la Caf ne notifie rien : elle ne semble pas retenir la structure, éligible pour le calcul (volet {}, {} unités)",
                l.eligibilite.volet().unwrap_or("?"),
                unites_fr(u_h(l))
            ),
        ));
    }
    None
}

/// The notified amount is another rounding of the exact share.
fn cause_arrondi(l: &LigneStructure, n: Montant) -> R<Option<Cause>> {
    let (s, b) = (&l.structure, l.bonus_total);
    let (el, et) = (exacte_lissage(l), exacte_nouvelles(l));
    let bas = el.plancher() + et.plancher();
    let haut = plafond(&el) + plafond(&et);
    if !(bas <= n.0 as i128 && n.0 as i128 <= haut) {
        return Ok(None);
    }
    let methode = if n.0 as i128 == el.arrondi_demi_haut() + et.arrondi_demi_haut()
        || n.0 as i128 == l.part_exacte()?.arrondi_demi_haut()
    {
        "arrondie ligne par ligne au centime le plus proche"
    } else if n.0 as i128 == bas {
        "tronquée au centime inférieur"
    } else {
        "arrondie au centime supérieur"
    };
    Ok(Some(cause(
        "ARRONDI",
        format!(
            "la part exacte de la structure est {} ; le montant notifié {} en est la valeur {methode}, alors que le calcul arrondit le groupe ({}, {}) en bloc (total au centime, centimes restants aux plus forts restes, R9) et verse {} ; écart d'arrondi de {}, sans effet sur l'enveloppe",
            exacte_fr(&l.part_exacte()?)?,
            montant_fr(n),
            s.collectivite,
            l.eligibilite.volet().unwrap_or("?"),
            montant_fr(b),
            montant_fr(Montant(n.0 - b.0))
        ),
    )))
}

/// What the group's notified rate says about structure `i`.
enum DuGroupe {
    /// The cause, found at the group's level.
    Cause(Cause),
    /// The rate at which to test the structure's own hypotheses (the calculated one, or the
    /// one the group's notified amounts imply).
    Taux(Rationnel),
}

fn cause_du_groupe(ctx: &Contexte, i: usize, g: &GroupeVolet) -> R<DuGroupe> {
    let m_eff = g.taux_effectif.map_or(Rationnel::ZERO, |t| t.0);
    let cle = (g.collectivite.clone(), g.volet.clone());
    match ctx.histoires.get(&cle) {
        Some(Histoire::Unites(h)) => cause_unites_du_groupe(ctx, i, g, h, m_eff),
        Some(Histoire::Enveloppe(h)) => cause_enveloppe_du_groupe(ctx, i, g, h, m_eff),
        _ => Ok(DuGroupe::Taux(m_eff)),
    }
}

/// The group's notified rate is explained by one structure's unit count: that structure's
/// cause, or the group's rate for the structures that follow it.
fn cause_unites_du_groupe(
    ctx: &Contexte,
    i: usize,
    g: &GroupeVolet,
    h: &ParUnites,
    m_eff: Rationnel,
) -> R<DuGroupe> {
    let ParUnites {
        lo,
        hi,
        coherentes,
        structure,
        u_prime,
        total_prime,
    } = h;
    let l = &ctx.r.structures[i];
    let j = &ctx.r.structures[*structure];
    if *structure == i {
        return Ok(DuGroupe::Cause(cause(
            "UNITES",
            format!(
                "la Caf semble compter {} unités au lieu de {} : le total du groupe ({}, {}) passe de {} à {} unités, d'où un taux {} pour toutes ses structures",
                unites_fr(*u_prime),
                unites_fr(u_h(l)),
                g.collectivite,
                g.volet,
                unites_fr(g.unites.0 as i128),
                unites_fr(*total_prime),
                taux_compares(&milieu(lo, hi)?, &m_eff)?
            ),
        )));
    }
    if coherentes.binary_search(&i).is_ok() {
        return Ok(DuGroupe::Cause(cause(
            "TAUX_GROUPE",
            format!(
                "le montant notifié correspond à un taux {} : conséquence du nombre d'unités de {} ({} pour la Caf au lieu de {}), qui change le total du groupe ({}, {}) de {} à {} unités",
                taux_compares(&milieu(lo, hi)?, &m_eff)?,
                j.structure.id,
                unites_fr(*u_prime),
                unites_fr(u_h(j)),
                g.collectivite,
                g.volet,
                unites_fr(g.unites.0 as i128),
                unites_fr(*total_prime)
            ),
        )));
    }
    Ok(DuGroupe::Taux(milieu(lo, hi)?))
}

/// The group's notified rate is explained by another N-1 envelope: the cause of the
/// structures that follow that rate.
fn cause_enveloppe_du_groupe(
    ctx: &Contexte,
    i: usize,
    g: &GroupeVolet,
    h: &ParEnveloppe,
    m_eff: Rationnel,
) -> R<DuGroupe> {
    let ParEnveloppe {
        lo,
        hi,
        coherentes,
        a_lo,
        a_hi,
        u_lo,
        u_hi,
    } = h;
    if coherentes.binary_search(&i).is_ok() {
        let a_m = milieu(a_lo, a_hi)?;
        // the bounds, unless they are written alike (a gap of one cent)
        let (bas, haut) = (fr_r(a_lo)?, fr_r(a_hi)?);
        let bornes = if bas == haut {
            String::new()
        } else {
            format!(" (entre {bas} et {haut})")
        };
        let mut c = cause(
            "ENVELOPPE_N1",
            format!(
                "les montants notifiés du groupe ({}, {}) correspondent à un taux {}, soit une charge N-1 d'environ {}{bornes} au lieu de {}{}",
                g.collectivite,
                g.volet,
                taux_compares(&milieu(lo, hi)?, &m_eff)?,
                fr_r(&a_m)?,
                montant_fr(g.charge_n1),
                explique_enveloppe(ctx, g, a_lo, a_hi)?
            ),
        );
        // the other reading, when its total of units is not written as the group's
        let (u_m, u) = (
            unites_fr(milieu(u_lo, u_hi)?.arrondi_demi_haut()),
            unites_fr(g.unites.0 as i128),
        );
        if u_m != u {
            c.autres.push(format!(
                "un total d'unités du groupe d'environ {u_m} au lieu de {u}"
            ));
        }
        return Ok(DuGroupe::Cause(c));
    }
    Ok(DuGroupe::Taux(milieu(lo, hi)?))
}

fn exacte_fr(r: &Rationnel) -> R<String> {
    Ok(format!("{} €", groupe_fr(&crate::rapport::euros(r, 4)?)))
}

pub(super) fn indeterminee(l: &LigneStructure, n: Montant) -> Cause {
    cause(
        "INDETERMINEE",
        format!(
            "aucune des règles testées (éligibilité, arrondi, enveloppe N-1, unités, mois d'ouverture, places nouvelles, tranche) ne reproduit {} ; écart de {} : l'explication du calcul de {} en détaille chaque étape",
            montant_fr(n),
            crate::rapport::ecart_fr(Montant(n.0 - l.bonus_total.0)),
            l.structure.id
        ),
    )
}

#[cfg(test)]
mod tests;
