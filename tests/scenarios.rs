//! Hand-computed scenarios (docs/regles.md): each expected figure is derived in the comments,
//! intermediate values (A, U, m, m_eff, exact shares) are asserted, not only the result.

mod commun;
use bonus_ctg::calcul::eligibilite::Motif;
use bonus_ctg::calcul::rationnel::Rationnel;
use commun::*;

fn r(n: i128, d: i128) -> Rationnel {
    Rationnel::new(n, d).unwrap()
}

/// A rate of `n / d` cents per unit.
fn t(n: i128, d: i128) -> bonus_ctg::modele::Taux {
    bonus_ctg::modele::Taux(r(n, d))
}

#[test]
fn lissage_pur() {
    // A = 90 000,00 € over U = 20 + 30 + 10 = 60 places → m = 1 500 €/place (exact).
    // s = 1 500 × 20 = 30 000 ; 1 500 × 30 = 45 000 ; 1 500 × 10 = 15 000 → Σ = A.
    let s = format!(
        "{ENTETE_STRUCTURES}\nC1;2;EAJE;Crèche 1;Asso;VILLE;PSU;oui;20;0;0;12;0;0\nC2;2;EAJE;Crèche 2;Asso;VILLE;PSU;oui;30;0;0;12;0;0\nC3;2;EAJE;Crèche 3;Ville;VILLE;PSU;oui;10;0;0;12;0;0\n"
    );
    let res = ok(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;EAJE;90 000,00\n",
        None,
    );
    let g = groupe(&res, "VILLE", "EAJE");
    assert_eq!(g.charge_n1.0, 9_000_000);
    assert_eq!(g.unites.0, 6_000); // 60 places in hundredths
    assert_eq!(g.taux_base, Some(t(150_000, 1))); // 1 500,00 € = 150 000 c per place
    assert_eq!(g.taux_effectif, g.taux_base);
    assert_eq!(verse(&res, "C1"), (3_000_000, 0, 3_000_000));
    assert_eq!(verse(&res, "C2"), (4_500_000, 0, 4_500_000));
    assert_eq!(verse(&res, "C3"), (1_500_000, 0, 1_500_000));
    assert_eq!(g.lissage_verse.0, 9_000_000);
    assert_eq!(g.non_redistribue.0, 0);
    assert_eq!(res.total.verse_caf.0, 9_000_000);
}

#[test]
fn micro_creche_paje_en_annexe_2() {
    // The PAJE micro-crèche (10 places) is in Annexe 2 but EAJE requires PSU:
    // FINANCEMENT_INCOMPATIBLE, 0 €, and its places are not in U.
    // A = 30 000 over U = 20 (the PSU crèche only) → m = 1 500 → 30 000 to the PSU crèche.
    let s = format!(
        "{ENTETE_STRUCTURES}\nMC;2;EAJE;Micro-crèche;SARL;VILLE;PAJE;oui;10;0;0;12;0;0\nPSU;2;EAJE;Multi-accueil;Ville;VILLE;PSU;oui;20;0;0;12;0;0\n"
    );
    let res = ok(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;EAJE;30000\n",
        None,
    );
    let mc = ligne(&res, "MC");
    assert_eq!(mc.motif(), Motif::FinancementIncompatible);
    assert_eq!(verse(&res, "MC"), (0, 0, 0));
    assert_eq!(mc.unites_eligibles.0, 0);
    assert_eq!(groupe(&res, "VILLE", "EAJE").unites.0, 2_000);
    assert_eq!(verse(&res, "PSU"), (3_000_000, 0, 3_000_000));
    // the rules were checked in order up to the failing one (3rd)
    let regles: Vec<Motif> = res.verifications(mc).iter().map(|v| v.regle).collect();
    assert_eq!(
        regles,
        vec![
            Motif::Annexe2Bis,
            Motif::TypeSansVolet,
            Motif::FinancementIncompatible
        ]
    );
}

#[test]
fn places_employeurs_retirees() {
    // Crèche A: 40 places of which 10 employer-reserved → u = 30 ; crèche B: 20 places.
    // U = 50 ; A = 50 000 → m = 1 000 €/place ; A gets 30 000, B 20 000.
    let s = format!(
        "{ENTETE_STRUCTURES}\nA;2;EAJE;A;Asso;VILLE;PSU;oui;40;0;10;12;0;0\nB;2;EAJE;B;Asso;VILLE;PSU;oui;20;0;0;12;0;0\n"
    );
    let res = ok(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;EAJE;50000,00\n",
        None,
    );
    assert_eq!(ligne(&res, "A").unites_eligibles.0, 3_000);
    assert_eq!(groupe(&res, "VILLE", "EAJE").unites.0, 5_000);
    assert_eq!(verse(&res, "A").0, 3_000_000);
    assert_eq!(verse(&res, "B").0, 2_000_000);
}

#[test]
fn places_nouvelles_tranche_1_six_mois() {
    // Collectivité in tranche 1 (QPV/ZRR): forfait 2025 = 3 600 € per new PSU place.
    // The crèche is open 6 months: 10 existing places, 4 new ones.
    // Lissage: A = 24 000, U = 10 → m = 2 400 ; s = 2 400 × 10 × 6/12 = 12 000 ;
    //   not redistributed (closed months) = 24 000 − 12 000 = 12 000.
    // New places: t = 3 600 × 4 × 6/12 = 7 200.
    // Bonus trajectoire (R63): P_ref = 10, P_N = 10 + 4 = 14 places, +40 % ≥ 12 % → 300 €
    //   per place: 300 × 14 × 6/12 = 2 100 ; total 12 000 + 7 200 + 2 100 = 21 300.
    let conv = convention("[[collectivites]]\nid = \"QPV\"\ntranche = 1\n");
    let s =
        format!("{ENTETE_STRUCTURES}\nN;2;EAJE;Crèche agrandie;Asso;QPV;PSU;oui;10;4;0;6;0;0\n");
    let res = ok(
        &conv,
        &s,
        "collectivite;volet;montant\nQPV;EAJE;24000\n",
        None,
    );
    let l = ligne(&res, "N");
    assert_eq!(l.forfait.0, 360_000);
    assert_eq!(l.nouvelles.as_ref().unwrap().exacte, r(720_000, 1));
    assert_eq!(verse(&res, "N"), (1_200_000, 720_000, 2_130_000));
    assert_eq!(l.bonus_trajectoire.0, 210_000);
    let g = groupe(&res, "QPV", "EAJE");
    assert_eq!(g.non_redistribue.0, 1_200_000);
    assert_eq!(g.nouvelles_versees.0, 720_000);
    // A + C = L + R : 24 000 + 0 = 12 000 + 12 000
    assert_eq!(
        g.charge_n1.0 + g.complement_plancher.0,
        g.lissage_verse.0 + g.non_redistribue.0
    );
}

