//! `bonus-ctg expliquer --annee A`: every figure of one structure in one projected year,
//! section by section; the bonus and the contribution are rendered from the calculation's
//! explanation tree ([`crate::calcul::explication`]).

use super::*;
use crate::calcul::explication::formules;

fn exact(r: &Rationnel) -> R<String> {
    Ok(if r.den() == 1 {
        format!("{} €", euros(r, 2)?)
    } else {
        format!("{} € (exactement {} centimes)", euros(r, 6)?, r)
    })
}

fn mois_txt(debut: u8, fin: u8) -> String {
    if debut == fin {
        NOMS_MOIS[(debut - 1) as usize].to_string()
    } else {
        format!(
            "{}–{}",
            NOMS_MOIS[(debut - 1) as usize],
            NOMS_MOIS[(fin - 1) as usize]
        )
    }
}

fn u_fr(v: i64) -> String {
    groupe_fr(&Unites(v).to_string())
}

/// Explains every figure of structure `id` in projected year `annee`. `Ok(None)`: unknown
/// structure or year outside the projection.
/// A. The structure's situation in the year: state on 1 January, events, months counted (R20, R21, R23).
fn situation(o: &mut String, c: &Contexte) -> R<()> {
    let Contexte {
        a, s, id, annee, ..
    } = *c;
    // A. situation
    let _ = writeln!(o, "A. Situation de la structure en {annee}");
    match a.situations.get(id) {
        None => {
            let _ = writeln!(
                o,
                "  exercice du dossier : situation de structures.csv ({} mois d'ouverture, unités existantes {} − employeurs {}, nouvelles {}, annexe {}, soutien {})",
                s.mois_ouverture,
                groupe_fr(&s.unites_existantes.to_string()),
                groupe_fr(&s.unites_employeurs.to_string()),
                groupe_fr(&s.unites_nouvelles.to_string()),
                s.annexe.libelle(),
                if s.soutien_collectivite { "oui" } else { "non" }
            );
        }
        Some(sit) => {
            let _ = writeln!(
                o,
                "  au 1er janvier {annee}, avant les événements de l'année : {}",
                sit.depart
            );
            if sit.evenements.is_empty() {
                let _ = writeln!(o, "  aucun événement ne prend effet en {annee}");
            }
            for e in &sit.evenements {
                let (_, m) = e.effet();
                let _ = writeln!(
                    o,
                    "  evenements.csv ligne {} : {}, {}{} → compte {} (un mois compte dans la situation de son 1er jour, R21)",
                    e.ligne,
                    e.date.en_toutes_lettres(),
                    e.action.nom(),
                    if e.action.valeur().is_empty() { String::new() } else { format!(" {}", e.action.valeur()) },
                    crate::projection::evenements::a_partir_de(m, annee)
                );
            }
            let _ = writeln!(o, "  mois par mois :");
            for g in &sit.segments {
                let _ = writeln!(
                    o,
                    "    {} ({} mois) : {} — {}",
                    mois_txt(g.debut, g.fin),
                    g.fin - g.debut + 1,
                    g.etat,
                    if g.etat.compte() {
                        "compté (ouverte, annexe 2, soutenue)"
                    } else {
                        "non compté"
                    }
                );
            }
            let _ = writeln!(o, "  mois comptés : {}", sit.mois_comptes);
            if sit.nouvelles_devenues_existantes.0 > 0 {
                let _ = writeln!(
                    o,
                    "  base glissante : {} unités nouvelles déjà payées une année précédente comptent désormais comme existantes (R23)",
                    groupe_fr(&sit.nouvelles_devenues_existantes.to_string())
                );
            }
            let _ = writeln!(
                o,
                "  unités-mois de l'année : existantes Σ u × mois = {} ; nouvelles Σ n × mois = {}",
                u_fr(sit.unites_mois.existantes),
                u_fr(sit.unites_mois.nouvelles)
            );
            let _ = writeln!(
                o,
                "  unités retenues dans U : u_i = {} (le plus grand nombre d'unités existantes − employeurs d'un mois compté, R21) ; unités nouvelles affichées : {}",
                groupe_fr(&Unites(s.unites_existantes.0.saturating_sub(s.unites_employeurs.0)).to_string()),
                groupe_fr(&s.unites_nouvelles.to_string())
            );
        }
    }
    o.push('\n');

    Ok(())
}

