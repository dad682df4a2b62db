//! Batch runs: every dossier found under a folder (one sub-folder each), in
//! parallel, plus one consolidated CSV; the output folder is replaced as a whole (see
//! [`executer`]).
//!
//! Layout of the output folder:
//!
//! ```text
//! SORTIE/consolide.csv         every structure of every valid dossier, then the totals
//! SORTIE/dossiers/NOM.csv      one result per dossier (or NOM.json with --format json)
//! SORTIE/diagnostics.txt       every error and warning, prefixed by the dossier name
//! ```
//!
//! `NOM` is the dossier folder's name, `%` written `%25` and bytes that are not UTF-8
//! written `%XX` ([`nom_dossier`]): distinct folders, distinct files.
//!
//! The consolidated CSV (R40 in docs/regles.md): block 1 has the columns of the structure table
//! preceded by `dossier`; an empty line; block 2 has one row per (dossier, collectivité)
//! (`COLLECTIVITE`), per dossier (`DOSSIER`), per volet over the whole lot (`VOLET`, the
//! structures without a volet on a row with an empty `volet`), and the lot's `TOTAL`.
//! A dossier with invalid data is reported with its located errors and skipped; the others
//! complete. Output is independent of the number of threads (dossiers in name order).

use crate::calcul::{GroupeVolet, LigneStructure, Resultat};
use crate::diagnostic::Code;
use crate::diagnostic::{texte_io, Diagnostics};
use crate::lecture::{self, OptionsLecture};
use crate::modele::Montant;
use crate::rapport::{self, Profil};
use crate::sortie;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

mod dossier;
mod remplacement;
mod totaux;
use dossier::{chemin_resultat, traiter_dossier};
pub use remplacement::sortie_lot_defaut;
use remplacement::{contenu, err, verifier_sortie, Contenu};
pub(crate) use remplacement::{nettoyer_orphelins, remplacer};
use totaux::{prefixe_dossier, Fragment, Morceaux};
pub use totaux::{totaux, Agregat, TotauxDossier, COLONNES_TOTAUX};

/// Name of the consolidated file in the output folder.
pub const CONSOLIDE: &str = "consolide.csv";
/// Sub-folder of the per-dossier results.
pub const SOUS_DOSSIER: &str = "dossiers";
/// Every error and warning of the lot, one per line, file names prefixed by the dossier.
pub const DIAGNOSTICS: &str = "diagnostics.txt";

/// Format of the per-dossier results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FormatLot {
    #[default]
    Csv,
    Json,
}

