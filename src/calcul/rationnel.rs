//! Exact rationals over `i128`, used for every share before rounding (R9).
//!
//! All operations are checked: an overflow is reported as [`Depassement`], never a panic.
//! A broken invariant (a bug, not the data) is [`Invariant`].

use crate::diagnostic::Code;
use std::cmp::Ordering;
use std::fmt;

mod ecriture;
#[cfg(test)]
mod tests_rapides;

pub use ecriture::{ecrire_echelle, format_echelle};

/// Why a calculation stopped (reported to the user, never a panic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErreurCalcul {
    /// Arithmetic overflow in the exact calculation: a data problem (amounts or units far
    /// beyond any real convention), E023.
    Depassement,
    /// A property the earlier steps guarantee does not hold (validation skipped a case, a
    /// step lost a value): a bug of the program, E160. The text says which property.
    Invariant(&'static str),
}

pub use ErreurCalcul::{Depassement, Invariant};

impl ErreurCalcul {
    /// The stable code (docs/erreurs.md).
    pub fn code(&self) -> crate::diagnostic::Code {
        match self {
            Depassement => Code::E023,
            Invariant(_) => Code::E160,
        }
    }
    /// What the user can do.
    pub fn conseil(&self) -> &'static str {
        match self {
            Depassement => "vérifiez les ordres de grandeur des montants et des unités",
            Invariant(_) => {
                "ce n'est pas une erreur de vos données : joignez à votre signalement le dossier qui la produit"
            }
        }
    }
    /// The located diagnostic (`fichier`: the dossier or the step concerned).
    pub fn diagnostic(&self, fichier: &str) -> crate::diagnostic::Diagnostic {
        crate::diagnostic::Diagnostic::erreur(self.code(), fichier, self.to_string())
            .conseil(self.conseil())
    }
}

impl fmt::Display for ErreurCalcul {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Depassement => f.write_str(
                "dépassement de capacité du calcul exact (montants ou unités trop grands)",
            ),
            Invariant(quoi) => write!(f, "erreur interne du calcul, merci de la signaler : {quoi}"),
        }
    }
}

pub type R<T> = Result<T, ErreurCalcul>;

/// A reduced fraction `num / den` with `den > 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rationnel {
    num: i128,
    den: i128,
}

/// Greatest common divisor of `|a|` and `|b|` (binary GCD: shifts and subtractions, no
/// 128-bit division; on 64 bits when both fit, the usual case). `pgcd(0, 0) = 0`.
fn pgcd(a: i128, b: i128) -> i128 {
    let (a, b) = (a.unsigned_abs(), b.unsigned_abs());
    let g = match (u64::try_from(a), u64::try_from(b)) {
        (Ok(x), Ok(y)) => pgcd_u64(x, y) as u128,
        _ => pgcd_u128(a, b),
    };
    // g ≤ max(|a|, |b|) ≤ 2^127; only g = 2^127 (a, b ∈ {0, i128::MIN}) wraps, to a negative
    // value that the callers treat as "no reduction"
    g as i128
}

fn pgcd_u64(mut a: u64, mut b: u64) -> u64 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    // one Euclidean step when one number is far larger (a share's numerator against its
    // denominator): one division instead of a subtraction-and-shift per bit of difference
    if a >> 8 > b {
        a %= b;
        if a == 0 {
            return b;
        }
    } else if b >> 8 > a {
        b %= a;
        if b == 0 {
            return a;
        }
    }
    let k = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << k;
        }
    }
}

fn pgcd_u128(mut a: u128, mut b: u128) -> u128 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let k = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << k;
        }
        if let (Ok(x), Ok(y)) = (u64::try_from(a), u64::try_from(b)) {
            return (pgcd_u64(x, y) as u128) << k;
        }
    }
}

/// `n / g` truncated toward zero, for `g > 0`: on 64 bits when both fit (the usual case; a
/// 128-bit division is a call to a software routine, ten times slower).
#[inline]
fn quotient(n: i128, g: i128) -> i128 {
    debug_assert!(g > 0);
    match (u64::try_from(n.unsigned_abs()), u64::try_from(g)) {
        (Ok(a), Ok(b)) => {
            let q = (a / b) as i128;
            if n < 0 {
                -q
            } else {
                q
            }
        }
        _ => n / g,
    }
}

