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

use crate::calcul::rationnel::format_echelle;
use crate::calcul::{GroupeVolet, LigneStructure, Resultat};
use crate::diagnostic::{texte_io, Diagnostics};
use crate::lecture::{self, OptionsLecture};
use crate::modele::Montant;
use crate::rapport::{self, texte_sur, Profil};
use crate::sortie;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Name of the consolidated file in the output folder.
pub const CONSOLIDE: &str = "consolide.csv";
/// Sub-folder of the per-dossier results.
pub const SOUS_DOSSIER: &str = "dossiers";
/// Every error and warning of the lot, one per line, file names prefixed by the dossier.
pub const DIAGNOSTICS: &str = "diagnostics.txt";

/// Columns of the totals block of the consolidated CSV.
pub const COLONNES_TOTAUX: &[&str] = &[
    "niveau",
    "dossier",
    "collectivite",
    "volet",
    "structures",
    "structures_eligibles",
    "charge_n1",
    "complement_plancher",
    "non_redistribue",
    "verse_collectivite",
    "bonus_n1",
    "bonus_lissage",
    "bonus_nouvelles",
    "bonus_total",
    "verse_caf",
    "contribution_collectivite_n1",
    "contribution_collectivite_n",
    "financement_public_n1",
    "financement_public_n",
    "variation",
    "bonus_trajectoire",
    "bonus_ctre",
];

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

/// Sums of amounts (cents, `i128`: no overflow for any realistic lot) over a set of
/// structures and groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agregat {
    pub structures: u64,
    pub structures_eligibles: u64,
    pub charge_n1: i128,
    pub complement_plancher: i128,
    pub non_redistribue: i128,
    pub verse_collectivite: i128,
    pub bonus_n1: i128,
    pub bonus_lissage: i128,
    pub bonus_nouvelles: i128,
    pub bonus_total: i128,
    pub contribution_n1: i128,
    pub contribution_n: i128,
    pub financement_public_n1: i128,
    pub financement_public_n: i128,
    pub variation: i128,
    pub bonus_trajectoire: i128,
    pub bonus_ctre: i128,
}

impl Agregat {
    fn ligne(&mut self, l: &LigneStructure) {
        let m = |x: Montant| x.0 as i128;
        self.structures += 1;
        if l.motif() == crate::calcul::eligibilite::Motif::Eligible {
            self.structures_eligibles += 1;
        }
        self.bonus_n1 += m(l.structure.bonus_n1);
        self.bonus_lissage += m(l.bonus_lissage);
        self.bonus_nouvelles += m(l.bonus_nouvelles);
        self.bonus_total += m(l.bonus_total);
        self.contribution_n1 += m(l.contribution_n1);
        self.contribution_n += m(l.contribution_n);
        self.financement_public_n1 += m(l.financement_public_n1);
        self.financement_public_n += m(l.financement_public_n);
        self.variation += m(l.variation);
        self.bonus_trajectoire += m(l.bonus_trajectoire);
        self.bonus_ctre += m(l.bonus_ctre);
    }
    fn groupe(&mut self, g: &GroupeVolet) {
        self.charge_n1 += g.charge_n1.0 as i128;
        self.complement_plancher += g.complement_plancher.0 as i128;
        self.non_redistribue += g.non_redistribue.0 as i128;
        self.verse_collectivite += g.verse_collectivite.0 as i128;
    }
    pub fn ajouter(&mut self, o: &Agregat) {
        self.structures += o.structures;
        self.structures_eligibles += o.structures_eligibles;
        self.charge_n1 += o.charge_n1;
        self.complement_plancher += o.complement_plancher;
        self.non_redistribue += o.non_redistribue;
        self.verse_collectivite += o.verse_collectivite;
        self.bonus_n1 += o.bonus_n1;
        self.bonus_lissage += o.bonus_lissage;
        self.bonus_nouvelles += o.bonus_nouvelles;
        self.bonus_total += o.bonus_total;
        self.contribution_n1 += o.contribution_n1;
        self.contribution_n += o.contribution_n;
        self.financement_public_n1 += o.financement_public_n1;
        self.financement_public_n += o.financement_public_n;
        self.variation += o.variation;
        self.bonus_trajectoire += o.bonus_trajectoire;
        self.bonus_ctre += o.bonus_ctre;
    }
    /// What the Caf pays: bonus of the structures (trajectoire included) + CTRE + lines
    /// paid to the collectivités.
    pub fn verse_caf(&self) -> i128 {
        self.bonus_total + self.bonus_ctre + self.verse_collectivite
    }
    fn champs(&self, p: Profil) -> Vec<String> {
        let m = |v: i128| p.decimal(format_echelle(v, 2));
        vec![
            self.structures.to_string(),
            self.structures_eligibles.to_string(),
            m(self.charge_n1),
            m(self.complement_plancher),
            m(self.non_redistribue),
            m(self.verse_collectivite),
            m(self.bonus_n1),
            m(self.bonus_lissage),
            m(self.bonus_nouvelles),
            m(self.bonus_total),
            m(self.verse_caf()),
            m(self.contribution_n1),
            m(self.contribution_n),
            m(self.financement_public_n1),
            m(self.financement_public_n),
            m(self.variation),
            m(self.bonus_trajectoire),
            m(self.bonus_ctre),
        ]
    }
}

