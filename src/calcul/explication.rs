//! How each figure of a structure was obtained (as Publicodes does: a value carries its
//! derivation). For every figure the calculation produced — A, U, m, floor, revaluation,
//! m_eff, each share, the rounding step, t_i, the cap, the trajectoire, the contribution — a
//! [`Noeud`] gives the rule (docs/regles.md), the formula, the operands with their values
//! and the barème parameters read with their date, reference and status. The tree is made
//! here, from the values the calculation kept ([`Resultat`]); `rapport::explication` only
//! renders it (text, JSON).

use super::contributions::{self, Reference};
use super::eligibilite::Motif;
use super::rationnel::{Rationnel, R};
use super::repartition::Attribution;
use super::{ArrondiGroupe, GroupeVolet, LigneStructure, Resultat};
use crate::bareme::{Ajustement, Lu, Source, VoletExercice};
use crate::modele::{Dossier, Montant, UniteMois, Unites};
use rust_decimal::Decimal;

/// A figure's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Valeur {
    /// Paid amount, cents.
    Montant(Montant),
    /// Exact amount or rate, cents (or cents per unit).
    Exact(Rationnel),
    Unites(Unites),
    /// Hundredths of a unit × months.
    UnitesMois(UniteMois),
    Entier(i64),
    /// A fraction read from the barème (revaluation, cap, threshold).
    Decimal(Decimal),
    /// A pure ratio (cap factor, growth).
    Rapport(Rationnel),
    Booleen(bool),
    Texte(String),
}

/// A barème parameter read for the figure: its name, the value used, and its source
/// (`None`: absent from the barème, the neutral default of docs/bareme.md).
#[derive(Debug, Clone, PartialEq)]
pub struct ParametreLu {
    pub nom: String,
    pub valeur: Valeur,
    /// `true` when the value is one cell of a grid (stratum, existing amount: R60).
    pub case_de_grille: bool,
    pub source: Option<Source>,
}

/// One figure and how it was obtained.
#[derive(Debug, Clone, PartialEq)]
pub struct Noeud {
    /// Short name of the figure (`A`, `U`, `m`, `m_eff`, `s_i`, `t_i`…).
    pub id: &'static str,
    /// Rule of docs/regles.md (`R6`…).
    pub regle: &'static str,
    pub libelle: String,
    /// Formula over the operands' ids (`A / U`); `None` for a datum.
    pub formule: Option<String>,
    pub valeur: Valeur,
    pub operandes: Vec<Noeud>,
    pub parametres: Vec<ParametreLu>,
}

impl Noeud {
    fn donnee(id: &'static str, regle: &'static str, libelle: &str, valeur: Valeur) -> Self {
        Noeud {
            id,
            regle,
            libelle: libelle.to_string(),
            formule: None,
            valeur,
            operandes: Vec::new(),
            parametres: Vec::new(),
        }
    }
    fn calcul(
        id: &'static str,
        regle: &'static str,
        libelle: &str,
        formule: &str,
        valeur: Valeur,
        operandes: Vec<Noeud>,
    ) -> Self {
        Noeud {
            formule: Some(formule.to_string()),
            operandes,
            ..Noeud::donnee(id, regle, libelle, valeur)
        }
    }
    fn avec(mut self, p: ParametreLu) -> Self {
        self.parametres.push(p);
        self
    }
    /// The first node of the tree (depth first) with this id.
    pub fn trouver(&self, id: &str) -> Option<&Noeud> {
        if self.id == id {
            return Some(self);
        }
        self.operandes.iter().find_map(|o| o.trouver(id))
    }
}

fn parametre<T>(nom: &str, l: &Lu<T>, valeur: Valeur, case_de_grille: bool) -> ParametreLu {
    ParametreLu {
        nom: nom.to_string(),
        valeur,
        case_de_grille,
        source: l.source.clone(),
    }
}

/// The whole explanation of one structure for one exercice.
#[derive(Debug, Clone, PartialEq)]
pub struct Explication {
    pub id: String,
    pub exercice: i32,
    /// The eligibility rules checked, in order (R15).
    pub eligibilite: Noeud,
    /// Lissage share and its rounding (R6, R60, R9), when the structure has one.
    pub lissage: Option<Noeud>,
    /// New-unit share and its rounding (R7, R62, R9).
    pub nouvelles: Option<Noeud>,
    /// Bonus trajectoire share (R63).
    pub trajectoire: Option<Noeud>,
    /// CTRE (R64), outside the bonus.
    pub ctre: Option<Noeud>,
    /// lissage + nouvelles + trajectoire.
    pub bonus_total: Noeud,
    /// The contribution and the public funding (R65).
    pub contribution: Noeud,
}

