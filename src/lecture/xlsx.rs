//! Reading a sheet of an `.xlsx` workbook (calamine) into the same [`Tableau`] as a CSV
//! file, so that every check downstream is shared.
//!
//! This is the only place where a binary float (`f64`) may appear: calamine gives numbers
//! as `f64`, which are at once turned into their shortest decimal text (the text that reads
//! back as the same float, i.e. what the user typed: `1234.56`, `0.1`). That text then
//! goes through the same French-decimal parser as a CSV cell, which accepts only whole cents
//! (amounts) or hundredths (units): a cell holding `0.30000000000000004` (the result of
//! `=0,1+0,2`) is refused with its cell reference, never silently rounded.
//!
//! Hostile workbooks: before calamine sees the workbook, the declared decompressed size is
//! bounded relative to the file's size ([`budget_decompresse`]: at most 20 times the file,
//! at least 20 MB, at most 2 GB), and the count of shared strings the workbook announces
//! (which calamine reserves memory for) must fit in the part that holds them (E073). The
//! sheet is then streamed cell by cell (no dense grid, so a lone cell at `XFD1048576` costs
//! nothing), and the cells kept (their text, copied from shared strings that a hostile
//! file can reference a million times) stay within the same budget (E074). A panic of the
//! third-party parser is caught and reported as an unreadable workbook (E025).
//!
//! Formulas: a formula cell is read through the value the spreadsheet computed and saved
//! with it. A formula saved without its value (a workbook written by a program and never
//! opened in a spreadsheet), or whose saved value is a placeholder (the workbook asks to
//! recompute everything on opening, `fullCalcOnLoad`), is refused with its cell (E072).

use super::tableau::{
    colonne_de, groupe, normaliser_nom, reference_cellule, verifier_entete, Tableau,
};
use crate::diagnostic::Code;
use crate::diagnostic::{texte_io, Diagnostic, Diagnostics};
use calamine::{DataRef, Reader, Xlsx, XlsxError, XlsxFormulaMetadata};
use std::io::{Cursor, Read};

/// Declared decompressed size of all the workbook's parts, at most (2 GB).
pub const DECOMPRESSE_MAX: u64 = 2_000_000_000;
/// Decompressed size of a workbook, at most this many times its file size (an ordinary
/// workbook decompresses to 5 to 10 times its size)…
pub const TAUX_DECOMPRESSION_MAX: u64 = 20;
/// … or this many bytes for a small workbook (20 MB: a sheet of about 40 000 structures).
pub const DECOMPRESSE_PLANCHER: u64 = 20_000_000;
/// Bytes of XML a shared string takes at least (`<si/>`): a part of N bytes holds at most
/// N / 5 of them.
const OCTETS_PAR_TEXTE_MIN: u64 = 5;

/// The decompressed size allowed for a workbook of `taille` bytes: its parts as declared in
/// the zip, and the cells read from its sheet (text and bookkeeping), each stay within it.
pub fn budget_decompresse(taille: u64) -> u64 {
    taille
        .saturating_mul(TAUX_DECOMPRESSION_MAX)
        .clamp(DECOMPRESSE_PLANCHER, DECOMPRESSE_MAX)
}
/// Columns and rows of an Excel sheet.
const COLONNES_EXCEL: u32 = 16_384;
const LIGNES_EXCEL: u32 = 1_048_576;
/// Non-empty cells read from one sheet, at most.
pub const CELLULES_MAX: usize = 20_000_000;

/// Non-empty rows searched for the header (rows above it, a title, are ignored).
pub const LIGNES_TITRE: usize = 20;

/// Which sheet to read.
#[derive(Debug, Clone, Copy)]
pub struct Feuille<'a> {
    /// Normalised name looked for (`structures`, `charges_n1`); other accepted names too.
    pub noms: &'a [&'a str],
    /// When no sheet has one of these names, read the first sheet (a one-table workbook
    /// such as `structures.xlsx`); otherwise the sheet is required (`dossier.xlsx`).
    pub premiere_sinon: bool,
}

