//! The pure calculation core (R15, R16, R7, R65): eligibility → distribution → contributions →
//! reconciliation. No I/O: a dossier and a barème in, a [`Resultat`] out, every figure kept
//! with what produced it so that `expliquer` can show it.

pub mod contributions;
pub mod eligibilite;
pub mod explication;
pub mod rationnel;
pub mod repartition;

use crate::bareme::{Arrondi, BaremeExercice, PlafondBase, Versement, VoletExercice};
use crate::modele::*;
use crate::projection::trajectoire::{self, PlacesStructure, TrajectoireCollectivite};
use eligibilite::{Eligibilite, Motif};
use rationnel::{Depassement, Invariant, Rationnel, R};
use repartition::{arrondir_groupe, Attribution};
use rust_decimal::Decimal;
use std::collections::BTreeMap;

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
    pub taux_base: Option<Rationnel>,
    /// `m_eff = max(m, plancher) × (1 + revalorisation)`, cents per unit.
    pub taux_effectif: Option<Rationnel>,
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
    /// `m_eff` of its group when eligible and `U > 0`.
    pub taux_unitaire: Option<Rationnel>,
    /// Forfait per new unit read for its tranche (0 when ineligible).
    pub forfait: Montant,
    /// Unit-months actually paid (`u_i × mo_i`, `n_i × mo_i`, or the projection's
    /// [`Surcharges::unites_mois`]); 0 when ineligible.
    pub unites_mois: UnitesMois,
    pub lissage: Option<Attribution>,
    pub nouvelles: Option<Attribution>,
    pub bonus_lissage: Montant,
    pub bonus_nouvelles: Montant,
    /// Bonus trajectoire (R63).
    pub trajectoire: Option<Attribution>,
    pub bonus_trajectoire: Montant,
    /// lissage + nouvelles + trajectoire.
    pub bonus_total: Montant,
    /// CTRE (R64): smoothing of the CTRE envelope over the employer places, and forfait of
    /// the new employer places; outside `bonus_total`.
    pub ctre_lissage: Option<Attribution>,
    pub ctre_nouvelles: Option<Attribution>,
    pub bonus_ctre: Montant,
    /// `s_i + t_i + trajectoire`, cents.
    pub part_exacte: Rationnel,
    /// paid − exact, cents.
    pub ecart_arrondi: Rationnel,
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

