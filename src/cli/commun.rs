//! What the commands share: reading and computing a dossier (or its projection), choosing
//! the output format, checking and writing the output.

use super::arguments::{
    nom_bareme, options, BaseArg, Entree, Format, FormatSimple, OptionsProjectionArg,
};
use super::messages::{Erreur, Messages};
use crate::diagnostic::{Code, Diagnostics};
use crate::lecture;
use crate::sortie;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// A read dossier, its result and its diagnostics (warnings).
pub type Charge = (lecture::DossierLu, crate::calcul::Resultat, Diagnostics);

/// Reads, validates and computes; shows the diagnostics.
pub fn charger(e: &Entree, m: &Messages) -> Result<Charge, Erreur> {
    charger_nomme(e, m, false)
}

/// [`charger`] for one of several dossiers read together (`comparer`): its messages name
/// its files after it (`dijon/structures.csv`).
pub fn charger_parmi(e: &Entree, m: &Messages) -> Result<Charge, Erreur> {
    charger_nomme(e, m, true)
}

fn charger_nomme(e: &Entree, m: &Messages, parmi: bool) -> Result<Charge, Erreur> {
    let mut diags = Diagnostics::default();
    let nommer = |diags: &mut Diagnostics| {
        if parmi {
            diags.prefixer(&e.dossier.display().to_string(), None);
        }
    };
    let Some(lu) = lecture::lire_dossier(&e.dossier, &options(e), &mut diags) else {
        nommer(&mut diags);
        return Err(m.refus(&e.dossier, &diags));
    };
    match crate::traiter(&lu, e.exercice, &nom_bareme(e)) {
        Ok((r, d)) => {
            diags.extend(d);
            nommer(&mut diags);
            m.diagnostics(&diags);
            Ok((lu, r, diags))
        }
        Err(mut d) => {
            crate::nommer_option_exercice(&mut d, e.exercice);
            diags.extend(d);
            nommer(&mut diags);
            Err(m.refus(&e.dossier, &diags))
        }
    }
}

/// Reads the dossier and its events, projects; shows the diagnostics.
pub fn charger_projection(
    e: &Entree,
    jusqu_a: Option<i32>,
    p: &OptionsProjectionArg,
    m: &Messages,
) -> Result<(crate::projection::Projection, Diagnostics), Erreur> {
    use crate::lecture::tableau::Localisation;
    use crate::projection::evenements;
    let mut diags = Diagnostics::default();
    let lu = lecture::lire_dossier(&e.dossier, &options(e), &mut diags);
    let (lus, source_ev) = match &p.evenements {
        Some(c) => (
            evenements::lire_evenements(c, options(e).encodage, &mut diags),
            Localisation::csv(&c.display().to_string()),
        ),
        None => evenements::evenements_du_dossier(&e.dossier, options(e).encodage, &mut diags),
    };
    let (Some(lu), Some(lus)) = (lu, lus) else {
        return Err(m.refus(&e.dossier, &diags));
    };
    let opts = crate::projection::OptionsProjection {
        exercice: e.exercice,
        jusqu_a,
        base: p.base.map(|b| match b {
            BaseArg::Figee => crate::bareme::BasePluriannuelle::Figee,
            BaseArg::Glissante => crate::bareme::BasePluriannuelle::Glissante,
        }),
    };
    match crate::projection::projeter(&lu, &lus, &opts, &nom_bareme(e), &source_ev) {
        Ok((pr, d)) => {
            diags.extend(d);
            m.diagnostics(&diags);
            Ok((pr, diags))
        }
        Err(d) => {
            diags.extend(d);
            Err(m.refus(&e.dossier, &diags))
        }
    }
}

/// Writes the output: to the `--sortie` file (atomically, see [`sortie::ecrire_fichier`];
/// `lus` are the files read, which it may not be), else to the standard output.
pub fn ecrire(
    sortie: Option<&PathBuf>,
    octets: &[u8],
    ecraser: bool,
    lus: &[PathBuf],
) -> Result<(), Erreur> {
    match sortie {
        Some(p) => Ok(sortie::ecrire_fichier(p, octets, ecraser, lus)?),
        None => afficher(octets),
    }
}

/// Everything the commands print on the standard output goes through here. A reader that
/// stopped reading (`| head -1`: closed pipe) ends the command quietly, with its normal code;
/// any other failure (disk full…) is an error (E080, exit code 1).
pub fn afficher(octets: &[u8]) -> Result<(), Erreur> {
    afficher_avec(|o| std::io::Write::write_all(o, octets))
}

