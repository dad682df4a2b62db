//! The barème: dated parameters, OpenFisca style (docs/bareme.md).
//!
//! Every value carries its start date, its legal reference and a status (`confirme` /
//! `hypothese`). Superseded values are kept. The built-in barème (`bareme_defaut.toml`) is
//! embedded in the binary; a dossier's `bareme.toml` overrides value by value what it names.

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::modele::{Date, Financement, Montant, TypeStructure};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// The built-in barème, embedded at compile time.
pub const BAREME_INTEGRE: &str = include_str!("bareme_defaut.toml");
const NOM_INTEGRE: &str = "barème intégré (src/bareme_defaut.toml)";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statut {
    Confirme,
    Hypothese,
}

impl Statut {
    /// For a person: `confirmé`, `hypothèse` (the Display form is the file's keyword).
    pub fn libelle(&self) -> &'static str {
        match self {
            Statut::Confirme => "confirmé",
            Statut::Hypothese => "hypothèse",
        }
    }
}

impl fmt::Display for Statut {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Statut::Confirme => "confirme",
            Statut::Hypothese => "hypothese",
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ajustement {
    Neutre,
    Aucun,
    Integral,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrondi {
    DemiHaut,
    Troncature,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versement {
    /// Spread over the structures (lissage + new units).
    Structures,
    /// Reported on its own line, payable to the collectivité (e.g. `PILOTAGE`).
    Collectivite,
    /// Employer-reserved places (CTRE, docs/regles.md R64): smoothed over the employer places
    /// of the structures of the volet's `types` and `financement`, outside the bonus
    /// territoire.
    Employeurs,
}

/// What the development cap of a volet applies to (docs/regles.md R7, R62).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlafondBase {
    /// v1: the exact money total of the new-unit shares ≤ `plafond × A`.
    Enveloppe,
    /// From 2025: the new units counted ≤ `plafond × U` (25 % of the existing hours).
    Unites,
}

/// A value chosen by the collectivité's population stratum (rows) and the existing amount
/// per unit `m` (columns) (docs/regles.md R60). A plain value is a 1 × 1 grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grille<T> {
    /// Population thresholds, strictly increasing (inhabitants).
    pub seuils_population: Vec<u64>,
    /// Thresholds on the existing amount per unit `m`, strictly increasing.
    pub seuils_montant: Vec<Montant>,
    /// `seuils_population.len() + 1` rows of `seuils_montant.len() + 1` values.
    pub valeurs: Vec<Vec<T>>,
}

impl<T: Clone> Grille<T> {
    pub fn unique(v: T) -> Self {
        Grille {
            seuils_population: Vec::new(),
            seuils_montant: Vec::new(),
            valeurs: vec![vec![v]],
        }
    }
    pub fn est_unique(&self) -> bool {
        self.seuils_population.is_empty() && self.seuils_montant.is_empty()
    }
    /// Does choosing a cell need the collectivité's population?
    pub fn exige_population(&self) -> bool {
        !self.seuils_population.is_empty()
    }
    /// The cell (row, column, value) for a population and an existing amount per unit `m`
    /// (cents per unit): row = number of population thresholds ≤ population, column = number
    /// of amount thresholds ≤ m. `None` when the population is needed and unknown.
    pub fn cellule(
        &self,
        population: Option<u64>,
        m: crate::calcul::rationnel::Rationnel,
    ) -> Option<(usize, usize, T)> {
        let ligne = if self.seuils_population.is_empty() {
            0
        } else {
            let p = population?;
            self.seuils_population.iter().filter(|s| **s <= p).count()
        };
        let colonne = self
            .seuils_montant
            .iter()
            .filter(|s| crate::calcul::rationnel::Rationnel::entier(s.0 as i128) <= m)
            .count();
        let v = self.valeurs.get(ligne)?.get(colonne)?.clone();
        Some((ligne, colonne, v))
    }
    /// The single value of a 1 × 1 grid.
    pub fn valeur_unique(&self) -> Option<&T> {
        if self.est_unique() {
            self.valeurs.first().and_then(|l| l.first())
        } else {
            None
        }
    }
}

/// How the multi-year projection derives each year's rate (docs/regles.md R22).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BasePluriannuelle {
    /// The first exercice's `m_eff` is kept, revalued each year.
    Figee,
    /// Each year's envelope is what was paid the year before, re-smoothed.
    Glissante,
}

impl BasePluriannuelle {
    pub fn code(&self) -> &'static str {
        match self {
            BasePluriannuelle::Figee => "figee",
            BasePluriannuelle::Glissante => "glissante",
        }
    }
}

/// The bonus trajectoire de développement (section `[trajectoire]`, docs/bareme.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrajectoireBareme {
    pub volet: Parametre<String>,
    pub annee_reference: Parametre<i32>,
    /// Growth thresholds (fractions, increasing).
    pub seuils: Parametre<Vec<Decimal>>,
    /// Amount per eligible place and year for each threshold.
    pub montants: Parametre<Vec<Montant>>,
}

impl TrajectoireBareme {
    fn vide() -> Self {
        TrajectoireBareme {
            volet: Parametre::vide("trajectoire.volet"),
            annee_reference: Parametre::vide("trajectoire.annee_reference"),
            seuils: Parametre::vide("trajectoire.seuils"),
            montants: Parametre::vide("trajectoire.montants"),
        }
    }
    fn fusionner(&mut self, o: TrajectoireBareme) {
        self.volet.fusionner(o.volet);
        self.annee_reference.fusionner(o.annee_reference);
        self.seuils.fusionner(o.seuils);
        self.montants.fusionner(o.montants);
    }
}

/// The trajectoire parameters in force for one exercice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrajectoireExercice {
    pub volet: Lu<String>,
    pub annee_reference: Lu<i32>,
    pub seuils: Lu<Vec<Decimal>>,
    pub montants: Lu<Vec<Montant>>,
}