impl Totaux {
    fn ajouter(&mut self, l: &LigneStructure) -> R<()> {
        self.structures += 1;
        if l.eligibilite.est_eligible() {
            self.structures_eligibles += 1;
        }
        self.bonus_n1.ajouter(l.structure.bonus_n1)?;
        self.bonus_lissage.ajouter(l.bonus_lissage)?;
        self.bonus_nouvelles.ajouter(l.bonus_nouvelles)?;
        self.bonus_total.ajouter(l.bonus_total)?;
        self.contribution_n1.ajouter(l.contribution_n1)?;
        self.contribution_n.ajouter(l.contribution_n)?;
        self.financement_public_n1
            .ajouter(l.financement_public_n1)?;
        self.financement_public_n.ajouter(l.financement_public_n)?;
        self.variation.ajouter(l.variation)?;
        self.bonus_trajectoire.ajouter(l.bonus_trajectoire)?;
        self.bonus_ctre.ajouter(l.bonus_ctre)
    }
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
    pub fn structure(&self, id: &str) -> Option<&LigneStructure> {
        self.structures.iter().find(|l| l.structure.id == id)
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
    pub taux_imposes: BTreeMap<(String, String), Rationnel>,
    /// Per structure id: unit-months in place of `u_i × mo_i` and `n_i × mo_i` (units that
    /// change during the year). `U` still counts `u_i = unites_existantes − unites_employeurs`.
    pub unites_mois: BTreeMap<String, UnitesMois>,
    /// Trajectoire (R24): `P_ref` per collectivité in place of this dossier's Σ u_i.
    pub places_reference: Option<BTreeMap<String, i64>>,
    /// Trajectoire (R24): places of the year per structure id in place of `u_i + n_i`
    /// (the projection counts the places of December).
    pub places_annee: BTreeMap<String, i64>,
}

/// A decimal fraction as an exact rational.
pub fn decimal_en_rationnel(d: Decimal) -> R<Rationnel> {
    let p = 10i128.checked_pow(d.scale()).ok_or(Depassement)?;
    Rationnel::new(d.mantissa(), p)
}

fn montant(v: i128) -> R<Montant> {
    Montant::depuis_i128(v)
}

fn somme<I: IntoIterator<Item = Montant>>(it: I) -> R<Montant> {
    Montant::somme(it)
}

/// Computes exercice `bareme.exercice` for a validated dossier (R15, R16, R7, R65).
pub fn calculer(dossier: &Dossier, bareme: &BaremeExercice) -> R<Resultat> {
    calculer_avec(dossier, bareme, &Surcharges::default())
}

/// [`calculer`] with imposed rates and unit-months (multi-year projection). With
/// `Surcharges::default()` it is exactly [`calculer`].
pub fn calculer_avec(
    dossier: &Dossier,
    bareme: &BaremeExercice,
    surcharges: &Surcharges,
) -> R<Resultat> {
    let conv = &dossier.convention;
    let arrondi = bareme.arrondi.valeur;

    // 1. eligibility, structures sorted by id
    let mut ordre: Vec<&Structure> = dossier.structures.iter().collect();
    ordre.sort_by(|a, b| a.id.as_bytes().cmp(b.id.as_bytes()));
    let index = conv.index();
    let eligibilites: Vec<Eligibilite> = ordre
        .iter()
        .map(|s| {
            let signataire = index
                .get(s.collectivite.as_str())
                .is_some_and(|c| c.signataire);
            eligibilite::evaluer_signataire(s, signataire, bareme)
        })
        .collect();

    // 2. groups (collectivité, volet): from charge lines and from eligible structures
    let mut groupes: BTreeMap<(String, String), GroupeVolet> = BTreeMap::new();
    let nouveau = |c: &str, v: &str| GroupeVolet {
        collectivite: c.to_string(),
        volet: v.to_string(),
        versement: bareme.volets.get(v).map(|x| x.versement.valeur),
        charge_n1: Montant(0),
        lignes_charge: Vec::new(),
        unites: Unites(0),
        taux_base: None,
        taux_effectif: None,
        plancher: Montant(0),
        revalorisation: Decimal::ZERO,
        nouvelles_avant_plafond: Rationnel::ZERO,
        plafond: None,
        unites_nouvelles: Unites(0),
        plafond_unites: None,
        facteur_plafond: None,
        arrondi_lissage: None,
        arrondi_nouvelles: None,
        lissage_verse: Montant(0),
        nouvelles_versees: Montant(0),
        complement_plancher: Montant(0),
        trajectoire_versee: Montant(0),
        non_redistribue: Montant(0),
        verse_collectivite: Montant(0),
        structures_eligibles: 0,
        taux_impose: false,
    };
    for ch in &dossier.charges {
        let g = groupes
            .entry((ch.collectivite.clone(), ch.volet.clone()))
            .or_insert_with(|| nouveau(&ch.collectivite, &ch.volet));
        g.charge_n1.0 = g.charge_n1.0.checked_add(ch.montant.0).ok_or(Depassement)?;
        g.lignes_charge.push(ch.ligne);
    }
    // members (indices into `ordre`) of each group; keys borrowed (no copy per structure),
    // the groups created once per key
    let mut membres: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for (i, (s, e)) in ordre.iter().zip(&eligibilites).enumerate() {
        if let Some(v) = e.volet_eligible() {
            membres
                .entry((s.collectivite.as_str(), v))
                .or_default()
                .push(i);
        }
    }
    for &(c, v) in membres.keys() {
        groupes
            .entry((c.to_string(), v.to_string()))
            .or_insert_with(|| nouveau(c, v));
    }

    // CTRE members (R64): annexe 2 structures of the types and financing of a volet
    // `versement = "employeurs"`, open in N, with employer places (existing or new);
    // neither the collectivité's support nor its signature is required
    let mut membres_ctre: BTreeMap<(&str, &str), Vec<usize>> = BTreeMap::new();
    for v in bareme.volets_employeurs() {
        for (i, s) in ordre.iter().enumerate() {
            let financement_ok = v
                .financement
                .valeur
                .as_ref()
                .is_none_or(|l| l.contains(&s.financement));
            if s.annexe == Annexe::Deux
                && v.types.valeur.contains(&s.type_structure)
                && financement_ok
                && s.mois_ouverture > 0
                && (s.unites_employeurs.0 > 0 || s.unites_employeurs_nouvelles.0 > 0)
            {
                membres_ctre
                    .entry((s.collectivite.as_str(), v.nom.as_str()))
                    .or_default()
                    .push(i);
            }
        }
    }
    // a CTRE group exists with its charge lines, or with a new employer place (forfait)
    for (&(c, v), ms) in &membres_ctre {
        if ms
            .iter()
            .any(|&i| ordre[i].unites_employeurs_nouvelles.0 > 0)
        {
            groupes
                .entry((c.to_string(), v.to_string()))
                .or_insert_with(|| nouveau(c, v));
        }
    }

    // 3. distribution per group
    let mut lissage: Vec<Option<Attribution>> = vec![None; ordre.len()];
    let mut nouvelles: Vec<Option<Attribution>> = vec![None; ordre.len()];
    let mut ctre_lissage: Vec<Option<Attribution>> = vec![None; ordre.len()];
    let mut ctre_nouvelles: Vec<Option<Attribution>> = vec![None; ordre.len()];
    let mut taux: Vec<Option<Rationnel>> = vec![None; ordre.len()];
    let mut forfaits: Vec<Montant> = vec![Montant(0); ordre.len()];
    // unit-months of every structure: u_i × mo_i and n_i × mo_i unless imposed
    let mut unites_mois: Vec<UnitesMois> = Vec::with_capacity(ordre.len());
    for s in &ordre {
        unites_mois.push(match surcharges.unites_mois.get(&s.id) {
            Some(x) => *x,
            None => UnitesMois {
                existantes: s.unites_bonus().fois_mois(s.mois_ouverture)?.0,
                nouvelles: s.unites_nouvelles.fois_mois(s.mois_ouverture)?.0,
            },
        });
    }
    for (k, g) in groupes.iter_mut() {
        let a = g.charge_n1.0 as i128;
        let Some(volet) = bareme.volets.get(&g.volet) else {
            g.non_redistribue = g.charge_n1; // unknown volet (R5)
            continue;
        };
        if volet.versement.valeur == Versement::Collectivite {
            g.verse_collectivite = g.charge_n1; // PILOTAGE (R5)
            continue;
        }
        let ctre = volet.versement.valeur == Versement::Employeurs;
        let ids_membres: Vec<usize> = if ctre {
            membres_ctre.get(&(k.0.as_str(), k.1.as_str()))
        } else {
            membres.get(&(k.0.as_str(), k.1.as_str()))
        }
        .cloned()
        .unwrap_or_default();
        g.structures_eligibles = ids_membres.len();
        let ids: Vec<&str> = ids_membres.iter().map(|&i| ordre[i].id.as_str()).collect();
        // units: u_i = existing − employer (bonus), or the employer places (CTRE)
        let u = |i: usize| -> i128 {
            if ctre {
                ordre[i].unites_employeurs.0 as i128
            } else {
                ordre[i].unites_bonus().0 as i128
            }
        };
        let mo = |i: usize| ordre[i].mois_ouverture as i128;
        let um = |i: usize| -> i128 {
            if ctre {
                u(i) * mo(i)
            } else {
                unites_mois[i].existantes as i128
            }
        };
        let n_brut = |i: usize| -> i128 {
            if ctre {
                ordre[i].unites_employeurs_nouvelles.0 as i128
            } else {
                ordre[i].unites_nouvelles.0 as i128
            }
        };
        let nm = |i: usize| -> i128 {
            if ctre {
                n_brut(i) * mo(i)
            } else {
                unites_mois[i].nouvelles as i128
            }
        };
        let u_total: i128 = ids_membres.iter().map(|&i| u(i)).sum();
        g.unites = Unites(i64::try_from(u_total).map_err(|_| Depassement)?);
        let collectivite = index.get(g.collectivite.as_str());
        let population = collectivite.and_then(|c| c.population);

        // 4.1 lissage: m = A / U (cents per unit; units are hundredths) ...
        let mut l_verse = 0i128;
        let mut complement = Rationnel::ZERO;
        if u_total > 0 {
            // the envelope's own rate A / U
            let m_enveloppe = Rationnel::new(a.checked_mul(100).ok_or(Depassement)?, u_total)?;
            let m = match surcharges.taux_imposes.get(k) {
                Some(t) => {
                    g.taux_impose = true;
                    *t
                }
                None => m_enveloppe,
            };
            let (m_eff, plancher, reval) = taux_effectif(volet, population, m)?;
            g.plancher = plancher;
            g.revalorisation = reval;
            g.taux_base = Some(m);
            g.taux_effectif = Some(m_eff);
            // ... s_i = m_eff × u_i × mo_i / 12 = m_eff.num × u_h × mo / (m_eff.den × 1200)
            // (u_h × mo: the structure's unit-months, R21)
            let den = m_eff
                .den()
                .checked_mul(UniteMois::PAR_AN)
                .ok_or(Depassement)?;
            let mut nums = Vec::with_capacity(ids.len());
            let mut base = 0i128; // Σ u_h × mo (for the complement)
            for &i in &ids_membres {
                let um = um(i);
                base = base.checked_add(um).ok_or(Depassement)?;
                nums.push(m_eff.num().checked_mul(um).ok_or(Depassement)?);
            }
            let gr = arrondir_groupe(&ids, &nums, den, arrondi)?;
            // C = max(0, Σ s_i − (A / U) × Σ u_i mo_i / 12): what is paid beyond what the
            // envelope finances at its own rate (floor, revaluation, kept rate; R8, R66)
            let finance = m_enveloppe.mul(Rationnel::new(base, UniteMois::PAR_AN)?)?;
            let c = gr.total_exact.sub(finance)?;
            if c > Rationnel::ZERO {
                complement = c;
            }
            l_verse = gr.total as i128;
            g.arrondi_lissage = Some(ArrondiGroupe::de(&gr, arrondi));
            for (&i, att) in ids_membres.iter().zip(gr.lignes) {
                if ctre {
                    ctre_lissage[i] = Some(att);
                } else {
                    taux[i] = Some(m_eff);
                    lissage[i] = Some(att);
                }
            }
        }

        // 4.2 new units: t_i = forfait(tranche) × n_i × mo_i / 12, capped (R7, R62)
        let tranche = collectivite.and_then(|c| c.tranche).unwrap_or(0);
        let forfait = volet.forfait(if ctre { tranche.max(1) } else { tranche });
        let mut nums = Vec::with_capacity(ids.len());
        let mut somme_nums = 0i128;
        let mut somme_n = 0i128;
        for &i in &ids_membres {
            if !ctre {
                forfaits[i] = forfait;
            }
            somme_n = somme_n.checked_add(n_brut(i)).ok_or(Depassement)?;
            let n = (forfait.0 as i128).checked_mul(nm(i)).ok_or(Depassement)?;
            somme_nums = somme_nums.checked_add(n).ok_or(Depassement)?;
            nums.push(n);
        }
        g.unites_nouvelles = Unites(i64::try_from(somme_n).map_err(|_| Depassement)?);
        g.nouvelles_avant_plafond = Rationnel::new(somme_nums, UniteMois::PAR_AN)?;
        let mut den = UniteMois::PAR_AN;
        if let (Some(p), false) = (volet.plafond_developpement.valeur, ctre) {
            let p = decimal_en_rationnel(p)?;
            // the factor applied to every share, when the cap binds
            let facteur = match volet.plafond_base.valeur {
                PlafondBase::Enveloppe => {
                    let plafond = p.mul(Rationnel::entier(a))?;
                    g.plafond = Some(plafond);
                    if g.nouvelles_avant_plafond > plafond {
                        Some(plafond.div(g.nouvelles_avant_plafond)?)
                    } else {
                        None
                    }
                }
                PlafondBase::Unites => {
                    // Σ n_i ≤ plafond × Σ u_i, in hours (hundredths)
                    let plafond = p.mul(Rationnel::entier(u_total))?;
                    g.plafond_unites = Some(plafond);
                    if Rationnel::entier(somme_n) > plafond {
                        Some(plafond.div(Rationnel::entier(somme_n))?)
                    } else {
                        None
                    }
                }
            };
            if let Some(f) = facteur {
                g.facteur_plafond = Some(f);
                for n in nums.iter_mut() {
                    *n = n.checked_mul(f.num()).ok_or(Depassement)?;
                }
                den = den.checked_mul(f.den()).ok_or(Depassement)?;
            }
        }
        let mut n_verse = 0i128;
        if !ids.is_empty() {
            let gr = arrondir_groupe(&ids, &nums, den, arrondi)?;
            n_verse = gr.total as i128;
            g.arrondi_nouvelles = Some(ArrondiGroupe::de(&gr, arrondi));
            for (&i, att) in ids_membres.iter().zip(gr.lignes) {
                if ctre {
                    ctre_nouvelles[i] = Some(att);
                } else {
                    nouvelles[i] = Some(att);
                }
            }
        }

        // 4.5 reconciliation (R8): A + C = L + R + P, R ≥ 0
        g.lissage_verse = montant(l_verse)?;
        g.nouvelles_versees = montant(n_verse)?;
        g.complement_plancher = montant(complement.arrondi_demi_haut())?;
        g.non_redistribue = montant(a - l_verse + g.complement_plancher.0 as i128)?;
    }

    // 4.6 bonus trajectoire (R63): every eligible structure of the trajectoire volet
    let mut traj_parts: Vec<Option<Attribution>> = vec![None; ordre.len()];
    let mut traj: Vec<TrajectoireCollectivite> = Vec::new();
    if let Some(p) = &bareme.trajectoire {
        let volet = p.volet.valeur.as_str();
        let mut reference: BTreeMap<String, i64> = BTreeMap::new();
        for c in &conv.collectivites {
            reference.insert(c.id.clone(), 0);
        }
        let mut places = Vec::new();
        for (i, (s, e)) in ordre.iter().zip(&eligibilites).enumerate() {
            if e.volet_eligible() != Some(volet) {
                continue;
            }
            let u = s.unites_bonus().0;
            *reference.entry(s.collectivite.clone()).or_default() += u;
            places.push(PlacesStructure {
                id: s.id.clone(),
                collectivite: s.collectivite.clone(),
                places_decembre: surcharges
                    .places_annee
                    .get(&s.id)
                    .copied()
                    .unwrap_or(u + s.unites_nouvelles.0),
                places_mois: unites_mois[i]
                    .existantes
                    .checked_add(unites_mois[i].nouvelles)
                    .ok_or(Depassement)?,
            });
        }
        let reference = match &surcharges.places_reference {
            Some(r) => r.clone(),
            None => reference,
        };
        traj = trajectoire::calculer(p, &reference, &places, arrondi)?;
        for t in &traj {
            if let Some(g) = groupes.get_mut(&(t.collectivite.clone(), t.volet.clone())) {
                g.trajectoire_versee = t.verse;
            }
            for part in &t.parts {
                if let Some(i) = ordre.iter().position(|s| s.id == part.id) {
                    traj_parts[i] = Some(part.attribution.clone());
                }
            }
        }
    }

    // 4. per-structure lines and contributions (R65)
    let mode = bareme.ajustement_contribution.valeur;
    let mut lignes = Vec::with_capacity(ordre.len());
    for (i, (s, e)) in ordre.iter().zip(eligibilites).enumerate() {
        let eligible = e.est_eligible();
        let bl = lissage[i].as_ref().map_or(0, |a| a.verse);
        let bn = nouvelles[i].as_ref().map_or(0, |a| a.verse);
        let bt = traj_parts[i].as_ref().map_or(0, |a| a.verse);
        let bc = ctre_lissage[i].as_ref().map_or(0, |a| a.verse)
            + ctre_nouvelles[i].as_ref().map_or(0, |a| a.verse);
        let exacte = lissage[i]
            .as_ref()
            .map_or(Rationnel::ZERO, |a| a.exacte)
            .add(nouvelles[i].as_ref().map_or(Rationnel::ZERO, |a| a.exacte))?
            .add(traj_parts[i].as_ref().map_or(Rationnel::ZERO, |a| a.exacte))?;
        let total = bl
            .checked_add(bn)
            .and_then(|x| x.checked_add(bt))
            .ok_or(Depassement)?;
        let c = contributions::ajuster(mode, s, Montant(bl), Montant(total))?;
        lignes.push(LigneStructure {
            structure: (*s).clone(),
            unites_eligibles: if eligible {
                s.unites_bonus()
            } else {
                Unites(0)
            },
            eligibilite: e,
            taux_unitaire: taux[i],
            forfait: forfaits[i],
            unites_mois: if eligible {
                unites_mois[i]
            } else {
                UnitesMois::default()
            },
            lissage: lissage[i].clone(),
            nouvelles: nouvelles[i].clone(),
            bonus_lissage: Montant(bl),
            bonus_nouvelles: Montant(bn),
            trajectoire: traj_parts[i].clone(),
            bonus_trajectoire: Montant(bt),
            bonus_total: Montant(total),
            ctre_lissage: ctre_lissage[i].clone(),
            ctre_nouvelles: ctre_nouvelles[i].clone(),
            bonus_ctre: Montant(bc),
            part_exacte: exacte,
            ecart_arrondi: Rationnel::entier(total as i128).sub(exacte)?,
            contribution_n1: s.contribution_collectivite_n1,
            contribution_n: c.contribution_n,
            financement_public_n1: c.financement_public_n1,
            financement_public_n: c.financement_public_n,
            variation: c.variation,
        });
    }

    // 5. totals
    let mut gestionnaires: BTreeMap<String, Totaux> = BTreeMap::new();
    let mut collectivites: BTreeMap<String, TotauxCollectivite> = BTreeMap::new();
    let mut total = TotalGeneral::default();
    for c in &conv.collectivites {
        collectivites.entry(c.id.clone()).or_default();
    }
    for l in &lignes {
        gestionnaires
            .entry(l.structure.gestionnaire.clone())
            .or_default()
            .ajouter(l)?;
        collectivites
            .entry(l.structure.collectivite.clone())
            .or_default()
            .structures
            .ajouter(l)?;
        total.structures.ajouter(l)?;
    }
    let groupes: Vec<GroupeVolet> = groupes.into_values().collect();
    for g in &groupes {
        let c = collectivites.entry(g.collectivite.clone()).or_default();
        c.charge_n1 = somme([c.charge_n1, g.charge_n1])?;
        c.verse_collectivite = somme([c.verse_collectivite, g.verse_collectivite])?;
        c.non_redistribue = somme([c.non_redistribue, g.non_redistribue])?;
    }
    for c in collectivites.values_mut() {
        c.verse_caf = somme([
            c.structures.bonus_total,
            c.structures.bonus_ctre,
            c.verse_collectivite,
        ])?;
    }
    total.charge_n1 = somme(groupes.iter().map(|g| g.charge_n1))?;
    total.lissage_verse = somme(groupes.iter().map(|g| g.lissage_verse))?;
    total.nouvelles_versees = somme(groupes.iter().map(|g| g.nouvelles_versees))?;
    total.complement_plancher = somme(groupes.iter().map(|g| g.complement_plancher))?;
    total.non_redistribue = somme(groupes.iter().map(|g| g.non_redistribue))?;
    total.verse_collectivite = somme(groupes.iter().map(|g| g.verse_collectivite))?;
    total.trajectoire_versee = somme(groupes.iter().map(|g| g.trajectoire_versee))?;
    total.verse_caf = somme([
        total.structures.bonus_total,
        total.structures.bonus_ctre,
        total.verse_collectivite,
    ])?;

    Ok(Resultat {
        exercice: bareme.exercice,
        convention: conv.clone(),
        bareme: bareme.clone(),
        structures: lignes,
        groupes,
        trajectoire: traj,
        gestionnaires,
        collectivites,
        total,
    })
}

/// `m_eff = max(m, plancher) × (1 + revalorisation)` for a volet, with the grid cells chosen
/// by the collectivité's population and the existing amount `m` (R60). Returns `m_eff` and
/// the floor and revaluation used. `Err` when a grid needs a population that is unknown
/// (validation reports it first, E101).
pub fn taux_effectif(
    volet: &VoletExercice,
    population: Option<u64>,
    m: Rationnel,
) -> R<(Rationnel, Montant, Decimal)> {
    // a grid needing an unknown population is refused by validation first (E101)
    const SANS_CASE: crate::calcul::rationnel::ErreurCalcul =
        Invariant("case de grille du barème introuvable (population non renseignée)");
    let (_, _, plancher) = volet
        .plancher
        .valeur
        .cellule(population, m)
        .ok_or(SANS_CASE)?;
    let (_, _, reval) = volet
        .revalorisation
        .valeur
        .cellule(population, m)
        .ok_or(SANS_CASE)?;
    let facteur = Rationnel::UN.add(decimal_en_rationnel(reval)?)?;
    let m_eff = m.max(Rationnel::entier(plancher.0 as i128)).mul(facteur)?;
    Ok((m_eff, plancher, reval))
}
