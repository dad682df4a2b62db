//! The command line (clap, French help). `principal` returns the exit code, the documented
//! contract: 0 success, 1 invalid data (located messages on stderr) or output not written,
//! 2 usage error.

use crate::bareme::{Bareme, Lu};
use crate::diagnostic::Diagnostics;
use crate::lecture::{self, Encodage, OptionsLecture};
use crate::rapport::{self, Profil};
use crate::sortie;
use clap::{ArgAction, Parser, Subcommand, ValueEnum};
use std::io::Write;
use std::path::PathBuf;

pub const SUCCES: i32 = 0;
pub const DONNEES_INVALIDES: i32 = 1;
pub const USAGE: i32 = 2;

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
    after_help = "Codes de sortie : 0 succès ; 1 données invalides (messages localisés) ; 2 erreur d'utilisation."
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
    /// Format des erreurs et avertissements sur la sortie d'erreur
    #[arg(
        long = "format-erreurs",
        value_enum,
        default_value = "texte",
        global = true
    )]
    pub format_erreurs: FormatErreurs,
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
    /// Encodage des fichiers CSV
    #[arg(long, value_enum, default_value = "auto")]
    pub encodage: EncodageArg,
}

#[derive(Subcommand, Debug)]
pub enum Commande {
    /// Calcule le bonus par structure, les contributions et le rapprochement
    #[command(help_template = MODELE_AIDE)]
    Calculer {
        #[command(flatten)]
        entree: Entree,
        /// Format de sortie
        #[arg(long, value_enum)]
        format: Option<Format>,
        /// Profil CSV
        #[arg(long, value_enum, default_value = "excel-fr")]
        profil: ProfilArg,
        /// Fichier de sortie (écrit dans un fichier temporaire puis renommé)
        #[arg(long, value_name = "FICHIER")]
        sortie: Option<PathBuf>,
        /// Remplace le fichier de sortie s'il existe
        #[arg(long)]
        ecraser: bool,
        /// Largeur du tableau en colonnes de terminal
        #[arg(long, value_name = "N")]
        largeur: Option<u16>,
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
    },
    /// Affiche le barème en vigueur avec ses sources
    #[command(help_template = MODELE_AIDE)]
    Bareme {
        /// Exercice (par défaut celui du dossier, sinon l'année en cours du barème le plus récent)
        #[arg(long, value_name = "ANNEE")]
        exercice: Option<i32>,
        /// Dossier dont le bareme.toml surcharge le barème intégré
        #[arg(value_name = "DOSSIER")]
        dossier: Option<PathBuf>,
    },
}

fn afficher_diagnostics(d: &Diagnostics, f: FormatErreurs) {
    let mut e = std::io::stderr().lock();
    // beyond the cap (200 errors, 200 warnings), one closing line counts the rest (E027)
    for x in d.0.iter().chain(d.omis().as_ref()) {
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

fn options(e: &Entree) -> OptionsLecture {
    OptionsLecture {
        encodage: match e.encodage {
            EncodageArg::Auto => Encodage::Auto,
            EncodageArg::Utf8 => Encodage::Utf8,
            EncodageArg::Windows1252 => Encodage::Windows1252,
        },
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

fn ecrire(sortie: Option<&PathBuf>, octets: &[u8], ecraser: bool) -> i32 {
    match sortie {
        Some(p) => match sortie::ecrire_atomique(p, octets, ecraser) {
            Ok(()) => SUCCES,
            Err(e) => {
                eprintln!("erreur : {}", e.0);
                DONNEES_INVALIDES
            }
        },
        None => {
            let mut o = std::io::stdout().lock();
            // a closed pipe (`| head`) is not an error of ours
            let _ = o.write_all(octets).and_then(|_| o.flush());
            SUCCES
        }
    }
}

fn depassement(e: crate::calcul::rationnel::Depassement) -> i32 {
    eprintln!("erreur E023 : {e}");
    DONNEES_INVALIDES
}

/// Runs the command line; returns the exit code.
pub fn principal() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { USAGE } else { SUCCES };
        }
    };
    executer(cli)
}

pub fn executer(cli: Cli) -> i32 {
    let fe = cli.format_erreurs;
    match cli.commande {
        Commande::Calculer {
            entree,
            format,
            profil,
            sortie,
            ecraser,
            largeur,
        } => {
            let (_, r, diags) = match charger(&entree, fe) {
                Ok(x) => x,
                Err(c) => return c,
            };
            let format = format.unwrap_or_else(|| {
                match sortie
                    .as_ref()
                    .and_then(|p| p.extension())
                    .and_then(|e| e.to_str())
                {
                    Some("csv") => Format::Csv,
                    Some("json") => Format::Json,
                    _ => Format::Table,
                }
            });
            let profil = match profil {
                ProfilArg::ExcelFr => Profil::ExcelFr,
                ProfilArg::Rfc4180 => Profil::Rfc4180,
            };
            let octets = match format {
                Format::Table => rapport::table::rendre(&r, largeur).map(String::into_bytes),
                Format::Csv => rapport::csv::rendre(&r, profil),
                Format::Json => rapport::json::rendre(&r, &diags),
            };
            match octets {
                Ok(o) => ecrire(sortie.as_ref(), &o, ecraser),
                Err(e) => depassement(e),
            }
        }
        Commande::Valider { entree } => match charger(&entree, fe) {
            Ok((lu, r, diags)) => {
                println!(
                    "{} : dossier valide pour l'exercice {} ({} structures, {} lignes de charge) — {}",
                    entree.dossier.display(),
                    r.exercice,
                    lu.dossier.structures.len(),
                    lu.dossier.charges.len(),
                    diags.resume()
                );
                SUCCES
            }
            Err(c) => c,
        },
        Commande::Expliquer { entree, id } => {
            let (lu, r, _) = match charger(&entree, fe) {
                Ok(x) => x,
                Err(c) => return c,
            };
            match rapport::explication::expliquer(&lu.dossier, &r, &id) {
                Ok(Some(t)) => ecrire(None, t.as_bytes(), false),
                Ok(None) => {
                    eprintln!("erreur : structure « {id} » introuvable dans structures.csv");
                    DONNEES_INVALIDES
                }
                Err(e) => depassement(e),
            }
        }
        Commande::Bareme { exercice, dossier } => afficher_bareme(exercice, dossier, fe),
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
                let a = exercice.unwrap_or_else(|| {
                    b.volets
                        .values()
                        .flat_map(|v| v.forfaits_nouvelles.valeurs.iter().map(|x| x.debut.annee))
                        .max()
                        .unwrap_or(2025)
                });
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
                "  {nom} = {v}\n      depuis le {} — statut {} — {}\n      fichier : {}\n",
                s.debut, s.statut, s.reference, s.origine
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
            rapport::montant_fr(v.plancher.valeur),
        );
        ligne(
            &mut o,
            "revalorisation",
            &v.revalorisation,
            v.revalorisation.valeur.to_string(),
        );
        ligne(
            &mut o,
            "plafond_developpement",
            &v.plafond_developpement,
            v.plafond_developpement
                .valeur
                .map_or("aucun".into(), |p| p.to_string()),
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
                            rapport::montant_fr(v.valeur),
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
    ecrire(None, o.as_bytes(), false)
}
