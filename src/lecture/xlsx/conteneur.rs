//! The zip container of a workbook, checked before calamine reads it: entries, announced and
//! real sizes, compression ratio, announced counts of shared strings and cells (bounded work
//! and memory whatever the file says about itself).

use super::*;

/// What the zip container announces, checked before calamine reads it.
#[derive(Debug, Clone, Copy)]
pub(super) struct Conteneur {
    /// See [`budget_decompresse`].
    pub(super) budget: u64,
    /// The workbook asks to be recomputed on opening (`<calcPr fullCalcOnLoad="1"/>`): the
    /// values saved with its formulas are placeholders.
    pub(super) recalcul: bool,
}

/// Checks the zip container before calamine decompresses anything: signature, not an
/// encrypted or legacy `.xls` file, declared decompressed sizes, declared counts.
pub(super) fn verifier_conteneur(fichier: &str, octets: &[u8]) -> Result<Conteneur, Echec> {
    verifier_conteneur_max(fichier, octets, DECOMPRESSE_MAX)
}

/// The checks of the zip container made before calamine opens a workbook (not a zip, `.xls`
/// or encrypted: E025; decompressed size over the budget: E023, E074; declared count of
/// shared strings that the part cannot hold: E073), for another reader of `.xlsx` files
/// (the notification of `verifier`) to make before handing the bytes to calamine.
pub fn verifier_classeur(fichier: &str, octets: &[u8]) -> Result<(), Box<Diagnostic>> {
    verifier_conteneur(fichier, octets).map(|_| ())
}

pub(super) fn abime(fichier: &str, e: zip::result::ZipError) -> Echec {
    Box::new(illisible(
        fichier,
        format!("archive zip abîmée ({})", crate::diagnostic::texte_zip(&e)),
    ))
}

/// The name of a zip entry in lower case, without its folders.
pub(super) fn nom_de_partie(nom: &str) -> String {
    nom.rsplit(['/', '\\']).next().unwrap_or("").to_lowercase()
}

/// An XML reader configured as calamine configures its own (so that this check sees the
/// elements calamine sees).
pub(super) fn lecteur_xml<R: std::io::BufRead>(r: R) -> quick_xml::Reader<R> {
    let mut x = quick_xml::Reader::from_reader(r);
    let c = x.config_mut();
    c.check_end_names = false;
    c.trim_text(false);
    c.check_comments = false;
    c.expand_empty_elements = true;
    x
}

