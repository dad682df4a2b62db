//! The command line (clap, French help). `principal` returns the exit code, the documented
//! contract: 0 success, 1 invalid data (located messages on stderr) or output not written,
//! 2 usage error.

use crate::bareme::{Bareme, Lu};
use crate::diagnostic::Diagnostics;
use crate::lecture::{self, Encodage, OptionsLecture};
use crate::rapport::{self, Profil};
use crate::sortie;
use clap::{ArgAction, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

/// Messages on the standard error never panic (a closed or full stderr is ignored): this
/// module's `eprintln!` replaces the standard one, which panics when the write fails.
macro_rules! eprintln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

/// `modele` and `exporter`: the workbook dossier.
mod classeur;
/// `notifier`: the notification letters.
pub mod notifier;
/// `serveur`: the web application.
mod serveur;

pub const SUCCES: i32 = 0;
pub const DONNEES_INVALIDES: i32 = 1;
pub const USAGE: i32 = 2;
/// `verifier`: the notification differs from the calculation.
pub const ECARTS: i32 = crate::verification::CODE_ECARTS;

/// `--silencieux`: no warnings nor summaries (errors and requested data only).
static SILENCIEUX: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn silencieux() -> bool {
    SILENCIEUX.load(std::sync::atomic::Ordering::Relaxed)
}

const MODELE_AIDE: &str = "{about}\n\nUtilisation : {usage}\n\n{all-args}{after-help}";

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
    #[arg(long, value_name = "ANNEE")]
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
    #[arg(long, value_name = "N")]
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
        #[arg(long, value_name = "ANNEE")]
        annee: Option<i32>,
        #[command(flatten)]
        projection: OptionsProjectionArg,
        /// texte (défaut) ou json : l'arbre de l'explication (schéma bonus-ctg.explication.v1)
        #[arg(long, value_name = "FORMAT", value_parser = ["texte", "json"], default_value = "texte")]
        format: String,
    },
    /// Projette le bonus année par année jusqu'à la fin de la convention (événements, base, trajectoire)
    #[command(help_template = MODELE_AIDE)]
    Projeter {
        #[command(flatten)]
        entree: Entree,
        /// Dernière année projetée (par défaut l'année de fin de la convention)
        #[arg(long = "jusqu-a", value_name = "ANNEE")]
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
        #[arg(long, value_name = "ANNEE")]
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
    Lot {
        /// Répertoire contenant un sous-dossier par CTG
        #[arg(value_name = "DOSSIERS")]
        dossiers: PathBuf,
        /// Répertoire de sortie, remplacé en entier : consolide.csv, diagnostics.txt et dossiers/NOM.csv (défaut : DOSSIERS-resultats)
        #[arg(long, value_name = "DIR")]
        sortie: Option<PathBuf>,
        /// Format du résultat de chaque dossier (le fichier consolidé est en CSV)
        #[arg(long, value_enum, default_value = "csv")]
        format: FormatLotArg,
        /// Profil CSV
        #[arg(long, value_enum, default_value = "excel-fr")]
        profil: ProfilArg,
        /// Remplace en entier le dossier de résultats d'un lot précédent
        #[arg(long)]
        ecraser: bool,
        /// Exercice calculé (par défaut celui de chaque convention.toml)
        #[arg(long, value_name = "ANNEE")]
        exercice: Option<i32>,
        /// Barème appliqué à tous les dossiers à la place de leur bareme.toml
        #[arg(long, value_name = "FICHIER")]
        bareme: Option<PathBuf>,
        /// Encodage des fichiers CSV
        #[arg(long, value_enum, default_value = "auto")]
        encodage: EncodageArg,
        /// Nombre de fils de calcul (défaut : nombre de cœurs)
        #[arg(long, value_name = "N")]
        fils: Option<usize>,
        /// Affiche la durée de chaque étape et la mémoire maximale sur la sortie d'erreur
        #[arg(long)]
        chrono: bool,
    },
    /// Écrit des dossiers synthétiques réalistes (bancs d'essai, tests à grande échelle)
    #[command(help_template = MODELE_AIDE)]
    Generer {
        /// Répertoire à créer (un sous-dossier par CTG)
        #[arg(value_name = "DIR")]
        repertoire: PathBuf,
        /// Nombre total de collectivités
        #[arg(long, value_name = "N")]
        collectivites: usize,
        /// Nombre total de structures
        #[arg(long, value_name = "M")]
        structures: usize,
        /// Graine du générateur : même graine, mêmes fichiers
        #[arg(long, value_name = "S")]
        graine: u64,
        /// Nombre de dossiers (défaut : une CTG pour 20 collectivités)
        #[arg(long, value_name = "D")]
        dossiers: Option<usize>,
        /// Écrit dans un répertoire non vide (les fichiers de même nom sont remplacés)
        #[arg(long)]
        ecraser: bool,
    },
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
        format: notifier::FormatLettre,
        /// Remplace en entier les lettres d'une exécution précédente
        #[arg(long)]
        ecraser: bool,
    },
    /// Affiche le barème en vigueur avec ses sources
    #[command(help_template = MODELE_AIDE)]
    Bareme {
        /// Exercice (par défaut celui du dossier, sinon l'année en cours)
        #[arg(long, value_name = "ANNEE")]
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
    },
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

fn afficher_diagnostics(d: &Diagnostics, f: FormatErreurs) {
    let mut e = std::io::stderr().lock();
    // beyond the cap (200 errors, 200 warnings), one closing line counts the rest (E027)
    for x in d.0.iter().chain(d.omis().as_ref()) {
        if silencieux() && !x.est_erreur() {
            continue;
        }
        let _ = match f {
            FormatErreurs::Texte => writeln!(e, "{x}"),
            FormatErreurs::Json => writeln!(e, "{}", serde_json::to_string(x).unwrap_or_default()),
        };
    }
}

