//! Multi-year projection over the convention period (`bonus-ctg projeter`,
//! docs/regles.md R20–R25).
//!
//! One exercice per calendar year, from the dossier's exercice N to the end of the
//! convention. Year N is exactly [`calcul::calculer`]. Each later year Y is the pure core
//! applied to a **derived dossier**: the structures in their situation of year Y (after the
//! events of `evenements.csv`, month by month), the envelope `A` = what the Caf paid for each
//! (collectivité, volet) in Y−1, and the barème in force in Y; with base `figee` the rate `m`
//! is imposed (the previous year's `m_eff`), with base `glissante` it is `A / U`. The bonus
//! trajectoire and the collectivités' contributions are chained on top, year after year.

pub mod evenements;
pub mod trajectoire;

use crate::bareme::{Ajustement, BasePluriannuelle, Lu};
use crate::calcul::eligibilite::Motif;
use crate::calcul::rationnel::{Depassement, ErreurCalcul, Invariant, Rationnel, R};
use crate::calcul::{self, contributions, Resultat, Surcharges, UnitesMois};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::lecture::DossierLu;
use crate::modele::*;
use evenements::{Chronologie, Etat, Evenement};
use std::collections::{BTreeMap, BTreeSet};
use trajectoire::TrajectoireCollectivite;

/// Options of `bonus-ctg projeter`.
#[derive(Debug, Clone, Default)]
pub struct OptionsProjection {
    /// First year (default: the dossier's exercice).
    pub exercice: Option<i32>,
    /// Last year (default: the year the convention ends).
    pub jusqu_a: Option<i32>,
    /// `--base`: overrides the barème's `base_pluriannuelle`.
    pub base: Option<BasePluriannuelle>,
}

/// Months `debut..=fin` (1-based) in one situation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub debut: u8,
    pub fin: u8,
    pub etat: Etat,
}

/// A structure's situation in a projected year Y > N (for `expliquer --annee`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Situation {
    /// State on 1 January of Y, before the events of Y.
    pub depart: Etat,
    /// Events taking effect in Y.
    pub evenements: Vec<Evenement>,
    pub segments: Vec<Segment>,
    /// Months that count (open, annexe 2, supported).
    pub mois_comptes: u8,
    /// Base `glissante`: new units already paid in an earlier year, now counted as
    /// existing (R23).
    pub nouvelles_devenues_existantes: Unites,
    /// Unit-months of the year (after that conversion).
    pub unites_mois: UnitesMois,
}

/// One structure in one projected year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LigneProjetee {
    pub id: String,
    pub nom: String,
    pub type_structure: TypeStructure,
    pub volet: Option<String>,
    pub gestionnaire: String,
    pub collectivite: String,
    pub motif: Motif,
    /// Months counted in the year.
    pub mois: u8,
    /// `u_i` counted in `U` (R21) when eligible.
    pub unites_eligibles: Unites,
    pub unites_nouvelles: Unites,
    pub unites_mois: UnitesMois,
    pub taux_unitaire: Option<Rationnel>,
    pub bonus_lissage: Montant,
    pub bonus_nouvelles: Montant,
    pub bonus_trajectoire: Montant,
    /// lissage + nouvelles + trajectoire.
    pub bonus_total: Montant,
    /// CTRE (R64), outside `bonus_total`.
    pub bonus_ctre: Montant,
    /// paid − exact share, cents (as `calculer`).
    pub ecart_arrondi: Rationnel,
    pub contribution_n1: Montant,
    /// The reference of the contribution (R68): the last year with months counted before
    /// this one (`None`: N−1, from structures.csv).
    pub annee_reference: Option<i32>,
    pub reference: contributions::Reference,
    pub contribution_n: Montant,
    /// Bonus of the previous year (what the structure received from the Caf in Y−1).
    pub bonus_n1: Montant,
    pub financement_public_n1: Montant,
    pub financement_public_n: Montant,
    pub variation: Montant,
}