impl FormatLot {
    pub fn extension(&self) -> &'static str {
        match self {
            FormatLot::Csv => "csv",
            FormatLot::Json => "json",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct OptionsLot {
    pub sortie: PathBuf,
    pub format: FormatLot,
    pub profil: Profil,
    pub ecraser: bool,
    pub lecture: OptionsLecture,
    pub exercice: Option<i32>,
    /// Worker threads; 0 = the machine's parallelism.
    pub fils: usize,
}

/// Time spent in each step, summed over the worker threads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Chrono {
    /// Reading files and parsing (CSV, TOML, barème).
    pub lecture: Duration,
    /// Validation, calculation and totals.
    pub calcul: Duration,
    /// Rendering (CSV/JSON) and writing files, the consolidated one included.
    pub ecriture: Duration,
    /// Wall-clock time of the whole lot.
    pub total: Duration,
}

impl Chrono {
    fn ajouter(&mut self, o: &Chrono) {
        self.lecture += o.lecture;
        self.calcul += o.calcul;
        self.ecriture += o.ecriture;
    }
}

/// The outcome of one dossier.
#[derive(Debug, Clone)]
pub struct IssueDossier {
    pub nom: String,
    pub chemin: PathBuf,
    /// Errors and warnings, file names prefixed by the dossier name.
    pub diagnostics: Diagnostics,
    /// `None` when the dossier was invalid (skipped).
    pub totaux: Option<TotauxDossier>,
    /// The name of its convention, once computed (two dossiers of one convention: W087).
    pub convention: Option<String>,
    /// The result file written.
    pub resultat: Option<PathBuf>,
    /// Why the result could not be written (output error, not data).
    pub erreur_ecriture: Option<String>,
    pub chrono: Chrono,
    /// Structure rows of the consolidated CSV (block 1, without header).
    fragment: Fragment,
}

impl IssueDossier {
    pub fn reussi(&self) -> bool {
        self.totaux.is_some() && self.erreur_ecriture.is_none()
    }
}

/// The outcome of a lot.
#[derive(Debug, Clone)]
pub struct Bilan {
    pub dossiers: Vec<IssueDossier>,
    pub total: Agregat,
    pub volets: BTreeMap<String, Agregat>,
    pub consolide: PathBuf,
    pub fils: usize,
    pub chrono: Chrono,
}

impl Bilan {
    pub fn echecs(&self) -> impl Iterator<Item = &IssueDossier> {
        self.dossiers.iter().filter(|d| !d.reussi())
    }
}

/// The name of a dossier folder as written in the outputs (result file name, `dossier`
/// column, diagnostics): the folder name itself, except that `%` becomes `%25` and every
/// byte that is not valid UTF-8 becomes `%XX` (hexadecimal). Two distinct folder names
/// always give two distinct names (`a\xFF` → `a%FF`, `a\xFE` → `a%FE`).
pub fn nom_dossier(nom: &std::ffi::OsStr) -> String {
    nom_ecrit(nom, true)
}

/// A folder name written as text: its UTF-8 as it is (`%` as `%25` when `pourcent`), each
/// byte that is not UTF-8 as `%XX` (`pourcent`: a result file's name, [`nom_dossier`]) or
/// `\xXX` (the messages).
pub(crate) fn nom_ecrit(nom: &std::ffi::OsStr, pourcent: bool) -> String {
    #[cfg(unix)]
    let octets = std::os::unix::ffi::OsStrExt::as_bytes(nom);
    #[cfg(not(unix))]
    let octets = nom.as_encoded_bytes();
    let mut r = String::with_capacity(octets.len());
    for morceau in octets.utf8_chunks() {
        for c in morceau.valid().chars() {
            match c {
                '%' if pourcent => r.push_str("%25"),
                c => r.push(c),
            }
        }
        for b in morceau.invalid() {
            r.push_str(&if pourcent {
                format!("%{b:02X}")
            } else {
                format!("\\x{b:02X}")
            });
        }
    }
    r
}

/// The dossiers under `racine`: its sub-folders in byte order of their names (see
/// [`nom_dossier`]), hidden ones, the output folder `sortie` and the results of an earlier
/// lot left out.
pub fn dossiers_de(racine: &Path, sortie: &Path) -> Result<Vec<(String, PathBuf)>, String> {
    let entrees = std::fs::read_dir(racine).map_err(|e| {
        format!(
            "erreur {} : {} : lecture du dossier impossible : {}",
            Code::E002,
            racine.display(),
            texte_io(&e)
        )
    })?;
    let exclu = sortie.canonicalize().ok();
    let mut r = Vec::new();
    for e in entrees {
        let e = e.map_err(|e| {
            format!(
                "erreur {} : {} : {}",
                Code::E002,
                racine.display(),
                texte_io(&e)
            )
        })?;
        let nom = nom_dossier(&e.file_name());
        let chemin = e.path();
        if nom.starts_with('.') || !chemin.is_dir() {
            continue;
        }
        if exclu.is_some() && chemin.canonicalize().ok() == exclu {
            continue;
        }
        // the results of an earlier lot written among the dossiers are not a dossier
        if matches!(contenu(&chemin), Ok(Contenu::Resultat)) {
            continue;
        }
        r.push((nom, chemin));
    }
    r.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    Ok(r)
}

/// Runs the lot. `progression(done, total)` is called on the calling thread after each
/// dossier. `Err` (the message to print, with its code) when nothing could be run (no
/// dossier, output folder refused or not writable); invalid dossiers are reported in the
/// [`Bilan`], not as `Err`.
///
/// The output folder is replaced as a whole: everything is written into a new hidden
/// sibling folder `.NOM.PID.nouveau`, then swapped with the old one in one step (Linux
/// `renameat2`; elsewhere two renames), and the old one is removed. A run killed at any
/// moment leaves either the old complete set or the new complete set; its hidden folder is
/// removed by the next run.
pub fn executer(
    racine: &Path,
    o: &OptionsLot,
    progression: &mut dyn FnMut(usize, usize),
) -> Result<Bilan, String> {
    let debut = Instant::now();
    let Preparation {
        dossiers,
        cible,
        neuf,
    } = preparer_sortie(racine, o)?;
    let abandon = |m: String| {
        let _ = std::fs::remove_dir_all(&neuf);
        m
    };
    let mut lot = Lot::default();
    let consolide = ecrire_consolide(&dossiers, o, &neuf, progression, &mut lot);
    // an output error (not a data error) leaves the old folder as it was
    if let Some(e) = erreur_d_ecriture(&lot.issues, o) {
        return Err(abandon(e));
    }
    signaler_conventions_en_double(&mut lot.issues);
    let t = Instant::now();
    let mut chrono = Chrono::default();
    for i in &lot.issues {
        chrono.ajouter(&i.chrono);
    }
    consolide
        .and_then(|()| ecrire_diagnostics_et_synchroniser(&neuf, o, &lot.issues))
        .map_err(|e| abandon(e.to_string()))?;
    // the replaced folder's permissions are kept
    if let Ok(m) = std::fs::metadata(&cible) {
        let _ = std::fs::set_permissions(&neuf, m.permissions());
    }
    sortie::synchroniser_dossier(&neuf.join(SOUS_DOSSIER));
    sortie::synchroniser_dossier(&neuf);
    remplacer(&neuf, &cible, o.ecraser).map_err(|e| {
        abandon(format!(
            "{} ; {} n'a pas été modifié",
            sortie::ErreurEcriture::io(&o.sortie, "remplacement du dossier impossible", &e),
            o.sortie.display()
        ))
    })?;
    chrono.ecriture += t.elapsed();
    chrono.total = debut.elapsed();
    Ok(Bilan {
        dossiers: lot.issues,
        total: lot.total,
        volets: lot.volets,
        consolide: o.sortie.join(CONSOLIDE),
        fils: lot.fils,
        chrono,
    })
}

/// W087: a dossier whose convention has the name of an earlier dossier's (case and spaces
/// aside): most often a copy of the folder left beside it, whose amounts the lot's totals
/// would count twice without anyone noticing.
fn signaler_conventions_en_double(issues: &mut [IssueDossier]) {
    let mut vues: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for i in issues.iter_mut().filter(|i| i.reussi()) {
        // named as the other messages name the dossier's files (its folder as on disk)
        let montre = i
            .chemin
            .file_name()
            .map_or_else(|| i.nom.clone(), dossier::nom_montre);
        // an unnamed convention is named after its collectivités (docs/regles.md R10): two
        // unnamed ones are « the same » only when their collectivités are
        let Some(c) = i.convention.as_ref() else {
            continue;
        };
        match vues.entry(crate::lecture::texte::cle_id(c)) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(montre);
            }
            std::collections::hash_map::Entry::Occupied(premier) => {
                let d = crate::diagnostic::Diagnostic::avertissement(
                    crate::diagnostic::Code::W087,
                    montre.as_str(),
                    format!(
                        "même convention « {c} » que le dossier « {} » : ses montants comptent deux fois dans les totaux du lot",
                        premier.get()
                    ),
                )
                .conseil("retirez la copie des dossiers à calculer, ou donnez à chaque convention son propre nom");
                i.diagnostics.push(d);
            }
        }
    }
}

