//! Property tests (proptest) of R9 and R66 over random dossiers:
//! Σ lissage = A in the full-year no-floor case; every line within one cent of its exact
//! share; invariance under row order; ineligible ⇒ 0; A + C = L + R per group; grand total =
//! sum of its lines; no panic on arbitrary text.

use bonus_ctg::bareme::{Arrondi, Bareme, BaremeExercice, Grille, Versement};
use bonus_ctg::calcul::eligibilite::Motif;
use bonus_ctg::calcul::rationnel::Rationnel;
use bonus_ctg::calcul::{calculer, Resultat};
use bonus_ctg::diagnostic::{Code, Diagnostics, Origine};
use bonus_ctg::lecture::{analyser_dossier, Fichiers};
use bonus_ctg::modele::*;
use bonus_ctg::rapport::{csv, Profil};
use proptest::prelude::*;
use rust_decimal::Decimal;

const TYPES: &[TypeStructure] = &[
    TypeStructure::Eaje,
    TypeStructure::Eaje,
    TypeStructure::Eaje,
    TypeStructure::Rpe,
    TypeStructure::Laep,
    TypeStructure::AlshPeriscolaire,
    TypeStructure::AlshExtrascolaire,
    TypeStructure::CentreSocial,
    TypeStructure::Pilotage,
];
const FINANCEMENTS: &[Financement] = &[
    Financement::Psu,
    Financement::Psu,
    Financement::Paje,
    Financement::Pso,
    Financement::Pso,
    Financement::Aucun,
];
const VOLETS: &[&str] = &["EAJE", "RPE", "LAEP", "ALSH", "PILOTAGE", "AUTRE", "CTRE"];

#[derive(Debug, Clone)]
struct Options {
    annee_pleine: bool,
}

fn structure(i: usize, nb_coll: usize, annee_pleine: bool) -> impl Strategy<Value = Structure> {
    (
        0..TYPES.len(),
        0..FINANCEMENTS.len(),
        prop::bool::weighted(0.85),
        prop::bool::weighted(0.9),
        0..nb_coll,
        0i64..=20_000, // units in hundredths: up to 200 places
        0i64..=2_000,
        0u32..=100, // employer share in %
        if annee_pleine {
            Just(12u8).boxed()
        } else {
            (0u8..=12).boxed()
        },
        (0i64..=50_000_000, 0i64..=5_000_000),
    )
        .prop_map(
            move |(t, f, annexe2, soutien, c, ue, un, pe, mo, (c1, b1))| Structure {
                id: (format!("S{i:03}")).into(),
                annexe: if annexe2 {
                    Annexe::Deux
                } else {
                    Annexe::DeuxBis
                },
                type_structure: TYPES[t],
                nom: (format!("Structure {i}")).into(),
                adresse: Default::default(),
                gestionnaire: (format!("G{}", i % 4)).into(),
                collectivite: (format!("C{c}")).into(),
                financement: FINANCEMENTS[f],
                soutien_collectivite: soutien,
                unites_existantes: Unites(ue),
                unites_nouvelles: Unites(un),
                unites_employeurs: Unites(ue * pe as i64 / 100 / 2),
                // a new employer place now and then (CTRE forfait, R64)
                unites_employeurs_nouvelles: Unites(if pe % 5 == 0 { 100 } else { 0 }),
                mois_ouverture: mo,
                contribution_collectivite_n1: Montant(c1),
                bonus_n1: Montant(b1),
                ligne: i as u64 + 2,
            },
        )
}

fn dossier(o: Options) -> impl Strategy<Value = Dossier> {
    (1usize..=3, 0usize..=14).prop_flat_map(move |(nb_coll, nb_struct)| {
        let structures: Vec<_> = (0..nb_struct)
            .map(|i| structure(i, nb_coll, o.annee_pleine))
            .collect();
        let charges =
            prop::collection::vec((0..nb_coll, 0..VOLETS.len(), 0i64..=100_000_000), 0..8);
        let tranches = prop::collection::vec(1u32..=3, nb_coll);
        let signataires = prop::collection::vec(prop::bool::weighted(0.9), nb_coll);
        (structures, charges, tranches, signataires).prop_map(
            move |(structures, charges, tranches, signataires)| Dossier {
                convention: Convention {
                    nom: "CTG aléatoire".into(),
                    caf: "Caf".into(),
                    debut: Some(Date::new(2024, 1, 1)),
                    fin: Some(Date::new(2027, 12, 31)),
                    exercice: 2025,
                    collectivites: (0..nb_coll)
                        .map(|c| Collectivite {
                            id: format!("C{c}"),
                            nom: format!("Commune {c}"),
                            tranche: Some(tranches[c]),
                            signataire: signataires[c],
                            population: None,
                        })
                        .collect(),
                },
                structures,
                charges: charges
                    .into_iter()
                    .enumerate()
                    .map(|(k, (c, v, m))| ChargeAPayer {
                        collectivite: format!("C{c}"),
                        volet: VOLETS[v].into(),
                        montant: Montant(m),
                        libelle: String::new(),
                        ligne: Origine::Ligne(k as u64 + 2),
                    })
                    .collect(),
            },
        )
    })
}

