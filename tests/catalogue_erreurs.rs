//! The catalogue of error and warning codes (docs/erreurs.md) against the one list of codes,
//! the enum `diagnostic::Code`: every code has its entry in docs/erreurs.md, in the section
//! of its category, with an example message, and some test makes the program produce it;
//! every entry of the catalogue is a code of the enum; no source writes a code as a text.

use bonus_ctg::diagnostic::Code;
use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

fn racine() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir` whose name ends with one of `ext`.
fn fichiers(dir: &Path, ext: &[&str], r: &mut Vec<std::path::PathBuf>) {
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            fichiers(&p, ext, r);
        } else if ext.iter().any(|x| p.to_string_lossy().ends_with(x)) {
            r.push(p);
        }
    }
}

/// The codes written as string literals (`"E023"`) in a text.
fn codes_litteraux(texte: &str) -> BTreeSet<String> {
    let o = texte.as_bytes();
    let mut r = BTreeSet::new();
    for i in 0..o.len().saturating_sub(5) {
        let c = &o[i..i + 6];
        if c[0] == b'"'
            && (c[1] == b'E' || c[1] == b'W')
            && c[2..5].iter().all(u8::is_ascii_digit)
            && c[5] == b'"'
        {
            r.insert(String::from_utf8_lossy(&c[1..5]).into_owned());
        }
    }
    r
}

/// The codes of the enum, the one list.
fn codes() -> Vec<Code> {
    Code::TOUS.to_vec()
}

/// An entry of docs/erreurs.md: its code, the heading of the section it sits in, its text
/// up to the next heading.
struct Entree {
    code: String,
    section: String,
    texte: String,
}

/// The entries of docs/erreurs.md, in order.
fn sections() -> Vec<Entree> {
    let doc = fs::read_to_string(racine().join("docs/erreurs.md")).unwrap();
    let mut r: Vec<Entree> = Vec::new();
    let mut section = String::new();
    for l in doc.lines() {
        if let Some(t) = l.strip_prefix("## ") {
            let t = t.trim();
            let est_code = t.len() == 4
                && (t.starts_with('E') || t.starts_with('W'))
                && t[1..].bytes().all(|b| b.is_ascii_digit());
            if !est_code {
                section = t.to_string();
            }
            r.push(Entree {
                code: if est_code {
                    t.to_string()
                } else {
                    String::new()
                },
                section: section.clone(),
                texte: String::new(),
            });
        } else if let Some(e) = r.last_mut() {
            e.texte.push_str(l);
            e.texte.push('\n');
        }
    }
    r.retain(|e| !e.code.is_empty());
    r
}

#[test]
fn chaque_code_a_son_entree_avec_un_exemple() {
    let codes = codes();
    assert!(codes.len() >= 40, "{codes:?}");
    let sections = sections();
    let mut manques = Vec::new();
    for code in &codes {
        let gravite = if code.est_erreur() {
            "erreur"
        } else {
            "avertissement"
        };
        match sections.iter().find(|e| e.code == code.as_str()) {
            None => manques.push(format!("{code} : pas d'entrée « ## {code} »")),
            Some(Entree { section, texte, .. }) => {
                if section != code.categorie().titre() {
                    manques.push(format!(
                        "{code} : rangé sous « {section} » au lieu de « {} »",
                        code.categorie().titre()
                    ));
                }
                // a web page says « Erreur E130 — … »
                if !texte.contains(&format!("{gravite} {code} :"))
                    && !texte.contains(&format!("Erreur {code} —"))
                {
                    manques.push(format!("{code} : pas d'exemple « {gravite} {code} : … »"));
                }
            }
        }
    }
    assert!(
        manques.is_empty(),
        "docs/erreurs.md :\n{}",
        manques.join("\n")
    );
}

#[test]
fn chaque_entree_est_un_code_emis() {
    let codes: BTreeSet<String> = codes().iter().map(|c| c.to_string()).collect();
    let mut vus = BTreeSet::new();
    for Entree { code: c, .. } in sections() {
        assert!(
            codes.contains(&c),
            "docs/erreurs.md décrit {c}, qui n'est pas dans l'enum diagnostic::Code"
        );
        assert!(
            vus.insert(c.clone()),
            "docs/erreurs.md décrit {c} deux fois"
        );
    }
}

/// No source writes a code as a text (`"E023"`): every code goes through the enum, so the
/// catalogue checks above see every code the program can emit.
#[test]
fn aucun_code_ecrit_en_texte() {
    let mut f = Vec::new();
    fichiers(&racine().join("src"), &[".rs"], &mut f);
    let mut textes = Vec::new();
    // the enum itself may spell its codes out
    f.retain(|p| !p.ends_with("diagnostic/code.rs"));
    for p in f {
        let codes = codes_litteraux(&fs::read_to_string(&p).unwrap());
        if !codes.is_empty() {
            textes.push(format!("{} : {codes:?}", p.display()));
        }
    }
    assert!(
        textes.is_empty(),
        "codes écrits en texte (utilisez diagnostic::Code) :\n{}",
        textes.join("\n")
    );
}

/// Codes no input can produce, with the reason (they still have their catalogue entry).
const SANS_CAS: &[(Code, &str)] = &[(
    Code::E122,
    "échec interne de l'écrivain PDF (polices incorporées) : aucune donnée du dossier ne le provoque",
)];

/// Some test asserts each code: a case of tests/entrees/cas.toml or tests/verifier, an
/// assertion or a snapshot that contains `CODE :` (text) or `"code":"CODE"` (JSON), or the
/// code compared as a value (`"CODE"` or `Code::CODE`).
#[test]
fn chaque_code_est_produit_par_un_test() {
    let mut f = Vec::new();
    fichiers(
        &racine().join("tests"),
        &[".rs", ".toml", ".snap", ".txt", ".csv"],
        &mut f,
    );
    fichiers(&racine().join("src"), &[".rs"], &mut f);
    let mut textes = String::new();
    for p in f {
        if let Ok(t) = fs::read_to_string(&p) {
            // only the tests of src/ files (after their `#[cfg(test)]`)
            let t = match (p.starts_with(racine().join("src")), t.find("#[cfg(test)]")) {
                (true, Some(i)) => t[i..].to_string(),
                (true, None) => continue,
                (false, _) => t,
            };
            textes.push_str(&t);
        }
    }
    let mut sans_test = Vec::new();
    for code in codes() {
        if let Some((_, pourquoi)) = SANS_CAS.iter().find(|(c, _)| *c == code) {
            assert!(!pourquoi.is_empty());
            continue;
        }
        let formes = [
            format!("{code} :"),
            format!("\"code\":\"{code}\""),
            format!("\\\"code\\\":\\\"{code}\\\""),
            format!("code, \"{code}\""),
            format!("code == \"{code}\""),
            format!("\"{code}\")"),
            format!("erreur {code}"),
            format!("\"{code}\","),
            format!("avertissement {code}"),
            format!("code, Code::{code})"),
            format!("code, Code::{code},"),
            format!("code == Code::{code}"),
            format!("(Code::{code}, Some("),
        ];
        if !formes.iter().any(|f| textes.contains(f.as_str())) {
            sans_test.push(code);
        }
    }
    assert!(
        sans_test.is_empty(),
        "codes qu'aucun test ne produit : {sans_test:?}"
    );
}
