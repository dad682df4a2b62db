//! The shortcuts of the exact arithmetic (64-bit divisions, same denominators, GCD with
//! the common factor only, no reduction of a cross-reduced product) against the general
//! 128-bit methods, on random operands with edge values: the same fraction, or the same
//! error.
use super::*;
use proptest::prelude::*;

/// Integers of every size, edge values often.
fn entier() -> impl Strategy<Value = i128> {
    prop_oneof![
        -1_000i128..1_000,
        any::<i32>().prop_map(i128::from),
        any::<i64>().prop_map(i128::from),
        any::<u64>().prop_map(i128::from),
        any::<i128>(),
        any::<i128>().prop_map(|x| x >> 40),
        prop::sample::select(vec![
            0,
            1,
            -1,
            12,
            1_200,
            i64::MAX as i128,
            i64::MIN as i128,
            i64::MAX as i128 + 1,
            i64::MIN as i128 - 1,
            u64::MAX as i128,
            -(u64::MAX as i128),
            u64::MAX as i128 + 1,
            i128::MAX,
            i128::MIN,
            i128::MIN + 1,
            i128::MAX / 2,
            1 << 100,
        ]),
    ]
}

/// A reduced fraction built by the general method (denominators up to 2^127 − 1).
fn rationnel() -> impl Strategy<Value = Rationnel> {
    (
        entier(),
        entier(),
        prop::sample::select(vec![1i128, 1, 2, 12, 1_200, 7]),
    )
        .prop_filter_map("dénominateur nul ou dépassement", |(n, d, k)| {
            // often a common factor with usual denominators (1 200, 12)
            let d = if d == 0 { k } else { d };
            let d = d.checked_mul(k).unwrap_or(d);
            Rationnel::new_general(n, d).ok()
        })
}

fn arrondi_general(r: &Rationnel) -> i128 {
    let q = r.num / r.den;
    let reste = (r.num % r.den).abs();
    if reste >= r.den - reste && reste != 0 {
        if r.num < 0 {
            q - 1
        } else {
            q + 1
        }
    } else {
        q
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn new_comme_general(n in entier(), d in entier()) {
        prop_assert_eq!(Rationnel::new(n, d), Rationnel::new_general(n, d));
    }

    #[test]
    fn add_sub_comme_general(a in rationnel(), b in rationnel()) {
        prop_assert_eq!(a.add(b), a.add_general(b));
        prop_assert_eq!(b.add(a), b.add_general(a));
        prop_assert_eq!(a.add(a), a.add_general(a));
        // sub: the general sum with the opposite (−i128::MIN overflows in both)
        let oppose = |x: Rationnel| x.num.checked_neg().ok_or(Depassement)
            .and_then(|n| Rationnel::new_general(n, x.den));
        prop_assert_eq!(a.sub(b), oppose(b).and_then(|mb| a.add_general(mb)));
        let e = Rationnel::entier(b.num);
        prop_assert_eq!(a.add(e), a.add_general(e));
        prop_assert_eq!(e.sub(a), oppose(a).and_then(|ma| e.add_general(ma)));
    }

    #[test]
    fn mul_comme_general(a in rationnel(), b in rationnel()) {
        prop_assert_eq!(a.mul(b), a.mul_general(b));
        prop_assert_eq!(a.mul(Rationnel::ZERO), a.mul_general(Rationnel::ZERO));
        prop_assert_eq!(a.mul(Rationnel::entier(b.num)), a.mul_general(Rationnel::entier(b.num)));
    }

    #[test]
    fn arrondis_comme_general(a in rationnel(), k in -10_000i128..10_000) {
        prop_assert_eq!(a.arrondi_demi_haut(), arrondi_general(&a));
        prop_assert_eq!(a.troncature(), a.num / a.den);
        if let Ok(m) = Rationnel::new_general(a.num.wrapping_mul(k) / 7, a.den) {
            prop_assert_eq!(m.arrondi_demi_haut(), arrondi_general(&m));
        }
    }

    #[test]
    fn division_positive_comme_general(n in entier(), d in entier()) {
        let (n, d) = (n.saturating_abs(), d.saturating_abs().max(1));
        prop_assert_eq!(division_positive(n, d), (n / d, n % d));
        prop_assert_eq!(Ok(part_reduite(n, d, n % d)), Rationnel::new_general(n, d));
    }

    #[test]
    fn pgcd_comme_euclide(a in entier(), b in entier()) {
        let (mut x, mut y) = (a.unsigned_abs(), b.unsigned_abs());
        while y != 0 {
            (x, y) = (y, x % y);
        }
        prop_assert_eq!(pgcd(a, b), x as i128);
    }
}

/// Edge cases named: the sum of opposite values is 0/1; an overflow is still reported
/// by the shortcut of equal denominators and by the general path.
#[test]
fn cas_limites() {
    let r = |n, d| Rationnel::new(n, d).unwrap();
    assert_eq!(r(1, 3).add(r(-1, 3)).unwrap(), Rationnel::ZERO);
    assert_eq!(r(1, 6).add(r(-1, 6)).unwrap().den(), 1);
    assert_eq!(r(5, 12).add(r(-1, 12)).unwrap(), r(1, 3));
    assert_eq!(r(1, 6).add(r(1, 10)).unwrap(), r(4, 15));
    assert_eq!(r(i128::MAX, 3).add(r(1, 3)), Err(Depassement));
    assert_eq!(r(i128::MAX, 3).add(r(1, 5)), Err(Depassement));
    assert_eq!(r(i128::MIN + 1, 1).sub(r(2, 1)), Err(Depassement));
    assert_eq!(r(-7, 1).arrondi_demi_haut(), -7);
    assert_eq!(r(-15, 2).arrondi_demi_haut(), -8);
    assert_eq!(r(i128::MIN + 1, 2).arrondi_demi_haut(), i128::MIN / 2);
}
