//! The catalogue of error and warning codes (docs/erreurs.md) against the code itself, with
//! no hand-kept list: every code the sources can emit (a `"E123"` / `"W123"` literal in
//! `src/`) has its entry in docs/erreurs.md with an example message, and some test makes the
//! program produce it; every entry of the catalogue is a code the sources still emit.

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

fn codes_des_sources() -> BTreeSet<String> {
    let mut f = Vec::new();
    fichiers(&racine().join("src"), &[".rs"], &mut f);
    let mut r = BTreeSet::new();
    for p in f {
        r.extend(codes_litteraux(&fs::read_to_string(p).unwrap()));
    }
    r
}

/// The sections of docs/erreurs.md: code → text up to the next heading.
fn sections() -> Vec<(String, String)> {
    let doc = fs::read_to_string(racine().join("docs/erreurs.md")).unwrap();
    let mut r: Vec<(String, String)> = Vec::new();
    for l in doc.lines() {
        if let Some(t) = l.strip_prefix("## ") {
            let t = t.trim();
            let est_code = t.len() == 4
                && (t.starts_with('E') || t.starts_with('W'))
                && t[1..].bytes().all(|b| b.is_ascii_digit());
            r.push((
                if est_code {
                    t.to_string()
                } else {
                    String::new()
                },
                String::new(),
            ));
        } else if let Some((_, s)) = r.last_mut() {
            s.push_str(l);
            s.push('\n');
        }
    }
    r.retain(|(c, _)| !c.is_empty());
    r
}

#[test]
fn chaque_code_a_son_entree_avec_un_exemple() {
    let codes = codes_des_sources();
    assert!(codes.len() >= 40, "{codes:?}");
    let sections = sections();
    let mut manques = Vec::new();
    for code in &codes {
        let gravite = if code.starts_with('E') {
            "erreur"
        } else {
            "avertissement"
        };
        match sections.iter().find(|(c, _)| c == code) {
            None => manques.push(format!("{code} : pas d'entrée « ## {code} »")),
            Some((_, texte)) => {
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
    let codes = codes_des_sources();
    let mut vus = BTreeSet::new();
    for (c, _) in sections() {
        assert!(
            codes.contains(&c),
            "docs/erreurs.md décrit {c}, que le programme n'émet plus"
        );
        assert!(
            vus.insert(c.clone()),
            "docs/erreurs.md décrit {c} deux fois"
        );
    }
}

/// Codes no input can produce, with the reason (they still have their catalogue entry).
const SANS_CAS: &[(&str, &str)] = &[(
    "E122",
    "échec interne de l'écrivain PDF (polices incorporées) : aucune donnée du dossier ne le provoque",
)];

/// Some test asserts each code: a case of tests/entrees/cas.toml or tests/verifier, an
/// assertion or a snapshot that contains `CODE :` (text) or `"code":"CODE"` (JSON), or the
/// code compared as a value.
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
    for code in codes_des_sources() {
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
