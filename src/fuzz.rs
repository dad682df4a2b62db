//! Fuzzing entry points, shared by the `cargo fuzz` targets (fuzz/) and the
//! stable-toolchain fallback (tests/fuzz_stable.rs, proptest). Each takes arbitrary bytes
//! and must return without panicking, whatever they hold.

use crate::diagnostic::Diagnostics;
use crate::lecture::{self, texte, xlsx, Encodage, Fichiers};
use crate::rapport::{self, Profil};

/// Separates the files in a [`chaine_complete`] input: convention, structures, charges and
/// an optional barème. (0xFF never occurs in UTF-8 text, so seeds built from the fixtures
/// split unambiguously.)
pub const SEPARATEUR: u8 = 0xFF;

/// A table's bytes through the decoder (detection, as the CLI does by default).
fn decoder(octets: &[u8]) -> String {
    match texte::decoder(octets, Encodage::Auto) {
        Ok(d) => d.texte,
        Err(_) => String::from_utf8_lossy(octets).into_owned(),
    }
}

/// The CSV reader: decoding, then both tables' parsers on the same text.
pub fn lecture_csv(octets: &[u8]) {
    let t = decoder(octets);
    let mut d = Diagnostics::default();
    let _ = lecture::analyser_structures("structures.csv", &t, &mut d);
    let _ = lecture::analyser_charges("charges_n1.csv", &t, &mut d);
    for x in d.0.iter().chain(d.omis().as_ref()) {
        let _ = x.to_string();
    }
}

/// The TOML readers: convention and barème override.
pub fn lecture_toml(octets: &[u8]) {
    let t = String::from_utf8_lossy(octets);
    let mut d = Diagnostics::default();
    let _ = lecture::analyser_convention("convention.toml", &t, &mut d);
    if let Ok(b) = crate::bareme::Bareme::avec_surcharge(&t, "bareme.toml") {
        for annee in [2020, 2024, 2025, 2030] {
            let _ = b.pour_exercice(annee, "bareme.toml");
        }
    }
}

/// The workbook reader. Bytes starting with `PK` are taken as a whole workbook; any other
/// bytes are the XML of one sheet and of the shared strings (separated by
/// [`SEPARATEUR`]), wrapped in a valid zip with the workbook's other parts: mutations then
/// reach calamine's XML parsing instead of failing on the zip checksums.
pub fn lecture_xlsx(octets: &[u8]) {
    if octets.starts_with(b"PK") {
        lire_classeur(octets);
    } else {
        let mut parts = octets.splitn(2, |b| *b == SEPARATEUR);
        let feuille = parts.next().unwrap_or_default();
        let chaines = parts.next();
        if let Some(c) = classeur_minimal(feuille, chaines) {
            lire_classeur(&c);
        }
    }
}

fn lire_classeur(octets: &[u8]) {
    let mut d = Diagnostics::default();
    for (noms, premiere_sinon) in [
        (lecture::FEUILLE_STRUCTURES, true),
        (lecture::FEUILLE_CHARGES, false),
    ] {
        let src = lecture::Source {
            fichier: "dossier.xlsx",
            contenu: lecture::Contenu::Xlsx(
                octets,
                xlsx::Feuille {
                    noms,
                    premiere_sinon,
                },
            ),
        };
        let _ = lecture::lire_structures(src, &mut d);
        let _ = lecture::lire_charges(src, &mut d);
    }
}

/// A workbook (stored zip) whose sheet `structures` is `feuille` and whose shared strings
/// are `chaines`.
pub fn classeur_minimal(feuille: &[u8], chaines: Option<&[u8]>) -> Option<Vec<u8>> {
    use std::io::Write;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut parts: Vec<(&str, &[u8])> = vec![
        (
            "[Content_Types].xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            br#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="structures" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", feuille),
    ];
    if let Some(c) = chaines {
        parts.push(("xl/sharedStrings.xml", c));
    }
    for (nom, contenu) in parts {
        z.start_file(nom, o).ok()?;
        z.write_all(contenu).ok()?;
    }
    z.finish().ok().map(|c| c.into_inner())
}

