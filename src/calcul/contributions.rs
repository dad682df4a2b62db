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
///
/// Computed on integers over the common denominator `mois`: `(contribution × mo − (bonus_n ×
/// mois − bonus × mo)) / mois` (the same value as the rationals of [`references`]; every term
/// is an `i64` times at most 255, far within `i128`), then rounded; the same amount as
/// the formula on rationals, tested below against it.
pub fn contribution_mensuelle(
    mode: Ajustement,
    r: Reference,
    mo: u8,
    bonus_lissage_n: Montant,
    bonus_total_n: Montant,
) -> R<Montant> {
    let (mo, mois) = (mo as i128, r.mois());
    let c = r.contribution.0 as i128 * mo;
    let num = match mode {
        Ajustement::Aucun => c,
        Ajustement::Neutre => c - (bonus_lissage_n.0 as i128 * mois - r.bonus(mode).0 as i128 * mo),
        Ajustement::Integral => c - (bonus_total_n.0 as i128 * mois - r.bonus(mode).0 as i128 * mo),
    };
    if num <= 0 {
        return Ok(Montant(0));
    }
    // num / mois ≥ 0 rounded half away from zero: ⌊(2·num + mois) / (2·mois)⌋
    let (q, _) = super::rationnel::division_positive(2 * num + mois, 2 * mois);
    Montant::depuis_i128(q)
}

/// [`contribution_mensuelle`] on rationals, as [`formule`] reads: the reference of the test.
#[cfg(test)]
fn contribution_rationnels(
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn montant() -> impl Strategy<Value = Montant> {
        prop_oneof![
            (-1_000i64..100_000_000).prop_map(Montant),
            any::<i64>().prop_map(Montant),
            prop::sample::select(vec![0, 1, -1, i64::MAX, i64::MIN, i64::MAX / 12])
                .prop_map(Montant),
        ]
    }

    fn mode() -> impl Strategy<Value = Ajustement> {
        prop::sample::select(vec![
            Ajustement::Neutre,
            Ajustement::Integral,
            Ajustement::Aucun,
        ])
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// The integer calculation gives the amount of the formula on rationals (or the same
        /// overflow), every mode, months 0 to 255, amounts of every size and sign.
        #[test]
        fn entiers_comme_rationnels(
            m in mode(), c in montant(), l in montant(), t in montant(),
            bl in montant(), bt in montant(), mois in any::<u8>(),
            mo in prop_oneof![0u8..=12, any::<u8>()],
        ) {
            let r = Reference { contribution: c, lissage: l, total: t, mois };
            prop_assert_eq!(
                contribution_mensuelle(m, r, mo, bl, bt),
                contribution_rationnels(m, r, mo, bl, bt)
            );
        }
    }

    /// Hand-checked: 1 200,00 € a year, bonus N−1 300,00 €, lissage N 400,00 €, 9 months of
    /// 12 (neutre): c_ref = 90 000 c, b_ref = 22 500 c, 90 000 − (40 000 − 22 500) = 72 500 c;
    /// an odd half: 1 c over 12 months for 6 months = 0,5 c → 1 c.
    #[test]
    fn exemples() {
        let r = Reference {
            contribution: Montant(120_000),
            lissage: Montant(30_000),
            total: Montant(30_000),
            mois: 12,
        };
        let n = contribution_mensuelle(Ajustement::Neutre, r, 9, Montant(40_000), Montant(0));
        assert_eq!(n, Ok(Montant(72_500)));
        let r1 = Reference {
            contribution: Montant(1),
            lissage: Montant(0),
            total: Montant(0),
            mois: 12,
        };
        assert_eq!(
            contribution_mensuelle(Ajustement::Aucun, r1, 6, Montant(0), Montant(0)),
            Ok(Montant(1))
        );
        assert_eq!(
            contribution_mensuelle(Ajustement::Neutre, r, 0, Montant(5), Montant(5)),
            Ok(Montant(0))
        );
    }
}
