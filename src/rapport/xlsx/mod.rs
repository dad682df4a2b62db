//! XLSX workbook (rust_xlsxwriter) for finance staff: sheets `Structures`, `Gestionnaires`,
//! `Collectivités`, `Rapprochement`, `Barème`, `Hypothèses`.
//!
//! Amounts are written as numbers with a euro format (`# ##0,00 €` in a French locale).
//! They stay exact (integer cents, exact rationals) everywhere else: this module is the only
//! place where an amount becomes an `f64`, at write time, through [`euros_f64`] — the
//! nearest double to the exact decimal, which reads back to the same cent.
//! Totals are live `SUM()` formulas (`SOMME()` in a French spreadsheet) written with their
//! computed value, next to the value computed by bonus-ctg, so that a reviewer sees they
//! agree.

use super::parametres::{hypotheses, lignes_bareme, Hypothese};
use super::{euros, groupe_fr, montant_fr, texte_sur};
use crate::bareme::BaremeExercice;
use crate::calcul::rationnel::Rationnel;
use crate::calcul::{Resultat, Totaux};
use crate::modele::{Montant, Unites};
use rust_xlsxwriter::{
    utility::{column_number_to_name, quote_sheet_name},
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, Workbook,
    Worksheet, XlsxError,
};
use std::fmt;

mod feuilles;
pub(crate) use feuilles::{feuille_bareme, feuille_hypotheses};
use feuilles::{
    feuille_collectivites, feuille_gestionnaires, feuille_rapprochement, feuille_structures,
    feuille_synthese,
};
pub use feuilles::{COLONNES_RAPPROCHEMENT, SEUIL_MEMOIRE_CONSTANTE};

/// Why the workbook could not be built (French message).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErreurXlsx(pub String);

