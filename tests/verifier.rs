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
    verifier(&r, &lu.dossier, &chemin, &lignes, &Default::default()).unwrap()
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
    std::fs::write(&f, "structure;montant\nCRECHE-A;20 000,00\n").unwrap();
    bcg()
        .args(["verifier", DOSSIER, "--notification"])
        .arg(&f)
        .assert()
        .code(1)
        .stderr(predicates::str::contains(format!(
            "erreur E041 : {}, ligne 1 : il faut une colonne « id » ou une colonne « nom » pour identifier les structures (conseil : colonnes attendues : id ou nom, et montant)",
            f.display()
        )));
}

/// A control character in a notified name (a bell pasted with it) and an invisible one in a
/// notified id (a zero-width space) are refused at their line, as in the dossier's own files
/// (E055, E053), instead of being copied into the report or leaving the line unmatched.
#[test]
fn caracteres_refuses_dans_une_notification() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("n.csv");
    std::fs::write(
        &f,
        "id;nom;montant\nCRECHE-A;Crèche A\u{7};20 000,00\nCRECHE\u{200b}-B;;1,00\n",
    )
    .unwrap();
    let (code, _, stderr) = verifier_cli(&f);
    assert_eq!(code, 1, "{stderr}");
    let n = f.display();
    for attendu in [
        format!("erreur E055 : {n}, ligne 2, colonne « nom », valeur « Crèche A<U+0007> » : texte contenant un caractère de contrôle (U+0007) (conseil : retapez le texte : ce caractère invisible (copié d'un autre logiciel) n'a pas sa place dans un nom ou un libellé)"),
        format!("erreur E053 : {n}, ligne 3, colonne « id », valeur « CRECHE<U+200B>-B » : identifiant contenant un caractère invisible ou de contrôle (U+200B) (conseil : retapez l'identifiant : un caractère invisible (copié d'une page web ou d'un autre logiciel) le rendrait différent d'un identifiant d'apparence identique)"),
    ] {
        assert!(stderr.lines().any(|l| l == attendu), "{attendu}\n{stderr}");
    }
}

/// Runs `verifier` on the test dossier; (exit code, stdout, stderr).
fn verifier_cli(notification: &Path) -> (i32, String, String) {
    let out = bcg()
        .args(["verifier", DOSSIER, "--notification"])
        .arg(notification)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A notification refused with exactly these messages on stderr (then the summary line),
/// exit code 1, nothing on stdout.
fn refusee(notification: &Path, messages: &[&str]) {
    let (code, stdout, stderr) = verifier_cli(notification);
    let n = messages.len();
    let mut attendu: String = messages.iter().map(|m| format!("{m}\n")).collect();
    attendu.push_str(&format!(
        "{} : {n} erreur{}, 0 avertissement\n",
        notification.display(),
        if n > 1 { "s" } else { "" }
    ));
    assert_eq!(stderr, attendu);
    assert_eq!((code, stdout.as_str()), (1, ""));
}

#[test]
fn montant_a_trois_decimales_refuse() {
    // CSV: 4 666,674 has 3 decimals (the space groups the thousands, so the comma is the
    // decimal separator): refused, never rounded to 4 666,67
    refusee(
        Path::new("tests/verifier/notification-decimales.csv"),
        // a single comma followed by three digits: refused (it could be thousands), like the
        // dossier's amounts
        &["erreur E007 : tests/verifier/notification-decimales.csv, ligne 2, colonne « montant », valeur « 4 666,674 » : montant illisible : écriture ambiguë : un seul point ou une seule virgule suivi de trois chiffres se lit en milliers comme en décimales (conseil : écrivez par exemple 1234,56 ou 1234.56)"],
    );
    // XLSX: the number 4666.674 (a float) is read through its shortest decimal writing,
    // « 4666.674 », not rounded to the cent; the message names the cell
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "id").unwrap();
    ws.write_string(0, 1, "montant").unwrap();
    ws.write_string(1, 0, "CRECHE-A").unwrap();
    ws.write_number(1, 1, 4666.674).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notification.xlsx");
    wb.save(&f).unwrap();
    refusee(&f, &[&format!("erreur E009 : {}, cellule Sheet1!B2, colonne « montant », valeur « 4666.674 » : montant avec plus de 2 décimales (conseil : la cellule contient exactement cette valeur : arrondissez-la au centième (=ARRONDI(…;2)) puis collez-la en valeur)", f.display())]);
}

