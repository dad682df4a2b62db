//! The lissage and new-units sections of `expliquer` (R16, R60, R7, R62, R9), their
//! formulas read from the calculation's explanation tree.

use super::*;
use crate::calcul::explication::formules;

/// The lissage section (R16, R60, R9), then the new units (R7, R62).
#[allow(clippy::too_many_arguments)]
pub(super) fn explique_lissage(
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
        let _ = if let Some(ligne) = c.ligne.ligne() {
            writeln!(
                o,
                "      charges_n1.csv ligne {} : {} « {} »",
                ligne,
                montant_fr(c.montant),
                c.libelle
            )
        } else {
            // envelope derived by the multi-year projection (docs/regles.md R22)
            writeln!(o, "      enveloppe de la projection : {}", c.libelle)
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
            crate::rapport::groupe_fr(&crate::modele::Unites(l.unites_mois.existantes).to_string())
        );
    }
    let _ = writeln!(
        o,
        "  U = {} des {} structures éligibles du groupe = {}",
        formules::U,
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
                        crate::rapport::parametres::texte_plancher(
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
                        crate::rapport::parametres::texte_revalorisation(
                            &volet.revalorisation.valeur
                        ),
                        if volet.revalorisation.valeur.est_unique() {
                            String::new()
                        } else {
                            format!(
                                " ; case retenue : {} (R60)",
                                crate::rapport::parametres::pourcentage(g.revalorisation)
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
    explique_nouvelles(o, section, r, l, e, g, volet, &strategie)
}

/// The new-units section (R7, R62): forfait of the tranche, t_i, the cap, the rounding.
#[allow(clippy::too_many_arguments)]
fn explique_nouvelles(
    o: &mut String,
    section: &mut impl FnMut(&str) -> String,
    r: &Resultat,
    l: &LigneStructure,
    e: &Explication,
    g: &crate::calcul::GroupeVolet,
    volet: &crate::bareme::VoletExercice,
    strategie: &str,
) -> R<()> {
    let s = &l.structure;
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
                crate::rapport::groupe_fr(&crate::modele::Unites(l.unites_mois.nouvelles).to_string())
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
            strategie,
        )?;
    }
    let _ = writeln!(o);
    Ok(())
}
