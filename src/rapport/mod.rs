//! Reports of a [`Resultat`]: table (terminal), CSV (two profiles), JSON, and the
//! explanation of one structure's figures. Pure: they build strings; writing is `sortie`'s.

pub mod csv;
pub mod explication;
pub mod html;
pub mod json;
pub mod lettre;
pub mod parametres;
pub mod projection;
pub mod projection_html;
pub mod projection_xlsx;
pub mod table;
pub mod xlsx;

use crate::calcul::rationnel::{format_echelle, Rationnel, R};
use crate::modele::{Montant, Unites};

/// Number formatting profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Profil {
    /// `;`, decimal comma, UTF-8 BOM, CRLF.
    #[default]
    ExcelFr,
    /// `,`, decimal point, no BOM, LF.
    Rfc4180,
}

impl Profil {
    pub fn decimal(&self, s: String) -> String {
        match self {
            Profil::ExcelFr => {
                // in place: '.' and ',' are one ASCII byte each, so the bytes stay UTF-8
                let mut b = s.into_bytes();
                for x in b.iter_mut().filter(|x| **x == b'.') {
                    *x = b',';
                }
                String::from_utf8(b)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
            }
            Profil::Rfc4180 => s,
        }
    }
    /// Same digits as `Montant`'s `Display`, without going through `core::fmt`.
    pub fn montant(&self, m: Montant) -> String {
        self.decimal(format_echelle(m.0 as i128, 2))
    }
    pub fn unites(&self, u: Unites) -> String {
        self.decimal(format_echelle(u.0 as i128, 2))
    }
}

/// A cents rational shown in euros with `echelle` decimals (half away from zero).
pub fn euros(r: &Rationnel, echelle: u32) -> R<String> {
    r.div(Rationnel::entier(100))?.decimal_arrondi(echelle)
}

/// `12 345,67 €` (narrow no-break space as thousands separator, as French typography).
pub fn montant_fr(m: Montant) -> String {
    format!("{} €", groupe_fr(&format_echelle(m.0 as i128, 2)))
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

/// Neutralises a user text that a spreadsheet would take for a formula (`=`, `+`, `-`, `@`,
/// tab, CR at the start): prefixed with an apostrophe.
pub fn texte_sur(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats() {
        assert_eq!(
            montant_fr(Montant(123456789)),
            "1\u{202f}234\u{202f}567,89 €"
        );
        assert_eq!(montant_fr(Montant(-5)), "-0,05 €");
        assert_eq!(groupe_fr("100.5"), "100,5");
        assert_eq!(Profil::ExcelFr.montant(Montant(123456)), "1234,56");
        assert_eq!(Profil::Rfc4180.montant(Montant(123456)), "1234.56");
        // 1/3 cent → 0.0033 €
        assert_eq!(euros(&Rationnel::new(1, 3).unwrap(), 4).unwrap(), "0.0033");
        assert_eq!(texte_sur("=1+1"), "'=1+1");
        assert_eq!(texte_sur("Crèche"), "Crèche");
    }
}
