//! `bonus-ctg expliquer … --format xlsx --sortie FICHIER`: the calculation's explanation tree
//! as one sheet, one row per node, its depth shown by the indentation of the « Grandeur »
//! cell; columns Règle, Grandeur, Formule, Valeur, Paramètres et sources. Values are numbers
//! (amounts with a euro format, exact shares with up to six decimals); they become `f64` only
//! here, at write time, as in [`crate::rapport::xlsx`].

use super::rendu::{self, Entete, Ligne};
use super::source;
use crate::calcul::explication::{Explication, Valeur};
use crate::calcul::rationnel::Rationnel;
use crate::calcul::Resultat;
use crate::modele::Dossier;
use crate::rapport::texte_sur;
pub use crate::rapport::xlsx::ErreurXlsx;
use crate::rapport::xlsx::{echelle_f64, euros_f64, lignes_pliees, X};
use rust_xlsxwriter::{
    Color, DocProperties, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
};

/// Column headers, in French.
pub const COLONNES: [&str; 5] = [
    "Règle",
    "Grandeur",
    "Formule",
    "Valeur",
    "Paramètres et sources",
];

/// Column widths, in characters.
const LARGEURS: [usize; 5] = [8, 60, 60, 20, 90];

/// Height in points of a line of 11-point text.
const HAUTEUR_LIGNE: f64 = 15.0;

/// Amounts in euros, 2 decimals.
const FORMAT_MONTANT: &str = "#,##0.00\\ \"€\";[Red]\\-#,##0.00\\ \"€\"";
/// Exact shares and rates: 2 to 6 decimals.
const FORMAT_EXACT: &str = "#,##0.00####\\ \"€\";[Red]\\-#,##0.00####\\ \"€\"";
const FORMAT_UNITES: &str = "#,##0.00";
const FORMAT_POURCENT: &str = "0.00%";

struct Formats {
    entete: Format,
    titre: Format,
    texte: Format,
    long: Format,
    montant: Format,
    exact: Format,
    unites: Format,
    entier: Format,
    pourcent: Format,
    general: Format,
}

impl Formats {
    fn new() -> Self {
        let haut = Format::new().set_align(FormatAlign::Top);
        Formats {
            entete: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDCE6F1))
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::VerticalCenter),
            titre: Format::new().set_bold().set_font_size(13),
            texte: haut.clone(),
            long: haut.clone().set_text_wrap(),
            montant: haut.clone().set_num_format(FORMAT_MONTANT),
            exact: haut.clone().set_num_format(FORMAT_EXACT),
            unites: haut.clone().set_num_format(FORMAT_UNITES),
            entier: haut.clone().set_num_format("0"),
            pourcent: haut.clone().set_num_format(FORMAT_POURCENT),
            general: haut,
        }
    }
}

/// The workbook of structure `id` (`None`: no such structure).
pub fn classeur(d: &Dossier, r: &Resultat, id: &str) -> X<Option<Vec<u8>>> {
    let Some((en, e)) = super::explication(d, r, id)? else {
        return Ok(None);
    };
    rendre(&en, &[], &e).map(Some)
}

/// The workbook: the structure's header, `avant` (the projection's situation lines), then
/// one row per node.
pub fn rendre(en: &Entete, avant: &[String], e: &Explication) -> X<Vec<u8>> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "Explication — {} — exercice {}",
                en.id, en.exercice
            ))
            .set_subject("Bonus territoire CTG : explication des chiffres d'une structure")
            .set_author("bonus-ctg"),
    );
    let mut ws = Worksheet::new();
    ws.set_name("Explication")?;
    let mut ligne: u32 = 0;
    ws.write_string_with_format(ligne, 0, texte_sur(&en.titre()), &f.titre)?;
    for t in [en.description.clone(), en.cadre()]
        .iter()
        .chain(avant.iter())
    {
        ligne += 1;
        ws.write_string_with_format(ligne, 0, texte_sur(t), &f.texte)?;
    }
    ligne += 2;
    let entetes = ligne;
    for (c, t) in COLONNES.iter().enumerate() {
        ws.write_string_with_format(ligne, c as u16, *t, &f.entete)?;
    }
    ws.set_freeze_panes(ligne + 1, 0)?;
    for (i, lignes) in rendu::figures(e)?.iter().enumerate() {
        for l in lignes {
            ligne += 1;
            rangee(&mut ws, ligne, i + 1, l, &f)?;
        }
    }
    for (c, w) in LARGEURS.into_iter().enumerate() {
        ws.set_column_width(c as u16, w as f64)?;
    }
    // printed: A4 landscape, one page wide, the headers on every page
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(entetes, entetes)?;
    wb.push_worksheet(ws);
    Ok(wb.save_to_buffer()?)
}

