//! `bonus-ctg expliquer … --format html|xlsx`: the calculation's explanation tree rendered
//! as a page and as a workbook (read back with calamine), the same figures as the text, and
//! `--sortie` written as `calculer` writes (a regular file only).
//!
//! Figures of fixtures/dijon-2024, EAJE-TARNIER (30 places, 9 months, N-1 contribution
//! 150 000 €, bonus N-1 0), computed by hand:
//! - A = 78 000 + 52 000 + 669 530,12 + 478 316,25 + 24 000 = 1 301 846,37 € ; U = 1 033 ;
//!   m = 130 184 637 c / 1 033 = 1 260,257861 € (no floor, no revaluation: m_eff = m) ;
//! - s_i = m × 30 × 9 / 12 = 5 858 308 665 / 2 066 c = 28 355,801864 € ; floor 28 355,80 €,
//!   its remainder ranks 23rd and 13 cents are handed out: paid 28 355,80 € ;
//! - c_ref = 150 000 × 9 / 12 = 112 500 € ; contribution (neutre) = 112 500 − (28 355,80 −
//!   0) = 84 144,20 €.

use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;
use std::path::Path;
use std::process::{Command, Output};

const DIJON: &str = "fixtures/dijon-2024";

fn bonus(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bonus-ctg"))
        .args(args)
        .arg("--silencieux")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn lignes(octets: &[u8]) -> Vec<Vec<Data>> {
    let mut wb: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(octets.to_vec())).unwrap();
    let f = wb.worksheet_range("Explication").unwrap();
    f.rows().map(|r| r.to_vec()).collect()
}

fn texte(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        autre => autre.to_string(),
    }
}

/// The value (column D) of the first row whose « Grandeur » starts with `debut`, and its
/// rule (column A).
fn valeur(l: &[Vec<Data>], debut: &str) -> (f64, String) {
    let r = l
        .iter()
        .find(|r| texte(&r[1]).starts_with(debut))
        .unwrap_or_else(|| panic!("pas de ligne « {debut} »"));
    let Data::Float(v) = r[3] else {
        panic!("{debut} : {:?}", r[3])
    };
    (v, texte(&r[0]))
}

#[test]
fn classeur_tarnier() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("tarnier.xlsx");
    let o = bonus(&[
        "expliquer",
        DIJON,
        "EAJE-TARNIER",
        "--sortie",
        f.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty());
    let l = lignes(&std::fs::read(&f).unwrap());
    // French headers, after the structure's lines
    let entetes = l
        .iter()
        .position(|r| texte(&r[0]) == "Règle")
        .expect("ligne d'en-têtes");
    assert_eq!(
        l[entetes].iter().map(texte).collect::<Vec<_>>(),
        [
            "Règle",
            "Grandeur",
            "Formule",
            "Valeur",
            "Paramètres et sources"
        ]
    );
    assert!(texte(&l[0][0]).starts_with("Structure EAJE-TARNIER — Multi-accueil Tarnier"));
    // three figures against the hand computation (module comment)
    let (m, r) = valeur(&l, "m — ");
    assert!((m - 1_260.257_861).abs() < 5e-7, "{m}");
    assert_eq!(r, "R16");
    let (s_i, r) = valeur(&l, "s_i — ");
    assert!((s_i - 28_355.801_864).abs() < 5e-7, "{s_i}");
    assert_eq!(r, "R16");
    assert_eq!(valeur(&l, "2. Lissage — "), (28_355.80, "R9".into()));
    assert_eq!(valeur(&l, "c_ref — ").0, 112_500.0);
    assert_eq!(valeur(&l, "contribution — "), (84_144.20, "R65".into()));
    // the rounding step: rank 23, 13 cents handed out, no cent for it
    assert_eq!(valeur(&l, "rang_reste — ").0, 23.0);
    assert_eq!(valeur(&l, "centimes_restants — ").0, 13.0);
    assert_eq!(valeur(&l, "centime_reste — ").0, 0.0);
    // the formula with its values, and the barème read with its date and status
    let s = l
        .iter()
        .find(|r| texte(&r[1]).starts_with("s_i — "))
        .unwrap();
    assert_eq!(
        texte(&s[2]).replace('\u{202f}', " "),
        "m_eff × u_i × mo_i / 12 = 1 260,257861 € × 30,00 × 9 / 12"
    );
    let plancher = l
        .iter()
        .find(|r| texte(&r[1]).starts_with("plancher — "))
        .unwrap();
    assert!(
        texte(&plancher[4]).contains("en vigueur depuis le 1er janvier 2020 ; statut : hypothèse"),
        "{:?}",
        plancher[4]
    );
    // one row per node: as many rows as the text has lines for nodes
    let t = String::from_utf8(bonus(&["expliquer", DIJON, "EAJE-TARNIER"]).stdout).unwrap();
    let noeuds_texte = t
        .lines()
        .skip(3)
        .filter(|x| !x.trim().is_empty() && !x.trim_start().starts_with("barème lu"))
        .count();
    assert_eq!(l.len() - entetes - 1, noeuds_texte);
}

