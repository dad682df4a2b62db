//! TOML errors in French, at their line: the parser's and deserialiser's messages
//! translated (never an English fragment), the key and the whole value written on the line,
//! line endings, the line of a byte. Shared by every TOML file (convention, barème).

use super::*;
use crate::diagnostic::Code;

/// One line of a TOML parser or deserialiser message in French, `None` for a line that is
/// not known (its English text is never shown). `valeur`: the value written, when known
/// (a date read as a table says « date »).
pub(crate) fn ligne_message_toml(m: &str, valeur: &str) -> Option<String> {
    let m = m.trim();
    // a key named between backquotes: `duplicate key `exercice` in document root`
    let nommee = |prefixe: &str| {
        m.strip_prefix(prefixe)
            .and_then(|r| r.trim_start().strip_prefix('`'))
            .and_then(|r| r.split_once('`'))
            .map(|(k, _)| k.to_string())
    };
    if let Some(reste) = m.strip_prefix("invalid type:") {
        return Some(type_inattendu(reste, valeur));
    }
    if let Some(k) = nommee("duplicate key") {
        return Some(format!("clé « {k} » écrite deux fois"));
    }
    if m.starts_with("duplicate key") {
        return Some("clé écrite deux fois".into());
    }
    if let Some(k) = nommee("missing field") {
        return Some(format!("clé obligatoire « {k} » absente"));
    }
    if let Some(k) = nommee("unknown field") {
        return Some(format!("clé inconnue « {k} »"));
    }
    let date = || valeur.len() >= 8 && valeur.as_bytes()[..4].iter().all(u8::is_ascii_digit);
    let fr: &[(&str, &str)] = &[
        ("invalid basic string", "texte entre guillemets jamais fermé"),
        ("invalid literal string", "texte entre apostrophes jamais fermé"),
        ("invalid multiline basic string", "texte sur plusieurs lignes jamais fermé"),
        ("invalid multiline literal string", "texte sur plusieurs lignes jamais fermé"),
        ("invalid escape sequence", "séquence d'échappement invalide après « \\ » (doublez la barre oblique inverse, ou écrivez le texte entre apostrophes)"),
        ("invalid unicode 4-digit hex code", "code de caractère \\u invalide"),
        ("invalid unicode 8-digit hex code", "code de caractère \\U invalide"),
        ("expected `=`", "« = » attendu après le nom de la clé"),
        ("expected `.`, `=`", "« = » attendu après le nom de la clé"),
        ("invalid key", "nom de clé invalide (lettres non accentuées, chiffres, _ ou -, sinon entre guillemets)"),
        ("invalid unquoted key", "nom de clé invalide (lettres non accentuées, chiffres, _ ou -, sinon entre guillemets)"),
        ("invalid table header", "en-tête de table [..] invalide (un nom s'écrit en lettres non accentuées, chiffres, _ ou -, sinon entre guillemets)"),
        ("invalid array", "liste [..] invalide"),
        ("invalid inline table", "table { .. } invalide"),
        ("invalid number", "nombre invalide"),
        ("invalid integer", "nombre entier invalide"),
        ("invalid floating-point number", "nombre décimal invalide"),
        ("invalid date-time", "date invalide (format AAAA-MM-JJ)"),
        ("invalid date", "date invalide (format AAAA-MM-JJ)"),
        ("invalid time", "heure invalide"),
        ("invalid string", "valeur invalide (un texte s'écrit entre guillemets)"),
        ("invalid value", "valeur invalide"),
        ("number too large to fit in target type", "nombre trop grand"),
        ("number too small to fit in target type", "nombre trop petit"),
        ("recursion limit exceeded", "tables ou listes imbriquées trop profondément"),
        ("expected newline", "fin de ligne attendue après la valeur"),
        ("unexpected content", "texte inattendu"),
        ("invalid comment", "commentaire invalide (caractère de contrôle)"),
        ("invalid whitespace", "espace invalide"),
        ("invalid newline", "fin de ligne invalide"),
    ];
    if m.starts_with("value is out of range") {
        return Some(
            if date() {
                "date inexistante (jour ou mois hors limites)"
            } else {
                "valeur hors limites"
            }
            .into(),
        );
    }
    fr.iter()
        .filter(|(en, _)| m.starts_with(en))
        .max_by_key(|(en, _)| en.len())
        .map(|(_, f)| f.to_string())
}

