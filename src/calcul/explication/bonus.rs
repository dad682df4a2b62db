//! The nodes of the bonus: `A`, `U`, `u_i`, `m`, `m_eff`, the lissage share and the new-unit
//! share with their cap (R6, R7, R60, R62); their rounding is in [`super::arrondi`].

use super::arrondi::noeud_arrondi;
use super::*;

/// `A`, with the charge lines that make it up.
pub(super) fn noeud_a(d: &Dossier, g: &GroupeVolet) -> Noeud {
    let lignes = d
        .charges
        .iter()
        .filter(|c| c.collectivite == g.collectivite && c.volet == g.volet)
        .map(|c| {
            let libelle = if let Some(ligne) = c.ligne.ligne() {
                // the table, not a file name: `charges_n1.csv` or the workbook's sheet
                format!("table charges_n1, ligne {} : « {} »", ligne, c.libelle)
            } else {
                // envelope derived by the multi-year projection (R22)
                format!("enveloppe de la projection : {}", c.libelle)
            };
            Noeud::donnee("charge", "R5", &libelle, Valeur::Montant(c.montant))
        })
        .collect();
    Noeud {
        operandes: lignes,
        formule: Some(formules::A.into()),
        ..Noeud::donnee(
            "A",
            "R16",
            "charge à payer N-1 du groupe (collectivité, volet)",
            Valeur::Montant(g.charge_n1),
        )
    }
}

/// The contract a share belongs to: the bonus territoire, over the units `u_i` (R6, R16), or
/// the CTRE, over the employer places `e_i` (R64), each with its own group and rounding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Contrat {
    Bonus,
    Ctre,
}

/// `e_i` of a structure: its employer places, the units of the CTRE (R64).
fn noeud_e_i(l: &LigneStructure) -> Noeud {
    Noeud::donnee(
        "e_i",
        "R64",
        "places réservées aux employeurs (unités du CTRE)",
        Valeur::Unites(l.structure.unites_employeurs),
    )
}

/// The units of the structure in its group: `u_i` (bonus) or `e_i` (CTRE).
fn noeud_unites(l: &LigneStructure, c: Contrat) -> Noeud {
    match c {
        Contrat::Bonus => noeud_u_i(l),
        Contrat::Ctre => noeud_e_i(l),
    }
}

