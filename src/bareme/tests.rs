//! Tests of the barème: built-in values, dossier overrides, dates, errors.

use super::*;
use crate::diagnostic::Code;

#[test]
fn bareme_integre_lisible_et_complet() {
    let b = Bareme::integre().unwrap();
    let e = b.pour_exercice(2025, "t").unwrap();
    assert_eq!(e.nombre_tranches.valeur, 3);
    assert_eq!(e.ajustement_contribution.valeur, Ajustement::Neutre);
    assert_eq!(e.arrondi.valeur, Arrondi::DemiHaut);
    let eaje = &e.volets["EAJE"];
    // from 2021-01-01: 3 600 / 3 100 / 2 600 €
    assert_eq!(
        eaje.forfaits_nouvelles.valeur,
        vec![Montant(360_000), Montant(310_000), Montant(260_000)]
    );
    assert_eq!(eaje.financement.valeur, Some(vec![Financement::Psu]));
    assert_eq!(
        e.volets["ALSH"].plafond_developpement.valeur,
        Some(Decimal::new(25, 2))
    );
    assert_eq!(
        e.volets["PILOTAGE"].versement.valeur,
        Versement::Collectivite
    );
    assert_eq!(
        e.volet_du_type(TypeStructure::AlshAdos).unwrap().nom,
        "ALSH"
    );
    assert!(e.volet_du_type(TypeStructure::CentreSocial).is_none());
    // every value carries a reference and a status
    let s = eaje.forfaits_nouvelles.source.as_ref().unwrap();
    assert_eq!(s.debut, Date::new(2021, 1, 1));
    assert!(s.reference.contains("2021-004"));
}

#[test]
fn valeurs_datees_2020() {
    let b = Bareme::integre().unwrap();
    let e = b.pour_exercice(2020, "t").unwrap();
    // 2020: 3 100 / 2 600 / 2 100 €
    assert_eq!(
        e.volets["EAJE"].forfaits_nouvelles.valeur,
        vec![Montant(310_000), Montant(260_000), Montant(210_000)]
    );
    assert!(
        b.pour_exercice(2019, "t").is_err(),
        "aucune valeur avant 2020"
    );
}

#[test]
fn surcharge_valeur_par_valeur_et_volet_local() {
    let t = r#"
plancher_inutile = 1
"#;
    assert!(
        Bareme::avec_surcharge(t, "bareme.toml").is_err(),
        "paramètre inconnu refusé"
    );
    let t = r#"
[[volets.EAJE.plancher]]
debut = 2025-01-01
valeur = "1500"
reference = "délibération Caf 2025"
statut = "confirme"

[volets.LUDOTHEQUE]
types = ["LUDOTHEQUE"]
unite = "structure"
"#;
    let b = Bareme::avec_surcharge(t, "bareme.toml").unwrap();
    let e24 = b.pour_exercice(2024, "t").unwrap();
    let e25 = b.pour_exercice(2025, "t").unwrap();
    assert_eq!(
        e24.volets["EAJE"].plancher.valeur,
        Grille::unique(Montant(0))
    );
    assert_eq!(
        e25.volets["EAJE"].plancher.valeur,
        Grille::unique(Montant(150_000))
    );
    assert_eq!(
        e25.volets["EAJE"].plancher.source.as_ref().unwrap().origine,
        "bareme.toml"
    );
    // the rest of EAJE is still the built-in one
    assert_eq!(e25.volets["EAJE"].forfaits_nouvelles.valeur.len(), 3);
    let ludo = e25.volet_du_type(TypeStructure::Ludotheque).unwrap();
    assert_eq!(ludo.nom, "LUDOTHEQUE");
    assert_eq!(ludo.unite.valeur, "structure");
    assert_eq!(ludo.financement.valeur, None);
    // superseded built-in value kept
    assert_eq!(b.volets["EAJE"].plancher.valeurs.len(), 2);
}

#[test]
fn meme_date_remplace_et_conserve() {
    let t = r#"
[[ajustement_contribution]]
debut = 2020-01-01
valeur = "integral"
reference = "test"
statut = "hypothese"
"#;
    let b = Bareme::avec_surcharge(t, "b.toml").unwrap();
    assert_eq!(b.ajustement_contribution.valeurs.len(), 2);
    assert!(b.ajustement_contribution.valeurs[0].remplacee);
    assert_eq!(
        b.pour_exercice(2025, "t")
            .unwrap()
            .ajustement_contribution
            .valeur,
        Ajustement::Integral
    );
}

