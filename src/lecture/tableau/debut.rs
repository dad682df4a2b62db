//! What comes before the records of a CSV text: its line endings, its header (the first
//! non-empty line, its delimiter and names), and the check that every value is under a
//! named column.

use super::*;

/// Every value is under a named column: E058 for the first value of each column whose
/// header name is empty (a header cleared by mistake would otherwise make its values
/// ignored and the column take its default); `false` when there is one. Columns left empty
/// under an empty name (a spreadsheet's trailing `;;`) are accepted.
pub(super) fn valeurs_sous_entete(
    forme: &Forme,
    lignes: &Lignes,
    ligne_entete: u64,
    diags: &mut Diagnostics,
) -> bool {
    let mut ok = true;
    for (i, _) in forme.noms.iter().enumerate().filter(|(_, n)| n.is_empty()) {
        let premiere = lignes.iter().find_map(|(no, e)| {
            e.get(i)
                .filter(|v| !texte::blanc(v))
                .map(|v| (*no, v.trim()))
        });
        if let Some((no, v)) = premiere {
            let d = crate::lecture::entete::valeur_sans_entete(
                forme.fichier,
                None,
                ligne_entete,
                i,
                no,
                v,
            );
            diags.push(d);
            ok = false;
        }
    }
    ok
}

/// Excel for Mac's « CSV (Macintosh) » ends lines with a lone CR: every lone CR (not
/// followed by LF) becomes LF, also in a file that mixes them with LF or CRLF (lines pasted
/// from another file), so that lines are counted as the reader cuts them (a line number
/// is the physical line of the file).
pub(super) fn fins_de_ligne_mac(texte: &str) -> Cow<'_, str> {
    let o = texte.as_bytes();
    let seul = |i: usize| o.get(i + 1) != Some(&b'\n');
    if !memchr::memchr_iter(b'\r', o).any(seul) {
        return Cow::Borrowed(texte);
    }
    let mut r = String::with_capacity(texte.len());
    let mut debut = 0;
    for i in memchr::memchr_iter(b'\r', o).filter(|&i| seul(i)) {
        r.push_str(&texte[debut..i]);
        r.push('\n');
        debut = i + 1;
    }
    r.push_str(&texte[debut..]);
    Cow::Owned(r)
}

/// The header is the first non-empty line: its index and the text from it on (byte offsets
/// stay simple). `None` (E005) for a text without one.
pub(super) fn couper_avant_entete<'t>(
    fichier: &str,
    texte: &'t str,
    requises: &[&str],
    diags: &mut Diagnostics,
) -> Option<(usize, &'t str)> {
    let Some(debut) = texte.lines().position(|l| !l.trim().is_empty()) else {
        diags.push(
            Diagnostic::erreur(Code::E005, fichier, "fichier vide : aucune ligne d'en-tête")
                .conseil(format!(
                    "la première ligne doit nommer les colonnes : {}",
                    requises.join(", ")
                )),
        );
        return None;
    };
    let off: usize = texte
        .split_inclusive('\n')
        .take(debut)
        .map(|l| l.len())
        .sum();
    Some((debut, &texte[off..]))
}

/// The delimiter (`;`, `,` or tab) that gives the header the most known columns, and the
/// header's names read with it. `None` (E005) when none gives any.
pub(super) fn delimiteur_et_noms(
    fichier: &str,
    reste: &str,
    debut: usize,
    connues: &[&str],
    diags: &mut Diagnostics,
) -> Option<(u8, Vec<String>)> {
    let mut meilleur: Option<(usize, u8, Vec<String>)> = None;
    for d in [b';', b',', b'\t'] {
        let noms = decouper_entete(reste, d);
        let n = noms
            .iter()
            .filter(|n| colonne_de(n, connues).is_some())
            .count();
        if n > 0 && meilleur.as_ref().is_none_or(|(m, _, _)| n > *m) {
            meilleur = Some((n, d, noms));
        }
    }
    if let Some((_, delimiteur, noms)) = meilleur {
        return Some((delimiteur, noms));
    }
    let premiere = reste
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(120)
        .collect::<String>();
    diags.push(
        Diagnostic::erreur(Code::E005, fichier, "en-tête non reconnu : aucune colonne attendue trouvée (séparateurs essayés : « ; », « , », tabulation)")
            .ligne(debut as u64 + 1)
            .valeur(premiere)
            .conseil(format!("colonnes attendues : {}", connues.join(", "))),
    );
    None
}

/// Reads the header record (as [`decouper_entete`] read it): `true` when a quoted name
/// spans lines (it would swallow the first records).
pub(super) fn entete_multiligne(lecteur: &mut Lecteur) -> bool {
    let fin = lecteur.fin_de_ligne();
    if memchr::memchr(b'"', &lecteur.octets[lecteur.pos..fin]).is_none() {
        // no quote: one line, its end left to the skipping of line breaks
        lecteur.pos = fin;
        return false;
    }
    let mut multiligne = false;
    while let Some(c) = lecteur.champ(true) {
        multiligne |= c.multiligne;
        if c.fin_enregistrement {
            break;
        }
    }
    multiligne
}
