//! What each sheet and column of the workbook dossier means: one description, read by the
//! template writer (header notes, drop-down lists, formats, widths) and by the `aide` sheet.

/// How a column is filled in.
#[derive(Debug, Clone, Copy)]
pub enum Genre {
    Texte,
    /// An amount in euros, at most two decimals.
    Montant,
    /// Units (places, ETP, hours), at most two decimals.
    Unites,
    /// A whole number between the bounds.
    Entier(i32, i32),
    OuiNon,
    /// One of a fixed list.
    Liste(fn() -> Vec<&'static str>),
    /// An id of a collectivité of the `convention` sheet.
    Collectivite,
    /// A volet of the barème (national or local).
    Volet,
    /// An id of the `structures` sheet.
    Structure,
    Date,
}

/// One column of a sheet.
#[derive(Debug, Clone, Copy)]
pub struct Colonne {
    pub nom: &'static str,
    pub requise: bool,
    pub genre: Genre,
    pub largeur: f64,
    pub aide: &'static str,
}

const fn c(
    nom: &'static str,
    requise: bool,
    genre: Genre,
    largeur: f64,
    aide: &'static str,
) -> Colonne {
    Colonne {
        nom,
        requise,
        genre,
        largeur,
        aide,
    }
}

use crate::modele::{Annexe, Financement, TypeStructure};

fn annexes() -> Vec<&'static str> {
    [Annexe::Deux, Annexe::DeuxBis]
        .iter()
        .map(|a| a.libelle())
        .collect()
}
fn types() -> Vec<&'static str> {
    TypeStructure::TOUS.iter().map(|t| t.code()).collect()
}
fn financements() -> Vec<&'static str> {
    Financement::TOUS.iter().map(|f| f.code()).collect()
}
fn actions() -> Vec<&'static str> {
    crate::projection::evenements::Action::NOMS.to_vec()
}
fn statuts() -> Vec<&'static str> {
    vec!["confirme", "hypothese"]
}

/// The `champ | valeur` rows of the `convention` sheet.
pub const CHAMPS_CONVENTION: &[Colonne] = &[
    c(
        "nom",
        false,
        Genre::Texte,
        0.0,
        "Nom de la convention (ex. « CTG Ville de Dijon 2024-2027 ») ; laissé vide : « CTG » suivi des noms de ses collectivités.",
    ),
    c(
        "caf",
        false,
        Genre::Texte,
        0.0,
        "Caf signataire (ex. « Caf de la Côte-d'Or ») ; laissée vide : « Caf ».",
    ),
    c(
        "debut",
        false,
        Genre::Date,
        0.0,
        "Premier jour de la convention (date).",
    ),
    c(
        "fin",
        false,
        Genre::Date,
        0.0,
        "Dernier jour de la convention (date) : la projection va jusqu'à cette année.",
    ),
    c(
        "exercice",
        true,
        Genre::Entier(2000, 2100),
        0.0,
        "Exercice calculé (année N) : le bonus redistribue les charges à payer de N-1.",
    ),
];

/// The collectivités table of the `convention` sheet.
pub const COLLECTIVITES: &[Colonne] = &[
    c("id", true, Genre::Texte, 14.0, "Identifiant court de la collectivité, repris dans les feuilles structures et charges_n1 (ex. DIJON)."),
    c("nom", true, Genre::Texte, 36.0, "Nom de la collectivité."),
    c("tranche", false, Genre::Entier(1, 9), 10.0, "Tranche de richesse du territoire pour les forfaits des places nouvelles : 1 = QPV/ZRR (forfait le plus haut)."),
    c("signataire", false, Genre::OuiNon, 12.0, "oui si la collectivité a signé la CTG (défaut oui) ; non : ses structures ne reçoivent pas de bonus."),
    c("population", false, Genre::Entier(0, 100_000_000), 14.0, "Population municipale (recensement) : choisit la strate des grilles de plancher et de revalorisation."),
];