#[test]
fn montant_ambigu_refuse() {
    // 85.000: 85 € or 85 000 € ? refused, never guessed
    refusee(
        Path::new("tests/verifier/notification-ambigue.csv"),
        &["erreur E007 : tests/verifier/notification-ambigue.csv, ligne 2, colonne « montant », valeur « 85.000 » : montant illisible : écriture ambiguë : un seul point ou une seule virgule suivi de trois chiffres se lit en milliers comme en décimales (conseil : écrivez par exemple 1234,56 ou 1234.56)"],
    );
}

#[test]
fn entete_mal_orthographiee() {
    refusee(
        Path::new("tests/verifier/notification-entete.csv"),
        &[
            "erreur E050 : tests/verifier/notification-entete.csv, ligne 1, colonne « montant », valeur « montnat » : colonne « montnat » inconnue, qui ressemble à la colonne attendue « montant » (conseil : renommez l'en-tête « montant » : sous un autre nom, ses valeurs seraient ignorées)",
            "erreur E004 : tests/verifier/notification-entete.csv, ligne 1, colonne « montant » : colonne obligatoire « montant » absente (conseil : colonnes obligatoires : montant)",
        ],
    );
}

#[test]
fn classeur_xls_refuse_sans_analyse() {
    let dir = tempfile::tempdir().unwrap();
    let conseil = "(conseil : ouvrez-la dans Excel ou LibreOffice et enregistrez-la au format « Classeur Excel (.xlsx) », ou exportez la feuille en « CSV UTF-8 »)";
    // an OLE container (the old .xls format) and random bytes named .xls: refused before
    // any parser sees them
    let mut ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1".to_vec();
    ole.extend((0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    for (nom, octets) in [("a.xls", ole.clone()), ("b.XLS", ole[8..].to_vec())] {
        let f = dir.path().join(nom);
        std::fs::write(&f, &octets).unwrap();
        refusee(&f, &[&format!("erreur E090 : {} : classeur Excel 97-2003 (.xls) : format de notification non pris en charge {conseil}", f.display())]);
    }
    // the same container under another name: the workbook reader refuses it, unparsed
    let f = dir.path().join("c.xlsx");
    std::fs::write(&f, &ole).unwrap();
    refusee(&f, &[&format!("erreur E025 : {} : classeur illisible : classeur protégé par mot de passe, ou au format Excel 97-2003 (.xls) (conseil : retirez le mot de passe et enregistrez au format « Classeur Excel (.xlsx) »)", f.display())]);
    // OpenDocument
    let f = dir.path().join("d.ods");
    std::fs::write(&f, b"PK\x03\x04").unwrap();
    refusee(&f, &[&format!("erreur E090 : {} : classeur OpenDocument (.ods) : format de notification non pris en charge {conseil}", f.display())]);
}

/// A workbook whose sheet declares `A1:XFD1048576` (a lone cell in the last row and
/// column): a dense grid of that size is 549 GB; the workbook reader streams the cells, so
/// the notification is read as any other when that column has a name (an unknown column,
/// ignored), and refused at that cell when it has none (E058: a value under no header).
#[test]
fn classeur_avec_cellule_en_xfd1048576() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "id").unwrap();
    ws.write_string(0, 1, "montant").unwrap();
    // the amounts of notification-concorde.csv (hand computation at the top of this file)
    let lignes: [(&str, f64); 8] = [
        ("CRECHE-A", 20000.0),
        ("CRECHE-B", 30000.0),
        ("CRECHE-C", 50000.0),
        ("RPE-NORD", 3333.33),
        ("RPE-SUD", 3333.33),
        ("RPE-EST", 3333.34),
        ("ALSH-NORD", 8000.0),
        ("ALSH-SUD", 12000.0),
    ];
    for (i, (id, m)) in lignes.iter().enumerate() {
        ws.write_string(i as u32 + 1, 0, *id).unwrap();
        ws.write_number(i as u32 + 1, 1, *m).unwrap();
    }
    ws.write_string(1_048_575, 16_383, "loin").unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notification.xlsx");
    wb.save(&f).unwrap();
    let (code, stdout, stderr) = verifier_cli(&f);
    assert_eq!(code, 1, "{stdout}");
    assert_eq!(stderr, format!("erreur E058 : {0}, cellule Sheet1!XFD1048576, valeur « loin » : valeur dans la colonne XFD, dont l'en-tête (cellule Sheet1!XFD1) est vide : elle serait ignorée (conseil : nommez la colonne dans l'en-tête (un nom effacé ou oublié ?), ou videz-la)\n{0} : 1 erreur, 0 avertissement\n", f.display()));
    // the same column named: read as any other
    wb.worksheet_from_index(0)
        .unwrap()
        .write_string(0, 16_383, "observation")
        .unwrap();
    wb.save(&f).unwrap();
    let (code, stdout, stderr) = verifier_cli(&f);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(!stderr.contains("erreur"), "{stderr}");
    assert!(
        stdout.contains("Résumé : 8 lignes lues, 8 concordantes au centime"),
        "{stdout}"
    );
}

