//! How each figure of a structure was obtained (as Publicodes does: a value carries its
//! derivation). For every figure the calculation produced — A, U, m, floor, revaluation,
//! m_eff, each share, the rounding step, t_i, the cap, the trajectoire, the contribution — a
//! [`Noeud`] gives the rule (docs/regles.md), the formula, the operands with their values
//! and the barème parameters read with their date, reference and status. The tree is made
//! here, from the values the calculation kept ([`super::Resultat`]); `rapport::explication` only
//! renders it (text, JSON).

use super::contributions::{self, Reference};
use super::eligibilite::Motif;
use super::rationnel::{Rationnel, R};
use super::repartition::Attribution;
use super::{ArrondiGroupe, GroupeVolet, LigneStructure, Resultat};
use crate::bareme::{Ajustement, Lu, Source, VoletExercice};
use crate::modele::{Dossier, Montant, UniteMois, Unites};
use rust_decimal::Decimal;

mod bonus;
mod contribution;
pub use bonus::noeud_u_i;
use bonus::{noeud_ctre, noeud_lissage, noeud_nouvelles, noeud_trajectoire};
pub use contribution::{noeud_contribution, LigneContribution};

/// The formulas of the figures (docs/regles.md), written once: the explanation nodes carry
/// them and the reports print them from there.
pub mod formules {
    pub const U_I: &str = "unités existantes − unités employeurs";
    pub const M: &str = "A / U";
    pub const U: &str = "Σ u_i";
    pub const M_EFF: &str = "max(m, plancher) × (1 + revalorisation)";
    pub const S_I_VARIABLE: &str = "m_eff × (Σ u × mois) / 12";
    pub const S_I: &str = "m_eff × u_i × mo_i / 12";
    pub const T_I_VARIABLE: &str = "forfait × (Σ n × mois) / 12";
    pub const T_I: &str = "forfait × n_i × mo_i / 12";
    pub const PLAFOND: &str = "plafond_developpement × A";
    pub const B_I: &str = "montant par place × places-mois / 12";
    pub const BONUS_TOTAL: &str = "lissage + nouvelles + trajectoire";
}

/// A figure's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Valeur {
    /// Paid amount, cents.
    Montant(Montant),
    /// Exact amount or rate, cents (or cents per unit).
    Exact(Rationnel),
    Unites(Unites),
    /// Hundredths of a unit × months.
    UnitesMois(UniteMois),
    Entier(i64),
    /// A fraction read from the barème (revaluation, cap, threshold).
    Decimal(Decimal),
    /// A pure ratio (cap factor, growth).
    Rapport(Rationnel),
    Booleen(bool),
    Texte(String),
}

/// A barème parameter read for the figure: its name, the value used, and its source
/// (`None`: absent from the barème, the neutral default of docs/bareme.md).
#[derive(Debug, Clone, PartialEq)]
pub struct ParametreLu {
    pub nom: String,
    pub valeur: Valeur,
    /// `true` when the value is one cell of a grid (stratum, existing amount: R60).
    pub case_de_grille: bool,
    pub source: Option<Source>,
}

/// One figure and how it was obtained.
#[derive(Debug, Clone, PartialEq)]
pub struct Noeud {
    /// Short name of the figure (`A`, `U`, `m`, `m_eff`, `s_i`, `t_i`…).
    pub id: &'static str,
    /// Rule of docs/regles.md (`R6`…).
    pub regle: &'static str,
    pub libelle: String,
    /// Formula over the operands' ids (`A / U`); `None` for a datum.
    pub formule: Option<String>,
    pub valeur: Valeur,
    pub operandes: Vec<Noeud>,
    pub parametres: Vec<ParametreLu>,
}

impl Noeud {
    fn donnee(id: &'static str, regle: &'static str, libelle: &str, valeur: Valeur) -> Self {
        Noeud {
            id,
            regle,
            libelle: libelle.to_string(),
            formule: None,
            valeur,
            operandes: Vec::new(),
            parametres: Vec::new(),
        }
    }
    fn calcul(
        id: &'static str,
        regle: &'static str,
        libelle: &str,
        formule: &str,
        valeur: Valeur,
        operandes: Vec<Noeud>,
    ) -> Self {
        Noeud {
            formule: Some(formule.to_string()),
            operandes,
            ..Noeud::donnee(id, regle, libelle, valeur)
        }
    }
    fn avec(mut self, p: ParametreLu) -> Self {
        self.parametres.push(p);
        self
    }
    /// The first node of the tree (depth first) with this id.
    pub fn trouver(&self, id: &str) -> Option<&Noeud> {
        if self.id == id {
            return Some(self);
        }
        self.operandes.iter().find_map(|o| o.trouver(id))
    }
}

