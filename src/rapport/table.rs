//! Terminal table (comfy-table): one row per structure, then totals per gestionnaire, per
//! collectivité, the reconciliation and the grand total.
//!
//! The table fits the width asked (`--largeur`), else the terminal's, else 100 columns: a
//! compact set of columns by default (the least useful dropped first when the width is
//! short), every column with `--colonnes toutes`, or the ones named. Texts are wrapped here,
//! at word boundaries (spaces, and after `-` or `_`), on three lines at most, then shortened
//! with `…` at a word boundary: never cut into pieces. Amounts are in euros, the unit in the
//! header.

use super::{euros, groupe_fr, texte_terminal, LARGEUR_CHAMP};
use crate::calcul::eligibilite::Motif;
use crate::calcul::rationnel::{format_echelle, R};
use crate::calcul::{LigneStructure, Resultat, Totaux};
use crate::modele::Montant;
mod dessin;
use comfy_table::{
    presets, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table, Width,
};
use dessin::*;

/// Width of the table when neither `--largeur` nor a terminal gives one.
pub const LARGEUR_DEFAUT: u16 = 100;

/// Narrowest width of a text column (a column is dropped rather than narrowed further).
const TEXTE_MIN: usize = 14;

/// Lines of a wrapped text cell, at most.
const LIGNES_MAX: usize = 3;

/// Which columns of the structures table (`--colonnes`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Colonnes {
    /// The compact set, narrowed further when the width is short.
    #[default]
    Compactes,
    /// Every column of every table.
    Toutes,
    /// The columns named (keys of [`COLONNES_STRUCTURES`]), in that order.
    Liste(Vec<String>),
}

/// Keys of the structures table's columns, as `--colonnes` names them.
pub const COLONNES_STRUCTURES: &[&str] = &[
    "id",
    "nom",
    "volet",
    "motif",
    "unites",
    "taux",
    "lissage",
    "nouvelles",
    "bonus",
    "contribution_n1",
    "contribution_n",
    "variation",
];

impl Colonnes {
    /// `toutes`, or a comma list of keys of [`COLONNES_STRUCTURES`]; `Err`: the French
    /// message naming the unknown key and the admitted ones.
    pub fn analyser(s: &str) -> Result<Colonnes, String> {
        if s.trim() == "toutes" {
            return Ok(Colonnes::Toutes);
        }
        let mut l = Vec::new();
        for c in s.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            if !COLONNES_STRUCTURES.contains(&c) {
                return Err(format!(
                    "colonne « {} » inconnue ; colonnes admises : toutes, ou une liste séparée par des virgules parmi {}",
                    crate::diagnostic::texte_affichable(c),
                    COLONNES_STRUCTURES.join(", ")
                ));
            }
            l.push(c.to_string());
        }
        if l.is_empty() {
            return Err(format!(
                "aucune colonne nommée ; colonnes admises : toutes, ou une liste séparée par des virgules parmi {}",
                COLONNES_STRUCTURES.join(", ")
            ));
        }
        Ok(Colonnes::Liste(l))
    }
}

/// Width of the terminal on standard output, when it is one.
fn largeur_terminal() -> Option<u16> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    #[cfg(unix)]
    {
        // SAFETY: TIOCGWINSZ fills the `winsize` given; a zeroed one is valid
        let mut w: libc::winsize = unsafe { std::mem::zeroed() };
        let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut w) } == 0;
        if ok && w.ws_col > 0 {
            return Some(w.ws_col);
        }
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
}

/// The width used: `--largeur`, else the terminal's, else [`LARGEUR_DEFAUT`].
pub fn largeur_effective(largeur: Option<u16>) -> usize {
    usize::from(
        largeur
            .or_else(largeur_terminal)
            .unwrap_or(LARGEUR_DEFAUT)
            .max(20),
    )
}

fn longueur(s: &str) -> usize {
    s.chars().count()
}