/// The explanation of structure `id` (`None`: no such structure).
pub fn expliquer(d: &Dossier, r: &Resultat, id: &str) -> R<Option<Explication>> {
    let Some(l) = r.structure(id) else {
        return Ok(None);
    };
    let s = &l.structure;
    let volet = l
        .eligibilite
        .volet_eligible()
        .and_then(|v| r.bareme.volets.get(v));
    let groupe = l
        .eligibilite
        .volet_eligible()
        .and_then(|v| r.groupe(&s.collectivite, v));
    let (lissage, nouvelles) = match (volet, groupe) {
        (Some(v), Some(g)) => (noeud_lissage(d, r, l, g, v)?, noeud_nouvelles(r, l, g, v)?),
        _ => (None, None),
    };
    let contribution = noeud_contribution(
        &r.bareme.ajustement_contribution,
        Reference::n1(s),
        None,
        s.mois_ouverture,
        l,
    )?;
    Ok(Some(Explication {
        id: s.id.clone(),
        exercice: r.exercice,
        eligibilite: noeud_eligibilite(l),
        lissage,
        nouvelles,
        trajectoire: noeud_trajectoire(r, l)?,
        ctre: noeud_ctre(l),
        bonus_total: noeud_bonus_total(l),
        contribution,
    }))
}

fn noeud_eligibilite(l: &LigneStructure) -> Noeud {
    let motif = l.motif();
    Noeud {
        operandes: l
            .eligibilite
            .verifications
            .iter()
            .map(|v| {
                Noeud::donnee(
                    v.regle.code(),
                    "R15",
                    &v.detail,
                    Valeur::Booleen(v.satisfaite),
                )
            })
            .collect(),
        ..Noeud::donnee(
            "eligibilite",
            "R15",
            motif.libelle(),
            Valeur::Texte(motif.code().to_string()),
        )
    }
}

/// `A`, with the charge lines that make it up.
fn noeud_a(d: &Dossier, g: &GroupeVolet) -> Noeud {
    let lignes = d
        .charges
        .iter()
        .filter(|c| c.collectivite == g.collectivite && c.volet == g.volet)
        .map(|c| {
            let libelle = if c.ligne == 0 {
                // envelope derived by the multi-year projection (R22)
                format!("enveloppe de la projection : {}", c.libelle)
            } else {
                format!("charges_n1.csv ligne {} : « {} »", c.ligne, c.libelle)
            };
            Noeud::donnee("charge", "R5", &libelle, Valeur::Montant(c.montant))
        })
        .collect();
    Noeud {
        operandes: lignes,
        formule: Some("Σ charges à payer N-1 du groupe".into()),
        ..Noeud::donnee(
            "A",
            "R6",
            "charge à payer N-1 du groupe (collectivité, volet)",
            Valeur::Montant(g.charge_n1),
        )
    }
}

/// `u_i` of a structure (R6).
pub fn noeud_u_i(l: &LigneStructure) -> Noeud {
    let s = &l.structure;
    Noeud::calcul(
        "u_i",
        "R6",
        "unités de la structure comptées dans U",
        "unités existantes − unités employeurs",
        Valeur::Unites(l.unites_eligibles),
        vec![
            Noeud::donnee(
                "unites_existantes",
                "R6",
                "unités existantes",
                Valeur::Unites(s.unites_existantes),
            ),
            Noeud::donnee(
                "unites_employeurs",
                "R64",
                "places réservées aux employeurs",
                Valeur::Unites(s.unites_employeurs),
            ),
        ],
    )
}