impl fmt::Display for ErreurXlsx {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<XlsxError> for ErreurXlsx {
    fn from(e: XlsxError) -> Self {
        ErreurXlsx(format!(
            "écriture du classeur XLSX impossible : {}",
            texte_erreur_xlsx(&e)
        ))
    }
}

/// French text of a rust_xlsxwriter error (its own texts are English). The cases this
/// program can meet are named; the others (charts, images, tables… which it never writes)
/// get a general text.
pub fn texte_erreur_xlsx(e: &XlsxError) -> String {
    use XlsxError as E;
    match e {
        E::MaxStringLengthExceeded => format!(
            "texte de plus de {} caractères (limite d'une cellule Excel)",
            groupe_fr(&TEXTE_MAX.to_string())
        ),
        E::RowColumnLimitError => {
            "plus de lignes ou de colonnes qu'une feuille Excel n'en contient (1 048 576 lignes, 16 384 colonnes)".into()
        }
        E::SheetnameCannotBeBlank(_)
        | E::SheetnameLengthExceeded(_)
        | E::SheetnameReused(_)
        | E::SheetnameContainsInvalidCharacter(_)
        | E::SheetnameStartsOrEndsWithApostrophe(_) => "nom de feuille invalide".into(),
        E::IoError(x) | E::TempFileError(_, x) => crate::diagnostic::texte_io(x),
        E::ZipError(_) => "création de l'archive du classeur impossible".into(),
        E::DateTimeRangeError(_) | E::DateTimeParseError(_) => "date hors des limites d'Excel".into(),
        _ => "erreur interne de la bibliothèque d'écriture XLSX".into(),
    }
}

/// Characters of a cell's text, at most (Excel's limit).
pub const TEXTE_MAX: usize = 32_767;

impl From<crate::calcul::rationnel::ErreurCalcul> for ErreurXlsx {
    fn from(e: crate::calcul::rationnel::ErreurCalcul) -> Self {
        ErreurXlsx(e.to_string())
    }
}

pub(crate) type X<T> = Result<T, ErreurXlsx>;

/// Largest integer every `f64` represents exactly (2^53).
const ENTIER_EXACT_MAX: u64 = 1 << 53;

/// Scaled integer `v / 10^echelle` as the nearest `f64`: `v` and `10^echelle` are exact
/// doubles and IEEE division is correctly rounded, so the result is the double closest to
/// the decimal, which any reader rounds back to the same `echelle` decimals.
pub(crate) fn echelle_f64(v: i128, echelle: u32) -> X<f64> {
    if v.unsigned_abs() > ENTIER_EXACT_MAX as u128 {
        return Err(ErreurXlsx(format!(
            "montant trop grand pour un tableur ({} unités de 10^-{echelle})",
            v
        )));
    }
    let p = 10i64.pow(echelle) as f64;
    Ok(v as f64 / p)
}

/// An amount in euros, as written in the workbook (amounts reach `f64` only through
/// [`echelle_f64`]).
pub fn euros_f64(m: Montant) -> X<f64> {
    echelle_f64(m.0 as i128, 2)
}

fn unites_f64(u: Unites) -> X<f64> {
    echelle_f64(u.0 as i128, 2)
}

/// An exact cents rational shown in euros with 4 decimals (half away from zero), as a number.
fn euros4_f64(r: &Rationnel) -> X<f64> {
    let v = r.mul(Rationnel::entier(100))?.arrondi_demi_haut(); // cents → 1/10 000 €
    echelle_f64(v, 4)
}

pub(crate) struct Formats {
    pub(crate) entete: Format,
    pub(crate) texte: Format,
    pub(crate) texte_long: Format,
    pub(crate) montant: Format,
    pub(crate) montant4: Format,
    pub(crate) unites: Format,
    pub(crate) entier: Format,
    pub(crate) date: Format,
    pub(crate) total_texte: Format,
    pub(crate) total_montant: Format,
    pub(crate) total_entier: Format,
    pub(crate) calcule_texte: Format,
    pub(crate) calcule_montant: Format,
}

const FORMAT_MONTANT: &str = "#,##0.00\\ \"€\";[Red]\\-#,##0.00\\ \"€\"";
const FORMAT_MONTANT4: &str = "#,##0.0000\\ \"€\";[Red]\\-#,##0.0000\\ \"€\"";
const FORMAT_UNITES: &str = "#,##0.00";

impl Formats {
    pub(crate) fn new() -> Self {
        let total = Format::new()
            .set_bold()
            .set_border_top(FormatBorder::Thin)
            .set_background_color(Color::RGB(0xEEF3F8));
        let haut = Format::new().set_align(FormatAlign::Top);
        let calcule = Format::new()
            .set_italic()
            .set_background_color(Color::RGB(0xF6F6F6));
        Formats {
            entete: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDCE6F1))
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_text_wrap(),
            // every cell at the top of its row: a row made taller by a wrapped text reads
            // from its first line
            texte: Format::new().set_align(FormatAlign::Top),
            texte_long: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            montant: haut.clone().set_num_format(FORMAT_MONTANT),
            montant4: haut.clone().set_num_format(FORMAT_MONTANT4),
            unites: haut.clone().set_num_format(FORMAT_UNITES),
            entier: haut.clone().set_num_format("0"),
            date: haut.set_num_format("dd/mm/yyyy"),
            total_texte: total.clone(),
            total_montant: total.clone().set_num_format(FORMAT_MONTANT),
            total_entier: total.set_num_format("0"),
            calcule_texte: calcule.clone(),
            calcule_montant: calcule.set_num_format(FORMAT_MONTANT),
        }
    }
}

/// A worksheet being filled, tracking the widest displayed text of each column.
/// The layout measured beforehand for a « constant memory » sheet: the column widths. (The
/// data rows keep the default height there: a height set on each wrapped row would be kept
/// by the writer until the end, some 300 bytes a row.)
pub(crate) struct Constante {
    largeurs: Vec<f64>,
}

pub(crate) struct Feuille {
    pub(crate) ws: Worksheet,
    /// `false`: a measuring pass (widths and row heights only, no cell written).
    ecrire: bool,
    /// A worksheet in « constant memory » mode: each row is flushed to a temporary file
    /// when the next begins, so the column widths are known beforehand (from a measuring
    /// pass) and set before the rows are written.
    constante: Option<Constante>,
    nom: String,
    pub(crate) largeurs: Vec<usize>,
    /// The header texts (their row's height is fitted to the widths at the end).
    entetes: Vec<String>,
    /// Lines of the tallest wrapped cell of each row written with [`Feuille::texte_plie`].
    lignes: std::collections::BTreeMap<u32, usize>,
}

