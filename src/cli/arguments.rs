//! The command line's arguments (clap, French help): the commands, their options and the
//! conversions of option values to the library's types.

use crate::lecture::{Encodage, OptionsLecture};
use crate::rapport::{self, Profil};
use clap::{ArgAction, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

pub(super) const MODELE_AIDE: &str = "{about}\n\nUtilisation : {usage}\n\n{all-args}{after-help}";

#[derive(Parser, Debug)]
#[command(
    name = "bonus-ctg",
    version,
    about = "Calcul du bonus territoire CTG (Caf) : répartition par structure, contributions Caf et collectivité",
    help_template = MODELE_AIDE,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    subcommand_help_heading = "Commandes",
    subcommand_value_name = "COMMANDE",
    after_help = "Codes de sortie : 0 succès ; 1 données invalides (messages localisés) ou sortie refusée ou impossible à écrire ; 2 erreur d'utilisation ; 3 écarts trouvés par « verifier »."
)]
pub struct Cli {
    #[command(subcommand)]
    pub commande: Commande,
    /// Affiche l'aide
    #[arg(short = 'h', long = "help", action = ArgAction::Help, global = true)]
    aide: Option<bool>,
    /// Affiche la version
    #[arg(short = 'V', long = "version", action = ArgAction::Version)]
    version: Option<bool>,
    /// Format des messages sur la sortie d'erreur : texte (défaut) ou json (une ligne JSON par message, pour la CI)
    #[arg(
        long = "format-erreurs",
        value_enum,
        default_value = "texte",
        global = true
    )]
    pub format_erreurs: FormatErreurs,
    /// Couleurs dans le terminal (auto : seulement vers un terminal, et sans NO_COLOR)
    #[arg(long, value_enum, default_value = "auto", global = true)]
    pub couleur: Couleur,
    /// Mode silencieux pour les scripts : ni avertissements ni résumés, seulement les erreurs, les données demandées et le code de sortie
    #[arg(
        short = 'q',
        long = "silencieux",
        visible_alias = "quiet",
        global = true
    )]
    pub silencieux: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Couleur {
    /// Couleurs si la sortie est un terminal et que NO_COLOR n'est pas défini
    Auto,
    /// Toujours des couleurs
    Toujours,
    /// Jamais de couleurs
    Jamais,
}

impl Couleur {
    /// Whether to colour the standard output.
    pub fn active(self) -> bool {
        use std::io::IsTerminal;
        match self {
            Couleur::Toujours => true,
            Couleur::Jamais => false,
            Couleur::Auto => {
                std::io::stdout().is_terminal()
                    && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                    && std::env::var("TERM").map_or(true, |t| t != "dumb")
            }
        }
    }
}

/// Output format of `verifier` and `comparer`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormatSimple {
    /// Tableau lisible dans le terminal
    Table,
    /// CSV (profil excel-fr ou rfc4180)
    Csv,
    /// JSON
    Json,
}

