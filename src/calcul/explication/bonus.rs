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

/// `m_eff = max(m, plancher) × (1 + revalorisation)` with `m = A / U` (or imposed).
pub(super) fn noeud_m_eff(
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
            "R16",
            "montant par unité de l'enveloppe",
            formules::M,
            Valeur::Exact(m.0),
            vec![
                noeud_a(d, g),
                Noeud::calcul(
                    "U",
                    "R16",
                    &format!(
                        "Σ u_i des {} structures éligibles du groupe",
                        g.structures_eligibles
                    ),
                    formules::U,
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

pub(super) fn noeud_lissage(
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
        formules::S_I_VARIABLE
    } else {
        ops.push(noeud_u_i(l));
        ops.push(Noeud::donnee(
            "mo_i",
            "R16",
            "mois d'ouverture dans l'exercice",
            Valeur::Entier(s.mois_ouverture as i64),
        ));
        formules::S_I
    };
    let part = Noeud::calcul(
        "s_i",
        "R16",
        "part exacte de lissage",
        formule,
        Valeur::Exact(a.exacte),
        ops,
    );
    Ok(Some(noeud_arrondi(
        "lissage",
        "lissage versé",
        r,
        ga,
        a,
        part,
    )?))
}

pub(super) fn noeud_nouvelles(
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
    if variable {
        ops.push(Noeud::donnee(
            "unites_mois_nouvelles",
            "R21",
            "Σ n × mois (unités nouvelles variables dans l'année)",
            Valeur::UnitesMois(UniteMois(l.unites_mois.nouvelles)),
        ));
    } else {
        ops.push(Noeud::donnee(
            "n_i",
            "R7",
            "unités nouvelles",
            Valeur::Unites(s.unites_nouvelles),
        ));
        ops.push(Noeud::donnee(
            "mo_i",
            "R7",
            "mois d'ouverture dans l'exercice",
            Valeur::Entier(s.mois_ouverture as i64),
        ));
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
