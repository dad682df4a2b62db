//! Reports of the multi-year projection: the XLSX workbook read back with calamine (every
//! amount to the cent against the projection's CSV, the live formulas of the totals, the
//! barème of each year) and the HTML report (every structure and every yearly total, the
//! chart's points). The browser rendering is checked by scripts/test-projection-html.sh.

use bonus_ctg::bareme::BasePluriannuelle;
use bonus_ctg::diagnostic::Diagnostics;
use bonus_ctg::lecture::tableau::Localisation;
use bonus_ctg::projection::{projeter, OptionsProjection, Projection};
use bonus_ctg::rapport::projection::{COLONNES, TOUTES};
use bonus_ctg::rapport::{projection_html, projection_xlsx, Profil};
use calamine::{Data, Reader, Xlsx};
use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

fn projection(dossier: &str, base: Option<BasePluriannuelle>) -> Projection {
    let mut d = Diagnostics::default();
    let racine = Path::new(env!("CARGO_MANIFEST_DIR")).join(dossier);
    let lu = bonus_ctg::lecture::lire_dossier(&racine, &Default::default(), &mut d).unwrap();
    let chemin = racine.join("evenements.csv");
    let ev = if chemin.exists() {
        bonus_ctg::projection::evenements::lire_evenements(&chemin, Default::default(), &mut d)
            .unwrap()
    } else {
        Vec::new()
    };
    let opts = OptionsProjection {
        base,
        ..Default::default()
    };
    match projeter(
        &lu,
        &ev,
        &opts,
        "bareme.toml",
        &Localisation::csv("evenements.csv"),
    ) {
        Ok((p, _)) => p,
        Err(d) => panic!("projection refusée : {d:?}"),
    }
}

fn classeur(pr: &Projection) -> Xlsx<Cursor<Vec<u8>>> {
    let octets = projection_xlsx::rendre(pr).unwrap();
    calamine::open_workbook_from_rs(Cursor::new(octets)).unwrap()
}

/// The three CSV tables of the projection (rfc4180 profile: structures, totals,
/// trajectoire), as rows of fields.
fn blocs_csv(pr: &Projection) -> Vec<Vec<Vec<String>>> {
    use bonus_ctg::rapport::projection::{csv_table, TableProjection};
    TableProjection::TOUTES
        .iter()
        .map(|t| String::from_utf8(csv_table(pr, Profil::Rfc4180, *t).unwrap()).unwrap())
        .map(|b| {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(b.as_bytes())
                .records()
                .map(|r| r.unwrap().iter().map(String::from).collect())
                .collect()
        })
        .collect()
}

/// A decimal of the CSV ("-1234.5678") as an integer scaled by 10^echelle.
fn echelle(s: &str, echelle: u32) -> i64 {
    let (e, d) = s.split_once('.').unwrap_or((s, ""));
    assert!(d.len() as u32 <= echelle, "{s}");
    let neg = e.starts_with('-');
    let mut d = d.to_string();
    while (d.len() as u32) < echelle {
        d.push('0');
    }
    let v = e.trim_start_matches('-').parse::<i64>().unwrap() * 10i64.pow(echelle)
        + if d.is_empty() {
            0
        } else {
            d.parse::<i64>().unwrap()
        };
    if neg {
        -v
    } else {
        v
    }
}

/// A number cell scaled by 10^echelle, checking it is a whole number of those units.
fn nombre(c: &Data, echelle: u32) -> i64 {
    let Data::Float(v) = c else {
        panic!("pas un nombre : {c:?}")
    };
    let x = v * 10f64.powi(echelle as i32);
    assert!(
        (x - x.round()).abs() < 1e-6,
        "{v} n'est pas un multiple de 10^-{echelle}"
    );
    x.round() as i64
}

fn centimes(c: &Data) -> i64 {
    nombre(c, 2)
}

fn texte(c: &Data) -> String {
    match c {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        autre => panic!("pas un texte : {autre:?}"),
    }
}

/// Scale of each CSV column in the `Projection` sheet; `None`: text.
fn echelle_colonne(nom: &str) -> Option<u32> {
    match nom {
        "exercice" | "mois" => Some(0),
        "unites_eligibles" | "unites_nouvelles" => Some(2),
        "taux_unitaire" | "ecart_arrondi" => Some(4),
        n if n.starts_with("bonus_")
            || n.starts_with("contribution_")
            || n.starts_with("financement_")
            || n == "variation" =>
        {
            Some(2)
        }
        _ => None,
    }
}