/// The closing summary line, in text mode only (JSON mode prints JSON lines only).
fn resumer(e: &Entree, d: &Diagnostics, f: FormatErreurs) {
    if f == FormatErreurs::Texte {
        eprintln!("{} : {}", e.dossier.display(), d.resume());
    }
}

fn encodage_de(e: EncodageArg) -> Encodage {
    match e {
        EncodageArg::Auto => Encodage::Auto,
        EncodageArg::Utf8 => Encodage::Utf8,
        EncodageArg::Windows1252 => Encodage::Windows1252,
    }
}

fn options(e: &Entree) -> OptionsLecture {
    OptionsLecture {
        encodage: encodage_de(e.encodage),
        bareme: e.bareme.clone(),
    }
}

fn nom_bareme(e: &Entree) -> String {
    e.bareme
        .as_ref()
        .map_or("bareme.toml".into(), |p| p.display().to_string())
}

/// Reads, validates and computes; prints the diagnostics. `Err(code)` on invalid data.
fn charger(
    e: &Entree,
    fe: FormatErreurs,
) -> Result<(lecture::DossierLu, crate::calcul::Resultat, Diagnostics), i32> {
    let mut diags = Diagnostics::default();
    let Some(lu) = lecture::lire_dossier(&e.dossier, &options(e), &mut diags) else {
        afficher_diagnostics(&diags, fe);
        resumer(e, &diags, fe);
        return Err(DONNEES_INVALIDES);
    };
    match crate::traiter(&lu, e.exercice, &nom_bareme(e)) {
        Ok((r, d)) => {
            diags.extend(d);
            afficher_diagnostics(&diags, fe);
            Ok((lu, r, diags))
        }
        Err(d) => {
            diags.extend(d);
            afficher_diagnostics(&diags, fe);
            resumer(e, &diags, fe);
            Err(DONNEES_INVALIDES)
        }
    }
}

/// Reads the dossier and its events, projects; prints the diagnostics.
fn charger_projection(
    e: &Entree,
    jusqu_a: Option<i32>,
    p: &OptionsProjectionArg,
    fe: FormatErreurs,
) -> Result<(crate::projection::Projection, Diagnostics), i32> {
    let mut diags = Diagnostics::default();
    let lu = lecture::lire_dossier(&e.dossier, &options(e), &mut diags);
    let chemin_ev = p.evenements.clone().or_else(|| {
        let c = e.dossier.join(crate::projection::evenements::FICHIER);
        c.exists().then_some(c)
    });
    let evenements = match &chemin_ev {
        Some(c) => {
            crate::projection::evenements::lire_evenements(c, options(e).encodage, &mut diags)
        }
        // a workbook dossier: its optional `evenements` sheet
        None if e.dossier.is_file() => {
            lecture::classeur::lire_evenements_du_classeur(&e.dossier, &mut diags)
        }
        None => Some(Vec::new()),
    };
    let (Some(lu), Some(evenements)) = (lu, evenements) else {
        afficher_diagnostics(&diags, fe);
        eprintln!("{} : {}", e.dossier.display(), diags.resume());
        return Err(DONNEES_INVALIDES);
    };
    let opts = crate::projection::OptionsProjection {
        exercice: e.exercice,
        jusqu_a,
        base: p.base.map(|b| match b {
            BaseArg::Figee => crate::bareme::BasePluriannuelle::Figee,
            BaseArg::Glissante => crate::bareme::BasePluriannuelle::Glissante,
        }),
    };
    let nom_ev = match &chemin_ev {
        Some(c) => c.display().to_string(),
        None if e.dossier.is_file() => e.dossier.display().to_string(),
        None => crate::projection::evenements::FICHIER.to_string(),
    };
    match crate::projection::projeter(&lu, &evenements, &opts, &nom_bareme(e), &nom_ev) {
        Ok((pr, d)) => {
            diags.extend(d);
            afficher_diagnostics(&diags, fe);
            Ok((pr, diags))
        }
        Err(d) => {
            diags.extend(d);
            afficher_diagnostics(&diags, fe);
            eprintln!("{} : {}", e.dossier.display(), diags.resume());
            Err(DONNEES_INVALIDES)
        }
    }
}

/// Writes the output: to the `--sortie` file (atomically, see [`sortie::ecrire_fichier`];
/// `lus` are the files read, which it may not be), else to the standard output.
fn ecrire(sortie: Option<&PathBuf>, octets: &[u8], ecraser: bool, lus: &[PathBuf]) -> i32 {
    match sortie {
        Some(p) => match sortie::ecrire_fichier(p, octets, ecraser, lus) {
            Ok(()) => SUCCES,
            Err(e) => {
                eprintln!("{e}");
                DONNEES_INVALIDES
            }
        },
        None => afficher(octets),
    }
}

/// Everything the commands print on the standard output goes through here. A reader that
/// stopped reading (`| head -1`: closed pipe) ends the command quietly, with its normal code;
/// any other failure (disk full…) is an error (E080, exit code 1).
fn afficher(octets: &[u8]) -> i32 {
    match sortie::sortie_standard(octets) {
        Ok(()) => SUCCES,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => SUCCES,
        Err(e) => {
            eprintln!(
                "erreur {} : sortie standard : écriture impossible : {} (rien ou une partie seulement a été écrit)",
                sortie::E_SORTIE_STANDARD,
                crate::diagnostic::texte_io(&e)
            );
            DONNEES_INVALIDES
        }
    }
}

/// The files a command may read for dossier `e` (the same-file check of `--sortie`).
fn fichiers_lus(e: &Entree) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = [
        "convention.toml",
        "structures.csv",
        "structures.xlsx",
        "charges_n1.csv",
        "charges_n1.xlsx",
        "dossier.xlsx",
        "bareme.toml",
        crate::projection::evenements::FICHIER,
    ]
    .iter()
    .map(|f| e.dossier.join(f))
    .collect();
    v.push(e.dossier.clone());
    v.extend(e.bareme.clone());
    v
}

