//! The nodes of the bonus: `A`, `U`, `u_i`, `m`, `m_eff`, the lissage share and the new-unit
//! share with their rounding (R6, R7, R9, R60, R62), the trajectoire (R63), the CTRE (R64).

use super::*;

/// `A`, with the charge lines that make it up.
pub(super) fn noeud_a(d: &Dossier, g: &GroupeVolet) -> Noeud {
    let lignes = d
        .charges
        .iter()
        .filter(|c| c.collectivite == g.collectivite && c.volet == g.volet)
        .map(|c| {
            let libelle = if let Some(ligne) = c.ligne.ligne() {
                format!("charges_n1.csv ligne {} : « {} »", ligne, c.libelle)
            } else {
                // envelope derived by the multi-year projection (R22)
                format!("enveloppe de la projection : {}", c.libelle)
            };
            Noeud::donnee("charge", "R5", &libelle, Valeur::Montant(c.montant))
        })
        .collect();
    Noeud {
        operandes: lignes,
        formule: Some("Σ charges à payer N-1 du groupe".into()),
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

/// The group rounding of one share (R9).
pub(super) fn noeud_arrondi(
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
            "R65",
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
    Ok(Some(noeud_arrondi("lissage", r, ga, a, part)))
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
    let formule = if variable {
        ops.push(Noeud::donnee(
            "unites_mois_nouvelles",
            "R21",
            "Σ n × mois (unités nouvelles variables dans l'année)",
            Valeur::UnitesMois(UniteMois(l.unites_mois.nouvelles)),
        ));
        formules::T_I_VARIABLE
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
        formules::T_I
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
                    formules::PLAFOND,
                    Valeur::Exact(p),
                    vec![Noeud::donnee(
                        "A",
                        "R16",
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

pub(super) fn noeud_trajectoire(r: &Resultat, l: &LigneStructure) -> R<Option<Noeud>> {
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
        formules::B_I,
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

pub(super) fn noeud_ctre(l: &LigneStructure) -> Option<Noeud> {
    if l.ctre_lissage.is_none() && l.ctre_nouvelles.is_none() {
        return None;
    }
    let s = &l.structure;
    let part = |id, a: &Option<Box<Attribution>>| {
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
