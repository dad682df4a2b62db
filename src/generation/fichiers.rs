//! The texts of a generated dossier: convention.toml, structures.csv, charges_n1.csv and
//! the optional bareme.toml.

use super::*;
use std::fmt::Write as _;

pub(super) fn convention(g: &mut Prng, nom_dossier: &str, colls: &[Coll]) -> String {
    let an_debut = g.entre(2022, EXERCICE as i64);
    let mois_debut = if g.pour_mille(300) { 7 } else { 1 };
    let an_fin = (an_debut + g.entre(3, 4)).max(EXERCICE as i64);
    let mut o = String::new();
    let _ = writeln!(o, "# Dossier synthétique {nom_dossier} (bonus-ctg generer)");
    let _ = writeln!(
        o,
        "nom = \"CTG {} {an_debut}-{an_fin}\"",
        colls.first().map_or("", |c| c.nom.as_str())
    );
    let _ = writeln!(o, "caf = \"Caf synthétique\"");
    let _ = writeln!(o, "debut = {an_debut}-{mois_debut:02}-01");
    let _ = writeln!(o, "fin = {an_fin}-12-31");
    let _ = writeln!(o, "exercice = {EXERCICE}");
    for c in colls {
        let _ = writeln!(o, "\n[[collectivites]]");
        let _ = writeln!(o, "id = \"{}\"", c.id);
        let _ = writeln!(o, "nom = \"{}\"", c.nom);
        let _ = writeln!(o, "tranche = {}", c.tranche);
        if !c.signataire || g.pour_mille(300) {
            let _ = writeln!(o, "signataire = {}", c.signataire);
        }
    }
    o
}

pub(super) fn ecrire_structures(style: &Style, colls: &[Coll], lignes: &[Ligne]) -> String {
    let colonnes: &[&str] = if style.disposition_b {
        &[
            "collectivite",
            "id",
            "type",
            "annexe",
            "nom",
            "gestionnaire",
            "financement",
            "unites_existantes",
            "unites_employeurs",
            "unites_nouvelles",
            "mois_ouverture",
            "soutien_collectivite",
            "bonus_n1",
            "contribution_collectivite_n1",
            "observation",
        ]
    } else {
        // the v1 columns (the generator draws no new employer place)
        &crate::lecture::COLONNES_STRUCTURES[..15]
    };
    let mut o = String::with_capacity(lignes.len() * 220 + 300);
    if style.ecriture == Ecriture::ExcelFr {
        o.push('\u{feff}');
    }
    style.ligne(
        &mut o,
        &colonnes.iter().map(|s| s.to_string()).collect::<Vec<_>>(),
    );
    let oui_non = |b: bool| match style.ecriture {
        Ecriture::ExcelFr => if b { "oui" } else { "non" }.to_string(),
        Ecriture::Point => if b { "true" } else { "false" }.to_string(),
    };
    let mut champs = Vec::with_capacity(colonnes.len());
    for l in lignes {
        champs.clear();
        for c in colonnes {
            champs.push(match *c {
                "id" => l.id.clone(),
                "annexe" => l.annexe.to_string(),
                "type" => GABARITS[l.gabarit].code.to_string(),
                "nom" => l.nom.clone(),
                "adresse" => l.adresse.clone(),
                "gestionnaire" => l.gestionnaire.clone(),
                "collectivite" => colls[l.collectivite].id.clone(),
                "financement" => l.financement.to_string(),
                "soutien_collectivite" => oui_non(l.soutien),
                "unites_existantes" => style.centiemes(l.existantes, false),
                "unites_nouvelles" => style.centiemes(l.nouvelles, false),
                "unites_employeurs" => style.centiemes(l.employeurs, false),
                "mois_ouverture" => l.mois.to_string(),
                "contribution_collectivite_n1" => style.centiemes(l.contribution, true),
                "bonus_n1" => style.centiemes(l.bonus_n1, true),
                _ => String::new(), // observation: empty
            });
        }
        style.ligne(&mut o, &champs);
    }
    o
}

/// The volets of the built-in barème (and the local LUDOTHEQUE one) that get charges, and
/// the range of the N-1 charge per unit of each (cents per unit), drawn once per
/// (collectivité, volet).
const VOLETS: [&str; 5] = ["EAJE", "RPE", "LAEP", "ALSH", "LUDOTHEQUE"];
const TAUX: [(i64, i64); 5] = [
    (80_000, 200_000),
    (800_000, 1_500_000),
    (1_000, 2_500),
    (10_000, 40_000),
    (300_000, 800_000),
];

