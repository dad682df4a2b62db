//! The named scenarios and the journal of the computations, in memory or in SQLite.

use super::*;

/// A saved scenario as listed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResumeScenario {
    pub id: String,
    pub nom: String,
    pub fichier: String,
    pub etapes: usize,
    pub quand: u64,
}

fn ligne_journal(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntreeJournal> {
    Ok(EntreeJournal {
        numero: r.get(0)?,
        quand: r.get::<_, i64>(1)?.max(0) as u64,
        origine: r.get(2)?,
        dossier: r.get(3)?,
        fichier: r.get(4)?,
        empreinte: r.get(5)?,
        empreinte_modifications: r.get(6)?,
        exercice: r.get(7)?,
        bareme: r.get(8)?,
        version: r.get(9)?,
        structures: r.get(10)?,
        verse_caf: r.get(11)?,
        bonus_total: r.get(12)?,
        contribution_n: r.get(13)?,
    })
}

impl Magasin {
    /// Saves a copy of `dossier` (its bytes and steps now) under `nom`; returns the
    /// scenario's identifier (128 random bits).
    pub fn enregistrer_scenario(
        &self,
        nom: &str,
        proprietaire: &str,
        dossier: &Enregistrement,
    ) -> Result<String, String> {
        let id = crate::web::securite::aleatoire_os();
        let quand = self.maintenant();
        match self {
            Magasin::Memoire(m, _) => {
                let mut m = verrou(m);
                m.purger(quand);
                m.scenarios.put(
                    id.clone(),
                    (
                        ScenarioEnregistre {
                            id: id.clone(),
                            nom: nom.to_string(),
                            proprietaire: proprietaire.to_string(),
                            quand,
                            dossier: dossier.clone(),
                        },
                        quand,
                    ),
                );
                // also bounded in bytes, as the dossiers: the least recently used go first
                let octets_max = m.octets_max;
                let sc = &mut m.scenarios;
                while sc.len() > 1
                    && sc
                        .iter()
                        .map(|(_, (s, _))| s.dossier.octets.len())
                        .sum::<usize>()
                        > octets_max
                {
                    sc.pop_lru();
                }
            }
            Magasin::Base(c, _) => {
                let etapes = serde_json::to_string(&dossier.etapes).map_err(e139)?;
                verrou(c)
                    .execute(
                        "INSERT INTO scenarios (id, nom, proprietaire, quand, genre, fichier, octets, etapes) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                        params![
                            id,
                            nom,
                            proprietaire,
                            quand as i64,
                            dossier.genre.code(),
                            dossier.nom,
                            dossier.octets.as_slice(),
                            etapes
                        ],
                    )
                    .map_err(e139)?;
            }
        }
        Ok(id)
    }

    /// The scenarios saved by `proprietaire`, newest first.
    pub fn scenarios(&self, proprietaire: &str) -> Result<Vec<ResumeScenario>, String> {
        match self {
            Magasin::Memoire(m, h) => {
                let t = h();
                let mut m = verrou(m);
                m.purger(t);
                let mut v: Vec<ResumeScenario> = m
                    .scenarios
                    .iter()
                    .filter(|(_, (s, _))| s.proprietaire == proprietaire)
                    .map(|(_, (s, _))| ResumeScenario {
                        id: s.id.clone(),
                        nom: s.nom.clone(),
                        fichier: s.dossier.nom.clone(),
                        etapes: s.dossier.etapes.len(),
                        quand: s.quand,
                    })
                    .collect();
                v.sort_by(|a, b| b.quand.cmp(&a.quand).then(a.nom.cmp(&b.nom)));
                Ok(v)
            }
            Magasin::Base(c, _) => {
                let c = verrou(c);
                let mut q = c
                    .prepare(
                        "SELECT id, nom, fichier, etapes, quand FROM scenarios WHERE proprietaire = ?1 ORDER BY quand DESC, nom LIMIT 1000",
                    )
                    .map_err(e139)?;
                let v = q
                    .query_map(params![proprietaire], |r| {
                        Ok((
                            r.get::<_, String>(0)?,
                            r.get::<_, String>(1)?,
                            r.get::<_, String>(2)?,
                            r.get::<_, String>(3)?,
                            r.get::<_, i64>(4)?,
                        ))
                    })
                    .map_err(e139)?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(e139)?;
                Ok(v.into_iter()
                    .map(|(id, nom, fichier, etapes, quand)| ResumeScenario {
                        id,
                        nom,
                        fichier,
                        etapes: serde_json::from_str::<Vec<serde_json::Value>>(&etapes)
                            .map_or(0, |e| e.len()),
                        quand: quand.max(0) as u64,
                    })
                    .collect())
            }
        }
    }

    /// The saved scenario `id`, if known (and, in memory, not expired).
    pub fn scenario(&self, id: &str) -> Result<Option<ScenarioEnregistre>, String> {
        match self {
            Magasin::Memoire(m, h) => {
                let t = h();
                let mut m = verrou(m);
                Ok(match m.scenarios.get_mut(id) {
                    Some((s, vu)) if t.saturating_sub(*vu) < EXPIRATION => {
                        *vu = t;
                        Some(s.clone())
                    }
                    Some(_) => {
                        m.scenarios.pop(id);
                        None
                    }
                    None => None,
                })
            }
            Magasin::Base(c, _) => {
                let l = verrou(c)
                    .query_row(
                        "SELECT nom, proprietaire, quand, genre, fichier, octets, etapes FROM scenarios WHERE id = ?1",
                        params![id],
                        |r| {
                            Ok((
                                r.get::<_, String>(0)?,
                                r.get::<_, String>(1)?,
                                r.get::<_, i64>(2)?,
                                r.get::<_, String>(3)?,
                                r.get::<_, String>(4)?,
                                r.get::<_, Vec<u8>>(5)?,
                                r.get::<_, String>(6)?,
                            ))
                        },
                    )
                    .optional()
                    .map_err(e139)?;
                let Some((nom, proprietaire, quand, genre, fichier, octets, etapes)) = l else {
                    return Ok(None);
                };
                Ok(Some(ScenarioEnregistre {
                    id: id.to_string(),
                    nom,
                    proprietaire,
                    quand: quand.max(0) as u64,
                    dossier: Enregistrement {
                        genre: Genre::de(&genre).ok_or_else(|| e139("genre de dossier inconnu"))?,
                        nom: fichier,
                        octets: Arc::new(octets),
                        etapes: serde_json::from_str(&etapes).map_err(e139)?,
                    },
                }))
            }
        }
    }

    /// Adds a line to the journal (its `numero` and `quand` are given here).
    pub fn journaliser(&self, mut e: EntreeJournal) -> Result<(), String> {
        e.quand = self.maintenant();
        match self {
            Magasin::Memoire(m, _) => {
                let mut m = verrou(m);
                m.numero += 1;
                e.numero = m.numero;
                m.journal.push_back(e);
                while m.journal.len() > JOURNAL_MEMOIRE_MAX {
                    m.journal.pop_front();
                }
                Ok(())
            }
            Magasin::Base(c, _) => {
                verrou(c)
                    .execute(
                        "INSERT INTO journal (quand, origine, dossier, fichier, empreinte, empreinte_modifications, exercice, bareme, version, structures, verse_caf, bonus_total, contribution_n) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
                        params![
                            e.quand as i64,
                            e.origine,
                            e.dossier,
                            e.fichier,
                            e.empreinte,
                            e.empreinte_modifications,
                            e.exercice,
                            e.bareme,
                            e.version,
                            e.structures,
                            e.verse_caf,
                            e.bonus_total,
                            e.contribution_n
                        ],
                    )
                    .map_err(e139)?;
                Ok(())
            }
        }
    }

    /// The last `n` lines of the journal, newest first.
    pub fn journal(&self, n: usize) -> Result<Vec<EntreeJournal>, String> {
        match self {
            Magasin::Memoire(m, _) => Ok(verrou(m).journal.iter().rev().take(n).cloned().collect()),
            Magasin::Base(c, _) => {
                let c = verrou(c);
                let mut q = c
                    .prepare(
                        "SELECT numero, quand, origine, dossier, fichier, empreinte, empreinte_modifications, exercice, bareme, version, structures, verse_caf, bonus_total, contribution_n FROM journal ORDER BY numero DESC LIMIT ?1",
                    )
                    .map_err(e139)?;
                let v = q
                    .query_map(params![n as i64], ligne_journal)
                    .map_err(e139)?
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(e139)?;
                Ok(v)
            }
        }
    }
}
