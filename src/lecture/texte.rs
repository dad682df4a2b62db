//! The texts read: their decoding ([`decodage`]: UTF-8, UTF-16, Windows-1252), how ids are
//! compared, trimmed and shown, and the characters refused in ids and free texts.

mod decodage;
pub use decodage::{decoder, decoder_fichier, Decode, Encodage, MELANGE};

/// `s` cut after `n` characters, `…` marking the cut: a text quoted in a message (a key of
/// 100 000 characters would make a message of as many).
pub fn abreger(s: &str, n: usize) -> std::borrow::Cow<'_, str> {
    match s.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &s[..i]).into(),
        None => s.into(),
    }
}

/// The identifier among `ids` that the user's `id` names: itself, or else the one equal to it
/// as ids are compared ([`cle_id`]: case, spaces, dashes and Unicode form aside) — the
/// explanation of `eaje-balzac` is that of `EAJE-BALZAC`, as `comparer`, `verifier` and the
/// events file find it. `None`: no such structure.
pub fn id_retrouve<'a>(id: &str, ids: impl Iterator<Item = &'a str> + Clone) -> Option<&'a str> {
    if let Some(x) = ids.clone().find(|x| *x == id) {
        return Some(x);
    }
    let cle = cle_id(id);
    ids.into_iter().find(|x| cle_id(x) == cle)
}

/// The form under which two ids (`id`, `collectivite`, in every table and in
/// convention.toml) are compared: trimmed, Unicode NFC (`é` typed as one character or as
/// `e` + combining accent are the same id), every Unicode space separator (General_Category
/// Zs: no-break space U+00A0, narrow no-break space U+202F, thin space U+2009, ideographic
/// space U+3000…) written as one plain space and runs of spaces as one (`LAEP BISOU`,
/// `LAEP<U+00A0>BISOU` and `LAEP  BISOU` look alike: they are one id, a duplicate if twice),
/// every dash (General_Category Pd: hyphen U+2010, en dash U+2013…, and the minus sign
/// U+2212) written as `-` (`EAJE‐X` with U+2010, the hyphen a word processor puts, is
/// `EAJE-X`), then case-folded with `to_lowercase` (full Unicode lower-casing, which is
/// case folding for every letter an id uses in practice).
/// The only place where ids are canonicalised: the readers and the validation call it.
pub fn cle_id(id: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let id = rogner(id);
    // ASCII text without two spaces in a row is already in NFC, has no other space and
    // `to_lowercase` lowers it byte for byte: the general path (a normaliser and two strings
    // per id) costs 5 000 instructions an id
    if cle_ascii_directe(id) {
        return id.to_ascii_lowercase();
    }
    let mut r = String::with_capacity(id.len());
    for c in id.nfc() {
        if espace_unicode(c) {
            if !r.ends_with(' ') {
                r.push(' ');
            }
        } else if tiret_unicode(c) {
            r.push('-');
        } else {
            r.extend(c.to_lowercase());
        }
    }
    r
}

/// `id` (trimmed) is ASCII without two spaces in a row: its [`cle_id`] is
/// `id.to_ascii_lowercase()`.
#[inline]
pub fn cle_ascii_directe(id: &str) -> bool {
    id.is_ascii() && memchr::memmem::find(id.as_bytes(), b"  ").is_none()
}

/// A Unicode dash (General_Category Pd, Unicode 15) or the minus sign U+2212 (the hyphen
/// itself included).
fn tiret_unicode(c: char) -> bool {
    matches!(
        c,
        '-' | '\u{58a}' | '\u{5be}' | '\u{1400}' | '\u{1806}' | '\u{2010}'
            ..='\u{2015}'
                | '\u{2e17}'
                | '\u{2e1a}'
                | '\u{2e3a}'
                | '\u{2e3b}'
                | '\u{2e40}'
                | '\u{2e5d}'
                | '\u{301c}'
                | '\u{3030}'
                | '\u{30a0}'
                | '\u{fe31}'
                | '\u{fe32}'
                | '\u{fe58}'
                | '\u{fe63}'
                | '\u{ff0d}'
                | '\u{10ead}'
                | '\u{2212}'
    )
}

