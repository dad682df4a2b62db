//! French-locale number and boolean parsing (README « Fichiers tels qu’ils arrivent », rule R50).

use rust_decimal::Decimal;
use std::str::FromStr;

/// Thousands separators accepted (README « Fichiers tels qu'ils arrivent »): space,
/// no-break space, narrow no-break space (Excel's and LibreOffice's French grouping) and
/// thin space U+2009 (typographic grouping, pasted from a document).
fn est_separateur_milliers(c: char) -> bool {
    c == ' ' || c == '\u{a0}' || c == '\u{202f}' || c == '\u{2009}'
}

/// Integer part with optional thousands groups: `1234`, `1 234`, `12 345 678`.
fn partie_entiere_valide(s: &str, sep: &dyn Fn(char) -> bool) -> bool {
    if s.is_empty() {
        return false;
    }
    let groupes: Vec<&str> = s.split(sep).collect();
    if groupes
        .iter()
        .any(|g| g.is_empty() || !g.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    groupes.len() == 1 || (groupes[0].len() <= 3 && groupes[1..].iter().all(|g| g.len() == 3))
}

/// A number of a workbook cell. A number cell reads as the float's shortest decimal writing
/// (`4666.674`, never with thousands separators nor trailing zeros): there a single dot is
/// always the decimal point, so the three-digit ambiguity of text files does not arise and
/// the decimals are counted (`4666.674` has three: refused as such, E009). Any other writing
/// (a text cell: `85.000`, with its trailing zeros, is ambiguous there too) follows
/// [`analyser_decimal`].
pub fn analyser_decimal_classeur(brut: &str) -> Result<Decimal, String> {
    let s = brut.trim();
    let corps = s.strip_prefix('-').unwrap_or(s);
    let simple = corps.matches('.').count() == 1
        && corps.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !corps.starts_with('.')
        && !corps.ends_with('.')
        // never a number cell's writing (no trailing zero): a text cell, `85.000` typed
        && !corps.ends_with('0');
    if simple {
        if let Ok(d) = s.parse::<Decimal>() {
            return Ok(d);
        }
    }
    analyser_decimal(brut)
}

/// Parses `1234.56`, `1234,56`, `1 234,56`, `1.234,56` (dot-grouped, comma decimal of one or
/// two digits), with an optional trailing `€` and a leading `-`. Returns the reason on error.
pub fn analyser_decimal(brut: &str) -> Result<Decimal, String> {
    let mut s = brut.trim();
    if let Some(x) = s.strip_suffix('€') {
        s = x.trim_end_matches(est_separateur_milliers).trim_end();
    }
    if s.is_empty() {
        return Err("nombre vide".into());
    }
    let (negatif, corps) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let virgules = corps.matches(',').count();
    let points = corps.matches('.').count();
    if virgules + points == 1 {
        // `85.000`, `12,000`, and as well `4 666,674` or `78000,001` (a comma or a dot may
        // group the last three digits of a number written with other groupings): thousands
        // or decimals? refused, never guessed
        let apres = corps.rsplit([',', '.']).next().unwrap_or("");
        if apres.len() == 3 && apres.bytes().all(|b| b.is_ascii_digit()) {
            return Err(
                "écriture ambiguë : un seul point ou une seule virgule suivi de trois chiffres se lit en milliers comme en décimales"
                    .into(),
            );
        }
    }
    let (entier, decimales): (String, &str) = if virgules == 1 && points >= 1 {
        // 1.234,56 : dot-grouped integer part, comma decimal part of 1 or 2 digits
        let (e, d) = corps.split_once(',').unwrap_or((corps, ""));
        if !(1..=2).contains(&d.len()) || !partie_entiere_valide(e, &|c| c == '.') {
            return Err(if corps.find(',') < corps.find('.') {
                "écriture anglaise (virgule des milliers, point décimal) : illisible sans deviner"
                    .into()
            } else {
                "points des milliers mal placés, ou plus de deux décimales après la virgule".into()
            });
        }
        (e.replace('.', ""), d)
    } else if virgules + points > 1 {
        return Err("plusieurs séparateurs décimaux".into());
    } else {
        let (e, d) = match corps.split_once([',', '.']) {
            Some((e, d)) => (e, d),
            None => (corps, ""),
        };
        if !partie_entiere_valide(e, &est_separateur_milliers) {
            return Err("nombre invalide".into());
        }
        if (virgules + points == 1) && d.is_empty() {
            return Err("partie décimale vide".into());
        }
        (
            e.chars().filter(|c| !est_separateur_milliers(*c)).collect(),
            d,
        )
    };
    if !decimales.bytes().all(|b| b.is_ascii_digit()) {
        return Err("nombre invalide".into());
    }
    // at most 15 integer digits and 28 digits in all: the exact decimal fits (a float's
    // shortest text, `0.30000000000000004`, is read exactly and refused later as having
    // more than 2 decimals, not as unreadable)
    if entier.len() > 15 || entier.len() + decimales.len() > 28 {
        return Err("nombre trop long".into());
    }
    let texte = if decimales.is_empty() {
        entier
    } else {
        format!("{entier}.{decimales}")
    };
    let d = Decimal::from_str(&texte).map_err(|_| "nombre invalide".to_string())?;
    Ok(if negatif { -d } else { d })
}

/// Fast path of [`analyser_decimal`] + [`en_centiemes`] for the plain writings that make
/// up nearly every cell: `1234`, `1234.5`, `1234,56`, and the integer part grouped by
/// three with spaces (`12 345,67`, also with a no-break or narrow no-break space), 1 to 15
/// digits and at most 2 decimals. `None` for anything else (the general path then decides,
/// with its messages).
pub fn centiemes_simples(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    // nearly every cell: 1 to 15 digits, then nothing or a decimal separator
    let mut v: i64 = 0;
    let mut i = 0;
    while let Some(&c) = b.get(i).filter(|c| c.is_ascii_digit()) {
        if i == 15 {
            return None;
        }
        v = v * 10 + (c - b'0') as i64;
        i += 1;
    }
    match b.get(i) {
        None if i > 0 => return Some(v * 100),
        Some(b'.' | b',') if i > 0 => return decimales(v, &b[i + 1..]),
        _ => {}
    }
    let (mut v, mut chiffres, mut groupe, mut groupee) = (0i64, 0, 0, false);
    let mut i = 0;
    // integer part: digits, and thousands separators between groups (as
    // `partie_entiere_valide`: a first group of 1 to 3 digits, then groups of 3)
    while let Some(&c) = b.get(i) {
        if c.is_ascii_digit() {
            v = v * 10 + (c - b'0') as i64;
            chiffres += 1;
            groupe += 1;
            if chiffres > 15 {
                return None;
            }
            i += 1;
            continue;
        }
        let l = match (c, b.get(i + 1), b.get(i + 2)) {
            (b' ', _, _) => 1,
            (0xC2, Some(0xA0), _) => 2,          // U+00A0
            (0xE2, Some(0x80), Some(0xAF)) => 3, // U+202F
            (0xE2, Some(0x80), Some(0x89)) => 3, // U+2009
            _ => break,
        };
        if groupe == 0 || groupe > 3 || (groupee && groupe != 3) {
            return None;
        }
        (groupe, groupee) = (0, true);
        i += l;
    }
    if groupe == 0 || (groupee && groupe != 3) {
        return None;
    }
    match b[i..].split_first() {
        None => Some(v * 100),
        Some((b'.' | b',', dec)) => decimales(v, dec),
        Some(_) => None,
    }
}

/// `v` units and the 1 or 2 decimal digits `dec`, in hundredths; `None` otherwise.
fn decimales(v: i64, dec: &[u8]) -> Option<i64> {
    match *dec {
        [d] if d.is_ascii_digit() => Some(v * 100 + (d - b'0') as i64 * 10),
        [d, e] if d.is_ascii_digit() && e.is_ascii_digit() => {
            Some(v * 100 + (d - b'0') as i64 * 10 + (e - b'0') as i64)
        }
        _ => None,
    }
}

/// `oui`/`non`, `true`/`false`, `1`/`0`, case-insensitive.
pub fn analyser_booleen(brut: &str) -> Option<bool> {
    let s = super::texte::rogner(brut);
    if s.is_ascii() {
        // ASCII: `to_lowercase` is the ASCII lower case: compared without a string
        let est = |mot: &str| s.eq_ignore_ascii_case(mot);
        return if ["oui", "true", "1", "vrai"].into_iter().any(est) {
            Some(true)
        } else if ["non", "false", "0", "faux"].into_iter().any(est) {
            Some(false)
        } else {
            None
        };
    }
    match s.to_lowercase().as_str() {
        "oui" | "true" | "1" | "vrai" => Some(true),
        "non" | "false" | "0" | "faux" => Some(false),
        _ => None,
    }
}

/// Converts a decimal to an integer count of hundredths (cents for amounts), refusing more
/// than two decimals as written (the scale [`analyser_decimal`] kept from the text:
/// `12,0000` has four, even though it equals 12). `Err` carries the reason.
pub fn en_centiemes(d: Decimal) -> Result<i64, String> {
    let n = d;
    if n.scale() > 2 {
        return Err("plus de 2 décimales".into());
    }
    let c = n * Decimal::from(100);
    i64::try_from(c.trunc()).map_err(|_| "nombre trop grand".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn nombres_d_un_classeur() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        // a number cell: the dot is the decimal point, decimals counted as written
        assert_eq!(
            analyser_decimal_classeur("4666.674").unwrap(),
            d("4666.674")
        );
        assert_eq!(analyser_decimal_classeur("4666.674").unwrap().scale(), 3);
        assert_eq!(analyser_decimal_classeur("85.5").unwrap(), d("85.5"));
        // a text cell keeps the text grammar
        assert!(analyser_decimal_classeur("12,000").is_err());
        // typed in a text cell: the trailing zeros show it is no number cell's writing,
        // and it is ambiguous (85 or 85 000 ?) as in a CSV file
        assert!(analyser_decimal_classeur("85.000")
            .unwrap_err()
            .starts_with("écriture ambiguë"));
        assert_eq!(analyser_decimal_classeur("85.50").unwrap(), d("85.50"));
        assert_eq!(analyser_decimal_classeur("1 234,56").unwrap(), d("1234.56"));
    }

    #[test]
    fn ecritures_acceptees() {
        assert_eq!(analyser_decimal("1234.56").unwrap(), d("1234.56"));
        assert_eq!(analyser_decimal("1234,56").unwrap(), d("1234.56"));
        assert_eq!(analyser_decimal("1 234,56").unwrap(), d("1234.56"));
        assert_eq!(analyser_decimal("1\u{a0}234,56 €").unwrap(), d("1234.56"));
        assert_eq!(
            analyser_decimal("1\u{202f}234\u{202f}567,5").unwrap(),
            d("1234567.5")
        );
        assert_eq!(analyser_decimal("1.234,56").unwrap(), d("1234.56"));
        assert_eq!(analyser_decimal("12.345.678,9").unwrap(), d("12345678.9"));
        assert_eq!(analyser_decimal(" 42 ").unwrap(), d("42"));
        assert_eq!(analyser_decimal("42€").unwrap(), d("42"));
        assert_eq!(analyser_decimal("-3,5").unwrap(), d("-3.5"));
        assert_eq!(analyser_decimal("0,1255").unwrap(), d("0.1255")); // refused later for amounts
        assert_eq!(analyser_decimal("1 234").unwrap(), d("1234"));
        assert_eq!(analyser_decimal("85,0").unwrap(), d("85"));
        assert_eq!(analyser_decimal("85.00").unwrap(), d("85"));
        assert_eq!(analyser_decimal("1.234,5").unwrap(), d("1234.5"));
    }

    #[test]
    fn ecritures_refusees() {
        for s in [
            "",
            "€",
            "abc",
            "1,2,3",
            "1.234.56",
            "1.234,567",
            "12 34",
            "1 2345",
            "1,",
            "1..2",
            "1.23,4x",
            "--1",
            "1e5",
            "1 234.567,8",
            // one separator followed by exactly three digits: thousands or decimals?
            "85.000",
            "12,000",
            "1,234",
            "0.125",
            "1 234,567",
            "-85.000",
            "85.000 €",
        ] {
            assert!(analyser_decimal(s).is_err(), "{s:?} devrait être refusé");
        }
    }

    #[test]
    fn centiemes() {
        assert_eq!(en_centiemes(d("1234.56")).unwrap(), 123456);
        assert_eq!(en_centiemes(d("1234.50")).unwrap(), 123450);
        assert_eq!(en_centiemes(d("7")).unwrap(), 700);
        assert!(en_centiemes(d("0.125")).is_err());
        // the shortest text of the float 0.1 + 0.2 (an .xlsx cell): read exactly, refused
        let x = analyser_decimal("0.30000000000000004").unwrap();
        assert_eq!(en_centiemes(x).unwrap_err(), "plus de 2 décimales");
        assert!(analyser_decimal("0.0000000000000000000000000001").is_err());
        assert_eq!(
            en_centiemes(analyser_decimal("999999999999999.99").unwrap()).unwrap(),
            99_999_999_999_999_999
        );
        // decimals counted as written: `12,0000` is not 12, `12,00` is
        for s in ["12,0000", "999999999999999.9900000000000", "7.0000"] {
            assert_eq!(
                en_centiemes(analyser_decimal(s).unwrap()).unwrap_err(),
                "plus de 2 décimales",
                "{s}"
            );
        }
        assert_eq!(
            en_centiemes(analyser_decimal("12,00").unwrap()).unwrap(),
            1200
        );
    }

    /// A separator followed by three digits is refused as ambiguous whatever comes before
    /// (`4 666,674` could be 4 666 674 written with mixed groupings), and a wrong mix of
    /// separators is named.
    #[test]
    fn trois_chiffres_apres_le_separateur() {
        for s in ["85.000", "0,125", "4 666,674", "78000,001", "-12.000"] {
            assert!(
                analyser_decimal(s)
                    .unwrap_err()
                    .starts_with("écriture ambiguë"),
                "{s}"
            );
        }
        assert!(analyser_decimal("78,000.00")
            .unwrap_err()
            .starts_with("écriture anglaise"));
        assert!(analyser_decimal("1.234,567")
            .unwrap_err()
            .starts_with("points des milliers"));
    }

    #[test]
    fn centiemes_simples_identiques_au_chemin_general() {
        let general = |s: &str| {
            analyser_decimal(s)
                .ok()
                .filter(|d| !d.is_sign_negative() || d.is_zero())
                .and_then(|d| en_centiemes(d).ok())
        };
        assert_eq!(centiemes_simples("1234,5"), Some(123450));
        assert_eq!(centiemes_simples("007"), Some(700));
        assert_eq!(centiemes_simples("0.05"), Some(5));
        for s in [
            "",
            ",5",
            "1,",
            "1,234",
            "-1",
            "+1",
            "1.2.3",
            "1e5",
            "1,5€",
            "١٢",
            "1 23",
            "1234 567",
            " 1",
            "1 ",
            "1  234",
            "1 234 56",
            "12 34,5",
            "1.234,5",
            "1 234,567",
            "1\u{2009}",
            "1\u{a0}",
            "1\u{e2}",
        ] {
            assert_eq!(centiemes_simples(s), None, "{s:?}");
        }
        // grouped by three, by hand: 1 234 → 1234 × 100; 12 345,67 → 1 234 567 hundredths;
        // 12\u{202f}345\u{a0}678.9 → 12 345 678 × 100 + 90
        assert_eq!(centiemes_simples("1 234"), Some(123_400));
        // thin space U+2009 (README: « espace fine ») groups as the other spaces do
        assert_eq!(centiemes_simples("1\u{2009}234"), Some(123_400));
        assert_eq!(
            analyser_decimal("1\u{2009}234,56 €").unwrap(),
            Decimal::from_str("1234.56").unwrap()
        );
        assert_eq!(centiemes_simples("12 345,67"), Some(1_234_567));
        assert_eq!(
            centiemes_simples("12\u{202f}345\u{a0}678.9"),
            Some(1_234_567_890)
        );
        assert_eq!(
            centiemes_simples("999 999 999 999 999,99"),
            Some(99_999_999_999_999_999)
        );
        assert_eq!(centiemes_simples("1 000 000 000 000 000"), None); // 16 digits
        assert_eq!(
            centiemes_simples("999999999999999,99"),
            Some(99_999_999_999_999_999)
        );
        // 16 digits: left to the general path
        assert_eq!(centiemes_simples("1000000000000000"), None);
        // every simple writing gives what the general path gives
        let mut x: u64 = 12345;
        for _ in 0..20_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let chiffres = "0123456789.,".as_bytes();
            let n = (x >> 60) as usize % 9;
            let s: String = (0..n)
                .map(|k| chiffres[((x >> (k * 6)) % 12) as usize] as char)
                .collect();
            if let Some(c) = centiemes_simples(&s) {
                assert_eq!(Some(c), general(&s), "{s:?}");
            }
        }
        // writings with separators (three kinds of space and others): when the fast path
        // reads one, the general path gives the same; grouped writings are read fast
        let pieces = [
            "0", "1", "7", "12", "345", "999", "1000", " ", "\u{a0}", "\u{202f}", "\u{2009}", ",",
            ".", "5", "05", "€", "-", "  ",
        ];
        let (mut lus, mut groupes) = (0, 0);
        for _ in 0..200_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = 1 + (x >> 61) as usize;
            let s: String = (0..n)
                .map(|k| pieces[((x >> (k * 5 + 3)) % pieces.len() as u64) as usize])
                .collect();
            if let Some(c) = centiemes_simples(&s) {
                assert_eq!(Some(c), general(&s), "{s:?}");
                lus += 1;
                groupes += s.contains([' ', '\u{a0}', '\u{202f}']) as u32;
            }
        }
        assert!(lus > 1_000 && groupes > 100, "{lus} {groupes}");
        // every grouped writing of every number of 1 to 15 digits (by steps), with 0 to 2
        // decimals: read by the fast path, as the general path reads it
        let mut n: i64 = 1;
        while n < 1_000_000_000_000_000 {
            let chiffres = n.to_string();
            let mut groupe = String::new();
            for (k, c) in chiffres.chars().enumerate() {
                if k > 0 && (chiffres.len() - k).is_multiple_of(3) {
                    groupe.push('\u{202f}');
                }
                groupe.push(c);
            }
            for dec in ["", ",5", ".05", ",99"] {
                let s = format!("{groupe}{dec}");
                assert!(centiemes_simples(&s).is_some(), "{s:?}");
                assert_eq!(centiemes_simples(&s), general(&s), "{s:?}");
            }
            n = n * 7 + 3;
        }
    }

    #[test]
    fn booleens_ascii_comme_le_chemin_general() {
        let general = |s: &str| match s.trim().to_lowercase().as_str() {
            "oui" | "true" | "1" | "vrai" => Some(true),
            "non" | "false" | "0" | "faux" => Some(false),
            _ => None,
        };
        for s in [
            "oui",
            "OUI",
            " Oui ",
            "true",
            "TRUE",
            "1",
            "vrai",
            "Vrai",
            "non",
            "NON",
            "false",
            "0",
            "faux",
            "FAUX ",
            "",
            "o",
            "ouii",
            "01",
            "true1",
            "\u{a0}oui",
            "OUİ",
            "nοn",
            "faſx",
            "yes",
        ] {
            assert_eq!(analyser_booleen(s), general(s), "{s:?}");
        }
    }

    #[test]
    fn booleens() {
        assert_eq!(analyser_booleen("OUI"), Some(true));
        assert_eq!(analyser_booleen("Non"), Some(false));
        assert_eq!(analyser_booleen("1"), Some(true));
        assert_eq!(analyser_booleen("peut-être"), None);
    }
}
