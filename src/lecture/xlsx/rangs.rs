//! The header and the data rows of a sheet, from its cells in row-major order: the
//! header found among the first rows, then each row read against it into the table's
//! lines (Excel errors and formulas without their value refused with their cell).

use super::{non_calculee, Case, Cellules, Valeur, LIGNES_TITRE};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::lecture::entete::valeur_sans_entete;
use crate::lecture::tableau::{
    colonne_de, groupe, normaliser_nom, reference_cellule, reference_ligne, Lignes, LIGNES_MAX,
};

/// Normalised header names of one row's cells, indexed by column.
fn noms_entete(cellules: &Cellules, ligne: &[Case]) -> Vec<String> {
    let largeur = ligne
        .iter()
        .map(|c| c.colonne as usize + 1)
        .max()
        .unwrap_or(0);
    let mut noms = vec![String::new(); largeur];
    for c in ligne {
        if c.valeur == Valeur::Texte {
            noms[c.colonne as usize] = normaliser_nom(cellules.texte(c));
        }
    }
    noms
}

/// The header: the first row naming at least one expected column, among the first
/// [`LIGNES_TITRE`] non-empty rows (a workbook often has a title above the table). Its row
/// (0-based), the index of the first cell after it, its names; `None` (E005) when none.
pub(super) fn trouver_entete(
    fichier: &str,
    nom: &str,
    cellules: &Cellules,
    connues: &[&str],
    diags: &mut Diagnostics,
) -> Option<(u32, usize, Vec<String>)> {
    let cases = &cellules.cases;
    let mut debut = 0;
    for _ in 0..LIGNES_TITRE {
        if debut >= cases.len() {
            break;
        }
        let l = cases[debut].ligne;
        let fin = debut + cases[debut..].partition_point(|c| c.ligne == l);
        let noms = noms_entete(cellules, &cases[debut..fin]);
        if noms.iter().any(|n| colonne_de(n, connues).is_some()) {
            return Some((l, fin, noms));
        }
        debut = fin;
    }
    let l = cases[0].ligne;
    let fin = cases.partition_point(|c| c.ligne == l);
    let premiere = cases[..fin]
        .iter()
        .filter(|c| c.valeur == Valeur::Texte)
        .map(|c| cellules.texte(c))
        .collect::<Vec<_>>()
        .join(" | ")
        .chars()
        .take(120)
        .collect::<String>();
    let no = l as u64 + 1;
    diags.push(
        Diagnostic::erreur(
            Code::E005,
            fichier,
            format!("en-tête non reconnu : aucune colonne attendue trouvée dans les premières lignes de la feuille « {nom} »"),
        )
        .cellule(reference_ligne(nom, no))
        .valeur(premiere)
        .conseil(format!("colonnes attendues : {}", connues.join(", "))),
    );
    None
}

/// The data rows of a sheet, read against its header.
pub(super) struct Rangs<'a> {
    pub(super) fichier: &'a str,
    /// The sheet's name.
    pub(super) nom: &'a str,
    /// The header's names.
    pub(super) noms: &'a [String],
    pub(super) connues: &'a [&'a str],
    /// Columns kept (up to the last expected one).
    pub(super) largeur: usize,
    /// The header's row (1-based, as the spreadsheet numbers it).
    pub(super) ligne_entete: u64,
}

