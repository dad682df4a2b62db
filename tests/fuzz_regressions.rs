//! Regression tests from fuzzing: each input that made a fuzz target crash, hang
//! or run out of memory is kept in tests/fuzz_regressions/ and named after what it found.
//! Each must now go through its entry point (src/fuzz.rs) and give the expected diagnostic.

use bonus_ctg::diagnostic::Diagnostics;
use bonus_ctg::fuzz;
use bonus_ctg::lecture::{self, xlsx::Feuille, Contenu, Source};
use std::path::Path;

fn entree(nom: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fuzz_regressions")
            .join(nom),
    )
    .unwrap()
}

/// lecture_xlsx, out of memory: a mutation turned the cell reference `F1` into
/// `Flibelle1`, a column far beyond Excel's 16 384; the header row was then allocated up to
/// that column (billions of cells). Such a reference is now refused (E025).
#[test]
fn xlsx_colonne_hors_feuille_oom() {
    let o = entree("xlsx_colonne_hors_feuille_oom.bin");
    fuzz::lecture_xlsx(&o);
    let i = o.iter().position(|b| *b == fuzz::SEPARATEUR).unwrap();
    let c = fuzz::classeur_minimal(&o[..i], Some(&o[i + 1..])).unwrap();
    let mut d = Diagnostics::default();
    let src = Source {
        fichier: "structures.xlsx",
        contenu: Contenu::Xlsx(
            &c,
            Feuille {
                noms: lecture::FEUILLE_STRUCTURES,
                premiere_sinon: true,
            },
        ),
    };
    let (s, _) = lecture::lire_structures(src, &mut d);
    assert!(s.is_empty());
    assert_eq!(d.0.len(), 1, "{:?}", d.0);
    assert_eq!(d.0[0].code, "E025");
    // calamine without overflow checks, in tests as in release (Cargo.toml): the position
    // wraps around and the reader's bound refuses it, rather than a caught panic
    assert!(d.0[0].message.contains("hors des limites"), "{}", d.0[0]);
}

/// lecture_xlsx, panic in a debug build: a mutated cell reference with a very long column
/// part made calamine's column computation overflow (`attempt to multiply with overflow`,
/// calamine xlsx/mod.rs `get_row_and_optional_column`). calamine is built without overflow
/// checks (Cargo.toml, `[profile.dev.package.calamine]`, as in release), and the wrapped
/// position is refused by the bound above: no panic, a located E025 or a clean read.
#[test]
fn xlsx_reference_debordement_calamine() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static PANIQUES: AtomicUsize = AtomicUsize::new(0);
    let o = entree("xlsx_reference_debordement_calamine.bin");
    // lecture::xlsx turns a parser panic into E025 (catch_unwind), so count panics with a
    // hook: there must be none at all (the fuzz targets abort on any panic)
    std::panic::set_hook(Box::new(|_| {
        PANIQUES.fetch_add(1, Ordering::SeqCst);
    }));
    fuzz::lecture_xlsx(&o);
    let _ = std::panic::take_hook();
    assert_eq!(PANIQUES.load(Ordering::SeqCst), 0, "calamine a paniqué");
}

/// The bound itself: a reference one column beyond `XFD` is refused with E025, and the
/// same sheet with the cell at `XFD1` is read.
#[test]
fn xlsx_reference_au_dela_de_xfd() {
    let feuille = |r: &str| {
        format!(
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="{r}" t="inlineStr"><is><t>note</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>X</t></is></c></row></sheetData></worksheet>"#
        )
    };
    let lire = |r: &str| {
        let c = fuzz::classeur_minimal(feuille(r).as_bytes(), None).unwrap();
        let mut d = Diagnostics::default();
        let t = lecture::xlsx::lire(
            "structures.xlsx",
            &c,
            Feuille {
                noms: lecture::FEUILLE_STRUCTURES,
                premiere_sinon: true,
            },
            &["id"],
            &["id"],
            &mut d,
        );
        (t.map(|t| t.lignes), d)
    };
    let (t, d) = lire("XFD1");
    // only the extra column's warning (W050)
    assert!(d.0.iter().all(|d| d.code == "W050"), "{:?}", d.0);
    assert_eq!(t.unwrap(), vec![(2, vec!["X".to_string()])]);
    let (t, d) = lire("XFE1");
    assert!(t.is_none());
    assert_eq!(d.0[0].code, "E025", "{:?}", d.0);
    assert!(d.0[0].message.contains("hors des limites"), "{}", d.0[0]);
}

