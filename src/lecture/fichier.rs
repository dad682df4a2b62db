//! Reading one input file from disk, safely: only a regular file is read (a named pipe, a
//! device, a socket, or a symbolic link to one of them is refused before any byte is read,
//! so that the tool neither blocks on a pipe nor reads `/dev/zero` until memory runs out),
//! and never more than a given limit (the size is checked before reading, and the read
//! itself is bounded in case the file grows meanwhile). Memory is the file's size.
//!
//! Every file the tool reads goes through here: the dossier's tables and TOML files, the
//! events file of `projeter` and the notification of `verifier`.

use super::tableau::groupe;
use crate::diagnostic::Code;
use crate::diagnostic::{texte_io, Diagnostic};
use std::fs::{self, File, Metadata};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Size of a TOML file (`convention.toml`, `bareme.toml`), at most: a convention of 2 000
/// collectivités is under 200 kB, a barème under 10 kB.
pub const TOML_TAILLE_MAX: u64 = 2_000_000;
/// Keys, values and tables of a TOML file, at most (counted from above by
/// [`elements_toml`]); a convention of 2 000 collectivités has about 12 000.
pub const TOML_ELEMENTS_MAX: usize = 100_000;

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum Refus {
    Introuvable,
    Dossier,
    /// Not a regular file: what it is, and the target when the path is a symbolic link.
    Special {
        quoi: &'static str,
        cible: Option<PathBuf>,
    },
    /// Larger than the limit: the size (or, `au_moins`, the bytes read before stopping).
    TropGros {
        taille: u64,
        au_moins: bool,
    },
    Io(io::Error),
}

fn nature(m: &Metadata) -> Option<&'static str> {
    let t = m.file_type();
    if t.is_file() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("un tube nommé (FIFO)");
        }
        if t.is_char_device() {
            return Some("un périphérique (mode caractère)");
        }
        if t.is_block_device() {
            return Some("un périphérique (mode bloc)");
        }
        if t.is_socket() {
            return Some("une socket");
        }
    }
    Some("un fichier spécial")
}

/// Refuses anything but a regular file (`m` follows symbolic links).
fn verifier_type(chemin: &Path, m: &Metadata) -> Result<(), Refus> {
    if m.is_dir() {
        return Err(Refus::Dossier);
    }
    let Some(quoi) = nature(m) else {
        return Ok(());
    };
    let lien = fs::symlink_metadata(chemin).is_ok_and(|l| l.file_type().is_symlink());
    Err(Refus::Special {
        quoi,
        cible: lien.then(|| fs::canonicalize(chemin).ok()).flatten(),
    })
}

fn io(e: io::Error) -> Refus {
    if e.kind() == io::ErrorKind::NotFound {
        Refus::Introuvable
    } else {
        Refus::Io(e)
    }
}

/// Opens without blocking (a pipe swapped in after the check must not block the open) and
/// without becoming the controlling terminal.
fn ouvrir(chemin: &Path) -> io::Result<File> {
    let mut o = fs::OpenOptions::new();
    o.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    o.open(chemin)
}

/// The bytes of a regular file of at most `limite` bytes.
pub(crate) fn lire_brut(chemin: &Path, limite: u64) -> Result<Vec<u8>, Refus> {
    // checked before opening: opening a device may have effects, a pipe may block
    let m = fs::metadata(chemin).map_err(io)?;
    verifier_type(chemin, &m)?;
    if m.len() > limite {
        return Err(Refus::TropGros {
            taille: m.len(),
            au_moins: false,
        });
    }
    let f = ouvrir(chemin).map_err(io)?;
    // checked again on the open file: the path may have been replaced in between
    let m = f.metadata().map_err(Refus::Io)?;
    verifier_type(chemin, &m)?;
    if m.len() > limite {
        return Err(Refus::TropGros {
            taille: m.len(),
            au_moins: false,
        });
    }
    let mut octets = Vec::with_capacity(m.len() as usize);
    f.take(limite.saturating_add(1))
        .read_to_end(&mut octets)
        .map_err(Refus::Io)?;
    if octets.len() as u64 > limite {
        // the file grew while being read
        return Err(Refus::TropGros {
            taille: octets.len() as u64,
            au_moins: true,
        });
    }
    Ok(octets)
}

/// Megabytes, rounded up (a file of 200 000 001 bytes is « 201 Mo », above « 200 Mo »).
fn mo(n: u64) -> u64 {
    n.div_ceil(1_000_000)
}

/// The diagnostic of a refusal (`nom` is the file's name in messages).
pub(crate) fn diagnostic(chemin: &Path, nom: &str, limite: u64, r: Refus) -> Diagnostic {
    let lieu = chemin.display().to_string();
    match r {
        Refus::Introuvable => {
            Diagnostic::erreur(Code::E001, &lieu, format!("fichier « {nom} » introuvable"))
        }
        Refus::Dossier => Diagnostic::erreur(
            Code::E002,
            &lieu,
            "lecture impossible : c'est un dossier, pas un fichier",
        )
        .conseil("vérifiez le fichier et ses droits d'accès"),
        Refus::Io(e) => Diagnostic::erreur(
            Code::E002,
            &lieu,
            format!("lecture impossible : {}", texte_io(&e)),
        )
        .conseil("vérifiez le fichier et ses droits d'accès"),
        Refus::Special { quoi, cible } => {
            let quoi = match cible {
                Some(c) => format!("un lien vers {}, {quoi}", c.display()),
                None => quoi.to_string(),
            };
            Diagnostic::erreur(
                Code::E070,
                &lieu,
                format!("lecture refusée : c'est {quoi}, pas un fichier ordinaire"),
            )
            .conseil("enregistrez les données dans un fichier ordinaire : un tube, un périphérique ou une socket ne sont pas lus (leur lecture pourrait ne jamais finir)")
        }
        Refus::TropGros { taille, au_moins } => Diagnostic::erreur(
            Code::E023,
            nom,
            if au_moins {
                // stopped after `limite + 1` bytes: the whole size is unknown
                format!(
                    "fichier trop gros : plus de {} Mo (maximum {} Mo)",
                    limite / 1_000_000,
                    limite / 1_000_000
                )
            } else {
                format!(
                    "fichier trop gros : {} Mo (maximum {} Mo)",
                    mo(taille),
                    limite / 1_000_000
                )
            },
        )
        .conseil("un dossier décrit une seule convention : vérifiez qu'il s'agit du bon fichier"),
    }
}