/// Where a value comes from: file name (built-in or the dossier's barème).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValeurDatee<T> {
    pub debut: Date,
    pub valeur: T,
    pub reference: String,
    pub statut: Statut,
    pub origine: String,
    /// Replaced by a later-read value with the same `debut` (kept for the record).
    pub remplacee: bool,
}

/// One parameter's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parametre<T> {
    pub nom: String,
    pub valeurs: Vec<ValeurDatee<T>>,
    /// Written in the short form (a bare value): replaces the whole history when merged.
    pub forme_abregee: bool,
}

impl<T: Clone> Parametre<T> {
    fn vide(nom: &str) -> Self {
        Parametre {
            nom: nom.to_string(),
            valeurs: Vec::new(),
            forme_abregee: false,
        }
    }

    /// Value in force on 1 January of `annee` (docs/regles.md R1).
    pub fn en_vigueur(&self, annee: i32) -> Option<Lu<T>> {
        let date = Date::premier_janvier(annee);
        self.valeurs
            .iter()
            .filter(|v| !v.remplacee && v.debut <= date)
            .max_by_key(|v| v.debut)
            .map(|v| Lu {
                valeur: v.valeur.clone(),
                source: Some(Source {
                    parametre: self.nom.clone(),
                    debut: v.debut,
                    reference: v.reference.clone(),
                    statut: v.statut,
                    origine: v.origine.clone(),
                }),
            })
    }

    /// Adds the values of `autre`; a value with the same `debut` replaces (and keeps) ours.
    fn fusionner(&mut self, autre: Parametre<T>) {
        if autre.forme_abregee {
            for ancienne in &mut self.valeurs {
                ancienne.remplacee = true;
            }
        }
        for v in autre.valeurs {
            for ancienne in self.valeurs.iter_mut().filter(|a| a.debut == v.debut) {
                ancienne.remplacee = true;
            }
            self.valeurs.push(v);
        }
        self.valeurs.sort_by_key(|v| v.debut);
    }
}

/// Where a value read for an exercice comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    pub parametre: String,
    pub debut: Date,
    pub reference: String,
    pub statut: Statut,
    pub origine: String,
}

/// A value read for one exercice, with its source (`None`: absent from the barème, the
/// neutral default documented in docs/bareme.md applies).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lu<T> {
    pub valeur: T,
    pub source: Option<Source>,
}

impl<T> Lu<T> {
    fn defaut(valeur: T) -> Self {
        Lu {
            valeur,
            source: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoletBareme {
    pub nom: String,
    pub types: Parametre<Vec<TypeStructure>>,
    pub financement: Parametre<Vec<Financement>>,
    pub unite: Parametre<String>,
    pub versement: Parametre<Versement>,
    pub forfaits_nouvelles: Parametre<Vec<Montant>>,
    pub plancher: Parametre<Grille<Montant>>,
    pub revalorisation: Parametre<Grille<Decimal>>,
    pub plafond_developpement: Parametre<Decimal>,
    pub plafond_base: Parametre<PlafondBase>,
}

impl VoletBareme {
    fn vide(nom: &str) -> Self {
        let p = |k: &str| format!("volets.{nom}.{k}");
        VoletBareme {
            nom: nom.to_string(),
            types: Parametre::vide(&p("types")),
            financement: Parametre::vide(&p("financement")),
            unite: Parametre::vide(&p("unite")),
            versement: Parametre::vide(&p("versement")),
            forfaits_nouvelles: Parametre::vide(&p("forfaits_nouvelles")),
            plancher: Parametre::vide(&p("plancher")),
            revalorisation: Parametre::vide(&p("revalorisation")),
            plafond_developpement: Parametre::vide(&p("plafond_developpement")),
            plafond_base: Parametre::vide(&p("plafond_base")),
        }
    }
    fn fusionner(&mut self, o: VoletBareme) {
        self.types.fusionner(o.types);
        self.financement.fusionner(o.financement);
        self.unite.fusionner(o.unite);
        self.versement.fusionner(o.versement);
        self.forfaits_nouvelles.fusionner(o.forfaits_nouvelles);
        self.plancher.fusionner(o.plancher);
        self.revalorisation.fusionner(o.revalorisation);
        self.plafond_developpement
            .fusionner(o.plafond_developpement);
        self.plafond_base.fusionner(o.plafond_base);
    }
}

/// The whole barème: every parameter with its history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bareme {
    pub nombre_tranches: Parametre<u32>,
    pub ajustement_contribution: Parametre<Ajustement>,
    pub arrondi: Parametre<Arrondi>,
    pub volets: BTreeMap<String, VoletBareme>,
    /// Multi-year projection base (default `figee`).
    pub base_pluriannuelle: Parametre<BasePluriannuelle>,
    pub trajectoire: TrajectoireBareme,
}

/// Parameters of one volet in force for one exercice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoletExercice {
    pub nom: String,
    pub types: Lu<Vec<TypeStructure>>,
    /// `None`: every financing is accepted.
    pub financement: Lu<Option<Vec<Financement>>>,
    pub unite: Lu<String>,
    pub versement: Lu<Versement>,
    pub forfaits_nouvelles: Lu<Vec<Montant>>,
    pub plancher: Lu<Grille<Montant>>,
    pub revalorisation: Lu<Grille<Decimal>>,
    /// `None`: no cap.
    pub plafond_developpement: Lu<Option<Decimal>>,
    /// What the cap applies to (default `enveloppe`).
    pub plafond_base: Lu<PlafondBase>,
}

impl VoletExercice {
    /// Forfait per new unit for a tranche (R7: an empty list is 0 €).
    pub fn forfait(&self, tranche: u32) -> Montant {
        let i = tranche.saturating_sub(1) as usize;
        self.forfaits_nouvelles
            .valeur
            .get(i)
            .copied()
            .unwrap_or_default()
    }
}

/// The barème in force for one exercice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaremeExercice {
    pub exercice: i32,
    pub nombre_tranches: Lu<u32>,
    pub ajustement_contribution: Lu<Ajustement>,
    pub arrondi: Lu<Arrondi>,
    pub volets: BTreeMap<String, VoletExercice>,
    /// The bonus trajectoire in force (`None`: none this year), docs/regles.md R63.
    pub trajectoire: Option<TrajectoireExercice>,
}

