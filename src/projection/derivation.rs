//! The dossier of a projected year Y > N (R20–R23): each structure in its situation of
//! Y (after the events, month by month), the envelope `A` = what the Caf paid in Y−1, and
//! with base `figee` the rates imposed.

use super::annee::Report;
use super::evenements::{Chronologie, Etat};
use super::{AnneeProjetee, Segment, Situation};
use crate::bareme::BasePluriannuelle;
use crate::calcul::rationnel::{Depassement, Invariant, R};
use crate::calcul::{Surcharges, UnitesMois};
use crate::modele::*;
use std::collections::BTreeMap;

/// Builds the dossier of year `annee` > N (R20–R23).
pub(super) fn deriver(
    dossier: &Dossier,
    chrono: &Chronologie,
    prec: &AnneeProjetee,
    annee: i32,
    base: BasePluriannuelle,
    reports: &BTreeMap<String, Report>,
    taux_connus: &BTreeMap<(String, String), Taux>,
) -> R<(Dossier, Surcharges, BTreeMap<String, Situation>)> {
    let mut surcharges = Surcharges::default();
    let mut situations = BTreeMap::new();
    let mut structures = Vec::with_capacity(dossier.structures.len());
    for s in &dossier.structures {
        let (etats, evs) = chrono.mois(&s.id, annee).ok_or(Invariant(
            "structure absente de la chronologie des événements",
        ))?;
        let report = reports.get(s.id.as_str()).copied().unwrap_or_default();
        // base glissante: new units already paid count as existing (R23)
        let deja = match base {
            BasePluriannuelle::Figee => 0,
            BasePluriannuelle::Glissante => report.nouvelles_payees,
        };
        let (mut d, um, comptes) = situation_de_l_annee(s, &etats, deja)?;
        d.contribution_collectivite_n1 = report.reference.contribution;
        d.bonus_n1 = report.reference.total;
        surcharges.unites_mois.insert(s.id.as_str().to_owned(), um);
        let segments = segments(&etats);
        // state on 1 January, before the year's events = December of the previous year
        let depart = chrono
            .mois(&s.id, annee - 1)
            .map_or(etats[0], |(x, _)| x[11]);
        situations.insert(
            s.id.as_str().to_owned(),
            Situation {
                depart,
                evenements: evs.into_iter().cloned().collect(),
                segments,
                mois_comptes: comptes.len() as u8,
                nouvelles_devenues_existantes: Unites(
                    comptes
                        .iter()
                        .map(|&m| etats[m].nouvelles.0.min(deja))
                        .max()
                        .unwrap_or(0),
                ),
                unites_mois: um,
            },
        );
        structures.push(d);
    }
    let charges = enveloppes(prec, base)?;
    if base == BasePluriannuelle::Figee {
        surcharges.taux_imposes = taux_connus.clone();
    }
    let mut convention = dossier.convention.clone();
    convention.exercice = annee;
    Ok((
        Dossier {
            convention,
            structures,
            charges,
        },
        surcharges,
        situations,
    ))
}

