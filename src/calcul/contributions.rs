//! Collectivité contributions (spec §5).

use super::rationnel::{Depassement, R};
use crate::bareme::Ajustement;
use crate::modele::{Montant, Structure};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    pub contribution_n: Montant,
    pub financement_public_n1: Montant,
    pub financement_public_n: Montant,
    pub variation: Montant,
}

/// `bonus_lissage_n` and `bonus_total_n` are the structure's paid amounts (after rounding).
/// * `neutre`: `max(0, contribution_n1 − (bonus_lissage_n − bonus_n1))`
/// * `aucun`: `contribution_n1`
/// * `integral`: `max(0, contribution_n1 − (bonus_total_n − bonus_n1))`
pub fn ajuster(
    mode: Ajustement,
    s: &Structure,
    bonus_lissage_n: Montant,
    bonus_total_n: Montant,
) -> R<Contribution> {
    let c1 = s.contribution_collectivite_n1.0 as i128;
    let b1 = s.bonus_n1.0 as i128;
    let cn = match mode {
        Ajustement::Aucun => c1,
        Ajustement::Neutre => (c1 - (bonus_lissage_n.0 as i128 - b1)).max(0),
        Ajustement::Integral => (c1 - (bonus_total_n.0 as i128 - b1)).max(0),
    };
    let fp1 = c1 + b1;
    let fpn = cn + bonus_total_n.0 as i128;
    let m = |v: i128| i64::try_from(v).map(Montant).map_err(|_| Depassement);
    Ok(Contribution {
        contribution_n: m(cn)?,
        financement_public_n1: m(fp1)?,
        financement_public_n: m(fpn)?,
        variation: m(fpn - fp1)?,
    })
}
