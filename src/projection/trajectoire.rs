//! Bonus « trajectoire de développement » (docs/regles.md R24): when a collectivité's number
//! of co-financed places of the trajectoire volet (EAJE: PSU places supported by the
//! collectivité) has grown since the reference year by at least a threshold, every eligible
//! place receives the threshold's amount per year, pro rata of its months.
//!
//! Rounding group: the trajectoire shares of one collectivité (its structures of the
//! trajectoire volet), rounded as a whole like the other groups (R9).

use crate::bareme::{Arrondi, TrajectoireExercice};
use crate::calcul::rationnel::{Depassement, Rationnel, R};
use crate::calcul::repartition::{arrondir_groupe, Attribution};
use crate::calcul::{decimal_en_rationnel, ArrondiGroupe};
use crate::modele::{Montant, UniteMois, Unites};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One structure's input to the trajectoire of a year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacesStructure {
    pub id: String,
    pub collectivite: String,
    /// Eligible places in force in December (`existantes − employeurs + nouvelles`,
    /// hundredths); 0 when the structure does not count in December.
    pub places_decembre: i64,
    /// Place-months paid this year (hundredths × months).
    pub places_mois: i64,
}

/// One structure's trajectoire share.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartTrajectoire {
    pub id: String,
    pub places_mois: i64,
    pub attribution: Attribution,
}

/// The trajectoire of one collectivité for one year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrajectoireCollectivite {
    pub collectivite: String,
    pub volet: String,
    pub annee_reference: i32,
    /// `P_ref`: places of the reference year (the dossier's eligible existing units).
    pub places_reference: Unites,
    /// `P_Y`: places in force in December of the year.
    pub places: Unites,
    /// `(P_Y − P_ref) / P_ref` (`None` when `P_ref = 0`: with places, every threshold counts
    /// as reached).
    pub croissance: Option<Rationnel>,
    /// Index (1-based) of the highest threshold reached.
    pub niveau: Option<usize>,
    pub seuil: Option<Decimal>,
    /// Amount per place and year for the level reached (0 when none).
    pub montant_par_place: Montant,
    pub arrondi: Option<ArrondiGroupe>,
    pub verse: Montant,
    pub parts: Vec<PartTrajectoire>,
    /// The parameters in force, shared by the collectivités of a calculation.
    pub parametres: Arc<TrajectoireExercice>,
}

impl TrajectoireCollectivite {
    pub fn part(&self, id: &str) -> Option<&PartTrajectoire> {
        self.parts.iter().find(|p| p.id == id)
    }
}

/// Highest threshold reached: `P_Y ≥ P_ref × (1 + seuil)` (exact), 1-based.
pub fn niveau_atteint(places_ref: i64, places: i64, seuils: &[Decimal]) -> R<Option<usize>> {
    if places_ref == 0 {
        // no place in the reference year: any place is a growth above every threshold
        return Ok((places > 0 && !seuils.is_empty()).then_some(seuils.len()));
    }
    let mut niveau = None;
    for (k, s) in seuils.iter().enumerate() {
        let cible = Rationnel::entier(places_ref as i128)
            .mul(Rationnel::UN.add(decimal_en_rationnel(*s)?)?)?;
        if Rationnel::entier(places as i128) >= cible {
            niveau = Some(k + 1);
        }
    }
    Ok(niveau)
}

/// Computes the trajectoire of every collectivité for one year.
/// `reference`: `P_ref` per collectivité; `structures`: the eligible structures of the volet.
pub fn calculer(
    parametres: &TrajectoireExercice,
    reference: &BTreeMap<String, i64>,
    structures: &[PlacesStructure],
    arrondi: Arrondi,
) -> R<Vec<TrajectoireCollectivite>> {
    let mut par_c: BTreeMap<&str, Vec<&PlacesStructure>> = BTreeMap::new();
    for c in reference.keys() {
        par_c.entry(c.as_str()).or_default();
    }
    for s in structures {
        par_c.entry(s.collectivite.as_str()).or_default().push(s);
    }
    let mut r = Vec::with_capacity(par_c.len());
    let parametres = Arc::new(parametres.clone());
    for (c, mut membres) in par_c {
        membres.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
        let places: Vec<Places> = membres
            .iter()
            .map(|s| Places {
                id: &s.id,
                places_decembre: s.places_decembre,
                places_mois: s.places_mois,
            })
            .collect();
        let p_ref = reference.get(c).copied().unwrap_or(0);
        r.push(collectivite(&parametres, c, p_ref, &places, arrondi)?);
    }
    Ok(r)
}

