//! Tests of the workbook reader: cells, sheets, limits, containers.
use super::*;

/// calamine's errors in French, without their English text (audit: « Xml error: at
/// 0..0: unrecognized entity `&lol4;` », « Cell string index not found in shared strings
/// table », « Worksheet 'structures' not found »).
#[test]
fn raisons_calamine_en_francais() {
    use quick_xml::escape::EscapeError;
    let cas = [
        (
            XlsxError::Xml(quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(
                0..0,
                "&lol4;".to_string(),
            ))),
            "XML abîmé : entité « &lol4; » inconnue (seules les entités XML prédéfinies sont admises)",
        ),
        (
            XlsxError::Unexpected("Cell string index not found in shared strings table"),
            "une cellule renvoie à un texte partagé qui n'existe pas",
        ),
        (
            XlsxError::WorksheetNotFound("structures".to_string()),
            "feuille « structures » introuvable",
        ),
        (XlsxError::Unexpected("anything else"), "contenu inattendu"),
    ];
    for (e, attendu) in cas {
        assert_eq!(raison_calamine(&e), attendu);
    }
}
use crate::lecture::tableau::reference_ligne;

#[test]
fn date_iso_ecrite_comme_les_autres_dates() {
    assert_eq!(texte_date_iso("2026-09-01T00:00:00"), "01/09/2026");
    assert_eq!(texte_date_iso("2026-09-01T00:00:00.000Z"), "01/09/2026");
    assert_eq!(texte_date_iso("2026-09-01"), "01/09/2026");
    assert_eq!(texte_date_iso("2026-09-01T10:30:00"), "01/09/2026 10:30");
    assert_eq!(texte_date_iso("demain"), "demain");
    assert_eq!(texte_date_iso("26-9-1T00:00"), "26-9-1T00:00");
}

#[test]
fn texte_decimal_le_plus_court() {
    assert_eq!(texte_decimal(1234.56), "1234.56");
    assert_eq!(texte_decimal(60.0), "60");
    assert_eq!(texte_decimal(0.1 + 0.2), "0.30000000000000004");
    assert_eq!(texte_decimal(1e21), "1000000000000000000000");
    assert_eq!(texte_decimal(-0.5), "-0.5");
    assert_eq!(texte_decimal(f64::NAN), "NaN");
}

#[test]
fn references() {
    use crate::lecture::tableau::lettres_colonne;
    assert_eq!(lettres_colonne(0), "A");
    assert_eq!(lettres_colonne(5), "F");
    assert_eq!(lettres_colonne(25), "Z");
    assert_eq!(lettres_colonne(26), "AA");
    assert_eq!(lettres_colonne(27), "AB");
    assert_eq!(lettres_colonne(701), "ZZ");
    assert_eq!(lettres_colonne(702), "AAA");
    assert_eq!(lettres_colonne(16383), "XFD");
    assert_eq!(reference_cellule("structures", 5, 12), "structures!F12");
    assert_eq!(reference_cellule("Feuil 1", 0, 3), "'Feuil 1'!A3");
    assert_eq!(reference_cellule("l'autre", 1, 3), "'l''autre'!B3");
    assert_eq!(reference_ligne("structures", 1), "structures!1:1");
}

#[test]
fn taille_decompressee_annoncee_bornee() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    wb.add_worksheet().write_string(0, 0, "id").unwrap();
    let o = wb.save_to_buffer().unwrap();
    assert!(verifier_conteneur_max("d.xlsx", &o, DECOMPRESSE_MAX).is_ok());
    let e = verifier_conteneur_max("d.xlsx", &o, 1000).unwrap_err();
    assert_eq!(e.code, Code::E023);
    assert!(e
        .message
        .starts_with("classeur trop gros une fois décompressé"));
}

/// A stray header cell at XFD1 and a row at 1 048 576: streamed, no dense grid, and
/// the rows keep only the expected columns.
#[test]
fn cellules_eloignees_sans_grille_dense() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("structures").unwrap();
    ws.write_string(0, 0, "id").unwrap();
    ws.write_string(0, 16383, "note").unwrap();
    ws.write_string(1_048_575, 0, "X").unwrap();
    ws.write_string(1_048_575, 16383, "loin").unwrap();
    let o = wb.save_to_buffer().unwrap();
    let mut d = Diagnostics::default();
    let f = Feuille {
        noms: &["structures"],
        premiere_sinon: false,
    };
    let t = lire("s.xlsx", &o, f, &["id"], &["id"], &mut d).unwrap();
    // the extra column is reported (W050), not read
    assert_eq!(d.0.len(), 1, "{:?}", d.0);
    assert_eq!(d.0[0].code, Code::W050);
    assert_eq!(t.lignes, vec![(1_048_576, vec!["X".to_string()])]);
    assert_eq!(
        t.cellule(1_048_576, "id").as_deref(),
        Some("structures!A1048576")
    );
    assert_eq!(
        t.cellule(1_048_576, "note").as_deref(),
        Some("structures!XFD1048576")
    );
}