/// What a lot works on, once its output folder is accepted.
struct Preparation {
    /// The dossiers, by name.
    dossiers: Vec<(String, PathBuf)>,
    /// The output folder to replace.
    cible: PathBuf,
    /// The new hidden folder beside it (with its `dossiers` sub-folder), swapped in at the end.
    neuf: PathBuf,
}

/// The dossiers under `racine` and the output folders ([`Preparation`]). `Err` when there
/// is no dossier or the output folder is refused or cannot be created.
fn preparer_sortie(racine: &Path, o: &OptionsLot) -> Result<Preparation, String> {
    if !racine.is_dir() {
        return Err(format!(
            "erreur {} : {} : dossier introuvable",
            Code::E001,
            racine.display()
        ));
    }
    let dossiers = dossiers_de(racine, &o.sortie)?;
    if dossiers.is_empty() {
        return Err(format!(
            "erreur {} : {} : aucun sous-dossier (un dossier par CTG : convention.toml, structures.csv, charges_n1.csv)",
            Code::E001,
            racine.display()
        ));
    }
    let cible = verifier_sortie(racine, o, &dossiers)?;
    let (Some(parent), Some(nom)) = (cible.parent(), cible.file_name()) else {
        return Err(err(
            sortie::E_SORTIE_DANS_ENTREE,
            &o.sortie,
            "ce dossier ne peut pas être remplacé",
        ));
    };
    std::fs::create_dir_all(parent).map_err(|e| {
        sortie::ErreurEcriture::io(parent, "création du dossier impossible", &e).to_string()
    })?;
    nettoyer_orphelins(parent, nom, &cible);
    let neuf = parent.join(sortie::nom_temporaire(nom, std::process::id(), "nouveau"));
    let _ = std::fs::remove_dir_all(&neuf);
    std::fs::create_dir_all(neuf.join(SOUS_DOSSIER)).map_err(|e| {
        sortie::ErreurEcriture::io(&neuf, "création du dossier de sortie impossible", &e)
            .to_string()
    })?;
    Ok(Preparation {
        dossiers,
        cible,
        neuf,
    })
}

