//! One generated dossier: its collectivités and structures drawn from the seed.

use super::*;

pub(super) struct Coll {
    pub(super) id: String,
    pub(super) nom: String,
    pub(super) lieu: String,
    pub(super) tranche: u32,
    pub(super) signataire: bool,
}

pub(super) struct Ligne {
    pub(super) id: String,
    pub(super) annexe: &'static str,
    pub(super) gabarit: usize,
    pub(super) nom: String,
    pub(super) adresse: String,
    pub(super) gestionnaire: String,
    pub(super) collectivite: usize,
    pub(super) financement: &'static str,
    pub(super) soutien: bool,
    pub(super) existantes: i64,
    pub(super) nouvelles: i64,
    pub(super) employeurs: i64,
    pub(super) mois: i64,
    pub(super) contribution: i64,
    pub(super) bonus_n1: i64,
}

/// Options of the dossier's barème override.
#[derive(Default)]
pub(super) struct Surcharge {
    pub(super) plancher: bool,
    pub(super) troncature: bool,
    pub(super) ajustement: Option<&'static str>,
    pub(super) ludotheque: bool,
    pub(super) forfaits_alsh: bool,
}

pub(super) fn generer_dossier(
    k: usize,
    largeur: usize,
    premiere: usize,
    nb_structures: &[usize],
    graine: u64,
) -> DossierGenere {
    let mut g = Prng::new(graine);
    let nom_dossier = format!("ctg-{:0largeur$}", k + 1);
    let (style, surcharge) = style_et_surcharge(&mut g);
    let n = nb_structures.len();
    let colls = collectivites(&mut g, n, premiere);

    // structures
    let poids: Vec<u64> = GABARITS.iter().map(|t| t.poids).collect();
    let mut lignes: Vec<Ligne> = Vec::new();
    let mut compteur = vec![0usize; GABARITS.len()];
    for (c, &ns) in nb_structures.iter().enumerate() {
        for _ in 0..ns {
            let t = g.pondere(&poids);
            compteur[t] += 1;
            lignes.push(structure(&mut g, &colls, c, t, compteur[t], &surcharge));
        }
    }
    // a fixed row order would be unrealistic: rotate a little (files are sorted by humans)
    if lignes.len() > 2 && g.pour_mille(300) {
        let r = g.borne(lignes.len() as u64) as usize;
        lignes.rotate_left(r);
    }

    let convention = convention(&mut g, &nom_dossier, &colls);
    let structures = ecrire_structures(&style, &colls, &lignes);
    let charges = charges(&mut g, &style, &colls, &lignes, &surcharge);
    let bareme = bareme(&surcharge).map(|t| ("bareme.toml".to_string(), t));
    DossierGenere {
        nom: nom_dossier,
        fichiers: Fichiers {
            convention,
            structures,
            charges,
            bareme,
        },
        structures: lignes.len(),
        collectivites: n,
    }
}

/// The CSV writing of the dossier and its barème override.
fn style_et_surcharge(g: &mut Prng) -> (Style, Surcharge) {
    let style = Style {
        ecriture: if g.pour_mille(650) {
            Ecriture::ExcelFr
        } else {
            Ecriture::Point
        },
        milliers: g.pour_mille(500),
        disposition_b: g.pour_mille(300),
    };
    let surcharge = Surcharge {
        plancher: g.pour_mille(100),
        troncature: g.pour_mille(50),
        ajustement: if g.pour_mille(80) {
            Some(g.choix(&["integral", "aucun"]))
        } else {
            None
        },
        ludotheque: g.pour_mille(100),
        forfaits_alsh: g.pour_mille(60),
    };
    (style, surcharge)
}

/// The `n` collectivités: the first one is the intercommunality when there are several.
fn collectivites(g: &mut Prng, n: usize, premiere: usize) -> Vec<Coll> {
    (0..n)
        .map(|i| {
            let lieu = nom_lieu(g);
            let epci = n > 1 && i == 0;
            Coll {
                id: if epci {
                    format!("EPCI-{:05}", premiere + i + 1)
                } else {
                    format!("COM-{:05}", premiere + i + 1)
                },
                nom: if epci {
                    format!("Communauté de communes de {lieu}")
                } else if n == 1 {
                    format!("Ville de {lieu}")
                } else {
                    format!("Commune de {lieu}")
                },
                lieu,
                tranche: [1, 2, 2, 2, 2, 3, 3, 3, 1, 2][g.borne(10) as usize],
                signataire: epci || !g.pour_mille(40),
            }
        })
        .collect()
}

pub(super) fn multiple(g: &mut Prng, (lo, hi, pas): (i64, i64, i64)) -> i64 {
    if hi <= lo {
        return lo;
    }
    lo + g.entre(0, (hi - lo) / pas) * pas
}

pub(super) fn structure(
    g: &mut Prng,
    colls: &[Coll],
    c: usize,
    t: usize,
    rang: usize,
    surcharge: &Surcharge,
) -> Ligne {
    let gab = &GABARITS[t];
    let coll = &colls[c];
    // the draws in this order: a seed always gives the same dossier
    let (libelle, financement, existantes, soutien) = genre(g, gab);
    let (a_volet, annexe) = annexe(g, gab, surcharge);
    let (existantes, nouvelles, mois, employeurs) = unites_et_mois(g, gab, financement, existantes);
    let (contribution, bonus_n1) =
        montants_n1(g, gab, soutien, existantes, annexe == "2" && a_volet);
    let (gestionnaire, adresse) = gestionnaire_et_adresse(g, coll, financement);
    Ligne {
        id: format!("{}-{}-{:04}", coll.id, gab.abrege, rang),
        annexe,
        gabarit: t,
        nom: format!("{libelle} {}", g.choix(NOMS_ACCUEIL)),
        adresse,
        gestionnaire,
        collectivite: c,
        financement,
        soutien,
        existantes,
        nouvelles,
        employeurs,
        mois,
        contribution,
        bonus_n1,
    }
}

