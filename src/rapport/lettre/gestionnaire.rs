//! The letter to one gestionnaire: its structures, each with the parts of its bonus, the
//! rules that produced them and what the collectivité then pays.

use super::*;

/// The letter to one gestionnaire.
pub(super) fn lettre_gestionnaire(
    r: &Resultat,
    (gestionnaire, lignes): (&str, Vec<&LigneStructure>),
    total: &Totaux,
    fichier: String,
    fait: &FaitA,
) -> R<Lettre> {
    let mut blocs = vec![entete(r, vec![gestionnaire.to_string()])];
    blocs.push(Bloc::Objet(format!(
        "notification du bonus territoire CTG — exercice {}",
        r.exercice
    )));
    blocs.push(Bloc::Paragraphe(vec![normal("Madame, Monsieur,")]));
    let mut ouverture = vec![
        normal(format!(
            "Dans le cadre de la convention territoriale globale « {} » conclue entre {} et {}, la Caf verse directement aux gestionnaires des structures inscrites en annexe 2 le bonus territoire. Pour l'exercice {}, le bonus territoire attribué au gestionnaire {gestionnaire} s'élève à ",
            r.convention.nom,
            la_caf(&r.convention.caf),
            signataires(r),
            r.exercice
        )),
        gras(montant_fr(total.bonus_total)),
        normal(match total.structures_eligibles {
            0 => " : aucune de ses structures n'est éligible (motifs ci-dessous)".to_string(),
            1 => " pour 1 structure éligible".to_string(),
            n => format!(" pour {n} structures éligibles"),
        }),
    ];
    ouverture.extend(ouverture_ctre(total, "lui")?);
    blocs.push(Bloc::Paragraphe(ouverture));
    blocs.push(Bloc::Titre("Bonus par structure".to_string()));
    blocs.push(Bloc::Tableau(tableau_gestionnaire(
        r,
        &lignes,
        gestionnaire,
        total,
    )?));
    let mut sources = Vec::new();
    regles(r, &lignes, &mut blocs, &mut sources)?;
    contribution(r, &lignes, total, &mut blocs, &mut sources);
    fin_de_lettre(
        &mut blocs,
        if total.bonus_ctre.0 == 0 {
            "Le bonus territoire est versé par la Caf au gestionnaire ; chaque collectivité signataire reçoit le récapitulatif des bonus versés sur son territoire."
        } else {
            "Le bonus territoire et le CTRE sont versés par la Caf au gestionnaire ; chaque collectivité signataire reçoit le récapitulatif des bonus versés sur son territoire."
        },
        sources,
        fait,
    );
    Ok(Lettre {
        genre: Genre::Gestionnaire,
        fichier,
        destinataire: gestionnaire.to_string(),
        titre: format!("Bonus territoire CTG {} — {gestionnaire}", r.exercice),
        blocs,
    })
}

/// A row of the table of a gestionnaire's bonus.
fn rangee(cellules: [String; 4], gras: bool, groupe: usize) -> LigneTableau {
    LigneTableau {
        cellules: cellules.into(),
        gras,
        groupe,
    }
}

/// The gestionnaire's bonus, structure by structure and part by part, then its totals:
/// the parts of the bonus territoire and their sum, then the CTRE (outside it) and what the
/// Caf pays in all (R8). Every total shown is the sum of the rows above it.
fn tableau_gestionnaire(
    r: &Resultat,
    lignes: &[&LigneStructure],
    gestionnaire: &str,
    total: &Totaux,
) -> R<Tableau> {
    let mut t = Tableau {
        colonnes: colonnes(&[
            ("Structure", 28, false),
            ("Part", 19, false),
            ("Base de calcul", 35, false),
            ("Montant", 18, true),
        ]),
        lignes: Vec::new(),
    };
    for (i, l) in lignes.iter().enumerate() {
        t.lignes.extend(lignes_structure(r, l, i)?);
    }
    let n = lignes.len();
    let mut premiere = true;
    let tete = |premiere: &mut bool| {
        if std::mem::take(premiere) {
            format!("Total {gestionnaire}")
        } else {
            String::new()
        }
    };
    for c in COMPOSANTES {
        let montre = (c.total)(total).0 != 0
            || lignes
                .iter()
                .any(|l| l.motif() == Motif::Eligible && (c.concerne)(r, l));
        if montre {
            t.lignes.push(rangee(
                [
                    tete(&mut premiere),
                    c.libelle.to_string(),
                    String::new(),
                    montant_fr((c.total)(total)),
                ],
                false,
                n,
            ));
        }
    }
    t.lignes.push(rangee(
        [
            tete(&mut premiere),
            "Bonus territoire".into(),
            String::new(),
            montant_fr(total.bonus_total),
        ],
        true,
        n,
    ));
    if lignes.iter().any(|l| a_une_ligne_ctre(l)) {
        t.lignes.push(rangee(
            [
                String::new(),
                LIBELLE_CTRE.into(),
                "hors bonus territoire".into(),
                montant_fr(total.bonus_ctre),
            ],
            false,
            n,
        ));
        if total.bonus_ctre.0 != 0 {
            t.lignes.push(rangee(
                [
                    String::new(),
                    "Total versé par la Caf".into(),
                    "bonus territoire + CTRE".into(),
                    montant_fr(verse_caf(total.bonus_total, total.bonus_ctre)?),
                ],
                true,
                n,
            ));
        }
    }
    Ok(t)
}

/// The rows of structure `l` (the `i`-th): each part with its basis and the bonus
/// territoire when eligible, the reason otherwise; then its CTRE (outside the bonus) and
/// what the Caf pays for it in all, when it has employer places.
fn lignes_structure(r: &Resultat, l: &LigneStructure, i: usize) -> R<Vec<LigneTableau>> {
    let mut nom = Some(format!("{} ({})", l.structure.nom, l.structure.id));
    let mut tete = || nom.take().unwrap_or_default();
    let volet = l.eligibilite.volet().and_then(|v| r.bareme.volets.get(v));
    let mut lignes = Vec::new();
    match (l.motif(), volet) {
        (Motif::Eligible, Some(v)) => {
            for c in COMPOSANTES.iter().filter(|c| (c.concerne)(r, l)) {
                lignes.push(rangee(
                    [
                        tete(),
                        c.libelle.to_string(),
                        (c.base)(r, l, v)?,
                        montant_fr((c.montant)(l)),
                    ],
                    false,
                    i,
                ));
            }
            lignes.push(rangee(
                [
                    tete(),
                    "Bonus territoire".into(),
                    format!("volet {}", v.nom),
                    montant_fr(l.bonus_total),
                ],
                true,
                i,
            ));
        }
        (m, _) => lignes.push(rangee(
            [
                tete(),
                "Non éligible".into(),
                format!("bonus territoire : {}", m.libelle()),
                montant_fr(l.bonus_total),
            ],
            false,
            i,
        )),
    }
    if a_une_ligne_ctre(l) {
        lignes.push(rangee(
            [
                tete(),
                LIBELLE_CTRE.into(),
                composantes::base_ctre(l),
                montant_fr(l.bonus_ctre),
            ],
            false,
            i,
        ));
        if l.bonus_ctre.0 != 0 {
            lignes.push(rangee(
                [
                    tete(),
                    "Total versé par la Caf".into(),
                    "bonus territoire + CTRE".into(),
                    montant_fr(verse_caf(l.bonus_total, l.bonus_ctre)?),
                ],
                true,
                i,
            ));
        }
    }
    Ok(lignes)
}
