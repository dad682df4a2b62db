//! Snapshot tests (insta) of what people read: the terminal table, the explanation of a
//! structure, the `verifier` report and the `comparer` report. The snapshots under
//! tests/snapshots/ were reviewed against the hand computations of
//! fixtures/dijon-2024/LISEZMOI.md and tests/verifier/LISEZMOI.md; a change in them is a
//! change of what users see.

use bonus_ctg::diagnostic::Diagnostics;
use bonus_ctg::lecture::{lire_dossier, DossierLu, OptionsLecture};
use bonus_ctg::rapport::{explication, table};
use std::path::Path;

fn charger(dossier: &str) -> (DossierLu, bonus_ctg::calcul::Resultat) {
    let mut d = Diagnostics::default();
    let lu = lire_dossier(Path::new(dossier), &OptionsLecture::default(), &mut d).unwrap();
    let (r, _) = bonus_ctg::traiter(&lu, None, "bareme.toml").unwrap();
    (lu, r)
}

#[test]
fn table_dijon() {
    let (_, r) = charger("fixtures/dijon-2024");
    // read at each width by a person: the figures are those of LISEZMOI (bonus
    // 1 640 340,11 €, Caf 1 685 340,11 €), no name cut inside a word, no line wider than
    // asked
    for largeur in [80u16, 120, 200] {
        let t = table::rendre(&r, Some(largeur)).unwrap();
        for l in t.lines() {
            assert!(l.chars().count() <= usize::from(largeur), "{largeur} : {l}");
        }
        insta::assert_snapshot!(format!("table_dijon_{largeur}"), t);
    }
    let toutes = table::rendre_colonnes(&r, Some(200), false, &table::Colonnes::Toutes).unwrap();
    let entete = toutes.lines().nth(4).unwrap();
    for c in ["identifiant", "unités", "taux", "lissage", "contribution"] {
        assert!(entete.contains(c), "{entete}");
    }
}

#[test]
fn table_etroite_et_colonnes_choisies() {
    let (_, r) = charger("fixtures/gevrey-nuits");
    // --largeur narrows as well: 60 columns, every line within, every collectivité by name
    let t = table::rendre(&r, Some(60)).unwrap();
    assert!(t.lines().all(|l| l.chars().count() <= 60), "{t}");
    for c in &r.convention.collectivites {
        let premier = c.nom.split(' ').next().unwrap();
        assert!(t.contains(premier), "{}", c.nom);
    }
    let l = table::Colonnes::analyser("id,bonus").unwrap();
    let t = table::rendre_colonnes(&r, Some(200), false, &l).unwrap();
    let entete = t.lines().nth(4).unwrap();
    assert!(
        entete.contains("identifiant") && entete.contains("bonus"),
        "{entete}"
    );
    assert!(!entete.contains("volet"), "{entete}");
}

#[test]
fn table_couleurs() {
    // colours only when asked: variations and ineligible reasons are styled
    let (_, r) = charger("tests/verifier/dossier");
    let sans = table::rendre_avec(&r, Some(200), false).unwrap();
    assert!(!sans.contains('\u{1b}'));
    let avec = table::rendre_avec(&r, Some(200), true).unwrap();
    assert!(
        avec.lines()
            .any(|l| l.contains("financement") && l.contains("\u{1b}[")),
        "{avec}"
    );
    // same text once the escapes are removed
    let mut nu = String::new();
    let mut echap = false;
    for c in avec.chars() {
        match (echap, c) {
            (false, '\u{1b}') => echap = true,
            (true, 'm') => echap = false,
            (true, _) => {}
            (false, c) => nu.push(c),
        }
    }
    assert_eq!(nu, sans);
}

