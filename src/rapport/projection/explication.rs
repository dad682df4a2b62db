//! `bonus-ctg expliquer --annee A`: every figure of one structure in one projected year,
//! section by section; the bonus and the contribution are rendered from the calculation's
//! explanation tree ([`crate::calcul::explication`]).

use super::*;
use crate::projection::Situation;

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
        None => situation_du_dossier(o, s),
        Some(sit) => {
            let _ = writeln!(
                o,
                "  au 1er janvier {annee}, avant les événements de l'année : {}",
                sit.depart
            );
            evenements_de_l_annee(o, sit, annee, &c.pr.libelle_evenements);
            mois_par_mois(o, sit);
            unites_de_l_annee(o, sit, s);
        }
    }
    o.push('\n');

    Ok(())
}

/// The dossier's own exercice: the situation is structures.csv's.
fn situation_du_dossier(o: &mut String, s: &crate::modele::Structure) {
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

/// The events taking effect in the year, with the month from which each counts (R21).
fn evenements_de_l_annee(o: &mut String, sit: &Situation, annee: i32, source: &str) {
    if sit.evenements.is_empty() {
        let _ = writeln!(o, "  aucun événement ne prend effet en {annee}");
    }
    for e in &sit.evenements {
        let (_, m) = e.effet();
        let _ = writeln!(
            o,
            "  {source} ligne {} : {}, {}{} → compte {} (un mois compte dans la situation de son 1er jour, R21)",
            e.ligne,
            e.date.en_toutes_lettres(),
            e.action.nom(),
            if e.action.valeur().is_empty() { String::new() } else { format!(" {}", e.action.valeur()) },
            crate::projection::evenements::a_partir_de(m, annee)
        );
    }
}

/// The segments of the year, each counted or not, and the months counted.
fn mois_par_mois(o: &mut String, sit: &Situation) {
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
}

/// The units of the year: nouvelles turned existantes (R23), unit-months, units kept in U.
fn unites_de_l_annee(o: &mut String, sit: &Situation, s: &crate::modele::Structure) {
    if sit.nouvelles_devenues_existantes.0 > 0 {
        let _ = writeln!(
            o,
            "  base glissante : {} unités nouvelles déjà payées une année précédente comptent désormais comme existantes (R23)",
            groupe_fr(&sit.nouvelles_devenues_existantes.to_string())
        );
    }
    let _ = writeln!(
        o,
        "  unités-mois de l'année : existantes {} ; nouvelles {}",
        u_fr(sit.unites_mois.existantes),
        u_fr(sit.unites_mois.nouvelles)
    );
    let _ = writeln!(
        o,
        "  unités retenues dans U : celles du mois compté qui en a le plus (R21 ; u_i en C) ; unités existantes {}, employeurs {}, nouvelles {}",
        groupe_fr(&s.unites_existantes.to_string()),
        groupe_fr(&s.unites_employeurs.to_string()),
        groupe_fr(&s.unites_nouvelles.to_string())
    );
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
            let _ = writeln!(
                o,
                "  exercice du dossier : A = charge à payer N-1 de charges_n1.csv = {} (R16)",
                montant_fr(g.charge_n1)
            );
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
                    let _ = writeln!(
                        o,
                        "  base glissante : l'enveloppe est relissée sur les unités de {annee} (R22, R23)"
                    );
                }
            }
        }
        o.push('\n');
    }

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

/// A projected year explained: the projection's own sections (situation, envelope) as
/// text, then the calculation's tree of the year.
struct AnneeExpliquee {
    /// `Projection 2025–2027 (base …) — exercice 2026`.
    titre: String,
    entete: crate::rapport::explication::Entete,
    /// Sections A and B, one line each (a section's title at the margin, its lines indented).
    sections: String,
    /// Title of section C.
    titre_chiffres: String,
    /// The contribution's reference year (R68).
    reference: String,
    e: crate::calcul::explication::Explication,
}