const DIJON: &str = "fixtures/dijon-2024";

#[test]
fn classeur_projection_au_centime_du_csv() {
    for base in [BasePluriannuelle::Figee, BasePluriannuelle::Glissante] {
        let pr = projection(DIJON, Some(base));
        let mut wb = classeur(&pr);
        assert_eq!(
            wb.sheet_names(),
            vec![
                "Projection",
                "Totaux par année",
                "Trajectoire",
                "Barème",
                "Hypothèses"
            ]
        );
        let blocs = blocs_csv(&pr);
        let structures = &blocs[0];
        let st = wb.worksheet_range("Projection").unwrap();
        let lignes: Vec<&[Data]> = st.rows().collect();
        // header: the CSV's columns, then the reason in words
        let entete: Vec<String> = lignes[0].iter().map(texte).collect();
        // French headers; the CSV keeps the machine names
        let libelles: Vec<&str> = structures[0]
            .iter()
            .map(|c| bonus_ctg::rapport::tables::libelle(c))
            .collect();
        assert_eq!(entete[..COLONNES.len()], libelles[..]);
        assert_eq!(entete[COLONNES.len()], "Motif");
        // 61 structures × 3 years (2025–2027)
        assert_eq!(structures.len() - 1, 61 * 3);
        assert_eq!(lignes.len(), structures.len());
        let mut montants = 0;
        for (l, c) in lignes[1..].iter().zip(&structures[1..]) {
            for (k, nom) in COLONNES.iter().enumerate() {
                match echelle_colonne(nom) {
                    Some(e) => {
                        assert_eq!(
                            nombre(&l[k], e),
                            echelle(&c[k], e),
                            "{} {} colonne {nom}",
                            c[0],
                            c[1]
                        );
                        montants += usize::from(e == 2);
                    }
                    None => assert_eq!(texte(&l[k]), c[k], "{} {} colonne {nom}", c[0], c[1]),
                }
            }
        }
        // 9 amounts + bonus_ctre + unites (scale 2: unites_eligibles, unites_nouvelles)
        assert_eq!(montants, 61 * 3 * 12);

        // hand-checked figures (tests/projection.rs, dijon_avec_evenements): 2025 is
        // `calculer` (TOTAL_CAF 1 685 340,11 €); figée 2026: Delaunay 20 × m_eff + forfaits
        // 41 333,33 + trajectoire 3 333,33 = 69 871,82 € ; Tarnier 46 806,45 €
        let cellule = |annee: i64, id: &str, col: &str| {
            let k = COLONNES.iter().position(|c| *c == col).unwrap();
            let l = lignes[1..]
                .iter()
                .find(|l| nombre(&l[0], 0) == annee && texte(&l[1]) == id)
                .unwrap();
            centimes(&l[k])
        };
        if base == BasePluriannuelle::Figee {
            assert_eq!(cellule(2026, "EAJE-DELAUNAY", "bonus_total"), 6_987_182);
            assert_eq!(cellule(2026, "EAJE-DELAUNAY", "bonus_trajectoire"), 333_333);
            assert_eq!(cellule(2026, "EAJE-TARNIER", "bonus_total"), 4_680_645);
        }

        // per-year totals: the CSV's TOUTES rows, N-1 first
        let totaux: Vec<&Vec<String>> = blocs[1][1..].iter().filter(|l| l[1] == TOUTES).collect();
        assert_eq!(totaux.len(), 4);
        let entete_csv = &blocs[1][0];
        let champ = |l: &Vec<String>, nom: &str| {
            let k = entete_csv.iter().position(|c| c == nom).unwrap();
            echelle(&l[k], 2)
        };
        let t = wb.worksheet_range("Totaux par année").unwrap();
        let f = wb.worksheet_formula("Totaux par année").unwrap();
        let formule = |l: u32, c: u32| f.get_value((l, c)).cloned().unwrap_or_default();
        let rt: Vec<&[Data]> = t.rows().collect();
        assert_eq!(texte(&rt[0][8]), "Total versé par la Caf (€)");
        // N-1: only the Caf total (charge à payer N-1), contributions and public funding
        assert_eq!(
            (texte(&rt[1][0]), texte(&rt[1][1]), nombre(&rt[1][2], 0)),
            (TOUTES.to_string(), "N-1".to_string(), 2024)
        );
        assert_eq!(centimes(&rt[1][8]), 166_269_204); // 1 662 692,04 € (LISEZMOI)
        assert_eq!(centimes(&rt[1][8]), champ(totaux[0], "verse_caf"));
        assert_eq!(
            centimes(&rt[1][9]),
            champ(totaux[0], "contribution_collectivite")
        );
        assert_eq!(centimes(&rt[1][10]), champ(totaux[0], "financement_public"));
        for c in [3, 4, 5, 6, 7, 11, 12] {
            assert_eq!(rt[1].get(c).cloned().unwrap_or(Data::Empty), Data::Empty);
        }
        let colonnes = [
            (3, "charge_n1"),
            (4, "lissage"),
            (5, "nouvelles"),
            (6, "trajectoire"),
            (7, "verse_collectivite"),
            (8, "verse_caf"),
            (9, "contribution_collectivite"),
            (10, "financement_public"),
            (11, "non_redistribue"),
        ];
        for (i, annee) in (2025..=2027).enumerate() {
            let l = rt[2 + i];
            let c = totaux[1 + i];
            assert_eq!(nombre(&l[2], 0), annee);
            assert_eq!(texte(&l[1]), ["N", "N+1", "N+2"][i]);
            for (k, nom) in colonnes {
                assert_eq!(centimes(&l[k]), champ(c, nom), "{annee} {nom}");
            }
            // live Σ bonus_total of the year's rows of the Projection sheet
            let r = 3 + i;
            assert_eq!(
                formule(r as u32 - 1, 12),
                format!("SUMIFS(Projection!$P$2:$P$184,Projection!$A$2:$A$184,$C{r})")
            );
            let bonus: i64 = structures[1..]
                .iter()
                .filter(|s| s[0] == annee.to_string())
                .map(|s| echelle(&s[15], 2))
                .sum();
            assert_eq!(centimes(&l[12]), bonus, "{annee}");
            // controls (must be 0): Caf = bonus + CTRE (column P) + P ; public funding =
            // C + bonus
            assert_eq!(
                formule(r as u32 - 1, 13),
                format!("ROUND(M{r}+P{r}+H{r}-I{r},2)")
            );
            assert_eq!(
                formule(r as u32 - 1, 14),
                format!("ROUND(J{r}+M{r}-K{r},2)")
            );
            assert_eq!((centimes(&l[13]), centimes(&l[14])), (0, 0));
        }
        // 2025 = calculer: Caf 1 685 340,11 € = bonus 1 640 340,11 € + pilotage 45 000 €
        assert_eq!(centimes(&rt[2][8]), 168_534_011);
        assert_eq!(centimes(&rt[2][12]), 164_034_011);
        // total rows over 2025–2027: SUM formula (N-1 excluded) then bonus-ctg's values
        assert_eq!(texte(&rt[5][0]), "TOTAL 2025–2027 (formule SOMME)");
        assert_eq!(texte(&rt[6][0]), "TOTAL 2025–2027 calculé par bonus-ctg");
        assert_eq!(formule(5, 8), "SUM(I3:I5)");
        assert_eq!(formule(5, 4), "SUM(E3:E5)");
        assert_eq!(formule(5, 3), "");
        for (k, nom) in colonnes.into_iter().skip(1) {
            let s: i64 = totaux[1..].iter().map(|c| champ(c, nom)).sum();
            assert_eq!(centimes(&rt[5][k]), s, "SOMME {nom}");
            assert_eq!(centimes(&rt[6][k]), s, "calculé {nom}");
        }

        // trajectoire: the CSV's third block
        let tr = wb.worksheet_range("Trajectoire").unwrap();
        let lt: Vec<&[Data]> = tr.rows().collect();
        assert_eq!(lt.len(), blocs[2].len());
        for (l, c) in lt[1..].iter().zip(&blocs[2][1..]) {
            assert_eq!(nombre(&l[0], 0), echelle(&c[0], 0));
            assert_eq!(texte(&l[1]), c[1]);
            assert_eq!(nombre(&l[4], 2), echelle(&c[4], 2));
            assert_eq!(nombre(&l[5], 2), echelle(&c[5], 2));
            assert_eq!(nombre(&l[6], 4), echelle(&c[6], 4));
            if !c[7].is_empty() {
                assert_eq!(nombre(&l[7], 4), echelle(&c[7], 4));
            }
            assert_eq!(centimes(&l[8]), echelle(&c[8], 2));
            assert_eq!(centimes(&l[9]), echelle(&c[9], 2));
        }
        // 2026: 1 111 places for P_ref 1 033 (+7,55 %, seuil 4 %): 109 133,33 € (table)
        assert_eq!(nombre(&lt[2][6], 4), 755);
        assert_eq!(nombre(&lt[2][7], 4), 400);
        assert_eq!(centimes(&lt[2][9]), 10_913_333);
    }
}

