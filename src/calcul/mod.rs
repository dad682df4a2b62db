//! The pure calculation core (R15, R16, R7, R65): eligibility → distribution → contributions →
//! reconciliation. No I/O: a dossier and a barème in, a [`Resultat`] out, every figure kept
//! with what produced it so that `expliquer` can show it.

pub mod contributions;
mod distribution;
pub mod eligibilite;
pub mod explication;
mod groupes;
mod lignes;
pub mod parts;
pub mod rationnel;
pub mod repartition;
pub(crate) mod totaux;

use crate::bareme::{Arrondi, BaremeExercice, Versement, VoletExercice};
use crate::modele::*;
use crate::projection::trajectoire::TrajectoireCollectivite;
use eligibilite::{Eligibilite, Motif};
use rationnel::{Depassement, Invariant, Rationnel, R};
use repartition::Attribution;
use rust_decimal::Decimal;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;
use std::sync::Arc;

/// Rounding of one allocation group (for the report and `expliquer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArrondiGroupe {
    /// Exact total, cents.
    pub total_exact: Rationnel,
    /// Rounded total `T`, cents.
    pub total: i64,
    /// Cents handed out by largest remainder.
    pub centimes_restants: i64,
    pub strategie: Arrondi,
}

impl ArrondiGroupe {
    /// The summary of a rounded group, with the strategy that produced it.
    pub fn de(g: &repartition::Groupe, strategie: Arrondi) -> Self {
        ArrondiGroupe {
            total_exact: g.total_exact,
            total: g.total,
            centimes_restants: g.centimes_restants,
            strategie,
        }
    }
}

/// One (collectivité, volet): its envelope, units, rates and reconciliation (R8).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupeVolet {
    pub collectivite: String,
    pub volet: String,
    /// `None`: volet unknown to the barème (R5).
    pub versement: Option<Versement>,
    /// `A`: sum of the charge lines.
    pub charge_n1: Montant,
    /// Lines of charges_n1.csv that make up `A`.
    pub lignes_charge: Vec<u64>,
    /// `U`: Σ u_i over eligible structures.
    pub unites: Unites,
    /// `m = A / U`, cents per unit (`None` when `U = 0`).
    pub taux_base: Option<Taux>,
    /// `m_eff = max(m, plancher) × (1 + revalorisation)`, cents per unit.
    pub taux_effectif: Option<Taux>,
    pub plancher: Montant,
    pub revalorisation: Decimal,
    /// Exact total of new-unit shares before the cap, cents.
    pub nouvelles_avant_plafond: Rationnel,
    /// Cap `plafond_developpement × A`, cents, when the volet has one and its base is
    /// `enveloppe`.
    pub plafond: Option<Rationnel>,
    /// Base `unites` (R62): Σ n_i of the group, hundredths of a unit.
    pub unites_nouvelles: Unites,
    /// Base `unites` (R62): cap `plafond_developpement × U`, hundredths of a unit.
    pub plafond_unites: Option<Rationnel>,
    /// Factor applied to every new-unit share when the cap binds.
    pub facteur_plafond: Option<Rationnel>,
    pub arrondi_lissage: Option<ArrondiGroupe>,
    pub arrondi_nouvelles: Option<ArrondiGroupe>,
    /// `L`: lissage paid.
    pub lissage_verse: Montant,
    /// `N`: new-unit forfaits paid.
    pub nouvelles_versees: Montant,
    /// `C`: what the floor, the revaluation or an imposed (kept) rate add beyond the
    /// envelope (R8, R66); never negative.
    pub complement_plancher: Montant,
    /// `T`: bonus trajectoire paid to the structures of the group (R63), outside `A`.
    pub trajectoire_versee: Montant,
    /// `R = A − (L − C)`: not redistributed (R8).
    pub non_redistribue: Montant,
    /// Paid to the collectivité itself (`versement = "collectivite"`, e.g. PILOTAGE).
    pub verse_collectivite: Montant,
    /// Number of eligible structures.
    pub structures_eligibles: usize,
    /// `m` was imposed ([`Surcharges::taux_imposes`], base `figee` of the projection)
    /// instead of `A / U`.
    pub taux_impose: bool,
}