#[test]
fn plancher_qui_joue_et_revalorisation() {
    // A = 10 000, U = 4 + 6 = 10 → m = 1 000 €/place ; floor 1 500 > m → 1 500 ;
    // revaluation 2 % → m_eff = 1 500 × 1,02 = 1 530 €/place.
    // s = 1 530 × 4 = 6 120 ; 1 530 × 6 = 9 180 ; L = 15 300.
    // C = Σ s − m × U = 15 300 − 10 000 = 5 300 ; R = A − (L − C) = 10 000 − 10 000 = 0.
    let bareme = r#"
[[volets.EAJE.plancher]]
debut = 2025-01-01
valeur = "1500"
reference = "test : plancher 2025"
statut = "hypothese"

[[volets.EAJE.revalorisation]]
debut = 2025-01-01
valeur = "0.02"
reference = "test : revalorisation 2025"
statut = "hypothese"
"#;
    let s = format!(
        "{ENTETE_STRUCTURES}\nP4;2;EAJE;4 places;Asso;VILLE;PSU;oui;4;0;0;12;0;0\nP6;2;EAJE;6 places;Asso;VILLE;PSU;oui;6;0;0;12;0;0\n"
    );
    let res = ok(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;EAJE;10000\n",
        Some(bareme),
    );
    let g = groupe(&res, "VILLE", "EAJE");
    assert_eq!(g.taux_base, Some(t(100_000, 1)));
    assert_eq!(g.taux_effectif, Some(t(153_000, 1)));
    assert_eq!(verse(&res, "P4").0, 612_000);
    assert_eq!(verse(&res, "P6").0, 918_000);
    assert_eq!(g.lissage_verse.0, 1_530_000);
    assert_eq!(g.complement_plancher.0, 530_000);
    assert_eq!(g.non_redistribue.0, 0);
}

#[test]
fn plafond_alsh_25_pourcent_atteint() {
    // Exercice 2024: the cap applies to money (plafond_base = enveloppe before 2025, R62).
    // A(ALSH) = 20 000 ; cap = 25 % × 20 000 = 5 000.
    // A local forfait of 1 000 € per new ALSH place (dossier barème), tranche 2:
    // exact new-unit total = 1 000 × (4 + 3) = 7 000 > 5 000 → factor 5/7.
    // t1 = 4 000 × 5/7 = 2 857,142857… ; t2 = 3 000 × 5/7 = 2 142,857142…
    // floors 2 857,14 + 2 142,85 = 4 999,99 ; T = 5 000,00 → 1 cent to the larger remainder:
    // remainders 0,2857 c (t1) and 0,7143 c (t2) → t2 gets it: 2 857,14 / 2 142,86.
    let bareme = r#"
[[volets.ALSH.forfaits_nouvelles]]
debut = 2024-01-01
valeur = ["1000", "1000", "1000"]
reference = "test : forfait ALSH local"
statut = "hypothese"
"#;
    let s = format!(
        "{ENTETE_STRUCTURES}\nP1;2;ALSH_PERISCOLAIRE;Péri;Ville;VILLE;PSO;oui;50;4;0;12;0;0\nP2;2;ALSH_EXTRASCOLAIRE;Extra;Asso;VILLE;PSO;oui;50;3;0;12;0;0\n"
    );
    let res = ok(
        &convention(VILLE).replace("exercice = 2025", "exercice = 2024"),
        &s,
        "collectivite;volet;montant\nVILLE;ALSH;20000\n",
        Some(bareme),
    );
    let g = groupe(&res, "VILLE", "ALSH");
    assert_eq!(g.nouvelles_avant_plafond, r(700_000, 1));
    assert_eq!(g.plafond, Some(r(500_000, 1)));
    assert_eq!(g.facteur_plafond, Some(r(5, 7)));
    assert_eq!(verse(&res, "P1").1, 285_714);
    assert_eq!(verse(&res, "P2").1, 214_286);
    assert_eq!(g.nouvelles_versees.0, 500_000);
    // lissage is untouched by the cap: m = 20 000 / 100 = 200 → 10 000 each
    assert_eq!(verse(&res, "P1").0, 1_000_000);
}

#[test]
fn u_nul_et_a_positif_non_redistribuable() {
    // The only RPE is in Annexe 2 bis: U(VILLE, RPE) = 0 and A = 5 000 → nothing paid,
    // 5 000 reported non redistribuable, with warning W002.
    let s = format!("{ENTETE_STRUCTURES}\nRPE;2bis;RPE;Relais;Ville;VILLE;PSO;oui;2;0;0;12;0;0\n");
    let (res, diags) = calculer(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;RPE;5000\n",
        None,
    )
    .unwrap();
    let g = groupe(&res, "VILLE", "RPE");
    assert_eq!(g.unites.0, 0);
    assert_eq!(g.taux_base, None);
    assert_eq!(g.lissage_verse.0, 0);
    assert_eq!(g.non_redistribue.0, 500_000);
    assert_eq!(res.total.verse_caf.0, 0);
    assert!(diags
        .0
        .iter()
        .any(|d| d.code == "W002" && d.numero_de_ligne() == Some(2)));
}