impl BaremeExercice {
    /// The volet covering a structure type (R3), if any (a CTRE volet, `versement =
    /// "employeurs"`, names the types whose employer places it counts: it is not the
    /// structure's volet).
    pub fn volet_du_type(&self, t: TypeStructure) -> Option<&VoletExercice> {
        self.volets
            .values()
            .find(|v| v.versement.valeur != Versement::Employeurs && v.types.valeur.contains(&t))
    }

    /// The CTRE volets (`versement = "employeurs"`).
    pub fn volets_employeurs(&self) -> impl Iterator<Item = &VoletExercice> {
        self.volets
            .values()
            .filter(|v| v.versement.valeur == Versement::Employeurs)
    }
}

impl Bareme {
    /// The built-in barème.
    pub fn integre() -> Result<Bareme, Diagnostics> {
        // parsed once per process (a batch reads it for every dossier), then cloned
        static INTEGRE: std::sync::OnceLock<Result<Bareme, Diagnostics>> =
            std::sync::OnceLock::new();
        INTEGRE
            .get_or_init(|| analyser(BAREME_INTEGRE, NOM_INTEGRE))
            .clone()
    }

    /// Built-in barème overridden by the text of a dossier's `bareme.toml`.
    pub fn avec_surcharge(texte: &str, fichier: &str) -> Result<Bareme, Diagnostics> {
        let mut b = Bareme::integre()?;
        b.fusionner(analyser(texte, fichier)?);
        Ok(b)
    }

    fn fusionner(&mut self, o: Bareme) {
        self.nombre_tranches.fusionner(o.nombre_tranches);
        self.ajustement_contribution
            .fusionner(o.ajustement_contribution);
        self.arrondi.fusionner(o.arrondi);
        self.base_pluriannuelle.fusionner(o.base_pluriannuelle);
        self.trajectoire.fusionner(o.trajectoire);
        for (nom, v) in o.volets {
            match self.volets.get_mut(&nom) {
                Some(existant) => existant.fusionner(v),
                None => {
                    self.volets.insert(nom, v);
                }
            }
        }
    }

    /// The projection base in force for `annee` (default `figee`, docs/regles.md R22).
    pub fn base_pour(&self, annee: i32) -> Lu<BasePluriannuelle> {
        self.base_pluriannuelle
            .en_vigueur(annee)
            .unwrap_or_else(|| Lu::defaut(BasePluriannuelle::Figee))
    }

    /// The trajectoire parameters in force for `annee`; `Ok(None)` when the bonus does not
    /// exist that year (no thresholds in force, or an empty list).
    pub fn trajectoire_pour(
        &self,
        annee: i32,
        fichier: &str,
    ) -> Result<Option<TrajectoireExercice>, Diagnostics> {
        let t = &self.trajectoire;
        let Some(seuils) = t.seuils.en_vigueur(annee) else {
            return Ok(None);
        };
        if seuils.valeur.is_empty() {
            return Ok(None);
        }
        let mut diags = Diagnostics::default();
        let err = |diags: &mut Diagnostics, col: &str, m: String| {
            diags.push(
                Diagnostic::erreur("E022", fichier, m)
                    .colonne(col)
                    .conseil("voir docs/bareme.md, section [trajectoire]"),
            )
        };
        let montants = t.montants.en_vigueur(annee);
        let volet = t.volet.en_vigueur(annee);
        let annee_reference = t.annee_reference.en_vigueur(annee);
        match &montants {
            None => err(
                &mut diags,
                "trajectoire.montants",
                format!(
                    "aucune valeur en vigueur au 1er janvier {annee} alors que des seuils le sont"
                ),
            ),
            Some(m) if m.valeur.len() != seuils.valeur.len() => err(
                &mut diags,
                "trajectoire.montants",
                format!(
                    "{} montants pour {} seuils en {annee}",
                    m.valeur.len(),
                    seuils.valeur.len()
                ),
            ),
            _ => {}
        }
        if seuils.valeur.windows(2).any(|w| w[0] >= w[1]) {
            err(
                &mut diags,
                "trajectoire.seuils",
                format!("les seuils doivent être strictement croissants en {annee}"),
            );
        }
        if volet.is_none() {
            err(
                &mut diags,
                "trajectoire.volet",
                format!("aucune valeur en vigueur au 1er janvier {annee}"),
            );
        }
        if annee_reference.is_none() {
            err(
                &mut diags,
                "trajectoire.annee_reference",
                format!("aucune valeur en vigueur au 1er janvier {annee}"),
            );
        }
        match (montants, volet, annee_reference) {
            (Some(montants), Some(volet), Some(annee_reference)) if !diags.a_des_erreurs() => {
                Ok(Some(TrajectoireExercice {
                    volet,
                    annee_reference,
                    seuils,
                    montants,
                }))
            }
            _ => Err(diags),
        }
    }