/// The pieces of a text where a line may break: after a space (dropped; the flag says a
/// space follows), after `-` or `_` (kept).
fn mots(s: &str) -> Vec<(String, bool)> {
    let mut r = Vec::new();
    for w in s.split(' ').filter(|w| !w.is_empty()) {
        let mut courant = String::new();
        for c in w.chars() {
            courant.push(c);
            if (c == '-' || c == '_') && longueur(&courant) > 1 {
                r.push((std::mem::take(&mut courant), false));
            }
        }
        if !courant.is_empty() {
            r.push((courant, true));
        } else if let Some(d) = r.last_mut() {
            d.1 = true;
        }
    }
    r
}

/// The first `n − 1` characters of a line and `…`.
fn raccourcir(l: &str, n: usize) -> String {
    let garde: String = l.chars().take(n.saturating_sub(1)).collect();
    format!("{}…", garde.trim_end())
}

/// A text wrapped at word boundaries in `largeur` characters, on [`LIGNES_MAX`] lines at
/// most; what does not fit is replaced by `…` after the last whole word (a single word
/// longer than the line is shortened with `…`).
pub fn plier(s: &str, largeur: usize) -> String {
    plier_en(s, largeur, LIGNES_MAX)
}

/// [`plier`] on `max` lines at most (headers take three).
pub(crate) fn plier_en(s: &str, largeur: usize, max: usize) -> String {
    let largeur = largeur.max(2);
    let mut lignes: Vec<String> = vec![String::new()];
    let mut coupe = false;
    let mut espace = false;
    for (m, suivi) in mots(s) {
        let l = lignes.last_mut().expect("une ligne");
        let sep = if l.is_empty() || !espace { "" } else { " " };
        if l.is_empty() || longueur(l) + longueur(sep) + longueur(&m) <= largeur {
            l.push_str(sep);
            l.push_str(&m);
        } else if lignes.len() < max {
            lignes.push(m);
        } else {
            coupe = true;
            break;
        }
        espace = suivi;
    }
    let n = lignes.len();
    for (i, l) in lignes.iter_mut().enumerate() {
        if longueur(l) > largeur {
            *l = raccourcir(l, largeur);
        } else if coupe && i == n - 1 {
            // room for « … » made by dropping whole words
            while longueur(l) >= largeur {
                match l.rfind(' ') {
                    Some(p) => l.truncate(p),
                    None => break,
                }
            }
            *l = if longueur(l) < largeur {
                format!("{l}…")
            } else {
                raccourcir(l, largeur)
            };
        }
    }
    lignes.join("\n")
}

/// Prose wrapped at spaces in `largeur` characters (no line cut, none shortened); a
/// paragraph's indentation is kept on its following lines, and « € » stays with its number.
fn envelopper(texte: &str, largeur: usize) -> String {
    let mut out = String::new();
    for para in texte.split_inclusive('\n') {
        let fin = para.ends_with('\n');
        let corps = para.trim_end_matches('\n');
        let retrait = &corps[..corps.len() - corps.trim_start_matches(' ').len()];
        let mut mots: Vec<String> = Vec::new();
        for m in corps.split(' ').filter(|m| !m.is_empty()) {
            match mots.last_mut() {
                // never broken there; written back as a plain space
                Some(d) if m == "€" => d.push_str("\u{0}€"),
                _ => mots.push(m.to_string()),
            }
        }
        let mut ligne = retrait.to_string();
        for mot in mots {
            let vide = ligne.len() == retrait.len();
            if !vide && longueur(&ligne) + 1 + longueur(&mot) > largeur {
                out.push_str(&ligne);
                out.push('\n');
                ligne = retrait.to_string();
            } else if !vide {
                ligne.push(' ');
            }
            ligne.push_str(&mot);
        }
        out.push_str(&ligne);
        if fin {
            out.push('\n');
        }
    }
    out.replace('\u{0}', " ")
}

