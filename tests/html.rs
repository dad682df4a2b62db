//! HTML report: content checks on the generated file (every structure present, totals equal
//! to the CSV output and to the hand-checked figures, self-contained) and a snapshot of its
//! structure (sections, tables, charts). The browser rendering is checked by
//! scripts/test-html.sh (headless Chromium).

use bonus_ctg::diagnostic::Diagnostics;
use bonus_ctg::lecture::{lire_dossier, OptionsLecture};
use bonus_ctg::rapport::{csv, html, Profil};
use std::path::Path;

fn resultat(dossier: &str) -> bonus_ctg::calcul::Resultat {
    let mut d = Diagnostics::default();
    let lu = lire_dossier(Path::new(dossier), &OptionsLecture::default(), &mut d).unwrap();
    bonus_ctg::traiter(&lu, None, "bareme.toml").unwrap().0
}

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

fn cents(s: &str) -> i64 {
    let (e, d) = s.split_once('.').unwrap();
    let v = e.trim_start_matches('-').parse::<i64>().unwrap() * 100 + d.parse::<i64>().unwrap();
    if e.starts_with('-') {
        -v
    } else {
        v
    }
}

#[test]
fn contenu_du_rapport_dijon() {
    let r = resultat("fixtures/dijon-2024");
    let h = html::rendre(&r).unwrap();
    // self-contained: no script, no external resource
    assert!(!h.contains("<script"));
    assert!(!h.contains("http://") && !h.contains("https://"));
    assert!(!h.contains(" src=") && !h.contains("<link"));
    assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"fr\">"));
    assert!(h.contains("@media print") && h.contains("size: A4"));

    // every structure of the CSV output has its row, with the CSV's amounts
    let texte = String::from_utf8(csv::rendre(&r, Profil::Rfc4180).unwrap()).unwrap();
    let bloc = texte.split("\n\n").next().unwrap();
    let mut n = 0;
    let mut somme_bonus = 0;
    for l in bloc.lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        let id = c[0];
        let debut = format!("<tr data-id=\"{id}\" data-motif=\"{}\"", c[6]);
        // lissage, nouvelles, total, contrib. N-1, contrib. N, variation, trajectoire, CTRE
        let m = centimes_entre(&h, &debut, "</tr>");
        assert_eq!(
            m,
            [9, 10, 11, 13, 14, 17, 18, 19]
                .map(|k| cents(c[k]))
                .to_vec(),
            "{id}"
        );
        somme_bonus += cents(c[11]);
        n += 1;
    }
    assert_eq!(n, 61);
    // totals: Σ bonus of the CSV = table footer = 1 640 340,11 € (hand-checked, LISEZMOI)
    assert_eq!(somme_bonus, 164_034_011);
    let pied = centimes_entre(&h, "<tr id=\"total-structures\"", "</tr>");
    assert_eq!(pied[2], somme_bonus);
    // summary: Caf total 1 685 340,11 € = the verse_caf line of the CSV totals table
    let totaux =
        String::from_utf8(csv::rendre_table(&r, Profil::Rfc4180, csv::TableCsv::Totaux).unwrap())
            .unwrap();
    let total_caf = totaux
        .lines()
        .find_map(|l| l.strip_prefix("verse_caf,"))
        .unwrap();
    assert_eq!(cents(total_caf), 168_534_011);
    assert_eq!(
        centimes_entre(&h, "id=\"total-caf\"", "</div></div>")[0],
        168_534_011
    );
    assert!(h.contains("1\u{202f}685\u{202f}340,11\u{a0}€"));
    // reconciliation footer: A, L, N, C, R, P, Caf
    assert_eq!(
        centimes_entre(&h, "<tr id=\"total-rapprochement\"", "</tr>"),
        vec![
            166_269_204,
            159_074_011,
            4_960_000,
            0,
            2_695_193,
            4_500_000,
            168_534_011
        ]
    );
    // collectivités N-1 → N
    let c = centimes_entre(&h, "id=\"total-collectivites\"", "</div></div>");
    assert_eq!(
        c,
        vec![
            r.total.structures.contribution_n1.0,
            r.total.structures.contribution_n.0
        ]
    );
    assert!(h.contains("<span data-nombre=\"43\">43</span> sur 61"));
    // one bar per eligible structure, in one chart per volet
    assert_eq!(h.matches("<g class=\"barre\"").count(), 43);
    for v in ["ALSH", "EAJE", "LUDOTHEQUE", "RPE"] {
        assert!(h.contains(&format!("data-volet=\"{v}\"")), "{v}");
    }
    // the bar of the structure with new places stacks lissage and new units:
    // EAJE-DELAUNAY 25 205,16 € + 31 000,00 € (10 places × 3 100 €, tranche 2)
    let i = h
        .find("<g class=\"barre\" data-id=\"EAJE-DELAUNAY\"")
        .unwrap();
    let barre = &h[i..i + h[i..].find("</g>").unwrap()];
    assert!(barre.contains("data-centimes=\"5620516\""));
    assert_eq!(barre.matches("<rect").count(), 2);
    // excluded structures with their reason in plain French
    let i = h
        .find("<tr data-id=\"EAJE-LA-COLOMBIERE\" data-motif=\"FINANCEMENT_INCOMPATIBLE\"><td>")
        .unwrap();
    let ligne = &h[i..i + h[i..].find("</tr>").unwrap()];
    assert!(ligne.contains("Financement incompatible avec le volet"));
    assert!(ligne.contains("financement PAJE ; admis pour le volet EAJE : PSU"));
    // barème with its sources
    assert!(h.contains("<tr data-parametre=\"volets.EAJE.forfaits_nouvelles\">"));
    assert!(h.contains("Circulaire Cnaf 2021-004"));
}

