//! The recap letter of a collectivité: its bonus by component and the structures it
//! supports.

use super::*;

/// The recap for one collectivité.
pub(super) fn recapitulatif(
    r: &Resultat,
    (id, mut lignes): (&str, Vec<&LigneStructure>),
    fichier: String,
    fait: &FaitA,
) -> R<Option<Lettre>> {
    let Some(tc) = r.collectivites.get(id) else {
        return Ok(None);
    };
    let nom = nom_collectivite(r, id).to_string();
    lignes.sort_by(|a, b| {
        (a.structure.gestionnaire.as_str(), a.structure.nom.as_str())
            .cmp(&(b.structure.gestionnaire.as_str(), b.structure.nom.as_str()))
    });
    let tot = &tc.structures;
    let mut blocs = vec![entete(r, vec![nom.clone()])];
    blocs.push(Bloc::Objet(format!(
        "récapitulatif du bonus territoire CTG versé sur votre territoire — exercice {}",
        r.exercice
    )));
    blocs.push(Bloc::Paragraphe(vec![normal("Madame, Monsieur,")]));
    blocs.push(Bloc::Paragraphe(vec![
        normal(format!(
            "Pour l'exercice {}, la Caf verse directement aux gestionnaires des structures {} un bonus territoire de ",
            r.exercice,
            de(&nom)
        )),
        gras(montant_fr(tot.bonus_total)),
        normal(format!(
            ", pour {} structure{} éligible{} sur {} inscrite{} aux annexes 2 et 2 bis de la convention « {} »",
            tot.structures_eligibles,
            if tot.structures_eligibles > 1 { "s" } else { "" },
            if tot.structures_eligibles > 1 { "s" } else { "" },
            tot.structures,
            if tot.structures > 1 { "s" } else { "" },
            r.convention.nom
        )),
    ]));
    if let Some(Bloc::Paragraphe(p)) = blocs.last_mut() {
        p.extend(ouverture_ctre(tot, "leur")?);
    }
    if tc.verse_collectivite.0 != 0 {
        blocs.push(Bloc::Paragraphe(vec![
            normal("La Caf verse en outre directement à la collectivité (pilotage) "),
            gras(montant_fr(tc.verse_collectivite)),
            normal("."),
        ]));
    }
    blocs.push(Bloc::Paragraphe(charge_n1(tc)));
    blocs.push(Bloc::Titre("Bonus par composante".to_string()));
    blocs.push(Bloc::Tableau(tableau_composantes(tot)?));
    blocs.push(Bloc::Titre("Bonus par structure".to_string()));
    blocs.push(Bloc::Tableau(tableau_structures(&lignes, tot)));
    let mut sources = Vec::new();
    regles(r, &lignes, &mut blocs, &mut sources)?;
    contribution(r, &lignes, tot, &mut blocs, &mut sources);
    fin_de_lettre(
        &mut blocs,
        "Chaque gestionnaire reçoit sa propre lettre de notification, avec le détail du calcul de chacune de ses structures.",
        sources,
        fait,
    );
    Ok(Some(Lettre {
        genre: Genre::Collectivite,
        fichier,
        destinataire: nom.clone(),
        titre: format!("Bonus territoire CTG {} — récapitulatif {nom}", r.exercice),
        blocs,
    }))
}

/// Where the bonus comes from: the Caf's charge à payer N-1 for the territory, and what of
/// it is not redistributed (R8).
fn charge_n1(tc: &crate::calcul::TotauxCollectivite) -> Vec<Segment> {
    let mut p = vec![
        normal("Pour mémoire, la charge à payer N-1 de la Caf sur votre territoire (ancien contrat enfance jeunesse) s'élevait à "),
        gras(montant_fr(tc.charge_n1)),
    ];
    if tc.non_redistribue.0 == 0 {
        p.push(normal(" ; elle est entièrement redistribuée."));
    } else {
        p.push(normal(", dont "));
        p.push(gras(montant_fr(tc.non_redistribue)));
        p.push(normal(" ne sont pas redistribués (mois de fermeture, volet sans structure éligible ou inconnu du barème)."));
    }
    p
}

/// The collectivité's bonus part by part: the parts of the bonus territoire and their
/// sum, then the CTRE (outside it) and what the Caf pays the gestionnaires in all (R8).
fn tableau_composantes(tot: &Totaux) -> R<Tableau> {
    let mut t = Tableau {
        colonnes: colonnes(&[("Composante", 70, false), ("Montant", 30, true)]),
        lignes: Vec::new(),
    };
    let mut ligne = |texte: &str, m: Montant, gras: bool| {
        let groupe = t.lignes.len();
        t.lignes.push(LigneTableau {
            cellules: vec![texte.to_string(), montant_fr(m)],
            gras,
            groupe,
        });
    };
    for c in COMPOSANTES {
        ligne(c.libelle, (c.total)(tot), false);
    }
    ligne("Bonus territoire total", tot.bonus_total, true);
    if tot.bonus_ctre.0 != 0 {
        ligne(
            &format!("{LIBELLE_CTRE}, hors bonus territoire"),
            tot.bonus_ctre,
            false,
        );
        ligne(
            "Total versé par la Caf aux gestionnaires (bonus territoire + CTRE)",
            verse_caf(tot.bonus_total, tot.bonus_ctre)?,
            true,
        );
    }
    Ok(t)
}

/// The collectivité's structures: gestionnaire, eligible units, bonus, and the CTRE when
/// the Caf pays one on its territory; then the totals.
fn tableau_structures(lignes: &[&LigneStructure], tot: &Totaux) -> Tableau {
    let ctre = tot.bonus_ctre.0 != 0;
    let mut t = Tableau {
        colonnes: if ctre {
            colonnes(&[
                ("Structure", 32, false),
                ("Gestionnaire", 22, false),
                ("Unités éligibles", 12, true),
                ("Bonus territoire", 17, true),
                ("CTRE (hors bonus)", 17, true),
            ])
        } else {
            colonnes(&[
                ("Structure", 36, false),
                ("Gestionnaire", 24, false),
                ("Unités éligibles", 14, true),
                ("Bonus territoire", 26, true),
            ])
        },
        lignes: Vec::new(),
    };
    for (i, l) in lignes.iter().enumerate() {
        let mut cellules = vec![
            format!("{} ({})", l.structure.nom, l.structure.id),
            l.structure.gestionnaire.to_string(),
            unites_fr(l.unites_eligibles),
            montant_fr(l.bonus_total),
        ];
        if ctre {
            cellules.push(montant_fr(l.bonus_ctre));
        }
        t.lignes.push(LigneTableau {
            cellules,
            gras: false,
            groupe: i,
        });
    }
    let mut cellules = vec![
        "Total".into(),
        String::new(),
        String::new(),
        montant_fr(tot.bonus_total),
    ];
    if ctre {
        cellules.push(montant_fr(tot.bonus_ctre));
    }
    t.lignes.push(LigneTableau {
        cellules,
        gras: true,
        groupe: lignes.len(),
    });
    t
}