/// `--sortie` checked before anything is read or computed: only an absent path or a regular
/// file (with `--ecraser`) that is not one of the files read.
fn verifier_sortie(sortie: Option<&PathBuf>, ecraser: bool, lus: &[PathBuf]) -> Result<(), i32> {
    match sortie.map(|p| sortie::verifier_cible(p, ecraser, lus)) {
        Some(Err(e)) => {
            eprintln!("{e}");
            Err(DONNEES_INVALIDES)
        }
        _ => Ok(()),
    }
}

/// `--sortie DOSSIER/`: a path written with a final `/` (a folder named without it is a
/// file target, refused as not a regular file: never written into by mistake).
fn est_sortie_dossier(sortie: Option<&PathBuf>) -> bool {
    sortie.is_some_and(|p| {
        p.as_os_str()
            .to_string_lossy()
            .ends_with(std::path::MAIN_SEPARATOR)
    })
}

/// A folder output holds the CSV tables: any other format, or one `--table`, is a usage
/// error.
fn controler_sortie_dossier(format: Option<Format>, table: bool, noms: &[&str]) -> Result<(), i32> {
    if format.is_some_and(|f| f != Format::Csv) || table {
        eprintln!(
            "erreur : --sortie DOSSIER/ écrit toutes les tables en CSV ({}) : retirez --table et --format, ou donnez un nom de fichier",
            noms.iter().map(|n| format!("{n}.csv")).collect::<Vec<_>>().join(", ")
        );
        return Err(USAGE);
    }
    Ok(())
}

/// `--table` chooses a CSV table: with another format it is a usage error.
fn controler_table(table: bool, format: Format) -> Result<(), i32> {
    if table && format != Format::Csv {
        eprintln!(
            "erreur : --table choisit la table d'un fichier CSV : le format {} les contient toutes (ajoutez --format csv, ou retirez --table)",
            nom_format(format)
        );
        return Err(USAGE);
    }
    Ok(())
}

fn table_csv(t: Option<TableArg>) -> rapport::csv::TableCsv {
    use rapport::csv::TableCsv as T;
    match t {
        None | Some(TableArg::Structures) => T::Structures,
        Some(TableArg::Gestionnaires) => T::Gestionnaires,
        Some(TableArg::Collectivites) => T::Collectivites,
        Some(TableArg::Rapprochement) => T::Rapprochement,
        Some(TableArg::Totaux) => T::Totaux,
    }
}

fn table_projection(t: Option<TableProjectionArg>) -> rapport::projection::TableProjection {
    use rapport::projection::TableProjection as T;
    match t {
        None | Some(TableProjectionArg::Structures) => T::Structures,
        Some(TableProjectionArg::Totaux) => T::Totaux,
        Some(TableProjectionArg::Trajectoire) => T::Trajectoire,
    }
}

/// Writes each table as `DOSSIER/NOM.csv` (the folder is created when missing); every
/// file is checked before any is written.
fn ecrire_tables<const N: usize>(
    dossier: Option<&std::path::Path>,
    tables: [(&str, crate::calcul::rationnel::R<Vec<u8>>); N],
    ecraser: bool,
    lus: &[PathBuf],
) -> i32 {
    let Some(d) = dossier else {
        return USAGE;
    };
    if let Err(e) = std::fs::create_dir_all(d) {
        eprintln!(
            "erreur E084 : {} : création du dossier impossible : {}",
            d.display(),
            crate::diagnostic::texte_io(&e)
        );
        return DONNEES_INVALIDES;
    }
    let chemins: Vec<PathBuf> = tables
        .iter()
        .map(|(n, _)| d.join(format!("{n}.csv")))
        .collect();
    for c in &chemins {
        if let Err(code) = verifier_sortie(Some(c), ecraser, lus) {
            return code;
        }
    }
    for (c, (_, o)) in chemins.iter().zip(tables) {
        let o = match o {
            Ok(o) => o,
            Err(e) => return depassement(e),
        };
        let code = ecrire(Some(c), &o, ecraser, lus);
        if code != SUCCES {
            return code;
        }
    }
    if !silencieux() {
        eprintln!("{} : {} tables écrites", d.display(), chemins.len());
    }
    SUCCES
}

fn depassement(e: crate::calcul::rationnel::ErreurCalcul) -> i32 {
    eprintln!("erreur {} : {e}", e.code());
    DONNEES_INVALIDES
}

/// The clap command with its English-only decorations removed (values and defaults are
/// written in French in each option's help).
fn commande_fr(c: clap::Command) -> clap::Command {
    c.hide_possible_values(true)
        .mut_args(|a| {
            if a.get_action().takes_values() {
                a.hide_default_value(true)
            } else {
                a
            }
        })
        .mut_subcommands(commande_fr)
}

/// A clap parsing error in French.
fn erreur_usage_fr(e: &clap::Error) -> String {
    use clap::error::{ContextKind, ErrorKind};
    let ctx = |k: ContextKind| e.get(k).map(|v| v.to_string()).unwrap_or_default();
    let m = match e.kind() {
        ErrorKind::MissingRequiredArgument => format!(
            "argument obligatoire manquant : {}",
            ctx(ContextKind::InvalidArg)
        ),
        ErrorKind::InvalidValue => format!(
            "valeur « {} » invalide pour {} (valeurs admises : {})",
            ctx(ContextKind::InvalidValue),
            ctx(ContextKind::InvalidArg),
            ctx(ContextKind::ValidValue)
        ),
        ErrorKind::UnknownArgument => {
            format!("argument inconnu : {}", ctx(ContextKind::InvalidArg))
        }
        ErrorKind::InvalidSubcommand => format!(
            "commande inconnue : {} (commandes : calculer, valider, expliquer, bareme)",
            ctx(ContextKind::InvalidSubcommand)
        ),
        ErrorKind::ValueValidation => format!(
            "valeur invalide pour {} : {}",
            ctx(ContextKind::InvalidArg),
            ctx(ContextKind::InvalidValue)
        ),
        ErrorKind::TooManyValues | ErrorKind::ArgumentConflict => {
            format!(
                "argument en trop ou en conflit : {}",
                ctx(ContextKind::InvalidArg)
            )
        }
        _ => return e.render().to_string(),
    };
    format!("erreur : {m}\n\nPour l'aide : bonus-ctg --help\n")
}