#[test]
fn trois_parts_de_100_000_avec_departage() {
    // 100 000,00 € over three structures of 10 places each: 33 333,333… each.
    // floors 3 × 33 333,33 = 99 999,99 ; 1 cent left ; equal remainders → smallest id "A".
    let s = format!(
        "{ENTETE_STRUCTURES}\nC;2;EAJE;C;Asso;VILLE;PSU;oui;10;0;0;12;0;0\nA;2;EAJE;A;Asso;VILLE;PSU;oui;10;0;0;12;0;0\nB;2;EAJE;B;Asso;VILLE;PSU;oui;10;0;0;12;0;0\n"
    );
    let res = ok(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;EAJE;100 000,00 €\n",
        None,
    );
    assert_eq!(verse(&res, "A").0, 3_333_334);
    assert_eq!(verse(&res, "B").0, 3_333_333);
    assert_eq!(verse(&res, "C").0, 3_333_333);
    let a = ligne(&res, "A").lissage.clone().unwrap();
    assert_eq!(a.exacte, r(10_000_000, 3));
    assert_eq!((a.plancher, a.rang_reste), (3_333_333, 1));
    // écart d'arrondi of A = 33 333,34 − 33 333,3333… = +0,0067 € (2/3 of a cent)
    assert_eq!(ligne(&res, "A").ecart_arrondi().unwrap(), r(2, 3));
}

fn contributions(mode: &str) -> Vec<(i64, i64, i64, i64)> {
    // S1: contribution N-1 50 000, bonus N-1 0 ; 10 places + 2 new places (tranche 2: 3 100 €)
    // S2: in Annexe 2 bis, contribution N-1 10 000, bonus N-1 5 000 (it left the bonus)
    // S3: contribution N-1 1 000, 5 places.
    // A = 30 000 over U = 15 → m = 2 000 → lissage S1 20 000, S3 10 000 ; new S1 6 200.
    // Bonus trajectoire (R63): P_ref = 10 + 5 = 15, P_N = 12 + 5 = 17 (+13,3 % ≥ 12 %) →
    //   300 € per place: S1 300 × 12 = 3 600, S3 300 × 5 = 1 500 ; totals S1 29 800, S3 11 500.
    let bareme = format!("ajustement_contribution = \"{mode}\"\n");
    let s = format!(
        "{ENTETE_STRUCTURES}\nS1;2;EAJE;S1;Asso 1;VILLE;PSU;oui;10;2;0;12;50000;0\nS2;2bis;EAJE;S2;Asso 2;VILLE;PSU;oui;5;0;0;12;10000;5000\nS3;2;EAJE;S3;Asso 3;VILLE;PSU;oui;5;0;0;12;1000;0\n"
    );
    let res = ok(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;EAJE;30000\n",
        Some(&bareme),
    );
    ["S1", "S2", "S3"]
        .iter()
        .map(|id| {
            let l = ligne(&res, id);
            (
                l.contribution_n.0,
                l.financement_public_n1.0,
                l.financement_public_n.0,
                l.variation.0,
            )
        })
        .collect()
}

#[test]
fn trois_modes_de_contribution() {
    // neutre: c_N = max(0, c_N-1 − (lissage − bonus_N-1))
    //   S1: 50 000 − (20 000 − 0) = 30 000 ; public N = 30 000 + 29 800 = 59 800 ; var +9 800
    //   S2: 10 000 − (0 − 5 000) = 15 000 ; public N-1 = 15 000 ; N = 15 000 ; var 0
    //   S3: max(0, 1 000 − 10 000) = 0 ; public N = 11 500 ; var +10 500
    assert_eq!(
        contributions("neutre"),
        vec![
            (3_000_000, 5_000_000, 5_980_000, 980_000),
            (1_500_000, 1_500_000, 1_500_000, 0),
            (0, 100_000, 1_150_000, 1_050_000)
        ]
    );
    // aucun: c_N = c_N-1
    //   S1: 50 000 ; N = 50 000 + 29 800 = 79 800 ; S2: 10 000 (−5 000) ; S3: 1 000 + 11 500
    assert_eq!(
        contributions("aucun"),
        vec![
            (5_000_000, 5_000_000, 7_980_000, 2_980_000),
            (1_000_000, 1_500_000, 1_000_000, -500_000),
            (100_000, 100_000, 1_250_000, 1_150_000)
        ]
    );
    // integral: c_N = max(0, c_N-1 − (total − bonus_N-1))
    //   S1: 50 000 − 29 800 = 20 200 ; N = 20 200 + 29 800 = 50 000 ; var 0
    //   S3: max(0, 1 000 − 11 500) = 0 ; N = 11 500 ; var +10 500
    assert_eq!(
        contributions("integral"),
        vec![
            (2_020_000, 5_000_000, 5_000_000, 0),
            (1_500_000, 1_500_000, 1_500_000, 0),
            (0, 100_000, 1_150_000, 1_050_000)
        ]
    );
}

#[test]
fn pilotage_et_volet_inconnu() {
    // PILOTAGE (30 000) is paid to the collectivité on its own line ; AUTRE (1 000,50) is an
    // unknown volet: non redistribuable with W003. Caf total = 30 000.
    let s = format!("{ENTETE_STRUCTURES}\nCOORD;2bis;PILOTAGE;Coordination;Ville;VILLE;AUCUN;oui;1;0;0;12;0;0\n");
    let (res, diags) = calculer(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant;libelle\nVILLE;PILOTAGE;30000;Chargé de coopération\nVILLE;autre;1000,50;BAFA\n",
        None,
    )
    .unwrap();
    assert_eq!(
        groupe(&res, "VILLE", "PILOTAGE").verse_collectivite.0,
        3_000_000
    );
    assert_eq!(groupe(&res, "VILLE", "AUTRE").non_redistribue.0, 100_050);
    assert_eq!(res.total.verse_caf.0, 3_000_000);
    assert_eq!(res.collectivites["VILLE"].verse_caf.0, 3_000_000);
    assert!(diags
        .0
        .iter()
        .any(|d| d.code == "W003" && d.numero_de_ligne() == Some(3)));
}