#[test]
fn budget_relatif_a_la_taille() {
    // 20 MB floor, 20 × the size, 2 GB ceiling
    assert_eq!(budget_decompresse(0), 20_000_000);
    assert_eq!(budget_decompresse(1_000_000), 20_000_000);
    assert_eq!(budget_decompresse(1_870_204), 37_404_080);
    assert_eq!(budget_decompresse(200_000_000), 2_000_000_000);
    assert_eq!(budget_decompresse(u64::MAX), 2_000_000_000);
}

#[test]
fn nombres_annonces_lus_comme_calamine() {
    assert_eq!(nombre_annonce(b"0012"), Some(12));
    assert_eq!(
        nombre_annonce(b"8888888888888888839"),
        Some(8_888_888_888_888_888_839)
    );
    assert_eq!(nombre_annonce(b"99999999999999999999999"), Some(u64::MAX));
    assert_eq!(nombre_annonce(b""), None);
    assert_eq!(nombre_annonce(b"+12"), None);
    assert_eq!(nombre_annonce(b"1e9"), None);
}

#[test]
fn pas_un_classeur() {
    let mut d = Diagnostics::default();
    let f = Feuille {
        noms: &["structures"],
        premiere_sinon: true,
    };
    for octets in [
        &b""[..],
        b"id;nom\n",
        b"PK\x03\x04garbage",
        b"\xD0\xCF\x11\xE0\xA1",
    ] {
        assert!(lire("s.xlsx", octets, f, &["id"], &["id"], &mut d).is_none());
    }
    assert!(d.0.iter().all(|x| x.code == Code::E025), "{:?}", d.0);
    assert!(d.0[3].message.contains("mot de passe"));
}

/// Reads a hand-made one-sheet workbook (`structures`, columns `id` and `nom`) whose row 2
/// holds `id` = `X` and the raw cells `cellules`.
fn lire_feuille_a_la_main(cellules: &str) -> (Option<Tableau>, Diagnostics) {
    let feuille = format!(
        r#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>nom</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>X</t></is></c>{cellules}</row></sheetData></worksheet>"#
    );
    let mut d = Diagnostics::default();
    let c = crate::fuzz::classeur_minimal(feuille.as_bytes(), None).unwrap_or_default();
    let feuille = Feuille {
        noms: &["structures"],
        premiere_sinon: true,
    };
    let t = lire(
        "structures.xlsx",
        &c,
        feuille,
        &["id", "nom"],
        &["id"],
        &mut d,
    );
    (t, d)
}

/// A number beyond what a `double` holds (`1e400`, which calamine reads as infinity, and
/// `1e-400`, read as 0) is refused and quoted as written, never as `inf` or `0`.
#[test]
fn nombre_hors_limites_cite_tel_qu_ecrit() {
    for v in ["1e400", "-1E+309", "1e-400"] {
        let (t, d) = lire_feuille_a_la_main(&format!(r#"<c r="B2"><v>{v}</v></c>"#));
        assert!(t.is_none(), "{v}");
        assert_eq!(d.0.len(), 1, "{v} : {:?}", d.0);
        let m = d.0[0].to_string();
        assert_eq!(
            m,
            format!("erreur E025 : structures.xlsx, cellule structures!B2, valeur « {v} » : classeur illisible : la cellule est enregistrée comme un nombre hors des limites d'un tableur : il serait lu comme l'infini ou comme 0 (conseil : ouvrez-le dans Excel ou LibreOffice et enregistrez-le au format « Classeur Excel (.xlsx) », ou exportez la feuille en « CSV UTF-8 »)")
        );
    }
    // the largest and the smallest numbers a spreadsheet writes are read
    for (v, lu) in [("1e308", texte_decimal(1e308)), ("0e-400", "0".to_string())] {
        let (t, d) = lire_feuille_a_la_main(&format!(r#"<c r="B2"><v>{v}</v></c>"#));
        assert!(d.0.is_empty(), "{v} : {:?}", d.0);
        let t = t.unwrap_or_else(|| panic!("{v}"));
        let (_, e) = t.lignes.iter().next().unwrap_or_else(|| panic!("{v}"));
        assert_eq!(e.get(1), Some(lu.as_str()), "{v}");
    }
}

/// A value beyond the header (`C2`, the header ends in `B`) is refused (E058) with its cell
/// and the empty header cell above it; a blank cell there (spaces) is not a value.
#[test]
fn valeur_au_dela_de_l_entete() {
    let (t, d) = lire_feuille_a_la_main(
        r#"<c r="B2" t="inlineStr"><is><t>Crèche</t></is></c><c r="C2"><v>99999</v></c>"#,
    );
    assert!(t.is_none());
    assert_eq!(d.0.len(), 1, "{:?}", d.0);
    assert_eq!(
        d.0[0].to_string(),
        "erreur E058 : structures.xlsx, cellule structures!C2, valeur « 99999 » : valeur dans la colonne C, dont l'en-tête (cellule structures!C1) est vide : elle serait ignorée (conseil : nommez la colonne dans l'en-tête (un nom effacé ou oublié ?), ou videz-la)"
    );
    let (t, d) = lire_feuille_a_la_main(
        r#"<c r="B2" t="inlineStr"><is><t>Crèche</t></is></c><c r="C2" t="inlineStr"><is><t>   </t></is></c>"#,
    );
    assert!(d.0.is_empty(), "{:?}", d.0);
    assert!(t.is_some());
}