/// `m_eff = max(m, plancher) × (1 + revalorisation)` with `m = A / U` (or imposed).
fn noeud_m_eff(
    d: &Dossier,
    l: &LigneStructure,
    g: &GroupeVolet,
    v: &VoletExercice,
) -> Option<Noeud> {
    let (m, me) = (g.taux_base?, g.taux_effectif?);
    let noeud_m = if g.taux_impose {
        Noeud::donnee(
            "m",
            "R22",
            "taux imposé (base figée de la projection : m_eff de l'exercice précédent)",
            Valeur::Exact(m.0),
        )
    } else {
        Noeud::calcul(
            "m",
            "R6",
            "montant par unité de l'enveloppe",
            "A / U",
            Valeur::Exact(m.0),
            vec![
                noeud_a(d, g),
                Noeud::calcul(
                    "U",
                    "R6",
                    &format!(
                        "Σ u_i des {} structures éligibles du groupe",
                        g.structures_eligibles
                    ),
                    "Σ u_i",
                    Valeur::Unites(g.unites),
                    vec![noeud_u_i(l)],
                ),
            ],
        )
    };
    let grille_p = !v.plancher.valeur.est_unique();
    let grille_r = !v.revalorisation.valeur.est_unique();
    Some(Noeud::calcul(
        "m_eff",
        "R60",
        "taux effectif par unité",
        "max(m, plancher) × (1 + revalorisation)",
        Valeur::Exact(me.0),
        vec![
            noeud_m,
            Noeud::donnee(
                "plancher",
                "R60",
                "plancher par unité",
                Valeur::Montant(g.plancher),
            )
            .avec(parametre(
                "plancher",
                &v.plancher,
                Valeur::Montant(g.plancher),
                grille_p,
            )),
            Noeud::donnee(
                "revalorisation",
                "R60",
                "revalorisation",
                Valeur::Decimal(g.revalorisation),
            )
            .avec(parametre(
                "revalorisation",
                &v.revalorisation,
                Valeur::Decimal(g.revalorisation),
                grille_r,
            )),
        ],
    ))
}

/// The group rounding of one share (R9).
fn noeud_arrondi(
    id: &'static str,
    r: &Resultat,
    g: &ArrondiGroupe,
    a: &Attribution,
    part: Noeud,
) -> Noeud {
    Noeud::calcul(
        id,
        "R9",
        "arrondi du groupe au plus fort reste",
        "plancher de la part + 1 centime si son reste est parmi les T − Σ planchers plus forts",
        Valeur::Montant(Montant(a.verse)),
        vec![
            part,
            Noeud::donnee(
                "total_exact",
                "R9",
                "total exact du groupe",
                Valeur::Exact(g.total_exact),
            ),
            Noeud::donnee(
                "T",
                "R9",
                "total du groupe arrondi au centime",
                Valeur::Montant(Montant(g.total)),
            )
            .avec(parametre(
                "arrondi",
                &r.bareme.arrondi,
                Valeur::Texte(
                    match g.strategie {
                        crate::bareme::Arrondi::DemiHaut => "demi_haut",
                        crate::bareme::Arrondi::Troncature => "troncature",
                    }
                    .into(),
                ),
                false,
            )),
            Noeud::donnee(
                "plancher_part",
                "R9",
                "plancher de la part au centime",
                Valeur::Montant(Montant(a.plancher)),
            ),
            Noeud::donnee(
                "rang_reste",
                "R9",
                "rang du reste de la part dans le groupe",
                Valeur::Entier(a.rang_reste as i64),
            ),
            Noeud::donnee(
                "centimes_restants",
                "R9",
                "centimes distribués aux plus forts restes",
                Valeur::Entier(g.centimes_restants),
            ),
            Noeud::donnee(
                "ecart",
                "R9",
                "écart versé − exact",
                Valeur::Exact(
                    Rationnel::entier(a.verse as i128)
                        .sub(a.exacte)
                        .unwrap_or(Rationnel::ZERO),
                ),
            ),
        ],
    )
}