#[test]
fn structure_fermee_et_non_signataire() {
    // FERMEE (0 months) and a structure of a non-signatory collectivité get 0.
    let conv = convention("[[collectivites]]\nid = \"VILLE\"\ntranche = 2\n[[collectivites]]\nid = \"VOISINE\"\ntranche = 3\nsignataire = false\n");
    let s = format!(
        "{ENTETE_STRUCTURES}\nF;2;EAJE;Fermée;Asso;VILLE;PSU;oui;10;0;0;0;0;0\nO;2;EAJE;Ouverte;Asso;VILLE;PSU;oui;10;0;0;12;0;0\nV;2;EAJE;Voisine;Asso;VOISINE;PSU;oui;10;0;0;12;0;0\n"
    );
    let res = ok(
        &conv,
        &s,
        "collectivite;volet;montant\nVILLE;EAJE;12000\nVOISINE;EAJE;5000\n",
        None,
    );
    assert_eq!(ligne(&res, "F").motif(), Motif::Fermee);
    assert_eq!(ligne(&res, "V").motif(), Motif::CollectiviteNonSignataire);
    assert_eq!(verse(&res, "F"), (0, 0, 0));
    assert_eq!(verse(&res, "V"), (0, 0, 0));
    // VILLE: U = 10 (the closed one is not counted) → the open crèche gets all 12 000
    assert_eq!(verse(&res, "O").0, 1_200_000);
    assert_eq!(groupe(&res, "VOISINE", "EAJE").non_redistribue.0, 500_000);
}

#[test]
fn lissage_par_collectivite() {
    // Same volet in two collectivités: each smooths its own envelope.
    // CC: A = 60 000 over 40 places → 1 500 ; COMMUNE: A = 10 000 over 8 places → 1 250.
    let conv = convention("[[collectivites]]\nid = \"CC\"\ntranche = 2\n[[collectivites]]\nid = \"COMMUNE\"\ntranche = 3\n");
    let s = format!(
        "{ENTETE_STRUCTURES}\nX;2;EAJE;X;Asso;CC;PSU;oui;40;0;0;12;0;0\nY;2;EAJE;Y;Ville;COMMUNE;PSU;oui;8;0;0;12;0;0\n"
    );
    let res = ok(
        &conv,
        &s,
        "collectivite;volet;montant\nCC;EAJE;60000\nCOMMUNE;EAJE;10000\n",
        None,
    );
    assert_eq!(
        ligne(&res, "X").taux_unitaire.as_deref().copied(),
        Some(t(150_000, 1))
    );
    assert_eq!(
        ligne(&res, "Y").taux_unitaire.as_deref().copied(),
        Some(t(125_000, 1))
    );
}

#[test]
fn forfaits_2020_et_tranche_3() {
    // Exercice 2020 (convention 2020-2022): EAJE forfaits 3 100 / 2 600 / 2 100 € ;
    // tranche 3 → 2 100 × 5 new places = 10 500.
    let conv = "nom = \"t\"\ndebut = 2020-01-01\nfin = 2022-12-31\nexercice = 2020\n[[collectivites]]\nid = \"R\"\ntranche = 3\n";
    let s = format!("{ENTETE_STRUCTURES}\nN;2;EAJE;N;Asso;R;PSU;oui;0;5;0;12;0;0\n");
    let res = ok(conv, &s, "collectivite;volet;montant\n", None);
    assert_eq!(verse(&res, "N"), (0, 1_050_000, 1_050_000));
}

// ------------------------------------------------------------------ v2 rules (2025)

/// No trajectoire, to isolate the rule under test.
const SANS_TRAJECTOIRE: &str = "[trajectoire]\nseuils = []\n";

#[test]
fn alsh_plancher_0_15_euro_par_heure() {
    // ALSH counted in hours (R61): A = 200 € for U = 1 000 + 1 000 = 2 000 hours →
    // m = 200 / 2 000 = 0,10 € < 0,15 € → m_eff = 0,15 € per hour.
    // s = 0,15 × 1 000 = 150,00 € each ; L = 300,00 ; C = 300 − 200 = 100 ; R = 200 − (300 − 100) = 0.
    let s = format!(
        "{ENTETE_STRUCTURES}\nH1;2;ALSH_PERISCOLAIRE;Péri;Ville;VILLE;PSO;oui;1000;0;0;12;0;0\nH2;2;ALSH_EXTRASCOLAIRE;Extra;Asso;VILLE;PSO;oui;1000;0;0;12;0;0\n"
    );
    let res = ok(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;ALSH;200\n",
        None,
    );
    let g = groupe(&res, "VILLE", "ALSH");
    assert_eq!(g.taux_base, Some(t(10, 1))); // 0,10 € = 10 c per hour
    assert_eq!(g.plancher.0, 15);
    assert_eq!(g.taux_effectif, Some(t(15, 1)));
    assert_eq!(verse(&res, "H1"), (15_000, 0, 15_000));
    assert_eq!(verse(&res, "H2"), (15_000, 0, 15_000));
    assert_eq!(g.complement_plancher.0, 10_000);
    assert_eq!(g.non_redistribue.0, 0);
    // the floor's source is the barème (value confirmed)
    let v = &res.bareme.volets["ALSH"];
    assert_eq!(v.unite.valeur, "heure d'accueil");
    assert!(v
        .plancher
        .source
        .as_ref()
        .unwrap()
        .reference
        .contains("0,15 € par heure"));
}