#[test]
fn erreurs_localisees() {
    let t = "[[volets.EAJE.plancher]]\ndebut = 2025-01-01\nvaleur = \"-3\"\nreference = \"x\"\nstatut = \"confirme\"\n";
    let e = Bareme::avec_surcharge(t, "bareme.toml").unwrap_err();
    let d = &e.0[0];
    assert_eq!(d.code, Code::E022);
    assert_eq!(d.colonne.as_deref(), Some("volets.EAJE.plancher[1]"));
    let e = Bareme::avec_surcharge("x = = 1", "bareme.toml").unwrap_err();
    assert_eq!(e.0[0].numero_de_ligne(), Some(1));
    // a type in two volets
    let t = "[volets.BIS]\ntypes = [\"EAJE\"]\n";
    let b = Bareme::avec_surcharge(t, "bareme.toml").unwrap();
    assert!(b.pour_exercice(2025, "bareme.toml").is_err());
}

/// Two employer volets (CTRE) covering one type: a line keeps one CTRE share, the second
/// would be paid to its group and missing from the line (totals ≠ Σ lines): refused, like a
/// type in two bonus volets. A CTRE volet and a bonus volet of the same type stay allowed
/// (the built-in barème: EAJE in volets EAJE and CTRE).
#[test]
fn type_dans_deux_volets_employeurs_refuse() {
    let t = r#"
[volets.CTRE2]
types = [{ debut = 2020-01-01, valeur = ["EAJE"], reference = "essai", statut = "hypothese" }]
versement = [{ debut = 2020-01-01, valeur = "employeurs", reference = "essai", statut = "hypothese" }]
"#;
    let b = Bareme::avec_surcharge(t, "bareme.toml").unwrap();
    let e = b.pour_exercice(2025, "bareme.toml").unwrap_err();
    let d = &e.0[0];
    assert_eq!(d.code, Code::E022);
    assert_eq!(d.colonne.as_deref(), Some("volets.CTRE2.types"));
    assert!(
        d.message.contains(
            "le type EAJE est couvert par deux volets de places employeurs (CTRE et CTRE2)"
        ),
        "{d}"
    );
    assert!(Bareme::integre().unwrap().pour_exercice(2025, "t").is_ok());
}

#[test]
fn bareme_2025_alsh_ctre_et_valeurs_remplacees() {
    let b = Bareme::integre().unwrap();
    let e = b.pour_exercice(2025, "t").unwrap();
    let alsh = &e.volets["ALSH"];
    assert_eq!(alsh.unite.valeur, "heure d'accueil");
    // 0,15 € per hour = 15 cents
    assert_eq!(alsh.plancher.valeur, Grille::unique(Montant(15)));
    assert_eq!(alsh.plafond_base.valeur, PlafondBase::Unites);
    let e24 = b.pour_exercice(2024, "t").unwrap();
    assert_eq!(
        e24.volets["ALSH"].plafond_base.valeur,
        PlafondBase::Enveloppe
    );
    // the superseded unit is kept, never read
    let u = &b.volets["ALSH"].unite.valeurs;
    assert!(u
        .iter()
        .any(|v| v.remplacee && v.valeur == "place habilitée"));
    let ctre = &e.volets["CTRE"];
    assert_eq!(ctre.versement.valeur, Versement::Employeurs);
    assert_eq!(ctre.forfait(1), Montant(280_000));
    // a CTRE volet is the volet of no structure
    assert_eq!(e.volet_du_type(TypeStructure::Eaje).unwrap().nom, "EAJE");
    assert!(e.trajectoire.is_some());
}