/// What a kept cell holds: a value as text, the Excel error it holds (`#DIV/0!`), or a
/// formula saved without a value (`formule`: its text is known) or (`recalcul`) with a
/// placeholder value in a workbook that asks to be recomputed on opening.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Valeur {
    Texte,
    Erreur,
    NonCalculee { formule: bool, recalcul: bool },
}

/// A kept cell: its position (0-based) and what it holds, its text (the value, the error or
/// the formula) at `debut..fin` of [`Cellules::textes`].
#[derive(Debug, Clone, Copy)]
struct Case {
    ligne: u32,
    colonne: u32,
    debut: u32,
    fin: u32,
    valeur: Valeur,
}

/// The non-empty cells of a sheet, in stream order, their texts end to end in one string:
/// 20 bytes a cell and its text, without an allocation per cell (a sheet of 1.6 million
/// cells took about 104 MB with one `String` each, 46 MB this way).
#[derive(Debug, Default)]
struct Cellules {
    cases: Vec<Case>,
    textes: String,
    /// The sheet's merged ranges (`<mergeCells>`), (first row, first column, last row, last
    /// column), 0-based: only the top-left cell of a range holds a value, the others read as
    /// empty (and would take their column's default).
    fusions: Vec<(u32, u32, u32, u32)>,
}

impl Cellules {
    /// The text of cell `c`.
    fn texte(&self, c: &Case) -> &str {
        self.textes
            .get(c.debut as usize..c.fin as usize)
            .unwrap_or("")
    }
    /// The formula of cell `c` when it is a formula saved with its text.
    fn formule(&self, c: &Case) -> Option<&str> {
        matches!(c.valeur, Valeur::NonCalculee { formule: true, .. }).then(|| self.texte(c))
    }
}

/// The shortest decimal text of a float: the digits that read back as the same `f64`
/// (Rust's `Display` for `f64` is the shortest round-trip form and never uses an
/// exponent). `1234.56` → `"1234.56"`, `60.0` → `"60"`, `0.1 + 0.2` →
/// `"0.30000000000000004"`.
/// Infinities and NaN (impossible in a valid file) come out as `inf`/`NaN`, which the
/// number parser refuses.
pub fn texte_decimal(f: f64) -> String {
    format!("{f}")
}

/// `jj/mm/aaaa` (and ` hh:mm` when there is a time) of an Excel date: a date typed in a
/// numeric column is then shown to the user as the date it is.
fn texte_date(d: &calamine::ExcelDateTime) -> String {
    let (a, m, j, h, mi, s, _) = d.to_ymd_hms_milli();
    if d.is_duration() {
        return texte_decimal(d.as_f64());
    }
    if h == 0 && mi == 0 && s == 0 {
        format!("{j:02}/{m:02}/{a:04}")
    } else {
        format!("{j:02}/{m:02}/{a:04} {h:02}:{mi:02}")
    }
}

/// A date cell written in ISO form (`t="d"`: `2026-09-01T00:00:00`) as [`texte_date`]
/// writes the other date cells: `01/09/2026`, and ` hh:mm` when there is a time; kept as
/// written when it is not such a date.
fn texte_date_iso(s: &str) -> String {
    let (date, heure) = s.split_once('T').unwrap_or((s, ""));
    let mut p = date.splitn(3, '-');
    let (Some(a), Some(m), Some(j)) = (p.next(), p.next(), p.next()) else {
        return s.to_string();
    };
    let chiffres = |x: &str, n: usize| x.len() == n && x.bytes().all(|b| b.is_ascii_digit());
    if !(chiffres(a, 4) && chiffres(m, 2) && chiffres(j, 2)) {
        return s.to_string();
    }
    let hm = heure.get(..5).unwrap_or("");
    let minuit = heure.is_empty()
        || heure
            .trim_end_matches('Z')
            .bytes()
            .all(|b| b == b'0' || b == b':' || b == b'.');
    if minuit {
        format!("{j}/{m}/{a}")
    } else {
        format!("{j}/{m}/{a} {hm}")
    }
}

