//! Where the opened dossiers live: what was uploaded (the bytes, re-read on each request)
//! and the simulation steps made on it. In memory, a bounded LRU
//! ([`super::CAPACITE_MEMOIRE`] dossiers and [`MEMOIRE_OCTETS_MAX`] bytes of uploads, the
//! least recently used dropped first); with
//! `--base FICHIER.sqlite`, a SQLite table, so that a URL can be reopened after a restart.

use super::simulation::Modif;
use lru::LruCache;
use rusqlite::{params, Connection, OptionalExtension};
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// What a dossier was opened from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Genre {
    /// A workbook dossier (`.xlsx`).
    Classeur,
    /// A `.zip` of a folder dossier.
    Zip,
    /// A fixture embedded in the binary (`octets` empty, `nom` its name).
    Exemple,
}

impl Genre {
    fn code(self) -> &'static str {
        match self {
            Genre::Classeur => "classeur",
            Genre::Zip => "zip",
            Genre::Exemple => "exemple",
        }
    }
    fn de(s: &str) -> Option<Self> {
        match s {
            "classeur" => Some(Genre::Classeur),
            "zip" => Some(Genre::Zip),
            "exemple" => Some(Genre::Exemple),
            _ => None,
        }
    }
}

/// One stored dossier.
#[derive(Debug, Clone)]
pub struct Enregistrement {
    pub genre: Genre,
    /// The uploaded file's name (shown, never used as a path).
    pub nom: String,
    pub octets: Arc<Vec<u8>>,
    /// Simulation steps, oldest first; each step is one submitted form.
    pub etapes: Vec<Vec<Modif>>,
}

/// Without `--base`: the uploaded files kept in memory weigh at most this (256 Mo).
pub const MEMOIRE_OCTETS_MAX: usize = 256 * 1024 * 1024;

pub enum Magasin {
    /// The dossiers and the most bytes of uploads kept.
    Memoire(Mutex<LruCache<String, Enregistrement>>, usize),
    Base(Mutex<Connection>),
}

fn verrou<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn e139(e: impl std::fmt::Display) -> String {
    format!("erreur E139 : base des dossiers : {e}")
}

impl Magasin {
    pub fn memoire(capacite: usize, octets_max: usize) -> Self {
        Magasin::Memoire(
            Mutex::new(LruCache::new(
                NonZeroUsize::new(capacite).unwrap_or(NonZeroUsize::MIN),
            )),
            octets_max,
        )
    }

    /// Opens (or creates) the SQLite base.
    pub fn ouvrir(chemin: &Path) -> Result<Self, String> {
        let c = Connection::open(chemin).map_err(|e| {
            format!(
                "erreur E139 : base {} inutilisable : {e} (conseil : donnez un fichier .sqlite dans un dossier où vous pouvez écrire)",
                chemin.display()
            )
        })?;
        c.execute_batch(
            "PRAGMA journal_mode=WAL;
             CREATE TABLE IF NOT EXISTS dossiers (
                 id TEXT PRIMARY KEY,
                 genre TEXT NOT NULL,
                 nom TEXT NOT NULL,
                 octets BLOB NOT NULL,
                 etapes TEXT NOT NULL,
                 cree TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
             );",
        )
        .map_err(|e| {
            format!(
                "erreur E139 : base {} inutilisable : ce n'est pas une base SQLite lisible ({e}) (conseil : donnez un nouveau nom de fichier, ou une base créée par bonus-ctg serveur)",
                chemin.display()
            )
        })?;
        Ok(Magasin::Base(Mutex::new(c)))
    }

