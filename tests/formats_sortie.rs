//! The output format from `--sortie`'s extension, and its usage errors (exit 2, said before
//! the dossier is read, nothing written).

use assert_cmd::Command;

fn bin() -> Command {
    Command::cargo_bin("bonus-ctg").unwrap()
}

const DOSSIER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/dugny");

#[test]
fn format_deduit_de_l_extension() {
    let t = tempfile::tempdir().unwrap();
    for (nom, debut) in [
        ("r.csv", &b"\xEF\xBB\xBFid;nom;type"[..]),
        ("r.json", b"{"),
        ("r.xlsx", b"PK\x03\x04"),
        ("r.html", b"<!DOCTYPE html>"),
        ("r.txt", b""),
    ] {
        let p = t.path().join(nom);
        bin()
            .args(["calculer", DOSSIER, "--silencieux", "--sortie"])
            .arg(&p)
            .assert()
            .code(0);
        let o = std::fs::read(&p).unwrap();
        assert!(o.starts_with(debut), "{nom} : {:?}", &o[..o.len().min(20)]);
    }
    // .txt: the table, as on the terminal
    let table = std::fs::read_to_string(t.path().join("r.txt")).unwrap();
    assert!(table.contains("LAEP-LAPINOUS"), "{table}");
}

#[test]
fn extension_inconnue_ou_contradictoire() {
    let t = tempfile::tempdir().unwrap();
    let cas: [(&[&str], &str); 5] = [
        (
            &["--sortie", "r.pdf"],
            "l'extension « .pdf » ne correspond à aucun format de sortie",
        ),
        (
            &["--sortie", "resultat"],
            "sans extension, le format est inconnu",
        ),
        (
            &["--format", "csv", "--sortie", "r.json"],
            "--format csv et --sortie « .json » se contredisent",
        ),
        (
            &["--format", "table", "--sortie", "r.xlsx"],
            "--format table et --sortie « .xlsx » se contredisent",
        ),
        (
            &["--format", "csv", "--sortie", "r.dat"],
            "l'extension « .dat » ne correspond à aucun format",
        ),
    ];
    for (args, message) in cas {
        let o = bin()
            .current_dir(t.path())
            .args(["calculer", DOSSIER])
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?} : {err}");
        assert!(
            err.starts_with("erreur : "),
            "{args:?} : le dossier a été lu avant : {err}"
        );
        assert!(err.contains(message), "{args:?} : {err}");
        assert_eq!(
            std::fs::read_dir(t.path()).unwrap().count(),
            0,
            "{args:?} : fichier écrit"
        );
    }
    // verifier writes a table, CSV or JSON only
    let o = bin()
        .current_dir(t.path())
        .args(["comparer", DOSSIER, DOSSIER, "--sortie", "c.xlsx"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("pas de xlsx"));
}