/// Appends the text of a cell's value to `textes`: `Texte` or `Erreur`; `None` (nothing
/// appended) for an empty cell.
fn valeur(c: &DataRef<'_>, textes: &mut String) -> Option<Valeur> {
    match c {
        DataRef::Empty => return None,
        DataRef::String(s) | DataRef::DurationIso(s) => textes.push_str(s),
        DataRef::DateTimeIso(s) => textes.push_str(&texte_date_iso(s)),
        DataRef::SharedString(s) => textes.push_str(s),
        DataRef::Float(f) => textes.push_str(&texte_decimal(*f)),
        DataRef::Int(i) => textes.push_str(&i.to_string()),
        DataRef::Bool(b) => textes.push_str(if *b { "vrai" } else { "faux" }),
        DataRef::DateTime(d) => textes.push_str(&texte_date(d)),
        DataRef::Error(e) => {
            textes.push_str(&e.to_string());
            return Some(Valeur::Erreur);
        }
    }
    Some(Valeur::Texte)
}

/// Why a workbook cannot be read (boxed: a diagnostic is large).
type Echec = Box<Diagnostic>;

/// Runs `f`, turning a panic of the third-party parser into E025 (defence in depth: the
/// fuzz targets abort on such a panic, so it is found and fixed, but a user never sees one).
fn attraper<T>(fichier: &str, f: impl FnOnce() -> Result<T, Echec>) -> Result<T, Echec> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(Box::new(illisible(fichier, "contenu inattendu"))))
}

/// Puts the cells in row-major order (a position written twice is then refused by
/// [`lire_cellules`]). A sheet
/// is almost always saved in that order already: then nothing moves and no scratch space
/// is taken (a stable sort of a million cells borrows half their size).
fn trier(cellules: &mut Cellules) {
    let cle = |c: &Case| (c.ligne, c.colonne);
    if !cellules.cases.is_sorted_by_key(cle) {
        cellules.cases.sort_by_key(cle);
    }
}

