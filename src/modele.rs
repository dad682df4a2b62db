//! The dossier as read: convention, collectivités, structures (Annexe 2 / 2 bis) and the N-1
//! charge-à-payer lines. Amounts are integer cents, units integer hundredths: exact by
//! construction.

use crate::calcul::rationnel::{Depassement, Rationnel, R};
use std::collections::HashMap;
use std::fmt;

/// A structure's text field (identifier, name, address, gestionnaire, collectivité): up to
/// 24 bytes kept inside the structure itself, longer ones on the heap (`compact_str`).
/// Most identifiers and codes fit: no allocation for them when a file is read, and a table of
/// a hundred thousand structures compares them without leaving the structure's own memory.
pub type Texte = compact_str::CompactString;

/// An amount in euro cents.
/// (`Serialize`: the lines of `verifier` are serialised with their amounts.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, serde::Serialize)]
pub struct Montant(pub i64);

/// Checked arithmetic: an amount that leaves `i64` is an overflow, never a wrap or a panic.
impl Montant {
    pub const ZERO: Montant = Montant(0);

    /// `self + o`.
    pub fn plus(self, o: Montant) -> R<Montant> {
        self.0.checked_add(o.0).map(Montant).ok_or(Depassement)
    }
    /// `self − o`.
    pub fn moins(self, o: Montant) -> R<Montant> {
        self.0.checked_sub(o.0).map(Montant).ok_or(Depassement)
    }
    /// `self += o`.
    pub fn ajouter(&mut self, o: Montant) -> R<()> {
        *self = self.plus(o)?;
        Ok(())
    }
    /// An exact number of cents computed on `i128`.
    pub fn depuis_i128(v: i128) -> R<Montant> {
        i64::try_from(v).map(Montant).map_err(|_| Depassement)
    }
    /// The sum of amounts.
    pub fn somme<I: IntoIterator<Item = Montant>>(it: I) -> R<Montant> {
        let mut t: i128 = 0;
        for m in it {
            t = t.checked_add(m.0 as i128).ok_or(Depassement)?;
        }
        Montant::depuis_i128(t)
    }
}

/// A rate: exact cents per unit (place, ETP, hour) and per year — `m = A / U`, `m_eff`
/// (R6, R60). Never rounded: a share is `rate × unit-months / 1200`, rounded as a group.
/// Reads as the exact rational it is (`Deref`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Taux(pub Rationnel);

impl std::ops::Deref for Taux {
    type Target = Rationnel;
    fn deref(&self) -> &Rationnel {
        &self.0
    }
}

impl fmt::Display for Taux {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A number of units (places, ETP, hours) in hundredths.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Unites(pub i64);

impl Unites {
    /// The unit-months of `mois` months at this number of units (R21).
    pub fn fois_mois(self, mois: u8) -> R<UniteMois> {
        self.0
            .checked_mul(mois as i64)
            .map(UniteMois)
            .ok_or(Depassement)
    }
}

/// `u_i` (R6, R21): the units of a structure that count in `U` — its existing units minus
/// the places reserved to employers (those are financed by the CTRE, R64). Reading and the
/// events keep `employeurs ≤ existantes` (E017, E03x).
pub fn unites_bonus(existantes: Unites, employeurs: Unites) -> Unites {
    Unites(existantes.0 - employeurs.0)
}

/// Unit-months: hundredths of a unit × months of the exercice. A share paid for a year is
/// `rate × u × mo / 12`: with `u` in hundredths, `rate × unit-months / UniteMois::PAR_AN`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct UniteMois(pub i64);

impl UniteMois {
    /// One unit during twelve months: 100 hundredths × 12 months.
    pub const PAR_AN: i128 = 1200;
}

impl fmt::Display for Montant {
    /// `1234.56` (decimal point, two decimals).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::calcul::rationnel::format_echelle(self.0 as i128, 2))
    }
}
impl Unites {
    /// In a French sentence: `1 234,50` (decimal comma, thousands grouped).
    pub fn fr(self) -> String {
        groupe_fr(&crate::calcul::rationnel::format_echelle(self.0 as i128, 2))
    }
}

impl fmt::Display for Unites {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&crate::calcul::rationnel::format_echelle(self.0 as i128, 2))
    }
}

/// French writing of amounts and numbers, shared by the reports and by the labels the
/// projection gives to its derived envelopes.
/// `12 345,67 €` (narrow no-break space as thousands separator, as French typography).
pub fn montant_fr(m: Montant) -> String {
    format!(
        "{} €",
        groupe_fr(&crate::calcul::rationnel::format_echelle(m.0 as i128, 2))
    )
}

