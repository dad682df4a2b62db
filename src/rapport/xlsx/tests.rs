use super::*;

/// The Structures sheet written row by row in « constant memory » mode holds the same
/// cells (value and type, cell by cell) as the sheet held in memory, and the other sheets
/// are unchanged: on the Dijon fixture, both ways forced.
#[test]
fn memoire_constante_memes_cellules() {
    use calamine::{Data, Reader, Xlsx};
    let mut diags = crate::diagnostic::Diagnostics::default();
    let d = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dijon-2024");
    let lu =
        crate::lecture::lire_dossier(&d, &Default::default(), &mut diags).expect("fixture valide");
    let (r, _) = crate::traiter(&lu, None, "bareme.toml").expect("fixture valide");
    let feuilles = |seuil| {
        let octets = rendre_avec_seuil(&r, seuil).expect("classeur");
        let mut x: Xlsx<_> = Xlsx::new(std::io::Cursor::new(octets)).expect("lecture");
        x.sheet_names()
            .into_iter()
            .map(|n| {
                let g = x.worksheet_range(&n).expect("feuille");
                let cellules: Vec<Vec<Data>> = g.rows().map(|l| l.to_vec()).collect();
                (n, g.start(), cellules)
            })
            .collect::<Vec<_>>()
    };
    let (memoire, constante) = (feuilles(usize::MAX), feuilles(0));
    assert_eq!(memoire.len(), 7);
    let structures = memoire
        .iter()
        .find(|f| f.0 == "Structures")
        .expect("feuille");
    // header + the 61 structures of Dijon, 21 columns
    assert_eq!(structures.2.len(), 1 + r.structures.len());
    assert!(structures.2.iter().all(|l| l.len() == 21));
    assert_eq!(memoire, constante);
}

#[test]
fn conversion_au_centime() {
    // every cent of 0..=1 000 000,00 € in steps reads back to the same cent
    for c in (0..=100_000_000i64)
        .step_by(9_973)
        .chain([1, 5, 10, 99, 105, 1_000_005])
    {
        let v = euros_f64(Montant(c)).unwrap();
        assert_eq!((v * 100.0).round() as i64, c, "{c}");
        assert_eq!(
            format!("{v}"),
            Montant(c)
                .to_string()
                .trim_end_matches('0')
                .trim_end_matches('.')
        );
    }
    assert_eq!(euros_f64(Montant(-123)).unwrap(), -1.23);
    // beyond 2^53 cents: refused, never rounded silently
    assert!(euros_f64(Montant(i64::MAX)).is_err());
    // 1/3 cent → 0,0033 €
    assert_eq!(euros4_f64(&Rationnel::new(1, 3).unwrap()).unwrap(), 0.0033);
}

#[test]
fn textes_plies() {
    // « un deux trois » in 7 columns: « un » + « deux » = 7 → « un deux », « trois »
    assert_eq!(lignes_pliees("un deux trois", 7), 2);
    assert_eq!(lignes_pliees("un\ndeux", 80), 2);
    // a 20-character word in 8 columns: 3 lines
    assert_eq!(lignes_pliees(&"x".repeat(20), 8), 3);
    let t = "mot ".repeat(100);
    let m = morceaux(t.trim(), 11, 5);
    // 100 words, 2 per line of 11 columns (« mot mot » = 7, a third makes 11 … fits):
    // 3 per line, 5 lines → 15 words per piece, 7 pieces (6 × 15 + 10)
    assert_eq!(m.len(), 7);
    assert!(m.iter().all(|x| lignes_pliees(x, 11) <= 5));
    assert_eq!(m.join(" "), t.trim());
}

#[test]
fn erreurs_en_francais() {
    let e: ErreurXlsx = XlsxError::MaxStringLengthExceeded.into();
    assert_eq!(
        e.0,
        "écriture du classeur XLSX impossible : texte de plus de 32\u{202f}767 caractères (limite d'une cellule Excel)"
    );
    let e: ErreurXlsx = XlsxError::IoError(std::io::Error::from_raw_os_error(28)).into();
    assert_eq!(
        e.0,
        "écriture du classeur XLSX impossible : plus de place sur le disque"
    );
    let e: ErreurXlsx = XlsxError::ParameterError("whatever".into()).into();
    assert_eq!(
        e.0,
        "écriture du classeur XLSX impossible : erreur interne de la bibliothèque d'écriture XLSX"
    );
    // a text too long for a cell: refused with its beginning and its length
    let mut fe = Feuille::new("Structures").unwrap();
    let f = Formats::new();
    let e = fe.texte(1, 1, &"A".repeat(40_000), &f.texte).unwrap_err();
    assert_eq!(e.0, "écriture du classeur XLSX impossible : cellule Structures!B2, le texte « AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA… » (40\u{202f}000 caractères) dépasse la limite d'une cellule Excel (32\u{202f}767 caractères) (conseil : raccourcissez-le, ou utilisez --format csv)");
    assert!(fe.texte(1, 1, &"A".repeat(32_767), &f.texte).is_ok());
}
