//! The terminal report of `bonus-ctg projeter` (`--format table`): one table per step of
//! the projection.

use super::{evenements_appliques, nom_base, pourcent, RANGS_TOTAUX};
use crate::calcul::rationnel::R;
use crate::projection::trajectoire::TrajectoireCollectivite;
use crate::projection::{LigneProjetee, Projection, TotauxAnnee};
use crate::rapport::{groupe_fr, montant_fr};
use comfy_table::{presets, Cell, CellAlignment, ContentArrangement, Table};
use std::fmt::Write;

fn nouvelle_table(entetes: &[String], largeur: Option<u16>) -> Table {
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(l) = largeur {
        t.set_width(l);
    }
    t.set_header(entetes.iter().map(Cell::new));
    t
}

fn droite(s: String) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

/// The terminal report of the projection: header, totals per year, per collectivité,
/// trajectoire, per structure, events applied.
pub fn table(pr: &Projection, largeur: Option<u16>) -> R<String> {
    let mut o = String::new();
    entete_table(&mut o, pr);
    let mut entetes = vec![String::new(), format!("N-1 ({})", pr.n1.exercice)];
    entetes.extend(pr.annees.iter().map(|a| a.exercice.to_string()));
    table_totaux(&mut o, pr, &entetes, largeur);
    if pr.convention.collectivites.len() > 1 {
        table_par_collectivite(&mut o, pr, &entetes, largeur);
    }
    table_trajectoire(&mut o, pr, largeur)?;
    table_structures(&mut o, pr, largeur);
    liste_evenements(&mut o, pr);
    let _ = writeln!(
        o,
        "\nDétail d'un chiffre : bonus-ctg expliquer DOSSIER ID --annee ANNEE"
    );
    Ok(o)
}

fn entete_table(o: &mut String, pr: &Projection) {
    let _ = writeln!(
        o,
        "{} — {} — projection {}–{} — base {} ({})",
        pr.convention.nom,
        pr.convention.caf,
        pr.premiere,
        pr.derniere,
        nom_base(pr.base),
        pr.origine_base
    );
    let _ = writeln!(o, "{} événement(s) pris en compte\n", pr.nombre_evenements);
}

/// Totals per year, N−1 first.
fn table_totaux(o: &mut String, pr: &Projection, entetes: &[String], largeur: Option<u16>) {
    let mut colonnes: Vec<&TotauxAnnee> = vec![&pr.n1];
    colonnes.extend(pr.annees.iter().map(|a| &a.totaux));
    let _ = writeln!(o, "Totaux par année : Caf et collectivités");
    let mut t = nouvelle_table(entetes, largeur);
    for x in RANGS_TOTAUX {
        let mut r = vec![Cell::new(x.libelle)];
        for (k, c) in colonnes.iter().enumerate() {
            // N−1: only what the dossier states (charge à payer, contributions)
            r.push(droite(if k > 0 || x.connu_n1 {
                montant_fr((x.valeur)(c))
            } else {
                "—".into()
            }));
        }
        t.add_row(r);
    }
    o.push_str(&t.to_string());
    let _ = writeln!(
        o,
        "\n(N-1 : « TOTAL Caf » = charge à payer N-1 de charges_n1.csv ; « financement public » = contributions N-1 + bonus N-1 versé directement aux structures. Chaque année suivante : A = ce que la Caf a versé l'année précédente, R22.)"
    );
}

/// Caf / contributions per collectivité and year (only when there are several).
fn table_par_collectivite(
    o: &mut String,
    pr: &Projection,
    entetes: &[String],
    largeur: Option<u16>,
) {
    let _ = writeln!(o, "\nPar collectivité : Caf / contributions");
    let mut t = nouvelle_table(entetes, largeur);
    for c in &pr.convention.collectivites {
        let mut r = vec![Cell::new(&c.id)];
        let mut cols = vec![pr.n1_par_collectivite.get(&c.id)];
        cols.extend(pr.annees.iter().map(|a| a.par_collectivite.get(&c.id)));
        for x in cols {
            r.push(droite(x.map_or("—".into(), |x| {
                format!(
                    "{} / {}",
                    montant_fr(x.verse_caf),
                    montant_fr(x.contribution_collectivite)
                )
            })));
        }
        t.add_row(r);
    }
    o.push_str(&t.to_string());
    o.push('\n');
}

