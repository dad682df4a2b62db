//! Outputs of `bonus-ctg projeter` (table, CSV, JSON) and `bonus-ctg expliquer --annee`.
//! Pure: they build strings; writing is `sortie`'s. The XLSX workbook and the HTML report of
//! the projection are in `projection_xlsx` and `projection_html`.

use super::{euros, groupe_fr, montant_fr, texte_sur, Profil};
use crate::bareme::BasePluriannuelle;
use crate::calcul::rationnel::{Invariant, Rationnel, R};
use crate::diagnostic::Diagnostics;
use crate::modele::{Montant, Unites};
use crate::projection::evenements::NOMS_MOIS;
use crate::projection::trajectoire::TrajectoireCollectivite;
use crate::projection::{AnneeProjetee, LigneProjetee, Projection, TotauxAnnee};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt::Write;

mod explication;
mod terminal;
pub use explication::{expliquer, html_explication, json_explication, xlsx_explication};
pub use terminal::table;

pub const SCHEMA: &str = "bonus-ctg.projection.v1";

pub const COLONNES: &[&str] = &[
    "exercice",
    "id",
    "nom",
    "type",
    "volet",
    "gestionnaire",
    "collectivite",
    "motif",
    "mois",
    "unites_eligibles",
    "unites_nouvelles",
    "taux_unitaire",
    "bonus_lissage",
    "bonus_nouvelles",
    "bonus_trajectoire",
    "bonus_total",
    "contribution_collectivite_n1",
    "contribution_collectivite_n",
    "financement_public_n1",
    "financement_public_n",
    "variation",
    "bonus_ctre",
    "ecart_arrondi",
];

pub const COLONNES_TOTAUX: &[&str] = &[
    "exercice",
    "collectivite",
    "charge_n1",
    "lissage",
    "nouvelles",
    "trajectoire",
    "verse_collectivite",
    "verse_caf",
    "contribution_collectivite",
    "financement_public",
    "non_redistribue",
    "ctre",
    "complement",
];

pub const COLONNES_TRAJECTOIRE: &[&str] = &[
    "exercice",
    "collectivite",
    "volet",
    "annee_reference",
    "places_reference",
    "places",
    "croissance",
    "seuil",
    "montant_par_place",
    "verse",
];

/// Collectivité label of the all-collectivités totals rows.
pub const TOUTES: &str = "TOUTES";

pub(crate) fn nom_base(b: BasePluriannuelle) -> &'static str {
    match b {
        BasePluriannuelle::Figee => "figée",
        BasePluriannuelle::Glissante => "glissante",
    }
}

pub(crate) fn pourcent(r: &Rationnel) -> R<String> {
    Ok(groupe_fr(
        &r.mul(Rationnel::entier(100))?.decimal_arrondi(2)?,
    ))
}

/// One row of the per-year totals (terminal table, HTML report).
pub(crate) struct RangTotaux {
    /// Field name (as in the CSV).
    pub(crate) champ: &'static str,
    pub(crate) libelle: &'static str,
    pub(crate) valeur: fn(&TotauxAnnee) -> Montant,
    /// Known for N−1 (the dossier states the charge à payer and the contributions only).
    pub(crate) connu_n1: bool,
    /// A headline total (Caf, collectivités).
    pub(crate) total: bool,
}

pub(crate) const RANGS_TOTAUX: [RangTotaux; 11] = [
    RangTotaux {
        champ: "charge_n1",
        libelle: "enveloppe A (charge à payer N-1, puis versé N-1)",
        valeur: |x| x.charge_n1,
        connu_n1: false,
        total: false,
    },
    RangTotaux {
        champ: "lissage",
        libelle: "Caf : lissage",
        valeur: |x| x.lissage,
        connu_n1: false,
        total: false,
    },
    RangTotaux {
        champ: "nouvelles",
        libelle: "Caf : unités nouvelles",
        valeur: |x| x.nouvelles,
        connu_n1: false,
        total: false,
    },
    RangTotaux {
        champ: "trajectoire",
        libelle: "Caf : bonus trajectoire",
        valeur: |x| x.trajectoire,
        connu_n1: false,
        total: false,
    },
    RangTotaux {
        champ: "ctre",
        libelle: "Caf : CTRE (places réservées aux employeurs)",
        valeur: |x| x.ctre,
        connu_n1: false,
        total: false,
    },
    RangTotaux {
        champ: "verse_collectivite",
        libelle: "Caf : versé aux collectivités (pilotage)",
        valeur: |x| x.verse_collectivite,
        connu_n1: false,
        total: false,
    },
    RangTotaux {
        champ: "verse_caf",
        libelle: "TOTAL Caf",
        valeur: |x| x.verse_caf,
        connu_n1: true,
        total: true,
    },
    RangTotaux {
        champ: "contribution_collectivite",
        libelle: "TOTAL collectivités (contributions)",
        valeur: |x| x.contribution_collectivite,
        connu_n1: true,
        total: true,
    },
    RangTotaux {
        champ: "financement_public",
        libelle: "financement public des structures",
        valeur: |x| x.financement_public,
        connu_n1: true,
        total: false,
    },
    RangTotaux {
        champ: "complement",
        libelle: "complément au-delà de l'enveloppe A (taux conservé, plancher, revalorisation)",
        valeur: |x| x.complement,
        connu_n1: false,
        total: false,
    },
    RangTotaux {
        champ: "non_redistribue",
        libelle: "non redistribué (A + complément − lissage − pilotage)",
        valeur: |x| x.non_redistribue,
        connu_n1: false,
        total: false,
    },
];

