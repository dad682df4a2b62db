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

fn u(x: Unites) -> String {
    groupe_fr(&x.to_string())
}

/// Where a barème value comes from, as printed after it.
pub(super) fn source(s: &Option<Source>) -> String {
    match s {
        Some(s) => format!(
            "[{} ; en vigueur depuis le {} ; statut {} ; source : {} ; fichier : {}]",
            s.parametre, s.debut, s.statut, s.reference, s.origine
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
    let _ = writeln!(
        o,
        "  → motif : {} ({})\n",
        l.motif().code(),
        l.motif().libelle()
    );

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
                arrondi(&mut o, "trajectoire", a, &p.attribution, strategie)?;
            }
        }
        let _ = writeln!(o);
    }
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
    let _ = writeln!(o, "  part exacte = {}", exact(&l.part_exacte)?);
    let _ = writeln!(
        o,
        "  écart d'arrondi (versé − exact) = {} €\n",
        groupe_fr(&euros(&l.ecart_arrondi, 4)?)
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

#[allow(clippy::too_many_arguments)]
fn explique_lissage(
    o: &mut String,
    section: &mut impl FnMut(&str) -> String,
    d: &Dossier,
    r: &Resultat,
    l: &LigneStructure,
    e: &Explication,
    g: &crate::calcul::GroupeVolet,
    volet: &crate::bareme::VoletExercice,
) -> R<()> {
    let li = e.lissage.as_ref();
    let s = &l.structure;
    let strategie = format!(
        "{} {}",
        match r.bareme.arrondi.valeur {
            crate::bareme::Arrondi::DemiHaut => "demi-centime vers le haut",
            crate::bareme::Arrondi::Troncature => "troncature",
        },
        source(&r.bareme.arrondi.source)
    );
    let _ = writeln!(
        o,
        "{}",
        section(&format!(
            "Lissage des unités existantes (R6, R60), groupe ({}, {})",
            g.collectivite, g.volet
        ))
    );
    let _ = writeln!(o, "  A = charge à payer N-1 = {}", montant_fr(g.charge_n1));
    for c in d
        .charges
        .iter()
        .filter(|c| c.collectivite == g.collectivite && c.volet == g.volet)
    {
        let _ = if c.ligne == 0 {
            // envelope derived by the multi-year projection (docs/regles.md R22)
            writeln!(o, "      enveloppe de la projection : {}", c.libelle)
        } else {
            writeln!(
                o,
                "      charges_n1.csv ligne {} : {} « {} »",
                c.ligne,
                montant_fr(c.montant),
                c.libelle
            )
        };
    }
    let _ = writeln!(
        o,
        "  u_i = {} = {} − {} = {} {} ; mois d'ouverture mo_i = {}",
        explication::noeud_u_i(l).formule.unwrap_or_default(),
        u(s.unites_existantes),
        u(s.unites_employeurs),
        u(l.unites_eligibles),
        volet.unite.valeur,
        s.mois_ouverture
    );
    // unit-months imposed by the projection (units that change during the year, R21)
    let um_simple = l.unites_eligibles.0 as i128 * s.mois_ouverture as i128;
    let um_variable = l.unites_mois.existantes as i128 != um_simple;
    if um_variable {
        let _ = writeln!(
            o,
            "  unités variables dans l'année (projection, docs/regles.md R21) : Σ u × mois = {} unités-mois (au lieu de u_i × mo_i)",
            super::groupe_fr(&crate::modele::Unites(l.unites_mois.existantes).to_string())
        );
    }
    let _ = writeln!(
        o,
        "  U = Σ u_i des {} structures éligibles du groupe = {}",
        g.structures_eligibles,
        u(g.unites)
    );
    match (&g.taux_base, &g.taux_effectif, &l.lissage) {
        (Some(m), Some(me), Some(a)) => {
            if g.taux_impose {
                let _ = writeln!(
                    o,
                    "  m = taux imposé (base figée de la projection : m_eff de l'exercice précédent, docs/regles.md R22) = {} par unité",
                    exact(m)?
                );
            } else {
                let _ = writeln!(o, "  m = {} = {} par unité", formule(li, "m")?, exact(m)?);
            }
            let _ = writeln!(
                o,
                "  barème lu : {}",
                lu(
                    &volet.plancher,
                    format!(
                        "plancher = {}{}",
                        super::parametres::texte_plancher(
                            &volet.plancher.valeur,
                            &volet.unite.valeur
                        ),
                        if volet.plancher.valeur.est_unique() {
                            String::new()
                        } else {
                            format!(
                                " ; case retenue (strate de la collectivité, montant m) : {} par {} (R60)",
                                montant_fr(g.plancher),
                                volet.unite.valeur
                            )
                        }
                    )
                )
            );
            let _ = writeln!(
                o,
                "  barème lu : {}",
                lu(
                    &volet.revalorisation,
                    format!(
                        "revalorisation = {}{}",
                        super::parametres::texte_revalorisation(&volet.revalorisation.valeur),
                        if volet.revalorisation.valeur.est_unique() {
                            String::new()
                        } else {
                            format!(
                                " ; case retenue : {} (R60)",
                                super::parametres::pourcentage(g.revalorisation)
                            )
                        }
                    )
                )
            );
            let _ = writeln!(
                o,
                "  m_eff = {} = {} par unité",
                formule(li, "m_eff")?,
                exact(me)?
            );
            let _ = writeln!(o, "  s_i = {} = {}", formule(li, "s_i")?, exact(&a.exacte)?);
            arrondi(
                o,
                "lissage",
                g.arrondi_lissage
                    .as_ref()
                    .ok_or(Invariant("arrondi du lissage absent d'un groupe versé"))?,
                a,
                &strategie,
            )?;
        }
        _ => {
            let _ = writeln!(
                o,
                "  U = 0 : aucun lissage versé ; A est reporté « non redistribuable »"
            );
        }
    }
    let _ = writeln!(o);
    let _ = writeln!(o, "{}", section("Unités nouvelles (R7, R62)"));
    let nv = e.nouvelles.as_ref();
    let tranche = r
        .convention
        .collectivite(&s.collectivite)
        .and_then(|c| c.tranche);
    let _ = writeln!(
        o,
        "  barème lu : {}",
        lu(
            &volet.forfaits_nouvelles,
            format!(
                "forfaits par tranche = [{}]",
                volet
                    .forfaits_nouvelles
                    .valeur
                    .iter()
                    .map(|m| montant_fr(*m))
                    .collect::<Vec<_>>()
                    .join(" ; ")
            )
        )
    );
    let _ = writeln!(
        o,
        "  tranche de la collectivité : {} → forfait {} par unité nouvelle",
        tranche.map_or("non renseignée".into(), |t| t.to_string()),
        montant_fr(l.forfait)
    );
    if s.unites_nouvelles.0 == 0 && l.unites_mois.nouvelles == 0 {
        let _ = writeln!(o, "  aucune unité nouvelle : t_i = 0,00 €");
    } else if let Some(a) = &l.nouvelles {
        if l.unites_mois.nouvelles as i128
            != s.unites_nouvelles.0 as i128 * s.mois_ouverture as i128
        {
            let _ = writeln!(
                o,
                "  t_i = {} = {} × {} / 12 (unités nouvelles variables dans l'année, docs/regles.md R21)",
                formule(nv, "t_i")?,
                montant_fr(l.forfait),
                super::groupe_fr(&crate::modele::Unites(l.unites_mois.nouvelles).to_string())
            );
        } else {
            let _ = writeln!(
                o,
                "  t_i = {} = {} × {} × {} / 12",
                formule(nv, "t_i")?,
                montant_fr(l.forfait),
                u(s.unites_nouvelles),
                s.mois_ouverture
            );
        }
        if let Some(p) = &g.plafond {
            let _ = writeln!(
                o,
                "  barème lu : {}",
                lu(
                    &volet.plafond_developpement,
                    format!(
                        "plafond_developpement = {}",
                        volet.plafond_developpement.valeur.unwrap_or_default()
                    )
                )
            );
            let _ = writeln!(
                o,
                "  plafond = {} = {} ; total exact des unités nouvelles du groupe = {}",
                formule(nv, "plafond")?,
                exact(p)?,
                exact(&g.nouvelles_avant_plafond)?
            );
            match &g.facteur_plafond {
                Some(f) => {
                    let _ = writeln!(
                        o,
                        "  plafond atteint : chaque t_i est multiplié par {} (= plafond / total)",
                        f
                    );
                }
                None => {
                    let _ = writeln!(o, "  plafond non atteint");
                }
            }
        }
        let _ = writeln!(o, "  t_i = {}", exact(&a.exacte)?);
        arrondi(
            o,
            "unités nouvelles",
            g.arrondi_nouvelles.as_ref().ok_or(Invariant(
                "arrondi des unités nouvelles absent d'un groupe versé",
            ))?,
            a,
            &strategie,
        )?;
    }
    let _ = writeln!(o);
    Ok(())
}

/// Schema id of `expliquer --format json`.
pub const SCHEMA_JSON: &str = "bonus-ctg.explication.v1";

/// `bonus-ctg expliquer … --format json`: the explanation tree of the calculation
/// ([`crate::calcul::explication`]) as JSON (`None`: no such structure).
pub fn json(d: &Dossier, r: &Resultat, id: &str) -> R<Option<String>> {
    let Some(e) = crate::calcul::explication::expliquer(d, r, id)? else {
        return Ok(None);
    };
    Ok(Some(json_explication(d, r, &e)?))
}

/// The JSON of an explanation (also used for a year of the projection).
pub fn json_explication(
    d: &Dossier,
    r: &Resultat,
    e: &crate::calcul::explication::Explication,
) -> R<String> {
    use serde_json::json;
    let s = d
        .structures
        .iter()
        .find(|s| s.id == e.id)
        .ok_or(Invariant("structure expliquée absente du dossier"))?;
    let mut figures = vec![noeud_json(&e.eligibilite)?];
    for n in [&e.lissage, &e.nouvelles, &e.trajectoire, &e.ctre]
        .into_iter()
        .flatten()
    {
        figures.push(noeud_json(n)?);
    }
    figures.push(noeud_json(&e.bonus_total)?);
    figures.push(noeud_json(&e.contribution)?);
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
            "ligne": s.ligne,
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
        V::Booleen(b) => json!({"type": "booleen", "valeur": b}),
        V::Texte(t) => json!({"type": "texte", "valeur": t}),
    })
}
