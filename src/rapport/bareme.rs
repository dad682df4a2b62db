//! `bonus-ctg bareme`: the barème in force for an exercice, each value with its date, status,
//! reference and file, then the history of the values replaced or to come. The value texts
//! are those of [`super::parametres`].

use super::montant_fr;
use super::parametres::{
    nom_ajustement, nom_arrondi, pourcentage, texte_plafond_base, texte_plancher,
    texte_revalorisation,
};
use crate::bareme::{Bareme, Lu, TrajectoireExercice, VoletExercice};
use crate::diagnostic::Diagnostics;
use std::fmt::Write;

/// The barème in force for `annee`, as text. `Err`: the barème does not give that year
/// (E022).
pub fn rendre(bareme: &Bareme, annee: i32) -> Result<String, Diagnostics> {
    let be = bareme.pour_exercice(annee, "bareme.toml")?;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Barème en vigueur pour l'exercice {annee} (valeurs au 1er janvier {annee})\n"
    );
    ligne(
        &mut o,
        "nombre_tranches",
        &be.nombre_tranches,
        be.nombre_tranches.valeur.to_string(),
    );
    ligne(
        &mut o,
        "ajustement_contribution",
        &be.ajustement_contribution,
        nom_ajustement(be.ajustement_contribution.valeur).into(),
    );
    ligne(
        &mut o,
        "arrondi",
        &be.arrondi,
        nom_arrondi(be.arrondi.valeur).into(),
    );
    let base = bareme.base_pour(annee);
    ligne(
        &mut o,
        "base_pluriannuelle",
        &base,
        match base.valeur {
            crate::bareme::BasePluriannuelle::Figee => "figée",
            crate::bareme::BasePluriannuelle::Glissante => "glissante",
        }
        .into(),
    );
    match bareme.trajectoire_pour(annee, "bareme.toml")? {
        Some(t) => trajectoire(&mut o, &t),
        None => {
            let _ = writeln!(o, "\nBonus trajectoire de développement : aucun en {annee}");
        }
    }
    for v in be.volets.values() {
        volet(&mut o, v);
    }
    historique(&mut o, bareme);
    Ok(o)
}

/// One parameter: its value, then where it comes from.
fn ligne<T>(o: &mut String, nom: &str, l: &Lu<T>, v: String) {
    let _ = match &l.source {
        Some(s) => write!(
            o,
            "  {nom} = {v}\n      depuis le {} — {} — {}\n      fichier : {}\n",
            s.debut.en_toutes_lettres(),
            s.statut.libelle(),
            s.reference,
            s.origine
        ),
        None => write!(
            o,
            "  {nom} = {v}\n      absent du barème : valeur neutre par défaut\n"
        ),
    };
}

/// A list as prose: `a, b et c` (`vide` when there is none).
fn liste<T>(v: &[T], f: impl Fn(&T) -> String, vide: &str) -> String {
    let mut t: Vec<String> = v.iter().map(f).collect();
    match t.pop() {
        None => vide.to_string(),
        Some(dernier) if t.is_empty() => dernier,
        Some(dernier) => format!("{} et {dernier}", t.join(", ")),
    }
}

fn trajectoire(o: &mut String, t: &TrajectoireExercice) {
    o.push_str("\nBonus trajectoire de développement\n");
    ligne(o, "volet", &t.volet, t.volet.valeur.clone());
    ligne(
        o,
        "annee_reference",
        &t.annee_reference,
        t.annee_reference.valeur.to_string(),
    );
    ligne(
        o,
        "seuils",
        &t.seuils,
        liste(
            &t.seuils.valeur,
            |x| format!("+ {}", pourcentage(*x)),
            "aucun",
        ),
    );
    ligne(
        o,
        "montants",
        &t.montants,
        liste(&t.montants.valeur, |m| montant_fr(*m), "aucun"),
    );
}

fn volet(o: &mut String, v: &VoletExercice) {
    let _ = writeln!(o, "\nVolet {}", v.nom);
    let codes = |l: &mut dyn Iterator<Item = &'static str>| l.collect::<Vec<_>>().join(", ");
    ligne(
        o,
        "types",
        &v.types,
        codes(&mut v.types.valeur.iter().map(|t| t.code())),
    );
    ligne(
        o,
        "financement",
        &v.financement,
        v.financement
            .valeur
            .as_ref()
            .map_or("tous".into(), |l| codes(&mut l.iter().map(|f| f.code()))),
    );
    ligne(o, "unite", &v.unite, v.unite.valeur.clone());
    ligne(
        o,
        "versement",
        &v.versement,
        format!("{:?}", v.versement.valeur).to_lowercase(),
    );
    ligne(
        o,
        "forfaits_nouvelles",
        &v.forfaits_nouvelles,
        liste(
            &v.forfaits_nouvelles.valeur,
            |m| montant_fr(*m),
            "aucun forfait (0 €)",
        ),
    );
    ligne(
        o,
        "plancher",
        &v.plancher,
        texte_plancher(&v.plancher.valeur, &v.unite.valeur),
    );
    ligne(
        o,
        "revalorisation",
        &v.revalorisation,
        texte_revalorisation(&v.revalorisation.valeur),
    );
    ligne(
        o,
        "plafond_developpement",
        &v.plafond_developpement,
        v.plafond_developpement
            .valeur
            .map_or("aucun".into(), pourcentage),
    );
    ligne(
        o,
        "plafond_base",
        &v.plafond_base,
        texte_plafond_base(v.plafond_base.valeur).into(),
    );
}

/// History, superseded values included (OpenFisca style: never deleted).
fn historique(o: &mut String, bareme: &Bareme) {
    o.push_str("\nHistorique des valeurs remplacées ou à venir : voir `src/bareme_defaut.toml` et docs/bareme.md\n");
    for (nom, vb) in &bareme.volets {
        let planchers = vb.plancher.valeurs.iter().map(|v| {
            let texte = texte_plancher(&v.valeur, "unité");
            (v.debut, v.remplacee, &v.origine, texte)
        });
        let forfaits = vb.forfaits_nouvelles.valeurs.iter().map(|v| {
            let texte = liste(&v.valeur, |m| montant_fr(*m), "aucun forfait (0 €)");
            (v.debut, v.remplacee, &v.origine, texte)
        });
        let parametres: [(&str, Vec<_>); 2] = [
            ("plancher", planchers.collect()),
            ("forfaits_nouvelles", forfaits.collect()),
        ];
        for (p, vals) in parametres {
            for (debut, remplacee, origine, val) in vals {
                let _ = writeln!(
                    o,
                    "  volets.{nom}.{p} depuis le {} : {val}{} ({origine})",
                    debut.en_toutes_lettres(),
                    if remplacee { " [remplacée]" } else { "" }
                );
            }
        }
    }
}
