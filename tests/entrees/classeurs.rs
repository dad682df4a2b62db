//! The workbooks of the cases of `tests/entrees/cas.toml`, written by program (never by
//! hand) from the base dossier. Used by `tests/entrees.rs` and by the seed generator of the
//! xlsx fuzz target (`examples/graines_xlsx.rs`).

use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook, Worksheet};
use std::fs;
use std::path::{Path, PathBuf};

/// `tests/entrees/`.
pub fn racine() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/entrees")
}

/// The workbooks that seed the xlsx fuzz target: the base table as Excel saves it, and its
/// odd layouts and cell types.
#[allow(dead_code)]
pub const GRAINES_FUZZ: &[&str] = &[
    "structures",
    "structures-decale",
    "structures-texte",
    "structures-flottant",
    "structures-div0",
    "structures-date",
];

/// Numeric columns of structures (0-based) and charges, written as numbers in workbooks.
const NUMERIQUES_S: &[usize] = &[9, 10, 11, 12, 13, 14];
const NUMERIQUES_C: &[usize] = &[2];

/// The base table's records (header first).
fn table_base(nom: &str) -> Vec<Vec<String>> {
    let texte = fs::read_to_string(racine().join("base").join(nom)).unwrap();
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(texte.as_bytes());
    r.records()
        .map(|x| x.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// A French decimal of the base files as a float, as Excel stores a typed number.
fn flottant(s: &str) -> f64 {
    s.replace(' ', "").replace(',', ".").parse().unwrap()
}

/// Writes `lignes` from row `l0`, column `c0` (0-based); numbers as numbers except in
/// `texte` mode; `soutien_collectivite` as an Excel boolean.
fn remplir(
    ws: &mut Worksheet,
    lignes: &[Vec<String>],
    numeriques: &[usize],
    l0: u32,
    c0: u16,
    texte: bool,
) {
    for (i, l) in lignes.iter().enumerate() {
        for (j, v) in l.iter().enumerate() {
            let (r, c) = (l0 + i as u32, c0 + j as u16);
            if i > 0 && !texte && numeriques.contains(&j) {
                ws.write_number(r, c, flottant(v)).unwrap();
            } else if i > 0 && !texte && lignes[0][j] == "soutien_collectivite" {
                ws.write_boolean(r, c, v == "oui").unwrap();
            } else {
                ws.write_string(r, c, v).unwrap();
            }
        }
    }
}

fn feuille<'a>(wb: &'a mut Workbook, nom: &str) -> &'a mut Worksheet {
    let ws = wb.add_worksheet();
    ws.set_name(nom).unwrap();
    ws
}