/// [`afficher`] for a text written in pieces by `ecrire` (a large table, never held whole).
pub fn afficher_avec(
    ecrire: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> Result<(), Erreur> {
    let ecrit = {
        // the standard output flushes at each line: a large output is gathered first
        let mut o = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        ecrire(&mut o).and_then(|()| std::io::Write::flush(&mut o))
    };
    match ecrit {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Erreur::message(
            sortie::E_SORTIE_STANDARD,
            format!(
                "sortie standard : écriture impossible : {} (rien ou une partie seulement a été écrit)",
                crate::diagnostic::texte_io(&e)
            ),
        )),
    }
}

/// The files a command may read for dossier `e` (the same-file check of `--sortie`).
pub fn fichiers_lus(e: &Entree) -> Vec<PathBuf> {
    let mut v = fichiers_lus_de(&e.dossier);
    v.extend(e.bareme.clone());
    v
}

/// The files a command may read for the dossier `dossier` (a folder or a workbook), its
/// own path included (a workbook is read itself).
pub fn fichiers_lus_de(dossier: &Path) -> Vec<PathBuf> {
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
    .map(|f| dossier.join(f))
    .collect();
    v.push(dossier.to_path_buf());
    v
}

/// `--sortie` checked before anything is read or computed: only an absent path or a regular
/// file (with `--ecraser`) that is not one of the files read.
pub fn verifier_sortie(
    sortie: Option<&PathBuf>,
    ecraser: bool,
    lus: &[PathBuf],
) -> Result<(), Erreur> {
    if let Some(p) = sortie {
        sortie::verifier_cible(p, ecraser, lus)?;
    }
    Ok(())
}

/// `--sortie DOSSIER/`: a path written with a final `/` (a folder named without it is a
/// file target, refused as not a regular file: never written into by mistake).
pub fn sortie_dossier(sortie: Option<&PathBuf>) -> Option<&Path> {
    sortie.map(PathBuf::as_path).filter(|p| {
        p.as_os_str()
            .to_string_lossy()
            .ends_with(std::path::MAIN_SEPARATOR)
    })
}

/// A folder output holds the CSV tables: any other format, or one `--table`, is a usage
/// error.
pub fn controler_sortie_dossier(
    format: Option<Format>,
    table: bool,
    noms: &[&str],
) -> Result<(), Erreur> {
    if format.is_some_and(|f| f != Format::Csv) || table {
        return Err(Erreur::usage(format!(
            "--sortie DOSSIER/ écrit toutes les tables en CSV ({}) : retirez --table et --format, ou donnez un nom de fichier",
            noms.iter().map(|n| format!("{n}.csv")).collect::<Vec<_>>().join(", ")
        )));
    }
    Ok(())
}

/// `--table` chooses a CSV table: with another format it is a usage error.
/// `--colonnes` chooses the columns of the terminal table only (E170, code 2).
pub fn controler_colonnes(colonnes: bool, format: Format) -> Result<(), Erreur> {
    if colonnes && format != Format::Table {
        return Err(Erreur::usage(format!(
            "--colonnes choisit les colonnes du tableau du terminal : le format {} les contient toutes (retirez --colonnes, ou ajoutez --format table)",
            nom_format(format)
        )));
    }
    Ok(())
}

pub fn controler_table(table: bool, format: Format) -> Result<(), Erreur> {
    if table && format != Format::Csv {
        return Err(Erreur::usage(format!(
            "--table choisit la table d'un fichier CSV : le format {} les contient toutes (ajoutez --format csv, ou retirez --table)",
            nom_format(format)
        )));
    }
    Ok(())
}

/// Writes each table as `DOSSIER/NOM.csv`, rendered by `rendre` as it is written, all
/// together ([`sortie::ecrire_dans_dossier`]: the folder is never a link and is created when
/// missing, every file is checked before any is written, each is complete before the first
/// is put in place).
pub fn ecrire_tables<T: Copy, const N: usize>(
    d: &Path,
    tables: [(&str, T); N],
    rendre: impl Fn(T, &mut dyn std::io::Write) -> IssueRendu,
    ecraser: bool,
    lus: &[PathBuf],
    m: &Messages,
) -> Result<(), Erreur> {
    let noms: Vec<String> = tables.iter().map(|(n, _)| format!("{n}.csv")).collect();
    let noms: Vec<&str> = noms.iter().map(String::as_str).collect();
    let usage = "les tables CSV sont écrites dans un dossier";
    let mut echec = None;
    let ecrit = sortie::ecrire_dans_dossier(d, usage, &noms, ecraser, lus, |k, w| {
        let Some((_, t)) = tables.get(k) else {
            return Ok(());
        };
        rendre(*t, w).unwrap_or_else(|e| {
            echec = Some(e);
            Err(std::io::Error::other("calcul"))
        })
    });
    if let Some(e) = echec {
        return Err(e.into());
    }
    ecrit?;
    m.info(format_args!(
        "{} : {} tables écrites",
        d.display(),
        noms.len()
    ));
    Ok(())
}