/// The first start tag named `element` of an XML part: (attribute local name, raw value)
/// pairs, or `None` when the part has no such element (or is not well-formed: calamine
/// then refuses it itself).
pub(super) fn attributs_de<R: std::io::BufRead>(
    r: R,
    element: &str,
) -> Option<Vec<(String, String)>> {
    use quick_xml::events::Event;
    let mut x = lecteur_xml(r);
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == element => {
                return Some(
                    e.attributes()
                        .with_checks(false)
                        .filter_map(Result::ok)
                        .map(|a| (a.key.local_name().as_ref().to_string(), a.value.to_string()))
                        .collect(),
                );
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

/// E073: the shared strings part `nom` (`taille` bytes) declares `n` strings.
pub(super) fn compte_mensonger(
    fichier: &str,
    nom: &str,
    n: u64,
    taille: u64,
    brut: String,
) -> Diagnostic {
    let possible = taille / OCTETS_PAR_TEXTE_MIN;
    Diagnostic::erreur(
        Code::E073,
        fichier,
        format!(
            "classeur abîmé : la partie {nom} annonce {} textes (uniqueCount), mais ses {} octets en contiennent au plus {}",
            groupe(n.min(usize::MAX as u64) as usize),
            groupe(taille.min(usize::MAX as u64) as usize),
            groupe(possible.min(usize::MAX as u64) as usize)
        ),
    )
    .valeur(brut)
    .conseil("le classeur n'a pas été écrit par un tableur : ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau, ou exportez la feuille en « CSV UTF-8 »")
}

/// Every `uniqueCount = "digits"` written before the first string item of a shared strings
/// part, read from the raw bytes (whatever the state of the tag around it).
pub(super) fn comptes_bruts(debut: &[u8]) -> Vec<u64> {
    let fin = debut
        .windows(3)
        .position(|w| w == b"<si" || w == b":si")
        .unwrap_or(debut.len());
    let debut = &debut[..fin];
    let cle = b"uniqueCount";
    let mut r = Vec::new();
    let mut i = 0;
    while let Some(p) = debut[i..].windows(cle.len()).position(|w| w == cle) {
        let mut j = i + p + cle.len();
        let passer = |j: &mut usize, f: &dyn Fn(u8) -> bool| {
            while *j < debut.len() && f(debut[*j]) {
                *j += 1;
            }
        };
        passer(&mut j, &|b| {
            b.is_ascii_whitespace() || b == b'=' || b == b'"' || b == b'\''
        });
        let d = j;
        passer(&mut j, &|b| b.is_ascii_digit());
        if let Some(n) = nombre_annonce(&debut[d..j]) {
            r.push(n);
        }
        i = i + p + cle.len();
    }
    r
}

/// A declared count as calamine reads it (digits only, leading zeros allowed), saturated;
/// `None` when calamine would ignore it.
pub(super) fn nombre_annonce(v: &[u8]) -> Option<u64> {
    if v.is_empty() || !v.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(v.iter().fold(0u64, |n, c| {
        n.saturating_mul(10).saturating_add(u64::from(c - b'0'))
    }))
}

/// [`verifier_conteneur`] with the absolute limit as a parameter (tested with a small one).
/// The zip reader then refuses to inflate any part beyond its declared size, so the
/// declared sizes bound what calamine can decompress.
pub(super) fn verifier_conteneur_max(
    fichier: &str,
    octets: &[u8],
    max: u64,
) -> Result<Conteneur, Echec> {
    verifier_signature(fichier, octets)?;
    let mut zip = zip::ZipArchive::new(Cursor::new(octets)).map_err(|e| abime(fichier, e))?;
    // two entries of the same name: which one is meant cannot be told (Excel refuses the
    // file; the zip reader would keep the last one)
    if zip.has_duplicate_names() {
        return Err(Box::new(illisible(
            fichier,
            "archive zip abîmée (une partie y figure deux fois, avec deux contenus possibles)",
        )));
    }
    let budget = verifier_taille(fichier, octets, &mut zip, max)?;
    let mut recalcul = false;
    for i in 0..zip.len() {
        recalcul |= verifier_partie(fichier, &mut zip, i)?;
    }
    Ok(Conteneur { budget, recalcul })
}

/// A zip archive, not an encrypted or Excel 97-2003 file.
fn verifier_signature(fichier: &str, octets: &[u8]) -> Result<(), Echec> {
    if octets.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(Box::new(
            illisible(
                fichier,
                "classeur protégé par mot de passe, ou au format Excel 97-2003 (.xls)",
            )
            .conseil("retirez le mot de passe et enregistrez au format « Classeur Excel (.xlsx) »"),
        ));
    }
    if !octets.starts_with(b"PK") {
        return Err(Box::new(illisible(
            fichier,
            "ce n'est pas un fichier .xlsx (archive zip attendue)",
        )));
    }
    Ok(())
}

/// The announced decompressed size, within `max` and the budget of a file of this size;
/// returns the budget.
fn verifier_taille(
    fichier: &str,
    octets: &[u8],
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    max: u64,
) -> Result<u64, Echec> {
    let mut total: u64 = 0;
    for i in 0..zip.len() {
        let e = zip.by_index_raw(i).map_err(|e| abime(fichier, e))?;
        total = total.saturating_add(e.size());
    }
    if total > max {
        return Err(Box::new(
            Diagnostic::erreur(
                Code::E023,
                fichier,
                format!(
                    "classeur trop gros une fois décompressé ({} octets annoncés, maximum {})",
                    groupe(total.min(usize::MAX as u64) as usize),
                    groupe(max.min(usize::MAX as u64) as usize)
                ),
            )
            .conseil(
                "un dossier décrit une seule convention : gardez seulement les feuilles utiles",
            ),
        ));
    }
    let budget = budget_decompresse(octets.len() as u64).min(max);
    if total > budget {
        return Err(Box::new(trop_comprime(fichier, total, octets.len() as u64)));
    }
    Ok(budget)
}

/// Part `i` of the archive: the shared strings' announced count within what their size can
/// hold; for the workbook, whether it asks to be recomputed on opening (`true`).
fn verifier_partie(
    fichier: &str,
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    i: usize,
) -> Result<bool, Echec> {
    let (nom, taille) = {
        let e = zip.by_index_raw(i).map_err(|e| abime(fichier, e))?;
        (
            e.name().map(|n| n.into_owned()).unwrap_or_default(),
            e.size(),
        )
    };
    let partie = nom_de_partie(&nom);
    let element = match partie.as_str() {
        "sharedstrings.xml" => "sst",
        "workbook.xml" => "calcPr",
        _ => return Ok(false),
    };
    if element == "sst" {
        // the raw bytes too: a start tag too damaged for the attribute parser (a repeated
        // or unterminated attribute) may still give calamine a count to reserve for
        if let Ok(e) = zip.by_index(i) {
            let mut debut = Vec::new();
            let _ = e.take(taille.min(1 << 20)).read_to_end(&mut debut);
            let possible = taille / OCTETS_PAR_TEXTE_MIN;
            if let Some(n) = comptes_bruts(&debut).into_iter().find(|n| *n > possible) {
                return Err(Box::new(compte_mensonger(
                    fichier,
                    &nom,
                    n,
                    taille,
                    n.to_string(),
                )));
            }
        }
    }
    let Ok(e) = zip.by_index(i) else {
        return Ok(false); // unreadable part: calamine reports it
    };
    let Some(attributs) = attributs_de(std::io::BufReader::new(e.take(taille)), element) else {
        return Ok(false);
    };
    let mut recalcul = false;
    for (cle, v) in attributs {
        match (element, cle.as_str()) {
            ("sst", "uniqueCount") => {
                let Some(n) = nombre_annonce(v.as_bytes()) else {
                    continue;
                };
                if n > taille / OCTETS_PAR_TEXTE_MIN {
                    let brut = v.chars().take(40).collect::<String>();
                    return Err(Box::new(compte_mensonger(fichier, &nom, n, taille, brut)));
                }
            }
            ("calcPr", "fullCalcOnLoad") => {
                recalcul |= matches!(v.as_str(), "1" | "true");
            }
            _ => {}
        }
    }
    Ok(recalcul)
}

/// E074: a workbook that decompresses to more than [`budget_decompresse`] of its size.
pub(super) fn trop_comprime(fichier: &str, total: u64, taille: u64) -> Diagnostic {
    Diagnostic::erreur(
        Code::E074,
        fichier,
        format!(
            "classeur trop comprimé : {} octets une fois décompressé pour un fichier de {} octets (maximum {} fois la taille du fichier, ou {} octets pour un petit fichier)",
            groupe(total.min(usize::MAX as u64) as usize),
            groupe(taille.min(usize::MAX as u64) as usize),
            TAUX_DECOMPRESSION_MAX,
            groupe(DECOMPRESSE_PLANCHER as usize)
        ),
    )
    .conseil("un classeur ordinaire se décompresse en moins de 10 fois sa taille : ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau, ou exportez la feuille en « CSV UTF-8 »")
}
