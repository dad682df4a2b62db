//! A one-line record read in place: its fields cut out of the line where they are, without
//! the field-by-field reader, when its quotes (if any) only wrap whole fields — exactly the
//! fields the csv reader would give.

use super::*;

/// How a record's line read in place turned out.
pub(super) enum EnPlace {
    Lu(Lu),
    TropGros,
    /// Not a simple record: to be read by the reader.
    AuLecteur,
}

/// Reads a one-line record in place ([`champs_simples`]).
pub(super) fn champs_en_place(forme: &Forme, texte: &str, lignes: &mut Lignes) -> EnPlace {
    let largeur = forme.largeur;
    let (mut n, mut vide, mut trop_gros) = (0usize, true, false);
    let simple = champs_simples(texte, forme.delimiteur, |texte| {
        // as for a field of the reader: kept fields count when not blank, the others
        // when they hold anything but ASCII whitespace
        // (a record is no longer blank once one field is not: the rest are not tested)
        if vide
            && if n < largeur {
                !texte::blanc(texte)
            } else {
                texte.bytes().any(|b| !b.is_ascii_whitespace())
            }
        {
            vide = false;
        }
        if n < largeur && !lignes.champ(texte) {
            trop_gros = true;
            return false;
        }
        n += 1;
        true
    });
    if trop_gros {
        EnPlace::TropGros
    } else if simple {
        EnPlace::Lu(Lu {
            n,
            vide,
            erreur_guillemet: false,
        })
    } else {
        EnPlace::AuLecteur
    }
}

/// Splits a one-line record whose quotes, if any, only wrap whole fields (`"a, b"` between
/// two delimiters, no quote inside) into the fields the csv reader would give, handing
/// each to `champ` (which returns `false` to stop). `false` for any other record (some
/// fields may have been handed: the caller drops them and reads the record with the
/// reader).
fn champs_simples(ligne: &str, d: u8, mut champ: impl FnMut(&str) -> bool) -> bool {
    let o = ligne.as_bytes();
    let mut i = 0;
    loop {
        if o.get(i) == Some(&b'"') {
            let Some(fin) = premier(o, i + 1, b'"', b'"') else {
                return false; // closed on a later line, or never
            };
            let Some(texte) = ligne.get(i + 1..fin) else {
                return false;
            };
            match o.get(fin + 1) {
                None => return champ(texte),
                Some(&b) if b == d => {
                    if !champ(texte) {
                        return false;
                    }
                    i = fin + 2;
                    continue;
                }
                // text after the closing quote, or a doubled quote
                Some(_) => return false,
            }
        }
        // up to the next delimiter; a quote before it: not a simple record
        let k = premier(o, i, d, b'"').unwrap_or(o.len());
        if o.get(k) == Some(&b'"') {
            return false;
        }
        let Some(texte) = ligne.get(i..k) else {
            return false;
        };
        if !champ(texte) {
            return false;
        }
        if k >= o.len() {
            return true;
        }
        i = k + 1;
    }
}

/// The first position from `depuis` of a byte `a` or `b` in `o`, eight bytes at a time
/// (fields are short: a call of `memchr` per field cost more than the search itself).
/// In each word, `(x - 0x01…01) & !x & 0x80…80` has its lowest bit set in the first zero
/// byte of `x` exactly (a borrow only spoils the bytes above it): the first byte equal to
/// `a` or `b` is the lowest of the two words' bits.
pub(super) fn premier(o: &[u8], depuis: usize, a: u8, b: u8) -> Option<usize> {
    const UNS: u64 = 0x0101_0101_0101_0101;
    const HAUTS: u64 = 0x8080_8080_8080_8080;
    let (ma, mb) = (UNS * a as u64, UNS * b as u64);
    let mut i = depuis;
    while let Some(mot) = o.get(i..i + 8).and_then(|m| <[u8; 8]>::try_from(m).ok()) {
        let w = u64::from_le_bytes(mot);
        let (xa, xb) = (w ^ ma, w ^ mb);
        let t = ((xa.wrapping_sub(UNS) & !xa) | (xb.wrapping_sub(UNS) & !xb)) & HAUTS;
        if t != 0 {
            return Some(i + (t.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    o.get(i..)?
        .iter()
        .position(|&x| x == a || x == b)
        .map(|k| i + k)
}
