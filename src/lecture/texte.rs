//! Byte decoding of CSV files: UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1252.

/// Encoding forced by the user (`--encodage`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encodage {
    /// Detect: BOM, then valid UTF-8, else Windows-1252.
    #[default]
    Auto,
    Utf8,
    Windows1252,
}

/// Decoded text and the encoding actually used (for the stderr note).
pub struct Decode {
    pub texte: String,
    pub encodage: &'static str,
    /// true when Windows-1252 was chosen because the bytes were not valid UTF-8.
    pub repli_windows1252: bool,
}

/// « à la ligne 3 (« Crèche L’Arc… ») » for the first invalid byte at `pos`: the line and the
/// beginning of its text, decoded as Windows-1252 so that the user recognises it.
fn ou(octets: &[u8], pos: usize) -> String {
    let pos = pos.min(octets.len());
    let ligne = 1 + octets[..pos].iter().filter(|b| **b == b'\n').count();
    let debut = octets[..pos]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let fin = octets[pos..]
        .iter()
        .position(|b| *b == b'\n' || *b == b'\r')
        .map_or(octets.len(), |i| pos + i);
    let (t, _, _) = encoding_rs::WINDOWS_1252.decode(&octets[debut..fin]);
    let mut extrait: String = t.chars().take(60).collect();
    if t.chars().count() > 60 {
        extrait = format!("{}…", extrait.trim_end());
    }
    format!("à la ligne {ligne} (« {extrait} »)")
}

pub fn decoder(octets: &[u8], force: Encodage) -> Result<Decode, String> {
    let win = |b: &[u8], repli| {
        let (t, _, _) = encoding_rs::WINDOWS_1252.decode(b);
        Decode {
            texte: t.into_owned(),
            encodage: "windows-1252",
            repli_windows1252: repli,
        }
    };
    match force {
        Encodage::Windows1252 => return Ok(win(octets, false)),
        Encodage::Utf8 => {
            let b = octets.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(octets);
            return std::str::from_utf8(b)
                .map(|t| Decode {
                    texte: t.to_string(),
                    encodage: "UTF-8",
                    repli_windows1252: false,
                })
                .map_err(|e| format!("octets non UTF-8 {}", ou(b, e.valid_up_to())));
        }
        Encodage::Auto => {}
    }
    if let Some(b) = octets.strip_prefix(b"\xEF\xBB\xBF") {
        return std::str::from_utf8(b)
            .map(|t| Decode {
                texte: t.to_string(),
                encodage: "UTF-8",
                repli_windows1252: false,
            })
            .map_err(|e| format!("BOM UTF-8 mais octets non UTF-8 {}", ou(b, e.valid_up_to())));
    }
    for (bom, enc) in [
        (&b"\xFF\xFE"[..], encoding_rs::UTF_16LE),
        (&b"\xFE\xFF"[..], encoding_rs::UTF_16BE),
    ] {
        if let Some(b) = octets.strip_prefix(bom) {
            let (t, erreurs) = enc.decode_without_bom_handling(b);
            if erreurs {
                return Err(format!("fichier {} mal formé", enc.name()));
            }
            return Ok(Decode {
                texte: t.into_owned(),
                encodage: enc.name(),
                repli_windows1252: false,
            });
        }
    }
    match std::str::from_utf8(octets) {
        Ok(t) => Ok(Decode {
            texte: t.to_string(),
            encodage: "UTF-8",
            repli_windows1252: false,
        }),
        Err(_) => Ok(win(octets, true)),
    }
}

/// The form under which two ids (`id`, `collectivite`, in every table and in
/// convention.toml) are compared: trimmed, Unicode NFC (`é` typed as one character or as
/// `e` + combining accent are the same id), then case-folded with `to_lowercase` (full
/// Unicode lower-casing, which is case folding for every letter an id uses in practice).
/// The only place where ids are canonicalised: the readers and the validation call it.
pub fn cle_id(id: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    let id = id.trim();
    // ASCII text is already in NFC and `to_lowercase` lowers it byte for byte: the general
    // path (a normaliser and two strings per id) costs 5 000 instructions an id
    if id.is_ascii() {
        return id.to_ascii_lowercase();
    }
    id.nfc().collect::<String>().to_lowercase()
}

/// The first invisible or control character of an id, if any: C0 and C1 controls, byte
/// order mark U+FEFF, zero-width characters U+200B–U+200D, word joiner U+2060, soft hyphen
/// U+00AD and the bidirectional marks (U+200E, U+200F, U+202A–U+202E, U+2066–U+2069).
/// Such an id looks like another one and must be refused.
pub fn caractere_invisible(id: &str) -> Option<char> {
    id.chars().find(|c| {
        c.is_control()
            || matches!(
                c,
                '\u{feff}'
                    | '\u{200b}'..='\u{200f}'
                    | '\u{2060}'
                    | '\u{00ad}'
                    | '\u{202a}'..='\u{202e}'
                    | '\u{2066}'..='\u{2069}'
            )
    })
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
        assert_ne!(cle_id("DUGNY"), cle_id("DUGNY2"));
        assert_eq!(caractere_invisible("EAJE\u{200b}A"), Some('\u{200b}'));
        assert_eq!(caractere_invisible("\u{feff}A"), Some('\u{feff}'));
        assert_eq!(caractere_invisible("A\u{85}"), Some('\u{85}'));
        assert_eq!(caractere_invisible("A\tB"), Some('\t'));
        assert_eq!(caractere_invisible("Crèche L’Arc-en-ciel"), None);
        assert_eq!(montrer_invisibles("A\u{2060}B"), "A<U+2060>B");
    }
}
