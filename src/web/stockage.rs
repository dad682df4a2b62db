//! Where the opened dossiers live: what was uploaded (the bytes, re-read on each request)
//! and the simulation steps made on it. In memory, a bounded LRU
//! ([`super::CAPACITE_MEMOIRE`] dossiers and [`MEMOIRE_OCTETS_MAX`] bytes of uploads, the
//! least recently used dropped first); with
//! `--base FICHIER.sqlite`, a SQLite table, so that a URL can be reopened after a restart.
//!
//! Also the named scenarios (a dossier and its simulation steps, saved under a name by one
//! browser) and the journal of the computations (when, the SHA-256 of the dossier's bytes
//! and of its steps, the barème in force, the tool's version, the totals). In memory, the
//! dossiers and scenarios expire [`EXPIRATION`] after their last use and are bounded in
//! number; in SQLite (WAL, `synchronous=FULL`), they last, and triggers refuse any
//! `UPDATE` or `DELETE` of the journal: the application can only add to it.

use super::simulation::Modif;
use lru::LruCache;
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::VecDeque;
use std::num::NonZeroUsize;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

/// The server's clock: seconds since 1970-01-01 UTC (injected by the tests).
pub type Horloge = Arc<dyn Fn() -> u64 + Send + Sync>;

/// The system clock.
pub fn horloge_systeme() -> Horloge {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    })
}

/// Without `--base`, a dossier or a scenario unused for 2 hours is forgotten.
pub const EXPIRATION: u64 = 2 * 3600;
/// Without `--base`, the journal keeps its last 10 000 lines.
pub const JOURNAL_MEMOIRE_MAX: usize = 10_000;

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

/// A scenario saved under a name: a copy of the dossier and its steps at that moment.
#[derive(Debug, Clone)]
pub struct ScenarioEnregistre {
    pub id: String,
    pub nom: String,
    /// Fingerprint of the browser that saved it (its list shows only its own).
    pub proprietaire: String,
    /// When (seconds of the clock).
    pub quand: u64,
    pub dossier: Enregistrement,
}

/// One line of the journal of computations.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntreeJournal {
    /// Order number (given by the store).
    pub numero: i64,
    /// When (seconds since 1970-01-01 UTC).
    pub quand: u64,
    /// What asked for it: « dépôt », « simulation », « api/calculer »…
    pub origine: String,
    /// The convention's name.
    pub dossier: String,
    /// The uploaded file's name (or the fixture's).
    pub fichier: String,
    /// SHA-256 of the dossier's bytes (of the fixture's files for an embedded one).
    pub empreinte: String,
    /// SHA-256 of the simulation steps (JSON), empty without any.
    pub empreinte_modifications: String,
    pub exercice: Option<i32>,
    /// The barème in force: its origin and the SHA-256 of its parameters for the exercice.
    pub bareme: String,
    /// Version of bonus-ctg.
    pub version: String,
    pub structures: Option<i64>,
    /// Totals in cents: paid by the Caf, bonus of the structures, contributions N.
    pub verse_caf: Option<i64>,
    pub bonus_total: Option<i64>,
    pub contribution_n: Option<i64>,
}

/// What the memory keeps (without `--base`).
pub struct Memoire {
    /// Dossier → (record, last use).
    dossiers: LruCache<String, (Enregistrement, u64)>,
    scenarios: LruCache<String, (ScenarioEnregistre, u64)>,
    journal: VecDeque<EntreeJournal>,
    numero: i64,
    octets_max: usize,
}

pub enum Magasin {
    Memoire(Mutex<Memoire>, Horloge),
    Base(Mutex<Connection>, Horloge),
}

fn verrou<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn e139(e: impl std::fmt::Display) -> String {
    format!("erreur E139 : base des dossiers : {e}")
}

impl Magasin {
    pub fn memoire(capacite: usize, octets_max: usize) -> Self {
        Self::memoire_horloge(capacite, octets_max, horloge_systeme())
    }

    /// In memory, with the given clock.
    pub fn memoire_horloge(capacite: usize, octets_max: usize, horloge: Horloge) -> Self {
        let n = NonZeroUsize::new(capacite).unwrap_or(NonZeroUsize::MIN);
        Magasin::Memoire(
            Mutex::new(Memoire {
                dossiers: LruCache::new(n),
                scenarios: LruCache::new(n),
                journal: VecDeque::new(),
                numero: 0,
                octets_max,
            }),
            horloge,
        )
    }

    fn maintenant(&self) -> u64 {
        match self {
            Magasin::Memoire(_, h) | Magasin::Base(_, h) => h(),
        }
    }

    /// Opens (or creates) the SQLite base.
    pub fn ouvrir(chemin: &Path) -> Result<Self, String> {
        Self::ouvrir_horloge(chemin, horloge_systeme())
    }

    /// Opens (or creates) the SQLite base, with the given clock.
    pub fn ouvrir_horloge(chemin: &Path, horloge: Horloge) -> Result<Self, String> {
        let c = Connection::open(chemin).map_err(|e| {
            format!(
                "erreur E139 : base {} inutilisable : {e} (conseil : donnez un fichier .sqlite dans un dossier où vous pouvez écrire)",
                chemin.display()
            )
        })?;
        c.execute_batch(SCHEMA)
        .map_err(|e| {
            format!(
                "erreur E139 : base {} inutilisable : ce n'est pas une base SQLite lisible ({e}) (conseil : donnez un nouveau nom de fichier, ou une base créée par bonus-ctg serveur)",
                chemin.display()
            )
        })?;
        Ok(Magasin::Base(Mutex::new(c), horloge))
    }

