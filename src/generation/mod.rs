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

mod contenu;
mod dossier;
mod ecriture;
mod fichiers;
mod gabarits;

pub use ecriture::{ecrire, Bilan, ErreurGeneration, MARQUE};

use crate::lecture::Fichiers;
use contenu::*;
use dossier::*;
use fichiers::*;
use gabarits::*;

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