// ------------------------------------------------------------------------------------ CSV

fn ecrire(lignes: &[Vec<String>], p: Profil) -> R<Vec<u8>> {
    let mut w = super::csv::ecrivain(p, Vec::new());
    for l in lignes {
        w.write_record(l)
            .map_err(|_| Invariant("écriture CSV en mémoire impossible"))?;
    }
    w.into_inner()
        .map_err(|_| Invariant("écriture CSV en mémoire impossible"))
}

fn ligne_totaux(p: Profil, c: &str, t: &TotauxAnnee) -> Vec<String> {
    vec![
        t.exercice.to_string(),
        texte_sur(c),
        p.montant(t.charge_n1),
        p.montant(t.lissage),
        p.montant(t.nouvelles),
        p.montant(t.trajectoire),
        p.montant(t.verse_collectivite),
        p.montant(t.verse_caf),
        p.montant(t.contribution_collectivite),
        p.montant(t.financement_public),
        p.montant(t.non_redistribue),
        p.montant(t.ctre),
        p.montant(t.complement),
    ]
}

/// CSV: one row per (year, structure); an empty line; totals per year (N−1 first) per
/// collectivité and for all (`TOUTES`); an empty line; the trajectoire per year and
/// collectivité.
/// The tables of the projection's CSV output, one per file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableProjection {
    /// One row per structure and year (the default).
    Structures,
    /// Caf and collectivités totals, per collectivité and year.
    Totaux,
    /// The bonus trajectoire per collectivité and year.
    Trajectoire,
}

impl TableProjection {
    pub const TOUTES: [TableProjection; 3] = [
        TableProjection::Structures,
        TableProjection::Totaux,
        TableProjection::Trajectoire,
    ];
    pub fn nom(self) -> &'static str {
        match self {
            TableProjection::Structures => "structures",
            TableProjection::Totaux => "totaux",
            TableProjection::Trajectoire => "trajectoire",
        }
    }
}

/// The per-structure-year table as a CSV file (the other tables: [`csv_table`]).
pub fn csv(pr: &Projection, p: Profil) -> R<Vec<u8>> {
    csv_table(pr, p, TableProjection::Structures)
}

/// One table of the projection as a CSV file (bytes, with BOM for `excel-fr`).
pub fn csv_table(pr: &Projection, p: Profil, table: TableProjection) -> R<Vec<u8>> {
    let mut o = Vec::new();
    match ecrire_csv_table(pr, p, table, &mut o)? {
        Ok(()) => Ok(o),
        Err(_) => Err(Invariant("écriture CSV en mémoire impossible")),
    }
}

/// One table of the projection written into `w` as a CSV file (with BOM for `excel-fr`):
/// the per-structure-year table row by row, never held whole in memory (one row per
/// structure and per year); the others (one row per collectivité and year) rendered first.
/// A rendering error is the outer `Err`; an output error the inner one.
pub fn ecrire_csv_table(
    pr: &Projection,
    p: Profil,
    table: TableProjection,
    w: &mut dyn std::io::Write,
) -> R<std::io::Result<()>> {
    let octets = match table {
        TableProjection::Structures => return ecrire_csv_structures(pr, p, w),
        TableProjection::Totaux => ecrire(&lignes_totaux_csv(pr, p), p)?,
        TableProjection::Trajectoire => ecrire(&lignes_trajectoire(pr, p)?, p)?,
    };
    Ok(w.write_all(super::csv::bom(p))
        .and_then(|()| w.write_all(&octets)))
}

/// Rows gathered before they are handed to the writer (fewer calls, a bounded buffer).
const PAQUET: usize = 1 << 16;