/// The structure's label, financing, existing units and the collectivité's support (a PAJE
/// micro-crèche: 10 to 12 places, often without support).
fn genre(g: &mut Prng, gab: &Gabarit) -> (&'static str, &'static str, i64, bool) {
    let mut libelle = g.choix(gab.libelles);
    let mut financement = match gab.code {
        "EAJE" => "PSU",
        "LUDOTHEQUE" | "PILOTAGE" => "AUCUN",
        "MEDIATHEQUE" | "AUTRE" => g.choix(&["AUCUN", "PSO"]),
        _ => "PSO",
    };
    let mut existantes = multiple(g, gab.unites);
    let mut soutien = !g.pour_mille(30);
    // PAJE micro-crèches: 10 to 12 places, often without the collectivité's support
    if gab.code == "EAJE" && g.pour_mille(150) {
        financement = "PAJE";
        libelle = "Micro-crèche";
        existantes = g.entre(10, 12) * 100;
        soutien = !g.pour_mille(500);
    }
    (libelle, financement, existantes, soutien)
}

/// Whether the structure's type has a volet, and its annexe (now and then an annexe 2
/// without a volet: W001).
fn annexe(g: &mut Prng, gab: &Gabarit, surcharge: &Surcharge) -> (bool, &'static str) {
    let a_volet = gab
        .volet
        .is_some_and(|v| v != "LUDOTHEQUE" || surcharge.ludotheque);
    let annexe = if a_volet {
        if g.pour_mille(50) {
            "2bis"
        } else {
            "2"
        }
    } else if g.pour_mille(5) {
        "2" // W001: annexe 2 without a volet
    } else {
        "2bis"
    };
    (a_volet, annexe)
}

/// Existing, new and employers' units and the months open: new places, part-year
/// opening, a brand-new structure, places reserved to employers.
fn unites_et_mois(
    g: &mut Prng,
    gab: &Gabarit,
    financement: &str,
    mut existantes: i64,
) -> (i64, i64, i64, i64) {
    // new units: EAJE places (and ALSH places when the dossier has ALSH forfaits)
    let mut nouvelles = 0;
    if (gab.code == "EAJE" && financement == "PSU" && g.pour_mille(120))
        || (gab.volet == Some("ALSH") && g.pour_mille(80))
    {
        nouvelles = g.entre(1, 15) * 100;
    }
    let mut mois = 12;
    if g.pour_mille(60) {
        mois = g.entre(1, 11);
    } else if g.pour_mille(10) {
        mois = 0;
    }
    // a brand-new structure: no existing units, only new ones, opened during the year
    if gab.code == "EAJE" && financement == "PSU" && g.pour_mille(20) {
        existantes = 0;
        nouvelles = g.entre(10, 40) * 100;
        mois = g.entre(1, 11);
    }
    let employeurs = if gab.code == "EAJE" && existantes > 0 && g.pour_mille(120) {
        (g.entre(1, 10) * 100).min(existantes)
    } else {
        0
    };
    (existantes, nouvelles, mois, employeurs)
}

/// The contribution and the bonus N−1 (a bonus only in annexe 2 with a volet:
/// `annexe_2_volet`).
fn montants_n1(
    g: &mut Prng,
    gab: &Gabarit,
    soutien: bool,
    existantes: i64,
    annexe_2_volet: bool,
) -> (i64, i64) {
    let unites_payees = existantes.max(100);
    let contribution = if gab.contribution_par_unite.1 == 0 || !soutien && g.pour_mille(700) {
        0
    } else if existantes == 0 {
        g.entre(gab.contribution_par_unite.0, gab.contribution_par_unite.1)
    } else {
        unites_payees * g.entre(gab.contribution_par_unite.0, gab.contribution_par_unite.1) / 100
    };
    let bonus_n1 = if annexe_2_volet && g.pour_mille(700) && existantes > 0 {
        existantes * g.entre(gab.charge_par_unite.0, gab.charge_par_unite.1) / 100
    } else {
        0
    };
    (contribution, bonus_n1)
}

/// Who runs the structure (the collectivité itself, an association, a company, its CCAS; a
/// company for a PAJE micro-crèche) and its address.
fn gestionnaire_et_adresse(g: &mut Prng, coll: &Coll, financement: &str) -> (String, String) {
    let gestionnaire = match g.borne(20) {
        0..=11 => coll.nom.clone(),
        12..=16 => format!("Association {}", g.choix(NOMS_ACCUEIL)),
        17 | 18 => format!("Entreprise de crèches n° {}", g.entre(1, 40)),
        _ => format!("CCAS de {}", coll.lieu),
    };
    let gestionnaire = if financement == "PAJE" {
        format!("Micro-crèches {} SAS", g.choix(NOMS_ACCUEIL))
    } else {
        gestionnaire
    };
    let adresse = format!(
        "{} {}, {:05} {}",
        g.entre(1, 120),
        g.choix(RUES),
        g.entre(1000, 95999),
        coll.lieu
    );
    (gestionnaire, adresse)
}
