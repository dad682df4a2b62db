//! Steps 5–6 of the calculation: the bonus trajectoire of each collectivité (R63), then one
//! line per structure with its shares and its contribution (R65).

use super::groupes::Cle;
use super::rationnel::{Depassement, Rationnel, R};
use super::repartition::Attribution;
use super::{contributions, Entree, GroupeVolet, LigneStructure, Parts, UnitesMois};
use crate::modele::{Montant, Unites};
use crate::projection::trajectoire::{self, PlacesStructure, TrajectoireCollectivite};
use std::collections::BTreeMap;

/// Bonus trajectoire (R63): every eligible structure of the trajectoire volet; its part
/// goes into `parts`, the amount paid into its group. One collectivité at a time: only its
/// structures' places are copied for [`trajectoire::calculer`] (a large dossier never holds
/// a second copy of every id).
pub(super) fn trajectoire(
    e: &Entree,
    groupes: &mut BTreeMap<Cle, GroupeVolet>,
    parts: &mut Parts,
) -> R<Vec<TrajectoireCollectivite>> {
    let Some(p) = &e.bareme.trajectoire else {
        return Ok(Vec::new());
    };
    let volet = p.volet.valeur.as_str();
    let mut reference: BTreeMap<String, i64> = BTreeMap::new();
    for c in &e.convention.collectivites {
        reference.insert(c.id.clone(), 0);
    }
    // the structures of the volet, per collectivité (indices into `ordre`)
    let mut par_c: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, (s, el)) in e.ordre.iter().zip(&e.eligibilites).enumerate() {
        if el.volet_eligible() != Some(volet) {
            continue;
        }
        let u = s.unites_bonus().0;
        match reference.get_mut(s.collectivite.as_str()) {
            Some(r) => *r += u,
            None => {
                reference.insert(s.collectivite.clone(), u);
            }
        }
        par_c.entry(s.collectivite.as_str()).or_default().push(i);
    }
    let reference = match &e.surcharges.places_reference {
        Some(r) => r.clone(),
        None => reference,
    };
    // every collectivité trajectoire::calculer would take (those of the reference and those
    // with structures), in the same (byte) order
    let cles: std::collections::BTreeSet<&str> = reference
        .keys()
        .map(String::as_str)
        .chain(par_c.keys().copied())
        .collect();
    let mut traj = Vec::with_capacity(cles.len());
    for c in cles {
        let mut places = Vec::new();
        for &i in par_c.get(c).map_or(&[][..], Vec::as_slice) {
            let s = &e.ordre[i];
            places.push(PlacesStructure {
                id: s.id.clone(),
                collectivite: s.collectivite.clone(),
                places_decembre: e
                    .surcharges
                    .places_annee
                    .get(&s.id)
                    .copied()
                    .unwrap_or(s.unites_bonus().0 + s.unites_nouvelles.0),
                places_mois: e.unites_mois[i]
                    .existantes
                    .checked_add(e.unites_mois[i].nouvelles)
                    .ok_or(Depassement)?,
            });
        }
        let mut reference_c = BTreeMap::new();
        if let Some(r) = reference.get(c) {
            reference_c.insert(c.to_string(), *r);
        }
        for t in trajectoire::calculer(p, &reference_c, &places, e.bareme.arrondi.valeur)? {
            if let Some(g) = groupes.get_mut(&(t.collectivite.clone(), t.volet.clone())) {
                g.trajectoire_versee = t.verse;
            }
            for part in &t.parts {
                // `ordre` is sorted by id (bytes) and ids are unique: a binary search, not a
                // scan per part (a scan made the trajectoire quadratic)
                if let Ok(i) = e
                    .ordre
                    .binary_search_by(|s| s.id.as_bytes().cmp(part.id.as_bytes()))
                {
                    parts.trajectoire[i] = Some(Box::new(part.attribution.clone()));
                }
            }
            traj.push(t);
        }
    }
    Ok(traj)
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