/// A TOML parser or deserialiser message in French: each line known translated, the
/// others left out (never an English fragment); « syntaxe incorrecte » when none is known.
pub fn message_toml(m: &str) -> String {
    message_toml_pour(m, "")
}

#[cfg(test)]
pub(crate) fn message_toml_pour_essai(m: &str, valeur: &str) -> String {
    message_toml_pour(m, valeur)
}

/// [`message_toml`] knowing the value written (`2025-01-01` read as a table is a date).
pub(crate) fn message_toml_pour(m: &str, valeur: &str) -> String {
    let mut r: Vec<String> = Vec::new();
    for l in m.lines() {
        if let Some(f) = ligne_message_toml(l, valeur) {
            if !r.contains(&f) {
                r.push(f);
            }
        }
    }
    // « date invalide (format AAAA-MM-JJ) : date inexistante » says it twice
    if r.len() > 1 && r[0].starts_with("date invalide") && r[1].starts_with("date inexistante") {
        r.remove(0);
    }
    // a header refused for a reason of its own (`[[volets.EAJE.plancher]]` after
    // `plancher = "2000"`: a key written twice): the header is well written, only the
    // reason is said
    if r.len() > 1 && r[0].starts_with("en-tête de table [..] invalide") {
        r.remove(0);
    }
    if r.is_empty() {
        "syntaxe incorrecte".to_string()
    } else {
        r.join(" : ")
    }
}

/// `string "deux mille", expected i64` (serde's words) in French: what was written and what
/// the key takes. `valeur`: the value as written, when known.
pub(crate) fn type_inattendu(reste: &str, valeur: &str) -> String {
    let (trouve, attendu) = reste.split_once(", expected").unwrap_or((reste, ""));
    let trouve = trouve.trim();
    let genres: &[(&str, &str)] = &[
        ("string", "texte"),
        ("boolean", "booléen"),
        ("integer", "nombre entier"),
        ("floating point", "nombre décimal"),
        ("float", "nombre décimal"),
        ("map", "table"),
        ("sequence", "liste"),
        ("datetime", "date"),
        ("unit value", "valeur vide"),
    ];
    let (mut genre, ecrit) = genres
        .iter()
        .find(|(en, _)| trouve.starts_with(en))
        .map_or(("valeur", ""), |(en, fr)| (*fr, trouve[en.len()..].trim()));
    // a date deserialised as a table (how toml hands a datetime to serde)
    if genre == "table"
        && valeur.len() >= 8
        && valeur.as_bytes()[..4].iter().all(u8::is_ascii_digit)
        && valeur.as_bytes()[4] == b'-'
    {
        genre = "date";
    }
    let attendu = attendu.trim();
    let attendu =
        if attendu.starts_with('i') || attendu.starts_with('u') || attendu.contains("integer") {
            "un nombre entier"
        } else if attendu.contains("bool") {
            "true ou false"
        } else if attendu.contains("string") {
            "un texte entre guillemets"
        } else if attendu.contains("sequence") || attendu.contains("array") {
            "une liste [ … ]"
        } else if attendu.contains("datetime") || attendu.contains("date") {
            "une date AAAA-MM-JJ"
        } else {
            "une valeur d'un autre type"
        };
    // the value as written when known (`1.0`), else serde's writing without its quotes
    let ecrit = if valeur.is_empty() {
        ecrit.trim_matches(['`', ' '])
    } else {
        ""
    };
    if ecrit.is_empty() {
        format!("type de valeur inattendu : {genre} là où il faut {attendu}")
    } else {
        format!("type de valeur inattendu : {genre} {ecrit} là où il faut {attendu}")
    }
}