/// A cell reference `ZZZZZZZZZZZZZ1` (a column number far beyond 2^32): refused by the
/// workbook reader (its position is checked against the sheet's bounds), no panic, no abort.
#[test]
fn classeur_avec_reference_zzzzzzzzzzzzz1() {
    let feuille = br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>montant</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>CRECHE-A</t></is></c><c r="ZZZZZZZZZZZZZ1"><v>20000</v></c></row></sheetData></worksheet>"#;
    let octets = bonus_ctg::fuzz::classeur_minimal(feuille, None).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("notification.xlsx");
    std::fs::write(&f, &octets).unwrap();
    refusee(&f, &[&format!("erreur E025 : {} : classeur illisible : feuille « structures » : référence de cellule hors des limites d'une feuille Excel (conseil : ouvrez-le dans Excel ou LibreOffice et enregistrez-le au format « Classeur Excel (.xlsx) », ou exportez la feuille en « CSV UTF-8 »)", f.display())]);
    // the fuzz regression files go through the notification reader too: E025, no panic
    for nom in [
        "xlsx_colonne_hors_feuille_oom.bin",
        "xlsx_reference_debordement_calamine.bin",
    ] {
        let o = std::fs::read(Path::new("tests/fuzz_regressions").join(nom)).unwrap();
        let i = o
            .iter()
            .position(|b| *b == bonus_ctg::fuzz::SEPARATEUR)
            .unwrap();
        let c = bonus_ctg::fuzz::classeur_minimal(&o[..i], Some(&o[i + 1..])).unwrap();
        let mut d = Diagnostics::default();
        let l = analyser_tableur("n.xlsx", &c, &mut d);
        assert!(l.is_empty());
        assert!(d.0.iter().all(|x| x.code == "E025"), "{nom} : {:?}", d.0);
    }
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
    let v = verifier(&r, &lu.dossier, "n.csv", &lignes, &Default::default()).unwrap();
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

// ---------------------------------------------------------------------------------------
// Rendering safety: what a read value can do to a terminal or a spreadsheet

/// The test dossier copied to a temporary folder, with CRECHE-A's name (« Crèche des
/// Alouettes ») replaced by `nom` and RPE-NORD's unit count (`1`) by `unites_rpe`.
fn dossier_modifie(nom: &str, unites_rpe: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for f in ["convention.toml", "charges_n1.csv"] {
        std::fs::copy(Path::new(DOSSIER).join(f), dir.path().join(f)).unwrap();
    }
    let s = std::fs::read_to_string(Path::new(DOSSIER).join("structures.csv"))
        .unwrap()
        .replace("Crèche des Alouettes", nom)
        .replace(
            "RPE-NORD;2;RPE;Relais Nord;COMMUNE DE VALMONT;VALMONT;PSO;1;",
            &format!("RPE-NORD;2;RPE;Relais Nord;COMMUNE DE VALMONT;VALMONT;PSO;{unites_rpe};"),
        );
    std::fs::write(dir.path().join("structures.csv"), s).unwrap();
    dir
}

fn sortie(args: &[&str]) -> (i32, String, String) {
    let out = bcg().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// A 100 000-character name: the table cell shows its first 79 characters and `…` (the
/// layout of the whole text took 21 s); the CSV keeps it whole.
#[test]
fn nom_immense_coupe_dans_le_tableau() {
    let nom = "N".repeat(100_000);
    let d = dossier_modifie(&nom, "1");
    let p = d.path().to_str().unwrap();
    // wide enough for the whole cell (the default table fits 100 columns)
    let (code, stdout, _) = sortie(&["calculer", p, "--largeur", "300"]);
    assert_eq!(code, 0);
    let coupe = format!("{}…", "N".repeat(79));
    assert!(stdout.contains(&format!(" {coupe} ")), "{stdout}");
    assert!(!stdout.contains(&"N".repeat(80)));
    // the widest row: 12 columns, none wider than its longest text (the name: 80)
    assert!(stdout.lines().all(|l| l.chars().count() < 300));
    let (_, csv, _) = sortie(&["calculer", p, "--format", "csv"]);
    assert!(csv.contains(&format!(";{nom};")));
    // the same name in a notification line that matches nothing: cut in the table and in
    // the detail, whole in the JSON
    let f = d.path().join("n.csv");
    std::fs::write(&f, format!("nom;montant\n{nom}X;1,00\n")).unwrap();
    let (code, stdout, _) = sortie(&["verifier", p, "--notification", f.to_str().unwrap()]);
    assert_eq!(code, 3);
    assert!(
        stdout.contains(&format!("« {}…", "N".repeat(77))),
        "{stdout}"
    );
    assert!(!stdout.contains(&"N".repeat(80)));
    // the closest structure is CRECHE-A (same name but one letter), shown cut as well
    assert!(
        stdout.contains(&format!("la plus proche : CRECHE-A « {}…", "N".repeat(68))),
        "{stdout}"
    );
}

/// ESC sequences and bidirectional overrides read from a file are shown, never sent to the
/// terminal as they are: in the table (stdout) and in the messages (stderr). A control
/// character in a name is refused (E055), its message showing it as `<U+001B>`.
#[test]
fn caracteres_de_controle_neutralises() {
    // a bidirectional override (a format character, not a control): accepted in a name,
    // shown escaped in the table, kept as read in the CSV
    let d = dossier_modifie("Crèche \u{202e}00001", "1");
    let p = d.path().to_str().unwrap();
    let (code, stdout, stderr) =
        sortie(&["calculer", p, "--couleur", "jamais", "--largeur", "300"]);
    assert_eq!((code, stderr.as_str()), (0, ""));
    assert!(stdout.contains("Crèche \\u{202e}00001"), "{stdout}");
    assert!(!stdout.contains('\u{202e}'));
    let (_, csv, _) = sortie(&["calculer", p, "--format", "csv"]);
    assert!(csv.contains("Crèche \u{202e}00001"));
    // a terminal title sequence and a screen clearing in a name (quoted: the title
    // sequence holds the CSV delimiter `;`): refused, never sent to the terminal
    let d = dossier_modifie("\"Crèche \u{1b}]0;titre\u{7}\u{1b}[2J\"", "1");
    let p = d.path().to_str().unwrap();
    let (code, stdout, stderr) = sortie(&["calculer", p]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert_eq!(
        stderr.lines().next().unwrap(),
        "erreur E055 : structures.csv, ligne 2, colonne « nom », valeur « Crèche <U+001B>]0;titre<U+0007><U+001B>[2J » : texte contenant un caractère de contrôle (U+001B) (conseil : retapez le texte : ce caractère invisible (copié d'un autre logiciel) n'a pas sa place dans un nom ou un libellé)"
    );
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('\u{7}'));
    // stderr: a value with ESC in a diagnostic
    let d = dossier_modifie("Crèche des Alouettes", "12\u{1b}[2J");
    let p = d.path().to_str().unwrap();
    let (code, stdout, stderr) = sortie(&["calculer", p]);
    assert_eq!((code, stdout.as_str()), (1, ""));
    assert_eq!(
        stderr.lines().next().unwrap(),
        "erreur E007 : structures.csv, ligne 6, colonne « unites_existantes », valeur « 12␛[2J » : nombre d'unités illisible : nombre invalide (conseil : écrivez par exemple 1234,56 ou 1234.56)"
    );
    assert!(!stderr.contains('\u{1b}'));
    // a notification's value, and its file name
    let f = d.path().join("n\u{1b}[31m.csv");
    std::fs::write(&f, "id;montant\nCRECHE-A;1\u{202e}0\n").unwrap();
    let (code, _, stderr) = verifier_cli(&f);
    assert_eq!(code, 1);
    assert!(stderr.starts_with("erreur E007 : "), "{stderr}");
    assert!(
        stderr.contains(
            "n␛[31m.csv, ligne 2, colonne « montant », valeur « 1\\u{202e}0 » : montant illisible"
        ),
        "{stderr}"
    );
    // (the closing summary line, printed by the command line, repeats the path as typed)
    let messages = stderr.lines().next().unwrap();
    assert!(!messages.contains('\u{1b}') && !messages.contains('\u{202e}'));
}

/// Full-width and small-form `=`, `+`, `-`, `@` start a formula in some spreadsheets: the
/// CSV (excel-fr) and the XLSX prefix them with an apostrophe, as the ASCII ones.
#[test]
fn formules_en_caracteres_pleine_chasse_neutralisees() {
    use calamine::{Data, Reader, Xlsx};
    for (nom, attendu) in [
        ("＝1+1", "'＝1+1"),
        ("＋2+3", "'＋2+3"),
        ("－4+5", "'－4+5"),
        ("＠SUM(1,2)", "'＠SUM(1,2)"),
        ("﹦1+1", "'﹦1+1"),
        ("﹢2", "'﹢2"),
        ("﹣3", "'﹣3"),
    ] {
        let d = dossier_modifie(nom, "1");
        let p = d.path().to_str().unwrap();
        let (code, csv, err) = sortie(&["calculer", p, "--format", "csv"]);
        assert_eq!(code, 0, "{err}");
        assert!(
            csv.contains(&format!("\r\nCRECHE-A;{attendu};EAJE;")),
            "{nom} : {csv}"
        );
        let x = d.path().join("r.xlsx");
        let (code, _, _) = sortie(&["calculer", p, "--sortie", x.to_str().unwrap()]);
        assert_eq!(code, 0);
        let mut wb: Xlsx<_> = calamine::open_workbook(&x).unwrap();
        let f = wb.worksheet_range("Structures").unwrap();
        // CRECHE-A's row, column B the name
        let l = f
            .rows()
            .find(|l| l[0] == Data::String("CRECHE-A".into()))
            .unwrap();
        assert_eq!(l[1], Data::String(attendu.into()), "{nom}");
    }
}

// ---------------------------------------------------------------------------------------
// Matching at scale

/// A distinct made-up word of 8 letters for `k` (4 consonant-vowel syllables).
fn mot_invente(k: usize) -> String {
    const C: &[u8] = b"bdfgklmnprstvz";
    const V: &[u8] = b"aeiou";
    let mut x = k;
    let mut s = String::new();
    for _ in 0..4 {
        s.push(C[x % C.len()] as char);
        x /= C.len();
        s.push(V[x % V.len()] as char);
        x /= V.len();
    }
    s
}

/// A generated dossier of 20 000 structures and a notification of 17 300 lines (12 000 by
/// id, id in lower case or name, 300 misspelt names, 5 000 unknown names): every line gets the
/// status, structure and suggestion worked out below, independently of the index (the
/// timing is in BENCHMARKS.md, not here).
#[test]
fn rapprochement_a_l_echelle() {
    use bonus_ctg::generation::{generer, Parametres};
    use bonus_ctg::verification::normaliser_libelle;
    use std::collections::HashMap;
    let g = generer(&Parametres {
        collectivites: 200,
        structures: 20_000,
        graine: 11,
        dossiers: Some(1),
    })
    .unwrap();
    let mut d = Diagnostics::default();
    let mut lu = bonus_ctg::lecture::analyser_dossier(&g[0].fichiers, &mut d).unwrap();
    let n = lu.dossier.structures.len();
    assert_eq!(n, 20_000);
    // 300 structures get a distinct invented name (real names are distinctive; the
    // generated ones come from a small vocabulary)
    let renommees: Vec<usize> = (0..n).filter(|k| k % 5 == 3).take(300).collect();
    for k in renommees
        .iter()
        .copied()
        .chain((0..2_000).filter(|k| k % 5 == 2))
    {
        lu.dossier.structures[k].nom = format!("Maison {}", mot_invente(k * 7 + 1)).into();
    }
    let (r, _) = bonus_ctg::traiter(&lu, None, "bareme.toml").unwrap();
    // the result lists the structures in its own order: by id
    let par_id: HashMap<&str, &bonus_ctg::calcul::LigneStructure> = r
        .structures
        .iter()
        .map(|l| (l.structure.id.as_str(), l))
        .collect();
    // structures by normalised name, in the result's order (the candidates' order)
    let mut par_nom: HashMap<String, Vec<&str>> = HashMap::new();
    for l in &r.structures {
        par_nom
            .entry(normaliser_libelle(&l.structure.nom))
            .or_default()
            .push(&l.structure.id);
    }
    enum Attendu {
        Concorde(String),
        Ambigue(Vec<String>),
        Introuvable(Option<String>),
    }
    let mut texte = String::from("id;nom;montant\n");
    let mut attendus: Vec<Attendu> = Vec::new();
    let mut rapprochees = std::collections::HashSet::new();
    for (k, s) in lu.dossier.structures.iter().enumerate() {
        let l = par_id[s.id.as_str()];
        let m = l.bonus_total;
        match k % 5 {
            0 => {
                texte.push_str(&format!("{};;{m}\n", s.id));
                attendus.push(Attendu::Concorde(s.id.to_string()));
                rapprochees.insert(s.id.clone());
            }
            1 => {
                texte.push_str(&format!("{};;{m}\n", s.id.to_lowercase()));
                attendus.push(Attendu::Concorde(s.id.to_string()));
                rapprochees.insert(s.id.clone());
            }
            2 => {
                texte.push_str(&format!(";\"{}\";{m}\n", s.nom));
                let v = &par_nom[&normaliser_libelle(&s.nom)];
                if v.len() == 1 {
                    attendus.push(Attendu::Concorde(s.id.to_string()));
                    rapprochees.insert(s.id.clone());
                } else {
                    attendus.push(Attendu::Ambigue(v.iter().map(|x| x.to_string()).collect()));
                }
            }
            _ => {}
        }
    }
    // misspelt invented names (third letter doubled: one edit away from this structure's
    // name, two from any other): not matched, this structure suggested
    for &k in &renommees {
        let s = &lu.dossier.structures[k];
        let mut mot: Vec<char> = mot_invente(k * 7 + 1).chars().collect();
        mot.insert(2, mot[2]);
        texte.push_str(&format!(
            ";Maison {};1,00\n",
            mot.iter().collect::<String>()
        ));
        attendus.push(Attendu::Introuvable(Some(format!(
            "{} « {} »",
            s.id, s.nom
        ))));
    }
    // names of no structure
    for j in 0..5_000 {
        texte.push_str(&format!("INCONNU-{j};Xyzwq {j};1,00\n"));
        attendus.push(Attendu::Introuvable(None));
    }
    let lignes = analyser_csv("n.csv", &texte, &mut d);
    assert!(!d.a_des_erreurs(), "{:?}", d.0.first());
    assert_eq!(lignes.len(), attendus.len());
    let v = verifier(&r, &lu.dossier, "n.csv", &lignes, &Default::default()).unwrap();
    for (i, a) in attendus.iter().enumerate() {
        let l = &v.lignes[i];
        assert_eq!(l.ligne, Some(i as u64 + 2));
        match a {
            Attendu::Concorde(id) => {
                assert_eq!(
                    (l.statut, l.id.as_ref()),
                    (Statut::Concorde, Some(id)),
                    "ligne {}",
                    i + 2
                );
            }
            Attendu::Ambigue(c) => {
                assert_eq!(
                    (l.statut, &l.candidats),
                    (Statut::Ambigue, c),
                    "ligne {}",
                    i + 2
                );
            }
            Attendu::Introuvable(Some(c)) => {
                assert_eq!(l.statut, Statut::Introuvable, "ligne {}", i + 2);
                assert_eq!(l.candidats, vec![c.clone()], "ligne {}", i + 2);
            }
            Attendu::Introuvable(None) => {
                assert_eq!(l.statut, Statut::Introuvable, "ligne {}", i + 2);
            }
        }
    }
    // every other structure with a bonus is reported absent
    let absentes = r
        .structures
        .iter()
        .filter(|l| l.bonus_total.0 > 0 && !rapprochees.contains(&l.structure.id))
        .count();
    assert_eq!(v.nombre(Statut::Absente), absentes);
    assert_eq!(v.lignes.len(), attendus.len() + absentes);
    // enough of each kind for the test to mean something
    let nb = |f: fn(&Attendu) -> bool| attendus.iter().filter(|a| f(a)).count();
    // 4 000 by id, 4 000 by id in lower case, 400 by invented name, some by generated name
    assert!(nb(|a| matches!(a, Attendu::Concorde(_))) >= 8_400);
    assert!(nb(|a| matches!(a, Attendu::Ambigue(_))) > 100);
}

// ---------------------------------------------------------------------------------------
// Arbitrary notifications: refused or read, never a panic

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

    /// Any bytes, as a CSV text or as a workbook; and a valid workbook with bytes changed.
    #[test]
    fn notification_quelconque_sans_panique(
        octets in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..2000),
        mutations in proptest::collection::vec((proptest::prelude::any::<usize>(), proptest::prelude::any::<u8>()), 1..8),
    ) {
        let mut d = Diagnostics::default();
        let _ = analyser_csv("n.csv", &String::from_utf8_lossy(&octets), &mut d);
        let _ = analyser_tableur("n.xlsx", &octets, &mut d);
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "id").unwrap();
        ws.write_string(0, 1, "montant").unwrap();
        ws.write_string(1, 0, "CRECHE-A").unwrap();
        ws.write_number(1, 1, 20000.0).unwrap();
        let mut c = wb.save_to_buffer().unwrap();
        for (i, b) in mutations {
            let n = c.len();
            c[i % n] = b;
        }
        let l = analyser_tableur("n.xlsx", &c, &mut d);
        // read, or refused with located messages
        proptest::prop_assert!(l.len() <= 1);
    }
}

