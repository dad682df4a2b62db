//! Collectivité contributions (docs/regles.md R6, R25, R65, R68): monthly. The one
//! definition of the contribution formula, used by the year calculation, the projection's
//! chain and the explanations.

use super::rationnel::{Rationnel, R};
use crate::bareme::Ajustement;
use crate::modele::{Montant, Structure};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Contribution {
    pub contribution_n: Montant,
    pub financement_public_n1: Montant,
    pub financement_public_n: Montant,
    pub variation: Montant,
}

/// The reference of a contribution: what the collectivité paid (`contribution`) and what
/// the structure received from the Caf (`lissage`, `total`) over `mois` months (N−1: the
/// dossier's amounts over 12 months, R65; in the projection: the last year with months
/// counted, R68).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reference {
    pub contribution: Montant,
    pub lissage: Montant,
    pub total: Montant,
    pub mois: u8,
}

impl Reference {
    /// N−1 as the dossier gives it: a full year, one bonus amount (`bonus_n1`).
    pub fn n1(s: &Structure) -> Self {
        Reference {
            contribution: s.contribution_collectivite_n1,
            lissage: s.bonus_n1,
            total: s.bonus_n1,
            mois: 12,
        }
    }
    /// The reference bonus the mode compares with: `neutre` compares lissage with
    /// lissage, `integral` total with total (`aucun` does not use it).
    pub fn bonus(&self, mode: Ajustement) -> Montant {
        match mode {
            Ajustement::Neutre => self.lissage,
            Ajustement::Integral | Ajustement::Aucun => self.total,
        }
    }
    /// `mois = 0` is treated as 12 (never used: the projection bridges a year without
    /// months, R68).
    fn mois(&self) -> i128 {
        if self.mois == 0 {
            12
        } else {
            self.mois as i128
        }
    }
}

/// The formula of a mode, as written in docs/regles.md (R65).
pub fn formule(mode: Ajustement) -> &'static str {
    match mode {
        Ajustement::Neutre => "max(0, c_ref − (bonus_lissage_n − b_ref))",
        Ajustement::Integral => "max(0, c_ref − (bonus_total_n − b_ref))",
        Ajustement::Aucun => "c_ref",
    }
}

/// `c_ref` and `b_ref`: the reference amounts scaled to `mo` months (`× mo / mois`).
pub fn references(mode: Ajustement, r: Reference, mo: u8) -> R<(Rationnel, Rationnel)> {
    let mo = mo as i128;
    let c_ref = Rationnel::new(r.contribution.0 as i128 * mo, r.mois())?;
    let b_ref = Rationnel::new(r.bonus(mode).0 as i128 * mo, r.mois())?;
    Ok((c_ref, b_ref))
}

/// The contribution of a year of `mo` months (R65): both reference amounts are scaled to
/// `mo` months (`c_ref = contribution × mo / mois`, `b_ref = bonus × mo / mois`), then
/// [`formule`]: `neutre` `max(0, c_ref − (bonus_lissage_n − b_ref))`, `aucun` `c_ref`,
/// `integral` `max(0, c_ref − (bonus_total_n − b_ref))`, rounded half away from zero to
/// the cent. `mo = 0` gives 0.
pub fn contribution_mensuelle(
    mode: Ajustement,
    r: Reference,
    mo: u8,
    bonus_lissage_n: Montant,
    bonus_total_n: Montant,
) -> R<Montant> {
    let (c_ref, b_ref) = references(mode, r, mo)?;
    let paye = match mode {
        Ajustement::Aucun => Rationnel::ZERO,
        Ajustement::Neutre => Rationnel::entier(bonus_lissage_n.0 as i128).sub(b_ref)?,
        Ajustement::Integral => Rationnel::entier(bonus_total_n.0 as i128).sub(b_ref)?,
    };
    let cn = c_ref.sub(paye)?.max(Rationnel::ZERO);
    Montant::depuis_i128(cn.arrondi_demi_haut())
}

/// Public funding before and after (R65): `contribution + bonus` of the reference year and
/// of the year, and their difference.
pub fn financement(
    contribution_n1: Montant,
    bonus_n1: Montant,
    contribution_n: Montant,
    bonus_total_n: Montant,
) -> R<Contribution> {
    let fp1 = contribution_n1.plus(bonus_n1)?;
    let fpn = contribution_n.plus(bonus_total_n)?;
    Ok(Contribution {
        contribution_n,
        financement_public_n1: fp1,
        financement_public_n: fpn,
        variation: fpn.moins(fp1)?,
    })
}

/// One exercice (R65): N−1 is a full year; `bonus_lissage_n` and `bonus_total_n` are the
/// structure's paid amounts (after rounding).
pub fn ajuster(
    mode: Ajustement,
    s: &Structure,
    bonus_lissage_n: Montant,
    bonus_total_n: Montant,
) -> R<Contribution> {
    let cn = contribution_mensuelle(
        mode,
        Reference::n1(s),
        s.mois_ouverture,
        bonus_lissage_n,
        bonus_total_n,
    )?;
    financement(
        s.contribution_collectivite_n1,
        s.bonus_n1,
        cn,
        bonus_total_n,
    )
}
