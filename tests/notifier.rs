//! `bonus-ctg notifier`: the letters' amounts are those of `calculer` (read back from the
//! PDF with `pdftotext -layout`, and from the HTML), accents and « » survive, fonts are
//! embedded, page counts are sane, and the output folder is replaced as a whole.
//!
//! Needs poppler-utils (`pdftotext`, `pdffonts`): without them the PDF checks are skipped
//! with a note, unless BONUS_CTG_OUTILS_REQUIS=1 (CI), where their absence fails.

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("bonus-ctg").unwrap()
}

fn fixture(n: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(n)
}

/// Whether poppler's tools are here; their absence fails when they are required.
fn outils() -> bool {
    let present = std::process::Command::new("pdftotext")
        .arg("-v")
        .output()
        .is_ok()
        && std::process::Command::new("pdffonts")
            .arg("-v")
            .output()
            .is_ok();
    if !present {
        assert!(
            std::env::var("BONUS_CTG_OUTILS_REQUIS").as_deref() != Ok("1"),
            "pdftotext et pdffonts (poppler-utils) sont exigés (BONUS_CTG_OUTILS_REQUIS=1)"
        );
        eprintln!("note : pdftotext/pdffonts absents (poppler-utils) : vérifications PDF sautées");
    }
    present
}

fn pdftotext(p: &Path) -> String {
    let o = std::process::Command::new("pdftotext")
        .arg("-layout")
        .arg(p)
        .arg("-")
        .output()
        .unwrap();
    assert!(o.status.success(), "pdftotext {}", p.display());
    String::from_utf8(o.stdout).unwrap()
}

/// An amount as written: integer value and number of decimals (`1 260,2579 €` → (12602579, 4)).
type Montant = (i64, u32);

/// Every `… €` amount of a text, in order. Thousands are separated by a narrow no-break
/// space, a no-break space or a space (as pdftotext may give it back).
fn montants(t: &str) -> Vec<Montant> {
    let c: Vec<char> = t.chars().collect();
    let mut r = Vec::new();
    for i in 1..c.len() {
        if c[i] != '€' || !matches!(c[i - 1], ' ' | '\u{a0}' | '\u{202f}') {
            continue;
        }
        // walk back over digits, one decimal comma, group separators and a sign
        let mut j = i - 1;
        let mut corps = Vec::new();
        // digits read since the decimal comma or the last group separator
        let mut groupe = 0;
        while j > 0 {
            let x = c[j - 1];
            if x.is_ascii_digit() {
                corps.push(x);
                groupe += 1;
                j -= 1;
            } else if x == ',' {
                corps.push(x);
                groupe = 0;
                j -= 1;
            } else if matches!(x, ' ' | '\u{a0}' | '\u{202f}')
                && j >= 2
                && c[j - 2].is_ascii_digit()
                && groupe == 3
                && corps.contains(&',')
            {
                groupe = 0;
                j -= 1;
            } else if x == '-' {
                corps.push(x);
                break;
            } else {
                break;
            }
        }
        let s: String = corps.into_iter().rev().collect();
        let Some((e, d)) = s.split_once(',') else {
            continue;
        };
        let v: i64 = format!("{e}{d}").parse().unwrap();
        r.push((v, d.len() as u32));
    }
    r
}

/// `1234.56` → (123456, 2).
fn lu(s: &str) -> Montant {
    let (e, d) = s.split_once('.').unwrap();
    (format!("{e}{d}").parse().unwrap(), d.len() as u32)
}

fn centimes(v: i64) -> Montant {
    (v, 2)
}

/// The structure rows of `calculer --format csv --profil rfc4180`, by column name.
fn calcul(dossier: &Path) -> Vec<BTreeMap<String, String>> {
    let o = bin()
        .arg("calculer")
        .arg(dossier)
        .args(["--format", "csv", "--profil", "rfc4180", "--silencieux"])
        .output()
        .unwrap();
    assert!(o.status.success());
    // the structure table: the first table of the output (up to a blank line, if others follow)
    let texte = String::from_utf8(o.stdout).unwrap();
    let premiere = texte.split("\n\n").next().unwrap();
    let mut r = csv::Reader::from_reader(premiere.as_bytes());
    let entete: Vec<String> = r.headers().unwrap().iter().map(String::from).collect();
    r.records()
        .map(|x| {
            let x = x.unwrap();
            entete
                .iter()
                .cloned()
                .zip(x.iter().map(String::from))
                .collect()
        })
        .collect()
}

