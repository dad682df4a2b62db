//! Reports of a [`Resultat`]: table (terminal), CSV (two profiles), JSON, and the
//! explanation of one structure's figures. Pure: they build strings; writing is `sortie`'s.

pub mod bareme;
pub mod comparaison;
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
pub mod tables;
pub mod verification;
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

pub use crate::modele::{groupe_fr, montant_fr};

/// Neutralises a user text that a spreadsheet would take for a formula: prefixed with an
/// apostrophe when it starts with `=`, `+`, `-`, `@`, tab or CR, or with a full-width or
/// small form of `=`, `+`, `-`, `@` (`＝` U+FF1D, `＋` U+FF0B, `－` U+FF0D, `＠` U+FF20,
/// `﹦` U+FE66, `﹢` U+FE62, `﹣` U+FE63), which some spreadsheets (East Asian input, or
/// normalisation on import) turn into the ASCII character. The only such function: every
/// CSV and XLSX output calls it for every user text.
pub fn texte_sur(s: &str) -> String {
    if a_neutraliser(s) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

/// Whether [`texte_sur`] prefixes `s` with an apostrophe (the CSV writer writes the text
/// without copying it when not).
pub fn a_neutraliser(s: &str) -> bool {
    matches!(
        s.chars().next(),
        Some(
            '=' | '+'
                | '-'
                | '@'
                | '\t'
                | '\r'
                | '\u{ff1d}'
                | '\u{ff0b}'
                | '\u{ff0d}'
                | '\u{ff20}'
                | '\u{fe66}'
                | '\u{fe62}'
                | '\u{fe63}',
        )
    )
}

/// Characters of a user text shown in a terminal table cell, at most (longer texts are cut
/// with `…`; files keep them whole). Wider than any real name (the longest in the fixtures
/// has 71): a cell never grows with a hostile field, and the table stays fast.
pub const LARGEUR_CHAMP: usize = 80;

/// A user text for a terminal table: control characters shown, not obeyed
/// ([`crate::diagnostic::texte_affichable`]), then cut at `max` characters (at a character
/// boundary), the last one replaced by `…`.
pub fn texte_terminal(s: &str, max: usize) -> String {
    // at most max + 1 characters are looked at: a 100 000-character field is not copied
    let brut = match s.char_indices().nth(max + 1) {
        Some((i, _)) => &s[..i],
        None => s,
    };
    // an escape lengthens the text: the width is counted after neutralisation
    let t = crate::diagnostic::texte_affichable(brut);
    if t.chars().count() <= max {
        return t.into_owned();
    }
    let fin = t
        .char_indices()
        .nth(max.saturating_sub(1))
        .map_or(t.len(), |(i, _)| i);
    format!("{}…", &t[..fin])
}

/// `n` with its noun agreed in French: singular for 0 and 1 (« 0 avertissement »,
/// « 1 dossier »), plural beyond (« 2 dossiers »), the number grouped by thousands.
pub fn nombre_de(n: u64, singulier: &str, pluriel: &str) -> String {
    format!(
        "{} {}",
        groupe_fr(&n.to_string()),
        if n > 1 { pluriel } else { singulier }
    )
}

/// A difference as a French reader writes it: `+333,33 €`, `−333,33 €` (minus sign
/// U+2212), `0,00 €`.
pub fn ecart_fr(m: Montant) -> String {
    match m.0.cmp(&0) {
        std::cmp::Ordering::Greater => format!("+{}", crate::modele::montant_fr(m)),
        std::cmp::Ordering::Less => format!("−{}", crate::modele::montant_fr(Montant(-m.0))),
        std::cmp::Ordering::Equal => crate::modele::montant_fr(m),
    }
}

/// What the Caf pays in all (`verse_caf`), in the parts every summary states: the bonus to
/// the structures, the CTRE (places reserved by employers, paid to the structures outside
/// the bonus) when there is some, and what is paid to the collectivités (pilotage). The
/// parts add up to `verse_caf` exactly (R8).
pub fn parts_verse_caf(t: &crate::calcul::TotalGeneral) -> Vec<(&'static str, Montant)> {
    let mut parts = vec![("bonus aux structures", t.structures.bonus_total)];
    if t.structures.bonus_ctre.0 != 0 {
        parts.push(("CTRE (places employeurs)", t.structures.bonus_ctre));
    }
    parts.push(("versé aux collectivités", t.verse_collectivite));
    parts
}

/// [`parts_verse_caf`] as a text: `bonus aux structures 1 000,00 € + …`, each amount written
/// by `montant`.
pub fn detail_verse_caf(
    t: &crate::calcul::TotalGeneral,
    montant: impl Fn(Montant) -> String,
) -> String {
    parts_verse_caf(t)
        .into_iter()
        .map(|(libelle, m)| format!("{libelle} {}", montant(m)))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// Today's date (UTC), the generation date printed on the reports; `SOURCE_DATE_EPOCH`
/// (seconds since 1970, the reproducible-builds convention) fixes it for reproducible outputs.
pub fn aujourd_hui() -> crate::modele::Date {
    let secondes = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs() as i64)
        });
    date_du_jour(secondes.div_euclid(86_400))
}