/// Runs the command line; returns the exit code.
pub fn principal() -> i32 {
    let resultat = commande_fr(Cli::command())
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    let cli = match resultat {
        Ok(c) => c,
        Err(e) => {
            if e.use_stderr() {
                eprint!("{}", erreur_usage_fr(&e));
                return USAGE;
            }
            // help or version: on the standard output like the rest
            return afficher(e.render().to_string().as_bytes());
        }
    };
    executer(cli)
}

pub fn executer(cli: Cli) -> i32 {
    let fe = cli.format_erreurs;
    SILENCIEUX.store(cli.silencieux, std::sync::atomic::Ordering::Relaxed);
    let couleur = cli.couleur.active();
    match cli.commande {
        Commande::Calculer {
            entree,
            table,
            sortie:
                OptionsSortie {
                    format,
                    profil,
                    sortie,
                    ecraser,
                    largeur,
                },
        } => {
            let lus = fichiers_lus(&entree);
            if est_sortie_dossier(sortie.as_ref()) {
                let noms = rapport::csv::TableCsv::TOUTES.map(|t| t.nom());
                if let Err(c) = controler_sortie_dossier(format, table.is_some(), &noms) {
                    return c;
                }
                let (_, r, _) = match charger(&entree, fe) {
                    Ok(x) => x,
                    Err(c) => return c,
                };
                let p = profil_de(profil);
                let tables = rapport::csv::TableCsv::TOUTES
                    .map(|t| (t.nom(), rapport::csv::rendre_table(&r, p, t)));
                return ecrire_tables(sortie.as_deref(), tables, ecraser, &lus);
            }
            if let Err(c) = verifier_sortie(sortie.as_ref(), ecraser, &lus) {
                return c;
            }
            // a usage error is said before the dossier is read
            let format = match choisir_format(format, sortie.as_ref()) {
                Ok(f) => f,
                Err(c) => return c,
            };
            if let Err(c) = controler_table(table.is_some(), format) {
                return c;
            }
            let (_, r, diags) = match charger(&entree, fe) {
                Ok(x) => x,
                Err(c) => return c,
            };
            let profil = profil_de(profil);
            let octets = match format {
                Format::Table => {
                    rapport::table::rendre_avec(&r, largeur, couleur).map(String::into_bytes)
                }
                Format::Csv => rapport::csv::rendre_table(&r, profil, table_csv(table)),
                Format::Json => rapport::json::rendre(&r, &diags),
                Format::Html => rapport::html::rendre(&r).map(String::into_bytes),
                Format::Xlsx => match rapport::xlsx::rendre(&r) {
                    Ok(o) => Ok(o),
                    Err(e) => {
                        eprintln!("erreur : {e}");
                        return DONNEES_INVALIDES;
                    }
                },
            };
            match octets {
                Ok(o) => ecrire(sortie.as_ref(), &o, ecraser, &lus),
                Err(e) => depassement(e),
            }
        }
        Commande::Valider { entree } => match charger(&entree, fe) {
            Ok((lu, r, diags)) => {
                if silencieux() {
                    return SUCCES;
                }
                afficher(
                    format!(
                        "{} : dossier valide pour l'exercice {} ({} structures, {} lignes de charge) — {}\n",
                        entree.dossier.display(),
                        r.exercice,
                        lu.dossier.structures.len(),
                        lu.dossier.charges.len(),
                        diags.resume()
                    )
                    .as_bytes(),
                )
            }
            Err(c) => c,
        },
        Commande::Expliquer {
            entree,
            id,
            annee: Some(annee),
            projection,
            format,
        } => {
            let (pr, _) = match charger_projection(&entree, None, &projection, fe) {
                Ok(x) => x,
                Err(c) => return c,
            };
            let explication = if format == "json" {
                rapport::projection::json_explication(&pr, &id, annee)
            } else {
                rapport::projection::expliquer(&pr, &id, annee)
            };
            match explication {
                Ok(Some(t)) => afficher(t.as_bytes()),
                Ok(None) if pr.annee(annee).is_none() => {
                    eprintln!(
                        "erreur : l'année {annee} n'est pas projetée ({}–{})",
                        pr.premiere, pr.derniere
                    );
                    DONNEES_INVALIDES
                }
                Ok(None) => {
                    eprintln!("erreur : structure « {id} » introuvable dans structures.csv");
                    DONNEES_INVALIDES
                }
                Err(e) => depassement(e),
            }
        }
        Commande::Projeter {
            entree,
            jusqu_a,
            table,
            projection,
            sortie:
                OptionsSortie {
                    format,
                    profil,
                    sortie,
                    ecraser,
                    largeur,
                },
        } => {
            let mut lus = fichiers_lus(&entree);
            lus.extend(projection.evenements.clone());
            if est_sortie_dossier(sortie.as_ref()) {
                use rapport::projection::TableProjection as T;
                let noms = T::TOUTES.map(|t| t.nom());
                if let Err(c) = controler_sortie_dossier(format, table.is_some(), &noms) {
                    return c;
                }
                let (pr, _) = match charger_projection(&entree, jusqu_a, &projection, fe) {
                    Ok(x) => x,
                    Err(c) => return c,
                };
                let p = profil_de(profil);
                let tables =
                    T::TOUTES.map(|t| (t.nom(), rapport::projection::csv_table(&pr, p, t)));
                return ecrire_tables(sortie.as_deref(), tables, ecraser, &lus);
            }
            if let Err(c) = verifier_sortie(sortie.as_ref(), ecraser, &lus) {
                return c;
            }
            let format = match choisir_format(format, sortie.as_ref()) {
                Ok(f) => f,
                Err(c) => return c,
            };
            if let Err(c) = controler_table(table.is_some(), format) {
                return c;
            }
            let (pr, diags) = match charger_projection(&entree, jusqu_a, &projection, fe) {
                Ok(x) => x,
                Err(c) => return c,
            };
            let profil = profil_de(profil);
            let octets = match format {
                Format::Table => rapport::projection::table(&pr, largeur).map(String::into_bytes),
                Format::Csv => rapport::projection::csv_table(&pr, profil, table_projection(table)),
                Format::Json => rapport::projection::json(&pr, &diags),
                Format::Html => rapport::projection_html::rendre(&pr).map(String::into_bytes),
                Format::Xlsx => match rapport::projection_xlsx::rendre(&pr) {
                    Ok(o) => Ok(o),
                    Err(e) => {
                        eprintln!("erreur : {e}");
                        return DONNEES_INVALIDES;
                    }
                },
            };
            match octets {
                Ok(o) => ecrire(sortie.as_ref(), &o, ecraser, &lus),
                Err(e) => depassement(e),
            }
        }
        Commande::Expliquer {
            entree,
            id,
            projection,
            format,
            ..
        } => {
            if projection.evenements.is_some() || projection.base.is_some() {
                eprintln!("erreur : --evenements et --base s'emploient avec --annee (explication d'une année de la projection)");
                return USAGE;
            }
            let (lu, r, _) = match charger(&entree, fe) {
                Ok(x) => x,
                Err(c) => return c,
            };
            let explication = if format == "json" {
                rapport::explication::json(&lu.dossier, &r, &id)
            } else {
                rapport::explication::expliquer(&lu.dossier, &r, &id)
            };
            match explication {
                Ok(Some(t)) => afficher(t.as_bytes()),
                Ok(None) => {
                    eprintln!("erreur : structure « {id} » introuvable dans structures.csv");
                    DONNEES_INVALIDES
                }
                Err(e) => depassement(e),
            }
        }
        Commande::Verifier {
            entree,
            notification,
            collectivite,
            gestionnaire,
            sortie:
                OptionsSortie {
                    format,
                    profil,
                    sortie,
                    ecraser,
                    largeur,
                },
        } => {
            let mut lus = fichiers_lus(&entree);
            lus.push(notification.clone());
            if let Err(c) = verifier_sortie(sortie.as_ref(), ecraser, &lus) {
                return c;
            }
            let (lu, r, _) = match charger(&entree, fe) {
                Ok(x) => x,
                Err(c) => return c,
            };
            let mut diags = Diagnostics::default();
            let lignes = crate::verification::lire_notification(
                &notification,
                options(&entree).encodage,
                &mut diags,
            );
            afficher_diagnostics(&diags, fe);
            let Some(lignes) = lignes else {
                eprintln!("{} : {}", notification.display(), diags.resume());
                return DONNEES_INVALIDES;
            };
            let filtre = crate::verification::Filtre {
                collectivite,
                gestionnaire,
            };
            if let Err(m) = crate::verification::controler_filtre(&r, &filtre) {
                eprintln!("erreur : {m}");
                return USAGE;
            }
            let v = match crate::verification::verifier(
                &r,
                &lu.dossier,
                &notification.display().to_string(),
                &lignes,
                &filtre,
            ) {
                Ok(v) => v,
                Err(e) => return depassement(e),
            };
            let code = if v.concorde() { SUCCES } else { ECARTS };
            let format = match choisir_format_simple(format, sortie.as_ref()) {
                Ok(f) => f,
                Err(c) => return c,
            };
            if silencieux() && format == FormatSimple::Table && sortie.is_none() {
                return code;
            }
            let octets = match format {
                FormatSimple::Table => {
                    crate::verification::rendre_table(&v, largeur, couleur).into_bytes()
                }
                FormatSimple::Csv => crate::verification::rendre_csv(&v, profil_de(profil)),
                FormatSimple::Json => crate::verification::rendre_json(&v),
            };
            match ecrire(sortie.as_ref(), &octets, ecraser, &lus) {
                SUCCES => code,
                e => e,
            }
        }
        Commande::Comparer {
            dossier_a,
            dossier_b,
            exercice,
            encodage,
            sortie:
                OptionsSortie {
                    format,
                    profil,
                    sortie,
                    ecraser,
                    largeur,
                },
            tout,
        } => {
            let entree = |d: PathBuf| Entree {
                dossier: d,
                exercice,
                bareme: None,
                encodage,
            };
            let (ea, eb) = (entree(dossier_a), entree(dossier_b));
            let lus: Vec<PathBuf> = fichiers_lus(&ea)
                .into_iter()
                .chain(fichiers_lus(&eb))
                .collect();
            if let Err(c) = verifier_sortie(sortie.as_ref(), ecraser, &lus) {
                return c;
            }
            let (_, ra, _) = match charger(&ea, fe) {
                Ok(x) => x,
                Err(c) => return c,
            };
            let (_, rb, _) = match charger(&eb, fe) {
                Ok(x) => x,
                Err(c) => return c,
            };
            let c = crate::comparaison::comparer(
                &ra,
                &rb,
                &ea.dossier.display().to_string(),
                &eb.dossier.display().to_string(),
            );
            let format = match choisir_format_simple(format, sortie.as_ref()) {
                Ok(f) => f,
                Err(c) => return c,
            };
            let octets = match format {
                FormatSimple::Table => {
                    crate::comparaison::rendre_table(&c, largeur, couleur, tout).into_bytes()
                }
                FormatSimple::Csv => crate::comparaison::rendre_csv(&c, profil_de(profil)),
                FormatSimple::Json => crate::comparaison::rendre_json(&c),
            };
            ecrire(sortie.as_ref(), &octets, ecraser, &lus)
        }
        Commande::Modele {
            fichier,
            depuis,
            encodage,
            ecraser,
        } => classeur::modele(
            &fichier,
            depuis.as_deref(),
            encodage_de(encodage),
            ecraser,
            fe,
        ),
        Commande::Exporter {
            classeur: c,
            vers,
            ecraser,
        } => classeur::exporter(&c, &vers, ecraser, fe),
        Commande::Bareme { exercice, dossier } => afficher_bareme(exercice, dossier, fe),
        Commande::Notifier {
            entree,
            sortie,
            gestionnaire,
            format,
            ecraser,
        } => notifier::notifier(
            &entree,
            &sortie,
            gestionnaire.as_deref(),
            format,
            ecraser,
            fe,
        ),
        Commande::Serveur { adresse, base } => serveur::serveur(&adresse, base.as_deref()),
        Commande::Lot {
            dossiers,
            sortie,
            format,
            profil,
            ecraser,
            exercice,
            bareme,
            encodage,
            fils,
            chrono,
        } => {
            let entree = Entree {
                dossier: dossiers.clone(),
                exercice,
                bareme,
                encodage,
            };
            let defaut = sortie.is_none();
            let o = crate::lot::OptionsLot {
                sortie: sortie.unwrap_or_else(|| crate::lot::sortie_lot_defaut(&dossiers)),
                format: match format {
                    FormatLotArg::Csv => crate::lot::FormatLot::Csv,
                    FormatLotArg::Json => crate::lot::FormatLot::Json,
                },
                profil: profil_de(profil),
                ecraser,
                lecture: options(&entree),
                exercice,
                fils: fils.unwrap_or(0),
            };
            lancer_lot(&dossiers, &o, chrono, fe, defaut)
        }
        Commande::Generer {
            repertoire,
            collectivites,
            structures,
            graine,
            dossiers,
            ecraser,
        } => {
            let p = crate::generation::Parametres {
                collectivites,
                structures,
                graine,
                dossiers,
            };
            match crate::generation::ecrire(&repertoire, &p, ecraser) {
                Ok(b) => afficher(
                    format!(
                        "{} : {} dossiers, {} collectivités, {} structures ({} Ko), graine {graine}\n",
                        repertoire.display(),
                        b.dossiers,
                        b.collectivites,
                        b.structures,
                        b.octets / 1024
                    )
                    .as_bytes(),
                ),
                Err(e) => {
                    eprintln!("{e}");
                    DONNEES_INVALIDES
                }
            }
        }
    }
}

