//! The lot's output folder: checked before anything is written (never inside the
//! dossiers, never a foreign folder), then replaced as a whole in one step.

use super::*;
use crate::diagnostic::Code;

/// The absolute form of `p` with its existing part's links resolved and `.`/`..` of the
/// part that does not exist yet applied to the names.
pub(super) fn resoudre(p: &Path) -> std::io::Result<PathBuf> {
    use std::path::Component;
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir()?.join(p)
    };
    let comps: Vec<Component> = abs.components().collect();
    for k in (1..=comps.len()).rev() {
        let debut: PathBuf = comps[..k].iter().collect();
        if let Ok(mut r) = debut.canonicalize() {
            for c in &comps[k..] {
                match c {
                    Component::ParentDir => {
                        r.pop();
                    }
                    Component::Normal(n) => r.push(n),
                    _ => {}
                }
            }
            return Ok(r);
        }
    }
    Ok(abs)
}

/// What an existing output folder holds.
pub(super) enum Contenu {
    Vide,
    /// Only what `lot` writes (an earlier result).
    Resultat,
    /// Something else: the first foreign name.
    Autre(String),
}

pub(super) fn contenu(s: &Path) -> std::io::Result<Contenu> {
    let mut vide = true;
    for e in std::fs::read_dir(s)? {
        let e = e?;
        vide = false;
        let n = e.file_name();
        let t = e.file_type()?;
        let n8 = n.to_string_lossy();
        let a_nous = match n8.as_ref() {
            CONSOLIDE | DIAGNOSTICS => t.is_file(),
            SOUS_DOSSIER => {
                t.is_dir()
                    && std::fs::read_dir(e.path())?
                        .all(|f| f.and_then(|f| f.file_type()).is_ok_and(|t| t.is_file()))
            }
            // temporary file of an older version
            x => x.starts_with('.') && x.ends_with(".tmp") && t.is_file(),
        };
        if !a_nous {
            return Ok(Contenu::Autre(n8.into_owned()));
        }
    }
    Ok(if vide {
        Contenu::Vide
    } else {
        Contenu::Resultat
    })
}

pub(super) fn err(code: Code, chemin: &Path, message: impl std::fmt::Display) -> String {
    sortie::ErreurEcriture::new(code, chemin, message).to_string()
}

/// The checks on the output folder before anything is computed. Returns the resolved
/// output folder.
pub(super) fn verifier_sortie(
    racine: &Path,
    o: &OptionsLot,
    dossiers: &[(String, PathBuf)],
) -> Result<PathBuf, String> {
    let sortie_donnee = &o.sortie;
    sortie::verifier_dossier_cible(sortie_donnee, "le résultat d'un lot est un dossier")
        .map_err(|e| e.to_string())?;
    let s = resoudre(sortie_donnee).map_err(|e| {
        sortie::ErreurEcriture::io(sortie_donnee, "accès impossible", &e).to_string()
    })?;
    let r = racine.canonicalize().map_err(|e| {
        format!(
            "erreur {} : {} : lecture du dossier impossible : {}",
            Code::E002,
            racine.display(),
            texte_io(&e)
        )
    })?;
    if r.starts_with(&s) {
        return Err(err(
            sortie::E_SORTIE_DANS_ENTREE,
            sortie_donnee,
            format!(
                "le dossier de sortie contient les dossiers à calculer ({}) : il est remplacé en entier par le résultat ; choisissez un autre dossier (par défaut : {})",
                racine.display(),
                sortie_lot_defaut(racine).display()
            ),
        ));
    }
    for (nom, d) in dossiers {
        if d.canonicalize().is_ok_and(|c| s.starts_with(c)) {
            return Err(err(
                sortie::E_SORTIE_DANS_ENTREE,
                sortie_donnee,
                format!(
                    "le dossier de sortie est dans le dossier à calculer « {nom} » : choisissez un dossier hors des dossiers calculés"
                ),
            ));
        }
    }
    if s.is_dir() {
        verifier_contenu(&s, sortie_donnee, o.ecraser)?;
    }
    Ok(s)
}

