//! The binary on the bundled fixtures and on bad input: exact totals, hand-checked lines,
//! profiles, exit codes, located messages, atomic outputs.

mod commun;

use assert_cmd::Command;
use std::collections::HashMap;
use std::fs;

fn bonus() -> Command {
    Command::cargo_bin("bonus-ctg").unwrap()
}

/// Runs `calculer --format csv --profil rfc4180` and returns (rows by id, reconciliation lines).
fn csv_rfc(dossier: &str) -> (HashMap<String, HashMap<String, String>>, Vec<String>) {
    // the structure, reconciliation and totals tables, put together as the oracle prints
    // them (structures, empty line, reconciliation, TOTAL_CAF)
    let (statut, stdout, stderr) = commun::csv_comme_l_oracle(std::path::Path::new(dossier), &[]);
    assert!(statut.success(), "{}", String::from_utf8_lossy(&stderr));
    let texte = String::from_utf8(stdout).unwrap();
    let (structures, rappro) = texte
        .split_once("\n\n")
        .expect("ligne vide entre les deux blocs");
    let mut r = csv::Reader::from_reader(structures.as_bytes());
    let entetes = r.headers().unwrap().clone();
    let mut lignes = HashMap::new();
    for rec in r.records() {
        let rec = rec.unwrap();
        let m: HashMap<String, String> = entetes
            .iter()
            .zip(rec.iter())
            .map(|(a, b)| (a.to_string(), b.to_string()))
            .collect();
        lignes.insert(m["id"].clone(), m);
    }
    (lignes, rappro.lines().map(str::to_string).collect())
}

#[test]
fn dijon_totaux_et_lignes_verifiees_a_la_main() {
    let (l, rappro) = csv_rfc("fixtures/dijon-2024");
    assert_eq!(l.len(), 61, "61 structures des annexes 2 et 2 bis");
    // TOTAL_CAF = EAJE 1 292 394,44 + nouvelles 31 000 + 18 600 + RPE 36 000 + ALSH 250 000
    //           + ludothèques 12 345,67 + pilotage 45 000 = 1 685 340,11
    assert_eq!(rappro.last().unwrap(), "TOTAL_CAF,1685340.11");
    // EAJE: A = 1 301 846,37 ; Tarnier open 9 months → 9 451,93 not redistributed
    assert!(rappro
        .contains(&"DIJON,EAJE,1301846.37,1292394.44,49600.00,0.00,9451.93,0.00,0.00".to_string()));
    // ALSH in hours (R61): U = 86 400 + 90 000 + 25 920 + 30 000 + 34 560 + 51 840 + 50 000
    // + 12 000 + 12 000 = 392 720 h ; m = 250 000 / 392 720 = 3125/4909 €/h = 0,6366 €/h
    // (above the 0,15 €/h floor). Exact shares in cents: PERI-DIJON 5 500 101,85 ; EXTRA-DIJON
    // 5 729 272,76 ; SPORT 1 650 030,56 ; BOURROCHES-CASI extra 1 909 757,59 ; péri 2 200 040,74 ;
    // PEP péri 3 300 061,11 ; PEP extra 3 182 929,31 ; two ados 763 903,04 each.
    // Floors sum 24 999 996 → 4 cents to the largest remainders: PERI-DIJON (0,85), EXTRA-DIJON
    // (0,76), BOURROCHES-CASI péri (0,74), BOURROCHES-CASI extra (0,59); not SPORT (0,56).
    assert_eq!(
        l["ALSH-EXTRASCOLAIRE-BOURROCHES-CASI"]["bonus_lissage"],
        "19097.58"
    );
    assert_eq!(
        l["ALSH-PERISCOLAIRE-SPORT-LOISIR-JEUNES"]["bonus_lissage"],
        "16500.30"
    );
    assert_eq!(
        l["ALSH-PERISCOLAIRE-BOURROCHES-CASI"]["bonus_lissage"],
        "22000.41"
    );
    assert_eq!(
        l["ALSH-EXTRASCOLAIRE-PEP-CBFC"]["bonus_lissage"],
        "31829.29"
    );
    assert_eq!(l["ALSH-PERISCOLAIRE-DIJON"]["bonus_lissage"], "55001.02");
    assert_eq!(l["ALSH-ADOS-AJ-MAISON-PHARE"]["bonus_lissage"], "7639.03");
    assert_eq!(l["ALSH-PERISCOLAIRE-DIJON"]["taux_unitaire"], "0.6366");
    // EAJE m = 130184637/103300 ; Delaunay 20 places → 25 205,1572… → 25 205,16 ;
    // + 10 new places × 3 100 € (tranche 2) = 31 000 → total 56 205,16
    assert_eq!(l["EAJE-DELAUNAY"]["bonus_lissage"], "25205.16");
    assert_eq!(l["EAJE-DELAUNAY"]["bonus_nouvelles"], "31000.00");
    assert_eq!(l["EAJE-DELAUNAY"]["bonus_total"], "56205.16");
    // 40-place crèches: 50 410,3144 each ; the 13th leftover cent goes to JEAN-JAURES
    assert_eq!(l["EAJE-JEAN-JAURES"]["bonus_lissage"], "50410.32");
    assert_eq!(l["EAJE-TIVOLI"]["bonus_lissage"], "50410.31");
    // ineligible lines: 0 with their reason
    assert_eq!(l["EAJE-LA-COLOMBIERE"]["motif"], "FINANCEMENT_INCOMPATIBLE");
    assert_eq!(l["EAJE-LA-COLOMBIERE"]["bonus_total"], "0.00");
    assert_eq!(l["LAEP-L-AMARINE"]["motif"], "ANNEXE_2BIS");
    assert_eq!(l["CS-LE-TEMPO"]["volet"], "");
    // local volet LUDOTHEQUE (dossier barème): 12 345,67 / 2 = 6 172,835 → 6 172,84 + 6 172,83
    assert_eq!(l["LUDO-ESPACE-YORK"]["bonus_total"], "6172.84");
    assert_eq!(l["LUDO-VYV"]["bonus_total"], "6172.83");
    // grand total = sum of the lines + pilotage
    let somme: i64 = l
        .values()
        .map(|m| (m["bonus_total"].replace('.', "")).parse::<i64>().unwrap())
        .sum();
    assert_eq!(somme + 4_500_000, 168_534_011);
}