/// The whole pipeline: bytes → dossier → validation → calculation → every renderer.
pub fn chaine_complete(octets: &[u8]) {
    let mut parts = octets.splitn(4, |b| *b == SEPARATEUR);
    let convention = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let structures = decoder(parts.next().unwrap_or_default());
    let charges = decoder(parts.next().unwrap_or_default());
    let bareme = parts.next().map(|b| {
        (
            "bareme.toml".to_string(),
            String::from_utf8_lossy(b).into_owned(),
        )
    });
    let f = Fichiers {
        convention,
        structures,
        charges,
        bareme,
    };
    let mut d = Diagnostics::default();
    let Some(lu) = lecture::analyser_dossier(&f, &mut d) else {
        return;
    };
    let Ok((r, avert)) = crate::traiter(&lu, None, "bareme.toml") else {
        return;
    };
    let _ = rapport::table::rendre(&r, None);
    let _ = rapport::table::rendre(&r, Some(40));
    let _ = rapport::csv::rendre(&r, Profil::ExcelFr);
    let _ = rapport::csv::rendre(&r, Profil::Rfc4180);
    let _ = rapport::json::rendre(&r, &avert);
    for s in lu.dossier.structures.iter().take(3) {
        let _ = rapport::explication::expliquer(&lu.dossier, &r, &s.id);
    }
}

/// A dossier of the project's own fixtures (Dugny), the ground the events and report
/// targets build on.
fn dossier_dugny() -> Option<lecture::DossierLu> {
    let f = Fichiers {
        convention: include_str!("../fixtures/dugny/convention.toml").to_string(),
        structures: include_str!("../fixtures/dugny/structures.csv").to_string(),
        charges: include_str!("../fixtures/dugny/charges_n1.csv").to_string(),
        bareme: None,
    };
    lecture::analyser_dossier(&f, &mut Diagnostics::default())
}

/// The notification reader of `verifier`: a workbook when the bytes start like one (zip or
/// OLE container); bytes starting with 0x00 are a sheet's XML and its shared strings
/// (separated by [`SEPARATEUR`]) wrapped in a valid zip; anything else is CSV.
pub fn notification(octets: &[u8]) {
    let mut d = Diagnostics::default();
    if let Some((0, reste)) = octets.split_first() {
        let mut parts = reste.splitn(2, |b| *b == SEPARATEUR);
        let feuille = parts.next().unwrap_or_default();
        if let Some(c) = classeur_minimal(feuille, parts.next()) {
            let _ = crate::verification::analyser_tableur("notification.xlsx", &c, &mut d);
        }
    } else if octets.starts_with(b"PK") || octets.starts_with(b"\xD0\xCF\x11\xE0") {
        let _ = crate::verification::analyser_tableur("notification.xlsx", octets, &mut d);
    } else {
        let _ = crate::verification::analyser_csv("notification.csv", &decoder(octets), &mut d);
    }
    for x in d.0.iter().chain(d.omis().as_ref()) {
        let _ = x.to_string();
    }
}

/// The events reader, then the projection of the Dugny fixture with those events and every
/// projection renderer (table, CSV, JSON, HTML, XLSX, explanation).
pub fn evenements(octets: &[u8]) {
    let mut d = Diagnostics::default();
    let ev = crate::projection::evenements::analyser_evenements(
        "evenements.csv",
        &decoder(octets),
        &mut d,
    );
    for x in d.0.iter().chain(d.omis().as_ref()) {
        let _ = x.to_string();
    }
    if d.a_des_erreurs() {
        return;
    }
    let Some(lu) = dossier_dugny() else {
        return;
    };
    let options = crate::projection::OptionsProjection {
        exercice: None,
        jusqu_a: None,
        base: None,
    };
    let Ok((pr, avert)) = crate::projection::projeter(
        &lu,
        &ev,
        &options,
        "bareme.toml",
        &crate::lecture::tableau::Localisation::csv("evenements.csv"),
    ) else {
        return;
    };
    let _ = rapport::projection::table(&pr, None);
    let _ = rapport::projection::csv(&pr, Profil::ExcelFr);
    let _ = rapport::projection::json(&pr, &avert);
    let _ = rapport::projection_html::rendre(&pr);
    let _ = rapport::projection_xlsx::rendre(&pr);
    for s in lu.dossier.structures.iter().take(2) {
        let _ = rapport::projection::expliquer(&pr, &s.id, lu.dossier.convention.exercice + 1);
    }
}

/// The report writers that [`chaine_complete`] does not reach: the HTML report and the
/// workbook, on a dossier made of the input (same layout as [`chaine_complete`]).
pub fn rapports(octets: &[u8]) {
    let mut parts = octets.splitn(4, |b| *b == SEPARATEUR);
    let convention = String::from_utf8_lossy(parts.next().unwrap_or_default()).into_owned();
    let structures = decoder(parts.next().unwrap_or_default());
    let charges = decoder(parts.next().unwrap_or_default());
    let f = Fichiers {
        convention,
        structures,
        charges,
        bareme: None,
    };
    let mut d = Diagnostics::default();
    let Some(lu) = lecture::analyser_dossier(&f, &mut d) else {
        return;
    };
    let Ok((r, _)) = crate::traiter(&lu, None, "bareme.toml") else {
        return;
    };
    let _ = rapport::html::rendre(&r);
    let _ = rapport::xlsx::rendre(&r);
}