    /// Stores a new dossier; returns its identifier.
    pub fn ajouter(&self, e: Enregistrement) -> Result<String, String> {
        let id = super::aleatoire();
        match self {
            Magasin::Memoire(m, h) => {
                let t = h();
                let mut m = verrou(m);
                m.purger(t);
                let octets_max = m.octets_max;
                let d = &mut m.dossiers;
                d.put(id.clone(), (e, t));
                // also bounded in bytes: the least recently used go first
                while d.len() > 1
                    && d.iter().map(|(_, (e, _))| e.octets.len()).sum::<usize>() > octets_max
                {
                    d.pop_lru();
                }
            }
            Magasin::Base(c, _) => {
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
            Magasin::Memoire(m, h) => {
                let t = h();
                let mut m = verrou(m);
                Ok(match m.dossiers.get_mut(id) {
                    Some((e, vu)) if t.saturating_sub(*vu) < EXPIRATION => {
                        *vu = t;
                        Some(e.clone())
                    }
                    Some(_) => {
                        m.dossiers.pop(id);
                        None
                    }
                    None => None,
                })
            }
            Magasin::Base(c, _) => {
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

    /// Replaces the simulation steps of `id` if they still are `avant`, the steps the
    /// change was made on: `Ok(false)` when another request changed them meanwhile (two
    /// tabs, a double click), and nothing is written — the last writer would otherwise
    /// drop the other's step without a word.
    pub fn ecrire_etapes(
        &self,
        id: &str,
        avant: &[Vec<Modif>],
        etapes: &[Vec<Modif>],
    ) -> Result<bool, String> {
        match self {
            Magasin::Memoire(m, h) => {
                if let Some((e, vu)) = verrou(m).dossiers.get_mut(id) {
                    if e.etapes != avant {
                        return Ok(false);
                    }
                    e.etapes = etapes.to_vec();
                    *vu = h();
                }
                Ok(true)
            }
            Magasin::Base(c, _) => {
                let t = serde_json::to_string(etapes).map_err(e139)?;
                // (the connection's lock makes the reading and the writing one step)
                let c = verrou(c);
                let actuelles: Option<String> = c
                    .query_row(
                        "SELECT etapes FROM dossiers WHERE id = ?1",
                        params![id],
                        |r| r.get(0),
                    )
                    .optional()
                    .map_err(e139)?;
                if let Some(a) = actuelles {
                    let a: Vec<Vec<Modif>> = serde_json::from_str(&a).map_err(e139)?;
                    if a != avant {
                        return Ok(false);
                    }
                }
                c.execute(
                    "UPDATE dossiers SET etapes = ?1 WHERE id = ?2",
                    params![t, id],
                )
                .map_err(e139)?;
                Ok(true)
            }
        }
    }
}

/// The tables of `--base`. The journal is append-only for the application: its triggers
/// refuse `UPDATE` and `DELETE`.
const SCHEMA: &str = "PRAGMA journal_mode=WAL;
PRAGMA synchronous=FULL;
CREATE TABLE IF NOT EXISTS dossiers (
    id TEXT PRIMARY KEY,
    genre TEXT NOT NULL,
    nom TEXT NOT NULL,
    octets BLOB NOT NULL,
    etapes TEXT NOT NULL,
    cree TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE IF NOT EXISTS scenarios (
    id TEXT PRIMARY KEY,
    nom TEXT NOT NULL,
    proprietaire TEXT NOT NULL,
    quand INTEGER NOT NULL,
    genre TEXT NOT NULL,
    fichier TEXT NOT NULL,
    octets BLOB NOT NULL,
    etapes TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS scenarios_proprietaire ON scenarios (proprietaire, quand);
CREATE TABLE IF NOT EXISTS journal (
    numero INTEGER PRIMARY KEY AUTOINCREMENT,
    quand INTEGER NOT NULL,
    origine TEXT NOT NULL,
    dossier TEXT NOT NULL,
    fichier TEXT NOT NULL,
    empreinte TEXT NOT NULL,
    empreinte_modifications TEXT NOT NULL,
    exercice INTEGER,
    bareme TEXT NOT NULL,
    version TEXT NOT NULL,
    structures INTEGER,
    verse_caf INTEGER,
    bonus_total INTEGER,
    contribution_n INTEGER
);
CREATE TRIGGER IF NOT EXISTS journal_sans_modification BEFORE UPDATE ON journal
BEGIN SELECT RAISE(ABORT, 'journal en ajout seul : une ligne ne se modifie pas'); END;
CREATE TRIGGER IF NOT EXISTS journal_sans_suppression BEFORE DELETE ON journal
BEGIN SELECT RAISE(ABORT, 'journal en ajout seul : une ligne ne se supprime pas'); END;";

impl Memoire {
    /// Drops what was not used for [`EXPIRATION`].
    fn purger(&mut self, t: u64) {
        let vieux: Vec<String> = self
            .dossiers
            .iter()
            .filter(|(_, (_, vu))| t.saturating_sub(*vu) >= EXPIRATION)
            .map(|(k, _)| k.clone())
            .collect();
        for k in vieux {
            self.dossiers.pop(&k);
        }
        let vieux: Vec<String> = self
            .scenarios
            .iter()
            .filter(|(_, (_, vu))| t.saturating_sub(*vu) >= EXPIRATION)
            .map(|(k, _)| k.clone())
            .collect();
        for k in vieux {
            self.scenarios.pop(&k);
        }
    }
}

mod scenarios;
pub use scenarios::ResumeScenario;

#[cfg(test)]
mod tests;
