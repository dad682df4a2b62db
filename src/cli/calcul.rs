//! `calculer`, `valider`, `expliquer`, `projeter` and `bareme`: one dossier, one result.

use super::arguments::{
    nom_bareme, options, profil_de, table_csv, table_projection, Entree, Format, FormatExplication,
    OptionsProjectionArg, OptionsSortie, TableArg, TableProjectionArg,
};
use super::commun::{
    afficher, charger, charger_projection, choisir_format, controler_colonnes,
    controler_sortie_dossier, controler_table, ecrire, ecrire_rendu, ecrire_tables, fichiers_lus,
    sortie_dossier, structure_introuvable, verifier_sortie,
};
use super::messages::{Erreur, Fin, Messages};
use super::Contexte;
use crate::calcul::Resultat;
use crate::diagnostic::{Code, Diagnostics};
use crate::{lecture, rapport};
use std::path::PathBuf;

/// A workbook writer's failure (E084: nothing written).
fn classeur_impossible(e: impl std::fmt::Display) -> Erreur {
    Erreur::message(Code::E084, format!("écriture du classeur impossible : {e}"))
}

/// Reads, validates and computes, the structures moved into the result (the dossier as read
/// is not kept: one copy of each structure in memory); shows the diagnostics.
fn charger_resultat(e: &Entree, m: &Messages) -> Result<(Resultat, Diagnostics), Erreur> {
    let mut diags = Diagnostics::default();
    let Some(lu) = lecture::lire_dossier(&e.dossier, &options(e), &mut diags) else {
        return Err(m.refus(&e.dossier, &diags));
    };
    match crate::traiter_dossier(lu, e.exercice, &nom_bareme(e)) {
        Ok((r, d)) => {
            diags.extend(d);
            m.diagnostics(&diags);
            Ok((r, diags))
        }
        Err(mut d) => {
            crate::nommer_option_exercice(&mut d, e.exercice);
            diags.extend(d);
            Err(m.refus(&e.dossier, &diags))
        }
    }
}

/// `calculer DOSSIER`.
pub fn calculer(
    entree: &Entree,
    table: Option<TableArg>,
    colonnes: Option<rapport::table::Colonnes>,
    s: &OptionsSortie<Format>,
    ctx: &Contexte,
) -> Result<Fin, Erreur> {
    let lus = fichiers_lus(entree);
    let profil = profil_de(s.profil);
    if let Some(dossier) = sortie_dossier(s.sortie.as_ref()) {
        let noms = rapport::csv::TableCsv::TOUTES.map(|t| t.nom());
        controler_sortie_dossier(s.format, table.is_some(), &noms)?;
        let (r, _) = charger_resultat(entree, &ctx.m)?;
        let tables = rapport::csv::TableCsv::TOUTES.map(|t| (t.nom(), t));
        let rendre = |t, w: &mut dyn std::io::Write| rapport::csv::ecrire_table(&r, profil, t, w);
        ecrire_tables(dossier, tables, rendre, s.ecraser, &lus, &ctx.m)?;
        return Ok(Fin::Succes);
    }
    verifier_sortie(s.sortie.as_ref(), s.ecraser, &lus)?;
    // a usage error is said before the dossier is read
    let format = choisir_format(s.format, s.sortie.as_ref())?;
    controler_table(table.is_some(), format)?;
    controler_colonnes(colonnes.is_some(), format)?;
    let (r, diags) = charger_resultat(entree, &ctx.m)?;
    let rendu = Rendu {
        r: &r,
        diags: &diags,
        format,
        profil,
        table,
        colonnes: colonnes.unwrap_or_default(),
        largeur: s.largeur,
        couleur: ctx.couleur,
        lus: &lus,
    };
    match (s.sortie.as_ref(), format) {
        (None, Format::Xlsx) => {
            let octets = rapport::xlsx::rendre(&r).map_err(classeur_impossible)?;
            ecrire(None, &octets, s.ecraser, &lus)?
        }
        (Some(chemin), Format::Xlsx) => {
            let mut echec = None;
            let ecrit = crate::sortie::ecrire_fichier_avec(chemin, s.ecraser, &lus, |w| {
                rapport::xlsx::ecrire(&r, w).map_err(|e| {
                    echec = Some(e);
                    std::io::Error::other("classeur")
                })
            });
            if let Some(e) = echec {
                return Err(classeur_impossible(e));
            }
            ecrit?;
        }
        // CSV, JSON, HTML and the table, into a file or on the standard output: written as
        // they are rendered, never held whole in memory
        (sortie, _) => ecrire_rendu(sortie, s.ecraser, &lus, |w| rendu.ecrire(w))?,
    }
    Ok(Fin::Succes)
}

