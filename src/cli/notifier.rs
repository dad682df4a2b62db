//! `bonus-ctg notifier DOSSIER --sortie DIR`: the notification letters (one per
//! gestionnaire, one recap per collectivité), as PDF or standalone HTML files.
//!
//! DIR is replaced as a whole, as `lot` does: every letter is written (through
//! [`sortie::ecrire_atomique`]) into a hidden sibling folder `.DIR.PID.nouveau`, which then
//! takes DIR's place in one step. DIR may only be absent, empty, or hold letters of an
//! earlier run (`.pdf` and `.html` files; replaced with `--ecraser`).

use super::arguments::Entree;
use super::commun::{charger, fichiers_lus};
use super::messages::{Erreur, Fin, Messages};
use crate::diagnostic::Code;
use crate::rapport::lettre::{self, Genre, Selection};
use crate::sortie::{self, ErreurEcriture};
use clap::ValueEnum;
use std::path::{Path, PathBuf};

/// The gestionnaire given by `--gestionnaire` is not in the dossier.
pub const E_GESTIONNAIRE_INCONNU: Code = Code::E120;
/// The output folder holds something else than letters.
pub const E_DOSSIER_ETRANGER: Code = Code::E121;
/// The PDF could not be made.
pub const E_PDF: Code = Code::E122;
/// `--lieu` or `--date` is not a place or a date.
pub const E_SIGNATURE: Code = Code::E123;

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum FormatLettre {
    /// PDF A4, polices incorporées
    Pdf,
    /// Page HTML autonome (publipostage)
    Html,
}

impl FormatLettre {
    fn extension(self) -> &'static str {
        match self {
            FormatLettre::Pdf => "pdf",
            FormatLettre::Html => "html",
        }
    }
}

/// Whether a name is one of the letters this command writes.
fn est_une_lettre(nom: &str) -> bool {
    nom.ends_with(".pdf") || nom.ends_with(".html")
}

/// The checks on DIR before anything is read.
/// DIR is replaced as a whole: none of its files may be one of the files read (`lus`: a
/// `--bareme` file or the workbook dossier named like a letter, E082).
fn verifier_dossier_sortie(
    dir: &Path,
    ecraser: bool,
    lus: &[PathBuf],
) -> Result<(), ErreurEcriture> {
    if !sortie::verifier_dossier_cible(dir, "les lettres sont écrites dans un dossier")? {
        return Ok(());
    }
    let entrees =
        std::fs::read_dir(dir).map_err(|e| ErreurEcriture::io(dir, "lecture impossible", &e))?;
    let mut vide = true;
    for e in entrees {
        let e = e.map_err(|e| ErreurEcriture::io(dir, "lecture impossible", &e))?;
        vide = false;
        let nom = e.file_name().to_string_lossy().into_owned();
        let fichier = e.file_type().is_ok_and(|t| t.is_file());
        if fichier
            && e.metadata()
                .is_ok_and(|m| lus.iter().any(|l| sortie::meme_fichier(&m, l)))
        {
            return Err(ErreurEcriture::new(
                sortie::E_FICHIER_LU,
                dir,
                format!(
                    "contient « {nom} », un des fichiers lus : le dossier de sortie est remplacé en entier, choisissez un autre dossier"
                ),
            ));
        }
        if !(fichier && est_une_lettre(&nom)) {
            return Err(ErreurEcriture::new(
                E_DOSSIER_ETRANGER,
                dir,
                format!(
                    "contient « {nom} », qui n'est pas une lettre de bonus-ctg notifier : le dossier de sortie est remplacé en entier, choisissez un dossier vide ou neuf"
                ),
            ));
        }
    }
    if !vide && !ecraser {
        return Err(ErreurEcriture::new(
            sortie::E_EXISTE,
            dir,
            "contient déjà des lettres : ajoutez --ecraser pour les remplacer (en entier)",
        ));
    }
    Ok(())
}

