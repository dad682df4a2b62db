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
    "bonus_trajectoire",
    "bonus_ctre",
];

/// The amounts of a line of totals, in the order of [`COLONNES_GESTIONNAIRES`]: the
/// trajectoire (inside `bonus_total`) and the CTRE (outside it) last, as in the structure
/// table.
pub fn montants_totaux(t: &Totaux) -> [Montant; 11] {
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
        t.bonus_trajectoire,
        t.bonus_ctre,
    ]
}

/// Totals per collectivité: id, name, [`montants_collectivite`], two counts, then
/// [`montants_ajoutes`] (columns added after the counts: the first ones keep their place).
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
    "bonus_trajectoire",
    "bonus_ctre",
];

/// The last amounts of a collectivité's line: its structures' bonus trajectoire (inside
/// `bonus_structures`) and CTRE (outside it, inside `verse_caf`).
pub fn montants_ajoutes(t: &Totaux) -> [Montant; 2] {
    [t.bonus_trajectoire, t.bonus_ctre]
}

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

/// The French header of each column a person reads (workbook, terminal): the machine name
/// (CSV, JSON) → « Libellé (unité) ». One line per column name, whatever the table: a name
/// means the same thing in every table. Units: « € » for amounts; the units of a volet
/// (places, heures, ETP) differ from one volet to another, hence « unités du volet ».
pub const LIBELLES: &[(&str, &str)] = &[
    ("id", "Identifiant"),
    ("nom", "Nom"),
    ("type", "Type"),
    ("volet", "Volet"),
    ("gestionnaire", "Gestionnaire"),
    ("collectivite", "Collectivité"),
    ("motif", "Motif (code)"),
    ("motif_libelle", "Motif"),
    ("exercice", "Exercice"),
    ("periode", "Période"),
    ("mois", "Mois d'activité"),
    ("unites_eligibles", "Unités éligibles (unités du volet)"),
    ("unites_nouvelles", "Unités nouvelles (unités du volet)"),
    ("unites", "Unités U (unités du volet)"),
    ("taux_unitaire", "Taux par unité (€)"),
    ("bonus_n1", "Bonus N-1 (€)"),
    ("bonus_lissage", "Bonus lissage (€)"),
    ("bonus_nouvelles", "Bonus places nouvelles (€)"),
    ("bonus_trajectoire", "Bonus trajectoire (€)"),
    ("bonus_ctre", "Bonus CTRE (€)"),
    ("bonus_total", "Bonus total (€)"),
    ("bonus_structures", "Bonus des structures (€)"),
    ("ecart_arrondi", "Écart d'arrondi (€)"),
    (
        "contribution_collectivite_n1",
        "Contribution collectivité N-1 (€)",
    ),
    (
        "contribution_collectivite_n",
        "Contribution collectivité N (€)",
    ),
    (
        "contribution_collectivite",
        "Contribution collectivité C (€)",
    ),
    ("financement_public_n1", "Financement public N-1 (€)"),
    ("financement_public_n", "Financement public N (€)"),
    ("financement_public", "Financement public C+L+N+T (€)"),
    ("variation", "Variation (€)"),
    ("structures", "Structures (nombre)"),
    ("structures_eligibles", "Structures éligibles (nombre)"),
    ("charge_n1", "Charge à payer N-1 A (€)"),
    ("lissage", "Lissage L (€)"),
    ("lissage_verse", "Lissage versé L (€)"),
    ("nouvelles", "Places nouvelles N (€)"),
    ("nouvelles_versees", "Places nouvelles versées N (€)"),
    ("trajectoire", "Trajectoire T (€)"),
    ("trajectoire_versee", "Trajectoire versée T (€)"),
    ("complement_plancher", "Complément plancher C (€)"),
    ("non_redistribue", "Non redistribué R (€)"),
    ("verse_collectivite", "Versé à la collectivité P (€)"),
    ("verse_caf", "Total versé par la Caf (€)"),
    ("controle", "Contrôle A+C−L−R−P (€, vaut 0)"),
    ("controle_caf", "Contrôle Caf (€, vaut 0)"),
    ("controle_financement", "Contrôle financement (€, vaut 0)"),
    ("ctre", "CTRE (€)"),
    ("complement", "Complément (€)"),
    ("annee_reference", "Année de référence"),
    ("places_reference", "Places de référence"),
    ("places", "Places"),
    ("croissance", "Croissance (fraction)"),
    ("seuil", "Seuil (fraction)"),
    ("montant_par_place", "Montant par place (€)"),
    ("verse", "Versé (€)"),
    ("parametre", "Paramètre"),
    ("valeur", "Valeur"),
    ("en_vigueur_depuis", "En vigueur depuis"),
    ("statut", "Statut"),
    ("reference", "Référence"),
    ("fichier", "Fichier"),
    ("code", "Code"),
    ("choix", "Choix"),
    ("detail", "Détail"),
    ("source", "Source"),
];

/// The French header of a column (its machine name when none is known).
pub fn libelle(nom: &str) -> &str {
    LIBELLES
        .iter()
        .find(|(n, _)| *n == nom)
        .map_or(nom, |(_, l)| l)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chaque_colonne_a_un_libelle_unique() {
        let toutes = [
            crate::rapport::csv::COLONNES,
            COLONNES_GESTIONNAIRES,
            COLONNES_COLLECTIVITES,
            crate::rapport::projection::COLONNES,
            crate::rapport::projection::COLONNES_TRAJECTOIRE,
            crate::rapport::xlsx::COLONNES_RAPPROCHEMENT,
            crate::rapport::projection_xlsx::COLONNES_TOTAUX_ANNEE,
        ];
        for c in toutes.iter().flat_map(|t| t.iter()) {
            assert_ne!(libelle(c), *c, "{c} sans libellé");
        }
        // one description per column: a name or a label is never given twice
        for (i, (n, l)) in LIBELLES.iter().enumerate() {
            for (m, k) in &LIBELLES[i + 1..] {
                assert_ne!(n, m);
                assert_ne!(l, k, "{n} et {m}");
            }
        }
        assert_eq!(libelle("bonus_lissage"), "Bonus lissage (€)");
    }
}