/// The existing output folder `s` (named `sortie_donnee` on the command line) may be
/// replaced: empty, or the result of an earlier lot with `--ecraser`; never a data folder
/// nor a folder holding anything else.
fn verifier_contenu(s: &Path, sortie_donnee: &Path, ecraser: bool) -> Result<(), String> {
    match contenu(s)
        .map_err(|e| sortie::ErreurEcriture::io(sortie_donnee, "lecture impossible", &e).to_string())?
    {
        Contenu::Vide => Ok(()),
        Contenu::Resultat if ecraser => Ok(()),
        Contenu::Resultat => Err(err(
            sortie::E_EXISTE,
            sortie_donnee,
            "contient déjà un résultat : ajoutez --ecraser pour le remplacer (en entier)",
        )),
        Contenu::Autre(_)
            if ["convention.toml", "dossier.xlsx"]
                .iter()
                .any(|f| s.join(f).exists()) =>
        {
            Err(err(
                sortie::E_SORTIE_DANS_ENTREE,
                sortie_donnee,
                "c'est un dossier de données (convention.toml) : choisissez un dossier hors des dossiers calculés",
            ))
        }
        Contenu::Autre(n) => Err(err(
            sortie::E_EXISTE,
            sortie_donnee,
            format!(
                "contient « {n} », qui ne vient pas de bonus-ctg lot : le dossier de sortie est remplacé en entier, choisissez un dossier vide ou neuf"
            ),
        )),
    }
}

/// `DOSSIERS-resultats`, next to `DOSSIERS` (the default output folder).
pub fn sortie_lot_defaut(dossiers: &Path) -> PathBuf {
    let nom = dossiers
        .file_name()
        .map_or("lot".into(), |n| n.to_string_lossy().into_owned());
    dossiers.with_file_name(format!("{nom}-resultats"))
}

/// Puts the complete new folder `neuf` in place of `cible`, the change made durable (the
/// parent folder synced). Without `ecraser` a plain rename (refused by the system if
/// `cible` is a non-empty folder); with it, an atomic swap, the sync, then the removal of
/// the old folder (now named `neuf`): its removal need not be durable (a crash leaves a
/// hidden folder that the next run removes), and the sync then commits the swap alone
/// instead of a hundred removals.
pub(crate) fn remplacer(neuf: &Path, cible: &Path, ecraser: bool) -> std::io::Result<()> {
    let parent = cible.parent().unwrap_or(Path::new("."));
    let existe = std::fs::symlink_metadata(cible).is_ok();
    if !existe || !ecraser {
        std::fs::rename(neuf, cible)?;
        sortie::synchroniser_dossier(parent);
        return Ok(());
    }
    match sortie::echanger(neuf, cible) {
        Ok(()) => {
            sortie::synchroniser_dossier(parent);
            // a kill here leaves the old folder under the hidden name: removed next time
            supprimer_ancien(neuf);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {
            // two renames: a kill between them leaves the old folder as `.NOM.PID.ancien`,
            // put back by the next run
            let Some(nom) = cible.file_name() else {
                return Err(e);
            };
            let ancien = parent.join(sortie::nom_temporaire(nom, std::process::id(), "ancien"));
            std::fs::rename(cible, &ancien)?;
            if let Err(e) = std::fs::rename(neuf, cible) {
                let _ = std::fs::rename(&ancien, cible);
                return Err(e);
            }
            sortie::synchroniser_dossier(parent);
            supprimer_ancien(&ancien);
            Ok(())
        }
        Err(e) => Err(e),
    }
}

/// The hidden folders of killed runs next to `cible`: an old folder put aside
/// (`.NOM.PID.ancien`) goes back in place if `cible` is missing; the rest is removed.
pub(crate) fn nettoyer_orphelins(parent: &Path, nom: &std::ffi::OsStr, cible: &Path) {
    for (p, _) in sortie::temporaires_orphelins(parent, nom, "ancien") {
        if std::fs::symlink_metadata(cible).is_err() && std::fs::rename(&p, cible).is_ok() {
            continue;
        }
        supprimer_dossier_cache(&p);
    }
    for (p, _) in sortie::temporaires_orphelins(parent, nom, "nouveau") {
        supprimer_dossier_cache(&p);
    }
}

/// Removes a hidden folder of ours (never through a link).
fn supprimer_dossier_cache(p: &Path) {
    if std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir()) {
        let _ = std::fs::remove_dir_all(p);
    }
}

