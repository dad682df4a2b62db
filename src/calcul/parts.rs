//! The share rules of a structure (R6, R7, R60, R62), each written once, as
//! `calcul::explication::formules` states them: the envelope's rate, the revaluation, the
//! lissage share and the new-units share. The distribution evaluates them for a whole group
//! at once (numerators over a common denominator, for the largest-remainder rounding); a test
//! below checks every share it keeps against these functions. `verifier` evaluates them again
//! with other values (other units, months, rate, envelope, forfait) and, where it needs the
//! values that reproduce an amount, takes them from the rule itself ([`antecedents`]), never
//! from the formula re-typed the other way round.

use crate::calcul::rationnel::{Rationnel, R};
use crate::modele::{Montant, UniteMois};

/// The lissage share of a structure (R6), `formules::S_I`: `m_eff × u_i × mo_i / 12`, exact
/// cents, at rate `taux` (cents per unit), for `u` hundredths of a unit open `mo` months.
pub fn part_lissage(taux: Rationnel, u: Rationnel, mo: i128) -> R<Rationnel> {
    taux.mul(u)?.mul(Rationnel::new(mo, UniteMois::PAR_AN)?)
}

/// The envelope's rate (R6), `formules::M`: `m = A / U`, cents per unit, for `a` cents over
/// `u` hundredths of a unit. (Solved for `U`, the same division: `U = A / m`.)
pub fn taux_enveloppe(a: Rationnel, u: Rationnel) -> R<Rationnel> {
    a.mul(Rationnel::entier(100))?.div(u)
}

/// The revalued rate (R60), `formules::M_EFF` above the floor: `m × (1 + revalorisation)`,
/// `facteur` being `1 + revalorisation`.
pub fn revaloriser(m: Rationnel, facteur: Rationnel) -> R<Rationnel> {
    m.mul(facteur)
}

/// The new-units share of a structure (R7, R62), `formules::T_I`: `forfait × n_i × mo_i /
/// 12`, times the cap's factor, exact cents, for `n` hundredths of a new unit open `mo`
/// months.
pub fn part_nouvelles(
    forfait: Montant,
    n: Rationnel,
    mo: i128,
    facteur: Rationnel,
) -> R<Rationnel> {
    Rationnel::entier(forfait.0 as i128)
        .mul(n)?
        .mul(Rationnel::new(mo, UniteMois::PAR_AN)?)?
        .mul(facteur)
}

/// The values `x` for which an amount `f(x)`, affine in `x` and increasing, lies within a cent
/// of `n` (cents): `[f⁻¹(n − 1), f⁻¹(n + 1)]`, the inverse read from `f` itself (its value at
/// 0 and its slope).
pub fn antecedents(f: impl Fn(Rationnel) -> R<Rationnel>, n: Montant) -> R<(Rationnel, Rationnel)> {
    let origine = f(Rationnel::ZERO)?;
    let pente = f(Rationnel::UN)?.sub(origine)?;
    let n = Rationnel::entier(n.0 as i128);
    let x = |y: Rationnel| y.sub(origine)?.div(pente);
    Ok((x(n.sub(Rationnel::UN)?)?, x(n.add(Rationnel::UN)?)?))
}

/// The value `x` for which `f(x)`, affine in `x`, equals `y`.
pub fn antecedent(f: impl Fn(Rationnel) -> R<Rationnel>, y: Rationnel) -> R<Rationnel> {
    let origine = f(Rationnel::ZERO)?;
    let pente = f(Rationnel::UN)?.sub(origine)?;
    y.sub(origine)?.div(pente)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostics;
    use crate::generation::{generer, Parametres};

    /// Every lissage and new-units share the distribution kept (computed group by group as
    /// numerators over a common denominator) equals the rule evaluated alone for the
    /// structure, on generated dossiers (floors, caps, part-year openings, CTRE…).
    #[test]
    fn parts_du_calcul_egales_aux_regles() {
        let mut vues = (0, 0);
        for graine in 1..4 {
            let p = Parametres {
                collectivites: 40,
                structures: 800,
                graine,
                dossiers: Some(2),
            };
            for d in generer(&p).unwrap() {
                let mut diags = Diagnostics::default();
                let lu = crate::lecture::analyser_dossier(&d.fichiers, &mut diags).unwrap();
                let b = lu
                    .bareme
                    .pour_exercice(lu.dossier.convention.exercice, "bareme.toml");
                let Ok(b) = b else { continue };
                let Ok(r) = crate::calcul::calculer(&lu.dossier, &b) else {
                    continue;
                };
                for l in &r.structures {
                    let Some(v) = l.eligibilite.volet_eligible() else {
                        continue;
                    };
                    let g = r.groupe(&l.structure.collectivite, v).unwrap();
                    if let (Some(a), Some(t)) = (&l.lissage, g.taux_effectif) {
                        let um = Rationnel::entier(l.unites_mois.existantes as i128);
                        assert_eq!(a.exacte, part_lissage(t.0, um, 1).unwrap());
                        vues.0 += 1;
                    }
                    if let Some(a) = &l.nouvelles {
                        let nm = Rationnel::entier(l.unites_mois.nouvelles as i128);
                        let f = g.facteur_plafond.unwrap_or(Rationnel::UN);
                        assert_eq!(a.exacte, part_nouvelles(l.forfait, nm, 1, f).unwrap());
                        vues.1 += 1;
                    }
                }
            }
        }
        assert!(vues.0 > 1000 && vues.1 > 100, "{vues:?}");
    }

    #[test]
    fn regles_et_antecedents() {
        let r = |n, d| Rationnel::new(n, d).unwrap();
        // 12,50 € per unit × 40 units × 9 months / 12 = 375 € (37 500 cents)
        let e = Rationnel::entier;
        assert_eq!(part_lissage(r(1250, 1), e(4000), 9).unwrap(), e(37_500));
        // 3 000 € × 2 places × 6 months / 12 × 1/2 (cap) = 1 500 € (150 000 cents)
        assert_eq!(
            part_nouvelles(Montant(300_000), e(200), 6, r(1, 2)).unwrap(),
            e(150_000)
        );
        // 30 000 € over 24 units: 1 250 € per unit (125 000 cents); revalued by 2 %: 1 275 €
        assert_eq!(taux_enveloppe(e(3_000_000), e(2400)).unwrap(), e(125_000));
        assert_eq!(revaloriser(e(125_000), r(102, 100)).unwrap(), e(127_500));
        // rates giving 37 500 ± 1 cent on 40 units × 9 months: (37 500 ∓ 1) × 1 200 / 36 000
        // = 1 249,9667 … 1 250,0333 cents per unit
        let (lo, hi) = antecedents(|t| part_lissage(t, e(4000), 9), Montant(37_500)).unwrap();
        assert_eq!((lo, hi), (r(37_499, 30), r(37_501, 30)));
        // with a fixed part of 100 cents: 37 600 is reached at 12,50 € per unit again
        let f = |t| part_lissage(t, e(4000), 9)?.add(e(100));
        assert_eq!(
            antecedent(f, Rationnel::entier(37_600)).unwrap(),
            r(1250, 1)
        );
    }
}