impl Rangs<'_> {
    /// The rows from cell `depuis` (the first after the header), stored flat as they are
    /// read (one text for the table, the cells' texts borrowed until copied there). With
    /// `false` when a row was refused (reported); `None` when the sheet is too big to go on.
    pub(super) fn lire(
        &self,
        cellules: &Cellules,
        depuis: usize,
        diags: &mut Diagnostics,
    ) -> Option<(Lignes, bool)> {
        let mut ok = true;
        let mut lignes = Lignes::new(self.largeur);
        let mut champs = vec![""; self.largeur];
        // the columns without a header name already reported (E058 once a column: a million
        // values under a cleared header make one message); at most one flag a column
        let mut sans_entete: Vec<bool> = Vec::new();
        let cases = &cellules.cases;
        let mut i = depuis;
        while i < cases.len() {
            let l = cases[i].ligne;
            let fin = i + cases[i..].partition_point(|c| c.ligne == l);
            let no = l as u64 + 1;
            ok &= self.valeurs_nommees(cellules, &cases[i..fin], no, &mut sans_entete, diags);
            ok &= self.champs_du_rang(cellules, &cases[i..fin], no, &mut champs, diags);
            i = fin;
            if champs.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            if lignes.len() >= LIGNES_MAX {
                diags.push(
                    Diagnostic::erreur(
                        Code::E023,
                        self.fichier,
                        format!(
                            "trop de lignes : plus de {} lignes de données",
                            groupe(LIGNES_MAX)
                        ),
                    )
                    .cellule(reference_ligne(self.nom, no))
                    .conseil("un dossier décrit une seule convention : découpez le fichier"),
                );
                ok = false;
                break;
            }
            for c in &champs {
                if !lignes.champ(c) {
                    diags.push(
                        Diagnostic::erreur(
                            Code::E023,
                            self.fichier,
                            "feuille trop grosse pour être lue",
                        )
                        .ligne(no),
                    );
                    return None;
                }
            }
            lignes.fin(no);
        }
        Some((lignes, ok))
    }

    /// Every value of row `no` is under a header name: a value in a column whose header
    /// cell is empty or blank — a header cleared by mistake, a cell to the right of the
    /// table's last column or to the left of its first — would be ignored (and the
    /// column the cleared name held would take its default): E058 at the first value of
    /// each such column, naming its cell and the empty header cell (`false`).
    fn valeurs_nommees(
        &self,
        cellules: &Cellules,
        rang: &[Case],
        no: u64,
        sans_entete: &mut Vec<bool>,
        diags: &mut Diagnostics,
    ) -> bool {
        let mut ok = true;
        for case in rang {
            let c = case.colonne as usize;
            if self.noms.get(c).is_some_and(|n| !n.is_empty()) {
                continue;
            }
            ok = false;
            if sans_entete.len() <= c {
                sans_entete.resize(c + 1, false);
            }
            if !std::mem::replace(&mut sans_entete[c], true) {
                diags.push(valeur_sans_entete(
                    self.fichier,
                    Some(self.nom),
                    self.ligne_entete,
                    c,
                    no,
                    cellules.texte(case).trim(),
                ));
            }
        }
        ok
    }

    /// The texts of row `no` into `champs` (emptied first; a later duplicate of a cell wins);
    /// an Excel error (E026) or a formula without its value (E072) in an expected column is
    /// reported (`false`).
    fn champs_du_rang<'c>(
        &self,
        cellules: &'c Cellules,
        rang: &[Case],
        no: u64,
        champs: &mut [&'c str],
        diags: &mut Diagnostics,
    ) -> bool {
        let mut ok = true;
        champs.fill("");
        for case in rang {
            let c = case.colonne as usize;
            if c >= self.largeur {
                continue; // beyond the last expected column: an unknown one (W050), or E058
            }
            let nom_colonne = &self.noms[c];
            match case.valeur {
                Valeur::Texte => champs[c] = cellules.texte(case),
                Valeur::Erreur => {
                    if colonne_de(nom_colonne, self.connues).is_none() {
                        continue;
                    }
                    diags.push(
                        Diagnostic::erreur(
                            Code::E026,
                            self.fichier,
                            "la cellule contient une erreur Excel au lieu d'une valeur",
                        )
                        .cellule(reference_cellule(self.nom, c, no))
                        .colonne(nom_colonne.clone())
                        .valeur(cellules.texte(case))
                        .conseil(
                            "corrigez la formule de la cellule, ou remplacez-la par sa valeur",
                        ),
                    );
                    ok = false;
                }
                Valeur::NonCalculee { recalcul, .. } => {
                    if !self.connues.contains(&nom_colonne.as_str()) {
                        continue;
                    }
                    let formule = cellules.formule(case);
                    let d = non_calculee(self.fichier, self.nom, c, no, formule, recalcul);
                    diags.push(d.colonne(nom_colonne.clone()));
                    ok = false;
                }
            }
        }
        ok
    }
}