fn noeud_lissage(
    d: &Dossier,
    r: &Resultat,
    l: &LigneStructure,
    g: &GroupeVolet,
    v: &VoletExercice,
) -> R<Option<Noeud>> {
    let (Some(a), Some(ga), Some(me)) = (&l.lissage, &g.arrondi_lissage, noeud_m_eff(d, l, g, v))
    else {
        return Ok(None);
    };
    let s = &l.structure;
    let variable =
        l.unites_mois.existantes as i128 != l.unites_eligibles.0 as i128 * s.mois_ouverture as i128;
    let mut ops = vec![me];
    let formule = if variable {
        ops.push(Noeud::donnee(
            "unites_mois",
            "R21",
            "Σ u × mois (unités variables dans l'année)",
            Valeur::UnitesMois(UniteMois(l.unites_mois.existantes)),
        ));
        "m_eff × (Σ u × mois) / 12"
    } else {
        ops.push(noeud_u_i(l));
        ops.push(Noeud::donnee(
            "mo_i",
            "R65",
            "mois d'ouverture dans l'exercice",
            Valeur::Entier(s.mois_ouverture as i64),
        ));
        "m_eff × u_i × mo_i / 12"
    };
    let part = Noeud::calcul(
        "s_i",
        "R6",
        "part exacte de lissage",
        formule,
        Valeur::Exact(a.exacte),
        ops,
    );
    Ok(Some(noeud_arrondi("lissage", r, ga, a, part)))
}

fn noeud_nouvelles(
    r: &Resultat,
    l: &LigneStructure,
    g: &GroupeVolet,
    v: &VoletExercice,
) -> R<Option<Noeud>> {
    let (Some(a), Some(ga)) = (&l.nouvelles, &g.arrondi_nouvelles) else {
        return Ok(None);
    };
    let s = &l.structure;
    let tranche = r
        .convention
        .collectivite(&s.collectivite)
        .and_then(|c| c.tranche);
    let forfait = Noeud::donnee(
        "forfait",
        "R7",
        &format!(
            "forfait par unité nouvelle de la tranche {}",
            tranche.map_or("non renseignée".into(), |t| t.to_string())
        ),
        Valeur::Montant(l.forfait),
    )
    .avec(parametre(
        "forfaits_nouvelles",
        &v.forfaits_nouvelles,
        Valeur::Montant(l.forfait),
        true,
    ));
    let variable =
        l.unites_mois.nouvelles as i128 != s.unites_nouvelles.0 as i128 * s.mois_ouverture as i128;
    let mut ops = vec![forfait];
    let formule = if variable {
        ops.push(Noeud::donnee(
            "unites_mois_nouvelles",
            "R21",
            "Σ n × mois (unités nouvelles variables dans l'année)",
            Valeur::UnitesMois(UniteMois(l.unites_mois.nouvelles)),
        ));
        "forfait × (Σ n × mois) / 12"
    } else {
        ops.push(Noeud::donnee(
            "n_i",
            "R7",
            "unités nouvelles",
            Valeur::Unites(s.unites_nouvelles),
        ));
        ops.push(Noeud::donnee(
            "mo_i",
            "R65",
            "mois d'ouverture dans l'exercice",
            Valeur::Entier(s.mois_ouverture as i64),
        ));
        "forfait × n_i × mo_i / 12"
    };
    // the cap's factor (1 when not reached) multiplies the share (R62)
    if let Some(p) = g.plafond {
        let f = g.facteur_plafond;
        ops.push(Noeud::calcul(
            "facteur_plafond",
            "R62",
            if f.is_some() {
                "plafond atteint : facteur appliqué à chaque part"
            } else {
                "plafond non atteint"
            },
            "min(1, plafond / total exact des unités nouvelles du groupe)",
            Valeur::Rapport(f.unwrap_or(Rationnel::UN)),
            vec![
                Noeud::calcul(
                    "plafond",
                    "R62",
                    "plafond des unités nouvelles du groupe",
                    "plafond_developpement × A",
                    Valeur::Exact(p),
                    vec![Noeud::donnee(
                        "A",
                        "R6",
                        "charge à payer N-1 du groupe",
                        Valeur::Montant(g.charge_n1),
                    )],
                )
                .avec(parametre(
                    "plafond_developpement",
                    &v.plafond_developpement,
                    Valeur::Decimal(v.plafond_developpement.valeur.unwrap_or_default()),
                    false,
                )),
                Noeud::donnee(
                    "total_nouvelles",
                    "R62",
                    "total exact des unités nouvelles du groupe avant plafond",
                    Valeur::Exact(g.nouvelles_avant_plafond),
                ),
            ],
        ));
    }
    let part = Noeud::calcul(
        "t_i",
        "R7",
        "part exacte des unités nouvelles",
        formule,
        Valeur::Exact(a.exacte),
        ops,
    );
    Ok(Some(noeud_arrondi("nouvelles", r, ga, a, part)))
}

