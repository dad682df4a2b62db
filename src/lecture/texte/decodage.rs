//! Byte decoding of CSV files: UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1252;
//! a text mixing UTF-8 and another encoding is refused.

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
    ou_lu(
        octets,
        pos,
        |l| encoding_rs::WINDOWS_1252.decode(l).0,
        false,
    )
}

/// [`ou`] with the line decoded by `lire` (UTF-8 with `�` for the bytes that are not, in a
/// text mixing two encodings); `autour`: the extract starts 30 characters before the byte
/// (after `…`) when it is further in the line, so that it shows.
fn ou_lu(
    octets: &[u8],
    pos: usize,
    lire: impl Fn(&[u8]) -> std::borrow::Cow<'_, str>,
    autour: bool,
) -> String {
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
    let t = lire(&octets[debut..fin]);
    let avant = lire(&octets[debut..pos]).chars().count();
    let saut = if autour && avant > 40 { avant - 30 } else { 0 };
    let mut extrait: String = t.chars().skip(saut).take(60).collect();
    if t.chars().count() > saut + 60 {
        extrait = format!("{}…", extrait.trim_end());
    }
    if saut > 0 {
        extrait = format!("…{}", extrait.trim_start());
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
        Err(e) => match premier_accent_utf8(octets) {
            // UTF-8 text with a few bytes of another encoding (a line typed or pasted from
            // another program): read as Windows-1252, every accent of the UTF-8 part would
            // become two letters (« PÃ©riscolaire ») in every output
            Some((i, c)) => Err(format!(
                "{MELANGE} : « {c} » écrit en UTF-8 à la ligne {}, mais octets non UTF-8 {}",
                1 + octets[..i].iter().filter(|b| **b == b'\n').count(),
                ou_lu(octets, e.valid_up_to(), String::from_utf8_lossy, true)
            )),
            None => Ok(win(octets, true)),
        },
    }
}

/// The beginning of the message of a text mixing UTF-8 and another encoding ([`decoder`]).
pub const MELANGE: &str = "mélange d'encodages";

/// The first character of `octets` written in UTF-8 on several bytes that French text
/// holds — an accented Latin letter or a sign of U+00A0 to U+017F, typographic punctuation
/// (’ « » – — … U+202F), the euro sign — and its position. In Windows-1252 text such a pair
/// of bytes is an unlikely coincidence (`Ã©`), while an accent of UTF-8 text is one.
fn premier_accent_utf8(octets: &[u8]) -> Option<(usize, char)> {
    let mut i = 0;
    while i < octets.len() {
        let n = match octets[i] {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => {
                i += 1;
                continue;
            }
        };
        let c = octets
            .get(i..i + n)
            .and_then(|s| std::str::from_utf8(s).ok())
            .and_then(|s| s.chars().next());
        match c {
            Some(c @ ('\u{a0}'..='\u{17f}' | '\u{2010}'..='\u{2026}' | '\u{202f}' | '€')) => {
                return Some((i, c))
            }
            Some(_) => i += n,
            None => i += 1,
        }
    }
    None
}

/// A file's bytes decoded ([`decoder`]), with its diagnostics: W004 when Windows-1252 was
/// chosen for bytes that are not UTF-8, E003 when the bytes are unreadable (`conseil`: how
/// to save the file; a text mixing two encodings has its own advice). `None` after E003.
pub fn decoder_fichier(
    octets: &[u8],
    nom: &str,
    enc: Encodage,
    conseil: &str,
    diags: &mut crate::diagnostic::Diagnostics,
) -> Option<String> {
    use crate::diagnostic::{Code, Diagnostic};
    match decoder(octets, enc) {
        Ok(d) => {
            if d.repli_windows1252 {
                diags.push(
                    Diagnostic::avertissement(
                        Code::W004,
                        nom,
                        "octets non UTF-8 : fichier lu en Windows-1252",
                    )
                    .conseil("enregistrez en « CSV UTF-8 » ou passez --encodage windows-1252"),
                );
            }
            Some(d.texte)
        }
        Err(m) => {
            let conseil = if m.starts_with(MELANGE) {
                "retapez les caractères de la ligne des octets non UTF-8 (copiés d'un autre logiciel), puis enregistrez en « CSV UTF-8 » : lu en Windows-1252, tout accent du reste du fichier deviendrait deux lettres"
            } else {
                conseil
            };
            diags.push(
                Diagnostic::erreur(Code::E003, nom, format!("encodage illisible : {m}"))
                    .conseil(conseil),
            );
            None
        }
    }
}