/// The `structures` sheet: annexes 2 and 2 bis, one row per structure.
pub const STRUCTURES: &[Colonne] = &[
    c("id", true, Genre::Texte, 22.0, "Identifiant unique de la structure (ex. EAJE-BALZAC)."),
    c("annexe", true, Genre::Liste(annexes), 8.0, "2 : éligible au bonus (annexe 2) ; 2bis : soutenue mais non éligible (annexe 2 bis)."),
    c("type", true, Genre::Liste(types), 20.0, "Type de structure : EAJE (crèche), RPE (relais), LAEP, ALSH_…, ou un type local."),
    c("nom", true, Genre::Texte, 36.0, "Nom de la structure, comme dans l'annexe."),
    c("adresse", false, Genre::Texte, 30.0, "Adresse (facultative)."),
    c("gestionnaire", true, Genre::Texte, 30.0, "Gestionnaire qui reçoit le bonus."),
    c("collectivite", true, Genre::Collectivite, 14.0, "Identifiant de la collectivité qui soutient la structure (feuille convention)."),
    c("financement", true, Genre::Liste(financements), 12.0, "Prestation Caf qui la finance : PSU, PAJE, PSO ou AUCUN."),
    c("soutien_collectivite", false, Genre::OuiNon, 12.0, "oui si la collectivité la soutient financièrement (défaut oui)."),
    c("unites_existantes", false, Genre::Unites, 12.0, "Unités existantes : places (EAJE), ETP (RPE), heures (LAEP, ALSH). Deux décimales au plus."),
    c("unites_nouvelles", false, Genre::Unites, 12.0, "Unités créées depuis l'année de référence. Deux décimales au plus."),
    c("unites_employeurs", false, Genre::Unites, 12.0, "Unités réservées par des employeurs, comprises dans les existantes."),
    c("mois_ouverture", false, Genre::Entier(0, 12), 10.0, "Mois d'ouverture dans l'exercice (0 à 12, défaut 12)."),
    c("contribution_collectivite_n1", false, Genre::Montant, 16.0, "Subvention de la collectivité à la structure en N-1 (€)."),
    c("bonus_n1", false, Genre::Montant, 14.0, "Bonus versé directement par la Caf à la structure en N-1 (€)."),
    c("unites_employeurs_nouvelles", false, Genre::Unites, 12.0, "Places réservées par des employeurs créées dans l'année (contrat territorial réservataire employeurs, CTRE)."),
];

/// The `charges_n1` sheet.
pub const CHARGES: &[Colonne] = &[
    c(
        "collectivite",
        true,
        Genre::Collectivite,
        14.0,
        "Identifiant de la collectivité (feuille convention).",
    ),
    c(
        "volet",
        true,
        Genre::Volet,
        12.0,
        "Volet du bonus : EAJE, RPE, LAEP, ALSH, PILOTAGE, AUTRE ou un volet local du barème.",
    ),
    c(
        "montant",
        true,
        Genre::Montant,
        16.0,
        "Charge à payer N-1 de la Caf (€). Plusieurs lignes d'un même volet s'additionnent.",
    ),
    c(
        "libelle",
        false,
        Genre::Texte,
        40.0,
        "Origine du montant (ex. « PSEJ 2023 action multi-accueil »).",
    ),
];

/// The optional `evenements` sheet (`projeter`).
pub const EVENEMENTS: &[Colonne] = &[
    c("date", true, Genre::Date, 12.0, "Date de l'événement ; il compte à partir du mois suivant, ou du mois même s'il tombe le 1er."),
    c("id", true, Genre::Structure, 22.0, "Identifiant de la structure (feuille structures)."),
    c("action", true, Genre::Liste(actions), 20.0, "ouverture, fermeture, unites_existantes, unites_nouvelles, unites_employeurs, soutien ou annexe."),
    c("valeur", false, Genre::Texte, 12.0, "Nouvelle valeur pour les actions qui en ont une (unités, oui/non, 2 ou 2bis)."),
];

/// The optional `bareme` sheet: overrides of the built-in barème.
pub const BAREME: &[Colonne] = &[
    c("parametre", true, Genre::Texte, 34.0, "Chemin du paramètre, ex. volets.EAJE.plancher (voir la commande « bonus-ctg bareme »)."),
    c("debut", false, Genre::Date, 12.0, "Date de début de validité ; vide : valeur unique qui remplace tout l'historique."),
    c("valeur", true, Genre::Texte, 24.0, "La valeur : montant ou taux en chiffres (« 0.02 » = 2 %), liste « a ; b », ou liste TOML [\"a\", \"b\"]."),
    c("reference", false, Genre::Texte, 50.0, "Source de la valeur (texte, article, page)."),
    c("statut", false, Genre::Liste(statuts), 12.0, "confirme (une source publique l'établit) ou hypothese (choix de modélisation)."),
];
