//! The command line. [`principal`] returns the exit code, the documented contract: 0
//! success, 1 invalid data (located messages on stderr) or output not written, 2 usage
//! error, 3 differences found by `verifier`.
//!
//! Layout: `arguments` (clap, French help) → [`executer`], the one dispatcher → one module
//! per family of commands, each returning `Result<Fin, Erreur>`; everything said on the
//! standard error goes through [`messages::Messages`] (text or JSON, `--format-erreurs`).

/// The commands, their options (clap) and their conversions.
mod arguments;
/// `calculer`, `valider`, `expliquer`, `projeter`, `bareme`.
mod calcul;
/// `modele` and `exporter`: the workbook dossier.
mod classeur;
/// What the commands share: reading a dossier, choosing and writing the output.
mod commun;
/// `verifier` and `comparer`.
mod controle;
/// `lot` and `generer`.
mod lot;
/// The standard error: diagnostics, summaries, the error a command ends with.
pub mod messages;
/// `notifier`: the notification letters.
pub mod notifier;
/// `serveur`: the web application.
mod serveur;

pub use arguments::{
    ArgumentsGenerer, ArgumentsLot, BaseArg, Cli, Commande, Couleur, EncodageArg, Entree, Format,
    FormatErreurs, FormatLotArg, FormatSimple, OptionsProjectionArg, OptionsSortie, ProfilArg,
    TableArg, TableProjectionArg,
};
pub use messages::{Erreur, Fin, DONNEES_INVALIDES, ECARTS, SUCCES, USAGE};

use clap::{CommandFactory, FromArgMatches};
use messages::Messages;

/// What every command is given besides its arguments.
pub struct Contexte {
    pub m: Messages,
    /// Colours on the standard output (`--couleur`).
    pub couleur: bool,
}

/// Runs the command line; returns the exit code.
pub fn principal() -> i32 {
    let resultat = commande_fr(Cli::command())
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m));
    match resultat {
        Ok(cli) => executer(cli),
        // help or version: on the standard output like the rest
        Err(e) if !e.use_stderr() => {
            match commun::afficher(aide_fr(&e.render().to_string()).as_bytes()) {
                Ok(()) => SUCCES,
                Err(x) => terminer(Err(x), &messages_sans_cli()),
            }
        }
        Err(e) => terminer(Err(erreur_usage_fr(&e)), &messages_sans_cli()),
    }
}

/// Runs a parsed command line; returns the exit code.
pub fn executer(cli: Cli) -> i32 {
    let ctx = Contexte {
        m: Messages {
            format: cli.format_erreurs,
            silencieux: cli.silencieux,
        },
        couleur: cli.couleur.active(),
    };
    terminer(dispatcher(cli.commande, &ctx), &ctx.m)
}

/// The one place where a run ends: its error said, its exit code.
fn terminer(r: Result<Fin, Erreur>, m: &Messages) -> i32 {
    match r {
        Ok(fin) => fin.code(),
        Err(e) => {
            m.erreur(&e);
            e.code_de_sortie()
        }
    }
}

/// Each command to its module.
fn dispatcher(c: Commande, ctx: &Contexte) -> Result<Fin, Erreur> {
    match c {
        Commande::Calculer {
            entree,
            table,
            colonnes,
            sortie,
        } => calcul::calculer(&entree, table, colonnes, &sortie, ctx),
        Commande::Valider { entree } => calcul::valider(&entree, ctx),
        Commande::Expliquer {
            entree,
            id,
            annee,
            projection,
            format,
            sortie,
            ecraser,
        } => calcul::expliquer(
            &entree,
            &id,
            annee,
            &projection,
            (format, sortie.as_ref(), ecraser),
            ctx,
        ),
        Commande::Projeter {
            entree,
            jusqu_a,
            table,
            projection,
            sortie,
        } => calcul::projeter(&entree, jusqu_a, table, &projection, &sortie, ctx),
        Commande::Bareme { exercice, dossier } => calcul::bareme(exercice, dossier.as_ref(), ctx),
        Commande::Verifier {
            entree,
            notification,
            collectivite,
            gestionnaire,
            sortie,
        } => controle::verifier(
            &entree,
            &notification,
            collectivite,
            gestionnaire,
            &sortie,
            ctx,
        ),
        Commande::Comparer {
            dossier_a,
            dossier_b,
            exercice,
            encodage,
            sortie,
            tout,
        } => controle::comparer(
            [&dossier_a, &dossier_b],
            exercice,
            encodage,
            &sortie,
            tout,
            ctx,
        ),
        Commande::Modele {
            fichier,
            depuis,
            encodage,
            ecraser,
        } => classeur::modele(
            &fichier,
            depuis.as_deref(),
            arguments::encodage_de(encodage),
            ecraser,
            &ctx.m,
        ),
        Commande::Exporter {
            classeur: c,
            vers,
            ecraser,
        } => classeur::exporter(&c, &vers, ecraser, &ctx.m),
        Commande::Notifier {
            entree,
            sortie,
            gestionnaire,
            format,
            lieu,
            date,
            ecraser,
        } => notifier::notifier(
            &entree,
            &sortie,
            gestionnaire.as_deref(),
            (format, lieu.as_deref(), date.as_deref()),
            ecraser,
            &ctx.m,
        ),
        Commande::Serveur {
            adresse,
            base,
            mot_de_passe_fichier,
            sans_authentification,
            creer_mot_de_passe,
        } => serveur::serveur(
            serveur::OptionsServeur {
                adresse: &adresse,
                base: base.as_deref(),
                mot_de_passe_fichier: mot_de_passe_fichier.as_deref(),
                sans_authentification,
                creer_mot_de_passe: creer_mot_de_passe.as_deref(),
            },
            &ctx.m,
        ),
        Commande::Lot(a) => lot::lot(a, ctx),
        Commande::Generer(a) => lot::generer(&a),
    }
}

