//! Everything the commands say on the standard error goes through [`Messages`]: the
//! diagnostics (text or JSON, `--format-erreurs`), the summaries and the information lines
//! (text mode only: in JSON mode the standard error holds JSON lines only), and the error a
//! command ends with ([`Erreur`]).

use super::arguments::FormatErreurs;
use crate::diagnostic::{Code, Diagnostic, Diagnostics};
use crate::sortie::ErreurEcriture;
use std::io::Write;

/// How a command that did its work ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fin {
    /// Exit code 0.
    Succes,
    /// `verifier`: the notification differs from the calculation (exit code 3).
    Ecarts,
}

/// Why a command stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Erreur {
    /// Invalid data: its diagnostics and summary were already shown (exit code 1).
    Donnees,
    /// A message not shown yet: data refused, output not written (exit code 1).
    Message(Box<Diagnostic>),
    /// A usage error (E170, exit code 2): said before anything is read.
    Usage(Box<Diagnostic>),
}

pub const SUCCES: i32 = 0;
pub const DONNEES_INVALIDES: i32 = 1;
pub const USAGE: i32 = 2;
/// `verifier`: the notification differs from the calculation.
pub const ECARTS: i32 = crate::verification::CODE_ECARTS;

impl Fin {
    pub fn code(self) -> i32 {
        match self {
            Fin::Succes => SUCCES,
            Fin::Ecarts => ECARTS,
        }
    }
}

impl Erreur {
    /// A usage error (E170): a message about the command line, not about a file.
    pub fn usage(message: impl Into<String>) -> Self {
        Erreur::Usage(Box::new(Diagnostic::erreur(Code::E170, "", message)))
    }
    /// A message about the command itself (no file): `erreur CODE : message`.
    pub fn message(code: Code, message: impl Into<String>) -> Self {
        Erreur::Message(Box::new(Diagnostic::erreur(code, "", message)))
    }
    /// A message already written as `erreur CODE : …` by a lower layer (lot, web server,
    /// generation).
    pub fn texte(t: &str) -> Self {
        let (code, reste) = t
            .strip_prefix("erreur ")
            .and_then(|r| r.split_once(" : "))
            .and_then(|(c, r)| Some((Code::depuis_texte(c)?, r)))
            .unwrap_or((Code::E002, t));
        Erreur::message(code, reste)
    }
    pub fn code_de_sortie(&self) -> i32 {
        match self {
            Erreur::Donnees | Erreur::Message(_) => DONNEES_INVALIDES,
            Erreur::Usage(_) => USAGE,
        }
    }
}

impl From<ErreurEcriture> for Erreur {
    fn from(e: ErreurEcriture) -> Self {
        Erreur::message(e.code, e.message)
    }
}

/// A figure beyond the exact arithmetic's range (E023), or a broken invariant of the calculation (E160).
impl From<crate::calcul::rationnel::ErreurCalcul> for Erreur {
    fn from(e: crate::calcul::rationnel::ErreurCalcul) -> Self {
        Erreur::message(e.code(), e.to_string())
    }
}

/// The standard error of one run.
#[derive(Debug, Clone, Copy)]
pub struct Messages {
    pub format: FormatErreurs,
    /// `--silencieux`: no warnings nor summaries (errors and requested data only).
    pub silencieux: bool,
}

impl Messages {
    /// One diagnostic, as a line of text or of JSON. Never panics: a closed or full standard
    /// error is ignored.
    pub fn diagnostic(&self, d: &Diagnostic) {
        if self.silencieux && !d.est_erreur() {
            return;
        }
        let mut e = std::io::stderr().lock();
        let _ = match self.format {
            FormatErreurs::Texte => writeln!(e, "{d}"),
            FormatErreurs::Json => writeln!(e, "{}", serde_json::to_string(d).unwrap_or_default()),
        };
    }

    /// The diagnostics of a run; beyond the cap (200 errors, 200 warnings), one closing line
    /// counts the rest (E027).
    pub fn diagnostics(&self, d: &Diagnostics) {
        for x in d.0.iter().chain(d.omis().as_ref()) {
            self.diagnostic(x);
        }
    }

    /// The closing summary line `QUOI : 2 erreurs, 1 avertissement` (text mode).
    pub fn resume(&self, quoi: &std::path::Path, d: &Diagnostics) {
        self.texte(format_args!("{} : {}", quoi.display(), d.resume()));
    }

    /// The diagnostics of data refused, then their summary: the error a command ends with.
    pub fn refus(&self, quoi: &std::path::Path, d: &Diagnostics) -> Erreur {
        self.diagnostics(d);
        self.resume(quoi, d);
        Erreur::Donnees
    }

    /// An information line (what was written where), unless `--silencieux` (text mode).
    pub fn info(&self, t: std::fmt::Arguments<'_>) {
        if !self.silencieux {
            self.texte(t);
        }
    }

    /// A line of text, in text mode only, even with `--silencieux`.
    pub fn ligne(&self, t: std::fmt::Arguments<'_>) {
        self.texte(t);
    }

    /// A line of text, in text mode only.
    fn texte(&self, t: std::fmt::Arguments<'_>) {
        if self.format == FormatErreurs::Texte {
            let _ = writeln!(std::io::stderr(), "{t}");
        }
    }

    /// The error a command ended with.
    pub fn erreur(&self, e: &Erreur) {
        match e {
            Erreur::Donnees => {}
            Erreur::Message(d) => self.diagnostic(d),
            Erreur::Usage(d) => {
                self.diagnostic(d);
                self.texte(format_args!("\nPour l'aide : bonus-ctg --help"));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn textes_des_couches_basses_relus_avec_leur_code() {
        let e = Erreur::texte("erreur E083 : sortie : existe déjà");
        assert_eq!(e, Erreur::message(Code::E083, "sortie : existe déjà"));
        let Erreur::Message(d) = e else { panic!() };
        assert_eq!(d.to_string(), "erreur E083 : sortie : existe déjà");
        // no file: no `fichier` field
        let j: serde_json::Value = serde_json::to_value(&d).unwrap();
        assert_eq!(
            j,
            serde_json::json!({"code": Code::E083, "gravite": "erreur", "message": "sortie : existe déjà"})
        );
        assert_eq!(Erreur::usage("x").code_de_sortie(), USAGE);
    }
}