#[test]
fn dugny_et_gevrey_totaux() {
    let (l, rappro) = csv_rfc("fixtures/dugny");
    // EAJE 126 000 + new places 5 × 3 600 (tranche 1) + ALSH 85 000 + LAEP 10 000 + RPE 12 000
    // + bonus trajectoire (R63): P_ref = 60 + 24 = 84, P_N = 89 (+5,95 % ≥ 4 %) → 100 € per
    // place: 60 × 100 + 29 × 100 = 8 900 → 259 900
    assert_eq!(rappro.last().unwrap(), "TOTAL_CAF,259900.00");
    assert_eq!(l["EAJE-LES-CIGOGNES"]["bonus_trajectoire"], "6000.00");
    assert_eq!(
        l["EAJE-LES-PETITS-ARC-EN-CIEL"]["bonus_nouvelles"],
        "18000.00"
    );
    assert_eq!(l["CS-ARC-EN-CIEL"]["motif"], "TYPE_SANS_VOLET");
    // LAEP: m = 10 000 / 750 h = 40/3 € ; 400 h → 5 333,333… ; 350 h → 4 666,666…
    // floors 5 333,33 + 4 666,66 = 9 999,99 → the cent to the larger remainder (0,67: LAPINOUS)
    assert_eq!(l["LAEP-BISOUNOURS"]["bonus_total"], "5333.33");
    assert_eq!(l["LAEP-LAPINOUS"]["bonus_total"], "4666.67");

    let (l, rappro) = csv_rfc("fixtures/gevrey-nuits");
    // structures 258 627,77 + pilotage 20 000 = 278 627,77 (LISEZMOI, hand reconciliation)
    // + trajectoire (R63): CC 75 → 87 places (+16 %) → 300 € : 45 × 300 + 30 × 300 +
    // 12 × 300 × 9/12 = 25 200 ; GEVREY 36 → 40 (+11,1 %) → 200 € : 28 × 200 + 12 × 200 =
    // 8 000 → 311 827,77 ; + CTRE of GEVREY (R64): 12 000 over the 12 employer places of the
    // inter-company crèche → 323 827,77
    assert_eq!(rappro.last().unwrap(), "TOTAL_CAF,323827.77");
    assert!(rappro.contains(&"GEVREY,CTRE,12000.00,12000.00,0.00,0.00,0.00,0.00,0.00".to_string()));
    assert_eq!(l["GEV-EAJE-INTERENTREPRISES"]["bonus_ctre"], "12000.00");
    assert!(rappro.contains(&"BROCHON,ALSH,4000.00,0.00,0.00,0.00,4000.00,0.00,0.00".to_string()));
    // per-collectivité lissage: the same volet has different rates in CC and NUITS
    // (hours, R61): CC 46 800 / (60 000 + 10 800) h = 0,6610 € ; NUITS 31 000 / (30 240 +
    // 34 560) h = 0,4784 €
    let taux: Vec<&str> = l
        .values()
        .filter(|m| m["volet"] == "ALSH" && m["motif"] == "ELIGIBLE")
        .map(|m| m["taux_unitaire"].as_str())
        .collect();
    assert!(
        taux.contains(&"0.6610") && taux.contains(&"0.4784"),
        "{taux:?}"
    );
}

