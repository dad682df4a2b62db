//! Fuzzing entry points (issue 3), shared by the `cargo fuzz` targets (fuzz/) and the
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

/// The workbook reader, both ways a sheet is looked for.
pub fn lecture_xlsx(octets: &[u8]) {
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