/// lecture_xlsx, abort (allocation failure, out of reach of catch_unwind): the shared
/// strings announced `uniqueCount="8888888888888888839"` and calamine reserved that many
/// strings before reading them. The announced count is now checked against what the part
/// can hold (5 bytes per string at least) before calamine opens the workbook (E073); a
/// count that fits is read as before.
#[test]
fn xlsx_unique_count_abandon() {
    let o = entree("xlsx_unique_count_abandon.bin");
    fuzz::lecture_xlsx(&o);
    let i = o.iter().position(|b| *b == fuzz::SEPARATEUR).unwrap();
    let (feuille, sst) = (&o[..i], &o[i + 1..]);
    assert_eq!(sst.len(), 139);
    let lire = |sst: &[u8]| {
        let c = fuzz::classeur_minimal(feuille, Some(sst)).unwrap();
        let mut d = Diagnostics::default();
        let t = lecture::xlsx::lire(
            "structures.xlsx",
            &c,
            Feuille {
                noms: lecture::FEUILLE_STRUCTURES,
                premiere_sinon: true,
            },
            &["id"],
            &["id"],
            &mut d,
        );
        (t.is_some(), d)
    };
    let (lu, d) = lire(sst);
    assert!(!lu);
    assert_eq!(d.0.len(), 1, "{:?}", d.0);
    assert_eq!(d.0[0].code, "E073");
    assert_eq!(
        d.0[0].message,
        "classeur abîmé : la partie xl/sharedStrings.xml annonce 8 888 888 888 888 888 839 textes (uniqueCount), mais ses 139 octets en contiennent au plus 27"
    );
    // 100 000 000 000 strings (2,4 To reserved: an allocation failure rather than an overflow)
    let autre = String::from_utf8_lossy(sst).replace("8888888888888888839", "100000000000");
    let (lu, d) = lire(autre.as_bytes());
    assert!(!lu);
    assert_eq!(d.0[0].code, "E073", "{:?}", d.0);
    // announcing 24 strings, the part has 139 − 19 + 2 = 122 bytes: 122 / 5 = 24 strings at
    // most, read (a header « id », no data row); 25 is refused
    let annonce = |n: &str| String::from_utf8_lossy(sst).replace("8888888888888888839", n);
    let (lu, d) = lire(annonce("24").as_bytes());
    assert!(lu, "{:?}", d.0);
    assert!(d.0.is_empty(), "{:?}", d.0);
    let (lu, d) = lire(annonce("25").as_bytes());
    assert!(!lu);
    assert_eq!(d.0[0].code, "E073", "{:?}", d.0);
}

