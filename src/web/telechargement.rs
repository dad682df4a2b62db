//! The result page's downloads: the result in every format, the notification letters (with
//! their place and date of signature), and the shared way to send a file or refuse it.

use super::dossier::charger;
use super::{erreur, S};
use crate::diagnostic::Code;
use crate::rapport::html::esc;
use crate::rapport::{self, Profil};
use axum::extract::{Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

/// The letters' download with their place and date of signature (both optional: left
/// dotted, to be written by hand, as `notifier` does without `--lieu` and `--date`).
pub(super) fn formulaire_signature(id: &str) -> String {
    format!(
        "<form class=\"signature-lettres\" method=\"get\" action=\"/d/{}/telecharger/lettres.zip\"><span>Lettres prêtes à signer :</span><label>fait à <input name=\"lieu\" maxlength=\"60\" size=\"14\"></label><label>le <input type=\"date\" name=\"date\"></label><button type=\"submit\">Télécharger les lettres</button><small>(lieu et date facultatifs : sinon laissés en pointillés, à remplir à la main)</small></form>",
        esc(id)
    )
}

/// The place and date of signature of the letters' download (`?lieu=Dijon&date=2026-01-15`;
/// empty fields: dotted).
#[derive(serde::Deserialize, Default)]
pub struct Signature {
    lieu: Option<String>,
    date: Option<String>,
}

impl Signature {
    /// The place and date checked ([`rapport::lettre::FaitA::analyser`]); an empty field
    /// is left dotted.
    fn fait_a(&self) -> Result<rapport::lettre::FaitA, Response> {
        let plein = |x: &Option<String>| x.clone().filter(|v| !v.trim().is_empty());
        let (lieu, date) = (plein(&self.lieu), plein(&self.date));
        rapport::lettre::FaitA::analyser(lieu.as_deref(), date.as_deref()).map_err(|r| {
            erreur(
                StatusCode::BAD_REQUEST,
                Code::E123,
                &format!("{} de signature « {} » : {}", r.champ, r.valeur, r.raison),
                "laissez le champ vide pour des pointillés à remplir à la main",
            )
        })
    }
}

/// The downloads (fixed names: nothing from the user reaches a path).
pub async fn telecharger(
    etat: S,
    Path((id, fichier)): Path<(String, String)>,
    Query(signature): Query<Signature>,
) -> Response {
    let sc = match charger(&etat, &id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    let r = super::travail(move || {
        if fichier == "scenario.xlsx" {
            let octets =
                crate::classeur::modele::ecrire_modele(&crate::classeur::modele::Contenu {
                    dossier: Some(&sc.lu),
                    evenements: &sc.evenements,
                    // the barème the dossier was read with (its bareme.toml or its workbook's sheet)
                    bareme_toml: sc.origine.localisations.bareme_toml.as_deref(),
                })
                .map_err(|e| interne(&e.to_string()))?;
            return Ok(fichier_reponse(octets, XLSX, "scenario.xlsx"));
        }
        let (r, avert) = sc
            .calculer()
            .map_err(|d| sc.invalide("Le scénario ne peut pas être calculé", &d))?;
        let avert = sc.avertissements(&avert);
        let (octets, type_mime) = match fichier.as_str() {
            "resultat.xlsx" => (
                rapport::xlsx::rendre(&r).map_err(|e| interne(&e.to_string()))?,
                XLSX,
            ),
            "resultat.csv" => (
                rapport::csv::rendre(&r, Profil::ExcelFr).map_err(|e| interne(&e.to_string()))?,
                "text/csv; charset=utf-8",
            ),
            "resultat.json" => (
                rapport::json::rendre(&r, &avert).map_err(|e| interne(&e.to_string()))?,
                "application/json",
            ),
            "rapport.html" => (
                rapport::html::rendre(&r)
                    .map_err(|e| interne(&e.to_string()))?
                    .into_bytes(),
                "text/html; charset=utf-8",
            ),
            // letters notify the dossier as deposited, never a simulation of it
            "lettres.zip" => {
                let (origine, _) = sc
                    .calculer_origine()
                    .map_err(|d| sc.invalide("Le dossier déposé ne peut pas être calculé", &d))?;
                (
                    lettres_zip(&origine, &signature.fait_a()?)?,
                    "application/zip",
                )
            }
            _ => {
                return Err(erreur(
                    StatusCode::NOT_FOUND,
                    Code::E136,
                    "téléchargement inconnu",
                    "utilisez les liens de la page Résultat",
                ))
            }
        };
        // named after the convention (`resultat-ctg-ville-de-dijon-2024-2027.xlsx`): the
        // downloads of several dossiers do not pile up as `resultat (1).xlsx`; a
        // simulation's files say so in their name
        let (base, extension) = fichier.rsplit_once('.').unwrap_or((&fichier, ""));
        let convention = crate::rapport::lettre::nom_de_fichier(sc.nom());
        let nom = if sc.enr.etapes.is_empty() || fichier == "lettres.zip" {
            format!("{base}-{convention}.{extension}")
        } else {
            format!("simulation-{base}-{convention}.{extension}")
        };
        Ok(fichier_reponse(octets, type_mime, &nom))
    })
    .await;
    match r {
        Ok(r) | Err(r) => r,
    }
}

/// Every notification letter (one per gestionnaire, one recap per collectivité) as PDF, in
/// one zip (the files `bonus-ctg notifier` writes).
fn lettres_zip(
    r: &crate::calcul::Resultat,
    fait: &rapport::lettre::FaitA,
) -> Result<Vec<u8>, Response> {
    use std::io::Write;
    let lettres = rapport::lettre::lettres(r, &rapport::lettre::Selection::Toutes, fait)
        .map_err(|e| interne(&e.to_string()))?;
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for l in &lettres {
        let pdf = rapport::lettre::pdf::rendre(l).map_err(|e| interne(&e))?;
        z.start_file(format!("{}.pdf", l.fichier), o)
            .and_then(|_| z.write_all(&pdf).map_err(Into::into))
            .map_err(|e| interne(&crate::diagnostic::texte_zip(&e)))?;
    }
    z.finish()
        .map(|c| c.into_inner())
        .map_err(|e| interne(&crate::diagnostic::texte_zip(&e)))
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn fichier_reponse(octets: Vec<u8>, type_mime: &'static str, nom: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, type_mime.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"{}\"",
                    nom.replace(['"', '\\', '\r', '\n'], "_")
                ),
            ),
        ],
        octets,
    )
        .into_response()
}

pub fn interne(m: &str) -> Response {
    erreur(
        StatusCode::UNPROCESSABLE_ENTITY,
        Code::E023,
        m,
        "vérifiez les ordres de grandeur des montants et des unités",
    )
}