/// B. The envelope of the year and the rate (R22, R67).
fn enveloppe(o: &mut String, c: &Contexte) -> R<()> {
    let Contexte {
        pr, a, l, annee, ..
    } = *c;
    // B. envelope and rate
    if let Some(g) = l
        .volet
        .as_deref()
        .and_then(|v| a.resultat.groupe(&l.collectivite, v))
    {
        let _ = writeln!(
            o,
            "B. Enveloppe et taux du groupe ({}, {}) en {annee}",
            g.collectivite, g.volet
        );
        if a.situations.is_empty() {
            let _ = writeln!(o, "  exercice du dossier : A = charge à payer N-1 de charges_n1.csv = {} ; m = {} (R16)", montant_fr(g.charge_n1), formules::M);
        } else {
            let _ = writeln!(
                o,
                "  A = ce que la Caf a versé pour ({}, {}) en {} ({}, R22) = {}",
                g.collectivite,
                g.volet,
                annee - 1,
                match pr.base {
                    BasePluriannuelle::Figee =>
                        "lissage ; les forfaits des unités nouvelles sont versés en plus",
                    BasePluriannuelle::Glissante => "lissage + unités nouvelles",
                },
                montant_fr(g.charge_n1)
            );
            match pr.base {
                BasePluriannuelle::Figee => {
                    let _ = writeln!(o, "  base figée : le taux de l'exercice {} est conservé ; m = m_eff de {} ; plancher et revalorisation de {annee} s'appliquent (R22)", pr.premiere, annee - 1);
                    let mut chaine = Vec::new();
                    for b in &pr.annees {
                        if b.exercice > annee {
                            break;
                        }
                        if let Some(t) = b
                            .resultat
                            .groupe(&g.collectivite, &g.volet)
                            .and_then(|x| x.taux_effectif)
                        {
                            chaine.push(format!(
                                "{} : {} €",
                                b.exercice,
                                groupe_fr(&euros(&t, 4)?)
                            ));
                        }
                    }
                    let _ = writeln!(o, "  m_eff par exercice : {}", chaine.join(" → "));
                }
                BasePluriannuelle::Glissante => {
                    let _ = writeln!(o, "  base glissante : m = {}, l'enveloppe est relissée sur les unités de {annee} (R22, R23)", formules::M);
                }
            }
        }
        o.push('\n');
    }

    Ok(())
}

/// C. The core's explanation of the year's bonus (R15, R16, R7).
fn coeur(o: &mut String, c: &Contexte) -> R<()> {
    let Contexte { a, id, annee, .. } = *c;
    // C. core
    let _ = writeln!(
        o,
        "C. Bonus de l'exercice {annee} (cœur du calcul, R15, R16, R7)\n"
    );
    if let Some(c) = crate::rapport::explication::expliquer_bonus(&a.dossier, &a.resultat, id)? {
        for ligne in c.lines() {
            let _ = writeln!(o, "  {ligne}");
        }
    }

    Ok(())
}