#[test]
fn grilles_lues_et_refusees() {
    let t = r#"
[[volets.EAJE.revalorisation]]
debut = 2025-01-01
valeur = { seuils_population = [10000], seuils_montant = ["1500"], valeurs = [["0.05", "0.01"], ["0.02", "0"]] }
reference = "test"
statut = "hypothese"
"#;
    let b = Bareme::avec_surcharge(t, "bareme.toml").unwrap();
    let g = &b.pour_exercice(2025, "t").unwrap().volets["EAJE"]
        .revalorisation
        .valeur;
    assert!(g.exige_population());
    // 8 000 inhabitants, m = 1 200 € (120 000 c) → row 0, column 0
    let m = crate::calcul::rationnel::Rationnel::entier(120_000);
    assert_eq!(g.cellule(Some(8_000), m), Some((0, 0, Decimal::new(5, 2))));
    // 10 000 inhabitants (threshold included), m = 1 500 € exactly → row 1, column 1
    let m = crate::calcul::rationnel::Rationnel::entier(150_000);
    assert_eq!(g.cellule(Some(10_000), m), Some((1, 1, Decimal::ZERO)));
    assert_eq!(g.cellule(None, m), None);
    // wrong size, thresholds not increasing, unknown key: located errors
    for mauvais in [
        r#"{ seuils_population = [10000], valeurs = [["0.05"]] }"#,
        r#"{ seuils_montant = ["1500", "1000"], valeurs = [["0", "0", "0"]] }"#,
        r#"{ strates = [1], valeurs = [["0"]] }"#,
    ] {
        let t = format!(
                "[[volets.EAJE.plancher]]\ndebut = 2025-01-01\nvaleur = {mauvais}\nreference = \"x\"\nstatut = \"hypothese\"\n"
            );
        let e = Bareme::avec_surcharge(&t, "bareme.toml").unwrap_err();
        assert_eq!(e.0[0].code, Code::E022, "{mauvais}");
        assert_eq!(
            e.0[0].colonne.as_deref(),
            Some("volets.EAJE.plancher[1]"),
            "{mauvais}"
        );
    }
}

/// A `debut` with a time of day (`2024-01-01T10:00:00`, whose time would be dropped), with
/// a time zone, or a time alone is refused at its line with the value as written (not the
/// TOML crate's internal table); two values of one parameter with the same date name the
/// second one, at its `debut`.
#[test]
fn debut_sans_heure_et_dates_en_double_a_leur_ligne() {
    let texte = |debut: &str| {
        format!(
            "nombre_tranches = 3\n\n[[volets.EAJE.plancher]]\ndebut = {debut}\nvaleur = \"2000\"\nreference = \"x\"\nstatut = \"confirme\"\n"
        )
    };
    for (debut, vu) in [
        ("2024-01-01T10:00:00", "2024-01-01T10:00:00"),
        ("2025-01-01T10:00:00Z", "2025-01-01T10:00:00Z"),
        ("10:00:00", "10:00:00"),
        ("\"2024-01-01\"", "\"2024-01-01\""),
    ] {
        let e = analyser(&texte(debut), "bareme.toml").unwrap_err();
        let d = &e.0[0];
        assert_eq!(d.code, Code::E022, "{d}");
        let m = d.to_string();
        assert!(
            m.starts_with(
                "erreur E022 : bareme.toml, ligne 4, colonne « volets.EAJE.plancher[1] »"
            ),
            "{m}"
        );
        assert!(m.contains(&format!("valeur « {vu} »")), "{m}");
        assert!(m.contains("date sans heure"), "{m}");
    }
    assert!(analyser(&texte("2024-01-01"), "bareme.toml").is_ok());
    let double = format!(
        "{}\n[[volets.EAJE.plancher]]\ndebut = 2024-01-01\nvaleur = \"3000\"\nreference = \"y\"\nstatut = \"confirme\"\n",
        texte("2024-01-01")
    );
    // lines 1–7 the first value, 8 blank, 9 the second header, 10 its debut
    let e = analyser(&double, "bareme.toml").unwrap_err();
    let m = e.0[0].to_string();
    assert!(
        m.starts_with("erreur E022 : bareme.toml, ligne 10, colonne « volets.EAJE.plancher[2] », valeur « 2024-01-01 » : deux valeurs ont la même date de début (la valeur n° 1 et celle-ci)"),
        "{m}"
    );
}