#[test]
fn alsh_plafond_des_heures_nouvelles_2025() {
    // From 2025 the cap applies to hours (R62): existing 400 + 600 = 1 000 h, new
    // 200 + 100 = 300 h > 25 % × 1 000 = 250 h → every n_i × 250/300 = 5/6.
    // Local forfait 2 € per new hour: t1 = 2 × 200 × 5/6 = 333,333… ; t2 = 2 × 100 × 5/6 =
    // 166,666… ; T = 500,00 ; floors 333,33 + 166,66 = 499,99 → the cent to t2 (0,667 c).
    // A = 1 000 € for 1 000 h: m = 1 € ≥ 0,15.
    let bareme = format!(
        "[[volets.ALSH.forfaits_nouvelles]]\ndebut = 2024-01-01\nvaleur = [\"2\", \"2\", \"2\"]\nreference = \"test\"\nstatut = \"hypothese\"\n{SANS_TRAJECTOIRE}"
    );
    let s = format!(
        "{ENTETE_STRUCTURES}\nH1;2;ALSH_PERISCOLAIRE;Péri;Ville;VILLE;PSO;oui;400;200;0;12;0;0\nH2;2;ALSH_EXTRASCOLAIRE;Extra;Asso;VILLE;PSO;oui;600;100;0;12;0;0\n"
    );
    let res = ok(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;ALSH;1000\n",
        Some(&bareme),
    );
    let g = groupe(&res, "VILLE", "ALSH");
    assert_eq!(g.unites_nouvelles.0, 30_000);
    assert_eq!(g.plafond_unites, Some(r(25_000, 1))); // 250 h in hundredths
    assert_eq!(g.facteur_plafond, Some(r(5, 6)));
    assert_eq!(g.plafond, None); // not the money cap any more
    assert_eq!(verse(&res, "H1").1, 33_333);
    assert_eq!(verse(&res, "H2").1, 16_667);
    assert_eq!(g.nouvelles_versees.0, 50_000);
    // the same dossier in 2024: money cap 25 % × 1 000 = 250 € < 600 € → factor 250/600
    let res = ok(
        &convention(VILLE).replace("exercice = 2025", "exercice = 2024"),
        &s,
        "collectivite;volet;montant\nVILLE;ALSH;1000\n",
        Some(&bareme),
    );
    let g = groupe(&res, "VILLE", "ALSH");
    assert_eq!(g.plafond, Some(r(25_000, 1)));
    assert_eq!(g.facteur_plafond, Some(r(5, 12)));
    assert_eq!(g.nouvelles_versees.0, 25_000);
}

#[test]
fn grille_par_strate_et_montant() {
    // Revaluation grid (R60): strata < 10 000 | 10 000–49 999 | ≥ 50 000 inhabitants,
    // amounts m < 1 500 € | ≥ 1 500 €:
    //   [[0,06 ; 0,02], [0,05 ; 0,01], [0,04 ; 0]].
    // PETITE (8 000 hab.), m = 12 000 / 10 = 1 200 → row 0, column 0 → 6 % → 1 272 €.
    // MOYENNE (20 000 hab.), m = 16 000 / 10 = 1 600 → row 1, column 1 → 1 % → 1 616 €.
    // GRANDE (50 000 hab., threshold included), m = 1 500 exactly → row 2, column 1 → 0 %.
    let bareme = format!(
        "[[volets.EAJE.revalorisation]]\ndebut = 2025-01-01\nvaleur = {{ seuils_population = [10000, 50000], seuils_montant = [\"1500\"], valeurs = [[\"0.06\", \"0.02\"], [\"0.05\", \"0.01\"], [\"0.04\", \"0\"]] }}\nreference = \"test : grille\"\nstatut = \"hypothese\"\n{SANS_TRAJECTOIRE}"
    );
    let conv = convention(
        "[[collectivites]]\nid = \"PETITE\"\ntranche = 2\npopulation = 8000\n[[collectivites]]\nid = \"MOYENNE\"\ntranche = 2\npopulation = 20000\n[[collectivites]]\nid = \"GRANDE\"\ntranche = 2\npopulation = 50000\n",
    );
    let s = format!(
        "{ENTETE_STRUCTURES}\nP;2;EAJE;P;Asso;PETITE;PSU;oui;10;0;0;12;0;0\nM;2;EAJE;M;Asso;MOYENNE;PSU;oui;10;0;0;12;0;0\nG;2;EAJE;G;Asso;GRANDE;PSU;oui;10;0;0;12;0;0\n"
    );
    let res = ok(
        &conv,
        &s,
        "collectivite;volet;montant\nPETITE;EAJE;12000\nMOYENNE;EAJE;16000\nGRANDE;EAJE;15000\n",
        Some(&bareme),
    );
    assert_eq!(
        ligne(&res, "P").taux_unitaire.as_deref().copied(),
        Some(t(127_200, 1))
    );
    assert_eq!(
        ligne(&res, "M").taux_unitaire.as_deref().copied(),
        Some(t(161_600, 1))
    );
    assert_eq!(
        ligne(&res, "G").taux_unitaire.as_deref().copied(),
        Some(t(150_000, 1))
    );
    assert_eq!(verse(&res, "P").0, 1_272_000);
    // C = what the revaluation adds: 12 720 − 12 000 = 720
    assert_eq!(groupe(&res, "PETITE", "EAJE").complement_plancher.0, 72_000);
    // a grid by stratum without the population: located error E101
    let conv = convention("[[collectivites]]\nid = \"PETITE\"\ntranche = 2\n");
    let s = format!("{ENTETE_STRUCTURES}\nP;2;EAJE;P;Asso;PETITE;PSU;oui;10;0;0;12;0;0\n");
    let e = calculer(
        &conv,
        &s,
        "collectivite;volet;montant\nPETITE;EAJE;12000\n",
        Some(&bareme),
    )
    .unwrap_err();
    assert!(e
        .0
        .iter()
        .any(|d| d.code == "E101"
            && d.colonne.as_deref() == Some("collectivites[PETITE].population")));
}