    /// Stores a new dossier; returns its identifier.
    pub fn ajouter(&self, e: Enregistrement) -> Result<String, String> {
        let id = super::aleatoire();
        match self {
            Magasin::Memoire(m, octets_max) => {
                let mut m = verrou(m);
                m.put(id.clone(), e);
                // also bounded in bytes: the least recently used go first
                while m.len() > 1
                    && m.iter().map(|(_, e)| e.octets.len()).sum::<usize>() > *octets_max
                {
                    m.pop_lru();
                }
            }
            Magasin::Base(c) => {
                let etapes = serde_json::to_string(&e.etapes).map_err(e139)?;
                verrou(c)
                    .execute(
                        "INSERT INTO dossiers (id, genre, nom, octets, etapes) VALUES (?1, ?2, ?3, ?4, ?5)",
                        params![id, e.genre.code(), e.nom, e.octets.as_slice(), etapes],
                    )
                    .map_err(e139)?;
            }
        }
        Ok(id)
    }

    /// The dossier `id`, if known (and not dropped from memory).
    pub fn lire(&self, id: &str) -> Result<Option<Enregistrement>, String> {
        match self {
            Magasin::Memoire(m, _) => Ok(verrou(m).get(id).cloned()),
            Magasin::Base(c) => {
                let ligne = verrou(c)
                    .query_row(
                        "SELECT genre, nom, octets, etapes FROM dossiers WHERE id = ?1",
                        params![id],
                        |r| {
                            Ok((
                                r.get::<_, String>(0)?,
                                r.get::<_, String>(1)?,
                                r.get::<_, Vec<u8>>(2)?,
                                r.get::<_, String>(3)?,
                            ))
                        },
                    )
                    .optional()
                    .map_err(e139)?;
                let Some((genre, nom, octets, etapes)) = ligne else {
                    return Ok(None);
                };
                let genre = Genre::de(&genre).ok_or_else(|| e139("genre de dossier inconnu"))?;
                let etapes = serde_json::from_str(&etapes).map_err(e139)?;
                Ok(Some(Enregistrement {
                    genre,
                    nom,
                    octets: Arc::new(octets),
                    etapes,
                }))
            }
        }
    }

    /// Replaces the simulation steps of `id`.
    pub fn ecrire_etapes(&self, id: &str, etapes: &[Vec<Modif>]) -> Result<(), String> {
        match self {
            Magasin::Memoire(m, _) => {
                if let Some(e) = verrou(m).get_mut(id) {
                    e.etapes = etapes.to_vec();
                }
                Ok(())
            }
            Magasin::Base(c) => {
                let t = serde_json::to_string(etapes).map_err(e139)?;
                verrou(c)
                    .execute(
                        "UPDATE dossiers SET etapes = ?1 WHERE id = ?2",
                        params![t, id],
                    )
                    .map_err(e139)?;
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn enr(n: usize) -> Enregistrement {
        Enregistrement {
            genre: Genre::Zip,
            nom: "a.zip".into(),
            octets: Arc::new(vec![0; n]),
            etapes: Vec::new(),
        }
    }

    #[test]
    fn memoire_bornee_en_nombre_et_en_octets() {
        let m = Magasin::memoire(2, 1000);
        let a = m.ajouter(enr(10)).unwrap();
        let b = m.ajouter(enr(10)).unwrap();
        // a is used: b is now the least recently used, dropped by the third
        assert!(m.lire(&a).unwrap().is_some());
        let c = m.ajouter(enr(10)).unwrap();
        assert!(m.lire(&b).unwrap().is_none());
        assert!(m.lire(&a).unwrap().is_some() && m.lire(&c).unwrap().is_some());
        // 10 + 995 > 1000 bytes: the older one goes, the new one stays (even alone too big)
        let d = m.ajouter(enr(995)).unwrap();
        assert!(m.lire(&a).unwrap().is_none() && m.lire(&c).unwrap().is_none());
        assert!(m.lire(&d).unwrap().is_some());
        let e = m.ajouter(enr(2000)).unwrap();
        assert!(m.lire(&d).unwrap().is_none() && m.lire(&e).unwrap().is_some());
        assert_ne!(a, b);
    }
}
