//! Multi-year projection (docs/regles.md R20–R26, R67, R68): hand-computed cases for both
//! bases, event errors, the Dijon fixture, and properties.

use bonus_ctg::bareme::BasePluriannuelle;
use bonus_ctg::calcul::eligibilite::Motif;
use bonus_ctg::calcul::rationnel::Rationnel;
use bonus_ctg::diagnostic::Diagnostics;
use bonus_ctg::lecture::tableau::Localisation;
use bonus_ctg::lecture::{analyser_dossier, DossierLu, Fichiers};
use bonus_ctg::modele::Montant;
use bonus_ctg::projection::evenements::{analyser_evenements, Evenement};
use bonus_ctg::projection::{projeter, OptionsProjection, Projection};
use proptest::prelude::*;

#[allow(clippy::field_reassign_with_default)] // robust to fields added to `Fichiers` later
fn dossier(convention: &str, structures: &str, charges: &str, bareme: Option<&str>) -> DossierLu {
    let mut d = Diagnostics::default();
    // field by field: robust to fields added to `Fichiers` later
    let mut f = Fichiers::default();
    f.convention = convention.into();
    f.structures = structures.into();
    f.charges = charges.into();
    f.bareme = bareme.map(|b| ("bareme.toml".to_string(), b.to_string()));
    analyser_dossier(&f, &mut d).unwrap_or_else(|| panic!("dossier invalide : {:?}", d))
}

fn evenements(texte: &str) -> Vec<Evenement> {
    let mut d = Diagnostics::default();
    let e = analyser_evenements("evenements.csv", texte, &mut d);
    assert!(!d.a_des_erreurs(), "{:?}", d);
    e
}

fn projection(lu: &DossierLu, ev: &[Evenement], base: BasePluriannuelle) -> Projection {
    let opts = OptionsProjection {
        base: Some(base),
        ..Default::default()
    };
    match projeter(
        lu,
        ev,
        &opts,
        "bareme.toml",
        &Localisation::csv("evenements.csv"),
    ) {
        Ok((p, _)) => p,
        Err(d) => panic!("projection refusée : {:?}", d),
    }
}

fn bonus(p: &Projection, annee: i32, id: &str) -> (i64, i64, i64, i64) {
    let l = p.annee(annee).unwrap().ligne(id).unwrap();
    (
        l.bonus_lissage.0,
        l.bonus_nouvelles.0,
        l.bonus_trajectoire.0,
        l.bonus_total.0,
    )
}

fn contribution(p: &Projection, annee: i32, id: &str) -> i64 {
    p.annee(annee).unwrap().ligne(id).unwrap().contribution_n.0
}

const STRUCT_ENTETE: &str = "id;annexe;type;nom;gestionnaire;collectivite;financement;unites_existantes;unites_nouvelles;mois_ouverture;contribution_collectivite_n1;bonus_n1\n";

// ----------------------------------------------------------------- two years (R22 example)

const CONV_2: &str = "nom = \"CTG C\"\ncaf = \"Caf\"\ndebut = 2025-01-01\nfin = 2026-12-31\nexercice = 2025\n[[collectivites]]\nid = \"C\"\ntranche = 2\n";
const BAREME_2: &str = "[[volets.EAJE.revalorisation]]\ndebut = 2026-01-01\nvaleur = \"0.02\"\nreference = \"test\"\nstatut = \"hypothese\"\n[trajectoire]\nseuils = []\n";

fn cas_deux_ans() -> (DossierLu, Vec<Evenement>) {
    let s = format!(
        "{STRUCT_ENTETE}S1;2;EAJE;S1;G;C;PSU;40;0;12;10000;0\nS2;2;EAJE;S2;G;C;PSU;20;1;12;5000;0\n"
    );
    let lu = dossier(
        CONV_2,
        &s,
        "collectivite;volet;montant\nC;EAJE;12000\n",
        Some(BAREME_2),
    );
    let ev = evenements("date;id;action;valeur\n2026-07-01;S1;unites_existantes;46\n");
    (lu, ev)
}

#[test]
fn deux_ans_figee_et_glissante() {
    let (lu, ev) = cas_deux_ans();
    for base in [BasePluriannuelle::Figee, BasePluriannuelle::Glissante] {
        let p = projection(&lu, &ev, base);
        assert_eq!((p.premiere, p.derniere), (2025, 2026));
        // 2025 (both bases): U = 60, m = 12 000 / 60 = 200 €; S1 40 × 200 = 8 000 €;
        // S2 20 × 200 = 4 000 € + forfait tranche 2 3 100 × 1 = 3 100 €
        assert_eq!(bonus(&p, 2025, "S1"), (800_000, 0, 0, 800_000));
        assert_eq!(bonus(&p, 2025, "S2"), (400_000, 310_000, 0, 710_000));
        assert_eq!(p.annee(2025).unwrap().totaux.verse_caf, Montant(1_510_000));
        // neutre: 10 000 − 8 000 = 2 000 ; 5 000 − 4 000 = 1 000
        assert_eq!(contribution(&p, 2025, "S1"), 200_000);
        assert_eq!(contribution(&p, 2025, "S2"), 100_000);
    }

    // 2026 figée: m = 200 imposed, m_eff = 200 × 1.02 = 204 €.
    // S1: Σ u × months = 40 × 6 + 46 × 6 = 516 → 204 × 516 / 12 = 8 772,00 €
    // S2: 204 × 20 = 4 080,00 € + forfait 3 100 € (new units keep their forfait)
    let p = projection(&lu, &ev, BasePluriannuelle::Figee);
    assert_eq!(bonus(&p, 2026, "S1"), (877_200, 0, 0, 877_200));
    assert_eq!(bonus(&p, 2026, "S2"), (408_000, 310_000, 0, 718_000));
    let a = p.annee(2026).unwrap();
    assert_eq!(a.ligne("S1").unwrap().unites_eligibles.0, 4_600); // largest u (R21)
    let g = a.resultat.groupe("C", "EAJE").unwrap();
    assert!(g.taux_impose);
    // A = lissage 2025 = 12 000, U = 46 + 20 = 66 : the envelope's own rate is
    // A / U = 12 000 / 66 = 181,8181… €; it finances 181,8181… × 756 / 12 = 11 454,5454… €.
    // C = 12 852 − 11 454,5454… = 1 397,4545… → 1 397,45 (what the kept rate adds, R66) ;
    // R = 12 000 − (12 852 − 1 397,45) = 545,45 ≥ 0 (S1's 6 places counted in U all year,
    // open 6 months: 6 × 181,8181… × 6 / 12 = 545,4545…).
    assert_eq!(g.charge_n1, Montant(1_200_000));
    assert_eq!(g.complement_plancher, Montant(139_745));
    assert_eq!(g.non_redistribue, Montant(54_545));
    assert_eq!(a.totaux.complement, Montant(139_745));
    assert_eq!(a.totaux.verse_caf, Montant(1_595_200)); // 8 772 + 4 080 + 3 100
                                                        // contributions: 2 000 − (8 772 − 8 000) = 1 228 ; 1 000 − (4 080 − 4 000) = 920
    assert_eq!(contribution(&p, 2026, "S1"), 122_800);
    assert_eq!(contribution(&p, 2026, "S2"), 92_000);
    assert_eq!(a.totaux.contribution_collectivite, Montant(214_800));

    // 2026 glissante: A = 12 000 + 3 100 = 15 100 ; S2's new place paid in 2025 is now
    // existing: U = 46 + 21 = 67 ; m_eff = 15 100 × 1.02 / 67 = 15 402 / 67.
    // S1 = m_eff × 516 / 12 = 662 286 / 67 = 9 884.8657 ; S2 = m_eff × 21 = 323 442 / 67
    // = 4 827.4925 ; T = round(985 728 / 67 = 14 712.3582) = 14 712.36 ; floors 9 884.86 +
    // 4 827.49 = 14 712.35 → the cent goes to S1 (remainder 0.567 c > 0.254 c).
    let p = projection(&lu, &ev, BasePluriannuelle::Glissante);
    assert_eq!(bonus(&p, 2026, "S1"), (988_487, 0, 0, 988_487));
    assert_eq!(bonus(&p, 2026, "S2"), (482_749, 0, 0, 482_749));
    let a = p.annee(2026).unwrap();
    let g = a.resultat.groupe("C", "EAJE").unwrap();
    assert!(!g.taux_impose);
    assert_eq!(g.charge_n1, Montant(1_510_000));
    assert_eq!(g.unites.0, 6_700);
    // C = 14 712.358209 − 15 100 × 64 / 67 (= 14 423.880597) = 288.477612 → 288.48
    // R = 15 100 − (14 712.36 − 288.48) = 676.12
    assert_eq!(g.complement_plancher, Montant(28_848));
    assert_eq!(g.non_redistribue, Montant(67_612));
    assert_eq!(a.totaux.verse_caf, Montant(1_471_236));
    // 2 000 − (9 884.87 − 8 000) = 115.13 ; 1 000 − (4 827.49 − 4 000) = 172.51
    assert_eq!(contribution(&p, 2026, "S1"), 11_513);
    assert_eq!(contribution(&p, 2026, "S2"), 17_251);
}

