//! XLSX workbook read back with calamine: every amount to the cent, against the calculation
//! and against the independent Python oracle (`scripts/oracle.py`), the formulas of the
//! total rows, the barème and the modelling choices.

use bonus_ctg::diagnostic::Diagnostics;
use bonus_ctg::lecture::{lire_dossier, OptionsLecture};
use bonus_ctg::modele::Montant;
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;
use std::path::Path;

const DIJON: &str = "fixtures/dijon-2024";

fn resultat() -> bonus_ctg::calcul::Resultat {
    let mut d = Diagnostics::default();
    let lu = lire_dossier(Path::new(DIJON), &OptionsLecture::default(), &mut d).unwrap();
    bonus_ctg::traiter(&lu, None, "bareme.toml").unwrap().0
}

fn classeur(r: &bonus_ctg::calcul::Resultat) -> Xlsx<Cursor<Vec<u8>>> {
    let octets = bonus_ctg::rapport::xlsx::rendre(r).unwrap();
    calamine::open_workbook_from_rs(Cursor::new(octets)).unwrap()
}

/// A number cell as cents, checking it is a whole number of cents (no float drift).
fn centimes(c: &Data) -> i64 {
    let Data::Float(v) = c else {
        panic!("pas un nombre : {c:?}")
    };
    let x = v * 100.0;
    assert!(
        (x - x.round()).abs() < 1e-6,
        "{v} n'est pas un nombre entier de centimes"
    );
    x.round() as i64
}

fn texte(c: &Data) -> String {
    match c {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        autre => panic!("pas un texte : {autre:?}"),
    }
}

/// "1234.56" → cents (the CSV of the oracle, rfc4180 profile).
fn cents_decimal(s: &str) -> i64 {
    let (e, d) = s.split_once('.').unwrap();
    let neg = e.starts_with('-');
    let v = e.trim_start_matches('-').parse::<i64>().unwrap() * 100 + d.parse::<i64>().unwrap();
    if neg {
        -v
    } else {
        v
    }
}

#[test]
fn feuilles_et_montants_au_centime() {
    let r = resultat();
    let mut wb = classeur(&r);
    assert_eq!(
        wb.sheet_names(),
        vec![
            "Synthèse",
            "Structures",
            "Gestionnaires",
            "Collectivités",
            "Rapprochement",
            "Barème",
            "Hypothèses"
        ]
    );
    let st = wb.worksheet_range("Structures").unwrap();
    let lignes: Vec<&[Data]> = st.rows().collect();
    let entete: Vec<String> = lignes[0].iter().map(texte).collect();
    // French headers with their unit; the machine names stay in the CSV and JSON
    let mut attendu: Vec<String> = bonus_ctg::rapport::csv::COLONNES
        .iter()
        .map(|s| bonus_ctg::rapport::tables::libelle(s).to_string())
        .collect();
    attendu.push("Motif".into());
    assert_eq!(entete, attendu);
    assert_eq!(entete[9], "Bonus lissage (€)");
    assert_eq!(entete[13], "Contribution collectivité N-1 (€)");
    assert!(entete.iter().all(|e| !e.contains('_')), "{entete:?}");
    assert_eq!(lignes.len(), 1 + 61);
    // every amount of every structure, to the cent, against the exact calculation
    for (l, x) in lignes[1..].iter().zip(&r.structures) {
        assert_eq!(texte(&l[0]), x.structure.id);
        let montants = [
            (9, x.bonus_lissage),
            (10, x.bonus_nouvelles),
            (11, x.bonus_total),
            (13, x.contribution_n1),
            (14, x.contribution_n),
            (15, x.financement_public_n1),
            (16, x.financement_public_n),
            (17, x.variation),
        ];
        for (c, m) in montants {
            assert_eq!(
                centimes(&l[c]),
                m.0,
                "{} colonne {}",
                x.structure.id,
                entete[c]
            );
        }
        let Data::Float(u) = l[7] else { panic!() };
        assert_eq!((u * 100.0).round() as i64, x.unites_eligibles.0);
    }
    // hand-checked figures (fixtures/dijon-2024/LISEZMOI.md, tests/cli.rs): ALSH in hours,
    // 250 000 € over 392 720 h ; 30 000 h → 19 097,5758… → 19 097,58 (a remainder cent) ;
    // 25 920 h → 16 500,3055… → 16 500,30
    let montant = |id: &str, col: usize| {
        let l = lignes.iter().find(|l| texte(&l[0]) == id).unwrap();
        centimes(&l[col])
    };
    assert_eq!(montant("ALSH-EXTRASCOLAIRE-BOURROCHES-CASI", 9), 1_909_758);
    assert_eq!(
        montant("ALSH-PERISCOLAIRE-SPORT-LOISIR-JEUNES", 9),
        1_650_030
    );
    assert_eq!(montant("LUDO-ESPACE-YORK", 11), 617_284);
    assert_eq!(montant("LUDO-VYV", 11), 617_283);
    assert_eq!(montant("EAJE-JEAN-JAURES", 11), 5_041_032);
    assert_eq!(montant("EAJE-MANSART", 11), 5_041_031);
    // taux_unitaire to 4 decimals: ALSH m = 250 000 / 392 720 h = 0,636585… € → 0,6366
    let l = lignes
        .iter()
        .find(|l| texte(&l[0]) == "ALSH-PERISCOLAIRE-DIJON")
        .unwrap();
    // (written as a quotient: the literal 0.6366 looks like 2/π to clippy)
    assert_eq!(l[8], Data::Float(6366.0 / 10000.0));
    assert_eq!(texte(&l[6]), "ELIGIBLE");
    let l = lignes
        .iter()
        .find(|l| texte(&l[0]) == "EAJE-LA-COLOMBIERE")
        .unwrap();
    assert_eq!(texte(&l[6]), "FINANCEMENT_INCOMPATIBLE");
    assert!(texte(&l[20]).starts_with("financement incompatible"));
}

