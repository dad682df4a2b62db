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
            err.starts_with("erreur E170 : "),
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

fn csv(args: &[&str]) -> String {
    let o = bin()
        .args(args)
        .args(["--profil", "rfc4180"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{args:?} {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// One table per CSV: the structures by default, the others with --table, each its own
/// header and no empty line.
#[test]
fn une_table_par_csv() {
    let d = DOSSIER;
    let s = csv(&["calculer", d, "--format", "csv"]);
    assert!(s.starts_with("id,nom,type,volet,"), "{s}");
    assert!(!s.contains("\n\n") && !s.contains("TOTAL_CAF"));
    // new columns come after `variation`
    let entete = s.lines().next().unwrap();
    let v = entete.find(",variation").unwrap();
    assert!(entete[v..].contains("bonus_trajectoire"), "{entete}");
    for (table, entete) in [
        (
            "gestionnaires",
            "gestionnaire,structures,structures_eligibles,bonus_n1,",
        ),
        (
            "collectivites",
            "collectivite,nom,charge_n1,bonus_structures,",
        ),
        (
            "rapprochement",
            "collectivite,volet,charge_n1,lissage_verse,",
        ),
        ("totaux", "indicateur,montant\n"),
    ] {
        let t = csv(&["calculer", d, "--format", "csv", "--table", table]);
        assert!(t.starts_with(entete), "{table} : {t}");
        assert!(!t.contains("\n\n"), "{table}");
    }
    // Dugny, LAEP: A = 10 000,00 € fully paid as lissage (5 333,33 + 4 666,67)
    let r = csv(&["calculer", d, "--format", "csv", "--table", "rapprochement"]);
    assert!(
        r.lines()
            .any(|l| l.starts_with("DUGNY,LAEP,10000.00,10000.00,")),
        "{r}"
    );
    // projeter: structures × years by default, totaux and trajectoire on demand
    let p = csv(&["projeter", d, "--format", "csv"]);
    assert!(p.starts_with("exercice,id,"), "{p}");
    assert!(!p.contains("\n\n"));
    for table in ["totaux", "trajectoire"] {
        let t = csv(&["projeter", d, "--format", "csv", "--table", table]);
        assert!(
            !t.contains("\n\n") && t.lines().count() > 1,
            "{table} : {t}"
        );
    }
}

/// `--sortie DOSSIER/` writes every table, one file each; with another format or a --table,
/// a usage error.
#[test]
fn toutes_les_tables_dans_un_dossier() {
    let t = tempfile::tempdir().unwrap();
    let dir = format!("{}/tables/", t.path().display());
    bin()
        .args(["calculer", DOSSIER, "--silencieux", "--sortie", &dir])
        .assert()
        .code(0);
    let mut noms: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    noms.sort();
    assert_eq!(
        noms,
        [
            "collectivites.csv",
            "gestionnaires.csv",
            "rapprochement.csv",
            "structures.csv",
            "totaux.csv"
        ]
    );
    // the same bytes as one table at a time (excel-fr profile: BOM, « ; »)
    let seule = bin()
        .args(["calculer", DOSSIER, "--format", "csv", "--table", "totaux"])
        .output()
        .unwrap()
        .stdout;
    assert_eq!(std::fs::read(format!("{dir}totaux.csv")).unwrap(), seule);
    // again: the files exist, --ecraser needed
    bin()
        .args(["calculer", DOSSIER, "--sortie", &dir])
        .assert()
        .code(1);
    bin()
        .args(["calculer", DOSSIER, "--sortie", &dir, "--ecraser"])
        .assert()
        .code(0);
    for args in [&["--format", "json"][..], &["--table", "totaux"]] {
        bin()
            .args(["calculer", DOSSIER, "--sortie", &dir])
            .args(args)
            .assert()
            .code(2);
    }
    let p = format!("{}/projection/", t.path().display());
    bin()
        .args(["projeter", DOSSIER, "--silencieux", "--sortie", &p])
        .assert()
        .code(0);
    assert!(std::path::Path::new(&format!("{p}trajectoire.csv")).is_file());
    // --table with a format that holds every table
    bin()
        .args(["calculer", DOSSIER, "--format", "json", "--table", "totaux"])
        .assert()
        .code(2);
    // the tables are written together: one file that may not be replaced (a link) and
    // nothing is written, the other tables included
    #[cfg(unix)]
    {
        let d = t.path().join("ensemble");
        std::fs::create_dir(&d).unwrap();
        std::fs::write(d.join("totaux.csv"), "ancien").unwrap();
        std::os::unix::fs::symlink(t.path().join("ailleurs"), d.join("structures.csv")).unwrap();
        let out = bin()
            .args(["calculer", DOSSIER, "--ecraser", "--sortie"])
            .arg(format!("{}/", d.display()))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let e = String::from_utf8(out.stderr).unwrap();
        assert!(e.contains("E081"), "{e}");
        assert_eq!(
            std::fs::read_to_string(d.join("totaux.csv")).unwrap(),
            "ancien"
        );
        let mut noms: Vec<String> = std::fs::read_dir(&d)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        noms.sort();
        assert_eq!(noms, ["structures.csv", "totaux.csv"]);
        // a link to a folder is never followed (even written with a final « / »)
        let lien = t.path().join("lien");
        std::os::unix::fs::symlink(t.path().join("tables"), &lien).unwrap();
        let out = bin()
            .args(["calculer", DOSSIER, "--ecraser", "--sortie"])
            .arg(format!("{}/", lien.display()))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1));
        let e = String::from_utf8(out.stderr).unwrap();
        assert!(
            e.contains("E081") && e.contains("un lien symbolique n'est pas suivi"),
            "{e}"
        );
    }
}

/// The columns of a CSV table by name, one map per row (rfc4180 profile: `.` decimals).
fn lignes_csv(t: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut l = t.lines();
    let entete: Vec<&str> = l.next().unwrap().split(',').collect();
    l.map(|x| {
        entete
            .iter()
            .map(|c| c.to_string())
            .zip(x.split(',').map(str::to_string))
            .collect()
    })
    .collect()
}

/// Cents of a `1234.56` field.
fn centimes(s: &str) -> i64 {
    let (e, d) = s.split_once('.').unwrap();
    e.parse::<i64>().unwrap() * 100 + d.parse::<i64>().unwrap()
}

/// Every row of the gestionnaire and collectivité tables adds up with the bonus trajectoire
/// and the CTRE shown: bonus_total = lissage + nouvelles + trajectoire (gestionnaires);
/// verse_caf = bonus aux structures + CTRE + versé à la collectivité (collectivités).
/// Gevrey-Nuits by hand: Commune de Gevrey-Chambertin 38 400,00 + 12 000,00 (CTRE of the
/// crèche inter-entreprises) + 0,00 = 50 400,00; the manager « Entreprise de crèches
/// (fictive) » bonus 0,00, CTRE 12 000,00. Dugny, « Ville de Dugny »: lissage 197 000,00
/// + nouvelles 0,00 + trajectoire 6 000,00 = 203 000,00.
#[test]
fn tables_de_totaux_avec_trajectoire_et_ctre() {
    for d in [DOSSIER, "fixtures/gevrey-nuits", "fixtures/dijon-2024"] {
        let g = csv(&["calculer", d, "--format", "csv", "--table", "gestionnaires"]);
        for l in lignes_csv(&g) {
            let c = |k: &str| centimes(&l[k]);
            assert_eq!(
                c("bonus_lissage") + c("bonus_nouvelles") + c("bonus_trajectoire"),
                c("bonus_total"),
                "{d} {l:?}"
            );
        }
        let t = csv(&["calculer", d, "--format", "csv", "--table", "collectivites"]);
        for l in lignes_csv(&t) {
            let c = |k: &str| centimes(&l[k]);
            assert_eq!(
                c("bonus_structures") + c("bonus_ctre") + c("verse_collectivite"),
                c("verse_caf"),
                "{d} {l:?}"
            );
        }
    }
    let t = csv(&[
        "calculer",
        "fixtures/gevrey-nuits",
        "--format",
        "csv",
        "--table",
        "collectivites",
    ]);
    let gevrey = lignes_csv(&t)
        .into_iter()
        .find(|l| l["collectivite"] == "GEVREY")
        .unwrap();
    assert_eq!(
        (
            gevrey["bonus_structures"].as_str(),
            gevrey["bonus_ctre"].as_str(),
            gevrey["verse_caf"].as_str()
        ),
        ("38400.00", "12000.00", "50400.00")
    );
    let g = csv(&[
        "calculer",
        "fixtures/gevrey-nuits",
        "--format",
        "csv",
        "--table",
        "gestionnaires",
    ]);
    assert!(
        g.lines()
            .any(|l| l.starts_with("Entreprise de crèches (fictive),")
                && l.ends_with(",0.00,12000.00")),
        "{g}"
    );
    let g = csv(&[
        "calculer",
        DOSSIER,
        "--format",
        "csv",
        "--table",
        "gestionnaires",
    ]);
    let dugny = lignes_csv(&g)
        .into_iter()
        .find(|l| l["gestionnaire"] == "Ville de Dugny")
        .unwrap();
    assert_eq!(
        (
            dugny["bonus_lissage"].as_str(),
            dugny["bonus_trajectoire"].as_str(),
            dugny["bonus_total"].as_str()
        ),
        ("197000.00", "6000.00", "203000.00")
    );
}
