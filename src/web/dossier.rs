//! Reading a stored dossier (workbook, zip of a folder dossier, embedded fixture) into the
//! scenario the pages show: the dossier as read, and the same with the simulation steps
//! applied. The zip reader is bounded: entries counted, each entry's declared and real
//! size limited, paths with `..` or absolute refused, nothing written to disk.

use super::stockage::{Enregistrement, Genre};
use super::{erreur, page_diagnostics, EtatPartage};
use crate::calcul::Resultat;
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::lecture::tableau::Localisation;
use crate::lecture::{self, DossierLu, Fichiers};
use crate::projection::evenements::{self, Evenement};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::io::Read;

mod doubles;
use doubles::refuser_entrees_en_double;

/// Entries read from a zip: at most this many.
pub const ZIP_ENTREES_MAX: usize = 1_000;
/// One file of a zip, declared or read: at most 20 MB once decompressed.
pub const ZIP_ENTREE_MAX: u64 = 20 * 1024 * 1024;
/// All the files read from a zip: at most 50 MB once decompressed.
pub const ZIP_TOTAL_MAX: u64 = 50 * 1024 * 1024;

/// A fixture embedded in the binary.
pub struct Exemple {
    pub nom: &'static str,
    pub titre: &'static str,
    pub convention: &'static str,
    pub structures: &'static str,
    pub charges: &'static str,
    pub bareme: Option<&'static str>,
    pub evenements: Option<&'static str>,
}

pub const EXEMPLES: &[Exemple] = &[
    Exemple {
        nom: "dugny",
        titre: "Dugny (une commune, 11 structures)",
        convention: include_str!("../../fixtures/dugny/convention.toml"),
        structures: include_str!("../../fixtures/dugny/structures.csv"),
        charges: include_str!("../../fixtures/dugny/charges_n1.csv"),
        bareme: None,
        evenements: None,
    },
    Exemple {
        nom: "dijon-2024",
        titre: "Dijon (barème local, événements)",
        convention: include_str!("../../fixtures/dijon-2024/convention.toml"),
        structures: include_str!("../../fixtures/dijon-2024/structures.csv"),
        charges: include_str!("../../fixtures/dijon-2024/charges_n1.csv"),
        bareme: Some(include_str!("../../fixtures/dijon-2024/bareme.toml")),
        evenements: Some(include_str!("../../fixtures/dijon-2024/evenements.csv")),
    },
    Exemple {
        nom: "gevrey-nuits",
        titre: "Gevrey-Chambertin et Nuits-Saint-Georges (CTG intercommunale)",
        convention: include_str!("../../fixtures/gevrey-nuits/convention.toml"),
        structures: include_str!("../../fixtures/gevrey-nuits/structures.csv"),
        charges: include_str!("../../fixtures/gevrey-nuits/charges_n1.csv"),
        bareme: None,
        evenements: None,
    },
];

/// A dossier opened for the pages.
pub struct Scenario {
    pub id: String,
    pub enr: Enregistrement,
    /// As read.
    pub origine: DossierLu,
    /// With the simulation steps applied.
    pub lu: DossierLu,
    pub evenements: Vec<Evenement>,
    /// Where the events were read (the workbook's sheet and its cells, or evenements.csv).
    pub source_evenements: Localisation,
    /// Warnings of reading.
    pub lecture: Diagnostics,
}