/// Groups the integer part by thousands and uses a decimal comma: `-1234567.5` → `-1 234 567,5`.
pub fn groupe_fr(s: &str) -> String {
    let (signe, corps) = match s.strip_prefix('-') {
        Some(c) => ("-", c),
        None => ("", s),
    };
    let (ent, dec) = corps.split_once('.').unwrap_or((corps, ""));
    let mut g = String::new();
    for (i, c) in ent.chars().enumerate() {
        if i > 0 && (ent.len() - i) % 3 == 0 {
            g.push('\u{202f}');
        }
        g.push(c);
    }
    if dec.is_empty() {
        format!("{signe}{g}")
    } else {
        format!("{signe}{g},{dec}")
    }
}

/// A calendar date (from TOML).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
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
    /// The date as a French reader writes it: `1er janvier 2020`, `15 mars 2026`.
    pub fn en_toutes_lettres(&self) -> String {
        let mois = crate::projection::evenements::NOMS_MOIS
            .get((self.mois as usize).wrapping_sub(1))
            .unwrap_or(&"?");
        let jour = if self.jour == 1 {
            "1er".to_string()
        } else {
            self.jour.to_string()
        };
        format!("{jour} {mois} {}", self.annee)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.annee, self.mois, self.jour)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Annexe {
    Deux,
    DeuxBis,
}