/// What the dossiers of a lot gave: their outcomes in order, the lot's totals, the number
/// of threads used.
#[derive(Default)]
struct Lot {
    issues: Vec<IssueDossier>,
    total: Agregat,
    volets: BTreeMap<String, Agregat>,
    fils: usize,
}

/// Computes every dossier (into `lot`) while writing the consolidated file of `neuf`: the
/// rows of each dossier as they come, in the dossiers' order, then the totals.
fn ecrire_consolide(
    dossiers: &[(String, PathBuf)],
    o: &OptionsLot,
    neuf: &Path,
    progression: &mut dyn FnMut(usize, usize),
    lot: &mut Lot,
) -> Result<(), sortie::ErreurEcriture> {
    sortie::ecrire_neuf_avec(&neuf.join(CONSOLIDE), |w| {
        totaux::entete(w, o.profil)?;
        let mut erreur = None;
        (lot.issues, lot.fils) = traiter_en_parallele(dossiers, o, neuf, progression, &mut |i| {
            if erreur.is_none() {
                erreur = std::mem::take(&mut i.fragment).ecrire(w).err();
            }
        });
        if let Some(e) = erreur {
            return Err(e);
        }
        for i in &lot.issues {
            if let Some(t) = &i.totaux {
                lot.total.ajouter(&t.total);
                for (v, a) in &t.volets {
                    lot.volets.entry(v.clone()).or_default().ajouter(a);
                }
            }
        }
        totaux::pied(w, &lot.issues, &lot.total, &lot.volets, o.profil)
    })
}

/// The message of the first output error (not a data error) of the dossiers, with the
/// number of others, or `None`.
fn erreur_d_ecriture(issues: &[IssueDossier], o: &OptionsLot) -> Option<String> {
    let erreurs: Vec<&str> = issues
        .iter()
        .filter_map(|i| i.erreur_ecriture.as_deref())
        .collect();
    let e = erreurs.first()?;
    Some(format!(
        "{e}{} ; {} n'a pas été modifié",
        match erreurs.len() {
            1 => String::new(),
            n => format!(" (et {} autre{})", n - 1, if n > 2 { "s" } else { "" }),
        },
        o.sortie.display()
    ))
}