/// Units of the annexe 2 structures per (collectivité, volet of [`VOLETS`]).
fn unites_par_volet(colls: &[Coll], lignes: &[Ligne]) -> Vec<[i64; 5]> {
    let mut unites = vec![[0i64; 5]; colls.len()];
    for l in lignes {
        if let Some(v) = GABARITS[l.gabarit].volet {
            if let Some(k) = VOLETS.iter().position(|x| *x == v) {
                if l.annexe == "2" && l.financement != "PAJE" {
                    unites[l.collectivite][k] += l.existantes.max(100);
                }
            }
        }
    }
    unites
}

/// The charge of volet `v` for a collectivité: one line, or sometimes two (a part of it
/// written as a regularisation, with the volet in lower case).
fn ligne_de_charge(g: &mut Prng, style: &Style, o: &mut String, id: &str, v: &str, montant: i64) {
    if montant > 200_000 && g.pour_mille(150) {
        let part = montant * g.entre(5, 25) / 100;
        let l1 = [
            id.to_string(),
            v.to_string(),
            style.centiemes(montant - part, true),
            format!("Bonus territoire {} {v}", EXERCICE - 1),
        ];
        let l2 = [
            id.to_string(),
            v.to_lowercase(),
            style.centiemes(part, false),
            format!("Régularisation PSEJ {} {v}", EXERCICE - 3),
        ];
        style.ligne(o, &l1);
        style.ligne(o, &l2);
    } else {
        style.ligne(
            o,
            &[
                id.to_string(),
                v.to_string(),
                style.centiemes(montant, true),
                format!("Bonus territoire {} {v}", EXERCICE - 1),
            ],
        );
    }
}

pub(super) fn charges(
    g: &mut Prng,
    style: &Style,
    colls: &[Coll],
    lignes: &[Ligne],
    surcharge: &Surcharge,
) -> String {
    let unites = unites_par_volet(colls, lignes);
    let mut o = String::new();
    if style.ecriture == Ecriture::ExcelFr {
        o.push('\u{feff}');
    }
    let entete: Vec<String> = ["collectivite", "volet", "montant", "libelle"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    style.ligne(&mut o, &entete);
    for (c, coll) in colls.iter().enumerate() {
        if !coll.signataire {
            continue; // a non-signatory collectivité has no bonus territoire charge
        }
        for (k, v) in VOLETS.iter().enumerate() {
            if *v == "LUDOTHEQUE" && !surcharge.ludotheque {
                continue;
            }
            let u = unites[c][k];
            let sans_structure = u == 0 && g.pour_mille(5); // W002: nothing to share it on
            if u == 0 && !sans_structure {
                continue;
            }
            let par_unite = g.entre(TAUX[k].0, TAUX[k].1);
            let montant = if sans_structure {
                g.entre(100_000, 2_000_000)
            } else {
                (u * par_unite / 100).min(50_000_000_000)
            };
            ligne_de_charge(g, style, &mut o, &coll.id, v, montant);
        }
        // coordination post of the intercommunality (or of a large city)
        if c == 0 && (colls.len() > 1 || g.pour_mille(300)) && g.pour_mille(600) {
            style.ligne(
                &mut o,
                &[
                    coll.id.clone(),
                    "PILOTAGE".into(),
                    style.centiemes(g.entre(1_000_000, 4_000_000), true),
                    "Bonus territoire poste de chargé(e) de coopération".into(),
                ],
            );
        }
    }
    o
}

pub(super) fn bareme(s: &Surcharge) -> Option<String> {
    let mut o = String::new();
    if s.troncature {
        o.push_str("arrondi = \"troncature\"\n");
    }
    if let Some(a) = s.ajustement {
        let _ = writeln!(o, "ajustement_contribution = \"{a}\"");
    }
    if s.plancher {
        o.push_str("\n[volets.EAJE]\nplancher = \"1500\"\nrevalorisation = \"0.02\"\n");
    }
    if s.forfaits_alsh {
        o.push_str(concat!(
            "\n[[volets.ALSH.forfaits_nouvelles]]\n",
            "debut = 2024-01-01\n",
            "valeur = [\"1000\", \"800\", \"600\"]\n",
            "reference = \"dossier synthétique : forfaits ALSH pour atteindre le plafond\"\n",
            "statut = \"hypothese\"\n",
        ));
    }
    if s.ludotheque {
        o.push_str(concat!(
            "\n[volets.LUDOTHEQUE]\n",
            "types = [{ debut = 2020-01-01, valeur = [\"LUDOTHEQUE\"], reference = \"volet local (dossier synthétique)\", statut = \"hypothese\" }]\n",
            "financement = [{ debut = 2020-01-01, valeur = [\"PSO\", \"AUCUN\"], reference = \"choix local\", statut = \"hypothese\" }]\n",
            "unite = [{ debut = 2020-01-01, valeur = \"structure\", reference = \"choix local\", statut = \"hypothese\" }]\n",
        ));
    }
    if o.is_empty() {
        None
    } else {
        Some(format!(
            "# Surcharge du barème intégré (dossier synthétique, bonus-ctg generer)\n{o}"
        ))
    }
}