fn lire_cellules(
    fichier: &str,
    octets: &[u8],
    feuille: Feuille<'_>,
    conteneur: Conteneur,
) -> Result<(String, Cellules), Echec> {
    let mut wb: Xlsx<_> =
        Xlsx::new(Cursor::new(octets)).map_err(|e| illisible(fichier, raison_calamine(&e)))?;
    let visibles: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|f| {
            f.typ == calamine::SheetType::WorkSheet && f.visible == calamine::SheetVisible::Visible
        })
        .map(|f| f.name.clone())
        .collect();
    let masquees: Vec<String> = wb
        .sheets_metadata()
        .iter()
        .filter(|f| {
            f.typ == calamine::SheetType::WorkSheet && f.visible != calamine::SheetVisible::Visible
        })
        .map(|f| f.name.clone())
        .collect();
    let nom = choisir_feuille(fichier, &wb.sheet_names(), &visibles, &masquees, feuille)?;
    let masquees_feuille = cases::verifier_cases(fichier, octets, &nom, conteneur.budget)?;
    let mut lignes_masquees = masquees_feuille.lignes;
    lignes_masquees.sort_unstable();
    let mut lecteur = wb.worksheet_cells_reader(&nom).map_err(|e| {
        illisible(
            fichier,
            format!("feuille « {nom} » : {}", raison_calamine(&e)),
        )
    })?;
    let mut cellules = Cellules::default();
    // memory taken by the cells kept: their text (a shared string is copied into each cell
    // that references it) and their bookkeeping
    let mut memoire: u64 = 0;
    loop {
        // the cached value and, for a formula, its metadata (without expanding shared
        // formulas, which would allocate per declared index)
        let c = match lecteur.next_cell_with_formula_metadata() {
            Ok(Some(c)) => c,
            Ok(None) => break,
            Err(e) => {
                return Err(Box::new(illisible(
                    fichier,
                    format!("feuille « {nom} » : {}", raison_calamine(&e)),
                )))
            }
        };
        let (ligne, colonne) = c.pos;
        // a hostile reference (`Flibelle1`) can give a position beyond the sheet, wrapped
        // around in release builds: refused, or the rows would be allocated up to it
        if colonne >= COLONNES_EXCEL || ligne >= LIGNES_EXCEL {
            return Err(Box::new(illisible(
                fichier,
                format!(
                    "feuille « {nom} » : référence de cellule hors des limites d'une feuille Excel"
                ),
            )));
        }
        let debut = cellules.textes.len();
        let Some(v) = valeur_gardee(
            &c.value,
            c.formula.as_ref(),
            conteneur.recalcul,
            &mut cellules.textes,
        ) else {
            continue;
        };
        let fin = cellules.textes.len();
        memoire = memoire.saturating_add((std::mem::size_of::<Case>() + fin - debut) as u64);
        let ici = || reference_cellule(&nom, colonne as usize, ligne as u64 + 1);
        // the budget (2 GB at most) keeps the texts' offsets within 32 bits
        let (Ok(debut), Ok(fin), false) = (
            u32::try_from(debut),
            u32::try_from(fin),
            memoire > conteneur.budget,
        ) else {
            return Err(trop_volumineuse(fichier, &nom, conteneur.budget, ici()));
        };
        if cellules.cases.len() >= CELLULES_MAX {
            return Err(trop_de_cellules(fichier, &nom, ici()));
        }
        cellules.cases.push(Case {
            ligne,
            colonne,
            debut,
            fin,
            valeur: v,
        });
    }
    drop(lecteur);
    // the merged ranges (after the cells: `<mergeCells>` follows `<sheetData>`)
    cellules.fusions = wb
        .merge_cells_by_sheet_name(&nom)
        .map_err(|e| {
            illisible(
                fichier,
                format!("feuille « {nom} » : {}", raison_calamine(&e)),
            )
        })?
        .into_iter()
        .filter(|d| d.start != d.end)
        .map(|d| (d.start.0, d.start.1, d.end.0, d.end.1))
        .collect();
    trier(&mut cellules);
    if let Some(e) = cellule_masquee(
        fichier,
        &nom,
        &cellules,
        &lignes_masquees,
        &masquees_feuille.colonnes,
    ) {
        return Err(Box::new(e));
    }
    // a position written twice (no spreadsheet saves that, a hand-made file can): which
    // value is meant cannot be told
    if let Some(w) = cellules
        .cases
        .windows(2)
        .find(|w| (w[0].ligne, w[0].colonne) == (w[1].ligne, w[1].colonne))
    {
        let r = reference_cellule(&nom, w[0].colonne as usize, w[0].ligne as u64 + 1);
        return Err(Box::new(illisible(
            fichier,
            format!(
                "la cellule {r} est écrite deux fois dans le fichier, avec deux valeurs possibles"
            ),
        )));
    }
    Ok((nom, cellules))
}

