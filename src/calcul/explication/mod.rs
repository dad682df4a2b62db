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

mod arrondi;
mod bonus;
mod contribution;
mod trajectoire;
pub use bonus::noeud_u_i;
use bonus::{noeud_lissage, noeud_nouvelles, Contrat};
pub use contribution::{noeud_contribution, LigneContribution};
use trajectoire::{noeud_ctre, noeud_trajectoire};

/// The formulas of the figures (docs/regles.md), written once: the explanation nodes carry
/// them and every renderer (text, HTML, XLSX, JSON) prints them from there. A formula names
/// its operands by their ids, so that a renderer can show it with their values.
pub mod formules {
    pub const A: &str = "Σ charges à payer N-1 du groupe";
    pub const U_I: &str = "unites_existantes − unites_employeurs";
    pub const M: &str = "A / U";
    pub const U: &str = "Σ u_i";
    pub const U_CTRE: &str = "Σ e_i";
    pub const S_I_CTRE: &str = "m_eff × e_i × mo_i / 12";
    pub const T_I_CTRE: &str = "forfait × ne_i × mo_i / 12";
    pub const M_EFF: &str = "max(m, plancher) × (1 + revalorisation)";
    pub const S_I_VARIABLE: &str = "m_eff × unites_mois / 12";
    pub const S_I: &str = "m_eff × u_i × mo_i / 12";
    pub const T_I_VARIABLE: &str = "forfait × unites_mois_nouvelles / 12";
    pub const T_I: &str = "forfait × n_i × mo_i / 12";
    pub const T_I_VARIABLE_PLAFONNE: &str =
        "forfait × unites_mois_nouvelles / 12 × facteur_plafond";
    pub const T_I_PLAFONNE: &str = "forfait × n_i × mo_i / 12 × facteur_plafond";
    pub const PLAFOND: &str = "plafond_developpement × A";
    pub const PLAFOND_UNITES: &str = "plafond_developpement × U";
    pub const FACTEUR_PLAFOND: &str = "min(1, plafond / total_nouvelles)";
    pub const FACTEUR_PLAFOND_UNITES: &str = "min(1, plafond / n_groupe)";
    /// Rounding of a group at the largest remainder (R9).
    pub const VERSE: &str = "plancher_part + centime_reste";
    pub const T_GROUPE: &str = "arrondi(total_exact)";
    pub const CENTIME_RESTE: &str =
        "0,01 € si rang_reste ≤ centimes_restants (les plus forts restes), sinon 0";
    pub const CENTIMES_RESTANTS: &str = "T − Σ planchers des parts du groupe";
    pub const ECART: &str = "versé − part exacte";
    pub const B_I: &str = "montant_par_place × places_mois / 12";
    pub const CROISSANCE: &str = "(P_N − P_ref) / P_ref";
    pub const MONTANT_PAR_PLACE: &str =
        "montant du plus haut seuil atteint : P_N ≥ P_ref × (1 + seuil)";
    pub const BONUS_TOTAL: &str = "lissage + nouvelles + trajectoire";
    pub const CTRE: &str = "ctre_lissage + ctre_nouvelles";
    pub const C_REF: &str = "contribution_ref × mo / mois_ref";
    pub const B_REF: &str = "bonus_ref × mo / mois_ref";
    pub const FINANCEMENT_N1: &str = "contribution_n1 + bonus_n1";
    pub const FINANCEMENT_N: &str = "contribution + bonus_total";
    pub const VARIATION: &str = "financement_public_n − financement_public_n1";
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
    /// Exact hundredths of a unit (the cap of base `unites`, R62).
    UnitesExactes(Rationnel),
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
        (Some(v), Some(g)) => (
            noeud_lissage(d, r, l, (g, v), Contrat::Bonus)?,
            noeud_nouvelles(r, l, (g, v), Contrat::Bonus)?,
        ),
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
        id: s.id.to_string(),
        exercice: r.exercice,
        eligibilite: noeud_eligibilite(r, l),
        lissage,
        nouvelles,
        trajectoire: noeud_trajectoire(r, l)?,
        ctre: noeud_ctre(d, r, l)?,
        bonus_total: noeud_bonus_total(l)?,
        contribution,
    }))
}

fn noeud_eligibilite(r: &Resultat, l: &LigneStructure) -> Noeud {
    let motif = l.motif();
    let mut n = Noeud {
        operandes: r
            .verifications(l)
            .iter()
            .map(|v| {
                let libelle = match Motif::analyser(v.regle.code()) {
                    Some(m) if v.satisfaite => format!("{} — {}", m.condition(), v.detail),
                    Some(m) => format!("inéligible : {} — {}", m.refus(), v.detail),
                    None => v.detail.clone(),
                };
                Noeud::donnee(
                    v.regle.code(),
                    "R15",
                    &libelle,
                    Valeur::Booleen(v.satisfaite),
                )
            })
            .collect(),
        ..Noeud::donnee(
            "eligibilite",
            "R15",
            &if motif == Motif::Eligible {
                format!("éligibilité : {}", motif.libelle())
            } else {
                format!("éligibilité : inéligible — {}", motif.libelle())
            },
            Valeur::Texte(motif.code().to_string()),
        )
    };
    // the volet's lists read for the rules (types, financements)
    if let Some(v) = l.eligibilite.volet().and_then(|v| r.bareme.volets.get(v)) {
        let liste = |x: Vec<&str>| Valeur::Texte(x.join(", "));
        n = n
            .avec(parametre(
                "types",
                &v.types,
                liste(v.types.valeur.iter().map(|t| t.code()).collect()),
                false,
            ))
            .avec(parametre(
                "financement",
                &v.financement,
                match &v.financement.valeur {
                    Some(f) => liste(f.iter().map(|f| f.code()).collect()),
                    None => Valeur::Texte("tous admis".into()),
                },
                false,
            ));
    }
    n
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
                "somme des parts exactes",
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
    /// The figures in the order the renderers show them: eligibility, lissage, new units,
    /// trajectoire, CTRE, bonus total, contribution (the ones that apply).
    pub fn figures(&self) -> Vec<&Noeud> {
        let mut v = vec![&self.eligibilite];
        v.extend(
            [
                &self.lissage,
                &self.nouvelles,
                &self.trajectoire,
                &self.ctre,
            ]
            .into_iter()
            .flatten(),
        );
        v.push(&self.bonus_total);
        v.push(&self.contribution);
        v
    }
    /// Is the structure eligible?
    pub fn eligible(&self) -> bool {
        self.eligibilite.valeur == Valeur::Texte(Motif::Eligible.code().to_string())
    }
}
