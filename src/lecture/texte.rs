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

#[cfg(test)]
mod tests {
    use super::*;

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
}