fn bareme_defaut() -> BaremeExercice {
    Bareme::integre().unwrap().pour_exercice(2025, "t").unwrap()
}

/// The built-in barème without its floors (the ALSH one is 0,15 € per hour, R61).
fn bareme_sans_plancher() -> BaremeExercice {
    let mut b = bareme_defaut();
    for v in b.volets.values_mut() {
        v.plancher.valeur = Grille::unique(Montant(0));
    }
    b
}

/// A barème with a random floor, revaluation and rounding strategy.
fn bareme_aleatoire() -> impl Strategy<Value = BaremeExercice> {
    (0i64..=300_000, 0i64..=500, prop::bool::ANY).prop_map(|(plancher, reval_pour_mille, tronc)| {
        let mut b = bareme_defaut();
        for v in b.volets.values_mut() {
            v.plancher.valeur = Grille::unique(Montant(plancher));
            v.revalorisation.valeur = Grille::unique(Decimal::new(reval_pour_mille, 3));
        }
        if tronc {
            b.arrondi.valeur = Arrondi::Troncature;
        }
        b
    })
}

fn somme_lignes(r: &Resultat) -> i64 {
    r.structures.iter().map(|l| l.bonus_total.0).sum()
}

/// A refused dossier has at least one error, and each error is an `E…` code (not a warning
/// code), names its file and where in it: a line, a column (a key of a TOML file) or a
/// cell. Only the errors about a file as a whole (missing, unreadable, empty — E005 —, or
/// beyond a limit: the categories « Fichiers », « Limites », « Lecture bornée ») name no
/// place in it.
fn erreurs_localisees(d: &Diagnostics) -> Result<(), TestCaseError> {
    use bonus_ctg::diagnostic::Categorie as C;
    prop_assert!(d.a_des_erreurs(), "refusé sans erreur : {:?}", d.0);
    for x in d.erreurs() {
        prop_assert!(x.code.est_erreur(), "{}", x);
        prop_assert!(!x.fichier.is_empty(), "{}", x);
        let fichier_entier = x.code == Code::E005
            || [C::Fichiers, C::Limites, C::LectureBornee].contains(&x.code.categorie());
        prop_assert!(
            x.position.is_some() || x.colonne.is_some() || fichier_entier,
            "erreur sans position : {}",
            x
        );
    }
    Ok(())
}