/// One structure's places, borrowed ([`PlacesStructure`] without its collectivité).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Places<'a> {
    pub id: &'a str,
    pub places_decembre: i64,
    pub places_mois: i64,
}

/// The trajectoire of collectivité `c` for one year ([`calculer`] for one collectivité):
/// `p_ref` its places of reference, `membres` its structures sorted by id (bytes).
pub(crate) fn collectivite(
    parametres: &Arc<TrajectoireExercice>,
    c: &str,
    p_ref: i64,
    membres: &[Places],
    arrondi: Arrondi,
) -> R<TrajectoireCollectivite> {
    let mut p = 0i64;
    for s in membres {
        p = p.checked_add(s.places_decembre).ok_or(Depassement)?;
    }
    let croissance = if p_ref > 0 {
        Some(Rationnel::new((p - p_ref) as i128, p_ref as i128)?)
    } else {
        None
    };
    let niveau = niveau_atteint(p_ref, p, &parametres.seuils.valeur)?;
    let montant = niveau
        .and_then(|k| parametres.montants.valeur.get(k - 1).copied())
        .unwrap_or_default();
    let mut t = TrajectoireCollectivite {
        collectivite: c.to_string(),
        volet: parametres.volet.valeur.clone(),
        annee_reference: parametres.annee_reference.valeur,
        places_reference: Unites(p_ref),
        places: Unites(p),
        croissance,
        niveau,
        seuil: niveau.and_then(|k| parametres.seuils.valeur.get(k - 1).copied()),
        montant_par_place: montant,
        arrondi: None,
        verse: Montant(0),
        parts: Vec::new(),
        parametres: Arc::clone(parametres),
    };
    if montant.0 > 0 && !membres.is_empty() {
        // b_i = X × (place-months / 12): X cents × hundredths × months / UniteMois::PAR_AN
        let ids: Vec<&str> = membres.iter().map(|s| s.id).collect();
        let mut nums = Vec::with_capacity(membres.len());
        for s in membres {
            nums.push(
                (montant.0 as i128)
                    .checked_mul(s.places_mois as i128)
                    .ok_or(Depassement)?,
            );
        }
        let g = arrondir_groupe(&ids, &nums, UniteMois::PAR_AN, arrondi)?;
        t.verse = Montant(g.total);
        t.arrondi = Some(ArrondiGroupe::de(&g, arrondi));
        t.parts.reserve_exact(membres.len());
        for (s, a) in membres.iter().zip(g.lignes) {
            t.parts.push(PartTrajectoire {
                id: s.id.to_string(),
                places_mois: s.places_mois,
                attribution: a,
            });
        }
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seuils_exacts() {
        let s = [Decimal::new(4, 2), Decimal::new(8, 2), Decimal::new(12, 2)];
        // P_ref = 100 places (10 000 hundredths): 104 → 4 % exactly → level 1
        assert_eq!(niveau_atteint(10_000, 10_400, &s).unwrap(), Some(1));
        assert_eq!(niveau_atteint(10_000, 10_399, &s).unwrap(), None);
        assert_eq!(niveau_atteint(10_000, 10_800, &s).unwrap(), Some(2));
        assert_eq!(niveau_atteint(10_000, 20_000, &s).unwrap(), Some(3));
        // P_ref = 0: every threshold is reached as soon as there are places
        assert_eq!(niveau_atteint(0, 100, &s).unwrap(), Some(3));
        assert_eq!(niveau_atteint(0, 0, &s).unwrap(), None);
    }
}
