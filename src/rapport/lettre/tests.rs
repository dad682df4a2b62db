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