/// The bonus trajectoire per year, collectivité and volet.
fn table_trajectoire(o: &mut String, pr: &Projection, largeur: Option<u16>) -> R<()> {
    let _ = writeln!(
        o,
        "\nBonus trajectoire de développement (docs/regles.md R24)"
    );
    let mut t = nouvelle_table(
        &[
            "exercice",
            "collectivité",
            "volet",
            "places réf.",
            "places déc.",
            "croissance",
            "seuil atteint",
            "€/place/an",
            "versé",
        ]
        .map(String::from),
        largeur,
    );
    let mut aucune = true;
    for a in &pr.annees {
        for x in &a.trajectoire {
            aucune = false;
            t.add_row(rang_trajectoire(a.exercice, x)?);
        }
    }
    if aucune {
        let _ = writeln!(o, "  aucun bonus trajectoire en vigueur sur la période");
    } else {
        o.push_str(&t.to_string());
        o.push('\n');
    }
    Ok(())
}

fn rang_trajectoire(exercice: i32, x: &TrajectoireCollectivite) -> R<Vec<Cell>> {
    Ok(vec![
        Cell::new(exercice),
        Cell::new(&x.collectivite),
        Cell::new(&x.volet),
        droite(format!(
            "{} ({})",
            groupe_fr(&x.places_reference.to_string()),
            x.annee_reference
        )),
        droite(groupe_fr(&x.places.to_string())),
        droite(match &x.croissance {
            Some(c) => format!("{} %", pourcent(c)?),
            None => "—".into(),
        }),
        droite(match x.seuil {
            Some(s) => format!(
                "{} %",
                groupe_fr(
                    &(s * rust_decimal::Decimal::from(100))
                        .normalize()
                        .to_string()
                )
            ),
            None => "aucun".into(),
        }),
        droite(montant_fr(x.montant_par_place)),
        droite(montant_fr(x.verse)),
    ])
}

/// Bonus total Caf / contribution per structure and year.
fn table_structures(o: &mut String, pr: &Projection, largeur: Option<u16>) {
    let _ = writeln!(
        o,
        "\nPar structure : bonus total Caf / contribution de la collectivité"
    );
    let mut entetes = vec!["id".to_string(), "volet".into()];
    for a in &pr.annees {
        entetes.push(format!("{} Caf", a.exercice));
        entetes.push(format!("{} collect.", a.exercice));
    }
    let mut t = nouvelle_table(&entetes, largeur);
    if let Some(premiere) = pr.annees.first() {
        for l in &premiere.lignes {
            let mut r = vec![
                Cell::new(&l.id),
                Cell::new(l.volet.as_deref().unwrap_or("—")),
            ];
            for a in &pr.annees {
                match a.ligne(&l.id) {
                    Some(x) => {
                        r.push(droite(bonus_annote(x)));
                        r.push(droite(montant_fr(x.contribution_n)));
                    }
                    None => {
                        r.push(droite("—".into()));
                        r.push(droite("—".into()));
                    }
                }
            }
            t.add_row(r);
        }
    }
    o.push_str(&t.to_string());
    o.push('\n');
}

/// The bonus total of a structure-year, with its trajectoire part, its motif when not
/// eligible, or its months when open part of the year.
fn bonus_annote(x: &LigneProjetee) -> String {
    let mut b = montant_fr(x.bonus_total);
    if x.bonus_trajectoire.0 > 0 {
        b = format!("{b} (dont traj. {})", montant_fr(x.bonus_trajectoire));
    }
    if x.motif != crate::calcul::eligibilite::Motif::Eligible {
        b = format!("{b} [{}]", x.motif.code());
    } else if x.mois < 12 {
        b = format!("{b} [{} mois]", x.mois);
    }
    b
}

fn liste_evenements(o: &mut String, pr: &Projection) {
    let evs = evenements_appliques(pr);
    if !evs.is_empty() {
        let _ = writeln!(o, "\nÉvénements appliqués ({} ; un changement compte au mois qui suit sa date, sauf le 1er : R21)", pr.source_evenements);
        for e in evs {
            let _ = writeln!(o, "  {e}");
        }
    }
}