/// The sheet to read: the first whose name is one of `feuille.noms`; else (if allowed) the
/// only visible worksheet (a hidden sheet is never read in its place); E025 when there is
/// none, or when several visible sheets could be the table (which one is meant is not
/// guessed).
fn choisir_feuille(
    fichier: &str,
    noms: &[String],
    visibles: &[String],
    masquees: &[String],
    feuille: Feuille<'_>,
) -> Result<String, Echec> {
    let attendu = feuille.noms.first().copied().unwrap_or("");
    let presentes = if noms.is_empty() {
        "aucune".to_string()
    } else {
        noms.join(", ")
    };
    if let Some(n) = noms
        .iter()
        .find(|n| feuille.noms.contains(&normaliser_nom(n).as_str()))
    {
        // a hidden sheet is not what the person who filled the workbook sees: its data would
        // be computed without anyone having checked it (and a visible copy may be the one
        // they filled)
        // (a chart sheet of that name is reported by calamine: not a worksheet)
        if masquees.contains(n) {
            return Err(Box::new(
                Diagnostic::erreur(
                    Code::E025,
                    fichier,
                    format!("la feuille « {n} » est masquée dans le classeur : une feuille masquée n'est pas lue (personne n'a peut-être vérifié ses données)"),
                )
                .conseil("affichez-la (clic droit sur un onglet, « Afficher… »), vérifiez-la, enregistrez et relancez"),
            ));
        }
        return Ok(n.clone());
    }
    if feuille.premiere_sinon {
        match visibles {
            [seule] => return Ok(seule.clone()),
            [_, _, ..] => {
                return Err(Box::new(
                    Diagnostic::erreur(
                        Code::E025,
                        fichier,
                        format!(
                            "aucune feuille « {attendu} » et plusieurs feuilles visibles ({}) : laquelle lire n'est pas deviné",
                            visibles.join(", ")
                        ),
                    )
                    .conseil(format!(
                        "renommez « {attendu} » l'onglet qui contient la table (ou supprimez les autres feuilles)"
                    )),
                ))
            }
            [] => {}
        }
    }
    Err(Box::new(
        Diagnostic::erreur(
            Code::E025,
            fichier,
            if feuille.premiere_sinon && !noms.is_empty() {
                format!(
                    "feuille « {attendu} » absente du classeur et aucune feuille visible (feuilles masquées : {presentes})"
                )
            } else {
                format!("feuille « {attendu} » absente du classeur (feuilles présentes : {presentes})")
            },
        )
        .conseil(
            "renommez l'onglet, ou fournissez structures.xlsx et charges_n1.xlsx séparément",
        ),
    ))
}

/// The value kept for a cell, its text appended to `textes`: its cached value, or a formula
/// saved without one (or, in a workbook to be recomputed on opening, with a placeholder);
/// `None` (nothing appended) for an empty or blank cell.
fn valeur_gardee(
    valeur_lue: &DataRef<'_>,
    formule: Option<&XlsxFormulaMetadata>,
    recalcul: bool,
    textes: &mut String,
) -> Option<Valeur> {
    let formule = formule.map(|f| match f {
        XlsxFormulaMetadata::Normal { formula } | XlsxFormulaMetadata::Shared { formula, .. } => {
            Some(formula.as_str())
        }
        _ => None,
    });
    let debut = textes.len();
    // the formula instead of the value read
    let formule_seule = |textes: &mut String, f: Option<&str>, recalcul: bool| {
        textes.truncate(debut);
        textes.push_str(f.unwrap_or(""));
        Valeur::NonCalculee {
            formule: f.is_some(),
            recalcul,
        }
    };
    let v = match (valeur(valeur_lue, textes), formule) {
        (Some(Valeur::Erreur), _) => Valeur::Erreur,
        (None, Some(f)) => formule_seule(textes, f, false),
        (Some(_), Some(f)) if recalcul => formule_seule(textes, f, true),
        (Some(v), _) => v,
        (None, None) => return None,
    };
    if v == Valeur::Texte && textes[debut..].trim().is_empty() {
        textes.truncate(debut);
        return None;
    }
    Some(v)
}

