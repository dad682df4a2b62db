//! Wording of what a person reads: the main commands run on the fixtures, and their outputs
//! (terminal table, HTML report, workbook cells, letters, `lot` messages) searched for the
//! defects a French reader notices: ISO dates in prose, missing accents (« hypothese »,
//! « confirme », « figee », « ELIGIBLE »), « de avril », « 1 dossiers », « Commandes: »,
//! « (valeurs admises : ) », decimals written with a point, raw lists `[]`.

use assert_cmd::Command;
use calamine::{Data, Reader, Xlsx};
use std::path::Path;

const DIJON: &str = "fixtures/dijon-2024";

fn bin() -> Command {
    Command::cargo_bin("bonus-ctg").unwrap()
}

/// stdout + stderr of a command that must succeed.
fn sortie(args: &[&str]) -> String {
    let o = bin().args(args).output().unwrap();
    assert!(
        o.status.success(),
        "{args:?} : {}",
        String::from_utf8_lossy(&o.stderr)
    );
    format!(
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The words of a text (letters, digits and the characters inside numbers and names).
fn mots(t: &str) -> Vec<&str> {
    t.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '-'))
        .filter(|m| !m.is_empty())
        .collect()
}

fn chiffres(s: &str) -> bool {
    !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())
}

/// The wording defects of a text, each with its context.
fn defauts(t: &str) -> Vec<String> {
    let mut d = Vec::new();
    let contexte = |i: usize| -> String {
        let debut = t[..i].char_indices().rev().nth(40).map_or(0, |(k, _)| k);
        let fin = t[i..]
            .char_indices()
            .nth(40)
            .map_or(t.len(), |(k, _)| i + k);
        t[debut..fin].replace('\n', "⏎")
    };
    for m in mots(t) {
        let i = m.as_ptr() as usize - t.as_ptr() as usize;
        let m = m.trim_matches(|c| c == '.' || c == '-');
        // 2020-01-01
        let p: Vec<&str> = m.split('-').collect();
        if p.len() == 3
            && p[0].len() == 4
            && p[1].len() == 2
            && p[2].len() == 2
            && p.iter().all(|x| chiffres(x))
        {
            d.push(format!("date ISO : {}", contexte(i)));
        }
        if ["hypothese", "confirme", "figee", "ELIGIBLE"].contains(&m) {
            d.push(format!("accent manquant « {m} » : {}", contexte(i)));
        }
        // 0.25 : a decimal point (a version « 0.1.0 » has two)
        let p: Vec<&str> = m.split('.').collect();
        if p.len() == 2 && chiffres(p[0]) && chiffres(p[1]) {
            d.push(format!("décimale avec un point : {}", contexte(i)));
        }
    }
    for (motif, nom) in [
        ("de avril", "élision"),
        ("de août", "élision"),
        ("de octobre", "élision"),
        ("Commandes:", "deux-points"),
        ("(valeurs admises : )", "liste vide"),
        ("= []", "liste brute"),
        ("[]", "liste brute"),
    ] {
        if let Some(i) = t.find(motif) {
            d.push(format!("{nom} : {}", contexte(i)));
        }
    }
    for nom in [
        "dossiers",
        "structures",
        "avertissements",
        "erreurs",
        "calculés",
        "événements",
        "places",
        "montants",
        "seuils",
        "forfaits",
        "tranches",
    ] {
        let motif = format!("1 {nom}");
        for (i, _) in t.match_indices(&motif) {
            // « 1 » alone, not the end of « 11 » or « 2 001 »
            let avant = t[..i].chars().next_back();
            if !avant.is_some_and(|c| c.is_ascii_digit() || c == '\u{202f}' || c == ',') {
                d.push(format!("pluriel après 1 : {}", contexte(i)));
            }
        }
    }
    d
}

