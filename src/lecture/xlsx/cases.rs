//! The raw values of the sheet that is read, checked before calamine interprets them. Three
//! things no spreadsheet writes and calamine reads silently as something else: a cell
//! pointing to a shared string by an index that is not a number (`<v>-1</v>`, read as the
//! first shared string), a number cell whose value is not a number (`<v>10000,5</v>`,
//! read as text), and a number beyond what a `double` holds (`<v>1e400</v>`, read as
//! infinity). All are refused (E025) with the cell named and the value as written.

use super::*;
use quick_xml::events::Event;

/// Checks the cells of sheet `nom` of the workbook `octets` (its part found as calamine
/// finds it: the workbook's relationships); nothing is checked when the part cannot be
/// found (calamine then reports the sheet itself). Reads at most `budget` bytes. Returns
/// the sheet's hidden rows and columns, which calamine reads as any other.
pub(super) fn verifier_cases(
    fichier: &str,
    octets: &[u8],
    nom: &str,
    budget: u64,
) -> Result<Masquees, Echec> {
    let mut masquees = Masquees::default();
    let Ok(mut zip) = zip::ZipArchive::new(Cursor::new(octets)) else {
        return Ok(masquees); // reported by the container check
    };
    let Some(partie) = partie_de_feuille(&mut zip, nom, budget) else {
        return Ok(masquees);
    };
    let Ok(e) = zip.by_index(partie) else {
        return Ok(masquees);
    };
    let mut x = lecteur_xml(std::io::BufReader::new(e.take(budget)));
    let mut buf = Vec::new();
    // the current position (0-based) and the current cell's type; the text of its `<v>`
    let (mut ligne, mut colonne) = (0u64, 0u64);
    let mut genre: Option<String> = None;
    let mut dans_v = false;
    let mut texte = String::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e)) => match e.local_name().as_ref() {
                "row" => {
                    ligne = attribut(&e, "r")
                        .and_then(|r| r.parse::<u64>().ok())
                        .unwrap_or(ligne + 1);
                    colonne = 0;
                    if cache(&e) {
                        masquees.lignes.push(ligne);
                    }
                }
                "c" => {
                    let (l, c) = attribut(&e, "r")
                        .and_then(|r| position(r.as_bytes()))
                        .unwrap_or((ligne, colonne + 1));
                    (ligne, colonne) = (l, c);
                    genre = attribut(&e, "t");
                }
                "col" => colonnes(&e, &mut masquees),
                "v" => {
                    dans_v = true;
                    texte.clear();
                }
                _ => {}
            },
            // `<col min="5" max="6" hidden="1"/>`, before the rows
            Ok(Event::Empty(e)) if e.local_name().as_ref() == "col" => colonnes(&e, &mut masquees),
            Ok(Event::Text(t)) if dans_v => texte.push_str(&t.xml10_content()),
            // an entity or character reference: no spreadsheet writes one in a value
            Ok(Event::GeneralRef(_)) if dans_v => texte.push('&'),
            Ok(Event::End(e)) if e.local_name().as_ref() == "v" => {
                dans_v = false;
                let ici = || reference_cellule(nom, colonne.saturating_sub(1) as usize, ligne);
                controler(fichier, genre.as_deref(), texte.trim(), ici)?;
            }
            // malformed XML: calamine reports it
            Ok(Event::Eof) | Err(_) => return Ok(masquees),
            _ => {}
        }
    }
}

/// The rows and columns of a sheet hidden by the person (1-based): `<row hidden="1">`
/// (by hand or by a filter), `<col min max hidden="1">` (by hand or in a folded group).
#[derive(Default)]
pub(super) struct Masquees {
    pub lignes: Vec<u64>,
    /// Ranges `min..=max`.
    pub colonnes: Vec<(u64, u64)>,
}

/// The columns of a `<col min max>` element, kept when hidden.
fn colonnes(e: &quick_xml::events::BytesStart<'_>, masquees: &mut Masquees) {
    let borne = |n| attribut(e, n).and_then(|v| v.parse::<u64>().ok());
    if let (Some(a), Some(b), true) = (borne("min"), borne("max"), cache(e)) {
        masquees.colonnes.push((a, b));
    }
}