impl GroupeVolet {
    /// What the Caf pays for this group: `L + N + T + P`.
    pub fn verse_caf(&self) -> Montant {
        Montant(
            self.lissage_verse.0
                + self.nouvelles_versees.0
                + self.trajectoire_versee.0
                + self.verse_collectivite.0,
        )
    }
}

/// One structure's figures (one row of the CSV output).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LigneStructure {
    pub structure: Structure,
    pub eligibilite: Eligibilite,
    /// `u_i` when eligible, else 0.
    pub unites_eligibles: Unites,
    /// `m_eff` of its group when eligible and `U > 0` (one allocation per group, shared by
    /// its lines).
    pub taux_unitaire: Option<Arc<Taux>>,
    /// Forfait per new unit read for its tranche (0 when ineligible).
    pub forfait: Montant,
    /// Unit-months actually paid (`u_i × mo_i`, `n_i × mo_i`, or the projection's
    /// [`Surcharges::unites_mois`]); 0 when ineligible.
    pub unites_mois: UnitesMois,
    pub lissage: Option<Box<Attribution>>,
    pub nouvelles: Option<Box<Attribution>>,
    pub bonus_lissage: Montant,
    pub bonus_nouvelles: Montant,
    /// Bonus trajectoire (R63).
    pub trajectoire: Option<Box<Attribution>>,
    pub bonus_trajectoire: Montant,
    /// lissage + nouvelles + trajectoire.
    pub bonus_total: Montant,
    /// CTRE (R64): smoothing of the CTRE envelope over the employer places, and forfait of
    /// the new employer places; outside `bonus_total`.
    pub ctre_lissage: Option<Box<Attribution>>,
    pub ctre_nouvelles: Option<Box<Attribution>>,
    pub bonus_ctre: Montant,
    pub contribution_n1: Montant,
    pub contribution_n: Montant,
    pub financement_public_n1: Montant,
    pub financement_public_n: Montant,
    pub variation: Montant,
}

impl LigneStructure {
    pub fn motif(&self) -> Motif {
        self.eligibilite.motif()
    }
    /// `s_i + t_i + trajectoire`, cents: the exact share before the group rounding (from the
    /// shares kept, not stored a second time; checked when the line was made).
    pub fn part_exacte(&self) -> R<Rationnel> {
        somme_exacte([&self.lissage, &self.nouvelles, &self.trajectoire])
    }
    /// paid − exact, cents.
    pub fn ecart_arrondi(&self) -> R<Rationnel> {
        Rationnel::entier(self.bonus_total.0 as i128).sub(self.part_exacte()?)
    }
}

/// The sum of the exact shares present, cents (zero when none): only the shares present are
/// added (each addition reduces by a GCD; adding zeros cost as much). Shares are reduced
/// fractions, so the sum is the same fraction as when the missing ones are added as zero.
pub(crate) fn somme_exacte(parts: [&Option<Box<Attribution>>; 3]) -> R<Rationnel> {
    let mut somme: Option<Rationnel> = None;
    for a in parts.into_iter().flatten() {
        somme = Some(match somme {
            None => a.exacte,
            Some(s) => s.add(a.exacte)?,
        });
    }
    Ok(somme.unwrap_or(Rationnel::ZERO))
}

/// Totals of a set of structures (per gestionnaire, per collectivité, overall).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totaux {
    pub structures: usize,
    pub structures_eligibles: usize,
    pub bonus_n1: Montant,
    pub bonus_lissage: Montant,
    pub bonus_nouvelles: Montant,
    pub bonus_total: Montant,
    pub contribution_n1: Montant,
    pub contribution_n: Montant,
    pub financement_public_n1: Montant,
    pub financement_public_n: Montant,
    pub variation: Montant,
    pub bonus_trajectoire: Montant,
    pub bonus_ctre: Montant,
}

/// Per-collectivité totals: its structures, plus what the Caf pays it directly (pilotage).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TotauxCollectivite {
    pub structures: Totaux,
    pub charge_n1: Montant,
    pub verse_collectivite: Montant,
    pub non_redistribue: Montant,
    /// Caf paid in N: bonus to its structures (trajectoire included) + CTRE + pilotage.
    pub verse_caf: Montant,
}

