//! `bonus-ctg expliquer`: the full derivation of one structure's figures — eligibility rule
//! by rule, A, U, m, floor and revaluation, its exact share, the group rounding and the cent
//! it got or lost, the contribution adjustment, and every barème value read with its date,
//! reference and status.

use super::parametres::nom_ajustement;
use super::{euros, groupe_fr, montant_fr};
use crate::bareme::{Ajustement, Lu, Source};
use crate::calcul::eligibilite::Motif;
use crate::calcul::explication::{self, Explication, Noeud, Valeur};
use crate::calcul::rationnel::{Invariant, Rationnel, R};
use crate::calcul::repartition::Attribution;
use crate::calcul::{ArrondiGroupe, LigneStructure, Resultat};
use crate::modele::Unites;
use crate::modele::{Dossier, Montant};
use std::fmt::Write;

mod bonus;
mod json;
use bonus::explique_lissage;
pub use json::{json, json_explication, SCHEMA_JSON};

fn u(x: Unites) -> String {
    groupe_fr(&x.to_string())
}

/// Where a barème value comes from, as printed after it.
pub(super) fn source(s: &Option<Source>) -> String {
    match s {
        Some(s) => format!(
            "[{} ; en vigueur depuis le {} ; statut : {} ; source : {} ; fichier : {}]",
            s.parametre,
            s.debut.en_toutes_lettres(),
            s.statut.libelle(),
            s.reference,
            s.origine
        ),
        None => "[absent du barème : valeur neutre par défaut, docs/bareme.md]".into(),
    }
}

/// `valeur [source]`.
pub(super) fn lu<T>(l: &Lu<T>, valeur: String) -> String {
    format!("{valeur} {}", source(&l.source))
}

/// `ajustement_contribution = neutre [source]`.
pub(super) fn ajustement_lu(mode: &Lu<Ajustement>) -> String {
    lu(
        mode,
        format!("ajustement_contribution = {}", nom_ajustement(mode.valeur)),
    )
}

/// Exact cents rational as euros: `1234.5678… € (= num/den c)`.
fn exact(r: &Rationnel) -> R<String> {
    Ok(if r.den() == 1 {
        format!("{} €", groupe_fr(&euros(r, 2)?))
    } else {
        format!("{} € (exactement {} centimes)", groupe_fr(&euros(r, 6)?), r)
    })
}

fn arrondi(
    o: &mut String,
    quoi: &str,
    g: &ArrondiGroupe,
    a: &Attribution,
    strategie: &str,
) -> R<()> {
    let _ = writeln!(o, "  Arrondi du groupe « {quoi} » (R9) :");
    let _ = writeln!(o, "    total exact du groupe : {}", exact(&g.total_exact)?);
    let _ = writeln!(
        o,
        "    total arrondi au centime T = {} ({strategie})",
        montant_fr(Montant(g.total))
    );
    let _ = writeln!(
        o,
        "    part de la structure : plancher {} ; rang de son reste parmi le groupe : {} ; centimes à distribuer aux plus forts restes : {}",
        montant_fr(Montant(a.plancher)),
        a.rang_reste,
        g.centimes_restants
    );
    let recu = a.verse - a.plancher;
    let _ = writeln!(
        o,
        "    → versé {} ({}; écart versé − exact : {} €)",
        montant_fr(Montant(a.verse)),
        if recu > 0 {
            "reçoit un centime de reste "
        } else {
            "ne reçoit pas de centime de reste "
        },
        groupe_fr(&euros(
            &Rationnel::entier(a.verse as i128).sub(a.exacte)?,
            4
        )?)
    );
    Ok(())
}

pub fn expliquer(d: &Dossier, r: &Resultat, id: &str) -> R<Option<String>> {
    expliquer_sections(d, r, id, true)
}

/// Sections 1–4 only (eligibility, lissage, new units, total): the multi-year projection
/// explains the contributions with its own chain (docs/regles.md R25).
pub fn expliquer_bonus(d: &Dossier, r: &Resultat, id: &str) -> R<Option<String>> {
    expliquer_sections(d, r, id, false)
}