#[test]
fn page_html_tarnier() {
    let o = bonus(&["expliquer", DIJON, "EAJE-TARNIER", "--format", "html"]);
    assert!(o.status.success());
    let h = String::from_utf8(o.stdout)
        .unwrap()
        .replace('\u{202f}', " ");
    assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    assert!(h.contains("<h1>Explication des chiffres de Multi-accueil Tarnier"));
    // one section per figure, a heading each: eligibility, lissage, new units, total,
    // contribution
    assert_eq!(h.matches("<section class=\"figure\"").count(), 5);
    assert_eq!(h.matches("<h2 id=\"figure-").count(), 5);
    assert!(!h.contains("<table"), "pas de tableau de mise en page");
    for attendu in [
        "<li data-id=\"m\" data-regle=\"R16\"><p class=\"noeud\"><code class=\"symbole\">m</code> = <code class=\"formule\">A / U</code> = <span class=\"avec-valeurs\">1 301 846,37 € / 1 033,00</span> = <strong class=\"valeur\">1 260,257861 €</strong> <span class=\"exact\">(exactement 130184637/1033 centimes)</span>",
        "<span class=\"avec-valeurs\">1 260,257861 € × 30,00 × 9 / 12</span> = <strong class=\"valeur\">28 355,801864 €",
        "<strong class=\"valeur\">84 144,20 €</strong>",
        "<span class=\"ok\">oui</span>",
        "statut : hypothèse",
    ] {
        assert!(h.contains(attendu), "manque {attendu}");
    }
    // balanced lists
    assert_eq!(h.matches("<ul").count(), h.matches("</ul>").count());
    assert_eq!(h.matches("<li").count(), h.matches("</li>").count());
}

/// A name with markup is shown as text, never as markup.
#[test]
fn page_html_echappe_les_textes() {
    let d = tempfile::tempdir().unwrap();
    let dossier = d.path().join("dijon");
    copier(Path::new(DIJON), &dossier);
    let s = dossier.join("structures.csv");
    let t = std::fs::read_to_string(&s).unwrap().replace(
        "Multi-accueil Tarnier",
        "Tarnier <script>alert(\"x\")</script> & cie",
    );
    std::fs::write(&s, t).unwrap();
    let o = bonus(&[
        "expliquer",
        dossier.to_str().unwrap(),
        "EAJE-TARNIER",
        "--format",
        "html",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let h = String::from_utf8(o.stdout).unwrap();
    assert!(!h.contains("<script>"));
    assert!(h.contains("Tarnier &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; cie"));
}

fn copier(de: &Path, vers: &Path) {
    std::fs::create_dir_all(vers).unwrap();
    for e in std::fs::read_dir(de).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), vers.join(e.file_name())).unwrap();
        }
    }
}