/// Whether a `<row>` or `<col>` is hidden.
fn cache(e: &quick_xml::events::BytesStart<'_>) -> bool {
    matches!(attribut(e, "hidden").as_deref(), Some("1" | "true"))
}

/// The value `v` of a cell of type `genre` (`t` attribute): a shared string index is a
/// number; a number cell holds a number as XML writes it (`1234.5`, `1.5E-3`).
fn controler(
    fichier: &str,
    genre: Option<&str>,
    v: &str,
    ici: impl Fn() -> String,
) -> Result<(), Echec> {
    let raison = match genre {
        Some("s") if !v.is_empty() && !v.bytes().all(|b| b.is_ascii_digit()) => {
            "la cellule renvoie à un texte partagé par un numéro qui n'en est pas un"
        }
        None | Some("n") if !v.is_empty() && !nombre_xml(v) => {
            "la cellule est enregistrée comme un nombre mais sa valeur n'en est pas un"
        }
        None | Some("n") if hors_limites(v) => {
            "la cellule est enregistrée comme un nombre hors des limites d'un tableur : il serait lu comme l'infini ou comme 0"
        }
        _ => return Ok(()),
    };
    let court: String = v.chars().take(40).collect();
    Err(Box::new(
        illisible(fichier, raison).cellule(ici()).valeur(court),
    ))
}

