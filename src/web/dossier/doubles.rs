//! Entries of an uploaded archive under one name, refused (E135).

use super::*;

/// Two entries of the archive under one name are refused (E135): the zip reader keeps one
/// entry per name, the last one, so a second `structures.csv` at the same path would replace
/// the first without a word (and the order of the entries would change the amounts). No
/// folder holds two files of one name: such an archive is not a compressed folder. The
/// message names the entries, from the central directory.
pub(super) fn refuser_entrees_en_double(
    nom: &str,
    octets: &[u8],
    archive: &zip::ZipArchive<std::io::Cursor<&[u8]>>,
) -> Result<(), Diagnostics> {
    if !archive.has_duplicate_names() {
        return Ok(());
    }
    let noms = noms_du_repertoire(octets, archive.central_directory_start());
    let mut compte: std::collections::HashMap<&[u8], usize> = std::collections::HashMap::new();
    for n in &noms {
        *compte.entry(n).or_default() += 1;
    }
    let mut doubles: Vec<String> = Vec::new();
    for n in &noms {
        match compte.get_mut(n) {
            Some(c) if *c > 1 => {
                doubles.push(format!("« {} » ({} fois)", nom_d_entree(archive, n), c));
                // (named once)
                *c = 0;
            }
            _ => {}
        }
    }
    let message = if doubles.is_empty() {
        // (two names made the same by their Unicode field: the reader merges them too)
        "deux entrées de l'archive portent le même nom : impossible de savoir laquelle lire"
            .to_string()
    } else {
        format!(
            "{} au même chemin dans l'archive : {} ; impossible de savoir quelle copie lire",
            if doubles.len() > 1 {
                "entrées présentes plusieurs fois"
            } else {
                "entrée présente plusieurs fois"
            },
            doubles.join(", ")
        )
    };
    Err(err_zip(
        Code::E135,
        nom,
        message,
        "gardez une seule copie de chaque fichier du dossier, puis compressez le dossier avec l'outil « Compresser » de votre système",
    ))
}

/// The raw names of the central directory's entries from `debut`, in order, repeats kept
/// (read up to the first bytes that are not an entry's header).
fn noms_du_repertoire(octets: &[u8], debut: u64) -> Vec<&[u8]> {
    let mut noms = Vec::new();
    let mut i = usize::try_from(debut).unwrap_or(usize::MAX);
    while let Some(h) = octets.get(i..).filter(|h| h.starts_with(b"PK\x01\x02")) {
        let longueur = |k: usize| {
            h.get(k..k + 2)
                .map(|b| usize::from(u16::from_le_bytes([b[0], b[1]])))
        };
        // name, extra field and comment lengths at 28, 30 and 32; the name at 46
        let (Some(n), Some(x), Some(c)) = (longueur(28), longueur(30), longueur(32)) else {
            break;
        };
        let Some(nom) = h.get(46..46 + n) else {
            break;
        };
        noms.push(nom);
        i = i.saturating_add(46 + n + x + c);
    }
    noms
}

/// The name of the entry `brut` as the reader decodes it (UTF-8 or CP437).
fn nom_d_entree(archive: &zip::ZipArchive<std::io::Cursor<&[u8]>>, brut: &[u8]) -> String {
    archive
        .index_for_name_raw(brut)
        .and_then(|i| archive.name_for_index(i))
        .and_then(Result::ok)
        .map_or_else(
            || String::from_utf8_lossy(brut).into_owned(),
            |n| n.into_owned(),
        )
}