/// The text of an HTML page as a reader sees it: no style, no tags (the SVG titles and
/// descriptions kept), entities decoded.
fn texte_html(h: &str) -> String {
    let h = match (h.find("<style>"), h.find("</style>")) {
        (Some(a), Some(b)) => format!("{}{}", &h[..a], &h[b..]),
        _ => h.to_string(),
    };
    let mut o = String::new();
    let mut dans = false;
    for c in h.chars() {
        match c {
            '<' => dans = true,
            '>' => {
                dans = false;
                o.push(' ');
            }
            c if !dans => o.push(c),
            _ => {}
        }
    }
    o.replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

fn verifier(nom: &str, t: &str) {
    let d = defauts(t);
    assert!(d.is_empty(), "{nom} :\n{}", d.join("\n"));
}

#[test]
fn le_detecteur_trouve_chaque_defaut() {
    // each defect of the list, once: the check can fail
    for (t, n) in [
        ("en vigueur depuis le 2020-01-01", 1),
        ("statut hypothese", 1),
        ("statut confirme ;", 1),
        ("base figee", 1),
        ("motif : ELIGIBLE", 1),
        ("à partir de avril 2027", 1),
        ("1 dossiers : 1 calculés", 2),
        ("Commandes:\n  calculer", 1),
        ("(valeurs admises : )", 1),
        ("plafond_developpement = 0.25", 1),
        ("forfaits_nouvelles = []", 2),
    ] {
        assert_eq!(defauts(t).len(), n, "{t} : {:?}", defauts(t));
    }
    for t in [
        "depuis le 1er janvier 2020",
        "statut hypothèse, confirmé, figée, éligible",
        "à partir d'avril 2027",
        "1 dossier : 1 calculé ; 11 structures ; 2 001 places",
        "Commandes :",
        "0,25 ; 25 % ; bonus-ctg 0.1.0",
        "CTG Ville de Dijon 2024-2027",
        "ALSH-ADOS-AJ-MAISON-PHARE",
    ] {
        assert!(defauts(t).is_empty(), "{t} : {:?}", defauts(t));
    }
}

#[test]
fn tableau_du_terminal() {
    for largeur in ["80", "120", "200"] {
        verifier(
            &format!("calculer, tableau de {largeur} colonnes"),
            &sortie(&["calculer", DIJON, "--largeur", largeur]),
        );
    }
    verifier(
        "calculer --colonnes toutes",
        &sortie(&["calculer", "fixtures/gevrey-nuits", "--colonnes", "toutes"]),
    );
}

#[test]
fn rapports_html() {
    let d = tempfile::tempdir().unwrap();
    for dossier in [DIJON, "fixtures/gevrey-nuits", "fixtures/dugny"] {
        let f = d.path().join("r.html");
        sortie(&[
            "-q",
            "calculer",
            dossier,
            "--format",
            "html",
            "--ecraser",
            "--sortie",
            f.to_str().unwrap(),
        ]);
        let h = std::fs::read_to_string(&f).unwrap();
        verifier(&format!("rapport HTML de {dossier}"), &texte_html(&h));
    }
}

#[test]
fn cellules_du_classeur() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("c.xlsx");
    sortie(&["-q", "calculer", DIJON, "--sortie", f.to_str().unwrap()]);
    let mut wb: Xlsx<_> = calamine::open_workbook(&f).unwrap();
    let mut n = 0;
    for feuille in wb.sheet_names() {
        let plage = wb.worksheet_range(&feuille).unwrap();
        for (l, ligne) in plage.rows().enumerate() {
            for (c, cellule) in ligne.iter().enumerate() {
                // kept as the CSV writes them: the reason's code (« Motif (code) », next to
                // the reason in words); and the full text of the rules and their sources
                // (the Hypotheses sheet's detail and source columns, docs/regles.md as is)
                let code_motif = feuille == "Structures" && c == 6 && l > 0;
                let texte_des_regles = feuille == "Hypothèses" && c >= 2 && l > 0;
                if code_motif || texte_des_regles {
                    continue;
                }
                if let Data::String(s) = cellule {
                    verifier(&format!("{feuille} ligne {} colonne {}", l + 1, c + 1), s);
                    n += 1;
                }
            }
        }
    }
    assert!(n > 500, "{n} cellules de texte");
}

#[test]
fn messages_du_lot() {
    // one dossier, then one good and one broken: counts agree with their noun
    let d = tempfile::tempdir().unwrap();
    let un = d.path().join("un");
    std::fs::create_dir(&un).unwrap();
    copier(Path::new("fixtures/dugny"), &un.join("dugny"));
    let s = d.path().join("r1");
    let t = sortie(&[
        "lot",
        un.to_str().unwrap(),
        "--sortie",
        &format!("{}/", s.display()),
    ]);
    assert!(t.contains("1 dossier"), "{t}");
    verifier("lot d'un dossier", &t);
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

#[test]
fn lettres_de_notification() {
    let d = tempfile::tempdir().unwrap();
    let s = d.path().join("lettres");
    sortie(&[
        "-q",
        "notifier",
        DIJON,
        "--format",
        "html",
        "--sortie",
        &format!("{}/", s.display()),
    ]);
    let mut n = 0;
    for e in std::fs::read_dir(&s).unwrap() {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "html") {
            let h = std::fs::read_to_string(&p).unwrap();
            verifier(&p.display().to_string(), &texte_html(&h));
            n += 1;
        }
    }
    assert!(n > 5, "{n} lettres");
}

/// The other commands' texts (explanation, barème, projection, help, usage errors): written
/// by other parts of the program, checked here once they are in French too.
#[test]
fn autres_commandes() {
    for (nom, args) in [
        ("expliquer", vec!["expliquer", DIJON, "EAJE-TARNIER"]),
        ("expliquer (inéligible)", vec!["expliquer", DIJON, "CCAS"]),
        ("bareme", vec!["bareme"]),
        ("bareme du dossier", vec!["bareme", DIJON]),
        ("projeter", vec!["projeter", DIJON]),
        ("aide", vec!["--help"]),
    ] {
        verifier(nom, &sortie(&args));
    }
    // the explanation page (its text as a reader sees it), for an eligible crèche and a
    // projected year
    for (nom, args) in [
        (
            "expliquer --format html",
            vec!["expliquer", DIJON, "EAJE-TARNIER", "--format", "html"],
        ),
        (
            "expliquer --annee --format html",
            vec![
                "expliquer",
                DIJON,
                "EAJE-DELAUNAY",
                "--annee",
                "2026",
                "--format",
                "html",
            ],
        ),
    ] {
        verifier(nom, &texte_html(&sortie(&args)));
    }
    let o = bin().args(["calculer", "--sortie"]).output().unwrap();
    verifier("calculer --sortie", &String::from_utf8_lossy(&o.stderr));
}

#[test]
fn colonnes_seulement_pour_le_tableau() {
    // --colonnes with another format: a usage error (2), said before reading the dossier
    let o = bin()
        .args(["calculer", DIJON, "--format", "csv", "--colonnes", "toutes"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(
        e.contains("--colonnes choisit les colonnes du tableau du terminal : le format csv"),
        "{e}"
    );
    assert!(o.stdout.is_empty());
    // an unknown column: a usage error as well
    let o = bin()
        .args(["calculer", DIJON, "--colonnes", "id,bonnus"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
