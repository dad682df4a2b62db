use super::*;

#[test]
fn type_toml_en_francais() {
    assert_eq!(
        message_toml("invalid type: string \"deux mille\", expected i64"),
        "type de valeur inattendu : texte \"deux mille\" là où il faut un nombre entier"
    );
    assert_eq!(
        message_toml("invalid type: integer `3`, expected a boolean"),
        "type de valeur inattendu : nombre entier 3 là où il faut true ou false"
    );
}

fn entrees<'a>(convention: &'a str, bareme: Option<(&'a str, &'a str)>) -> Entrees<'a> {
    Entrees {
        convention,
        structures: Source {
            fichier: "structures.csv",
            contenu: Contenu::Csv("id;annexe;type;nom;gestionnaire;collectivite;financement\n"),
        },
        charges: Source {
            fichier: "charges_n1.csv",
            contenu: Contenu::Csv("collectivite;volet;montant\n"),
        },
        bareme,
    }
}

#[test]
fn trop_de_collectivites() {
    let mut c = String::from("exercice = 2025\n");
    for i in 0..=COLLECTIVITES_MAX {
        c.push_str(&format!("[[collectivites]]\nid = \"C{i}\"\n"));
    }
    let mut d = Diagnostics::default();
    assert!(analyser_entrees(&entrees(&c, None), &mut d).is_none());
    assert_eq!(
        d.0[0].to_string(),
        "erreur E023 : convention.toml, ligne 2, colonne « collectivites » : trop de collectivités : 2001 (maximum 2000) (conseil : une convention territoriale couvre au plus les communes d'un département)"
    );
}

#[test]
fn trop_de_volets() {
    let c = "exercice = 2025\n[[collectivites]]\nid = \"A\"\n";
    let mut b = String::new();
    for i in 0..=VOLETS_MAX {
        b.push_str(&format!(
            "[volets.LOCAL{i}]\ntypes = [\"AUTRE\"]\nunite = \"structure\"\n"
        ));
    }
    let mut d = Diagnostics::default();
    assert!(analyser_entrees(&entrees(c, Some(("bareme.toml", &b))), &mut d).is_none());
    let e = d.erreurs().next().unwrap();
    assert_eq!(e.code, Code::E023);
    assert!(
        e.message.starts_with("trop de volets dans le barème : "),
        "{e}"
    );
}