fn verifier_invariants(r: &Resultat) -> Result<(), TestCaseError> {
    let un_centime = Rationnel::entier(1);
    for l in &r.structures {
        // ineligible ⇒ exactly 0
        if l.motif() != Motif::Eligible {
            prop_assert_eq!(
                l.bonus_total.0,
                0,
                "{} inéligible mais payée",
                l.structure.id
            );
            prop_assert!(l.lissage.is_none() && l.nouvelles.is_none());
        }
        // every paid share within one cent of its exact share
        for a in [&l.lissage, &l.nouvelles].into_iter().flatten() {
            let ecart = Rationnel::entier(a.verse as i128).sub(a.exacte).unwrap();
            prop_assert!(
                ecart < un_centime && Rationnel::ZERO.sub(ecart).unwrap() < un_centime,
                "écart {} pour {}",
                ecart,
                l.structure.id
            );
        }
        // bonus_total = lissage + nouvelles + trajectoire (R63); CTRE apart (R64)
        prop_assert_eq!(
            l.bonus_total.0,
            l.bonus_lissage.0 + l.bonus_nouvelles.0 + l.bonus_trajectoire.0
        );
        if let Some(t) = &l.trajectoire {
            let ecart = Rationnel::entier(t.verse as i128).sub(t.exacte).unwrap();
            prop_assert!(ecart < un_centime && Rationnel::ZERO.sub(ecart).unwrap() < un_centime);
        }
    }
    for g in &r.groupes {
        // reconciliation identity A + C = L + R + P (R8)
        prop_assert_eq!(
            g.charge_n1.0 + g.complement_plancher.0,
            g.lissage_verse.0 + g.non_redistribue.0 + g.verse_collectivite.0,
            "groupe {:?}",
            (&g.collectivite, &g.volet)
        );
        // never a negative « non redistribué » nor complement (R8, R66)
        prop_assert!(
            g.non_redistribue.0 >= 0,
            "R < 0 : {:?}",
            (&g.collectivite, &g.volet)
        );
        prop_assert!(g.complement_plancher.0 >= 0);
        if g.versement == Some(Versement::Employeurs) {
            continue;
        }
        // group totals are the sums of their lines
        let l: i64 = r
            .structures
            .iter()
            .filter(|l| {
                l.structure.collectivite == g.collectivite
                    && l.eligibilite.volet() == Some(g.volet.as_str())
            })
            .map(|l| l.bonus_lissage.0)
            .sum();
        prop_assert_eq!(l, g.lissage_verse.0);
    }
    // grand total = sum of its lines
    let p: i64 = r.groupes.iter().map(|g| g.verse_collectivite.0).sum();
    let ctre: i64 = r.structures.iter().map(|l| l.bonus_ctre.0).sum();
    prop_assert_eq!(r.total.verse_caf.0, somme_lignes(r) + ctre + p);
    prop_assert_eq!(
        r.total.verse_caf.0,
        r.groupes.iter().map(|g| g.verse_caf().0).sum::<i64>()
    );
    prop_assert_eq!(
        r.total.verse_caf.0,
        r.collectivites.values().map(|c| c.verse_caf.0).sum::<i64>()
    );
    prop_assert_eq!(
        r.total.structures.bonus_total.0,
        r.gestionnaires
            .values()
            .map(|t| t.bonus_total.0)
            .sum::<i64>()
    );
    prop_assert_eq!(
        r.total.structures.contribution_n.0,
        r.structures.iter().map(|l| l.contribution_n.0).sum::<i64>()
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Full year, no floor, no revaluation: Σ lissage = A exactly for every group with U > 0.
    #[test]
    fn somme_du_lissage_egale_a(d in dossier(Options { annee_pleine: true })) {
        let r = calculer(&d, &bareme_sans_plancher()).unwrap();
        for g in &r.groupes {
            if g.taux_base.is_some() {
                prop_assert_eq!(g.lissage_verse.0, g.charge_n1.0, "groupe {:?}", (&g.collectivite, &g.volet));
                prop_assert_eq!(g.non_redistribue.0, 0);
            }
        }
        verifier_invariants(&r)?;
    }

    /// Any months, floor, revaluation and rounding strategy: the §4.3 invariants hold.
    #[test]
    fn invariants_avec_plancher_et_mois(d in dossier(Options { annee_pleine: false }), b in bareme_aleatoire()) {
        let r = calculer(&d, &b).unwrap();
        verifier_invariants(&r)?;
    }

    /// The result does not depend on the order of the rows.
    #[test]
    fn independant_de_l_ordre(d in dossier(Options { annee_pleine: false }), graine in any::<u64>()) {
        let b = bareme_defaut();
        let r1 = calculer(&d, &b).unwrap();
        let mut d2 = d.clone();
        // deterministic shuffle (xorshift) of structures and charges
        let mut x = graine | 1;
        let mut alea = || { x ^= x << 13; x ^= x >> 7; x ^= x << 17; x };
        for i in (1..d2.structures.len()).rev() { let j = (alea() % (i as u64 + 1)) as usize; d2.structures.swap(i, j); }
        for i in (1..d2.charges.len()).rev() { let j = (alea() % (i as u64 + 1)) as usize; d2.charges.swap(i, j); }
        let r2 = calculer(&d2, &b).unwrap();
        prop_assert_eq!(csv::rendre(&r1, Profil::Rfc4180).unwrap(), csv::rendre(&r2, Profil::Rfc4180).unwrap());
        prop_assert_eq!(r1.total, r2.total);
    }

    /// No panic on arbitrary text in any of the files; either a result or located errors.
    #[test]
    fn aucune_panique_sur_texte_arbitraire(
        conv in prop_oneof![Just("exercice = 2025\n[[collectivites]]\nid = \"VILLE\"\ntranche = 2\n".to_string()), ".{0,200}"],
        structures in prop_oneof![
            Just("id;annexe;type;nom;gestionnaire;collectivite;financement\n".to_string()),
            "[a-z_;,\"\n ]{0,300}",
            "id;annexe;type;nom;gestionnaire;collectivite;financement;unites_existantes;mois_ouverture\n[A-Za-z0-9;,.\"€ \n-]{0,400}",
        ],
        charges in prop_oneof!["collectivite;volet;montant\n[A-Za-z0-9;,. \n€-]{0,200}", ".{0,100}"],
    ) {
        let f = Fichiers { convention: conv, structures, charges, bareme: None };
        let mut d = Diagnostics::default();
        if let Some(lu) = analyser_dossier(&f, &mut d) {
            match bonus_ctg::traiter(&lu, None, "bareme.toml") {
                Ok((r, avert)) => {
                    verifier_invariants(&r)?;
                    let _ = csv::rendre(&r, Profil::ExcelFr).unwrap();
                    let _ = bonus_ctg::rapport::json::rendre(&r, &avert).unwrap();
                    let _ = bonus_ctg::rapport::table::rendre(&r, None).unwrap();
                }
                // refused by the cross-file checks: located errors
                Err(e) => erreurs_localisees(&e)?,
            }
        } else {
            // refused while reading: located errors
            erreurs_localisees(&d)?;
        }
    }
}