/// A structure in year Y, from its twelve monthly states (R21, R23): the months counted, the
/// reference month (the first reaching the largest `u`), the unit-months; a structure never
/// counted keeps the situation of its last open month (else December). `deja`: new units
/// already paid that now count as existing (base glissante).
fn situation_de_l_annee(
    s: &Structure,
    etats: &[Etat; 12],
    deja: i64,
) -> R<(Structure, UnitesMois, Vec<usize>)> {
    let convertir = |e: &Etat| -> (i64, i64) {
        let f = e.nouvelles.0.min(deja);
        (e.u() + f, e.nouvelles.0 - f)
    };
    let comptes: Vec<usize> = (0..12).filter(|&m| etats[m].compte()).collect();
    let ouverts: Vec<usize> = (0..12).filter(|&m| etats[m].ouverte).collect();
    let mut d = s.clone();
    let mut um = UnitesMois::default();
    if let Some(&premier) = comptes.first() {
        // reference month: the first one reaching the largest u (R21)
        let mut m_ref = premier;
        let mut nouvelles_max = 0;
        for &m in &comptes {
            let (u, nv) = convertir(&etats[m]);
            um.existantes = um.existantes.checked_add(u).ok_or(Depassement)?;
            um.nouvelles = um.nouvelles.checked_add(nv).ok_or(Depassement)?;
            nouvelles_max = nouvelles_max.max(nv);
            if u > convertir(&etats[m_ref]).0 {
                m_ref = m;
            }
        }
        let e = &etats[m_ref];
        let (u, _) = convertir(e);
        d.annexe = Annexe::Deux;
        d.soutien_collectivite = true;
        d.mois_ouverture = comptes.len() as u8;
        d.unites_employeurs = e.employeurs;
        d.unites_existantes = Unites(u + e.employeurs.0);
        d.unites_nouvelles = Unites(nouvelles_max);
    } else {
        // never counted: the situation of the last open month, else of December
        let e = &etats[ouverts.last().copied().unwrap_or(11)];
        let (u, nv) = convertir(e);
        d.annexe = e.annexe;
        d.soutien_collectivite = e.soutien;
        d.mois_ouverture = ouverts.len() as u8;
        d.unites_employeurs = e.employeurs;
        d.unites_existantes = Unites(u + e.employeurs.0);
        d.unites_nouvelles = Unites(nv);
    }
    Ok((d, um, comptes))
}

/// The months grouped by identical state.
fn segments(etats: &[Etat; 12]) -> Vec<Segment> {
    let mut segments: Vec<Segment> = Vec::new();
    for (m, e) in etats.iter().enumerate() {
        match segments.last_mut() {
            Some(g) if g.etat == *e => g.fin = m as u8 + 1,
            _ => segments.push(Segment {
                debut: m as u8 + 1,
                fin: m as u8 + 1,
                etat: *e,
            }),
        }
    }
    segments
}

/// The envelope of year Y: what the Caf paid for each (collectivité, volet) in Y−1 (R22),
/// as charge lines (line 0: derived, not read from a file).
fn enveloppes(prec: &AnneeProjetee, base: BasePluriannuelle) -> R<Vec<ChargeAPayer>> {
    let mut charges = Vec::new();
    for g in &prec.resultat.groupes {
        if g.versement.is_none() {
            continue; // unknown volet: nothing was paid, nothing to carry
        }
        // figee: the forfaits are paid on top of the kept rate, they are not enveloped
        let (paye, nouvelles) = match base {
            BasePluriannuelle::Figee => (
                Montant(
                    g.lissage_verse
                        .0
                        .checked_add(g.verse_collectivite.0)
                        .ok_or(Depassement)?,
                ),
                String::new(),
            ),
            BasePluriannuelle::Glissante => (
                // the trajectoire is paid on top, outside the envelope (R24)
                Montant(
                    g.lissage_verse
                        .0
                        .checked_add(g.nouvelles_versees.0)
                        .and_then(|x| x.checked_add(g.verse_collectivite.0))
                        .ok_or(Depassement)?,
                ),
                format!(
                    " + unités nouvelles {}",
                    crate::modele::montant_fr(g.nouvelles_versees)
                ),
            ),
        };
        charges.push(ChargeAPayer {
            collectivite: g.collectivite.clone(),
            volet: g.volet.clone(),
            montant: paye,
            libelle: format!(
                "versé en {} : lissage {}{nouvelles}{}",
                prec.exercice,
                crate::modele::montant_fr(g.lissage_verse),
                if g.verse_collectivite.0 > 0 {
                    format!(
                        " + versé à la collectivité {}",
                        crate::modele::montant_fr(g.verse_collectivite)
                    )
                } else {
                    String::new()
                }
            ),
            ligne: crate::diagnostic::Origine::Enveloppe {
                exercice: prec.exercice + 1,
            },
        });
    }
    Ok(charges)
}