/// Where a TOML error is: the key written on line `ligne` (1-based) of `texte`, with the
/// table it is in (`collectivites[2].tranche`, `volets.EAJE.plancher`), and its whole value
/// as written (up to a comment); or, on a table header line, the header.
pub fn cle_et_valeur_toml(texte: &str, ligne: u64) -> (Option<String>, Option<String>) {
    let mut table = String::new();
    let mut tableaux: HashMap<String, usize> = HashMap::new();
    for (i, l) in texte.lines().enumerate() {
        let t = l.trim();
        let numero = i as u64 + 1;
        if t.starts_with('[') {
            let double = t.starts_with("[[");
            let nom = t
                .trim_start_matches('[')
                .split(']')
                .next()
                .unwrap_or("")
                .trim()
                .to_string();
            if numero == ligne {
                return (
                    None,
                    Some(t.split('#').next().unwrap_or(t).trim().to_string()),
                );
            }
            table = if double {
                let k = tableaux.entry(nom.clone()).or_insert(0);
                *k += 1;
                format!("{nom}[{k}]")
            } else {
                nom
            };
            continue;
        }
        if numero != ligne {
            continue;
        }
        let Some((cle, valeur)) = t.split_once('=') else {
            return (None, (!t.is_empty()).then(|| t.to_string()));
        };
        let cle = cle.trim().trim_matches(['"', '\'']).trim();
        let valeur = valeur.trim();
        // the value up to a comment (a `#` outside quotes)
        let mut fin = valeur.len();
        let mut guillemet: Option<char> = None;
        for (j, c) in valeur.char_indices() {
            match (guillemet, c) {
                (None, '"' | '\'') => guillemet = Some(c),
                (Some(g), c) if c == g => guillemet = None,
                (None, '#') => {
                    fin = j;
                    break;
                }
                _ => {}
            }
        }
        let valeur: String = valeur[..fin].trim().chars().take(60).collect();
        let colonne = if cle.is_empty() {
            None
        } else if table.is_empty() {
            Some(cle.to_string())
        } else {
            Some(format!("{table}.{cle}"))
        };
        return (colonne, (!valeur.is_empty()).then_some(valeur));
    }
    (None, None)
}

/// The diagnostic of a TOML file that cannot be read (syntax, or a value of the wrong type
/// or out of range): in French, at its line, naming the key (as the column) and the whole
/// value written there.
pub fn erreur_toml(
    code: Code,
    fichier: &str,
    texte: &str,
    message: &str,
    span: Option<std::ops::Range<usize>>,
) -> Diagnostic {
    let ligne = span.as_ref().map(|s| ligne_de(texte, s.start));
    let (colonne, valeur) = ligne.map_or((None, None), |l| cle_et_valeur_toml(texte, l));
    let fr = message_toml_pour(message, valeur.as_deref().unwrap_or(""));
    // a value of the wrong type is not a syntax error
    let syntaxe = !(fr.starts_with("type de valeur")
        || fr.starts_with("nombre trop")
        || fr.starts_with("date inexistante")
        || fr.starts_with("valeur hors limites")
        || fr.starts_with("clé obligatoire")
        || fr.starts_with("clé inconnue"));
    let mut d = Diagnostic::erreur(
        code,
        fichier,
        if syntaxe {
            format!("TOML invalide : {fr}")
        } else {
            fr
        },
    );
    if let Some(l) = ligne {
        d = d.ligne(l);
    }
    if let Some(c) = colonne {
        d = d.colonne(c);
    }
    if let Some(v) = valeur {
        d = d.valeur(v);
    }
    d
}

/// The text of a TOML file with its lone carriage returns (old Mac line ends, which TOML
/// does not admit) read as line feeds: the same bytes, the same offsets and lines.
pub fn fins_de_ligne_toml(texte: &str) -> std::borrow::Cow<'_, str> {
    let o = texte.as_bytes();
    let seul = |i: usize| o[i] == b'\r' && o.get(i + 1) != Some(&b'\n');
    if !(0..o.len()).any(seul) {
        return std::borrow::Cow::Borrowed(texte);
    }
    let mut r = String::with_capacity(texte.len());
    let mut chars = texte.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            r.push('\n');
        } else {
            r.push(c);
        }
    }
    std::borrow::Cow::Owned(r)
}

/// Line (1-based) of byte `pos` of `texte`.
pub fn ligne_de(texte: &str, pos: usize) -> u64 {
    1 + texte.as_bytes()[..pos.min(texte.len())]
        .iter()
        .filter(|b| **b == b'\n')
        .count() as u64
}