/// Totals of one year (or of N−1): what the Caf and the collectivités pay.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TotauxAnnee {
    pub exercice: i32,
    /// Envelope `A` of the year (N−1: the dossier's charge à payer N−1).
    pub charge_n1: Montant,
    pub lissage: Montant,
    pub nouvelles: Montant,
    pub trajectoire: Montant,
    /// CTRE paid to the gestionnaires for employer places (R64).
    pub ctre: Montant,
    /// Paid to the collectivités themselves (PILOTAGE).
    pub verse_collectivite: Montant,
    /// Everything the Caf pays: lissage + nouvelles + trajectoire + CTRE + verse_collectivite
    /// (N−1: its charge à payer N−1).
    pub verse_caf: Montant,
    /// Σ contributions of the collectivités to the structures.
    pub contribution_collectivite: Montant,
    /// Σ public funding of the structures (contribution + bonus).
    pub financement_public: Montant,
    pub non_redistribue: Montant,
    /// What the kept rate, the floor or the revaluation add beyond the envelope (R66).
    pub complement: Montant,
}

/// One projected year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnneeProjetee {
    pub exercice: i32,
    /// The derived dossier given to the core (year N: the dossier itself).
    pub dossier: Dossier,
    pub surcharges: Surcharges,
    /// The core's result for the derived dossier. Its contribution columns follow the
    /// one-year formula; the projection's own chain (R25) is in `lignes`.
    pub resultat: Resultat,
    /// Year > N: each structure's situation.
    pub situations: BTreeMap<String, Situation>,
    pub ajustement: Lu<Ajustement>,
    pub trajectoire: Vec<TrajectoireCollectivite>,
    /// Sorted by id.
    pub lignes: Vec<LigneProjetee>,
    pub totaux: TotauxAnnee,
    pub par_collectivite: BTreeMap<String, TotauxAnnee>,
}

impl AnneeProjetee {
    pub fn ligne(&self, id: &str) -> Option<&LigneProjetee> {
        self.lignes.iter().find(|l| l.id == id)
    }
}

/// The whole projection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Projection {
    pub convention: Convention,
    pub base: BasePluriannuelle,
    /// Where the base comes from (`--base` or the barème value with its reference).
    pub origine_base: String,
    pub premiere: i32,
    pub derniere: i32,
    pub nombre_evenements: usize,
    /// Year N−1 (from structures.csv and charges_n1.csv).
    pub n1: TotauxAnnee,
    pub n1_par_collectivite: BTreeMap<String, TotauxAnnee>,
    pub annees: Vec<AnneeProjetee>,
}

impl Projection {
    pub fn annee(&self, y: i32) -> Option<&AnneeProjetee> {
        self.annees.iter().find(|a| a.exercice == y)
    }
}

fn ajouter(a: &mut Montant, b: Montant) -> R<()> {
    a.ajouter(b)
}

fn erreur_projection(message: String, conseil: &str) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::erreur("E037", "projection", message).conseil(conseil));
    d
}

fn depassement(e: ErreurCalcul) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(e.diagnostic("dossier"));
    d
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct CleDiagnostic {
    code: &'static str,
    fichier: String,
    ligne: Option<u64>,
    colonne: Option<String>,
    valeur: Option<String>,
}

/// Per structure, what the next year needs from this one.
#[derive(Debug, Clone, Copy, Default)]
struct Report {
    /// Reference of the contributions chain: the last year with months counted (R68;
    /// N−1: 12 months).
    reference: contributions::Reference,
    /// The year of that reference (`None`: N−1).
    annee_reference: Option<i32>,
    /// What the previous year actually paid (shown as N−1 of the next year).
    contribution_annee: Montant,
    total_annee: Montant,
    /// Base glissante: new units already paid (R23).
    nouvelles_payees: i64,
}