#[test]
fn montants_identiques_a_l_oracle_python() {
    // independent method: the Python oracle's CSV, cell by cell
    let Ok(sortie) = std::process::Command::new("python3")
        .args(["scripts/oracle.py", DIJON])
        .output()
    else {
        eprintln!("python3 absent : comparaison à l'oracle sautée");
        return;
    };
    assert!(sortie.status.success());
    let csv = String::from_utf8(sortie.stdout).unwrap();
    let r = resultat();
    let mut wb = classeur(&r);
    let st = wb.worksheet_range("Structures").unwrap();
    let lignes: Vec<&[Data]> = st.rows().skip(1).collect();
    let oracle: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .take_while(|l| !l.is_empty())
        .map(|l| l.split(',').collect())
        .collect();
    assert_eq!(oracle.len(), lignes.len());
    let mut n = 0;
    for (o, l) in oracle.iter().zip(&lignes) {
        // names may contain commas in other dossiers; not in Dijon's
        assert_eq!(o.len(), 20, "{o:?}");
        assert_eq!(o[0], texte(&l[0]));
        for c in [9, 10, 11, 13, 14, 15, 16, 17, 18, 19] {
            assert_eq!(cents_decimal(o[c]), centimes(&l[c]), "{} col {c}", o[0]);
            n += 1;
        }
    }
    assert_eq!(n, 61 * 10);
    // the oracle's TOTAL_CAF line = 1 685 340,11 €
    let total = csv.lines().find(|l| l.starts_with("TOTAL_CAF")).unwrap();
    assert_eq!(
        cents_decimal(total.split(',').nth(1).unwrap()),
        r.total.verse_caf.0
    );
}