// ------------------------------------------------------------------------- three years

const CONV_3: &str = "nom = \"CTG D\"\ncaf = \"Caf\"\ndebut = 2025-01-01\nfin = 2027-12-31\nexercice = 2025\n[[collectivites]]\nid = \"D\"\ntranche = 1\n";

fn cas_trois_ans() -> (DossierLu, Vec<Evenement>) {
    // A 60 places, B 40 places (EAJE, m = 100 000 / 100 = 1 000 €) ; NEUF: new crèche, 3 new
    // places, closed in 2025 ; L: ALSH 20 places (m = 10 000 / 20 = 500 €).
    let s = format!(
        "{STRUCT_ENTETE}A;2;EAJE;A;G;D;PSU;60;0;12;0;0\nB;2;EAJE;B;G;D;PSU;40;0;12;0;0\nNEUF;2;EAJE;Neuf;G;D;PSU;0;3;0;0;0\nL;2;ALSH_PERISCOLAIRE;L;G;D;PSO;20;0;12;0;0\n"
    );
    let lu = dossier(
        CONV_3,
        &s,
        "collectivite;volet;montant\nD;EAJE;100000\nD;ALSH;10000\n",
        None,
    );
    // opening 1 September 2026 (Sep–Dec: 4 months); 6 new places at A from January 2027;
    // closure of L on 15 March 2027 (March still open: Jan–Mar, 3 months)
    let ev = evenements(
        "date;id;action;valeur\n2026-09-01;NEUF;ouverture;\n15/03/2027;L;fermeture;\n2027-01-01;A;unites_nouvelles;6\n",
    );
    (lu, ev)
}

#[test]
fn trois_ans_ouverture_fermeture_trajectoire() {
    let (lu, ev) = cas_trois_ans();
    for base in [BasePluriannuelle::Figee, BasePluriannuelle::Glissante] {
        let p = projection(&lu, &ev, base);
        // 2025: A 60 000, B 40 000, NEUF closed (FERMEE), L 10 000 ; P = 100 = P_ref → no
        // trajectoire ; Caf 110 000
        assert_eq!(bonus(&p, 2025, "A"), (6_000_000, 0, 0, 6_000_000));
        assert_eq!(bonus(&p, 2025, "NEUF").3, 0);
        assert_eq!(
            p.annee(2025).unwrap().ligne("NEUF").unwrap().motif,
            Motif::Fermee
        );
        assert_eq!(p.annee(2025).unwrap().totaux.verse_caf, Montant(11_000_000));
        // 2026: NEUF open Sep–Dec: forfait tranche 1 3 600 × 3 × 4 / 12 = 3 600 € ; no
        // existing unit (u = 0: U stays 100, m = 1 000 in both bases) ;
        // P = 60 + 40 + 3 = 103 → +3 % < 4 % : no trajectoire ; Caf 113 600
        assert_eq!(bonus(&p, 2026, "NEUF"), (0, 360_000, 0, 360_000));
        assert_eq!(p.annee(2026).unwrap().ligne("NEUF").unwrap().mois, 4);
        assert_eq!(bonus(&p, 2026, "A"), (6_000_000, 0, 0, 6_000_000));
        let t = &p.annee(2026).unwrap().trajectoire[0];
        assert_eq!(
            (t.places_reference.0, t.places.0, t.niveau),
            (10_000, 10_300, None)
        );
        assert_eq!(p.annee(2026).unwrap().totaux.verse_caf, Montant(11_360_000));
        // 2027: L closes 15 March → 3 months: 500 × 20 × 3 / 12 = 2 500 €
        assert_eq!(bonus(&p, 2027, "L"), (250_000, 0, 0, 250_000));
        assert_eq!(p.annee(2027).unwrap().ligne("L").unwrap().mois, 3);
        // trajectoire 2027: P = 66 + 40 + 3 = 109 → +9 % ≥ 8 % → level 2, 200 € per place:
        // A 66 × 200 = 13 200 ; B 40 × 200 = 8 000 ; NEUF 3 × 200 = 600 ; total 21 800
        let t = &p.annee(2027).unwrap().trajectoire[0];
        assert_eq!(
            (t.places.0, t.niveau, t.montant_par_place),
            (10_900, Some(2), Montant(20_000))
        );
        assert_eq!(t.verse, Montant(2_180_000));
        assert_eq!(bonus(&p, 2027, "B").2, 800_000);
        assert_eq!(bonus(&p, 2027, "NEUF").2, 60_000);
        assert_eq!(bonus(&p, 2027, "A").2, 1_320_000);
    }
    // figée 2027: A 60 000 + 6 × 3 600 = 21 600 + traj 13 200 ; B 40 000 + 8 000 ;
    // NEUF 3 × 3 600 = 10 800 (keeps its forfait) + 600 ; L 2 500
    // Caf = 60 000 + 21 600 + 40 000 + 10 800 + 2 500 + 21 800 = 156 700
    let p = projection(&lu, &ev, BasePluriannuelle::Figee);
    assert_eq!(
        bonus(&p, 2027, "A"),
        (6_000_000, 2_160_000, 1_320_000, 9_480_000)
    );
    assert_eq!(bonus(&p, 2027, "NEUF"), (0, 1_080_000, 60_000, 1_140_000));
    assert_eq!(p.annee(2027).unwrap().totaux.verse_caf, Montant(15_670_000));
    // glissante 2027: A_EAJE = 100 000 + 3 600 = 103 600 ; NEUF's 3 places paid in 2026
    // are now existing: U = 60 + 40 + 3 = 103, m = 103 600 / 103.
    // A 60 m = 60 349.5146 ; B 40 m = 40 233.0097 ; NEUF 3 m = 3 017.4757 ; Σ = 103 600
    // floors 60 349.51 + 40 233.00 + 3 017.47 = 103 599.98 → 2 cents: B (0.971 c), NEUF (0.573 c)
    // A's 6 places are new: 6 × 3 600 = 21 600. ALSH: A = 10 000, m = 500, L 2 500.
    // Caf = 103 600 + 21 600 + 2 500 + 21 800 = 149 500
    let p = projection(&lu, &ev, BasePluriannuelle::Glissante);
    assert_eq!(
        bonus(&p, 2027, "A"),
        (6_034_951, 2_160_000, 1_320_000, 9_514_951)
    );
    assert_eq!(bonus(&p, 2027, "B"), (4_023_301, 0, 800_000, 4_823_301));
    assert_eq!(bonus(&p, 2027, "NEUF"), (301_748, 0, 60_000, 361_748));
    assert_eq!(p.annee(2027).unwrap().totaux.verse_caf, Montant(14_950_000));
    // ALSH non redistributed: 10 000 − 2 500 = 7 500
    let g = p
        .annee(2027)
        .unwrap()
        .resultat
        .groupe("D", "ALSH")
        .cloned()
        .unwrap();
    assert_eq!(g.non_redistribue, Montant(750_000));
}

#[test]
fn jusqu_a_raccourcit_sans_changer_les_chiffres() {
    let (lu, ev) = cas_trois_ans();
    let longue = projection(&lu, &ev, BasePluriannuelle::Glissante);
    let opts = OptionsProjection {
        jusqu_a: Some(2026),
        base: Some(BasePluriannuelle::Glissante),
        ..Default::default()
    };
    let (courte, avert) = projeter(
        &lu,
        &ev,
        &opts,
        "bareme.toml",
        &Localisation::csv("evenements.csv"),
    )
    .unwrap();
    assert_eq!(courte.annees.len(), 2);
    assert_eq!(courte.annees[1].lignes, longue.annees[1].lignes);
    // the 2027 events are reported without effect (W030)
    assert_eq!(avert.0.iter().filter(|d| d.code == "W030").count(), 2);
}