/// `u_i` of a structure (R6).
pub fn noeud_u_i(l: &LigneStructure) -> Noeud {
    let s = &l.structure;
    Noeud::calcul(
        "u_i",
        "R6",
        "unités de la structure comptées dans U",
        formules::U_I,
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

/// `m_eff = max(m, plancher) × (1 + revalorisation)` with `m = A / U` (or imposed), `U` the
/// units of the group of contract `c`.
fn noeud_m_eff(
    d: &Dossier,
    l: &LigneStructure,
    g: &GroupeVolet,
    v: &VoletExercice,
    c: Contrat,
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
            "R16",
            "montant par unité de l'enveloppe",
            formules::M,
            Valeur::Exact(m.0),
            vec![
                noeud_a(d, g),
                Noeud::calcul(
                    "U",
                    if c == Contrat::Ctre { "R64" } else { "R16" },
                    &match (c, g.structures_eligibles) {
                        (Contrat::Bonus, 1) => {
                            "u_i de la seule structure éligible du groupe".into()
                        }
                        (Contrat::Bonus, n) => {
                            format!("Σ u_i des {n} structures éligibles du groupe")
                        }
                        (Contrat::Ctre, 1) => "e_i de la seule structure du groupe CTRE".into(),
                        (Contrat::Ctre, n) => format!("Σ e_i des {n} structures du groupe CTRE"),
                    },
                    match c {
                        Contrat::Bonus => formules::U,
                        Contrat::Ctre => formules::U_CTRE,
                    },
                    Valeur::Unites(g.unites),
                    vec![noeud_unites(l, c)],
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
        formules::M_EFF,
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

/// The lissage share of contract `c` (`lissage`, or `ctre_lissage` over the employer places),
/// from its group `g` of volet `v`.
pub(super) fn noeud_lissage(
    d: &Dossier,
    r: &Resultat,
    l: &LigneStructure,
    (g, v): (&GroupeVolet, &VoletExercice),
    c: Contrat,
) -> R<Option<Noeud>> {
    let attribution = match c {
        Contrat::Bonus => &l.lissage,
        Contrat::Ctre => &l.ctre_lissage,
    };
    let (Some(a), Some(ga), Some(me)) =
        (attribution, &g.arrondi_lissage, noeud_m_eff(d, l, g, v, c))
    else {
        return Ok(None);
    };
    let s = &l.structure;
    // the CTRE's unit-months are always e_i × mo_i (no variable units)
    let variable = c == Contrat::Bonus
        && l.unites_mois.existantes as i128
            != l.unites_eligibles.0 as i128 * s.mois_ouverture as i128;
    let mut ops = vec![me];
    let formule = if variable {
        ops.push(Noeud::donnee(
            "unites_mois",
            "R21",
            "Σ u × mois (unités variables dans l'année)",
            Valeur::UnitesMois(UniteMois(l.unites_mois.existantes)),
        ));
        formules::S_I_VARIABLE
    } else {
        ops.push(noeud_unites(l, c));
        ops.push(Noeud::donnee(
            "mo_i",
            "R16",
            "mois d'ouverture dans l'exercice",
            Valeur::Entier(s.mois_ouverture as i64),
        ));
        match c {
            Contrat::Bonus => formules::S_I,
            Contrat::Ctre => formules::S_I_CTRE,
        }
    };
    let (id, regle, libelle_part, libelle) = match c {
        Contrat::Bonus => ("lissage", "R16", "part exacte de lissage", "lissage versé"),
        Contrat::Ctre => (
            "ctre_lissage",
            "R64",
            "part exacte du lissage CTRE",
            "lissage CTRE versé",
        ),
    };
    let part = Noeud::calcul(
        "s_i",
        regle,
        libelle_part,
        formule,
        Valeur::Exact(a.exacte),
        ops,
    );
    Ok(Some(noeud_arrondi(id, libelle, r, ga, a, part)?))
}

/// The new-unit share of contract `c` (`nouvelles`, or `ctre_nouvelles` for the new employer
/// places), from its group `g` of volet `v`.
pub(super) fn noeud_nouvelles(
    r: &Resultat,
    l: &LigneStructure,
    (g, v): (&GroupeVolet, &VoletExercice),
    c: Contrat,
) -> R<Option<Noeud>> {
    let attribution = match c {
        Contrat::Bonus => &l.nouvelles,
        Contrat::Ctre => &l.ctre_nouvelles,
    };
    let (Some(a), Some(ga)) = (attribution, &g.arrondi_nouvelles) else {
        return Ok(None);
    };
    let (mut ops, variable) = operandes_nouvelles(r, l, v, c);
    if c == Contrat::Ctre {
        let part = Noeud::calcul(
            "t_i",
            "R64",
            "part exacte des places employeurs nouvelles",
            formules::T_I_CTRE,
            Valeur::Exact(a.exacte),
            ops,
        );
        return Ok(Some(noeud_arrondi(
            "ctre_nouvelles",
            "forfaits CTRE versés",
            r,
            ga,
            a,
            part,
        )?));
    }
    // the cap's factor (1 when not reached) multiplies the share (R62)
    let plafond = noeud_plafond(g, v);
    let formule = match (variable, plafond.is_some()) {
        (true, true) => formules::T_I_VARIABLE_PLAFONNE,
        (true, false) => formules::T_I_VARIABLE,
        (false, true) => formules::T_I_PLAFONNE,
        (false, false) => formules::T_I,
    };
    ops.extend(plafond);
    let part = Noeud::calcul(
        "t_i",
        "R7",
        "part exacte des unités nouvelles",
        formule,
        Valeur::Exact(a.exacte),
        ops,
    );
    Ok(Some(noeud_arrondi(
        "nouvelles",
        "unités nouvelles versées",
        r,
        ga,
        a,
        part,
    )?))
}

/// The forfait of one new unit of contract `c` for line `l` (R7, R64), with the barème
/// parameter it was read from.
fn noeud_forfait(r: &Resultat, l: &LigneStructure, v: &VoletExercice, c: Contrat) -> Noeud {
    let s = &l.structure;
    let tranche = r
        .convention
        .collectivite(&s.collectivite)
        .and_then(|c| c.tranche);
    // the bonus line keeps the forfait it was paid; the CTRE's is its group's
    let montant = match c {
        Contrat::Bonus => l.forfait,
        Contrat::Ctre => {
            crate::calcul::distribution::forfait_du_groupe(v, tranche.unwrap_or(0), true)
        }
    };
    Noeud::donnee(
        "forfait",
        if c == Contrat::Ctre { "R64" } else { "R7" },
        &match c {
            Contrat::Bonus => format!(
                "forfait par unité nouvelle de la tranche {}",
                tranche.map_or("non renseignée".into(), |t| t.to_string())
            ),
            Contrat::Ctre => "forfait CTRE par place employeur nouvelle".to_string(),
        },
        Valeur::Montant(montant),
    )
    .avec(parametre(
        "forfaits_nouvelles",
        &v.forfaits_nouvelles,
        Valeur::Montant(montant),
        true,
    ))
}

/// The operands of the exact new-unit share of contract `c`: the forfait, then the units and
/// months (`n_i`, `mo_i`) or, for units that vary in the year, their unit-months (R21, then
/// `true`).
fn operandes_nouvelles(
    r: &Resultat,
    l: &LigneStructure,
    v: &VoletExercice,
    c: Contrat,
) -> (Vec<Noeud>, bool) {
    let s = &l.structure;
    let (n_i, id_n, libelle_n) = match c {
        Contrat::Bonus => (s.unites_nouvelles, "n_i", "unités nouvelles"),
        Contrat::Ctre => (
            s.unites_employeurs_nouvelles,
            "ne_i",
            "places employeurs nouvelles",
        ),
    };
    // the CTRE's new places count n × mo (no variable units)
    let variable = c == Contrat::Bonus
        && l.unites_mois.nouvelles as i128 != n_i.0 as i128 * s.mois_ouverture as i128;
    let mut ops = vec![noeud_forfait(r, l, v, c)];
    if variable {
        ops.push(Noeud::donnee(
            "unites_mois_nouvelles",
            "R21",
            "Σ n × mois (unités nouvelles variables dans l'année)",
            Valeur::UnitesMois(UniteMois(l.unites_mois.nouvelles)),
        ));
    } else {
        ops.push(Noeud::donnee(
            id_n,
            if c == Contrat::Ctre { "R64" } else { "R7" },
            libelle_n,
            Valeur::Unites(n_i),
        ));
        ops.push(Noeud::donnee(
            "mo_i",
            "R7",
            "mois d'ouverture dans l'exercice",
            Valeur::Entier(s.mois_ouverture as i64),
        ));
    }
    (ops, variable)
}

/// The cap of the new units of the group (R62) and the factor it applies to every share
/// (1 when not reached): base `enveloppe` (`plafond_developpement × A`, in euros) or base
/// `unites` (`plafond_developpement × U`, in units). `None` when there is nothing to cap.
fn noeud_plafond(g: &GroupeVolet, v: &VoletExercice) -> Option<Noeud> {
    let f = g.facteur_plafond;
    // nothing to cap (a total of 0 € or 0 new units): no `plafond / 0` to show
    let rien = if g.plafond.is_some() {
        g.nouvelles_avant_plafond.est_zero()
    } else {
        g.unites_nouvelles.0 == 0
    };
    if f.is_none() && rien {
        return None;
    }
    let lu = parametre(
        "plafond_developpement",
        &v.plafond_developpement,
        Valeur::Decimal(v.plafond_developpement.valeur.unwrap_or_default()),
        false,
    );
    let (formule, plafond, total) = if let Some(p) = g.plafond {
        (
            formules::FACTEUR_PLAFOND,
            Noeud::calcul(
                "plafond",
                "R62",
                "plafond des unités nouvelles du groupe (en euros)",
                formules::PLAFOND,
                Valeur::Exact(p),
                vec![Noeud::donnee(
                    "A",
                    "R16",
                    "charge à payer N-1 du groupe",
                    Valeur::Montant(g.charge_n1),
                )],
            )
            .avec(lu),
            Noeud::donnee(
                "total_nouvelles",
                "R62",
                "total exact des unités nouvelles du groupe avant plafond",
                Valeur::Exact(g.nouvelles_avant_plafond),
            ),
        )
    } else {
        let p = g.plafond_unites?;
        (
            formules::FACTEUR_PLAFOND_UNITES,
            Noeud::calcul(
                "plafond",
                "R62",
                "plafond des unités nouvelles du groupe (en unités)",
                formules::PLAFOND_UNITES,
                Valeur::UnitesExactes(p),
                vec![Noeud::donnee(
                    "U",
                    "R16",
                    "unités existantes du groupe",
                    Valeur::Unites(g.unites),
                )],
            )
            .avec(lu),
            Noeud::donnee(
                "n_groupe",
                "R62",
                "unités nouvelles du groupe",
                Valeur::Unites(g.unites_nouvelles),
            ),
        )
    };
    Some(Noeud::calcul(
        "facteur_plafond",
        "R62",
        if f.is_some() {
            "plafond atteint : facteur appliqué à chaque part"
        } else {
            "plafond non atteint"
        },
        formule,
        Valeur::Rapport(f.unwrap_or(Rationnel::UN)),
        vec![plafond, total],
    ))
}