fn somme(lignes: &[&BTreeMap<String, String>], col: &str) -> Montant {
    centimes(lignes.iter().map(|l| lu(&l[col]).0).sum())
}

/// The part of `t` between the first line starting with `debut` and the next line
/// starting with `fin`.
fn section<'a>(t: &'a str, debut: &str, fin: &str) -> Vec<&'a str> {
    // a page's first line starts with the form feed that ends the page before
    let debut_de = |l: &str, x: &str| l.trim_start_matches('\u{c}').starts_with(x);
    t.lines()
        .skip_while(|l| !debut_de(l, debut))
        .skip(1)
        .take_while(|l| !debut_de(l, fin))
        .collect()
}

/// The last amount of each table line ending with `€` (the Montant column).
fn derniers(lignes: &[&str]) -> Vec<Montant> {
    lignes
        .iter()
        .filter(|l| l.trim_end().ends_with('€'))
        .filter_map(|l| montants(l).last().copied())
        .collect()
}

fn notifier(dossier: &Path, sortie: &Path, extra: &[&str]) -> std::process::Output {
    bin()
        .arg("notifier")
        .arg(dossier)
        .arg("--sortie")
        .arg(sortie)
        .args(extra)
        .output()
        .unwrap()
}

fn html_en_texte(h: &str) -> String {
    let corps = h.split("</style>").nth(1).unwrap_or(h);
    let mut o = String::new();
    let mut dans = false;
    for c in corps.chars() {
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
    o.replace("&#39;", "'").replace("&amp;", "&")
}

/// The checks of every gestionnaire's letter of `dossier` (PDF in `sortie`, HTML in `html`)
/// against the calculation `lignes`. `false`: poppler is absent, nothing checked.
fn controler_lettres_gestionnaires(
    dossier: &Path,
    caf: &str,
    lignes: &[BTreeMap<String, String>],
    sortie: &Path,
    html: &Path,
) -> bool {
    let mut gestionnaires: BTreeMap<&str, Vec<&BTreeMap<String, String>>> = BTreeMap::new();
    for l in lignes {
        gestionnaires.entry(&l["gestionnaire"]).or_default().push(l);
    }
    // amounts of the barème that the rules quote: EAJE plancher 0 €, forfait of tranche 2
    // (EAJE 3 100 € since 2021, src/bareme_defaut.toml), the other volets' forfaits and
    // planchers as printed by `bonus-ctg bareme`
    let bareme = bin()
        .args(["bareme", "--exercice", "2025"])
        .arg(dossier)
        .output()
        .unwrap();
    let mut montants_bareme = montants(&String::from_utf8_lossy(&bareme.stdout));
    montants_bareme.push(centimes(0));

    if !outils() {
        return false;
    }
    let fichiers: Vec<String> = fs::read_dir(sortie)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    for (g, ls) in &gestionnaires {
        // the letter of `g`: the one whose HTML title names it (the PDF may wrap the name)
        let titre = format!(
            "<title>Bonus territoire CTG 2025 — {}</title>",
            g.replace('&', "&amp;").replace('\'', "&#39;")
        );
        let f = fichiers
            .iter()
            .find(|f| {
                fs::read_to_string(html.join(f.replace(".pdf", ".html")))
                    .is_ok_and(|h| h.contains(&titre))
            })
            .unwrap_or_else(|| panic!("pas de lettre pour {g}"));
        assert!(f.starts_with("gestionnaire-") && f.ends_with(".pdf"), "{f}");
        let t = pdftotext(&sortie.join(f));

        // accents, guillemets, apostrophe
        for x in [
            caf,
            "« CTG ",
            "exercice 2025",
            "Pour la Caf, le directeur ou la directrice",
            "Fait à ",
            "Ce qui change pour la contribution de la collectivité",
        ] {
            assert!(t.contains(x), "{f} : « {x} » absent\n{t}");
        }
        // the rules, with their barème references, when a structure is eligible
        let eligibles = ls.iter().any(|l| l["motif"] == "ELIGIBLE");
        assert_eq!(t.contains("Règles appliquées"), eligibles, "{f}");
        assert_eq!(t.contains("Barème : volets."), eligibles, "{f}");
        // pages: form feeds end each page; « page i/n » on each
        let n = t.matches('\u{c}').count();
        // a page holds at least a few structures (rows of 3 lines)
        assert!(
            n >= 1 && n <= 2 + ls.len() / 3,
            "{f} : {n} pages pour {} structures",
            ls.len()
        );
        for i in 1..=n {
            assert!(t.contains(&format!("page {i}/{n}")), "{f} : page {i}/{n}");
        }

        // every page holding rows of the structure table starts it with its heading row
        for (i, page) in t.split('\u{c}').enumerate() {
            let rangees = page
                .lines()
                .any(|l| l.contains("Nouvelles places") && l.trim_end().ends_with('€'));
            if rangees {
                assert!(
                    page.lines()
                        .any(|l| l.contains("Structure") && l.contains("Base de calcul")),
                    "{f} : page {} sans en-tête de tableau\n{page}",
                    i + 1
                );
            }
        }

        // the table « Bonus par structure »: per structure (in id order, as the result),
        // lissage, nouvelles places, total — or a single 0,00 € when not eligible; then the
        // gestionnaire's totals
        let table = section(
            &t,
            "Bonus par structure",
            if eligibles {
                "Règles appliquées"
            } else {
                "Ce qui change"
            },
        );
        let mut attendu = Vec::new();
        let mut taux = Vec::new();
        for l in ls {
            if l["motif"] == "ELIGIBLE" {
                attendu.push(lu(&l["bonus_lissage"]));
                attendu.push(lu(&l["bonus_nouvelles"]));
                attendu.push(lu(&l["bonus_trajectoire"]));
                attendu.push(lu(&l["bonus_ctre"]));
                taux.push(lu(&l["taux_unitaire"]));
            }
            attendu.push(lu(&l["bonus_total"]));
        }
        attendu.push(somme(ls, "bonus_lissage"));
        attendu.push(somme(ls, "bonus_nouvelles"));
        attendu.push(somme(ls, "bonus_trajectoire"));
        attendu.push(somme(ls, "bonus_ctre"));
        attendu.push(somme(ls, "bonus_total"));
        assert_eq!(derniers(&table), attendu, "{f}\n{}", table.join("\n"));
        // the unit rates of the table: those of the CSV, 4 decimals
        let taux_lus: Vec<Montant> = table
            .iter()
            .flat_map(|l| montants(l))
            .filter(|m| m.1 == 4)
            .collect();
        assert_eq!(taux_lus, taux, "{f}");
        // the total in the opening paragraph
        let total = somme(ls, "bonus_total");
        let intro: String = section(&t, "Madame, Monsieur", "Bonus par structure").join(" ");
        assert_eq!(montants(&intro), vec![total], "{f}");

        // the contribution table: N-1, N, variation of each structure, then the totals
        let contrib = section(&t, "Structure ", "Le bonus est versé");
        let contrib = contrib
            .iter()
            .skip_while(|l| !l.contains("Contribution 2024"))
            .copied()
            .collect::<Vec<_>>();
        let lus: Vec<Vec<Montant>> = contrib
            .iter()
            .map(|l| montants(l))
            .filter(|m| m.len() == 3)
            .collect();
        let mut attendu: Vec<Vec<Montant>> = ls
            .iter()
            .map(|l| {
                vec![
                    lu(&l["contribution_collectivite_n1"]),
                    lu(&l["contribution_collectivite_n"]),
                    lu(&l["variation"]),
                ]
            })
            .collect();
        attendu.push(vec![
            somme(ls, "contribution_collectivite_n1"),
            somme(ls, "contribution_collectivite_n"),
            somme(ls, "variation"),
        ]);
        assert_eq!(lus, attendu, "{f}\n{}", contrib.join("\n"));

        // every amount of the letter is one of these (nothing else is quoted)
        let mut permis: Vec<Montant> = montants_bareme.clone();
        for l in ls {
            for c in [
                "taux_unitaire",
                "bonus_lissage",
                "bonus_nouvelles",
                "bonus_trajectoire",
                "bonus_ctre",
                "bonus_total",
                "contribution_collectivite_n1",
                "contribution_collectivite_n",
                "variation",
            ] {
                permis.push(lu(&l[c]));
            }
        }
        for c in [
            "bonus_lissage",
            "bonus_nouvelles",
            "bonus_trajectoire",
            "bonus_ctre",
            "bonus_total",
            "contribution_collectivite_n1",
            "contribution_collectivite_n",
            "variation",
        ] {
            permis.push(somme(ls, c));
        }
        let tous = montants(&t);
        for m in &tous {
            assert!(permis.contains(m), "{f} : montant {m:?} sans source");
        }

        // the HTML letter: the same amounts
        let h = fs::read_to_string(html.join(f.replace(".pdf", ".html"))).unwrap();
        assert!(h.starts_with("<!DOCTYPE html>"));
        for l in ls {
            assert!(
                h.contains(&format!("({})", l["id"])),
                "{f} : structure {} absente",
                l["id"]
            );
        }
        let mut a = montants(&html_en_texte(&h));
        let mut b = tous.clone();
        a.sort();
        b.sort();
        assert_eq!(a, b, "{f} : montants HTML ≠ PDF");
    }

    true
}

#[test]
fn dijon_lettres_pdf_et_html_aux_montants_du_calcul() {
    let dossier = fixture("dijon-2024");
    let lignes = calcul(&dossier);
    let d = tempfile::tempdir().unwrap();
    let sortie = d.path().join("lettres");
    let o = notifier(&dossier, &sortie, &[]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8_lossy(&o.stderr);
    // 14 gestionnaires in structures.csv, one collectivité (DIJON)
    assert!(
        err.contains("15 lettres (14 gestionnaires, 1 récapitulatif"),
        "{err}"
    );
    let html = d.path().join("lettres-html");
    let o = notifier(&dossier, &html, &["--format", "html"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    let gestionnaires: std::collections::BTreeSet<&str> =
        lignes.iter().map(|l| l["gestionnaire"].as_str()).collect();
    assert_eq!(gestionnaires.len(), 14);
    // the forfait of tranche 2 of EAJE since 2021 (src/bareme_defaut.toml), quoted by the rules
    let bareme = bin()
        .args(["bareme", "--exercice", "2025"])
        .arg(&dossier)
        .output()
        .unwrap();
    assert!(montants(&String::from_utf8_lossy(&bareme.stdout)).contains(&centimes(310_000)));
    assert_eq!(fs::read_dir(&sortie).unwrap().count(), 15);
    if !controler_lettres_gestionnaires(&dossier, "Caf de la Côte-d’Or", &lignes, &sortie, &html)
    {
        return;
    }
    let t = pdftotext(&sortie.join("gestionnaire-lpcr.pdf"));
    assert!(t.contains("« CTG Ville de Dijon 2024-2027 »"));

    // the recap of the collectivité
    let f = sortie.join("collectivite-ville-de-dijon.pdf");
    let t = pdftotext(&f);
    let toutes: Vec<&BTreeMap<String, String>> = lignes.iter().collect();
    let composantes = section(&t, "Bonus par composante", "Bonus par structure");
    assert_eq!(
        derniers(&composantes),
        vec![
            somme(&toutes, "bonus_lissage"),
            somme(&toutes, "bonus_nouvelles"),
            somme(&toutes, "bonus_trajectoire"),
            somme(&toutes, "bonus_ctre"),
            somme(&toutes, "bonus_total")
        ]
    );
    let mut triees = toutes.clone();
    triees.sort_by(|a, b| (&a["gestionnaire"], &a["nom"]).cmp(&(&b["gestionnaire"], &b["nom"])));
    let mut attendu: Vec<Montant> = triees.iter().map(|l| lu(&l["bonus_total"])).collect();
    attendu.push(somme(&toutes, "bonus_total"));
    let table = section(&t, "Bonus par structure", "Règles appliquées");
    assert_eq!(derniers(&table), attendu);
    // pilotage paid to the collectivité: charges_n1.csv, DIJON;PILOTAGE;45 000,00
    assert!(montants(&t).contains(&centimes(4_500_000)));
    let n = t.matches('\u{c}').count();
    assert!((2..=8).contains(&n), "récapitulatif : {n} pages");
    assert!(t.contains(&format!("page {n}/{n}")));

    // fonts embedded (subsets): DejaVu Sans and DejaVu Sans Bold
    let o = std::process::Command::new("pdffonts")
        .arg(&f)
        .output()
        .unwrap();
    let polices = String::from_utf8_lossy(&o.stdout);
    let lignes_polices: Vec<&str> = polices.lines().skip(2).collect();
    assert_eq!(lignes_polices.len(), 2, "{polices}");
    assert!(lignes_polices
        .iter()
        .any(|l| l.contains("+DejaVuSans-Bold ")));
    assert!(lignes_polices.iter().any(|l| l.contains("+DejaVuSans ")));
    for l in lignes_polices {
        let champs: Vec<&str> = l.split_whitespace().collect();
        // name, type (2 words), encoding, emb, sub, uni, object, id
        assert_eq!(&champs[4..7], ["yes", "yes", "yes"], "{l}");
    }
}

#[test]
fn un_gestionnaire_et_suggestion() {
    let dossier = fixture("dijon-2024");
    let d = tempfile::tempdir().unwrap();
    let s = d.path().join("l");
    // case-insensitive
    let o = notifier(
        &dossier,
        &s,
        &["--gestionnaire", "lpcr", "--format", "html"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let noms: Vec<String> = fs::read_dir(&s)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(noms, ["gestionnaire-lpcr.html"]);
    let h = fs::read_to_string(s.join("gestionnaire-lpcr.html")).unwrap();
    // LPCR: Junot 37 807,74 + Maison des Fées 44 109,03 + Heudelet 81 612,89 (63 012,89 +
    // 6 places × 3 100 € = 18 600,00) + Roosevelt 37 807,74 = 201 337,40 €, each lissage
    // being 1 260,2579 € × places (30, 35, 50, 30) rounded in the EAJE group
    // (no-break space before €)
    assert!(h.contains("201\u{202f}337,40\u{a0}€"), "{h}");
    assert!(h.contains("18\u{202f}600,00\u{a0}€"));

    let autre = d.path().join("m");
    let o = notifier(&dossier, &autre, &["--gestionnaire", "LPRC"]);
    assert_eq!(o.status.code(), Some(1));
    let e = String::from_utf8_lossy(&o.stderr);
    assert!(e.contains("erreur E120"), "{e}");
    assert!(e.contains("vouliez-vous dire « LPCR » ?"), "{e}");
    assert!(!autre.exists());
}

#[test]
fn dossier_de_sortie_remplace_en_entier() {
    let dossier = fixture("dugny");
    let d = tempfile::tempdir().unwrap();
    let s = d.path().join("lettres");
    // a folder holding something else is never replaced
    fs::create_dir(&s).unwrap();
    fs::write(s.join("notes.txt"), "à garder").unwrap();
    let o = notifier(&dossier, &s, &["--format", "html", "--ecraser"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("erreur E121"));
    assert_eq!(fs::read_to_string(s.join("notes.txt")).unwrap(), "à garder");
    fs::remove_file(s.join("notes.txt")).unwrap();

    // an empty folder is filled; a second run needs --ecraser, and replaces everything
    let o = notifier(&dossier, &s, &["--format", "html"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let premiers = fs::read_dir(&s).unwrap().count();
    assert!(premiers >= 2);
    let o = notifier(&dossier, &s, &["--format", "html"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("erreur E083"));
    fs::write(s.join("ancienne.html"), "x").unwrap();
    let o = notifier(&dossier, &s, &["--format", "html", "--ecraser"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!s.join("ancienne.html").exists());
    assert_eq!(fs::read_dir(&s).unwrap().count(), premiers);
    // nothing hidden left next to it
    let voisins: Vec<String> = fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(voisins, ["lettres"]);
}

/// The same checks on the other fixtures: Dugny (LAEP, ludothèques without volet) and the
/// intercommunal CTG of Gevrey-Nuits (several collectivités, one recap each).
#[test]
fn autres_fixtures_lettres_aux_montants_du_calcul() {
    for (nom, caf, lettres) in [
        // 2 gestionnaires + 1 collectivité ; 7 gestionnaires + 4 collectivités
        ("dugny", "Caf de la Seine-Saint-Denis", 3),
        ("gevrey-nuits", "Caf de la Côte-d’Or", 11),
    ] {
        let dossier = fixture(nom);
        let lignes = calcul(&dossier);
        let d = tempfile::tempdir().unwrap();
        let (sortie, html) = (d.path().join("pdf"), d.path().join("html"));
        for (s, f) in [(&sortie, "pdf"), (&html, "html")] {
            let o = notifier(&dossier, s, &["--format", f]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
            assert_eq!(fs::read_dir(s).unwrap().count(), lettres, "{nom}");
        }
        if !controler_lettres_gestionnaires(&dossier, caf, &lignes, &sortie, &html) {
            return;
        }
    }
}
