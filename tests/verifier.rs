//! `bonus-ctg verifier`: a notification that matches, one with a 1-cent rounding difference,
//! one with a wrong unit count, one with an unmatched and an ambiguous name, one with a
//! different N-1 envelope, and an XLSX notification.
//!
//! Dossier tests/verifier/dossier (hand computation, see tests/verifier/LISEZMOI.md):
//! * EAJE: A = 90 000,00 + 10 000,00 = 100 000,00 € ; U = 20 + 30 + 50 = 100 places
//!   (MICRO-D is PAJE: ineligible) ; m = 1 000 €/place → A 20 000, B 30 000, C 50 000 €.
//! * RPE: A = 10 000,00 € ; 3 × 1 ETP ; each exact share 3 333,33 + 1/3 c ; T = 10 000,00 ;
//!   floors 3 × 3 333,33 = 9 999,99 ; 1 cent to the smallest id RPE-EST → 3 333,34.
//! * ALSH: A = 20 000,00 € ; U = 40 + 60 ; m = 200 € → ALSH-NORD 8 000, ALSH-SUD 12 000 €.
//!   Both are named « Accueil de loisirs ».

use assert_cmd::Command;
use bonus_ctg::diagnostic::Diagnostics;
use bonus_ctg::lecture::{lire_dossier, OptionsLecture};
use bonus_ctg::modele::Montant;
use bonus_ctg::verification::{analyser_csv, analyser_tableur, verifier, Statut, Verification};
use std::path::Path;

const DOSSIER: &str = "tests/verifier/dossier";

fn verifier_fichier(nom: &str) -> Verification {
    let mut d = Diagnostics::default();
    let lu = lire_dossier(Path::new(DOSSIER), &OptionsLecture::default(), &mut d).unwrap();
    let (r, _) = bonus_ctg::traiter(&lu, None, "bareme.toml").unwrap();
    let chemin = format!("tests/verifier/{nom}");
    let texte = std::fs::read_to_string(&chemin).unwrap();
    let lignes = analyser_csv(&chemin, &texte, &mut d);
    assert!(!d.a_des_erreurs(), "{:?}", d);
    verifier(&r, &lu.dossier, &chemin, &lignes).unwrap()
}

fn ligne<'a>(v: &'a Verification, id: &str) -> &'a bonus_ctg::verification::LigneVerifiee {
    v.lignes
        .iter()
        .find(|l| l.id.as_deref() == Some(id))
        .unwrap_or_else(|| panic!("{id} absent"))
}

fn bcg() -> Command {
    Command::cargo_bin("bonus-ctg").unwrap()
}

#[test]
fn notification_concordante() {
    let v = verifier_fichier("notification-concorde.csv");
    // matched by id, by name with other case and accents, id in lower case
    assert_eq!(v.lignes.len(), 8);
    assert!(v.concorde(), "{:#?}", v.lignes);
    assert_eq!(ligne(&v, "CRECHE-B").ligne, Some(3)); // « crèche des BLEUETS », line 3
    assert_eq!(ligne(&v, "RPE-EST").notifie, Some(Montant(333_334)));
    // 20 000 + 30 000 + 50 000 + 3 × 3 333,33 + 0,01 + 8 000 + 12 000 = 130 000,00 €
    assert_eq!(v.total_notifie, Montant(13_000_000));
    assert_eq!(v.total_recalcule, Montant(13_000_000));
    bcg()
        .args(["verifier", DOSSIER, "--notification"])
        .arg("tests/verifier/notification-concorde.csv")
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "La notification concorde au centime avec le calcul.",
        ));
}

#[test]
fn ecart_d_arrondi_d_un_centime() {
    // The Caf rounded RPE-EST's exact share 3 333,333… € line by line: 3 333,33 €, where the
    // group rounding gives the group's remaining cent to RPE-EST: 3 333,34 €.
    let v = verifier_fichier("notification-arrondi.csv");
    assert!(!v.concorde());
    let l = ligne(&v, "RPE-EST");
    assert_eq!(l.statut, Statut::Ecart);
    assert_eq!(l.ecart, Some(Montant(-1)));
    let c = l.cause.as_ref().unwrap();
    assert_eq!(c.code, "ARRONDI");
    assert!(
        c.explication.contains("3\u{202f}333,3333 €"),
        "{}",
        c.explication
    );
    assert!(
        c.explication.contains("ligne par ligne"),
        "{}",
        c.explication
    );
    assert_eq!(v.nombre(Statut::Concorde), 7);
    bcg()
        .args(["verifier", DOSSIER, "--notification"])
        .arg("tests/verifier/notification-arrondi.csv")
        .assert()
        .code(3);
}