/// `(n / d, n % d)` truncated toward zero (the remainder has the sign of `n`), for `d > 0`:
/// on 64 bits when both fit.
#[inline]
fn quotient_reste(n: i128, d: i128) -> (i128, i128) {
    debug_assert!(d > 0);
    match (u64::try_from(n.unsigned_abs()), u64::try_from(d)) {
        (Ok(a), Ok(b)) => {
            let (q, r) = ((a / b) as i128, (a % b) as i128);
            if n < 0 {
                (-q, -r)
            } else {
                (q, r)
            }
        }
        _ => (n / d, n % d),
    }
}

/// `n / d` reduced, for `n ≥ 0` and `d > 0` whose remainder `reste = n mod d` is known (a
/// share in a group, R9): `gcd(n, d) = gcd(n mod d, d)`, a GCD of smaller numbers. The
/// same fraction as [`Rationnel::new`].
pub(crate) fn part_reduite(n: i128, d: i128, reste: i128) -> Rationnel {
    debug_assert!(n >= 0 && d > 0 && reste == n % d);
    let g = pgcd(reste, d); // 0 < g ≤ d (d > 0)
    if g > 1 {
        Rationnel {
            num: quotient(n, g),
            den: quotient(d, g),
        }
    } else {
        Rationnel { num: n, den: d }
    }
}

/// `(n / d, n % d)` for `n ≥ 0` and `d > 0` (quotient and remainder of a share in a group,
/// R9), on 64 bits when both fit.
#[inline]
pub(crate) fn division_positive(n: i128, d: i128) -> (i128, i128) {
    debug_assert!(n >= 0 && d > 0);
    quotient_reste(n, d)
}

// Checked operations return `Result` (overflow is reported, never a panic), so they cannot be
// the std operator traits.
#[allow(clippy::should_implement_trait)]
impl Rationnel {
    pub const ZERO: Rationnel = Rationnel { num: 0, den: 1 };
    pub const UN: Rationnel = Rationnel { num: 1, den: 1 };

    /// `num / den`, reduced. `den == 0` is an overflow (division by zero never reaches here
    /// from valid data; callers check `U = 0` first).
    pub fn new(num: i128, den: i128) -> R<Self> {
        if den == 0 {
            return Err(Invariant("division par zéro dans le calcul exact"));
        }
        let (mut n, mut d) = (num, den);
        if d < 0 {
            n = n.checked_neg().ok_or(Depassement)?;
            d = d.checked_neg().ok_or(Depassement)?;
        }
        let g = pgcd(n, d);
        if g > 1 {
            n = quotient(n, g);
            d = quotient(d, g);
        }
        Ok(Rationnel { num: n, den: d })
    }

    pub fn entier(n: i128) -> Self {
        Rationnel { num: n, den: 1 }
    }

    pub fn num(&self) -> i128 {
        self.num
    }
    pub fn den(&self) -> i128 {
        self.den
    }

    pub fn est_zero(&self) -> bool {
        self.num == 0
    }

    pub fn mul(self, o: Self) -> R<Self> {
        // cross-reduce first to keep the numbers small
        let g1 = pgcd(self.num, o.den).max(1);
        let g2 = pgcd(o.num, self.den).max(1);
        let n = quotient(self.num, g1)
            .checked_mul(quotient(o.num, g2))
            .ok_or(Depassement)?;
        let d = quotient(self.den, g2)
            .checked_mul(quotient(o.den, g1))
            .ok_or(Depassement)?;
        // both operands reduced and cross-reduced: the product is reduced already (and a
        // zero operand gives 0/1), no third GCD
        Ok(Rationnel { num: n, den: d })
    }

    /// The product by the general method (cross-reduction, then a reduction of the result):
    /// the reference of the tests.
    #[cfg(test)]
    fn mul_general(self, o: Self) -> R<Self> {
        let g1 = pgcd(self.num, o.den).max(1);
        let g2 = pgcd(o.num, self.den).max(1);
        let n = (self.num / g1).checked_mul(o.num / g2).ok_or(Depassement)?;
        let d = (self.den / g2).checked_mul(o.den / g1).ok_or(Depassement)?;
        Rationnel::new_general(n, d)
    }

    pub fn div(self, o: Self) -> R<Self> {
        if o.num == 0 {
            return Err(Invariant("division par zéro dans le calcul exact"));
        }
        self.mul(Rationnel::new(o.den, o.num)?)
    }