/// A computed dossier and how `calculer` renders it.
struct Rendu<'a> {
    r: &'a Resultat,
    diags: &'a Diagnostics,
    format: Format,
    profil: rapport::Profil,
    table: Option<TableArg>,
    colonnes: rapport::table::Colonnes,
    largeur: Option<u16>,
    couleur: bool,
    lus: &'a [PathBuf],
}

impl Rendu<'_> {
    /// Writes the table, CSV, JSON or HTML into `w` as it is rendered: a rendering error
    /// (not an output error) is the outer `Err`.
    fn ecrire(&self, w: &mut dyn std::io::Write) -> super::commun::IssueRendu {
        let r = self.r;
        match self.format {
            Format::Table => {
                rapport::table::ecrire_colonnes(r, self.largeur, self.couleur, &self.colonnes, w)
            }
            Format::Csv => rapport::csv::ecrire_table(r, self.profil, table_csv(self.table), w),
            Format::Html => rapport::html::ecrire_avec_empreinte(
                r,
                rapport::html::empreinte_fichiers(self.lus).as_deref(),
                w,
            ),
            // a workbook is written by `rapport::xlsx` (see `calculer`), never here
            Format::Json | Format::Xlsx => rapport::json::ecrire(r, self.diags, w),
        }
    }
}

/// `valider DOSSIER`: the summary on the standard output.
pub fn valider(entree: &Entree, ctx: &Contexte) -> Result<Fin, Erreur> {
    let (lu, r, diags) = charger(entree, &ctx.m)?;
    if !ctx.m.silencieux {
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
        )?;
    }
    Ok(Fin::Succes)
}

/// `expliquer`'s output: format, `--sortie`, `--ecraser`.
pub type SortieExplication<'a> = (Option<FormatExplication>, Option<&'a PathBuf>, bool);

/// The format of `expliquer`: the one given, else from the `--sortie` extension (text by
/// default); a contradiction or an unknown extension is a usage error, said before the
/// dossier is read.
fn format_explication(
    format: Option<FormatExplication>,
    sortie: Option<&PathBuf>,
) -> Result<FormatExplication, Erreur> {
    use FormatExplication as F;
    let ext = sortie
        .and_then(|p| p.extension())
        .map(|e| e.to_string_lossy().to_lowercase());
    let par_ext = match ext.as_deref() {
        None => None,
        Some("txt") => Some(F::Texte),
        Some("json") => Some(F::Json),
        Some("html" | "htm") => Some(F::Html),
        Some("xlsx") => Some(F::Xlsx),
        Some(e) => {
            if format.is_none() {
                return Err(Erreur::usage(format!(
                    "--sortie : l'extension « .{e} » ne correspond à aucun format d'explication : nommez le fichier « .txt », « .json », « .html » ou « .xlsx », ou précisez --format texte|json|html|xlsx"
                )));
            }
            None
        }
    };
    let f = match (format, par_ext) {
        (Some(f), Some(g)) if f != g => {
            return Err(Erreur::usage(format!(
                "--format et l'extension de --sortie « .{} » se contredisent : gardez l'un des deux, ou accordez-les",
                ext.unwrap_or_default()
            )));
        }
        (Some(f), _) | (None, Some(f)) => f,
        (None, None) => F::Texte,
    };
    if f == F::Xlsx && sortie.is_none() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        return Err(Erreur::usage("le classeur XLSX est un fichier binaire : donnez --sortie FICHIER.xlsx ou redirigez la sortie vers un fichier"));
    }
    Ok(f)
}

