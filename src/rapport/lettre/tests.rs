use super::*;

#[test]
fn collectivites_avec_leur_article() {
    assert_eq!(avec_article("Ville de Dijon"), "la Ville de Dijon");
    assert_eq!(avec_article("Commune de Dugny"), "la Commune de Dugny");
    assert_eq!(
        avec_article("Communauté de communes de Gevrey-Chambertin"),
        "la Communauté de communes de Gevrey-Chambertin"
    );
    assert_eq!(avec_article("Syndicat des eaux"), "le Syndicat des eaux");
    assert_eq!(
        avec_article("Agglomération du Grand Dijon"),
        "l'Agglomération du Grand Dijon"
    );
    assert_eq!(avec_article("Dijon Métropole"), "Dijon Métropole");
}

#[test]
fn noms_de_fichier_surs_et_distincts() {
    assert_eq!(
        nom_de_fichier("Léo Lagrange / Petite Enfance"),
        "leo-lagrange-petite-enfance"
    );
    assert_eq!(nom_de_fichier("../../etc"), "etc");
    // 69 characters: cut at the last word that ends within 60, never inside a word
    assert_eq!(
        nom_de_fichier("Communauté de communes de Gevrey-Chambertin et de Nuits-Saint-Georges"),
        "communaute-de-communes-de-gevrey-chambertin-et-de-nuits"
    );
    assert_eq!(nom_de_fichier(&"a".repeat(70)), "a".repeat(60));
    assert_eq!(nom_de_fichier("Œuvre"), "oeuvre");
    assert_eq!(nom_de_fichier("  "), "sans-nom");
    assert_eq!(nom_de_fichier("日本"), "sans-nom");
    let mut n = BTreeSet::new();
    assert_eq!(distinguer(&mut n, "a".into()), "a");
    assert_eq!(distinguer(&mut n, "a".into()), "a-2");
    assert_eq!(distinguer(&mut n, "a".into()), "a-3");
}

#[test]
fn dates_et_pourcentages() {
    assert_eq!(
        crate::modele::Date::new(2020, 1, 1).en_toutes_lettres(),
        "1er janvier 2020"
    );
    assert_eq!(
        crate::modele::Date::new(2027, 12, 31).en_toutes_lettres(),
        "31 décembre 2027"
    );
    assert_eq!(pourcentage(Decimal::new(25, 2)), "25\u{a0}%");
    assert_eq!(pourcentage(Decimal::new(125, 4)), "1,25\u{a0}%");
    assert_eq!(la_caf("Caf de la Côte-d’Or"), "la Caf de la Côte-d’Or");
    assert_eq!(
        espaces_insecables("« CTG » : 0,00 € par an ; 25 %."),
        "«\u{a0}CTG\u{a0}»\u{a0}: 0,00\u{a0}€ par an\u{a0}; 25\u{a0}%."
    );
    // a sign inside a word is left alone
    assert_eq!(espaces_insecables("a :b"), "a :b");
}

#[test]
fn unites_au_pluriel_et_accords() {
    assert_eq!(pluriel("place"), "places");
    assert_eq!(pluriel("heure d'ouverture"), "heures d'ouverture");
    assert_eq!(pluriel("place habilitée"), "places habilitées");
    assert_eq!(pluriel("ETP d'animation"), "ETP d'animation");
    assert_eq!(
        pluriel("place réservée employeur"),
        "places réservées employeur"
    );
    // from 2 on; 1,50 stays singular (French usage)
    assert_eq!(quantite(Unites(2900), "place"), "29,00 places");
    assert_eq!(quantite(Unites(150), "place"), "1,50 place");
    assert!(feminin("place") && feminin("heure d'accueil"));
    assert!(!feminin("ETP d'animation") && !feminin("poste"));
}

#[test]
fn references_sans_chemin_ni_commande() {
    assert_eq!(
        pour_le_lecteur("mode neutre : choix du projet (docs/regles.md R6, R65)"),
        "mode neutre : choix du projet (règles R6 et R65 des règles de calcul de bonus-ctg)"
    );
    assert_eq!(
        pour_le_lecteur("0 € par défaut (docs/regles.md R60)"),
        "0 € par défaut (règle R60 des règles de calcul de bonus-ctg)"
    );
    assert_eq!(
        pour_le_lecteur("fichier : barème intégré (src/bareme_defaut.toml)"),
        "fichier : barème national intégré à bonus-ctg"
    );
    assert_eq!(
        pour_le_lecteur("Circulaire C 2020-01"),
        "Circulaire C 2020-01"
    );
}

#[test]
fn complement_de_nom_avec_son_article() {
    assert_eq!(de("Ville de Dijon"), "de la Ville de Dijon");
    assert_eq!(de("Syndicat des eaux"), "du Syndicat des eaux");
    assert_eq!(
        de("Agglomération du Grand Dijon"),
        "de l'Agglomération du Grand Dijon"
    );
    assert_eq!(de("Dijon Métropole"), "de Dijon Métropole");
}

