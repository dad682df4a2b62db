//! Simulation: the scenario is the dossier as read plus a list of steps (one per submitted
//! form), each a list of [`Modif`]; the whole result is recomputed server-side
//! ([`crate::traiter`]) and compared with the original ([`crate::comparaison::comparer`]).
//! Undo drops the last step; the scenario downloads as a workbook dossier.

use super::dossier::{charger, Scenario};
use super::resultat::{signe, synthese};
use super::{erreur, gabarit, liste_diagnostics, Jeton, Onglet, S};
use crate::calcul::Resultat;
use crate::comparaison::Comparaison;
use crate::diagnostic::Code;
use crate::lecture::nombres::{analyser_booleen, analyser_decimal, en_centiemes};
use crate::lecture::{DossierLu, MONTANT_MAX, UNITES_MAX};
use crate::modele::{Annexe, Financement, Montant, Structure, TypeStructure, Unites};
use crate::rapport::html::{esc, fr};
use axum::extract::{Form, Path};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use serde::{Deserialize, Serialize};

mod ajout;
mod page;
use page::{rendre, Saisies};

/// An edited field of a structure (values in hundredths of a unit, cents, months, 0/1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Champ {
    UnitesExistantes,
    UnitesNouvelles,
    UnitesEmployeurs,
    MoisOuverture,
    Soutien,
    /// 0: annexe 2, 1: annexe 2 bis.
    Annexe,
    ContributionN1,
    BonusN1,
}

/// A structure added by the simulation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ajout {
    pub id: String,
    pub nom: String,
    pub type_structure: String,
    pub gestionnaire: String,
    pub collectivite: String,
    pub financement: String,
    pub annexe_2bis: bool,
    pub soutien: bool,
    pub unites: i64,
    pub nouvelles: i64,
    pub mois: u8,
    pub contribution_n1: i64,
    pub bonus_n1: i64,
}

/// One change of the scenario.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Modif {
    Champ {
        id: String,
        champ: Champ,
        valeur: i64,
    },
    Charge {
        rang: usize,
        montant: i64,
    },
    Ajout(Ajout),
    Retrait {
        id: String,
    },
}

/// Applies one change (values were checked when the form was read).
pub fn appliquer(lu: &mut DossierLu, m: &Modif) {
    let d = &mut lu.dossier;
    match m {
        Modif::Champ { id, champ, valeur } => {
            if let Some(s) = d.structures.iter_mut().find(|s| s.id == *id) {
                let v = *valeur;
                match champ {
                    Champ::UnitesExistantes => s.unites_existantes = Unites(v),
                    Champ::UnitesNouvelles => s.unites_nouvelles = Unites(v),
                    Champ::UnitesEmployeurs => s.unites_employeurs = Unites(v),
                    Champ::MoisOuverture => s.mois_ouverture = v.clamp(0, 12) as u8,
                    Champ::Soutien => s.soutien_collectivite = v != 0,
                    Champ::Annexe => {
                        s.annexe = if v != 0 {
                            Annexe::DeuxBis
                        } else {
                            Annexe::Deux
                        }
                    }
                    Champ::ContributionN1 => s.contribution_collectivite_n1 = Montant(v),
                    Champ::BonusN1 => s.bonus_n1 = Montant(v),
                }
            }
        }
        Modif::Charge { rang, montant } => {
            if let Some(c) = d.charges.get_mut(*rang) {
                c.montant = Montant(*montant);
            }
        }
        Modif::Ajout(a) => {
            // in no file: its messages say « ajoutée dans la simulation » (Structure::origine)
            let ligne = 0;
            d.structures.push(Structure {
                id: a.id.as_str().into(),
                annexe: if a.annexe_2bis {
                    Annexe::DeuxBis
                } else {
                    Annexe::Deux
                },
                type_structure: TypeStructure::analyser(&a.type_structure)
                    .unwrap_or(TypeStructure::Autre),
                nom: a.nom.as_str().into(),
                adresse: Default::default(),
                gestionnaire: a.gestionnaire.as_str().into(),
                collectivite: a.collectivite.as_str().into(),
                financement: Financement::analyser(&a.financement).unwrap_or(Financement::Aucun),
                soutien_collectivite: a.soutien,
                unites_existantes: Unites(a.unites),
                unites_nouvelles: Unites(a.nouvelles),
                unites_employeurs: Unites(0),
                unites_employeurs_nouvelles: Unites(0),
                mois_ouverture: a.mois,
                contribution_collectivite_n1: Montant(a.contribution_n1),
                bonus_n1: Montant(a.bonus_n1),
                ligne,
            });
        }
        Modif::Retrait { id } => d.structures.retain(|s| s.id != *id),
    }
}