fn parametre<T>(nom: &str, l: &Lu<T>, valeur: Valeur, case_de_grille: bool) -> ParametreLu {
    ParametreLu {
        nom: nom.to_string(),
        valeur,
        case_de_grille,
        source: l.source.clone(),
    }
}

/// The whole explanation of one structure for one exercice.
#[derive(Debug, Clone, PartialEq)]
pub struct Explication {
    pub id: String,
    pub exercice: i32,
    /// The eligibility rules checked, in order (R15).
    pub eligibilite: Noeud,
    /// Lissage share and its rounding (R6, R60, R9), when the structure has one.
    pub lissage: Option<Noeud>,
    /// New-unit share and its rounding (R7, R62, R9).
    pub nouvelles: Option<Noeud>,
    /// Bonus trajectoire share (R63).
    pub trajectoire: Option<Noeud>,
    /// CTRE (R64), outside the bonus.
    pub ctre: Option<Noeud>,
    /// lissage + nouvelles + trajectoire.
    pub bonus_total: Noeud,
    /// The contribution and the public funding (R65).
    pub contribution: Noeud,
}

/// The explanation of structure `id` (`None`: no such structure).
pub fn expliquer(d: &Dossier, r: &Resultat, id: &str) -> R<Option<Explication>> {
    let Some(l) = r.structure(id) else {
        return Ok(None);
    };
    let s = &l.structure;
    let volet = l
        .eligibilite
        .volet_eligible()
        .and_then(|v| r.bareme.volets.get(v));
    let groupe = l
        .eligibilite
        .volet_eligible()
        .and_then(|v| r.groupe(&s.collectivite, v));
    let (lissage, nouvelles) = match (volet, groupe) {
        (Some(v), Some(g)) => (noeud_lissage(d, r, l, g, v)?, noeud_nouvelles(r, l, g, v)?),
        _ => (None, None),
    };
    let contribution = noeud_contribution(
        &r.bareme.ajustement_contribution,
        Reference::n1(s),
        None,
        s.mois_ouverture,
        l,
    )?;
    Ok(Some(Explication {
        id: s.id.clone(),
        exercice: r.exercice,
        eligibilite: noeud_eligibilite(r, l),
        lissage,
        nouvelles,
        trajectoire: noeud_trajectoire(r, l)?,
        ctre: noeud_ctre(l),
        bonus_total: noeud_bonus_total(l)?,
        contribution,
    }))
}

fn noeud_eligibilite(r: &Resultat, l: &LigneStructure) -> Noeud {
    let motif = l.motif();
    Noeud {
        operandes: r
            .verifications(l)
            .iter()
            .map(|v| {
                Noeud::donnee(
                    v.regle.code(),
                    "R15",
                    &v.detail,
                    Valeur::Booleen(v.satisfaite),
                )
            })
            .collect(),
        ..Noeud::donnee(
            "eligibilite",
            "R15",
            motif.libelle(),
            Valeur::Texte(motif.code().to_string()),
        )
    }
}

fn noeud_bonus_total(l: &LigneStructure) -> R<Noeud> {
    Ok(Noeud::calcul(
        "bonus_total",
        "R6",
        "bonus total versé à la structure",
        formules::BONUS_TOTAL,
        Valeur::Montant(l.bonus_total),
        vec![
            Noeud::donnee(
                "lissage",
                "R16",
                "lissage versé",
                Valeur::Montant(l.bonus_lissage),
            ),
            Noeud::donnee(
                "nouvelles",
                "R7",
                "unités nouvelles versées",
                Valeur::Montant(l.bonus_nouvelles),
            ),
            Noeud::donnee(
                "trajectoire",
                "R63",
                "bonus trajectoire versé",
                Valeur::Montant(l.bonus_trajectoire),
            ),
            Noeud::donnee(
                "part_exacte",
                "R9",
                "part exacte",
                Valeur::Exact(l.part_exacte()?),
            ),
            Noeud::donnee(
                "ecart_arrondi",
                "R9",
                "écart d'arrondi (versé − exact)",
                Valeur::Exact(l.ecart_arrondi()?),
            ),
        ],
    ))
}

impl Explication {
    /// Is the structure eligible?
    pub fn eligible(&self) -> bool {
        self.eligibilite.valeur == Valeur::Texte(Motif::Eligible.code().to_string())
    }
}