#[test]
fn classeur_projection_bareme_hypotheses_et_collectivites() {
    let pr = projection(DIJON, None);
    let mut wb = classeur(&pr);
    // barème: every parameter of every year, the year first
    let b = wb.worksheet_range("Barème").unwrap();
    let lignes: Vec<&[Data]> = b.rows().collect();
    assert_eq!(texte(&lignes[0][0]), "Exercice");
    let par_annee: usize = pr
        .annees
        .iter()
        .map(|a| bonus_ctg::rapport::parametres::lignes_bareme(&a.resultat.bareme).len())
        .sum();
    assert_eq!(lignes.len() - 1, par_annee);
    let mut annees: Vec<i64> = lignes[1..].iter().map(|l| nombre(&l[0], 0)).collect();
    annees.dedup();
    assert_eq!(annees, vec![2025, 2026, 2027]);
    // modelling choices: the base first, the projection's rules present, no duplicate
    let h = wb.worksheet_range("Hypothèses").unwrap();
    let codes: Vec<String> = h.rows().skip(1).map(|l| texte(&l[0])).collect();
    assert_eq!(codes[0], "base_pluriannuelle");
    for r in ["R20", "R22", "R24", "R25", "R26"] {
        assert_eq!(codes.iter().filter(|c| *c == r).count(), 1, "{r}");
    }

    // several collectivités (Gevrey-Nuits): a second block per collectivité, whose Caf
    // totals add up to the all-collectivités ones
    let pr = projection("fixtures/gevrey-nuits", None);
    let mut wb = classeur(&pr);
    let t = wb.worksheet_range("Totaux par année").unwrap();
    let f = wb.worksheet_formula("Totaux par année").unwrap();
    let rt: Vec<&[Data]> = t.rows().collect();
    let debut = rt
        .iter()
        .enumerate()
        .skip(1)
        .find(|(_, l)| l.first().map(texte).as_deref() == Some("Collectivité"))
        .unwrap()
        .0;
    let mut caf: BTreeMap<i64, i64> = BTreeMap::new();
    let mut n = 0;
    for (i, l) in rt[debut + 1..].iter().enumerate() {
        if l.first().map(texte).unwrap_or_default().is_empty() {
            continue;
        }
        n += 1;
        *caf.entry(nombre(&l[2], 0)).or_default() += centimes(&l[8]);
        if texte(&l[1]) != "N-1" {
            let r = debut + 2 + i;
            let sf = f
                .get_value(((r - 1) as u32, 12))
                .cloned()
                .unwrap_or_default();
            assert!(sf.ends_with(&format!(",$A{r})")), "{sf}");
            assert_eq!((centimes(&l[13]), centimes(&l[14])), (0, 0));
        }
    }
    assert_eq!(n, 4 * 3); // 4 collectivités × (N-1, 2025, 2026)
    for (i, l) in rt[1..=3].iter().enumerate() {
        assert_eq!(caf[&nombre(&l[2], 0)], centimes(&l[8]), "ligne {i}");
    }
    // N-1 Caf total = charge à payer N-1 = 244 327,77 € + CTRE 12 000 € = 256 327,77 €
    // (gevrey-nuits/charges_n1.csv)
    assert_eq!(centimes(&rt[1][8]), 25_632_777);
}

