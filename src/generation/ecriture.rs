//! Writing a generated set to disk: the marker of the previous generation, no write through
//! a symbolic link, each file atomically.

use super::*;
use crate::sortie::ErreurEcriture;
use std::path::{Path, PathBuf};

/// Summary of a generation written to disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bilan {
    pub dossiers: usize,
    pub collectivites: usize,
    pub structures: usize,
    pub octets: u64,
}

/// Marker file written in the folder by [`ecrire`]: the dossiers of the last generation, so
/// that generating again replaces them (and only them).
pub const MARQUE: &str = ".bonus-ctg-generer";
pub(super) const FICHIERS: [&str; 4] = [
    "convention.toml",
    "structures.csv",
    "charges_n1.csv",
    "bareme.toml",
];

/// Removes the files of the previous generation listed in the marker (other files are kept;
/// a dossier folder is removed only when it is left empty).
pub(super) fn retirer_generation(racine: &Path) -> Result<(), ErreurEcriture> {
    let marque = racine.join(MARQUE);
    let Ok(texte) = std::fs::read_to_string(&marque) else {
        return Ok(());
    };
    for nom in texte.lines().map(str::trim) {
        let sur = !nom.is_empty()
            && !nom.starts_with('#')
            && !nom.starts_with('.')
            && !nom.contains(['/', '\\']);
        if !sur {
            continue;
        }
        let rep = racine.join(nom);
        for f in FICHIERS {
            let _ = std::fs::remove_file(rep.join(f));
        }
        let _ = std::fs::remove_dir(&rep);
    }
    std::fs::remove_file(&marque)
        .map_err(|e| crate::sortie::ErreurEcriture::io(&marque, "suppression impossible", &e))
}

/// The dossier names listed in the marker of a previous generation.
pub(super) fn noms_marques(racine: &Path) -> Vec<String> {
    std::fs::read_to_string(racine.join(MARQUE))
        .map(|t| {
            t.lines()
                .map(str::trim)
                .filter(|n| !n.is_empty() && !n.starts_with('#'))
                .map(String::from)
                .collect()
        })
        .unwrap_or_default()
}

