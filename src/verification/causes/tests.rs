#[test]
fn taux_distingues() {
    use crate::calcul::rationnel::Rationnel;
    // 40/3 = 13,3333… € and 13,3345 € both read 13,33 € with two decimals; with three:
    // 13,333 € and 13,335 € (half up): three decimals tell them apart
    let calcule = Rationnel::new(4000, 3).unwrap();
    let notifie = Rationnel::new(133_345, 100).unwrap();
    assert_eq!(
        super::taux_compares(&notifie, &calcule).unwrap(),
        "d'environ 13,335 € par unité au lieu de 13,333 €"
    );
    assert_eq!(
        super::taux_compares(&calcule, &calcule).unwrap(),
        "égal au taux calculé (13,333333 € par unité)"
    );
}

use super::*;

#[test]
fn valeurs_rondes() {
    let r = |n, d| Rationnel::new(n, d).unwrap();
    // [4 990, 5 010] hundredths contains 5 000 (50 units)
    assert_eq!(valeur_ronde(&r(4990, 1), &r(5010, 1)).unwrap(), Some(5000));
    // [140, 160] : 150 (1,5 unit), no whole unit
    assert_eq!(valeur_ronde(&r(140, 1), &r(160, 1)).unwrap(), Some(150));
    // [11, 19]: no tenth? 20 > 19, 10 < 11 → none
    assert_eq!(valeur_ronde(&r(11, 1), &r(19, 1)).unwrap(), None);
    assert_eq!(plafond(&r(7, 2)), 4);
    assert_eq!(plafond(&r(4, 1)), 4);
    assert_eq!(plafond(&r(-7, 2)), -3);
    assert_eq!(unites_fr(150), "1,5");
    assert_eq!(unites_fr(6000), "60");
}
