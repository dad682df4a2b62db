//! Installation facts: the `rust-version` that Cargo.toml (and the README) announce is the
//! real minimum of the locked dependencies — the highest `rust-version` they declare.
//! Only the packages built on this machine's platform are read: a fresh machine has not
//! downloaded the others (Windows-only crates), and the test runs offline.

use std::process::Command;

fn version(s: &str) -> Vec<u32> {
    s.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

#[test]
fn rust_version_est_le_minimum_des_dependances() {
    let rustc = Command::new("rustc")
        .arg("-vV")
        .output()
        .expect("rustc -vV");
    let rustc = String::from_utf8_lossy(&rustc.stdout);
    let hote = rustc
        .lines()
        .find_map(|l| l.strip_prefix("host: "))
        .expect("rustc -vV sans ligne host");
    let sortie = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline", "--locked"])
        .args(["--filter-platform", hote])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata");
    assert!(
        sortie.status.success(),
        "{}",
        String::from_utf8_lossy(&sortie.stderr)
    );
    let m: serde_json::Value = serde_json::from_slice(&sortie.stdout).unwrap();
    let mut annonce = None;
    let mut maximum: (Vec<u32>, String) = (vec![0], String::new());
    for p in m["packages"].as_array().unwrap() {
        let Some(rv) = p["rust_version"].as_str() else {
            continue;
        };
        if p["name"] == "bonus-ctg" {
            annonce = Some(rv.to_string());
        } else if version(rv) > maximum.0 {
            maximum = (
                version(rv),
                format!("{} {} ({rv})", p["name"], p["version"]),
            );
        }
    }
    let annonce = annonce.expect("rust-version absent de Cargo.toml");
    assert_eq!(
        version(&annonce),
        maximum.0,
        "Cargo.toml annonce {annonce}, la dépendance la plus exigeante est {}",
        maximum.1
    );
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    assert!(
        readme.contains(&format!("Rust ≥ {annonce}")),
        "le README doit dire « Rust ≥ {annonce} »"
    );
}