#[test]
fn revalorisation_composee_en_base_figee() {
    // reval 2 % from 2026 and 3 % from 2027: m_eff 2027 = 200 × 1.02 × 1.03 = 210.12 €
    // S1 (40 → 46 places from July 2026, 46 all of 2027): 210.12 × 46 = 9 665.52 €
    let (_, ev) = cas_deux_ans();
    let conv = CONV_2.replace("fin = 2026-12-31", "fin = 2027-12-31");
    let b = format!(
        "{BAREME_2}[[volets.EAJE.revalorisation]]\ndebut = 2027-01-01\nvaleur = \"0.03\"\nreference = \"test\"\nstatut = \"hypothese\"\n"
    );
    let lu = dossier(
        &conv,
        &format!("{STRUCT_ENTETE}S1;2;EAJE;S1;G;C;PSU;40;0;12;10000;0\nS2;2;EAJE;S2;G;C;PSU;20;1;12;5000;0\n"),
        "collectivite;volet;montant\nC;EAJE;12000\n",
        Some(&b),
    );
    let p = projection(&lu, &ev, BasePluriannuelle::Figee);
    assert_eq!(bonus(&p, 2027, "S1").0, 966_552);
    // S2: 210.12 × 20 = 4 202.40 €
    assert_eq!(bonus(&p, 2027, "S2").0, 420_240);
}

#[test]
fn plancher_et_forfait_dates_2026() {
    // floor 250 € and forfaits 4 000 / 3 500 / 3 000 € from 2026 (revaluation 2 % as above)
    let (_, ev) = cas_deux_ans();
    let b = format!(
        "{BAREME_2}[[volets.EAJE.plancher]]\ndebut = 2026-01-01\nvaleur = \"250\"\nreference = \"test\"\nstatut = \"hypothese\"\n[[volets.EAJE.forfaits_nouvelles]]\ndebut = 2026-01-01\nvaleur = [\"4000\", \"3500\", \"3000\"]\nreference = \"test\"\nstatut = \"hypothese\"\n"
    );
    let lu = dossier(
        CONV_2,
        &format!("{STRUCT_ENTETE}S1;2;EAJE;S1;G;C;PSU;40;0;12;10000;0\nS2;2;EAJE;S2;G;C;PSU;20;1;12;5000;0\n"),
        "collectivite;volet;montant\nC;EAJE;12000\n",
        Some(&b),
    );
    // 2025 unchanged: 8 000 / 4 000 + 3 100
    let p = projection(&lu, &ev, BasePluriannuelle::Figee);
    assert_eq!(bonus(&p, 2025, "S2"), (400_000, 310_000, 0, 710_000));
    // figée 2026: m_eff = max(200, 250) × 1.02 = 255 € ; S1 255 × 516 / 12 = 10 965 € ;
    // S2 255 × 20 = 5 100 € + forfait 2026 tranche 2: 3 500 €
    assert_eq!(bonus(&p, 2026, "S1"), (1_096_500, 0, 0, 1_096_500));
    assert_eq!(bonus(&p, 2026, "S2"), (510_000, 350_000, 0, 860_000));
    // glissante 2026: m = 15 100 / 67 = 225.37 < 250 → m_eff = 255 € ; S1 10 965 € ;
    // S2 (21 existing places) 255 × 21 = 5 355 €
    let p = projection(&lu, &ev, BasePluriannuelle::Glissante);
    assert_eq!(bonus(&p, 2026, "S1"), (1_096_500, 0, 0, 1_096_500));
    assert_eq!(bonus(&p, 2026, "S2"), (535_500, 0, 0, 535_500));
}

// ------------------------------------------------------------------------------- errors

fn erreurs(lu: &DossierLu, texte: &str) -> Vec<(String, Option<u64>, Option<String>)> {
    let mut d = Diagnostics::default();
    let ev = analyser_evenements("evenements.csv", texte, &mut d);
    if d.a_des_erreurs() {
        return d
            .0
            .iter()
            .map(|x| (x.code.to_string(), x.numero_de_ligne(), x.colonne.clone()))
            .collect();
    }
    match projeter(
        lu,
        &ev,
        &OptionsProjection::default(),
        "bareme.toml",
        &Localisation::csv("evenements.csv"),
    ) {
        Ok(_) => Vec::new(),
        Err(d) => d
            .erreurs()
            .map(|x| (x.code.to_string(), x.numero_de_ligne(), x.colonne.clone()))
            .collect(),
    }
}

#[test]
fn erreurs_localisees_des_evenements() {
    let (lu, _) = cas_trois_ans();
    let e = |c: &str, l: u64, col: &str| (c.to_string(), Some(l), Some(col.to_string()));
    // unknown id
    assert_eq!(
        erreurs(&lu, "date;id;action;valeur\n2026-01-01;Z;fermeture;\n"),
        vec![e("E031", 2, "id")]
    );
    // outside the convention (2025-01-01 → 2027-12-31)
    assert_eq!(
        erreurs(&lu, "date;id;action;valeur\n2028-01-01;A;fermeture;\n"),
        vec![e("E034", 2, "date")]
    );
    // counts during exercice N = 2025 (structures.csv describes it)
    assert_eq!(
        erreurs(&lu, "date;id;action;valeur\n2025-06-01;A;fermeture;\n"),
        vec![e("E034", 2, "date")]
    );
    // 15 December 2025 counts from January 2026: accepted
    assert_eq!(
        erreurs(&lu, "date;id;action;valeur\n2025-12-15;A;fermeture;\n"),
        vec![]
    );
    // closing a closed structure (NEUF is closed in 2025), opening an open one
    assert_eq!(
        erreurs(&lu, "date;id;action;valeur\n2026-01-01;NEUF;fermeture;\n"),
        vec![e("E035", 2, "action")]
    );
    assert_eq!(
        erreurs(&lu, "date;id;action;valeur\n2026-01-01;A;ouverture;\n"),
        vec![e("E035", 2, "action")]
    );
    assert_eq!(
        erreurs(
            &lu,
            "date;id;action;valeur\n2026-01-01;A;fermeture;\n2026-05-10;A;fermeture;\n"
        ),
        vec![e("E035", 3, "action")]
    );
    // two values of the same action counting the same month (10 and 15 March → April)
    assert_eq!(
        erreurs(&lu, "date;id;action;valeur\n2026-03-10;A;unites_nouvelles;5\n2026-03-15;A;unites_nouvelles;6\n"),
        vec![e("E035", 3, "action")]
    );
    // employer units above existing units after a change
    assert_eq!(
        erreurs(
            &lu,
            "date;id;action;valeur\n2026-01-01;B;unites_employeurs;41\n"
        ),
        vec![e("E036", 2, "valeur")]
    );
    // order of events on the same date does not matter: existing 10 then employers 5
    assert_eq!(
        erreurs(&lu, "date;id;action;valeur\n2026-01-01;B;unites_employeurs;5\n2026-01-01;B;unites_existantes;10\n"),
        vec![]
    );
}

#[test]
fn periode_de_projection() {
    let (lu, ev) = cas_trois_ans();
    let opts = OptionsProjection {
        jusqu_a: Some(2028),
        ..Default::default()
    };
    let d = projeter(&lu, &ev, &opts, "b", &Localisation::csv("e")).unwrap_err();
    assert_eq!(d.0[0].code, "E037");
    let opts = OptionsProjection {
        jusqu_a: Some(2024),
        ..Default::default()
    };
    assert_eq!(
        projeter(&lu, &ev, &opts, "b", &Localisation::csv("e"))
            .unwrap_err()
            .0[0]
            .code,
        "E037"
    );
    let sans_fin = dossier(
        &CONV_3.replace("fin = 2027-12-31\n", ""),
        &format!("{STRUCT_ENTETE}A;2;EAJE;A;G;D;PSU;60;0;12;0;0\n"),
        "collectivite;volet;montant\nD;EAJE;1000\n",
        None,
    );
    assert_eq!(
        projeter(
            &sans_fin,
            &[],
            &OptionsProjection::default(),
            "b",
            &Localisation::csv("e")
        )
        .unwrap_err()
        .0[0]
            .code,
        "E037"
    );
}