/// Short French words for a reason, in a cell.
fn motif_court(m: Motif) -> &'static str {
    match m {
        Motif::Eligible => "éligible",
        Motif::Annexe2Bis => "annexe 2 bis",
        Motif::TypeSansVolet => "type sans volet",
        Motif::FinancementIncompatible => "financement incompatible",
        Motif::SansSoutienCollectivite => "sans soutien de la collectivité",
        Motif::CollectiviteNonSignataire => "collectivité non signataire",
        Motif::Fermee => "fermée",
    }
}

/// An amount in a cell: `12 345,67` (the header says « € »).
fn euros_fr(m: Montant) -> String {
    groupe_fr(&format_echelle(m.0 as i128, 2))
}

pub fn rendre(r: &Resultat, largeur: Option<u16>) -> R<String> {
    rendre_avec(r, largeur, false)
}

/// The table, with colours when `couleur` (`--couleur`): ineligible structures' reason in
/// yellow, variations green or red.
pub fn rendre_avec(r: &Resultat, largeur: Option<u16>, couleur: bool) -> R<String> {
    rendre_colonnes(r, largeur, couleur, &Colonnes::Compactes)
}

/// The table with the columns chosen (`--colonnes`).
pub fn rendre_colonnes(
    r: &Resultat,
    largeur: Option<u16>,
    couleur: bool,
    colonnes: &Colonnes,
) -> R<String> {
    let mut octets = Vec::new();
    // a Vec is never refused
    let _ = ecrire_colonnes(r, largeur, couleur, colonnes, &mut octets)?;
    // only `str` pieces were written
    Ok(String::from_utf8(octets)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// [`rendre_colonnes`] written into `w` as it is made, in pieces. `Err`: a figure that
/// cannot be written; `Ok(Err)`: `w` failed.
pub fn ecrire_colonnes(
    r: &Resultat,
    largeur: Option<u16>,
    couleur: bool,
    colonnes: &Colonnes,
    w: &mut dyn std::io::Write,
) -> R<std::io::Result<()>> {
    let mut f = Flux {
        texte: String::with_capacity(MORCEAU + 4096),
        w,
        erreur: None,
    };
    COULEUR.with(|c| c.set(couleur));
    let t = rendre_sans_etat(r, largeur_effective(largeur), colonnes, &mut f);
    COULEUR.with(|c| c.set(false));
    t?;
    Ok(f.finir())
}

/// A collectivité's name (its id when the convention does not name it).
fn nom_collectivite(r: &Resultat, id: &str) -> String {
    r.convention
        .collectivite(id)
        .map(|c| c.nom.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| id.to_string())
}

fn ligne_totaux(nom: &str, x: &Totaux) -> Vec<Valeur> {
    vec![
        texte(nom),
        nombre(format!("{} / {}", x.structures_eligibles, x.structures)),
        montant(x.bonus_n1),
        montant(x.bonus_total),
        montant(x.contribution_n1),
        montant(x.contribution_n),
        montant(x.financement_public_n1),
        montant(x.financement_public_n),
        Valeur::Variation(x.variation),
    ]
}

fn rendre_sans_etat(r: &Resultat, largeur: usize, colonnes: &Colonnes, f: &mut Flux) -> R<()> {
    let tout = *colonnes == Colonnes::Toutes;
    f.ecrire(&envelopper(
        &format!(
            "{} — {} — exercice {}\n\nStructures (annexes 2 et 2 bis)\n",
            texte_terminal(&r.convention.nom, LARGEUR_CHAMP),
            texte_terminal(&r.convention.caf, LARGEUR_CHAMP),
            r.exercice
        ),
        largeur,
    ));
    table_structures(r, largeur, colonnes, f)?;
    table_gestionnaires(r, largeur, tout, f)?;
    table_collectivites(r, largeur, tout, f)?;
    table_rapprochement(r, largeur, tout, f)?;
    total_general(r, largeur, tout, f);
    Ok(())
}

/// The structures, one row each (made as it is drawn), with the columns chosen.
fn table_structures(r: &Resultat, largeur: usize, colonnes: &Colonnes, f: &mut Flux) -> R<()> {
    let tout = *colonnes == Colonnes::Toutes;
    let t = Tableau {
        colonnes: vec![
            col("id", "identifiant", 6),
            col("nom", "nom", 0),
            col("volet", "volet", 3),
            col("motif", "motif", 4),
            col("unites", "unités", 7),
            col("taux", "taux (€ par unité)", 8),
            col("lissage", "lissage (€)", 9),
            col("nouvelles", "places nouvelles (€)", 9),
            col("bonus", "bonus total (€)", 0),
            col("contribution_n1", "contribution N-1 (€)", 9),
            col("contribution_n", "contribution N (€)", 5),
            col("variation", "variation (€)", 2),
        ],
        lignes: Lignes::Structures(r),
    };
    let compactes = [
        "id",
        "nom",
        "volet",
        "motif",
        "bonus",
        "contribution_n",
        "variation",
    ];
    match colonnes {
        Colonnes::Liste(l) => {
            let choix: Vec<usize> = l
                .iter()
                .filter_map(|c| t.colonnes.iter().position(|x| x.cle == c))
                .collect();
            t.rendre(&choix, largeur, false, f)?
        }
        _ => t.rendre(&t.indices(tout, &compactes), largeur, !tout, f)?,
    };

    Ok(())
}

/// Totals per gestionnaire.
fn table_gestionnaires(r: &Resultat, largeur: usize, tout: bool, f: &mut Flux) -> R<()> {
    f.ecrire("\n\nTotaux par gestionnaire\n");
    let t = Tableau {
        colonnes: vec![
            col("gestionnaire", "gestionnaire", 0),
            col("eligibles", "éligibles / structures", 4),
            col("bonus_n1", "bonus N-1 (€)", 6),
            col("bonus", "bonus N (€)", 0),
            col("contribution_n1", "contribution N-1 (€)", 3),
            col("contribution_n", "contribution N (€)", 2),
            col("fp_n1", "financement public N-1 (€)", 6),
            col("fp_n", "financement public N (€)", 6),
            col("variation", "variation (€)", 1),
        ],
        lignes: Lignes::Memoire(
            r.gestionnaires
                .iter()
                .map(|(g, x)| ligne_totaux(g, x))
                .collect(),
        ),
    };
    let compactes = [
        "gestionnaire",
        "eligibles",
        "bonus",
        "contribution_n1",
        "contribution_n",
        "variation",
    ];
    t.rendre(&t.indices(tout, &compactes), largeur, !tout, f)?;

    Ok(())
}

/// Totals per collectivité.
fn table_collectivites(r: &Resultat, largeur: usize, tout: bool, f: &mut Flux) -> R<()> {
    f.ecrire("\n\nTotaux par collectivité\n");
    let mut t = Tableau {
        colonnes: vec![
            col("collectivite", "collectivité", 0),
            col("charge_n1", "charge N-1 (€)", 3),
            col("bonus", "bonus des structures N (€)", 0),
            col("verse_collectivite", "versé à la collectivité (€)", 2),
            col("non_redistribue", "non redistribué (€)", 5),
            col("verse_caf", "total Caf N (€)", 0),
            col("contribution_n1", "contribution N-1 (€)", 5),
            col("contribution_n", "contribution N (€)", 4),
        ],
        lignes: Lignes::Memoire(Vec::new()),
    };
    let mut lignes = Vec::new();
    for (c, x) in &r.collectivites {
        lignes.push(vec![
            texte(&nom_collectivite(r, c)),
            montant(x.charge_n1),
            montant(x.structures.bonus_total),
            montant(x.verse_collectivite),
            montant(x.non_redistribue),
            montant(x.verse_caf),
            montant(x.structures.contribution_n1),
            montant(x.structures.contribution_n),
        ]);
    }
    t.lignes = Lignes::Memoire(lignes);
    let compactes = [
        "collectivite",
        "charge_n1",
        "bonus",
        "verse_collectivite",
        "verse_caf",
        "contribution_n",
    ];
    t.rendre(&t.indices(tout, &compactes), largeur, !tout, f)?;

    Ok(())
}

/// Reconciliation per collectivité and volet, with its total row.
fn table_rapprochement(r: &Resultat, largeur: usize, tout: bool, f: &mut Flux) -> R<()> {
    f.ecrire(&envelopper(
        "\n\nRapprochement par collectivité et volet (A + C = L + R + P)\n",
        largeur,
    ));
    let mut t = Tableau {
        colonnes: vec![
            col("collectivite", "collectivité", 1),
            col("volet", "volet", 0),
            col("charge_n1", "charge N-1 A (€)", 0),
            col("unites", "unités U", 3),
            col("lissage", "lissage versé L (€)", 0),
            col("nouvelles", "places nouvelles (€)", 2),
            col("complement", "complément plancher C (€)", 0),
            col("non_redistribue", "non redistribué R (€)", 0),
            col("verse_collectivite", "versé collectivité P (€)", 0),
        ],
        lignes: Lignes::Memoire(Vec::new()),
    };
    let mut lignes = Vec::new();
    for g in &r.groupes {
        lignes.push(vec![
            texte(&nom_collectivite(r, &g.collectivite)),
            texte(&g.volet),
            montant(g.charge_n1),
            nombre(groupe_fr(&g.unites.to_string())),
            montant(g.lissage_verse),
            montant(g.nouvelles_versees),
            montant(g.complement_plancher),
            montant(g.non_redistribue),
            montant(g.verse_collectivite),
        ]);
    }
    let tt = &r.total;
    let une = r.collectivites.len() <= 1;
    lignes.push(vec![
        Valeur::Texte("TOTAL".into()),
        Valeur::Texte(if une { "TOTAL" } else { "(tous)" }.into()),
        montant(tt.charge_n1),
        // units of different volets are not added together
        nombre(String::new()),
        montant(tt.lissage_verse),
        montant(tt.nouvelles_versees),
        montant(tt.complement_plancher),
        montant(tt.non_redistribue),
        montant(tt.verse_collectivite),
    ]);
    t.lignes = Lignes::Memoire(lignes);
    // one collectivité: its column says nothing; all of C zero: the identity is A = L + R + P
    let sans_c = tt.complement_plancher.0 == 0;
    let mut compactes = vec!["volet", "charge_n1", "lissage", "non_redistribue"];
    compactes.push("verse_collectivite");
    if !une {
        compactes.insert(0, "collectivite");
    }
    if !sans_c {
        compactes.push("complement");
    }
    t.rendre(&t.indices(tout, &compactes), largeur, !tout, f)?;
    if !tout && sans_c {
        f.ecrire("\n(complément plancher C nul partout : A = L + R + P)");
    }
    Ok(())
}

/// What the Caf pays in all, and the contributions, N-1 and N.
fn total_general(r: &Resultat, largeur: usize, tout: bool, f: &mut Flux) {
    let tt = &r.total;
    f.ecrire("\n\n");
    f.ecrire(&envelopper(
        &format!(
            "Total général versé par la Caf en {} : {} ({})\n\
         Contributions des collectivités aux structures : {} en N-1 → {} en {}\n",
            r.exercice,
            super::montant_fr(tt.verse_caf),
            super::detail_verse_caf(tt, super::montant_fr),
            super::montant_fr(tt.structures.contribution_n1),
            super::montant_fr(tt.structures.contribution_n),
            r.exercice,
        ),
        largeur,
    ));
    if !tout {
        f.ecrire(&envelopper(
            "(colonnes choisies pour la largeur ; toutes avec --colonnes toutes)\n",
            largeur,
        ));
    }
}

#[cfg(test)]
mod tests;