/// `expliquer DOSSIER ID [--annee A]`: text, JSON, HTML or XLSX, on the standard output or
/// in `--sortie FICHIER` (written as `calculer` writes: a regular file only, through a
/// temporary file renamed).
pub fn expliquer(
    entree: &Entree,
    id: &str,
    annee: Option<i32>,
    projection: &OptionsProjectionArg,
    (format, sortie, ecraser): SortieExplication,
    ctx: &Contexte,
) -> Result<Fin, Erreur> {
    use FormatExplication as F;
    let mut lus = fichiers_lus(entree);
    lus.extend(projection.evenements.clone());
    verifier_sortie(sortie, ecraser, &lus)?;
    let format = format_explication(format, sortie)?;
    let xlsx = |r: Result<Option<Vec<u8>>, rapport::explication::xlsx::ErreurXlsx>| {
        r.map_err(classeur_impossible)
    };
    let Some(annee) = annee else {
        if projection.evenements.is_some() || projection.base.is_some() {
            return Err(Erreur::usage("--evenements et --base s'emploient avec --annee (explication d'une année de la projection)"));
        }
        let (lu, r, _) = charger(entree, &ctx.m)?;
        let d = &lu.dossier;
        let ids = d.structures.iter().map(|s| s.id.as_str());
        let id = crate::lecture::texte::id_retrouve(id, ids).unwrap_or(id);
        let octets = match format {
            F::Texte => rapport::explication::expliquer(d, &r, id)?.map(String::into_bytes),
            F::Json => rapport::explication::json(d, &r, id)?.map(String::into_bytes),
            F::Html => rapport::explication::page_html(d, &r, id)?.map(String::into_bytes),
            F::Xlsx => xlsx(rapport::explication::xlsx::classeur(d, &r, id))?,
        };
        return match octets {
            Some(o) => ecrire(sortie, &o, ecraser, &lus).map(|()| Fin::Succes),
            None => Err(structure_introuvable(
                id,
                &lu.localisations.structures.nom(),
                lu.dossier.structures.iter().map(|s| s.id.as_str()),
            )),
        };
    };
    let (pr, _) = charger_projection(entree, None, projection, &ctx.m)?;
    let id = pr
        .annee(annee)
        .and_then(|a| {
            crate::lecture::texte::id_retrouve(id, a.lignes.iter().map(|l| l.id.as_str()))
        })
        .unwrap_or(id);
    let octets = match format {
        F::Texte => rapport::projection::expliquer(&pr, id, annee)?.map(String::into_bytes),
        F::Json => rapport::projection::json_explication(&pr, id, annee)?.map(String::into_bytes),
        F::Html => rapport::projection::html_explication(&pr, id, annee)?.map(String::into_bytes),
        F::Xlsx => xlsx(rapport::projection::xlsx_explication(&pr, id, annee))?,
    };
    match octets {
        Some(o) => ecrire(sortie, &o, ecraser, &lus).map(|()| Fin::Succes),
        None => match pr.annee(annee) {
            None => Err(Erreur::message(
                Code::E171,
                format!(
                    "l'année {annee} n'est pas projetée ({}–{})",
                    pr.premiere, pr.derniere
                ),
            )),
            Some(a) => Err(structure_introuvable(
                id,
                &format!("l'année {annee} de la projection"),
                a.lignes.iter().map(|l| l.id.as_str()),
            )),
        },
    }
}