fn lancer_lot(
    dossiers: &std::path::Path,
    o: &crate::lot::OptionsLot,
    chrono: bool,
    fe: FormatErreurs,
    sortie_par_defaut: bool,
) -> i32 {
    use std::io::IsTerminal;
    let mut barre = crate::lot::BarreProgression::new(std::io::stderr().is_terminal());
    let bilan = crate::lot::executer(dossiers, o, &mut |f, t| barre.afficher(f, t));
    barre.terminer();
    let b = match bilan {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            return DONNEES_INVALIDES;
        }
    };
    if sortie_par_defaut && !silencieux() {
        eprintln!(
            "sans --sortie, résultats écrits dans {} (à côté de {})",
            o.sortie.display(),
            dossiers.display()
        );
    }
    // errors in full; warnings counted (all of them are in diagnostics.txt)
    let mut avertissements = (0, 0);
    for i in &b.dossiers {
        let n = i.diagnostics.avertissements().count();
        if n > 0 {
            avertissements = (avertissements.0 + n, avertissements.1 + 1);
        }
        if !i.reussi() {
            afficher_diagnostics(&i.diagnostics, fe);
        }
        if let Some(e) = &i.erreur_ecriture {
            eprintln!("{e}");
        }
        if !i.reussi() {
            eprintln!("{} : dossier ignoré — {}", i.nom, i.diagnostics.resume());
        }
    }
    if avertissements.0 > 0 {
        eprintln!(
            "{} avertissement{} dans {} dossier{} : voir {}",
            avertissements.0,
            if avertissements.0 > 1 { "s" } else { "" },
            avertissements.1,
            if avertissements.1 > 1 { "s" } else { "" },
            o.sortie.join(crate::lot::DIAGNOSTICS).display()
        );
    }
    let echecs: Vec<&str> = b.echecs().map(|i| i.nom.as_str()).collect();
    let resume = format!(
        "{} dossiers : {} calculés, {} en échec{} ; {} structures ; versé Caf {} ; résultats : {}\n",
        b.dossiers.len(),
        b.dossiers.len() - echecs.len(),
        echecs.len(),
        if echecs.is_empty() {
            String::new()
        } else {
            format!(" ({})", echecs.join(", "))
        },
        b.total.structures,
        rapport::groupe_fr(&crate::calcul::rationnel::format_echelle(
            b.total.verse_caf(),
            2
        )) + " €",
        b.consolide.display()
    );
    let affiche = afficher(resume.as_bytes());
    if chrono {
        let c = &b.chrono;
        // integer arithmetic (no floating point in this project): tenths of a millisecond
        let ms = |d: std::time::Duration| {
            let us = d.as_micros();
            format!("{}.{}", us / 1000, us % 1000 / 100)
        };
        let us = |d: std::time::Duration| d.as_micros();
        let somme = us(c.lecture) + us(c.calcul) + us(c.ecriture);
        let pour_mille = (us(c.calcul) * 1000).checked_div(somme).unwrap_or(0);
        let memoire = crate::lot::memoire_max_ko().map_or(String::new(), |k| {
            format!(" ; mémoire maximale {} Mo", k / 1024)
        });
        eprintln!(
            "chrono : mur {} ms ; {} fils ; lecture {} ms, calcul {} ms, écriture {} ms (temps cumulés des fils) ; part du calcul {}.{} %{memoire}",
            ms(c.total),
            b.fils,
            ms(c.lecture),
            ms(c.calcul),
            ms(c.ecriture),
            pour_mille / 10,
            pour_mille % 10
        );
    }
    if !echecs.is_empty() {
        DONNEES_INVALIDES
    } else {
        affiche
    }
}