#[test]
fn nombre_d_unites_different() {
    // The Caf counted CRECHE-B with 40 places instead of 30 and re-spread the envelope:
    // U' = 110, m' = 100 000 / 110 = 909,0909… € ; exact shares 18 181,8181…,
    // 36 363,6363…, 45 454,5454… ; floors sum to 99 999,98 € ; the 2 cents go to the largest
    // remainders (A 0,81 c, B 0,63 c) → 18 181,82 / 36 363,64 / 45 454,54 €
    // (the notification file; the Python oracle gives the same on the modified dossier).
    let v = verifier_fichier("notification-unites.csv");
    let b = ligne(&v, "CRECHE-B");
    assert_eq!(b.ecart, Some(Montant(636_364))); // 36 363,64 − 30 000,00
    let c = b.cause.as_ref().unwrap();
    assert_eq!(c.code, "UNITES");
    assert!(
        c.explication.contains("40 unités au lieu de 30"),
        "{}",
        c.explication
    );
    assert!(
        c.explication.contains("de 100 à 110 unités"),
        "{}",
        c.explication
    );
    for id in ["CRECHE-A", "CRECHE-C"] {
        let c = ligne(&v, id).cause.as_ref().unwrap();
        assert_eq!(c.code, "TAUX_GROUPE", "{id}");
        assert!(c.explication.contains("909,09 €"), "{}", c.explication);
        assert!(c.explication.contains("CRECHE-B"), "{}", c.explication);
    }
    for id in ["RPE-NORD", "RPE-SUD", "RPE-EST", "ALSH-NORD", "ALSH-SUD"] {
        assert_eq!(ligne(&v, id).statut, Statut::Concorde, "{id}");
    }
}

#[test]
fn nom_introuvable_et_nom_ambigu() {
    let v = verifier_fichier("notification-introuvable.csv");
    let lilas = v.lignes.iter().find(|l| l.ligne == Some(5)).unwrap();
    assert_eq!(lilas.statut, Statut::Introuvable);
    assert_eq!(lilas.libelle, "« Crèche des Lilas »");
    assert_eq!(lilas.notifie, Some(Montant(1_200_000)));
    let ambigu = v.lignes.iter().find(|l| l.ligne == Some(9)).unwrap();
    assert_eq!(ambigu.statut, Statut::Ambigue);
    assert_eq!(ambigu.candidats, vec!["ALSH-NORD", "ALSH-SUD"]);
    // neither ALSH line could be matched: both are reported absent
    assert_eq!(ligne(&v, "ALSH-NORD").statut, Statut::Absente);
    assert_eq!(ligne(&v, "ALSH-SUD").ecart, Some(Montant(-1_200_000)));
    assert_eq!(v.nombre(Statut::Concorde), 6);
    bcg()
        .args(["verifier", DOSSIER, "--notification"])
        .arg("tests/verifier/notification-introuvable.csv")
        .assert()
        .code(3)
        .stdout(predicates::str::contains("Crèche des Lilas"))
        .stdout(predicates::str::contains("ALSH-NORD, ALSH-SUD"));
}

#[test]
fn enveloppe_n1_differente() {
    // The Caf spread 90 000 € (without the 10 000 € regularisation line 3): 900 €/place →
    // 18 000 / 27 000 / 45 000 €.
    let v = verifier_fichier("notification-enveloppe.csv");
    for id in ["CRECHE-A", "CRECHE-B", "CRECHE-C"] {
        let c = ligne(&v, id).cause.as_ref().unwrap();
        assert_eq!(c.code, "ENVELOPPE_N1", "{id}");
        assert!(c.explication.contains("900,00 €"), "{}", c.explication);
        assert!(
            c.explication.contains("Régularisation PSEJ 2022 EAJE"),
            "{}",
            c.explication
        );
    }
    assert_eq!(v.total_notifie, Montant(12_000_000));
}

#[test]
fn notification_xlsx() {
    // the same lines as notification-concorde.csv, as a spreadsheet with numbers and text
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "Nom").unwrap();
    ws.write_string(0, 1, "Montant").unwrap();
    let lignes: [(&str, f64); 8] = [
        ("Crèche des Alouettes", 20000.0),
        ("Crèche des Bleuets", 30000.0),
        ("Crèche des Coquelicots", 50000.0),
        ("Relais Nord", 3333.33),
        ("Relais Sud", 3333.33),
        ("Relais Est", 3333.34),
        ("ALSH-NORD", 8000.0),
        ("ALSH-SUD", 12000.0),
    ];
    for (i, (n, m)) in lignes.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, *n).unwrap();
        ws.write_number(i as u32 + 1, 1, *m).unwrap();
    }
    let octets = wb.save_to_buffer().unwrap();
    let mut d = Diagnostics::default();
    let l = analyser_tableur("n.xlsx", &octets, &mut d);
    assert!(!d.a_des_erreurs(), "{:?}", d);
    assert_eq!(l.len(), 8);
    assert_eq!(l[3].montant, Montant(333_333));
    assert_eq!(l[0].ligne, 2);
    // through the command line, with an id column missing: names then ids as names
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notification.xlsx");
    std::fs::write(&f, &octets).unwrap();
    bcg()
        .args(["verifier", DOSSIER, "--notification"])
        .arg(&f)
        .assert()
        .code(0);
    // quiet mode: nothing on stdout, the exit code says it
    bcg()
        .args(["--silencieux", "verifier", DOSSIER, "--notification"])
        .arg("tests/verifier/notification-arrondi.csv")
        .assert()
        .code(3)
        .stdout("");
}