    /// The sum, reduced. Both operands are reduced (every constructor reduces), which gives
    /// the shortcuts below (Knuth, TAOCP vol. 2, 4.5.1); the overflow checks are those of
    /// [`Rationnel::add_general`], so an overflow is reported exactly when it reports one.
    pub fn add(self, o: Self) -> R<Self> {
        if self.den == o.den {
            // same denominator: the numerators added, one reduction
            let n = self.num.checked_add(o.num).ok_or(Depassement)?;
            return Rationnel::new(n, self.den);
        }
        if o.num == 0 {
            // x + 0 = x (the general path cannot overflow here either: d = self.den)
            return Ok(self);
        }
        if self.num == 0 {
            return Ok(o);
        }
        // an integer and a fraction: coprime denominators, no GCD to look for
        let g = if self.den == 1 || o.den == 1 {
            1
        } else {
            pgcd(self.den, o.den).max(1)
        };
        let d = quotient(self.den, g)
            .checked_mul(o.den)
            .ok_or(Depassement)?;
        let a = self
            .num
            .checked_mul(quotient(o.den, g))
            .ok_or(Depassement)?;
        let b = o
            .num
            .checked_mul(quotient(self.den, g))
            .ok_or(Depassement)?;
        let t = a.checked_add(b).ok_or(Depassement)?;
        if t == 0 {
            return Ok(Rationnel::ZERO);
        }
        // with b' = b/g and d' = d/g, t = a·d' + c·b' is prime to b' and to d' (the operands
        // are reduced): gcd(t, b'·d'·g) = gcd(t, g), a GCD with the small common factor only
        // (none at all when the denominators are coprime, e.g. an integer plus a fraction)
        let h = if g > 1 { pgcd(t, g) } else { 1 };
        if h > 1 {
            Ok(Rationnel {
                num: quotient(t, h),
                den: quotient(d, h),
            })
        } else {
            Ok(Rationnel { num: t, den: d })
        }
    }

    /// The sum by the general method (common denominator, then one reduction by the GCD of
    /// the whole fraction): the reference the shortcuts of [`Rationnel::add`] are tested
    /// against.
    #[cfg(test)]
    fn add_general(self, o: Self) -> R<Self> {
        let g = pgcd(self.den, o.den).max(1);
        let d = (self.den / g).checked_mul(o.den).ok_or(Depassement)?;
        let a = self.num.checked_mul(o.den / g).ok_or(Depassement)?;
        let b = o.num.checked_mul(self.den / g).ok_or(Depassement)?;
        Rationnel::new_general(a.checked_add(b).ok_or(Depassement)?, d)
    }

    /// [`Rationnel::new`] with 128-bit divisions only: the reference of the tests.
    #[cfg(test)]
    fn new_general(num: i128, den: i128) -> R<Self> {
        if den == 0 {
            return Err(Invariant("division par zéro dans le calcul exact"));
        }
        let (mut n, mut d) = (num, den);
        if d < 0 {
            n = n.checked_neg().ok_or(Depassement)?;
            d = d.checked_neg().ok_or(Depassement)?;
        }
        let g = pgcd(n, d);
        if g > 1 {
            n /= g;
            d /= g;
        }
        Ok(Rationnel { num: n, den: d })
    }

    pub fn sub(self, o: Self) -> R<Self> {
        self.add(Rationnel {
            num: o.num.checked_neg().ok_or(Depassement)?,
            den: o.den,
        })
    }

    pub fn max(self, o: Self) -> Self {
        if self.cmp(&o) == Ordering::Less {
            o
        } else {
            self
        }
    }

    /// Rounded to an integer, half away from zero.
    pub fn arrondi_demi_haut(&self) -> i128 {
        let (q, r) = quotient_reste(self.num, self.den); // q truncated toward zero
        let r = r.abs();
        // compare 2r with den without overflow: r >= den - r
        if r >= self.den - r && r != 0 {
            if self.num < 0 {
                q - 1
            } else {
                q + 1
            }
        } else {
            q
        }
    }

    /// `self × k` rounded half away from zero, the fraction not reduced first (`None` on
    /// overflow): the same integer as `self.mul(Rationnel::entier(k))?.arrondi_demi_haut()`
    /// (the rounding depends on the value only), without its two GCDs.
    pub fn fois_arrondi(&self, k: i128) -> Option<i128> {
        let num = self.num.checked_mul(k)?;
        Some(Rationnel { num, den: self.den }.arrondi_demi_haut())
    }

    /// Truncated toward zero.
    pub fn troncature(&self) -> i128 {
        quotient(self.num, self.den)
    }

    /// Largest integer ≤ self.
    pub fn plancher(&self) -> i128 {
        self.num.div_euclid(self.den)
    }

    /// Value scaled by `10^echelle`, rounded half away from zero, as a decimal string with
    /// `echelle` digits after the point (display only: e.g. `taux_unitaire`, `ecart_arrondi`).
    pub fn decimal_arrondi(&self, echelle: u32) -> R<String> {
        let p = 10i128.checked_pow(echelle).ok_or(Depassement)?;
        let v = self.mul(Rationnel::entier(p))?.arrondi_demi_haut();
        Ok(format_echelle(v, echelle))
    }
}