/// Before the command line is parsed (a usage error): `--format-erreurs json` is looked for
/// in the arguments as written.
fn messages_sans_cli() -> Messages {
    let args: Vec<String> = std::env::args().collect();
    let json = args.iter().enumerate().any(|(i, a)| {
        a == "--format-erreurs=json"
            || (a == "--format-erreurs" && args.get(i + 1).is_some_and(|v| v == "json"))
    });
    Messages {
        format: if json {
            FormatErreurs::Json
        } else {
            FormatErreurs::Texte
        },
        silencieux: false,
    }
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

/// The help as clap renders it, with French typography: a space before the colon of the
/// headings (`Commandes :`, `Options :`, `Arguments :`) and of `[alias : …]`.
fn aide_fr(aide: &str) -> String {
    let mut o = String::with_capacity(aide.len() + 16);
    for l in aide.split_inclusive('\n') {
        let (corps, fin) = match l.strip_suffix('\n') {
            Some(c) => (c, "\n"),
            None => (l, ""),
        };
        match corps.strip_suffix(':') {
            Some(titre) if ["Commandes", "Options", "Arguments"].contains(&titre) => {
                o.push_str(titre);
                o.push_str(" :");
            }
            _ => o.push_str(&corps.replace("[alias: ", "[alias : ")),
        }
        o.push_str(fin);
    }
    o
}

/// The names of every command, as the help lists them.
fn commandes() -> String {
    Cli::command()
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A clap parsing error in French (E170).
fn erreur_usage_fr(e: &clap::Error) -> Erreur {
    use clap::error::{ContextKind, ErrorKind};
    let ctx = |k: ContextKind| e.get(k).map(|v| v.to_string()).unwrap_or_default();
    let m = match e.kind() {
        ErrorKind::MissingRequiredArgument => format!(
            "argument obligatoire manquant : {}",
            ctx(ContextKind::InvalidArg)
        ),
        ErrorKind::InvalidValue if ctx(ContextKind::ValidValue).is_empty() => format!(
            "valeur vide pour {} : donnez une valeur après l'option",
            ctx(ContextKind::InvalidArg)
        ),
        ErrorKind::InvalidValue => format!(
            "valeur « {} » invalide pour {} (valeurs admises : {})",
            ctx(ContextKind::InvalidValue),
            ctx(ContextKind::InvalidArg),
            ctx(ContextKind::ValidValue)
        ),
        ErrorKind::UnknownArgument => {
            let a = ctx(ContextKind::InvalidArg);
            if a.starts_with('-') {
                format!("argument inconnu : {a}")
            } else {
                // a value no position is left for: a second dossier, a path cut at a space
                format!(
                    "argument en trop : {a} (la commande attend moins de valeurs ; un chemin qui contient des espaces s'écrit entre guillemets)"
                )
            }
        }
        ErrorKind::InvalidSubcommand => {
            let inconnue = ctx(ContextKind::InvalidSubcommand);
            // a suggestion only for a near miss (`calculr`), not for any word
            let noms = Cli::command()
                .get_subcommands()
                .map(|c| c.get_name().to_string())
                .filter(|n| strsim::levenshtein(n, &inconnue) <= 2)
                .collect::<Vec<_>>();
            format!(
                "commande inconnue : {inconnue}{} (commandes : {})",
                crate::verification::vouliez_vous_dire(&inconnue, &mut noms.into_iter()),
                commandes()
            )
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            format!("commande manquante (commandes : {})", commandes())
        }
        ErrorKind::ValueValidation => {
            use std::error::Error as _;
            let raison = match e.source() {
                Some(s) => match s
                    .downcast_ref::<std::num::ParseIntError>()
                    .map(|p| p.kind())
                {
                    Some(std::num::IntErrorKind::PosOverflow) => " (nombre trop grand)".to_string(),
                    Some(_) => " (un nombre entier positif est attendu)".to_string(),
                    None => match s.to_string().split_once(" is not in ") {
                        // clap's range check, in English: « 70000 is not in 0..=65535 »
                        Some((_, plage)) => match plage.split_once("..=") {
                            Some((min, max)) => format!(" (nombre attendu entre {min} et {max})"),
                            None => format!(" (nombre attendu dans {plage})"),
                        },
                        None => format!(" ({s})"),
                    },
                },
                None => String::new(),
            };
            format!(
                "valeur invalide pour {} : « {} »{raison}",
                ctx(ContextKind::InvalidArg),
                ctx(ContextKind::InvalidValue)
            )
        }
        ErrorKind::TooManyValues | ErrorKind::ArgumentConflict => {
            format!(
                "argument en trop ou en conflit : {}",
                ctx(ContextKind::InvalidArg)
            )
        }
        _ => {
            let texte = e.render().to_string();
            let texte = texte.trim().trim_start_matches("error: ");
            format!("ligne de commande invalide : {texte}")
        }
    };
    Erreur::usage(m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aide_a_la_francaise() {
        let a = aide_fr("Titre\n\nCommandes:\n  calculer\n\nOptions:\n  -q  [alias: --quiet]\n");
        assert_eq!(
            a,
            "Titre\n\nCommandes :\n  calculer\n\nOptions :\n  -q  [alias : --quiet]\n"
        );
    }

    #[test]
    fn commandes_toutes_nommees() {
        let c = commandes();
        for n in [
            "calculer",
            "valider",
            "expliquer",
            "projeter",
            "verifier",
            "comparer",
            "lot",
            "generer",
            "modele",
            "exporter",
            "notifier",
            "bareme",
            "serveur",
        ] {
            assert!(c.contains(n), "{n} : {c}");
        }
    }
}
