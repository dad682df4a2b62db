//! The messages of `projeter` for a faulty events file (E030–E037, W030), exact, on the
//! Dugny fixture (convention 2023-01-01 → 2027-12-31, exercice 2025; EAJE-LES-CIGOGNES has
//! 60 existing places). Each case is also the example of docs/erreurs.md. And many events
//! on unknown ids, each refused.

use assert_cmd::Command;

const DOSSIER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/dugny");

fn message(evenements: &str, args: &[&str]) -> String {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("e.csv"), evenements).unwrap();
    let o = Command::cargo_bin("bonus-ctg")
        .unwrap()
        .current_dir(t.path())
        .args(["projeter", DOSSIER, "--evenements", "e.csv"])
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let lignes: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(" E03") || l.contains(" W03"))
        .collect();
    assert_eq!(lignes.len(), 1, "{err}");
    lignes[0].to_string()
}

const ENTETE: &str = "date;id;action;valeur\n";

#[test]
fn erreurs_des_evenements() {
    let cas: [(&str, &[&str], &str); 9] = [
        (
            "2026-02-31;EAJE-LES-CIGOGNES;fermeture;\n",
            &[],
            "erreur E030 : e.csv, ligne 2, colonne « date », valeur « 2026-02-31 » : date illisible (conseil : écrivez AAAA-MM-JJ (2026-09-01) ou JJ/MM/AAAA (01/09/2026))",
        ),
        (
            "2026-03-01;EAJE-INCONNUE;fermeture;\n",
            &[],
            "erreur E031 : e.csv, ligne 2, colonne « id », valeur « EAJE-INCONNUE » : aucune structure du dossier n'a cet identifiant (conseil : un événement porte sur une structure de la table structures ; une structure qui ouvre pendant la convention y figure avec mois_ouverture = 0)",
        ),
        (
            "2026-03-01;EAJE-LES-CIGOGNES;demenagement;\n",
            &[],
            "erreur E032 : e.csv, ligne 2, colonne « action », valeur « demenagement » : action inconnue (conseil : actions admises : ouverture, fermeture, unites_existantes, unites_nouvelles, unites_employeurs, soutien, annexe)",
        ),
        (
            "2026-03-01;EAJE-LES-CIGOGNES;unites_existantes;beaucoup\n",
            &[],
            "erreur E033 : e.csv, ligne 2, colonne « valeur », valeur « beaucoup » : nombre d'unités illisible : nombre invalide (conseil : écrivez par exemple 40 ou 1,5)",
        ),
        (
            "2030-03-01;EAJE-LES-CIGOGNES;fermeture;\n",
            &[],
            "erreur E034 : e.csv, ligne 2, colonne « date », valeur « 2030-03-01 » : date hors de la période de la convention (du 1er janvier 2023 au 31 décembre 2027) (conseil : un événement se situe pendant la convention)",
        ),
        (
            "2026-03-01;EAJE-LES-CIGOGNES;unites_existantes;50\n2026-03-01;EAJE-LES-CIGOGNES;unites_existantes;55\n",
            &[],
            "erreur E035 : e.csv, ligne 3, colonne « action », valeur « unites_existantes » : deux événements « unites_existantes » pour « EAJE-LES-CIGOGNES » comptent à partir de mars 2026 (lignes 2 et 3) (conseil : gardez une seule valeur par mois (un changement compte au mois qui suit sa date, sauf le 1er))",
        ),
        (
            // 100 employer places > 60 existing places
            "2026-03-01;EAJE-LES-CIGOGNES;unites_employeurs;100\n",
            &[],
            "erreur E036 : e.csv, ligne 2, colonne « valeur », valeur « 100,00 » : « EAJE-LES-CIGOGNES » : unités employeurs (100,00) supérieures aux unités existantes (60,00) à partir de mars 2026 (conseil : les places employeurs font partie des places existantes)",
        ),
        (
            "2027-03-01;EAJE-LES-CIGOGNES;fermeture;\n",
            &["--jusqu-a", "2026"],
            "avertissement W030 : e.csv, ligne 2, colonne « date », valeur « 2027-03-01 » : l'événement compte à partir de mars 2027, après la dernière année projetée (2026) : sans effet (conseil : prolongez la projection (--jusqu-a) si la convention le permet)",
        ),
        (
            // closed on 10 March, reopened on 20 March: both count from April (a change
            // counts from the month after its date), every month keeps its first day's state
            "2026-03-10;EAJE-LES-CIGOGNES;fermeture;\n2026-03-20;EAJE-LES-CIGOGNES;ouverture;\n",
            &[],
            "avertissement W030 : e.csv, ligne 3, colonne « action », valeur « ouverture » : fermeture (ligne 2) et ouverture (ligne 3) de « EAJE-LES-CIGOGNES » comptent toutes deux à partir d'avril 2026 : sans effet, chaque mois gardant l'état de son premier jour (conseil : une fermeture de moins d'un mois ne change aucun mois ; retirez ces deux lignes, ou datez-les de mois différents)",
        ),
    ];
    for (lignes, args, attendu) in cas {
        assert_eq!(message(&format!("{ENTETE}{lignes}"), args), attendu);
    }
}