/// The projection, pure: a read dossier, its checked events, options. `Err` holds the
/// located diagnostics; `Ok` the projection and the warnings.
pub fn projeter(
    lu: &DossierLu,
    evenements: &[Evenement],
    options: &OptionsProjection,
    fichier_bareme: &str,
    fichier_evenements: &str,
) -> Result<(Projection, Diagnostics), Diagnostics> {
    let dossier = &lu.dossier;
    let conv = &dossier.convention;
    let n = options.exercice.unwrap_or(conv.exercice);

    // years
    let fin = conv.fin.map(|d| d.annee);
    let derniere =
        match (options.jusqu_a, fin) {
            (Some(j), Some(f)) if j > f => {
                return Err(erreur_projection(
                    format!("--jusqu-a {j} dépasse la fin de la convention ({f})"),
                    "choisissez une année comprise dans la convention",
                ))
            }
            (Some(j), _) => j,
            (None, Some(f)) => f,
            (None, None) => return Err(erreur_projection(
                "convention.toml n'a pas de date de fin : la durée de la projection est inconnue"
                    .into(),
                "indiquez fin = AAAA-MM-JJ dans convention.toml ou passez --jusqu-a ANNEE",
            )),
        };
    if derniere < n {
        return Err(erreur_projection(
            format!("la dernière année projetée ({derniere}) précède l'exercice {n}"),
            "--jusqu-a doit valoir au moins l'exercice du dossier",
        ));
    }

    // year N: the plain calculation
    let (resultat_n, mut diags) = crate::traiter(lu, Some(n), fichier_bareme)?;
    let (base, origine_base) = match options.base {
        Some(b) => (b, "option --base".to_string()),
        None => {
            let l = lu.bareme.base_pour(n);
            let o = match &l.source {
                Some(s) => format!(
                    "barème : base_pluriannuelle en vigueur depuis le {}, statut {}, {}",
                    s.debut, s.statut, s.origine
                ),
                None => "valeur par défaut".into(),
            };
            (l.valeur, o)
        }
    };
    let chrono = Chronologie::construire(
        dossier,
        evenements,
        n,
        derniere,
        fichier_evenements,
        &mut diags,
    );
    if diags.a_des_erreurs() {
        return Err(diags);
    }

    // N−1 (from the dossier)
    let mut n1 = TotauxAnnee {
        exercice: n - 1,
        ..Default::default()
    };
    let mut n1_c: BTreeMap<String, TotauxAnnee> = BTreeMap::new();
    for c in &conv.collectivites {
        n1_c.insert(
            c.id.clone(),
            TotauxAnnee {
                exercice: n - 1,
                ..Default::default()
            },
        );
    }
    let pousser_n1 = |t: &mut TotauxAnnee, s: &Structure| -> R<()> {
        ajouter(
            &mut t.contribution_collectivite,
            s.contribution_collectivite_n1,
        )?;
        ajouter(&mut t.financement_public, s.contribution_collectivite_n1)?;
        ajouter(&mut t.financement_public, s.bonus_n1)
    };
    (|| -> R<()> {
        for s in &dossier.structures {
            pousser_n1(&mut n1, s)?;
            pousser_n1(n1_c.entry(s.collectivite.clone()).or_default(), s)?;
        }
        // what the Caf paid for N−1 is its charge à payer N−1 (docs/regles.md, vue d'ensemble)
        for ch in &dossier.charges {
            ajouter(&mut n1.charge_n1, ch.montant)?;
            ajouter(&mut n1.verse_caf, ch.montant)?;
            let t = n1_c.entry(ch.collectivite.clone()).or_default();
            ajouter(&mut t.charge_n1, ch.montant)?;
            ajouter(&mut t.verse_caf, ch.montant)?;
        }
        Ok(())
    })()
    .map_err(depassement)?;

    // trajectoire reference: P_ref per (volet, collectivité) from year N's eligible units
    let reference = |volet: &str| -> BTreeMap<String, i64> {
        let mut r: BTreeMap<String, i64> = BTreeMap::new();
        for c in &conv.collectivites {
            r.insert(c.id.clone(), 0);
        }
        for l in &resultat_n.structures {
            if l.eligibilite.volet_eligible() == Some(volet) {
                *r.entry(l.structure.collectivite.clone()).or_default() += l.unites_eligibles.0;
            }
        }
        r
    };

    let mut reports: BTreeMap<String, Report> = BTreeMap::new();
    for s in &dossier.structures {
        reports.insert(
            s.id.clone(),
            Report {
                reference: contributions::Reference::n1(s),
                annee_reference: None,
                contribution_annee: s.contribution_collectivite_n1,
                total_annee: s.bonus_n1,
                nouvelles_payees: 0,
            },
        );
    }
    let mut taux_connus: BTreeMap<(String, String), Rationnel> = BTreeMap::new();
    let mut annees: Vec<AnneeProjetee> = Vec::new();
    // a diagnostic repeated by a later year (same place) is shown once
    let cle = |d: &Diagnostic| CleDiagnostic {
        code: d.code,
        fichier: d.fichier.clone(),
        ligne: d.ligne,
        colonne: d.colonne.clone(),
        valeur: d.valeur.clone(),
    };
    let mut vus: BTreeSet<CleDiagnostic> = diags.0.iter().map(cle).collect();

    for annee in n..=derniere {
        // 1. the year's dossier, surcharges and barème
        let (dossier_y, surcharges, situations, resultat, be) = if annee == n {
            let be = lu.bareme.pour_exercice(n, fichier_bareme)?;
            (
                dossier.clone(),
                Surcharges::default(),
                BTreeMap::new(),
                resultat_n.clone(),
                be,
            )
        } else {
            let prec = annees.last().ok_or_else(|| {
                depassement(Invariant("année précédente de la projection absente"))
            })?;
            let (d_y, s_y, sit) =
                deriver(dossier, &chrono, prec, annee, base, &reports, &taux_connus)
                    .map_err(depassement)?;
            let (be, dv) = crate::validation::valider(&d_y, &lu.bareme, annee, fichier_bareme);
            for mut d in dv.0 {
                if d.fichier == "charges_n1.csv" && d.ligne == Some(0) {
                    d.fichier = format!("enveloppe {annee} (versé en {})", annee - 1);
                    d.ligne = None;
                }
                if vus.insert(cle(&d)) {
                    d.message = format!("exercice {annee} : {}", d.message);
                    diags.push(d);
                }
            }
            let be = match be {
                Some(b) if !diags.a_des_erreurs() => b,
                _ => return Err(diags),
            };
            // trajectoire (R24): P_ref of year N, places counted in December of the year
            let mut s_y = s_y;
            if let Some(t) = &be.trajectoire {
                s_y.places_reference = Some(reference(&t.volet.valeur));
                for (id, st) in &sit {
                    let decembre = st
                        .segments
                        .last()
                        .filter(|g| g.etat.compte())
                        .map_or(0, |g| g.etat.u() + g.etat.nouvelles.0);
                    s_y.places_annee.insert(id.clone(), decembre);
                }
            }
            let r = calcul::calculer_avec(&d_y, &be, &s_y).map_err(depassement)?;
            (d_y, s_y, sit, r, be)
        };

        // 2. trajectoire: computed by the core (R63), year N's P_ref and December places
        let traj = resultat.trajectoire.clone();
        let part_traj = |id: &str| -> Montant {
            traj.iter()
                .find_map(|t| t.part(id))
                .map_or(Montant(0), |p| Montant(p.attribution.verse))
        };

        // 3. lines and the contributions chain, month by month (R25, R68)
        let mode = be.ajustement_contribution.clone();
        let mut lignes = Vec::with_capacity(resultat.structures.len());
        let mut totaux = TotauxAnnee {
            exercice: annee,
            ..Default::default()
        };
        let mut par_c: BTreeMap<String, TotauxAnnee> = BTreeMap::new();
        for c in &conv.collectivites {
            par_c.insert(
                c.id.clone(),
                TotauxAnnee {
                    exercice: annee,
                    ..Default::default()
                },
            );
        }
        let r: R<()> = (|| {
            for l in &resultat.structures {
                let s = &l.structure;
                let prec = reports.get(&s.id).copied().unwrap_or_default();
                let bt = part_traj(&s.id);
                let total = l.bonus_total;
                // the formula of R65 with the reference of the last year counted (R68)
                let cn = contributions::contribution_mensuelle(
                    mode.valeur,
                    prec.reference,
                    s.mois_ouverture,
                    l.bonus_lissage,
                    total,
                )?;
                let c = contributions::financement(
                    prec.contribution_annee,
                    prec.total_annee,
                    cn,
                    total,
                )?;
                let ligne = LigneProjetee {
                    id: s.id.clone(),
                    nom: s.nom.clone(),
                    type_structure: s.type_structure,
                    volet: l.eligibilite.volet().map(str::to_string),
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
                    taux_unitaire: l.taux_unitaire,
                    bonus_lissage: l.bonus_lissage,
                    bonus_nouvelles: l.bonus_nouvelles,
                    bonus_trajectoire: bt,
                    bonus_total: total,
                    bonus_ctre: l.bonus_ctre,
                    ecart_arrondi: l.ecart_arrondi,
                    contribution_n1: prec.contribution_annee,
                    annee_reference: prec.annee_reference,
                    reference: prec.reference,
                    contribution_n: cn,
                    bonus_n1: prec.total_annee,
                    financement_public_n1: c.financement_public_n1,
                    financement_public_n: c.financement_public_n,
                    variation: c.variation,
                };
                for t in [
                    &mut totaux,
                    par_c.entry(s.collectivite.clone()).or_default(),
                ] {
                    ajouter(&mut t.lissage, ligne.bonus_lissage)?;
                    ajouter(&mut t.nouvelles, ligne.bonus_nouvelles)?;
                    ajouter(&mut t.trajectoire, ligne.bonus_trajectoire)?;
                    ajouter(&mut t.ctre, ligne.bonus_ctre)?;
                    ajouter(&mut t.verse_caf, ligne.bonus_total)?;
                    ajouter(&mut t.verse_caf, ligne.bonus_ctre)?;
                    ajouter(&mut t.contribution_collectivite, ligne.contribution_n)?;
                    ajouter(&mut t.financement_public, ligne.financement_public_n)?;
                }
                lignes.push(ligne);
            }
            for g in &resultat.groupes {
                for t in [
                    &mut totaux,
                    par_c.entry(g.collectivite.clone()).or_default(),
                ] {
                    ajouter(&mut t.charge_n1, g.charge_n1)?;
                    ajouter(&mut t.verse_collectivite, g.verse_collectivite)?;
                    ajouter(&mut t.verse_caf, g.verse_collectivite)?;
                    ajouter(&mut t.non_redistribue, g.non_redistribue)?;
                    ajouter(&mut t.complement, g.complement_plancher)?;
                }
            }
            Ok(())
        })();
        r.map_err(depassement)?;

        // 4. what the next year needs
        for l in &lignes {
            let e = reports.entry(l.id.clone()).or_default();
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
                let n_fin = match situations.get(&l.id) {
                    None => dossier_y
                        .structures
                        .iter()
                        .find(|s| s.id == l.id)
                        .map_or(0, |s| s.unites_nouvelles.0),
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
        // base figée: the rate of every known (collectivité, volet) goes on, revalued each
        // year, even through a year without units (R67)
        let mut vus_annee: BTreeSet<(String, String)> = BTreeSet::new();
        for g in &resultat.groupes {
            if let Some(t) = g.taux_effectif {
                taux_connus.insert((g.collectivite.clone(), g.volet.clone()), t);
                vus_annee.insert((g.collectivite.clone(), g.volet.clone()));
            }
        }
        if annee > n {
            for (k, t) in taux_connus.iter_mut() {
                if vus_annee.contains(k) {
                    continue;
                }
                if let Some(v) = be.volets.get(&k.1) {
                    let pop = conv.collectivite(&k.0).and_then(|c| c.population);
                    *t = calcul::taux_effectif(v, pop, *t).map_err(depassement)?.0;
                }
            }
        }
        annees.push(AnneeProjetee {
            exercice: annee,
            dossier: dossier_y,
            surcharges,
            resultat,
            situations,
            ajustement: mode,
            trajectoire: traj,
            lignes,
            totaux,
            par_collectivite: par_c,
        });
    }

    Ok((
        Projection {
            convention: conv.clone(),
            base,
            origine_base,
            premiere: n,
            derniere,
            nombre_evenements: evenements.len(),
            n1,
            n1_par_collectivite: n1_c,
            annees,
        },
        diags,
    ))
}

/// Builds the dossier of year `annee` > N (R20–R23).
fn deriver(
    dossier: &Dossier,
    chrono: &Chronologie,
    prec: &AnneeProjetee,
    annee: i32,
    base: BasePluriannuelle,
    reports: &BTreeMap<String, Report>,
    taux_connus: &BTreeMap<(String, String), Rationnel>,
) -> R<(Dossier, Surcharges, BTreeMap<String, Situation>)> {
    let mut surcharges = Surcharges::default();
    let mut situations = BTreeMap::new();
    let mut structures = Vec::with_capacity(dossier.structures.len());
    for s in &dossier.structures {
        let (etats, evs) = chrono.mois(&s.id, annee).ok_or(Invariant(
            "structure absente de la chronologie des événements",
        ))?;
        let report = reports.get(&s.id).copied().unwrap_or_default();
        // base glissante: new units already paid count as existing (R23)
        let deja = match base {
            BasePluriannuelle::Figee => 0,
            BasePluriannuelle::Glissante => report.nouvelles_payees,
        };
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
        d.contribution_collectivite_n1 = report.reference.contribution;
        d.bonus_n1 = report.reference.total;
        surcharges.unites_mois.insert(s.id.clone(), um);
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
        // state on 1 January, before the year's events = December of the previous year
        let depart = chrono
            .mois(&s.id, annee - 1)
            .map_or(etats[0], |(x, _)| x[11]);
        situations.insert(
            s.id.clone(),
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
    // envelope: what the Caf paid for each (collectivité, volet) in Y−1 (R22)
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
            ligne: 0,
        });
    }
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

impl calcul::explication::LigneContribution for LigneProjetee {
    fn bonus_lissage(&self) -> Montant {
        self.bonus_lissage
    }
    fn bonus_total(&self) -> Montant {
        self.bonus_total
    }
    fn contribution_n(&self) -> Montant {
        self.contribution_n
    }
    fn contribution_n1(&self) -> Montant {
        self.contribution_n1
    }
    fn bonus_n1(&self) -> Montant {
        self.bonus_n1
    }
    fn financement(&self) -> contributions::Contribution {
        contributions::Contribution {
            contribution_n: self.contribution_n,
            financement_public_n1: self.financement_public_n1,
            financement_public_n: self.financement_public_n,
            variation: self.variation,
        }
    }
}

/// The explanation of structure `id` in year `annee` of the projection: the core's
/// explanation of that year's derived dossier, with the contribution of the projection's
/// chain (R25, R68) in place of the one-year formula (`None`: no such year or structure).
pub fn expliquer(
    pr: &Projection,
    id: &str,
    annee: i32,
) -> R<Option<calcul::explication::Explication>> {
    let Some(a) = pr.annee(annee) else {
        return Ok(None);
    };
    let Some(l) = a.ligne(id) else {
        return Ok(None);
    };
    let Some(mut e) = calcul::explication::expliquer(&a.dossier, &a.resultat, id)? else {
        return Ok(None);
    };
    e.contribution = calcul::explication::noeud_contribution(
        &a.ajustement,
        l.reference,
        l.annee_reference,
        l.mois,
        l,
    )?;
    Ok(Some(e))
}
