//! The group rounding of a share (R9): the floor of the exact share, plus a cent when its
//! remainder is among the largest of the group, with the strategy that rounded the group's
//! total named.

use super::*;

/// The rounding strategy in French, as the explanation names it.
fn nom_strategie(a: crate::bareme::Arrondi) -> &'static str {
    match a {
        crate::bareme::Arrondi::DemiHaut => "demi-centime s'éloignant de zéro",
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
) -> R<Noeud> {
    let strategie = nom_strategie(g.strategie);
    let ecart = Rationnel::entier(a.verse as i128).sub(a.exacte)?;
    Ok(Noeud::calcul(
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
                // the value as bareme.toml writes it; the label names it in words
                Valeur::Texte(
                    match g.strategie {
                        crate::bareme::Arrondi::DemiHaut => "demi-haut",
                        crate::bareme::Arrondi::Troncature => "troncature",
                    }
                    .into(),
                ),
                false,
            )),
            Noeud::donnee(
                "plancher_part",
                "R9",
                "part exacte tronquée au centime",
                Valeur::Montant(Montant(a.plancher)),
            ),
            noeud_centime_reste(g, a),
            Noeud::calcul(
                "ecart",
                "R9",
                "écart d'arrondi de la part",
                formules::ECART,
                Valeur::Exact(ecart),
                Vec::new(),
            ),
        ],
    ))
}

/// The cent a share gets when its remainder is among the `centimes_restants` largest.
fn noeud_centime_reste(g: &ArrondiGroupe, a: &Attribution) -> Noeud {
    let recoit = a.verse > a.plancher;
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
    )
}