#[test]
fn notification_invalide() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("n.csv");
    std::fs::write(&f, "id;montant\nCRECHE-A;20 000,001\n").unwrap();
    bcg()
        .args(["verifier", DOSSIER, "--notification"])
        .arg(&f)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("E042"))
        .stderr(predicates::str::contains("ligne 2"));
    std::fs::write(&f, "structure;montant\nCRECHE-A;20 000,00\n").unwrap();
    bcg()
        .args(["verifier", DOSSIER, "--notification"])
        .arg(&f)
        .assert()
        .code(1)
        .stderr(predicates::str::contains("E041"));
}

#[test]
fn sorties_csv_et_json() {
    let out = bcg()
        .args(["verifier", DOSSIER, "--format", "json", "--notification"])
        .arg("tests/verifier/notification-arrondi.csv")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "bonus-ctg.verification.v1");
    assert_eq!(v["concorde"], false);
    let l = &v["lignes"][5];
    assert_eq!(l["id"], "RPE-EST");
    assert_eq!(l["notifie"], "3333.33");
    assert_eq!(l["recalcule"], "3333.34");
    assert_eq!(l["ecart"], "-0.01");
    assert_eq!(l["cause"]["code"], "ARRONDI");
    let out = bcg()
        .args([
            "verifier",
            DOSSIER,
            "--format",
            "csv",
            "--profil",
            "rfc4180",
            "--notification",
        ])
        .arg("tests/verifier/notification-arrondi.csv")
        .output()
        .unwrap();
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(
        t.starts_with("ligne,libelle,id,nom,notifie,recalcule,ecart,statut,cause,explication\n")
    );
    assert!(t.contains("\n7,rpe-est,RPE-EST,Relais Est,3333.33,3333.34,-0.01,ECART,ARRONDI,"));
}

#[test]
fn causes_propres_a_une_structure_dijon() {
    // Dijon EAJE: m = 1 301 846,37 € / 1 033 places = 1 260,2578… €/place (LISEZMOI).
    // * EAJE-TARNIER (30 places, 9 months) notified for 12 months: m × 30 = 37 807,74 €
    //   (the amount of the other 30-place crèches, e.g. EAJE-PETIT-CITEAUX);
    // * EAJE-GRAINES-DE-MOUTARDE (40 places, 10 employer places) notified on 40 places:
    //   m × 40 = 50 410,31 € (the amount of the 40-place crèches, e.g. EAJE-MANSART).
    let mut d = Diagnostics::default();
    let lu = lire_dossier(
        Path::new("fixtures/dijon-2024"),
        &OptionsLecture::default(),
        &mut d,
    )
    .unwrap();
    let (r, _) = bonus_ctg::traiter(&lu, None, "bareme.toml").unwrap();
    let texte = "nom;montant\nMulti-accueil Tarnier;37 807,74\nMulti-accueil Graines de Moutarde;50 410,31\n";
    let lignes = analyser_csv("n.csv", texte, &mut d);
    let v = verifier(&r, &lu.dossier, "n.csv", &lignes).unwrap();
    let c = ligne(&v, "EAJE-TARNIER").cause.as_ref().unwrap();
    assert_eq!(c.code, "MOIS_OUVERTURE");
    assert!(c.explication.contains("12 mois d'ouverture au lieu de 9"));
    // 30 × 12 = 40 × 9: the other reading is given too
    assert!(
        c.autres.iter().any(|a| a.contains("40 unités")),
        "{:?}",
        c.autres
    );
    let c = ligne(&v, "EAJE-GRAINES-DE-MOUTARDE")
        .cause
        .as_ref()
        .unwrap();
    assert_eq!(c.code, "UNITES_EMPLOYEURS");
    assert!(c.explication.contains("10 places réservées aux employeurs"));
    assert!(c.autres.is_empty(), "{:?}", c.autres);
    // every other eligible structure is reported absent
    assert_eq!(v.nombre(Statut::Absente), 43 - 2);
}