/// The status of a dated value covers the value **and** its effective date (docs/regles.md R1,
/// R63): a built-in value whose reference says its date is an assumption (« date d'effet …
/// hypothèse ») is `hypothese`, whatever its source confirms. ALSH: 0,15 € an hour is
/// confirmed, its date of 1 January 2020 is not (R61), so `volets.ALSH.plancher` is
/// `hypothese`; same for the hour unit, the trajectoire and the CTRE structure types.
#[test]
fn statut_couvre_la_date_d_effet() {
    let v: toml::Value = toml::from_str(BAREME_INTEGRE).unwrap();
    let entrees = entrees_datees(&v);
    let mut date_supposee = 0;
    for (chemin, t) in &entrees {
        let (reference, statut) = (t["reference"].as_str().unwrap(), t["statut"].as_str());
        let r = reference.to_lowercase();
        let supposee = r
            .split(';')
            .any(|p| p.contains("date d'effet") && p.contains("hypothèse"));
        if supposee {
            date_supposee += 1;
            assert_eq!(statut, Some("hypothese"), "{chemin} : {reference}");
        }
    }
    // trajectoire (4), ALSH unit and floor (2), CTRE types (1), and the 2020 entries of the
    // EAJE unit, ALSH cap, CTRE financing, unit and payment (5), at least
    assert!(date_supposee >= 12, "{date_supposee}");
    // a value confirmed from 1 January 2020 cites a source of that year (the circular
    // C 2020-01); what only a 2025 source states is confirmed from 2025 (docs/regles.md R1)
    let mut a_2020 = 0;
    for (chemin, t) in &entrees {
        let debut = t["debut"].as_datetime().unwrap().to_string();
        let confirme = t["statut"].as_str() == Some("confirme");
        let remplacee = t.get("remplacee").and_then(|r| r.as_bool()) == Some(true);
        if debut.starts_with("2020") && confirme && !remplacee {
            a_2020 += 1;
            let r = t["reference"].as_str().unwrap();
            assert!(r.contains("2020"), "{chemin} : {r}");
        }
    }
    // types of EAJE, RPE, LAEP, ALSH, EAJE financing, four payments to the structures
    assert_eq!(a_2020, 9);
    let e = Bareme::integre().unwrap().pour_exercice(2025, "t").unwrap();
    let plancher = e.volets["ALSH"].plancher.source.as_ref().unwrap();
    // 0,15 € = 15 cents an hour, a 1 × 1 grid
    assert_eq!(
        e.volets["ALSH"].plancher.valeur.valeur_unique(),
        Some(&Montant(15))
    );
    assert_eq!(plancher.statut, Statut::Hypothese);
    assert!(plancher.reference.contains("montant confirmé"));
}

/// Every dated entry of a barème TOML document (a table with `debut`), with its path.
fn entrees_datees(v: &toml::Value) -> Vec<(String, &toml::Table)> {
    fn parcourir<'a>(chemin: String, v: &'a toml::Value, vus: &mut Vec<(String, &'a toml::Table)>) {
        match v {
            toml::Value::Table(t) if t.contains_key("debut") => vus.push((chemin, t)),
            toml::Value::Table(t) => {
                for (k, x) in t {
                    parcourir(format!("{chemin}.{k}"), x, vus);
                }
            }
            toml::Value::Array(a) => a.iter().for_each(|x| parcourir(chemin.clone(), x, vus)),
            _ => {}
        }
    }
    let mut vus = Vec::new();
    parcourir(String::new(), v, &mut vus);
    vus
}

/// A cap on the CTRE's forfaits (it has none, R64) and a bonus trajectoire counting the
/// places of the CTRE volet (the volet of no structure, R63): both would be silently without
/// effect (the cap ignored, the bonus trajectoire 0): refused.
#[test]
fn plafond_ctre_et_trajectoire_sur_ctre_refuses() {
    let plafond = r#"
[[volets.CTRE.plafond_developpement]]
debut = 2020-01-01
valeur = "0.25"
reference = "essai"
statut = "hypothese"
"#;
    let b = Bareme::avec_surcharge(plafond, "bareme.toml").unwrap();
    let e = b.pour_exercice(2025, "bareme.toml").unwrap_err();
    assert_eq!(e.0[0].code, Code::E022);
    assert_eq!(
        e.0[0].colonne.as_deref(),
        Some("volets.CTRE.plafond_developpement")
    );
    let trajectoire = r#"
[[trajectoire.volet]]
debut = 2025-01-01
valeur = "CTRE"
reference = "essai"
statut = "hypothese"
"#;
    let b = Bareme::avec_surcharge(trajectoire, "bareme.toml").unwrap();
    let e = b.pour_exercice(2025, "bareme.toml").unwrap_err();
    assert_eq!(e.0[0].colonne.as_deref(), Some("trajectoire.volet"));
    assert!(
        e.0[0].message.contains("n'est versé à aucune structure"),
        "{}",
        e.0[0]
    );
    // 2024: no trajectoire in force yet, nothing to refuse
    assert!(b.pour_exercice(2024, "bareme.toml").is_ok());
}

