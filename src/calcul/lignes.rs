//! Steps 5–6 of the calculation: the bonus trajectoire of each collectivité (R63), then one
//! line per structure with its shares and its contribution (R65).

use super::groupes::Cle;
use super::rationnel::{Depassement, Rationnel, R};
use super::repartition::Attribution;
use super::{contributions, Entree, GroupeVolet, LigneStructure, Parts, UnitesMois};
use crate::modele::{Montant, Unites};
use crate::projection::trajectoire::{self, TrajectoireCollectivite};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// Bonus trajectoire (R63): every eligible structure of the trajectoire volet; its part
/// goes into `parts`, the amount paid into its group. One collectivité at a time, its
/// structures' places borrowed from the sorted structures (no copy of their ids).
pub(super) fn trajectoire(
    e: &Entree,
    groupes: &mut BTreeMap<Cle, GroupeVolet>,
    parts: &mut Parts,
) -> R<Vec<TrajectoireCollectivite>> {
    let Some(p) = &e.bareme.trajectoire else {
        return Ok(Vec::new());
    };
    let volet = p.volet.valeur.as_str();
    // P_ref per collectivité: every collectivité of the convention, and the Σ u_i of the
    // structures of the volet (hash tables on borrowed ids, FxHash)
    let mut reference: FxHashMap<&str, i64> = FxHashMap::default();
    for c in &e.convention.collectivites {
        reference.insert(c.id.as_str(), 0);
    }
    // the structures of the volet, per collectivité (indices into `ordre`, ascending: by id)
    let mut par_c: FxHashMap<&str, Vec<usize>> = FxHashMap::default();
    for (i, (s, el)) in e.ordre.iter().zip(&e.eligibilites).enumerate() {
        if el.volet_eligible() != Some(volet) {
            continue;
        }
        *reference.entry(s.collectivite.as_str()).or_insert(0) += s.unites_bonus().0;
        par_c.entry(s.collectivite.as_str()).or_default().push(i);
    }
    let reference_de = |c: &str| match &e.surcharges.places_reference {
        Some(r) => r.get(c).copied(),
        None => reference.get(c).copied(),
    };
    // every collectivité of the reference and every one with structures, in byte order
    let mut cles: Vec<&str> = match &e.surcharges.places_reference {
        Some(r) => r.keys().map(String::as_str).collect(),
        None => reference.keys().copied().collect(),
    };
    cles.extend(par_c.keys().copied());
    cles.sort_unstable_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    cles.dedup();
    let mut traj = Vec::with_capacity(cles.len());
    let mut places = Vec::new();
    let parametres = std::sync::Arc::new(p.clone());
    for c in cles {
        let indices = par_c.get(c).map_or(&[][..], Vec::as_slice);
        places_de(e, indices, &mut places)?;
        let p_ref = reference_de(c).unwrap_or(0);
        let t = trajectoire::collectivite(&parametres, c, p_ref, &places, e.bareme.arrondi.valeur)?;
        if let Some(g) = groupes.get_mut(&(t.collectivite.clone(), t.volet.clone())) {
            g.trajectoire_versee = t.verse;
        }
        ranger_parts(e, indices, &t, parts);
        traj.push(t);
    }
    Ok(traj)
}

/// The places (December and month by month) of the structures `indices` of `e.ordre`, in
/// that order, into `places`.
fn places_de<'e>(
    e: &'e Entree,
    indices: &[usize],
    places: &mut Vec<trajectoire::Places<'e>>,
) -> R<()> {
    places.clear();
    for &i in indices {
        let s = &e.ordre[i];
        places.push(trajectoire::Places {
            id: &s.id,
            places_decembre: e
                .surcharges
                .places_annee
                .get(s.id.as_str())
                .copied()
                .unwrap_or(s.unites_bonus().0 + s.unites_nouvelles.0),
            places_mois: e.unites_mois[i]
                .existantes
                .checked_add(e.unites_mois[i].nouvelles)
                .ok_or(Depassement)?,
        });
    }
    Ok(())
}