/// Found by the 300 s fuzz campaign: a shared strings start tag too damaged for the
/// attribute parser (`count` repeated, an unterminated attribute) whose `uniqueCount` of
/// 8 888 888 888 888 888 839 calamine still read and reserved for: allocation failure,
/// abort. The raw bytes are now scanned as well: refused with E073 before calamine opens it.
#[test]
fn xlsx_unique_count_balise_abimee() {
    let o = entree("xlsx_unique_count_balise_abimee.bin");
    fuzz::lecture_xlsx(&o);
    let i = o.iter().position(|b| *b == fuzz::SEPARATEUR).unwrap();
    let c = fuzz::classeur_minimal(&o[..i], Some(&o[i + 1..])).unwrap();
    let mut d = Diagnostics::default();
    let t = lecture::xlsx::lire(
        "structures.xlsx",
        &c,
        Feuille {
            noms: lecture::FEUILLE_STRUCTURES,
            premiere_sinon: true,
        },
        &["id"],
        &["id"],
        &mut d,
    );
    assert!(t.is_none());
    assert_eq!(d.0.len(), 1, "{:?}", d.0);
    assert_eq!(d.0[0].code, "E073", "{}", d.0[0]);
    assert!(
        d.0[0].message.contains("8\u{202f}888\u{202f}888") || d.0[0].message.contains("8 888 888"),
        "{}",
        d.0[0]
    );
}

/// A cell position written twice in a hand-made sheet (`A2` = `X` then `A2` = `Y`): which
/// value is meant cannot be told, the workbook is refused (E025) naming the cell; the same
/// sheet with the second cell at `B2` is read.
#[test]
fn xlsx_cellule_ecrite_deux_fois() {
    let feuille = |r: &str| {
        format!(
            r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>nom</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>X</t></is></c><c r="{r}" t="inlineStr"><is><t>Y</t></is></c></row></sheetData></worksheet>"#
        )
    };
    let lire =
        |r: &str| lire_a_la_main(&fuzz::classeur_minimal(feuille(r).as_bytes(), None).unwrap());
    let (t, d) = lire("B2");
    assert!(d.0.is_empty(), "{:?}", d.0);
    assert_eq!(
        t.unwrap(),
        vec![(2, vec!["X".to_string(), "Y".to_string()])]
    );
    let (t, d) = lire("A2");
    assert!(t.is_none());
    assert_eq!(d.0[0].code, "E025", "{:?}", d.0);
    assert!(
        d.0[0].message.contains("la cellule") && d.0[0].message.contains("A2 est écrite deux fois"),
        "{}",
        d.0[0]
    );
}

/// Reads a one-sheet workbook made by hand (`structures`, columns `id` and `nom`).
fn lire_a_la_main(c: &[u8]) -> (Option<lecture::tableau::Lignes>, Diagnostics) {
    let mut d = Diagnostics::default();
    let t = lecture::xlsx::lire(
        "structures.xlsx",
        c,
        Feuille {
            noms: lecture::FEUILLE_STRUCTURES,
            premiere_sinon: true,
        },
        &["id", "nom"],
        &["id"],
        &mut d,
    );
    (t.map(|t| t.lignes), d)
}

/// A sheet whose row 2 holds `id` = `X` and, at `B2`, the raw cell `cellule_b2`.
fn feuille_b2(cellule_b2: &str) -> String {
    format!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>nom</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>X</t></is></c>{cellule_b2}</row></sheetData></worksheet>"#
    )
}