fn annee_expliquee(pr: &Projection, id: &str, annee: i32) -> R<Option<AnneeExpliquee>> {
    let Some(a) = pr.annee(annee) else {
        return Ok(None);
    };
    let Some(l) = a.ligne(id) else {
        return Ok(None);
    };
    let Some(s) = a.resultat.structure(id).map(|l| &l.structure) else {
        return Ok(None);
    };
    let Some(e) = crate::projection::expliquer(pr, id, annee)? else {
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
    let mut sections = String::new();
    situation(&mut sections, &c)?;
    enveloppe(&mut sections, &c)?;
    // the reference: the last year with months counted (R68), N-1 (12 months) at first
    let ref_annee = l
        .annee_reference
        .map_or("N-1 (structures.csv)".to_string(), |y| y.to_string());
    Ok(Some(AnneeExpliquee {
        titre: format!(
            "Projection {}–{} (base {} : {}) — exercice {annee}",
            pr.premiere,
            pr.derniere,
            nom_base(pr.base),
            pr.origine_base
        ),
        entete: crate::rapport::explication::Entete::de(
            &a.resultat,
            &e,
            &a.resultat.convention.nom,
        )?,
        sections,
        titre_chiffres: format!(
            "C. Chiffres de l'exercice {annee} (cœur du calcul ; contribution enchaînée d'année en année, R25, R68)"
        ),
        reference: format!(
            "référence de la contribution : {ref_annee}, dernière année comptée ({} mois) ; {annee} : {} mois",
            l.reference.mois, l.mois
        ),
        e,
    }))
}

/// `expliquer --annee A`: the text. `Ok(None)`: unknown structure or year outside the
/// projection.
pub fn expliquer(pr: &Projection, id: &str, annee: i32) -> R<Option<String>> {
    let Some(x) = annee_expliquee(pr, id, annee)? else {
        return Ok(None);
    };
    let mut o = String::new();
    let _ = writeln!(o, "{}", x.titre);
    let _ = writeln!(o, "{}\n", x.entete.titre());
    o.push_str(&x.sections);
    let _ = writeln!(o, "{}", x.titre_chiffres);
    let _ = writeln!(o, "  {}\n", x.reference);
    o.push_str(&crate::rapport::explication::texte_figures(&x.e, "  ")?);
    Ok(Some(o))
}

/// `expliquer --annee A --format html`: the page; sections A and B as lists, the year's
/// figures as the tree.
pub fn html_explication(pr: &Projection, id: &str, annee: i32) -> R<Option<String>> {
    use crate::rapport::explication::html;
    use crate::rapport::html::esc;
    let Some(x) = annee_expliquee(pr, id, annee)? else {
        return Ok(None);
    };
    let mut corps = format!(
        "<div class=\"explication-arbre\">\n<p class=\"structure\">{}<br>{}<br>{}</p>\n",
        esc(&x.titre),
        esc(&x.entete.titre()),
        esc(&x.entete.description)
    );
    let mut liste = false;
    for ligne in x.sections.lines().filter(|l| !l.trim().is_empty()) {
        if ligne.starts_with(' ') {
            if !liste {
                corps.push_str("<ul>\n");
                liste = true;
            }
            let _ = writeln!(corps, "<li>{}</li>", esc(ligne.trim()));
        } else {
            if liste {
                corps.push_str("</ul>\n");
                liste = false;
            }
            let _ = writeln!(corps, "<h2>{}</h2>", esc(ligne));
        }
    }
    if liste {
        corps.push_str("</ul>\n");
    }
    let _ = writeln!(
        corps,
        "<h2>{}</h2>\n<p>{}</p>",
        esc(&x.titre_chiffres),
        esc(&x.reference)
    );
    corps.push_str(&html::figures(&x.e, 3)?);
    corps.push_str("</div>\n");
    html::page(&x.entete, &corps).map(Some)
}

/// `expliquer --annee A --format xlsx`: the workbook (sections A and B above the tree).
pub fn xlsx_explication(
    pr: &Projection,
    id: &str,
    annee: i32,
) -> Result<Option<Vec<u8>>, crate::rapport::xlsx::ErreurXlsx> {
    let Some(x) = annee_expliquee(pr, id, annee)? else {
        return Ok(None);
    };
    let mut avant = vec![x.titre.clone()];
    avant.extend(
        x.sections
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string),
    );
    avant.push(x.titre_chiffres.clone());
    avant.push(format!("  {}", x.reference));
    crate::rapport::explication::xlsx::rendre(&x.entete, &avant, &x.e).map(Some)
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
    crate::rapport::explication::json_explication(&a.resultat, &e).map(Some)
}