/// The date of a day counted from 1970-01-01 (proleptic Gregorian calendar; H. Hinnant's
/// `civil_from_days`).
pub fn date_du_jour(jours: i64) -> crate::modele::Date {
    let z = jours + 719_468;
    let ere = z.div_euclid(146_097);
    let jour_ere = z - ere * 146_097;
    let annee_ere = (jour_ere - jour_ere / 1_460 + jour_ere / 36_524 - jour_ere / 146_096) / 365;
    let jour_annee = jour_ere - (365 * annee_ere + annee_ere / 4 - annee_ere / 100);
    let mois_p = (5 * jour_annee + 2) / 153;
    let jour = jour_annee - (153 * mois_p + 2) / 5 + 1;
    let mois = if mois_p < 10 { mois_p + 3 } else { mois_p - 9 };
    let annee = annee_ere + ere * 400 + i64::from(mois <= 2);
    crate::modele::Date::new(annee as i32, mois as u8, jour as u8)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (H. Hinnant's
/// `days_from_civil`, the inverse of [`date_du_jour`]).
fn jours_de(annee: i64, mois: i64, jour: i64) -> i64 {
    let a = if mois <= 2 { annee - 1 } else { annee };
    let ere = a.div_euclid(400);
    let annee_ere = a - ere * 400;
    let jour_annee = (153 * (if mois > 2 { mois - 3 } else { mois + 9 }) + 2) / 5 + jour - 1;
    let jour_ere = annee_ere * 365 + annee_ere / 4 - annee_ere / 100 + jour_annee;
    ere * 146_097 + jour_ere - 719_468
}

/// An instant (seconds since 1970, UTC) as a French reader expects it: the time in Paris,
/// `30 novembre 2026 à 23:44:10`. Paris: UTC+1, and UTC+2 from the last Sunday of March to
/// the last Sunday of October, changing at 1:00 UTC (the European rule since 1996).
pub fn heure_de_paris(secondes: u64) -> String {
    let s = secondes as i64;
    let annee = i64::from(date_du_jour(s.div_euclid(86_400)).annee);
    // 1970-01-01 was a Thursday: day d is a Sunday when (d + 4) mod 7 = 0
    let dernier_dimanche = |mois: i64| {
        let d = jours_de(annee, mois, 31);
        d - (d + 4).rem_euclid(7)
    };
    let ete = (dernier_dimanche(3) * 86_400 + 3_600)..(dernier_dimanche(10) * 86_400 + 3_600);
    let local = s + if ete.contains(&s) { 7_200 } else { 3_600 };
    let r = local.rem_euclid(86_400);
    format!(
        "{} à {:02}:{:02}:{:02}",
        date_du_jour(local.div_euclid(86_400)).en_toutes_lettres(),
        r / 3_600,
        r / 60 % 60,
        r % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference: Python's zoneinfo, `datetime.fromtimestamp(s, ZoneInfo("Europe/Paris"))`
    /// (the IANA database), for instants on each side of both 2026 changes.
    #[test]
    fn heures_de_paris() {
        for (s, attendu) in [
            (0, "1er janvier 1970 à 01:00:00"),
            (1_709_210_096, "29 février 2024 à 13:34:56"),
            (1_774_745_999, "29 mars 2026 à 01:59:59"),
            (1_774_746_000, "29 mars 2026 à 03:00:00"),
            (1_792_889_999, "25 octobre 2026 à 02:59:59"),
            (1_792_890_000, "25 octobre 2026 à 02:00:00"),
            (1_796_078_650, "30 novembre 2026 à 23:44:10"),
        ] {
            assert_eq!(heure_de_paris(s), attendu, "{s}");
        }
    }

    #[test]
    fn champs_du_terminal() {
        assert_eq!(texte_terminal("Crèche", 80), "Crèche");
        // 10 characters, cut at 5: 4 kept and « … »
        assert_eq!(texte_terminal("éééééééééé", 5), "éééé…");
        assert_eq!(texte_terminal("ééééé", 5), "ééééé");
        let long = "x".repeat(100_000);
        let t = texte_terminal(&long, 80);
        assert_eq!(t.chars().count(), 80);
        assert!(t.ends_with('…'));
        // escapes count in the width
        // `\u{202e}` is 8 characters: 4 kept and « … »
        assert_eq!(texte_terminal("\u{202e}abcdef", 5), "\\u{2…");
        assert_eq!(texte_terminal("a\u{1b}[2J", 80), "a␛[2J");
    }

    #[test]
    fn accords() {
        assert_eq!(nombre_de(1, "dossier", "dossiers"), "1 dossier");
        assert_eq!(
            nombre_de(0, "avertissement", "avertissements"),
            "0 avertissement"
        );
        assert_eq!(nombre_de(2, "seuil", "seuils"), "2 seuils");
        assert_eq!(nombre_de(12_000, "place", "places"), "12\u{202f}000 places");
    }

    #[test]
    fn dates_du_calendrier() {
        use crate::modele::Date;
        assert_eq!(date_du_jour(0), Date::new(1970, 1, 1));
        // 2024-02-29: 54 years of 365 days + 13 leap days (1972…2020) + 31 + 28 days
        assert_eq!(
            date_du_jour(54 * 365 + 13 + 31 + 28),
            Date::new(2024, 2, 29)
        );
        assert_eq!(date_du_jour(-1), Date::new(1969, 12, 31));
    }

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
        for x in [
            "＝1+1",
            "＋2",
            "－3",
            "＠SUM(1)",
            "﹦1",
            "﹢1",
            "﹣1",
            "-4+5",
            "@A1",
            "\t=1",
        ] {
            assert_eq!(texte_sur(x), format!("'{x}"), "{x}");
        }
        assert_eq!(texte_sur("a=1"), "a=1");
        assert_eq!(texte_sur(""), "");
    }
}