/// `1,5` → 150 (hundredths), within `0..=max`.
fn centiemes(brut: &str, max: i64) -> Result<i64, String> {
    let d = analyser_decimal(brut)?;
    let c = en_centiemes(d)?;
    if c < 0 {
        return Err("nombre négatif".into());
    }
    if c > max {
        return Err(format!("nombre trop grand (maximum {})", max / 100));
    }
    Ok(c)
}

fn mois(brut: &str) -> Result<i64, String> {
    match brut.trim().parse::<i64>() {
        Ok(m) if (0..=12).contains(&m) => Ok(m),
        _ => Err("nombre de mois entier de 0 à 12 attendu".into()),
    }
}

fn e138(quoi: &str, valeur: &str, raison: &str) -> String {
    format!("erreur E138 : {quoi}, valeur « {valeur} » : {raison}")
}

/// `1,5` for 150 hundredths (as typed in the form).
fn saisie(c: i64) -> String {
    crate::calcul::rationnel::format_echelle(c as i128, 2)
        .trim_end_matches('0')
        .trim_end_matches('.')
        .replace('.', ",")
}

/// A submitted form's fields, by name (one look-up per field: a form of a million fields
/// stays linear), and what it changes.
struct Saisie<'a> {
    index: std::collections::HashMap<&'a str, &'a str>,
    modifs: Vec<Modif>,
    erreurs: Vec<String>,
}

impl Saisie<'_> {
    fn valeur(&self, k: &str) -> Option<&str> {
        self.index.get(k).copied()
    }
}

/// The changes a submitted table makes to the scenario (`Err`: a French message per
/// refused value).
fn lire_table(lu: &DossierLu, champs: &[(String, String)]) -> Result<Vec<Modif>, Vec<String>> {
    let mut saisie = Saisie {
        index: champs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect(),
        modifs: Vec::new(),
        erreurs: Vec::new(),
    };
    for (i, s) in lu.dossier.structures.iter().enumerate() {
        // the row must still be this structure (the scenario may have changed meanwhile)
        if saisie.valeur(&format!("id.{i}")) != Some(s.id.as_str()) {
            continue;
        }
        if saisie.valeur(&format!("x.{i}")).is_some() {
            saisie.modifs.push(Modif::Retrait {
                id: s.id.to_string(),
            });
            continue;
        }
        lire_nombres_structure(&mut saisie, i, s);
        lire_choix_structure(&mut saisie, i, s);
    }
    lire_charges(&mut saisie, lu);
    if saisie.erreurs.is_empty() {
        Ok(saisie.modifs)
    } else {
        Err(saisie.erreurs)
    }
}

/// The table's fields with each row numbered as the scenario's structure of its `id.N`
/// now is: a form shown before a structure was added or removed (in another tab, or
/// brought back by the browser's back button) changes the structures it shows, and its
/// values, shown again with a refused one, stay on their structure. The rows of a
/// structure no longer in the scenario are dropped; the other fields are kept as they are.
fn lignes_par_identifiant(lu: &DossierLu, champs: Vec<(String, String)>) -> Vec<(String, String)> {
    let rang: std::collections::HashMap<&str, usize> = lu
        .dossier
        .structures
        .iter()
        .enumerate()
        .map(|(i, s)| (s.id.as_str(), i))
        .collect();
    let ligne_du_formulaire: std::collections::HashMap<String, usize> = champs
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("id.")?.to_string(), *rang.get(v.as_str())?)))
        .collect();
    champs
        .into_iter()
        .filter_map(|(k, v)| {
            let ligne = k
                .split_once('.')
                .filter(|(p, _)| ["id", "a", "u", "n", "e", "m", "s", "c", "b", "x"].contains(p));
            match ligne {
                Some((p, n)) => ligne_du_formulaire.get(n).map(|i| (format!("{p}.{i}"), v)),
                None => Some((k, v)),
            }
        })
        .collect()
}