/// [`choisir_format`] for the commands that write a table, CSV or JSON only.
fn choisir_format_simple(
    format: Option<FormatSimple>,
    sortie: Option<&PathBuf>,
) -> Result<FormatSimple, i32> {
    let f = format.map(|f| match f {
        FormatSimple::Table => Format::Table,
        FormatSimple::Csv => Format::Csv,
        FormatSimple::Json => Format::Json,
    });
    match choisir_format(f, sortie)? {
        Format::Table => Ok(FormatSimple::Table),
        Format::Csv => Ok(FormatSimple::Csv),
        Format::Json => Ok(FormatSimple::Json),
        autre => {
            eprintln!(
                "erreur : cette commande écrit un tableau, du CSV ou du JSON, pas de {} : nommez le fichier « .csv », « .json » ou « .txt »",
                nom_format(autre)
            );
            Err(USAGE)
        }
    }
}

/// The formats a `--sortie` extension names (`.txt`: the table).
fn format_de_l_extension(ext: &str) -> Option<Format> {
    match ext.to_lowercase().as_str() {
        "csv" => Some(Format::Csv),
        "json" => Some(Format::Json),
        "xlsx" => Some(Format::Xlsx),
        "html" | "htm" => Some(Format::Html),
        "txt" => Some(Format::Table),
        _ => None,
    }
}

