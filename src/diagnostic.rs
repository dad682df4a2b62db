//! Located, coded messages (errors and warnings), in French.
//!
//! Every diagnostic names the file, the line (or the barème parameter), the column and the
//! value, with a stable code (`E0xx` error, `W0xx` warning) listed in `docs/erreurs.md`.

mod code;
mod position;

pub use code::{Categorie, Code};
pub use position::{Fichier, Origine, Position, Table};
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Gravite {
    Erreur,
    Avertissement,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub code: Code,
    pub gravite: Gravite,
    /// Empty for a message about the command itself (a usage error): then not written.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub fichier: String,
    /// The line of a text file, or the cell of a workbook: never both. Written as the key
    /// `ligne` or `cellule`, in this place of the object.
    #[serde(flatten)]
    pub position: Option<Position>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colonne: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valeur: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conseil: Option<String>,
    /// The dossier's table the position is in, while `fichier` is still its CSV name
    /// (see [`Table`]); `None` once the position names the file actually read.
    #[serde(skip)]
    pub table: Option<Table>,
}

impl Diagnostic {
    /// `fichier`: a name (`&str`, `String`) or a [`Table`] of the dossier.
    pub fn erreur(code: Code, fichier: impl Into<Fichier>, message: impl Into<String>) -> Self {
        let (fichier, table) = match fichier.into() {
            Fichier::Nomme(n) => (n, None),
            Fichier::Table(t) => (t.nom().to_string(), Some(t)),
        };
        Diagnostic {
            code,
            gravite: Gravite::Erreur,
            fichier,
            table,
            position: None,
            colonne: None,
            valeur: None,
            message: message.into(),
            conseil: None,
        }
    }
    pub fn avertissement(
        code: Code,
        fichier: impl Into<Fichier>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            gravite: Gravite::Avertissement,
            ..Diagnostic::erreur(code, fichier, message)
        }
    }
    /// Line `l` of the file (the header is line 1); replaces any position already set.
    pub fn ligne(mut self, l: u64) -> Self {
        self.position = Some(Position::Ligne(l));
        self
    }
    /// The position of a line of a table: its line in the file, or, for an envelope the
    /// projection computed, that envelope in place of the file.
    pub fn origine(mut self, o: Origine) -> Self {
        match o {
            Origine::Ligne(l) => self.position = Some(Position::Ligne(l)),
            Origine::Ajout => {
                self.fichier = "structure ajoutée dans la simulation".into();
                self.table = None;
                self.position = None;
            }
            Origine::Enveloppe { exercice } => {
                self.fichier = format!("enveloppe {exercice} (versé en {})", exercice - 1);
                self.table = None;
                self.position = None;
            }
        }
        self
    }
    /// The workbook's cell (`structures!F12`); replaces the line, if one was set.
    pub fn cellule(mut self, c: impl Into<String>) -> Self {
        self.position = Some(Position::Cellule(c.into()));
        self
    }
    /// The line of the file, when the position is a line.
    pub fn numero_de_ligne(&self) -> Option<u64> {
        self.position.as_ref().and_then(Position::ligne)
    }
    pub fn colonne(mut self, c: impl Into<String>) -> Self {
        self.colonne = Some(c.into());
        self
    }
    pub fn valeur(mut self, v: impl Into<String>) -> Self {
        self.valeur = Some(v.into());
        self
    }
    pub fn conseil(mut self, c: impl Into<String>) -> Self {
        self.conseil = Some(c.into());
        self
    }
    pub fn est_erreur(&self) -> bool {
        self.gravite == Gravite::Erreur
    }
}

