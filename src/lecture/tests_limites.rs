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

/// Every known toml / toml_edit error kind in French, no English fragment left, and a
/// generic French sentence for an unknown one (audit: « (number too large to fit in target
/// type) », « (recursion limit exceeded) », « invalid table header␊expected `.`, `]` »).
#[test]
fn messages_toml_sans_anglais() {
    for (anglais, valeur, francais) in [
        ("invalid type: floating point `1.0`, expected i64", "1.0", "type de valeur inattendu : nombre décimal là où il faut un nombre entier"),
        ("invalid type: map, expected i64", "2025-01-01", "type de valeur inattendu : date là où il faut un nombre entier"),
        ("number too large to fit in target type", "99999999999999999999", "nombre trop grand"),
        ("invalid date-time\nvalue is out of range\n", "2023-02-30", "date inexistante (jour ou mois hors limites)"),
        ("duplicate key `exercice` in document root", "2026", "clé « exercice » écrite deux fois"),
        ("recursion limit exceeded", "[[[[", "tables ou listes imbriquées trop profondément"),
        ("invalid table header\nexpected `.`, `]`\n", "[volets.LUDOTHÈQUE]", "en-tête de table [..] invalide (un nom s'écrit en lettres non accentuées, chiffres, _ ou -, sinon entre guillemets)"),
        // a well-written header refused because its key was already given a value: the
        // reason alone, not the advice on how to write a header
        ("invalid table header\nduplicate key `plancher` in table `volets.EAJE`\n", "[[volets.EAJE.plancher]]", "clé « plancher » écrite deux fois"),
        ("something new\nexpected whatever", "", "syntaxe incorrecte"),
        ("", "", "syntaxe incorrecte"),
    ] {
        assert_eq!(message_toml_pour_essai(anglais, valeur), francais, "{anglais:?}");
    }
}

/// A convention.toml error names the key (with its table) and the whole value typed.
#[test]
fn erreur_toml_cle_et_valeur_entiere() {
    let t = "exercice = 2025\n[[collectivites]]\nid = \"A\"\n[[collectivites]]\nid = \"B\"\ntranche = 99999999999999999999 # trop\n";
    let debut = t.find("9999").unwrap() + 3;
    let d = erreur_toml(
        Code::E021,
        "convention.toml",
        t,
        "number too large to fit in target type",
        Some(debut..debut + 1),
    );
    assert_eq!(
        d.to_string(),
        "erreur E021 : convention.toml, ligne 6, colonne « collectivites[2].tranche », valeur « 99999999999999999999 » : nombre trop grand"
    );
}
