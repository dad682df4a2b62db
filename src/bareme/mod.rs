//! The barème: dated parameters, OpenFisca style (docs/bareme.md).
//!
//! Every value carries its start date, its legal reference and a status (`confirme` /
//! `hypothese`). Superseded values are kept. The built-in barème (`bareme_defaut.toml`) is
//! embedded in the binary; a dossier's `bareme.toml` overrides value by value what it names.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::modele::{Date, Financement, Montant, TypeStructure};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The built-in barème, embedded at compile time.
pub const BAREME_INTEGRE: &str = include_str!("../bareme_defaut.toml");
/// How the built-in barème is named where a value's file is shown (for a reader: not a
/// path of the source code).
/// How the built-in barème is named in messages and sources (it is not a file).
pub const NOM_INTEGRE: &str = "barème national intégré à bonus-ctg";

mod exercice;
mod parametre;
#[cfg(test)]
mod tests;
mod toml_lecture;

pub use exercice::volet_ressemblant;
pub use parametre::{Grille, Lu, Parametre, Source, ValeurDatee};
pub use toml_lecture::analyser;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statut {
    Confirme,
    Hypothese,
}

impl Statut {
    /// For a person: `confirmé`, `hypothèse` (the Display form is the file's keyword).
    pub fn libelle(&self) -> &'static str {
        match self {
            Statut::Confirme => "confirmé",
            Statut::Hypothese => "hypothèse",
        }
    }
}

impl fmt::Display for Statut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Statut::Confirme => "confirme",
            Statut::Hypothese => "hypothese",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ajustement {
    Neutre,
    Aucun,
    Integral,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrondi {
    DemiHaut,
    Troncature,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versement {
    /// Spread over the structures (lissage + new units).
    Structures,
    /// Reported on its own line, payable to the collectivité (e.g. `PILOTAGE`).
    Collectivite,
    /// Employer-reserved places (CTRE, docs/regles.md R64): smoothed over the employer places
    /// of the structures of the volet's `types` and `financement`, outside the bonus
    /// territoire.
    Employeurs,
}

/// What the development cap of a volet applies to (docs/regles.md R7, R62).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlafondBase {
    /// v1: the exact money total of the new-unit shares ≤ `plafond × A`.
    Enveloppe,
    /// From 2025: the new units counted ≤ `plafond × U` (25 % of the existing hours).
    Unites,
}

/// How the multi-year projection derives each year's rate (docs/regles.md R22).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BasePluriannuelle {
    /// The first exercice's `m_eff` is kept, revalued each year.
    Figee,
    /// Each year's envelope is what was paid the year before, re-smoothed.
    Glissante,
}

impl BasePluriannuelle {
    pub fn code(&self) -> &'static str {
        match self {
            BasePluriannuelle::Figee => "figee",
            BasePluriannuelle::Glissante => "glissante",
        }
    }
}

/// The bonus trajectoire de développement (section `[trajectoire]`, docs/bareme.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrajectoireBareme {
    pub volet: Parametre<String>,
    pub annee_reference: Parametre<i32>,
    /// Growth thresholds (fractions, increasing).
    pub seuils: Parametre<Vec<Decimal>>,
    /// Amount per eligible place and year for each threshold.
    pub montants: Parametre<Vec<Montant>>,
}

impl TrajectoireBareme {
    fn vide() -> Self {
        TrajectoireBareme {
            volet: Parametre::vide("trajectoire.volet"),
            annee_reference: Parametre::vide("trajectoire.annee_reference"),
            seuils: Parametre::vide("trajectoire.seuils"),
            montants: Parametre::vide("trajectoire.montants"),
        }
    }
    fn fusionner(&mut self, o: TrajectoireBareme) {
        self.volet.fusionner(o.volet);
        self.annee_reference.fusionner(o.annee_reference);
        self.seuils.fusionner(o.seuils);
        self.montants.fusionner(o.montants);
    }
}

/// The trajectoire parameters in force for one exercice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrajectoireExercice {
    pub volet: Lu<String>,
    pub annee_reference: Lu<i32>,
    pub seuils: Lu<Vec<Decimal>>,
    pub montants: Lu<Vec<Montant>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoletBareme {
    pub nom: String,
    pub types: Parametre<Vec<TypeStructure>>,
    pub financement: Parametre<Vec<Financement>>,
    pub unite: Parametre<String>,
    pub versement: Parametre<Versement>,
    pub forfaits_nouvelles: Parametre<Vec<Montant>>,
    pub plancher: Parametre<Grille<Montant>>,
    pub revalorisation: Parametre<Grille<Decimal>>,
    pub plafond_developpement: Parametre<Decimal>,
    pub plafond_base: Parametre<PlafondBase>,
}

