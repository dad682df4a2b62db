//! The dossier as read: convention, collectivités, structures (Annexe 2 / 2 bis) and the N-1
//! charge-à-payer lines. Amounts are integer cents, units integer hundredths: exact by
//! construction.

use serde::Serialize;
use std::fmt;

/// An amount in euro cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Montant(pub i64);

/// A number of units (places, ETP, hours) in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize)]
pub struct Unites(pub i64);

impl fmt::Display for Montant {
    /// `1234.56` (decimal point, two decimals).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::calcul::rationnel::format_echelle(self.0 as i128, 2))
    }
}
impl fmt::Display for Unites {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::calcul::rationnel::format_echelle(self.0 as i128, 2))
    }
}

/// A calendar date (from TOML).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Date {
    pub annee: i32,
    pub mois: u8,
    pub jour: u8,
}

impl Date {
    pub fn new(annee: i32, mois: u8, jour: u8) -> Self {
        Date { annee, mois, jour }
    }
    pub fn premier_janvier(annee: i32) -> Self {
        Date::new(annee, 1, 1)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.annee, self.mois, self.jour)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Annexe {
    #[serde(rename = "2")]
    Deux,
    #[serde(rename = "2bis")]
    DeuxBis,
}

impl Annexe {
    pub fn analyser(s: &str) -> Option<Self> {
        let t: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_lowercase();
        match t.as_str() {
            "2" => Some(Annexe::Deux),
            "2bis" => Some(Annexe::DeuxBis),
            _ => None,
        }
    }
    pub fn libelle(&self) -> &'static str {
        match self {
            Annexe::Deux => "2",
            Annexe::DeuxBis => "2bis",
        }
    }
}

macro_rules! enumeration {
    ($(#[$m:meta])* $nom:ident { $($var:ident => $txt:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
        pub enum $nom { $(#[serde(rename = $txt)] $var),+ }
        impl $nom {
            pub const TOUS: &'static [$nom] = &[$($nom::$var),+];
            pub fn code(&self) -> &'static str { match self { $($nom::$var => $txt),+ } }
            /// Parses the code, case-insensitively, ignoring surrounding spaces.
            pub fn analyser(s: &str) -> Option<Self> {
                let t = s.trim().to_uppercase();
                $nom::TOUS.iter().copied().find(|v| v.code() == t)
            }
            pub fn liste() -> String {
                $nom::TOUS.iter().map(|v| v.code()).collect::<Vec<_>>().join(", ")
            }
        }
        impl fmt::Display for $nom {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.code()) }
        }
    };
}

enumeration!(
    /// Structure types (R3).
    TypeStructure {
        Eaje => "EAJE",
        Rpe => "RPE",
        Laep => "LAEP",
        AlshPeriscolaire => "ALSH_PERISCOLAIRE",
        AlshExtrascolaire => "ALSH_EXTRASCOLAIRE",
        AlshAdos => "ALSH_ADOS",
        Ludotheque => "LUDOTHEQUE",
        CentreSocial => "CENTRE_SOCIAL",
        Evs => "EVS",
        Mediatheque => "MEDIATHEQUE",
        Pilotage => "PILOTAGE",
        Autre => "AUTRE",
    }
);

enumeration!(
    /// Caf prestation financing a structure (R3).
    Financement {
        Psu => "PSU",
        Paje => "PAJE",
        Pso => "PSO",
        Aucun => "AUCUN",
    }
);

/// A bonus family (`EAJE`, `RPE`, `LAEP`, `ALSH`, `PILOTAGE`, or a local one): upper-case
/// identifier.
pub type Volet = String;

/// Is `s` a well-formed volet name (A-Z, 0-9, `_`, starting with a letter)?
pub fn volet_valide(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some('A'..='Z'))
        && s.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Collectivite {
    pub id: String,
    pub nom: String,
    /// Richness band for new-unit forfaits, 1 = QPV/ZRR (highest). Optional: required only
    /// when a forfait must be read for it (validation).
    pub tranche: Option<u32>,
    pub signataire: bool,
    /// Inhabitants (optional): chooses the stratum row of a barème grid (docs/regles.md R60).
    pub population: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Convention {
    pub nom: String,
    pub caf: String,
    /// Convention period (optional: without it the exercice is not checked against it).
    pub debut: Option<Date>,
    pub fin: Option<Date>,
    pub exercice: i32,
    pub collectivites: Vec<Collectivite>,
}

impl Convention {
    pub fn collectivite(&self, id: &str) -> Option<&Collectivite> {
        self.collectivites.iter().find(|c| c.id == id)
    }
}

/// One line of Annexe 2 or 2 bis.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Structure {
    pub id: String,
    pub annexe: Annexe,
    #[serde(rename = "type")]
    pub type_structure: TypeStructure,
    pub nom: String,
    pub adresse: String,
    pub gestionnaire: String,
    pub collectivite: String,
    pub financement: Financement,
    pub soutien_collectivite: bool,
    pub unites_existantes: Unites,
    pub unites_nouvelles: Unites,
    pub unites_employeurs: Unites,
    /// New employer-reserved places (CTRE forfait, docs/regles.md R64).
    pub unites_employeurs_nouvelles: Unites,
    pub mois_ouverture: u8,
    pub contribution_collectivite_n1: Montant,
    pub bonus_n1: Montant,
    /// Line in structures.csv (for messages).
    #[serde(skip)]
    pub ligne: u64,
}

/// One N-1 charge-à-payer line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChargeAPayer {
    pub collectivite: String,
    pub volet: Volet,
    pub montant: Montant,
    pub libelle: String,
    #[serde(skip)]
    pub ligne: crate::diagnostic::Origine,
}

/// A whole dossier, as read (before validation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dossier {
    pub convention: Convention,
    pub structures: Vec<Structure>,
    pub charges: Vec<ChargeAPayer>,
}