/// Lines a text takes when wrapped at word boundaries in `largeur` characters (a word
/// longer than the line takes as many lines as it needs).
pub(crate) fn lignes_pliees(texte: &str, largeur: usize) -> usize {
    let largeur = largeur.max(1);
    let mut total = 0;
    for para in texte.split('\n') {
        let mut lignes = 1;
        let mut courante = 0usize;
        for mot in para.split_whitespace() {
            let n = longueur(mot);
            if courante == 0 {
                courante = n;
            } else if courante + 1 + n <= largeur {
                courante += 1 + n;
            } else {
                lignes += 1;
                courante = n;
            }
            while courante > largeur {
                lignes += 1;
                courante -= largeur;
            }
        }
        total += lignes;
    }
    total.max(1)
}

/// Wrapped lines of a cell at most (a row then fits on a printed page).
const LIGNES_PAR_CELLULE: usize = 24;

/// A text cut at word boundaries into pieces of at most `max_lignes` wrapped lines.
pub(crate) fn morceaux(texte: &str, largeur: usize, max_lignes: usize) -> Vec<String> {
    let mut r = Vec::new();
    let mut courant = String::new();
    for mot in texte.split(' ') {
        let essai = if courant.is_empty() {
            mot.to_string()
        } else {
            format!("{courant} {mot}")
        };
        if !courant.is_empty() && lignes_pliees(&essai, largeur) > max_lignes {
            r.push(std::mem::take(&mut courant));
            courant = mot.to_string();
        } else {
            courant = essai;
        }
    }
    r.push(courant);
    r
}

/// Height in points of a line of 11-point text (with its leading).
const HAUTEUR_LIGNE: f64 = 15.0;

/// Printable width of an A4 landscape page with the margins set here (0,4 inch each side),
/// in points.
const LARGEUR_IMPRIMABLE_PT: f64 = (11.69 - 0.8) * 72.0;

/// Smallest print scale: 11-point text printed at 73 % is 8 points.
const ECHELLE_MIN: f64 = 8.0 / 11.0;

/// Print scale needed to fit columns of these widths (in characters) to one page wide.
pub(crate) fn echelle_pour(largeurs: &[f64]) -> f64 {
    // a column of w characters is w × 7 + 5 pixels (Calibri 11), a pixel 3/4 point
    let pt: f64 = largeurs.iter().map(|w| (w * 7.0 + 5.0) * 0.75).sum();
    if pt <= 0.0 {
        1.0
    } else {
        (LARGEUR_IMPRIMABLE_PT / pt).min(1.0)
    }
}

/// Footer of every sheet: the convention (which dossier) on the left, the page in the
/// middle, the generation date on the right (`&` doubled: a field code otherwise).
pub(crate) fn pied_de_page(ws: &mut Worksheet, dossier: &str, date: &str) {
    let dossier: String = dossier.chars().take(80).collect();
    ws.set_footer(format!(
        "&L{}&CPage &P sur &N&R{}",
        dossier.replace('&', "&&"),
        date.replace('&', "&&")
    ));
}

/// `produit le 30 novembre 2026 par bonus-ctg 0.x`: the right part of the footers.
pub(crate) fn mention_production() -> String {
    format!(
        "produit le {} par bonus-ctg {}",
        super::aujourd_hui().en_toutes_lettres(),
        env!("CARGO_PKG_VERSION")
    )
}

fn longueur(s: &str) -> usize {
    s.chars().count()
}

