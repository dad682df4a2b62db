//! Synthetic dossiers: realistic CTG folders for benchmarks and for property tests
//! at scale. Deterministic for a given seed: a hand-written splitmix64 generator, no OS
//! randomness, no floating point (weights and ranges are integers).
//!
//! What is drawn (all integers, see [`Parametres`]):
//! * the split of the collectivités among the dossiers (one CTG each, uneven sizes: a city
//!   alone, or an intercommunality with its communes) and of the structures among the
//!   collectivités (heavy-tailed: a few cities hold many structures);
//! * per collectivité: tranche 1–3, a few non-signatory ones;
//! * per structure: the type mix, unit ranges per type (places, ETP in hundredths, hours),
//!   Annexe 2 bis, PAJE micro-crèches (ineligible), employer places, new places, partial
//!   years and closed structures, N-1 contribution and bonus;
//! * per dossier: the CSV writing (Excel French `;` + decimal comma + BOM + CRLF, or `,` +
//!   decimal point), the column layout, and sometimes a `bareme.toml` (floor and
//!   revaluation, truncation, another contribution mode, a local volet, ALSH forfaits
//!   reaching the development cap);
//! * charges N-1 per (collectivité, volet) from the units of the volet, sometimes on two
//!   lines, `PILOTAGE` for intercommunalities.
//!
//! Every generated dossier is valid (README « Le dossier d’entrée »), for `bonus-ctg` and for
//! `scripts/oracle.py` alike; a few carry warnings (W001, W002) as real ones do.

use crate::lecture::Fichiers;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The exercice of every generated dossier.
pub const EXERCICE: i32 = 2025;

/// Default number of collectivités per dossier when `dossiers` is not given.
pub const COLLECTIVITES_PAR_DOSSIER: usize = 20;

/// A small deterministic generator (splitmix64, Steele, Lea & Flood 2014).
#[derive(Debug, Clone)]
pub struct Prng {
    etat: u64,
}

impl Prng {
    pub fn new(graine: u64) -> Self {
        Prng { etat: graine }
    }