#[test]
fn rapprochement_formules_somme_et_total_calcule() {
    let r = resultat();
    let mut wb = classeur(&r);
    let rap = wb.worksheet_range("Rapprochement").unwrap();
    let f = wb.worksheet_formula("Rapprochement").unwrap();
    let lignes: Vec<&[Data]> = rap.rows().collect();
    let n = r.groupes.len(); // 7 groups: ALSH, AUTRE, EAJE, LAEP, LUDOTHEQUE, PILOTAGE, RPE
    assert_eq!(n, 7);
    // row n+1 (0-based): formulas; row n+2: computed values; row n+3: formula − computed
    let lf = n + 1;
    assert_eq!(texte(&lignes[lf][0]), "TOTAL (formule SOMME)");
    assert_eq!(texte(&lignes[lf + 1][0]), "TOTAL calculé par bonus-ctg");
    let formule = |l: usize, c: usize| {
        f.get_value((l as u32, c as u32))
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(formule(lf, 2), "SUM(C2:C8)");
    assert_eq!(formule(lf, 9), "SUM(J2:J8)");
    assert_eq!(formule(lf + 2, 2), "ROUND(C9-C10,2)");
    // per-line check column: A + C − L − R − P = 0
    assert_eq!(formule(1, 10), "ROUND(C2+G2-E2-H2-I2,2)");
    // cached value of the formula = computed value (hand-checked, LISEZMOI):
    // A = 1 662 692,04 € ; L = 1 590 740,11 € ; N = 49 600,00 € ; R = 26 951,93 € ;
    // P = 45 000,00 € ; Caf = 1 685 340,11 €
    for (c, m) in [
        (2, 166_269_204),
        (4, 159_074_011),
        (5, 4_960_000),
        (7, 2_695_193),
        (8, 4_500_000),
        (9, 168_534_011),
    ] {
        assert_eq!(centimes(&lignes[lf][c]), m, "formule colonne {c}");
        assert_eq!(centimes(&lignes[lf + 1][c]), m, "calculé colonne {c}");
        assert_eq!(centimes(&lignes[lf + 2][c]), 0, "écart colonne {c}");
    }
    // the formula's range really sums to the computed total (recomputed here from the cells)
    for c in [2usize, 4, 5, 6, 7, 8, 9] {
        let s: i64 = (1..=n).map(|l| centimes(&lignes[l][c])).sum();
        assert_eq!(s, centimes(&lignes[lf + 1][c]), "colonne {c}");
    }
    // cross-check with the Structures sheet
    let lx = lf + 4;
    // bonus (column L) + CTRE (column T, R64)
    assert_eq!(
        formule(lx, 9),
        "SUM(Structures!L2:L62)+SUM(Structures!T2:T62)"
    );
    assert_eq!(centimes(&lignes[lx][9]), 164_034_011); // 1 640 340,11 €
    assert_eq!(formule(lx + 1, 9), format!("J{}+I{}", lx + 1, lf + 1));
    assert_eq!(centimes(&lignes[lx + 2][9]), r.total.verse_caf.0);
    // units are places, hours or ETP according to the volet: never added together
    assert_eq!(texte(&lignes[0][3]), "Unités U (unités du volet)");
    assert_eq!(lignes[lf][3], Data::Empty);
    assert!(formule(lf, 3).is_empty());
}

#[test]
fn synthese_chiffres_cles() {
    let r = resultat();
    let mut wb = classeur(&r);
    let s = wb.worksheet_range("Synthèse").unwrap();
    let lignes: Vec<&[Data]> = s.rows().collect();
    let valeur = |libelle: &str| {
        let l = lignes
            .iter()
            .find(|l| !l.is_empty() && texte(&l[0]) == libelle)
            .unwrap_or_else(|| panic!("{libelle}"));
        centimes(&l[1])
    };
    assert_eq!(
        texte(&lignes[0][0]),
        "CTG Ville de Dijon 2024-2027 — exercice 2025"
    );
    // hand-checked totals of fixtures/dijon-2024/LISEZMOI.md: A = 1 662 692,04 € ;
    // L = 1 590 740,11 € + N = 49 600,00 € = bonus 1 640 340,11 € ; P = 45 000,00 € ;
    // R = 26 951,93 € ; Caf = bonus + P = 1 685 340,11 €
    // (counts read through `centimes`: 61 structures → 6 100)
    assert_eq!(valeur("Structures du dossier (nombre)"), 6_100);
    assert_eq!(
        valeur("Charge à payer N-1 des collectivités (€)"),
        166_269_204
    );
    assert_eq!(valeur("Bonus versé aux structures (€)"), 164_034_011);
    assert_eq!(valeur("dont lissage (€)"), 159_074_011);
    assert_eq!(valeur("dont places nouvelles (€)"), 4_960_000);
    assert_eq!(valeur("Versé aux collectivités, pilotage (€)"), 4_500_000);
    assert_eq!(valeur("Non redistribué (€)"), 2_695_193);
    assert_eq!(valeur("Total versé par la Caf (€)"), 168_534_011);
    // per volet: ALSH in hours, 392 720 h (LISEZMOI) ; the total row adds no units
    let alsh = lignes
        .iter()
        .find(|l| !l.is_empty() && texte(&l[0]) == "ALSH")
        .unwrap();
    assert_eq!(centimes(&alsh[3]), 39_272_000);
    let total = lignes
        .iter()
        .find(|l| !l.is_empty() && texte(&l[0]) == "Total")
        .unwrap();
    assert_eq!(total[3], Data::Empty);
    assert_eq!(centimes(&total[4]), 164_034_011);
}

/// The XML of a part of the workbook.
fn partie(octets: &[u8], nom: &str) -> String {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(Cursor::new(octets)).unwrap();
    let mut s = String::new();
    z.by_name(nom).unwrap().read_to_string(&mut s).unwrap();
    s
}

#[test]
fn mise_en_page_de_chaque_feuille() {
    let r = resultat();
    let octets = bonus_ctg::rapport::xlsx::rendre(&r).unwrap();
    for i in 1..=7 {
        let x = partie(&octets, &format!("xl/worksheets/sheet{i}.xml"));
        assert!(x.contains("paperSize=\"9\""), "feuille {i} : A4");
        assert!(x.contains("orientation=\"landscape\""), "feuille {i}");
        assert!(x.contains("<oddFooter>&amp;LCTG Ville de Dijon 2024-2027&amp;CPage &amp;P sur &amp;N&amp;Rproduit le "), "feuille {i}");
        // one page wide only when the text stays at 8 points or more (scale ≥ 73 %)
        let une_page = x.contains("fitToPage=\"1\"");
        let echelle73 = x.contains("scale=\"73\"");
        assert!(une_page != echelle73, "feuille {i}");
    }
    let wb = partie(&octets, "xl/workbook.xml");
    // repeated header row on every table sheet (all but Synthese)
    assert_eq!(wb.matches("_xlnm.Print_Titles").count(), 6, "{wb}");
    // the Structures sheet (21 columns) is too wide for one page at 8 points: 73 %, the id
    // column repeated; the Synthese and Hypotheses sheets fit one page wide
    let st = partie(&octets, "xl/worksheets/sheet2.xml");
    assert!(st.contains("scale=\"73\""));
    assert!(!st.contains("fitToPage"));
    assert!(wb.contains("Structures!$A:$A,Structures!$1:$1"));
    // long ids, names, gestionnaires and reasons wrap in columns of at most about 40
    // characters (rows made taller) instead of widening the sheet
    for w in st.split("<col ").skip(1) {
        let v = w.split("width=\"").nth(1).unwrap();
        let v: f64 = v[..v.find('"').unwrap()].parse().unwrap();
        assert!(v <= 45.0, "colonne de {v} caractères : {w}");
    }
    assert!(st.contains("customHeight=\"1\""));
    for i in [1, 7] {
        let x = partie(&octets, &format!("xl/worksheets/sheet{i}.xml"));
        assert!(x.contains("fitToPage=\"1\""), "feuille {i}");
    }
}

#[test]
fn gestionnaires_collectivites_bareme_hypotheses() {
    let r = resultat();
    let mut wb = classeur(&r);
    let g = wb.worksheet_range("Gestionnaires").unwrap();
    let lignes: Vec<&[Data]> = g.rows().collect();
    let n = r.gestionnaires.len();
    assert_eq!(texte(&lignes[n + 1][0]), "TOTAL (formule SOMME)");
    // bonus_total (column G): formula result = computed = 1 640 340,11 €
    assert_eq!(centimes(&lignes[n + 1][6]), 164_034_011);
    assert_eq!(centimes(&lignes[n + 2][6]), 164_034_011);
    let s: i64 = (1..=n).map(|l| centimes(&lignes[l][6])).sum();
    assert_eq!(s, 164_034_011);
    let f = wb.worksheet_formula("Gestionnaires").unwrap();
    assert_eq!(
        f.get_value(((n + 1) as u32, 6))
            .cloned()
            .unwrap_or_default(),
        format!("SUM(G2:G{})", n + 1)
    );

    let c = wb.worksheet_range("Collectivités").unwrap();
    let lignes: Vec<&[Data]> = c.rows().collect();
    assert_eq!(texte(&lignes[1][0]), "DIJON");
    assert_eq!(texte(&lignes[1][1]), "Ville de Dijon");
    assert_eq!(centimes(&lignes[1][2]), 166_269_204); // charge N-1
    assert_eq!(centimes(&lignes[1][6]), 168_534_011); // versé Caf
    assert_eq!(
        Montant(centimes(&lignes[1][8])),
        r.total.structures.contribution_n
    );

    let b = wb.worksheet_range("Barème").unwrap();
    let lignes: Vec<&[Data]> = b.rows().collect();
    assert_eq!(
        lignes.len() - 1,
        bonus_ctg::rapport::parametres::lignes_bareme(&r.bareme).len()
    );
    let l = lignes
        .iter()
        .find(|l| texte(&l[0]) == "volets.EAJE.forfaits_nouvelles")
        .unwrap();
    assert!(texte(&l[1]).contains("tranche 2 : 3\u{202f}100,00 €"));
    assert!(matches!(l[2], Data::DateTime(_)));
    let l = lignes
        .iter()
        .find(|l| texte(&l[0]) == "volets.LUDOTHEQUE.types")
        .unwrap();
    assert_eq!(texte(&l[3]), "hypothèse");
    assert!(texte(&l[4]).contains("CTG Dijon 2024-2027"));

    let h = wb.worksheet_range("Hypothèses").unwrap();
    let codes: Vec<String> = h.rows().skip(1).map(|l| texte(&l[0])).collect();
    for i in 1..=9 {
        assert!(codes.contains(&format!("R{i}")), "R{i}");
    }
    assert!(codes.contains(&"ajustement_contribution".to_string()));
}

#[test]
fn texte_formule_neutralise() {
    // a user text starting with « = » is written as text, prefixed with an apostrophe
    let mut r = resultat();
    r.structures[0].structure.nom = "=HYPERLINK(\"http://x\")".into();
    let mut wb = classeur(&r);
    let st = wb.worksheet_range("Structures").unwrap();
    assert_eq!(
        st.get((1, 1)).cloned(),
        Some(Data::String("'=HYPERLINK(\"http://x\")".into()))
    );
    let f = wb.worksheet_formula("Structures").unwrap();
    assert!(f.used_cells().all(|(_, _, v)| v.is_empty()));
}