impl Feuille {
    pub(crate) fn new(nom: &str) -> X<Self> {
        let mut ws = Worksheet::new();
        ws.set_name(nom)?;
        Ok(Feuille {
            ws,
            ecrire: true,
            constante: None,
            nom: nom.to_string(),
            largeurs: Vec::new(),
            entetes: Vec::new(),
            lignes: std::collections::BTreeMap::new(),
        })
    }
    /// A measuring pass: the same calls as the real sheet, nothing written.
    pub(crate) fn mesure(nom: &str) -> X<Self> {
        let mut f = Feuille::new(nom)?;
        f.ecrire = false;
        Ok(f)
    }
    /// A sheet written row by row in « constant memory » mode into `ws` (a worksheet made
    /// by [`Workbook::new_worksheet_with_constant_memory`]): the column widths and the
    /// header's height are those of the measuring pass `mesure`, set before the rows are
    /// written; the cells are the same.
    pub(crate) fn constante(mut ws: Worksheet, nom: &str, mesure: &Feuille) -> X<Self> {
        ws.set_name(nom)?;
        let largeurs = mesure.largeurs_finales();
        for (c, w) in largeurs.iter().enumerate() {
            ws.set_column_width(c as u16, *w)?;
        }
        if !mesure.entetes.is_empty() {
            ws.set_row_height(0, mesure.hauteur_entetes(&largeurs))?;
        }
        Ok(Feuille {
            ws,
            ecrire: true,
            constante: Some(Constante { largeurs }),
            nom: nom.to_string(),
            largeurs: Vec::new(),
            entetes: Vec::new(),
            lignes: std::collections::BTreeMap::new(),
        })
    }
    /// Column widths fitted to the widest text (capped).
    fn largeurs_finales(&self) -> Vec<f64> {
        self.largeurs
            .iter()
            .map(|n| (*n as f64 + 2.0).clamp(8.0, 70.0))
            .collect()
    }
    /// The header row's height: its labels wrapped in the final widths.
    fn hauteur_entetes(&self, largeurs: &[f64]) -> f64 {
        let lignes = self
            .entetes
            .iter()
            .zip(largeurs)
            .map(|(e, w)| lignes_pliees(e, (*w as usize).saturating_sub(3)))
            .max()
            .unwrap_or(1);
        HAUTEUR_LIGNE * lignes as f64 + 2.0
    }
    pub(crate) fn mesurer(&mut self, col: u16, n: usize) {
        let c = col as usize;
        if self.largeurs.len() <= c {
            self.largeurs.resize(c + 1, 0);
        }
        self.largeurs[c] = self.largeurs[c].max(n);
    }
    /// The header row: the French label of each column (machine names stay in the CSV and
    /// JSON), wrapped on two lines rather than widening the column.
    pub(crate) fn entetes(&mut self, noms: &[&str], f: &Formats) -> X<()> {
        for (i, n) in noms.iter().enumerate() {
            let c = i as u16;
            let l = super::tables::libelle(n);
            if self.ecrire {
                self.ws.write_string_with_format(0, c, l, &f.entete)?;
            }
            self.entetes.push(l.to_string());
            // room for the filter button; the longest word, or half the label
            let mot = l.split_whitespace().map(longueur).max().unwrap_or(0);
            self.mesurer(c, mot.max(longueur(l).div_ceil(2)) + 3);
        }
        Ok(())
    }
    /// A user or program text, neutralised against formula injection.
    pub(crate) fn texte(&mut self, l: u32, c: u16, s: &str, fmt: &Format) -> X<()> {
        let s = texte_sur(s);
        if s.chars().nth(TEXTE_MAX).is_some() {
            // refused, never cut silently: the message names the text
            return Err(ErreurXlsx(format!(
                "écriture du classeur XLSX impossible : cellule {}!{}, le texte « {}… » ({} caractères) dépasse la limite d'une cellule Excel ({} caractères) (conseil : raccourcissez-le, ou utilisez --format csv)",
                self.nom,
                rust_xlsxwriter::utility::row_col_to_cell(l, c),
                crate::diagnostic::texte_affichable(&s.chars().take(40).collect::<String>()),
                groupe_fr(&s.chars().count().to_string()),
                groupe_fr(&TEXTE_MAX.to_string())
            )));
        }
        self.mesurer(c, longueur(&s));
        if self.ecrire {
            self.ws.write_string_with_format(l, c, &s, fmt)?;
        }
        Ok(())
    }
    /// A long text in a column at most `max` characters wide, wrapped at word boundaries
    /// (its row made as high as the lines it takes): a long name does not widen the sheet
    /// beyond a printed page.
    pub(crate) fn texte_plie(&mut self, l: u32, c: u16, s: &str, max: usize, f: &Formats) -> X<()> {
        let n = longueur(s);
        if n <= max {
            return self.texte(l, c, s, &f.texte);
        }
        self.texte(l, c, s, &f.texte_long)?;
        // the column is `max` wide (the measure is capped below), a line holds about max − 2
        // characters of a proportional font
        let c = c as usize;
        if let Some(w) = self.largeurs.get_mut(c) {
            *w = (*w).min(
                max.max(
                    self.entetes
                        .get(c)
                        .map_or(0, |e| longueur(e).div_ceil(2) + 3),
                ),
            );
        }
        // the row's height: only on a sheet held in memory (see Constante)
        if self.ecrire && self.constante.is_none() {
            let lignes = lignes_pliees(s, max.saturating_sub(2));
            let e = self.lignes.entry(l).or_insert(1);
            *e = (*e).max(lignes);
        }
        Ok(())
    }
    pub(crate) fn montant(&mut self, l: u32, c: u16, m: Montant, fmt: &Format) -> X<()> {
        self.mesurer(c, longueur(&montant_fr(m)));
        let v = euros_f64(m)?;
        if self.ecrire {
            self.ws.write_number_with_format(l, c, v, fmt)?;
        }
        Ok(())
    }
    pub(crate) fn montant4(&mut self, l: u32, c: u16, r: &Rationnel, fmt: &Format) -> X<()> {
        self.mesurer(c, longueur(&groupe_fr(&euros(r, 4)?)) + 2);
        let v = euros4_f64(r)?;
        if self.ecrire {
            self.ws.write_number_with_format(l, c, v, fmt)?;
        }
        Ok(())
    }
    pub(crate) fn unites(&mut self, l: u32, c: u16, u: Unites, fmt: &Format) -> X<()> {
        self.mesurer(c, longueur(&groupe_fr(&u.to_string())));
        let v = unites_f64(u)?;
        if self.ecrire {
            self.ws.write_number_with_format(l, c, v, fmt)?;
        }
        Ok(())
    }
    pub(crate) fn entier(&mut self, l: u32, c: u16, n: usize, fmt: &Format) -> X<()> {
        let n = u32::try_from(n).map_err(|_| ErreurXlsx("nombre trop grand".into()))?;
        self.mesurer(c, n.to_string().len());
        self.ws.write_number_with_format(l, c, f64::from(n), fmt)?;
        Ok(())
    }
    /// A whole number shown without decimals (a year, a count that may be negative).
    pub(crate) fn nombre(&mut self, l: u32, c: u16, n: i32, fmt: &Format) -> X<()> {
        self.mesurer(c, n.to_string().len());
        self.ws.write_number_with_format(l, c, f64::from(n), fmt)?;
        Ok(())
    }
    /// `=SUM(col premiere:derniere)` with its computed value (what a reader shows without
    /// recalculating).
    pub(crate) fn somme(
        &mut self,
        l: u32,
        c: u16,
        premiere: u32,
        derniere: u32,
        valeur: &str,
        fmt: &Format,
    ) -> X<()> {
        let col = column_number_to_name(c);
        let f = if derniere < premiere {
            Formula::new("=0").set_result("0")
        } else {
            Formula::new(format!("=SUM({col}{}:{col}{})", premiere + 1, derniere + 1))
                .set_result(valeur)
        };
        self.ws.write_formula_with_format(l, c, f, fmt)?;
        Ok(())
    }
    pub(crate) fn formule(
        &mut self,
        l: u32,
        c: u16,
        f: String,
        valeur: &str,
        fmt: &Format,
    ) -> X<()> {
        self.ws
            .write_formula_with_format(l, c, Formula::new(f).set_result(valeur), fmt)?;
        Ok(())
    }
    /// Column widths fitted to the widest text (capped), header row as high as its wrapped
    /// labels, header frozen, filters on the data, print setup (see [`Feuille::imprimer`]).
    pub(crate) fn finir(
        mut self,
        derniere_ligne: u32,
        colonnes: u16,
        figer_colonnes: u16,
    ) -> X<Worksheet> {
        // « constant memory »: widths and heights were set before the rows (Feuille::constante)
        let largeurs = match self.constante.take() {
            Some(c) => c.largeurs,
            None => {
                let largeurs = self.largeurs_finales();
                for (c, w) in largeurs.iter().enumerate() {
                    self.ws.set_column_width(c as u16, *w)?;
                }
                if !self.entetes.is_empty() {
                    let h = self.hauteur_entetes(&largeurs);
                    self.ws.set_row_height(0, h)?;
                }
                for (l, n) in &self.lignes {
                    if *n > 1 {
                        self.ws
                            .set_row_height(*l, HAUTEUR_LIGNE * *n as f64 + 2.0)?;
                    }
                }
                largeurs
            }
        };
        self.ws.set_freeze_panes(1, figer_colonnes)?;
        if colonnes > 0 && derniere_ligne > 0 {
            self.ws.autofilter(0, 0, derniere_ligne, colonnes - 1)?;
        }
        self.imprimer(&largeurs, figer_colonnes)?;
        Ok(self.ws)
    }