/// `projeter DOSSIER`.
pub fn projeter(
    entree: &Entree,
    jusqu_a: Option<i32>,
    table: Option<TableProjectionArg>,
    projection: &OptionsProjectionArg,
    s: &OptionsSortie<Format>,
    ctx: &Contexte,
) -> Result<Fin, Erreur> {
    use rapport::projection::TableProjection as T;
    let mut lus = fichiers_lus(entree);
    lus.extend(projection.evenements.clone());
    let profil = profil_de(s.profil);
    if let Some(dossier) = sortie_dossier(s.sortie.as_ref()) {
        let noms = T::TOUTES.map(|t| t.nom());
        controler_sortie_dossier(s.format, table.is_some(), &noms)?;
        let (pr, _) = charger_projection(entree, jusqu_a, projection, &ctx.m)?;
        let tables = T::TOUTES.map(|t| (t.nom(), t));
        let rendre = |t, w: &mut dyn std::io::Write| {
            rapport::projection::ecrire_csv_table(&pr, profil, t, w)
        };
        ecrire_tables(dossier, tables, rendre, s.ecraser, &lus, &ctx.m)?;
        sans_liberer(pr);
        return Ok(Fin::Succes);
    }
    verifier_sortie(s.sortie.as_ref(), s.ecraser, &lus)?;
    let format = choisir_format(s.format, s.sortie.as_ref())?;
    controler_table(table.is_some(), format)?;
    let (pr, diags) = charger_projection(entree, jusqu_a, projection, &ctx.m)?;
    let octets = match format {
        // one row per structure and per year: written as it is rendered
        Format::Csv => {
            let t = table_projection(table);
            ecrire_rendu(s.sortie.as_ref(), s.ecraser, &lus, |w| {
                rapport::projection::ecrire_csv_table(&pr, profil, t, w)
            })?;
            sans_liberer(pr);
            return Ok(Fin::Succes);
        }
        Format::Table => rapport::projection::table(&pr, s.largeur).map(String::into_bytes)?,
        Format::Json => rapport::projection::json(&pr, &diags)?,
        Format::Html => rapport::projection_html::rendre(&pr).map(String::into_bytes)?,
        Format::Xlsx => rapport::projection_xlsx::rendre(&pr).map_err(classeur_impossible)?,
    };
    sans_liberer(pr);
    ecrire(s.sortie.as_ref(), &octets, s.ecraser, &lus)?;
    Ok(Fin::Succes)
}

/// `bareme [--exercice N] [DOSSIER]`: the barème of the dossier (or the built-in one, for
/// this year), rendered by [`rapport::bareme`].
pub fn bareme(
    exercice: Option<i32>,
    dossier: Option<&PathBuf>,
    ctx: &Contexte,
) -> Result<Fin, Erreur> {
    let refus = |d: &Diagnostics| {
        ctx.m.diagnostics(d);
        Erreur::Donnees
    };
    let (bareme, annee) = match dossier {
        Some(d) => {
            let mut diags = Diagnostics::default();
            let lu = crate::lecture::lire_dossier(d, &Default::default(), &mut diags)
                .ok_or_else(|| refus(&diags))?;
            let a = exercice.unwrap_or(lu.dossier.convention.exercice);
            (lu.bareme, a)
        }
        // without a dossier: the barème in force this year
        None => (
            crate::bareme::Bareme::integre().map_err(|d| refus(&d))?,
            exercice.unwrap_or_else(crate::classeur::modele::annee_courante),
        ),
    };
    crate::verifier_annee_exercice(annee).map_err(|mut d| {
        crate::nommer_option_exercice(&mut d, exercice);
        refus(&d)
    })?;
    let texte = rapport::bareme::rendre(&bareme, annee).map_err(|d| refus(&d))?;
    afficher(texte.as_bytes())?;
    Ok(Fin::Succes)
}

/// A projection no longer needed by a command that ends once its output is written: its
/// memory is left to the system, which takes it back whole when the process ends, instead of
/// being freed block by block (one structure and one year at a time: a tenth of the
/// instructions of `projeter` on 10 000 structures over three years).
fn sans_liberer(pr: crate::projection::Projection) {
    std::mem::forget(pr);
}