/// Grand total (R8: equals the sum of its lines to the cent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TotalGeneral {
    pub structures: Totaux,
    pub charge_n1: Montant,
    pub lissage_verse: Montant,
    pub nouvelles_versees: Montant,
    pub complement_plancher: Montant,
    pub non_redistribue: Montant,
    pub verse_collectivite: Montant,
    /// Everything the Caf pays in N: Σ bonus_total + Σ bonus_ctre + Σ P.
    pub verse_caf: Montant,
    pub trajectoire_versee: Montant,
}

/// The whole result of one exercice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resultat {
    pub exercice: i32,
    pub convention: Convention,
    pub bareme: BaremeExercice,
    /// Sorted by `id` (byte order): independent of row order.
    pub structures: Vec<LigneStructure>,
    /// Sorted by (collectivité, volet).
    pub groupes: Vec<GroupeVolet>,
    /// Bonus trajectoire per collectivité (R63), when in force.
    pub trajectoire: Vec<TrajectoireCollectivite>,
    pub gestionnaires: BTreeMap<String, Totaux>,
    pub collectivites: BTreeMap<String, TotauxCollectivite>,
    pub total: TotalGeneral,
}

impl Resultat {
    /// The line of structure `id`: a binary search, the lines being sorted by id (byte
    /// order, R14), so that a page or report looking up every structure stays linear.
    pub fn structure(&self, id: &str) -> Option<&LigneStructure> {
        self.structures
            .binary_search_by(|l| l.structure.id.as_bytes().cmp(id.as_bytes()))
            .ok()
            .map(|i| &self.structures[i])
    }
    /// The eligibility rules checked for one of its structures, with their wording.
    pub fn verifications(&self, l: &LigneStructure) -> Vec<eligibilite::Verification> {
        let signataire = self
            .convention
            .collectivite(&l.structure.collectivite)
            .is_some_and(|c| c.signataire);
        eligibilite::verifications(&l.structure, signataire, &self.bareme)
    }
    pub fn groupe(&self, collectivite: &str, volet: &str) -> Option<&GroupeVolet> {
        self.groupes
            .iter()
            .find(|g| g.collectivite == collectivite && g.volet == volet)
    }
}

/// Unit-months of one structure, in hundredths of a unit × months: what multiplies the
/// rate (`Σ u × mois`) and the forfait (`Σ n × mois`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct UnitesMois {
    pub existantes: i64,
    pub nouvelles: i64,
}

/// Optional inputs of a calculation, used by the multi-year projection (docs/regles.md
/// R20–R23). `Surcharges::default()` is the plain calculation of R16, R7 ([`calculer`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Surcharges {
    /// Base rate `m` (cents per unit) imposed for a (collectivité, volet) in place of
    /// `A / U`; floor and revaluation still apply: `m_eff = max(m, plancher) × (1 + reval)`.
    pub taux_imposes: BTreeMap<(String, String), Taux>,
    /// Per structure id: unit-months in place of `u_i × mo_i` and `n_i × mo_i` (units that
    /// change during the year). `U` still counts `u_i = unites_existantes − unites_employeurs`.
    pub unites_mois: BTreeMap<String, UnitesMois>,
    /// Trajectoire (R24): `P_ref` per collectivité in place of this dossier's Σ u_i.
    pub places_reference: Option<BTreeMap<String, i64>>,
    /// Trajectoire (R24): places of the year per structure id in place of `u_i + n_i`
    /// (the projection counts the places of December).
    pub places_annee: BTreeMap<String, i64>,
}

/// The collectivités by id, the first one winning on a duplicate id (as
/// [`Convention::index`]), hashed by FxHash: one lookup per structure in the validation and
/// the calculation, on short trusted keys (no need for SipHash's resistance to chosen
/// collisions).
pub(crate) fn index_collectivites(conv: &Convention) -> FxHashMap<&str, &Collectivite> {
    let mut index =
        FxHashMap::with_capacity_and_hasher(conv.collectivites.len(), Default::default());
    for c in &conv.collectivites {
        index.entry(c.id.as_str()).or_insert(c);
    }
    index
}