fn nom_format(f: Format) -> &'static str {
    match f {
        Format::Table => "table",
        Format::Csv => "csv",
        Format::Json => "json",
        Format::Xlsx => "xlsx",
        Format::Html => "html",
    }
}

const FORMATS_ADMIS: &str =
    "« .csv », « .json », « .xlsx », « .html » ou « .txt » (tableau), ou précisez --format table|csv|json|xlsx|html";

/// The output format: the one given, else from the `--sortie` extension (table when there is
/// no `--sortie`). An extension that names no format, or another format than `--format`, is a
/// usage error: a file named `r.pdf` never receives a text table. A binary workbook is not
/// written to a terminal (usage error).
fn choisir_format(format: Option<Format>, sortie: Option<&PathBuf>) -> Result<Format, i32> {
    let ext = sortie
        .and_then(|p| p.extension())
        .map(|e| e.to_string_lossy().into_owned());
    let par_ext = ext.as_deref().map(format_de_l_extension);
    let format = match (format, par_ext, &ext) {
        (None, None, _) if sortie.is_none() => Format::Table,
        (None, None, _) => {
            eprintln!(
                "erreur : --sortie {} : sans extension, le format est inconnu : nommez le fichier {FORMATS_ADMIS}",
                sortie.map_or(String::new(), |p| p.display().to_string())
            );
            return Err(USAGE);
        }
        (None, Some(Some(f)), _) => f,
        (_, Some(None), Some(e)) => {
            eprintln!(
                "erreur : --sortie : l'extension « .{e} » ne correspond à aucun format de sortie : nommez le fichier {FORMATS_ADMIS}"
            );
            return Err(USAGE);
        }
        (Some(f), Some(Some(g)), Some(e)) if f != g => {
            eprintln!(
                "erreur : --format {} et --sortie « .{e} » se contredisent : gardez l'un des deux, ou accordez-les (--format {} pour un fichier .{e})",
                nom_format(f),
                nom_format(g)
            );
            return Err(USAGE);
        }
        (Some(f), _, _) => f,
        (None, Some(None), None) => Format::Table, // unreachable: an extension was read
    };
    if format == Format::Xlsx && sortie.is_none() && std::io::stdout().is_terminal() {
        eprintln!("erreur : le classeur XLSX est un fichier binaire : donnez --sortie FICHIER.xlsx ou redirigez la sortie vers un fichier");
        return Err(USAGE);
    }
    Ok(format)
}

fn profil_de(p: ProfilArg) -> Profil {
    match p {
        ProfilArg::ExcelFr => Profil::ExcelFr,
        ProfilArg::Rfc4180 => Profil::Rfc4180,
    }
}