    /// Print setup: A4 landscape, the header row repeated on every page, the sheet's name
    /// above; one page wide when that keeps the text at 8 points at least, otherwise at
    /// 73 % (8 points) over several pages wide, the first `repeter` columns repeated.
    pub(crate) fn imprimer(&mut self, largeurs: &[f64], repeter: u16) -> X<()> {
        self.ws.set_landscape();
        self.ws.set_paper_size(9); // A4
        self.ws.set_margins(0.4, 0.4, 0.6, 0.6, 0.3, 0.3);
        if echelle_pour(largeurs) >= ECHELLE_MIN {
            self.ws.set_print_fit_to_pages(1, 0);
        } else {
            self.ws.set_print_scale((ECHELLE_MIN * 100.0).ceil() as u16);
            if repeter > 0 {
                self.ws.set_repeat_columns(0, repeter - 1)?;
            }
        }
        if !self.entetes.is_empty() {
            self.ws.set_repeat_rows(0, 0)?;
        }
        self.ws
            .set_header(format!("&C{}", self.nom.replace('&', "&&")));
        Ok(())
    }
}

/// The workbook, as bytes (to be written atomically by the caller).
pub fn rendre(r: &Resultat) -> X<Vec<u8>> {
    rendre_avec_seuil(r, SEUIL_MEMOIRE_CONSTANTE)
}

