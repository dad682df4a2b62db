//! `bonus-ctg expliquer`: the full derivation of one structure's figures — eligibility rule
//! by rule, A, U, m, floor and revaluation, its exact share, the group rounding and the cent
//! it got or lost, the contribution adjustment, and every barème value read with its date,
//! reference and status.

use super::parametres::nom_ajustement;
use super::{euros, groupe_fr, montant_fr};
use crate::bareme::{Ajustement, Lu, Source};
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
    let Some(l) = r.structure(id) else {
        return Ok(None);
    };
    let mut o = String::new();
    let s = &l.structure;
    let b = &r.bareme;
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
        "1. Éligibilité (règles d'éligibilité dans l'ordre, R3, R4, R12)"
    );
    for v in &l.eligibilite.verifications {
        let _ = writeln!(
            o,
            "  [{}] {} : {}",
            if v.satisfaite { "ok" } else { "ÉCHEC" },
            v.regle.code(),
            v.detail
        );
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
            explique_lissage(&mut o, d, r, l, g, volet)?;
        }
    }
    if l.motif() != crate::calcul::eligibilite::Motif::Eligible {
        let _ = writeln!(
            o,
            "2. Bonus : 0,00 € (structure inéligible : aucune part de lissage ni de forfait)\n"
        );
    }

    // bonus trajectoire of its collectivité (R63)
    if let Some(t) = r
        .trajectoire
        .iter()
        .find(|t| t.part(&s.id).is_some() && t.collectivite == s.collectivite)
    {
        let _ = writeln!(o, "3 bis. Bonus trajectoire de développement (R63)");
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
        let _ = writeln!(o, "3 ter. Places réservées aux employeurs : CTRE (R64)");
        let _ = writeln!(
            o,
            "  places employeurs {} ; nouvelles places employeurs {} ; versé au titre du CTRE : {} (hors bonus territoire)\n",
            groupe_fr(&s.unites_employeurs.to_string()),
            groupe_fr(&s.unites_employeurs_nouvelles.to_string()),
            montant_fr(l.bonus_ctre)
        );
    }

    let _ = writeln!(o, "4. Total et écart d'arrondi");
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
        "5. Contribution de la collectivité (R65 : au prorata des mois)"
    );
    let mode = &b.ajustement_contribution;
    let _ = writeln!(o, "  barème lu : {}", ajustement_lu(mode));
    let c1 = montant_fr(l.contribution_n1);
    let b1 = montant_fr(s.bonus_n1);
    let mo = s.mois_ouverture;
    // the N-1 amounts scaled to the months counted in N (N-1 is a full year)
    let prorata = |m: Montant| -> R<String> {
        let x = Rationnel::new(m.0 as i128 * mo as i128, 12)?;
        Ok(if mo == 12 {
            montant_fr(m)
        } else {
            format!("{} × {mo} / 12 = {}", montant_fr(m), exact(&x)?)
        })
    };
    let _ = writeln!(
        o,
        "  contribution N-1 ramenée aux {mo} mois de l'exercice : c_ref = {}",
        prorata(l.contribution_n1)?
    );
    let _ = match mode.valeur {
        Ajustement::Neutre => {
            let _ = writeln!(
                o,
                "  bonus N-1 ramené aux {mo} mois : b_ref = {}",
                prorata(s.bonus_n1)?
            );
            writeln!(
                o,
                "  contribution N = max(0, c_ref − (bonus lissage N {} − b_ref)), arrondie au centime = {}",
                montant_fr(l.bonus_lissage),
                montant_fr(l.contribution_n)
            )
        }
        Ajustement::Integral => {
            let _ = writeln!(
                o,
                "  bonus N-1 ramené aux {mo} mois : b_ref = {}",
                prorata(s.bonus_n1)?
            );
            writeln!(
                o,
                "  contribution N = max(0, c_ref − (bonus total N {} − b_ref)), arrondie au centime = {}",
                montant_fr(l.bonus_total),
                montant_fr(l.contribution_n)
            )
        }
        Ajustement::Aucun => writeln!(
            o,
            "  contribution N = c_ref, arrondie au centime = {}",
            montant_fr(l.contribution_n)
        ),
    };
    let _ = writeln!(
        o,
        "  financement public N-1 = contribution N-1 {c1} + bonus N-1 {b1} = {}",
        montant_fr(l.financement_public_n1)
    );
    let _ = writeln!(
        o,
        "  financement public N = contribution N {} + bonus total {} = {}",
        montant_fr(l.contribution_n),
        montant_fr(l.bonus_total),
        montant_fr(l.financement_public_n)
    );
    let _ = writeln!(o, "  variation = {}", montant_fr(l.variation));
    Ok(Some(o))
}

fn explique_lissage(
    o: &mut String,
    d: &Dossier,
    r: &Resultat,
    l: &LigneStructure,
    g: &crate::calcul::GroupeVolet,
    volet: &crate::bareme::VoletExercice,
) -> R<()> {
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
        "2. Lissage des unités existantes (R6, R60), groupe ({}, {})",
        g.collectivite, g.volet
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
        "  u_i = unités existantes {} − unités employeurs {} = {} {} ; mois d'ouverture mo_i = {}",
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
                let _ = writeln!(o, "  m = A / U = {} par unité", exact(m)?);
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
                "  m_eff = max(m, plancher) × (1 + revalorisation) = {} par unité",
                exact(me)?
            );
            if um_variable {
                let _ = writeln!(
                    o,
                    "  s_i = m_eff × (Σ u × mois) / 12 = {}",
                    exact(&a.exacte)?
                );
            } else {
                let _ = writeln!(o, "  s_i = m_eff × u_i × mo_i / 12 = {}", exact(&a.exacte)?);
            }
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
    let _ = writeln!(o, "3. Unités nouvelles (R7, R62)");
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
                "  t_i = forfait × (Σ n × mois) / 12 = {} × {} / 12 (unités nouvelles variables dans l'année, docs/regles.md R21)",
                montant_fr(l.forfait),
                super::groupe_fr(&crate::modele::Unites(l.unites_mois.nouvelles).to_string())
            );
        } else {
            let _ = writeln!(
                o,
                "  t_i = forfait × n_i × mo_i / 12 = {} × {} × {} / 12",
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
            let _ = writeln!(o, "  plafond = plafond_developpement × A = {} ; total exact des unités nouvelles du groupe = {}", exact(p)?, exact(&g.nouvelles_avant_plafond)?);
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