impl Annexe {
    pub fn analyser(s: &str) -> Option<Self> {
        if s.is_ascii() {
            // ASCII: spaces dropped and letters lowered byte by byte, no string built (the
            // same as the general path below, whose lower-casing of ASCII is ASCII's)
            let mut t = [0u8; 4];
            let mut n = 0;
            for b in s.bytes().filter(|b| !(*b as char).is_whitespace()) {
                *t.get_mut(n)? = b.to_ascii_lowercase();
                n += 1;
            }
            return match &t[..n] {
                b"2" => Some(Annexe::Deux),
                b"2bis" => Some(Annexe::DeuxBis),
                _ => None,
            };
        }
        // a code is ASCII letters and digits: a non-ASCII letter (dotless `ı`, long `ſ`,
        // Kelvin sign…) that Unicode case mapping would fold into one is refused
        let t: String = s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
        if !t.is_ascii() {
            return None;
        }
        match t.to_ascii_lowercase().as_str() {
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
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $nom { $($var),+ }
        impl $nom {
            pub const TOUS: &'static [$nom] = &[$($nom::$var),+];
            pub fn code(&self) -> &'static str { match self { $($nom::$var => $txt),+ } }
            /// Parses the code, ASCII case-insensitively, ignoring surrounding spaces. A
            /// code is ASCII letters, digits and `_`: text holding any other character is
            /// no code (Unicode case mapping would fold the dotless `ı` into `I` and the
            /// long `ſ` into `S`: `alsh_perıscolaire` is not `ALSH_PERISCOLAIRE`).
            pub fn analyser(s: &str) -> Option<Self> {
                let s = crate::lecture::texte::rogner(s); // `trim`, ASCII ends bytewise
                // compared byte by byte in ASCII upper case, no string built
                $nom::TOUS.iter().copied().find(|v| {
                    v.code().len() == s.len()
                        && v.code().bytes().zip(s.bytes()).all(|(c, b)| c == b.to_ascii_uppercase())
                })
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

#[derive(Debug, Clone, PartialEq, Eq)]
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

#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// The convention's period as a French reader writes it: `du 1er janvier 2023 au
    /// 31 décembre 2027` (`à partir du …`, `jusqu'au …` when one end is not given).
    pub fn periode_en_lettres(&self) -> String {
        match (self.debut, self.fin) {
            (Some(d), Some(f)) => {
                format!("du {} au {}", d.en_toutes_lettres(), f.en_toutes_lettres())
            }
            (Some(d), None) => format!("à partir du {}", d.en_toutes_lettres()),
            (None, Some(f)) => format!("jusqu'au {}", f.en_toutes_lettres()),
            (None, None) => "sans dates".to_string(),
        }
    }
    pub fn collectivite(&self, id: &str) -> Option<&Collectivite> {
        self.collectivites.iter().find(|c| c.id == id)
    }
    /// The collectivités by id (one hash lookup per structure instead of a scan); on a
    /// duplicate id the first one wins, as [`Convention::collectivite`].
    pub fn index(&self) -> HashMap<&str, &Collectivite> {
        self.collectivites
            .iter()
            .rev()
            .map(|c| (c.id.as_str(), c))
            .collect()
    }
}

/// One line of Annexe 2 or 2 bis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Structure {
    pub id: Texte,
    pub annexe: Annexe,
    pub type_structure: TypeStructure,
    pub nom: Texte,
    pub adresse: Texte,
    pub gestionnaire: Texte,
    pub collectivite: Texte,
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
    /// Line in structures.csv (for messages); 0 for a structure added in a simulation of
    /// the web application ([`Structure::origine`]).
    pub ligne: u64,
}

impl Structure {
    /// Where the structure comes from, for messages: its line, or added in a simulation.
    pub fn origine(&self) -> crate::diagnostic::Origine {
        match self.ligne {
            0 => crate::diagnostic::Origine::Ajout,
            l => crate::diagnostic::Origine::Ligne(l),
        }
    }
    /// `u_i`: see [`unites_bonus`].
    pub fn unites_bonus(&self) -> Unites {
        unites_bonus(self.unites_existantes, self.unites_employeurs)
    }
}

/// One N-1 charge-à-payer line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeAPayer {
    pub collectivite: String,
    pub volet: Volet,
    pub montant: Montant,
    pub libelle: String,
    pub ligne: crate::diagnostic::Origine,
}

/// A whole dossier, as read (before validation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dossier {
    pub convention: Convention,
    pub structures: Vec<Structure>,
    pub charges: Vec<ChargeAPayer>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_ascii_comme_le_chemin_general() {
        // the reference paths (every string allocated): ASCII case folding only, a
        // non-ASCII letter is no code
        let annexe = |s: &str| {
            let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
            if !t.is_ascii() {
                return None;
            }
            match t.to_ascii_lowercase().as_str() {
                "2" => Some(Annexe::Deux),
                "2bis" => Some(Annexe::DeuxBis),
                _ => None,
            }
        };
        let type_structure = |s: &str| {
            let t = s.trim().to_ascii_uppercase();
            TypeStructure::TOUS.iter().copied().find(|v| v.code() == t)
        };
        let financement = |s: &str| {
            let t = s.trim().to_ascii_uppercase();
            Financement::TOUS.iter().copied().find(|v| v.code() == t)
        };
        // by hand: spaces inside an annexe are dropped, case ignored
        assert_eq!(Annexe::analyser(" 2 BiS\t"), Some(Annexe::DeuxBis));
        assert_eq!(Annexe::analyser("2\u{b}"), Some(Annexe::Deux)); // U+000B is whitespace
        assert_eq!(Annexe::analyser("2bis2"), None);
        assert_eq!(
            TypeStructure::analyser(" alsh_Ados "),
            Some(TypeStructure::AlshAdos)
        );
        assert_eq!(TypeStructure::analyser("EAJ"), None);
        assert_eq!(Financement::analyser("psu"), Some(Financement::Psu));
        // non-ASCII letters whose Unicode upper case is ASCII (dotless ı → I, long ſ → S,
        // Kelvin sign → k): codes are « lettres A-Z », these are refused (audit: the types
        // `alsh_perıscolaire` and `alsh_periſcolaire` were read as ALSH_PERISCOLAIRE)
        assert_eq!(TypeStructure::analyser("ALSH_PERıSCOLAIRE"), None);
        assert_eq!(TypeStructure::analyser("alsh_perıscolaire"), None);
        assert_eq!(TypeStructure::analyser("alsh_periſcolaire"), None);
        assert_eq!(TypeStructure::analyser("pılotage"), None);
        assert_eq!(Financement::analyser("Pſo"), None);
        assert_eq!(Annexe::analyser("2bıs"), None);
        assert_eq!(Annexe::analyser("2\u{a0}bis"), Some(Annexe::DeuxBis));
        let mut cas: Vec<String> = [
            "",
            " ",
            "2",
            "2bis",
            "2 bis",
            "2BIS",
            "2b is",
            "2\u{a0}bis",
            "2bİs",
            "3",
            "2bis ",
            "eaje",
            "Eaje ",
            "EAJE\u{a0}",
            "ALSH_ADOS",
            "alsh ados",
            "AUCUN",
            "aucun",
            "PSU",
            "psu",
            "pajе",
            "Pſo",
            "ı",
            "K",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for v in TypeStructure::TOUS {
            cas.push(v.code().to_lowercase());
            cas.push(format!(" {} ", v.code()));
            cas.push(format!("{}x", v.code()));
        }
        for v in Financement::TOUS {
            cas.push(v.code().to_ascii_lowercase());
            cas.push(v.code()[1..].to_string());
        }
        for s in &cas {
            assert_eq!(Annexe::analyser(s), annexe(s), "{s:?}");
            assert_eq!(TypeStructure::analyser(s), type_structure(s), "{s:?}");
            assert_eq!(Financement::analyser(s), financement(s), "{s:?}");
        }
    }
}