/// Each part of the trajectoire `t` of one collectivité given to its structure in `parts`.
/// The parts come in the order of `indices`: the structure is found where its part is when
/// its id is unique; otherwise (an id twice, refused by the validation) by binary search in
/// `ordre`, sorted by id (bytes).
fn ranger_parts(e: &Entree, indices: &[usize], t: &TrajectoireCollectivite, parts: &mut Parts) {
    let unique = |i: usize| {
        let id = &e.ordre[i].id;
        (i == 0 || e.ordre[i - 1].id != *id) && e.ordre.get(i + 1).is_none_or(|s| s.id != *id)
    };
    for (k, part) in t.parts.iter().enumerate() {
        let i = match indices.get(k) {
            Some(&i) if e.ordre[i].id == part.id && unique(i) => Some(i),
            _ => e
                .ordre
                .binary_search_by(|s| s.id.as_bytes().cmp(part.id.as_bytes()))
                .ok(),
        };
        if let Some(i) = i {
            parts.trajectoire[i] = Some(Box::new(part.attribution.clone()));
        }
    }
}

/// One line per structure (sorted by id): its shares, bonus and contribution (R65). The
/// structures and their shares are moved into the lines, not copied; the inputs are taken
/// from their ends and given back as the lines grow (a large dossier never holds both its
/// inputs and its lines whole).
pub(super) fn lignes(e: Entree, parts: Parts) -> R<Vec<LigneStructure>> {
    /// Inputs shrunk every this many lines.
    const BLOC: usize = 4096;
    let mode = e.bareme.ajustement_contribution.valeur;
    let verse = |a: &Option<Box<Attribution>>| a.as_ref().map_or(0, |a| a.verse);
    let Entree {
        mut ordre,
        mut eligibilites,
        mut unites_mois,
        ..
    } = e;
    let Parts {
        mut lissage,
        mut nouvelles,
        mut ctre_lissage,
        mut ctre_nouvelles,
        mut trajectoire,
        mut taux,
        mut forfaits,
    } = parts;
    let mut lignes = Vec::with_capacity(ordre.len());
    while let (Some(s), Some(el), Some(um)) = (ordre.pop(), eligibilites.pop(), unites_mois.pop()) {
        let prendre = |v: &mut Vec<Option<Box<Attribution>>>| v.pop().flatten();
        let (l, n, t) = (
            prendre(&mut lissage),
            prendre(&mut nouvelles),
            prendre(&mut trajectoire),
        );
        let (cl, cn) = (prendre(&mut ctre_lissage), prendre(&mut ctre_nouvelles));
        let eligible = el.est_eligible();
        let bl = verse(&l);
        let bn = verse(&n);
        let bt = verse(&t);
        let bc = verse(&cl) + verse(&cn);
        // the exact share and the rounding gap are computed again from the shares when
        // asked (LigneStructure::part_exacte): checked here, not stored
        Rationnel::entier((bl + bn + bt) as i128).sub(super::somme_exacte([&l, &n, &t])?)?;
        let total = bl
            .checked_add(bn)
            .and_then(|x| x.checked_add(bt))
            .ok_or(Depassement)?;
        let c = contributions::ajuster(mode, &s, Montant(bl), Montant(total))?;
        lignes.push(LigneStructure {
            unites_eligibles: if eligible {
                s.unites_bonus()
            } else {
                Unites(0)
            },
            contribution_n1: s.contribution_collectivite_n1,
            structure: s,
            eligibilite: el,
            taux_unitaire: taux.pop().flatten(),
            forfait: forfaits.pop().unwrap_or(Montant(0)),
            unites_mois: if eligible { um } else { UnitesMois::default() },
            lissage: l,
            nouvelles: n,
            bonus_lissage: Montant(bl),
            bonus_nouvelles: Montant(bn),
            trajectoire: t,
            bonus_trajectoire: Montant(bt),
            bonus_total: Montant(total),
            ctre_lissage: cl,
            ctre_nouvelles: cn,
            bonus_ctre: Montant(bc),
            contribution_n: c.contribution_n,
            financement_public_n1: c.financement_public_n1,
            financement_public_n: c.financement_public_n,
            variation: c.variation,
        });
        if ordre.len() % BLOC == 0 {
            ordre.shrink_to_fit();
            eligibilites.shrink_to_fit();
        }
    }
    // built from the last structure to the first
    lignes.reverse();
    Ok(lignes)
}