/// Runs [`traiter_dossier`] on every dossier on `o.fils` threads (0: one per core), each
/// taking the next dossier not yet taken; the outcomes in the order of `dossiers`, each
/// given to `dans_l_ordre` on the calling thread as soon as it and those before it are done.
fn traiter_en_parallele(
    dossiers: &[(String, PathBuf)],
    o: &OptionsLot,
    neuf: &Path,
    progression: &mut dyn FnMut(usize, usize),
    dans_l_ordre: &mut dyn FnMut(&mut IssueDossier),
) -> (Vec<IssueDossier>, usize) {
    let fils = match o.fils {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
    .clamp(1, dossiers.len());
    let mut issues: Vec<Option<IssueDossier>> = vec![None; dossiers.len()];
    let suivant = AtomicUsize::new(0);
    let (tx, rx) = mpsc::channel::<(usize, IssueDossier)>();
    std::thread::scope(|s| {
        for _ in 0..fils {
            let tx = tx.clone();
            let dossiers = &dossiers;
            let suivant = &suivant;
            let neuf = &neuf;
            s.spawn(move || loop {
                let i = suivant.fetch_add(1, Ordering::Relaxed);
                let Some((nom, chemin)) = dossiers.get(i) else {
                    break;
                };
                let issue = traiter_dossier(nom, chemin, o, neuf);
                if tx.send((i, issue)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let (mut faits, mut prochain) = (0, 0);
        for (i, issue) in rx {
            issues[i] = Some(issue);
            faits += 1;
            while let Some(Some(x)) = issues.get_mut(prochain) {
                dans_l_ordre(x);
                prochain += 1;
            }
            progression(faits, dossiers.len());
        }
    });
    (issues.into_iter().flatten().collect(), fils)
}

/// Writes the diagnostics into the new output folder, then puts every file on disk before
/// the folder is put in place.
fn ecrire_diagnostics_et_synchroniser(
    neuf: &Path,
    o: &OptionsLot,
    issues: &[IssueDossier],
) -> Result<(), sortie::ErreurEcriture> {
    let mut texte = String::new();
    for i in issues {
        for d in &i.diagnostics.0 {
            texte.push_str(&d.to_string());
            texte.push('\n');
        }
    }
    sortie::ecrire_neuf_sans_synchro(&neuf.join(DIAGNOSTICS), texte.as_bytes()).and_then(|()| {
        let mut fichiers: Vec<PathBuf> = issues
            .iter()
            .filter(|i| i.resultat.is_some())
            .map(|i| chemin_resultat(neuf, o, &i.nom))
            .collect();
        fichiers.push(neuf.join(CONSOLIDE));
        fichiers.push(neuf.join(DIAGNOSTICS));
        sortie::synchroniser_fichiers(&fichiers)
    })
}

/// A one-line progress bar on stderr, drawn only when `active` (stderr is a terminal).
pub struct BarreProgression {
    active: bool,
    debut: Instant,
}

impl BarreProgression {
    pub fn new(active: bool) -> Self {
        BarreProgression {
            active,
            debut: Instant::now(),
        }
    }
    pub fn afficher(&mut self, faits: usize, total: usize) {
        if !self.active || total == 0 {
            return;
        }
        const LARGEUR: usize = 30;
        let plein = faits * LARGEUR / total;
        let barre: String = "█".repeat(plein) + &"░".repeat(LARGEUR - plein);
        let mut e = std::io::stderr().lock();
        let dixiemes = self.debut.elapsed().as_millis() / 100;
        let _ = write!(
            e,
            "\r{barre} {faits}/{total} dossiers ({}.{} s)",
            dixiemes / 10,
            dixiemes % 10
        );
        let _ = e.flush();
    }
    /// Erases the bar.
    pub fn terminer(&mut self) {
        if self.active {
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r\x1b[2K");
            let _ = e.flush();
        }
    }
}

/// Peak resident memory of this process in kB (`VmHWM` of /proc/self/status), Linux only.
pub fn memoire_max_ko() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let l = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    l.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(test)]
mod tests;
