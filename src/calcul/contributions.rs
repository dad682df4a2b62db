//! Collectivité contributions (docs/regles.md R6, R65): monthly.

use super::rationnel::{Depassement, Rationnel, R};
use crate::bareme::Ajustement;
use crate::modele::{Montant, Structure};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    pub contribution_n: Montant,
    pub financement_public_n1: Montant,
    pub financement_public_n: Montant,
    pub variation: Montant,
}

/// The reference amounts of a contribution: what the collectivité paid (`contribution`) and
/// what the structure received from the Caf (`bonus`, lissage for `neutre`, total for
/// `integral`) over `mois` months (N−1: 12 months, R65).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reference {
    pub contribution: Montant,
    pub bonus: Montant,
    pub mois: u8,
}

/// The contribution of a year of `mo` months (R65): both reference amounts are scaled to
/// `mo` months (`c_ref = contribution × mo / mois`, `b_ref = bonus × mo / mois`), then
/// * `neutre`: `max(0, c_ref − (bonus_lissage_n − b_ref))` (`bonus` = the reference lissage)
/// * `aucun`: `c_ref`
/// * `integral`: `max(0, c_ref − (bonus_total_n − b_ref))` (`bonus` = the reference total)
///
/// rounded half away from zero to the cent. `mo = 0` gives 0; `mois = 0` is treated as
/// 12 (never used: the projection bridges a year without months, R68).
pub fn contribution_mensuelle(
    mode: Ajustement,
    r: Reference,
    mo: u8,
    bonus_lissage_n: Montant,
    bonus_total_n: Montant,
) -> R<Montant> {
    let mois = if r.mois == 0 { 12 } else { r.mois } as i128;
    let mo = mo as i128;
    let c_ref = Rationnel::new(r.contribution.0 as i128 * mo, mois)?;
    let b_ref = Rationnel::new(r.bonus.0 as i128 * mo, mois)?;
    let paye = match mode {
        Ajustement::Aucun => Rationnel::ZERO,
        Ajustement::Neutre => Rationnel::entier(bonus_lissage_n.0 as i128).sub(b_ref)?,
        Ajustement::Integral => Rationnel::entier(bonus_total_n.0 as i128).sub(b_ref)?,
    };
    let cn = c_ref.sub(paye)?.max(Rationnel::ZERO);
    i64::try_from(cn.arrondi_demi_haut())
        .map(Montant)
        .map_err(|_| Depassement)
}

/// One exercice (R65): N−1 is a full year; `bonus_lissage_n` and `bonus_total_n` are the
/// structure's paid amounts (after rounding).
pub fn ajuster(
    mode: Ajustement,
    s: &Structure,
    bonus_lissage_n: Montant,
    bonus_total_n: Montant,
) -> R<Contribution> {
    let c1 = s.contribution_collectivite_n1;
    let b1 = s.bonus_n1;
    let cn = contribution_mensuelle(
        mode,
        Reference {
            contribution: c1,
            bonus: b1,
            mois: 12,
        },
        s.mois_ouverture,
        bonus_lissage_n,
        bonus_total_n,
    )?;
    let fp1 = c1.0 as i128 + b1.0 as i128;
    let fpn = cn.0 as i128 + bonus_total_n.0 as i128;
    let m = |v: i128| i64::try_from(v).map(Montant).map_err(|_| Depassement);
    Ok(Contribution {
        contribution_n: cn,
        financement_public_n1: m(fp1)?,
        financement_public_n: m(fpn)?,
        variation: m(fpn - fp1)?,
    })
}