#[test]
fn ctre_lissage_des_places_employeurs_et_place_nouvelle() {
    // CTRE (R64): charge CTRE 9 000 € over the employer places of the PSU crèches:
    // E1 6 places, E2 3 places (U = 9) → 1 000 € per place: 6 000 and 3 000.
    // E2 has 1 new employer place: 2 800 € (2025) × 1 × 12/12 = 2 800.
    // E3 is supported by nobody (soutien = non) but its 2 employer places count anyway
    // → U = 11, m = 9 000 / 11 = 818,1818… ; shares 4 909,0909… / 2 454,5454… / 1 636,3636…
    // T = 9 000,00 ; floors 4 909,09 + 2 454,54 + 1 636,36 = 8 999,99 → the cent to the
    // largest remainder: E2 (0,5454 c) > E3 (0,3636) > E1 (0,0909).
    // The bonus territoire does not count employer places: u_i = existing − employer.
    let entete = format!("{ENTETE_STRUCTURES};unites_employeurs_nouvelles");
    let s = format!(
        "{entete}\nE1;2;EAJE;E1;Asso;VILLE;PSU;oui;20;0;6;12;0;0;0\nE2;2;EAJE;E2;Entreprise;VILLE;PSU;oui;10;0;3;12;0;0;1\nE3;2;EAJE;E3;Entreprise;VILLE;PSU;non;12;0;2;12;0;0;0\n"
    );
    let res = ok(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;EAJE;10000\nVILLE;CTRE;9000\n",
        Some(SANS_TRAJECTOIRE),
    );
    let g = groupe(&res, "VILLE", "CTRE");
    assert_eq!(g.unites.0, 1_100);
    assert_eq!(g.lissage_verse.0, 900_000);
    assert_eq!(g.nouvelles_versees.0, 280_000);
    assert_eq!(ligne(&res, "E1").bonus_ctre.0, 490_909);
    assert_eq!(ligne(&res, "E2").bonus_ctre.0, 245_455 + 280_000);
    assert_eq!(ligne(&res, "E3").bonus_ctre.0, 163_636);
    // outside the bonus territoire: bonus_total is the EAJE lissage only
    // (A = 10 000 over u = 14 + 7 = 21 places ; E3 is ineligible)
    assert_eq!(groupe(&res, "VILLE", "EAJE").unites.0, 2_100);
    assert_eq!(
        ligne(&res, "E2").bonus_total.0,
        ligne(&res, "E2").bonus_lissage.0
    );
    // but in what the Caf pays: 10 000 + 9 000 + 2 800
    assert_eq!(res.total.verse_caf.0, 2_180_000);
}

/// Bonus trajectoire of a collectivité with `existantes` places and `nouvelles` new ones.
fn trajectoire(existantes: i64, nouvelles: i64) -> (i64, i64) {
    let s = format!(
        "{ENTETE_STRUCTURES}\nC;2;EAJE;C;Asso;VILLE;PSU;oui;{existantes};{nouvelles};0;12;0;0\n"
    );
    let res = ok(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;EAJE;10000\n",
        None,
    );
    let l = ligne(&res, "C");
    (l.bonus_trajectoire.0, res.total.verse_caf.0)
}

#[test]
fn trajectoire_a_chaque_seuil_dans_calculer() {
    // R63: P_ref = 100 places ; P_N = 100 + n. Forfait tranche 2 = 3 100 € per new place.
    // n = 3 (+3 %): below 4 % → 0.
    assert_eq!(trajectoire(100, 3), (0, 1_000_000 + 930_000));
    // n = 4 (+4 % exactly): 100 € × 104 = 10 400.
    assert_eq!(
        trajectoire(100, 4),
        (1_040_000, 1_000_000 + 1_240_000 + 1_040_000)
    );
    // n = 8: 200 € × 108 = 21 600.
    assert_eq!(trajectoire(100, 8).0, 2_160_000);
    // n = 12: 300 € × 112 = 33 600 ; n = 30: still 300 € × 130 = 39 000.
    assert_eq!(trajectoire(100, 12).0, 3_360_000);
    assert_eq!(trajectoire(100, 30).0, 3_900_000);
    // no place in the reference year: the top level (300 € × 5)
    assert_eq!(trajectoire(0, 5).0, 150_000);
}

fn contributions_mensuelles(mode: &str) -> Vec<(i64, i64, i64)> {
    // O opens in September (4 months), F closes on 1 April (3 months): 10 places each,
    // A = 24 000 over U = 20 → m = 1 200 ; O: 1 200 × 10 × 4/12 = 4 000 ; F: 1 200 × 10
    // × 3/12 = 3 000. O has 1 new place: 3 100 × 1 × 4/12 = 1 033,33.
    // O: contribution N-1 18 000, bonus N-1 1 200 → c_ref = 6 000, b_ref = 400.
    // F: contribution N-1 12 000, bonus N-1 2 400 → c_ref = 3 000, b_ref = 600.
    let bareme = format!("ajustement_contribution = \"{mode}\"\n{SANS_TRAJECTOIRE}");
    let s = format!(
        "{ENTETE_STRUCTURES}\nO;2;EAJE;O;Asso;VILLE;PSU;oui;10;1;0;4;18000;1200\nF;2;EAJE;F;Asso;VILLE;PSU;oui;10;0;0;3;12000;2400\n"
    );
    let res = ok(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;EAJE;24000\n",
        Some(&bareme),
    );
    assert_eq!(verse(&res, "O"), (400_000, 103_333, 503_333));
    assert_eq!(verse(&res, "F"), (300_000, 0, 300_000));
    ["O", "F"]
        .iter()
        .map(|id| {
            let l = ligne(&res, id);
            (
                l.contribution_n.0,
                l.financement_public_n1.0,
                l.financement_public_n.0,
            )
        })
        .collect()
}

