//! XLSX workbook (rust_xlsxwriter) for finance staff: sheets `Structures`, `Gestionnaires`,
//! `Collectivites`, `Rapprochement`, `Bareme`, `Hypotheses`.
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
    pub(crate) total_unites: Format,
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
        let calcule = Format::new()
            .set_italic()
            .set_background_color(Color::RGB(0xF6F6F6));
        Formats {
            entete: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDCE6F1))
                .set_border_bottom(FormatBorder::Thin)
                .set_align(FormatAlign::Center),
            texte: Format::new(),
            texte_long: Format::new().set_text_wrap().set_align(FormatAlign::Top),
            montant: Format::new().set_num_format(FORMAT_MONTANT),
            montant4: Format::new().set_num_format(FORMAT_MONTANT4),
            unites: Format::new().set_num_format(FORMAT_UNITES),
            entier: Format::new().set_num_format("0"),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            total_texte: total.clone(),
            total_montant: total.clone().set_num_format(FORMAT_MONTANT),
            total_unites: total.clone().set_num_format(FORMAT_UNITES),
            total_entier: total.set_num_format("0"),
            calcule_texte: calcule.clone(),
            calcule_montant: calcule.set_num_format(FORMAT_MONTANT),
        }
    }
}

/// A worksheet being filled, tracking the widest displayed text of each column.
pub(crate) struct Feuille {
    pub(crate) ws: Worksheet,
    nom: String,
    pub(crate) largeurs: Vec<usize>,
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
            nom: nom.to_string(),
            largeurs: Vec::new(),
        })
    }
    pub(crate) fn mesurer(&mut self, col: u16, n: usize) {
        let c = col as usize;
        if self.largeurs.len() <= c {
            self.largeurs.resize(c + 1, 0);
        }
        self.largeurs[c] = self.largeurs[c].max(n);
    }
    pub(crate) fn entetes(&mut self, noms: &[&str], f: &Formats) -> X<()> {
        for (i, n) in noms.iter().enumerate() {
            let c = i as u16;
            self.ws.write_string_with_format(0, c, *n, &f.entete)?;
            // room for the filter button
            self.mesurer(c, longueur(n) + 3);
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
        self.ws.write_string_with_format(l, c, &s, fmt)?;
        Ok(())
    }
    pub(crate) fn montant(&mut self, l: u32, c: u16, m: Montant, fmt: &Format) -> X<()> {
        self.mesurer(c, longueur(&montant_fr(m)));
        self.ws.write_number_with_format(l, c, euros_f64(m)?, fmt)?;
        Ok(())
    }
    pub(crate) fn montant4(&mut self, l: u32, c: u16, r: &Rationnel, fmt: &Format) -> X<()> {
        self.mesurer(c, longueur(&groupe_fr(&euros(r, 4)?)) + 2);
        self.ws
            .write_number_with_format(l, c, euros4_f64(r)?, fmt)?;
        Ok(())
    }
    pub(crate) fn unites(&mut self, l: u32, c: u16, u: Unites, fmt: &Format) -> X<()> {
        self.mesurer(c, longueur(&groupe_fr(&u.to_string())));
        self.ws
            .write_number_with_format(l, c, unites_f64(u)?, fmt)?;
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
    /// Column widths fitted to the widest text (capped), header frozen, filters on the data.
    pub(crate) fn finir(
        mut self,
        derniere_ligne: u32,
        colonnes: u16,
        figer_colonnes: u16,
    ) -> X<Worksheet> {
        for (c, n) in self.largeurs.iter().enumerate() {
            let w = (*n as f64 + 2.0).clamp(8.0, 70.0);
            self.ws.set_column_width(c as u16, w)?;
        }
        self.ws.set_freeze_panes(1, figer_colonnes)?;
        if colonnes > 0 && derniere_ligne > 0 {
            self.ws.autofilter(0, 0, derniere_ligne, colonnes - 1)?;
        }
        self.ws.set_landscape();
        self.ws.set_paper_size(9); // A4
        self.ws.set_print_fit_to_pages(1, 0);
        self.ws.set_repeat_rows(0, 0)?;
        self.ws
            .set_header(format!("&L{}&R&P / &N", self.nom.replace('&', "&&")));
        Ok(self.ws)
    }
}

use super::tables::{
    montants_collectivite, montants_totaux, COLONNES_COLLECTIVITES, COLONNES_GESTIONNAIRES,
};

fn feuille_structures(r: &Resultat, f: &Formats) -> X<Worksheet> {
    let mut fe = Feuille::new("Structures")?;
    let mut noms: Vec<&str> = super::csv::COLONNES.to_vec();
    noms.push("motif_libelle");
    fe.entetes(&noms, f)?;
    let mut l = 0u32;
    for x in &r.structures {
        l += 1;
        let s = &x.structure;
        fe.texte(l, 0, &s.id, &f.texte)?;
        fe.texte(l, 1, &s.nom, &f.texte)?;
        fe.texte(l, 2, s.type_structure.code(), &f.texte)?;
        fe.texte(l, 3, x.eligibilite.volet().unwrap_or(""), &f.texte)?;
        fe.texte(l, 4, &s.gestionnaire, &f.texte)?;
        fe.texte(l, 5, &s.collectivite, &f.texte)?;
        fe.texte(l, 6, x.motif().code(), &f.texte)?;
        fe.unites(l, 7, x.unites_eligibles, &f.unites)?;
        fe.montant4(
            l,
            8,
            &x.taux_unitaire.map_or(Rationnel::ZERO, |t| t.0),
            &f.montant4,
        )?;
        fe.montant(l, 9, x.bonus_lissage, &f.montant)?;
        fe.montant(l, 10, x.bonus_nouvelles, &f.montant)?;
        fe.montant(l, 11, x.bonus_total, &f.montant)?;
        fe.montant4(l, 12, &x.ecart_arrondi, &f.montant4)?;
        fe.montant(l, 13, x.contribution_n1, &f.montant)?;
        fe.montant(l, 14, x.contribution_n, &f.montant)?;
        fe.montant(l, 15, x.financement_public_n1, &f.montant)?;
        fe.montant(l, 16, x.financement_public_n, &f.montant)?;
        fe.montant(l, 17, x.variation, &f.montant)?;
        fe.montant(l, 18, x.bonus_trajectoire, &f.montant)?;
        fe.montant(l, 19, x.bonus_ctre, &f.montant)?;
        fe.texte(l, 20, x.motif().libelle(), &f.texte)?;
    }
    fe.finir(l, noms.len() as u16, 1)
}

fn feuille_gestionnaires(r: &Resultat, f: &Formats) -> X<Worksheet> {
    let mut fe = Feuille::new("Gestionnaires")?;
    fe.entetes(COLONNES_GESTIONNAIRES, f)?;
    let mut l = 0u32;
    for (g, t) in &r.gestionnaires {
        l += 1;
        fe.texte(l, 0, g, &f.texte)?;
        fe.entier(l, 1, t.structures, &f.entier)?;
        fe.entier(l, 2, t.structures_eligibles, &f.entier)?;
        for (i, m) in montants_totaux(t).into_iter().enumerate() {
            fe.montant(l, 3 + i as u16, m, &f.montant)?;
        }
    }
    let derniere = l;
    ligne_totaux(&mut fe, derniere, &r.total.structures, f)?;
    fe.finir(derniere, COLONNES_GESTIONNAIRES.len() as u16, 1)
}

/// Two lines under a table of [`Totaux`]: the `SUM()` formulas, then the values computed by
/// bonus-ctg (they must agree).
fn ligne_totaux(fe: &mut Feuille, derniere: u32, t: &Totaux, f: &Formats) -> X<()> {
    let lf = derniere + 1;
    let lc = derniere + 2;
    fe.texte(lf, 0, "TOTAL (formule SOMME)", &f.total_texte)?;
    fe.somme(
        lf,
        1,
        1,
        derniere,
        &t.structures.to_string(),
        &f.total_entier,
    )?;
    fe.somme(
        lf,
        2,
        1,
        derniere,
        &t.structures_eligibles.to_string(),
        &f.total_entier,
    )?;
    fe.texte(lc, 0, "TOTAL calculé par bonus-ctg", &f.calcule_texte)?;
    fe.entier(lc, 1, t.structures, &f.entier)?;
    fe.entier(lc, 2, t.structures_eligibles, &f.entier)?;
    for (i, m) in montants_totaux(t).into_iter().enumerate() {
        let c = 3 + i as u16;
        fe.somme(lf, c, 1, derniere, &m.to_string(), &f.total_montant)?;
        fe.montant(lc, c, m, &f.calcule_montant)?;
    }
    Ok(())
}

fn feuille_collectivites(r: &Resultat, f: &Formats) -> X<Worksheet> {
    let mut fe = Feuille::new("Collectivites")?;
    fe.entetes(COLONNES_COLLECTIVITES, f)?;
    let montants = montants_collectivite;
    let mut l = 0u32;
    for (id, c) in &r.collectivites {
        l += 1;
        fe.texte(l, 0, id, &f.texte)?;
        let nom = r
            .convention
            .collectivite(id)
            .map_or(String::new(), |c| c.nom.clone());
        fe.texte(l, 1, &nom, &f.texte)?;
        for (i, m) in montants(c).into_iter().enumerate() {
            fe.montant(l, 2 + i as u16, m, &f.montant)?;
        }
        fe.entier(l, 12, c.structures.structures, &f.entier)?;
        fe.entier(l, 13, c.structures.structures_eligibles, &f.entier)?;
    }
    let derniere = l;
    let t = &r.total;
    let tot = crate::calcul::TotauxCollectivite {
        structures: t.structures.clone(),
        charge_n1: t.charge_n1,
        verse_collectivite: t.verse_collectivite,
        non_redistribue: t.non_redistribue,
        verse_caf: t.verse_caf,
    };
    let (lf, lc) = (derniere + 1, derniere + 2);
    fe.texte(lf, 0, "TOTAL (formule SOMME)", &f.total_texte)?;
    fe.texte(lf, 1, "", &f.total_texte)?;
    fe.texte(lc, 0, "TOTAL calculé par bonus-ctg", &f.calcule_texte)?;
    fe.texte(lc, 1, "", &f.calcule_texte)?;
    for (i, m) in montants(&tot).into_iter().enumerate() {
        let c = 2 + i as u16;
        fe.somme(lf, c, 1, derniere, &m.to_string(), &f.total_montant)?;
        fe.montant(lc, c, m, &f.calcule_montant)?;
    }
    for (c, n) in [
        (12u16, t.structures.structures),
        (13, t.structures.structures_eligibles),
    ] {
        fe.somme(lf, c, 1, derniere, &n.to_string(), &f.total_entier)?;
        fe.entier(lc, c, n, &f.entier)?;
    }
    fe.finir(derniere, COLONNES_COLLECTIVITES.len() as u16, 1)
}

/// Reconciliation columns; `controle` = A + C − L − R − P, a formula that must show 0.
pub const COLONNES_RAPPROCHEMENT: &[&str] = &[
    "collectivite",
    "volet",
    "charge_n1 (A)",
    "unites (U)",
    "lissage_verse (L)",
    "nouvelles_versees (N)",
    "complement_plancher (C)",
    "non_redistribue (R)",
    "verse_collectivite (P)",
    "verse_caf (L+N+T+P)",
    "controle A+C-L-R-P",
    "trajectoire_versee (T)",
];

fn feuille_rapprochement(r: &Resultat, f: &Formats) -> X<Worksheet> {
    let mut fe = Feuille::new("Rapprochement")?;
    fe.entetes(COLONNES_RAPPROCHEMENT, f)?;
    let mut l = 0u32;
    for g in &r.groupes {
        l += 1;
        fe.texte(l, 0, &g.collectivite, &f.texte)?;
        fe.texte(l, 1, &g.volet, &f.texte)?;
        fe.montant(l, 2, g.charge_n1, &f.montant)?;
        fe.unites(l, 3, g.unites, &f.unites)?;
        fe.montant(l, 4, g.lissage_verse, &f.montant)?;
        fe.montant(l, 5, g.nouvelles_versees, &f.montant)?;
        fe.montant(l, 6, g.complement_plancher, &f.montant)?;
        fe.montant(l, 7, g.non_redistribue, &f.montant)?;
        fe.montant(l, 8, g.verse_collectivite, &f.montant)?;
        fe.montant(l, 9, g.verse_caf(), &f.montant)?;
        let n = l + 1;
        let controle = g.charge_n1.0 as i128 + g.complement_plancher.0 as i128
            - g.lissage_verse.0 as i128
            - g.non_redistribue.0 as i128
            - g.verse_collectivite.0 as i128;
        fe.formule(
            l,
            10,
            format!("=ROUND(C{n}+G{n}-E{n}-H{n}-I{n},2)"),
            &crate::calcul::rationnel::format_echelle(controle, 2),
            &f.montant,
        )?;
        fe.mesurer(10, 12);
        fe.montant(l, 11, g.trajectoire_versee, &f.montant)?;
    }
    let derniere = l;
    let t = &r.total;
    let (lf, lc, le) = (derniere + 1, derniere + 2, derniere + 3);
    fe.texte(lf, 0, "TOTAL (formule SOMME)", &f.total_texte)?;
    fe.texte(lf, 1, "", &f.total_texte)?;
    fe.texte(lc, 0, "TOTAL calculé par bonus-ctg", &f.calcule_texte)?;
    fe.texte(lc, 1, "", &f.calcule_texte)?;
    fe.texte(le, 0, "Écart (formule − calculé)", &f.texte)?;
    let unites_total = Unites(r.groupes.iter().map(|g| g.unites.0).sum());
    fe.somme(
        lf,
        3,
        1,
        derniere,
        &unites_total.to_string(),
        &f.total_unites,
    )?;
    let colonnes: [(u16, Montant); 9] = [
        (2, t.charge_n1),
        (4, t.lissage_verse),
        (5, t.nouvelles_versees),
        (6, t.complement_plancher),
        (7, t.non_redistribue),
        (8, t.verse_collectivite),
        (9, t.verse_caf),
        (10, Montant(0)),
        (11, t.trajectoire_versee),
    ];
    for (c, m) in colonnes {
        fe.somme(lf, c, 1, derniere, &m.to_string(), &f.total_montant)?;
        fe.montant(lc, c, m, &f.calcule_montant)?;
        let col = column_number_to_name(c);
        fe.formule(
            le,
            c,
            format!("=ROUND({col}{}-{col}{},2)", lf + 1, lc + 1),
            "0.00",
            &f.montant,
        )?;
    }
    // cross-check with the Structures sheet: Σ bonus_total + Σ bonus_ctre of the structures
    // + P = Caf total
    let n = r.structures.len() as u32;
    let lx = le + 2;
    let st = quote_sheet_name("Structures");
    fe.texte(
        lx,
        0,
        "Bonus et CTRE versés aux structures (SOMME de la feuille Structures)",
        &f.texte,
    )?;
    fe.formule(
        lx,
        9,
        format!("=SUM({st}!L2:L{})+SUM({st}!T2:T{})", n + 1, n + 1),
        &Montant(t.structures.bonus_total.0 + t.structures.bonus_ctre.0).to_string(),
        &f.montant,
    )?;
    fe.texte(
        lx + 1,
        0,
        "Total versé par la Caf = bonus aux structures + versé aux collectivités",
        &f.total_texte,
    )?;
    fe.formule(
        lx + 1,
        9,
        format!("=J{}+I{}", lx + 1, lf + 1),
        &t.verse_caf.to_string(),
        &f.total_montant,
    )?;
    fe.texte(
        lx + 2,
        0,
        "Total versé par la Caf, calculé par bonus-ctg",
        &f.calcule_texte,
    )?;
    fe.montant(lx + 2, 9, t.verse_caf, &f.calcule_montant)?;
    // the long labels of the last lines sit in column A without widening it
    fe.largeurs[0] = fe.largeurs[0].min(30);
    fe.finir(derniere, COLONNES_RAPPROCHEMENT.len() as u16, 2)
}

/// `Bareme` sheet: every parameter read for each exercice given; when an exercice is named
/// (a projection), a first column `exercice`.
pub(crate) fn feuille_bareme(
    exercices: &[(Option<i32>, &BaremeExercice)],
    f: &Formats,
) -> X<Worksheet> {
    let mut fe = Feuille::new("Bareme")?;
    let avec_exercice = exercices.iter().any(|(e, _)| e.is_some());
    let d = u16::from(avec_exercice);
    let mut noms = Vec::new();
    if avec_exercice {
        noms.push("exercice");
    }
    noms.extend([
        "parametre",
        "valeur",
        "en_vigueur_depuis",
        "statut",
        "reference",
        "fichier",
    ]);
    fe.entetes(&noms, f)?;
    let mut l = 0u32;
    for (exercice, be) in exercices {
        for b in lignes_bareme(be) {
            l += 1;
            if let Some(e) = exercice {
                fe.nombre(l, 0, *e, &f.entier)?;
            }
            fe.texte(l, d, &b.parametre, &f.texte)?;
            fe.texte(l, d + 1, &b.valeur, &f.texte)?;
            match b.debut {
                Some(x) => {
                    let dt = u16::try_from(x.annee)
                        .ok()
                        .and_then(|a| ExcelDateTime::from_ymd(a, x.mois, x.jour).ok());
                    match dt {
                        Some(dt) => {
                            fe.ws.write_datetime_with_format(l, d + 2, &dt, &f.date)?;
                            fe.mesurer(d + 2, 10);
                        }
                        None => fe.texte(l, d + 2, &x.to_string(), &f.texte)?,
                    }
                }
                None => fe.texte(l, d + 2, "", &f.texte)?,
            }
            fe.texte(
                l,
                d + 3,
                &b.statut.map_or("défaut".to_string(), |s| s.to_string()),
                &f.texte,
            )?;
            fe.texte(l, d + 4, &b.reference, &f.texte)?;
            fe.texte(l, d + 5, &b.fichier, &f.texte)?;
        }
    }
    fe.finir(l, noms.len() as u16, 1 + d)
}

/// `Hypotheses` sheet: the modelling choices applied.
pub(crate) fn feuille_hypotheses(hs: &[Hypothese], f: &Formats) -> X<Worksheet> {
    let mut fe = Feuille::new("Hypotheses")?;
    fe.entetes(&["code", "choix", "detail", "source"], f)?;
    let mut l = 0u32;
    for h in hs {
        l += 1;
        fe.texte(l, 0, &h.code, &f.texte_long)?;
        fe.texte(l, 1, &h.titre, &f.texte_long)?;
        fe.texte(l, 2, &h.detail, &f.texte_long)?;
        fe.texte(l, 3, &h.source, &f.texte_long)?;
    }
    // long texts wrap: fixed widths
    fe.largeurs = vec![24, 50, 98, 40];
    fe.finir(l, 4, 1)
}

/// The workbook, as bytes (to be written atomically by the caller).
pub fn rendre(r: &Resultat) -> X<Vec<u8>> {
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
    wb.push_worksheet(feuille_structures(r, &f)?);
    wb.push_worksheet(feuille_gestionnaires(r, &f)?);
    wb.push_worksheet(feuille_collectivites(r, &f)?);
    wb.push_worksheet(feuille_rapprochement(r, &f)?);
    wb.push_worksheet(feuille_bareme(&[(None, &r.bareme)], &f)?);
    wb.push_worksheet(feuille_hypotheses(&hypotheses(&r.bareme), &f)?);
    Ok(wb.save_to_buffer()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversion_au_centime() {
        // every cent of 0..=1 000 000,00 € in steps reads back to the same cent
        for c in (0..=100_000_000i64)
            .step_by(9_973)
            .chain([1, 5, 10, 99, 105, 1_000_005])
        {
            let v = euros_f64(Montant(c)).unwrap();
            assert_eq!((v * 100.0).round() as i64, c, "{c}");
            assert_eq!(
                format!("{v}"),
                Montant(c)
                    .to_string()
                    .trim_end_matches('0')
                    .trim_end_matches('.')
            );
        }
        assert_eq!(euros_f64(Montant(-123)).unwrap(), -1.23);
        // beyond 2^53 cents: refused, never rounded silently
        assert!(euros_f64(Montant(i64::MAX)).is_err());
        // 1/3 cent → 0,0033 €
        assert_eq!(euros4_f64(&Rationnel::new(1, 3).unwrap()).unwrap(), 0.0033);
    }

    #[test]
    fn erreurs_en_francais() {
        let e: ErreurXlsx = XlsxError::MaxStringLengthExceeded.into();
        assert_eq!(
            e.0,
            "écriture du classeur XLSX impossible : texte de plus de 32\u{202f}767 caractères (limite d'une cellule Excel)"
        );
        let e: ErreurXlsx = XlsxError::IoError(std::io::Error::from_raw_os_error(28)).into();
        assert_eq!(
            e.0,
            "écriture du classeur XLSX impossible : plus de place sur le disque"
        );
        let e: ErreurXlsx = XlsxError::ParameterError("whatever".into()).into();
        assert_eq!(
            e.0,
            "écriture du classeur XLSX impossible : erreur interne de la bibliothèque d'écriture XLSX"
        );
        // a text too long for a cell: refused with its beginning and its length
        let mut fe = Feuille::new("Structures").unwrap();
        let f = Formats::new();
        let e = fe.texte(1, 1, &"A".repeat(40_000), &f.texte).unwrap_err();
        assert_eq!(e.0, "écriture du classeur XLSX impossible : cellule Structures!B2, le texte « AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA… » (40\u{202f}000 caractères) dépasse la limite d'une cellule Excel (32\u{202f}767 caractères) (conseil : raccourcissez-le, ou utilisez --format csv)");
        assert!(fe.texte(1, 1, &"A".repeat(32_767), &f.texte).is_ok());
    }
}
