//! One dossier of a lot: read, validated, computed, then its result file written into the
//! new output folder and its rows of the consolidated file kept for it.

use super::*;

fn nom_bareme(o: &OptionsLot) -> String {
    o.lecture
        .bareme
        .as_ref()
        .map_or("bareme.toml".into(), |p| p.display().to_string())
}

/// Names the dossier's own files after the dossier (`dijon/structures.csv`), except the
/// barème given on the command line for every dossier ([`Diagnostics::prefixer`]).
fn prefixer(nom: &str, o: &OptionsLot, mut d: Diagnostics) -> Diagnostics {
    let commun = o.lecture.bareme.as_ref().map(|p| p.display().to_string());
    d.prefixer(nom, commun.as_deref());
    d
}

/// The result file of dossier `nom` in the output folder `sortie`.
pub(super) fn chemin_resultat(sortie: &Path, o: &OptionsLot, nom: &str) -> PathBuf {
    sortie
        .join(SOUS_DOSSIER)
        .join(format!("{nom}.{}", o.format.extension()))
}

/// Reads, validates, computes and writes one dossier into the new output folder `neuf`: its
/// result file written as it is rendered, its rows of the consolidated file kept (in memory,
/// or past [`totaux::SEUIL_FRAGMENT`] in a hidden file of `neuf`) until that file is written.
pub(super) fn traiter_dossier(
    nom: &str,
    chemin: &Path,
    o: &OptionsLot,
    neuf: &Path,
) -> IssueDossier {
    let mut issue = IssueDossier {
        nom: nom.to_string(),
        chemin: chemin.to_path_buf(),
        diagnostics: Diagnostics::default(),
        totaux: None,
        convention: None,
        resultat: None,
        erreur_ecriture: None,
        chrono: Chrono::default(),
        fragment: Fragment::default(),
    };
    let mut diags = Diagnostics::default();
    if let Some(r) = lire_et_calculer(chemin, o, &mut diags, &mut issue.chrono) {
        issue.convention = Some(r.convention.nom.clone());
        let t = Instant::now();
        ecrire_resultat(&r, nom, o, neuf, &mut diags, &mut issue);
        issue.chrono.ecriture = t.elapsed();
    }
    // the messages name the folder's files as they are on disk (`dij€ %41/structures.csv`)
    let affiche = chemin
        .file_name()
        .map_or_else(|| nom.to_string(), nom_montre);
    issue.diagnostics = prefixer(&affiche, o, diags);
    issue
}

/// A folder name as the messages show it: itself, each byte that is not UTF-8 written
/// `\xE9` (the name of the result file writes it `%E9`, see [`nom_dossier`]).
pub(super) fn nom_montre(nom: &std::ffi::OsStr) -> String {
    nom_ecrit(nom, false)
}

/// Reads, validates and computes the dossier at `chemin`; `None` when it is invalid (its
/// errors in `diags`). The time of each step in `chrono`.
fn lire_et_calculer(
    chemin: &Path,
    o: &OptionsLot,
    diags: &mut Diagnostics,
    chrono: &mut Chrono,
) -> Option<Resultat> {
    let t0 = Instant::now();
    let lu = lecture::lire_dossier(chemin, &o.lecture, diags);
    let t1 = Instant::now();
    chrono.lecture = t1 - t0;
    // the structures are moved into the result (one copy in memory)
    let traite = crate::traiter_dossier(lu?, o.exercice, &nom_bareme(o));
    chrono.calcul = t1.elapsed();
    match traite {
        Ok((r, avert)) => {
            diags.extend(avert);
            Some(r)
        }
        Err(mut d) => {
            crate::nommer_option_exercice(&mut d, o.exercice);
            diags.extend(d);
            None
        }
    }
}

/// Writes the computed dossier `r`: its result file in `neuf`, its rows of the consolidated
/// file in `issue.fragment`, its totals in `issue.totaux` (summed as its rows are written).
/// A rendering error becomes a diagnostic of `diags`; an output error
/// `issue.erreur_ecriture`. Nothing of the dossier is left in `neuf` after either.
fn ecrire_resultat(
    r: &Resultat,
    nom: &str,
    o: &OptionsLot,
    neuf: &Path,
    diags: &mut Diagnostics,
    issue: &mut IssueDossier,
) {
    let mut totaliseur = totaux::Totaliseur::new(r);
    // the dossier's own result, then its rows of the consolidated file
    let prefixe = prefixe_dossier(nom, o.profil);
    let mut morceaux = Morceaux::new(neuf, nom);
    // about 220 bytes a row in the national set (the threshold caps it)
    morceaux.reserver(r.structures.len() * (prefixe.len() + 220));
    let mut echec = None;
    if o.format == FormatLot::Json {
        for l in &r.structures {
            totaliseur.ligne(l);
        }
        // the rows of the consolidated file first: nothing is written when one fails
        if let Err(e) = morceaux.lignes(r, o.profil, &prefixe) {
            echec = Some(e);
        }
    }
    let fichier = chemin_resultat(neuf, o, nom);
    let ecrit = match echec {
        Some(_) => Ok(()),
        // synced with the others at the end (sortie::synchroniser_fichiers)
        None => sortie::ecrire_neuf_avec(&fichier, |w| {
            let rendu = match o.format {
                // each row formatted once: the same bytes, after the `dossier` field, in
                // the consolidated file
                FormatLot::Csv => {
                    rapport::csv::ecrire_structures(r, o.profil, w, &mut |l, octets| {
                        totaliseur.ligne(l);
                        morceaux.ajouter(&prefixe, octets)
                    })
                }
                FormatLot::Json => rapport::json::ecrire(r, diags, w),
            };
            rendu.unwrap_or_else(|e| {
                echec = Some(e);
                Err(std::io::Error::other("calcul"))
            })
        }),
    };
    match (echec, ecrit) {
        (Some(e), _) => {
            let _ = std::fs::remove_file(&fichier);
            morceaux.abandonner();
            diags.push(e.diagnostic("dossier"));
        }
        (None, Err(e)) => {
            morceaux.abandonner();
            issue.erreur_ecriture = Some(e.to_string());
        }
        (None, Ok(())) => match morceaux.finir() {
            Ok(fragment) => {
                issue.resultat = Some(chemin_resultat(&o.sortie, o, nom));
                issue.fragment = fragment;
                issue.totaux = Some(totaliseur.finir(r));
            }
            Err(e) => {
                issue.erreur_ecriture =
                    Some(sortie::ErreurEcriture::io(neuf, "écriture impossible", &e).to_string())
            }
        },
    }
}