/// A volet paid to the collectivité (PILOTAGE) is paid its charge N-1 as it is (R5): a
/// plancher, a revalorisation, forfaits or a cap given for it would be ignored: refused, each
/// named; the neutral values (0, an empty list) are let through.
#[test]
fn parametres_d_un_volet_collectivite_refuses() {
    let b = Bareme::avec_surcharge(
        "[volets.PILOTAGE]\nplancher = \"50\"\nforfaits_nouvelles = [\"0\", \"0\", \"0\"]\nplafond_developpement = \"0.2\"\n",
        "bareme.toml",
    )
    .unwrap();
    let e = b.pour_exercice(2025, "bareme.toml").unwrap_err();
    let colonnes: Vec<_> = e.0.iter().map(|d| d.colonne.as_deref().unwrap()).collect();
    assert_eq!(
        colonnes,
        [
            "volets.PILOTAGE.plancher",
            "volets.PILOTAGE.plafond_developpement"
        ]
    );
    assert!(e.0.iter().all(|d| d.code == Code::E022));
    assert!(
        e.0[0].message.contains("versé tel quel à la collectivité"),
        "{}",
        e.0[0]
    );
    let neutre = Bareme::avec_surcharge(
        "[volets.PILOTAGE]\nplancher = \"0\"\nrevalorisation = \"0\"\nforfaits_nouvelles = []\n",
        "bareme.toml",
    )
    .unwrap();
    assert!(neutre.pour_exercice(2025, "bareme.toml").is_ok());
    // a revalorisation alone, in another exercice
    let r = Bareme::avec_surcharge(
        "[volets.PILOTAGE]\nrevalorisation = \"0.02\"\n",
        "bareme.toml",
    )
    .unwrap();
    let e = r.pour_exercice(2024, "bareme.toml").unwrap_err();
    assert_eq!(
        e.0[0].colonne.as_deref(),
        Some("volets.PILOTAGE.revalorisation")
    );
}

/// A type listed twice in one volet is named as such (not « two volets EAJE and EAJE »), and
/// an empty list of financings (which would admit none: every structure of the volet
/// ineligible) is refused; absent, every financing is admitted.
#[test]
fn type_repete_et_financement_vide() {
    let b =
        Bareme::avec_surcharge("[volets.EAJE]\ntypes = [\"EAJE\", \"EAJE\"]\n", "b.toml").unwrap();
    let e = b.pour_exercice(2025, "b.toml").unwrap_err();
    assert_eq!(
        e.0[0].message,
        "le type EAJE est listé deux fois dans les types du volet EAJE"
    );
    let b = Bareme::avec_surcharge("[volets.EAJE]\nfinancement = []\n", "b.toml").unwrap();
    let e = b.pour_exercice(2025, "b.toml").unwrap_err();
    assert_eq!(e.0[0].colonne.as_deref(), Some("volets.EAJE.financement"));
    assert!(e.0[0]
        .message
        .contains("aucune structure n'y serait éligible"));
    let vide = Bareme::avec_surcharge("[volets.EAJE]\nunite = \" \"\n", "b.toml").unwrap_err();
    assert!(
        vide.0[0].message.contains("libellé d'unité non vide"),
        "{}",
        vide.0[0]
    );
    let b = Bareme::avec_surcharge("[volets.EAJE]\nfinancement = [\"PSU\"]\n", "b.toml").unwrap();
    assert!(b.pour_exercice(2025, "b.toml").is_ok());
}

/// The trajectoire's reference year precedes the exercice (the places of the dossier are
/// those of that year): 2030 for the exercice 2025 is refused; 2023 (built in) is not.
#[test]
fn annee_de_reference_avant_l_exercice() {
    let b = Bareme::avec_surcharge("[trajectoire]\nannee_reference = 2030\n", "b.toml").unwrap();
    let e = b.pour_exercice(2025, "b.toml").unwrap_err();
    assert_eq!(
        e.0[0].colonne.as_deref(),
        Some("trajectoire.annee_reference")
    );
    assert_eq!(
        e.0[0].message,
        "l'année de référence de la trajectoire (2030) doit précéder l'exercice 2025"
    );
    assert!(Bareme::integre()
        .unwrap()
        .pour_exercice(2025, "b.toml")
        .is_ok());
    let b = Bareme::avec_surcharge("[trajectoire]\nannee_reference = 2025\n", "b.toml").unwrap();
    assert!(b.pour_exercice(2025, "b.toml").is_err());
    assert!(b.pour_exercice(2026, "b.toml").is_ok());
}