#[test]
fn explications_dijon() {
    let (lu, r) = charger("fixtures/dijon-2024");
    for id in [
        "EAJE-TARNIER",
        "EAJE-DELAUNAY",
        "LUDO-ESPACE-YORK",
        "EAJE-LA-COLOMBIERE",
    ] {
        let t = explication::expliquer(&lu.dossier, &r, id)
            .unwrap()
            .unwrap();
        insta::assert_snapshot!(format!("expliquer_{id}"), t);
    }
    // Figures of the snapshots checked by hand (the text is rendered from the tree, so a
    // wrong figure there would be a wrong calculation):
    let (t, d, y) = (
        explication::expliquer(&lu.dossier, &r, "EAJE-TARNIER")
            .unwrap()
            .unwrap(),
        explication::expliquer(&lu.dossier, &r, "EAJE-DELAUNAY")
            .unwrap()
            .unwrap(),
        explication::expliquer(&lu.dossier, &r, "LUDO-ESPACE-YORK")
            .unwrap()
            .unwrap(),
    );
    // Tarnier: m = 130 184 637 c / 1 033 ; s_i = m × 30 × 9 / 12 = 5 858 308 665 / 2 066 c
    // = 28 355,801864 € ; its remainder ranks 23rd of 13 cents: 28 355,80 €.
    // Contribution (neutre): 150 000 × 9 / 12 = 112 500 ; 112 500 − (28 355,80 − 0)
    // = 84 144,20 €.
    for attendu in [
        "s_i = m_eff × u_i × mo_i / 12 = 1\u{202f}260,257861 € × 30,00 × 9 / 12 = 28\u{202f}355,801864 €",
        "rang_reste = 23 ",
        "centimes_restants = T − Σ planchers des parts du groupe = 13 ",
        "c_ref = contribution_ref × mo / mois_ref = 150\u{202f}000,00 € × 9 / 12 = 112\u{202f}500,00 €",
        // 112 500,00 − (28 355,80 − 0,00) = 84 144,20
        "contribution = max(0, c_ref − (bonus_lissage_n − b_ref)) = max(0, 112\u{202f}500,00 € − (28\u{202f}355,80 € − 0,00 €)) = 84\u{202f}144,20 €",
    ] {
        assert!(t.contains(attendu), "{attendu}\n{t}");
    }
    // Delaunay: new units 3 100 × 10 × 12 / 12 = 31 000 € ; bonus 25 205,16 + 31 000 =
    // 56 205,16 € ; public funding 74 794,84 + 56 205,16 = 131 000 € (100 000 in N-1).
    for attendu in [
        "t_i = forfait × n_i × mo_i / 12 = 3\u{202f}100,00 € × 10,00 × 12 / 12 = 31\u{202f}000,00 €",
        "= 25\u{202f}205,16 € + 31\u{202f}000,00 € + 0,00 € = 56\u{202f}205,16 €",
        "= 131\u{202f}000,00 € − 100\u{202f}000,00 € = 31\u{202f}000,00 €",
    ] {
        assert!(d.contains(attendu), "{attendu}\n{d}");
    }
    // York: A = 12 345,67 € over U = 2 → 6 172,835 € each; floors 2 × 6 172,83 leave one
    // cent, for the first remainder: 6 172,84 €.
    for attendu in [
        "m = A / U = 12\u{202f}345,67 € / 2,00 = 6\u{202f}172,835000 €",
        "lissage = plancher_part + centime_reste = 6\u{202f}172,83 € + 0,01 € = 6\u{202f}172,84 €",
    ] {
        assert!(y.contains(attendu), "{attendu}\n{y}");
    }
}

fn verifier(nom: &str) -> String {
    let (lu, r) = charger("tests/verifier/dossier");
    let mut d = Diagnostics::default();
    let chemin = format!("tests/verifier/{nom}");
    let texte = std::fs::read_to_string(&chemin).unwrap();
    let lignes = bonus_ctg::verification::analyser_csv(&chemin, &texte, &mut d);
    let v =
        bonus_ctg::verification::verifier(&r, &lu.dossier, &chemin, &lignes, &Default::default())
            .unwrap();
    bonus_ctg::rapport::verification::rendre_table(&v, Some(140), false)
}

#[test]
fn verifier_rapports() {
    for nom in [
        "notification-arrondi.csv",
        "notification-unites.csv",
        "notification-introuvable.csv",
        "notification-enveloppe.csv",
    ] {
        insta::assert_snapshot!(format!("verifier_{nom}"), verifier(nom));
    }
}

