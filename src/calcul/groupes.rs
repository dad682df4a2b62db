//! Step 2 of the calculation: the allocation groups (collectivité, volet), from the charge
//! lines and from the eligible structures (R5, R8), and their members — the eligible
//! structures of the volet, or for a CTRE volet the structures with employer places (R64).

use super::eligibilite;
use super::rationnel::{Depassement, Rationnel, R};
use super::{Entree, GroupeVolet};
use crate::modele::{Montant, Unites};
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// A group's key: (collectivité, volet).
pub(super) type Cle = (String, String);

/// Members of each group: indices into [`Entree::ordre`], in that order; keys borrowed (no
/// copy per structure), hashed by FxHash (the groups themselves are kept sorted in
/// [`former`]'s map).
#[derive(Debug, Default)]
pub(super) struct Membres<'e> {
    /// Eligible structures of each (collectivité, volet).
    pub bonus: Listes<'e>,
    /// CTRE volets (R64): annexe 2 structures with employer places.
    pub ctre: Listes<'e>,
}

/// The members of each group (indices into the lines) by (collectivité, volet) borrowed,
/// the last key looked up remembered: consecutive structures (sorted by id, ids starting
/// with their collectivité's) often share their group.
pub(super) type Listes<'e> = super::totaux::Cumul<(&'e str, &'e str), Vec<usize>>;

impl Membres<'_> {
    /// The members of group `k` (CTRE or bonus), borrowed (no copy).
    pub fn de<'s>(&'s self, k: &'s Cle, ctre: bool) -> &'s [usize] {
        if ctre { &self.ctre } else { &self.bonus }
            .get(&(k.0.as_str(), k.1.as_str()))
            .map_or(&[], Vec::as_slice)
    }
}

/// An empty group (no envelope, no unit yet).
fn nouveau(e: &Entree, c: &str, v: &str) -> GroupeVolet {
    GroupeVolet {
        collectivite: c.to_string(),
        volet: v.to_string(),
        versement: e.bareme.volets.get(v).map(|x| x.versement.valeur),
        charge_n1: Montant(0),
        lignes_charge: Vec::new(),
        unites: Unites(0),
        taux_base: None,
        taux_effectif: None,
        plancher: Montant(0),
        revalorisation: Decimal::ZERO,
        nouvelles_avant_plafond: Rationnel::ZERO,
        plafond: None,
        unites_nouvelles: Unites(0),
        plafond_unites: None,
        facteur_plafond: None,
        arrondi_lissage: None,
        arrondi_nouvelles: None,
        lissage_verse: Montant(0),
        nouvelles_versees: Montant(0),
        complement_plancher: Montant(0),
        trajectoire_versee: Montant(0),
        non_redistribue: Montant(0),
        verse_collectivite: Montant(0),
        structures_eligibles: 0,
        taux_impose: false,
    }
}

/// The groups, sorted by (collectivité, volet), and their members.
pub(super) fn former<'e>(e: &'e Entree) -> R<(BTreeMap<Cle, GroupeVolet>, Membres<'e>)> {
    // every group found by its borrowed key (FxHash); keys copied once, into the sorted map
    let mut groupes: FxHashMap<(&str, &str), GroupeVolet> = FxHashMap::default();
    for ch in e.charges {
        let g = groupes
            .entry((ch.collectivite.as_str(), ch.volet.as_str()))
            .or_insert_with(|| nouveau(e, &ch.collectivite, &ch.volet));
        g.charge_n1.0 = g.charge_n1.0.checked_add(ch.montant.0).ok_or(Depassement)?;
        g.lignes_charge.extend(ch.ligne.ligne());
    }
    let mut membres = Membres::default();
    for (i, (s, el)) in e.ordre.iter().zip(&e.eligibilites).enumerate() {
        if let Some(v) = el.volet_eligible() {
            membres.bonus.de((s.collectivite.as_str(), v)).push(i);
        }
    }
    for &((c, v), _) in membres.bonus.iter() {
        groupes.entry((c, v)).or_insert_with(|| nouveau(e, c, v));
    }

    // CTRE members (R64): annexe 2 structures of the types and financing of a volet
    // `versement = "employeurs"`, open in N, with employer places (existing or new);
    // neither the collectivité's support nor its signature is required
    for v in e.bareme.volets_employeurs() {
        for (i, s) in e.ordre.iter().enumerate() {
            if eligibilite::admise_ctre(s, v)
                && (s.unites_employeurs.0 > 0 || s.unites_employeurs_nouvelles.0 > 0)
            {
                membres
                    .ctre
                    .de((s.collectivite.as_str(), v.nom.as_str()))
                    .push(i);
            }
        }
    }
    // a CTRE group exists with its charge lines, or with a new employer place (forfait)
    for ((c, v), ms) in membres.ctre.iter() {
        if ms
            .iter()
            .any(|&i| e.ordre[i].unites_employeurs_nouvelles.0 > 0)
        {
            groupes.entry((c, v)).or_insert_with(|| nouveau(e, c, v));
        }
    }
    // the sorted map built from the keys sorted first (short pairs of borrowed strings), not
    // by sorting the groups themselves (large records moved at every step of the sort)
    let mut cles: Vec<(&str, &str)> = groupes.keys().copied().collect();
    cles.sort_unstable();
    let groupes = cles
        .into_iter()
        .filter_map(|k| groupes.remove(&k))
        .map(|g| ((g.collectivite.clone(), g.volet.clone()), g))
        .collect();
    Ok((groupes, membres))
}