#[test]
fn fin_de_lettre_gardee_avec_la_signature() {
    let mut blocs = vec![
        Bloc::Titre("Ce qui change".into()),
        Bloc::Paragraphe(vec![normal("a")]),
    ];
    fin_de_lettre(
        &mut blocs,
        "Le bonus territoire est versé…",
        vec!["a".into()],
        &FaitA::default(),
    );
    // the reminder and the politeness formula, not the paragraph before them
    assert_eq!(debut_de_la_fin(&blocs), Some(2));
    assert!(matches!(blocs[4], Bloc::Signature { .. }));
    assert_eq!(debut_de_la_fin(&blocs[..2]), None);
    // then the annex of the sources
    assert_eq!(blocs[5], Bloc::Titre(TITRE_SOURCES.into()));
    assert_eq!(blocs[6], Bloc::Note("a".into()));
    assert_eq!(blocs.len(), 7);
    // no source, no annex
    let mut blocs = Vec::new();
    fin_de_lettre(&mut blocs, "x", vec![], &FaitA::default());
    assert!(matches!(blocs.last(), Some(Bloc::Signature { .. })));
}

#[test]
fn sources_une_fois_chacune() {
    let mut s = Vec::new();
    for x in ["a", " ", "b", "a"] {
        ajouter_source(&mut s, x.to_string());
    }
    assert_eq!(s, ["a", "b"]);
}

#[test]
fn verse_caf_bonus_plus_ctre() {
    // 0,00 € + 12 000,00 € = 12 000,00 € ; 38 400,00 € + 12 000,00 € = 50 400,00 €
    assert_eq!(
        verse_caf(Montant(0), Montant(1_200_000)).unwrap(),
        Montant(1_200_000)
    );
    assert_eq!(
        verse_caf(Montant(3_840_000), Montant(1_200_000)).unwrap(),
        Montant(5_040_000)
    );
    assert!(verse_caf(Montant(i64::MAX), Montant(1)).is_err());
}

#[test]
fn fait_a_lieu_et_date() {
    let d = crate::modele::Date::new(2026, 1, 1);
    let f = |lieu: Option<&str>, date| FaitA {
        lieu: lieu.map(String::from),
        date,
    };
    assert_eq!(f(None, None).texte(), "Fait à ……………………, le ……………………");
    assert_eq!(
        f(Some("Dijon"), Some(d)).texte(),
        "Fait à Dijon, le 1er janvier 2026"
    );
    assert_eq!(f(Some("Dijon"), None).texte(), "Fait à Dijon, le ……………………");
    assert_eq!(
        f(None, Some(d)).texte(),
        "Fait à ……………………, le 1er janvier 2026"
    );
    assert_eq!(
        analyser_lieu("  Saint-Étienne "),
        Ok("Saint-Étienne".to_string())
    );
    assert_eq!(analyser_lieu(" "), Err("lieu vide"));
    assert!(analyser_lieu("a\nb").is_err());
    // a right-to-left override would print the place backwards
    assert!(analyser_lieu("Dijon\u{202e}").is_err());
    assert!(analyser_lieu("Dijon\u{200b}").is_err());
    assert!(analyser_lieu(&"é".repeat(60)).is_ok());
    assert!(analyser_lieu(&"é".repeat(61)).is_err());
    // both at once, the one reading of the command line and of the web form
    assert_eq!(
        FaitA::analyser(Some(" Dijon "), Some("01/01/2026")),
        Ok(f(Some("Dijon"), Some(d)))
    );
    assert_eq!(FaitA::analyser(None, None), Ok(FaitA::default()));
    assert_eq!(
        FaitA::analyser(Some("Dijon"), Some("2026-02-30")),
        Err(RefusFaitA {
            champ: "date",
            valeur: "2026-02-30".into(),
            raison: "date invalide"
        })
    );
    assert_eq!(
        FaitA::analyser(Some(" "), None).map_err(|r| r.champ),
        Err("lieu")
    );
    // the year « 26 » typed in a browser's date field is sent as 0026
    assert_eq!(
        FaitA::analyser(Some("Dijon"), Some("0026-01-15")).map_err(|r| r.raison),
        Err("année hors de 1900 à 2200 (l'année s'écrit avec ses quatre chiffres)")
    );
    assert_eq!(
        FaitA::analyser(None, Some("15/01/2201")).map_err(|r| r.champ),
        Err("date")
    );
    assert_eq!(
        FaitA::analyser(None, Some("31/12/2200")),
        Ok(f(None, Some(crate::modele::Date::new(2200, 12, 31))))
    );
}
