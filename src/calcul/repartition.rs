//! Group rounding by largest remainders (R9).
//!
//! Each allocation group — the lissage shares of one (collectivité, volet), and separately
//! its new-unit shares — is rounded as a whole:
//! * target total `T = arrondi(Σ parts exactes)` to the cent, with the barème's strategy;
//! * each line gets the floor of its share in cents;
//! * the `T − Σ planchers` remaining cents go one each to the largest remainders, ties to the
//!   smaller `id` (byte order).
//!
//! Shares are given as numerators over one common denominator, in cents, so that no
//! intermediate division decides which line receives a cent.

use super::rationnel::{Depassement, Invariant, Rationnel, R};
use crate::bareme::Arrondi;

/// One line's result of the group rounding, kept for `expliquer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    /// Exact share, in cents.
    pub exacte: Rationnel,
    /// Floor of the exact share, in cents.
    pub plancher: i64,
    /// Paid amount, in cents (`plancher` or `plancher + 1`).
    pub verse: i64,
    /// Rank of the remainder among the group's lines (1 = largest), after the tie-break.
    pub rang_reste: usize,
}

/// Result of rounding one group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groupe {
    /// Exact total, in cents.
    pub total_exact: Rationnel,
    /// Rounded target total `T`, in cents.
    pub total: i64,
    /// Number of extra cents handed out by largest remainder (`T − Σ planchers`).
    pub centimes_restants: i64,
    pub lignes: Vec<Attribution>,
}