/// The per-structure-year table (columns [`COLONNES`]), each row written as it is
/// formatted ([`super::csv::LigneCsv`], the bytes the csv crate writes): no `String` per
/// field, no table of rows held before writing (one row per structure and per year).
fn ecrire_csv_structures(
    pr: &Projection,
    p: Profil,
    w: &mut dyn std::io::Write,
) -> R<std::io::Result<()>> {
    let mut o = super::csv::LigneCsv::new(p);
    o.octets.extend_from_slice(super::csv::bom(p));
    for c in COLONNES {
        o.champ(c.as_bytes());
    }
    o.terminer();
    let m = |x: Montant| x.0 as i128;
    for a in &pr.annees {
        for l in &a.lignes {
            o.nombre(a.exercice as i128, 0);
            o.texte(&l.id);
            o.texte(&l.nom);
            o.champ(l.type_structure.code().as_bytes());
            o.champ(l.volet.as_deref().unwrap_or("").as_bytes());
            o.texte(&l.gestionnaire);
            o.texte(&l.collectivite);
            o.champ(l.motif.code().as_bytes());
            o.nombre(l.mois as i128, 0);
            o.nombre(l.unites_eligibles.0 as i128, 2);
            o.nombre(l.unites_nouvelles.0 as i128, 2);
            match &l.taux_unitaire {
                Some(t) => o.euros4(t)?,
                // no rate (not eligible): zero with four decimals
                None => o.nombre(0, 4),
            }
            for x in [
                l.bonus_lissage,
                l.bonus_nouvelles,
                l.bonus_trajectoire,
                l.bonus_total,
                l.contribution_n1,
                l.contribution_n,
                l.financement_public_n1,
                l.financement_public_n,
                l.variation,
                l.bonus_ctre,
            ] {
                o.nombre(m(x), 2);
            }
            o.euros4(&l.ecart_arrondi)?;
            o.terminer();
            if o.octets.len() >= PAQUET {
                if let Err(e) = w.write_all(&o.octets) {
                    return Ok(Err(e));
                }
                o.vider();
            }
        }
    }
    Ok(w.write_all(&o.octets))
}

fn lignes_totaux_csv(pr: &Projection, p: Profil) -> Vec<Vec<String>> {
    let mut totaux: Vec<Vec<String>> =
        vec![COLONNES_TOTAUX.iter().map(|s| s.to_string()).collect()];
    for (c, t) in &pr.n1_par_collectivite {
        totaux.push(ligne_totaux(p, c, t));
    }
    totaux.push(ligne_totaux(p, TOUTES, &pr.n1));
    for a in &pr.annees {
        for (c, t) in &a.par_collectivite {
            totaux.push(ligne_totaux(p, c, t));
        }
        totaux.push(ligne_totaux(p, TOUTES, &a.totaux));
    }
    totaux
}

fn lignes_trajectoire(pr: &Projection, p: Profil) -> R<Vec<Vec<String>>> {
    let mut traj: Vec<Vec<String>> =
        vec![COLONNES_TRAJECTOIRE.iter().map(|s| s.to_string()).collect()];
    for a in &pr.annees {
        for t in &a.trajectoire {
            traj.push(vec![
                a.exercice.to_string(),
                texte_sur(&t.collectivite),
                t.volet.clone(),
                t.annee_reference.to_string(),
                p.unites(t.places_reference),
                p.unites(t.places),
                match &t.croissance {
                    Some(c) => p.decimal(c.decimal_arrondi(4)?),
                    None => String::new(),
                },
                t.seuil
                    .map(|s| p.decimal(s.to_string()))
                    .unwrap_or_default(),
                p.montant(t.montant_par_place),
                p.montant(t.verse),
            ]);
        }
    }
    Ok(traj)
}

// ----------------------------------------------------------------------------------- JSON

fn totaux_json(t: &TotauxAnnee) -> Value {
    let m = |x: Montant| Value::String(x.to_string());
    json!({
        "exercice": t.exercice,
        "charge_n1": m(t.charge_n1),
        "lissage": m(t.lissage),
        "nouvelles": m(t.nouvelles),
        "trajectoire": m(t.trajectoire),
        "verse_collectivite": m(t.verse_collectivite),
        "verse_caf": m(t.verse_caf),
        "contribution_collectivite": m(t.contribution_collectivite),
        "financement_public": m(t.financement_public),
        "non_redistribue": m(t.non_redistribue),
        "ctre": m(t.ctre),
        "complement": m(t.complement),
    })
}

