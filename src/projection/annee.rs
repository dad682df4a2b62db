//! One projected year after the core's calculation: the lines with the contributions
//! chain (R25, R65, R68), the year's totals, and what the next year needs from this one
//! (the reference of each contribution, the new units paid, the rates kept, R23, R67).

use super::{LigneProjetee, Situation, TotauxAnnee};
use crate::bareme::{Ajustement, BaremeExercice};
use crate::calcul::eligibilite::Motif;
use crate::calcul::rationnel::R;
use crate::calcul::{self, contributions, Resultat};
use crate::modele::*;
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, BTreeSet};

fn ajouter(a: &mut Montant, b: Montant) -> R<()> {
    a.ajouter(b)
}

/// Per structure, what the next year needs from this one.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Report {
    /// Reference of the contributions chain: the last year with months counted (R68;
    /// N−1: 12 months).
    pub reference: contributions::Reference,
    /// The year of that reference (`None`: N−1).
    pub annee_reference: Option<i32>,
    /// What the previous year actually paid (shown as N−1 of the next year).
    pub contribution_annee: Montant,
    pub total_annee: Montant,
    /// Base glissante: new units already paid (R23).
    pub nouvelles_payees: i64,
}

/// The chain from one year to the next: per structure its [`Report`], per (collectivité,
/// volet) the last rate paid (base figée, R67).
#[derive(Debug, Default)]
pub(super) struct Chaine {
    pub reports: BTreeMap<String, Report>,
    pub taux_connus: BTreeMap<(String, String), Taux>,
}

/// Totals of a year, every collectivité of the convention listed.
fn totaux_vides(conv: &Convention, annee: i32) -> (TotauxAnnee, BTreeMap<String, TotauxAnnee>) {
    let vide = TotauxAnnee {
        exercice: annee,
        ..Default::default()
    };
    let par_c = conv
        .collectivites
        .iter()
        .map(|c| (c.id.clone(), vide.clone()))
        .collect();
    (vide, par_c)
}

/// Year N−1, from the dossier: the contributions and bonus N−1 of structures.csv, and
/// what the Caf paid for N−1, its charge à payer N−1 (docs/regles.md, vue d'ensemble).
pub(super) fn totaux_n1(
    dossier: &Dossier,
    n: i32,
) -> R<(TotauxAnnee, BTreeMap<String, TotauxAnnee>)> {
    let (mut n1, mut n1_c) = totaux_vides(&dossier.convention, n - 1);
    let pousser_n1 = |t: &mut TotauxAnnee, s: &Structure| -> R<()> {
        ajouter(
            &mut t.contribution_collectivite,
            s.contribution_collectivite_n1,
        )?;
        ajouter(&mut t.financement_public, s.contribution_collectivite_n1)?;
        ajouter(&mut t.financement_public, s.bonus_n1)
    };
    for s in &dossier.structures {
        pousser_n1(&mut n1, s)?;
        pousser_n1(
            n1_c.entry(s.collectivite.as_str().to_owned()).or_default(),
            s,
        )?;
    }
    for ch in &dossier.charges {
        ajouter(&mut n1.charge_n1, ch.montant)?;
        ajouter(&mut n1.verse_caf, ch.montant)?;
        let t = n1_c.entry(ch.collectivite.clone()).or_default();
        ajouter(&mut t.charge_n1, ch.montant)?;
        ajouter(&mut t.verse_caf, ch.montant)?;
    }
    Ok((n1, n1_c))
}

