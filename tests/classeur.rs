//! The workbook dossier: `modele --depuis` (folder → workbook), `calculer CLASSEUR.xlsx`,
//! `exporter` (workbook → folder), `projeter` with the `evenements` sheet. The reference is
//! always the folder dossier itself: the same command on the folder and on the workbook
//! must give byte-identical outputs (the folder results are checked elsewhere against the
//! independent oracle and by hand).

use assert_cmd::Command;
use std::io::Read;
use std::path::{Path, PathBuf};

fn bin() -> Command {
    Command::cargo_bin("bonus-ctg").unwrap()
}

fn racine() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every folder dossier of the project: the fixtures and the oracle cases (which cover the
/// barème overrides: abridged values, dated values, local volets, contribution modes).
fn dossiers() -> Vec<PathBuf> {
    let mut r = Vec::new();
    for parent in ["fixtures", "tests/oracle_cas"] {
        for e in std::fs::read_dir(racine().join(parent)).unwrap() {
            let p = e.unwrap().path();
            if p.join("convention.toml").is_file() {
                r.push(p);
            }
        }
    }
    r.sort();
    assert!(r.len() >= 10, "{r:?}");
    r
}

fn sortie(args: &[&str]) -> (i32, Vec<u8>, String) {
    let o = bin().args(args).output().unwrap();
    (
        o.status.code().unwrap_or(-1),
        o.stdout,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn chemin(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// `projeter DOSSIER --format csv --profil rfc4180`: (code, stdout, stderr).
fn projeter_csv(p: &Path) -> (i32, Vec<u8>, String) {
    sortie(&[
        "projeter",
        chemin(p),
        "--format",
        "csv",
        "--profil",
        "rfc4180",
    ])
}

fn modele_depuis(d: &Path, classeur: &Path) {
    let (code, _, err) = sortie(&["modele", chemin(classeur), "--depuis", chemin(d)]);
    assert_eq!(code, 0, "{}: {err}", d.display());
}

/// Folder → workbook → `calculer`: the same CSV to the byte, on every dossier; and the
/// workbook exported back to a folder gives the same CSV again.
#[test]
fn classeur_egal_dossier_et_aller_retour() {
    let t = tempfile::tempdir().unwrap();
    for d in dossiers() {
        let nom = d.file_name().unwrap().to_str().unwrap().to_string();
        let x = t.path().join(format!("{nom}.xlsx"));
        modele_depuis(&d, &x);
        let args = |p: &Path| {
            let (code, o, err) = sortie(&[
                "calculer",
                chemin(p),
                "--format",
                "csv",
                "--profil",
                "rfc4180",
            ]);
            (code, o, err)
        };
        let (c_d, o_d, e_d) = args(&d);
        let (c_x, o_x, e_x) = args(&x);
        assert_eq!(c_d, c_x, "{nom} : {e_d}\n---\n{e_x}");
        assert_eq!(
            String::from_utf8_lossy(&o_d),
            String::from_utf8_lossy(&o_x),
            "{nom} : classeur ≠ dossier"
        );
        let retour = t.path().join(format!("{nom}-retour"));
        let (code, _, err) = sortie(&["exporter", chemin(&x), "--vers", chemin(&retour)]);
        assert_eq!(code, 0, "{nom} : {err}");
        let (c_r, o_r, e_r) = args(&retour);
        assert_eq!(c_d, c_r, "{nom} : {e_r}");
        assert_eq!(
            String::from_utf8_lossy(&o_d),
            String::from_utf8_lossy(&o_r),
            "{nom} : dossier exporté ≠ dossier"
        );
        if d.join("bareme.toml").exists() {
            assert!(retour.join("bareme.toml").exists(), "{nom} : barème perdu");
        }
        // workbook → workbook (`modele --depuis` a workbook, given itself or as the
        // `dossier.xlsx` of a folder): its `bareme` sheet is kept, the same CSV again
        // (Dijon: the local LUDOTHEQUE volet of its barème keeps its 2 structures eligible)
        let copie = t.path().join(format!("{nom}-copie.xlsx"));
        modele_depuis(&x, &copie);
        let rangee = t.path().join(format!("{nom}-range"));
        std::fs::create_dir(&rangee).unwrap();
        std::fs::copy(&x, rangee.join("dossier.xlsx")).unwrap();
        let copie2 = t.path().join(format!("{nom}-copie2.xlsx"));
        modele_depuis(&rangee, &copie2);
        for c in [&copie, &copie2] {
            let (c_c, o_c, e_c) = args(c);
            assert_eq!(c_d, c_c, "{nom} : {e_c}");
            assert_eq!(
                String::from_utf8_lossy(&o_d),
                String::from_utf8_lossy(&o_c),
                "{nom} : copie du classeur ≠ dossier ({})",
                c.display()
            );
        }
        if nom == "dijon-2024" {
            let t = String::from_utf8_lossy(&o_d);
            assert_eq!(t.matches(",LUDOTHEQUE,LUDOTHEQUE,").count(), 2, "{t}");
        }
    }
}

/// The `evenements` sheet: `projeter` on the workbook equals `projeter` on the folder (the
/// Dijon fixture has an evenements.csv).
#[test]
fn projection_avec_la_feuille_evenements() {
    let t = tempfile::tempdir().unwrap();
    let d = racine().join("fixtures/dijon-2024");
    assert!(d.join("evenements.csv").exists());
    let x = t.path().join("dijon.xlsx");
    modele_depuis(&d, &x);
    let p = projeter_csv;
    let (c_d, o_d, e_d) = p(&d);
    let (c_x, o_x, e_x) = p(&x);
    assert_eq!((c_d, c_x), (0, 0), "{e_d}\n{e_x}");
    assert_eq!(String::from_utf8_lossy(&o_d), String::from_utf8_lossy(&o_x));
    // the HTML report names where the events were read: the CSV file, or the sheet
    let html = |p: &Path| {
        String::from_utf8(sortie(&["projeter", chemin(p), "--format", "html"]).1).unwrap()
    };
    assert!(html(&d).contains("Lignes des événements (<code>evenements.csv</code>)"));
    assert!(html(&x).contains("Lignes des événements (<code>feuille « evenements »</code>)"));
    let retour = t.path().join("retour");
    assert_eq!(
        sortie(&["exporter", chemin(&x), "--vers", chemin(&retour)]).0,
        0
    );
    let ev = std::fs::read_to_string(retour.join("evenements.csv")).unwrap();
    assert!(ev.starts_with("date;id;action;valeur\n"), "{ev}");
}

/// A folder holding only `dossier.xlsx` is the workbook dossier: its `evenements` sheet is
/// read by `projeter` and kept by `modele --depuis`, exactly as when the workbook itself is
/// given (the 7 Dijon events change the 2026 and 2027 amounts: ignoring them would give
/// other figures without a word).
#[test]
fn feuille_evenements_de_dossier_xlsx_dans_un_dossier() {
    let t = tempfile::tempdir().unwrap();
    let d = racine().join("fixtures/dijon-2024");
    let dossier = t.path().join("ctg");
    std::fs::create_dir(&dossier).unwrap();
    modele_depuis(&d, &dossier.join("dossier.xlsx"));
    let p = projeter_csv;
    let (c_d, o_d, e_d) = p(&d);
    let (c_x, o_x, e_x) = p(&dossier);
    assert_eq!((c_d, c_x), (0, 0), "{e_d}\n{e_x}");
    assert_eq!(String::from_utf8_lossy(&o_d), String::from_utf8_lossy(&o_x));
    // the copy keeps the 7 events of evenements.csv
    let copie = t.path().join("copie.xlsx");
    modele_depuis(&dossier, &copie);
    let retour = t.path().join("retour");
    assert_eq!(
        sortie(&["exporter", chemin(&copie), "--vers", chemin(&retour)]).0,
        0
    );
    let ev = std::fs::read_to_string(retour.join("evenements.csv")).unwrap_or_default();
    assert_eq!(ev.lines().count(), 1 + 7, "{ev}");
    // beside an evenements.csv, the sheet is left aside, and the user told so
    std::fs::copy(d.join("evenements.csv"), dossier.join("evenements.csv")).unwrap();
    let (c, o, e) = p(&dossier);
    assert_eq!(c, 0, "{e}");
    assert_eq!(String::from_utf8_lossy(&o_d), String::from_utf8_lossy(&o));
    let x = dossier.join("dossier.xlsx");
    assert!(e.contains(&format!("avertissement W005 : {} : feuille « evenements » ignorée : evenements.csv est présent et c'est lui qui est lu (conseil : gardez les événements à un seul endroit (evenements.csv ou la feuille « evenements »))", x.display())), "{e}");
}

fn partie(classeur: &Path, nom: &str) -> String {
    let mut z = zip::ZipArchive::new(std::fs::File::open(classeur).unwrap()).unwrap();
    let mut s = String::new();
    z.by_name(nom).unwrap().read_to_string(&mut s).unwrap();
    s
}

/// The blank template: its sheets, in order; header notes; drop-down lists and checks;
/// frozen header rows; and it reads back as an (empty, hence invalid) dossier whose messages
/// name cells.
/// The workbook is written under a `.xlsx` name only (`ctg.XLSX` too): `d.csv` or a name
/// without extension would hold a workbook that a spreadsheet opens as garbage; usage error
/// (code 2), nothing written.
#[test]
fn modele_sous_un_nom_en_xlsx_seulement() {
    let t = tempfile::tempdir().unwrap();
    for nom in ["d.csv", "sans_extension"] {
        let x = t.path().join(nom);
        let (code, _, err) = sortie(&["modele", chemin(&x)]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("nommez le fichier en .xlsx"), "{err}");
        assert!(!x.exists());
    }
    let (code, _, err) = sortie(&["modele", chemin(&t.path().join("ctg.XLSX"))]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn modele_vierge() {
    use calamine::Reader;
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("ctg.xlsx");
    let (code, _, err) = sortie(&["modele", chemin(&x)]);
    assert_eq!(code, 0, "{err}");
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&x).unwrap();
    assert_eq!(
        wb.sheet_names(),
        [
            "aide",
            "convention",
            "structures",
            "charges_n1",
            "evenements",
            "bareme"
        ]
    );
    let s = wb.worksheet_range("structures").unwrap();
    let entete: Vec<String> = s
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(entete, bonus_ctg::lecture::COLONNES_STRUCTURES);
    let aide = wb.worksheet_range("aide").unwrap();
    let texte: String = aide
        .cells()
        .map(|(_, _, c)| c.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    for attendu in [
        "Feuille « structures »",
        "unites_existantes",
        "Unités par volet",
        "Exemple",
    ] {
        assert!(texte.contains(attendu), "aide sans « {attendu} »");
    }
    // sheet3 = structures: lists for annexe (B), type (C), collectivite (G, from the
    // convention sheet), financement (H), soutien (I); decimal checks for the units
    let xml = partie(&x, "xl/worksheets/sheet3.xml");
    for attendu in [
        r#"type="list""#,
        r#"<formula1>"2,2bis"</formula1>"#,
        r#"<formula1>"PSU,PAJE,PSO,AUCUN"</formula1>"#,
        r#"<formula1>"oui,non"</formula1>"#,
        "<formula1>convention!$A$10:$A$2009</formula1>",
        r#"type="decimal""#,
        r#"sqref="B2:B2001""#,
        r#"state="frozen""#,
    ] {
        assert!(xml.contains(attendu), "structures sans {attendu}");
    }
    let notes: String = (1..=5)
        .map(|i| partie(&x, &format!("xl/comments{i}.xml")))
        .collect();
    assert!(
        notes.contains("Identifiant unique de la structure (ex. EAJE-BALZAC)."),
        "notes d'en-tête absentes"
    );
    // charges_n1: volet list from the barème
    let xml = partie(&x, "xl/worksheets/sheet4.xml");
    assert!(
        xml.contains("EAJE") && xml.contains("RPE"),
        "liste des volets absente"
    );
    // blank: refused, messages located in the workbook
    let (code, _, err) = sortie(&["calculer", chemin(&x)]);
    assert_eq!(code, 1);
    assert!(err.contains("ctg.xlsx"), "{err}");
    assert!(
        err.contains("clé obligatoire « exercice » absente"),
        "{err}"
    );
}

/// A mistake in the convention sheet names its cell.
#[test]
fn erreur_localisee_dans_la_feuille_convention() {
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("ctg.xlsx");
    classeur_de_convention(
        &x,
        &[
            ("nom", "CTG essai"),
            ("caf", "Caf"),
            ("exercice", "deux mille"),
        ],
        &["id", "nom", "tranche", "signataire"],
        &["VILLE", "Ville", "2", "peut-être"],
        None,
    );
    let (code, _, err) = sortie(&["calculer", chemin(&x)]);
    assert_eq!(code, 1, "{err}");
    // « deux mille » is in B4 (row 4), « peut-être » in D8: both reported in one pass
    assert!(
        err.contains("cellule convention!B4, colonne « exercice », valeur « deux mille » : nombre entier attendu"),
        "{err}"
    );
    assert!(
        err.contains("cellule convention!D8, colonne « signataire », valeur « peut-être » : oui ou non attendu"),
        "{err}"
    );
}

#[test]
fn cle_mal_orthographiee_situee_a_la_cellule_qui_la_nomme() {
    // the misspelt key is the label (A3) or the header (D7), not the value beside or below
    // it: that is the cell the message must send the reader to
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("ctg.xlsx");
    classeur_de_convention(
        &x,
        &[("nom", "CTG essai"), ("cfa", "Caf"), ("exercice", "2025")],
        &["id", "nom", "tranche", "signatair"],
        &["VILLE", "Ville", "2", "oui"],
        None,
    );
    let (code, _, err) = sortie(&["calculer", chemin(&x)]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("cellule convention!A3, colonne « cfa » : clé inconnue « cfa » (clé admise la plus proche : « caf »)"),
        "{err}"
    );
    assert!(
        err.contains("cellule convention!D7, colonne « signatair » : clé inconnue « signatair » (clé admise la plus proche : « signataire »)"),
        "{err}"
    );
}

#[test]
fn colonne_masquee_refusee() {
    // column B of the structures sheet (annexe) hidden: its values would be read and
    // counted without anyone seeing them, as those of a hidden row
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("ctg.xlsx");
    let ville = (&["id", "nom", "tranche"][..], &["VILLE", "Ville", "2"][..]);
    let champs = [("nom", "CTG essai"), ("caf", "Caf"), ("exercice", "2025")];
    classeur_de_convention(&x, &champs, ville.0, ville.1, Some(1));
    let (code, _, err) = sortie(&["calculer", chemin(&x)]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("cellule structures!B1 : la colonne B de la feuille « structures » est masquée : ses valeurs seraient lues et comptées sans que personne ne les voie"),
        "{err}"
    );
    // the same workbook, column shown: read (no structure, no charge: W007 only)
    classeur_de_convention(&x, &champs, ville.0, ville.1, None);
    let (code, _, err) = sortie(&["calculer", chemin(&x)]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("E025"), "{err}");
}

/// A control character in a text cell of the convention sheet (a bell in the convention's
/// name, an escape in a collectivité's) is refused at its cell (E055).
#[test]
fn caractere_de_controle_dans_la_feuille_convention() {
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("ctg.xlsx");
    classeur_de_convention(
        &x,
        &[
            ("nom", "CTG\u{7} essai"),
            ("caf", "Caf"),
            ("exercice", "2025"),
        ],
        &["id", "nom", "tranche", "signataire"],
        &["VILLE", "Vil\u{1b}le", "2", "oui"],
        None,
    );
    let (code, _, err) = sortie(&["calculer", chemin(&x)]);
    assert_eq!(code, 1, "{err}");
    for attendu in [
        "ctg.xlsx, cellule convention!B2, colonne « nom », valeur « CTG<U+0007> essai » : texte contenant un caractère de contrôle (U+0007)",
        "ctg.xlsx, cellule convention!B8, colonne « nom », valeur « Vil<U+001B>le » : texte contenant un caractère de contrôle (U+001B)",
    ] {
        let l = err.lines().find(|l| l.contains(attendu));
        assert!(
            l.is_some_and(|l| l.starts_with("erreur E055 : ")),
            "{attendu}\n{err}"
        );
    }
}

/// The line of `err` that contains `attendu`, which must be an error of code `code`.
fn erreur_de_code(err: &str, code: &str, attendu: &str) {
    let l = err.lines().find(|l| l.contains(attendu));
    assert!(
        l.is_some_and(|l| l.starts_with(&format!("erreur {code} : "))),
        "{attendu}\n{err}"
    );
}

/// The header cell `signataire` of the collectivités cleared, `non` left below it: the
/// column would be ignored and the collectivité read as a signatory (paid). Refused at
/// the value's cell, naming the empty header cell.
#[test]
fn entete_de_collectivite_efface_refuse() {
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("ctg.xlsx");
    classeur_de_convention(
        &x,
        &[("nom", "CTG essai"), ("caf", "Caf"), ("exercice", "2025")],
        &["id", "nom", "tranche"],
        &["VILLE", "Ville", "2", "non"],
        None,
    );
    let (code, o, err) = sortie(&["calculer", chemin(&x)]);
    assert_eq!(code, 1, "{err}");
    assert!(o.is_empty());
    erreur_de_code(
        &err,
        "E058",
        "ctg.xlsx, cellule convention!D8, valeur « non » : valeur dans la colonne D, dont l'en-tête (cellule convention!D7) est vide : elle serait ignorée (conseil : nommez la colonne dans l'en-tête (un nom effacé ou oublié ?), ou videz-la)",
    );
    assert!(
        err.ends_with("ctg.xlsx : 1 erreur, 0 avertissement\n"),
        "{err}"
    );
}

/// Values of the convention sheet outside its tables: beside a field's value (C4, under
/// the empty C1 of the `champ | valeur` header), without a field name (B5, A5 empty), to
/// the right of the collectivités' header (F8). Each would be ignored: refused at its cell.
/// A note in the fields' column, between them and the collectivités, stays admitted.
#[test]
fn valeurs_hors_des_tableaux_de_la_convention() {
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("ctg.xlsx");
    let champs = [("nom", "CTG essai"), ("caf", "Caf"), ("exercice", "2025")];
    let entete = ["id", "nom", "tranche", "signataire"];
    let ville = ["VILLE", "Ville", "2", "oui"];
    classeur_de_convention_plus(
        &x,
        &champs,
        &entete,
        &ville,
        None,
        &[(3, 2, "2026"), (4, 1, "Caf de Paris"), (7, 5, "à revoir")],
    );
    let (code, _, err) = sortie(&["calculer", chemin(&x)]);
    assert_eq!(code, 1, "{err}");
    erreur_de_code(
        &err,
        "E058",
        "ctg.xlsx, cellule convention!C4, valeur « 2026 » : valeur dans la colonne C, dont l'en-tête (cellule convention!C1) est vide : elle serait ignorée",
    );
    erreur_de_code(
        &err,
        "E021",
        "ctg.xlsx, cellule convention!B5, valeur « Caf de Paris » : valeur sans nom de champ (la cellule convention!A5 est vide) : elle serait ignorée (conseil : écrivez à sa gauche le nom du champ (nom, caf, debut, fin, exercice), ou videz la cellule)",
    );
    erreur_de_code(
        &err,
        "E058",
        "ctg.xlsx, cellule convention!F8, valeur « à revoir » : valeur dans la colonne F, dont l'en-tête (cellule convention!F7) est vide : elle serait ignorée",
    );
    assert!(
        err.ends_with("ctg.xlsx : 3 erreurs, 0 avertissement\n"),
        "{err}"
    );
    // a note in the fields' column: read as before
    classeur_de_convention_plus(
        &x,
        &champs,
        &entete,
        &ville,
        None,
        &[(5, 0, "Collectivités de la convention :")],
    );
    let (code, _, err) = sortie(&["calculer", chemin(&x)]);
    assert_eq!(code, 0, "{err}");
}

/// A misspelt header of the collectivités (`signatair`) is said once, at its cell, not
/// once per collectivité.
#[test]
fn entete_mal_orthographie_signale_une_fois() {
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("ctg.xlsx");
    let mut autres = Vec::new();
    for (l, id) in [(8, "AUTRE"), (9, "TROISIEME")] {
        for (c, v) in [id, "Autre", "2", "oui"].into_iter().enumerate() {
            autres.push((l, c as u16, v));
        }
    }
    classeur_de_convention_plus(
        &x,
        &[("nom", "CTG essai"), ("caf", "Caf"), ("exercice", "2025")],
        &["id", "nom", "tranche", "signatair"],
        &["VILLE", "Ville", "2", "oui"],
        None,
        &autres,
    );
    let (code, _, err) = sortie(&["calculer", chemin(&x)]);
    assert_eq!(code, 1, "{err}");
    let lignes: Vec<&str> = err.lines().filter(|l| l.contains("E056")).collect();
    assert_eq!(lignes.len(), 1, "{err}");
    assert!(
        lignes[0]
            .contains("cellule convention!D7, colonne « signatair » : clé inconnue « signatair »"),
        "{err}"
    );
    assert!(
        err.ends_with("ctg.xlsx : 1 erreur, 0 avertissement\n"),
        "{err}"
    );
}

/// The barème sheet: a value under an empty header cell (F2) or on a row whose
/// `parametre` is empty (C3) would be ignored, the built-in value kept: refused.
#[test]
fn feuille_bareme_valeurs_hors_tableau() {
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("ctg.xlsx");
    classeur_minimal_plus(
        &x,
        &[
            [
                "volets.EAJE.plancher",
                "2020-01-01",
                "150",
                "essai",
                "hypothese",
            ],
            ["", "2021-01-01", "160", "essai", "hypothese"],
        ],
        &[(1, 5, "170")],
    );
    let (code, _, err) = sortie(&["calculer", chemin(&x)]);
    assert_eq!(code, 1, "{err}");
    erreur_de_code(
        &err,
        "E058",
        "ctg.xlsx, cellule bareme!F2, valeur « 170 » : valeur dans la colonne F, dont l'en-tête (cellule bareme!F1) est vide : elle serait ignorée",
    );
    erreur_de_code(
        &err,
        "E022",
        "ctg.xlsx, cellule bareme!B3, valeur « 2021-01-01 » : valeur sur une ligne sans paramètre (la cellule bareme!A3 est vide) : elle serait ignorée",
    );
}

/// A workbook dossier with a `convention` sheet (`champ | valeur` rows from row 1, then the
/// collectivités header on row 7 and one collectivité on row 8) and the headers alone of
/// `structures` and `charges_n1`; `masquee`: a column of `structures` hidden.
fn classeur_de_convention(
    x: &Path,
    champs: &[(&str, &str)],
    entete: &[&str],
    valeurs: &[&str],
    masquee: Option<u16>,
) {
    classeur_de_convention_plus(x, champs, entete, valeurs, masquee, &[]);
}

/// [`classeur_de_convention`] with more cells of the `convention` sheet: (row, column,
/// text), 0-based.
fn classeur_de_convention_plus(
    x: &Path,
    champs: &[(&str, &str)],
    entete: &[&str],
    valeurs: &[&str],
    masquee: Option<u16>,
    en_plus: &[(u32, u16, &str)],
) {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("convention").unwrap();
    for (l, (a, b)) in std::iter::once(&("champ", "valeur"))
        .chain(champs)
        .enumerate()
    {
        ws.write_string(l as u32, 0, *a).unwrap();
        ws.write_string(l as u32, 1, *b).unwrap();
    }
    for (c, h) in entete.iter().enumerate() {
        ws.write_string(6, c as u16, *h).unwrap();
    }
    for (c, v) in valeurs.iter().enumerate() {
        ws.write_string(7, c as u16, *v).unwrap();
    }
    for (l, c, v) in en_plus {
        ws.write_string(*l, *c, *v).unwrap();
    }
    let s = wb.add_worksheet().set_name("structures").unwrap();
    let colonnes = [
        "id",
        "annexe",
        "type",
        "nom",
        "gestionnaire",
        "collectivite",
        "financement",
    ];
    for (c, h) in colonnes.iter().enumerate() {
        s.write_string(0, c as u16, *h).unwrap();
    }
    if let Some(c) = masquee {
        s.set_column_hidden(c).unwrap();
    }
    let ch = wb.add_worksheet().set_name("charges_n1").unwrap();
    for (c, h) in ["collectivite", "volet", "montant"].iter().enumerate() {
        ch.write_string(0, c as u16, *h).unwrap();
    }
    wb.save(x).unwrap();
}

/// A workbook dossier written cell by cell: convention, an empty structures table, one
/// charge, and the given barème rows.
fn classeur_minimal(x: &Path, bareme: &[[&str; 5]]) {
    classeur_minimal_plus(x, bareme, &[]);
}

/// [`classeur_minimal`] with more cells of the `bareme` sheet: (row, column, text), 0-based.
fn classeur_minimal_plus(x: &Path, bareme: &[[&str; 5]], en_plus: &[(u32, u16, &str)]) {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet().set_name("convention").unwrap();
    for (l, (a, b)) in [("nom", "CTG essai"), ("caf", "Caf"), ("exercice", "2025")]
        .iter()
        .enumerate()
    {
        ws.write_string(l as u32, 0, *a).unwrap();
        ws.write_string(l as u32, 1, *b).unwrap();
    }
    ws.write_string(4, 0, "id").unwrap();
    ws.write_string(5, 0, "VILLE").unwrap();
    let s = wb.add_worksheet().set_name("structures").unwrap();
    for (c, h) in [
        "id",
        "annexe",
        "type",
        "nom",
        "gestionnaire",
        "collectivite",
        "financement",
        "unites_existantes",
    ]
    .iter()
    .enumerate()
    {
        s.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in ["EAJE-A", "2", "EAJE", "Crèche A", "Ville", "VILLE", "PSU"]
        .iter()
        .enumerate()
    {
        s.write_string(1, c as u16, *v).unwrap();
    }
    s.write_number(1, 7, 10.0).unwrap();
    let ch = wb.add_worksheet().set_name("charges_n1").unwrap();
    for (c, h) in ["collectivite", "volet", "montant"].iter().enumerate() {
        ch.write_string(0, c as u16, *h).unwrap();
    }
    ch.write_string(1, 0, "VILLE").unwrap();
    ch.write_string(1, 1, "EAJE").unwrap();
    ch.write_number(1, 2, 1000.0).unwrap();
    let b = wb.add_worksheet().set_name("bareme").unwrap();
    for (c, h) in ["parametre", "debut", "valeur", "reference", "statut"]
        .iter()
        .enumerate()
    {
        b.write_string(0, c as u16, *h).unwrap();
    }
    for (l, r) in bareme.iter().enumerate() {
        for (c, v) in r.iter().enumerate().filter(|(_, v)| !v.is_empty()) {
            b.write_string(l as u32 + 1, c as u16, *v).unwrap();
        }
    }
    for (l, c, v) in en_plus {
        b.write_string(*l, *c, *v).unwrap();
    }
    wb.save(x).unwrap();
}

/// The barème sheet: a dated floor read as bareme.toml would be; a wrong value named by its
/// cell.
#[test]
fn feuille_bareme() {
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("ctg.xlsx");
    // 1 000 € over 10 places = 100 €/place; a floor of 150 €/place from 2020 lifts the rate:
    // 10 × 150 = 1 500,00 € (500,00 € above the envelope, paid as the floor's complement)
    classeur_minimal(
        &x,
        &[[
            "volets.EAJE.plancher",
            "2020-01-01",
            "150",
            "essai",
            "hypothese",
        ]],
    );
    let (code, o, err) = sortie(&[
        "calculer",
        chemin(&x),
        "--format",
        "csv",
        "--profil",
        "rfc4180",
    ]);
    assert_eq!(code, 0, "{err}");
    let o = String::from_utf8(o).unwrap();
    let ligne = o.lines().find(|l| l.starts_with("EAJE-A,")).unwrap();
    assert!(ligne.contains(",10.00,150.0000,1500.00,"), "{ligne}");
    // the same value as an abridged row (no date, no source)
    classeur_minimal(&x, &[["volets.EAJE.plancher", "", "150", "", ""]]);
    let (code, o, err) = sortie(&[
        "calculer",
        chemin(&x),
        "--format",
        "csv",
        "--profil",
        "rfc4180",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(String::from_utf8(o)
        .unwrap()
        .contains(",10.00,150.0000,1500.00,"));
    // a wrong value: its cell
    classeur_minimal(
        &x,
        &[[
            "volets.EAJE.plancher",
            "2020-01-01",
            "beaucoup",
            "essai",
            "hypothese",
        ]],
    );
    let (code, _, err) = sortie(&["calculer", chemin(&x)]);
    assert_eq!(code, 1);
    // the cell of the wrong value itself (column valeur)
    assert!(err.contains("cellule bareme!C2"), "{err}");
}