// ------------------------------------------------------------------------ Dijon fixture

fn dijon() -> (DossierLu, Vec<Evenement>) {
    let mut d = Diagnostics::default();
    let racine = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dijon-2024");
    let lu = bonus_ctg::lecture::lire_dossier(&racine, &Default::default(), &mut d).unwrap();
    let ev = bonus_ctg::projection::evenements::lire_evenements(
        &racine.join("evenements.csv"),
        Default::default(),
        &mut d,
    )
    .unwrap();
    (lu, ev)
}

fn verifier_totaux(p: &Projection) {
    for a in &p.annees {
        // every yearly total equals the sum of its lines
        let bonus: i64 = a.lignes.iter().map(|l| l.bonus_total.0).sum();
        let pilotage: i64 = a
            .resultat
            .groupes
            .iter()
            .map(|g| g.verse_collectivite.0)
            .sum();
        assert_eq!(a.totaux.verse_caf.0, bonus + pilotage, "{}", a.exercice);
        assert_eq!(
            a.totaux.verse_caf.0,
            a.totaux.lissage.0
                + a.totaux.nouvelles.0
                + a.totaux.trajectoire.0
                + a.totaux.verse_collectivite.0
        );
        let c: i64 = a.lignes.iter().map(|l| l.contribution_n.0).sum();
        assert_eq!(a.totaux.contribution_collectivite.0, c);
        let traj: i64 = a.trajectoire.iter().map(|t| t.verse.0).sum();
        assert_eq!(a.totaux.trajectoire.0, traj);
        for l in &a.lignes {
            assert_eq!(
                l.bonus_total.0,
                l.bonus_lissage.0 + l.bonus_nouvelles.0 + l.bonus_trajectoire.0
            );
            assert_eq!(
                l.variation.0,
                l.financement_public_n.0 - l.financement_public_n1.0
            );
        }
        let pc: i64 = a.par_collectivite.values().map(|t| t.verse_caf.0).sum();
        assert_eq!(pc, a.totaux.verse_caf.0);
    }
    // the chain: N−1 of each year is the previous year
    for w in p.annees.windows(2) {
        for l in &w[1].lignes {
            let prec = w[0].ligne(&l.id).unwrap();
            assert_eq!(l.contribution_n1, prec.contribution_n);
            assert_eq!(l.financement_public_n1, prec.financement_public_n);
        }
    }
}

#[test]
fn dijon_avec_evenements() {
    let (lu, ev) = dijon();
    assert_eq!(ev.len(), 7);
    for base in [BasePluriannuelle::Figee, BasePluriannuelle::Glissante] {
        let p = projection(&lu, &ev, base);
        assert_eq!((p.premiere, p.derniere), (2025, 2027));
        verifier_totaux(&p);
        // 2025 = calculer (TOTAL_CAF of the oracle: 1 685 340.11 €)
        assert_eq!(
            p.annee(2025).unwrap().totaux.verse_caf,
            Montant(168_534_011)
        );
        // Tarnier: closed 30 June 2026 (→ July), reopened 1 September: 6 + 4 = 10 months
        assert_eq!(
            p.annee(2026).unwrap().ligne("EAJE-TARNIER").unwrap().mois,
            10
        );
        // the petite fac enters annexe 2 on 1 January 2026
        assert_eq!(
            p.annee(2026)
                .unwrap()
                .ligne("EAJE-DE-LA-PETITE-FAC")
                .unwrap()
                .motif,
            Motif::Eligible
        );
        // trajectoire: P_ref = 1 033 ; 2026: 1 033 + 16 + 40 + 10 + 12 = 1 111 (+7.55 %: 4 %)
        // 2027: + 20 at Graines de Moutarde = 1 131 (+9.49 %: 8 %)
        let t26 = &p.annee(2026).unwrap().trajectoire[0];
        assert_eq!(
            (t26.places_reference.0, t26.places.0, t26.niveau),
            (103_300, 111_100, Some(1))
        );
        let t27 = &p.annee(2027).unwrap().trajectoire[0];
        assert_eq!((t27.places.0, t27.niveau), (113_100, Some(2)));
        // ALSH Maison-Phare closes 15 March 2027: Jan–Mar
        assert_eq!(
            p.annee(2027)
                .unwrap()
                .ligne("ALSH-ADOS-AJ-MAISON-PHARE")
                .unwrap()
                .mois,
            3
        );
        // every figure can be explained
        for a in &p.annees {
            for l in &a.lignes {
                let t = bonus_ctg::rapport::projection::expliquer(&p, &l.id, a.exercice)
                    .unwrap()
                    .unwrap();
                let fr = bonus_ctg::rapport::montant_fr;
                assert!(
                    t.contains(&format!("= {}", fr(l.bonus_total))),
                    "{} {}",
                    l.id,
                    a.exercice
                );
                assert!(t.contains(&fr(l.contribution_n)), "{} {}", l.id, a.exercice);
                assert!(
                    t.contains(&format!(
                        "= {} — variation du financement public",
                        fr(l.variation)
                    )),
                    "{t}"
                );
            }
        }
    }
    // Delaunay 2026 (figée): 20 × m_eff + 3 100 × (10 × 8 + 20 × 4) / 12 + 100 × 400 / 12
    // m_eff 2025 = 1 301 846.37 / 1 033 = 1 260.2578 → 20 places: 25 205.16 (as in 2025)
    // forfaits: 3 100 × 160 / 12 = 41 333.33 ; trajectoire: 100 × (30×8 + 40×4) / 12 = 3 333.33
    let p = projection(&lu, &ev, BasePluriannuelle::Figee);
    assert_eq!(
        bonus(&p, 2026, "EAJE-DELAUNAY"),
        (2_520_516, 4_133_333, 333_333, 6_987_182)
    );
    // Tarnier 2026: 30 × m_eff × 10 / 12 = 31 506.45 ; 3 100 × 12 × 4 / 12 = 12 400 ;
    // trajectoire 100 × (30 × 10 + 12 × 4) / 12 = 2 900
    assert_eq!(
        bonus(&p, 2026, "EAJE-TARNIER"),
        (3_150_645, 1_240_000, 290_000, 4_680_645)
    );
}

#[test]
fn dijon_sans_evenement_glissante_constante() {
    // no events, no revaluation, base glissante: the Caf pays the same every year
    // (trajectoire aside: none here, P = 1 049 < 1 033 × 1.04)
    let (lu, _) = dijon();
    let p = projection(&lu, &[], BasePluriannuelle::Glissante);
    verifier_totaux(&p);
    let totaux: Vec<i64> = p.annees.iter().map(|a| a.totaux.verse_caf.0).collect();
    assert_eq!(totaux, vec![168_534_011; 3]);
    // Delaunay's 10 and Heudelet's 6 new places paid in 2025 are existing from 2026
    assert_eq!(p.annee(2026).unwrap().totaux.nouvelles, Montant(0));
    assert_eq!(
        p.annee(2026)
            .unwrap()
            .resultat
            .groupe("DIJON", "EAJE")
            .unwrap()
            .unites
            .0,
        104_900
    );
}

// --------------------------------------------------------------------------- properties

#[derive(Debug, Clone)]
struct S {
    volet: usize,
    c: usize,
    u: i64,
    n: i64,
    e: i64,
    mo: u8,
    contrib: i64,
}

fn strategie_structure() -> impl Strategy<Value = S> {
    (
        0usize..3,
        0usize..2,
        0i64..8_000,
        0i64..2_000,
        0i64..1_000,
        0u8..=12,
        0i64..5_000_000,
    )
        .prop_map(|(volet, c, u, n, e, mo, contrib)| S {
            volet,
            c,
            u,
            n,
            e: e.min(u),
            mo,
            contrib,
        })
}