impl fmt::Display for Diagnostic {
    /// One line; every text goes through [`texte_affichable`] (a value read from a file may
    /// hold terminal control sequences).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let a = texte_affichable;
        let g = match self.gravite {
            Gravite::Erreur => "erreur",
            Gravite::Avertissement => "avertissement",
        };
        write!(f, "{g} {}", self.code)?;
        if !self.fichier.is_empty() {
            write!(f, " : {}", a(&self.fichier))?;
        }
        match &self.position {
            Some(Position::Cellule(c)) => write!(f, ", cellule {}", a(c))?,
            Some(Position::Ligne(l)) => write!(f, ", ligne {l}")?,
            None => {}
        }
        if let Some(c) = &self.colonne {
            write!(f, ", colonne « {} »", a(c))?;
        }
        if let Some(v) = &self.valeur {
            write!(f, ", valeur « {} »", a(v))?;
        }
        write!(f, " : {}", a(&self.message))?;
        if let Some(c) = &self.conseil {
            write!(f, " (conseil : {})", a(c))?;
        }
        Ok(())
    }
}

/// A text made harmless for a terminal, where it is printed as it is: a value read from a
/// file may hold control characters (ESC starts a sequence that moves the cursor, changes
/// colours or the window title) or bidirectional controls (which reorder what is shown,
/// making `1000` read `0001`). They are shown, never obeyed:
/// * C0 controls (U+0000–U+001F, including tab and line feed) and DEL (U+007F) become their
///   Unicode « control picture », one visible character: ESC → `␛`, LF → `␊`, TAB → `␉`,
///   DEL → `␡`;
/// * C1 controls (U+0080–U+009F) and the bidirectional marks, embeddings, overrides and
///   isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) become a Rust-style
///   escape: `\u{202e}`.
///
/// Used by every diagnostic (stderr) and by the terminal tables; files written (CSV, JSON,
/// XLSX) keep the values as read.
pub fn texte_affichable(s: &str) -> std::borrow::Cow<'_, str> {
    fn a_echapper(c: char) -> bool {
        matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !s.chars().any(a_echapper) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\u{0}'..='\u{1f}' => o.push(char::from_u32(0x2400 + c as u32).unwrap_or('?')),
            '\u{7f}' => o.push('\u{2421}'),
            c if a_echapper(c) => o.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => o.push(c),
        }
    }
    std::borrow::Cow::Owned(o)
}

/// At most this many errors (and as many warnings) are kept; the rest are counted
/// (a user fixes 30 lines at once, but 1 000 000 bad lines must not flood memory).
pub const PLAFOND: usize = 200;

/// Counts behind the cap of [`Diagnostics`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Comptes {
    erreurs: usize,
    avertissements: usize,
    erreurs_omises: usize,
    avertissements_omis: usize,
}

/// The diagnostics of one run, errors and warnings together, in the order found. Beyond
/// [`PLAFOND`] errors (or warnings) the next ones are only counted; [`Diagnostics::omis`]
/// gives the closing message (code E027).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(pub Vec<Diagnostic>, pub Comptes);

impl Serialize for Diagnostics {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl Diagnostics {
    /// Names a dossier's own files after the dossier (`dijon/structures.csv`), when several
    /// dossiers are read together (`lot`, `comparer`). Left as they are: `commun` (a file
    /// given for every dossier, such as `--bareme F`), the built-in barème (not a file), a
    /// message about the command itself (no file) and paths that already name their folder.
    pub fn prefixer(&mut self, dossier: &str, commun: Option<&str>) {
        for x in &mut self.0 {
            let f = &x.fichier;
            let garder = f.is_empty()
                || commun == Some(f.as_str())
                || f == crate::bareme::NOM_INTEGRE
                || std::path::Path::new(f).components().count() > 1;
            if !garder {
                x.fichier = format!("{dossier}/{f}");
            }
        }
    }

