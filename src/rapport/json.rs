//! JSON output, schema `bonus-ctg.resultat.v1`: the same data as the CSV, amounts as
//! decimal strings (exact), plus the totals and the barème read.

use super::euros;
use crate::calcul::rationnel::{Depassement, R};
use crate::calcul::{LigneStructure, Resultat};
use crate::diagnostic::Diagnostics;
use crate::modele::Montant;
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

pub const SCHEMA: &str = "bonus-ctg.resultat.v1";

/// A figure written with its `Display` (amounts, units), without an intermediate `String`.
struct Texte<T>(T);

impl<T: std::fmt::Display> Serialize for Texte<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// One structure of the `structures` array. Fields in the byte order of their names: the
/// order in which a `serde_json::Value` object (a sorted map) writes them, as every other
/// object of this output.
#[derive(Serialize)]
struct StructureJson<'a> {
    annexe: &'a str,
    bonus_ctre: Texte<Montant>,
    bonus_lissage: Texte<Montant>,
    bonus_nouvelles: Texte<Montant>,
    bonus_total: Texte<Montant>,
    bonus_trajectoire: Texte<Montant>,
    collectivite: &'a str,
    contribution_collectivite_n: Texte<Montant>,
    contribution_collectivite_n1: Texte<Montant>,
    ecart_arrondi: String,
    financement_public_n: Texte<Montant>,
    financement_public_n1: Texte<Montant>,
    gestionnaire: &'a str,
    id: &'a str,
    motif: &'a str,
    nom: &'a str,
    taux_unitaire: String,
    #[serde(rename = "type")]
    type_structure: &'a str,
    unites_eligibles: Texte<crate::modele::Unites>,
    variation: Texte<Montant>,
    volet: Option<&'a str>,
}

impl<'a> StructureJson<'a> {
    fn de(l: &'a LigneStructure) -> R<Self> {
        let s = &l.structure;
        Ok(StructureJson {
            annexe: s.annexe.libelle(),
            bonus_ctre: Texte(l.bonus_ctre),
            bonus_lissage: Texte(l.bonus_lissage),
            bonus_nouvelles: Texte(l.bonus_nouvelles),
            bonus_total: Texte(l.bonus_total),
            bonus_trajectoire: Texte(l.bonus_trajectoire),
            collectivite: &s.collectivite,
            contribution_collectivite_n: Texte(l.contribution_n),
            contribution_collectivite_n1: Texte(l.contribution_n1),
            ecart_arrondi: euros(&l.ecart_arrondi()?, 4)?,
            financement_public_n: Texte(l.financement_public_n),
            financement_public_n1: Texte(l.financement_public_n1),
            gestionnaire: &s.gestionnaire,
            id: &s.id,
            motif: l.motif().code(),
            nom: &s.nom,
            taux_unitaire: match &l.taux_unitaire {
                Some(t) => euros(t, 4)?,
                None => "0.0000".into(),
            },
            type_structure: s.type_structure.code(),
            unites_eligibles: Texte(l.unites_eligibles),
            variation: Texte(l.variation),
            volet: l.eligibilite.volet(),
        })
    }
}

/// The `structures` array, serialised one structure at a time (never the whole array as a
/// tree of values). A figure too large to write ends the serialisation; `depassement` says
/// so to [`ecrire`].
struct Structures<'a> {
    r: &'a Resultat,
    depassement: &'a std::cell::Cell<bool>,
}

impl Serialize for Structures<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.r.structures.len()))?;
        for l in &self.r.structures {
            match StructureJson::de(l) {
                Ok(x) => seq.serialize_element(&x)?,
                Err(_) => {
                    self.depassement.set(true);
                    return Err(serde::ser::Error::custom("dépassement"));
                }
            }
        }
        seq.end()
    }
}

fn m(x: Montant) -> Value {
    Value::String(x.to_string())
}

fn convention(r: &Resultat) -> Value {
    json!({
        "nom": r.convention.nom,
        "caf": r.convention.caf,
        "debut": r.convention.debut.map(|d| d.to_string()),
        "fin": r.convention.fin.map(|d| d.to_string()),
    })
}

fn rapprochement(r: &Resultat) -> Value {
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
    Value::Array(groupes)
}

fn totaux(r: &Resultat) -> Value {
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
    json!({
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
    })
}

/// Writes the JSON result into `w` (indented by two spaces, as `serde_json`'s pretty
/// printer), followed by a line break: the top-level keys in byte order, as a sorted map
/// writes them, the structures one by one.
pub fn ecrire<W: std::io::Write>(
    r: &Resultat,
    avertissements: &Diagnostics,
    w: W,
) -> R<std::io::Result<()>> {
    let depassement = std::cell::Cell::new(false);
    let mut ser = serde_json::Serializer::pretty(w);
    let ecrit = (|| {
        let mut o = (&mut ser).serialize_map(Some(7))?;
        o.serialize_entry(
            "avertissements",
            &serde_json::to_value(&avertissements.0).unwrap_or(Value::Null),
        )?;
        o.serialize_entry("convention", &convention(r))?;
        o.serialize_entry("exercice", &r.exercice)?;
        o.serialize_entry("rapprochement", &rapprochement(r))?;
        o.serialize_entry("schema", SCHEMA)?;
        o.serialize_entry(
            "structures",
            &Structures {
                r,
                depassement: &depassement,
            },
        )?;
        o.serialize_entry("totaux", &totaux(r))?;
        SerializeMap::end(o)
    })();
    if depassement.get() {
        return Err(Depassement);
    }
    let mut w = ser.into_inner();
    Ok(match ecrit {
        Ok(()) => w.write_all(b"\n"),
        Err(e) => Err(std::io::Error::other(e)),
    })
}

pub fn rendre(r: &Resultat, avertissements: &Diagnostics) -> R<Vec<u8>> {
    // about 900 bytes a structure
    let mut o = Vec::with_capacity(4096 + r.structures.len() * 900);
    // writing into memory cannot fail
    let _ = ecrire(r, avertissements, &mut o)?;
    Ok(o)
}
