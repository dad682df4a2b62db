//! JSON output, schema `bonus-ctg.resultat.v1`: the same data as the CSV, amounts as
//! decimal strings (exact), plus the totals and the barème read.

use super::euros;
use crate::calcul::rationnel::R;
use crate::calcul::Resultat;
use crate::diagnostic::Diagnostics;
use serde_json::{json, Value};

pub const SCHEMA: &str = "bonus-ctg.resultat.v1";

pub fn valeur(r: &Resultat, avertissements: &Diagnostics) -> R<Value> {
    let m = |x: crate::modele::Montant| Value::String(x.to_string());
    let mut structures = Vec::new();
    for l in &r.structures {
        let s = &l.structure;
        structures.push(json!({
            "id": s.id,
            "nom": s.nom,
            "type": s.type_structure.code(),
            "volet": l.eligibilite.volet(),
            "gestionnaire": s.gestionnaire,
            "collectivite": s.collectivite,
            "annexe": s.annexe.libelle(),
            "motif": l.motif().code(),
            "unites_eligibles": l.unites_eligibles.to_string(),
            "taux_unitaire": match &l.taux_unitaire { Some(t) => euros(t, 4)?, None => "0.0000".into() },
            "bonus_lissage": m(l.bonus_lissage),
            "bonus_nouvelles": m(l.bonus_nouvelles),
            "bonus_total": m(l.bonus_total),
            "ecart_arrondi": euros(&l.ecart_arrondi, 4)?,
            "contribution_collectivite_n1": m(l.contribution_n1),
            "contribution_collectivite_n": m(l.contribution_n),
            "financement_public_n1": m(l.financement_public_n1),
            "financement_public_n": m(l.financement_public_n),
            "variation": m(l.variation),
            "bonus_trajectoire": m(l.bonus_trajectoire),
            "bonus_ctre": m(l.bonus_ctre),
        }));
    }
    let groupes: Vec<Value> = r
        .groupes
        .iter()
        .map(|g| {
            json!({
                "collectivite": g.collectivite,
                "volet": g.volet,
                "charge_n1": m(g.charge_n1),
                "unites": g.unites.to_string(),
                "lissage_verse": m(g.lissage_verse),
                "nouvelles_versees": m(g.nouvelles_versees),
                "complement_plancher": m(g.complement_plancher),
                "non_redistribue": m(g.non_redistribue),
                "verse_collectivite": m(g.verse_collectivite),
                "trajectoire_versee": m(g.trajectoire_versee),
            })
        })
        .collect();
    let tot = |t: &crate::calcul::Totaux| {
        json!({
            "structures": t.structures,
            "structures_eligibles": t.structures_eligibles,
            "bonus_n1": m(t.bonus_n1),
            "bonus_lissage": m(t.bonus_lissage),
            "bonus_nouvelles": m(t.bonus_nouvelles),
            "bonus_total": m(t.bonus_total),
            "contribution_collectivite_n1": m(t.contribution_n1),
            "contribution_collectivite_n": m(t.contribution_n),
            "financement_public_n1": m(t.financement_public_n1),
            "financement_public_n": m(t.financement_public_n),
            "variation": m(t.variation),
            "bonus_trajectoire": m(t.bonus_trajectoire),
            "bonus_ctre": m(t.bonus_ctre),
        })
    };
    let gestionnaires: serde_json::Map<String, Value> = r
        .gestionnaires
        .iter()
        .map(|(k, t)| (k.clone(), tot(t)))
        .collect();
    let collectivites: serde_json::Map<String, Value> = r
        .collectivites
        .iter()
        .map(|(k, c)| {
            (
                k.clone(),
                json!({
                    "structures": tot(&c.structures),
                    "charge_n1": m(c.charge_n1),
                    "verse_collectivite": m(c.verse_collectivite),
                    "non_redistribue": m(c.non_redistribue),
                    "verse_caf": m(c.verse_caf),
                }),
            )
        })
        .collect();
    let t = &r.total;
    Ok(json!({
        "schema": SCHEMA,
        "convention": {
            "nom": r.convention.nom,
            "caf": r.convention.caf,
            "debut": r.convention.debut.map(|d| d.to_string()),
            "fin": r.convention.fin.map(|d| d.to_string()),
        },
        "exercice": r.exercice,
        "structures": structures,
        "rapprochement": groupes,
        "totaux": {
            "gestionnaires": gestionnaires,
            "collectivites": collectivites,
            "general": {
                "structures": tot(&t.structures),
                "charge_n1": m(t.charge_n1),
                "lissage_verse": m(t.lissage_verse),
                "nouvelles_versees": m(t.nouvelles_versees),
                "complement_plancher": m(t.complement_plancher),
                "non_redistribue": m(t.non_redistribue),
                "verse_collectivite": m(t.verse_collectivite),
                "trajectoire_versee": m(t.trajectoire_versee),
                "verse_caf": m(t.verse_caf),
            }
        },
        "avertissements": avertissements.0,
    }))
}

pub fn rendre(r: &Resultat, avertissements: &Diagnostics) -> R<Vec<u8>> {
    let v = valeur(r, avertissements)?;
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    Ok(s.into_bytes())
}
