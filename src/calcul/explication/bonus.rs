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

/// The rounding strategy in French, as the explanation names it.
fn nom_strategie(a: crate::bareme::Arrondi) -> &'static str {
    match a {
        crate::bareme::Arrondi::DemiHaut => "demi-centime vers le haut",
        crate::bareme::Arrondi::Troncature => "troncature",
    }
}

/// The group rounding of one share (R9): the floor of the exact share, plus a cent when its
/// remainder is among the largest of the group; `libelle` names what is paid.
pub(super) fn noeud_arrondi(
    id: &'static str,
    libelle: &str,
    r: &Resultat,
    g: &ArrondiGroupe,
    a: &Attribution,
    part: Noeud,
) -> Noeud {
    let strategie = nom_strategie(g.strategie);
    let recoit = a.verse > a.plancher;
    Noeud::calcul(
        id,
        "R9",
        &format!("{libelle}, arrondi du groupe au plus fort reste"),
        formules::VERSE,
        Valeur::Montant(Montant(a.verse)),
        vec![
            part,
            Noeud::calcul(
                "T",
                "R9",
                &format!("total du groupe arrondi au centime ({strategie})"),
                formules::T_GROUPE,
                Valeur::Montant(Montant(g.total)),
                vec![Noeud::donnee(
                    "total_exact",
                    "R9",
                    "total exact des parts du groupe",
                    Valeur::Exact(g.total_exact),
                )],
            )
            .avec(parametre(
                "arrondi",
                &r.bareme.arrondi,
                Valeur::Texte(strategie.into()),
                false,
            )),
            Noeud::donnee(
                "plancher_part",
                "R9",
                "part exacte tronquée au centime",
                Valeur::Montant(Montant(a.plancher)),
            ),
            Noeud::calcul(
                "centime_reste",
                "R9",
                if recoit {
                    "la part reçoit un centime de reste"
                } else {
                    "la part ne reçoit pas de centime de reste"
                },
                formules::CENTIME_RESTE,
                Valeur::Montant(Montant(a.verse - a.plancher)),
                vec![
                    Noeud::donnee(
                        "rang_reste",
                        "R9",
                        "rang du reste de la part parmi ceux du groupe (1 = le plus fort)",
                        Valeur::Entier(a.rang_reste as i64),
                    ),
                    Noeud::calcul(
                        "centimes_restants",
                        "R9",
                        "centimes distribués aux plus forts restes",
                        formules::CENTIMES_RESTANTS,
                        Valeur::Entier(g.centimes_restants),
                        Vec::new(),
                    ),
                ],
            ),
            Noeud::calcul(
                "ecart",
                "R9",
                "écart d'arrondi de la part",
                formules::ECART,
                Valeur::Exact(
                    Rationnel::entier(a.verse as i128)
                        .sub(a.exacte)
                        .unwrap_or(Rationnel::ZERO),
                ),
                Vec::new(),
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
    Ok(Some(noeud_arrondi(
        "lissage",
        "lissage versé",
        r,
        ga,
        a,
        part,
    )))
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
            "R65",
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
    )))
}

/// The cap of the new units of the group (R62) and the factor it applies to every share
/// (1 when not reached): base `enveloppe` (`plafond_developpement × A`, in euros) or base
/// `unites` (`plafond_developpement × U`, in units).
fn noeud_plafond(g: &GroupeVolet, v: &VoletExercice) -> Option<Noeud> {
    let f = g.facteur_plafond;
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
    let pm = &t.parametres;
    let liste = |v: Vec<String>| Valeur::Texte(v.join(" ; "));
    let mut places = vec![
        Noeud::donnee(
            "P_ref",
            "R63",
            &format!(
                "places de référence ({}, volet {})",
                t.annee_reference, t.volet
            ),
            Valeur::Unites(t.places_reference),
        ),
        Noeud::donnee(
            "P_N",
            "R63",
            "places de l'exercice",
            Valeur::Unites(t.places),
        ),
    ];
    if let Some(c) = t.croissance {
        places.push(Noeud::calcul(
            "croissance",
            "R63",
            "croissance des places",
            formules::CROISSANCE,
            Valeur::Rapport(c),
            Vec::new(),
        ));
    }
    if let (Some(k), Some(seuil)) = (t.niveau, t.seuil) {
        places.push(Noeud::donnee(
            "seuil",
            "R63",
            &format!("plus haut seuil atteint (n° {k})"),
            Valeur::Decimal(seuil),
        ));
    }
    let montant = Noeud::calcul(
        "montant_par_place",
        "R63",
        &format!(
            "montant par place et par an du niveau atteint ({})",
            t.niveau.map_or("aucun".into(), |k| k.to_string())
        ),
        formules::MONTANT_PAR_PLACE,
        Valeur::Montant(t.montant_par_place),
        places,
    )
    .avec(parametre(
        "trajectoire.volet",
        &pm.volet,
        Valeur::Texte(pm.volet.valeur.clone()),
        false,
    ))
    .avec(parametre(
        "trajectoire.annee_reference",
        &pm.annee_reference,
        Valeur::Entier(pm.annee_reference.valeur as i64),
        false,
    ))
    .avec(parametre(
        "trajectoire.seuils",
        &pm.seuils,
        liste(pm.seuils.valeur.iter().map(|d| pourcentage(*d)).collect()),
        false,
    ))
    .avec(parametre(
        "trajectoire.montants",
        &pm.montants,
        liste(
            pm.montants
                .valeur
                .iter()
                .map(|m| crate::modele::montant_fr(*m))
                .collect(),
        ),
        false,
    ));
    let part = Noeud::calcul(
        "b_i",
        "R63",
        "part exacte du bonus trajectoire",
        formules::B_I,
        Valeur::Exact(p.attribution.exacte),
        vec![
            montant,
            Noeud::donnee(
                "places_mois",
                "R63",
                "places × mois de la structure dans l'année",
                Valeur::UnitesMois(UniteMois(p.places_mois)),
            ),
        ],
    );
    Ok(Some(match &t.arrondi {
        Some(a) => noeud_arrondi(
            "trajectoire",
            "bonus trajectoire versé",
            r,
            a,
            &p.attribution,
            part,
        ),
        None => part,
    }))
}

pub(super) fn noeud_ctre(l: &LigneStructure) -> Option<Noeud> {
    if l.ctre_lissage.is_none() && l.ctre_nouvelles.is_none() {
        return None;
    }
    let s = &l.structure;
    let part = |id, libelle, a: &Option<Attribution>| {
        Noeud::donnee(
            id,
            "R64",
            libelle,
            Valeur::Montant(Montant(a.as_ref().map_or(0, |a| a.verse))),
        )
    };
    Some(Noeud::calcul(
        "ctre",
        "R64",
        "versé au titre du CTRE pour les places réservées aux employeurs (hors bonus territoire)",
        formules::CTRE,
        Valeur::Montant(l.bonus_ctre),
        vec![
            part("ctre_lissage", "lissage CTRE", &l.ctre_lissage),
            part(
                "ctre_nouvelles",
                "forfait des nouvelles places employeurs",
                &l.ctre_nouvelles,
            ),
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
        ],
    ))
}

/// `0.25` → `25 %` (the list of thresholds read from the barème).
fn pourcentage(d: rust_decimal::Decimal) -> String {
    let p = (d * rust_decimal::Decimal::from(100)).normalize();
    format!("{} %", p.to_string().replace('.', ","))
}