/// Nothing is written, replaced or removed through a symbolic link: neither the folder
/// itself, nor a dossier folder, nor a file it would write or remove (E086); a dossier
/// name taken by something else than a folder is refused too (E081).
pub(super) fn refuser_liens<'a>(
    racine: &Path,
    noms: impl Iterator<Item = &'a str>,
) -> Result<(), ErreurEcriture> {
    use crate::sortie::{genre, E_LIEN, E_PAS_UN_FICHIER};
    let lien = |p: &Path| {
        ErreurEcriture::new(
            E_LIEN,
            p,
            "c'est un lien symbolique : generer n'écrit pas à travers un lien ; donnez un dossier réel",
        )
    };
    let lstat = |p: &Path| std::fs::symlink_metadata(p).ok();
    match lstat(racine) {
        None => return Ok(()),
        Some(m) if m.file_type().is_symlink() => return Err(lien(racine)),
        Some(m) if !m.is_dir() => {
            return Err(ErreurEcriture::new(
                E_PAS_UN_FICHIER,
                racine,
                format!("c'est {} : un dossier est attendu", genre(&m)),
            ))
        }
        Some(_) => {}
    }
    if lstat(&racine.join(MARQUE)).is_some_and(|m| m.file_type().is_symlink()) {
        return Err(lien(&racine.join(MARQUE)));
    }
    for nom in noms {
        let rep = racine.join(nom);
        match lstat(&rep) {
            None => continue,
            Some(m) if m.file_type().is_symlink() => return Err(lien(&rep)),
            Some(m) if !m.is_dir() => {
                return Err(ErreurEcriture::new(
                    E_PAS_UN_FICHIER,
                    &rep,
                    format!("c'est {} : un dossier est attendu", genre(&m)),
                ))
            }
            Some(_) => {}
        }
        for f in FICHIERS {
            let p = rep.join(f);
            match lstat(&p) {
                Some(m) if m.file_type().is_symlink() => return Err(lien(&p)),
                Some(m) if !m.is_file() => {
                    return Err(ErreurEcriture::new(
                        E_PAS_UN_FICHIER,
                        &p,
                        format!("c'est {} : un fichier ordinaire est attendu", genre(&m)),
                    ))
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Why [`ecrire`] wrote nothing, or stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErreurGeneration {
    /// Parameters that describe no set (a usage error).
    Parametres(String),
    /// The folder refused, or a write failed (E08x).
    Ecriture(ErreurEcriture),
}

impl From<ErreurEcriture> for ErreurGeneration {
    fn from(e: ErreurEcriture) -> Self {
        ErreurGeneration::Ecriture(e)
    }
}

impl std::fmt::Display for ErreurGeneration {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ErreurGeneration::Parametres(m) => write!(f, "erreur : {m}"),
            ErreurGeneration::Ecriture(e) => write!(f, "{e}"),
        }
    }
}

/// Generates and writes the set under `racine` (one sub-folder per dossier), atomically file
/// by file. A folder holding a previous generation (marker [`MARQUE`]) is regenerated; any
/// other non-empty folder is refused unless `ecraser`. Nothing is written through a symbolic
/// link.
pub fn ecrire(racine: &Path, p: &Parametres, ecraser: bool) -> Result<Bilan, ErreurGeneration> {
    verifier(p).map_err(ErreurGeneration::Parametres)?;
    let precedente = racine.join(MARQUE).is_file();
    if !ecraser && !precedente {
        if let Ok(mut it) = std::fs::read_dir(racine) {
            if it.next().is_some() {
                return Err(crate::sortie::ErreurEcriture::new(
                    crate::sortie::E_EXISTE,
                    racine,
                    "existe, n'est pas vide et ne vient pas de bonus-ctg generer : ajoutez --ecraser pour y écrire",
                )
                .into());
            }
        }
    }
    let dossiers = generer(p).map_err(ErreurGeneration::Parametres)?;
    let marques = noms_marques(racine);
    refuser_liens(
        racine,
        dossiers
            .iter()
            .map(|d| d.nom.as_str())
            .chain(marques.iter().map(String::as_str)),
    )?;
    retirer_generation(racine)?;
    let mut bilan = Bilan {
        dossiers: 0,
        collectivites: 0,
        structures: 0,
        octets: 0,
    };
    let mut marque = format!(
        "# bonus-ctg generer --collectivites {} --structures {} --graine {} --dossiers {}\n",
        p.collectivites,
        p.structures,
        p.graine,
        p.nombre_dossiers()
    );
    for d in &dossiers {
        let rep = racine.join(&d.nom);
        std::fs::create_dir_all(&rep).map_err(|e| {
            crate::sortie::ErreurEcriture::io(&rep, "création du dossier impossible", &e)
        })?;
        let f = &d.fichiers;
        let mut fichiers: Vec<(PathBuf, &str)> = vec![
            (rep.join("convention.toml"), &f.convention),
            (rep.join("structures.csv"), &f.structures),
            (rep.join("charges_n1.csv"), &f.charges),
        ];
        match &f.bareme {
            Some((_, t)) => fichiers.push((rep.join("bareme.toml"), t)),
            // replacing (--ecraser): a barème left from before would change the results
            None => {
                let _ = std::fs::remove_file(rep.join("bareme.toml"));
            }
        }
        // overwriting is allowed here: the folder was empty, a previous generation, or
        // --ecraser was given
        for (chemin, texte) in fichiers {
            crate::sortie::ecrire_atomique(&chemin, texte.as_bytes(), true)?;
            bilan.octets += texte.len() as u64;
        }
        marque.push_str(&d.nom);
        marque.push('\n');
        bilan.dossiers += 1;
        bilan.collectivites += d.collectivites;
        bilan.structures += d.structures;
    }
    crate::sortie::ecrire_atomique(&racine.join(MARQUE), marque.as_bytes(), true)?;
    Ok(bilan)
}