fn afficher_bareme(exercice: Option<i32>, dossier: Option<PathBuf>, fe: FormatErreurs) -> i32 {
    let mut diags = Diagnostics::default();
    let (bareme, annee) = match &dossier {
        Some(d) => match lecture::lire_dossier(d, &OptionsLecture::default(), &mut diags) {
            Some(lu) => {
                let a = exercice.unwrap_or(lu.dossier.convention.exercice);
                (lu.bareme, a)
            }
            None => {
                afficher_diagnostics(&diags, fe);
                return DONNEES_INVALIDES;
            }
        },
        None => match Bareme::integre() {
            Ok(b) => {
                // without a dossier: the barème in force this year
                let a = exercice.unwrap_or_else(crate::classeur::modele::annee_courante);
                (b, a)
            }
            Err(d) => {
                afficher_diagnostics(&d, fe);
                return DONNEES_INVALIDES;
            }
        },
    };
    let be = match bareme.pour_exercice(annee, "bareme.toml") {
        Ok(b) => b,
        Err(d) => {
            afficher_diagnostics(&d, fe);
            return DONNEES_INVALIDES;
        }
    };
    let mut o = String::new();
    o.push_str(&format!(
        "Barème en vigueur pour l'exercice {annee} (valeurs au 1er janvier {annee})\n\n"
    ));
    fn ligne<T>(o: &mut String, nom: &str, l: &Lu<T>, v: String) {
        match &l.source {
            Some(s) => o.push_str(&format!(
                "  {nom} = {v}\n      depuis le {} — {} — {}\n      fichier : {}\n",
                rapport::lettre::date_fr(s.debut),
                s.statut.libelle(),
                s.reference,
                s.origine
            )),
            None => o.push_str(&format!(
                "  {nom} = {v}\n      absent du barème : valeur neutre par défaut\n"
            )),
        }
    }
    ligne(
        &mut o,
        "nombre_tranches",
        &be.nombre_tranches,
        be.nombre_tranches.valeur.to_string(),
    );
    ligne(
        &mut o,
        "ajustement_contribution",
        &be.ajustement_contribution,
        format!("{:?}", be.ajustement_contribution.valeur).to_lowercase(),
    );
    ligne(
        &mut o,
        "arrondi",
        &be.arrondi,
        match be.arrondi.valeur {
            crate::bareme::Arrondi::DemiHaut => "demi-haut".into(),
            crate::bareme::Arrondi::Troncature => "troncature".into(),
        },
    );
    let base = bareme.base_pour(annee);
    ligne(
        &mut o,
        "base_pluriannuelle",
        &base,
        base.valeur.code().into(),
    );
    match bareme.trajectoire_pour(annee, "bareme.toml") {
        Ok(Some(t)) => {
            o.push_str("\nBonus trajectoire de développement\n");
            ligne(&mut o, "volet", &t.volet, t.volet.valeur.clone());
            ligne(
                &mut o,
                "annee_reference",
                &t.annee_reference,
                t.annee_reference.valeur.to_string(),
            );
            ligne(
                &mut o,
                "seuils",
                &t.seuils,
                format!(
                    "[{}]",
                    t.seuils
                        .valeur
                        .iter()
                        .map(|x| x.to_string())
                        .collect::<Vec<_>>()
                        .join(" ; ")
                ),
            );
            ligne(
                &mut o,
                "montants",
                &t.montants,
                format!(
                    "[{}]",
                    t.montants
                        .valeur
                        .iter()
                        .map(|m| rapport::montant_fr(*m))
                        .collect::<Vec<_>>()
                        .join(" ; ")
                ),
            );
        }
        Ok(None) => o.push_str(&format!(
            "\nBonus trajectoire de développement : aucun en {annee}\n"
        )),
        Err(d) => {
            afficher_diagnostics(&d, fe);
            return DONNEES_INVALIDES;
        }
    }
    for v in be.volets.values() {
        o.push_str(&format!("\nVolet {}\n", v.nom));
        ligne(
            &mut o,
            "types",
            &v.types,
            v.types
                .valeur
                .iter()
                .map(|t| t.code())
                .collect::<Vec<_>>()
                .join(", "),
        );
        ligne(
            &mut o,
            "financement",
            &v.financement,
            v.financement.valeur.as_ref().map_or("tous".into(), |l| {
                l.iter().map(|f| f.code()).collect::<Vec<_>>().join(", ")
            }),
        );
        ligne(&mut o, "unite", &v.unite, v.unite.valeur.clone());
        ligne(
            &mut o,
            "versement",
            &v.versement,
            format!("{:?}", v.versement.valeur).to_lowercase(),
        );
        ligne(
            &mut o,
            "forfaits_nouvelles",
            &v.forfaits_nouvelles,
            format!(
                "[{}]",
                v.forfaits_nouvelles
                    .valeur
                    .iter()
                    .map(|m| rapport::montant_fr(*m))
                    .collect::<Vec<_>>()
                    .join(" ; ")
            ),
        );
        ligne(
            &mut o,
            "plancher",
            &v.plancher,
            rapport::parametres::texte_plancher(&v.plancher.valeur, &v.unite.valeur),
        );
        ligne(
            &mut o,
            "revalorisation",
            &v.revalorisation,
            rapport::parametres::texte_revalorisation(&v.revalorisation.valeur),
        );
        ligne(
            &mut o,
            "plafond_developpement",
            &v.plafond_developpement,
            v.plafond_developpement
                .valeur
                .map_or("aucun".into(), |p| p.to_string()),
        );
        ligne(
            &mut o,
            "plafond_base",
            &v.plafond_base,
            rapport::parametres::texte_plafond_base(v.plafond_base.valeur).into(),
        );
    }
    // history, superseded values included (OpenFisca style: never deleted)
    o.push_str("\nHistorique des valeurs remplacées ou à venir : voir `src/bareme_defaut.toml` et docs/bareme.md\n");
    for (nom, vb) in &bareme.volets {
        for (p, vals) in [
            (
                "plancher",
                vb.plancher
                    .valeurs
                    .iter()
                    .map(|v| {
                        (
                            v.debut,
                            v.remplacee,
                            v.origine.clone(),
                            rapport::parametres::texte_plancher(&v.valeur, "unité"),
                        )
                    })
                    .collect::<Vec<_>>(),
            ),
            (
                "forfaits_nouvelles",
                vb.forfaits_nouvelles
                    .valeurs
                    .iter()
                    .map(|v| {
                        (
                            v.debut,
                            v.remplacee,
                            v.origine.clone(),
                            format!(
                                "{:?}",
                                v.valeur.iter().map(|m| m.to_string()).collect::<Vec<_>>()
                            ),
                        )
                    })
                    .collect(),
            ),
        ] {
            for (debut, remplacee, origine, val) in vals {
                o.push_str(&format!(
                    "  volets.{nom}.{p} depuis le {debut} : {val}{} ({origine})\n",
                    if remplacee { " [remplacée]" } else { "" }
                ));
            }
        }
    }
    afficher(o.as_bytes())
}
