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

mod annee;
mod derivation;
pub mod evenements;
pub mod trajectoire;

use crate::bareme::{Ajustement, BasePluriannuelle, Lu};
use crate::calcul::eligibilite::Motif;
use crate::calcul::rationnel::{ErreurCalcul, Invariant, Rationnel, R};
use crate::calcul::{self, contributions, Resultat, Surcharges, UnitesMois};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics, Position};
use crate::lecture::tableau::Localisation;
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
    // texts as the structure holds them (`Texte`: a short id, a collectivité, a volet
    // need no allocation of their own, one line per structure and per year)
    pub id: Texte,
    pub nom: Texte,
    pub type_structure: TypeStructure,
    pub volet: Option<Texte>,
    pub gestionnaire: Texte,
    pub collectivite: Texte,
    pub motif: Motif,
    /// Months counted in the year.
    pub mois: u8,
    /// `u_i` counted in `U` (R21) when eligible.
    pub unites_eligibles: Unites,
    pub unites_nouvelles: Unites,
    pub unites_mois: UnitesMois,
    pub taux_unitaire: Option<Taux>,
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
    /// The convention and charges of the dossier given to the core (year N: the dossier's;
    /// later years: the derived dossier's). Its `structures` are empty: each structure of
    /// the year is kept once, in its line of `resultat` (`resultat.structure(id)`).
    pub dossier: Dossier,
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
    /// The line of structure `id`: a binary search, the lines being sorted by id (byte
    /// order, as every result's structures); a search from the first line made the reports
    /// of a year quadratic (15 s for 30 000 structures).
    pub fn ligne(&self, id: &str) -> Option<&LigneProjetee> {
        self.lignes
            .binary_search_by(|l| l.id.as_bytes().cmp(id.as_bytes()))
            .ok()
            .map(|i| &self.lignes[i])
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
    /// Where the events were read, for the reports: the CSV file, or the workbook and its
    /// sheet (`dossier.xlsx, feuille « evenements »`).
    pub source_evenements: String,
    /// The same, without the path given, for the reports (`evenements.csv`, `feuille
    /// « evenements »`): the same report wherever the dossier lies.
    pub libelle_evenements: String,
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

fn erreur_projection(message: String, conseil: &str) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(Diagnostic::erreur(Code::E037, "projection", message).conseil(conseil));
    d
}