// ------------------------------------------------------------------------------- HTML

/// The `data-centimes` values inside the element that starts at `debut`, up to `fin`.
fn centimes_entre(h: &str, debut: &str, fin: &str) -> Vec<i64> {
    let i = h.find(debut).unwrap_or_else(|| panic!("{debut} absent"));
    let reste = &h[i..];
    let j = reste.find(fin).unwrap();
    reste[..j]
        .split("data-centimes=\"")
        .skip(1)
        .map(|x| x[..x.find('"').unwrap()].parse().unwrap())
        .collect()
}

/// The text of an HTML fragment (tags removed, entities of `esc` decoded).
fn texte_html(h: &str) -> String {
    let mut o = String::new();
    let mut dans = false;
    for c in h.chars() {
        match c {
            '<' => dans = true,
            '>' => dans = false,
            c if !dans => o.push(c),
            _ => {}
        }
    }
    o.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[test]
fn rapport_html_projection() {
    for dossier in [DIJON, "fixtures/gevrey-nuits"] {
        let pr = projection(dossier, None);
        let h = projection_html::rendre(&pr).unwrap();
        assert!(!h.contains("<script"));
        assert!(!h.contains("http://") && !h.contains("https://"));
        assert!(!h.contains(" src=") && !h.contains("<link"));
        assert!(h.contains("@media print") && h.contains("size: A4"));
        let corps = texte_html(&h);
        let blocs = blocs_csv(&pr);

        // every structure (name and id) and each year's bonus and contribution
        let mut ids: BTreeMap<String, String> = BTreeMap::new();
        for s in &blocs[0][1..] {
            ids.insert(s[1].clone(), s[2].clone());
        }
        for (id, nom) in &ids {
            assert!(corps.contains(id.as_str()), "{id}");
            assert!(corps.contains(nom.as_str()), "{nom}");
        }
        for s in &blocs[0][1..] {
            let debut = format!("<tr data-id=\"{}\">", s[1]);
            let m = centimes_entre(&h, &debut, "</tr>");
            let annee: i32 = s[0].parse().unwrap();
            let k = 2 + 2 * (annee - pr.premiere) as usize;
            assert_eq!(m[k], echelle(&s[15], 2), "{} {annee} bonus", s[1]);
            assert_eq!(
                m[k + 1],
                echelle(&s[17], 2),
                "{} {annee} contribution",
                s[1]
            );
            if annee == pr.premiere {
                assert_eq!(m[1], echelle(&s[16], 2), "{} N-1 contribution", s[1]);
            }
        }
        assert_eq!(
            h.matches("<tr data-id=\"").count(),
            ids.len(),
            "une ligne par structure"
        );

        // yearly totals: the CSV's TOUTES rows, N-1 then each year, in the totals table, in
        // the chart's points, and in the DOM text
        let entete = &blocs[1][0];
        let champ = |l: &Vec<String>, nom: &str| {
            echelle(&l[entete.iter().position(|c| c == nom).unwrap()], 2)
        };
        let toutes: Vec<&Vec<String>> = blocs[1][1..].iter().filter(|l| l[1] == TOUTES).collect();
        assert_eq!(toutes.len(), pr.annees.len() + 1);
        for (nom, serie) in [
            ("verse_caf", "caf"),
            ("contribution_collectivite", "collectivites"),
            ("financement_public", "financement"),
        ] {
            let attendu: Vec<i64> = toutes.iter().map(|l| champ(l, nom)).collect();
            let rang = centimes_entre(&h, &format!("<tr data-champ=\"{nom}\""), "</tr>");
            assert_eq!(rang, attendu, "{nom}");
            let points: Vec<i64> = h
                .split(&format!("<circle class=\"point\" data-serie=\"{serie}\""))
                .skip(1)
                .map(|x| centimes_entre(x, "data-centimes", ">")[0])
                .collect();
            assert_eq!(points, attendu, "points {serie}");
            for m in attendu {
                let fr = bonus_ctg::rapport::montant_fr(bonus_ctg::modele::Montant(m))
                    .replace(" €", "\u{a0}€");
                assert!(corps.contains(&fr), "{nom} {fr}");
            }
        }
        // the other rows of the totals table: projected years only (N-1: « — »)
        for nom in ["lissage", "nouvelles", "trajectoire", "verse_collectivite"] {
            let attendu: Vec<i64> = toutes[1..].iter().map(|l| champ(l, nom)).collect();
            let rang = centimes_entre(&h, &format!("<tr data-champ=\"{nom}\""), "</tr>");
            assert_eq!(rang, attendu, "{nom}");
        }
        // per-structure footer = Σ of the rows = lissage + nouvelles + trajectoire
        let pied = centimes_entre(&h, "<tr id=\"total-structures\"", "</tr>");
        for (i, l) in toutes[1..].iter().enumerate() {
            assert_eq!(
                pied[2 + 2 * i],
                champ(l, "lissage") + champ(l, "nouvelles") + champ(l, "trajectoire")
            );
            assert_eq!(pied[3 + 2 * i], champ(l, "contribution_collectivite"));
        }
        assert!(corps.contains("Financement Caf et collectivités par année"));
    }
    // Dijon, hand-checked: 2025 Caf 1 685 340,11 € (LISEZMOI) ; axis up to 8 M€ (max 6,88 M€,
    // steps of 2 M€) ; labels 1,69 M€
    let h = projection_html::rendre(&projection(DIJON, None)).unwrap();
    assert!(h.contains("data-serie=\"caf\" data-exercice=\"2025\" data-centimes=\"168534011\""));
    for x in [
        "0\u{a0}€",
        "2\u{a0}M€",
        "8\u{a0}M€",
        "1,69\u{a0}M€",
        "2024 (N-1)",
    ] {
        assert!(h.contains(&format!(">{x}</text>")), "{x}");
    }
    assert!(h.contains("Tarnier") && h.contains("10 mois"));
}

#[test]
fn textes_echappes_et_neutralises() {
    let mut pr = projection(DIJON, None);
    pr.annees[0].lignes[0].nom = "<script>alert('x')</script> & =SOMME(A1)".into();
    pr.annees[0].lignes[0].id = "=HYPERLINK(\"http://x\")".into();
    let h = projection_html::rendre(&pr).unwrap();
    assert!(!h.contains("<script>"));
    assert!(h.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; =SOMME(A1)"));
    // the workbook writes user texts as text, a leading « = » neutralised
    let mut wb = classeur(&pr);
    let st = wb.worksheet_range("Projection").unwrap();
    assert_eq!(
        st.get((1, 1)).cloned(),
        Some(Data::String("'=HYPERLINK(\"http://x\")".into()))
    );
    let f = wb.worksheet_formula("Projection").unwrap();
    assert!(f.used_cells().all(|(_, _, v)| v.is_empty()));
}

// -------------------------------------------------------------------------------- CLI

fn cli() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("bonus-ctg").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn cli_projeter_xlsx_et_html() {
    let dir = tempfile::tempdir().unwrap();
    // format deduced from the extension, written atomically
    let x = dir.path().join("projection.xlsx");
    cli()
        .args(["-q", "projeter", DIJON, "--sortie"])
        .arg(&x)
        .assert()
        .success();
    let octets = std::fs::read(&x).unwrap();
    assert!(octets.starts_with(b"PK"));
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(octets)).unwrap();
    assert_eq!(wb.sheet_names()[..2], ["Projection", "Totaux par année"]);
    let t = wb.worksheet_range("Totaux par année").unwrap();
    // 2025 Caf total 1 685 340,11 € (LISEZMOI)
    assert_eq!(centimes(t.get((2, 8)).unwrap()), 168_534_011);
    // an existing file is kept without --ecraser
    cli()
        .args(["-q", "projeter", DIJON, "--format", "html", "--sortie"])
        .arg(&x)
        .assert()
        .code(1);
    let h = dir.path().join("projection.html");
    cli()
        .args(["-q", "projeter", DIJON, "--jusqu-a", "2026", "--sortie"])
        .arg(&h)
        .assert()
        .success();
    let texte = std::fs::read_to_string(&h).unwrap();
    assert!(texte.starts_with("<!DOCTYPE html>"));
    assert!(texte.contains("projection <strong>2025–2026</strong>"));
    assert!(!texte.contains("data-exercice=\"2027\""));
    // to a pipe: allowed (the terminal check only refuses a binary on a terminal)
    let out = cli()
        .args(["-q", "projeter", DIJON, "--format", "xlsx"])
        .assert()
        .success();
    assert!(out.get_output().stdout.starts_with(b"PK"));
}
