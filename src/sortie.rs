//! Atomic output writing: a temporary file in the target folder, fsync, then rename. A failed
//! run never truncates an existing output.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// Why a write was refused or failed (French message for the user).
#[derive(Debug)]
pub struct ErreurEcriture(pub String);

/// Writes `octets` to `chemin` atomically. Refuses an existing file unless `ecraser`.
pub fn ecrire_atomique(chemin: &Path, octets: &[u8], ecraser: bool) -> Result<(), ErreurEcriture> {
    if chemin.exists() && !ecraser {
        return Err(ErreurEcriture(format!(
            "{} existe déjà : ajoutez --ecraser pour le remplacer",
            chemin.display()
        )));
    }
    let dossier = match chemin.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    let nom = chemin
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "sortie".into());
    let tmp = dossier.join(format!(".{nom}.{}.tmp", std::process::id()));
    let resultat = (|| -> io::Result<()> {
        // a stale temporary file (or a link planted there) is removed, never written through
        let _ = fs::remove_file(&tmp);
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(octets)?;
        f.sync_all()?;
        drop(f);
        if ecraser {
            fs::rename(&tmp, chemin)?;
        } else {
            // no-clobber even if the file appeared since the check above: a hard link fails
            // on an existing target (rename would replace it); a file system without hard
            // links falls back to rename
            match fs::hard_link(&tmp, chemin) {
                Ok(()) => fs::remove_file(&tmp)?,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Err(e),
                Err(_) => fs::rename(&tmp, chemin)?,
            }
        }
        if let Ok(d) = File::open(&dossier) {
            let _ = d.sync_all();
        }
        Ok(())
    })();
    resultat.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        ErreurEcriture(format!("écriture de {} impossible : {e}", chemin.display()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuse_sans_ecraser_et_remplace_avec() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("r.csv");
        ecrire_atomique(&p, b"un", false).unwrap();
        assert!(ecrire_atomique(&p, b"deux", false).is_err());
        assert_eq!(fs::read(&p).unwrap(), b"un");
        ecrire_atomique(&p, b"deux", true).unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"deux");
        // no temporary file left behind
        assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
        // unwritable target: error, nothing created
        assert!(ecrire_atomique(&d.path().join("absent/x.csv"), b"x", false).is_err());
    }
}
