//! `bonus-ctg expliquer … --format json`: the calculation's explanation tree as JSON
//! (schema `bonus-ctg.explication.v1`, docs/regles.md « Explication des chiffres »).

use super::*;

/// Schema id of `expliquer --format json`.
pub const SCHEMA_JSON: &str = "bonus-ctg.explication.v1";

/// `bonus-ctg expliquer … --format json`: the explanation tree of the calculation
/// ([`crate::calcul::explication`]) as JSON (`None`: no such structure).
pub fn json(d: &Dossier, r: &Resultat, id: &str) -> R<Option<String>> {
    let Some(e) = crate::calcul::explication::expliquer(d, r, id)? else {
        return Ok(None);
    };
    Ok(Some(json_explication(r, &e)?))
}

/// The JSON of an explanation (also used for a year of the projection).
pub fn json_explication(r: &Resultat, e: &crate::calcul::explication::Explication) -> R<String> {
    use serde_json::json;
    // the structure as computed, in its line of the result (a projected year keeps its
    // structures there only)
    let s = r
        .structure(&e.id)
        .map(|l| &l.structure)
        .ok_or(Invariant("structure expliquée absente du résultat"))?;
    let figures = e
        .figures()
        .into_iter()
        .map(noeud_json)
        .collect::<R<Vec<_>>>()?;
    let v = json!({
        "schema": SCHEMA_JSON,
        "exercice": e.exercice,
        "convention": r.convention.nom,
        "structure": {
            "id": s.id,
            "nom": s.nom,
            "type": s.type_structure.code(),
            "annexe": s.annexe.libelle(),
            "gestionnaire": s.gestionnaire,
            "collectivite": s.collectivite,
            "financement": s.financement.code(),
            // none for a structure added in a simulation
            "ligne": s.origine().ligne(),
        },
        "eligible": e.eligible(),
        "figures": figures,
    });
    let mut o = serde_json::to_string_pretty(&v).unwrap_or_default();
    o.push('\n');
    Ok(o)
}

fn noeud_json(n: &crate::calcul::explication::Noeud) -> R<serde_json::Value> {
    use serde_json::json;
    let mut operandes = Vec::with_capacity(n.operandes.len());
    for o in &n.operandes {
        operandes.push(noeud_json(o)?);
    }
    let mut parametres = Vec::with_capacity(n.parametres.len());
    for p in &n.parametres {
        parametres.push(json!({
            "nom": p.nom,
            "valeur": valeur_json(&p.valeur)?,
            "case_de_grille": p.case_de_grille,
            "source": p.source.as_ref().map(|s| json!({
                "parametre": s.parametre,
                "debut": s.debut.to_string(),
                "reference": s.reference,
                "statut": s.statut.to_string(),
                "origine": s.origine,
            })),
        }));
    }
    Ok(json!({
        "id": n.id,
        "regle": n.regle,
        "libelle": n.libelle,
        "formule": n.formule,
        "valeur": valeur_json(&n.valeur)?,
        "operandes": operandes,
        "parametres": parametres,
    }))
}

fn valeur_json(v: &crate::calcul::explication::Valeur) -> R<serde_json::Value> {
    use crate::calcul::explication::Valeur as V;
    use serde_json::json;
    Ok(match v {
        V::Montant(m) => json!({"type": "montant", "centimes": m.0, "euros": m.to_string()}),
        V::Exact(r) => json!({"type": "exact", "centimes": r.to_string(), "euros": euros(r, 6)?}),
        V::Unites(u) => json!({"type": "unites", "centiemes": u.0, "valeur": u.to_string()}),
        V::UnitesMois(u) => json!({"type": "unites_mois", "centiemes_mois": u.0}),
        V::Entier(i) => json!({"type": "entier", "valeur": i}),
        V::Decimal(d) => json!({"type": "decimal", "valeur": d.normalize().to_string()}),
        V::Rapport(r) => json!({"type": "rapport", "valeur": r.to_string()}),
        V::UnitesExactes(r) => {
            json!({"type": "unites_exactes", "centiemes": r.to_string(), "valeur": euros(r, 4)?})
        }
        V::Booleen(b) => json!({"type": "booleen", "valeur": b}),
        V::Texte(t) => json!({"type": "texte", "valeur": t}),
    })
}