/// Whether a structure's collectivité signed the convention, from the index of
/// [`index_collectivites`]: consecutive structures (sorted by id) often share their
/// collectivité, whose flag is looked up again only when it changes.
pub(crate) struct Signataires<'i, 'a> {
    index: &'i FxHashMap<&'a str, &'a Collectivite>,
    derniere: Option<(&'i str, bool)>,
}

impl<'i, 'a> Signataires<'i, 'a> {
    pub(crate) fn new(index: &'i FxHashMap<&'a str, &'a Collectivite>) -> Self {
        Signataires {
            index,
            derniere: None,
        }
    }
    /// `true` when `collectivite` is declared and signatory.
    pub(crate) fn de(&mut self, collectivite: &'i str) -> bool {
        match self.derniere {
            Some((c, sig)) if c == collectivite => sig,
            _ => {
                let sig = self.index.get(collectivite).is_some_and(|c| c.signataire);
                self.derniere = Some((collectivite, sig));
                sig
            }
        }
    }
}

/// A decimal fraction as an exact rational.
pub fn decimal_en_rationnel(d: Decimal) -> R<Rationnel> {
    let p = 10i128.checked_pow(d.scale()).ok_or(Depassement)?;
    Rationnel::new(d.mantissa(), p)
}

/// Computes exercice `bareme.exercice` for a validated dossier (R15, R16, R7, R65).
pub fn calculer(dossier: &Dossier, bareme: &BaremeExercice) -> R<Resultat> {
    calculer_avec(dossier, bareme, &Surcharges::default())
}

/// [`calculer`] with imposed rates and unit-months (multi-year projection). With
/// `Surcharges::default()` it is exactly [`calculer`]. The dossier is borrowed: each
/// structure is copied into its line (see [`calculer_dossier`] to move them instead).
pub fn calculer_avec(
    dossier: &Dossier,
    bareme: &BaremeExercice,
    surcharges: &Surcharges,
) -> R<Resultat> {
    let mut ordre: Vec<&Structure> = dossier.structures.iter().collect();
    ordre.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
    let ordre: Vec<Structure> = ordre.into_iter().cloned().collect();
    let (lignes, reste) = calculer_trie(
        &dossier.convention,
        &dossier.charges,
        ordre,
        bareme,
        surcharges,
    )?;
    reste.resultat(dossier.convention.clone(), bareme, lignes)
}

/// [`calculer`] on a dossier given away: its structures are moved into the lines of the
/// result instead of copied (one copy of each structure in memory, not two), and its
/// convention into the result. The same figures as [`calculer`].
pub fn calculer_dossier(dossier: Dossier, bareme: &BaremeExercice) -> R<Resultat> {
    let Dossier {
        convention,
        mut structures,
        charges,
    } = dossier;
    trier_par_id(&mut structures);
    let (lignes, reste) = calculer_trie(
        &convention,
        &charges,
        structures,
        bareme,
        &Surcharges::default(),
    )?;
    drop(charges);
    reste.resultat(convention, bareme, lignes)
}

/// [`calculer_avec`] on structures given away (moved into the lines of the result instead
/// of copied), the convention and charges borrowed: the multi-year projection keeps each
/// year's convention and charges beside its result, its structures once. The same figures
/// as [`calculer_avec`].
pub fn calculer_structures_avec(
    convention: &Convention,
    charges: &[ChargeAPayer],
    mut structures: Vec<Structure>,
    bareme: &BaremeExercice,
    surcharges: &Surcharges,
) -> R<Resultat> {
    trier_par_id(&mut structures);
    let (lignes, reste) = calculer_trie(convention, charges, structures, bareme, surcharges)?;
    reste.resultat(convention.clone(), bareme, lignes)
}

/// Sorts the structures by `id` (byte order) exactly as a stable sort would, without
/// moving each structure more than once: the stable order of the indices, then that
/// permutation applied in place, cycle by cycle.
fn trier_par_id(structures: &mut [Structure]) {
    let ordre = ordre_par_id(structures);
    appliquer_ordre(structures, ordre);
}

/// The indices of `structures` in the order of a stable sort by `id` (bytes). Each id's first
/// 32 bytes are read once as two big-endian integers (zero-padded: an order-preserving
/// key), compared first; the whole ids only when those are equal, then the indices: a total
/// order, so an unstable sort gives the stable order.
fn ordre_par_id(structures: &[Structure]) -> Vec<usize> {
    fn cle(id: &[u8]) -> (u128, u128) {
        let mut b = [0u8; 32];
        let n = id.len().min(32);
        b[..n].copy_from_slice(&id[..n]);
        let (h, l) = b.split_at(16);
        (
            u128::from_be_bytes(h.try_into().unwrap_or_default()),
            u128::from_be_bytes(l.try_into().unwrap_or_default()),
        )
    }
    let mut cles: Vec<(u128, u128, usize)> = structures
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let (h, l) = cle(s.id.as_bytes());
            (h, l, i)
        })
        .collect();
    // integers only (keys, then indices); ids whose keys are equal (a common prefix of 32
    // bytes, or equal ids) are then put in the order of their whole bytes, run by run
    cles.sort_unstable();
    let mut debut = 0;
    while debut < cles.len() {
        let mut fin = debut + 1;
        while fin < cles.len() && (cles[fin].0, cles[fin].1) == (cles[debut].0, cles[debut].1) {
            fin += 1;
        }
        if fin - debut > 1 {
            cles[debut..fin].sort_by(|a, b| {
                structures[a.2]
                    .id
                    .as_bytes()
                    .cmp(structures[b.2].id.as_bytes())
                    .then(a.2.cmp(&b.2))
            });
        }
        debut = fin;
    }
    cles.into_iter().map(|c| c.2).collect()
}

