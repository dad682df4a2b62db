//! Odd and bad inputs: every case of `tests/entrees/cas.toml` is run through the
//! real binary. A case starts from the base dossier `tests/entrees/base/`, replaces or
//! removes files, and states the exact outcome: the CSV output (`sortie`, compared byte for
//! byte with a file computed by the independent Python oracle) and the exact lines printed
//! on stderr (`diagnostics`), or the exact error lines and the exit code 1.
//!
//! The `.xlsx` inputs are written with rust_xlsxwriter by `tests/entrees/classeurs.rs`
//! (also the seeds of the xlsx fuzz target: `cargo run --example graines_xlsx`); the other
//! files come from `tests/entrees/generer.py` and are committed.

mod commun;

#[path = "entrees/classeurs.rs"]
mod classeurs;

use classeurs::{ecrire_xlsx, racine};
use serde::Deserialize;
use std::fs;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifeste {
    cas: Vec<Cas>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Cas {
    nom: String,
    /// files of tests/entrees/fichiers/ used as structures.csv, charges_n1.csv, …
    structures: Option<String>,
    charges: Option<String>,
    convention: Option<String>,
    bareme: Option<String>,
    /// base files removed
    #[serde(default)]
    supprimer: Vec<String>,
    /// directories created under these names (unreadable « files »)
    #[serde(default)]
    repertoires: Vec<String>,
    /// a file of the dossier made larger than the 200 MB limit (sparse, no disk used)
    gros: Option<String>,
    /// workbooks written by `ecrire_xlsx`
    #[serde(default)]
    xlsx: Vec<String>,
    /// extra command-line arguments
    #[serde(default)]
    arguments: Vec<String>,
    /// expected CSV (rfc4180) on stdout: "base" (tests/entrees/attendu-base.csv) or a file
    /// of tests/entrees/; absent when the run must fail (exit code 1, empty stdout)
    sortie: Option<String>,
    /// exact stderr lines, `{dossier}` standing for the dossier's path (all of them, or the
    /// first ones when `nombre` is given)
    #[serde(default)]
    diagnostics: Vec<String>,
    /// exact last stderr lines (with `nombre`)
    #[serde(default)]
    fin: Vec<String>,
    /// number of stderr lines, when only the first and last ones are listed
    nombre: Option<usize>,
}

/// Builds the case's dossier in `d`.
fn preparer(cas: &Cas, d: &Path) {
    for f in ["convention.toml", "structures.csv", "charges_n1.csv"] {
        fs::copy(racine().join("base").join(f), d.join(f)).unwrap();
    }
    let fichiers = racine().join("fichiers");
    for (source, cible) in [
        (&cas.structures, "structures.csv"),
        (&cas.charges, "charges_n1.csv"),
        (&cas.convention, "convention.toml"),
        (&cas.bareme, "bareme.toml"),
    ] {
        if let Some(s) = source {
            fs::copy(fichiers.join(s), d.join(cible))
                .unwrap_or_else(|e| panic!("{} : {s} : {e}", cas.nom));
        }
    }
    for f in &cas.supprimer {
        fs::remove_file(d.join(f)).unwrap();
    }
    for r in &cas.repertoires {
        let _ = fs::remove_file(d.join(r));
        fs::create_dir(d.join(r)).unwrap();
    }
    if let Some(g) = &cas.gros {
        let f = fs::OpenOptions::new().write(true).open(d.join(g)).unwrap();
        f.set_len(200_000_001).unwrap(); // sparse: no disk used
    }
    for x in &cas.xlsx {
        ecrire_xlsx(x, d);
    }
}

/// Runs one case; `Err` describes every difference.
fn executer(cas: &Cas) -> Result<(), String> {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("dossier");
    fs::create_dir(&d).unwrap();
    preparer(cas, &d);
    let (statut, stdout, stderr) = commun::csv_comme_l_oracle(&d, &cas.arguments);
    let stderr = String::from_utf8_lossy(&stderr).replace(&d.display().to_string(), "{dossier}");
    let lignes: Vec<&str> = stderr.lines().collect();
    let mut ecarts = Vec::new();
    let code_attendu = if cas.sortie.is_some() { 0 } else { 1 };
    if statut.code() != Some(code_attendu) {
        ecarts.push(format!(
            "code de sortie {:?}, attendu {code_attendu}",
            statut.code()
        ));
    }
    match &cas.sortie {
        Some(s) => {
            let f = if s == "base" {
                "attendu-base.csv"
            } else {
                s.as_str()
            };
            let attendu = fs::read(racine().join(f)).unwrap();
            if stdout != attendu {
                ecarts.push(format!(
                    "sortie CSV différente de {f} :\n{}",
                    String::from_utf8_lossy(&stdout)
                ));
            }
        }
        None => {
            if !stdout.is_empty() {
                ecarts.push("une sortie a été écrite malgré l'erreur".into());
            }
        }
    }
    let ok = match cas.nombre {
        None => lignes == cas.diagnostics,
        Some(n) => {
            lignes.len() == n
                && lignes.starts_with(
                    &cas.diagnostics
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>(),
                )
                && lignes.ends_with(&cas.fin.iter().map(String::as_str).collect::<Vec<_>>())
        }
    };
    if !ok {
        ecarts.push(format!(
            "stderr ({} lignes) :\n{}\nattendu :\n{}",
            lignes.len(),
            lignes
                .iter()
                .take(6)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n"),
            cas.diagnostics.join("\n")
        ));
    }
    if ecarts.is_empty() {
        Ok(())
    } else {
        Err(ecarts.join("\n"))
    }
}

fn manifeste() -> Manifeste {
    let t = fs::read_to_string(racine().join("cas.toml")).unwrap();
    toml::from_str(&t).unwrap()
}

#[test]
fn tous_les_cas_d_entree() {
    let m = manifeste();
    let mut echecs = Vec::new();
    let mut noms = std::collections::HashSet::new();
    for cas in &m.cas {
        assert!(noms.insert(&cas.nom), "cas en double : {}", cas.nom);
        if let Err(e) = executer(cas) {
            echecs.push(format!("--- {} ---\n{e}", cas.nom));
        }
    }
    assert!(
        echecs.is_empty(),
        "{} cas sur {} en échec :\n{}",
        echecs.len(),
        m.cas.len(),
        echecs.join("\n\n")
    );
}

/// The manifest covers every committed input file and every diagnostic code.
#[test]
fn couverture_du_manifeste() {
    let m = manifeste();
    let utilises: std::collections::HashSet<&str> = m
        .cas
        .iter()
        .flat_map(|c| [&c.structures, &c.charges, &c.convention, &c.bareme])
        .flatten()
        .map(String::as_str)
        .collect();
    let mut fichiers = 0;
    for f in fs::read_dir(racine().join("fichiers")).unwrap() {
        let n = f.unwrap().file_name().into_string().unwrap();
        assert!(utilises.contains(n.as_str()), "fichier sans cas : {n}");
        fichiers += 1;
    }
    assert!(fichiers >= 40, "{fichiers} fichiers d'entrée seulement");
    let texte = fs::read_to_string(racine().join("cas.toml")).unwrap();
    let doc =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/erreurs.md")).unwrap();
    // the codes of reading a dossier's files, by their category in the enum
    use bonus_ctg::diagnostic::{Categorie as C, Code};
    let lecture = [
        C::Fichiers,
        C::Tableaux,
        C::Convention,
        C::Limites,
        C::Avertissements,
        C::LectureEntetes,
    ];
    let codes: Vec<Code> = Code::TOUS
        .iter()
        .copied()
        .filter(|c| lecture.contains(&c.categorie()))
        .collect();
    // E001–E027, W001–W008, and E050–E058, W050 (docs/regles.md R50)
    assert_eq!(codes.len(), 27 + 8 + 10);
    for code in codes {
        assert!(
            texte.contains(&format!("{code} :")) || texte.contains(&format!("\"code\":\"{code}\"")),
            "aucun cas ne produit {code}"
        );
        assert!(
            doc.contains(&format!("## {code}")),
            "{code} absent de docs/erreurs.md"
        );
    }
}
