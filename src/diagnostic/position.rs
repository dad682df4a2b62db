//! Typed positions: which of the dossier's tables a diagnostic points into, and where a
//! line of a table comes from (a line of its file, or an envelope computed by the
//! projection). No file name is compared as a text to recognise a position, and no line
//! number stands for « no line ».

/// Where in its file a diagnostic points: a line of a text file (CSV, TOML) or a cell of a
/// workbook, never both. Serialised, inside the diagnostic, as the key `ligne` (a number) or
/// `cellule` (a text).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Position {
    /// Line `n` of the file (the header is line 1).
    Ligne(u64),
    /// A workbook's cell, with its sheet (`structures!F12`), or a whole row
    /// (`structures!1:1`).
    Cellule(String),
}

impl Position {
    /// The line, when the position is a line of a text file.
    pub fn ligne(&self) -> Option<u64> {
        match self {
            Position::Ligne(l) => Some(*l),
            Position::Cellule(_) => None,
        }
    }
    /// The cell's reference, when the position is a workbook's cell.
    pub fn cellule(&self) -> Option<&str> {
        match self {
            Position::Cellule(c) => Some(c),
            Position::Ligne(_) => None,
        }
    }
}

/// One of the dossier's inputs. A check that spans several tables (validation) names the
/// table; [`crate::lecture::DossierLu::localiser`] then names the file actually read (the
/// CSV file, or the workbook and its cell).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Table {
    Convention,
    Structures,
    Charges,
    /// The barème of the dossier (`bareme.toml`, or the `bareme` sheet of a workbook).
    Bareme,
}

impl Table {
    /// The file's name in a dossier of CSV files.
    pub fn nom(self) -> &'static str {
        match self {
            Table::Convention => "convention.toml",
            Table::Structures => "structures.csv",
            Table::Charges => "charges_n1.csv",
            Table::Bareme => "bareme.toml",
        }
    }
}

/// Where a line of a table comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origine {
    /// Line `n` of its file (the header is line 1).
    Ligne(u64),
    /// Computed by the multi-year projection: the envelope of exercice `exercice`, paid the
    /// year before (docs/regles.md R22).
    Enveloppe { exercice: i32 },
    /// A structure added in a simulation of the web application: in no file.
    Ajout,
}

impl Origine {
    /// The line of the file, if the line was read from one.
    pub fn ligne(self) -> Option<u64> {
        match self {
            Origine::Ligne(l) => Some(l),
            Origine::Enveloppe { .. } | Origine::Ajout => None,
        }
    }
}

/// The file a diagnostic names: a name as given (a path, a file of a workbook…) or one of
/// the dossier's tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fichier {
    Nomme(String),
    Table(Table),
}

impl From<&str> for Fichier {
    fn from(s: &str) -> Self {
        Fichier::Nomme(s.to_string())
    }
}

impl From<&String> for Fichier {
    fn from(s: &String) -> Self {
        Fichier::Nomme(s.clone())
    }
}

impl From<String> for Fichier {
    fn from(s: String) -> Self {
        Fichier::Nomme(s)
    }
}

impl From<Table> for Fichier {
    fn from(t: Table) -> Self {
        Fichier::Table(t)
    }
}
