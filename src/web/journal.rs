//! The journal of computations: each dossier deposited or opened, each simulation step,
//! each API computation adds a line (when, SHA-256 of the dossier's bytes and of its
//! steps, the barème in force, the tool's version, the totals), so that what was computed
//! can be shown and reproduced. With `--base` it lasts and cannot be changed by the
//! application (SQLite triggers refuse `UPDATE` and `DELETE`); page `/journal`.

use super::stockage::{Enregistrement, EntreeJournal, Genre};
use super::{erreur, gabarit, Onglet, S};
use crate::calcul::Resultat;
use crate::diagnostic::Code;
use crate::lecture::DossierLu;
use crate::rapport::html::esc;
use crate::rapport::montant_fr;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use sha2::{Digest, Sha256};

/// Lines shown by the page.
pub const LIGNES_PAGE: usize = 1_000;

fn hex(o: &[u8]) -> String {
    o.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 in hex.
pub fn sha256(o: &[u8]) -> String {
    hex(&Sha256::digest(o))
}

/// The fingerprint of a stored dossier's input: its bytes, or an embedded fixture's files.
pub fn empreinte(enr: &Enregistrement) -> String {
    match enr.genre {
        Genre::Exemple => {
            let mut h = Sha256::new();
            if let Some(x) = super::dossier::EXEMPLES.iter().find(|x| x.nom == enr.nom) {
                for t in [
                    Some(x.convention),
                    Some(x.structures),
                    Some(x.charges),
                    x.bareme,
                    x.evenements,
                ]
                .into_iter()
                .flatten()
                {
                    // length-prefixed: no two different sets of files hash alike
                    h.update((t.len() as u64).to_le_bytes());
                    h.update(t.as_bytes());
                }
            }
            hex(&h.finalize())
        }
        _ => sha256(&enr.octets),
    }
}

/// A journal line for `lu` (computed as `r`, when it could be).
pub fn entree(
    origine: &str,
    enr: &Enregistrement,
    lu: &DossierLu,
    r: Option<&Resultat>,
) -> EntreeJournal {
    let m = |f: fn(&Resultat) -> i64| r.map(f);
    EntreeJournal {
        numero: 0,
        quand: 0,
        origine: origine.to_string(),
        dossier: lu.dossier.convention.nom.clone(),
        fichier: enr.nom.clone(),
        empreinte: empreinte(enr),
        empreinte_modifications: if enr.etapes.is_empty() {
            String::new()
        } else {
            sha256(&serde_json::to_vec(&enr.etapes).unwrap_or_default())
        },
        exercice: Some(r.map_or(lu.dossier.convention.exercice, |r| r.exercice)),
        bareme: r.map_or_else(String::new, |r| {
            // the barème in force, every parameter with its value, date, source and status
            sha256(format!("{:?}", r.bareme).as_bytes())
        }),
        version: env!("CARGO_PKG_VERSION").to_string(),
        structures: r.map(|r| r.structures.len() as i64),
        verse_caf: m(|r| r.total.verse_caf.0),
        bonus_total: m(|r| r.total.structures.bonus_total.0),
        contribution_n: m(|r| r.total.structures.contribution_n.0),
    }
}

/// Reads and computes the stored dossier (its steps applied) and adds its line; nothing
/// when it does not compute (its page says why). Pure but for the store.
pub fn journaliser_dossier(
    magasin: &super::stockage::Magasin,
    origine: &str,
    enr: &Enregistrement,
) -> Result<(), String> {
    let Ok(sc) = super::dossier::ouvrir(String::new(), enr.clone()) else {
        return Ok(());
    };
    let Ok((r, _)) = sc.calculer() else {
        return Ok(());
    };
    magasin.journaliser(entree(origine, enr, &sc.lu, Some(&r)))
}

/// [`journaliser_dossier`] on a blocking thread, its store error as an error page.
pub async fn journaliser(
    etat: &super::EtatPartage,
    origine: &'static str,
    enr: Enregistrement,
) -> Result<(), Response> {
    let e = etat.clone();
    super::travail(move || {
        journaliser_dossier(&e.magasin, origine, &enr).map_err(|m| {
            erreur(
                StatusCode::INTERNAL_SERVER_ERROR,
                Code::E139,
                &m,
                "vérifiez le fichier de la base (--base)",
            )
        })
    })
    .await
}

/// `GET /journal`: the last lines, newest first.
pub async fn page(etat: S) -> Response {
    let lignes = match etat.magasin.journal(LIGNES_PAGE) {
        Ok(l) => l,
        Err(m) => {
            return erreur(
                StatusCode::INTERNAL_SERVER_ERROR,
                Code::E139,
                &m,
                "vérifiez le fichier de la base (--base)",
            )
        }
    };
    let persistance = match etat.magasin {
        super::stockage::Magasin::Base(..) => "Le journal est gardé dans la base (--base) : l'application ne fait qu'y ajouter des lignes, la base refuse toute modification ou suppression.",
        super::stockage::Magasin::Memoire(..) => "Ce serveur n'enregistre pas le journal sur disque : il en garde en mémoire les 10 000 dernières lignes, jusqu'à son arrêt (pour le conserver, l'administrateur lance le serveur avec une base de données).",
    };
    let mut corps = format!(
        "<h1>Journal des calculs</h1><p class=\"intro\">Chaque calcul fait par ce serveur (dépôt ou ouverture d'un dossier, étape de simulation, appel de l'API) : quand, l'empreinte SHA-256 du dossier déposé et de ses modifications, le barème appliqué (exercice et empreinte de ses paramètres), la version de bonus-ctg et les totaux. Un même dossier redonne la même empreinte : déposé à nouveau, il refait le même calcul. {persistance}</p>"
    );
    if lignes.is_empty() {
        corps.push_str("<p>Aucun calcul pour l'instant.</p>");
    } else {
        corps.push_str(&format!(
            "<p>{} dernière{} ligne{}.</p><div class=\"defile\"><table class=\"journal\"><thead><tr><th>N°</th><th>Quand (heure de Paris)</th><th>Origine</th><th>Dossier et fichier</th><th>Empreintes : dossier, modifications</th><th>Exercice et barème</th><th>Version</th><th class=\"n\">Structures</th><th class=\"n\">Versé par la Caf</th><th class=\"n\">Bonus des structures</th><th class=\"n\">Contributions N</th></tr></thead><tbody>",
            lignes.len(),
            if lignes.len() > 1 { "s" } else { "" },
            if lignes.len() > 1 { "s" } else { "" },
        ));
        let court = |h: &str| {
            if h.is_empty() {
                "—".to_string()
            } else {
                format!(
                    "<code title=\"{}\">{}…</code>",
                    esc(h),
                    esc(&h[..h.len().min(12)])
                )
            }
        };
        let euros = |c: Option<i64>| {
            c.map_or("—".to_string(), |c| {
                esc(&montant_fr(crate::modele::Montant(c)))
            })
        };
        for l in &lignes {
            corps.push_str(&format!(
                "<tr data-numero=\"{}\"><td>{}</td><td class=\"quand\">{}</td><td>{}</td><td>{}<br><small>{}</small></td><td>{}<br>{}</td><td>{}<br>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\" data-centimes=\"{}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                l.numero,
                l.numero,
                esc(&crate::rapport::heure_de_paris(l.quand)),
                esc(&l.origine),
                esc(&l.dossier),
                esc(&l.fichier),
                court(&l.empreinte),
                court(&l.empreinte_modifications),
                l.exercice.map_or("—".to_string(), |e| e.to_string()),
                court(&l.bareme),
                esc(&l.version),
                l.structures.map_or("—".to_string(), |n| n.to_string()),
                l.verse_caf.map_or(String::new(), |c| c.to_string()),
                euros(l.verse_caf),
                euros(l.bonus_total),
                euros(l.contribution_n),
            ));
        }
        corps.push_str("</tbody></table></div>");
    }
    (
        StatusCode::OK,
        Html(gabarit("Journal des calculs", Onglet::Journal, None, "", &corps).0),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empreinte_sha256() {
        // the standard test vector of SHA-256 for « abc »
        assert_eq!(
            sha256(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