fn noeud_trajectoire(r: &Resultat, l: &LigneStructure) -> R<Option<Noeud>> {
    let s = &l.structure;
    let Some((t, p)) = r
        .trajectoire
        .iter()
        .filter(|t| t.collectivite == s.collectivite)
        .find_map(|t| t.part(&s.id).map(|p| (t, p)))
    else {
        return Ok(None);
    };
    let part = Noeud::calcul(
        "b_i",
        "R63",
        "part exacte du bonus trajectoire",
        "montant par place × places-mois / 12",
        Valeur::Exact(p.attribution.exacte),
        vec![Noeud::calcul(
            "montant_par_place",
            "R63",
            &format!(
                "montant par place du niveau atteint ({})",
                t.niveau.map_or("aucun".into(), |k| k.to_string())
            ),
            "montant du plus haut seuil atteint : P_N ≥ P_ref × (1 + seuil)",
            Valeur::Montant(t.montant_par_place),
            vec![
                Noeud::donnee(
                    "P_ref",
                    "R63",
                    "places de référence",
                    Valeur::Unites(t.places_reference),
                ),
                Noeud::donnee(
                    "P_N",
                    "R63",
                    "places de l'exercice",
                    Valeur::Unites(t.places),
                ),
            ],
        )
        .avec(parametre(
            "trajectoire.seuils",
            &t.parametres.seuils,
            Valeur::Decimal(t.seuil.unwrap_or_default()),
            false,
        ))],
    );
    Ok(Some(match &t.arrondi {
        Some(a) => noeud_arrondi("trajectoire", r, a, &p.attribution, part),
        None => part,
    }))
}

fn noeud_ctre(l: &LigneStructure) -> Option<Noeud> {
    if l.ctre_lissage.is_none() && l.ctre_nouvelles.is_none() {
        return None;
    }
    let s = &l.structure;
    let part = |id, a: &Option<Attribution>| {
        Noeud::donnee(
            id,
            "R64",
            id,
            Valeur::Montant(Montant(a.as_ref().map_or(0, |a| a.verse))),
        )
    };
    Some(Noeud::calcul(
        "ctre",
        "R64",
        "places réservées aux employeurs (hors bonus territoire)",
        "lissage CTRE + forfait des nouvelles places employeurs",
        Valeur::Montant(l.bonus_ctre),
        vec![
            Noeud::donnee(
                "unites_employeurs",
                "R64",
                "places employeurs",
                Valeur::Unites(s.unites_employeurs),
            ),
            Noeud::donnee(
                "unites_employeurs_nouvelles",
                "R64",
                "nouvelles places employeurs",
                Valeur::Unites(s.unites_employeurs_nouvelles),
            ),
            part("ctre_lissage", &l.ctre_lissage),
            part("ctre_nouvelles", &l.ctre_nouvelles),
        ],
    ))
}

fn noeud_bonus_total(l: &LigneStructure) -> Noeud {
    Noeud::calcul(
        "bonus_total",
        "R16",
        "bonus total versé à la structure",
        "lissage + nouvelles + trajectoire",
        Valeur::Montant(l.bonus_total),
        vec![
            Noeud::donnee(
                "lissage",
                "R6",
                "lissage versé",
                Valeur::Montant(l.bonus_lissage),
            ),
            Noeud::donnee(
                "nouvelles",
                "R7",
                "unités nouvelles versées",
                Valeur::Montant(l.bonus_nouvelles),
            ),
            Noeud::donnee(
                "trajectoire",
                "R63",
                "bonus trajectoire versé",
                Valeur::Montant(l.bonus_trajectoire),
            ),
            Noeud::donnee(
                "part_exacte",
                "R9",
                "part exacte",
                Valeur::Exact(l.part_exacte),
            ),
            Noeud::donnee(
                "ecart_arrondi",
                "R9",
                "écart d'arrondi (versé − exact)",
                Valeur::Exact(l.ecart_arrondi),
            ),
        ],
    )
}