#[test]
fn lignes_sans_cle_colonnes_et_fichier_absent() {
    let mut d = Diagnostics::default();
    let l = analyser_csv(
        "n.csv",
        "id;nom;montant\n;;12,00\nCRECHE-A;;20 000\n",
        &mut d,
    );
    assert_eq!(l.len(), 1);
    assert_eq!(
        d.0[0].to_string(),
        "erreur E043 : n.csv, ligne 2, colonne « id » : ligne sans id ni nom : impossible de la rapprocher (conseil : renseignez l'id ou le nom de la structure)"
    );
    // a workbook: the cell is named; a sheet without id nor nom column
    let classeur = |entete: &[&str], lignes: &[&[&str]]| {
        let mut wb = rust_xlsxwriter::Workbook::new();
        let ws = wb.add_worksheet();
        for (c, e) in entete.iter().enumerate() {
            ws.write_string(0, c as u16, *e).unwrap();
        }
        for (l, v) in lignes.iter().enumerate() {
            for (c, x) in v.iter().enumerate() {
                if !x.is_empty() {
                    ws.write_string(l as u32 + 1, c as u16, *x).unwrap();
                }
            }
        }
        wb.save_to_buffer().unwrap()
    };
    let mut d = Diagnostics::default();
    let o = classeur(&["id", "montant"], &[&["CRECHE-A", "20000"], &["", "5"]]);
    assert_eq!(analyser_tableur("n.xlsx", &o, &mut d).len(), 1);
    assert_eq!(
        d.0[0].to_string(),
        "erreur E043 : n.xlsx, cellule Sheet1!A3, colonne « id » : ligne sans id ni nom : impossible de la rapprocher (conseil : renseignez l'id ou le nom de la structure)"
    );
    let mut d = Diagnostics::default();
    let o = classeur(&["structure", "montant"], &[&["CRECHE-A", "20000"]]);
    assert!(analyser_tableur("n.xlsx", &o, &mut d).is_empty());
    assert_eq!(
        d.0[0].to_string(),
        "avertissement W050 : n.xlsx, cellule Sheet1!A1, colonne « structure » : colonne « structure » inconnue : ses valeurs sont ignorées (conseil : colonnes lues : id, nom, montant)"
    );
    assert_eq!(
        d.0[1].to_string(),
        "erreur E041 : n.xlsx : il faut une colonne « id » ou une colonne « nom » pour identifier les structures (conseil : colonnes attendues : id ou nom, et montant)"
    );
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("absente.csv");
    refusee(
        &f,
        &[&format!(
            "erreur E001 : {} : fichier « {} » introuvable (conseil : vérifiez le chemin donné à --notification)",
            f.display(),
            f.display()
        )],
    );
}

