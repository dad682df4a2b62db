//! The columns of the summary tables, shared by every format that writes them (CSV tables,
//! workbook sheets): one description per table.

use crate::calcul::{Totaux, TotauxCollectivite};
use crate::modele::Montant;

/// Totals per gestionnaire: the name, two counts, then [`montants_totaux`].
pub const COLONNES_GESTIONNAIRES: &[&str] = &[
    "gestionnaire",
    "structures",
    "structures_eligibles",
    "bonus_n1",
    "bonus_lissage",
    "bonus_nouvelles",
    "bonus_total",
    "contribution_collectivite_n1",
    "contribution_collectivite_n",
    "financement_public_n1",
    "financement_public_n",
    "variation",
];

/// The amounts of a line of totals, in the order of [`COLONNES_GESTIONNAIRES`].
pub fn montants_totaux(t: &Totaux) -> [Montant; 9] {
    [
        t.bonus_n1,
        t.bonus_lissage,
        t.bonus_nouvelles,
        t.bonus_total,
        t.contribution_n1,
        t.contribution_n,
        t.financement_public_n1,
        t.financement_public_n,
        t.variation,
    ]
}

/// Totals per collectivité: id, name, [`montants_collectivite`], then two counts.
pub const COLONNES_COLLECTIVITES: &[&str] = &[
    "collectivite",
    "nom",
    "charge_n1",
    "bonus_structures",
    "verse_collectivite",
    "non_redistribue",
    "verse_caf",
    "contribution_collectivite_n1",
    "contribution_collectivite_n",
    "financement_public_n1",
    "financement_public_n",
    "variation",
    "structures",
    "structures_eligibles",
];

/// The amounts of a collectivité's line, in the order of [`COLONNES_COLLECTIVITES`].
pub fn montants_collectivite(c: &TotauxCollectivite) -> [Montant; 10] {
    [
        c.charge_n1,
        c.structures.bonus_total,
        c.verse_collectivite,
        c.non_redistribue,
        c.verse_caf,
        c.structures.contribution_n1,
        c.structures.contribution_n,
        c.structures.financement_public_n1,
        c.structures.financement_public_n,
        c.structures.variation,
    ]
}