#[test]
fn texte_echappe() {
    let mut r = resultat("tests/verifier/dossier");
    r.structures[0].structure.nom = "<img src=x onerror=alert(1)> & « Crèche »".into();
    let h = html::rendre(&r).unwrap();
    assert!(!h.contains("<img"));
    assert!(h.contains("&lt;img src=x onerror=alert(1)&gt; &amp; « Crèche »"));
}

/// Outline of the document: headings, sections, tables (with their number of body rows),
/// charts (with their number of bars) — what a reader navigates by.
fn plan(h: &str) -> String {
    let mut o = String::new();
    let mut reste = h;
    while let Some(i) = reste.find('<') {
        reste = &reste[i..];
        let fin = reste.find('>').unwrap_or(reste.len() - 1);
        let balise = &reste[..=fin];
        let nom: String = balise[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let attr = |a: &str| {
            balise
                .find(&format!("{a}=\""))
                .map(|k| {
                    let v = &balise[k + a.len() + 2..];
                    v[..v.find('"').unwrap()].to_string()
                })
                .unwrap_or_default()
        };
        match nom.as_str() {
            "h1" | "h2" | "figcaption" => {
                let t = &reste[fin + 1..];
                let t = &t[..t.find("</").unwrap()];
                o.push_str(&format!("{nom}: {t}\n"));
            }
            "section" => o.push_str(&format!("section #{}\n", attr("id"))),
            "table" => {
                let t = &reste[..reste.find("</table>").unwrap()];
                let corps = t.split("<tbody>").nth(1).unwrap_or("");
                let corps = &corps[..corps.find("</tbody>").unwrap_or(corps.len())];
                let entete = &t[..t.find("</tr>").unwrap()];
                o.push_str(&format!(
                    "  table #{} : {} lignes, {} colonnes, pied : {}\n",
                    attr("id"),
                    corps.matches("<tr").count(),
                    entete.matches("<th>").count() + entete.matches("<th ").count(),
                    t.contains("<tfoot>")
                ));
            }
            "svg" => {
                let t = &reste[..reste.find("</svg>").unwrap()];
                o.push_str(&format!(
                    "  svg {} : {} barres, {} rectangles\n",
                    attr("viewBox"),
                    t.matches("class=\"barre\"").count(),
                    t.matches("<rect").count()
                ));
            }
            _ => {}
        }
        reste = &reste[1..];
    }
    o
}

#[test]
fn structure_du_rapport() {
    let h = html::rendre(&resultat("fixtures/dijon-2024")).unwrap();
    insta::assert_snapshot!("html_dijon_plan", plan(&h));
}

#[test]
fn choix_de_modelisation_pour_un_lecteur() {
    let h = html::rendre(&resultat("fixtures/dijon-2024")).unwrap();
    let i = h.find("id=\"hypotheses\"").unwrap();
    let section = &h[i..h[i..].find("</section>").unwrap() + i];
    let lignes: Vec<&str> = section.split("<tr data-regle=\"").skip(1).collect();
    // the 17 rules of the calculation (all found in docs/regles.md), then the barème
    // parameters read as « hypothèse »
    assert!(lignes.len() >= 17, "{}", lignes.len());
    let mut ids = Vec::new();
    for l in &lignes {
        let id = &l[..l.find('"').unwrap()];
        assert!(!ids.contains(&id), "{id} deux fois");
        ids.push(id);
        let cellules: Vec<&str> = l
            .split("<td>")
            .skip(1)
            .map(|c| &c[..c.find("</td>").unwrap()])
            .collect();
        assert_eq!(cellules.len(), 3, "{l}");
        // one sentence: a capital, a final full stop, no empty value
        assert!(cellules[1].ends_with('.'), "{id} : {}", cellules[1]);
        assert!(!cellules[1].contains(" : ."), "{id} : {}", cellules[1]);
        assert!(
            cellules[2].starts_with("confirmé") || cellules[2].starts_with("hypothèse"),
            "{id} : {}",
            cellules[2]
        );
    }
    for r in ["R1", "R9", "R15", "R16", "R65"] {
        assert!(ids.contains(&r), "{r}");
    }
    assert!(ids.contains(&"volets.PILOTAGE.types"));
    assert!(section.contains("Types de structure du volet PILOTAGE : aucun."));
    // for a reader who is not a developer: no issue number, no English, no file of the code
    for mot in ["issue", " the ", " shall ", "src/", "`"] {
        assert!(!section.contains(mot), "« {mot} » dans la section");
    }
}

#[test]
fn pied_de_page_date_version_empreinte() {
    let r = resultat("fixtures/dijon-2024");
    let fichiers: Vec<std::path::PathBuf> = ["convention.toml", "structures.csv", "charges_n1.csv"]
        .iter()
        .map(|f| Path::new("fixtures/dijon-2024").join(f))
        .collect();
    let e = html::empreinte_fichiers(&fichiers).unwrap();
    assert_eq!(e.len(), 16);
    assert!(e.chars().all(|c| c.is_ascii_hexdigit()));
    // one byte more in a file: another fingerprint
    let d = tempfile::tempdir().unwrap();
    let mut copies = Vec::new();
    for f in &fichiers {
        let c = d.path().join(f.file_name().unwrap());
        std::fs::copy(f, &c).unwrap();
        copies.push(c);
    }
    assert_eq!(html::empreinte_fichiers(&copies).unwrap(), e);
    let mut s = std::fs::read(&copies[1]).unwrap();
    s.push(b'\n');
    std::fs::write(&copies[1], s).unwrap();
    assert_ne!(html::empreinte_fichiers(&copies).unwrap(), e);
    // a directory or a missing file is skipped; nothing to read: no fingerprint
    assert_eq!(html::empreinte_fichiers(&[d.path().join("absent")]), None);

    let h = html::rendre_avec_empreinte(&r, Some(&e)).unwrap();
    let pied = &h[h.find("<footer>").unwrap()..h.find("</footer>").unwrap()];
    assert!(pied.contains(&format!("bonus-ctg {}", env!("CARGO_PKG_VERSION"))));
    assert!(pied.contains(&e));
    // the date in French words: « Produit le 1er janvier 2026 », never 2026-01-01
    let date = pied
        .split("Produit le ")
        .nth(1)
        .unwrap()
        .split(" par ")
        .next()
        .unwrap();
    let mots: Vec<&str> = date.split(' ').collect();
    assert_eq!(mots.len(), 3, "{date}");
    assert!(
        [
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre"
        ]
        .contains(&mots[1]),
        "{date}"
    );
}

/// Reconciliation with a bonus trajectoire (Dugny) and a CTRE (Gevrey-Nuits): every row of
/// section 5 reads A, L, N, T, C, R, P and « Versé Caf » (the units carry no cents) with
/// A + C = L + R + P and Versé Caf = L + N + T + P; the sentence under the table names every
/// part of what the Caf pays. Dugny EAJE by hand: L 126 000,00 + N 18 000,00 + T 8 900,00
/// (6 000,00 Les Cigognes + 2 900,00 Eden Baby Park) + P 0 = 152 900,00. Gevrey-Nuits:
/// bonus aux structures 291 827,77 + CTRE 12 000,00 + pilotage 20 000,00 = 323 827,77.
#[test]
fn rapprochement_avec_trajectoire_et_ctre() {
    let h = html::rendre(&resultat("fixtures/dugny")).unwrap();
    assert!(h.contains("<th class=\"n\">Trajectoire (T)</th>"));
    assert!(h.contains("la Caf verse L + N + T + P."));
    let i = h.find("id=\"table-rapprochement\"").unwrap();
    let table = &h[i..i + h[i..].find("</table>").unwrap()];
    let mut eaje = None;
    for ligne in table.split("<tr").skip(2) {
        let c = centimes_entre(ligne, "", "</tr>");
        let [a, l, n, t, cp, r, p, v] = c[..] else {
            panic!("{ligne}")
        };
        assert_eq!(a + cp, l + r + p, "{ligne}");
        assert_eq!(l + n + t + p, v, "{ligne}");
        if ligne.contains("data-volet=\"EAJE\"") {
            eaje = Some((l, n, t, p, v));
        }
    }
    assert_eq!(eaje, Some((12_600_000, 1_800_000, 890_000, 0, 15_290_000)));
    // a bonus trajectoire in the chart: its own segment and legend
    assert!(h.contains("<span style=\"background:#805ad5\"></span>bonus trajectoire"));
    let g = html::rendre(&resultat("fixtures/gevrey-nuits")).unwrap();
    assert!(g.contains(
        "Total versé par la Caf : bonus aux structures 291\u{202f}827,77\u{a0}€ + CTRE (places employeurs) 12\u{202f}000,00\u{a0}€ + versé aux collectivités 20\u{202f}000,00\u{a0}€ = <strong>323\u{202f}827,77\u{a0}€</strong>."
    ), "{}", &g[g.find("Total versé par la Caf :").unwrap()..][..300]);
    // no trajectoire, no CTRE: the reconciliation as before (Dijon)
    let d = html::rendre(&resultat("fixtures/dijon-2024")).unwrap();
    assert!(!d.contains("Trajectoire (T)") && d.contains("La Caf verse L + N + P."));
}