/// Removes the replaced folder (ours: files, and folders of files). Its files first, several
/// at a time: on a disk that discards freed blocks (`discard`), each removal of a file whose
/// bytes are on the disk waits for the disk (0,1 to 0,3 ms each; a hundred one after the
/// other were a sixth of the national lot's time), and those waits overlap; then
/// `remove_dir_all` for what is left. Never through a link: each folder is opened without
/// following one (`O_NOFOLLOW`) and its files are removed relative to that opening.
fn supprimer_ancien(p: &Path) {
    #[cfg(target_os = "linux")]
    supprimer_fichiers_en_parallele(p);
    let _ = std::fs::remove_dir_all(p);
}

#[cfg(target_os = "linux")]
fn supprimer_fichiers_en_parallele(p: &Path) {
    use std::ffi::CString;
    use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
    use std::os::unix::ffi::OsStrExt;
    const DOSSIER: libc::c_int =
        libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
    // the folder and its sub-folders (one level: what `lot` writes), each opened once
    let Ok(c) = CString::new(p.as_os_str().as_bytes()) else {
        return;
    };
    // SAFETY: a valid NUL-terminated path; the descriptor is owned right after
    let fd = unsafe { libc::open(c.as_ptr(), DOSSIER) };
    if fd < 0 {
        return;
    }
    // SAFETY: `fd` was just opened by us and is closed only by this `OwnedFd`
    let mut dossiers = vec![(p.to_path_buf(), unsafe { OwnedFd::from_raw_fd(fd) })];
    let mut fichiers: Vec<(usize, CString)> = Vec::new();
    let mut k = 0;
    while k < dossiers.len() {
        let Ok(entrees) = std::fs::read_dir(&dossiers[k].0) else {
            k += 1;
            continue;
        };
        for e in entrees.flatten() {
            let Ok(nom) = CString::new(e.file_name().as_bytes()) else {
                continue;
            };
            // the entry's own type (a link is not followed)
            match e.file_type() {
                Ok(t) if t.is_dir() && k == 0 => {
                    // SAFETY: a valid descriptor and a NUL-terminated name
                    let sous =
                        unsafe { libc::openat(dossiers[0].1.as_raw_fd(), nom.as_ptr(), DOSSIER) };
                    if sous >= 0 {
                        // SAFETY: just opened by us, owned from here
                        dossiers.push((e.path(), unsafe { OwnedFd::from_raw_fd(sous) }));
                    }
                }
                Ok(t) if !t.is_dir() => fichiers.push((k, nom)),
                _ => {}
            }
        }
        k += 1;
    }
    sortie::plusieurs_a_la_fois(&fichiers, 16, |(d, nom)| {
        // SAFETY: a descriptor kept open by `dossiers`, a NUL-terminated name; a failure
        // leaves the file to `remove_dir_all`
        unsafe { libc::unlinkat(dossiers[*d].1.as_raw_fd(), nom.as_ptr(), 0) };
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The replaced folder goes entirely (files, sub-folder, a link), and what a link inside
    /// it points to is left alone.
    #[test]
    fn supprime_l_ancien_dossier_sans_suivre_les_liens() {
        let dir = tempfile::tempdir().expect("dossier temporaire");
        let dehors = dir.path().join("dehors");
        std::fs::create_dir(&dehors).expect("dossier");
        std::fs::write(dehors.join("garde.csv"), "à garder").expect("fichier");
        let ancien = dir.path().join(".sortie.1.nouveau");
        std::fs::create_dir_all(ancien.join("dossiers")).expect("dossier");
        for i in 0..40 {
            std::fs::write(ancien.join("dossiers").join(format!("d{i}.csv")), "x;y\r\n")
                .expect("fichier");
        }
        std::fs::write(ancien.join("consolide.csv"), "a;b\r\n").expect("fichier");
        std::os::unix::fs::symlink(&dehors, ancien.join("lien")).expect("lien");
        std::os::unix::fs::symlink(dehors.join("garde.csv"), ancien.join("dossiers/lien.csv"))
            .expect("lien");
        supprimer_ancien(&ancien);
        assert!(std::fs::symlink_metadata(&ancien).is_err());
        assert_eq!(
            std::fs::read_to_string(dehors.join("garde.csv")).expect("fichier gardé"),
            "à garder"
        );
        // a link given in place of the folder: nothing removed through it
        std::os::unix::fs::symlink(&dehors, dir.path().join("lien-dossier")).expect("lien");
        supprimer_ancien(&dir.path().join("lien-dossier"));
        assert!(dehors.join("garde.csv").exists());
    }
}
