//! A sheet read as a grid of text cells, with the protections of the table reader (container
//! checks, bounded decompression, panic guard, cell limits): for the sheets of a workbook
//! dossier that are not one table, such as `convention` (rows `champ | valeur`, then the
//! table of collectivités).

use super::{
    attraper, fusion_refusee, illisible, lire_cellules, non_calculee, raison_calamine,
    verifier_conteneur, Feuille, Valeur,
};
use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;
use crate::lecture::tableau::{normaliser_nom, reference_cellule};
use calamine::{Reader, Xlsx};
use std::io::Cursor;

/// One non-empty cell: 0-based row and column, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cellule {
    pub ligne: u32,
    pub colonne: u32,
    pub texte: String,
}

impl Cellule {
    /// `feuille!B4`.
    pub fn reference(&self, feuille: &str) -> String {
        reference_cellule(feuille, self.colonne as usize, self.ligne as u64 + 1)
    }
}

/// The names of a workbook's sheets, in order.
pub fn feuilles(fichier: &str, octets: &[u8]) -> Result<Vec<String>, Box<Diagnostic>> {
    verifier_conteneur(fichier, octets)?;
    attraper(fichier, || {
        let wb: Xlsx<_> =
            Xlsx::new(Cursor::new(octets)).map_err(|e| illisible(fichier, raison_calamine(&e)))?;
        Ok(wb.sheet_names())
    })
}

/// Whether a sheet of that (normalised) name exists.
pub fn a_feuille(noms: &[String], nom: &str) -> bool {
    noms.iter().any(|n| normaliser_nom(n) == nom)
}

/// The non-empty cells of a sheet, row-major. A cell holding an Excel error (`#DIV/0!`) is
/// refused (E026) with its reference.
pub fn lire_grille(
    fichier: &str,
    octets: &[u8],
    feuille: Feuille<'_>,
) -> Result<(String, Vec<Cellule>), Box<Diagnostic>> {
    let conteneur = verifier_conteneur(fichier, octets)?;
    let (nom, cellules) = attraper(fichier, || {
        lire_cellules(fichier, octets, feuille, conteneur)
    })?;
    // every value of these sheets (`champ | valeur` rows, the collectivités, the barème)
    // is on its own cell: a merged range would leave cells read empty
    if let Some(f) = cellules.fusions.first() {
        return Err(Box::new(fusion_refusee(fichier, &nom, *f)));
    }
    let mut r = Vec::with_capacity(cellules.cases.len());
    for case in &cellules.cases {
        let (ligne, colonne) = (case.ligne, case.colonne);
        match case.valeur {
            Valeur::Texte => r.push(Cellule {
                ligne,
                colonne,
                texte: cellules.texte(case).to_string(),
            }),
            Valeur::NonCalculee { recalcul, .. } => {
                return Err(Box::new(non_calculee(
                    fichier,
                    &nom,
                    colonne as usize,
                    ligne as u64 + 1,
                    cellules.formule(case),
                    recalcul,
                )))
            }
            Valeur::Erreur => {
                return Err(Box::new(
                    Diagnostic::erreur(
                        Code::E026,
                        fichier,
                        "la cellule contient une erreur Excel au lieu d'une valeur",
                    )
                    .cellule(reference_cellule(&nom, colonne as usize, ligne as u64 + 1))
                    .valeur(cellules.texte(case))
                    .conseil("corrigez la formule de la cellule, ou remplacez-la par sa valeur"),
                ))
            }
        }
    }
    Ok((nom, r))
}