/// Totals of one dossier: overall, per collectivité, per volet (`""`: no volet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TotauxDossier {
    pub total: Agregat,
    pub collectivites: BTreeMap<String, Agregat>,
    pub volets: BTreeMap<String, Agregat>,
}

/// Computes a dossier's totals from its result (pure).
pub fn totaux(r: &Resultat) -> TotauxDossier {
    let mut t = TotauxDossier::default();
    for c in &r.convention.collectivites {
        t.collectivites.entry(c.id.clone()).or_default();
    }
    for l in &r.structures {
        t.total.ligne(l);
        t.collectivites
            .entry(l.structure.collectivite.clone())
            .or_default()
            .ligne(l);
        t.volets
            .entry(
                l.eligibilite
                    .volet()
                    .map(str::to_string)
                    .unwrap_or_default(),
            )
            .or_default()
            .ligne(l);
    }
    for g in &r.groupes {
        t.total.groupe(g);
        t.collectivites
            .entry(g.collectivite.clone())
            .or_default()
            .groupe(g);
        t.volets.entry(g.volet.clone()).or_default().groupe(g);
    }
    t
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
    /// The result file written.
    pub resultat: Option<PathBuf>,
    /// Why the result could not be written (output error, not data).
    pub erreur_ecriture: Option<String>,
    pub chrono: Chrono,
    /// Structure rows of the consolidated CSV (block 1, without header).
    fragment: Vec<u8>,
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
    #[cfg(unix)]
    let octets = std::os::unix::ffi::OsStrExt::as_bytes(nom).to_vec();
    #[cfg(not(unix))]
    let octets = nom.to_string_lossy().into_owned().into_bytes();
    let mut r = String::with_capacity(octets.len());
    for morceau in octets.utf8_chunks() {
        for c in morceau.valid().chars() {
            match c {
                '%' => r.push_str("%25"),
                c => r.push(c),
            }
        }
        for b in morceau.invalid() {
            r.push_str(&format!("%{b:02X}"));
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
            "erreur : {} : lecture du dossier impossible : {}",
            racine.display(),
            texte_io(&e)
        )
    })?;
    let exclu = sortie.canonicalize().ok();
    let mut r = Vec::new();
    for e in entrees {
        let e = e.map_err(|e| format!("erreur : {} : {}", racine.display(), texte_io(&e)))?;
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

/// The absolute form of `p` with its existing part's links resolved and `.`/`..` of the
/// part that does not exist yet applied to the names.
fn resoudre(p: &Path) -> std::io::Result<PathBuf> {
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
enum Contenu {
    Vide,
    /// Only what `lot` writes (an earlier result).
    Resultat,
    /// Something else: the first foreign name.
    Autre(String),
}

fn contenu(s: &Path) -> std::io::Result<Contenu> {
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

fn err(code: &'static str, chemin: &Path, message: impl std::fmt::Display) -> String {
    sortie::ErreurEcriture::new(code, chemin, message).to_string()
}

/// The checks on the output folder before anything is computed. Returns the resolved
/// output folder.
fn verifier_sortie(
    racine: &Path,
    o: &OptionsLot,
    dossiers: &[(String, PathBuf)],
) -> Result<PathBuf, String> {
    let sortie_donnee = &o.sortie;
    if let Ok(m) = std::fs::symlink_metadata(sortie_donnee) {
        if !m.is_dir() {
            return Err(err(
                sortie::E_PAS_UN_FICHIER,
                sortie_donnee,
                format!(
                    "c'est {} : le résultat d'un lot est un dossier (un lien symbolique n'est pas suivi)",
                    sortie::genre(&m)
                ),
            ));
        }
    }
    let s = resoudre(sortie_donnee).map_err(|e| {
        sortie::ErreurEcriture::io(sortie_donnee, "accès impossible", &e).to_string()
    })?;
    let r = racine.canonicalize().map_err(|e| {
        format!(
            "erreur : {} : lecture du dossier impossible : {}",
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
        match contenu(&s)
            .map_err(|e| sortie::ErreurEcriture::io(sortie_donnee, "lecture impossible", &e).to_string())?
        {
            Contenu::Vide => {}
            Contenu::Resultat if o.ecraser => {}
            Contenu::Resultat => {
                return Err(err(
                    sortie::E_EXISTE,
                    sortie_donnee,
                    "contient déjà un résultat : ajoutez --ecraser pour le remplacer (en entier)",
                ))
            }
            Contenu::Autre(_)
                if ["convention.toml", "dossier.xlsx"]
                    .iter()
                    .any(|f| s.join(f).exists()) =>
            {
                return Err(err(
                    sortie::E_SORTIE_DANS_ENTREE,
                    sortie_donnee,
                    "c'est un dossier de données (convention.toml) : choisissez un dossier hors des dossiers calculés",
                ))
            }
            Contenu::Autre(n) => {
                return Err(err(
                    sortie::E_EXISTE,
                    sortie_donnee,
                    format!(
                        "contient « {n} », qui ne vient pas de bonus-ctg lot : le dossier de sortie est remplacé en entier, choisissez un dossier vide ou neuf"
                    ),
                ))
            }
        }
    }
    Ok(s)
}

/// `DOSSIERS-resultats`, next to `DOSSIERS` (the default output folder).
pub fn sortie_lot_defaut(dossiers: &Path) -> PathBuf {
    let nom = dossiers
        .file_name()
        .map_or("lot".into(), |n| n.to_string_lossy().into_owned());
    dossiers.with_file_name(format!("{nom}-resultats"))
}

fn ecrivain(p: Profil) -> csv::Writer<Vec<u8>> {
    crate::rapport::csv::ecrivain(p, Vec::new())
}

fn nom_bareme(o: &OptionsLot) -> String {
    o.lecture
        .bareme
        .as_ref()
        .map_or("bareme.toml".into(), |p| p.display().to_string())
}

fn prefixer(nom: &str, mut d: Diagnostics) -> Diagnostics {
    for x in &mut d.0 {
        if !x.fichier.contains('/') && !x.fichier.contains('\\') {
            x.fichier = format!("{nom}/{}", x.fichier);
        }
    }
    d
}

/// The result file of dossier `nom` in the output folder `sortie`.
fn chemin_resultat(sortie: &Path, o: &OptionsLot, nom: &str) -> PathBuf {
    sortie
        .join(SOUS_DOSSIER)
        .join(format!("{nom}.{}", o.format.extension()))
}

/// Reads, validates, computes and writes one dossier into the new output folder `neuf`.
fn traiter_dossier(nom: &str, chemin: &Path, o: &OptionsLot, neuf: &Path) -> IssueDossier {
    let mut issue = IssueDossier {
        nom: nom.to_string(),
        chemin: chemin.to_path_buf(),
        diagnostics: Diagnostics::default(),
        totaux: None,
        resultat: None,
        erreur_ecriture: None,
        chrono: Chrono::default(),
        fragment: Vec::new(),
    };
    let t0 = Instant::now();
    let mut diags = Diagnostics::default();
    let lu = lecture::lire_dossier(chemin, &o.lecture, &mut diags);
    let t1 = Instant::now();
    issue.chrono.lecture = t1 - t0;
    let Some(lu) = lu else {
        issue.diagnostics = prefixer(nom, diags);
        return issue;
    };
    let traite = crate::traiter(&lu, o.exercice, &nom_bareme(o));
    drop(lu);
    let (r, avert) = match traite {
        Ok(x) => x,
        Err(d) => {
            diags.extend(d);
            issue.diagnostics = prefixer(nom, diags);
            issue.chrono.calcul = t1.elapsed();
            return issue;
        }
    };
    diags.extend(avert);
    let tot = totaux(&r);
    let t2 = Instant::now();
    issue.chrono.calcul = t2 - t1;

    // the dossier's own result, then its rows of the consolidated file
    let (rendu, fragment) = match o.format {
        FormatLot::Csv => {
            let mut w = ecrivain(o.profil);
            let dossier = texte_sur(nom);
            let mut ok = true;
            let rendu = rapport::csv::rendre_avec(&r, o.profil, &mut |champs| {
                ok &= w
                    .write_field(&dossier)
                    .and_then(|_| w.write_record(champs))
                    .is_ok();
            });
            let fragment = match w.into_inner() {
                Ok(f) if ok => Ok(f),
                _ => Err(CSV_MEMOIRE),
            };
            (rendu, fragment)
        }
        FormatLot::Json => (
            rapport::json::rendre(&r, &diags),
            fragment(nom, &r, o.profil),
        ),
    };
    match (rendu, fragment) {
        (Ok(octets), Ok(fragment)) => {
            match sortie::ecrire_neuf(&chemin_resultat(neuf, o, nom), &octets) {
                Ok(()) => {
                    issue.resultat = Some(chemin_resultat(&o.sortie, o, nom));
                    issue.fragment = fragment;
                    issue.totaux = Some(tot);
                }
                Err(e) => issue.erreur_ecriture = Some(e.to_string()),
            }
        }
        (Err(e), _) | (_, Err(e)) => {
            diags.push(e.diagnostic("dossier"));
        }
    }
    issue.diagnostics = prefixer(nom, diags);
    issue.chrono.ecriture = t2.elapsed();
    issue
}

/// Writing CSV into memory cannot fail: if it does, it is a bug.
const CSV_MEMOIRE: crate::calcul::rationnel::ErreurCalcul =
    crate::calcul::rationnel::Invariant("écriture CSV en mémoire impossible");

fn fragment(
    nom: &str,
    r: &Resultat,
    p: Profil,
) -> Result<Vec<u8>, crate::calcul::rationnel::ErreurCalcul> {
    let mut w = ecrivain(p);
    let dossier = texte_sur(nom);
    for l in &r.structures {
        let champs = rapport::csv::champs_structure(l, p)?;
        w.write_field(&dossier)
            .and_then(|_| w.write_record(&champs))
            .map_err(|_| CSV_MEMOIRE)?;
    }
    w.into_inner().map_err(|_| CSV_MEMOIRE)
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
    if !racine.is_dir() {
        return Err(format!(
            "erreur : {} : dossier introuvable",
            racine.display()
        ));
    }
    let dossiers = dossiers_de(racine, &o.sortie)?;
    if dossiers.is_empty() {
        return Err(format!(
            "erreur : {} : aucun sous-dossier (un dossier par CTG : convention.toml, structures.csv, charges_n1.csv)",
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
    let abandon = |m: String| {
        let _ = std::fs::remove_dir_all(&neuf);
        m
    };

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
                if tx.send((i, traiter_dossier(nom, chemin, o, neuf))).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut faits = 0;
        for (i, issue) in rx {
            issues[i] = Some(issue);
            faits += 1;
            progression(faits, dossiers.len());
        }
    });
    let mut issues: Vec<IssueDossier> = issues.into_iter().flatten().collect();
    // an output error (not a data error) leaves the old folder as it was
    let erreurs: Vec<&str> = issues
        .iter()
        .filter_map(|i| i.erreur_ecriture.as_deref())
        .collect();
    if let Some(e) = erreurs.first() {
        return Err(abandon(format!(
            "{e}{} ; {} n'a pas été modifié",
            match erreurs.len() {
                1 => String::new(),
                n => format!(" (et {} autre{})", n - 1, if n > 2 { "s" } else { "" }),
            },
            o.sortie.display()
        )));
    }

    // consolidated file
    let t = Instant::now();
    let mut chrono = Chrono::default();
    let mut total = Agregat::default();
    let mut volets: BTreeMap<String, Agregat> = BTreeMap::new();
    for i in &issues {
        chrono.ajouter(&i.chrono);
        if let Some(t) = &i.totaux {
            total.ajouter(&t.total);
            for (v, a) in &t.volets {
                volets.entry(v.clone()).or_default().ajouter(a);
            }
        }
    }
    let octets = consolider(&mut issues, &total, &volets, o.profil);
    let mut texte = String::new();
    for i in &issues {
        for d in &i.diagnostics.0 {
            texte.push_str(&d.to_string());
            texte.push('\n');
        }
    }
    sortie::ecrire_neuf(&neuf.join(CONSOLIDE), &octets)
        .and_then(|()| sortie::ecrire_neuf(&neuf.join(DIAGNOSTICS), texte.as_bytes()))
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
    sortie::synchroniser_dossier(parent);
    chrono.ecriture += t.elapsed();
    chrono.total = debut.elapsed();
    Ok(Bilan {
        dossiers: issues,
        total,
        volets,
        consolide: o.sortie.join(CONSOLIDE),
        fils,
        chrono,
    })
}

/// Puts the complete new folder `neuf` in place of `cible`. Without `ecraser` a plain rename
/// (refused by the system if `cible` is a non-empty folder); with it, an atomic swap then
/// the removal of the old folder (now named `neuf`).
pub(crate) fn remplacer(neuf: &Path, cible: &Path, ecraser: bool) -> std::io::Result<()> {
    let existe = std::fs::symlink_metadata(cible).is_ok();
    if !existe || !ecraser {
        return std::fs::rename(neuf, cible);
    }
    match sortie::echanger(neuf, cible) {
        Ok(()) => {
            // a kill here leaves the old folder under the hidden name: removed next time
            let _ = std::fs::remove_dir_all(neuf);
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::Unsupported => {
            // two renames: a kill between them leaves the old folder as `.NOM.PID.ancien`,
            // put back by the next run
            let (Some(parent), Some(nom)) = (cible.parent(), cible.file_name()) else {
                return Err(e);
            };
            let ancien = parent.join(sortie::nom_temporaire(nom, std::process::id(), "ancien"));
            std::fs::rename(cible, &ancien)?;
            if let Err(e) = std::fs::rename(neuf, cible) {
                let _ = std::fs::rename(&ancien, cible);
                return Err(e);
            }
            let _ = std::fs::remove_dir_all(&ancien);
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

/// The consolidated CSV (consumes the dossiers' fragments).
fn consolider(
    issues: &mut [IssueDossier],
    total: &Agregat,
    volets: &BTreeMap<String, Agregat>,
    p: Profil,
) -> Vec<u8> {
    let taille: usize = issues.iter().map(|i| i.fragment.len()).sum();
    let mut o = Vec::with_capacity(taille + 4096);
    o.extend_from_slice(rapport::csv::bom(p));
    let fin = rapport::csv::fin_de_ligne(p);
    let mut w = ecrivain(p);
    let mut entete = vec!["dossier"];
    entete.extend_from_slice(rapport::csv::COLONNES);
    let _ = w.write_record(&entete);
    o.extend(w.into_inner().unwrap_or_default());
    for i in issues.iter_mut() {
        o.extend_from_slice(&std::mem::take(&mut i.fragment)); // each fragment freed in turn
    }
    o.extend_from_slice(fin);
    let mut w = ecrivain(p);
    let _ = w.write_record(COLONNES_TOTAUX);
    let mut ligne = |niveau: &str, dossier: &str, coll: &str, volet: &str, a: &Agregat| {
        let mut champs = vec![
            niveau.to_string(),
            texte_sur(dossier),
            texte_sur(coll),
            volet.to_string(),
        ];
        champs.extend(a.champs(p));
        let _ = w.write_record(&champs);
    };
    for i in issues.iter() {
        if let Some(t) = &i.totaux {
            for (c, a) in &t.collectivites {
                ligne("COLLECTIVITE", &i.nom, c, "", a);
            }
        }
    }
    for i in issues.iter() {
        if let Some(t) = &i.totaux {
            ligne("DOSSIER", &i.nom, "", "", &t.total);
        }
    }
    for (v, a) in volets {
        ligne("VOLET", "", "", v, a);
    }
    ligne("TOTAL", "", "", "", total);
    o.extend(w.into_inner().unwrap_or_default());
    o
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
mod tests {
    use super::*;
    use crate::generation::{self, Parametres};

    fn lot_genere(graine: u64) -> (tempfile::TempDir, PathBuf) {
        let d = tempfile::tempdir().unwrap();
        let racine = d.path().join("lot");
        generation::ecrire(
            &racine,
            &Parametres {
                collectivites: 12,
                structures: 150,
                graine,
                dossiers: Some(4),
            },
            false,
        )
        .unwrap();
        (d, racine)
    }

    #[test]
    fn totaux_du_lot_egaux_a_la_somme_des_dossiers() {
        let (d, racine) = lot_genere(3);
        let o = OptionsLot {
            sortie: d.path().join("sortie"),
            profil: Profil::Rfc4180,
            fils: 2,
            ..Default::default()
        };
        let b = executer(&racine, &o, &mut |_, _| {}).unwrap();
        assert_eq!(b.dossiers.len(), 4);
        assert!(b.echecs().next().is_none());
        let mut somme = Agregat::default();
        for i in &b.dossiers {
            somme.ajouter(&i.totaux.as_ref().unwrap().total);
        }
        assert_eq!(somme, b.total);
        assert_eq!(b.total.structures, 150);
        // volets partition the structures and the groups
        let mut v = Agregat::default();
        for a in b.volets.values() {
            v.ajouter(a);
        }
        assert_eq!(v, b.total);
    }

    #[test]
    fn independant_du_nombre_de_fils() {
        let (d, racine) = lot_genere(5);
        let mut sorties = Vec::new();
        for fils in [1, 3] {
            let o = OptionsLot {
                sortie: d.path().join(format!("s{fils}")),
                fils,
                ..Default::default()
            };
            executer(&racine, &o, &mut |_, _| {}).unwrap();
            sorties.push(std::fs::read(o.sortie.join(CONSOLIDE)).unwrap());
        }
        assert_eq!(sorties[0], sorties[1]);
    }

    #[test]
    fn sortie_dans_le_repertoire_des_dossiers() {
        let (_d, racine) = lot_genere(2);
        let o = OptionsLot {
            sortie: racine.join("resultats"),
            ecraser: true,
            ..Default::default()
        };
        for _ in 0..2 {
            let b = executer(&racine, &o, &mut |_, _| {}).unwrap();
            assert_eq!(
                b.dossiers.len(),
                4,
                "la sortie n'est pas un dossier à calculer"
            );
            assert!(b.echecs().next().is_none());
        }
        // the folder of the dossiers itself, or a folder containing it, would be replaced as
        // a whole: refused, nothing touched
        let avant = std::fs::read_dir(&racine).unwrap().count();
        for sortie in [racine.clone(), racine.parent().unwrap().to_path_buf()] {
            let o = OptionsLot {
                sortie,
                ecraser: true,
                ..Default::default()
            };
            let e = executer(&racine, &o, &mut |_, _| {}).unwrap_err();
            assert!(e.starts_with("erreur E085 : "), "{e}");
        }
        assert_eq!(std::fs::read_dir(&racine).unwrap().count(), avant);
    }

    #[test]
    fn noms_non_utf8_distincts() {
        use std::ffi::OsStr;
        assert_eq!(nom_dossier(OsStr::new("ctg-001")), "ctg-001");
        assert_eq!(nom_dossier(OsStr::new("100%")), "100%25");
        assert_eq!(nom_dossier(OsStr::new("Épinay")), "Épinay");
        #[cfg(unix)]
        {
            use std::os::unix::ffi::OsStrExt;
            let n = |b: &[u8]| nom_dossier(OsStr::from_bytes(b));
            assert_eq!(n(b"a\xff"), "a%FF");
            assert_eq!(n(b"a\xfe"), "a%FE");
            // "a%FF" as text differs from the byte 0xFF
            assert_eq!(n(b"a%FF"), "a%25FF");
            // Windows-1252 "é" (0xE9) then valid text
            assert_eq!(n(b"caf\xe9-1"), "caf%E9-1");
        }
    }

    #[test]
    fn refuse_d_ecraser_sans_option() {
        let (d, racine) = lot_genere(1);
        let o = OptionsLot {
            sortie: d.path().join("sortie"),
            ..Default::default()
        };
        executer(&racine, &o, &mut |_, _| {}).unwrap();
        let e = executer(&racine, &o, &mut |_, _| {}).unwrap_err();
        assert!(e.contains("--ecraser"), "{e}");
        let o = OptionsLot { ecraser: true, ..o };
        executer(&racine, &o, &mut |_, _| {}).unwrap();
    }
}