    pub fn push(&mut self, d: Diagnostic) {
        let c = &mut self.1;
        let (gardes, omis) = if d.est_erreur() {
            (&mut c.erreurs, &mut c.erreurs_omises)
        } else {
            (&mut c.avertissements, &mut c.avertissements_omis)
        };
        if *gardes >= PLAFOND {
            *omis += 1;
        } else {
            *gardes += 1;
            self.0.push(d);
        }
    }
    pub fn extend(&mut self, o: Diagnostics) {
        for d in o.0 {
            self.push(d);
        }
        self.1.erreurs_omises += o.1.erreurs_omises;
        self.1.avertissements_omis += o.1.avertissements_omis;
    }
    /// The same diagnostics, marked as positioned in the dossier's table `t`.
    pub fn dans(mut self, t: Table) -> Self {
        for d in &mut self.0 {
            d.table = Some(t);
        }
        self
    }
    pub fn a_des_erreurs(&self) -> bool {
        self.1.erreurs_omises > 0 || self.0.iter().any(Diagnostic::est_erreur)
    }
    pub fn erreurs(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.est_erreur())
    }
    pub fn avertissements(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.est_erreur())
    }
    /// Number of diagnostics dropped by the cap: (errors, warnings).
    pub fn omissions(&self) -> (usize, usize) {
        (self.1.erreurs_omises, self.1.avertissements_omis)
    }
    /// The closing message when the cap dropped some diagnostics (E027, or W006 when only
    /// warnings were dropped), else `None`.
    pub fn omis(&self) -> Option<Diagnostic> {
        let (e, a) = self.omissions();
        if e + a == 0 {
            return None;
        }
        let pl = |n: usize, nom: &str, accord: &str| {
            let s = if n > 1 { "s" } else { "" };
            format!("{n} autre{s} {nom}{s} non affiché{accord}{s}")
        };
        let mut quoi = Vec::new();
        if e > 0 {
            quoi.push(pl(e, "erreur", "e"));
        }
        if a > 0 {
            quoi.push(pl(a, "avertissement", ""));
        }
        let d = Diagnostic {
            gravite: if e > 0 {
                Gravite::Erreur
            } else {
                Gravite::Avertissement
            },
            ..Diagnostic::erreur(
                if e > 0 { Code::E027 } else { Code::W006 },
                "dossier",
                format!(
                    "{} : l'affichage est limité à {PLAFOND} erreurs et {PLAFOND} avertissements",
                    quoi.join(" et ")
                ),
            )
        };
        Some(d.conseil("corrigez les lignes signalées puis relancez : les suivantes apparaîtront"))
    }
    pub fn resume(&self) -> String {
        let e = self.erreurs().count() + self.1.erreurs_omises;
        let a = self.avertissements().count() + self.1.avertissements_omis;
        format!(
            "{e} erreur{}, {a} avertissement{}",
            if e > 1 { "s" } else { "" },
            if a > 1 { "s" } else { "" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plafond_et_compte_du_reste() {
        let mut d = Diagnostics::default();
        for i in 0..(PLAFOND + 30) {
            d.push(Diagnostic::erreur(Code::E007, "f.csv", "x").ligne(i as u64 + 2));
        }
        d.push(Diagnostic::avertissement(Code::W002, "f.csv", "y"));
        assert_eq!(d.0.len(), PLAFOND + 1);
        assert_eq!(d.omissions(), (30, 0));
        assert_eq!(d.resume(), "230 erreurs, 1 avertissement");
        assert_eq!(
            d.omis().unwrap().to_string(),
            "erreur E027 : dossier : 30 autres erreurs non affichées : l'affichage est limité à 200 erreurs et 200 avertissements (conseil : corrigez les lignes signalées puis relancez : les suivantes apparaîtront)"
        );
        let mut tout = Diagnostics::default();
        tout.extend(d);
        assert_eq!(tout.omissions(), (30, 0));
        assert!(tout.a_des_erreurs());
        // serialised as the plain list, as before
        let j = serde_json::to_string(&Diagnostics::default()).unwrap();
        assert_eq!(j, "[]");
    }

    #[test]
    fn position_typee() {
        // a check across tables names the table, by its CSV name until localised
        let d =
            Diagnostic::avertissement(Code::W002, Table::Charges, "x").origine(Origine::Ligne(4));
        assert_eq!(
            (d.table, d.position.clone()),
            (Some(Table::Charges), Some(Position::Ligne(4)))
        );
        assert_eq!(
            d.to_string(),
            "avertissement W002 : charges_n1.csv, ligne 4 : x"
        );
        // an envelope computed by the projection has no line: it is named instead of the file
        let d = Diagnostic::avertissement(Code::W002, Table::Charges, "x")
            .origine(Origine::Enveloppe { exercice: 2026 });
        assert_eq!((d.table, d.position.clone()), (None, None));
        assert_eq!(
            d.to_string(),
            "avertissement W002 : enveloppe 2026 (versé en 2025) : x"
        );
        // a name stays a name
        let d = Diagnostic::erreur(Code::E001, "structures.csv", "y");
        assert_eq!(d.table, None);
        let mut l = Diagnostics::default();
        l.push(d);
        assert_eq!(
            l.dans(Table::Structures).0[0].table,
            Some(Table::Structures)
        );
    }

    #[test]
    fn cellule_remplace_la_ligne() {
        let d = Diagnostic::erreur(
            Code::E009,
            "dossier.xlsx",
            "montant avec plus de 2 décimales",
        )
        .ligne(12)
        .cellule("structures!N12")
        .colonne("bonus_n1")
        .valeur("0.30000000000000004");
        assert_eq!(d.to_string(), "erreur E009 : dossier.xlsx, cellule structures!N12, colonne « bonus_n1 », valeur « 0.30000000000000004 » : montant avec plus de 2 décimales");
        assert_eq!(d.numero_de_ligne(), None);
    }

    #[test]
    fn json_ligne_ou_cellule_jamais_les_deux() {
        // the JSON after the key `code` (checked by `textes_des_couches_basses…`)
        let json = |d: &Diagnostic| {
            let j = serde_json::to_string(d).unwrap();
            j.split_once(',').unwrap().1.to_string()
        };
        // a workbook's error: the key `cellule`, no `ligne`, between `fichier` and `colonne`
        let d = Diagnostic::erreur(
            Code::E009,
            "dossier.xlsx",
            "montant avec plus de 2 décimales",
        )
        .ligne(12)
        .cellule("structures!N12")
        .colonne("bonus_n1")
        .valeur("0.30000000000000004");
        assert_eq!(
            json(&d),
            r#""gravite":"erreur","fichier":"dossier.xlsx","cellule":"structures!N12","colonne":"bonus_n1","valeur":"0.30000000000000004","message":"montant avec plus de 2 décimales"}"#
        );
        // a CSV file's error: the key `ligne`, a number, no `cellule`
        let d = Diagnostic::erreur(
            Code::E009,
            "charges_n1.csv",
            "montant avec plus de 2 décimales",
        )
        .ligne(4)
        .colonne("montant")
        .valeur("5 200,0050")
        .conseil("arrondissez au centième");
        assert_eq!(
            json(&d),
            r#""gravite":"erreur","fichier":"charges_n1.csv","ligne":4,"colonne":"montant","valeur":"5 200,0050","message":"montant avec plus de 2 décimales","conseil":"arrondissez au centième"}"#
        );
        // a line replaced by a cell, and no position at all
        let d = Diagnostic::erreur(Code::E001, "x.csv", "m")
            .cellule("Feuil1!A1")
            .ligne(3);
        assert_eq!(d.position, Some(Position::Ligne(3)));
        let d = Diagnostic::erreur(Code::E001, "x.csv", "m");
        assert_eq!(
            json(&d),
            r#""gravite":"erreur","fichier":"x.csv","message":"m"}"#
        );
    }
}

/// French text of an operating-system error (the standard library's texts are English).
/// Every message that reports an `io::Error` to a user goes through this function.
pub fn texte_io(e: &std::io::Error) -> String {
    use std::io::ErrorKind as K;
    let texte = match e.kind() {
        K::NotFound => "fichier ou dossier introuvable",
        K::PermissionDenied => "accès refusé",
        K::AlreadyExists => "existe déjà",
        K::IsADirectory => "c'est un dossier, pas un fichier",
        K::NotADirectory => "un élément du chemin n'est pas un dossier",
        K::DirectoryNotEmpty => "dossier non vide",
        K::ReadOnlyFilesystem => "système de fichiers en lecture seule",
        K::StorageFull => "plus de place sur le disque",
        K::QuotaExceeded => "quota de disque dépassé",
        K::FileTooLarge => "fichier trop grand",
        K::BrokenPipe => "la sortie a été fermée",
        K::InvalidFilename => "nom de fichier invalide",
        K::CrossesDevices => "déplacement impossible entre deux systèmes de fichiers",
        K::Interrupted => "opération interrompue",
        K::TimedOut => "délai dépassé",
        K::WouldBlock => "opération bloquante (tube ou périphérique ?)",
        K::InvalidData => "données invalides",
        K::UnexpectedEof => "fin de fichier inattendue",
        K::OutOfMemory => "mémoire insuffisante",
        K::Unsupported => "opération non prise en charge",
        _ => match e.raw_os_error() {
            Some(n) => return format!("erreur du système (code {n})"),
            None => "erreur d'entrée-sortie",
        },
    };
    texte.to_string()
}

#[cfg(test)]
mod tests_affichage {
    use super::*;

    #[test]
    fn controles_neutralises() {
        assert_eq!(texte_affichable("Crèche"), "Crèche");
        assert!(matches!(
            texte_affichable("Crèche"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert_eq!(
            texte_affichable("\u{1b}[2J\u{1b}]0;titre\u{7}a\tb\nc\u{7f}"),
            "␛[2J␛]0;titre␇a␉b␊c␡"
        );
        assert_eq!(
            texte_affichable("x\u{9b}31m\u{202e}0001\u{2066}\u{2069}\u{200f}"),
            "x\\u{9b}31m\\u{202e}0001\\u{2066}\\u{2069}\\u{200f}"
        );
        let d = Diagnostic::erreur(Code::E007, "s\u{1b}.csv", "montant illisible")
            .ligne(3)
            .colonne("montant")
            .valeur("1\u{1b}[31m2\u{202e}");
        assert_eq!(
            d.to_string(),
            "erreur E007 : s␛.csv, ligne 3, colonne « montant », valeur « 1␛[31m2\\u{202e} » : montant illisible"
        );
    }
}

/// French text of a zip archive error (the zip crate's texts are English).
pub fn texte_zip(e: &zip::result::ZipError) -> String {
    use zip::result::ZipError as Z;
    match e {
        Z::Io(e) => texte_io(e),
        Z::InvalidArchive(_) => "archive abîmée (structure zip invalide)".to_string(),
        Z::UnsupportedArchive(_) => {
            "archive d'un format non pris en charge (chiffrée, ou en plusieurs volumes)".to_string()
        }
        Z::FileNotFound => "entrée introuvable dans l'archive".to_string(),
        Z::InvalidPassword => "archive protégée par un mot de passe".to_string(),
        Z::CompressionMethodNotSupported(m) => {
            format!("méthode de compression {m} non prise en charge")
        }
        Z::DecompressedSizeLimitExceeded { .. } => {
            "entrée plus grande une fois décompressée que permis".to_string()
        }
        _ => "archive illisible".to_string(),
    }
}

#[cfg(test)]
mod tests_texte_io {
    use super::texte_io;
    use std::io::{Error, ErrorKind};

    #[test]
    fn textes_en_francais() {
        assert_eq!(
            texte_io(&Error::from(ErrorKind::NotFound)),
            "fichier ou dossier introuvable"
        );
        assert_eq!(
            texte_io(&Error::from_raw_os_error(28)),
            "plus de place sur le disque"
        );
        assert_eq!(texte_io(&Error::from_raw_os_error(13)), "accès refusé");
        let z =
            zip::ZipArchive::new(std::io::Cursor::new(b"PK\x03\x04 abime".to_vec())).unwrap_err();
        assert_eq!(
            super::texte_zip(&z),
            "archive abîmée (structure zip invalide)"
        );
    }
}