/// The numeric fields of structure `s` (row `i`): units, N-1 contribution and bonus.
fn lire_nombres_structure(saisie: &mut Saisie, i: usize, s: &Structure) {
    let numeriques: [(&str, Champ, i64, &str, i64); 5] = [
        (
            "u",
            Champ::UnitesExistantes,
            s.unites_existantes.0,
            "unités existantes",
            UNITES_MAX,
        ),
        (
            "n",
            Champ::UnitesNouvelles,
            s.unites_nouvelles.0,
            "unités nouvelles",
            UNITES_MAX,
        ),
        (
            "e",
            Champ::UnitesEmployeurs,
            s.unites_employeurs.0,
            "unités employeurs",
            UNITES_MAX,
        ),
        (
            "c",
            Champ::ContributionN1,
            s.contribution_collectivite_n1.0,
            "contribution N-1",
            MONTANT_MAX,
        ),
        ("b", Champ::BonusN1, s.bonus_n1.0, "bonus N-1", MONTANT_MAX),
    ];
    // the units once the row is applied (the reader's rule E017: employers' places are part
    // of the existing places; more would make a negative share)
    let (mut existantes, mut employeurs) = (s.unites_existantes.0, s.unites_employeurs.0);
    for (k, champ, actuel, libelle, max) in numeriques {
        if let Some(v) = saisie.valeur(&format!("{k}.{i}")) {
            match centiemes(v, max) {
                Ok(c) => {
                    match champ {
                        Champ::UnitesExistantes => existantes = c,
                        Champ::UnitesEmployeurs => employeurs = c,
                        _ => {}
                    }
                    if c != actuel {
                        saisie.modifs.push(Modif::Champ {
                            id: s.id.to_string(),
                            champ,
                            valeur: c,
                        })
                    }
                }
                Err(r) => {
                    saisie
                        .erreurs
                        .push(e138(&format!("structure {}, {libelle}", s.id), v, &r))
                }
            }
        }
    }
    if employeurs > existantes {
        let v = saisie
            .valeur(&format!("e.{i}"))
            .map_or_else(|| self::saisie(employeurs), str::to_string);
        saisie.erreurs.push(e138(
            &format!("structure {}, unités employeurs", s.id),
            &v,
            &format!(
                "les unités réservées aux employeurs ({}) dépassent les unités existantes ({}) : les places employeurs font partie des places existantes",
                Unites(employeurs).fr(),
                Unites(existantes).fr()
            ),
        ));
    }
}

/// The months, support and annexe of structure `s` (row `i`).
fn lire_choix_structure(saisie: &mut Saisie, i: usize, s: &Structure) {
    if let Some(v) = saisie.valeur(&format!("m.{i}")) {
        match mois(v) {
            Ok(m) if m != i64::from(s.mois_ouverture) => saisie.modifs.push(Modif::Champ {
                id: s.id.to_string(),
                champ: Champ::MoisOuverture,
                valeur: m,
            }),
            Ok(_) => {}
            Err(r) => saisie.erreurs.push(e138(
                &format!("structure {}, mois d'ouverture", s.id),
                v,
                &r,
            )),
        }
    }
    if let Some(v) = saisie.valeur(&format!("s.{i}")) {
        match analyser_booleen(v) {
            Some(b) if b != s.soutien_collectivite => saisie.modifs.push(Modif::Champ {
                id: s.id.to_string(),
                champ: Champ::Soutien,
                valeur: i64::from(b),
            }),
            Some(_) => {}
            None => saisie.erreurs.push(e138(
                &format!("structure {}, soutien", s.id),
                v,
                "oui ou non attendu",
            )),
        }
    }
    if let Some(v) = saisie.valeur(&format!("a.{i}")) {
        match Annexe::analyser(v) {
            Some(a) if a != s.annexe => saisie.modifs.push(Modif::Champ {
                id: s.id.to_string(),
                champ: Champ::Annexe,
                valeur: i64::from(a == Annexe::DeuxBis),
            }),
            Some(_) => {}
            None => saisie.erreurs.push(e138(
                &format!("structure {}, annexe", s.id),
                v,
                "2 ou 2bis attendu",
            )),
        }
    }
}

