//! Putting complete temporary files in place: one file ([`super::ecrire_fichier_avec`]),
//! or the files of one output folder together ([`ecrire_ensemble`]).

use super::*;

/// What the message of a failed write says when no target was touched.
pub(super) const RIEN_ECRIT: &str = "rien n'a été écrit";

/// A complete and synced temporary file `tmp`, waiting to be put in place at `chemin`.
pub(super) struct Pret {
    tmp: PathBuf,
    chemin: PathBuf,
    /// The target existed (a regular file, replaced) when it was checked.
    remplace: bool,
}

impl Pret {
    /// Puts the temporary file in place (see [`publier`]); `bilan` ends the message of a
    /// refusal (what was written so far). The temporary file is removed on failure.
    pub(super) fn publier(self, bilan: &str) -> Result<(), ErreurEcriture> {
        let r = publier(&self.tmp, &self.chemin, self.remplace, bilan);
        match &r {
            Ok(()) => synchroniser_dossier(&dossier_de(&self.chemin)),
            Err(_) => {
                let _ = fs::remove_file(&self.tmp);
            }
        }
        r
    }
    /// Removes the temporary file (the target is left as it was).
    fn abandonner(self) {
        let _ = fs::remove_file(&self.tmp);
    }
}

/// Writes the content given by `ecrire` into a new temporary file next to `chemin`
/// (`.NOM.PID.tmp`), with the permissions of the file it will replace (`existant`), and
/// syncs it. On failure nothing is left behind.
pub(super) fn preparer(
    chemin: &Path,
    existant: Option<&Metadata>,
    ecrire: impl FnOnce(&mut (dyn Write + Send)) -> io::Result<()>,
) -> Result<Pret, ErreurEcriture> {
    let Some(nom) = chemin.file_name() else {
        return Err(ErreurEcriture::new(
            E_PAS_UN_FICHIER,
            chemin,
            "ce chemin ne nomme pas un fichier",
        ));
    };
    let dossier = dossier_de(chemin);
    nettoyer_temporaires(&dossier, nom);
    let tmp = dossier.join(nom_temporaire(nom, std::process::id(), "tmp"));
    let resultat = (|| -> Result<(), ErreurEcriture> {
        let io = |quoi: &str| {
            let quoi = quoi.to_string();
            move |e: io::Error| ErreurEcriture::io(chemin, &quoi, &e)
        };
        // a temporary file of ours left from before (or a link planted there) is removed,
        // never written through
        let _ = fs::remove_file(&tmp);
        let f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .map_err(io("création du fichier temporaire impossible"))?;
        let mut w = io::BufWriter::with_capacity(1 << 16, f);
        ecrire(&mut w).map_err(io("écriture impossible"))?;
        let f = w
            .into_inner()
            .map_err(|e| e.into_error())
            .map_err(io("écriture impossible"))?;
        if let Some(m) = existant {
            garder_droits(&f, m);
        }
        f.sync_all().map_err(io("écriture impossible"))?;
        Ok(())
    })();
    match resultat {
        Ok(()) => Ok(Pret {
            tmp,
            chemin: chemin.to_path_buf(),
            remplace: existant.is_some(),
        }),
        Err(e) => {
            let _ = fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// Writes several files of one output folder together (`exporter`, `--sortie DOSSIER/`):
/// `ecrire(k, w)` writes the content of `chemins[k]`.
///
/// 1. Every target is checked first, as [`verifier_cible`] does: any refusal comes before
///    anything is written.
/// 2. Every content is written to its temporary file and synced: a failure (disk full, …)
///    removes them all and leaves every target as it was.
/// 3. Every target is checked again (still absent, or still a regular file), then the
///    temporary files are renamed over their targets one after the other. A rename can
///    then only fail when a target changed in the meantime or the system refuses; the
///    message names the files already written and those left as they were.
pub fn ecrire_ensemble(
    chemins: &[PathBuf],
    ecraser: bool,
    entrees: &[PathBuf],
    ecrire: impl FnMut(usize, &mut (dyn Write + Send)) -> io::Result<()>,
) -> Result<(), ErreurEcriture> {
    publier_ensemble(preparer_ensemble(chemins, ecraser, entrees, ecrire)?)
}

/// Writes the files `noms` of the output folder `dossier` together ([`ecrire_ensemble`]):
/// the folder is checked first ([`verifier_dossier_cible`]: never through a link; `usage`
/// says what it is for), created when absent, and removed again (left empty) when the
/// write fails.
pub fn ecrire_dans_dossier(
    dossier: &Path,
    usage: &str,
    noms: &[&str],
    ecraser: bool,
    entrees: &[PathBuf],
    ecrire: impl FnMut(usize, &mut (dyn Write + Send)) -> io::Result<()>,
) -> Result<(), ErreurEcriture> {
    let existe = verifier_dossier_cible(dossier, usage)?;
    let chemins: Vec<PathBuf> = noms.iter().map(|n| dossier.join(n)).collect();
    if !existe {
        fs::create_dir_all(dossier)
            .map_err(|e| ErreurEcriture::io(dossier, "création du dossier impossible", &e))?;
    }
    ecrire_ensemble(&chemins, ecraser, entrees, ecrire).inspect_err(|_| {
        if !existe {
            let _ = fs::remove_dir(dossier);
        }
    })
}

/// Steps 1 and 2 of [`ecrire_ensemble`], and the second check of step 3.
pub(super) fn preparer_ensemble(
    chemins: &[PathBuf],
    ecraser: bool,
    entrees: &[PathBuf],
    mut ecrire: impl FnMut(usize, &mut (dyn Write + Send)) -> io::Result<()>,
) -> Result<Vec<Pret>, ErreurEcriture> {
    let mut existants = Vec::with_capacity(chemins.len());
    for c in chemins {
        existants.push(verifier_cible(c, ecraser, entrees)?);
    }
    let mut prets: Vec<Pret> = Vec::with_capacity(chemins.len());
    for (k, (c, m)) in chemins.iter().zip(&existants).enumerate() {
        match preparer(c, m.as_ref(), |w| ecrire(k, w)) {
            Ok(p) => prets.push(p),
            Err(e) => {
                prets.into_iter().for_each(Pret::abandonner);
                return Err(e);
            }
        }
    }
    if let Some(e) = prets
        .iter()
        .find_map(|p| toujours_remplacable(&p.chemin, p.remplace, RIEN_ECRIT).err())
    {
        prets.into_iter().for_each(Pret::abandonner);
        return Err(e);
    }
    Ok(prets)
}

/// The renames of step 3 of [`ecrire_ensemble`], one after the other; the first failure
/// stops them and removes the temporary files left.
pub(super) fn publier_ensemble(prets: Vec<Pret>) -> Result<(), ErreurEcriture> {
    let noms: Vec<String> = prets
        .iter()
        .map(|p| {
            p.chemin
                .file_name()
                .unwrap_or(p.chemin.as_os_str())
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let mut restants = prets.into_iter().enumerate();
    while let Some((k, p)) = restants.next() {
        if let Err(e) = p.publier(&bilan(&noms[..k], &noms[k..])) {
            restants.for_each(|(_, p)| p.abandonner());
            return Err(e);
        }
    }
    Ok(())
}

/// What a failure in the middle of [`ecrire_ensemble`] leaves: the files `ecrits` are
/// already in place, the files `non_ecrits` were left as they were.
fn bilan(ecrits: &[String], non_ecrits: &[String]) -> String {
    if ecrits.is_empty() {
        return RIEN_ECRIT.to_string();
    }
    let (e, n) = (ecrits.len() > 1, non_ecrits.len() > 1);
    format!(
        "{} : {} ; {} : {}",
        if e { "déjà écrits" } else { "déjà écrit" },
        ecrits.join(", "),
        if n {
            "non écrits, laissés tels quels"
        } else {
            "non écrit, laissé tel quel"
        },
        non_ecrits.join(", ")
    )
}

/// The target may still be put in place: it was a regular file when checked (`remplace`)
/// and is not something else now, or it was absent and still is. `bilan` ends the message.
fn toujours_remplacable(chemin: &Path, remplace: bool, bilan: &str) -> Result<(), ErreurEcriture> {
    match entree(chemin)? {
        Some(m) if remplace && !m.file_type().is_file() => Err(ErreurEcriture::new(
            E_PAS_UN_FICHIER,
            chemin,
            format!("c'est devenu {} pendant le calcul : {bilan}", genre(&m)),
        )),
        Some(_) if !remplace => Err(apparu(chemin, bilan)),
        _ => Ok(()),
    }
}

/// A target absent when checked that exists now.
fn apparu(chemin: &Path, bilan: &str) -> ErreurEcriture {
    ErreurEcriture::new(
        E_EXISTE,
        chemin,
        format!("apparu pendant le calcul : {bilan} (ajoutez --ecraser pour le remplacer)"),
    )
}

/// Puts the complete temporary file `tmp` in place at `chemin`: over the file that was
/// there (`remplace`: still a regular file?), or as a new name that must still be free.
/// `bilan` ends the message of a failure (what was written so far).
fn publier(tmp: &Path, chemin: &Path, remplace: bool, bilan: &str) -> Result<(), ErreurEcriture> {
    let io = |quoi: &'static str| {
        move |e: io::Error| {
            ErreurEcriture::new(
                E_ECRITURE,
                chemin,
                format!("{quoi} : {} ; {bilan}", texte_io(&e)),
            )
        }
    };
    if remplace {
        // the target may have changed since the check: still a regular file?
        toujours_remplacable(chemin, true, bilan)?;
        return fs::rename(tmp, chemin).map_err(io("remplacement impossible"));
    }
    // no-clobber even if something appeared since the check: a hard link fails on an
    // existing target (rename would replace it); a file system without hard links falls
    // back to rename
    match fs::hard_link(tmp, chemin) {
        Ok(()) => {
            let _ = fs::remove_file(tmp);
            Ok(())
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(apparu(chemin, bilan)),
        Err(_) => fs::rename(tmp, chemin).map_err(io("écriture impossible")),
    }
}

/// The replacement keeps the replaced file's permissions (and, when allowed, its owner and
/// group). Best effort: the content is what matters.
fn garder_droits(f: &File, m: &Metadata) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(actuel) = f.metadata() {
            if actuel.uid() != m.uid() || actuel.gid() != m.gid() {
                // before chmod: changing the owner clears the set-user-ID bits
                let _ = std::os::unix::fs::fchown(f, Some(m.uid()), Some(m.gid()));
            }
        }
    }
    let _ = f.set_permissions(m.permissions());
}