#[test]
fn comparer_creche_plus_10_places() {
    // scenario B: EAJE-DELAUNAY creates 10 more places (20 new instead of 10).
    // Hand computation: new places do not enter U, so no lissage changes; Delaunay gets
    // 10 × 3 100 € (tranche 2) × 12/12 = 31 000,00 € more: 56 205,16 → 87 205,16 € ; in mode
    // « neutre » its contribution depends on the lissage only: unchanged ; the Caf total
    // rises from 1 685 340,11 € to 1 716 340,11 €.
    let dir = tempfile::tempdir().unwrap();
    for f in [
        "convention.toml",
        "charges_n1.csv",
        "bareme.toml",
        "structures.csv",
    ] {
        std::fs::copy(Path::new("fixtures/dijon-2024").join(f), dir.path().join(f)).unwrap();
    }
    let p = dir.path().join("structures.csv");
    let s = std::fs::read_to_string(&p).unwrap();
    let s2 = s.replace(
        "COMMUNE DE DIJON;DIJON;PSU;oui;20;10;0;12;100 000,00",
        "COMMUNE DE DIJON;DIJON;PSU;oui;20;20;0;12;100 000,00",
    );
    assert_ne!(s, s2);
    std::fs::write(&p, s2).unwrap();
    let (_, ra) = charger("fixtures/dijon-2024");
    let (_, rb) = charger(dir.path().to_str().unwrap());
    let c = bonus_ctg::comparaison::comparer(&ra, &rb, "dijon-2024", "dijon-2024 + 10 places");
    let changees: Vec<_> = c.structures.iter().filter(|s| s.change()).collect();
    assert_eq!(changees.len(), 1);
    assert_eq!(changees[0].id, "EAJE-DELAUNAY");
    assert_eq!(changees[0].bonus.a.0, 5_620_516);
    assert_eq!(changees[0].bonus.b.0, 8_720_516);
    assert_eq!(changees[0].contribution.ecart().0, 0);
    assert_eq!(c.total.verse_caf.ecart().0, 3_100_000);
    assert_eq!(c.total.verse_caf.b.0, 171_634_011);
    let g = c
        .gestionnaires
        .iter()
        .find(|g| g.cle == "COMMUNE DE DIJON")
        .unwrap();
    assert_eq!(g.financement_public.ecart().0, 3_100_000);
    insta::assert_snapshot!(
        "comparer_delaunay",
        bonus_ctg::comparaison::rendre_table(&c, Some(160), false, false)
    );
    // the command line, as JSON
    let out = assert_cmd::Command::cargo_bin("bonus-ctg")
        .unwrap()
        .args(["comparer", "fixtures/dijon-2024"])
        .arg(dir.path())
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "bonus-ctg.comparaison.v1");
    assert_eq!(v["total"]["verse_caf"]["ecart"], "31000.00");
    let d = v["structures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "EAJE-DELAUNAY")
        .unwrap();
    assert_eq!(d["bonus"]["b"], "87205.16");
    assert_eq!(d["unites_nouvelles_b"], "20.00");
}

/// The `Synthèse` sheet of the workbook as text: « label | value » per row (amounts in
/// euros, counts as integers); the production date replaced (it changes every day).
#[test]
fn synthese_du_classeur_dijon() {
    use calamine::{Data, Reader, Xlsx};
    let (_, r) = charger("fixtures/dijon-2024");
    let octets = bonus_ctg::rapport::xlsx::rendre(&r).unwrap();
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(octets)).unwrap();
    let s = wb.worksheet_range("Synthèse").unwrap();
    let mut t = String::new();
    for ligne in s.rows() {
        let cellules: Vec<String> = ligne
            .iter()
            .map(|c| match c {
                Data::String(x) if x.starts_with("produit le ") => "produit le (date)".into(),
                Data::String(x) => x.clone(),
                // amounts and units to the cent, counts as integers (exact in a double)
                Data::Float(v) if v.fract() == 0.0 => format!("{v:.0}"),
                Data::Float(v) => format!("{v:.2}"),
                Data::Empty => String::new(),
                autre => format!("{autre:?}"),
            })
            .collect();
        t.push_str(cellules.join(" | ").trim_end_matches([' ', '|']));
        t.push('\n');
    }
    // read by a person: 61 structures, 43 eligible ; A 1 662 692,04 € ; bonus 1 640 340,11 €
    // = lissage 1 590 740,11 + new places 49 600 ; P 45 000 ; R 26 951,93 ; Caf
    // 1 685 340,11 € (LISEZMOI) ; ALSH 392 720 hours, 9 structures ; the total row adds the
    // bonus, not the units of different volets
    insta::assert_snapshot!("synthese_dijon", t);
}

/// The text of the letter to one gestionnaire (pdftotext), when poppler-utils is there.
#[test]
fn lettre_lpcr() {
    let present = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok();
    if !present {
        eprintln!("pdftotext absent : texte de la lettre non comparé");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let s = d.path().join("lettres");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_bonus-ctg"))
        .args([
            "-q",
            "notifier",
            "fixtures/dijon-2024",
            "--gestionnaire",
            "LPCR",
            "--sortie",
        ])
        .arg(format!("{}/", s.display()))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = std::process::Command::new("pdftotext")
        .arg(s.join("gestionnaire-lpcr.pdf"))
        .arg("-")
        .output()
        .unwrap();
    let texte = String::from_utf8(t.stdout).unwrap();
    // read by a person: 30 × 1 260,2579 = 37 807,74 € (Junot, Roosevelt) ; 35 × … =
    // 44 109,03 € ; Heudelet 63 012,89 € + 6 new places × 3 100 € = 81 612,89 € ; total
    // lissage 182 737,40 € + 18 600 € = 201 337,40 € (the gestionnaire's row of calculer)
    assert!(texte.contains("201 337,40 €"), "{texte}");
    insta::assert_snapshot!("lettre_lpcr", texte);
}