/// Applies permutation `ordre` (`new[j] = old[ordre[j]]`) in place, moving each structure
/// once.
fn appliquer_ordre(structures: &mut [Structure], mut ordre: Vec<usize>) {
    // wanted: new[j] = old[ordre[j]]; a visited position is marked `ordre[j] = j`
    for debut in 0..ordre.len() {
        let mut j = debut;
        while ordre[j] != j {
            let suivant = ordre[j];
            ordre[j] = j;
            if suivant == debut {
                break;
            }
            structures.swap(j, suivant);
            j = suivant;
        }
    }
}

/// What is left of a calculation once its lines are made: groups, trajectoire, totals.
struct Reste {
    groupes: Vec<GroupeVolet>,
    trajectoire: Vec<TrajectoireCollectivite>,
    gestionnaires: BTreeMap<String, Totaux>,
    collectivites: BTreeMap<String, TotauxCollectivite>,
    total: TotalGeneral,
}

impl Reste {
    fn resultat(
        self,
        convention: Convention,
        bareme: &BaremeExercice,
        lignes: Vec<LigneStructure>,
    ) -> R<Resultat> {
        Ok(Resultat {
            exercice: bareme.exercice,
            convention,
            bareme: bareme.clone(),
            structures: lignes,
            groupes: self.groupes,
            trajectoire: self.trajectoire,
            gestionnaires: self.gestionnaires,
            collectivites: self.collectivites,
            total: self.total,
        })
    }
}

/// The calculation on structures already sorted by id (byte order), which it keeps in the
/// lines.
fn calculer_trie(
    convention: &Convention,
    charges: &[ChargeAPayer],
    ordre: Vec<Structure>,
    bareme: &BaremeExercice,
    surcharges: &Surcharges,
) -> R<(Vec<LigneStructure>, Reste)> {
    // 1. eligibility (R15) and unit-months of every structure, sorted by id
    let e = Entree::preparer(convention, charges, ordre, bareme, surcharges)?;
    // 2. groups (collectivité, volet) and their members (R5, R8, R64)
    let (mut groupes, membres) = groupes::former(&e)?;
    // 3–4. per group: lissage, new units, rounding, reconciliation (R6–R9, R60–R66)
    let mut parts = Parts::vides(e.ordre.len());
    for (k, g) in groupes.iter_mut() {
        distribution::repartir(&e, &membres, k, g, &mut parts)?;
    }
    drop(membres);
    // 5. bonus trajectoire (R63)
    let trajectoire = lignes::trajectoire(&e, &mut groupes, &mut parts)?;
    // 6. per-structure lines and contributions (R65)
    let lignes = lignes::lignes(e, parts)?;
    // 7. totals
    let groupes: Vec<GroupeVolet> = groupes.into_values().collect();
    let (gestionnaires, collectivites, total) = totaux::totaliser(convention, &lignes, &groupes)?;
    Ok((
        lignes,
        Reste {
            groupes,
            trajectoire,
            gestionnaires,
            collectivites,
            total,
        },
    ))
}