    pub fn suivant(&mut self) -> u64 {
        self.etat = self.etat.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.etat;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`; multiply-high, bias below 2⁻³² for our ranges).
    pub fn borne(&mut self, n: u64) -> u64 {
        ((self.suivant() as u128 * n.max(1) as u128) >> 64) as u64
    }

    /// Uniform in `lo..=hi`.
    pub fn entre(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.borne((hi - lo) as u64 + 1) as i64
    }

    /// True with probability `p / 1000`.
    pub fn pour_mille(&mut self, p: u64) -> bool {
        self.borne(1000) < p
    }

    pub fn choix<T: Copy>(&mut self, l: &[T]) -> T {
        l[self.borne(l.len() as u64) as usize]
    }

    /// An index drawn with the given integer weights (not all zero).
    pub fn pondere(&mut self, poids: &[u64]) -> usize {
        let total: u64 = poids.iter().sum();
        let mut x = self.borne(total);
        for (i, p) in poids.iter().enumerate() {
            if x < *p {
                return i;
            }
            x -= p;
        }
        poids.len().saturating_sub(1)
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parametres {
    pub collectivites: usize,
    pub structures: usize,
    pub graine: u64,
    /// Number of dossiers (CTG); default `ceil(collectivites / 20)`.
    pub dossiers: Option<usize>,
}

impl Parametres {
    pub fn nombre_dossiers(&self) -> usize {
        self.dossiers
            .unwrap_or_else(|| self.collectivites.div_ceil(COLLECTIVITES_PAR_DOSSIER))
            .clamp(1, self.collectivites.max(1))
    }
}

/// One generated dossier: its folder name and its files' texts.
#[derive(Debug, Clone)]
pub struct DossierGenere {
    pub nom: String,
    pub fichiers: Fichiers,
    pub structures: usize,
    pub collectivites: usize,
}

/// The draw of the whole set, before the dossiers' contents: who belongs where.
struct Plan {
    /// Per dossier: (first collectivité index, number of collectivités).
    dossiers: Vec<(usize, usize)>,
    /// Per collectivité: number of structures.
    structures: Vec<usize>,
    /// Per dossier: its own seed.
    graines: Vec<u64>,
}

fn planifier(p: &Parametres) -> Plan {
    let mut g = Prng::new(p.graine);
    let nd = p.nombre_dossiers();
    let nc = p.collectivites;
    // dossier sizes: each at least one collectivité, the rest by uneven weights (1..=12,
    // skewed: most CTG are small, a few intercommunalities are large)
    let poids_d: Vec<u64> = (0..nd)
        .map(|_| {
            let x = g.entre(1, 12) as u64;
            if g.pour_mille(150) {
                x * 4
            } else {
                x
            }
        })
        .collect();
    let mut tailles = vec![1usize; nd];
    let cumul_d = cumuls(&poids_d);
    for _ in nd..nc {
        tailles[tirer(&mut g, &cumul_d)] += 1;
    }
    let mut dossiers = Vec::with_capacity(nd);
    let mut debut = 0;
    for t in &tailles {
        dossiers.push((debut, *t));
        debut += t;
    }
    // structures per collectivité: heavy-tailed weights 1 + 200·u⁴ (u uniform in [0, 1)),
    // the first collectivité of each dossier (its city or intercommunality) counted twice;
    // every dossier gets at least one structure when there are enough
    let mut poids_c: Vec<u64> = (0..nc)
        .map(|_| {
            let u = g.borne(1000);
            1 + (200 * u * u * u * u) / 1_000_000_000_000
        })
        .collect();
    for (d, _) in &dossiers {
        if let Some(w) = poids_c.get_mut(*d) {
            *w *= 2;
        }
    }
    let mut structures = vec![0usize; nc];
    let mut restant = p.structures;
    for (d, _) in &dossiers {
        if restant == 0 {
            break;
        }
        if let Some(s) = structures.get_mut(*d) {
            *s += 1;
            restant -= 1;
        }
    }
    if nc > 0 {
        let cumul_c = cumuls(&poids_c);
        for _ in 0..restant {
            structures[tirer(&mut g, &cumul_c)] += 1;
        }
    }
    let graines = (0..nd).map(|_| g.suivant()).collect();
    Plan {
        dossiers,
        structures,
        graines,
    }
}

fn cumuls(poids: &[u64]) -> Vec<u64> {
    let mut c = Vec::with_capacity(poids.len());
    let mut t = 0;
    for p in poids {
        t += p;
        c.push(t);
    }
    c
}

/// An index drawn by weight, from the cumulative weights (binary search).
fn tirer(g: &mut Prng, cumul: &[u64]) -> usize {
    let total = cumul.last().copied().unwrap_or(0);
    let x = g.borne(total.max(1));
    cumul.partition_point(|&c| c <= x).min(cumul.len() - 1)
}

/// Generates the whole set in memory (pure, deterministic).
pub fn generer(p: &Parametres) -> Result<Vec<DossierGenere>, String> {
    verifier(p)?;
    let plan = planifier(p);
    let largeur = plan.dossiers.len().to_string().len().max(3);
    Ok(plan
        .dossiers
        .iter()
        .enumerate()
        .map(|(k, &(debut, n))| {
            generer_dossier(
                k,
                largeur,
                debut,
                &plan.structures[debut..debut + n],
                plan.graines[k],
            )
        })
        .collect())
}

fn verifier(p: &Parametres) -> Result<(), String> {
    if p.collectivites == 0 {
        return Err("--collectivites doit valoir au moins 1".into());
    }
    if p.collectivites > 1_000_000 || p.structures > 10_000_000 {
        return Err("au plus 1 000 000 collectivités et 10 000 000 structures".into());
    }
    if p.dossiers == Some(0) {
        return Err("--dossiers doit valoir au moins 1".into());
    }
    if p.dossiers.is_some_and(|d| d > p.collectivites) {
        return Err(
            "--dossiers ne peut dépasser --collectivites (une collectivité au moins par dossier)"
                .into(),
        );
    }
    Ok(())
}

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
const FICHIERS: [&str; 4] = [
    "convention.toml",
    "structures.csv",
    "charges_n1.csv",
    "bareme.toml",
];

/// Removes the files of the previous generation listed in the marker (other files are kept;
/// a dossier folder is removed only when it is left empty).
fn retirer_generation(racine: &Path) -> Result<(), String> {
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
    std::fs::remove_file(&marque).map_err(|e| {
        crate::sortie::ErreurEcriture::io(&marque, "suppression impossible", &e).to_string()
    })
}

/// The dossier names listed in the marker of a previous generation.
fn noms_marques(racine: &Path) -> Vec<String> {
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
fn refuser_liens<'a>(racine: &Path, noms: impl Iterator<Item = &'a str>) -> Result<(), String> {
    use crate::sortie::{genre, ErreurEcriture, E_LIEN, E_PAS_UN_FICHIER};
    let lien = |p: &Path| {
        ErreurEcriture::new(
            E_LIEN,
            p,
            "c'est un lien symbolique : generer n'écrit pas à travers un lien ; donnez un dossier réel",
        )
        .to_string()
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
            )
            .to_string())
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
                )
                .to_string())
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
                    )
                    .to_string())
                }
                _ => {}
            }
        }
    }
    Ok(())
}

/// Generates and writes the set under `racine` (one sub-folder per dossier), atomically file
/// by file. A folder holding a previous generation (marker [`MARQUE`]) is regenerated; any
/// other non-empty folder is refused unless `ecraser`. Nothing is written through a symbolic
/// link. `Err` holds the message to print (`erreur …`).
pub fn ecrire(racine: &Path, p: &Parametres, ecraser: bool) -> Result<Bilan, String> {
    verifier(p).map_err(|e| format!("erreur : {e}"))?;
    let precedente = racine.join(MARQUE).is_file();
    if !ecraser && !precedente {
        if let Ok(mut it) = std::fs::read_dir(racine) {
            if it.next().is_some() {
                return Err(crate::sortie::ErreurEcriture::new(
                    crate::sortie::E_EXISTE,
                    racine,
                    "existe, n'est pas vide et ne vient pas de bonus-ctg generer : ajoutez --ecraser pour y écrire",
                )
                .to_string());
            }
        }
    }
    let dossiers = generer(p).map_err(|e| format!("erreur : {e}"))?;
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
                .to_string()
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
            crate::sortie::ecrire_atomique(&chemin, texte.as_bytes(), true)
                .map_err(|e| e.to_string())?;
            bilan.octets += texte.len() as u64;
        }
        marque.push_str(&d.nom);
        marque.push('\n');
        bilan.dossiers += 1;
        bilan.collectivites += d.collectivites;
        bilan.structures += d.structures;
    }
    crate::sortie::ecrire_atomique(&racine.join(MARQUE), marque.as_bytes(), true)
        .map_err(|e| e.to_string())?;
    Ok(bilan)
}

// ------------------------------------------------------------------------------ contents

const SYLLABES: &[&str] = &[
    "bel", "mont", "val", "fleur", "roche", "cour", "bourg", "lac", "pré", "sau", "ver", "mar",
    "chal", "nan", "tour", "bois", "cham", "lan", "gny", "ay", "euil", "fon", "ville", "ro", "gue",
    "lieu", "nay", "sac", "ber", "cy", "dun", "mé", "ri", "vanne", "zac",
];
const PREFIXES: &[&str] = &["Saint-", "Sainte-", "Le ", "La ", "Les ", "Mont-", "Pont-"];
const SUFFIXES: &[&str] = &[
    "-sur-Loire",
    "-les-Bains",
    "-en-Bresse",
    "-sur-Mer",
    "-le-Château",
    "-d'Azergues",
];
const NOMS_ACCUEIL: &[&str] = &[
    "Les Lutins",
    "Les P'tits Loups",
    "Arc-en-ciel",
    "Pomme d'Api",
    "Les Coccinelles",
    "Les Doudous",
    "L'Île aux enfants",
    "Les Marmousets",
    "Les Petits Pas",
    "Bout'chou",
    "Les Écureuils",
    "Le Jardin d'éveil",
    "Les Hirondelles",
    "Câlins et Bisous",
];
const RUES: &[&str] = &[
    "rue de la République",
    "avenue Jean Jaurès",
    "place de la Mairie",
    "rue Victor Hugo",
    "chemin des Écoliers",
    "boulevard Pasteur",
    "rue des Écoles",
    "allée des Tilleuls",
];

fn nom_lieu(g: &mut Prng) -> String {
    let mut s = String::new();
    if g.pour_mille(250) {
        s.push_str(g.choix(PREFIXES));
    }
    let n = g.entre(2, 3);
    let mut racine = String::new();
    for _ in 0..n {
        racine.push_str(g.choix(SYLLABES));
    }
    let mut c = racine.chars();
    if let Some(p) = c.next() {
        s.extend(p.to_uppercase());
        s.push_str(c.as_str());
    }
    if g.pour_mille(150) {
        s.push_str(g.choix(SUFFIXES));
    }
    s
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ecriture {
    /// `;`, decimal comma, BOM, CRLF (Excel in French).
    ExcelFr,
    /// `,`, decimal point, LF.
    Point,
}

struct Style {
    ecriture: Ecriture,
    /// Group thousands with a space (`300 000,00`), French writing only.
    milliers: bool,
    /// Alternative column layout: other order, extra column, no address.
    disposition_b: bool,
}

impl Style {
    fn delim(&self) -> char {
        match self.ecriture {
            Ecriture::ExcelFr => ';',
            Ecriture::Point => ',',
        }
    }
    fn fin(&self) -> &'static str {
        match self.ecriture {
            Ecriture::ExcelFr => "\r\n",
            Ecriture::Point => "\n",
        }
    }
    /// A hundredths value (cents or hundredths of a unit): `1234,5`, `1 234,56`, `60`.
    fn centiemes(&self, v: i64, toujours_deux: bool) -> String {
        let ent = v / 100;
        let dec = v % 100;
        let mut e = ent.to_string();
        if self.milliers && self.ecriture == Ecriture::ExcelFr && e.len() > 3 {
            let mut g = String::new();
            for (i, c) in e.chars().enumerate() {
                if i > 0 && (e.len() - i).is_multiple_of(3) {
                    g.push(' ');
                }
                g.push(c);
            }
            e = g;
        }
        let sep = match self.ecriture {
            Ecriture::ExcelFr => ',',
            Ecriture::Point => '.',
        };
        if toujours_deux {
            format!("{e}{sep}{dec:02}")
        } else if dec == 0 {
            e
        } else if dec % 10 == 0 {
            format!("{e}{sep}{}", dec / 10)
        } else {
            format!("{e}{sep}{dec:02}")
        }
    }
    fn champ(&self, o: &mut String, s: &str) {
        let d = self.delim();
        if s.contains([d, '"', '\n', '\r']) {
            o.push('"');
            o.push_str(&s.replace('"', "\"\""));
            o.push('"');
        } else {
            o.push_str(s);
        }
    }
    fn ligne(&self, o: &mut String, champs: &[String]) {
        for (i, c) in champs.iter().enumerate() {
            if i > 0 {
                o.push(self.delim());
            }
            self.champ(o, c);
        }
        o.push_str(self.fin());
    }
}

/// Structure types with their generation parameters.
#[derive(Clone, Copy)]
struct Gabarit {
    code: &'static str,
    abrege: &'static str,
    /// Weight in the type mix (per mille).
    poids: u64,
    /// Volet of the built-in barème (or the local LUDOTHEQUE volet), for the charges.
    volet: Option<&'static str>,
    /// Units, hundredths: range and step.
    unites: (i64, i64, i64),
    /// N-1 charge à payer per unit, cents (range).
    charge_par_unite: (i64, i64),
    /// Collectivité's N-1 contribution per unit, cents (range), or a lump sum when units are 0.
    contribution_par_unite: (i64, i64),
    libelles: &'static [&'static str],
}

const GABARITS: &[Gabarit] = &[
    Gabarit {
        code: "EAJE",
        abrege: "EAJE",
        poids: 330,
        volet: Some("EAJE"),
        unites: (1000, 8000, 100),
        charge_par_unite: (80_000, 200_000),
        contribution_par_unite: (300_000, 600_000),
        libelles: &[
            "Multi-accueil",
            "Crèche collective",
            "Halte-garderie",
            "Crèche familiale",
        ],
    },
    Gabarit {
        code: "RPE",
        abrege: "RPE",
        poids: 70,
        volet: Some("RPE"),
        unites: (50, 300, 25),
        charge_par_unite: (800_000, 1_500_000),
        contribution_par_unite: (2_000_000, 4_000_000),
        libelles: &["Relais petite enfance"],
    },
    Gabarit {
        code: "LAEP",
        abrege: "LAEP",
        poids: 50,
        volet: Some("LAEP"),
        unites: (10_000, 80_000, 50),
        charge_par_unite: (1_000, 2_500),
        contribution_par_unite: (2_000, 5_000),
        libelles: &["Lieu d'accueil enfants-parents"],
    },
    Gabarit {
        code: "ALSH_PERISCOLAIRE",
        abrege: "PERI",
        poids: 160,
        volet: Some("ALSH"),
        unites: (2000, 25_000, 100),
        charge_par_unite: (10_000, 40_000),
        contribution_par_unite: (50_000, 200_000),
        libelles: &["Accueil périscolaire", "ALSH périscolaire"],
    },
    Gabarit {
        code: "ALSH_EXTRASCOLAIRE",
        abrege: "EXTRA",
        poids: 110,
        volet: Some("ALSH"),
        unites: (2000, 20_000, 100),
        charge_par_unite: (10_000, 40_000),
        contribution_par_unite: (50_000, 200_000),
        libelles: &["Accueil de loisirs", "Centre de loisirs"],
    },
    Gabarit {
        code: "ALSH_ADOS",
        abrege: "ADOS",
        poids: 50,
        volet: Some("ALSH"),
        unites: (1200, 6000, 100),
        charge_par_unite: (10_000, 40_000),
        contribution_par_unite: (50_000, 200_000),
        libelles: &["Accueil jeunes", "Espace ados"],
    },
    Gabarit {
        code: "LUDOTHEQUE",
        abrege: "LUDO",
        poids: 30,
        volet: Some("LUDOTHEQUE"),
        unites: (100, 100, 100),
        charge_par_unite: (300_000, 800_000),
        contribution_par_unite: (1_000_000, 3_000_000),
        libelles: &["Ludothèque"],
    },
    Gabarit {
        code: "CENTRE_SOCIAL",
        abrege: "CS",
        poids: 60,
        volet: None,
        unites: (0, 0, 100),
        charge_par_unite: (0, 0),
        contribution_par_unite: (5_000_000, 20_000_000),
        libelles: &["Centre social"],
    },
    Gabarit {
        code: "EVS",
        abrege: "EVS",
        poids: 40,
        volet: None,
        unites: (0, 0, 100),
        charge_par_unite: (0, 0),
        contribution_par_unite: (1_000_000, 3_000_000),
        libelles: &["Espace de vie sociale"],
    },
    Gabarit {
        code: "MEDIATHEQUE",
        abrege: "MEDIA",
        poids: 30,
        volet: None,
        unites: (0, 0, 100),
        charge_par_unite: (0, 0),
        contribution_par_unite: (500_000, 2_000_000),
        libelles: &["Médiathèque"],
    },
    Gabarit {
        code: "PILOTAGE",
        abrege: "PILOT",
        poids: 20,
        volet: None,
        unites: (0, 0, 100),
        charge_par_unite: (0, 0),
        contribution_par_unite: (0, 0),
        libelles: &["Chargé(e) de coopération CTG"],
    },
    Gabarit {
        code: "AUTRE",
        abrege: "AUTRE",
        poids: 50,
        volet: None,
        unites: (0, 0, 100),
        charge_par_unite: (0, 0),
        contribution_par_unite: (0, 1_000_000),
        libelles: &["Action parentalité", "Point information jeunesse"],
    },
];

struct Coll {
    id: String,
    nom: String,
    lieu: String,
    tranche: u32,
    signataire: bool,
}

struct Ligne {
    id: String,
    annexe: &'static str,
    gabarit: usize,
    nom: String,
    adresse: String,
    gestionnaire: String,
    collectivite: usize,
    financement: &'static str,
    soutien: bool,
    existantes: i64,
    nouvelles: i64,
    employeurs: i64,
    mois: i64,
    contribution: i64,
    bonus_n1: i64,
}

/// Options of the dossier's barème override.
#[derive(Default)]
struct Surcharge {
    plancher: bool,
    troncature: bool,
    ajustement: Option<&'static str>,
    ludotheque: bool,
    forfaits_alsh: bool,
}

fn generer_dossier(
    k: usize,
    largeur: usize,
    premiere: usize,
    nb_structures: &[usize],
    graine: u64,
) -> DossierGenere {
    let mut g = Prng::new(graine);
    let nom_dossier = format!("ctg-{:0largeur$}", k + 1);
    let style = Style {
        ecriture: if g.pour_mille(650) {
            Ecriture::ExcelFr
        } else {
            Ecriture::Point
        },
        milliers: g.pour_mille(500),
        disposition_b: g.pour_mille(300),
    };
    let surcharge = Surcharge {
        plancher: g.pour_mille(100),
        troncature: g.pour_mille(50),
        ajustement: if g.pour_mille(80) {
            Some(g.choix(&["integral", "aucun"]))
        } else {
            None
        },
        ludotheque: g.pour_mille(100),
        forfaits_alsh: g.pour_mille(60),
    };

    // collectivités: the first one is the intercommunality when there are several
    let n = nb_structures.len();
    let colls: Vec<Coll> = (0..n)
        .map(|i| {
            let lieu = nom_lieu(&mut g);
            let epci = n > 1 && i == 0;
            Coll {
                id: if epci {
                    format!("EPCI-{:05}", premiere + i + 1)
                } else {
                    format!("COM-{:05}", premiere + i + 1)
                },
                nom: if epci {
                    format!("Communauté de communes de {lieu}")
                } else if n == 1 {
                    format!("Ville de {lieu}")
                } else {
                    format!("Commune de {lieu}")
                },
                lieu,
                tranche: [1, 2, 2, 2, 2, 3, 3, 3, 1, 2][g.borne(10) as usize],
                signataire: epci || !g.pour_mille(40),
            }
        })
        .collect();

    // structures
    let poids: Vec<u64> = GABARITS.iter().map(|t| t.poids).collect();
    let mut lignes: Vec<Ligne> = Vec::new();
    let mut compteur = vec![0usize; GABARITS.len()];
    for (c, &ns) in nb_structures.iter().enumerate() {
        for _ in 0..ns {
            let t = g.pondere(&poids);
            compteur[t] += 1;
            lignes.push(structure(&mut g, &colls, c, t, compteur[t], &surcharge));
        }
    }
    // a fixed row order would be unrealistic: rotate a little (files are sorted by humans)
    if lignes.len() > 2 && g.pour_mille(300) {
        let r = g.borne(lignes.len() as u64) as usize;
        lignes.rotate_left(r);
    }

    let convention = convention(&mut g, &nom_dossier, &colls);
    let structures = ecrire_structures(&style, &colls, &lignes);
    let charges = charges(&mut g, &style, &colls, &lignes, &surcharge);
    let bareme = bareme(&surcharge).map(|t| ("bareme.toml".to_string(), t));
    DossierGenere {
        nom: nom_dossier,
        fichiers: Fichiers {
            convention,
            structures,
            charges,
            bareme,
        },
        structures: lignes.len(),
        collectivites: n,
    }
}

fn multiple(g: &mut Prng, (lo, hi, pas): (i64, i64, i64)) -> i64 {
    if hi <= lo {
        return lo;
    }
    lo + g.entre(0, (hi - lo) / pas) * pas
}

fn structure(
    g: &mut Prng,
    colls: &[Coll],
    c: usize,
    t: usize,
    rang: usize,
    surcharge: &Surcharge,
) -> Ligne {
    let gab = &GABARITS[t];
    let coll = &colls[c];
    let mut libelle = g.choix(gab.libelles);
    let mut financement = match gab.code {
        "EAJE" => "PSU",
        "LUDOTHEQUE" | "PILOTAGE" => "AUCUN",
        "MEDIATHEQUE" | "AUTRE" => g.choix(&["AUCUN", "PSO"]),
        _ => "PSO",
    };
    let mut existantes = multiple(g, gab.unites);
    let mut soutien = !g.pour_mille(30);
    // PAJE micro-crèches: 10 to 12 places, often without the collectivité's support
    if gab.code == "EAJE" && g.pour_mille(150) {
        financement = "PAJE";
        libelle = "Micro-crèche";
        existantes = g.entre(10, 12) * 100;
        soutien = !g.pour_mille(500);
    }
    let a_volet = gab
        .volet
        .is_some_and(|v| v != "LUDOTHEQUE" || surcharge.ludotheque);
    let annexe = if a_volet {
        if g.pour_mille(50) {
            "2bis"
        } else {
            "2"
        }
    } else if g.pour_mille(5) {
        "2" // W001: annexe 2 without a volet
    } else {
        "2bis"
    };
    // new units: EAJE places (and ALSH places when the dossier has ALSH forfaits)
    let mut nouvelles = 0;
    if (gab.code == "EAJE" && financement == "PSU" && g.pour_mille(120))
        || (gab.volet == Some("ALSH") && g.pour_mille(80))
    {
        nouvelles = g.entre(1, 15) * 100;
    }
    let mut mois = 12;
    if g.pour_mille(60) {
        mois = g.entre(1, 11);
    } else if g.pour_mille(10) {
        mois = 0;
    }
    // a brand-new structure: no existing units, only new ones, opened during the year
    if gab.code == "EAJE" && financement == "PSU" && g.pour_mille(20) {
        existantes = 0;
        nouvelles = g.entre(10, 40) * 100;
        mois = g.entre(1, 11);
    }
    let employeurs = if gab.code == "EAJE" && existantes > 0 && g.pour_mille(120) {
        (g.entre(1, 10) * 100).min(existantes)
    } else {
        0
    };
    let unites_payees = existantes.max(100);
    let contribution = if gab.contribution_par_unite.1 == 0 || !soutien && g.pour_mille(700) {
        0
    } else if existantes == 0 {
        g.entre(gab.contribution_par_unite.0, gab.contribution_par_unite.1)
    } else {
        unites_payees * g.entre(gab.contribution_par_unite.0, gab.contribution_par_unite.1) / 100
    };
    let bonus_n1 = if annexe == "2" && a_volet && g.pour_mille(700) && existantes > 0 {
        existantes * g.entre(gab.charge_par_unite.0, gab.charge_par_unite.1) / 100
    } else {
        0
    };
    let gestionnaire = match g.borne(20) {
        0..=11 => coll.nom.clone(),
        12..=16 => format!("Association {}", g.choix(NOMS_ACCUEIL)),
        17 | 18 => format!("Entreprise de crèches n° {}", g.entre(1, 40)),
        _ => format!("CCAS de {}", coll.lieu),
    };
    let gestionnaire = if financement == "PAJE" {
        format!("Micro-crèches {} SAS", g.choix(NOMS_ACCUEIL))
    } else {
        gestionnaire
    };
    let adresse = format!(
        "{} {}, {:05} {}",
        g.entre(1, 120),
        g.choix(RUES),
        g.entre(1000, 95999),
        coll.lieu
    );
    Ligne {
        id: format!("{}-{}-{:04}", coll.id, gab.abrege, rang),
        annexe,
        gabarit: t,
        nom: format!("{libelle} {}", g.choix(NOMS_ACCUEIL)),
        adresse,
        gestionnaire,
        collectivite: c,
        financement,
        soutien,
        existantes,
        nouvelles,
        employeurs,
        mois,
        contribution,
        bonus_n1,
    }
}

fn convention(g: &mut Prng, nom_dossier: &str, colls: &[Coll]) -> String {
    let an_debut = g.entre(2022, EXERCICE as i64);
    let mois_debut = if g.pour_mille(300) { 7 } else { 1 };
    let an_fin = (an_debut + g.entre(3, 4)).max(EXERCICE as i64);
    let mut o = String::new();
    let _ = writeln!(o, "# Dossier synthétique {nom_dossier} (bonus-ctg generer)");
    let _ = writeln!(
        o,
        "nom = \"CTG {} {an_debut}-{an_fin}\"",
        colls.first().map_or("", |c| c.nom.as_str())
    );
    let _ = writeln!(o, "caf = \"Caf synthétique\"");
    let _ = writeln!(o, "debut = {an_debut}-{mois_debut:02}-01");
    let _ = writeln!(o, "fin = {an_fin}-12-31");
    let _ = writeln!(o, "exercice = {EXERCICE}");
    for c in colls {
        let _ = writeln!(o, "\n[[collectivites]]");
        let _ = writeln!(o, "id = \"{}\"", c.id);
        let _ = writeln!(o, "nom = \"{}\"", c.nom);
        let _ = writeln!(o, "tranche = {}", c.tranche);
        if !c.signataire || g.pour_mille(300) {
            let _ = writeln!(o, "signataire = {}", c.signataire);
        }
    }
    o
}

fn ecrire_structures(style: &Style, colls: &[Coll], lignes: &[Ligne]) -> String {
    let colonnes: &[&str] = if style.disposition_b {
        &[
            "collectivite",
            "id",
            "type",
            "annexe",
            "nom",
            "gestionnaire",
            "financement",
            "unites_existantes",
            "unites_employeurs",
            "unites_nouvelles",
            "mois_ouverture",
            "soutien_collectivite",
            "bonus_n1",
            "contribution_collectivite_n1",
            "observation",
        ]
    } else {
        // the v1 columns (the generator draws no new employer place)
        &crate::lecture::COLONNES_STRUCTURES[..15]
    };
    let mut o = String::with_capacity(lignes.len() * 220 + 300);
    if style.ecriture == Ecriture::ExcelFr {
        o.push('\u{feff}');
    }
    style.ligne(
        &mut o,
        &colonnes.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    let oui_non = |b: bool| match style.ecriture {
        Ecriture::ExcelFr => if b { "oui" } else { "non" }.to_string(),
        Ecriture::Point => if b { "true" } else { "false" }.to_string(),
    };
    let mut champs = Vec::with_capacity(colonnes.len());
    for l in lignes {
        champs.clear();
        for c in colonnes {
            champs.push(match *c {
                "id" => l.id.clone(),
                "annexe" => l.annexe.to_string(),
                "type" => GABARITS[l.gabarit].code.to_string(),
                "nom" => l.nom.clone(),
                "adresse" => l.adresse.clone(),
                "gestionnaire" => l.gestionnaire.clone(),
                "collectivite" => colls[l.collectivite].id.clone(),
                "financement" => l.financement.to_string(),
                "soutien_collectivite" => oui_non(l.soutien),
                "unites_existantes" => style.centiemes(l.existantes, false),
                "unites_nouvelles" => style.centiemes(l.nouvelles, false),
                "unites_employeurs" => style.centiemes(l.employeurs, false),
                "mois_ouverture" => l.mois.to_string(),
                "contribution_collectivite_n1" => style.centiemes(l.contribution, true),
                "bonus_n1" => style.centiemes(l.bonus_n1, true),
                _ => String::new(), // observation: empty
            });
        }
        style.ligne(&mut o, &champs);
    }
    o
}

fn charges(
    g: &mut Prng,
    style: &Style,
    colls: &[Coll],
    lignes: &[Ligne],
    surcharge: &Surcharge,
) -> String {
    // units of annexe 2 structures per (collectivité, volet); the N-1 charge per unit is
    // drawn once per (collectivité, volet) in the volet's range (cents per unit)
    let volets = ["EAJE", "RPE", "LAEP", "ALSH", "LUDOTHEQUE"];
    let taux: [(i64, i64); 5] = [
        (80_000, 200_000),
        (800_000, 1_500_000),
        (1_000, 2_500),
        (10_000, 40_000),
        (300_000, 800_000),
    ];
    let mut unites = vec![[0i64; 5]; colls.len()];
    for l in lignes {
        if let Some(v) = GABARITS[l.gabarit].volet {
            if let Some(k) = volets.iter().position(|x| *x == v) {
                if l.annexe == "2" && l.financement != "PAJE" {
                    unites[l.collectivite][k] += l.existantes.max(100);
                }
            }
        }
    }
    let mut o = String::new();
    if style.ecriture == Ecriture::ExcelFr {
        o.push('\u{feff}');
    }
    let entete: Vec<String> = ["collectivite", "volet", "montant", "libelle"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    style.ligne(&mut o, &entete);
    for (c, coll) in colls.iter().enumerate() {
        if !coll.signataire {
            continue; // a non-signatory collectivité has no bonus territoire charge
        }
        for (k, v) in volets.iter().enumerate() {
            if *v == "LUDOTHEQUE" && !surcharge.ludotheque {
                continue;
            }
            let u = unites[c][k];
            let sans_structure = u == 0 && g.pour_mille(5); // W002: nothing to share it on
            if u == 0 && !sans_structure {
                continue;
            }
            let par_unite = g.entre(taux[k].0, taux[k].1);
            let montant = if sans_structure {
                g.entre(100_000, 2_000_000)
            } else {
                (u * par_unite / 100).min(50_000_000_000)
            };
            if montant > 200_000 && g.pour_mille(150) {
                let part = montant * g.entre(5, 25) / 100;
                let l1 = [
                    coll.id.clone(),
                    v.to_string(),
                    style.centiemes(montant - part, true),
                    format!("Bonus territoire {} {v}", EXERCICE - 1),
                ];
                let l2 = [
                    coll.id.clone(),
                    v.to_lowercase(),
                    style.centiemes(part, false),
                    format!("Régularisation PSEJ {} {v}", EXERCICE - 3),
                ];
                style.ligne(&mut o, &l1);
                style.ligne(&mut o, &l2);
            } else {
                style.ligne(
                    &mut o,
                    &[
                        coll.id.clone(),
                        v.to_string(),
                        style.centiemes(montant, true),
                        format!("Bonus territoire {} {v}", EXERCICE - 1),
                    ],
                );
            }
        }
        // coordination post of the intercommunality (or of a large city)
        if c == 0 && (colls.len() > 1 || g.pour_mille(300)) && g.pour_mille(600) {
            style.ligne(
                &mut o,
                &[
                    coll.id.clone(),
                    "PILOTAGE".into(),
                    style.centiemes(g.entre(1_000_000, 4_000_000), true),
                    "Bonus territoire poste de chargé(e) de coopération".into(),
                ],
            );
        }
    }
    o
}

fn bareme(s: &Surcharge) -> Option<String> {
    let mut o = String::new();
    if s.troncature {
        o.push_str("arrondi = \"troncature\"\n");
    }
    if let Some(a) = s.ajustement {
        let _ = writeln!(o, "ajustement_contribution = \"{a}\"");
    }
    if s.plancher {
        o.push_str("\n[volets.EAJE]\nplancher = \"1500\"\nrevalorisation = \"0.02\"\n");
    }
    if s.forfaits_alsh {
        o.push_str(concat!(
            "\n[[volets.ALSH.forfaits_nouvelles]]\n",
            "debut = 2024-01-01\n",
            "valeur = [\"1000\", \"800\", \"600\"]\n",
            "reference = \"dossier synthétique : forfaits ALSH pour atteindre le plafond\"\n",
            "statut = \"hypothese\"\n",
        ));
    }
    if s.ludotheque {
        o.push_str(concat!(
            "\n[volets.LUDOTHEQUE]\n",
            "types = [{ debut = 2020-01-01, valeur = [\"LUDOTHEQUE\"], reference = \"volet local (dossier synthétique)\", statut = \"hypothese\" }]\n",
            "financement = [{ debut = 2020-01-01, valeur = [\"PSO\", \"AUCUN\"], reference = \"choix local\", statut = \"hypothese\" }]\n",
            "unite = [{ debut = 2020-01-01, valeur = \"structure\", reference = \"choix local\", statut = \"hypothese\" }]\n",
        ));
    }
    if o.is_empty() {
        None
    } else {
        Some(format!(
            "# Surcharge du barème intégré (dossier synthétique, bonus-ctg generer)\n{o}"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostics;

    #[test]
    fn splitmix64_valeurs_de_reference() {
        // reference outputs of splitmix64 seeded with 0 (Vigna's splitmix64.c)
        let mut g = Prng::new(0);
        assert_eq!(g.suivant(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(g.suivant(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(g.suivant(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn bornes_respectees() {
        let mut g = Prng::new(7);
        for _ in 0..10_000 {
            let x = g.entre(3, 9);
            assert!((3..=9).contains(&x));
        }
        assert_eq!(g.entre(5, 5), 5);
        assert_eq!(g.pondere(&[0, 0, 4]), 2);
    }

    #[test]
    fn comptes_exacts_et_deterministe() {
        let p = Parametres {
            collectivites: 57,
            structures: 1234,
            graine: 42,
            dossiers: None,
        };
        let a = generer(&p).unwrap();
        // ceil(57 / 20) = 3 dossiers
        assert_eq!(a.len(), 3);
        assert_eq!(a.iter().map(|d| d.collectivites).sum::<usize>(), 57);
        assert_eq!(a.iter().map(|d| d.structures).sum::<usize>(), 1234);
        let b = generer(&p).unwrap();
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.nom, y.nom);
            assert_eq!(x.fichiers.structures, y.fichiers.structures);
            assert_eq!(x.fichiers.charges, y.fichiers.charges);
            assert_eq!(x.fichiers.convention, y.fichiers.convention);
            assert_eq!(x.fichiers.bareme, y.fichiers.bareme);
        }
        let c = generer(&Parametres { graine: 43, ..p }).unwrap();
        assert_ne!(a[0].fichiers.structures, c[0].fichiers.structures);
    }

    #[test]
    fn dossiers_generes_valides() {
        for graine in 0..6 {
            let p = Parametres {
                collectivites: 40,
                structures: 700,
                graine,
                dossiers: Some(4),
            };
            for d in generer(&p).unwrap() {
                let mut diags = Diagnostics::default();
                let lu = crate::lecture::analyser_dossier(&d.fichiers, &mut diags);
                let lu = lu.unwrap_or_else(|| panic!("{} : {:?}", d.nom, diags));
                assert_eq!(lu.dossier.structures.len(), d.structures);
                assert_eq!(lu.dossier.convention.collectivites.len(), d.collectivites);
                let r = crate::traiter(&lu, None, "bareme.toml");
                assert!(r.is_ok(), "{} : {:?}", d.nom, r.err());
            }
        }
    }

    #[test]
    fn parametres_refuses() {
        let p = Parametres {
            collectivites: 0,
            structures: 10,
            graine: 1,
            dossiers: None,
        };
        assert!(generer(&p).is_err());
        let p = Parametres {
            collectivites: 3,
            dossiers: Some(4),
            ..p
        };
        assert!(generer(&p).is_err());
    }
}