/// Rounds the shares `numerateurs[i] / denominateur` (cents, all ≥ 0) as one group.
/// `ids[i]` is the tie-break key. The order of the input does not matter.
pub fn arrondir_groupe(
    ids: &[&str],
    numerateurs: &[i128],
    denominateur: i128,
    arrondi: Arrondi,
) -> R<Groupe> {
    debug_assert_eq!(ids.len(), numerateurs.len());
    if denominateur <= 0 || numerateurs.iter().any(|n| *n < 0) {
        return Err(Invariant(
            "part négative ou dénominateur nul dans l'arrondi d'un groupe",
        ));
    }
    let mut somme: i128 = 0;
    for n in numerateurs {
        somme = somme.checked_add(*n).ok_or(Depassement)?;
    }
    let total_exact = Rationnel::new(somme, denominateur)?;
    let total = match arrondi {
        Arrondi::DemiHaut => total_exact.arrondi_demi_haut(),
        Arrondi::Troncature => total_exact.troncature(),
    };
    // floor and remainder of each line, computed once (n ≥ 0; 64-bit division when they fit)
    let mut planchers_restes = Vec::with_capacity(numerateurs.len());
    let mut somme_planchers: i128 = 0;
    for &n in numerateurs {
        let (p, reste) = super::rationnel::division_positive(n, denominateur);
        somme_planchers += p; // Σ p ≤ Σ n / d: no overflow
        planchers_restes.push((p, reste));
    }
    // 0 ≤ T − Σ planchers < number of lines (each remainder < 1 cent; T ≤ ceil(Σ exact)).
    let restants = total - somme_planchers;
    // order: remainder descending, then id ascending (bytes)
    let avant = |a: usize, b: usize| {
        planchers_restes[b]
            .1
            .cmp(&planchers_restes[a].1)
            .then_with(|| ids[a].as_bytes().cmp(ids[b].as_bytes()))
    };
    let n = numerateurs.len();
    // the lines often come in that order already (equal remainders, e.g. no new unit, and
    // ids ascending): then each rank is the position, without a sort
    let deja_range = (1..n).all(|i| avant(i - 1, i) != std::cmp::Ordering::Greater);
    let mut rang: Vec<usize> = (1..=n).collect();
    if !deja_range {
        let mut ordre: Vec<usize> = (0..n).collect();
        ordre.sort_by(|&a, &b| avant(a, b));
        for (k, &i) in ordre.iter().enumerate() {
            rang[i] = k + 1;
        }
    }
    let mut lignes = Vec::with_capacity(n);
    for (i, (&num, &(p, reste))) in numerateurs.iter().zip(&planchers_restes).enumerate() {
        let bonus = if (rang[i] as i128) <= restants { 1 } else { 0 };
        let plancher = i64::try_from(p).map_err(|_| Depassement)?;
        lignes.push(Attribution {
            exacte: super::rationnel::part_reduite(num, denominateur, reste),
            plancher,
            verse: plancher + bonus,
            rang_reste: rang[i],
        });
    }
    Ok(Groupe {
        total_exact,
        total: i64::try_from(total).map_err(|_| Depassement)?,
        centimes_restants: i64::try_from(restants).map_err(|_| Depassement)?,
        lignes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Ranks are those of the sort by (remainder descending, id ascending), whether the
        /// lines come in that order (sort skipped) or not; equal ids keep their order.
        #[test]
        fn rangs_comme_le_tri(
            lignes in prop::collection::vec((0i128..40, "[a-d]{0,2}"), 0..30),
            d in 1i128..12,
            trier in any::<bool>(),
        ) {
            let mut lignes = lignes;
            if trier {
                lignes.sort_by(|a, b| (b.0 % d).cmp(&(a.0 % d)).then_with(|| a.1.cmp(&b.1)));
            }
            let ids: Vec<&str> = lignes.iter().map(|l| l.1.as_str()).collect();
            let nums: Vec<i128> = lignes.iter().map(|l| l.0).collect();
            let g = arrondir_groupe(&ids, &nums, d, Arrondi::DemiHaut).unwrap();
            let mut ordre: Vec<usize> = (0..nums.len()).collect();
            ordre.sort_by(|&a, &b| (nums[b] % d).cmp(&(nums[a] % d)).then_with(|| ids[a].cmp(ids[b])));
            for (k, &i) in ordre.iter().enumerate() {
                prop_assert_eq!(g.lignes[i].rang_reste, k + 1);
                prop_assert_eq!(g.lignes[i].exacte, Rationnel::new(nums[i], d).unwrap());
            }
        }
    }

    #[test]
    fn trois_parts_egales_de_100_000_euros() {
        // 100 000,00 € = 10 000 000 c over 3 equal shares: 10 000 000 / 3 = 3 333 333 + 1/3 c each.
        // T = 10 000 000 ; Σ floors = 9 999 999 ; 1 cent left → equal remainders → smallest id "A".
        let g = arrondir_groupe(&["B", "A", "C"], &[10_000_000; 3], 3, Arrondi::DemiHaut).unwrap();
        assert_eq!(g.total, 10_000_000);
        assert_eq!(g.centimes_restants, 1);
        let verses: Vec<i64> = g.lignes.iter().map(|l| l.verse).collect();
        assert_eq!(verses, vec![3_333_333, 3_333_334, 3_333_333]);
        assert_eq!(g.lignes[1].rang_reste, 1); // A
        assert_eq!(g.lignes[0].rang_reste, 2); // B
    }

    #[test]
    fn plus_forts_restes() {
        // shares 1.6 c, 1.3 c, 2.1 c (over 10): total 5.0 c, floors 1+1+2 = 4, one cent left
        // → largest remainder 0.6 (first line) → 2, 1, 2.
        let g = arrondir_groupe(&["x", "y", "z"], &[16, 13, 21], 10, Arrondi::DemiHaut).unwrap();
        assert_eq!(
            g.lignes.iter().map(|l| l.verse).collect::<Vec<_>>(),
            vec![2, 1, 2]
        );
    }

    #[test]
    fn total_demi_haut_et_troncature() {
        // two shares of 0.25 c: exact total 0.5 c → demi-haut 1 c, troncature 0 c
        let g = arrondir_groupe(&["a", "b"], &[1, 1], 4, Arrondi::DemiHaut).unwrap();
        assert_eq!(g.total, 1);
        assert_eq!(g.lignes.iter().map(|l| l.verse).sum::<i64>(), 1);
        assert_eq!(g.lignes[0].verse, 1); // tie → "a"
        let g = arrondir_groupe(&["a", "b"], &[1, 1], 4, Arrondi::Troncature).unwrap();
        assert_eq!(g.total, 0);
        assert_eq!(g.lignes.iter().map(|l| l.verse).sum::<i64>(), 0);
    }

    #[test]
    fn octets_pour_le_departage() {
        // "Z" (0x5A) < "a" (0x61) < "é" (0xC3 0xA9) in byte order
        let g = arrondir_groupe(&["é", "a", "Z"], &[1, 1, 1], 3, Arrondi::DemiHaut).unwrap();
        assert_eq!(
            g.lignes.iter().map(|l| l.verse).collect::<Vec<_>>(),
            vec![0, 0, 1]
        );
    }

    #[test]
    fn groupe_vide_et_entrees_invalides() {
        let g = arrondir_groupe(&[], &[], 7, Arrondi::DemiHaut).unwrap();
        assert_eq!(g.total, 0);
        assert!(arrondir_groupe(&["a"], &[-1], 1, Arrondi::DemiHaut).is_err());
        assert!(arrondir_groupe(&["a"], &[1], 0, Arrondi::DemiHaut).is_err());
    }
}