/// The N-1 charges' amounts.
fn lire_charges(saisie: &mut Saisie, lu: &DossierLu) {
    for (k, c) in lu.dossier.charges.iter().enumerate() {
        if let Some(v) = saisie.valeur(&format!("ch.{k}")) {
            match centiemes(v, MONTANT_MAX) {
                Ok(m) if m != c.montant.0 => saisie.modifs.push(Modif::Charge {
                    rang: k,
                    montant: m,
                }),
                Ok(_) => {}
                Err(r) => saisie.erreurs.push(e138(
                    &format!("charge N-1 {} {}", c.collectivite, c.volet),
                    v,
                    &r,
                )),
            }
        }
    }
}

pub async fn page_get(etat: &super::EtatPartage, id: &str, j: Jeton) -> Response {
    let sc = match charger(etat, id).await {
        Ok(s) => s,
        Err(r) => return r,
    };
    match super::travail(move || Ok(rendre(&sc, &j, &[], &Saisies::de(&[])))).await {
        Ok(r) | Err(r) => r,
    }
}

pub async fn page(etat: S, Path(id): Path<String>, Extension(j): Extension<Jeton>) -> Response {
    page_get(&etat, &id, j).await
}

fn jeton_de(champs: &[(String, String)]) -> Option<&str> {
    champs
        .iter()
        .find(|(k, _)| k == "jeton")
        .map(|(_, v)| v.as_str())
}

/// A posted form: each field once (a repeated one is refused, 400 E146: no form of the page
/// repeats a field, and one of the values would be dropped without a word), and its token.
fn controler(j: &Jeton, champs: &[(String, String)]) -> Result<(), Response> {
    if let Some(n) = super::premier_champ_repete(champs.iter().map(|(k, _)| k.as_str())) {
        return Err(super::champ_repete(false, n));
    }
    j.verifier(jeton_de(champs))
}

/// Two rows of the table for one structure (`id.0` and `id.5` both `LAEP-LAPINOUS`) are
/// refused (400, E146): the rows are matched by identifier, so the values of one would replace
/// the other's without a word; no page shows a structure twice.
fn ligne_repetee(champs: &[(String, String)]) -> Result<(), Response> {
    let mut lignes: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for (k, v) in champs.iter().filter(|(k, _)| k.starts_with("id.")) {
        if let Some(autre) = lignes.insert(v.as_str(), k.as_str()) {
            let id: String = crate::lecture::texte::montrer_invisibles(v)
                .chars()
                .take(80)
                .collect();
            return Err(erreur(
                StatusCode::BAD_REQUEST,
                Code::E146,
                &format!(
                    "requête mal formée : structure « {id} » sur deux lignes du tableau (champs « {autre} » et « {k} »)"
                ),
                "rechargez la page Simulation et envoyez le tableau à nouveau",
            ));
        }
    }
    Ok(())
}

/// How many times a change is made again on the steps another request has just written.
const ESSAIS_ETAPES: usize = 8;

/// Writes the steps `etapes`, made on the steps of `sc` as read, journals them and goes
/// back to the page; `None` when another request (another tab, a double click) changed the
/// steps meanwhile: nothing is written, and the change is to be made again on them.
async fn ecrire_etapes(
    etat: &super::EtatPartage,
    sc: Scenario,
    etapes: Vec<Vec<Modif>>,
) -> Option<Response> {
    match etat.magasin.ecrire_etapes(&sc.id, &sc.enr.etapes, &etapes) {
        Ok(true) => {}
        Ok(false) => return None,
        Err(m) => {
            return Some(erreur(
                StatusCode::INTERNAL_SERVER_ERROR,
                Code::E139,
                &m,
                "vérifiez le fichier de la base (--base)",
            ))
        }
    }
    let id = sc.id.clone();
    let mut enr = sc.enr;
    enr.etapes = etapes;
    if let Err(r) = super::journal::journaliser(etat, "simulation", enr).await {
        return Some(r);
    }
    Some(Redirect::to(&format!("/d/{id}/simulation")).into_response())
}