/// A Unicode space separator (General_Category Zs), the plain space included.
fn espace_unicode(c: char) -> bool {
    matches!(
        c,
        ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}' | '\u{202f}' | '\u{205f}' | '\u{3000}'
    )
}

/// `s.trim()`, the ASCII ends checked byte by byte: the general (Unicode) trim only when an
/// end is a non-ASCII character. Every cell read goes through it.
#[inline]
pub fn rogner(s: &str) -> &str {
    let o = s.as_bytes();
    // both ends printable ASCII (U+0021 to U+007F: none is whitespace): nothing to cut
    let net = |b: &u8| (0x21..0x80).contains(b);
    if o.first().is_some_and(net) && o.last().is_some_and(net) {
        return s;
    }
    // ASCII whitespace as `char::is_whitespace` sees it (U+0009 to U+000D and the space:
    // `u8::is_ascii_whitespace` would leave out U+000B)
    let blanc = |b: u8| b == b' ' || (b'\t'..=b'\r').contains(&b);
    let debut = o.iter().position(|b| !blanc(*b)).unwrap_or(o.len());
    if o.get(debut).is_some_and(|b| !b.is_ascii()) {
        return s.trim();
    }
    let fin = o.iter().rposition(|b| !blanc(*b)).map_or(debut, |i| i + 1);
    if fin > debut && !o[fin - 1].is_ascii() {
        return s.trim();
    }
    // both ends are ASCII bytes: char boundaries
    s.get(debut..fin).unwrap_or_else(|| s.trim())
}

/// `s.trim().is_empty()`: `false` at the first ASCII byte that is not whitespace.
pub fn blanc(s: &str) -> bool {
    let o = s.as_bytes();
    match o
        .iter()
        .position(|b| !(*b == b' ' || (b'\t'..=b'\r').contains(b)))
    {
        None => true,
        Some(i) if o[i].is_ascii() => false,
        Some(_) => s.trim().is_empty(),
    }
}

/// The first invisible or control character of an id, if any: C0 and C1 controls, every
/// format character (General_Category Cf: byte order mark U+FEFF, zero-width characters
/// U+200B–U+200D, word joiner U+2060, invisible operators U+2061–U+2064, bidirectional
/// marks, soft hyphen, Arabic letter mark U+061C, tags U+E0001 and U+E0020–U+E007F…), every
/// Default_Ignorable_Code_Point (combining grapheme joiner U+034F, Hangul fillers U+115F,
/// U+1160, U+3164, U+FFA0, Khmer vowels U+17B4–U+17B5, Mongolian selectors U+180B–U+180F,
/// variation selectors U+FE00–U+FE0F and U+E0100–U+E01EF…), the line and paragraph
/// separators U+2028–U+2029 and the braille blank U+2800. Such an id looks like another one
/// and must be refused. (Space separators, Zs, are not refused: [`cle_id`] compares them
/// as a plain space.)
pub fn caractere_invisible(id: &str) -> Option<char> {
    // printable ASCII (U+0020 to U+007E) holds none of them: most ids are checked bytewise
    // (a fold without early exit: the compiler checks sixteen bytes at a time)
    if id
        .bytes()
        .fold(true, |ok, b| ok & (b.wrapping_sub(0x20) < 0x5f))
    {
        return None;
    }
    id.chars().find(|&c| invisible(c))
}

/// One of the characters [`caractere_invisible`] refuses in an id: the ranges of
/// General_Category Cf, Zl, Zp and Default_Ignorable_Code_Point of Unicode 15 (checked
/// against Python's `unicodedata` for Cf, Zl and Zp), plus the braille blank.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c as u32,
            0x00AD
                | 0x034F
                | 0x0600..=0x0605
                | 0x061C
                | 0x06DD
                | 0x070F
                | 0x0890..=0x0891
                | 0x08E2
                | 0x115F..=0x1160
                | 0x17B4..=0x17B5
                | 0x180B..=0x180F
                | 0x200B..=0x200F
                | 0x2028..=0x202E
                | 0x2060..=0x206F
                | 0x2800
                | 0x3164
                | 0xFE00..=0xFE0F
                | 0xFEFF
                | 0xFFA0
                | 0xFFF0..=0xFFFB
                | 0x110BD
                | 0x110CD
                | 0x13430..=0x1343F
                | 0x1BCA0..=0x1BCA3
                | 0x1D173..=0x1D17A
                | 0xE0000..=0xE0FFF
        )
}

