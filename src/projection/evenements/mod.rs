//! `evenements.csv`: what happens to the structures during the convention (openings,
//! closures, capacity changes, annex and support changes), and the month-by-month state of
//! each structure that follows from it (docs/regles.md R20–R21).
//!
//! Columns `date;id;action;valeur`, read with the same rules as the other CSV files
//! (delimiter detection, header normalisation, encodings, French decimals).

use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::lecture::nombres::{
    analyser_booleen, analyser_decimal, analyser_decimal_classeur, en_centiemes,
};
use crate::lecture::tableau::{self, Localisation};
use crate::lecture::texte;
use crate::lecture::UNITES_MAX;
use crate::modele::{unites_bonus, Annexe, Date, Dossier, Unites};
use std::collections::BTreeMap;
use std::fmt;

mod chronologie;
mod source;
pub use chronologie::{Chronologie, Etat};
pub use source::{evenements_du_dossier, libelle_de_la_source, lire_evenements};

pub const FICHIER: &str = "evenements.csv";
pub const COLONNES: &[&str] = &["date", "id", "action", "valeur"];
const REQUISES: &[&str] = &["date", "id", "action"];

/// What an event does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Ouverture,
    Fermeture,
    UnitesExistantes(Unites),
    UnitesNouvelles(Unites),
    UnitesEmployeurs(Unites),
    Soutien(bool),
    Annexe(Annexe),
}

impl Action {
    pub const NOMS: &'static [&'static str] = &[
        "ouverture",
        "fermeture",
        "unites_existantes",
        "unites_nouvelles",
        "unites_employeurs",
        "soutien",
        "annexe",
    ];
    pub fn nom(&self) -> &'static str {
        match self {
            Action::Ouverture => "ouverture",
            Action::Fermeture => "fermeture",
            Action::UnitesExistantes(_) => "unites_existantes",
            Action::UnitesNouvelles(_) => "unites_nouvelles",
            Action::UnitesEmployeurs(_) => "unites_employeurs",
            Action::Soutien(_) => "soutien",
            Action::Annexe(_) => "annexe",
        }
    }
    /// The value as written back for the user (`40`, `oui`, `2bis`, empty).
    pub fn valeur(&self) -> String {
        match self {
            Action::Ouverture | Action::Fermeture => String::new(),
            Action::UnitesExistantes(u)
            | Action::UnitesNouvelles(u)
            | Action::UnitesEmployeurs(u) => crate::modele::groupe_fr(&u.to_string()),
            Action::Soutien(b) => if *b { "oui" } else { "non" }.into(),
            Action::Annexe(a) => a.libelle().into(),
        }
    }
}

/// One line of evenements.csv.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evenement {
    pub date: Date,
    pub id: String,
    pub action: Action,
    /// Line in evenements.csv (for messages and `expliquer`).
    pub ligne: u64,
}

impl Evenement {
    /// (year, month) from which the event counts: the month of its date when it falls on the
    /// 1st, else the next month (R21: a month counts with the state in force on its 1st day).
    pub fn effet(&self) -> (i32, u8) {
        mois_d_effet(self.date)
    }
}

/// See [`Evenement::effet`].
pub fn mois_d_effet(d: Date) -> (i32, u8) {
    if d.jour == 1 {
        (d.annee, d.mois)
    } else if d.mois == 12 {
        (d.annee + 1, 1)
    } else {
        (d.annee, d.mois + 1)
    }
}

pub const NOMS_MOIS: [&str; 12] = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

/// « à partir de juillet 2026 », « à partir d'avril 2026 » (elision before a vowel).
pub fn a_partir_de(mois: u8, annee: i32) -> String {
    let nom = NOMS_MOIS
        .get((mois as usize).wrapping_sub(1))
        .unwrap_or(&"?");
    let de = if nom.starts_with(['a', 'o']) {
        "d'"
    } else {
        "de "
    };
    format!("à partir {de}{nom} {annee}")
}