#[test]
fn projection_au_dela_de_la_convention() {
    let o = Command::cargo_bin("bonus-ctg")
        .unwrap()
        .args(["projeter", DOSSIER, "--jusqu-a", "2031"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains(
        "erreur E037 : projection : --jusqu-a 2031 dépasse la fin de la convention (2027) (conseil : choisissez une année comprise dans la convention)"
    ));
}

/// Events on ids of no structure, many of them: each is refused (E031), none is attached to
/// a structure, on a dossier of 3 000 structures. (The matching goes through an index of
/// the ids, not a comparison of each event with every structure: its cost is measured by
/// `cargo bench --bench echelle -- evenements`, not here.)
#[test]
fn evenements_sur_des_identifiants_inconnus() {
    use bonus_ctg::diagnostic::{Code, Diagnostics};
    use bonus_ctg::lecture::{analyser_dossier, Fichiers};
    use bonus_ctg::projection::evenements::{analyser_evenements, Chronologie};
    use std::fmt::Write;
    const N: usize = 3_000;
    let mut structures = String::from(
        "id;annexe;type;nom;gestionnaire;collectivite;financement;unites_existantes\n",
    );
    let mut evenements = String::from(ENTETE);
    for i in 0..N {
        writeln!(structures, "EAJE-{i};2;EAJE;S{i};G;V;PSU;10").unwrap();
        writeln!(evenements, "2026-03-01;X-{i};fermeture;").unwrap();
    }
    // and one on a known id written with another case: attached, not refused
    writeln!(evenements, "2026-03-01;eaje-7;fermeture;").unwrap();
    let f = Fichiers {
        convention: "exercice = 2025\ndebut = 2025-01-01\nfin = 2027-12-31\n[[collectivites]]\nid = \"V\"\ntranche = 1\n".into(),
        structures,
        charges: "collectivite;volet;montant\nV;EAJE;100\n".into(),
        ..Default::default()
    };
    let mut d = Diagnostics::default();
    let lu = analyser_dossier(&f, &mut d).unwrap();
    let ev = analyser_evenements("e.csv", &evenements, &mut d);
    assert_eq!(ev.len(), N + 1);
    let source = bonus_ctg::lecture::tableau::Localisation::csv("e.csv");
    Chronologie::construire(&lu.dossier, &ev, 2025, 2027, &source, &mut d);
    // the errors kept are capped (E027): all of them are E031, none names EAJE-7
    assert!(d.a_des_erreurs());
    assert!(d.erreurs().all(|x| x.code == Code::E031));
    assert!(!d.erreurs().any(|x| x.to_string().contains("eaje-7")));
}

/// The Dugny dossier as one workbook `d.xlsx` in `dir` (sheets written from the fixture's
/// files, every cell as text), with the lines `evenements` (`date;id;action;valeur`) in its
/// `evenements` sheet, under the header row.
fn classeur_dugny(dir: &std::path::Path, evenements: &str) {
    use rust_xlsxwriter::{Workbook, Worksheet};
    fn ecrire<'a>(ws: &mut Worksheet, lignes: impl Iterator<Item = Vec<&'a str>>) {
        for (l, ligne) in lignes.enumerate() {
            for (c, v) in ligne.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
                ws.write_string(l as u32, c as u16, *v).unwrap();
            }
        }
    }
    let mut wb = Workbook::new();
    let convention: [&[&str]; 9] = [
        &["champ", "valeur"],
        &["nom", "CTG Commune de Dugny 2023-2027 (projet)"],
        &["caf", "Caf de la Seine-Saint-Denis"],
        &["debut", "2023-01-01"],
        &["fin", "2027-12-31"],
        &["exercice", "2025"],
        &[],
        &["id", "nom", "tranche", "signataire", "population"],
        &["DUGNY", "Commune de Dugny", "1", "oui", "11073"],
    ];
    let ws = wb.add_worksheet().set_name("convention").unwrap();
    ecrire(ws, convention.iter().map(|l| l.to_vec()));
    for nom in ["structures", "charges_n1"] {
        let mut r = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_path(format!("{DOSSIER}/{nom}.csv"))
            .unwrap();
        let enr: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
        let ws = wb.add_worksheet().set_name(nom).unwrap();
        ecrire(ws, enr.iter().map(|e| e.iter().collect()));
    }
    let texte = format!("{ENTETE}{evenements}");
    let ws = wb.add_worksheet().set_name("evenements").unwrap();
    ecrire(ws, texte.lines().map(|l| l.split(';').collect()));
    wb.save(dir.join("d.xlsx")).unwrap();
}