/// An id as shown in a duplicate message: its spaces other than the plain space (no-break
/// space, narrow no-break space…) written `<U+00A0>`, so that the two writings differ on
/// screen; the plain text when it has none.
pub fn montrer_espaces(id: &str) -> String {
    if id.is_ascii() {
        return id.to_string();
    }
    let mut r = String::with_capacity(id.len());
    for c in id.chars() {
        if c != ' ' && espace_unicode(c) {
            r.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            r.push(c);
        }
    }
    r
}

/// The first control character of a free text (a name, an address, a label), if any: C0
/// and C1 controls and DEL, except the tab and the line breaks a spreadsheet cell may hold
/// (Alt+Entrée). Such a character (a NUL, a bell, an escape sequence that recolours or
/// rewrites a terminal) is no part of a name: the text is refused (E055).
pub fn caractere_de_controle(t: &str) -> Option<char> {
    // C0 and DEL are single bytes below 0x20 or 0x7F; C1 (U+0080 to U+009F) starts with
    // 0xC2: a text without these bytes holds none (a fold without early exit, as above)
    if t.bytes()
        .fold(true, |ok, b| ok & (b >= 0x20 && b != 0x7f && b != 0xc2))
    {
        return None;
    }
    t.chars()
        .find(|&c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// E053's message for the invisible or control character `c` of an identifier, and its
/// advice: the same wherever an id is read (tables, convention.toml, events, notifications).
pub fn message_invisible(c: char) -> (String, &'static str) {
    (
        format!(
            "identifiant contenant un caractère invisible ou de contrôle (U+{:04X})",
            c as u32
        ),
        "retapez l'identifiant : un caractère invisible (copié d'une page web ou d'un autre logiciel) le rendrait différent d'un identifiant d'apparence identique",
    )
}

/// E055's message for the control character `c` of a free text, and its advice: the same
/// wherever a free text is read (dossier's tables, convention.toml, a notification).
pub fn message_controle(c: char) -> (String, &'static str) {
    (
        format!("texte contenant un caractère de contrôle (U+{:04X})", c as u32),
        "retapez le texte : ce caractère invisible (copié d'un autre logiciel) n'a pas sa place dans un nom ou un libellé",
    )
}

/// An id as shown in a message, its invisible characters written `<U+200B>`.
pub fn montrer_invisibles(id: &str) -> String {
    let mut r = String::with_capacity(id.len());
    for c in id.chars() {
        if caractere_invisible(&c.to_string()).is_some() {
            r.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            r.push(c);
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn melange_d_encodages_refuse_windows_1252_seul_lu() {
        // « é » in UTF-8 (C3 A9) on line 1, then one Windows-1252 byte (E9) on line 2
        let m = match decoder(b"id;nom\nCr\xC3\xA9che;x\n\xE9t\xE9;y\n", Encodage::Auto) {
            Err(m) => m,
            Ok(_) => panic!("mélange accepté"),
        };
        assert_eq!(
            m,
            "mélange d'encodages : « é » écrit en UTF-8 à la ligne 2, mais octets non UTF-8 à la ligne 3 (« \u{fffd}t\u{fffd};y »)"
        );
        // Windows-1252 alone (« Crèche », « Été » and a no-break space before « : »): read
        // as such, with the fallback noted; bytes that happen to form a UTF-8 character
        // outside accents and French punctuation (C9 A0: U+0260) do not make a mixture
        let d = decoder(b"Cr\xE8che \xC9T\xC9\xA0: ok\n", Encodage::Auto).expect("lu");
        assert!(d.repli_windows1252);
        assert_eq!(d.texte, "Crèche ÉTÉ\u{a0}: ok\n");
        // forced: no detection
        let d = decoder(b"Cr\xC3\xA9che \xE9", Encodage::Windows1252).expect("lu");
        assert_eq!(d.texte, "CrÃ©che é");
    }

    #[test]
    fn cle_id_ascii_comme_le_chemin_general() {
        use unicode_normalization::UnicodeNormalization;
        let general = |s: &str| s.trim().nfc().collect::<String>().to_lowercase();
        // every printable ASCII character, alone, between letters and around spaces
        for b in 0x20u8..0x7f {
            let c = b as char;
            for s in [format!("{c}"), format!("Ab{c}Zz"), format!("  {c}X-1 ")] {
                assert_eq!(cle_id(&s), general(&s), "{s:?}");
            }
        }
        assert_eq!(cle_id(" Dijon-CCAS "), "dijon-ccas");
        // not ASCII: the general path (NFC, full lower-casing)
        assert_eq!(cle_id("E\u{301}COLE"), "école");
        assert_eq!(cle_id("ÉCOLE"), "école");
    }

    #[test]
    fn rogner_et_blanc_comme_trim() {
        // by hand: ASCII ends cut bytewise, U+000B included (char::is_whitespace), other
        // ends (no-break space, em space, NEL, a letter) through the general trim
        assert_eq!(rogner("  a b\t"), "a b");
        assert_eq!(rogner("\u{b}x\u{b}"), "x");
        assert_eq!(rogner("\u{a0}x\u{2003}"), "x");
        assert_eq!(rogner(" é "), "é");
        assert_eq!(rogner(" \u{85}"), "");
        assert_eq!(rogner("   "), "");
        assert!(blanc(" \t\u{a0}\u{202f} "));
        assert!(!blanc(" \u{a0}x"));
        assert!(!blanc("\u{200b}")); // zero width space: not whitespace for Rust
                                     // every combination of three pieces among ASCII and non-ASCII blanks and letters
        let morceaux = [
            "",
            " ",
            "\t",
            "\u{b}",
            "\u{c}",
            "\r\n",
            "\u{a0}",
            "\u{85}",
            "\u{2003}",
            "\u{3000}",
            "\u{200b}",
            "a",
            "é",
            "\u{1f600}",
            "x y",
            "\u{7f}",
            "\0",
        ];
        for a in morceaux {
            for b in morceaux {
                for c in morceaux {
                    let s = format!("{a}{b}{c}");
                    assert_eq!(rogner(&s), s.trim(), "{s:?}");
                    assert_eq!(blanc(&s), s.trim().is_empty(), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn invisibles_ascii_comme_le_chemin_general() {
        // the general path: every character through the predicate
        let general = |s: &str| s.chars().find(|&c| invisible(c));
        // every ASCII character (controls U+0000 to U+001F and U+007F refused, the
        // printable ones accepted), alone and inside an id, and a few non-ASCII ones
        for b in 0u8..0x80 {
            let c = b as char;
            for s in [format!("{c}"), format!("EAJE-{c}-1")] {
                assert_eq!(caractere_invisible(&s), general(&s), "{s:?}");
                assert_eq!(caractere_invisible(&s).is_some(), b < 0x20 || b == 0x7f);
            }
        }
        for s in ["Crèche", "A\u{ad}B", "\u{2066}x", "É\u{200d}", "\u{a0}"] {
            assert_eq!(caractere_invisible(s), general(s), "{s:?}");
        }
    }

    #[test]
    fn detections() {
        assert_eq!(
            decoder(b"\xEF\xBB\xBFid;nom", Encodage::Auto)
                .unwrap()
                .texte,
            "id;nom"
        );
        let d = decoder(b"cr\xE8che", Encodage::Auto).unwrap();
        assert_eq!(d.texte, "crèche");
        assert!(d.repli_windows1252);
        let d = decoder(b"\xFF\xFEi\0d\0", Encodage::Auto).unwrap();
        assert_eq!(d.texte, "id");
        assert_eq!(d.encodage, "UTF-16LE");
        assert_eq!(
            decoder("crèche".as_bytes(), Encodage::Windows1252)
                .unwrap()
                .texte,
            "crÃ¨che"
        );
        assert!(decoder(b"cr\xE8che", Encodage::Utf8).is_err());
    }

    #[test]
    fn identifiants() {
        // NFC: « é » precomposed and « e » + combining acute are one id; case folded
        assert_eq!(cle_id(" Crèche-É "), cle_id("cre\u{300}che-E\u{301}"));
        assert_eq!(cle_id("DUGNY"), "dugny");
        // dashes typed by a word processor or a spreadsheet are the hyphen
        for tiret in [
            '\u{2010}', '\u{2011}', '\u{2013}', '\u{2014}', '\u{2212}', '\u{fe63}', '\u{ff0d}',
        ] {
            assert_eq!(cle_id(&format!("EAJE{tiret}X")), "eaje-x", "{tiret:?}");
        }
        assert_ne!(cle_id("DUGNY"), cle_id("DUGNY2"));
        assert_eq!(caractere_invisible("EAJE\u{200b}A"), Some('\u{200b}'));
        assert_eq!(caractere_invisible("\u{feff}A"), Some('\u{feff}'));
        assert_eq!(caractere_invisible("A\u{85}"), Some('\u{85}'));
        assert_eq!(caractere_invisible("A\tB"), Some('\t'));
        assert_eq!(caractere_invisible("Crèche L’Arc-en-ciel"), None);
        assert_eq!(montrer_invisibles("A\u{2060}B"), "A<U+2060>B");
    }

    #[test]
    fn invisibles_unicode_refuses() {
        // every character the audit slipped into a copy of `LAEP-BISOUNOURS` (two structures
        // instead of a duplicate): format characters (Cf), default-ignorable code points,
        // variation selectors, Hangul fillers, braille blank, tags, musical format controls
        for c in [
            0x2061, 0x2062, 0x2063, 0x2064, 0x206A, 0x206B, 0x206C, 0x206D, 0x206E, 0x206F, 0x180E,
            0x180B, 0x034F, 0xFE00, 0xFE0F, 0x3164, 0x115F, 0x1160, 0xFFA0, 0x061C, 0xE0001,
            0xE0041, 0xE0100, 0x1D173, 0x17B4, 0x17B5, 0x2800, 0xFFF9, 0x2028, 0x2029, 0x0600,
            0x06DD,
        ] {
            let c = char::from_u32(c).unwrap();
            let id = format!("LAEP-BISOUNOURS{c}");
            assert_eq!(caractere_invisible(&id), Some(c), "U+{:04X}", c as u32);
            assert_eq!(
                montrer_invisibles(&id),
                format!("LAEP-BISOUNOURS<U+{:04X}>", c as u32)
            );
        }
        // letters and visible signs of other scripts are not invisible
        for s in [
            "Crèche", "Ünal", "Д", "ß", "É", "\u{a0}", "\u{2009}", "\u{3000}", "’",
        ] {
            assert_eq!(caractere_invisible(s), None, "{s:?}");
        }
    }

    #[test]
    fn identifiants_espaces_unicode_confondus() {
        // every Unicode space separator (Zs) inside an id is a plain space, and a run of
        // spaces is one: `LAEP BISOU` and its no-break space variants are the same id
        let k = cle_id("LAEP BISOU");
        assert_eq!(k, "laep bisou");
        for s in [
            "LAEP\u{a0}BISOU",
            "LAEP\u{202f}BISOU",
            "LAEP\u{2009}BISOU",
            "LAEP\u{3000}BISOU",
            "LAEP\u{1680}BISOU",
            "LAEP  BISOU",
            "laep \u{a0}bisou",
        ] {
            assert_eq!(cle_id(s), k, "{s:?}");
        }
        assert_eq!(montrer_espaces("LAEP\u{a0}BISOU"), "LAEP<U+00A0>BISOU");
        assert_eq!(montrer_espaces("Crèche L’Arc"), "Crèche L’Arc");
        assert!(cle_ascii_directe("LAEP BISOU"));
        assert!(!cle_ascii_directe("LAEP  BISOU"));
        assert_ne!(cle_id("LAEP-BISOU"), k);
    }
}