fn expliquer_sections(
    d: &Dossier,
    r: &Resultat,
    id: &str,
    contribution: bool,
) -> R<Option<String>> {
    let (Some(l), Some(e)) = (r.structure(id), explication::expliquer(d, r, id)?) else {
        return Ok(None);
    };
    let mut o = String::new();
    let s = &l.structure;
    let b = &r.bareme;
    // sections numbered consecutively, whatever applies to the structure
    let mut numero = 0;
    let mut section = |titre: &str| {
        numero += 1;
        format!("{numero}. {titre}")
    };
    let _ = writeln!(
        o,
        "Structure {} — {} (structures.csv, ligne {})",
        s.id, s.nom, s.ligne
    );
    let _ = writeln!(
        o,
        "  type {} ; annexe {} ; gestionnaire {} ; collectivité {} ; financement {}",
        s.type_structure,
        s.annexe.libelle(),
        s.gestionnaire,
        s.collectivite,
        s.financement
    );
    let _ = writeln!(
        o,
        "  exercice {} ; convention « {} »\n",
        r.exercice, r.convention.nom
    );

    eligibilite_texte(&mut o, &mut section, l, &e, b)?;

    if let (Some(volet), Some(g)) = (
        l.eligibilite.volet().and_then(|v| b.volets.get(v)),
        l.eligibilite
            .volet()
            .and_then(|v| r.groupe(&s.collectivite, v)),
    ) {
        if l.lissage.is_some() || l.nouvelles.is_some() {
            explique_lissage(&mut o, &mut section, d, r, l, &e, g, volet)?;
        }
    }
    if !l.eligibilite.est_eligible() {
        let _ = writeln!(
            o,
            "{}\n",
            section(&format!(
                "Bonus : 0,00 € (inéligible : {} ; aucune part de lissage ni de forfait)",
                l.motif().refus()
            ))
        );
    }

    trajectoire_texte(&mut o, &mut section, r, l)?;
    // CTRE: employer places (R64)
    if l.ctre_lissage.is_some() || l.ctre_nouvelles.is_some() {
        let _ = writeln!(
            o,
            "{}",
            section("Places réservées aux employeurs : CTRE (R64)")
        );
        let _ = writeln!(
            o,
            "  places employeurs {} ; nouvelles places employeurs {} ; versé au titre du CTRE : {} (hors bonus territoire)\n",
            groupe_fr(&s.unites_employeurs.to_string()),
            groupe_fr(&s.unites_employeurs_nouvelles.to_string()),
            montant_fr(l.bonus_ctre)
        );
    }

    let _ = writeln!(o, "{}", section("Total et écart d'arrondi"));
    let _ = writeln!(
        o,
        "  bonus total = lissage {} + nouvelles {} + trajectoire {} = {}",
        montant_fr(l.bonus_lissage),
        montant_fr(l.bonus_nouvelles),
        montant_fr(l.bonus_trajectoire),
        montant_fr(l.bonus_total)
    );
    let _ = writeln!(o, "  part exacte = {}", exact(&l.part_exacte()?)?);
    let _ = writeln!(
        o,
        "  écart d'arrondi (versé − exact) = {} €\n",
        groupe_fr(&euros(&l.ecart_arrondi()?, 4)?)
    );
    if !contribution {
        return Ok(Some(o));
    }

    let _ = writeln!(
        o,
        "{}",
        section("Contribution de la collectivité (R65 : au prorata des mois)")
    );
    contribution_texte(
        &mut o,
        &e.contribution,
        &b.ajustement_contribution,
        "N",
        "N-1",
    )?;
    Ok(Some(o))
}

/// The eligibility section: each rule of R15 in order, the barème read, the reason.
fn eligibilite_texte(
    o: &mut String,
    section: &mut impl FnMut(&str) -> String,
    l: &LigneStructure,
    e: &Explication,
    b: &crate::bareme::BaremeExercice,
) -> R<()> {
    let _ = writeln!(
        o,
        "{}",
        section("Éligibilité (règles d'éligibilité dans l'ordre, R3, R4, R12, R15)")
    );
    for v in &e.eligibilite.operandes {
        let m = Motif::analyser(v.id).ok_or(Invariant("règle d'éligibilité inconnue"))?;
        let _ = if v.valeur == Valeur::Booleen(true) {
            writeln!(o, "  [ok] {} — {}", m.condition(), v.libelle)
        } else {
            writeln!(o, "  inéligible : {} — {}", m.refus(), v.libelle)
        };
    }
    if let Some(v) = l.eligibilite.volet().and_then(|v| b.volets.get(v)) {
        let _ = writeln!(
            o,
            "  barème lu : {}",
            lu(&v.types, format!("types du volet {}", v.nom))
        );
        let _ = writeln!(
            o,
            "  barème lu : {}",
            lu(&v.financement, "financements admis".into())
        );
    }
    let _ = writeln!(o, "  → motif : {}\n", l.motif().libelle());
    Ok(())
}