/// The E03x / W03x lines `projeter d.xlsx` writes for a workbook whose `evenements` sheet
/// holds `evenements`.
fn messages_du_classeur(evenements: &str, args: &[&str]) -> Vec<String> {
    let t = tempfile::tempdir().unwrap();
    classeur_dugny(t.path(), evenements);
    let o = Command::cargo_bin("bonus-ctg")
        .unwrap()
        .current_dir(t.path())
        .args(["projeter", "d.xlsx"])
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    err.lines()
        .filter(|l| l.contains(" E03") || l.contains(" W03"))
        .map(str::to_string)
        .collect()
}

/// In the `evenements` sheet of a workbook, every message names the cell, the line being the
/// spreadsheet's, as the messages of the other sheets do: the errors found reading a row
/// (E030, E032, E033) and those of the checks made afterwards (E031, E034, E035, E036,
/// W030).
#[test]
fn erreurs_de_la_feuille_evenements_a_leur_cellule() {
    let cas: [(&str, &[&str], &str); 3] = [
        (
            "2026-03-01;EAJE-LES-CIGOGNES;unites_existantes;beaucoup\n",
            &[],
            "erreur E033 : d.xlsx, cellule evenements!D2, colonne « valeur », valeur « beaucoup » : nombre d'unités illisible : nombre invalide (conseil : écrivez par exemple 40 ou 1,5)",
        ),
        (
            "2026-03-01;EAJE-LES-CIGOGNES;fermeture;\n2026-03-01;EAJE-INCONNUE;fermeture;\n",
            &[],
            "erreur E031 : d.xlsx, cellule evenements!B3, colonne « id », valeur « EAJE-INCONNUE » : aucune structure du dossier n'a cet identifiant (conseil : un événement porte sur une structure de la table structures ; une structure qui ouvre pendant la convention y figure avec mois_ouverture = 0)",
        ),
        (
            "2026-03-01;EAJE-LES-CIGOGNES;unites_existantes;50\n2026-03-01;EAJE-LES-CIGOGNES;unites_existantes;55\n",
            &[],
            "erreur E035 : d.xlsx, cellule evenements!C3, colonne « action », valeur « unites_existantes » : deux événements « unites_existantes » pour « EAJE-LES-CIGOGNES » comptent à partir de mars 2026 (lignes 2 et 3) (conseil : gardez une seule valeur par mois (un changement compte au mois qui suit sa date, sauf le 1er))",
        ),
    ];
    for (lignes, args, attendu) in cas {
        assert_eq!(messages_du_classeur(lignes, args), [attendu]);
    }
}