impl Ord for Rationnel {
    fn cmp(&self, o: &Self) -> Ordering {
        // a/b vs c/d  <=>  a*d vs c*b (b, d > 0); fall back to floor comparison on overflow
        match (self.num.checked_mul(o.den), o.num.checked_mul(self.den)) {
            (Some(x), Some(y)) => x.cmp(&y),
            _ => {
                let (fa, fb) = (self.plancher(), o.plancher());
                if fa != fb {
                    return fa.cmp(&fb);
                }
                let ra = Rationnel {
                    num: self.num - fa * self.den,
                    den: self.den,
                };
                let rb = Rationnel {
                    num: o.num - fb * o.den,
                    den: o.den,
                };
                // compare fractional parts inverted: ra < rb  <=>  1/ra > 1/rb
                match (ra.num == 0, rb.num == 0) {
                    (true, true) => Ordering::Equal,
                    (true, false) => Ordering::Less,
                    (false, true) => Ordering::Greater,
                    _ => Rationnel {
                        num: rb.den,
                        den: rb.num,
                    }
                    .cmp(&Rationnel {
                        num: ra.den,
                        den: ra.num,
                    }),
                }
            }
        }
    }
}
impl PartialOrd for Rationnel {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}

impl fmt::Display for Rationnel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fois_arrondi(k)` is the rounding of `self × k` as `mul` then `arrondi_demi_haut`
    /// compute it, halves and negative values included (1/200 × 100 = 0,5 → 1; −1/200 →
    /// −1; 1/300 × 100 = 0,33… → 0), and `None` only on overflow.
    #[test]
    fn fois_arrondi_comme_mul_puis_arrondi() {
        assert_eq!(Rationnel::new(1, 200).unwrap().fois_arrondi(100), Some(1));
        assert_eq!(Rationnel::new(-1, 200).unwrap().fois_arrondi(100), Some(-1));
        assert_eq!(Rationnel::new(1, 300).unwrap().fois_arrondi(100), Some(0));
        for num in -2_000i128..=2_000 {
            for den in [1i128, 2, 3, 7, 8, 12, 200, 1_200, 392_720, 3_600_000] {
                let r = Rationnel::new(num * 37, den).unwrap();
                for k in [1i128, 100, 10_000] {
                    let attendu = r.mul(Rationnel::entier(k)).unwrap().arrondi_demi_haut();
                    assert_eq!(r.fois_arrondi(k), Some(attendu), "{r} × {k}");
                }
            }
        }
        assert_eq!(Rationnel::entier(i128::MAX / 10).fois_arrondi(100), None);
    }

    fn r(n: i128, d: i128) -> Rationnel {
        Rationnel::new(n, d).unwrap()
    }

    /// Overflow is a data problem (E023, "vérifiez les ordres de grandeur"); a division by
    /// zero or a negative share in a group is a bug (E160, "merci de la signaler").
    #[test]
    fn depassement_et_invariant_distincts() {
        let e = r(i128::MAX, 1).add(r(1, 1)).unwrap_err();
        assert_eq!(e, Depassement);
        assert_eq!(e.code(), Code::E023);
        assert!(e.conseil().contains("ordres de grandeur"));
        let e = Rationnel::new(1, 0).unwrap_err();
        assert!(matches!(e, Invariant(_)));
        assert_eq!(e.code(), Code::E160);
        assert!(e
            .to_string()
            .starts_with("erreur interne du calcul, merci de la signaler"));
        assert!(matches!(r(1, 2).div(Rationnel::ZERO), Err(Invariant(_))));
        let e = crate::calcul::repartition::arrondir_groupe(
            &["a"],
            &[-1],
            1,
            crate::bareme::Arrondi::DemiHaut,
        )
        .unwrap_err();
        assert_eq!(e.code(), Code::E160);
        let d = e.diagnostic("dossier");
        assert_eq!(d.code, Code::E160);
        assert_eq!(
            crate::modele::Montant(i64::MAX).plus(crate::modele::Montant(1)),
            Err(Depassement)
        );
    }

    #[test]
    fn reduction_et_signe() {
        assert_eq!(r(6, -4), r(-3, 2));
        assert_eq!(r(6, -4).num(), -3);
        assert_eq!(r(6, -4).den(), 2);
        assert!(Rationnel::new(1, 0).is_err());
    }

    #[test]
    fn operations() {
        // 1/3 + 1/6 = 1/2 ; 1/2 × 2/3 = 1/3 ; (1/3) / (2/9) = 3/2 ; 1/2 − 1/3 = 1/6
        assert_eq!(r(1, 3).add(r(1, 6)).unwrap(), r(1, 2));
        assert_eq!(r(1, 2).mul(r(2, 3)).unwrap(), r(1, 3));
        assert_eq!(r(1, 3).div(r(2, 9)).unwrap(), r(3, 2));
        assert_eq!(r(1, 2).sub(r(1, 3)).unwrap(), r(1, 6));
        assert!(r(1, 2).div(Rationnel::ZERO).is_err());
    }

    #[test]
    fn arrondis() {
        // 5/2 = 2.5 → 3 (demi-haut), 2 (troncature) ; −5/2 → −3 ; 7/3 = 2.33 → 2 ; 8/3 = 2.67 → 3
        assert_eq!(r(5, 2).arrondi_demi_haut(), 3);
        assert_eq!(r(5, 2).troncature(), 2);
        assert_eq!(r(-5, 2).arrondi_demi_haut(), -3);
        assert_eq!(r(-5, 2).plancher(), -3);
        assert_eq!(r(-5, 2).troncature(), -2);
        assert_eq!(r(7, 3).arrondi_demi_haut(), 2);
        assert_eq!(r(8, 3).arrondi_demi_haut(), 3);
        // 1/3 € in cents shown to 4 decimals: 0.3333 ; 2/3 → 0.6667 ; −1/8 → −0.1250
        assert_eq!(r(1, 3).decimal_arrondi(4).unwrap(), "0.3333");
        assert_eq!(r(2, 3).decimal_arrondi(4).unwrap(), "0.6667");
        assert_eq!(r(-1, 8).decimal_arrondi(4).unwrap(), "-0.1250");
    }

    #[test]
    fn depassement_signale() {
        let grand = r(i128::MAX / 2, 1);
        assert!(grand.mul(r(4, 1)).is_err());
        assert!(grand.add(grand).is_ok());
        assert!(grand.add(grand).unwrap().add(grand).is_err());
    }

    #[test]
    fn pgcd_binaire() {
        // 84 = 2²·3·7, 36 = 2²·3² → 12 ; 2^70·3 and 2^65·9 → 2^65·3 (128-bit path)
        assert_eq!(pgcd(84, -36), 12);
        assert_eq!(pgcd(0, 7), 7);
        assert_eq!(pgcd(7, 0), 7);
        assert_eq!(pgcd(0, 0), 0);
        assert_eq!(
            pgcd((1i128 << 70) * 3, (1i128 << 65) * 9),
            (1i128 << 65) * 3
        );
        // large values: checked against the Euclidean algorithm (the previous implementation)
        let euclide = |mut a: i128, mut b: i128| {
            a = a.abs();
            b = b.abs();
            while b != 0 {
                let r = a % b;
                a = b;
                b = r;
            }
            a
        };
        for (a, b) in [
            (10i128.pow(30) + 1, 10i128.pow(20) + 1),
            (123_456_789_012_345_678_901_234, 987_654_321_098_765_432),
            (i128::MAX, 3 * 7 * 127),
            (1 << 100, (1 << 90) + (1 << 40)),
        ] {
            assert_eq!(pgcd(a, b), euclide(a, b), "{a} {b}");
        }
        assert_eq!(format_echelle(-1250, 4), "-0.1250");
        assert_eq!(format_echelle(123456, 2), "1234.56");
        assert_eq!(format_echelle(7, 0), "7");
        assert_eq!(format_echelle(0, 2), "0.00");
        assert_eq!(format_echelle(-5, 2), "-0.05");
        assert_eq!(
            format_echelle(i64::MAX as i128 + 1, 2),
            "92233720368547758.08"
        );
        assert_eq!(
            format_echelle(u64::MAX as i128, 19),
            "1.8446744073709551615"
        );
        assert_eq!(format_echelle(1, 20), "0.00000000000000000001");
        assert_eq!(
            format_echelle(i128::MAX, 2),
            "1701411834604692317316873037158841057.27"
        );
        assert_eq!(format_echelle(-(1i128 << 70), 0), "-1180591620717411303424");
    }

    #[test]
    fn comparaison_sans_debordement() {
        let a = r(i128::MAX / 3, 7);
        let b = r(i128::MAX / 3 - 1, 7);
        assert!(a > b);
        assert!(r(1, 3) < r(1, 2));
        assert_eq!(r(2, 4).cmp(&r(1, 2)), Ordering::Equal);
    }
}
