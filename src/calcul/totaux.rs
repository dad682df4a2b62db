//! Step 7 of the calculation: totals per gestionnaire, per collectivité and overall
//! (R8: the grand total equals the sum of its lines to the cent).

use super::rationnel::R;
use super::{GroupeVolet, LigneStructure, TotalGeneral, Totaux, TotauxCollectivite};
use crate::modele::{Convention, Montant};
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

impl Totaux {
    fn ajouter(&mut self, l: &LigneStructure) -> R<()> {
        self.structures += 1;
        if l.eligibilite.est_eligible() {
            self.structures_eligibles += 1;
        }
        self.bonus_n1.ajouter(l.structure.bonus_n1)?;
        self.bonus_lissage.ajouter(l.bonus_lissage)?;
        self.bonus_nouvelles.ajouter(l.bonus_nouvelles)?;
        self.bonus_total.ajouter(l.bonus_total)?;
        self.contribution_n1.ajouter(l.contribution_n1)?;
        self.contribution_n.ajouter(l.contribution_n)?;
        self.financement_public_n1
            .ajouter(l.financement_public_n1)?;
        self.financement_public_n.ajouter(l.financement_public_n)?;
        self.variation.ajouter(l.variation)?;
        self.bonus_trajectoire.ajouter(l.bonus_trajectoire)?;
        self.bonus_ctre.ajouter(l.bonus_ctre)
    }
}

/// Totals per gestionnaire, per collectivité (every collectivité of the convention, even
/// without structure) and overall.
pub(super) type Tous = (
    BTreeMap<String, Totaux>,
    BTreeMap<String, TotauxCollectivite>,
    TotalGeneral,
);

fn somme<I: IntoIterator<Item = Montant>>(it: I) -> R<Montant> {
    Montant::somme(it)
}

/// Values per key (a gestionnaire, a collectivité, a volet, a group), the key borrowed:
/// lines sorted by id often follow one another with the same key (ids start with the
/// collectivité's), so the last key is checked first, then a hash table (FxHash) of the
/// others. The values in the order the keys first came. Also used for the groups' members
/// and the totals of a lot.
#[derive(Debug)]
pub(crate) struct Cumul<K, T> {
    index: FxHashMap<K, usize>,
    valeurs: Vec<(K, T)>,
    dernier: Option<usize>,
}

impl<K, T> Default for Cumul<K, T> {
    fn default() -> Self {
        Cumul {
            index: FxHashMap::default(),
            valeurs: Vec::new(),
            dernier: None,
        }
    }
}

impl<K: Copy + Eq + std::hash::Hash, T: Default> Cumul<K, T> {
    /// The value of `cle`, created empty on first use.
    pub(crate) fn de(&mut self, cle: K) -> &mut T {
        let k = match self.dernier {
            Some(k) if self.valeurs[k].0 == cle => k,
            _ => {
                let n = self.valeurs.len();
                let k = *self.index.entry(cle).or_insert(n);
                if k == n {
                    self.valeurs.push((cle, T::default()));
                }
                self.dernier = Some(k);
                k
            }
        };
        &mut self.valeurs[k].1
    }
    pub(crate) fn get(&self, cle: &K) -> Option<&T> {
        self.index.get(cle).map(|&k| &self.valeurs[k].1)
    }
    pub(crate) fn iter(&self) -> impl Iterator<Item = &(K, T)> {
        self.valeurs.iter()
    }
    pub(crate) fn en_liste(self) -> impl Iterator<Item = (K, T)> {
        self.valeurs.into_iter()
    }
}

pub(super) fn totaliser(
    conv: &Convention,
    lignes: &[LigneStructure],
    groupes: &[GroupeVolet],
) -> R<Tous> {
    let mut total = TotalGeneral::default();
    // per line, a lookup by the borrowed name in a hash table (FxHash; no copy of the name
    // per line); each key receives its lines in the same order as before (by id), so the
    // checked sums overflow exactly when they did; the names are copied once per key into
    // the sorted maps of the result
    let mut par_gestionnaire: Cumul<&str, Totaux> = Cumul::default();
    let mut par_collectivite: Cumul<&str, Totaux> = Cumul::default();
    for l in lignes {
        par_gestionnaire
            .de(l.structure.gestionnaire.as_str())
            .ajouter(l)?;
        par_collectivite
            .de(l.structure.collectivite.as_str())
            .ajouter(l)?;
        total.structures.ajouter(l)?;
    }
    // names sorted as borrowed strings first: the map is then built from sorted pairs
    let mut liste: Vec<(&str, Totaux)> = par_gestionnaire.en_liste().collect();
    liste.sort_unstable_by(|a, b| a.0.cmp(b.0)); // names are unique
    let gestionnaires: BTreeMap<String, Totaux> =
        liste.into_iter().map(|(k, t)| (k.to_string(), t)).collect();
    let mut collectivites: BTreeMap<String, TotauxCollectivite> = BTreeMap::new();
    for c in &conv.collectivites {
        collectivites.entry(c.id.clone()).or_default();
    }
    for (k, t) in par_collectivite.en_liste() {
        match collectivites.get_mut(k) {
            Some(c) => c.structures = t,
            None => {
                collectivites.insert(
                    k.to_string(),
                    TotauxCollectivite {
                        structures: t,
                        ..Default::default()
                    },
                );
            }
        }
    }
    for g in groupes {
        let c = collectivites.entry(g.collectivite.clone()).or_default();
        c.charge_n1 = somme([c.charge_n1, g.charge_n1])?;
        c.verse_collectivite = somme([c.verse_collectivite, g.verse_collectivite])?;
        c.non_redistribue = somme([c.non_redistribue, g.non_redistribue])?;
    }
    for c in collectivites.values_mut() {
        c.verse_caf = somme([
            c.structures.bonus_total,
            c.structures.bonus_ctre,
            c.verse_collectivite,
        ])?;
    }
    total.charge_n1 = somme(groupes.iter().map(|g| g.charge_n1))?;
    total.lissage_verse = somme(groupes.iter().map(|g| g.lissage_verse))?;
    total.nouvelles_versees = somme(groupes.iter().map(|g| g.nouvelles_versees))?;
    total.complement_plancher = somme(groupes.iter().map(|g| g.complement_plancher))?;
    total.non_redistribue = somme(groupes.iter().map(|g| g.non_redistribue))?;
    total.verse_collectivite = somme(groupes.iter().map(|g| g.verse_collectivite))?;
    total.trajectoire_versee = somme(groupes.iter().map(|g| g.trajectoire_versee))?;
    total.verse_caf = somme([
        total.structures.bonus_total,
        total.structures.bonus_ctre,
        total.verse_collectivite,
    ])?;
    Ok((gestionnaires, collectivites, total))
}
