//! A dated parameter (OpenFisca style): its history of values, each with its start date,
//! legal reference and status, and the value read for one exercice with its source; a
//! value may be a grid chosen by population stratum and existing amount (R60).

use super::Statut;
use crate::modele::{Date, Montant};

/// A value chosen by the collectivité's population stratum (rows) and the existing amount
/// per unit `m` (columns) (docs/regles.md R60). A plain value is a 1 × 1 grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grille<T> {
    /// Population thresholds, strictly increasing (inhabitants).
    pub seuils_population: Vec<u64>,
    /// Thresholds on the existing amount per unit `m`, strictly increasing.
    pub seuils_montant: Vec<Montant>,
    /// `seuils_population.len() + 1` rows of `seuils_montant.len() + 1` values.
    pub valeurs: Vec<Vec<T>>,
}

impl<T: Clone> Grille<T> {
    pub fn unique(v: T) -> Self {
        Grille {
            seuils_population: Vec::new(),
            seuils_montant: Vec::new(),
            valeurs: vec![vec![v]],
        }
    }
    pub fn est_unique(&self) -> bool {
        self.seuils_population.is_empty() && self.seuils_montant.is_empty()
    }
    /// Does choosing a cell need the collectivité's population?
    pub fn exige_population(&self) -> bool {
        !self.seuils_population.is_empty()
    }
    /// The cell (row, column, value) for a population and an existing amount per unit `m`
    /// (cents per unit): row = number of population thresholds ≤ population, column = number
    /// of amount thresholds ≤ m. `None` when the population is needed and unknown.
    pub fn cellule(
        &self,
        population: Option<u64>,
        m: crate::calcul::rationnel::Rationnel,
    ) -> Option<(usize, usize, T)> {
        let ligne = if self.seuils_population.is_empty() {
            0
        } else {
            let p = population?;
            self.seuils_population.iter().filter(|s| **s <= p).count()
        };
        let colonne = self
            .seuils_montant
            .iter()
            .filter(|s| crate::calcul::rationnel::Rationnel::entier(s.0 as i128) <= m)
            .count();
        let v = self.valeurs.get(ligne)?.get(colonne)?.clone();
        Some((ligne, colonne, v))
    }
    /// The single value of a 1 × 1 grid.
    pub fn valeur_unique(&self) -> Option<&T> {
        if self.est_unique() {
            self.valeurs.first().and_then(|l| l.first())
        } else {
            None
        }
    }
}

/// Where a value comes from: file name (built-in or the dossier's barème).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValeurDatee<T> {
    pub debut: Date,
    pub valeur: T,
    pub reference: String,
    pub statut: Statut,
    pub origine: String,
    /// Replaced by a later-read value with the same `debut` (kept for the record).
    pub remplacee: bool,
}

/// One parameter's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parametre<T> {
    pub nom: String,
    pub valeurs: Vec<ValeurDatee<T>>,
    /// Written in the short form (a bare value): replaces the whole history when merged.
    pub forme_abregee: bool,
}

impl<T: Clone> Parametre<T> {
    pub(super) fn vide(nom: &str) -> Self {
        Parametre {
            nom: nom.to_string(),
            valeurs: Vec::new(),
            forme_abregee: false,
        }
    }

    /// Value in force on 1 January of `annee` (docs/regles.md R1).
    pub fn en_vigueur(&self, annee: i32) -> Option<Lu<T>> {
        let date = Date::premier_janvier(annee);
        self.valeurs
            .iter()
            .filter(|v| !v.remplacee && v.debut <= date)
            .max_by_key(|v| v.debut)
            .map(|v| Lu {
                valeur: v.valeur.clone(),
                source: Some(Source {
                    parametre: self.nom.clone(),
                    debut: v.debut,
                    reference: v.reference.clone(),
                    statut: v.statut,
                    origine: v.origine.clone(),
                }),
            })
    }

    /// Adds the values of `autre`; a value with the same `debut` replaces (and keeps) ours.
    pub(super) fn fusionner(&mut self, autre: Parametre<T>) {
        if autre.forme_abregee {
            for ancienne in &mut self.valeurs {
                ancienne.remplacee = true;
            }
        }
        for v in autre.valeurs {
            for ancienne in self.valeurs.iter_mut().filter(|a| a.debut == v.debut) {
                ancienne.remplacee = true;
            }
            self.valeurs.push(v);
        }
        self.valeurs.sort_by_key(|v| v.debut);
    }
}

/// Where a value read for an exercice comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub parametre: String,
    pub debut: Date,
    pub reference: String,
    pub statut: Statut,
    pub origine: String,
}

/// A value read for one exercice, with its source (`None`: absent from the barème, the
/// neutral default documented in docs/bareme.md applies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lu<T> {
    pub valeur: T,
    pub source: Option<Source>,
}

impl<T> Lu<T> {
    pub(super) fn defaut(valeur: T) -> Self {
        Lu {
            valeur,
            source: None,
        }
    }
}