/// The contribution of a year (R65) with its reference (`annee_reference`: `None` for
/// N−1, R68), and the public funding before and after. Shared by the year calculation
/// and the projection's chain.
pub fn noeud_contribution(
    mode: &Lu<Ajustement>,
    reference: Reference,
    annee_reference: Option<i32>,
    mo: u8,
    l: &impl LigneContribution,
) -> R<Noeud> {
    let (c_ref, b_ref) = contributions::references(mode.valeur, reference, mo)?;
    let ref_mois = reference.mois;
    let annee = annee_reference.map_or("N-1".to_string(), |y| y.to_string());
    let mut ops = vec![Noeud::calcul(
        "c_ref",
        "R65",
        &format!("contribution de référence ({annee}) ramenée aux mois de l'année"),
        &format!("contribution × mo / {ref_mois}"),
        Valeur::Exact(c_ref),
        vec![
            Noeud::donnee(
                "contribution_ref",
                "R68",
                "contribution de référence",
                Valeur::Montant(reference.contribution),
            ),
            Noeud::donnee(
                "mo",
                "R65",
                "mois comptés dans l'année",
                Valeur::Entier(mo as i64),
            ),
        ],
    )];
    match mode.valeur {
        Ajustement::Aucun => {}
        m => {
            let (id, libelle, n) = if m == Ajustement::Neutre {
                (
                    "bonus_lissage_n",
                    "bonus lissage de l'année",
                    l.bonus_lissage(),
                )
            } else {
                ("bonus_total_n", "bonus total de l'année", l.bonus_total())
            };
            ops.push(Noeud::calcul(
                "b_ref",
                "R65",
                &format!("bonus de référence ({annee}) ramené aux mois de l'année"),
                &format!("bonus × mo / {ref_mois}"),
                Valeur::Exact(b_ref),
                vec![Noeud::donnee(
                    "bonus_ref",
                    "R68",
                    "bonus de référence",
                    Valeur::Montant(reference.bonus(m)),
                )],
            ));
            ops.push(Noeud::donnee(id, "R65", libelle, Valeur::Montant(n)));
        }
    }
    let contribution = Noeud::calcul(
        "contribution",
        "R65",
        "contribution de la collectivité, arrondie au centime",
        contributions::formule(mode.valeur),
        Valeur::Montant(l.contribution_n()),
        ops,
    )
    .avec(parametre(
        "ajustement_contribution",
        mode,
        Valeur::Texte(
            match mode.valeur {
                Ajustement::Neutre => "neutre",
                Ajustement::Aucun => "aucun",
                Ajustement::Integral => "integral",
            }
            .into(),
        ),
        false,
    ));
    let fp = l.financement();
    Ok(Noeud::calcul(
        "variation",
        "R65",
        "variation du financement public de la structure",
        "financement public N − financement public N-1",
        Valeur::Montant(fp.variation),
        vec![
            Noeud::calcul(
                "financement_public_n1",
                "R65",
                "financement public de l'année précédente",
                "contribution N-1 + bonus N-1",
                Valeur::Montant(fp.financement_public_n1),
                vec![
                    Noeud::donnee(
                        "contribution_n1",
                        "R65",
                        "contribution de l'année précédente",
                        Valeur::Montant(l.contribution_n1()),
                    ),
                    Noeud::donnee(
                        "bonus_n1",
                        "R65",
                        "bonus de l'année précédente",
                        Valeur::Montant(l.bonus_n1()),
                    ),
                ],
            ),
            Noeud::calcul(
                "financement_public_n",
                "R65",
                "financement public de l'année",
                "contribution + bonus total",
                Valeur::Montant(fp.financement_public_n),
                vec![
                    contribution,
                    Noeud::donnee(
                        "bonus_total",
                        "R16",
                        "bonus total de l'année",
                        Valeur::Montant(l.bonus_total()),
                    ),
                ],
            ),
        ],
    ))
}

/// What the contribution node reads from a line (of the year calculation or of the
/// projection).
pub trait LigneContribution {
    fn bonus_lissage(&self) -> Montant;
    fn bonus_total(&self) -> Montant;
    fn contribution_n(&self) -> Montant;
    /// What the collectivité and the Caf paid the year before (public funding N−1).
    fn contribution_n1(&self) -> Montant;
    fn bonus_n1(&self) -> Montant;
    fn financement(&self) -> contributions::Contribution;
}

impl LigneContribution for LigneStructure {
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
        self.structure.bonus_n1
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

impl Explication {
    /// Is the structure eligible?
    pub fn eligible(&self) -> bool {
        self.eligibilite.valeur == Valeur::Texte(Motif::Eligible.code().to_string())
    }
}