/// A number cell whose value is not a number (`<v>10000,5</v>`, which calamine would hand
/// over as the text `10000,5`, read as 10 000,50 by the French number rules) and a shared
/// string cell whose index is not a number (`<v>-1</v>`, which calamine would read as the
/// first shared string, `id`): no spreadsheet writes either, both are refused (E025) naming
/// the cell and its raw value; the same cells written correctly are read.
#[test]
fn xlsx_valeurs_brutes_mal_ecrites() {
    let chaines = br#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>id</t></si><si><t>Cr&#232;che</t></si></sst>"#;
    let lire = |b2: &str| {
        let c = fuzz::classeur_minimal(feuille_b2(b2).as_bytes(), Some(chaines)).unwrap();
        lire_a_la_main(&c)
    };
    let ligne = |nom: &str| vec![(2, vec!["X".to_string(), nom.to_string()])];
    // read: a number, a number with an exponent, a shared string by its index, a date
    for (b2, lu) in [
        (r#"<c r="B2"><v>10000.5</v></c>"#, "10000.5"),
        (r#"<c r="B2" t="n"><v>1.5E3</v></c>"#, "1500"),
        (r#"<c r="B2" t="s"><v>1</v></c>"#, "Crèche"),
        // a date cell in ISO form (`t="d"`), written as the other date cells
        (
            r#"<c r="B2" t="d"><v>2026-09-01T00:00:00</v></c>"#,
            "01/09/2026",
        ),
    ] {
        let (t, d) = lire(b2);
        assert!(d.0.is_empty(), "{b2} : {:?}", d.0);
        assert_eq!(t.unwrap(), ligne(lu), "{b2}");
    }
    // refused, the cell and its raw value named
    for (b2, valeur, raison) in [
        (
            r#"<c r="B2"><v>10000,5</v></c>"#,
            "10000,5",
            "enregistrée comme un nombre",
        ),
        (
            r#"<c r="B2" t="n"><v>1 000</v></c>"#,
            "1 000",
            "enregistrée comme un nombre",
        ),
        (
            r#"<c r="B2" t="s"><v>-1</v></c>"#,
            "-1",
            "texte partagé par un numéro",
        ),
        (
            r#"<c r="B2" t="s"><v>&#49;</v></c>"#,
            "&",
            "texte partagé par un numéro",
        ),
    ] {
        let (t, d) = lire(b2);
        assert!(t.is_none(), "{b2}");
        assert_eq!(d.0.len(), 1, "{b2} : {:?}", d.0);
        let m = d.0[0].to_string();
        assert_eq!(d.0[0].code, "E025", "{m}");
        assert!(m.contains("cellule structures!B2"), "{m}");
        assert!(m.contains(&format!("valeur « {valeur} »")), "{m}");
        assert!(m.contains(raison), "{m}");
    }
}

/// An archive holding the same part twice (the sheet, with two different `nom`s): the zip
/// reader would keep the last one, Excel refuses the file; refused (E025). Made by writing
/// the second copy as `sheetZ.xml` and renaming it in the stored (uncompressed) archive.
#[test]
fn xlsx_partie_en_double() {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let un = fuzz::classeur_minimal(feuille_b2("").as_bytes(), None).unwrap();
    let mut a = zip::ZipArchive::new(std::io::Cursor::new(un)).unwrap();
    for i in 0..a.len() {
        let mut p = a.by_index(i).unwrap();
        let nom = p.name().unwrap().into_owned();
        let mut contenu = Vec::new();
        std::io::Read::read_to_end(&mut p, &mut contenu).unwrap();
        z.start_file(nom.as_str(), o).unwrap();
        z.write_all(&contenu).unwrap();
    }
    let autre = feuille_b2(r#"<c r="B2" t="inlineStr"><is><t>Autre</t></is></c>"#);
    z.start_file("xl/worksheets/sheetZ.xml", o).unwrap();
    z.write_all(autre.as_bytes()).unwrap();
    let octets = z.finish().unwrap().into_inner();
    // before the renaming: the sheet is read (row 2 without a nom)
    let (t, d) = lire_a_la_main(&octets);
    assert!(d.0.is_empty(), "{:?}", d.0);
    assert_eq!(t.unwrap(), vec![(2, vec!["X".to_string(), String::new()])]);
    let double: Vec<u8> = {
        let mut o = octets.clone();
        let (de, vers) = (b"sheetZ.xml", b"sheet1.xml");
        let mut i = 0;
        while let Some(p) = o[i..].windows(de.len()).position(|w| w == de) {
            o[i + p..i + p + de.len()].copy_from_slice(vers);
            i += p + de.len();
        }
        o
    };
    let (t, d) = lire_a_la_main(&double);
    assert!(t.is_none());
    assert_eq!(d.0[0].code, "E025", "{:?}", d.0);
    assert!(d.0[0].message.contains("figure deux fois"), "{}", d.0[0]);
}