/// What every step reads: the structures sorted by id (byte order: independent of row
/// order), the collectivités by id, each structure's eligibility and unit-months.
pub(crate) struct Entree<'a> {
    pub convention: &'a Convention,
    pub charges: &'a [ChargeAPayer],
    pub bareme: &'a BaremeExercice,
    pub surcharges: &'a Surcharges,
    /// The structures, sorted by id; moved into their lines at the end.
    pub ordre: Vec<Structure>,
    pub index: FxHashMap<&'a str, &'a Collectivite>,
    pub eligibilites: Vec<Eligibilite>,
    /// `u_i × mo_i` and `n_i × mo_i`, unless imposed by the projection (R21).
    pub unites_mois: Vec<UnitesMois>,
}

impl<'a> Entree<'a> {
    fn preparer(
        convention: &'a Convention,
        charges: &'a [ChargeAPayer],
        ordre: Vec<Structure>,
        bareme: &'a BaremeExercice,
        surcharges: &'a Surcharges,
    ) -> R<Self> {
        let index = index_collectivites(convention);
        let mut noms = Vec::new();
        let mut volets = eligibilite::VoletsParType::new(bareme);
        let mut signataires = Signataires::new(&index);
        let eligibilites = ordre
            .iter()
            .map(|s| {
                let signataire = signataires.de(&s.collectivite);
                eligibilite::evaluer_volets(s, signataire, &mut volets, &mut noms)
            })
            .collect();
        let mut unites_mois = Vec::with_capacity(ordre.len());
        for s in &ordre {
            unites_mois.push(match surcharges.unites_mois.get(s.id.as_str()) {
                Some(x) => *x,
                None => UnitesMois {
                    existantes: s.unites_bonus().fois_mois(s.mois_ouverture)?.0,
                    nouvelles: s.unites_nouvelles.fois_mois(s.mois_ouverture)?.0,
                },
            });
        }
        Ok(Entree {
            convention,
            charges,
            bareme,
            surcharges,
            ordre,
            index,
            eligibilites,
            unites_mois,
        })
    }
}

/// Per structure (index into [`Entree::ordre`]): its shares, rate and forfait.
pub(crate) struct Parts {
    pub lissage: Vec<Option<Box<Attribution>>>,
    pub nouvelles: Vec<Option<Box<Attribution>>>,
    pub ctre_lissage: Vec<Option<Box<Attribution>>>,
    pub ctre_nouvelles: Vec<Option<Box<Attribution>>>,
    pub trajectoire: Vec<Option<Box<Attribution>>>,
    pub taux: Vec<Option<Arc<Taux>>>,
    pub forfaits: Vec<Montant>,
}

impl Parts {
    fn vides(n: usize) -> Self {
        Parts {
            lissage: vec![None; n],
            nouvelles: vec![None; n],
            ctre_lissage: vec![None; n],
            ctre_nouvelles: vec![None; n],
            trajectoire: vec![None; n],
            taux: vec![None; n],
            forfaits: vec![Montant(0); n],
        }
    }
}

/// `m_eff = max(m, plancher) × (1 + revalorisation)` for a volet, with the grid cells chosen
/// by the collectivité's population and the existing amount `m` (R60). Returns `m_eff` and
/// the floor and revaluation used. `Err` when a grid needs a population that is unknown
/// (validation reports it first, E101).
pub fn taux_effectif(
    volet: &VoletExercice,
    population: Option<u64>,
    m: Taux,
) -> R<(Taux, Montant, Decimal)> {
    // a grid needing an unknown population is refused by validation first (E101)
    const SANS_CASE: crate::calcul::rationnel::ErreurCalcul =
        Invariant("case de grille du barème introuvable (population non renseignée)");
    let (_, _, plancher) = volet
        .plancher
        .valeur
        .cellule(population, *m)
        .ok_or(SANS_CASE)?;
    let (_, _, reval) = volet
        .revalorisation
        .valeur
        .cellule(population, *m)
        .ok_or(SANS_CASE)?;
    let facteur = Rationnel::UN.add(decimal_en_rationnel(reval)?)?;
    let m_eff =
        m.0.max(Rationnel::entier(plancher.0 as i128))
            .mul(facteur)?;
    Ok((Taux(m_eff), plancher, reval))
}

#[cfg(test)]
mod tests_tri;
