use super::*;

#[test]
fn annee_d_un_jour() {
    // 1970-01-01 = jour 0 ; 2024-12-31 = 20 088 ; 2025-01-01 = 20 089 ;
    // 2000-02-29 = 11 016 (10 957 jours du 1970-01-01 au 2000-01-01, + 31 + 28)
    assert_eq!(annee_du_jour(0), 1970);
    assert_eq!(annee_du_jour(-1), 1969);
    assert_eq!(annee_du_jour(20_088), 2024);
    assert_eq!(annee_du_jour(20_089), 2025);
    assert_eq!(annee_du_jour(11_016), 2000);
}

#[test]
fn bareme_aller_retour() {
    let t = include_str!("../../../fixtures/dijon-2024/bareme.toml");
    let l = lignes_bareme(t).unwrap();
    let mut cellules = Vec::new();
    for (i, r) in
        std::iter::once(["parametre", "debut", "valeur", "reference", "statut"].map(String::from))
            .chain(l)
            .enumerate()
    {
        for (j, x) in r.into_iter().enumerate().filter(|(_, x)| !x.is_empty()) {
            cellules.push(crate::lecture::xlsx::grille::Cellule {
                ligne: i as u32,
                colonne: j as u32,
                texte: x,
            });
        }
    }
    let g = crate::lecture::classeur::bareme_en_toml("bareme", &cellules);
    let a = crate::bareme::Bareme::avec_surcharge(t, "a").unwrap();
    let b = crate::bareme::Bareme::avec_surcharge(&g.texte, "b").unwrap();
    assert_eq!(
        format!("{:?}", a.volets),
        format!("{:?}", b.volets).replace("\"b\"", "\"a\"")
    );
}

#[test]
fn bareme_en_lignes() {
    let t = "[volets.EAJE]\nrevalorisation = \"0.02\"\n[[volets.EAJE.plancher]]\ndebut = 2020-01-01\nvaleur = \"1500\"\nreference = \"r\"\nstatut = \"hypothese\"\n";
    let l = lignes_bareme(t).unwrap();
    assert_eq!(
        l,
        vec![
            [
                "volets.EAJE.plancher",
                "2020-01-01",
                "1500",
                "r",
                "hypothese"
            ]
            .map(String::from),
            ["volets.EAJE.revalorisation", "", "0.02", "", ""].map(String::from),
        ]
    );
}
