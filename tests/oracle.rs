//! Differential test: the binary's rfc4180 CSV equals, byte for byte, the output of the
//! independent Python reference implementation (`scripts/oracle.py`, written from the rules
//! alone, with `fractions.Fraction`) on every fixture and every oracle case.

mod commun;

use std::path::Path;
use std::process;

fn dossiers() -> Vec<String> {
    let mut v = Vec::new();
    for racine in ["fixtures", "tests/oracle_cas"] {
        let mut d: Vec<String> = std::fs::read_dir(racine)
            .unwrap()
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join("convention.toml").exists())
            .map(|e| e.path().display().to_string())
            .collect();
        d.sort();
        v.extend(d);
    }
    v
}

#[test]
fn identique_a_l_oracle_python() {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let dossiers = dossiers();
    assert!(
        dossiers.len() >= 15,
        "fixtures et cas de l'oracle introuvables : {dossiers:?}"
    );
    for d in &dossiers {
        let (statut, sortie, err) = commun::csv_comme_l_oracle(Path::new(d), &[]);
        assert!(statut.success(), "{d} : {}", String::from_utf8_lossy(&err));
        let oracle = process::Command::new(&python)
            .arg(Path::new("scripts/oracle.py"))
            .arg(d)
            .output()
            .unwrap_or_else(|e| {
                panic!("python3 est requis pour le test différentiel ({python}) : {e}")
            });
        assert!(
            oracle.status.success(),
            "oracle {d} : {}",
            String::from_utf8_lossy(&oracle.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&sortie),
            String::from_utf8_lossy(&oracle.stdout),
            "le calcul Rust diffère de l'oracle pour {d}"
        );
    }
}
