//! The contribution node (R65, R68) and the public funding, shared by the year calculation
//! and the projection's chain.

use super::*;

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
    let mois_ref = Noeud::donnee(
        "mois_ref",
        "R68",
        "mois de l'année de référence",
        // `mois = 0` counts as 12 (contributions::Reference)
        Valeur::Entier(if reference.mois == 0 {
            12
        } else {
            reference.mois as i64
        }),
    );
    let annee = annee_reference.map_or("N-1".to_string(), |y| y.to_string());
    let mut ops = vec![noeud_c_ref(c_ref, reference, mo, mois_ref.clone(), &annee)];
    match mode.valeur {
        Ajustement::Aucun => {}
        m => ops.extend(noeuds_bonus_ref(
            m, b_ref, reference, mo, mois_ref, &annee, l,
        )),
    }
    let contribution = noeud_contribution_n(mode, ops, l);
    Ok(noeud_variation(contribution, l))
}

/// c_ref: the reference contribution brought to the months of the year (R65).
fn noeud_c_ref(
    c_ref: Rationnel,
    reference: Reference,
    mo: u8,
    mois_ref: Noeud,
    annee: &str,
) -> Noeud {
    Noeud::calcul(
        "c_ref",
        "R65",
        &format!("contribution de référence ({annee}) ramenée aux mois de l'année"),
        formules::C_REF,
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
            mois_ref,
        ],
    )
}

/// b_ref, the reference bonus brought to the months of the year, and the bonus of the year
/// it is compared with (lissage in `neutre` mode, total in `integral` mode) (R65).
fn noeuds_bonus_ref(
    m: Ajustement,
    b_ref: Rationnel,
    reference: Reference,
    mo: u8,
    mois_ref: Noeud,
    annee: &str,
    l: &impl LigneContribution,
) -> [Noeud; 2] {
    let (id, libelle, n) = if m == Ajustement::Neutre {
        (
            "bonus_lissage_n",
            "bonus lissage de l'année",
            l.bonus_lissage(),
        )
    } else {
        ("bonus_total_n", "bonus total de l'année", l.bonus_total())
    };
    [
        Noeud::calcul(
            "b_ref",
            "R65",
            &format!("bonus de référence ({annee}) ramené aux mois de l'année"),
            formules::B_REF,
            Valeur::Exact(b_ref),
            vec![
                Noeud::donnee(
                    "bonus_ref",
                    "R68",
                    "bonus de référence",
                    Valeur::Montant(reference.bonus(m)),
                ),
                Noeud::donnee(
                    "mo",
                    "R65",
                    "mois comptés dans l'année",
                    Valeur::Entier(mo as i64),
                ),
                mois_ref,
            ],
        ),
        Noeud::donnee(id, "R65", libelle, Valeur::Montant(n)),
    ]
}

/// The contribution of the year, rounded to the cent, with the adjustment mode read.
fn noeud_contribution_n(
    mode: &Lu<Ajustement>,
    ops: Vec<Noeud>,
    l: &impl LigneContribution,
) -> Noeud {
    Noeud::calcul(
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
    ))
}

/// The variation of the structure's public funding, N−1 against N (R6).
fn noeud_variation(contribution: Noeud, l: &impl LigneContribution) -> Noeud {
    let fp = l.financement();
    Noeud::calcul(
        "variation",
        "R6",
        "variation du financement public de la structure",
        formules::VARIATION,
        Valeur::Montant(fp.variation),
        vec![
            Noeud::calcul(
                "financement_public_n1",
                "R6",
                "financement public de l'année précédente",
                formules::FINANCEMENT_N1,
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
                "R6",
                "financement public de l'année",
                formules::FINANCEMENT_N,
                Valeur::Montant(fp.financement_public_n),
                vec![
                    contribution,
                    Noeud::donnee(
                        "bonus_total",
                        "R6",
                        "bonus total de l'année",
                        Valeur::Montant(l.bonus_total()),
                    ),
                ],
            ),
        ],
    )
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