#[test]
fn contributions_au_prorata_des_mois() {
    // neutre: O max(0, 6 000 − (4 000 − 400)) = 2 400 ; public N-1 = 19 200 ;
    //   N = 2 400 + 5 033,33 = 7 433,33. F: 3 000 − (3 000 − 600) = 600 ; N = 3 600.
    assert_eq!(
        contributions_mensuelles("neutre"),
        vec![(240_000, 1_920_000, 743_333), (60_000, 1_440_000, 360_000)]
    );
    // aucun: c_ref: O 6 000 ; F 3 000.
    assert_eq!(
        contributions_mensuelles("aucun"),
        vec![
            (600_000, 1_920_000, 1_103_333),
            (300_000, 1_440_000, 600_000)
        ]
    );
    // integral: O 6 000 − (5 033,33 − 400) = 1 366,67 ; F: 600 (no new place).
    assert_eq!(
        contributions_mensuelles("integral"),
        vec![(136_667, 1_920_000, 640_000), (60_000, 1_440_000, 360_000)]
    );
}

#[test]
fn structure_fermee_toute_l_annee_ne_garde_aucune_contribution() {
    // mo = 0: c_ref = 0 in every mode (R65).
    for mode in ["neutre", "aucun", "integral"] {
        let bareme = format!("ajustement_contribution = \"{mode}\"\n");
        let s = format!("{ENTETE_STRUCTURES}\nX;2;EAJE;X;Asso;VILLE;PSU;oui;10;0;0;0;5000;100\n");
        let res = ok(
            &convention(VILLE),
            &s,
            "collectivite;volet;montant\n",
            Some(&bareme),
        );
        assert_eq!(ligne(&res, "X").contribution_n.0, 0, "{mode}");
    }
}

#[test]
fn ctre_sans_place_employeur_avertissement_w100() {
    // A CTRE charge of 5 000 € but no employer place: nothing paid, R = 5 000, W100.
    let s = format!("{ENTETE_STRUCTURES}\nC;2;EAJE;C;Asso;VILLE;PSU;oui;10;0;0;12;0;0\n");
    let (res, diags) = calculer(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;EAJE;10000\nVILLE;CTRE;5000\n",
        Some(SANS_TRAJECTOIRE),
    )
    .unwrap();
    let g = groupe(&res, "VILLE", "CTRE");
    assert_eq!((g.lissage_verse.0, g.non_redistribue.0), (0, 500_000));
    assert!(diags
        .0
        .iter()
        .any(|d| d.code == "W100" && d.numero_de_ligne() == Some(3)));
}

/// Employer places on a relais (no CTRE volet covers RPE): taken out of its bonus units
/// (u_i = 3 − 1 = 2, so R1 gets 2 / (2 + 2) of the 8 000 € RPE envelope = 4 000,00 € instead
/// of 3 / 5 × 8 000 = 4 800,00 €) and paid nothing as CTRE: W101 at its line and column.
/// Places on a crèche (CTRE volet EAJE) or on a relais of annexe 2 bis: no W101.
#[test]
fn places_employeurs_hors_ctre_avertissement_w101() {
    let s = format!(
        "{ENTETE_STRUCTURES}\nR1;2;RPE;R1;Asso;VILLE;PSO;oui;3;0;1;12;0;0\nR2;2;RPE;R2;Asso;VILLE;PSO;oui;2;0;0;12;0;0\nC;2;EAJE;C;Asso;VILLE;PSU;oui;10;0;4;12;0;0\nR3;2bis;RPE;R3;Asso;VILLE;PSO;oui;2;0;2;12;0;0\n"
    );
    let (res, diags) = calculer(
        &convention(VILLE),
        &s,
        "collectivite;volet;montant\nVILLE;RPE;8000\n",
        Some(SANS_TRAJECTOIRE),
    )
    .unwrap();
    assert_eq!(ligne(&res, "R1").bonus_total.0, 400_000);
    let w: Vec<_> = diags.0.iter().filter(|d| d.code == "W101").collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert_eq!(w[0].numero_de_ligne(), Some(2));
    assert_eq!(w[0].colonne.as_deref(), Some("unites_employeurs"));
    assert!(
        w[0].message
            .contains("aucun volet CTRE ne couvre son type RPE"),
        "{}",
        w[0]
    );
}