impl VoletBareme {
    fn vide(nom: &str) -> Self {
        let p = |k: &str| format!("volets.{nom}.{k}");
        VoletBareme {
            nom: nom.to_string(),
            types: Parametre::vide(&p("types")),
            financement: Parametre::vide(&p("financement")),
            unite: Parametre::vide(&p("unite")),
            versement: Parametre::vide(&p("versement")),
            forfaits_nouvelles: Parametre::vide(&p("forfaits_nouvelles")),
            plancher: Parametre::vide(&p("plancher")),
            revalorisation: Parametre::vide(&p("revalorisation")),
            plafond_developpement: Parametre::vide(&p("plafond_developpement")),
            plafond_base: Parametre::vide(&p("plafond_base")),
        }
    }
    fn fusionner(&mut self, o: VoletBareme) {
        self.types.fusionner(o.types);
        self.financement.fusionner(o.financement);
        self.unite.fusionner(o.unite);
        self.versement.fusionner(o.versement);
        self.forfaits_nouvelles.fusionner(o.forfaits_nouvelles);
        self.plancher.fusionner(o.plancher);
        self.revalorisation.fusionner(o.revalorisation);
        self.plafond_developpement
            .fusionner(o.plafond_developpement);
        self.plafond_base.fusionner(o.plafond_base);
    }
}

/// The whole barème: every parameter with its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bareme {
    pub nombre_tranches: Parametre<u32>,
    pub ajustement_contribution: Parametre<Ajustement>,
    pub arrondi: Parametre<Arrondi>,
    pub volets: BTreeMap<String, VoletBareme>,
    /// Multi-year projection base (default `figee`).
    pub base_pluriannuelle: Parametre<BasePluriannuelle>,
    pub trajectoire: TrajectoireBareme,
}

/// Parameters of one volet in force for one exercice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoletExercice {
    pub nom: String,
    pub types: Lu<Vec<TypeStructure>>,
    /// `None`: every financing is accepted.
    pub financement: Lu<Option<Vec<Financement>>>,
    pub unite: Lu<String>,
    pub versement: Lu<Versement>,
    pub forfaits_nouvelles: Lu<Vec<Montant>>,
    pub plancher: Lu<Grille<Montant>>,
    pub revalorisation: Lu<Grille<Decimal>>,
    /// `None`: no cap.
    pub plafond_developpement: Lu<Option<Decimal>>,
    /// What the cap applies to (default `enveloppe`).
    pub plafond_base: Lu<PlafondBase>,
}

impl VoletExercice {
    /// Forfait per new unit for a tranche (R7: an empty list is 0 €).
    pub fn forfait(&self, tranche: u32) -> Montant {
        let i = tranche.saturating_sub(1) as usize;
        self.forfaits_nouvelles
            .valeur
            .get(i)
            .copied()
            .unwrap_or_default()
    }
}

/// The barème in force for one exercice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaremeExercice {
    pub exercice: i32,
    pub nombre_tranches: Lu<u32>,
    pub ajustement_contribution: Lu<Ajustement>,
    pub arrondi: Lu<Arrondi>,
    pub volets: BTreeMap<String, VoletExercice>,
    /// The bonus trajectoire in force (`None`: none this year), docs/regles.md R63.
    pub trajectoire: Option<TrajectoireExercice>,
}

impl BaremeExercice {
    /// The volet covering a structure type (R3), if any (a CTRE volet, `versement =
    /// "employeurs"`, names the types whose employer places it counts: it is not the
    /// structure's volet).
    pub fn volet_du_type(&self, t: TypeStructure) -> Option<&VoletExercice> {
        self.volets
            .values()
            .find(|v| v.versement.valeur != Versement::Employeurs && v.types.valeur.contains(&t))
    }

    /// The CTRE volets (`versement = "employeurs"`).
    pub fn volets_employeurs(&self) -> impl Iterator<Item = &VoletExercice> {
        self.volets
            .values()
            .filter(|v| v.versement.valeur == Versement::Employeurs)
    }
}