impl Scenario {
    /// The dossier's name for the pages.
    pub fn nom(&self) -> &str {
        &self.lu.dossier.convention.nom
    }
    pub fn contexte(&self) -> super::Contexte<'_> {
        super::Contexte {
            id: &self.id,
            nom: self.nom(),
        }
    }
    /// The result of the scenario (`Err`: its errors).
    pub fn calculer(&self) -> Result<(Resultat, Diagnostics), Diagnostics> {
        crate::traiter(&self.lu, None, "bareme.toml")
    }
    /// The result of the dossier as read.
    pub fn calculer_origine(&self) -> Result<(Resultat, Diagnostics), Diagnostics> {
        crate::traiter(&self.origine, None, "bareme.toml")
    }
    /// The page of a scenario that cannot be computed (status 422), inside the dossier's
    /// pages, with the way back (undo in Simulation).
    pub fn invalide(&self, titre: &str, d: &Diagnostics) -> Response {
        let corps = format!(
            "<section class=\"erreur\"><h1>{}</h1><p>{}</p>{}<p>{}</p></section>",
            crate::rapport::html::esc(titre),
            crate::rapport::html::esc(&d.resume()),
            super::liste_diagnostics(d),
            if self.enr.etapes.is_empty() {
                String::new()
            } else {
                format!(
                    "Le dossier déposé se calcule : <a href=\"/d/{}/simulation\">annulez la dernière étape de la simulation</a>.",
                    crate::rapport::html::esc(&self.id)
                )
            }
        );
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            super::gabarit(
                titre,
                super::Onglet::Resultat,
                Some(&self.contexte()),
                "",
                &corps,
            ),
        )
            .into_response()
    }

    /// Warnings of reading and of the calculation, without repeats.
    pub fn avertissements(&self, calcul: &Diagnostics) -> Diagnostics {
        let mut d = Diagnostics::default();
        for x in self.lecture.0.iter().chain(calcul.0.iter()) {
            if !d.0.contains(x) {
                d.push(x.clone());
            }
        }
        d
    }
}

/// What a dossier is read into.
pub struct Lecture {
    pub lu: DossierLu,
    pub evenements: Vec<Evenement>,
    /// Where the events were read (their messages name its cells or lines).
    pub source_evenements: Localisation,
    pub diags: Diagnostics,
}

/// Reads a stored dossier (pure: bytes in memory). `Err`: located diagnostics.
pub fn lire(enr: &Enregistrement) -> Result<Lecture, Diagnostics> {
    let mut diags = Diagnostics::default();
    let mut source_evenements = Localisation::csv(evenements::FICHIER);
    let (lu, evenements) = match enr.genre {
        Genre::Classeur => {
            let lu = lecture::classeur::analyser_classeur(&enr.nom, &enr.octets, None, &mut diags);
            // (only once the dossier is read: an unreadable workbook is reported once)
            let ev = if lu.is_some() {
                lecture::classeur::evenements_du_classeur(&enr.nom, &enr.octets, &mut diags).map(
                    |(ev, source)| {
                        source_evenements = source;
                        ev
                    },
                )
            } else {
                Some(Vec::new())
            };
            (lu, ev)
        }
        Genre::Zip => {
            let f = lire_zip(&enr.nom, &enr.octets)?;
            let lu = lecture::analyser_dossier(&f.fichiers, &mut diags);
            let ev = f
                .evenements
                .as_deref()
                .map(|t| evenements::analyser_evenements(evenements::FICHIER, t, &mut diags));
            (lu, ev.or(Some(Vec::new())))
        }
        Genre::Exemple => {
            let Some(x) = EXEMPLES.iter().find(|x| x.nom == enr.nom) else {
                diags.push(Diagnostic::erreur(
                    Code::E136,
                    &enr.nom,
                    "dossier d'exemple inconnu",
                ));
                return Err(diags);
            };
            let f = Fichiers {
                convention: x.convention.into(),
                structures: x.structures.into(),
                charges: x.charges.into(),
                bareme: x.bareme.map(|b| ("bareme.toml".to_string(), b.to_string())),
            };
            let lu = lecture::analyser_dossier(&f, &mut diags);
            let ev = x
                .evenements
                .map(|t| evenements::analyser_evenements(evenements::FICHIER, t, &mut diags));
            (lu, ev.or(Some(Vec::new())))
        }
    };
    match (lu, evenements) {
        (Some(lu), Some(evenements)) if !diags.a_des_erreurs() => Ok(Lecture {
            lu,
            evenements,
            source_evenements,
            diags,
        }),
        _ => Err(diags),
    }
}