/// A structure's line of the year: the core's figures, its trajectoire part `bt`, and
/// its contribution by the formula of R65 with the reference of the last year counted (R68).
fn ligne_projetee(
    l: &calcul::LigneStructure,
    prec: Report,
    bt: Montant,
    mode: Ajustement,
) -> R<LigneProjetee> {
    let s = &l.structure;
    let total = l.bonus_total;
    // the formula of R65 with the reference of the last year counted (R68)
    let cn = contributions::contribution_mensuelle(
        mode,
        prec.reference,
        s.mois_ouverture,
        l.bonus_lissage,
        total,
    )?;
    let c = contributions::financement(prec.contribution_annee, prec.total_annee, cn, total)?;
    Ok(LigneProjetee {
        id: s.id.clone(),
        nom: s.nom.clone(),
        type_structure: s.type_structure,
        volet: l.eligibilite.volet().map(Texte::from),
        gestionnaire: s.gestionnaire.clone(),
        collectivite: s.collectivite.clone(),
        motif: l.motif(),
        mois: s.mois_ouverture,
        unites_eligibles: l.unites_eligibles,
        unites_nouvelles: if l.motif() == Motif::Eligible {
            s.unites_nouvelles
        } else {
            Unites(0)
        },
        unites_mois: l.unites_mois,
        taux_unitaire: l.taux_unitaire.as_deref().copied(),
        bonus_lissage: l.bonus_lissage,
        bonus_nouvelles: l.bonus_nouvelles,
        bonus_trajectoire: bt,
        bonus_total: total,
        bonus_ctre: l.bonus_ctre,
        ecart_arrondi: l.ecart_arrondi()?,
        contribution_n1: prec.contribution_annee,
        annee_reference: prec.annee_reference,
        reference: prec.reference,
        contribution_n: cn,
        bonus_n1: prec.total_annee,
        financement_public_n1: c.financement_public_n1,
        financement_public_n: c.financement_public_n,
        variation: c.variation,
    })
}

/// A structure's line added to the totals of the year (all, or its collectivité's).
fn ajouter_ligne(t: &mut TotauxAnnee, ligne: &LigneProjetee) -> R<()> {
    ajouter(&mut t.lissage, ligne.bonus_lissage)?;
    ajouter(&mut t.nouvelles, ligne.bonus_nouvelles)?;
    ajouter(&mut t.trajectoire, ligne.bonus_trajectoire)?;
    ajouter(&mut t.ctre, ligne.bonus_ctre)?;
    ajouter(&mut t.verse_caf, ligne.bonus_total)?;
    ajouter(&mut t.verse_caf, ligne.bonus_ctre)?;
    ajouter(&mut t.contribution_collectivite, ligne.contribution_n)?;
    ajouter(&mut t.financement_public, ligne.financement_public_n)
}

/// A (collectivité, volet) group added to the totals of the year: its envelope, what
/// the collectivité is paid, what is not redistributed, the complement.
fn ajouter_groupe(t: &mut TotauxAnnee, g: &calcul::GroupeVolet) -> R<()> {
    ajouter(&mut t.charge_n1, g.charge_n1)?;
    ajouter(&mut t.verse_collectivite, g.verse_collectivite)?;
    ajouter(&mut t.verse_caf, g.verse_collectivite)?;
    ajouter(&mut t.non_redistribue, g.non_redistribue)?;
    ajouter(&mut t.complement, g.complement_plancher)
}

/// Lines of a year with their totals.
pub(super) type LignesAnnee = (
    Vec<LigneProjetee>,
    TotauxAnnee,
    BTreeMap<String, TotauxAnnee>,
);

impl Chaine {
    /// Year N's chain: the references are N−1 (12 months, R65).
    pub fn depuis(dossier: &Dossier) -> Self {
        let mut reports = BTreeMap::new();
        for s in &dossier.structures {
            reports.insert(
                s.id.as_str().to_owned(),
                Report {
                    reference: contributions::Reference::n1(s),
                    annee_reference: None,
                    contribution_annee: s.contribution_collectivite_n1,
                    total_annee: s.bonus_n1,
                    nouvelles_payees: 0,
                },
            );
        }
        Chaine {
            reports,
            taux_connus: BTreeMap::new(),
        }
    }