/// Reads a regular file of at most `limite` bytes (the error is boxed: a diagnostic is
/// large). `nom` names the file in messages (the
/// path itself is given in the diagnostic's file field when the file is missing, is not a
/// regular file or cannot be read).
///
/// Errors: E001 missing (no advice: the caller knows which file is expected), E002
/// unreadable (a directory, no permission…), E070 not a regular file (named pipe, device,
/// socket, or a link to one), E023 larger than `limite`.
pub fn lire_fichier_borne(
    chemin: &Path,
    nom: &str,
    limite: u64,
) -> Result<Vec<u8>, Box<Diagnostic>> {
    lire_brut(chemin, limite).map_err(|r| Box::new(diagnostic(chemin, nom, limite, r)))
}

/// An upper bound of the number of keys, values and tables of a TOML text, without parsing
/// it: each of them needs one of `=` (a key), `,` or `[` (an array element, a table
/// header), `{` (an inline table) or `.` (a dotted key); counting these bytes everywhere,
/// strings and comments included, can only overestimate.
pub fn elements_toml(texte: &str) -> usize {
    texte
        .bytes()
        .filter(|b| matches!(b, b'=' | b',' | b'[' | b'{' | b'.'))
        .count()
}

/// The E071 diagnostic of a TOML file over [`TOML_TAILLE_MAX`] bytes.
pub(crate) fn toml_trop_gros(nom: &str, taille: u64, au_moins: bool) -> Diagnostic {
    Diagnostic::erreur(
        Code::E071,
        nom,
        format!(
            "fichier TOML trop gros : {}{} octets (maximum {})",
            if au_moins { "plus de " } else { "" },
            groupe(taille.min(usize::MAX as u64) as usize),
            groupe(TOML_TAILLE_MAX as usize)
        ),
    )
    .conseil("convention.toml et bareme.toml sont de petits fichiers (quelques dizaines de kilo-octets) : vérifiez qu'il s'agit du bon fichier")
}

/// The E071 diagnostic of a TOML text with too many elements ([`TOML_ELEMENTS_MAX`]), or
/// `None`.
pub fn verifier_elements_toml(nom: &str, texte: &str) -> Option<Diagnostic> {
    let n = elements_toml(texte);
    (n > TOML_ELEMENTS_MAX).then(|| {
        Diagnostic::erreur(
            Code::E071,
            nom,
            format!(
                "fichier TOML trop chargé : {} séparateurs de clés, valeurs ou tables (maximum {})",
                groupe(n),
                groupe(TOML_ELEMENTS_MAX)
            ),
        )
        .conseil("une convention compte au plus 2 000 collectivités : vérifiez qu'il s'agit du bon fichier")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fichier_ordinaire_lu_et_borne() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("a.csv");
        fs::write(&p, b"0123456789").unwrap();
        assert_eq!(lire_fichier_borne(&p, "a.csv", 10).unwrap(), b"0123456789");
        let e = lire_fichier_borne(&p, "a.csv", 9).unwrap_err();
        assert_eq!(e.code, Code::E023);
        // 10 bytes = 1 Mo rounded up; limit 9 bytes = 0 Mo
        assert_eq!(e.message, "fichier trop gros : 1 Mo (maximum 0 Mo)");
        let e = lire_fichier_borne(&d.path().join("b.csv"), "b.csv", 9).unwrap_err();
        assert_eq!(e.code, Code::E001);
        assert_eq!(e.message, "fichier « b.csv » introuvable");
        let e = lire_fichier_borne(d.path(), "d", 9).unwrap_err();
        assert_eq!(e.code, Code::E002);
    }

    #[test]
    fn compte_des_elements_toml() {
        // `a = [1, 2]` : « = », « [ », « , » → 3 (the key a, the array, its 2nd element)
        assert_eq!(elements_toml("a = [1, 2]\n# commentaire\n"), 3);
        // `[[c]]\nid = "x.y"` : 2 « [ », 1 « = », 1 « . » (in the string: overestimated)
        assert_eq!(elements_toml("[[c]]\nid = \"x.y\"\n"), 4);
        assert!(verifier_elements_toml("c.toml", &",".repeat(TOML_ELEMENTS_MAX)).is_none());
        let e = verifier_elements_toml("c.toml", &",".repeat(TOML_ELEMENTS_MAX + 1)).unwrap();
        assert_eq!(e.code, Code::E071);
        assert_eq!(
            e.message,
            "fichier TOML trop chargé : 100 001 séparateurs de clés, valeurs ou tables (maximum 100 000)"
        );
    }
}