/// Opens the stored dossier `id` with its simulation steps (on a blocking thread).
pub async fn charger(etat: &EtatPartage, id: &str) -> Result<Scenario, Response> {
    let enr = match etat.magasin.lire(id) {
        Ok(Some(e)) => e,
        Ok(None) => {
            return Err(erreur(
                StatusCode::NOT_FOUND,
                Code::E136,
                "dossier inconnu : ce lien ne correspond à aucun dossier ouvert (sans --base, les dossiers sont gardés en mémoire jusqu'à l'arrêt du serveur, 100 au plus)",
                "déposez à nouveau le dossier depuis l'accueil",
            ))
        }
        Err(m) => {
            return Err(erreur(
                StatusCode::INTERNAL_SERVER_ERROR,
                Code::E139,
                &m,
                "vérifiez le fichier de la base (--base)",
            ))
        }
    };
    let id = id.to_string();
    super::travail(move || ouvrir(id, enr)).await
}

/// Reads the dossier and applies its steps (pure).
pub fn ouvrir(id: String, enr: Enregistrement) -> Result<Scenario, Response> {
    let l = lire(&enr).map_err(|d| page_diagnostics("Dossier invalide", &d))?;
    let mut lu = l.lu.clone();
    for etape in &enr.etapes {
        for m in etape {
            super::simulation::appliquer(&mut lu, m);
        }
    }
    Ok(Scenario {
        id,
        enr,
        origine: l.lu,
        lu,
        evenements: l.evenements,
        source_evenements: l.source_evenements,
        lecture: l.diags,
    })
}

/// Files read from a zip.
pub struct FichiersZip {
    pub fichiers: Fichiers,
    pub evenements: Option<String>,
}

fn err_zip(code: Code, nom: &str, message: String, conseil: &str) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::erreur(code, nom, message).conseil(conseil));
    d
}

const CONSEIL_ZIP: &str = "compressez le dossier (convention.toml, structures.csv, charges_n1.csv) avec l'outil « Compresser » de votre système";

/// The files of a dossier an archive may hold; the first three are required.
const NOMS_ZIP: [&str; 5] = [
    "convention.toml",
    "structures.csv",
    "charges_n1.csv",
    "bareme.toml",
    "evenements.csv",
];

/// Reads `convention.toml`, `structures.csv`, `charges_n1.csv` and the optional
/// `bareme.toml` and `evenements.csv` of a zipped folder dossier, at its root or in one
/// folder (pure, bounded).
pub fn lire_zip(nom: &str, octets: &[u8]) -> Result<FichiersZip, Diagnostics> {
    let mut archive = ouvrir_zip(nom, octets)?;
    refuser_entrees_en_double(nom, octets, &archive)?;
    let mut lus: [Option<(String, String)>; 5] = Default::default();
    let mut total: u64 = 0;
    let mut classeur: Option<String> = None;
    for i in 0..archive.len() {
        let mut f = archive.by_index(i).map_err(|e| {
            err_zip(
                Code::E132,
                nom,
                format!(
                    "entrée {} illisible : {}",
                    i + 1,
                    crate::diagnostic::texte_zip(&e)
                ),
                CONSEIL_ZIP,
            )
        })?;
        let nom_entree = f.name().map(|n| n.to_string()).map_err(|e| {
            err_zip(
                Code::E132,
                nom,
                format!(
                    "nom de l'entrée {} illisible : {}",
                    i + 1,
                    crate::diagnostic::texte_zip(&e)
                ),
                CONSEIL_ZIP,
            )
        })?;
        let chemin = chemin_admis(nom, nom_entree)?;
        if f.is_dir() {
            continue;
        }
        let Some(k) = fichier_du_dossier(&chemin) else {
            // a table kept as a workbook (read from a folder by the command line): said if
            // its CSV is missing
            if classeur_du_dossier(&chemin) && classeur.is_none() {
                classeur = Some(chemin);
            }
            continue;
        };
        let taille = f.size();
        let o = lire_entree(nom, &chemin, &mut f, taille)?;
        total += o.len() as u64;
        if total > ZIP_TOTAL_MAX {
            return Err(err_zip(
                Code::E134,
                nom,
                format!(
                    "archive trop grosse une fois décompressée : plus de {ZIP_TOTAL_MAX} octets"
                ),
                CONSEIL_ZIP,
            ));
        }
        if let Some((autre, _)) = &lus[k] {
            return Err(err_zip(
                Code::E135,
                nom,
                format!(
                    "deux fichiers {} dans l'archive : « {autre} » et « {chemin} »",
                    NOMS_ZIP[k]
                ),
                "ne mettez qu'un dossier dans l'archive",
            ));
        }
        // every file of the dossier in one folder: a `bareme.toml` or `evenements.csv` kept
        // in another folder of the archive (an old copy, another dossier) is not this
        // dossier's, and would change its amounts without a word
        if let Some((autre, _)) = lus
            .iter()
            .flatten()
            .find(|(autre, _)| dossier_parent(autre) != dossier_parent(&chemin))
        {
            return Err(err_zip(
                Code::E135,
                nom,
                format!(
                    "fichiers du dossier rangés dans des dossiers différents de l'archive : « {autre} » et « {chemin} »"
                ),
                "mettez convention.toml, structures.csv, charges_n1.csv (et bareme.toml, evenements.csv) dans un même dossier, ou à la racine de l'archive",
            ));
        }
        let texte = texte_de_l_entree(nom, k, &chemin, &o)?;
        lus[k] = Some((chemin, texte));
    }
    rassembler_zip(nom, lus, classeur.as_deref())
}