/// `--sortie` writes only a regular file, never over an existing one without `--ecraser`;
/// the format follows the extension, a contradiction is a usage error.
#[test]
fn sortie_sure() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("e.html");
    std::fs::write(&f, "garder").unwrap();
    let o = bonus(&[
        "expliquer",
        DIJON,
        "EAJE-TARNIER",
        "--sortie",
        f.to_str().unwrap(),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "garder");
    let o = bonus(&[
        "expliquer",
        DIJON,
        "EAJE-TARNIER",
        "--sortie",
        f.to_str().unwrap(),
        "--ecraser",
    ]);
    assert!(o.status.success());
    assert!(std::fs::read_to_string(&f)
        .unwrap()
        .starts_with("<!DOCTYPE html>"));
    // a folder is not a regular file
    let o = bonus(&[
        "expliquer",
        DIJON,
        "EAJE-TARNIER",
        "--sortie",
        d.path().to_str().unwrap(),
        "--format",
        "xlsx",
        "--ecraser",
    ]);
    assert_eq!(o.status.code(), Some(1));
    // a link is never followed
    #[cfg(unix)]
    {
        let cible = d.path().join("cible.txt");
        std::fs::write(&cible, "intact").unwrap();
        let lien = d.path().join("lien.txt");
        std::os::unix::fs::symlink(&cible, &lien).unwrap();
        let o = bonus(&[
            "expliquer",
            DIJON,
            "EAJE-TARNIER",
            "--sortie",
            lien.to_str().unwrap(),
            "--ecraser",
        ]);
        assert_eq!(o.status.code(), Some(1));
        assert_eq!(std::fs::read_to_string(&cible).unwrap(), "intact");
    }
    // usage errors (2): unknown extension, format against extension
    let csv = d.path().join("e.csv");
    let o = bonus(&[
        "expliquer",
        DIJON,
        "EAJE-TARNIER",
        "--sortie",
        csv.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!csv.exists());
    let o = bonus(&[
        "expliquer",
        DIJON,
        "EAJE-TARNIER",
        "--format",
        "json",
        "--sortie",
        d.path().join("x.xlsx").to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    // .txt: the text, as on the standard output
    let txt = d.path().join("e.txt");
    assert!(bonus(&[
        "expliquer",
        DIJON,
        "EAJE-TARNIER",
        "--sortie",
        txt.to_str().unwrap()
    ])
    .status
    .success());
    assert_eq!(
        std::fs::read(&txt).unwrap(),
        bonus(&["expliquer", DIJON, "EAJE-TARNIER"]).stdout
    );
}

/// A projected year (dijon-2024 with its events, 2026, base figée): Delaunay's bonus
/// trajectoire 100 € × (30 × 8 + 40 × 4) places-months / 12 = 3 333,333333 € → 3 333,33 €
/// (tests/projection.rs), in the page and in the workbook.
#[test]
fn annee_projetee_html_et_classeur() {
    let o = bonus(&[
        "expliquer",
        DIJON,
        "EAJE-DELAUNAY",
        "--annee",
        "2026",
        "--format",
        "html",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let h = String::from_utf8(o.stdout)
        .unwrap()
        .replace('\u{202f}', " ");
    assert!(
        h.contains("<h2>A. Situation de la structure en 2026</h2>"),
        "{h}"
    );
    assert!(h.contains(
        "<span class=\"avec-valeurs\">100,00 € × 400,00 / 12</span> = <strong class=\"valeur\">3 333,333333 €"
    ));
    assert!(h.contains("<h3 id=\"figure-4\">4. <code class=\"symbole\">trajectoire</code>"));
    // growth (1 111 − 1 033) / 1 033 = 78/1 033 ≈ 7,55 % ≥ 4 % (first threshold), < 8 %
    // (1 033 × 1,08 = 1 115,64 places): level 1, 100 € per place
    assert!(h.contains(
        "<span class=\"avec-valeurs\">(1 111,00 − 1 033,00) / 1 033,00</span> = <strong class=\"valeur\">0,075508</strong> <span class=\"exact\">(exactement 78/1033)</span>"
    ));
    assert!(h.contains("plus haut seuil atteint (n° 1)"));
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("delaunay-2026.xlsx");
    let o = bonus(&[
        "expliquer",
        DIJON,
        "EAJE-DELAUNAY",
        "--annee",
        "2026",
        "--sortie",
        f.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let l = lignes(&std::fs::read(&f).unwrap());
    assert!(l
        .iter()
        .any(|r| texte(&r[0]) == "A. Situation de la structure en 2026"));
    let (b, r) = valeur(&l, "b_i — ");
    assert!((b - 3_333.333_333).abs() < 5e-7, "{b}");
    assert_eq!(r, "R63");
    assert_eq!(valeur(&l, "places_mois — ").0, 400.0);
    assert_eq!(valeur(&l, "4. Trajectoire — ").0, 3_333.33);
}

/// The JSON tree holds the new nodes: the rounding step with its strategy (the barème value
/// and its name), the cent of remainder (Tarnier: rank 23 of 13 cents → 0), `mois_ref`.
/// The node `id` of a JSON explanation tree, depth first.
fn trouver<'a>(n: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
    if n["id"] == id {
        return Some(n);
    }
    n["operandes"]
        .as_array()?
        .iter()
        .find_map(|o| trouver(o, id))
}

#[test]
fn json_arrondi_et_references() {
    let o = bonus(&["expliquer", DIJON, "EAJE-TARNIER", "--format", "json"]);
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let lissage = v["figures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == "lissage")
        .unwrap();
    assert_eq!(lissage["formule"], "plancher_part + centime_reste");
    assert_eq!(lissage["valeur"]["centimes"], 2_835_580);
    let t = trouver(lissage, "T").unwrap();
    assert_eq!(
        t["libelle"],
        "total du groupe arrondi au centime (demi-centime s'éloignant de zéro)"
    );
    assert_eq!(t["formule"], "arrondi(total_exact)");
    assert_eq!(t["parametres"][0]["nom"], "arrondi");
    // the value as bareme.toml writes it (`arrondi = "demi-haut"`), not the name of the enum
    assert_eq!(t["parametres"][0]["valeur"]["valeur"], "demi-haut");
    assert_eq!(t["parametres"][0]["source"]["statut"], "hypothese");
    let c = trouver(lissage, "centime_reste").unwrap();
    assert_eq!(c["valeur"]["centimes"], 0);
    assert_eq!(trouver(c, "rang_reste").unwrap()["valeur"]["valeur"], 23);
    assert_eq!(
        trouver(c, "centimes_restants").unwrap()["valeur"]["valeur"],
        13
    );
    let contribution = v["figures"].as_array().unwrap().last().unwrap();
    let c_ref = trouver(contribution, "c_ref").unwrap();
    // 150 000 € × 9 / 12 = 112 500 €
    assert_eq!(c_ref["valeur"]["centimes"], "11250000");
    assert_eq!(trouver(c_ref, "mois_ref").unwrap()["valeur"]["valeur"], 12);
}

/// On generated dossiers (seeds 1 to 5), every structure's tree agrees with the calculation:
/// each figure's value is the line's, every sum or difference of the tree adds up from its
/// operands (`lissage = plancher_part + centime_reste`, `bonus_total = lissage + nouvelles +
/// trajectoire`, `ctre`, public funding, `variation`), and the four renderings are made
/// without error (balanced lists in the page).
#[test]
fn arbre_d_accord_avec_le_calcul_sur_les_dossiers_generes() {
    use bonus_ctg::calcul::explication::{self, Noeud, Valeur};
    use bonus_ctg::diagnostic::Diagnostics;
    use bonus_ctg::generation::{generer, Parametres};
    use bonus_ctg::rapport::explication as rendu;
    fn centimes(n: &Noeud) -> i64 {
        match n.valeur {
            Valeur::Montant(m) => m.0,
            ref v => panic!("{} : {v:?}", n.id),
        }
    }
    fn operande(n: &Noeud, id: &str) -> i64 {
        centimes(n.operandes.iter().find(|o| o.id == id).unwrap())
    }
    fn sommes(n: &Noeud, vus: &mut usize) {
        let f = n.formule.as_deref().unwrap_or_default();
        let ids: Vec<&str> = f.split(" + ").collect();
        let somme = [
            "plancher_part + centime_reste",
            "lissage + nouvelles + trajectoire",
            "ctre_lissage + ctre_nouvelles",
            "contribution_n1 + bonus_n1",
            "contribution + bonus_total",
        ];
        if somme.contains(&f) {
            let s: i64 = ids.iter().map(|i| operande(n, i)).sum();
            assert_eq!(s, centimes(n), "{} = {f}", n.id);
            *vus += 1;
        }
        if f == "financement_public_n − financement_public_n1" {
            assert_eq!(
                operande(n, "financement_public_n") - operande(n, "financement_public_n1"),
                centimes(n)
            );
            *vus += 1;
        }
        for o in &n.operandes {
            sommes(o, vus);
        }
    }
    let mut vus = 0;
    let mut structures = 0;
    for graine in 1..=5u64 {
        let p = Parametres {
            collectivites: 12,
            structures: 80,
            graine,
            dossiers: Some(2),
        };
        for d in generer(&p).unwrap() {
            let mut diags = Diagnostics::default();
            let lu = bonus_ctg::lecture::analyser_dossier(&d.fichiers, &mut diags).unwrap();
            let (r, _) = bonus_ctg::traiter(&lu, None, "bareme.toml").unwrap();
            for l in &r.structures {
                let id = &l.structure.id;
                let e = explication::expliquer(&lu.dossier, &r, id)
                    .unwrap()
                    .unwrap();
                let figure = |x: &str| e.figures().into_iter().find(|f| f.id == x).map(centimes);
                assert_eq!(figure("bonus_total"), Some(l.bonus_total.0), "{id}");
                assert_eq!(figure("variation"), Some(l.variation.0), "{id}");
                assert_eq!(figure("lissage").unwrap_or(0), l.bonus_lissage.0, "{id}");
                assert_eq!(
                    figure("nouvelles").unwrap_or(0),
                    l.bonus_nouvelles.0,
                    "{id}"
                );
                assert_eq!(figure("ctre").unwrap_or(0), l.bonus_ctre.0, "{id}");
                assert_eq!(
                    centimes(e.contribution.trouver("contribution").unwrap()),
                    l.contribution_n.0,
                    "{id}"
                );
                for f in e.figures() {
                    sommes(f, &mut vus);
                }
                let t = rendu::expliquer(&lu.dossier, &r, id).unwrap().unwrap();
                assert!(t.contains(&format!("Structure {id} — ")));
                let h = rendu::page_html(&lu.dossier, &r, id).unwrap().unwrap();
                assert_eq!(h.matches("<ul").count(), h.matches("</ul>").count(), "{id}");
                assert_eq!(h.matches("<li").count(), h.matches("</li>").count(), "{id}");
                assert!(rendu::xlsx::classeur(&lu.dossier, &r, id)
                    .unwrap()
                    .is_some());
                assert!(rendu::json(&lu.dossier, &r, id).unwrap().is_some());
                structures += 1;
            }
        }
    }
    assert!(structures > 300, "{structures}");
    assert!(vus > 5 * structures, "{vus} sommes vérifiées");
}

/// `mo_i` is named by the rule that multiplies by it: R16 in the lissage share `s_i`, R7 in
/// the new-units share `t_i` (R65, the contributions, only scales N−1 amounts). Dugny, crèche
/// « Les petits arc-en-ciel » (hand computation, fixtures/dugny/LISEZMOI.md): `s_i` = 1 500 €
/// × (30 − 6) × 12 / 12 = 36 000,00 € ; `t_i` = 3 600 € (tranche 1) × 5 × 12 / 12 = 18 000,00 €.
#[test]
fn mois_d_ouverture_sous_la_regle_de_la_part() {
    let o = bonus(&[
        "expliquer",
        "fixtures/dugny",
        "EAJE-LES-PETITS-ARC-EN-CIEL",
        "--format",
        "json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let figure = |id: &str| {
        v["figures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["id"] == id)
            .unwrap()
            .clone()
    };
    let s_i = trouver(&figure("lissage"), "s_i").unwrap().clone();
    assert_eq!(s_i["valeur"]["centimes"], "3600000");
    let mo = trouver(&s_i, "mo_i").unwrap();
    assert_eq!(
        (mo["regle"].as_str(), mo["valeur"]["valeur"].as_i64()),
        (Some("R16"), Some(12))
    );
    let t_i = trouver(&figure("nouvelles"), "t_i").unwrap().clone();
    assert_eq!(t_i["valeur"]["centimes"], "1800000");
    let mo = trouver(&t_i, "mo_i").unwrap();
    assert_eq!(
        (mo["regle"].as_str(), mo["valeur"]["valeur"].as_i64()),
        (Some("R7"), Some(12))
    );
}

#[test]
fn pas_de_plafond_divise_par_zero_sans_unite_nouvelle() {
    // Dugny's ALSH group has no new unit (n_groupe = 0): its cap, 25 % × U =
    // 0,25 × 149 760 h = 37 440 h, limits nothing, and was shown as
    // « min(1, 37 440,00 / 0,00) » under the share t_i = 0,00 € × 0,00 × 12 / 12 = 0,00 €
    let o = bonus(&["expliquer", "fixtures/dugny", "ALSH-PERISCOLAIRE"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let t = String::from_utf8(o.stdout).unwrap();
    assert!(
        t.contains("t_i = forfait × n_i × mo_i / 12 = 0,00 € × 0,00 × 12 / 12 = 0,00 €"),
        "{t}"
    );
    assert!(!t.contains("facteur_plafond"), "{t}");
    assert!(!t.contains("/ 0,00"), "{t}");
}

/// The CTRE share is derived like a bonus share, in its own group (collectivité, CTRE) over
/// the employer places `e_i` (R64). By hand: A = 9 000 € of CTRE charges, U = Σ e_i = 10 + 5
/// = 15 places, m = 9 000 / 15 = 600 € ; crèche A: s_i = 600 × 10 × 12 / 12 = 6 000,00 € ;
/// crèche B (open 6 months, 2 new employer places): s_i = 600 × 5 × 6 / 12 = 1 500,00 €,
/// t_i = 2 800 € × 2 × 6 / 12 = 2 800,00 €, ctre = 1 500 + 2 800 = 4 300,00 €.
#[test]
fn ctre_derive_de_son_groupe() {
    use bonus_ctg::calcul::explication::{expliquer, Noeud, Valeur};
    use bonus_ctg::calcul::rationnel::Rationnel;
    use bonus_ctg::diagnostic::Diagnostics;
    use bonus_ctg::lecture::{analyser_dossier, Fichiers};
    use bonus_ctg::modele::{Montant, Unites};
    let f = Fichiers {
        convention: "nom = \"CTG test\"\ncaf = \"Caf test\"\ndebut = 2024-01-01\nfin = 2027-12-31\nexercice = 2025\n[[collectivites]]\nid = \"VILLE\"\ntranche = 2\n".into(),
        structures: "id;annexe;type;nom;gestionnaire;collectivite;financement;soutien_collectivite;unites_existantes;unites_nouvelles;unites_employeurs;unites_employeurs_nouvelles;mois_ouverture;contribution_collectivite_n1;bonus_n1\n\
A;2;EAJE;Crèche A;G;VILLE;PSU;oui;30;0;10;0;12;0;0\n\
B;2;EAJE;Crèche B;G;VILLE;PSU;oui;20;0;5;2;6;0;0\n".into(),
        charges: "collectivite;volet;montant;libelle\nVILLE;CTRE;9000,00;CTRE 2024\n".into(),
        bareme: None,
    };
    let mut d = Diagnostics::default();
    let lu = analyser_dossier(&f, &mut d).expect("dossier valide");
    let (r, _) = bonus_ctg::traiter(&lu, None, "bareme.toml").unwrap();
    let ctre = |id: &str| {
        expliquer(&lu.dossier, &r, id)
            .unwrap()
            .unwrap()
            .ctre
            .unwrap()
    };
    let valeur = |n: &Noeud, id: &str| {
        n.trouver(id)
            .unwrap_or_else(|| panic!("{id}"))
            .valeur
            .clone()
    };
    let euros = |c: i64| Valeur::Montant(Montant(c));
    let b = ctre("B");
    assert_eq!(b.valeur, euros(430_000));
    assert_eq!(valeur(&b, "A"), euros(900_000));
    assert_eq!(valeur(&b, "U"), Valeur::Unites(Unites(1_500)));
    assert_eq!(valeur(&b, "m"), Valeur::Exact(Rationnel::entier(60_000)));
    assert_eq!(valeur(&b, "e_i"), Valeur::Unites(Unites(500)));
    assert_eq!(valeur(&b, "ctre_lissage"), euros(150_000));
    assert_eq!(valeur(&b, "forfait"), euros(280_000));
    assert_eq!(valeur(&b, "ne_i"), Valeur::Unites(Unites(200)));
    assert_eq!(valeur(&b, "ctre_nouvelles"), euros(280_000));
    let s_i = b.trouver("s_i").unwrap();
    assert_eq!(s_i.formule.as_deref(), Some("m_eff × e_i × mo_i / 12"));
    assert_eq!(s_i.regle, "R64");
    let a = ctre("A");
    assert_eq!(a.valeur, euros(600_000));
    assert_eq!(valeur(&a, "ctre_lissage"), euros(600_000));
    assert_eq!(valeur(&a, "ctre_nouvelles"), euros(0));
    // the line agrees
    assert_eq!(r.structure("B").unwrap().bonus_ctre, Montant(430_000));
}