/// A number as XML Schema writes a `double` (what every spreadsheet saves): optional sign,
/// digits with an optional point, optional exponent.
fn nombre_xml(v: &str) -> bool {
    let b = v.as_bytes();
    let mut i = usize::from(matches!(b.first(), Some(b'+' | b'-')));
    let chiffres = |i: &mut usize| {
        let d = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - d
    };
    let mut n = chiffres(&mut i);
    if b.get(i) == Some(&b'.') {
        i += 1;
        n += chiffres(&mut i);
    }
    if n == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        i += usize::from(matches!(b.get(i), Some(b'+' | b'-')));
        if chiffres(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Whether a number as XML writes it lies beyond what a `double` holds (`1e400`, read as
/// infinity; `1e-400`, read as 0): no spreadsheet writes one, and its value would be
/// quoted and read as another (`inf`, `0`) instead of as written.
fn hors_limites(v: &str) -> bool {
    let mantisse = v.split(['e', 'E']).next().unwrap_or("");
    v.parse::<f64>().is_ok_and(|f| {
        !f.is_finite() || (f == 0.0 && mantisse.bytes().any(|b| (b'1'..=b'9').contains(&b)))
    })
}

/// The raw value of attribute `cle` (local name) of a start tag.
fn attribut(e: &quick_xml::events::BytesStart<'_>, cle: &str) -> Option<String> {
    e.attributes()
        .with_checks(false)
        .filter_map(Result::ok)
        .find(|a| a.key.local_name().as_ref() == cle)
        .map(|a| a.value.to_string())
}

/// `B12` → (12, 2): the row and the 1-based column of a cell reference.
fn position(r: &[u8]) -> Option<(u64, u64)> {
    let lettres = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let colonne = r[..lettres].iter().try_fold(0u64, |c, b| {
        c.checked_mul(26)?
            .checked_add(u64::from(b.to_ascii_uppercase() - b'A' + 1))
    })?;
    let ligne = std::str::from_utf8(&r[lettres..]).ok()?.parse().ok()?;
    (lettres > 0).then_some((ligne, colonne))
}

/// The index of the zip entry of sheet `nom`, found as calamine finds it: the workbook part
/// named by the package's relationships (`xl/workbook.xml` by default), its `<sheet>` of that
/// name, and the target of its relationship.
fn partie_de_feuille(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    nom: &str,
    budget: u64,
) -> Option<usize> {
    let cible_du_classeur = relations(zip, "_rels/.rels", budget)
        .into_iter()
        .find(|(_, genre, _)| genre.ends_with("/officeDocument"))
        .map(|(_, _, cible)| cible.trim_start_matches('/').to_string())
        .unwrap_or_else(|| "xl/workbook.xml".to_string());
    let (dossier, classeur) = match cible_du_classeur.rsplit_once('/') {
        Some((d, f)) => (format!("{d}/"), f.to_string()),
        None => (String::new(), cible_du_classeur.clone()),
    };
    let id = id_de_feuille(zip, &cible_du_classeur, nom, budget)?;
    let rels = format!("{dossier}_rels/{classeur}.rels");
    let cible = relations(zip, &rels, budget)
        .into_iter()
        .find(|(i, _, _)| *i == id)
        .map(|(_, _, c)| c)?;
    let chemin = match cible.strip_prefix('/') {
        Some(absolu) => absolu.to_string(),
        None => format!("{dossier}{cible}"),
    };
    indice(zip, &chemin)
}

/// The entry named `chemin`, compared as calamine compares them (case and separators aside).
fn indice(zip: &zip::ZipArchive<Cursor<&[u8]>>, chemin: &str) -> Option<usize> {
    let norme = |s: &str| s.replace('\\', "/").to_lowercase();
    let voulu = norme(chemin);
    zip.index_for_name(chemin).or_else(|| {
        (0..zip.len()).find(|i| {
            zip.name_for_index(*i).is_some_and(|n| {
                norme(&n.ok().map(|c| c.into_owned()).unwrap_or_default()) == voulu
            })
        })
    })
}

/// The `r:id` of the `<sheet>` named `nom` in the workbook part `chemin`.
fn id_de_feuille(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    chemin: &str,
    nom: &str,
    budget: u64,
) -> Option<String> {
    let i = indice(zip, chemin)?;
    let e = zip.by_index(i).ok()?;
    let mut x = lecteur_xml(std::io::BufReader::new(e.take(budget)));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "sheet" => {
                let nom_lu = attribut(&e, "name")
                    .and_then(|n| quick_xml::escape::unescape(&n).ok().map(|s| s.into_owned()));
                if nom_lu.as_deref() == Some(nom) {
                    return attribut(&e, "id");
                }
            }
            Ok(Event::Eof) | Err(_) => return None,
            _ => {}
        }
    }
}

/// The relationships of part `chemin`: (Id, Type, Target).
fn relations(
    zip: &mut zip::ZipArchive<Cursor<&[u8]>>,
    chemin: &str,
    budget: u64,
) -> Vec<(String, String, String)> {
    let mut r = Vec::new();
    let Some(e) = indice(zip, chemin).and_then(|i| zip.by_index(i).ok()) else {
        return r;
    };
    let mut x = lecteur_xml(std::io::BufReader::new(e.take(budget)));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match x.read_event_into(&mut buf) {
            Ok(Event::Start(e)) if e.local_name().as_ref() == "Relationship" => r.push((
                attribut(&e, "Id").unwrap_or_default(),
                attribut(&e, "Type").unwrap_or_default(),
                attribut(&e, "Target").unwrap_or_default(),
            )),
            Ok(Event::Eof) | Err(_) => return r,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nombres_du_xml() {
        for v in [
            "0", "40", "-3", "+3", "1234.5", ".5", "5.", "1.5E-3", "2e10", "1E+2",
        ] {
            assert!(nombre_xml(v), "{v}");
        }
        for v in [
            "10000,5", "1 000", "", "-", ".", "e5", "1e", "1e+", "inf", "NaN", "0x10", "1.2.3",
            "١٢",
        ] {
            assert!(!nombre_xml(v), "{v}");
        }
    }

    #[test]
    fn nombres_hors_limites() {
        for v in ["1e400", "-1E+309", "1e-400", "0.0000001e-330"] {
            assert!(hors_limites(v), "{v}");
        }
        for v in ["0", "0.0", "0e-400", "1e308", "4.9e-324", "12000", "1.5E-3"] {
            assert!(!hors_limites(v), "{v}");
        }
    }

    #[test]
    fn positions() {
        assert_eq!(position(b"A1"), Some((1, 1)));
        assert_eq!(position(b"J3"), Some((3, 10)));
        assert_eq!(position(b"AA10"), Some((10, 27)));
        assert_eq!(position(b"xfd1048576"), Some((1_048_576, 16_384)));
        assert_eq!(position(b"12"), None);
        assert_eq!(position(b"B"), None);
    }
}