    /// The lines of year `annee` and the contributions chain, month by month (R25, R68).
    pub fn lignes(
        &self,
        conv: &Convention,
        resultat: &Resultat,
        mode: Ajustement,
        annee: i32,
    ) -> R<LignesAnnee> {
        // each structure's bonus trajectoire paid, looked up once per line (the first
        // collectivité's part of an id, as a search through them would find it)
        let mut parts: FxHashMap<&str, Montant> = FxHashMap::default();
        for p in resultat.trajectoire.iter().flat_map(|t| &t.parts) {
            parts
                .entry(p.id.as_str())
                .or_insert(Montant(p.attribution.verse));
        }
        let part_traj = |id: &str| parts.get(id).copied().unwrap_or(Montant(0));
        let (mut totaux, mut par_c) = totaux_vides(conv, annee);
        let mut lignes = Vec::with_capacity(resultat.structures.len());
        for l in &resultat.structures {
            let s = &l.structure;
            let prec = self.reports.get(s.id.as_str()).copied().unwrap_or_default();
            let ligne = ligne_projetee(l, prec, part_traj(&s.id), mode)?;
            ajouter_ligne(&mut totaux, &ligne)?;
            // (every collectivité of the convention is in `par_c` already: no key built)
            match par_c.get_mut(s.collectivite.as_str()) {
                Some(t) => ajouter_ligne(t, &ligne)?,
                None => ajouter_ligne(
                    par_c.entry(s.collectivite.as_str().to_owned()).or_default(),
                    &ligne,
                )?,
            }
            lignes.push(ligne);
        }
        for g in &resultat.groupes {
            for t in [
                &mut totaux,
                par_c.entry(g.collectivite.clone()).or_default(),
            ] {
                ajouter_groupe(t, g)?;
            }
        }
        Ok((lignes, totaux, par_c))
    }

    /// What the next year needs from year `annee` (R23, R68).
    pub fn reporter(
        &mut self,
        annee: i32,
        lignes: &[LigneProjetee],
        situations: &BTreeMap<String, Situation>,
        resultat: &Resultat,
    ) {
        let reports = &mut self.reports;
        // the new units of each structure of the year's dossier (in its line of the
        // result), by id
        let nouvelles: FxHashMap<&str, i64> = resultat
            .structures
            .iter()
            .map(|l| (l.structure.id.as_str(), l.structure.unites_nouvelles.0))
            .collect();
        for l in lignes {
            // (every structure has its report from year N on: no key built)
            let e = match reports.get_mut(l.id.as_str()) {
                Some(e) => e,
                None => reports.entry(l.id.as_str().to_owned()).or_default(),
            };
            e.contribution_annee = l.contribution_n;
            e.total_annee = l.bonus_total;
            if l.mois > 0 {
                // a year without months keeps the reference of the last counted year (R68)
                e.reference = contributions::Reference {
                    contribution: l.contribution_n,
                    lissage: l.bonus_lissage,
                    total: l.bonus_total,
                    mois: l.mois,
                };
                e.annee_reference = Some(annee);
            }
            if l.motif == Motif::Eligible {
                // new units paid this year: those in force in the last counted month
                let n_fin = match situations.get(l.id.as_str()) {
                    None => nouvelles.get(l.id.as_str()).copied().unwrap_or(0),
                    Some(sit) => sit
                        .segments
                        .iter()
                        .rev()
                        .find(|g| g.etat.compte())
                        .map_or(0, |g| g.etat.nouvelles.0),
                };
                e.nouvelles_payees = e.nouvelles_payees.max(n_fin);
            }
        }
    }

    /// Base figée: the rate of every known (collectivité, volet) goes on, revalued each
    /// year (`revaloriser`: after year N), even through a year without units (R67).
    pub fn taux_suivants(
        &mut self,
        resultat: &Resultat,
        be: &BaremeExercice,
        conv: &Convention,
        revaloriser: bool,
    ) -> R<()> {
        let taux_connus = &mut self.taux_connus;
        let mut vus_annee: BTreeSet<(String, String)> = BTreeSet::new();
        for g in &resultat.groupes {
            if let Some(t) = g.taux_effectif {
                taux_connus.insert((g.collectivite.clone(), g.volet.clone()), t);
                vus_annee.insert((g.collectivite.clone(), g.volet.clone()));
            }
        }
        if revaloriser {
            for (k, t) in taux_connus.iter_mut() {
                if vus_annee.contains(k) {
                    continue;
                }
                if let Some(v) = be.volets.get(&k.1) {
                    let pop = conv.collectivite(&k.0).and_then(|c| c.population);
                    *t = calcul::taux_effectif(v, pop, *t)?.0;
                }
            }
        }
        Ok(())
    }
}