/// `structures.xlsx`, `charges_n1.xlsx` or `dossier.xlsx`: a table of a folder dossier kept
/// as a workbook, which an archive does not read.
fn classeur_du_dossier(chemin: &str) -> bool {
    let base = chemin.rsplit(['/', '\\']).next().unwrap_or("");
    ["structures.xlsx", "charges_n1.xlsx", "dossier.xlsx"]
        .iter()
        .any(|n| n.eq_ignore_ascii_case(base))
}

/// The folder an entry is in (`""` at the root of the archive), `/` or `\` separated.
fn dossier_parent(chemin: &str) -> &str {
    chemin.rsplit_once(['/', '\\']).map_or("", |(d, _)| d)
}

/// The archive, with at most [`ZIP_ENTREES_MAX`] entries.
fn ouvrir_zip<'o>(
    nom: &str,
    octets: &'o [u8],
) -> Result<zip::ZipArchive<std::io::Cursor<&'o [u8]>>, Diagnostics> {
    let archive = zip::ZipArchive::new(std::io::Cursor::new(octets)).map_err(|e| {
        err_zip(
            Code::E132,
            nom,
            format!(
                "archive zip illisible : {}",
                crate::diagnostic::texte_zip(&e)
            ),
            CONSEIL_ZIP,
        )
    })?;
    if archive.len() > ZIP_ENTREES_MAX {
        return Err(err_zip(
            Code::E134,
            nom,
            format!(
                "archive zip de {} entrées (maximum {ZIP_ENTREES_MAX})",
                archive.len()
            ),
            CONSEIL_ZIP,
        ));
    }
    Ok(archive)
}

/// An entry's path, refused (E133) when absolute or climbing up with `..`.
fn chemin_admis(nom: &str, chemin: String) -> Result<String, Diagnostics> {
    if chemin.starts_with(['/', '\\'])
        || chemin.contains(':')
        || chemin.split(['/', '\\']).any(|p| p == "..")
    {
        return Err(err_zip(
            Code::E133,
            nom,
            format!("chemin refusé dans l'archive : « {chemin} » (chemin absolu ou remontant avec « .. »)"),
            CONSEIL_ZIP,
        ));
    }
    Ok(chemin)
}

/// Which of the dossier's files (index in [`NOMS_ZIP`]) a file entry is, by its name; `None`
/// for any other file, and for the system folders some archivers add (`__MACOSX`, hidden
/// files).
fn fichier_du_dossier(chemin: &str) -> Option<usize> {
    let parties: Vec<&str> = chemin.split(['/', '\\']).collect();
    let base = parties.last().copied().unwrap_or("");
    if parties.iter().any(|p| p.starts_with("__MACOSX")) || base.starts_with('.') {
        return None;
    }
    NOMS_ZIP.iter().position(|n| n.eq_ignore_ascii_case(base))
}