/// What a renderer gives: a rendering error (outer), or the outcome of the output (inner).
pub type IssueRendu = crate::calcul::rationnel::R<std::io::Result<()>>;

/// Writes into the file `sortie` (checked as [`ecrire`] does), or on the standard output,
/// what `rendre` renders, as it is rendered: a large output is never held whole in memory.
/// A rendering error leaves the target as it was.
pub fn ecrire_rendu(
    sortie: Option<&PathBuf>,
    ecraser: bool,
    lus: &[PathBuf],
    rendre: impl FnOnce(&mut dyn std::io::Write) -> IssueRendu,
) -> Result<(), Erreur> {
    let mut echec = None;
    let rendre_ou_noter = |w: &mut dyn std::io::Write| {
        rendre(w).unwrap_or_else(|e| {
            echec = Some(e);
            Err(std::io::Error::other("calcul"))
        })
    };
    let ecrit = match sortie {
        Some(p) => sortie::ecrire_fichier_avec(p, ecraser, lus, |w| rendre_ou_noter(w))
            .map_err(Erreur::from),
        None => afficher_avec(|w| rendre_ou_noter(w)),
    };
    match echec {
        Some(e) => Err(e.into()),
        None => ecrit,
    }
}

/// [`choisir_format`] for the commands that write a table, CSV or JSON only.
pub fn choisir_format_simple(
    format: Option<FormatSimple>,
    sortie: Option<&PathBuf>,
) -> Result<FormatSimple, Erreur> {
    let f = format.map(|f| match f {
        FormatSimple::Table => Format::Table,
        FormatSimple::Csv => Format::Csv,
        FormatSimple::Json => Format::Json,
    });
    match choisir_format(f, sortie)? {
        Format::Table => Ok(FormatSimple::Table),
        Format::Csv => Ok(FormatSimple::Csv),
        Format::Json => Ok(FormatSimple::Json),
        autre => Err(Erreur::usage(format!(
            "cette commande écrit un tableau, du CSV ou du JSON, pas de {} : nommez le fichier « .csv », « .json » ou « .txt »",
            nom_format(autre)
        ))),
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
pub fn choisir_format(format: Option<Format>, sortie: Option<&PathBuf>) -> Result<Format, Erreur> {
    let ext = sortie
        .and_then(|p| p.extension())
        .map(|e| e.to_string_lossy().into_owned());
    let par_ext = ext.as_deref().map(format_de_l_extension);
    let format = match (format, par_ext, &ext) {
        (None, None, _) if sortie.is_none() => Format::Table,
        (None, None, _) => {
            return Err(Erreur::usage(format!(
                "--sortie {} : sans extension, le format est inconnu : nommez le fichier {FORMATS_ADMIS}",
                sortie.map_or(String::new(), |p| p.display().to_string())
            )));
        }
        (None, Some(Some(f)), _) => f,
        (_, Some(None), Some(e)) => {
            return Err(Erreur::usage(format!(
                "--sortie : l'extension « .{e} » ne correspond à aucun format de sortie : nommez le fichier {FORMATS_ADMIS}"
            )));
        }
        (Some(f), Some(Some(g)), Some(e)) if f != g => {
            return Err(Erreur::usage(format!(
                "--format {} et --sortie « .{e} » se contredisent : gardez l'un des deux, ou accordez-les (--format {} pour un fichier .{e})",
                nom_format(f),
                nom_format(g)
            )));
        }
        (Some(f), _, _) => f,
        (None, Some(None), None) => Format::Table, // unreachable: an extension was read
    };
    if format == Format::Xlsx && sortie.is_none() && std::io::stdout().is_terminal() {
        return Err(Erreur::usage("le classeur XLSX est un fichier binaire : donnez --sortie FICHIER.xlsx ou redirigez la sortie vers un fichier"));
    }
    Ok(format)
}

/// `ID` unknown to the dossier: E171, naming where it was looked for (`structures.csv`,
/// `dugny.xlsx, feuille « structures »`), with the nearest identifier.
pub fn structure_introuvable<'a>(
    id: &str,
    dans: &str,
    ids: impl Iterator<Item = &'a str>,
) -> Erreur {
    let suggestion = crate::verification::vouliez_vous_dire(id, &mut ids.map(str::to_string));
    Erreur::message(
        Code::E171,
        format!("structure « {id} » introuvable dans {dans}{suggestion}"),
    )
}