fn depassement(e: ErreurCalcul) -> Diagnostics {
    let mut d = Diagnostics::default();
    d.push(e.diagnostic("dossier"));
    d
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct CleDiagnostic {
    code: Code,
    fichier: String,
    position: Option<Position>,
    colonne: Option<String>,
    valeur: Option<String>,
}

/// The projection, pure: a read dossier, its events and where they were read (a CSV file's
/// lines, a workbook sheet's cells: [`Localisation::csv`] for a file), options. `Err` holds
/// the located diagnostics; `Ok` the projection and the warnings.
pub fn projeter(
    lu: &DossierLu,
    evenements: &[Evenement],
    options: &OptionsProjection,
    fichier_bareme: &str,
    source_evenements: &Localisation,
) -> Result<(Projection, Diagnostics), Diagnostics> {
    let dossier = &lu.dossier;
    let conv = &dossier.convention;
    let n = options.exercice.unwrap_or(conv.exercice);

    let derniere = derniere_annee(conv, options, n)?;

    // year N: the plain calculation
    let (resultat_n, mut diags) = crate::traiter(lu, Some(n), fichier_bareme)?;
    // moved into year N below (later years read it there): one copy of it, not two
    let mut resultat_n = Some(resultat_n);
    let (base, origine_base) = base_et_origine(lu, options, n);
    let chrono = Chronologie::construire(
        dossier,
        evenements,
        n,
        derniere,
        source_evenements,
        &mut diags,
    );
    if diags.a_des_erreurs() {
        return Err(diags);
    }

    // N−1 (from the dossier)
    let (n1, n1_c) = annee::totaux_n1(dossier, n).map_err(depassement)?;

    let mut chaine = annee::Chaine::depuis(dossier);
    let mut annees: Vec<AnneeProjetee> = Vec::new();
    // a diagnostic repeated by a later year (same place) is shown once
    let mut vus: BTreeSet<CleDiagnostic> = diags.0.iter().map(CleDiagnostic::de).collect();

    for annee in n..=derniere {
        // 1. the year's dossier, surcharges and barème
        let calculee = if annee == n {
            let r = resultat_n
                .take()
                .ok_or_else(|| depassement(Invariant("résultat de l'exercice déjà employé")))?;
            annee_du_dossier(lu, r, n, fichier_bareme)?
        } else {
            // the previous year, and year N (the first one computed)
            let (Some(prec), Some(premiere)) = (annees.last(), annees.first()) else {
                return Err(depassement(Invariant(
                    "année précédente de la projection absente",
                )));
            };
            let ctx = Derivee {
                lu,
                chrono: &chrono,
                base,
                fichier_bareme,
                resultat_n: &premiere.resultat,
            };
            ctx.calculer(prec, annee, &chaine, &mut diags, &mut vus)?
        };
        annees.push(chainer(&mut chaine, conv, annee, annee > n, calculee)?);
    }

    Ok((
        Projection {
            convention: conv.clone(),
            base,
            origine_base,
            premiere: n,
            derniere,
            nombre_evenements: evenements.len(),
            source_evenements: source_evenements.nom(),
            libelle_evenements: evenements::libelle_de_la_source(source_evenements),
            n1,
            n1_par_collectivite: n1_c,
            annees,
        },
        diags,
    ))
}

/// Year N: the dossier itself, without surcharges, and the plain calculation.
fn annee_du_dossier(
    lu: &DossierLu,
    resultat_n: Resultat,
    n: i32,
    fichier_bareme: &str,
) -> Result<AnneeCalculee, Diagnostics> {
    let be = lu.bareme.pour_exercice(n, fichier_bareme)?;
    // the structures are those of the result's lines ([`AnneeProjetee::dossier`])
    let d = &lu.dossier;
    Ok((
        Dossier {
            convention: d.convention.clone(),
            structures: Vec::new(),
            charges: d.charges.clone(),
        },
        Surcharges::default(),
        BTreeMap::new(),
        resultat_n,
        be,
    ))
}

/// Steps 2 to 4 of a year: its trajectoire, its lines along the contributions chain, and
/// what the next year needs. `derivee`: a year after N.
fn chainer(
    chaine: &mut annee::Chaine,
    conv: &Convention,
    annee: i32,
    derivee: bool,
    // the surcharges served the core's calculation only: not kept (at 100 000 structures,
    // two maps of 100 000 ids a year)
    (dossier_y, _surcharges, situations, resultat, be): AnneeCalculee,
) -> Result<AnneeProjetee, Diagnostics> {
    // 2. trajectoire: computed by the core (R63), year N's P_ref and December places
    let traj = resultat.trajectoire.clone();
    // 3. lines and the contributions chain, month by month (R25, R68)
    let mode = be.ajustement_contribution.clone();
    let (lignes, totaux, par_c) = chaine
        .lignes(conv, &resultat, mode.valeur, annee)
        .map_err(depassement)?;
    // 4. what the next year needs (R23, R67, R68)
    chaine.reporter(annee, &lignes, &situations, &resultat);
    chaine
        .taux_suivants(&resultat, &be, conv, derivee)
        .map_err(depassement)?;
    Ok(AnneeProjetee {
        exercice: annee,
        dossier: dossier_y,
        resultat,
        situations,
        ajustement: mode,
        trajectoire: traj,
        lignes,
        totaux,
        par_collectivite: par_c,
    })
}

/// The last projected year: `--jusqu-a`, else the end of the convention (R20).
fn derniere_annee(
    conv: &Convention,
    options: &OptionsProjection,
    n: i32,
) -> Result<i32, Diagnostics> {
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
    Ok(derniere)
}

/// The base (`--base`, else the barème's `base_pluriannuelle`) and where it comes from.
fn base_et_origine(
    lu: &DossierLu,
    options: &OptionsProjection,
    n: i32,
) -> (BasePluriannuelle, String) {
    match options.base {
        Some(b) => (b, "option --base".to_string()),
        None => {
            let l = lu.bareme.base_pour(n);
            let o = match &l.source {
                Some(s) => format!(
                    "barème : base_pluriannuelle en vigueur depuis le {}, statut : {}, {}",
                    s.debut.en_toutes_lettres(),
                    s.statut.libelle(),
                    s.origine
                ),
                None => "valeur par défaut".into(),
            };
            (l.valeur, o)
        }
    }
}

/// Trajectoire reference (R24): `P_ref` per collectivité from year N's eligible units of
/// the trajectoire volet.
fn places_reference(
    conv: &Convention,
    resultat_n: &Resultat,
    volet: &str,
) -> BTreeMap<String, i64> {
    let mut r: BTreeMap<String, i64> = BTreeMap::new();
    for c in &conv.collectivites {
        r.insert(c.id.clone(), 0);
    }
    for l in &resultat_n.structures {
        if l.eligibilite.volet_eligible() == Some(volet) {
            let c = l.structure.collectivite.as_str();
            match r.get_mut(c) {
                Some(p) => *p += l.unites_eligibles.0,
                None => *r.entry(c.to_owned()).or_default() += l.unites_eligibles.0,
            }
        }
    }
    r
}

impl CleDiagnostic {
    fn de(d: &Diagnostic) -> Self {
        CleDiagnostic {
            code: d.code,
            fichier: d.fichier.clone(),
            position: d.position.clone(),
            colonne: d.colonne.clone(),
            valeur: d.valeur.clone(),
        }
    }
}

/// What a year Y > N is computed from.
struct Derivee<'a> {
    lu: &'a DossierLu,
    chrono: &'a Chronologie,
    base: BasePluriannuelle,
    fichier_bareme: &'a str,
    resultat_n: &'a Resultat,
}