/// The workbooks of the cases, each written by program (never by hand).
pub fn ecrire_xlsx(nom: &str, dossier: &Path) {
    let s = table_base("structures.csv");
    let c = table_base("charges_n1.csv");
    let mut wb = Workbook::new();
    let fichier = match nom {
        // Excel's own « Enregistrer sous .xlsx » of the base tables
        "structures" => {
            remplir(
                feuille(&mut wb, "structures"),
                &s,
                NUMERIQUES_S,
                0,
                0,
                false,
            );
            "structures.xlsx"
        }
        // one sheet with Excel's default name: the first sheet is read
        "charges-feuil1" => {
            remplir(feuille(&mut wb, "Feuil1"), &c, NUMERIQUES_C, 0, 0, false);
            "charges_n1.xlsx"
        }
        // one workbook, sheets named loosely (case, space)
        "dossier" => {
            remplir(
                feuille(&mut wb, "Structures"),
                &s,
                NUMERIQUES_S,
                0,
                0,
                false,
            );
            remplir(
                feuille(&mut wb, "Charges N1"),
                &c,
                NUMERIQUES_C,
                0,
                0,
                false,
            );
            feuille(&mut wb, "Notes")
                .write_string(0, 0, "brouillon")
                .unwrap();
            "dossier.xlsx"
        }
        // a title above the table, the table from B3, an empty row inside
        "structures-decale" => {
            let ws = feuille(&mut wb, "structures");
            ws.write_string(0, 0, "Annexe 2 — structures de la CTG")
                .unwrap();
            remplir(ws, &s[..3], NUMERIQUES_S, 2, 1, false);
            remplir(ws, &s[3..], NUMERIQUES_S, 2 + 4, 1, true);
            "structures.xlsx"
        }
        // every cell typed as text, numbers written the French way
        "structures-texte" => {
            remplir(feuille(&mut wb, "structures"), &s, NUMERIQUES_S, 0, 0, true);
            "structures.xlsx"
        }
        // =0,1+0,2 in bonus_n1 of EAJE-ARC (row 3): the float 0.30000000000000004
        "structures-flottant" => {
            let ws = feuille(&mut wb, "structures");
            remplir(ws, &s, NUMERIQUES_S, 0, 0, false);
            ws.write_number(2, 14, 0.1 + 0.2).unwrap();
            "structures.xlsx"
        }
        // a formula error cached in contribution_collectivite_n1 of LAEP-PONT (row 4)
        "structures-div0" => {
            let ws = feuille(&mut wb, "structures");
            remplir(ws, &s, NUMERIQUES_S, 0, 0, false);
            ws.write_formula(3, 13, Formula::new("=1/0").set_result("#DIV/0!"))
                .unwrap();
            "structures.xlsx"
        }
        // a date typed in unites_existantes of EAJE-CIGOGNES (row 2)
        "structures-date" => {
            let ws = feuille(&mut wb, "structures");
            remplir(ws, &s, NUMERIQUES_S, 0, 0, false);
            let d = ExcelDateTime::from_ymd(2024, 1, 15).unwrap();
            ws.write_datetime_with_format(1, 9, &d, &Format::new().set_num_format("dd/mm/yyyy"))
                .unwrap();
            "structures.xlsx"
        }
        // RPE-GUYNEMER (row 5) attached to an undeclared collectivité: a cross-file check,
        // located in the workbook afterwards
        "structures-collectivite" => {
            let ws = feuille(&mut wb, "structures");
            remplir(ws, &s, NUMERIQUES_S, 0, 0, false);
            ws.write_string(4, 6, "LE-BOURGET").unwrap();
            "structures.xlsx"
        }
        // the financement column is missing
        "structures-sans-financement" => {
            let sans: Vec<Vec<String>> = s
                .iter()
                .map(|l| {
                    l.iter()
                        .enumerate()
                        .filter(|(j, _)| *j != 7)
                        .map(|(_, v)| v.clone())
                        .collect()
                })
                .collect();
            let num: Vec<usize> = NUMERIQUES_S.iter().map(|j| j - 1).collect();
            remplir(feuille(&mut wb, "structures"), &sans, &num, 0, 0, false);
            "structures.xlsx"
        }
        // dossier.xlsx without the charges sheet
        "dossier-sans-charges" => {
            remplir(
                feuille(&mut wb, "structures"),
                &s,
                NUMERIQUES_S,
                0,
                0,
                false,
            );
            remplir(feuille(&mut wb, "Feuil2"), &c, NUMERIQUES_C, 0, 0, false);
            "dossier.xlsx"
        }
        // soutien_collectivite merged over EAJE-ARC and LAEP-PONT (I3:I4), `non` in I3 only:
        // I4 would read empty and take the default (oui)
        "structures-fusion" => {
            let ws = feuille(&mut wb, "structures");
            remplir(ws, &s, NUMERIQUES_S, 0, 0, false);
            ws.merge_range(2, 8, 3, 8, "non", &Format::new()).unwrap();
            "structures.xlsx"
        }
        // a hidden sheet first (an old copy, other amounts), the table on the only visible
        // sheet: the hidden one named `ancien` (no sheet named structures: the visible one
        // is read), or named `structures` (it would be read by its name: refused)
        "structures-masquee" | "structures-nommee-masquee" => {
            let mut ancien = s.clone();
            ancien[1][13] = "1 000,00".to_string();
            let cache = if nom == "structures-masquee" {
                "ancien"
            } else {
                "structures"
            };
            let ws = feuille(&mut wb, cache);
            remplir(ws, &ancien, NUMERIQUES_S, 0, 0, false);
            ws.set_hidden(true);
            let ws = feuille(&mut wb, "Feuil2");
            remplir(ws, &s, NUMERIQUES_S, 0, 0, false);
            // (the first sheet stays hidden only when another one is the active sheet)
            ws.set_active(true);
            "structures.xlsx"
        }
        // no sheet named structures and two visible sheets: which one is meant is unknown
        "structures-deux-feuilles" => {
            remplir(feuille(&mut wb, "Feuil1"), &s, NUMERIQUES_S, 0, 0, false);
            remplir(feuille(&mut wb, "Feuil2"), &s, NUMERIQUES_S, 0, 0, false);
            "structures.xlsx"
        }
        // a whole dossier in one workbook, its convention sheet with three typing mistakes:
        // a day that does not exist, a decimal exercice, a decimal tranche
        "dossier-convention-fautes" => {
            let ws = feuille(&mut wb, "convention");
            let lignes: &[(&str, &str)] = &[
                ("champ", "valeur"),
                ("nom", "CTG de Dugny"),
                ("caf", "Caf de la Seine-Saint-Denis"),
                ("debut", "30/02/2023"),
                ("fin", "31/12/2027"),
            ];
            for (i, (a, b)) in lignes.iter().enumerate() {
                ws.write_string(i as u32, 0, *a).unwrap();
                ws.write_string(i as u32, 1, *b).unwrap();
            }
            ws.write_string(5, 0, "exercice").unwrap();
            ws.write_number(5, 1, 2025.5).unwrap();
            for (j, t) in ["id", "nom", "tranche", "signataire"].iter().enumerate() {
                ws.write_string(7, j as u16, *t).unwrap();
            }
            ws.write_string(8, 0, "DUGNY").unwrap();
            ws.write_string(8, 1, "Commune de Dugny").unwrap();
            ws.write_number(8, 2, 1.0000001).unwrap();
            ws.write_string(8, 3, "oui").unwrap();
            remplir(
                feuille(&mut wb, "structures"),
                &s,
                NUMERIQUES_S,
                0,
                0,
                false,
            );
            remplir(
                feuille(&mut wb, "charges_n1"),
                &c,
                NUMERIQUES_C,
                0,
                0,
                false,
            );
            "dossier.xlsx"
        }
        // the header of bonus_n1 (O1) cleared to spaces, its values left below it: they
        // would be ignored and bonus_n1 read as 0
        "structures-entete-vide" => {
            let ws = feuille(&mut wb, "structures");
            remplir(ws, &s, NUMERIQUES_S, 0, 0, false);
            ws.write_string(0, 14, "   ").unwrap();
            "structures.xlsx"
        }
        // a value to the right of the table (Q5, the header ends in O), and a column R filled
        // on 20 000 rows below the table: one message a column
        "structures-hors-tableau" => {
            let ws = feuille(&mut wb, "structures");
            remplir(ws, &s, NUMERIQUES_S, 0, 0, false);
            ws.write_number(4, 16, 99999.0).unwrap();
            for r in 1..=20_000 {
                ws.write_number(r, 17, 1.0).unwrap();
            }
            "structures.xlsx"
        }
        // the table from B3 under a title (as structures-decale), a note in column A, left
        // of the table, on a data row
        "structures-decale-note" => {
            let ws = feuille(&mut wb, "structures");
            ws.write_string(0, 0, "Annexe 2 — structures de la CTG")
                .unwrap();
            remplir(ws, &s, NUMERIQUES_S, 2, 1, false);
            ws.write_string(4, 0, "à revoir").unwrap();
            "structures.xlsx"
        }
        // a title and a note above the header, an empty column (P, its header cell blank)
        // between the table and an unknown column: accepted, same amounts
        "structures-colonne-vide" => {
            let ws = feuille(&mut wb, "structures");
            ws.write_string(0, 0, "Annexe 2").unwrap();
            ws.write_string(1, 20, "saisi le 3 mars").unwrap();
            remplir(ws, &s, NUMERIQUES_S, 2, 0, false);
            ws.write_string(2, 15, " ").unwrap();
            ws.write_string(2, 16, "observation").unwrap();
            ws.write_string(4, 16, "à vérifier").unwrap();
            "structures.xlsx"
        }
        // the header of montant (C1) cleared in charges_n1.xlsx
        "charges-entete-vide" => {
            let ws = feuille(&mut wb, "charges_n1");
            remplir(ws, &c, NUMERIQUES_C, 0, 0, false);
            ws.write_blank(0, 2, &Format::new()).unwrap();
            "charges_n1.xlsx"
        }
        // a CSV saved under an .xlsx name
        "faux" => {
            fs::copy(
                racine().join("base/structures.csv"),
                dossier.join("structures.xlsx"),
            )
            .unwrap();
            return;
        }
        autre => panic!("classeur inconnu : {autre}"),
    };
    wb.save(dossier.join(fichier)).unwrap();
}