    /// Resolves every parameter for exercice `annee` and checks the result's consistency.
    pub fn pour_exercice(&self, annee: i32, fichier: &str) -> Result<BaremeExercice, Diagnostics> {
        let mut diags = Diagnostics::default();
        let mut requis = |nom: &str| {
            diags.push(
                Diagnostic::erreur(
                    "E022",
                    fichier,
                    format!("aucune valeur en vigueur au 1er janvier {annee}"),
                )
                .colonne(nom)
                .conseil("ajoutez une valeur datée d'avant l'exercice"),
            )
        };
        let nombre_tranches = self.nombre_tranches.en_vigueur(annee);
        let ajustement = self.ajustement_contribution.en_vigueur(annee);
        let arrondi = self.arrondi.en_vigueur(annee);
        if nombre_tranches.is_none() {
            requis("nombre_tranches");
        }
        if ajustement.is_none() {
            requis("ajustement_contribution");
        }
        if arrondi.is_none() {
            requis("arrondi");
        }
        let mut volets = BTreeMap::new();
        for (nom, v) in &self.volets {
            volets.insert(
                nom.clone(),
                VoletExercice {
                    nom: nom.clone(),
                    types: v
                        .types
                        .en_vigueur(annee)
                        .unwrap_or_else(|| Lu::defaut(Vec::new())),
                    financement: match v.financement.en_vigueur(annee) {
                        Some(l) => Lu {
                            valeur: Some(l.valeur),
                            source: l.source,
                        },
                        None => Lu::defaut(None),
                    },
                    unite: v
                        .unite
                        .en_vigueur(annee)
                        .unwrap_or_else(|| Lu::defaut("unité".into())),
                    versement: v
                        .versement
                        .en_vigueur(annee)
                        .unwrap_or_else(|| Lu::defaut(Versement::Structures)),
                    forfaits_nouvelles: v
                        .forfaits_nouvelles
                        .en_vigueur(annee)
                        .unwrap_or_else(|| Lu::defaut(Vec::new())),
                    plancher: v
                        .plancher
                        .en_vigueur(annee)
                        .unwrap_or_else(|| Lu::defaut(Grille::unique(Montant(0)))),
                    revalorisation: v
                        .revalorisation
                        .en_vigueur(annee)
                        .unwrap_or_else(|| Lu::defaut(Grille::unique(Decimal::ZERO))),
                    plafond_base: v
                        .plafond_base
                        .en_vigueur(annee)
                        .unwrap_or_else(|| Lu::defaut(PlafondBase::Enveloppe)),
                    plafond_developpement: match v.plafond_developpement.en_vigueur(annee) {
                        Some(l) => Lu {
                            valeur: Some(l.valeur),
                            source: l.source,
                        },
                        None => Lu::defaut(None),
                    },
                },
            );
        }
        let (Some(nombre_tranches), Some(ajustement_contribution), Some(arrondi)) =
            (nombre_tranches, ajustement, arrondi)
        else {
            return Err(diags);
        };
        let trajectoire = match self.trajectoire_pour(annee, fichier) {
            Ok(t) => t,
            Err(e) => {
                diags.extend(e);
                None
            }
        };
        let be = BaremeExercice {
            exercice: annee,
            nombre_tranches,
            ajustement_contribution,
            arrondi,
            volets,
            trajectoire,
        };
        // consistency: a type in one volet at most; forfaits sized to the tranches
        let mut vu: BTreeMap<TypeStructure, &str> = BTreeMap::new();
        for v in be.volets.values() {
            let employeurs = v.versement.valeur == Versement::Employeurs;
            for t in v.types.valeur.iter().filter(|_| !employeurs) {
                if let Some(autre) = vu.insert(*t, &v.nom) {
                    diags.push(
                        Diagnostic::erreur(
                            "E022",
                            fichier,
                            format!(
                                "le type {t} est couvert par deux volets ({autre} et {})",
                                v.nom
                            ),
                        )
                        .colonne(format!("volets.{}.types", v.nom))
                        .valeur(t.code())
                        .conseil("un type de structure ne peut relever que d'un volet"),
                    );
                }
            }
            let n = v.forfaits_nouvelles.valeur.len();
            if n != 0 && n as u32 != be.nombre_tranches.valeur {
                diags.push(
                    Diagnostic::erreur(
                        "E022",
                        fichier,
                        format!(
                            "{n} forfaits pour {} tranches de richesse en {annee}",
                            be.nombre_tranches.valeur
                        ),
                    )
                    .colonne(format!("volets.{}.forfaits_nouvelles", v.nom))
                    .conseil("donnez un forfait par tranche (ou une liste vide pour 0 €)"),
                );
            }
        }
        if diags.a_des_erreurs() {
            Err(diags)
        } else {
            Ok(be)
        }
    }
}

// ------------------------------------------------------------------------------ TOML reading

struct Lecteur<'a> {
    fichier: &'a str,
    diags: Diagnostics,
}