fn dossier_aleatoire(structures: &[S], charges: &[i64], trajectoire: bool) -> DossierLu {
    let conv = "nom = \"P\"\ncaf = \"Caf\"\ndebut = 2025-01-01\nfin = 2027-12-31\nexercice = 2025\n[[collectivites]]\nid = \"C0\"\ntranche = 1\n[[collectivites]]\nid = \"C1\"\ntranche = 3\n";
    let types = [
        ("EAJE", "PSU"),
        ("ALSH_PERISCOLAIRE", "PSO"),
        ("RPE", "PSO"),
    ];
    let mut s = String::from("id;annexe;type;nom;gestionnaire;collectivite;financement;unites_existantes;unites_nouvelles;unites_employeurs;mois_ouverture;contribution_collectivite_n1\n");
    for (i, x) in structures.iter().enumerate() {
        let f = |v: i64| format!("{}.{:02}", v / 100, v % 100);
        s.push_str(&format!(
            "S{i};2;{};S{i};G;C{};{};{};{};{};{};{}\n",
            types[x.volet].0,
            x.c,
            types[x.volet].1,
            f(x.u),
            f(x.n),
            f(x.e),
            x.mo,
            f(x.contrib)
        ));
    }
    let volets = ["EAJE", "ALSH", "RPE", "PILOTAGE"];
    let mut ch = String::from("collectivite;volet;montant\n");
    for (k, m) in charges.iter().enumerate() {
        ch.push_str(&format!(
            "C{};{};{}.{:02}\n",
            k % 2,
            volets[(k / 2) % 4],
            m / 100,
            m % 100
        ));
    }
    // without the trajectoire: nor the ALSH floor (0,15 € per hour, R61), so that the Caf
    // total of the first year is the envelope
    let b = if trajectoire {
        None
    } else {
        Some("[volets.ALSH]\nplancher = \"0\"\n[trajectoire]\nseuils = []\n")
    };
    dossier(conv, &s, &ch, b)
}

fn strategie_evenements(n: usize) -> impl Strategy<Value = Vec<(u8, u8, usize, u8, i64)>> {
    prop::collection::vec(
        (26u8..=27, 1u8..=12, 0..n.max(1), 0u8..6, 0i64..6_000),
        0..6,
    )
}

fn texte_evenements(ev: &[(u8, u8, usize, u8, i64)]) -> String {
    let mut t = String::from("date;id;action;valeur\n");
    for (a, m, i, k, v) in ev {
        let (action, valeur) = match k {
            0 => ("fermeture", String::new()),
            1 => ("ouverture", String::new()),
            2 => ("unites_nouvelles", format!("{}", v / 100)),
            3 => ("unites_existantes", format!("{}", 10 + v / 100)),
            4 => ("soutien", if v % 2 == 0 { "non" } else { "oui" }.into()),
            _ => ("annexe", if v % 2 == 0 { "2bis" } else { "2" }.into()),
        };
        t.push_str(&format!(
            "20{a}-{m:02}-{:02};S{i};{action};{valeur}\n",
            1 + (v % 28)
        ));
    }
    t
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The first projected year is `calculer` for that exercice, whatever the events.
    #[test]
    fn premiere_annee_egale_calculer(
        structures in prop::collection::vec(strategie_structure(), 1..7),
        charges in prop::collection::vec(0i64..50_000_000, 1..8),
        ev in strategie_evenements(6),
        glissante in any::<bool>(),
    ) {
        let lu = dossier_aleatoire(&structures, &charges, true);
        let mut d = Diagnostics::default();
        let ev = analyser_evenements("evenements.csv", &texte_evenements(&ev), &mut d);
        let base = if glissante { BasePluriannuelle::Glissante } else { BasePluriannuelle::Figee };
        let opts = OptionsProjection { base: Some(base), ..Default::default() };
        let r = projeter(&lu, &ev, &opts, "b", &Localisation::csv("e"));
        prop_assume!(r.is_ok());
        let (p, _) = r.unwrap();
        let (calcul, _) = bonus_ctg::traiter(&lu, None, "b").unwrap();
        let a = p.annee(2025).unwrap();
        prop_assert_eq!(&a.resultat, &calcul);
        // every column of year N is the one of `calculer` (R63)
        prop_assert_eq!(a.lignes.len(), calcul.structures.len());
        for (l, c) in a.lignes.iter().zip(&calcul.structures) {
            prop_assert_eq!(&l.id, &c.structure.id);
            prop_assert_eq!(l.motif, c.motif());
            prop_assert_eq!(l.unites_eligibles, c.unites_eligibles);
            prop_assert_eq!(l.taux_unitaire, c.taux_unitaire.as_deref().copied());
            prop_assert_eq!(l.bonus_lissage, c.bonus_lissage);
            prop_assert_eq!(l.bonus_nouvelles, c.bonus_nouvelles);
            prop_assert_eq!(l.bonus_trajectoire, c.bonus_trajectoire);
            prop_assert_eq!(l.bonus_total, c.bonus_total);
            prop_assert_eq!(l.bonus_ctre, c.bonus_ctre);
            prop_assert_eq!(l.ecart_arrondi, c.ecart_arrondi().expect("écart"));
            prop_assert_eq!(l.contribution_n1, c.contribution_n1);
            prop_assert_eq!(l.contribution_n, c.contribution_n);
            prop_assert_eq!(l.financement_public_n1, c.financement_public_n1);
            prop_assert_eq!(l.financement_public_n, c.financement_public_n);
            prop_assert_eq!(l.variation, c.variation);
        }
        prop_assert_eq!(a.totaux.verse_caf, calcul.total.verse_caf);
        // never a negative « non redistribué » (R66), in any year
        for y in &p.annees {
            for g in &y.resultat.groupes {
                prop_assert!(g.non_redistribue.0 >= 0, "R < 0 en {} : {:?}", y.exercice, (&g.collectivite, &g.volet));
            }
            prop_assert!(y.totaux.non_redistribue.0 >= 0);
        }
        verifier_totaux(&p);
    }

    /// Base glissante, no events, no revaluation: every year's Caf total (trajectoire
    /// aside) equals the previous year's.
    #[test]
    fn glissante_sans_evenement_constante(
        structures in prop::collection::vec(strategie_structure(), 1..7),
        charges in prop::collection::vec(0i64..50_000_000, 1..8),
    ) {
        let lu = dossier_aleatoire(&structures, &charges, false);
        let p = projection(&lu, &[], BasePluriannuelle::Glissante);
        verifier_totaux(&p);
        let totaux: Vec<i64> = p.annees.iter().map(|a| a.totaux.verse_caf.0 - a.totaux.trajectoire.0).collect();
        for w in totaux.windows(2) {
            prop_assert_eq!(w[0], w[1]);
        }
    }

    /// Base figée, no events, no revaluation: from the second year on, the Caf pays the
    /// same every year (all open structures are open all year).
    #[test]
    fn figee_sans_evenement_stable(
        structures in prop::collection::vec(strategie_structure(), 1..7),
        charges in prop::collection::vec(0i64..50_000_000, 1..8),
    ) {
        let lu = dossier_aleatoire(&structures, &charges, false);
        let p = projection(&lu, &[], BasePluriannuelle::Figee);
        verifier_totaux(&p);
        // the ALSH cap applies to A, which follows the lissage paid the year before
        prop_assume!(p.annees.iter().all(|a| a.resultat.groupes.iter().all(|g| g.facteur_plafond.is_none())));
        prop_assert_eq!(p.annees[1].totaux.verse_caf, p.annees[2].totaux.verse_caf);
        prop_assert_eq!(&p.annees[1].lignes.iter().map(|l| l.bonus_total).collect::<Vec<_>>(),
                        &p.annees[2].lignes.iter().map(|l| l.bonus_total).collect::<Vec<_>>());
    }
}

// ----------------------------------------------------------------------------------- CLI

