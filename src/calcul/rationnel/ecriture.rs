//! Scaled integers written as decimal text (`-123.4500`): every figure of every output.

/// Integer `v` scaled by `10^echelle` written as ASCII at the end of `sortie`
/// (`-123.4500`, `separateur` before the `echelle` decimals, zeros kept): without any
/// allocation, for every figure of every output row. Every amount of real data fits in 64
/// bits: its digits are written two at a time into a buffer on the stack, copied once;
/// beyond 64 bits or 19 decimals, by `itoa` (the integer writer of `serde_json`) on 128 bits.
pub fn ecrire_echelle(sortie: &mut Vec<u8>, v: i128, echelle: u32, separateur: u8) {
    let (Ok(mut x), true) = (u64::try_from(v.unsigned_abs()), echelle <= 19) else {
        return ecrire_echelle_128(sortie, v, echelle, separateur);
    };
    // at most 20 digits, a separator and a sign, written backwards to end at `FIN`; the
    // buffer's second half only lets the copy below take a fixed `FIN` bytes from `i`
    const FIN: usize = 24;
    let mut buf = [0u8; 2 * FIN];
    let mut i = FIN;
    let mut decimales = echelle as usize;
    while decimales >= 2 {
        let d = (x % 100) as usize * 2;
        x /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DEUX_CHIFFRES[d..d + 2]);
        decimales -= 2;
    }
    if decimales == 1 {
        i -= 1;
        buf[i] = b'0' + (x % 10) as u8;
        x /= 10;
    }
    if echelle > 0 {
        i -= 1;
        buf[i] = separateur;
    }
    // the integer part, at least one digit
    while x >= 100 {
        let d = (x % 100) as usize * 2;
        x /= 100;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DEUX_CHIFFRES[d..d + 2]);
    }
    if x >= 10 {
        let d = x as usize * 2;
        i -= 2;
        buf[i..i + 2].copy_from_slice(&DEUX_CHIFFRES[d..d + 2]);
    } else {
        i -= 1;
        buf[i] = b'0' + x as u8;
    }
    if v < 0 {
        i -= 1;
        buf[i] = b'-';
    }
    // a fixed-size copy (a few moves), not a call to `memcpy` for a few bytes: `FIN` bytes
    // appended, then the length cut back to the digits' own
    let fin = sortie.len() + (FIN - i);
    sortie.extend_from_slice(&buf[i..i + FIN]);
    sortie.truncate(fin);
}

/// `00` to `99`: the two digits of `n` at `2n`.
const DEUX_CHIFFRES: &[u8; 200] = b"\
    0001020304050607080910111213141516171819\
    2021222324252627282930313233343536373839\
    4041424344454647484950515253545556575859\
    6061626364656667686970717273747576777879\
    8081828384858687888990919293949596979899";

/// [`ecrire_echelle`] beyond 64 bits or 19 decimals.
fn ecrire_echelle_128(sortie: &mut Vec<u8>, v: i128, echelle: u32, separateur: u8) {
    if v < 0 {
        sortie.push(b'-');
    }
    let a = v.unsigned_abs();
    let (entiers, decimales) = match 10u128.checked_pow(echelle) {
        Some(p) => (a / p, a % p),
        // more than 38 decimals: every digit of `a` is a decimal
        None => (0, a),
    };
    let mut chiffres = itoa::Buffer::new();
    sortie.extend_from_slice(chiffres.format(entiers).as_bytes());
    if echelle > 0 {
        sortie.push(separateur);
        let d = chiffres.format(decimales).as_bytes();
        // zeros before the decimals (`5` hundredths: `05`)
        let zeros = (echelle as usize).saturating_sub(d.len());
        sortie.resize(sortie.len() + zeros, b'0');
        sortie.extend_from_slice(d);
    }
}

/// Writes integer `v` scaled by `10^echelle` as `-123.4500` ([`ecrire_echelle`]).
pub fn format_echelle(v: i128, echelle: u32) -> String {
    let mut o = Vec::with_capacity(48);
    ecrire_echelle(&mut o, v, echelle, b'.');
    // ASCII digits, '.' and '-' only
    o.into_iter().map(char::from).collect()
}
