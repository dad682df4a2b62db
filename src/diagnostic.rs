//! Located, coded messages (errors and warnings), in French.
//!
//! Every diagnostic names the file, the line (or the barème parameter), the column and the
//! value, with a stable code (`E0xx` error, `W0xx` warning) listed in `docs/erreurs.md`.

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
    pub code: &'static str,
    pub gravite: Gravite,
    pub fichier: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ligne: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colonne: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valeur: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conseil: Option<String>,
}

impl Diagnostic {
    pub fn erreur(code: &'static str, fichier: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            gravite: Gravite::Erreur,
            fichier: fichier.to_string(),
            ligne: None,
            colonne: None,
            valeur: None,
            message: message.into(),
            conseil: None,
        }
    }
    pub fn avertissement(code: &'static str, fichier: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            gravite: Gravite::Avertissement,
            ..Diagnostic::erreur(code, fichier, message)
        }
    }
    pub fn ligne(mut self, l: u64) -> Self {
        self.ligne = Some(l);
        self
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
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let g = match self.gravite {
            Gravite::Erreur => "erreur",
            Gravite::Avertissement => "avertissement",
        };
        write!(f, "{g} {} : {}", self.code, self.fichier)?;
        if let Some(l) = self.ligne {
            write!(f, ", ligne {l}")?;
        }
        if let Some(c) = &self.colonne {
            write!(f, ", colonne « {c} »")?;
        }
        if let Some(v) = &self.valeur {
            write!(f, ", valeur « {v} »")?;
        }
        write!(f, " : {}", self.message)?;
        if let Some(c) = &self.conseil {
            write!(f, " (conseil : {c})")?;
        }
        Ok(())
    }
}

/// The diagnostics of one run, errors and warnings together, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }
    pub fn extend(&mut self, o: Diagnostics) {
        self.0.extend(o.0);
    }
    pub fn a_des_erreurs(&self) -> bool {
        self.0.iter().any(Diagnostic::est_erreur)
    }
    pub fn erreurs(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| d.est_erreur())
    }
    pub fn avertissements(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter().filter(|d| !d.est_erreur())
    }
    pub fn resume(&self) -> String {
        let e = self.erreurs().count();
        let a = self.avertissements().count();
        format!(
            "{e} erreur{}, {a} avertissement{}",
            if e > 1 { "s" } else { "" },
            if a > 1 { "s" } else { "" }
        )
    }
}
