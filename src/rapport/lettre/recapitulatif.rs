//! The recap letter of a collectivité: its bonus by component and the structures it
//! supports.

use super::*;

/// The recap for one collectivité.
pub(super) fn recapitulatif(r: &Resultat, id: &str, fichier: String) -> R<Option<Lettre>> {
    let Some(tc) = r.collectivites.get(id) else {
        return Ok(None);
    };
    let nom = nom_collectivite(r, id).to_string();
    let mut lignes: Vec<&LigneStructure> = r
        .structures
        .iter()
        .filter(|l| l.structure.collectivite == id)
        .collect();
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
            "Pour l'exercice {}, la Caf verse directement aux gestionnaires des structures de {nom} un bonus territoire de ",
            r.exercice
        )),
        gras(montant_fr(tot.bonus_total)),
        normal(format!(
            ", pour {} structure{} éligible{} sur {} inscrite{} aux annexes 2 et 2 bis de la convention « {} ». Chaque gestionnaire reçoit sa propre lettre de notification.",
            tot.structures_eligibles,
            if tot.structures_eligibles > 1 { "s" } else { "" },
            if tot.structures_eligibles > 1 { "s" } else { "" },
            tot.structures,
            if tot.structures > 1 { "s" } else { "" },
            r.convention.nom
        )),
    ]));
    if tc.verse_collectivite.0 != 0 {
        blocs.push(Bloc::Paragraphe(vec![
            normal("La Caf verse en outre directement à la collectivité (pilotage) "),
            gras(montant_fr(tc.verse_collectivite)),
            normal("."),
        ]));
    }
    blocs.push(Bloc::Titre("Bonus par composante".to_string()));
    blocs.push(Bloc::Tableau(tableau_composantes(tot)));
    blocs.push(Bloc::Titre("Bonus par structure".to_string()));
    blocs.push(Bloc::Tableau(tableau_structures(&lignes, tot)));
    regles(r, &lignes, &mut blocs)?;
    contribution(r, &lignes, tot, &mut blocs);
    blocs.push(Bloc::Paragraphe(vec![normal(
        "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
    )]));
    blocs.push(signature());
    Ok(Some(Lettre {
        genre: Genre::Collectivite,
        fichier,
        destinataire: nom.clone(),
        titre: format!("Bonus territoire CTG {} — récapitulatif {nom}", r.exercice),
        blocs,
    }))
}

/// The collectivité's bonus part by part.
fn tableau_composantes(tot: &Totaux) -> Tableau {
    let mut t = Tableau {
        colonnes: colonnes(&[("Composante", 70, false), ("Montant", 30, true)]),
        lignes: Vec::new(),
    };
    for (i, c) in COMPOSANTES.iter().enumerate() {
        t.lignes.push(LigneTableau {
            cellules: vec![c.libelle.to_string(), montant_fr((c.total)(tot))],
            gras: false,
            groupe: i,
        });
    }
    t.lignes.push(LigneTableau {
        cellules: vec!["Bonus total".into(), montant_fr(tot.bonus_total)],
        gras: true,
        groupe: COMPOSANTES.len(),
    });
    t
}

/// The collectivité's structures: gestionnaire, eligible units, bonus; then the total.
fn tableau_structures(lignes: &[&LigneStructure], tot: &Totaux) -> Tableau {
    let mut t = Tableau {
        colonnes: colonnes(&[
            ("Structure", 36, false),
            ("Gestionnaire", 24, false),
            ("Unités éligibles", 14, true),
            ("Bonus", 26, true),
        ]),
        lignes: Vec::new(),
    };
    for (i, l) in lignes.iter().enumerate() {
        t.lignes.push(LigneTableau {
            cellules: vec![
                format!("{} ({})", l.structure.nom, l.structure.id),
                l.structure.gestionnaire.to_string(),
                unites_fr(l.unites_eligibles),
                montant_fr(l.bonus_total),
            ],
            gras: false,
            groupe: i,
        });
    }
    t.lignes.push(LigneTableau {
        cellules: vec![
            "Total".into(),
            String::new(),
            String::new(),
            montant_fr(tot.bonus_total),
        ],
        gras: true,
        groupe: lignes.len(),
    });
    t
}