/// A year's derived dossier, surcharges, situations, result and barème.
type AnneeCalculee = (
    Dossier,
    Surcharges,
    BTreeMap<String, Situation>,
    Resultat,
    crate::bareme::BaremeExercice,
);

impl Derivee<'_> {
    /// Year `annee` > N: derived dossier (R20–R23), validated against the year's barème
    /// (its diagnostics once, prefixed by the year), then the core's calculation.
    fn calculer(
        &self,
        prec: &AnneeProjetee,
        annee: i32,
        chaine: &annee::Chaine,
        diags: &mut Diagnostics,
        vus: &mut BTreeSet<CleDiagnostic>,
    ) -> Result<AnneeCalculee, Diagnostics> {
        let (lu, fichier_bareme) = (self.lu, self.fichier_bareme);
        let (d_y, s_y, sit) = derivation::deriver(
            &lu.dossier,
            self.chrono,
            prec,
            annee,
            self.base,
            &chaine.reports,
            &chaine.taux_connus,
        )
        .map_err(depassement)?;
        let (be, dv) = crate::validation::valider(&d_y, &lu.bareme, annee, fichier_bareme);
        for mut d in dv.0 {
            if vus.insert(CleDiagnostic::de(&d)) {
                d.message = format!("exercice {annee} : {}", d.message);
                diags.push(d);
            }
        }
        let be = match be {
            Some(b) if !diags.a_des_erreurs() => b,
            _ => return Err(std::mem::take(diags)),
        };
        // trajectoire (R24): P_ref of year N, places counted in December of the year
        let mut s_y = s_y;
        if let Some(t) = &be.trajectoire {
            s_y.places_reference = Some(places_reference(
                &lu.dossier.convention,
                self.resultat_n,
                &t.volet.valeur,
            ));
            for (id, st) in &sit {
                let decembre = st
                    .segments
                    .last()
                    .filter(|g| g.etat.compte())
                    .map_or(0, |g| g.etat.u() + g.etat.nouvelles.0);
                s_y.places_annee.insert(id.clone(), decembre);
            }
        }
        // the derived structures go into the result's lines (kept once, not twice)
        let mut d_y = d_y;
        let structures = std::mem::take(&mut d_y.structures);
        let r =
            calcul::calculer_structures_avec(&d_y.convention, &d_y.charges, structures, &be, &s_y)
                .map_err(depassement)?;
        Ok((d_y, s_y, sit, r, be))
    }
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