fn jours_du_mois(annee: i32, mois: u8) -> u8 {
    match mois {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if (annee % 4 == 0 && annee % 100 != 0) || annee % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// `2026-09-01` or `01/09/2026` (a real calendar date).
pub fn analyser_date(brut: &str) -> Option<Date> {
    let t = brut.trim();
    let (a, m, j) = if let Some((a, reste)) = t.split_once('-') {
        let (m, j) = reste.split_once('-')?;
        (a, m, j)
    } else {
        let mut p = t.split('/');
        let (j, m, a) = (p.next()?, p.next()?, p.next()?);
        if p.next().is_some() {
            return None;
        }
        (a, m, j)
    };
    let chiffres = |s: &str, n: std::ops::RangeInclusive<usize>| {
        n.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
    };
    if !chiffres(a, 4..=4) || !chiffres(m, 1..=2) || !chiffres(j, 1..=2) {
        return None;
    }
    let (a, m, j): (i32, u8, u8) = (a.parse().ok()?, m.parse().ok()?, j.parse().ok()?);
    if !(1..=12).contains(&m) || j == 0 || j > jours_du_mois(a, m) {
        return None;
    }
    Some(Date::new(a, m, j))
}

/// Parses evenements.csv (pure). Line-level errors go to `diags`; the events are located
/// by [`Localisation::csv`] of the same name.
pub fn analyser_evenements(fichier: &str, texte: &str, diags: &mut Diagnostics) -> Vec<Evenement> {
    match tableau::lire(fichier, texte, COLONNES, REQUISES, diags) {
        Some(tab) => evenements_du_tableau(&tab, diags).0,
        None => Vec::new(),
    }
}

/// The `evenements` sheet of a workbook dossier (pure: its bytes), and where its events were
/// read (their cells, for the later checks' messages). `None` on error.
pub fn analyser_feuille_evenements(
    fichier: &str,
    octets: &[u8],
    diags: &mut Diagnostics,
) -> Option<(Vec<Evenement>, Localisation)> {
    let feuille = crate::lecture::xlsx::Feuille {
        noms: &["evenements"],
        premiere_sinon: false,
    };
    let avant = diags.erreurs().count();
    let tab = crate::lecture::xlsx::lire(fichier, octets, feuille, COLONNES, REQUISES, diags)?;
    let lus = evenements_du_tableau(&tab, diags);
    (diags.erreurs().count() == avant).then_some(lus)
}

/// A diagnostic about column `colonne` of the event read at line `ligne` of `source`: its
/// cell in a workbook's sheet (the line being the spreadsheet's), else its line, as the
/// other tables' messages ([`Localisation::cellule`]).
fn situer(d: Diagnostic, source: &Localisation, ligne: u64, colonne: &str) -> Diagnostic {
    let d = match source.cellule(ligne, colonne) {
        Some(c) => d.cellule(c),
        None => d.ligne(ligne),
    };
    d.colonne(colonne)
}

/// The events of a table read from a CSV file or a workbook's sheet, and where they were
/// read.
fn evenements_du_tableau(
    tab: &tableau::Tableau,
    diags: &mut Diagnostics,
) -> (Vec<Evenement>, Localisation) {
    let source = tab.localisation();
    let mut r = Vec::with_capacity(tab.lignes.len());
    for (no, enr) in &tab.lignes {
        let l = LigneEvenement {
            source: &source,
            no: *no,
        };
        let champ = |c: &str| tab.champ(enr, c);
        // each column checked, every error reported, before the event is kept or not
        let date = l.date(champ("date"), diags);
        let id = l.id(champ("id"), diags);
        let action = l.action(champ("action"), champ("valeur"), diags);
        if let (Some(date), Some(id), Some(action)) = (date, id, action) {
            r.push(Evenement {
                date,
                id,
                action,
                ligne: *no,
            });
        }
    }
    (r, source)
}

/// A line of the events' table, where its errors are reported.
struct LigneEvenement<'a> {
    source: &'a Localisation,
    no: u64,
}

impl LigneEvenement<'_> {
    fn err(
        &self,
        diags: &mut Diagnostics,
        code: Code,
        col: &str,
        val: &str,
        msg: String,
        conseil: &str,
    ) {
        let d = Diagnostic::erreur(code, &self.source.fichier, msg);
        diags.push(
            situer(d, self.source, self.no, col)
                .valeur(val)
                .conseil(conseil),
        )
    }

    /// The column `date`; `None` when absent or unreadable (reported).
    fn date(&self, v: Option<&str>, diags: &mut Diagnostics) -> Option<Date> {
        let Some(v) = v else {
            self.err(
                diags,
                Code::E006,
                "date",
                "",
                "valeur obligatoire manquante".into(),
                "renseignez la date de l'événement (ex. 2026-09-01)",
            );
            return None;
        };
        let d = analyser_date(v);
        if d.is_none() {
            self.err(
                diags,
                Code::E030,
                "date",
                v,
                "date illisible".into(),
                "écrivez AAAA-MM-JJ (2026-09-01) ou JJ/MM/AAAA (01/09/2026)",
            );
        }
        d
    }

    /// The column `id`; `None` when absent or holding an invisible character (reported).
    fn id(&self, v: Option<&str>, diags: &mut Diagnostics) -> Option<String> {
        let Some(v) = v else {
            self.err(
                diags,
                Code::E006,
                "id",
                "",
                "valeur obligatoire manquante".into(),
                "identifiant d'une structure de structures.csv",
            );
            return None;
        };
        if let Some(c) = texte::caractere_invisible(v) {
            let (message, conseil) = texte::message_invisible(c);
            self.err(
                diags,
                Code::E053,
                "id",
                &texte::montrer_invisibles(v),
                message,
                conseil,
            );
            return None;
        }
        Some(v.to_string())
    }

    /// The columns `action` and `valeur`; `None` when either is wrong (reported).
    fn action(
        &self,
        action: Option<&str>,
        valeur: Option<&str>,
        diags: &mut Diagnostics,
    ) -> Option<Action> {
        let liste = Action::NOMS.join(", ");
        let Some(a) = action.map(|a| a.to_lowercase()) else {
            self.err(
                diags,
                Code::E006,
                "action",
                "",
                "valeur obligatoire manquante".into(),
                &format!("actions admises : {liste}"),
            );
            return None;
        };
        let a = a.as_str();
        let refus = |diags: &mut Diagnostics, v: Option<&str>, msg: &str, conseil: &str| {
            self.err(
                diags,
                Code::E033,
                "valeur",
                v.unwrap_or(""),
                msg.into(),
                conseil,
            );
            None
        };
        match a {
            "ouverture" | "fermeture" => {
                if let Some(v) = valeur {
                    self.err(diags, Code::E033, "valeur", v, format!("l'action « {a} » ne prend pas de valeur"), "changez les unités par une ligne unites_existantes / unites_nouvelles à la même date");
                    None
                } else if a == "ouverture" {
                    Some(Action::Ouverture)
                } else {
                    Some(Action::Fermeture)
                }
            }
            "unites_existantes" => self.unites(a, valeur, diags).map(Action::UnitesExistantes),
            "unites_nouvelles" => self.unites(a, valeur, diags).map(Action::UnitesNouvelles),
            "unites_employeurs" => self.unites(a, valeur, diags).map(Action::UnitesEmployeurs),
            "soutien" => match valeur.and_then(analyser_booleen) {
                Some(b) => Some(Action::Soutien(b)),
                None => refus(diags, valeur, "booléen illisible", "écrivez oui ou non"),
            },
            "annexe" => match valeur.and_then(Annexe::analyser) {
                Some(x) => Some(Action::Annexe(x)),
                None => refus(
                    diags,
                    valeur,
                    "annexe inconnue",
                    "valeurs admises : 2, 2bis",
                ),
            },
            _ => {
                self.err(
                    diags,
                    Code::E032,
                    "action",
                    a,
                    "action inconnue".into(),
                    &format!("actions admises : {liste}"),
                );
                None
            }
        }
    }

    /// The number of units of an action `a` on units (column `valeur`).
    fn unites(&self, a: &str, valeur: Option<&str>, diags: &mut Diagnostics) -> Option<Unites> {
        let refus = |diags: &mut Diagnostics, v: &str, msg: String, conseil: &str| {
            self.err(diags, Code::E033, "valeur", v, msg, conseil);
            None
        };
        let Some(v) = valeur else {
            return refus(
                diags,
                "",
                format!("l'action « {a} » demande un nombre d'unités"),
                "écrivez le nouveau nombre d'unités (ex. 40 ou 1,5)",
            );
        };
        // as the other tables: a workbook's number reads as the float's writing (`1.234`:
        // three decimals, refused as such below), a CSV's by the text grammar
        let lu = if self.source.feuille.is_some() {
            analyser_decimal_classeur(v)
        } else {
            analyser_decimal(v)
        };
        let d = match lu {
            Ok(d) => d,
            Err(m) => {
                return refus(
                    diags,
                    v,
                    format!("nombre d'unités illisible : {m}"),
                    "écrivez par exemple 40 ou 1,5",
                )
            }
        };
        if d.is_sign_negative() && !d.is_zero() {
            return refus(
                diags,
                v,
                "nombre d'unités négatif".into(),
                "les unités sont positives ou nulles",
            );
        }
        match en_centiemes(d) {
            Ok(c) if c <= UNITES_MAX => Some(Unites(c)),
            Ok(_) => refus(
                diags,
                v,
                "nombre d'unités trop grand (maximum 100 000)".into(),
                "vérifiez l'unité de la colonne",
            ),
            Err(m) => refus(
                diags,
                v,
                format!("nombre d'unités avec {m}"),
                "arrondissez au centième",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regle_des_mois() {
        // 15 March → April; 1 March → March; 15 December → January next year
        assert_eq!(mois_d_effet(Date::new(2026, 3, 15)), (2026, 4));
        assert_eq!(mois_d_effet(Date::new(2026, 3, 1)), (2026, 3));
        assert_eq!(mois_d_effet(Date::new(2026, 12, 15)), (2027, 1));
    }

    #[test]
    fn dates() {
        assert_eq!(analyser_date("2026-09-01"), Some(Date::new(2026, 9, 1)));
        assert_eq!(analyser_date("01/09/2026"), Some(Date::new(2026, 9, 1)));
        assert_eq!(analyser_date("29/02/2028"), Some(Date::new(2028, 2, 29)));
        assert_eq!(analyser_date("29/02/2027"), None);
        assert_eq!(analyser_date("2026-13-01"), None);
        assert_eq!(analyser_date("2026/09/01"), None);
        assert_eq!(analyser_date("1er septembre"), None);
    }

    /// The same header matcher as the other tables: a misspelt column is an error naming
    /// the expected one, an unknown column a warning, an id with an invisible character
    /// an error.
    #[test]
    fn entete_et_identifiants_comme_les_autres_tables() {
        let mut d = Diagnostics::default();
        let ev = analyser_evenements(
            "evenements.csv",
            "date;id;actoin;valeur\n2026-09-01;A;fermeture;\n",
            &mut d,
        );
        assert!(ev.is_empty());
        assert_eq!(
            d.0[0].to_string(),
            "erreur E050 : evenements.csv, ligne 1, colonne « action », valeur « actoin » : colonne « actoin » inconnue, qui ressemble à la colonne attendue « action » (conseil : renommez l'en-tête « action » : sous un autre nom, ses valeurs seraient ignorées)"
        );
        let mut d = Diagnostics::default();
        let ev = analyser_evenements(
            "evenements.csv",
            "date;id;action;valeur;commentaire\n2026-09-01;A\u{200b};fermeture;;vu\n2026-09-01;B;fermeture;;\n",
            &mut d,
        );
        assert_eq!(ev.len(), 1);
        assert_eq!(d.0[0].code, Code::W050);
        assert_eq!(
            d.0[1].to_string(),
            "erreur E053 : evenements.csv, ligne 2, colonne « id », valeur « A<U+200B> » : identifiant contenant un caractère invisible ou de contrôle (U+200B) (conseil : retapez l'identifiant : un caractère invisible (copié d'une page web ou d'un autre logiciel) le rendrait différent d'un identifiant d'apparence identique)"
        );
    }

    /// An event's id written with another case is the structure's (one canonical id).
    #[test]
    fn id_d_evenement_en_minuscules_rattache_a_la_structure() {
        let f = crate::lecture::Fichiers {
            convention: "exercice = 2025\ndebut = 2025-01-01\nfin = 2027-12-31\n[[collectivites]]\nid = \"V\"\ntranche = 1\n".into(),
            structures: "id;annexe;type;nom;gestionnaire;collectivite;financement;unites_existantes\nEAJE-A;2;EAJE;A;G;V;PSU;10\n".into(),
            charges: "collectivite;volet;montant\nV;EAJE;100\n".into(),
            bareme: None,
        };
        let mut d = Diagnostics::default();
        let lu = crate::lecture::analyser_dossier(&f, &mut d).unwrap();
        let ev = analyser_evenements(
            "evenements.csv",
            "date;id;action;valeur\n2026-03-01;eaje-a;fermeture;\n",
            &mut d,
        );
        let source = Localisation::csv("evenements.csv");
        let c = Chronologie::construire(&lu.dossier, &ev, 2025, 2027, &source, &mut d);
        assert!(!d.a_des_erreurs(), "{:?}", d.0);
        assert_eq!(c.evenements["EAJE-A"][0].id, "EAJE-A");
        assert!(!c.evenements.contains_key("eaje-a"));
    }

    #[test]
    fn lecture_et_erreurs_localisees() {
        let t = "date;id;action;valeur\n2026-09-01;A;ouverture;\n15/03/2027;A;unites_nouvelles;12,5\n2026-02-30;A;fermeture;\n2026-01-01;A;agrandir;3\n2026-01-01;A;soutien;peut-être\n2026-01-01;A;ouverture;4\n";
        let mut d = Diagnostics::default();
        let ev = analyser_evenements("evenements.csv", t, &mut d);
        assert_eq!(ev.len(), 2);
        assert_eq!(ev[1].action, Action::UnitesNouvelles(Unites(1250)));
        assert_eq!(ev[1].ligne, 3);
        let codes: Vec<(Code, Option<u64>, Option<&str>)> =
            d.0.iter()
                .map(|x| (x.code, x.numero_de_ligne(), x.colonne.as_deref()))
                .collect();
        assert_eq!(
            codes,
            vec![
                (Code::E030, Some(4), Some("date")),
                (Code::E032, Some(5), Some("action")),
                (Code::E033, Some(6), Some("valeur")),
                (Code::E033, Some(7), Some("valeur")),
            ]
        );
    }
}