/// `expliquer --format json` (schema bonus-ctg.explication.v1) for a Dijon crèche: the tree
/// gives each figure with its rule, formula, operands and barème parameters.
///
/// EAJE-BALZAC (fixtures/dijon-2024): 60 places, 12 months, contribution N-1 300 000,00 €,
/// bonus N-1 0. A = 78 000,00 + 52 000,00 + 669 530,12 + 478 316,25 + 24 000,00
/// = 1 301 846,37 € (the five DIJON;EAJE lines of charges_n1.csv). U = Σ u_i of the 27
/// annexe-2 PSU supported open EAJE of DIJON = 1 033 places (awk over structures.csv).
/// m = 130 184 637 c / 1 033 places = 130184637/1033 c per place (exact); floor 0 and
/// revaluation 0 (built-in barème) → m_eff = m. s_i = m × 60 × 12 / 12
/// = 7 811 078 220 / 1 033 c = 7 561 547,163… c → floor 75 615,47 € (1 033 × 7 561 547
/// = 7 811 078 051, remainder 169/1033 = 0,16 c): paid 75 615,47 €.
/// Contribution (neutre): c_ref = 300 000 × 12/12 = 300 000 ; b_ref = 0 ;
/// 300 000 − (75 615,47 − 0) = 224 384,53 €.
#[test]
fn expliquer_json_creche_dijon() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_bonus-ctg"))
        .args([
            "expliquer",
            "fixtures/dijon-2024",
            "EAJE-BALZAC",
            "--format",
            "json",
            "--silencieux",
        ])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "bonus-ctg.explication.v1");
    assert_eq!(v["exercice"], 2025);
    assert_eq!(v["structure"]["id"], "EAJE-BALZAC");
    assert_eq!(v["eligible"], true);
    let figures = v["figures"].as_array().unwrap();
    let figure = |id: &str| figures.iter().find(|f| f["id"] == id).unwrap().clone();
    // depth-first search of a node by id
    fn trouver<'a>(n: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
        if n["id"] == id {
            return Some(n);
        }
        n["operandes"]
            .as_array()?
            .iter()
            .find_map(|o| trouver(o, id))
    }
    let elig = figure("eligibilite");
    assert_eq!(elig["regle"], "R15");
    assert_eq!(elig["valeur"]["valeur"], "ELIGIBLE");
    assert_eq!(elig["operandes"].as_array().unwrap().len(), 6);

    let lissage = figure("lissage");
    assert_eq!(lissage["regle"], "R9");
    assert_eq!(lissage["valeur"]["centimes"], 7_561_547);
    let a = trouver(&lissage, "A").unwrap();
    assert_eq!(a["valeur"]["centimes"], 130_184_637);
    assert_eq!(a["operandes"].as_array().unwrap().len(), 5);
    let u = trouver(&lissage, "U").unwrap();
    assert_eq!(u["valeur"]["centiemes"], 103_300);
    let m = trouver(&lissage, "m").unwrap();
    assert_eq!(m["formule"], "A / U");
    assert_eq!(m["regle"], "R16");
    assert_eq!(m["valeur"]["centimes"], "130184637/1033");
    let m_eff = trouver(&lissage, "m_eff").unwrap();
    assert_eq!(m_eff["formule"], "max(m, plancher) × (1 + revalorisation)");
    assert_eq!(m_eff["valeur"]["centimes"], "130184637/1033");
    let plancher = trouver(&lissage, "plancher").unwrap();
    assert_eq!(plancher["valeur"]["centimes"], 0);
    let p = &plancher["parametres"][0];
    assert_eq!(p["nom"], "plancher");
    assert_eq!(p["source"]["parametre"], "volets.EAJE.plancher");
    assert_eq!(p["source"]["debut"], "2020-01-01");
    assert_eq!(p["source"]["statut"], "hypothese");
    let s_i = trouver(&lissage, "s_i").unwrap();
    assert_eq!(s_i["formule"], "m_eff × u_i × mo_i / 12");
    assert_eq!(s_i["valeur"]["centimes"], "7811078220/1033");
    let u_i = trouver(s_i, "u_i").unwrap();
    assert_eq!(u_i["valeur"]["centiemes"], 6_000);
    assert_eq!(
        trouver(&lissage, "plancher_part").unwrap()["valeur"]["centimes"],
        7_561_547
    );
    assert_eq!(
        trouver(&lissage, "T").unwrap()["parametres"][0]["nom"],
        "arrondi"
    );

    let total = figure("bonus_total");
    assert_eq!(total["valeur"]["centimes"], 7_561_547);
    let variation = figure("variation");
    assert_eq!(variation["valeur"]["centimes"], 0);
    let c = trouver(&variation, "contribution").unwrap();
    assert_eq!(c["regle"], "R65");
    assert_eq!(c["formule"], "max(0, c_ref − (bonus_lissage_n − b_ref))");
    assert_eq!(c["valeur"]["centimes"], 22_438_453);
    assert_eq!(
        trouver(c, "c_ref").unwrap()["valeur"]["centimes"],
        "30000000"
    );
    assert_eq!(trouver(c, "b_ref").unwrap()["valeur"]["centimes"], "0");
    assert_eq!(c["parametres"][0]["valeur"]["valeur"], "neutre");
    assert_eq!(
        trouver(&variation, "financement_public_n").unwrap()["valeur"]["centimes"],
        30_000_000
    );
}

/// An annexe 2 bis structure: the first rule fails, the explanation says so in words, its
/// bonus is 0 and its contribution keeps the N-1 amount (neutre, bonus N-1 0: 90 000 −
/// (0 − 0) = 90 000 €).
#[test]
fn expliquer_structure_ineligible() {
    let lancer = |format: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_bonus-ctg"))
            .args([
                "expliquer",
                "fixtures/dijon-2024",
                "CS-CERCLE-LAIQUE",
                "--format",
                format,
                "--silencieux",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .unwrap();
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap()
    };
    let t = lancer("texte");
    assert!(
        t.contains("  [non] inéligible : annexe 2 bis — annexe 2bis"),
        "{t}"
    );
    assert!(!t.contains("[oui]"), "{t}");
    // figures numbered 1, 2, 3 with no gap: no lissage nor new units for it
    for (n, titre) in [
        (1, "Éligibilité : inéligible — inscrite en annexe 2 bis"),
        // 0 + 0 + 0 = 0
        (
            2,
            "bonus_total = lissage + nouvelles + trajectoire = 0,00 € + 0,00 € + 0,00 € = 0,00 €",
        ),
        // 90 000 − 90 000 = 0
        (3, "variation = financement_public_n − financement_public_n1 = 90\u{202f}000,00 € − 90\u{202f}000,00 € = 0,00 €"),
    ] {
        assert!(
            t.contains(&format!("\n{n}. {titre}")),
            "{n}. {titre} :\n{t}"
        );
    }
    assert!(!t.contains("\n4. "), "{t}");
    assert!(
        // not eligible: no bonus, 90 000 − (0 − 0) = 90 000
        t.contains("contribution = max(0, c_ref − (bonus_lissage_n − b_ref)) = max(0, 90\u{202f}000,00 € − (0,00 € − 0,00 €)) = 90\u{202f}000,00 €"),
        "{t}"
    );
    let v: serde_json::Value = serde_json::from_str(&lancer("json")).unwrap();
    assert_eq!(v["eligible"], false);
    let elig = &v["figures"][0];
    assert_eq!(elig["valeur"]["valeur"], "ANNEXE_2BIS");
    let regles = elig["operandes"].as_array().unwrap();
    assert_eq!(regles.len(), 1); // the rules stop at the first failing one
    assert_eq!(regles[0]["id"], "ANNEXE_2BIS");
    assert_eq!(regles[0]["valeur"]["valeur"], false);
    let ids: Vec<&str> = v["figures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["eligibilite", "bonus_total", "variation"]);
    assert_eq!(v["figures"][1]["valeur"]["centimes"], 0);
    let c = v["figures"][2]["operandes"][1]["operandes"][0].clone();
    assert_eq!(c["id"], "contribution");
    assert_eq!(c["valeur"]["centimes"], 9_000_000);
}