/// Records a step (if it changes something) and goes back to the page; `None`: see
/// [`ecrire_etapes`].
async fn ajouter_etape(
    etat: &super::EtatPartage,
    sc: Scenario,
    modifs: Vec<Modif>,
) -> Option<Response> {
    if modifs.is_empty() {
        return Some(Redirect::to(&format!("/d/{}/simulation", sc.id)).into_response());
    }
    let mut etapes = sc.enr.etapes.clone();
    etapes.push(modifs);
    ecrire_etapes(etat, sc, etapes).await
}

/// The steps changed by other requests [`ESSAIS_ETAPES`] times running (503, E142).
fn modifiee_en_meme_temps() -> Response {
    erreur(
        StatusCode::SERVICE_UNAVAILABLE,
        Code::E142,
        "simulation modifiée par d'autres demandes en même temps que la vôtre : votre modification n'a pas été enregistrée",
        "rechargez la page Simulation, vérifiez les valeurs, puis recommencez",
    )
}

pub async fn modifier(
    etat: S,
    Path(id): Path<String>,
    Extension(j): Extension<Jeton>,
    Form(champs): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = controler(&j, &champs).and_then(|()| ligne_repetee(&champs)) {
        return r;
    }
    etape_du_formulaire(&etat, &id, j, |sc| {
        let champs = lignes_par_identifiant(&sc.lu, champs.clone());
        // refused: the page again with every value as typed, only the refused ones to correct
        lire_table(&sc.lu, &champs).map_err(|e| (e, champs))
    })
    .await
}

pub async fn ajouter(
    etat: S,
    Path(id): Path<String>,
    Extension(j): Extension<Jeton>,
    Form(champs): Form<Vec<(String, String)>>,
) -> Response {
    if let Err(r) = controler(&j, &champs) {
        return r;
    }
    etape_du_formulaire(&etat, &id, j, |sc| {
        ajout::lire_ajout(sc, &champs)
            .map(|a| vec![Modif::Ajout(a)])
            .map_err(|e| (e, Vec::new()))
    })
    .await
}

/// A form that adds a step: `lire` turns it into the step's changes on the scenario as it is
/// now, or into the refused values' messages and the values to show again (the page is
/// rendered again with them). Retried [`ESSAIS_ETAPES`] times if other requests change the
/// steps meanwhile.
async fn etape_du_formulaire(
    etat: &super::EtatPartage,
    id: &str,
    j: Jeton,
    lire: impl Fn(&Scenario) -> Result<Vec<Modif>, (Vec<String>, Vec<(String, String)>)>,
) -> Response {
    for _ in 0..ESSAIS_ETAPES {
        let sc = match charger(etat, id).await {
            Ok(s) => s,
            Err(r) => return r,
        };
        match lire(&sc) {
            Ok(m) => {
                if let Some(r) = ajouter_etape(etat, sc, m).await {
                    return r;
                }
            }
            Err((erreurs, saisies)) => {
                let rendu = move || Ok(rendre(&sc, &j, &erreurs, &Saisies::de(&saisies)));
                return match super::travail(rendu).await {
                    Ok(r) | Err(r) => r,
                };
            }
        }
    }
    modifiee_en_meme_temps()
}

async fn changer_etapes(
    etat: &super::EtatPartage,
    id: &str,
    j: &Jeton,
    champs: &[(String, String)],
    tout: bool,
) -> Response {
    if let Err(r) = controler(j, champs) {
        return r;
    }
    for _ in 0..ESSAIS_ETAPES {
        let sc = match charger(etat, id).await {
            Ok(s) => s,
            Err(r) => return r,
        };
        let mut etapes = sc.enr.etapes.clone();
        if tout {
            etapes.clear();
        } else {
            etapes.pop();
        }
        if let Some(r) = ecrire_etapes(etat, sc, etapes).await {
            return r;
        }
    }
    modifiee_en_meme_temps()
}

pub async fn annuler(
    etat: S,
    Path(id): Path<String>,
    Extension(j): Extension<Jeton>,
    Form(champs): Form<Vec<(String, String)>>,
) -> Response {
    changer_etapes(&etat, &id, &j, &champs, false).await
}

pub async fn reinitialiser(
    etat: S,
    Path(id): Path<String>,
    Extension(j): Extension<Jeton>,
    Form(champs): Form<Vec<(String, String)>>,
) -> Response {
    changer_etapes(&etat, &id, &j, &champs, true).await
}