impl Lecteur<'_> {
    fn err(&mut self, parametre: &str, valeur: Option<String>, message: impl Into<String>) {
        let mut d = Diagnostic::erreur("E022", self.fichier, message).colonne(parametre);
        if let Some(v) = valeur {
            d = d.valeur(v);
        }
        self.diags
            .push(d.conseil("voir docs/bareme.md pour le schéma du barème"));
    }

    /// An unknown key: the same error as every TOML file (lecture::cle_inconnue), naming
    /// the nearest known key.
    fn inconnue(&mut self, chemin: &str, cle: &str, connues: &[&str]) {
        self.diags.push(crate::lecture::cle_inconnue(
            "E022",
            self.fichier,
            chemin,
            cle,
            connues,
        ));
    }

    /// Reads a parameter: a list of dated tables, or the short form (a single bare value).
    fn parametre<T>(
        &mut self,
        nom: &str,
        v: &toml::Value,
        conv: &dyn Fn(&toml::Value) -> Result<T, String>,
    ) -> Parametre<T> {
        let mut p = Parametre {
            nom: nom.to_string(),
            valeurs: Vec::new(),
            forme_abregee: false,
        };
        let datees = match v {
            toml::Value::Array(a) if !a.is_empty() && a.iter().all(|x| x.is_table()) => a,
            _ => {
                p.forme_abregee = true;
                match conv(v) {
                    Ok(valeur) => p.valeurs.push(ValeurDatee {
                        debut: Date::new(1900, 1, 1),
                        valeur,
                        reference: format!("{} (forme abrégée)", self.fichier),
                        statut: Statut::Hypothese,
                        origine: self.fichier.to_string(),
                        remplacee: false,
                    }),
                    Err(m) => self.err(nom, Some(v.to_string()), m),
                }
                return p;
            }
        };
        for (k, t) in datees.iter().enumerate() {
            let ici = format!("{nom}[{}]", k + 1);
            let Some(t) = t.as_table() else { continue };
            const CLES: &[&str] = &["debut", "valeur", "reference", "statut", "remplacee"];
            for cle in t.keys() {
                if !CLES.contains(&cle.as_str()) {
                    self.inconnue(&format!("{ici}.{cle}"), cle, CLES);
                }
            }
            let debut = match t.get("debut") {
                Some(toml::Value::Datetime(d)) => {
                    d.date.map(|d| Date::new(d.year as i32, d.month, d.day))
                }
                _ => None,
            };
            let Some(debut) = debut else {
                self.err(
                    &ici,
                    t.get("debut").map(|v| v.to_string()),
                    "`debut` doit être une date (ex. 2025-01-01)",
                );
                continue;
            };
            let reference = match t.get("reference") {
                Some(toml::Value::String(s)) if !s.trim().is_empty() => s.clone(),
                other => {
                    self.err(
                        &ici,
                        other.map(|v| v.to_string()),
                        "`reference` (texte non vide) est obligatoire",
                    );
                    continue;
                }
            };
            let statut = match t.get("statut").and_then(|s| s.as_str()) {
                Some("confirme") | Some("confirmé") => Statut::Confirme,
                Some("hypothese") | Some("hypothèse") => Statut::Hypothese,
                _ => {
                    self.err(
                        &ici,
                        t.get("statut").map(|v| v.to_string()),
                        "`statut` doit valoir \"confirme\" ou \"hypothese\"",
                    );
                    continue;
                }
            };
            // a superseded value kept for the record (docs/bareme.md)
            let remplacee = match t.get("remplacee") {
                None => false,
                Some(toml::Value::Boolean(b)) => *b,
                Some(autre) => {
                    self.err(&ici, Some(autre.to_string()), "`remplacee` : true ou false");
                    continue;
                }
            };
            let Some(brut) = t.get("valeur") else {
                self.err(&ici, None, "`valeur` manquante");
                continue;
            };
            match conv(brut) {
                Ok(valeur) => p.valeurs.push(ValeurDatee {
                    debut,
                    valeur,
                    reference,
                    statut,
                    origine: self.fichier.to_string(),
                    remplacee,
                }),
                Err(m) => self.err(&ici, Some(brut.to_string()), m),
            }
        }
        // two values with the same date in one file: ambiguous
        let mut dates: Vec<Date> = p
            .valeurs
            .iter()
            .filter(|v| !v.remplacee)
            .map(|v| v.debut)
            .collect();
        dates.sort();
        if dates.windows(2).any(|w| w[0] == w[1]) {
            self.err(nom, None, "deux valeurs ont la même date de début");
        }
        p.valeurs.sort_by_key(|v| v.debut);
        p
    }
}

fn decimal_toml(v: &toml::Value) -> Result<Decimal, String> {
    let d = match v {
        toml::Value::String(s) => Decimal::from_str(s.trim())
            .map_err(|_| format!("« {s} » n'est pas un nombre décimal"))?,
        toml::Value::Integer(i) => Decimal::from(*i),
        // a TOML float goes through its shortest decimal writing (exact for what was typed)
        toml::Value::Float(x) => {
            Decimal::from_str(&x.to_string()).map_err(|_| "nombre hors limites".to_string())?
        }
        _ => return Err("un nombre est attendu".into()),
    };
    if d.is_sign_negative() && !d.is_zero() {
        return Err("la valeur ne peut pas être négative".into());
    }
    if d.scale() > 6 || d > Decimal::from(1_000_000_000i64) {
        return Err("au plus 6 décimales et 1 000 000 000 au plus".into());
    }
    Ok(d.normalize())
}

fn montant_toml(v: &toml::Value) -> Result<Montant, String> {
    let d = decimal_toml(v)?;
    if d.scale() > 2 {
        return Err("un montant a au plus 2 décimales".into());
    }
    let c = (d * Decimal::from(100)).trunc();
    i64::try_from(c)
        .map(Montant)
        .map_err(|_| "montant hors limites".into())
}

/// A grid (`{ seuils_population = [...], seuils_montant = [...], valeurs = [[...], ...] }`)
/// or a plain value (a 1 × 1 grid).
fn grille_toml<T: Clone>(
    v: &toml::Value,
    cellule: &dyn Fn(&toml::Value) -> Result<T, String>,
) -> Result<Grille<T>, String> {
    let Some(t) = v.as_table() else {
        return cellule(v).map(Grille::unique);
    };
    for k in t.keys() {
        if !["seuils_population", "seuils_montant", "valeurs"].contains(&k.as_str()) {
            return Err(format!(
                "clé de grille « {k} » inconnue (attendu : seuils_population, seuils_montant, valeurs)"
            ));
        }
    }
    let seuils_population = match t.get("seuils_population") {
        None => Vec::new(),
        Some(x) => liste_toml(x, &|v| match v.as_integer() {
            Some(n) if n >= 0 => Ok(n as u64),
            _ => Err("seuils_population : entiers ≥ 0 (habitants) attendus".to_string()),
        })?,
    };
    let seuils_montant = match t.get("seuils_montant") {
        None => Vec::new(),
        Some(x) => liste_toml(x, &montant_toml)?,
    };
    if seuils_population.windows(2).any(|w| w[0] >= w[1])
        || seuils_montant.windows(2).any(|w| w[0] >= w[1])
    {
        return Err("les seuils d'une grille doivent être strictement croissants".into());
    }
    let lignes = t
        .get("valeurs")
        .and_then(|x| x.as_array())
        .ok_or("une grille doit avoir `valeurs` (une liste de lignes)")?;
    let mut valeurs = Vec::with_capacity(lignes.len());
    for ligne in lignes {
        valeurs.push(liste_toml(ligne, cellule)?);
    }
    let (nl, nc) = (seuils_population.len() + 1, seuils_montant.len() + 1);
    if valeurs.len() != nl || valeurs.iter().any(|l| l.len() != nc) {
        return Err(format!(
            "la grille doit avoir {nl} ligne(s) (strates) de {nc} valeur(s) (montants existants)"
        ));
    }
    Ok(Grille {
        seuils_population,
        seuils_montant,
        valeurs,
    })
}