/// A commune of an intercommunal CTG checks its own lines: Gevrey-Nuits, the two structures
/// of the commune of Nuits-Saint-Georges (collectivité NUITS). Their bonus, from the
/// fixture's result (itself checked against the oracle): NUI-ALSH-PERI-MATERNELLE
/// 14 466,67 €, NUI-ALSH-PERI-ELEMENTAIRE 16 533,33 €.
#[test]
fn notification_partielle_d_une_commune() {
    let t = tempfile::tempdir().unwrap();
    let n = t.path().join("nuits.csv");
    let lancer = |contenu: &str, args: &[&str]| {
        std::fs::write(&n, contenu).unwrap();
        let o = Command::cargo_bin("bonus-ctg")
            .unwrap()
            .args(["verifier", "fixtures/gevrey-nuits", "--notification"])
            .arg(&n)
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code().unwrap(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    };
    let justes =
        "id;montant\nNUI-ALSH-PERI-MATERNELLE;14466,67\nNUI-ALSH-PERI-ELEMENTAIRE;16533,33\n";
    // no filter: recognised as partial (every line belongs to NUITS), nothing absent
    let (code, o, e) = lancer(justes, &[]);
    assert_eq!(code, 0, "{o}{e}");
    assert!(
        o.contains("Notification partielle, reconnue à ses lignes : collectivité Commune de Nuits-Saint-Georges (NUITS)"),
        "{o}"
    );
    assert!(o.contains("0 absente"), "{o}");
    // 14 466,67 + 16 533,33 = 31 000,00 € on both sides
    assert!(
        o.contains(
            "Total notifié 31\u{202f}000,00 € ; total recalculé (structures du périmètre) 31\u{202f}000,00 €"
        ),
        "{o}"
    );
    // the same with the filter given (id in another case: compared as ids are)
    let (code, o, _) = lancer(justes, &["--collectivite", "nuits"]);
    assert_eq!(code, 0, "{o}");
    assert!(
        o.contains("Vérification limitée à : collectivité Commune de Nuits-Saint-Georges (NUITS)"),
        "{o}"
    );
    // a wrong amount inside the filter: exit 3
    let faux =
        "id;montant\nNUI-ALSH-PERI-MATERNELLE;14466,67\nNUI-ALSH-PERI-ELEMENTAIRE;16533,00\n";
    let (code, o, _) = lancer(faux, &["--collectivite", "NUITS"]);
    assert_eq!(code, 3, "{o}");
    assert!(o.contains("1 écart"), "{o}");
    // a structure of the filter missing from the notification: absent, exit 3
    let (code, o, _) = lancer(
        "id;montant\nNUI-ALSH-PERI-MATERNELLE;14466,67\n",
        &["--collectivite", "NUITS"],
    );
    assert_eq!(code, 3);
    assert!(o.contains("1 absente"), "{o}");
    // by gestionnaire (case and accents ignored)
    let (code, o, _) = lancer(
        justes,
        &["--gestionnaire", "commune de nuits-saint-georges"],
    );
    assert_eq!(code, 0, "{o}");
    assert!(
        o.contains("gestionnaire « commune de nuits-saint-georges »"),
        "{o}"
    );
    // unknown: usage error with a suggestion
    let (code, _, e) = lancer(justes, &["--collectivite", "NUIT"]);
    assert_eq!(code, 2);
    assert!(
        e.contains("--collectivite « NUIT » : collectivité inconnue de la convention : vouliez-vous dire « NUITS » ?"),
        "{e}"
    );
}

/// A line found by its id whose name is exactly another structure's (CRECHE-A written with
/// the name of CRECHE-B): its amount is compared by id (20 000,00 € = 20 000,00 €, it
/// concords) and the line says that its name is CRECHE-B's. Not flagged: CRECHE-B's own
/// name, a name close to its own (« Crèche Coquelicots »), a name two structures share
/// with it (« Accueil de loisirs », ALSH-NORD and ALSH-SUD).
#[test]
fn nom_d_une_autre_structure_signale() {
    let v = verifier_fichier("notification-noms-croises.csv");
    let a = ligne(&v, "CRECHE-A");
    assert_eq!(a.statut, Statut::Concorde);
    assert_eq!(
        a.nom_d_une_autre.as_deref(),
        Some("CRECHE-B « Crèche des Bleuets »")
    );
    for id in ["CRECHE-B", "CRECHE-C", "ALSH-NORD"] {
        assert_eq!(ligne(&v, id).nom_d_une_autre, None, "{id}");
    }
    let (_, sortie, _) = verifier_cli(Path::new("tests/verifier/notification-noms-croises.csv"));
    assert!(
        sortie.contains(
            "attention : le nom de la ligne est celui de CRECHE-B « Crèche des Bleuets »"
        ),
        "{sortie}"
    );
}

#[test]
fn ecart_d_un_centime_sur_l_enveloppe_sans_bornes_egales() {
    // Dugny, LAEP group (DUGNY, LAEP): envelope 10 000,00 €, notified 5 333,33 € (as
    // computed) and 4 666,68 € instead of 4 666,67 €: the notified amounts add up to
    // 5 333,33 + 4 666,68 = 10 000,01 €. The envelope they imply is 10 000,01 € to the
    // cent: no « entre 10 000,01 € et 10 000,01 € », and no other reading whose total of
    // units is written as the group's (« environ 750 au lieu de 750 »).
    let mut d = Diagnostics::default();
    let dossier = Path::new("fixtures/dugny");
    let lu = lire_dossier(dossier, &OptionsLecture::default(), &mut d).unwrap();
    let (r, _) = bonus_ctg::traiter(&lu, None, "bareme.toml").unwrap();
    let mut texte = String::from("id;montant\n");
    for l in &r.structures {
        let m = if l.structure.id.as_str() == "LAEP-LAPINOUS" {
            assert_eq!(l.bonus_total, Montant(466_667));
            466_668
        } else {
            l.bonus_total.0
        };
        texte.push_str(&format!("{};{},{:02}\n", l.structure.id, m / 100, m % 100));
    }
    let lignes = analyser_csv("n.csv", &texte, &mut d);
    assert!(!d.a_des_erreurs(), "{d:?}");
    let v = verifier(&r, &lu.dossier, "n.csv", &lignes, &Default::default()).unwrap();
    let c = ligne(&v, "LAEP-LAPINOUS").cause.as_ref().unwrap();
    assert_eq!(c.code, "ENVELOPPE_N1");
    // (amounts are written with no-break spaces: compared with plain ones)
    let e = c.explication.replace(['\u{a0}', '\u{202f}'], " ");
    assert!(
        e.ends_with("soit une charge N-1 d'environ 10 000,01 € au lieu de 10 000,00 €"),
        "{e}"
    );
    assert!(c.autres.is_empty(), "{:?}", c.autres);
}