/// Writes the letters into a new hidden folder next to DIR, then puts it in DIR's place.
fn ecrire_lettres(
    dir: &Path,
    fichiers: &[(String, Vec<u8>)],
    ecraser: bool,
) -> Result<(), ErreurEcriture> {
    let (parent, nom) = match (dir.parent(), dir.file_name()) {
        (Some(p), Some(n)) => (
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            },
            n,
        ),
        _ => {
            return Err(ErreurEcriture::new(
                sortie::E_PAS_UN_FICHIER,
                dir,
                "ce chemin ne nomme pas un dossier qui puisse être remplacé",
            ))
        }
    };
    std::fs::create_dir_all(parent)
        .map_err(|e| ErreurEcriture::io(parent, "création du dossier impossible", &e))?;
    crate::lot::nettoyer_orphelins(parent, nom, dir);
    let neuf = parent.join(sortie::nom_temporaire(nom, std::process::id(), "nouveau"));
    let _ = std::fs::remove_dir_all(&neuf);
    std::fs::create_dir(&neuf)
        .map_err(|e| ErreurEcriture::io(&neuf, "création du dossier de sortie impossible", &e))?;
    let resultat = (|| {
        for (f, octets) in fichiers {
            sortie::ecrire_atomique(&neuf.join(f), octets, false)?;
        }
        if let Ok(m) = std::fs::metadata(dir) {
            let _ = std::fs::set_permissions(&neuf, m.permissions());
        }
        sortie::synchroniser_dossier(&neuf);
        crate::lot::remplacer(&neuf, dir, ecraser).map_err(|e| {
            ErreurEcriture::io(
                dir,
                "remplacement du dossier impossible (il n'a pas été modifié)",
                &e,
            )
        })?;
        Ok(())
    })();
    resultat.inspect_err(|_| {
        let _ = std::fs::remove_dir_all(&neuf);
    })
}

/// The place and date of signature given (`--lieu`, `--date`), checked
/// ([`lettre::FaitA::analyser`]).
fn fait_a(lieu: Option<&str>, date: Option<&str>) -> Result<lettre::FaitA, Erreur> {
    lettre::FaitA::analyser(lieu, date).map_err(|r| {
        let conseil = match r.champ {
            "lieu" => "le nom de la ville où la lettre est signée, par exemple --lieu Dijon",
            _ => "AAAA-MM-JJ ou JJ/MM/AAAA, par exemple --date 2026-01-15",
        };
        Erreur::message(
            E_SIGNATURE,
            format!(
                "--{}, valeur « {} » : {} (conseil : {conseil})",
                r.champ,
                r.valeur.escape_debug(),
                r.raison
            ),
        )
    })
}

/// `notifier DOSSIER --sortie DIR [--gestionnaire NOM] [--format pdf|html] [--lieu VILLE]
/// [--date DATE] [--ecraser]`.
pub fn notifier(
    entree: &Entree,
    dir: &Path,
    gestionnaire: Option<&str>,
    (format, lieu, date): (FormatLettre, Option<&str>, Option<&str>),
    ecraser: bool,
    m: &Messages,
) -> Result<Fin, Erreur> {
    let fait = fait_a(lieu, date)?;
    verifier_dossier_sortie(dir, ecraser, &fichiers_lus(entree))?;
    let (_, r, _) = charger(entree, m)?;
    let selection = match gestionnaire {
        None => Selection::Toutes,
        Some(n) => match lettre::trouver_gestionnaire(&r, n) {
            Ok(g) => Selection::Gestionnaire(g.to_string()),
            Err(suggestion) => {
                return Err(Erreur::message(
                    E_GESTIONNAIRE_INCONNU,
                    format!(
                        "--gestionnaire, valeur « {n} » : aucune structure n'a ce gestionnaire (colonne « gestionnaire » des structures){}",
                        match suggestion {
                            Some(s) => format!(" : vouliez-vous dire « {s} » ?"),
                            None => format!(
                                " (conseil : gestionnaires du dossier : {})",
                                r.gestionnaires
                                    .keys()
                                    .map(|g| format!("« {g} »"))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                        }
                    ),
                ));
            }
        },
    };
    let lettres = lettre::lettres(&r, &selection, &fait)?;
    let mut fichiers = Vec::with_capacity(lettres.len());
    for l in &lettres {
        let octets = match format {
            FormatLettre::Html => lettre::html::rendre(l).into_bytes(),
            FormatLettre::Pdf => lettre::pdf::rendre(l)
                .map_err(|e| Erreur::message(E_PDF, format!("lettre « {} » : {e}", l.fichier)))?,
        };
        fichiers.push((format!("{}.{}", l.fichier, format.extension()), octets));
    }
    ecrire_lettres(dir, &fichiers, ecraser)?;
    let n_g = lettres
        .iter()
        .filter(|l| l.genre == Genre::Gestionnaire)
        .count();
    m.info(format_args!(
        "{} : {} lettre{} ({} gestionnaire{}, {} récapitulatif{} par collectivité), exercice {}",
        dir.display(),
        lettres.len(),
        if lettres.len() > 1 { "s" } else { "" },
        n_g,
        if n_g > 1 { "s" } else { "" },
        lettres.len() - n_g,
        if lettres.len() - n_g > 1 { "s" } else { "" },
        r.exercice
    ));
    Ok(Fin::Succes)
}