/// D. The bonus trajectoire (R24, R63).
fn trajectoire(o: &mut String, c: &Contexte) -> R<()> {
    let Contexte {
        pr,
        a,
        l,
        id,
        annee,
        ..
    } = *c;
    // D. trajectoire
    let _ = writeln!(o, "D. Bonus trajectoire de développement (R24)");
    match a
        .trajectoire
        .iter()
        .find(|t| t.collectivite == l.collectivite)
    {
        None => {
            let _ = writeln!(
                o,
                "  aucun bonus trajectoire en vigueur en {annee} (barème : section [trajectoire])"
            );
        }
        Some(t) => {
            let p = &t.parametres;
            let _ = writeln!(
                o,
                "  barème lu : {}",
                lu(&p.volet, format!("volet = {}", p.volet.valeur))
            );
            let _ = writeln!(
                o,
                "  barème lu : {}",
                lu(
                    &p.annee_reference,
                    format!("année de référence = {}", p.annee_reference.valeur)
                )
            );
            let _ = writeln!(
                o,
                "  barème lu : {}",
                lu(
                    &p.seuils,
                    format!(
                        "seuils = [{}]",
                        p.seuils
                            .valeur
                            .iter()
                            .map(|s| s.to_string())
                            .collect::<Vec<_>>()
                            .join(" ; ")
                    )
                )
            );
            let _ = writeln!(
                o,
                "  barème lu : {}",
                lu(
                    &p.montants,
                    format!(
                        "montants par place et par an = [{}]",
                        p.montants
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
                "  collectivité {} : places de référence P_ref = {} (unités existantes − employeurs des structures éligibles du volet {} dans le dossier {} : places de {}, R24)",
                t.collectivite,
                groupe_fr(&t.places_reference.to_string()),
                t.volet,
                pr.premiere,
                t.annee_reference
            );
            let _ = writeln!(
                o,
                "  places en décembre {annee} (existantes − employeurs + nouvelles des structures éligibles comptées en décembre) : P = {}",
                groupe_fr(&t.places.to_string())
            );
            match &t.croissance {
                Some(c) => {
                    let _ = writeln!(o, "  croissance = (P − P_ref) / P_ref = {} %", pourcent(c)?);
                }
                None => {
                    let _ = writeln!(
                        o,
                        "  P_ref = 0 : dès qu'il y a des places, tout seuil est considéré atteint"
                    );
                }
            }
            match (t.niveau, t.seuil) {
                (Some(k), Some(s)) => {
                    let _ = writeln!(
                        o,
                        "  seuil atteint : n° {k} ({} %) → {} par place éligible et par an",
                        (s * rust_decimal::Decimal::from(100)).normalize(),
                        montant_fr(t.montant_par_place)
                    );
                }
                _ => {
                    let _ = writeln!(o, "  aucun seuil atteint → 0 €");
                }
            }
            match t.part(id) {
                Some(pt) => {
                    let _ = writeln!(
                        o,
                        "  part exacte = montant × places-mois / 12 = {} × {} / 12 = {}",
                        montant_fr(t.montant_par_place),
                        u_fr(pt.places_mois),
                        exact(&pt.attribution.exacte)?
                    );
                    if let Some(g) = &t.arrondi {
                        let _ = writeln!(
                            o,
                            "  arrondi du groupe « trajectoire » de la collectivité {} : total exact {} → T = {} ; plancher {} ; rang du reste {} ; centimes à distribuer {}",
                            t.collectivite,
                            exact(&g.total_exact)?,
                            montant_fr(Montant(g.total)),
                            montant_fr(Montant(pt.attribution.plancher)),
                            pt.attribution.rang_reste,
                            g.centimes_restants
                        );
                    }
                    let _ = writeln!(
                        o,
                        "  → bonus trajectoire versé : {}",
                        montant_fr(l.bonus_trajectoire)
                    );
                }
                None => {
                    let _ = writeln!(
                        o,
                        "  la structure ne reçoit pas de bonus trajectoire : {}",
                        montant_fr(l.bonus_trajectoire)
                    );
                }
            }
        }
    }
    o.push('\n');

    Ok(())
}

/// E. The contribution, chained from year to year (R25, R65, R68).
fn contribution(o: &mut String, c: &Contexte) -> R<()> {
    let Contexte {
        pr,
        a,
        l,
        id,
        annee,
        ..
    } = *c;
    // E. contributions
    let _ = writeln!(
        o,
        "E. Contribution de la collectivité (R65 enchaînée d'année en année, R25, R68)"
    );
    let prec = if annee == pr.premiere {
        "N-1 (structures.csv)".to_string()
    } else {
        (annee - 1).to_string()
    };
    // the reference: the last year with months counted (R68), N-1 (12 months) at first
    let ref_annee = l
        .annee_reference
        .map_or("N-1 (structures.csv)".to_string(), |y| y.to_string());
    let _ = writeln!(
        o,
        "  référence : {ref_annee}, dernière année comptée ({} mois) ; {annee} : {} mois",
        l.reference.mois, l.mois
    );
    let e = crate::projection::expliquer(pr, id, annee)?
        .ok_or(Invariant("structure projetée sans explication"))?;
    crate::rapport::explication::contribution_texte(
        o,
        &e.contribution,
        &a.ajustement,
        &annee.to_string(),
        &prec,
    )?;
    o.push('\n');

    Ok(())
}

/// F. The total of the year.
fn total(o: &mut String, c: &Contexte) -> R<()> {
    let Contexte { l, annee, .. } = *c;
    // F. total
    let _ = writeln!(o, "F. Total {annee}");
    let _ = writeln!(
        o,
        "  bonus total = lissage {} + unités nouvelles {} + trajectoire {} = {}",
        montant_fr(l.bonus_lissage),
        montant_fr(l.bonus_nouvelles),
        montant_fr(l.bonus_trajectoire),
        montant_fr(l.bonus_total)
    );
    Ok(())
}

/// What every section reads.
#[derive(Clone, Copy)]
struct Contexte<'a> {
    pr: &'a Projection,
    a: &'a crate::projection::AnneeProjetee,
    l: &'a crate::projection::LigneProjetee,
    s: &'a crate::modele::Structure,
    id: &'a str,
    annee: i32,
}

pub fn expliquer(pr: &Projection, id: &str, annee: i32) -> R<Option<String>> {
    let Some(a) = pr.annee(annee) else {
        return Ok(None);
    };
    let Some(l) = a.ligne(id) else {
        return Ok(None);
    };
    let Some(s) = a.dossier.structures.iter().find(|s| s.id == id) else {
        return Ok(None);
    };
    let c = Contexte {
        pr,
        a,
        l,
        s,
        id,
        annee,
    };
    let mut o = String::new();
    let _ = writeln!(
        o,
        "Projection {}–{} (base {} : {}) — exercice {annee}",
        pr.premiere,
        pr.derniere,
        nom_base(pr.base),
        pr.origine_base
    );
    let _ = writeln!(
        o,
        "Structure {} — {} (structures.csv, ligne {})\n",
        s.id, s.nom, s.ligne
    );

    situation(&mut o, &c)?;
    enveloppe(&mut o, &c)?;
    coeur(&mut o, &c)?;
    trajectoire(&mut o, &c)?;
    contribution(&mut o, &c)?;
    total(&mut o, &c)?;
    Ok(Some(o))
}

/// `expliquer --annee A --format json`: the explanation tree of a projected year
/// (schema `bonus-ctg.explication.v1`).
pub fn json_explication(pr: &Projection, id: &str, annee: i32) -> R<Option<String>> {
    let (Some(a), Some(e)) = (
        pr.annee(annee),
        crate::projection::expliquer(pr, id, annee)?,
    ) else {
        return Ok(None);
    };
    crate::rapport::explication::json_explication(&a.dossier, &a.resultat, &e).map(Some)
}