/// The bonus trajectoire section of the structure's collectivité (R63).
fn trajectoire_texte(
    o: &mut String,
    section: &mut impl FnMut(&str) -> String,
    r: &Resultat,
    l: &LigneStructure,
) -> R<()> {
    let s = &l.structure;
    // bonus trajectoire of its collectivité (R63)
    if let Some(t) = r
        .trajectoire
        .iter()
        .find(|t| t.part(&s.id).is_some() && t.collectivite == s.collectivite)
    {
        let _ = writeln!(o, "{}", section("Bonus trajectoire de développement (R63)"));
        let _ = writeln!(
            o,
            "  places {} de la collectivité {} : référence P_ref = {} ; exercice P_N = {} ; niveau atteint : {}",
            t.volet,
            t.collectivite,
            groupe_fr(&t.places_reference.to_string()),
            groupe_fr(&t.places.to_string()),
            match (t.niveau, t.seuil) {
                (Some(k), Some(seuil)) => format!(
                    "{k} (seuil + {} %)",
                    groupe_fr(&(seuil * rust_decimal::Decimal::from(100)).normalize().to_string())
                ),
                _ => "aucun".into(),
            }
        );
        if let Some(p) = t.part(&s.id) {
            let _ = writeln!(
                o,
                "  part = {} par place × places-mois / 12 = {}",
                montant_fr(t.montant_par_place),
                exact(&p.attribution.exacte)?
            );
            if let Some(a) = &t.arrondi {
                let strategie = match a.strategie {
                    crate::bareme::Arrondi::DemiHaut => "demi-centime vers le haut",
                    crate::bareme::Arrondi::Troncature => "troncature",
                };
                arrondi(o, "trajectoire", a, &p.attribution, strategie)?;
            }
        }
        let _ = writeln!(o);
    }
    Ok(())
}

/// The contribution section from its explanation node (R65; the projection's chain, R25,
/// R68, gives the same node): `annee` names the year (`N`, `2026`).
pub(super) fn contribution_texte(
    o: &mut String,
    n: &Noeud,
    mode: &Lu<Ajustement>,
    annee: &str,
    precedente: &str,
) -> R<()> {
    let manque = || Invariant("figure absente de l'explication de la contribution");
    let val = |id: &str| -> R<Montant> {
        match n.trouver(id).map(|x| &x.valeur) {
            Some(Valeur::Montant(m)) => Ok(*m),
            _ => Err(manque()),
        }
    };
    let _ = writeln!(o, "  barème lu : {}", ajustement_lu(mode));
    let c = n.trouver("contribution").ok_or_else(manque)?;
    // c_ref and b_ref: the reference amounts scaled to the months of the year
    for (id, base) in [("c_ref", "contribution_ref"), ("b_ref", "bonus_ref")] {
        let Some(x) = c.operandes.iter().find(|x| x.id == id) else {
            continue;
        };
        let Valeur::Exact(v) = x.valeur else {
            return Err(manque());
        };
        let mo = c
            .trouver("mo")
            .and_then(|m| match m.valeur {
                Valeur::Entier(e) => Some(e),
                _ => None,
            })
            .ok_or_else(manque)?;
        let formule = x.formule.as_deref().unwrap_or_default();
        let _ = writeln!(
            o,
            "  {id} = {formule} = {} × {mo} / {} = {} ({})",
            montant_fr(val(base)?),
            formule.rsplit(' ').next().unwrap_or_default(),
            exact(&v)?,
            x.libelle,
        );
    }
    let avec: Vec<String> = c
        .operandes
        .iter()
        .filter(|x| x.id.ends_with("_n"))
        .filter_map(|x| match x.valeur {
            Valeur::Montant(m) => Some(format!(" ({} = {})", x.libelle, montant_fr(m))),
            _ => None,
        })
        .collect();
    let _ = writeln!(
        o,
        "  contribution {annee} = {}, arrondie au centime = {}{}",
        c.formule.as_deref().unwrap_or_default(),
        montant_fr(val("contribution")?),
        avec.concat()
    );
    for (id, titre, a, b) in [
        (
            "financement_public_n1",
            precedente,
            "contribution_n1",
            "bonus_n1",
        ),
        ("financement_public_n", annee, "contribution", "bonus_total"),
    ] {
        let x = n.trouver(id).ok_or_else(manque)?;
        let _ = writeln!(
            o,
            "  financement public {titre} = {} = {} + {} = {}",
            x.formule.as_deref().unwrap_or_default(),
            montant_fr(x.trouver(a).map_or(Ok(Montant(0)), |_| val_de(x, a))?),
            montant_fr(val_de(x, b)?),
            montant_fr(val(id)?)
        );
    }
    let _ = writeln!(o, "  variation = {}", montant_fr(val("variation")?));
    Ok(())
}

/// The amount of node `id` under `n`.
fn val_de(n: &Noeud, id: &str) -> R<Montant> {
    match n.trouver(id).map(|x| &x.valeur) {
        Some(Valeur::Montant(m)) => Ok(*m),
        _ => Err(Invariant("montant absent de l'explication")),
    }
}

/// The formula of figure `id` in an explanation node.
fn formule<'a>(n: Option<&'a Noeud>, id: &str) -> R<&'a str> {
    n.and_then(|n| n.trouver(id))
        .and_then(|x| x.formule.as_deref())
        .ok_or(Invariant("formule absente de l'explication"))
}