fn texte_toml(v: &toml::Value) -> Result<String, String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| "un texte est attendu".into())
}

fn liste_toml<T>(
    v: &toml::Value,
    f: &dyn Fn(&toml::Value) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    match v {
        toml::Value::Array(a) => a.iter().map(f).collect(),
        // one value where a list is due (a cell of the workbook's barème sheet holding a
        // single type): a list of one
        toml::Value::Table(_) => Err("une liste est attendue".into()),
        x => Ok(vec![f(x)?]),
    }
}

fn type_toml(v: &toml::Value) -> Result<TypeStructure, String> {
    let s = texte_toml(v)?;
    TypeStructure::analyser(&s).ok_or_else(|| {
        format!(
            "type « {s} » inconnu (attendu : {})",
            TypeStructure::liste()
        )
    })
}

fn financement_toml(v: &toml::Value) -> Result<Financement, String> {
    let s = texte_toml(v)?;
    Financement::analyser(&s).ok_or_else(|| {
        format!(
            "financement « {s} » inconnu (attendu : {})",
            Financement::liste()
        )
    })
}

/// Parses a barème file (built-in or dossier). Pure: text in, barème or located errors out.
pub fn analyser(texte: &str, fichier: &str) -> Result<Bareme, Diagnostics> {
    let racine: toml::Table = match texte.parse() {
        Ok(t) => t,
        Err(e) => {
            let mut d =
                Diagnostic::erreur("E022", fichier, format!("TOML invalide : {}", e.message()));
            if let Some(s) = e.span() {
                d = d.ligne(1 + texte[..s.start.min(texte.len())].matches('\n').count() as u64);
            }
            let mut ds = Diagnostics::default();
            ds.push(d);
            return Err(ds);
        }
    };
    let mut l = Lecteur {
        fichier,
        diags: Diagnostics::default(),
    };
    let mut b = Bareme {
        nombre_tranches: Parametre::vide("nombre_tranches"),
        ajustement_contribution: Parametre::vide("ajustement_contribution"),
        arrondi: Parametre::vide("arrondi"),
        volets: BTreeMap::new(),
        base_pluriannuelle: Parametre::vide("base_pluriannuelle"),
        trajectoire: TrajectoireBareme::vide(),
    };
    for (cle, v) in &racine {
        match cle.as_str() {
            "nombre_tranches" => {
                b.nombre_tranches = l.parametre(cle, v, &|v| match v.as_integer() {
                    Some(n) if (1..=20).contains(&n) => Ok(n as u32),
                    _ => Err("un entier de 1 à 20 est attendu".into()),
                })
            }
            "ajustement_contribution" => {
                b.ajustement_contribution = l.parametre(cle, v, &|v| match v.as_str() {
                    Some("neutre") => Ok(Ajustement::Neutre),
                    Some("aucun") => Ok(Ajustement::Aucun),
                    Some("integral") | Some("intégral") => Ok(Ajustement::Integral),
                    _ => Err("attendu : \"neutre\", \"aucun\" ou \"integral\"".into()),
                })
            }
            "arrondi" => {
                b.arrondi = l.parametre(cle, v, &|v| match v.as_str() {
                    Some("demi-haut") => Ok(Arrondi::DemiHaut),
                    Some("troncature") => Ok(Arrondi::Troncature),
                    _ => Err("attendu : \"demi-haut\" ou \"troncature\"".into()),
                })
            }
            "base_pluriannuelle" => {
                b.base_pluriannuelle = l.parametre(cle, v, &|v| match v.as_str() {
                    Some("figee") | Some("figée") => Ok(BasePluriannuelle::Figee),
                    Some("glissante") => Ok(BasePluriannuelle::Glissante),
                    _ => Err("attendu : \"figee\" ou \"glissante\"".into()),
                })
            }
            "trajectoire" => {
                let Some(t) = v.as_table() else {
                    l.err("trajectoire", None, "`trajectoire` doit être une table");
                    continue;
                };
                for (k, pv) in t {
                    let pn = format!("trajectoire.{k}");
                    match k.as_str() {
                        "volet" => {
                            b.trajectoire.volet = l.parametre(&pn, pv, &|v| {
                                let s = texte_toml(v)?;
                                if crate::modele::volet_valide(&s) {
                                    Ok(s)
                                } else {
                                    Err("nom de volet invalide (majuscules, chiffres, _)".into())
                                }
                            })
                        }
                        "annee_reference" => {
                            b.trajectoire.annee_reference = l.parametre(&pn, pv, &|v| match v
                                .as_integer()
                            {
                                Some(n) if (1900..=2200).contains(&n) => Ok(n as i32),
                                _ => Err("une année (entier de 1900 à 2200) est attendue".into()),
                            })
                        }
                        "seuils" => {
                            b.trajectoire.seuils =
                                l.parametre(&pn, pv, &|v| liste_toml(v, &decimal_toml))
                        }
                        "montants" => {
                            b.trajectoire.montants =
                                l.parametre(&pn, pv, &|v| liste_toml(v, &montant_toml))
                        }
                        _ => {
                            l.inconnue(&pn, k, &["volet", "annee_reference", "seuils", "montants"])
                        }
                    }
                }
            }
            "volets" => {
                let Some(t) = v.as_table() else {
                    l.err("volets", None, "`volets` doit être une table");
                    continue;
                };
                for (nom, vt) in t {
                    if !crate::modele::volet_valide(nom) {
                        l.err(
                            &format!("volets.{nom}"),
                            Some(nom.clone()),
                            "nom de volet invalide (majuscules, chiffres, _)",
                        );
                        continue;
                    }
                    let Some(vt) = vt.as_table() else {
                        l.err(
                            &format!("volets.{nom}"),
                            None,
                            "un volet doit être une table",
                        );
                        continue;
                    };
                    let mut vb = VoletBareme::vide(nom);
                    for (k, pv) in vt {
                        let pn = format!("volets.{nom}.{k}");
                        match k.as_str() {
                            "types" => {
                                vb.types = l.parametre(&pn, pv, &|v| liste_toml(v, &type_toml))
                            }
                            "financement" => {
                                vb.financement =
                                    l.parametre(&pn, pv, &|v| liste_toml(v, &financement_toml))
                            }
                            "unite" => vb.unite = l.parametre(&pn, pv, &texte_toml),
                            "versement" => {
                                vb.versement = l.parametre(&pn, pv, &|v| match v.as_str() {
                                    Some("structures") => Ok(Versement::Structures),
                                    Some("collectivite") | Some("collectivité") => {
                                        Ok(Versement::Collectivite)
                                    }
                                    Some("employeurs") => Ok(Versement::Employeurs),
                                    _ => Err("attendu : \"structures\", \"collectivite\" ou \"employeurs\"".into()),
                                })
                            }
                            "forfaits_nouvelles" => {
                                vb.forfaits_nouvelles =
                                    l.parametre(&pn, pv, &|v| liste_toml(v, &montant_toml))
                            }
                            "plancher" => {
                                vb.plancher =
                                    l.parametre(&pn, pv, &|v| grille_toml(v, &montant_toml))
                            }
                            "revalorisation" => {
                                vb.revalorisation =
                                    l.parametre(&pn, pv, &|v| grille_toml(v, &decimal_toml))
                            }
                            "plafond_developpement" => {
                                vb.plafond_developpement = l.parametre(&pn, pv, &decimal_toml)
                            }
                            "plafond_base" => {
                                vb.plafond_base = l.parametre(&pn, pv, &|v| match v.as_str() {
                                    Some("unites") | Some("unités") => Ok(PlafondBase::Unites),
                                    Some("enveloppe") => Ok(PlafondBase::Enveloppe),
                                    _ => Err("attendu : \"unites\" ou \"enveloppe\"".into()),
                                })
                            }
                            _ => l.inconnue(
                                &pn,
                                k,
                                &[
                                    "types",
                                    "financement",
                                    "unite",
                                    "versement",
                                    "forfaits_nouvelles",
                                    "plancher",
                                    "revalorisation",
                                    "plafond_developpement",
                                    "plafond_base",
                                ],
                            ),
                        }
                    }
                    b.volets.insert(nom.clone(), vb);
                }
            }
            _ => l.inconnue(
                cle,
                cle,
                &[
                    "nombre_tranches",
                    "ajustement_contribution",
                    "arrondi",
                    "base_pluriannuelle",
                    "trajectoire",
                    "volets",
                ],
            ),
        }
    }
    if l.diags.a_des_erreurs() {
        Err(l.diags)
    } else {
        Ok(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bareme_integre_lisible_et_complet() {
        let b = Bareme::integre().unwrap();
        let e = b.pour_exercice(2025, "t").unwrap();
        assert_eq!(e.nombre_tranches.valeur, 3);
        assert_eq!(e.ajustement_contribution.valeur, Ajustement::Neutre);
        assert_eq!(e.arrondi.valeur, Arrondi::DemiHaut);
        let eaje = &e.volets["EAJE"];
        // from 2021-01-01: 3 600 / 3 100 / 2 600 €
        assert_eq!(
            eaje.forfaits_nouvelles.valeur,
            vec![Montant(360_000), Montant(310_000), Montant(260_000)]
        );
        assert_eq!(eaje.financement.valeur, Some(vec![Financement::Psu]));
        assert_eq!(
            e.volets["ALSH"].plafond_developpement.valeur,
            Some(Decimal::new(25, 2))
        );
        assert_eq!(
            e.volets["PILOTAGE"].versement.valeur,
            Versement::Collectivite
        );
        assert_eq!(
            e.volet_du_type(TypeStructure::AlshAdos).unwrap().nom,
            "ALSH"
        );
        assert!(e.volet_du_type(TypeStructure::CentreSocial).is_none());
        // every value carries a reference and a status
        let s = eaje.forfaits_nouvelles.source.as_ref().unwrap();
        assert_eq!(s.debut, Date::new(2021, 1, 1));
        assert!(s.reference.contains("2021-004"));
    }

    #[test]
    fn valeurs_datees_2020() {
        let b = Bareme::integre().unwrap();
        let e = b.pour_exercice(2020, "t").unwrap();
        // 2020: 3 100 / 2 600 / 2 100 €
        assert_eq!(
            e.volets["EAJE"].forfaits_nouvelles.valeur,
            vec![Montant(310_000), Montant(260_000), Montant(210_000)]
        );
        assert!(
            b.pour_exercice(2019, "t").is_err(),
            "aucune valeur avant 2020"
        );
    }

    #[test]
    fn surcharge_valeur_par_valeur_et_volet_local() {
        let t = r#"
plancher_inutile = 1
"#;
        assert!(
            Bareme::avec_surcharge(t, "bareme.toml").is_err(),
            "paramètre inconnu refusé"
        );
        let t = r#"
[[volets.EAJE.plancher]]
debut = 2025-01-01
valeur = "1500"
reference = "délibération Caf 2025"
statut = "confirme"

[volets.LUDOTHEQUE]
types = ["LUDOTHEQUE"]
unite = "structure"
"#;
        let b = Bareme::avec_surcharge(t, "bareme.toml").unwrap();
        let e24 = b.pour_exercice(2024, "t").unwrap();
        let e25 = b.pour_exercice(2025, "t").unwrap();
        assert_eq!(
            e24.volets["EAJE"].plancher.valeur,
            Grille::unique(Montant(0))
        );
        assert_eq!(
            e25.volets["EAJE"].plancher.valeur,
            Grille::unique(Montant(150_000))
        );
        assert_eq!(
            e25.volets["EAJE"].plancher.source.as_ref().unwrap().origine,
            "bareme.toml"
        );
        // the rest of EAJE is still the built-in one
        assert_eq!(e25.volets["EAJE"].forfaits_nouvelles.valeur.len(), 3);
        let ludo = e25.volet_du_type(TypeStructure::Ludotheque).unwrap();
        assert_eq!(ludo.nom, "LUDOTHEQUE");
        assert_eq!(ludo.unite.valeur, "structure");
        assert_eq!(ludo.financement.valeur, None);
        // superseded built-in value kept
        assert_eq!(b.volets["EAJE"].plancher.valeurs.len(), 2);
    }

    #[test]
    fn meme_date_remplace_et_conserve() {
        let t = r#"
[[ajustement_contribution]]
debut = 2020-01-01
valeur = "integral"
reference = "test"
statut = "hypothese"
"#;
        let b = Bareme::avec_surcharge(t, "b.toml").unwrap();
        assert_eq!(b.ajustement_contribution.valeurs.len(), 2);
        assert!(b.ajustement_contribution.valeurs[0].remplacee);
        assert_eq!(
            b.pour_exercice(2025, "t")
                .unwrap()
                .ajustement_contribution
                .valeur,
            Ajustement::Integral
        );
    }

    #[test]
    fn erreurs_localisees() {
        let t = "[[volets.EAJE.plancher]]\ndebut = 2025-01-01\nvaleur = \"-3\"\nreference = \"x\"\nstatut = \"confirme\"\n";
        let e = Bareme::avec_surcharge(t, "bareme.toml").unwrap_err();
        let d = &e.0[0];
        assert_eq!(d.code, "E022");
        assert_eq!(d.colonne.as_deref(), Some("volets.EAJE.plancher[1]"));
        let e = Bareme::avec_surcharge("x = = 1", "bareme.toml").unwrap_err();
        assert_eq!(e.0[0].ligne, Some(1));
        // a type in two volets
        let t = "[volets.BIS]\ntypes = [\"EAJE\"]\n";
        let b = Bareme::avec_surcharge(t, "bareme.toml").unwrap();
        assert!(b.pour_exercice(2025, "bareme.toml").is_err());
    }

    #[test]
    fn bareme_2025_alsh_ctre_et_valeurs_remplacees() {
        let b = Bareme::integre().unwrap();
        let e = b.pour_exercice(2025, "t").unwrap();
        let alsh = &e.volets["ALSH"];
        assert_eq!(alsh.unite.valeur, "heure d'accueil");
        // 0,15 € per hour = 15 cents
        assert_eq!(alsh.plancher.valeur, Grille::unique(Montant(15)));
        assert_eq!(alsh.plafond_base.valeur, PlafondBase::Unites);
        let e24 = b.pour_exercice(2024, "t").unwrap();
        assert_eq!(
            e24.volets["ALSH"].plafond_base.valeur,
            PlafondBase::Enveloppe
        );
        // the superseded unit is kept, never read
        let u = &b.volets["ALSH"].unite.valeurs;
        assert!(u
            .iter()
            .any(|v| v.remplacee && v.valeur == "place habilitée"));
        let ctre = &e.volets["CTRE"];
        assert_eq!(ctre.versement.valeur, Versement::Employeurs);
        assert_eq!(ctre.forfait(1), Montant(280_000));
        // a CTRE volet is the volet of no structure
        assert_eq!(e.volet_du_type(TypeStructure::Eaje).unwrap().nom, "EAJE");
        assert!(e.trajectoire.is_some());
    }

    #[test]
    fn grilles_lues_et_refusees() {
        let t = r#"
[[volets.EAJE.revalorisation]]
debut = 2025-01-01
valeur = { seuils_population = [10000], seuils_montant = ["1500"], valeurs = [["0.05", "0.01"], ["0.02", "0"]] }
reference = "test"
statut = "hypothese"
"#;
        let b = Bareme::avec_surcharge(t, "bareme.toml").unwrap();
        let g = &b.pour_exercice(2025, "t").unwrap().volets["EAJE"]
            .revalorisation
            .valeur;
        assert!(g.exige_population());
        // 8 000 inhabitants, m = 1 200 € (120 000 c) → row 0, column 0
        let m = crate::calcul::rationnel::Rationnel::entier(120_000);
        assert_eq!(g.cellule(Some(8_000), m), Some((0, 0, Decimal::new(5, 2))));
        // 10 000 inhabitants (threshold included), m = 1 500 € exactly → row 1, column 1
        let m = crate::calcul::rationnel::Rationnel::entier(150_000);
        assert_eq!(g.cellule(Some(10_000), m), Some((1, 1, Decimal::ZERO)));
        assert_eq!(g.cellule(None, m), None);
        // wrong size, thresholds not increasing, unknown key: located errors
        for mauvais in [
            r#"{ seuils_population = [10000], valeurs = [["0.05"]] }"#,
            r#"{ seuils_montant = ["1500", "1000"], valeurs = [["0", "0", "0"]] }"#,
            r#"{ strates = [1], valeurs = [["0"]] }"#,
        ] {
            let t = format!(
                "[[volets.EAJE.plancher]]\ndebut = 2025-01-01\nvaleur = {mauvais}\nreference = \"x\"\nstatut = \"hypothese\"\n"
            );
            let e = Bareme::avec_surcharge(&t, "bareme.toml").unwrap_err();
            assert_eq!(e.0[0].code, "E022", "{mauvais}");
            assert_eq!(
                e.0[0].colonne.as_deref(),
                Some("volets.EAJE.plancher[1]"),
                "{mauvais}"
            );
        }
    }
}