fn ligne_json(l: &LigneProjetee) -> R<Value> {
    let m = |x: Montant| Value::String(x.to_string());
    Ok(json!({
        "id": l.id,
        "nom": l.nom,
        "type": l.type_structure.code(),
        "volet": l.volet,
        "gestionnaire": l.gestionnaire,
        "collectivite": l.collectivite,
        "motif": l.motif.code(),
        "mois": l.mois,
        "unites_eligibles": l.unites_eligibles.to_string(),
        "unites_nouvelles": l.unites_nouvelles.to_string(),
        "taux_unitaire": match &l.taux_unitaire { Some(t) => euros(t, 4)?, None => "0.0000".into() },
        "bonus_lissage": m(l.bonus_lissage),
        "bonus_nouvelles": m(l.bonus_nouvelles),
        "bonus_trajectoire": m(l.bonus_trajectoire),
        "bonus_total": m(l.bonus_total),
        "contribution_collectivite_n1": m(l.contribution_n1),
        "contribution_collectivite_n": m(l.contribution_n),
        "financement_public_n1": m(l.financement_public_n1),
        "financement_public_n": m(l.financement_public_n),
        "variation": m(l.variation),
        "bonus_ctre": m(l.bonus_ctre),
        "ecart_arrondi": euros(&l.ecart_arrondi, 4)?,
    }))
}

fn trajectoire_json(t: &TrajectoireCollectivite) -> R<Value> {
    let m = |x: Montant| Value::String(x.to_string());
    Ok(json!({
        "collectivite": t.collectivite,
        "volet": t.volet,
        "annee_reference": t.annee_reference,
        "places_reference": t.places_reference.to_string(),
        "places": t.places.to_string(),
        "croissance": match &t.croissance { Some(c) => Value::String(c.decimal_arrondi(6)?), None => Value::Null },
        "niveau": t.niveau,
        "seuil": t.seuil.map(|s| s.to_string()),
        "montant_par_place": m(t.montant_par_place),
        "verse": m(t.verse),
    }))
}

fn totaux_collectivites_json(
    par_c: &BTreeMap<String, TotauxAnnee>,
) -> serde_json::Map<String, Value> {
    par_c
        .iter()
        .map(|(c, t)| (c.clone(), totaux_json(t)))
        .collect()
}

fn annee_json(a: &AnneeProjetee) -> R<Value> {
    let lignes = a.lignes.iter().map(ligne_json).collect::<R<Vec<_>>>()?;
    let traj = a
        .trajectoire
        .iter()
        .map(trajectoire_json)
        .collect::<R<Vec<_>>>()?;
    Ok(json!({
        "exercice": a.exercice,
        "structures": lignes,
        "trajectoire": traj,
        "totaux": totaux_json(&a.totaux),
        "totaux_collectivites": totaux_collectivites_json(&a.par_collectivite),
    }))
}

pub fn json(pr: &Projection, avertissements: &Diagnostics) -> R<Vec<u8>> {
    let annees = pr.annees.iter().map(annee_json).collect::<R<Vec<_>>>()?;
    let v = json!({
        "schema": SCHEMA,
        "convention": {
            "nom": pr.convention.nom,
            "caf": pr.convention.caf,
            "debut": pr.convention.debut.map(|d| d.to_string()),
            "fin": pr.convention.fin.map(|d| d.to_string()),
        },
        "base": pr.base.code(),
        "origine_base": pr.origine_base,
        "premiere_annee": pr.premiere,
        "derniere_annee": pr.derniere,
        "evenements": pr.nombre_evenements,
        "n1": {
            "totaux": totaux_json(&pr.n1),
            "totaux_collectivites": totaux_collectivites_json(&pr.n1_par_collectivite),
        },
        "annees": annees,
        "avertissements": avertissements.0,
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    Ok(s.into_bytes())
}

/// The events applied by the projection, in the order of evenements.csv, one sentence each:
/// `ligne 2 : 1er juillet 2026, ID action valeur → compte à partir de juillet 2026`.
pub(crate) fn evenements_appliques(pr: &Projection) -> Vec<String> {
    let mut evs = Vec::new();
    for a in &pr.annees {
        for (id, s) in &a.situations {
            for e in &s.evenements {
                let (y, m) = e.effet();
                evs.push((
                    e.ligne,
                    format!(
                        "ligne {} : {}, {} {}{} → compte {}",
                        e.ligne,
                        e.date.en_toutes_lettres(),
                        id,
                        e.action.nom(),
                        if e.action.valeur().is_empty() {
                            String::new()
                        } else {
                            format!(" {}", e.action.valeur())
                        },
                        crate::projection::evenements::a_partir_de(m, y)
                    ),
                ));
            }
        }
    }
    evs.sort();
    evs.into_iter().map(|(_, e)| e).collect()
}

// ----------------------------------------------------------------------------- expliquer