/// An entry's bytes, decompressed, within its size limit (its announced size first, then
/// the bytes actually read).
fn lire_entree(
    nom: &str,
    chemin: &str,
    f: &mut impl Read,
    taille: u64,
) -> Result<Vec<u8>, Diagnostics> {
    let max = if chemin.ends_with(".toml") {
        crate::lecture::fichier::TOML_TAILLE_MAX
    } else {
        ZIP_ENTREE_MAX
    };
    if taille > max {
        return Err(err_zip(
            Code::E134,
            nom,
            format!(
                "« {chemin} » trop gros une fois décompressé : {taille} octets annoncés (maximum {max})"
            ),
            CONSEIL_ZIP,
        ));
    }
    let mut o = Vec::new();
    f.take(max + 1).read_to_end(&mut o).map_err(|e| {
        err_zip(
            Code::E132,
            nom,
            format!(
                "« {chemin} » illisible : {}",
                crate::diagnostic::texte_io(&e)
            ),
            CONSEIL_ZIP,
        )
    })?;
    if o.len() as u64 > max {
        return Err(err_zip(
            Code::E134,
            nom,
            format!("« {chemin} » trop gros une fois décompressé : plus de {max} octets (sa taille annoncée était fausse)"),
            CONSEIL_ZIP,
        ));
    }
    Ok(o)
}

/// The text of file `k` of the dossier, decoded; a TOML file's nesting checked.
fn texte_de_l_entree(nom: &str, k: usize, chemin: &str, o: &[u8]) -> Result<String, Diagnostics> {
    let texte = lecture::texte::decoder(o, lecture::texte::Encodage::Auto)
        .map_err(|m| {
            err_zip(
                Code::E132,
                nom,
                format!("« {chemin} » : encodage illisible : {m}"),
                CONSEIL_ZIP,
            )
        })?
        .texte;
    if chemin.ends_with(".toml") {
        if let Some(d) = lecture::fichier::verifier_elements_toml(NOMS_ZIP[k], &texte) {
            let mut ds = Diagnostics::default();
            ds.push(d);
            return Err(ds);
        }
    }
    Ok(texte)
}

/// The dossier's files, the three required ones present (E135 otherwise).
fn rassembler_zip(
    nom: &str,
    lus: [Option<(String, String)>; 5],
    classeur: Option<&str>,
) -> Result<FichiersZip, Diagnostics> {
    let [c, s, ch, b, ev] = lus;
    let manquants: Vec<&str> = [(&c, NOMS_ZIP[0]), (&s, NOMS_ZIP[1]), (&ch, NOMS_ZIP[2])]
        .iter()
        .filter(|(x, _)| x.is_none())
        .map(|(_, n)| *n)
        .collect();
    if !manquants.is_empty() {
        return Err(match classeur {
            Some(c) => err_zip(
                Code::E135,
                nom,
                format!(
                    "fichier absent de l'archive : {} (« {c} » n'est pas lu dans une archive)",
                    manquants.join(", ")
                ),
                "enregistrez la table en CSV dans le dossier avant de le compresser, ou déposez seul le classeur-dossier (.xlsx)",
            ),
            None => err_zip(
                Code::E135,
                nom,
                format!("fichier absent de l'archive : {}", manquants.join(", ")),
                CONSEIL_ZIP,
            ),
        });
    }
    let t = |x: Option<(String, String)>| x.map(|(_, t)| t).unwrap_or_default();
    Ok(FichiersZip {
        fichiers: Fichiers {
            convention: t(c),
            structures: t(s),
            charges: t(ch),
            bareme: b.map(|(_, t)| ("bareme.toml".to_string(), t)),
        },
        evenements: ev.map(|(_, t)| t),
    })
}