/// Reads one sheet of a workbook as a table. `fichier` names the workbook in messages;
/// `connues`/`requises` as for [`super::tableau::lire`]. Line numbers are spreadsheet rows
/// and every diagnostic of the table carries its cell reference (`structures!F12`).
pub fn lire(
    fichier: &str,
    octets: &[u8],
    feuille: Feuille<'_>,
    connues: &[&str],
    requises: &[&str],
    diags: &mut Diagnostics,
) -> Option<Tableau> {
    let (nom, cellules) = cellules_triees(fichier, octets, feuille, requises, diags)?;
    let (ligne_entete, fin_entete, noms) =
        trouver_entete(fichier, &nom, &cellules, connues, diags)?;
    // a merged range reaching the header or the data rows (a title above the header may
    // be merged)
    let mut fusionnees = false;
    for f in cellules.fusions.iter().filter(|f| f.2 >= ligne_entete) {
        diags.push(fusion_refusee(fichier, &nom, *f));
        fusionnees = true;
    }
    if fusionnees {
        return None;
    }
    let no_entete = ligne_entete as u64 + 1;
    let colonnes = verifier_entete(
        fichier,
        no_entete,
        Some(&nom),
        &noms,
        connues,
        requises,
        diags,
    );
    let rangs = Rangs {
        fichier,
        nom: &nom,
        // data rows keep only the columns up to the last expected one (a stray header cell
        // at column XFD must not make every row 16 384 cells wide)
        largeur: noms
            .iter()
            .rposition(|n| colonne_de(n, connues).is_some())
            .map_or(0, |i| i + 1),
        noms: &noms,
        connues,
        ligne_entete: no_entete,
    };
    let (lignes, ok) = rangs.lire(&cellules, fin_entete, diags)?;
    let colonnes = match colonnes {
        Some(c) if ok => c,
        _ => return None,
    };
    Some(Tableau::depuis_lignes(fichier, &nom, colonnes, lignes))
}

/// The sheet's name and its non-empty cells in row-major order (a later duplicate of a cell,
/// in a hostile file, wins); `None` (reported) for an unreadable or empty sheet.
fn cellules_triees(
    fichier: &str,
    octets: &[u8],
    feuille: Feuille<'_>,
    requises: &[&str],
    diags: &mut Diagnostics,
) -> Option<(String, Cellules)> {
    let lu = verifier_conteneur(fichier, octets)
        .and_then(|c| attraper(fichier, || lire_cellules(fichier, octets, feuille, c)));
    let (nom, cellules) = match lu {
        Ok(x) => x,
        Err(d) => {
            diags.push(*d);
            return None;
        }
    };
    if cellules.cases.is_empty() {
        diags.push(
            Diagnostic::erreur(
                Code::E005,
                fichier,
                format!("feuille « {nom} » vide : aucune ligne d'en-tête"),
            )
            .conseil(format!(
                "la première ligne doit nommer les colonnes : {}",
                requises.join(", ")
            )),
        );
        return None;
    }
    Some((nom, cellules))
}

mod cases;
mod conteneur;
mod refus;
use refus::*;
mod rangs;
use rangs::{trouver_entete, Rangs};
/// Sheets that are not one table (the workbook dossier's `convention` sheet), and the
/// list of a workbook's sheets.
pub mod grille;
pub use conteneur::verifier_classeur;
use conteneur::*;

// ---------------------------------------------------------------------------------------
// For `bonus-ctg verifier` (src/verification/lecture.rs): the notified amounts are read with
// the dossier's own amount rules.

/// A required amount (≥ 0, at most 2 decimals, at most 1 000 000 000 €) in column `col` of
/// the record `enr` (line or row `no`) of a table read by [`lire`] or
/// [`super::tableau::lire`]: the same grammar, limits and messages (E006, E007, E008, E009,
/// E023, with the cell reference for a workbook) as the dossier's amounts. In cents;
/// `None` when refused (the error is in `diags`).
pub fn montant_requis(
    tab: &Tableau,
    enr: super::tableau::Enregistrement<'_>,
    no: u64,
    col: &str,
    diags: &mut Diagnostics,
) -> Option<i64> {
    let mut l = super::Ligne {
        tab,
        enr,
        no,
        diags,
        ok: true,
    };
    let col = tab.col(col);
    if l.champ(col).is_none() {
        l.texte(col, true);
        return None;
    }
    let c = l.centiemes(col, super::MONTANT_MAX, "montant");
    l.ok.then_some(c)
}

#[cfg(test)]
mod tests;