#[test]
fn profil_excel_fr_par_defaut() {
    let out = bonus()
        .args(["calculer", "fixtures/dugny", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let b = out.stdout;
    assert_eq!(&b[..3], b"\xEF\xBB\xBF", "BOM UTF-8");
    let t = String::from_utf8(b[3..].to_vec()).unwrap();
    let premiere = t.split("\r\n").next().unwrap();
    assert!(premiere.starts_with("id;nom;type;volet;gestionnaire;collectivite;motif;unites_eligibles;taux_unitaire;bonus_lissage;bonus_nouvelles;bonus_total;ecart_arrondi;contribution_collectivite_n1;contribution_collectivite_n;financement_public_n1;financement_public_n;variation"));
    assert!(t.contains("LAEP-LAPINOUS;Laep Lapinous;LAEP;LAEP;Ville de Dugny;DUGNY;ELIGIBLE;350,00;13,3333;4666,67;0,00;4666,67;0,0033;"));
    assert!(!t.replace("\r\n", "").contains('\n'), "CRLF partout");
    // one table per file: the structure rows only, no empty line
    assert!(!t.contains("\r\n\r\n"), "une seule table");
    assert_eq!(t.lines().count(), 1 + 11, "en-tête et 11 structures");
    // the totals table: verse_caf = 259 900,00 € (bonus trajectoire included)
    let out = bonus()
        .args([
            "calculer",
            "fixtures/dugny",
            "--format",
            "csv",
            "--table",
            "totaux",
        ])
        .output()
        .unwrap();
    let t = String::from_utf8(out.stdout[3..].to_vec()).unwrap();
    assert!(t.starts_with("indicateur;montant\r\n"), "{t}");
    assert!(t.ends_with("verse_caf;259900,00\r\n"), "{t}");
}

#[test]
fn json_schema() {
    let out = bonus()
        .args(["calculer", "fixtures/dugny", "--format", "json"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "bonus-ctg.resultat.v1");
    assert_eq!(v["exercice"], 2025);
    assert_eq!(v["structures"].as_array().unwrap().len(), 11);
    assert_eq!(v["totaux"]["general"]["verse_caf"], "259900.00");
    assert_eq!(v["avertissements"][0]["code"], "W001");
}

#[test]
fn table_par_defaut() {
    let out = bonus()
        .args(["calculer", "fixtures/dijon-2024"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(t.contains("Totaux par gestionnaire") && t.contains("Totaux par collectivité"));
    assert!(
        t.contains("1\u{202f}685\u{202f}340,11 €"),
        "total général en format français"
    );
}

fn dossier_temp(structures: &str, charges: &str) -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    fs::write(d.path().join("convention.toml"), "nom = \"t\"\ndebut = 2024-01-01\nfin = 2026-12-31\nexercice = 2025\n[[collectivites]]\nid = \"VILLE\"\ntranche = 2\n").unwrap();
    fs::write(d.path().join("structures.csv"), structures).unwrap();
    fs::write(d.path().join("charges_n1.csv"), charges).unwrap();
    d
}

#[test]
fn erreurs_localisees_toutes_en_une_passe() {
    let d = dossier_temp(
        "id;annexe;type;nom;gestionnaire;collectivite;financement;unites_existantes;unites_employeurs;mois_ouverture\n\
         A;2;EAJE;A;G;VILLE;PSU;10;12;12\n\
         A;3;CRECHE;B;G;AILLEURS;XYZ;-4;0;13\n\
         C;2;EAJE;C;G;VILLE;PSU;1,234;0;12\n",
        "collectivite;volet;montant\nVILLE;EAJE;12,345\n",
    );
    let out = bonus().args(["calculer"]).arg(d.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let e = String::from_utf8(out.stderr).unwrap();
    for attendu in [
        "erreur E017 : structures.csv, ligne 2, colonne « unites_employeurs », valeur « 12 »",
        "erreur E011 : structures.csv, ligne 3, colonne « annexe », valeur « 3 »",
        "erreur E012 : structures.csv, ligne 3, colonne « type », valeur « CRECHE »",
        "erreur E013 : structures.csv, ligne 3, colonne « financement », valeur « XYZ »",
        "erreur E008 : structures.csv, ligne 3, colonne « unites_existantes », valeur « -4 »",
        "erreur E018 : structures.csv, ligne 3, colonne « mois_ouverture », valeur « 13 »",
        "erreur E007 : structures.csv, ligne 4, colonne « unites_existantes », valeur « 1,234 »", // ambigu : milliers ou décimales
        "erreur E007 : charges_n1.csv, ligne 2, colonne « montant », valeur « 12,345 »",
    ] {
        assert!(e.contains(attendu), "manque « {attendu} » dans :\n{e}");
    }
}

#[test]
fn erreurs_de_coherence() {
    let d = dossier_temp(
        "id;annexe;type;nom;gestionnaire;collectivite;financement\nA;2;EAJE;A;G;VILLE;PSU\nA;2;EAJE;B;G;AILLEURS;PSU\n",
        "collectivite;volet;montant\nVILLE;EAJE;10\n",
    );
    let out = bonus()
        .args(["valider"])
        .arg(d.path())
        .args(["--exercice", "2030"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8(out.stderr).unwrap();
    assert!(
        // given by --exercice: the option is named, not convention.toml
        e.contains("erreur E019 : option --exercice, valeur « 2030 » : exercice 2030 hors de la période de la convention (du 1er janvier 2024 au 31 décembre 2026)"),
        "{e}"
    );
    assert!(e.contains("erreur E015 : structures.csv, ligne 3, colonne « id », valeur « A » : identifiant en double (déjà ligne 2)"), "{e}");
    assert!(
        e.contains(
            "erreur E016 : structures.csv, ligne 3, colonne « collectivite », valeur « AILLEURS »"
        ),
        "{e}"
    );
    // JSON lines for CI
    let out = bonus()
        .args(["valider", "--format-erreurs", "json"])
        .arg(d.path())
        .output()
        .unwrap();
    let premiere: serde_json::Value = serde_json::from_str(
        String::from_utf8(out.stderr)
            .unwrap()
            .lines()
            .next()
            .unwrap(),
    )
    .unwrap();
    assert_eq!(premiere["code"], "E015");
    assert_eq!(premiere["ligne"], 3);
}

#[test]
fn fichier_ou_colonne_manquants() {
    let out = bonus()
        .args(["calculer", "fixtures/inexistant"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E001"));
    let d = dossier_temp("id;nom\nA;B\n", "collectivite;volet;montant\n");
    let out = bonus().args(["calculer"]).arg(d.path()).output().unwrap();
    let e = String::from_utf8(out.stderr).unwrap();
    assert!(e.contains("erreur E004 : structures.csv, ligne 1, colonne « annexe » : colonne obligatoire « annexe » absente"), "{e}");
}

#[test]
fn codes_de_sortie_usage() {
    assert_eq!(bonus().output().unwrap().status.code(), Some(2));
    assert_eq!(
        bonus().args(["calculer"]).output().unwrap().status.code(),
        Some(2)
    );
    assert_eq!(
        bonus()
            .args(["calculer", "fixtures/dugny", "--format", "pdf"])
            .output()
            .unwrap()
            .status
            .code(),
        Some(2)
    );
    // `bareme --exercice` is a year of 1900 to 2200, as everywhere (E019, the option named)
    let o = bonus()
        .args(["bareme", "--exercice", "99999"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&o.stderr),
        "erreur E019 : option --exercice, valeur « 99999 » : exercice invalide (conseil : une année entre 1900 et 2200, par exemple --exercice 2025)\n"
    );
    let aide = bonus().args(["--help"]).output().unwrap();
    assert_eq!(aide.status.code(), Some(0));
    let t = String::from_utf8(aide.stdout).unwrap();
    assert!(
        t.contains("Utilisation") && t.contains("Calcule le bonus"),
        "{t}"
    );
}

#[test]
fn sortie_atomique_sans_ecraser() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("resultat.csv");
    bonus()
        .args(["calculer", "fixtures/dugny", "--sortie"])
        .arg(&p)
        .assert()
        .success();
    let premier = fs::read(&p).unwrap();
    assert!(
        premier.starts_with(b"\xEF\xBB\xBFid;nom"),
        "format déduit de l'extension"
    );
    // refuses to overwrite without --ecraser, and the file is intact
    bonus()
        .args(["calculer", "fixtures/gevrey-nuits", "--sortie"])
        .arg(&p)
        .assert()
        .code(1);
    assert_eq!(fs::read(&p).unwrap(), premier);
    // a failed run (invalid data) does not touch it either
    bonus()
        .args(["calculer", "fixtures/inexistant", "--ecraser", "--sortie"])
        .arg(&p)
        .assert()
        .code(1);
    assert_eq!(fs::read(&p).unwrap(), premier);
    bonus()
        .args(["calculer", "fixtures/gevrey-nuits", "--ecraser", "--sortie"])
        .arg(&p)
        .assert()
        .success();
    assert_ne!(fs::read(&p).unwrap(), premier);
    assert_eq!(
        fs::read_dir(d.path()).unwrap().count(),
        1,
        "aucun fichier temporaire laissé"
    );
}

/// `expliquer` finds the structure as ids are compared everywhere (case, edge spaces
/// aside): `eaje-balzac` explains `EAJE-BALZAC`, for the exercice and for a year of the
/// projection; a misspelt id is still E171 with the nearest id.
#[test]
fn expliquer_identifiant_a_la_casse_pres() {
    for args in [
        &["eaje-balzac"][..],
        &[" Eaje-Balzac "][..],
        &["eaje-balzac", "--annee", "2026"][..],
    ] {
        let out = bonus()
            .args(["expliquer", "fixtures/dijon-2024"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?} {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let t = String::from_utf8(out.stdout).unwrap();
        assert!(
            t.contains("Structure EAJE-BALZAC — Multi-accueil Balzac"),
            "{t}"
        );
    }
    let out = bonus()
        .args(["expliquer", "fixtures/dijon-2024", "eaje-balza"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("vouliez-vous dire « EAJE-BALZAC »"));
}

#[test]
fn expliquer_une_structure() {
    let out = bonus()
        .args(["expliquer", "fixtures/dijon-2024", "EAJE-JEAN-JAURES"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let t = String::from_utf8(out.stdout).unwrap();
    for attendu in [
        "[oui] inscrite en annexe 2 — annexe 2",
        "[oui] financement admis par le volet — financement PSU ; admis pour le volet EAJE : PSU",
        "A = Σ charges à payer N-1 du groupe = 1\u{202f}301\u{202f}846,37 €",
        "U = Σ u_i = 1\u{202f}033,00 — Σ u_i des 27 structures éligibles du groupe (R16)",
        // m = 1 301 846,37 € / 1 033 places = 130 184 637 c / 1 033 = 1 260,257861… €
        "m = A / U = 1\u{202f}301\u{202f}846,37 € / 1\u{202f}033,00 = 1\u{202f}260,257861 € (exactement 130184637/1033 centimes)",
        // s_i = 130 184 637 / 1 033 × 40 × 12 / 12 = 5 207 385 480 / 1 033 c = 50 410,314424 €
        "s_i = m_eff × u_i × mo_i / 12 = 1\u{202f}260,257861 € × 40,00 × 12 / 12 = 50\u{202f}410,314424 €",
        // its remainder ranks 13th and 13 cents are handed out: floor 50 410,31 + 0,01
        "rang_reste = 13",
        "la part reçoit un centime de reste",
        "lissage = plancher_part + centime_reste = 50\u{202f}410,31 € + 0,01 € = 50\u{202f}410,32 €",
        "volets.EAJE.plancher ; en vigueur depuis le 1er janvier 2020 ; statut : hypothèse",
        "contribution = max(0, c_ref − (bonus_lissage_n − b_ref)) = max(0, ",
        "bonus_lissage_n = 50\u{202f}410,32 € — bonus lissage de l'année",
    ] {
        assert!(t.contains(attendu), "manque « {attendu} » dans :\n{t}");
    }
    let out = bonus()
        .args(["expliquer", "fixtures/dijon-2024", "EAJE-LA-COLOMBIERE"])
        .output()
        .unwrap();
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(
        t.contains("inéligible : financement incompatible — financement PAJE"),
        "{t}"
    );
    bonus()
        .args(["expliquer", "fixtures/dijon-2024", "INCONNUE"])
        .assert()
        .code(1);
}

/// In a workbook dossier, the unknown structure is looked for in its sheet, which the
/// message names (there is no structures.csv).
#[test]
fn expliquer_structure_introuvable_dans_un_classeur() {
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("dugny.xlsx");
    bonus()
        .args(["modele", x.to_str().unwrap(), "--depuis", "fixtures/dugny"])
        .assert()
        .success();
    let out = bonus()
        .args(["expliquer", x.to_str().unwrap(), "EAJE-CIGOGNE", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        format!(
            "erreur E171 : structure « EAJE-CIGOGNE » introuvable dans {}, feuille « structures » : vouliez-vous dire « EAJE-LES-CIGOGNES » ?\n",
            x.display()
        )
    );
}

/// A structure unknown to `expliquer` is E171 with the nearest identifier, in text and in
/// JSON (the warnings of the dossier come first, as JSON lines too).
#[test]
fn expliquer_structure_introuvable_avec_suggestion() {
    let out = bonus()
        .args(["expliquer", "fixtures/dugny", "EAJE-CIGOGNE", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "erreur E171 : structure « EAJE-CIGOGNE » introuvable dans structures.csv : vouliez-vous dire « EAJE-LES-CIGOGNES » ?\n"
    );
    let out = bonus()
        .args([
            "--format-erreurs",
            "json",
            "expliquer",
            "fixtures/dugny",
            "EAJE-CIGOGNE",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let e = String::from_utf8(out.stderr).unwrap();
    let lignes: Vec<serde_json::Value> = e
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("pas du JSON : {l}")))
        .collect();
    // dugny: three W001 (a centre social and two ludothèques in annexe 2), then the error
    assert_eq!(lignes.len(), 4, "{e}");
    assert!(lignes[..3].iter().all(|l| l["code"] == "W001"), "{e}");
    assert_eq!(lignes[3]["code"], "E171");
    assert_eq!(lignes[3]["gravite"], "erreur");
    assert!(lignes[3]["message"]
        .as_str()
        .unwrap()
        .ends_with("vouliez-vous dire « EAJE-LES-CIGOGNES » ?"));
    assert!(lignes[3].get("fichier").is_none(), "{e}");
}

/// Usage errors: E170, exit code 2, in JSON too (even when the command line could not be
/// read); an unknown command lists every command and proposes the nearest one.
#[test]
fn erreurs_d_utilisation_codees_en_texte_et_en_json() {
    let out = bonus()
        .args(["calculr", "fixtures/dugny"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let e = String::from_utf8(out.stderr).unwrap();
    assert!(
        e.starts_with("erreur E170 : commande inconnue : calculr : vouliez-vous dire « calculer » ? (commandes : calculer, valider, expliquer, projeter, verifier, comparer, lot, generer, modele, exporter, notifier, bareme, serveur)\n"),
        "{e}"
    );
    for args in [
        &["--format-erreurs", "json", "inconnue"][..],
        &["calculer", "--format-erreurs=json"],
        &[
            "--format-erreurs",
            "json",
            "calculer",
            "fixtures/dugny",
            "--table",
            "totaux",
            "--format",
            "json",
        ],
        &[
            "--format-erreurs",
            "json",
            "calculer",
            "fixtures/dugny",
            "--sortie",
            "r.pdf",
        ],
    ] {
        let out = bonus().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let e = String::from_utf8(out.stderr).unwrap();
        assert_eq!(e.lines().count(), 1, "{args:?} : {e}");
        let v: serde_json::Value = serde_json::from_str(e.trim()).unwrap();
        assert_eq!(v["code"], "E170", "{args:?} : {e}");
        assert_eq!(v["gravite"], "erreur");
    }
    // the values clap refuses, said in French (no English text of the parsers, no empty list)
    for (args, attendu) in [
        (
            &["calculer", "fixtures/dugny", "--sortie", ""][..],
            "erreur E170 : valeur vide pour --sortie <FICHIER> : donnez une valeur après l'option\n",
        ),
        (
            &["calculer", "fixtures/dugny", "--largeur", "abc"],
            "erreur E170 : valeur invalide pour --largeur <N> : « abc » (un nombre entier positif est attendu)\n",
        ),
        (
            &["calculer", "fixtures/dugny", "--largeur", "70000"],
            "erreur E170 : valeur invalide pour --largeur <N> : « 70000 » (nombre attendu entre 0 et 65535)\n",
        ),
        // a negative number is a value, not an unknown option
        (
            &["calculer", "fixtures/dugny", "--largeur", "-3"],
            "erreur E170 : valeur invalide pour --largeur <N> : « -3 » (nombre attendu entre 0 et 65535)\n",
        ),
        (
            &["calculer", "fixtures/dugny", "--largeur", "99999999999999999999"],
            "erreur E170 : valeur invalide pour --largeur <N> : « 99999999999999999999 » (nombre trop grand)\n",
        ),
        (
            &["lot", "fixtures", "--fils", "-1"],
            "erreur E170 : valeur invalide pour --fils <N> : « -1 » (un nombre entier positif est attendu)\n",
        ),
        // a second dossier: a value too many, not an « unknown » argument
        (
            &["calculer", "fixtures/dugny", "fixtures/dijon-2024"],
            "erreur E170 : argument en trop : fixtures/dijon-2024 (la commande attend moins de valeurs ; un chemin qui contient des espaces s'écrit entre guillemets)\n",
        ),
        (
            &["calculer", "fixtures/dugny", "--zorg"],
            "erreur E170 : argument inconnu : --zorg\n",
        ),
    ] {
        let out = bonus().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        let e = String::from_utf8(out.stderr).unwrap();
        assert!(e.starts_with(attendu), "{args:?} : {e}");
    }
    let out = bonus()
        .args(["calculer", "fixtures/dugny", "--colonnes", "idd,nom"])
        .output()
        .unwrap();
    let e = String::from_utf8(out.stderr).unwrap();
    assert!(
        e.contains(
            "« idd,nom » (colonne « idd » inconnue ; colonnes admises : toutes, ou une liste"
        ),
        "{e}"
    );
    // the help in French typography
    let aide = bonus().args(["--help"]).output().unwrap();
    let t = String::from_utf8(aide.stdout).unwrap();
    assert!(
        t.contains("\nCommandes :\n") && t.contains("\nOptions :\n"),
        "{t}"
    );
    let aide = bonus().args(["calculer", "--help"]).output().unwrap();
    let t = String::from_utf8(aide.stdout).unwrap();
    assert!(
        t.contains("\nArguments :\n") && !t.contains("Options:"),
        "{t}"
    );
}

#[test]
fn bareme_avec_sources() {
    let out = bonus()
        .args(["bareme", "--exercice", "2025"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(
        t.contains(
            "forfaits_nouvelles = 3\u{202f}600,00 €, 3\u{202f}100,00 € et 2\u{202f}600,00 €"
        ),
        "{t}"
    );
    assert!(t.contains("Circulaire Cnaf 2021-004"));
    let out = bonus()
        .args(["bareme", "fixtures/dijon-2024"])
        .output()
        .unwrap();
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(
        t.contains("Volet LUDOTHEQUE") && t.contains("fichier : bareme.toml"),
        "{t}"
    );
}

#[test]
fn valider_resume() {
    let out = bonus()
        .args(["valider", "fixtures/dugny"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let t = String::from_utf8(out.stdout).unwrap();
    assert!(t.contains("dossier valide pour l'exercice 2025 (11 structures, 5 lignes de charge) — 0 erreur, 3 avertissements"), "{t}");
}

/// `comparer` finds a structure in both dossiers by its id compared as a dossier compares
/// ids (case aside): Dijon against a copy where `EAJE-BALZAC` is written `eaje-balzac` gives
/// one line for it, unchanged (75 615,47 € on both sides), not one removed and one added,
/// and every structure line has a zero difference of bonus.
#[test]
fn comparer_identifiant_a_la_casse_pres() {
    let d = tempfile::tempdir().unwrap();
    for f in [
        "convention.toml",
        "structures.csv",
        "charges_n1.csv",
        "bareme.toml",
    ] {
        let t = fs::read_to_string(format!("fixtures/dijon-2024/{f}")).unwrap();
        fs::write(d.path().join(f), t.replace("EAJE-BALZAC", "eaje-balzac")).unwrap();
    }
    let sortie = bonus()
        .args(["comparer", "fixtures/dijon-2024"])
        .arg(d.path())
        .args(["--format", "csv", "--profil", "rfc4180"])
        .output()
        .unwrap();
    assert!(
        sortie.status.success(),
        "{}",
        String::from_utf8_lossy(&sortie.stderr)
    );
    let t = String::from_utf8(sortie.stdout).unwrap();
    let balzac: Vec<&str> = t
        .lines()
        .filter(|l| l.to_lowercase().contains("eaje-balzac"))
        .collect();
    assert_eq!(balzac.len(), 1, "{t}");
    assert!(
        balzac[0].contains(",75615.47,75615.47,0.00,"),
        "{}",
        balzac[0]
    );
    let mut r = csv::Reader::from_reader(t.as_bytes());
    let h = r.headers().unwrap().clone();
    let ecart = h.iter().position(|c| c == "ecart_bonus").unwrap();
    let niveau = h.iter().position(|c| c == "niveau").unwrap();
    let mut n = 0;
    for rec in r.records() {
        let rec = rec.unwrap();
        if &rec[niveau] == "structure" {
            assert_eq!(&rec[ecart], "0.00", "{rec:?}");
            n += 1;
        }
    }
    assert!(n > 30, "{n} structures");
    // one convention, structures in common: no warning about the scenarios themselves
    let e = String::from_utf8_lossy(&sortie.stderr);
    assert!(!e.contains("W088") && !e.contains("W089"), "{e}");
}

/// Two scenarios of different conventions with no structure in common (Dijon against Dugny,
/// most often a folder picked by mistake): compared all the same (exit 0), with both
/// warnings, each naming the two folders.
#[test]
fn comparer_deux_conventions_signale() {
    let sortie = bonus()
        .args(["comparer", "fixtures/dijon-2024", "fixtures/dugny"])
        .args(["--format", "csv"])
        .output()
        .unwrap();
    assert_eq!(sortie.status.code(), Some(0));
    let e = String::from_utf8_lossy(&sortie.stderr);
    let w088 = e.lines().find(|l| l.contains("W088")).expect(&e);
    assert!(
        w088.contains("« CTG Commune de Dugny 2023-2027 (projet) »")
            && w088.contains("« CTG Ville de Dijon 2024-2027 »")
            && w088.contains("fixtures/dijon-2024"),
        "{w088}"
    );
    let w089 = e.lines().find(|l| l.contains("W089")).expect(&e);
    assert!(
        w089.starts_with("avertissement W089 : fixtures/dugny : aucune structure commune"),
        "{w089}"
    );
}

/// `ecart_arrondi` = paid − exact share, the exact share including the bonus trajectoire
/// (docs/regles.md R6, R63). Hand computation: EAJE A = 40 000 € over U = 28 + 20 = 48
/// places, m = 2 500/3 € ; S1 (28 places, 12 months) s = 23 333,333… €, S2 (20 places,
/// 7 months) s = 2 500/3 × 20 × 7/12 = 9 722,222… € ; T = 33 055,56 €, floors 23 333,33 +
/// 9 722,22, the cent to S1 (0,33 c > 0,22 c). New places: S1 3 × 3 100 € (tranche 2) =
/// 9 300 €. Trajectoire: P_ref = 48, P_N = 51 (+6,25 % ≥ 4 %) → 100 € a place: S1 100 × 31 =
/// 3 100 € ; S2 100 × 20 × 7/12 = 1 166,666… € → 1 166,67 €. S2 paid 9 722,22 + 1 166,67 =
/// 10 888,89 € for an exact 10 888,888… € : écart +0,0011 (without b_i it would be 1 166,67).
/// S1 paid 23 333,34 + 9 300 + 3 100 = 35 733,34 € for 35 733,333… € : écart +0,0067.
#[test]
fn ecart_arrondi_avec_la_trajectoire() {
    let d = dossier_temp(
        "id;annexe;type;nom;gestionnaire;collectivite;financement;unites_existantes;unites_nouvelles;mois_ouverture\n\
         S1;2;EAJE;S1;G;VILLE;PSU;28;3;12\n\
         S2;2;EAJE;S2;G;VILLE;PSU;20;0;7\n",
        "collectivite;volet;montant\nVILLE;EAJE;40000\n",
    );
    let out = bonus()
        .args(["calculer", "--format", "json", "-q"])
        .arg(d.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let ligne = |id: &str| {
        v["structures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()
            .clone()
    };
    let s2 = ligne("S2");
    assert_eq!(s2["bonus_lissage"], "9722.22");
    assert_eq!(s2["bonus_trajectoire"], "1166.67");
    assert_eq!(s2["bonus_total"], "10888.89");
    assert_eq!(s2["ecart_arrondi"], "0.0011");
    let s1 = ligne("S1");
    assert_eq!(s1["bonus_lissage"], "23333.34");
    assert_eq!(s1["bonus_nouvelles"], "9300.00");
    assert_eq!(s1["bonus_trajectoire"], "3100.00");
    assert_eq!(s1["ecart_arrondi"], "0.0067");
}
