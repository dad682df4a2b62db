//! Steps 5–6 of the calculation: the bonus trajectoire of each collectivité (R63), then one
//! line per structure with its shares and its contribution (R65).

use super::groupes::Cle;
use super::rationnel::{Depassement, Rationnel, R};
use super::{contributions, Entree, GroupeVolet, LigneStructure, Parts, UnitesMois};
use crate::modele::{Montant, Unites};
use crate::projection::trajectoire::{self, PlacesStructure, TrajectoireCollectivite};
use std::collections::BTreeMap;

/// Bonus trajectoire (R63): every eligible structure of the trajectoire volet; its part
/// goes into `parts`, the amount paid into its group.
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
    for c in &e.dossier.convention.collectivites {
        reference.insert(c.id.clone(), 0);
    }
    let mut places = Vec::new();
    for (i, (s, el)) in e.ordre.iter().zip(&e.eligibilites).enumerate() {
        if el.volet_eligible() != Some(volet) {
            continue;
        }
        let u = s.unites_bonus().0;
        *reference.entry(s.collectivite.clone()).or_default() += u;
        places.push(PlacesStructure {
            id: s.id.clone(),
            collectivite: s.collectivite.clone(),
            places_decembre: e
                .surcharges
                .places_annee
                .get(&s.id)
                .copied()
                .unwrap_or(u + s.unites_nouvelles.0),
            places_mois: e.unites_mois[i]
                .existantes
                .checked_add(e.unites_mois[i].nouvelles)
                .ok_or(Depassement)?,
        });
    }
    let reference = match &e.surcharges.places_reference {
        Some(r) => r.clone(),
        None => reference,
    };
    let traj = trajectoire::calculer(p, &reference, &places, e.bareme.arrondi.valeur)?;
    for t in &traj {
        if let Some(g) = groupes.get_mut(&(t.collectivite.clone(), t.volet.clone())) {
            g.trajectoire_versee = t.verse;
        }
        for part in &t.parts {
            // `ordre` is sorted by id (bytes) and ids are unique: a binary search, not a scan
            // per part (a scan made the trajectoire quadratic in the number of structures)
            if let Ok(i) = e
                .ordre
                .binary_search_by(|s| s.id.as_bytes().cmp(part.id.as_bytes()))
            {
                parts.trajectoire[i] = Some(part.attribution.clone());
            }
        }
    }
    Ok(traj)
}

/// One line per structure (sorted by id): its shares, bonus and contribution (R65).
pub(super) fn lignes(e: Entree, parts: Parts) -> R<Vec<LigneStructure>> {
    let mode = e.bareme.ajustement_contribution.valeur;
    let mut lignes = Vec::with_capacity(e.ordre.len());
    let verse = |a: &Option<super::repartition::Attribution>| a.as_ref().map_or(0, |a| a.verse);
    let exacte = |a: &Option<super::repartition::Attribution>| {
        a.as_ref().map_or(Rationnel::ZERO, |a| a.exacte)
    };
    for (i, (s, el)) in e.ordre.iter().zip(e.eligibilites).enumerate() {
        let eligible = el.est_eligible();
        let bl = verse(&parts.lissage[i]);
        let bn = verse(&parts.nouvelles[i]);
        let bt = verse(&parts.trajectoire[i]);
        let bc = verse(&parts.ctre_lissage[i]) + verse(&parts.ctre_nouvelles[i]);
        let part_exacte = exacte(&parts.lissage[i])
            .add(exacte(&parts.nouvelles[i]))?
            .add(exacte(&parts.trajectoire[i]))?;
        let total = bl
            .checked_add(bn)
            .and_then(|x| x.checked_add(bt))
            .ok_or(Depassement)?;
        let c = contributions::ajuster(mode, s, Montant(bl), Montant(total))?;
        lignes.push(LigneStructure {
            structure: (*s).clone(),
            unites_eligibles: if eligible {
                s.unites_bonus()
            } else {
                Unites(0)
            },
            eligibilite: el,
            taux_unitaire: parts.taux[i],
            forfait: parts.forfaits[i],
            unites_mois: if eligible {
                e.unites_mois[i]
            } else {
                UnitesMois::default()
            },
            lissage: parts.lissage[i].clone(),
            nouvelles: parts.nouvelles[i].clone(),
            bonus_lissage: Montant(bl),
            bonus_nouvelles: Montant(bn),
            trajectoire: parts.trajectoire[i].clone(),
            bonus_trajectoire: Montant(bt),
            bonus_total: Montant(total),
            ctre_lissage: parts.ctre_lissage[i].clone(),
            ctre_nouvelles: parts.ctre_nouvelles[i].clone(),
            bonus_ctre: Montant(bc),
            part_exacte,
            ecart_arrondi: Rationnel::entier(total as i128).sub(part_exacte)?,
            contribution_n1: s.contribution_collectivite_n1,
            contribution_n: c.contribution_n,
            financement_public_n1: c.financement_public_n1,
            financement_public_n: c.financement_public_n,
            variation: c.variation,
        });
    }
    Ok(lignes)
}