fn cli() -> assert_cmd::Command {
    let mut c = assert_cmd::Command::cargo_bin("bonus-ctg").unwrap();
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

#[test]
fn cli_projeter_dijon() {
    let out = cli()
        .args([
            "projeter",
            "fixtures/dijon-2024",
            "--evenements",
            "fixtures/dijon-2024/evenements.csv",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let t = String::from_utf8(out).unwrap().replace('\u{202f}', " ");
    assert!(t.contains("projection 2025–2027 — base figée"));
    assert!(t.contains("1 685 340,11 €"), "2025 = calculer");
    assert!(t.contains("7 événement(s)"));
    // CSV rfc4180: 61 structures × 3 years, then totals, then trajectoire
    let tables = tables_projection(&["--base", "glissante"]);
    let blocs: Vec<&str> = tables.iter().map(String::as_str).collect();
    assert!(
        blocs[0].starts_with("exercice,id,nom,type,volet,gestionnaire,collectivite,motif,mois,")
    );
    assert_eq!(blocs[0].lines().count(), 1 + 61 * 3);
    assert!(
        blocs[1].contains("\n2025,TOUTES,1662692.04,1590740.11,49600.00,0.00,45000.00,1685340.11,")
    );
    assert!(blocs[2].contains("2027,DIJON,EAJE,2023,1033.00,1131.00,0.0949,0.08,200.00,"));
    // JSON
    let out = cli()
        .args([
            "projeter",
            "fixtures/dijon-2024",
            "--format",
            "json",
            "--jusqu-a",
            "2026",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "bonus-ctg.projection.v1");
    assert_eq!(v["annees"].as_array().unwrap().len(), 2);
    assert_eq!(v["annees"][0]["totaux"]["verse_caf"], "1685340.11");
}

#[test]
fn cli_expliquer_annee() {
    let out = cli()
        .args([
            "expliquer",
            "fixtures/dijon-2024",
            "EAJE-TARNIER",
            "--annee",
            "2026",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let t = String::from_utf8(out).unwrap().replace('\u{202f}', " ");
    assert!(t.contains("juillet–août (2 mois) : fermée"));
    assert!(t.contains("mois comptés : 10"));
    // 31 506,45 + 12 400 + 2 900 = 46 806,45 (dijon_avec_evenements)
    assert!(t.contains("bonus_total = lissage + nouvelles + trajectoire = 31 506,45 € + 12 400,00 € + 2 900,00 € = 46 806,45 €"), "{t}");
    cli()
        .args([
            "expliquer",
            "fixtures/dijon-2024",
            "EAJE-TARNIER",
            "--annee",
            "2031",
        ])
        .assert()
        .code(1);
}

#[test]
fn cli_erreurs() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("ev.csv");
    std::fs::write(
        &f,
        "date;id;action;valeur\n2026-01-01;EAJE-INCONNUE;fermeture;\n",
    )
    .unwrap();
    let out = cli()
        .args(["projeter", "fixtures/dijon-2024", "--evenements"])
        .arg(&f)
        .assert()
        .code(1)
        .get_output()
        .stderr
        .clone();
    let e = String::from_utf8(out).unwrap();
    assert!(e.contains("erreur E031"), "{e}");
    assert!(
        e.contains("ligne 2, colonne « id », valeur « EAJE-INCONNUE »"),
        "{e}"
    );
    cli()
        .args(["projeter", "fixtures/dijon-2024", "--jusqu-a", "2030"])
        .assert()
        .code(1);
    cli()
        .args(["projeter", "fixtures/dijon-2024", "--base", "mobile"])
        .assert()
        .code(2);
}

// ------------------------------------------------- v2: empty year, monthly contributions

const CONV_DEUX_COMMUNES: &str = "nom = \"CTG deux communes\"\ncaf = \"Caf\"\ndebut = 2025-01-01\nfin = 2027-12-31\nexercice = 2025\n[[collectivites]]\nid = \"C1\"\ntranche = 2\n[[collectivites]]\nid = \"C2\"\ntranche = 2\n";
const BAREME_DEUX_COMMUNES: &str = "[[volets.EAJE.revalorisation]]\ndebut = 2026-01-01\nvaleur = \"0.02\"\nreference = \"test\"\nstatut = \"hypothese\"\n[[volets.EAJE.revalorisation]]\ndebut = 2027-01-01\nvaleur = \"0.03\"\nreference = \"test\"\nstatut = \"hypothese\"\n[trajectoire]\nseuils = []\n";

#[test]
fn figee_a_travers_une_annee_sans_unite() {
    // Two identical communes: one crèche of 10 places each, A = 10 000, contribution N-1
    // 15 000, bonus N-1 0. C1's crèche is closed all of 2026 and reopens on 1 January 2027.
    // 2025: m = 10 000 / 10 = 1 000 € ; lissage 10 000 each ; neutre: 15 000 − 10 000 = 5 000.
    // 2026: C2 m_eff = 1 000 × 1,02 = 1 020 € → 10 200 ; C1 has no unit, its rate goes on
    //   all the same (R67): 1 020 €. C1: 0 month → 0 € and contribution 0 ; C2: c_ref = 5 000,
    //   b_ref = 10 000 → 5 000 − (10 200 − 10 000) = 4 800.
    // 2027: both m_eff = 1 020 × 1,03 = 1 050,60 € → 10 506,00 €.
    //   C2: 4 800 − (10 506 − 10 200) = 4 494 ; C1 bridged from 2025 (R68): c_ref = 5 000,
    //   b_ref = 10 000 → 5 000 − (10 506 − 10 000) = 4 494 : the same as C2.
    let s = format!(
        "{STRUCT_ENTETE}S1;2;EAJE;S1;G;C1;PSU;10;0;12;15000;0\nS2;2;EAJE;S2;G;C2;PSU;10;0;12;15000;0\n"
    );
    let lu = dossier(
        CONV_DEUX_COMMUNES,
        &s,
        "collectivite;volet;montant\nC1;EAJE;10000\nC2;EAJE;10000\n",
        Some(BAREME_DEUX_COMMUNES),
    );
    let ev =
        evenements("date;id;action;valeur\n2026-01-01;S1;fermeture;\n2027-01-01;S1;ouverture;\n");
    let p = projection(&lu, &ev, BasePluriannuelle::Figee);
    assert_eq!(bonus(&p, 2025, "S1"), (1_000_000, 0, 0, 1_000_000));
    assert_eq!(contribution(&p, 2025, "S1"), 500_000);
    assert_eq!(bonus(&p, 2026, "S1"), (0, 0, 0, 0));
    assert_eq!(contribution(&p, 2026, "S1"), 0);
    assert_eq!(bonus(&p, 2026, "S2"), (1_020_000, 0, 0, 1_020_000));
    assert_eq!(contribution(&p, 2026, "S2"), 480_000);
    let a = p.annee(2027).unwrap();
    let t1 = a.resultat.groupe("C1", "EAJE").unwrap().taux_effectif;
    let t2 = a.resultat.groupe("C2", "EAJE").unwrap().taux_effectif;
    assert_eq!(t1.map(|t| t.0), Some(Rationnel::new(105_060, 1).unwrap()));
    assert_eq!(t1, t2);
    assert_eq!(bonus(&p, 2027, "S1"), (1_050_600, 0, 0, 1_050_600));
    assert_eq!(bonus(&p, 2027, "S2"), (1_050_600, 0, 0, 1_050_600));
    assert_eq!(contribution(&p, 2027, "S1"), 449_400);
    assert_eq!(contribution(&p, 2027, "S2"), 449_400);
    // C1 2027: A = lissage 2026 = 0 ; the kept rate pays 10 506 beyond it: C = 10 506,
    // R = 0 − 10 506 + 10 506 = 0 (never negative, R66)
    let g = a.resultat.groupe("C1", "EAJE").unwrap();
    assert_eq!(g.charge_n1, Montant(0));
    assert_eq!(g.complement_plancher, Montant(1_050_600));
    assert_eq!(g.non_redistribue, Montant(0));
    // C1 2026: nothing paid, the envelope is not redistributed
    let g = p
        .annee(2026)
        .unwrap()
        .resultat
        .groupe("C1", "EAJE")
        .unwrap();
    assert_eq!(g.non_redistribue, Montant(1_000_000));
}

#[test]
fn fermeture_en_cours_d_annee_contribution_au_prorata() {
    // One crèche, 10 places, A = 12 000, contribution N-1 24 000, bonus N-1 0.
    // 2025 (12 months): lissage 12 000 ; neutre: 24 000 − 12 000 = 12 000.
    // Closed on 1 May 2026: 4 months (January–April). Figée: m = 1 200 €,
    // lissage 1 200 × 10 × 4 / 12 = 4 000.
    // R68: c_ref = 12 000 × 4 / 12 = 4 000 ; b_ref = 12 000 × 4 / 12 = 4 000 ;
    // contribution = 4 000 − (4 000 − 4 000) = 4 000: the collectivité pays for 4 months
    // what it paid per month in 2025 (1 000 €), it does not rise (v1 gave
    // 12 000 − (4 000 − 12 000) = 20 000).
    let conv = "nom = \"t\"\ncaf = \"Caf\"\ndebut = 2025-01-01\nfin = 2026-12-31\nexercice = 2025\n[[collectivites]]\nid = \"C\"\ntranche = 2\n";
    let s = format!("{STRUCT_ENTETE}S;2;EAJE;S;G;C;PSU;10;0;12;24000;0\n");
    for (mode, c2025, c2026) in [
        ("neutre", 1_200_000, 400_000),
        // aucun: c_ref = 24 000 × 12/12 = 24 000 in 2025 ; 2026: 24 000 × 4 / 12 = 8 000
        ("aucun", 2_400_000, 800_000),
        // integral (no new place, no trajectoire): the same as neutre
        ("integral", 1_200_000, 400_000),
    ] {
        let b = format!("ajustement_contribution = \"{mode}\"\n[trajectoire]\nseuils = []\n");
        let lu = dossier(
            conv,
            &s,
            "collectivite;volet;montant\nC;EAJE;12000\n",
            Some(&b),
        );
        let ev = evenements("date;id;action;valeur\n2026-05-01;S;fermeture;\n");
        for base in [BasePluriannuelle::Figee, BasePluriannuelle::Glissante] {
            let p = projection(&lu, &ev, base);
            assert_eq!(bonus(&p, 2026, "S").0, 400_000, "{mode}");
            assert_eq!(contribution(&p, 2025, "S"), c2025, "{mode}");
            assert_eq!(contribution(&p, 2026, "S"), c2026, "{mode}");
            let l = p.annee(2026).unwrap().ligne("S").unwrap();
            assert_eq!(l.mois, 4);
            // N-1 columns: what 2025 actually paid
            assert_eq!(l.contribution_n1.0, c2025);
        }
    }
}

#[test]
fn dijon_fermeture_la_contribution_baisse_et_aucun_chiffre_negatif() {
    // fixtures/dijon-2024 with its events (LISEZMOI): AJ Maison-Phare closes on 15 March 2027
    // (3 months counted). 2026 (12 months): contribution 17 360,97, lissage 7 639,03.
    // 2027: c_ref = 17 360,97 × 3/12 = 4 340,2425 ; b_ref = 7 639,03 × 3/12 = 1 909,7575 ;
    // lissage 1 909,76 → 4 340,2425 − (1 909,76 − 1 909,7575) = 4 340,24 (R68).
    let out = cli()
        .args([
            "expliquer",
            "fixtures/dijon-2024",
            "ALSH-ADOS-AJ-MAISON-PHARE",
            "--annee",
            "2027",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let t = String::from_utf8(out).unwrap().replace('\u{202f}', " ");
    assert!(
        t.contains(
            "c_ref = contribution_ref × mo / mois_ref = 17 360,97 € × 3 / 12 = 4 340,242500 €"
        ),
        "{t}"
    );
    assert!(
        // 4 340,2425 − (1 909,76 − 1 909,7575) = 4 340,24
        t.contains("contribution = max(0, c_ref − (bonus_lissage_n − b_ref)) = max(0, 4 340,242500 € − (1 909,76 € − 1 909,757500 €)) = 4 340,24 €"),
        "{t}"
    );
    // every structure, every year: a contribution never rises when its months fall, and no
    // reconciliation figure is negative
    let tables = tables_projection(&[]);
    let blocs: Vec<&str> = tables.iter().map(String::as_str).collect();
    let cents = |x: &str| -> i64 {
        let (e, d) = x.split_once('.').unwrap();
        let v = e.trim_start_matches('-').parse::<i64>().unwrap() * 100 + d.parse::<i64>().unwrap();
        if e.starts_with('-') {
            -v
        } else {
            v
        }
    };
    // structures: exercice, id, …, mois (8), …, contribution_collectivite_n (17)
    let mut par_id: std::collections::BTreeMap<String, Vec<(i64, u8, i64)>> = Default::default();
    for l in blocs[0].lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        if c.len() < 18 || c[1].contains('"') {
            continue;
        }
        par_id.entry(c[1].to_string()).or_default().push((
            c[0].parse().unwrap(),
            c[8].parse().unwrap(),
            cents(c[17]),
        ));
    }
    let mut fermetures = 0;
    for (id, annees) in &par_id {
        for w in annees.windows(2) {
            if w[1].1 < w[0].1 {
                fermetures += 1;
                assert!(
                    w[1].2 <= w[0].2,
                    "{id} : la contribution monte en {}",
                    w[1].0
                );
            }
        }
    }
    assert!(fermetures >= 1, "la fermeture de 2027 est vue");
    // totals: non_redistribue (column 10) and complement (column 12) never negative
    for l in blocs[1].lines().skip(1) {
        let c: Vec<&str> = l.split(',').collect();
        assert!(cents(c[10]) >= 0, "{l}");
        assert!(cents(c[12]) >= 0, "{l}");
    }
}

/// The three CSV tables of `projeter fixtures/dijon-2024 --profil rfc4180 ARGS` (one file
/// each): structures × years, totals, trajectoire.
fn tables_projection(args: &[&str]) -> [String; 3] {
    ["structures", "totaux", "trajectoire"].map(|table| {
        let out = cli()
            .args([
                "projeter",
                "fixtures/dijon-2024",
                "--format",
                "csv",
                "--profil",
                "rfc4180",
            ])
            .args(["--table", table])
            .args(args)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        String::from_utf8(out).unwrap()
    })
}

/// The contributions chain in mode `integral` (R25, R65): the reference bonus is the total
/// (lissage + new units + trajectoire) of the reference year.
#[test]
fn chaine_des_contributions_integral() {
    // cas_deux_ans, base figée (bonus computed in deux_ans_figee_et_glissante):
    // 2025: S1 total 8 000 (lissage) ; S2 total 4 000 + 3 100 = 7 100.
    // 2026: S1 total 8 772 ; S2 total 4 080 + 3 100 = 7 180.
    // 2025 (reference N-1: contribution 10 000 / 5 000, bonus 0, 12 months):
    //   S1 max(0, 10 000 − (8 000 − 0)) = 2 000 ; S2 max(0, 5 000 − (7 100 − 0)) = 0
    //   (neutre would give S2 5 000 − 4 000 = 1 000: the forfait counts in integral).
    // 2026 (reference 2025, 12 months): S1 c_ref 2 000, b_ref 8 000 →
    //   max(0, 2 000 − (8 772 − 8 000)) = 1 228 ; S2 c_ref 0, b_ref 7 100 →
    //   max(0, 0 − (7 180 − 7 100)) = 0.
    // Public funding 2026: S1 2 000 + 8 000 = 10 000 → 1 228 + 8 772 = 10 000 (variation 0) ;
    //   S2 0 + 7 100 = 7 100 → 0 + 7 180 = 7 180 (variation +80).
    let (lu_neutre, ev) = cas_deux_ans();
    let b = format!("ajustement_contribution = \"integral\"\n{BAREME_2}");
    let lu = dossier(
        CONV_2,
        &format!(
            "{STRUCT_ENTETE}S1;2;EAJE;S1;G;C;PSU;40;0;12;10000;0\nS2;2;EAJE;S2;G;C;PSU;20;1;12;5000;0\n"
        ),
        "collectivite;volet;montant\nC;EAJE;12000\n",
        Some(&b),
    );
    assert_eq!(lu.dossier, lu_neutre.dossier); // the same dossier, only the mode differs
    let p = projection(&lu, &ev, BasePluriannuelle::Figee);
    assert_eq!(bonus(&p, 2025, "S2"), (400_000, 310_000, 0, 710_000));
    assert_eq!(bonus(&p, 2026, "S1"), (877_200, 0, 0, 877_200));
    assert_eq!(bonus(&p, 2026, "S2"), (408_000, 310_000, 0, 718_000));
    assert_eq!(contribution(&p, 2025, "S1"), 200_000);
    assert_eq!(contribution(&p, 2025, "S2"), 0);
    assert_eq!(contribution(&p, 2026, "S1"), 122_800);
    assert_eq!(contribution(&p, 2026, "S2"), 0);
    let l = p.annee(2026).unwrap().ligne("S1").unwrap();
    assert_eq!(l.annee_reference, Some(2025));
    assert_eq!(
        (l.reference.contribution.0, l.reference.total.0),
        (200_000, 800_000)
    );
    assert_eq!(
        (
            l.financement_public_n1.0,
            l.financement_public_n.0,
            l.variation.0
        ),
        (1_000_000, 1_000_000, 0)
    );
    let l = p.annee(2026).unwrap().ligne("S2").unwrap();
    assert_eq!(
        (
            l.financement_public_n1.0,
            l.financement_public_n.0,
            l.variation.0
        ),
        (710_000, 718_000, 8_000)
    );
    assert_eq!(
        p.annee(2026).unwrap().totaux.contribution_collectivite,
        Montant(122_800)
    );
}

/// The contributions chain in mode `aucun` (R25, R65): the collectivité pays its reference
/// contribution, scaled to the months counted, whatever the Caf pays.
#[test]
fn chaine_des_contributions_aucun() {
    // cas_deux_ans, mode aucun: 2025 c = 10 000 × 12 / 12 = 10 000 ; 5 000.
    // 2026 (reference 2025, 12 months): 10 000 ; 5 000 (the bonus does not matter).
    // Public funding 2026: S1 10 000 + 8 000 = 18 000 → 10 000 + 8 772 = 18 772 (+772) ;
    //   S2 5 000 + 7 100 = 12 100 → 5 000 + 7 180 = 12 180 (+80).
    let (_, ev) = cas_deux_ans();
    let b = format!("ajustement_contribution = \"aucun\"\n{BAREME_2}");
    let lu = dossier(
        CONV_2,
        &format!(
            "{STRUCT_ENTETE}S1;2;EAJE;S1;G;C;PSU;40;0;12;10000;0\nS2;2;EAJE;S2;G;C;PSU;20;1;12;5000;0\n"
        ),
        "collectivite;volet;montant\nC;EAJE;12000\n",
        Some(&b),
    );
    for base in [BasePluriannuelle::Figee, BasePluriannuelle::Glissante] {
        let p = projection(&lu, &ev, base);
        assert_eq!(contribution(&p, 2025, "S1"), 1_000_000);
        assert_eq!(contribution(&p, 2025, "S2"), 500_000);
        assert_eq!(contribution(&p, 2026, "S1"), 1_000_000);
        assert_eq!(contribution(&p, 2026, "S2"), 500_000);
        assert_eq!(
            p.annee(2026).unwrap().totaux.contribution_collectivite,
            Montant(1_500_000)
        );
    }
    let p = projection(&lu, &ev, BasePluriannuelle::Figee);
    let l = p.annee(2026).unwrap().ligne("S1").unwrap();
    assert_eq!(
        (
            l.financement_public_n1.0,
            l.financement_public_n.0,
            l.variation.0
        ),
        (1_800_000, 1_877_200, 77_200)
    );
    let l = p.annee(2026).unwrap().ligne("S2").unwrap();
    assert_eq!(
        (
            l.financement_public_n1.0,
            l.financement_public_n.0,
            l.variation.0
        ),
        (1_210_000, 1_218_000, 8_000)
    );
}

/// `integral` and `aucun` through a year without months (R68) and a reopening in April.
#[test]
fn chaine_integral_et_aucun_a_travers_une_annee_fermee() {
    // One crèche, 10 places, A = 12 000, contribution N-1 24 000, bonus N-1 6 000; closed
    // all of 2026, reopened on 1 April 2027 (9 months). Base figée, no revaluation:
    // 2025: m = 12 000 / 10 = 1 200 € → lissage 12 000 ; 2026: 0 ; 2027: the kept rate
    // (R67) 1 200 × 10 × 9 / 12 = 9 000.
    // integral: 2025 max(0, 24 000 − (12 000 − 6 000)) = 18 000 ; 2026 (0 month) 0 ;
    //   2027 bridged from 2025 (R68): c_ref = 18 000 × 9 / 12 = 13 500,
    //   b_ref = 12 000 × 9 / 12 = 9 000 → max(0, 13 500 − (9 000 − 9 000)) = 13 500.
    // aucun: 2025 24 000 ; 2026 0 ; 2027 c_ref = 24 000 × 9 / 12 = 18 000.
    let conv = "nom = \"t\"\ncaf = \"Caf\"\ndebut = 2025-01-01\nfin = 2027-12-31\nexercice = 2025\n[[collectivites]]\nid = \"C\"\ntranche = 2\n";
    let s = format!("{STRUCT_ENTETE}S;2;EAJE;S;G;C;PSU;10;0;12;24000;6000\n");
    let ev =
        evenements("date;id;action;valeur\n2026-01-01;S;fermeture;\n2027-04-01;S;ouverture;\n");
    for (mode, attendu) in [
        ("integral", [1_800_000, 0, 1_350_000]),
        ("aucun", [2_400_000, 0, 1_800_000]),
    ] {
        let b = format!("ajustement_contribution = \"{mode}\"\n[trajectoire]\nseuils = []\n");
        let lu = dossier(
            conv,
            &s,
            "collectivite;volet;montant\nC;EAJE;12000\n",
            Some(&b),
        );
        let p = projection(&lu, &ev, BasePluriannuelle::Figee);
        assert_eq!(bonus(&p, 2025, "S").3, 1_200_000, "{mode}");
        assert_eq!(bonus(&p, 2026, "S").3, 0, "{mode}");
        assert_eq!(bonus(&p, 2027, "S").3, 900_000, "{mode}");
        for (annee, c) in (2025..=2027).zip(attendu) {
            assert_eq!(contribution(&p, annee, "S"), c, "{mode} {annee}");
        }
        let l = p.annee(2027).unwrap().ligne("S").unwrap();
        assert_eq!(l.mois, 9);
        assert_eq!(
            l.annee_reference,
            Some(2025),
            "{mode}: the reference skips 2026"
        );
        assert_eq!(l.reference.mois, 12);
        // N-1 columns of 2027: what 2026 actually paid (nothing)
        assert_eq!((l.contribution_n1.0, l.bonus_n1.0), (0, 0));
        assert_eq!(l.financement_public_n.0, attendu[2] + 900_000);
    }
}

/// `expliquer --annee A --format json`: the contribution node is the projection's chain.
#[test]
fn dijon_expliquer_annee_en_json() {
    // The case of dijon_fermeture_la_contribution_baisse_et_aucun_chiffre_negatif, 2027:
    // reference 2026 (12 months): contribution 17 360,97, lissage 7 639,03 ; 3 months.
    // c_ref = 1 736 097 c × 3 / 12 = 1736097/4 c (4 340,2425 €) ;
    // b_ref = 763 903 c × 3 / 12 = 763903/4 c (1 909,7575 €) ;
    // contribution = 434 024,25 − (190 976 − 190 975,75) = 434 024 c (4 340,24 €).
    let out = cli()
        .args([
            "expliquer",
            "fixtures/dijon-2024",
            "ALSH-ADOS-AJ-MAISON-PHARE",
            "--annee",
            "2027",
            "--format",
            "json",
            "--silencieux",
        ])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["schema"], "bonus-ctg.explication.v1");
    assert_eq!(v["exercice"], 2027);
    fn trouver<'a>(n: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
        if n["id"] == id {
            return Some(n);
        }
        n["operandes"]
            .as_array()?
            .iter()
            .find_map(|o| trouver(o, id))
    }
    let figures = v["figures"].as_array().unwrap();
    let c = figures
        .iter()
        .find_map(|f| trouver(f, "contribution"))
        .unwrap();
    assert_eq!(c["valeur"]["centimes"], 434_024);
    let c_ref = trouver(c, "c_ref").unwrap();
    assert_eq!(c_ref["valeur"]["centimes"], "1736097/4");
    assert_eq!(c_ref["formule"], "contribution_ref × mo / mois_ref");
    assert_eq!(trouver(c_ref, "mois_ref").unwrap()["valeur"]["valeur"], 12);
    assert_eq!(
        trouver(c, "b_ref").unwrap()["valeur"]["centimes"],
        "763903/4"
    );
    assert_eq!(trouver(c, "mo").unwrap()["valeur"]["valeur"], 3);
    assert_eq!(
        trouver(c, "contribution_ref").unwrap()["valeur"]["centimes"],
        1_736_097
    );
    let lissage = figures.iter().find(|f| f["id"] == "lissage").unwrap();
    assert_eq!(lissage["valeur"]["centimes"], 190_976);
}