/// Each case of [`erreurs_des_evenements`] in the sheet: the same message, its line and
/// column becoming the cell (columns A to D: date, id, action, valeur).
#[test]
fn chaque_erreur_de_la_feuille_nomme_sa_cellule() {
    let cas: [(&str, &[&str], u32, &str); 7] = [
        ("2026-02-31;EAJE-LES-CIGOGNES;fermeture;\n", &[], 2, "date"),
        ("2026-03-01;EAJE-INCONNUE;fermeture;\n", &[], 2, "id"),
        (
            "2026-03-01;EAJE-LES-CIGOGNES;demenagement;\n",
            &[],
            2,
            "action",
        ),
        (
            "2026-03-01;EAJE-LES-CIGOGNES;fermeture;oui\n",
            &[],
            2,
            "valeur",
        ),
        ("2030-03-01;EAJE-LES-CIGOGNES;fermeture;\n", &[], 2, "date"),
        (
            "2026-03-01;EAJE-LES-CIGOGNES;unites_employeurs;100\n",
            &[],
            2,
            "valeur",
        ),
        (
            "2027-03-01;EAJE-LES-CIGOGNES;fermeture;\n",
            &["--jusqu-a", "2026"],
            2,
            "date",
        ),
    ];
    for (lignes, args, ligne, colonne) in cas {
        let csv = message(&format!("{ENTETE}{lignes}"), args);
        let lettre = ["date", "id", "action", "valeur"]
            .iter()
            .position(|c| *c == colonne)
            .map(|i| (b'A' + i as u8) as char)
            .unwrap();
        let attendu = csv.replace(
            &format!("e.csv, ligne {ligne}, colonne « {colonne} »"),
            &format!("d.xlsx, cellule evenements!{lettre}{ligne}, colonne « {colonne} »"),
        );
        assert_ne!(attendu, csv);
        assert_eq!(messages_du_classeur(lignes, args), [attendu]);
    }
}

/// The report of `projeter` names where its events were read: the workbook and its sheet,
/// or the CSV file given.
#[test]
fn le_rapport_nomme_la_source_des_evenements() {
    let ev = "2026-03-01;EAJE-LES-CIGOGNES;unites_existantes;50\n";
    let titre = |source: &str| {
        format!("\nÉvénements appliqués ({source} ; un changement compte au mois qui suit sa date, sauf le 1er : R21)\n  ligne 2 : 1er mars 2026, EAJE-LES-CIGOGNES unites_existantes 50,00 → compte à partir de mars 2026\n")
    };
    let t = tempfile::tempdir().unwrap();
    classeur_dugny(t.path(), ev);
    std::fs::write(t.path().join("e.csv"), format!("{ENTETE}{ev}")).unwrap();
    let projeter = |args: &[&str]| {
        let o = Command::cargo_bin("bonus-ctg")
            .unwrap()
            .current_dir(t.path())
            .arg("projeter")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(0));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let x = projeter(&["d.xlsx"]);
    assert!(x.contains(&titre("d.xlsx, feuille « evenements »")), "{x}");
    let c = projeter(&[DOSSIER, "--evenements", "e.csv"]);
    assert!(c.contains(&titre("e.csv")), "{c}");
}

/// A number of the `evenements` sheet reads as the other sheets' numbers do: `1.234` is
/// a number with three decimals (refused as such), where a CSV's `1.234` is ambiguous
/// (thousands or decimals?).
#[test]
fn nombre_de_la_feuille_lu_comme_dans_les_autres_feuilles() {
    let m = messages_du_classeur(
        "2026-03-01;EAJE-LES-CIGOGNES;unites_existantes;1.234\n",
        &[],
    );
    assert_eq!(m.len(), 1, "{m:?}");
    assert!(
        m[0].contains("cellule evenements!D2")
            && m[0].contains("décimales")
            && !m[0].contains("ambiguë"),
        "{m:?}"
    );
    let csv = message(
        &format!("{ENTETE}2026-03-01;EAJE-LES-CIGOGNES;unites_existantes;1.234\n"),
        &[],
    );
    assert!(
        csv.contains("e.csv, ligne 2") && csv.contains("ambiguë"),
        "{csv}"
    );
}