/// [`rendre`], the Structures sheet in « constant memory » mode beyond `seuil` structures.
fn rendre_avec_seuil(r: &Resultat, seuil: usize) -> X<Vec<u8>> {
    let mut octets = Vec::new();
    ecrire_avec_seuil(r, seuil, &mut octets)?;
    Ok(octets)
}

/// The workbook written into `w` (a file: the archive is not held whole in memory).
pub fn ecrire(r: &Resultat, w: &mut (dyn std::io::Write + Send)) -> X<()> {
    ecrire_avec_seuil(r, SEUIL_MEMOIRE_CONSTANTE, w)
}

fn ecrire_avec_seuil(r: &Resultat, seuil: usize, w: &mut (dyn std::io::Write + Send)) -> X<()> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("{} — exercice {}", r.convention.nom, r.exercice))
            .set_subject("Bonus territoire CTG : répartition par structure")
            .set_author("bonus-ctg")
            .set_company(r.convention.caf.clone())
            .set_comment(format!(
                "Produit par bonus-ctg {} ; montants exacts au centime.",
                env!("CARGO_PKG_VERSION")
            )),
    );
    let date = mention_production();
    for mut ws in [
        feuille_synthese(r, &f)?,
        feuille_structures(r, &f, &mut wb, seuil)?,
        feuille_gestionnaires(r, &f)?,
        feuille_collectivites(r, &f)?,
        feuille_rapprochement(r, &f)?,
        feuille_bareme(&[(None, &r.bareme)], &f)?,
        feuille_hypotheses(&hypotheses(&r.bareme), &f)?,
    ] {
        pied_de_page(&mut ws, &r.convention.nom, &date);
        wb.push_worksheet(ws);
    }
    Ok(wb.save_to_writer(w)?)
}

#[cfg(test)]
mod tests;