/// One node's row; `numero` numbers the figure on its first row.
fn rangee(ws: &mut Worksheet, ligne: u32, numero: usize, l: &Ligne, f: &Formats) -> X<()> {
    let n = l.noeud;
    ws.write_string_with_format(ligne, 0, n.regle, &f.texte)?;
    let grandeur = match l.symbole {
        Some(id) => format!("{id} — {}", n.libelle),
        None => match &n.valeur {
            Valeur::Booleen(b) => format!("[{}] {}", if *b { "ok" } else { "non" }, n.libelle),
            _ => n.libelle.clone(),
        },
    };
    let grandeur = if l.profondeur == 0 {
        format!("{numero}. {}", rendu::majuscule(&grandeur))
    } else {
        grandeur
    };
    let retrait = Format::new()
        .set_align(FormatAlign::Left)
        .set_align(FormatAlign::Top)
        .set_text_wrap()
        .set_indent(l.profondeur.min(15) as u8);
    let retrait = if l.profondeur == 0 {
        retrait.set_bold()
    } else {
        retrait
    };
    ws.write_string_with_format(ligne, 1, texte_sur(&grandeur), &retrait)?;
    // a wrapped cell makes its row as tall as its lines (an indent level is 3 characters)
    let mut lignes = lignes_pliees(
        &grandeur,
        LARGEURS[1].saturating_sub(3 * l.profondeur).max(10),
    );
    if let Some(formule) = &n.formule {
        let t = match &l.avec_valeurs {
            Some(v) => format!("{formule} = {v}"),
            None => formule.clone(),
        };
        lignes = lignes.max(lignes_pliees(&t, LARGEURS[2]));
        ws.write_string_with_format(ligne, 2, texte_sur(&t), &f.long)?;
    }
    valeur(ws, ligne, &n.valeur, f)?;
    let parametres: Vec<String> = l
        .parametres
        .iter()
        .map(|p| format!("{} {}", p.texte(), source(&p.lu.source)))
        .collect();
    if !parametres.is_empty() {
        let t = parametres.join("\n");
        lignes = lignes.max(lignes_pliees(&t, LARGEURS[4]));
        ws.write_string_with_format(ligne, 4, texte_sur(&t), &f.long)?;
    }
    if lignes > 1 {
        ws.set_row_height(ligne, HAUTEUR_LIGNE * lignes as f64 + 2.0)?;
    }
    Ok(())
}

/// A value as a number with its format (a text for a yes/no or a code).
fn valeur(ws: &mut Worksheet, ligne: u32, v: &Valeur, f: &Formats) -> X<()> {
    let c = 3;
    match v {
        Valeur::Montant(m) => {
            ws.write_number_with_format(ligne, c, euros_f64(*m)?, &f.montant)?;
        }
        Valeur::Exact(r) => {
            ws.write_number_with_format(ligne, c, decimales(r, 6)?, &f.exact)?;
        }
        Valeur::Unites(u) => {
            ws.write_number_with_format(ligne, c, echelle_f64(u.0 as i128, 2)?, &f.unites)?;
        }
        Valeur::UnitesMois(u) => {
            ws.write_number_with_format(ligne, c, echelle_f64(u.0 as i128, 2)?, &f.unites)?;
        }
        Valeur::UnitesExactes(r) => {
            ws.write_number_with_format(ligne, c, decimales(r, 4)?, &f.unites)?;
        }
        Valeur::Entier(i) => {
            ws.write_number_with_format(ligne, c, echelle_f64(*i as i128, 0)?, &f.entier)?;
        }
        Valeur::Decimal(d) => {
            let r = crate::calcul::decimal_en_rationnel(*d)?;
            let v = r.mul(Rationnel::entier(1_000_000))?.arrondi_demi_haut();
            ws.write_number_with_format(ligne, c, echelle_f64(v, 6)?, &f.pourcent)?;
        }
        Valeur::Rapport(r) => {
            let v = r.mul(Rationnel::entier(1_000_000))?.arrondi_demi_haut();
            ws.write_number_with_format(ligne, c, echelle_f64(v, 6)?, &f.general)?;
        }
        Valeur::Booleen(b) => {
            ws.write_string_with_format(ligne, c, if *b { "oui" } else { "non" }, &f.texte)?;
        }
        Valeur::Texte(t) => {
            ws.write_string_with_format(ligne, c, texte_sur(t), &f.texte)?;
        }
    }
    Ok(())
}

/// Hundredths (cents, or hundredths of a unit) as a number with `echelle` decimals of the
/// unit (half away from zero).
fn decimales(r: &Rationnel, echelle: u32) -> X<f64> {
    let v = r
        .mul(Rationnel::entier(10i128.pow(echelle - 2)))?
        .arrondi_demi_haut();
    echelle_f64(v, echelle)
}