/// Output format of `expliquer`.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormatExplication {
    /// Texte lisible, sections numérotées
    Texte,
    /// JSON : l'arbre de l'explication (schéma bonus-ctg.explication.v1)
    Json,
    /// Page HTML : l'arbre en listes imbriquées, une section par chiffre
    Html,
    /// Classeur XLSX : une ligne par nœud, retrait selon la profondeur (avec --sortie FICHIER)
    Xlsx,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormatErreurs {
    /// Une ligne de texte par message
    Texte,
    /// Une ligne JSON par message (pour la CI)
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum Format {
    /// Tableau lisible dans le terminal
    Table,
    /// CSV (profil excel-fr ou rfc4180)
    Csv,
    /// JSON (schéma bonus-ctg.resultat.v1)
    Json,
    /// Classeur XLSX (feuilles Structures, Gestionnaires, Collectivites, Rapprochement, Bareme, Hypotheses)
    Xlsx,
    /// Rapport HTML autonome (graphiques SVG, imprimable en A4)
    Html,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormatLotArg {
    /// CSV (profil excel-fr ou rfc4180)
    Csv,
    /// JSON (schéma bonus-ctg.resultat.v1)
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum ProfilArg {
    /// « ; », virgule décimale, BOM UTF-8, CRLF
    #[value(name = "excel-fr")]
    ExcelFr,
    /// « , », point décimal, sans BOM, LF
    #[value(name = "rfc4180")]
    Rfc4180,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum EncodageArg {
    /// Détection : BOM, UTF-8, sinon Windows-1252
    Auto,
    #[value(name = "utf-8")]
    Utf8,
    #[value(name = "windows-1252")]
    Windows1252,
}

#[derive(clap::Args, Debug, Clone)]
pub struct Entree {
    /// Dossier : convention.toml, structures.csv, charges_n1.csv, bareme.toml facultatif
    #[arg(value_name = "DOSSIER")]
    pub dossier: PathBuf,
    /// Exercice calculé (par défaut celui de convention.toml)
    #[arg(long, value_name = "ANNEE", allow_negative_numbers = true)]
    pub exercice: Option<i32>,
    /// Barème à utiliser à la place du bareme.toml du dossier (surcharge du barème intégré)
    #[arg(long, value_name = "FICHIER")]
    pub bareme: Option<PathBuf>,
    /// Encodage des fichiers CSV : auto (défaut : BOM, UTF-8, sinon Windows-1252), utf-8, windows-1252
    #[arg(long, value_enum, default_value = "auto")]
    pub encodage: EncodageArg,
}

/// Output options shared by `calculer`, `projeter` (format [`Format`]), `verifier` and
/// `comparer` (format [`FormatSimple`]).
#[derive(clap::Args, Debug, Clone)]
pub struct OptionsSortie<F: ValueEnum + Clone + Send + Sync + 'static> {
    /// Format de sortie (table par défaut ; xlsx et html pour calculer et projeter) ; déduit de l'extension de --sortie
    #[arg(long, value_enum)]
    pub format: Option<F>,
    /// Profil CSV : excel-fr (défaut : « ; », virgule décimale, BOM, CRLF) ou rfc4180 (« , », point décimal, LF)
    #[arg(long, value_enum, default_value = "excel-fr")]
    pub profil: ProfilArg,
    /// Fichier de sortie : absent ou fichier ordinaire (jamais un dossier, un tube, un périphérique ni un lien) ; écrit dans un fichier temporaire puis renommé
    #[arg(long, value_name = "FICHIER")]
    pub sortie: Option<PathBuf>,
    /// Remplace le fichier de sortie s'il existe (ses droits sont gardés)
    #[arg(long)]
    pub ecraser: bool,
    /// Largeur du tableau en colonnes de terminal
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub largeur: Option<u16>,
}

/// `calculer --table`: which table the CSV holds.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableArg {
    /// Une ligne par structure (défaut)
    Structures,
    /// Totaux par gestionnaire
    Gestionnaires,
    /// Totaux par collectivité
    Collectivites,
    /// Rapprochement par collectivité et volet
    Rapprochement,
    /// Totaux généraux (indicateur ; montant)
    Totaux,
}

/// `projeter --table`: which table the CSV holds.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableProjectionArg {
    /// Une ligne par structure et par année (défaut)
    Structures,
    /// Totaux Caf et collectivités par année
    Totaux,
    /// Bonus trajectoire par collectivité et par année
    Trajectoire,
}

#[derive(Subcommand, Debug)]
pub enum Commande {
    /// Calcule le bonus par structure, les contributions et le rapprochement
    #[command(help_template = MODELE_AIDE)]
    Calculer {
        #[command(flatten)]
        entree: Entree,
        /// Table écrite en CSV (une table par fichier) : structures (défaut), gestionnaires, collectivites, rapprochement, totaux ; --sortie DOSSIER/ les écrit toutes
        #[arg(long, value_enum)]
        table: Option<TableArg>,
        /// Colonnes du tableau des structures : « toutes », ou une liste séparée par des virgules parmi id, nom, volet, motif, unites, taux, lissage, nouvelles, bonus, contribution_n1, contribution_n, variation (défaut : un jeu réduit à la largeur)
        #[arg(long, value_name = "LISTE", value_parser = crate::rapport::table::Colonnes::analyser)]
        colonnes: Option<crate::rapport::table::Colonnes>,
        #[command(flatten)]
        sortie: OptionsSortie<Format>,
    },
    /// Valide un dossier sans calculer : erreurs, avertissements et résumé
    #[command(help_template = MODELE_AIDE)]
    Valider {
        #[command(flatten)]
        entree: Entree,
    },
    /// Explique tous les chiffres d'une structure : règles, paramètres lus, arrondi
    #[command(help_template = MODELE_AIDE)]
    Expliquer {
        #[command(flatten)]
        entree: Entree,
        /// Identifiant de la structure (colonne id)
        #[arg(value_name = "ID")]
        id: String,
        /// Explique une année de la projection pluriannuelle (événements, base, trajectoire)
        #[arg(long, value_name = "ANNEE", allow_negative_numbers = true)]
        annee: Option<i32>,
        #[command(flatten)]
        projection: OptionsProjectionArg,
        /// texte (défaut), json (l'arbre, schéma bonus-ctg.explication.v1), html ou xlsx ; déduit de l'extension de --sortie
        #[arg(long, value_enum, value_name = "FORMAT")]
        format: Option<FormatExplication>,
        /// Fichier de sortie : absent ou fichier ordinaire (jamais un dossier, un tube, un périphérique ni un lien) ; écrit dans un fichier temporaire puis renommé
        #[arg(long, value_name = "FICHIER")]
        sortie: Option<PathBuf>,
        /// Remplace le fichier de sortie s'il existe (ses droits sont gardés)
        #[arg(long)]
        ecraser: bool,
    },
    /// Projette le bonus année par année jusqu'à la fin de la convention (événements, base, trajectoire)
    #[command(help_template = MODELE_AIDE)]
    Projeter {
        #[command(flatten)]
        entree: Entree,
        /// Dernière année projetée (par défaut l'année de fin de la convention)
        #[arg(long = "jusqu-a", value_name = "ANNEE", allow_negative_numbers = true)]
        jusqu_a: Option<i32>,
        /// Table écrite en CSV : structures (défaut, une ligne par structure et par année), totaux, trajectoire ; --sortie DOSSIER/ les écrit toutes
        #[arg(long, value_enum)]
        table: Option<TableProjectionArg>,
        #[command(flatten)]
        projection: OptionsProjectionArg,
        #[command(flatten)]
        sortie: OptionsSortie<Format>,
    },
    /// Vérifie une notification de la Caf ligne par ligne et explique chaque écart (code 3 si écart)
    #[command(help_template = MODELE_AIDE)]
    Verifier {
        #[command(flatten)]
        entree: Entree,
        /// Montants notifiés par structure : CSV ou XLSX, colonnes « id » ou « nom », et « montant »
        #[arg(long, value_name = "FICHIER")]
        notification: PathBuf,
        /// Ne vérifie que les structures de cette collectivité (identifiant de la convention)
        #[arg(long, value_name = "ID")]
        collectivite: Option<String>,
        /// Ne vérifie que les structures de ce gestionnaire (nom, sans tenir compte de la casse ni des accents)
        #[arg(long, value_name = "NOM")]
        gestionnaire: Option<String>,
        #[command(flatten)]
        sortie: OptionsSortie<FormatSimple>,
    },
    /// Compare deux scénarios structure par structure, avec les totaux par collectivité et gestionnaire
    #[command(help_template = MODELE_AIDE)]
    Comparer {
        /// Dossier du scénario A (référence)
        #[arg(value_name = "DOSSIER_A")]
        dossier_a: PathBuf,
        /// Dossier du scénario B
        #[arg(value_name = "DOSSIER_B")]
        dossier_b: PathBuf,
        /// Exercice calculé (par défaut celui de chaque convention.toml)
        #[arg(long, value_name = "ANNEE", allow_negative_numbers = true)]
        exercice: Option<i32>,
        /// Encodage des fichiers CSV
        #[arg(long, value_enum, default_value = "auto")]
        encodage: EncodageArg,
        #[command(flatten)]
        sortie: OptionsSortie<FormatSimple>,
        /// Affiche aussi les structures et gestionnaires inchangés
        #[arg(long)]
        tout: bool,
    },
    /// Calcule tous les dossiers d'un répertoire (un sous-dossier par CTG) et les consolide
    #[command(help_template = MODELE_AIDE)]
    Lot(ArgumentsLot),
    /// Écrit des dossiers synthétiques réalistes (bancs d'essai, tests à grande échelle)
    #[command(help_template = MODELE_AIDE)]
    Generer(ArgumentsGenerer),
    /// Écrit le classeur à remplir d'un dossier (vide, ou rempli depuis un dossier existant)
    #[command(help_template = MODELE_AIDE)]
    Modele {
        /// Classeur à écrire (.xlsx)
        #[arg(value_name = "FICHIER")]
        fichier: PathBuf,
        /// Dossier dont le classeur reprend le contenu (convention, structures, charges, événements, barème)
        #[arg(long, value_name = "DOSSIER")]
        depuis: Option<PathBuf>,
        /// Encodage des fichiers CSV du dossier
        #[arg(long, value_enum, default_value = "auto")]
        encodage: EncodageArg,
        /// Remplace le classeur s'il existe
        #[arg(long)]
        ecraser: bool,
    },
    /// Écrit un classeur-dossier en dossier de fichiers texte (convention.toml, CSV, bareme.toml)
    #[command(help_template = MODELE_AIDE)]
    Exporter {
        /// Classeur-dossier (.xlsx)
        #[arg(value_name = "CLASSEUR")]
        classeur: PathBuf,
        /// Répertoire à écrire (créé s'il n'existe pas)
        #[arg(long, value_name = "DIR")]
        vers: PathBuf,
        /// Remplace les fichiers de même nom dans DIR
        #[arg(long)]
        ecraser: bool,
    },
    /// Écrit les lettres de notification : une par gestionnaire, un récapitulatif par collectivité (PDF ou HTML)
    #[command(help_template = MODELE_AIDE)]
    Notifier {
        #[command(flatten)]
        entree: Entree,
        /// Dossier des lettres, remplacé en entier (absent, vide, ou lettres d'une exécution précédente avec --ecraser)
        #[arg(long, value_name = "DIR")]
        sortie: PathBuf,
        /// Seulement la lettre de ce gestionnaire (nom de la colonne gestionnaire, sans tenir compte de la casse)
        #[arg(long, value_name = "NOM")]
        gestionnaire: Option<String>,
        /// Format des lettres : pdf (défaut, A4, polices incorporées) ou html (pages autonomes pour le publipostage)
        #[arg(long, value_enum, default_value = "pdf")]
        format: super::notifier::FormatLettre,
        /// Lieu de signature écrit dans « Fait à …, le … » (par défaut des pointillés, à remplir à la main)
        #[arg(long, value_name = "VILLE")]
        lieu: Option<String>,
        /// Date de signature, AAAA-MM-JJ ou JJ/MM/AAAA, écrite en toutes lettres (par défaut des pointillés)
        #[arg(long, value_name = "DATE")]
        date: Option<String>,
        /// Remplace en entier les lettres d'une exécution précédente
        #[arg(long)]
        ecraser: bool,
    },
    /// Affiche le barème en vigueur avec ses sources
    #[command(help_template = MODELE_AIDE)]
    Bareme {
        /// Exercice (par défaut celui du dossier, sinon l'année en cours)
        #[arg(long, value_name = "ANNEE", allow_negative_numbers = true)]
        exercice: Option<i32>,
        /// Dossier dont le bareme.toml surcharge le barème intégré
        #[arg(value_name = "DOSSIER")]
        dossier: Option<PathBuf>,
    },
    /// Lance l'application web (pages servies par ce programme, sans autre service)
    #[command(help_template = MODELE_AIDE)]
    Serveur {
        /// Adresse d'écoute (défaut 127.0.0.1:8080 : cette machine seulement)
        #[arg(long, value_name = "ADRESSE", default_value = "127.0.0.1:8080")]
        adresse: String,
        /// Base SQLite où garder les dossiers déposés et leurs simulations (défaut : en mémoire)
        #[arg(long, value_name = "FICHIER")]
        base: Option<PathBuf>,
        /// Fichier de l'empreinte du mot de passe (fait par --creer-mot-de-passe) : connexion demandée
        #[arg(long, value_name = "FICHIER", conflicts_with = "sans_authentification")]
        mot_de_passe_fichier: Option<PathBuf>,
        /// Aucune connexion demandée, même sur une adresse ouverte aux autres machines
        #[arg(long)]
        sans_authentification: bool,
        /// Crée FICHIER avec l'empreinte du mot de passe lu sur l'entrée standard, puis s'arrête
        #[arg(long, value_name = "FICHIER", conflicts_with_all = ["mot_de_passe_fichier", "sans_authentification", "base"])]
        creer_mot_de_passe: Option<PathBuf>,
    },
}

/// The options of `lot`.
#[derive(clap::Args, Debug, Clone)]
pub struct ArgumentsLot {
    /// Répertoire contenant un sous-dossier par CTG
    #[arg(value_name = "DOSSIERS")]
    pub dossiers: PathBuf,
    /// Répertoire de sortie, remplacé en entier : consolide.csv, diagnostics.txt et dossiers/NOM.csv (défaut : DOSSIERS-resultats)
    #[arg(long, value_name = "DIR")]
    pub sortie: Option<PathBuf>,
    /// Format du résultat de chaque dossier (le fichier consolidé est en CSV)
    #[arg(long, value_enum, default_value = "csv")]
    pub format: FormatLotArg,
    /// Profil CSV
    #[arg(long, value_enum, default_value = "excel-fr")]
    pub profil: ProfilArg,
    /// Remplace en entier le dossier de résultats d'un lot précédent
    #[arg(long)]
    pub ecraser: bool,
    /// Exercice calculé (par défaut celui de chaque convention.toml)
    #[arg(long, value_name = "ANNEE", allow_negative_numbers = true)]
    pub exercice: Option<i32>,
    /// Barème appliqué à tous les dossiers à la place de leur bareme.toml
    #[arg(long, value_name = "FICHIER")]
    pub bareme: Option<PathBuf>,
    /// Encodage des fichiers CSV
    #[arg(long, value_enum, default_value = "auto")]
    pub encodage: EncodageArg,
    /// Nombre de fils de calcul (défaut : nombre de cœurs)
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub fils: Option<usize>,
    /// Affiche la durée de chaque étape et la mémoire maximale sur la sortie d'erreur
    #[arg(long)]
    pub chrono: bool,
}

/// The options of `generer`.
#[derive(clap::Args, Debug, Clone)]
pub struct ArgumentsGenerer {
    /// Répertoire à créer (un sous-dossier par CTG)
    #[arg(value_name = "DIR")]
    pub repertoire: PathBuf,
    /// Nombre total de collectivités
    #[arg(long, value_name = "N", allow_negative_numbers = true)]
    pub collectivites: usize,
    /// Nombre total de structures
    #[arg(long, value_name = "M", allow_negative_numbers = true)]
    pub structures: usize,
    /// Graine du générateur : même graine, mêmes fichiers
    #[arg(long, value_name = "S", allow_negative_numbers = true)]
    pub graine: u64,
    /// Nombre de dossiers (défaut : une CTG pour 20 collectivités)
    #[arg(long, value_name = "D", allow_negative_numbers = true)]
    pub dossiers: Option<usize>,
    /// Écrit dans un répertoire non vide (les fichiers de même nom sont remplacés)
    #[arg(long)]
    pub ecraser: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum BaseArg {
    /// Taux m_eff du premier exercice conservé, revalorisé chaque année
    #[value(name = "figee")]
    Figee,
    /// Enveloppe = versé l'année précédente, relissée sur les unités de l'année
    #[value(name = "glissante")]
    Glissante,
}

#[derive(clap::Args, Debug, Clone)]
pub struct OptionsProjectionArg {
    /// Fichier d'événements (par défaut DOSSIER/evenements.csv s'il existe)
    #[arg(long, value_name = "FICHIER")]
    pub evenements: Option<PathBuf>,
    /// Base pluriannuelle (par défaut le paramètre base_pluriannuelle du barème)
    #[arg(long, value_enum)]
    pub base: Option<BaseArg>,
}

pub(super) fn encodage_de(e: EncodageArg) -> Encodage {
    match e {
        EncodageArg::Auto => Encodage::Auto,
        EncodageArg::Utf8 => Encodage::Utf8,
        EncodageArg::Windows1252 => Encodage::Windows1252,
    }
}

pub(super) fn options(e: &Entree) -> OptionsLecture {
    OptionsLecture {
        encodage: encodage_de(e.encodage),
        bareme: e.bareme.clone(),
    }
}

pub(super) fn nom_bareme(e: &Entree) -> String {
    e.bareme
        .as_ref()
        .map_or("bareme.toml".into(), |p| p.display().to_string())
}

pub(super) fn profil_de(p: ProfilArg) -> Profil {
    match p {
        ProfilArg::ExcelFr => Profil::ExcelFr,
        ProfilArg::Rfc4180 => Profil::Rfc4180,
    }
}

pub(super) fn table_csv(t: Option<TableArg>) -> rapport::csv::TableCsv {
    use rapport::csv::TableCsv as T;
    match t {
        None | Some(TableArg::Structures) => T::Structures,
        Some(TableArg::Gestionnaires) => T::Gestionnaires,
        Some(TableArg::Collectivites) => T::Collectivites,
        Some(TableArg::Rapprochement) => T::Rapprochement,
        Some(TableArg::Totaux) => T::Totaux,
    }
}

pub(super) fn table_projection(
    t: Option<TableProjectionArg>,
) -> rapport::projection::TableProjection {
    use rapport::projection::TableProjection as T;
    match t {
        None | Some(TableProjectionArg::Structures) => T::Structures,
        Some(TableProjectionArg::Totaux) => T::Totaux,
        Some(TableProjectionArg::Trajectoire) => T::Trajectoire,
    }
}
