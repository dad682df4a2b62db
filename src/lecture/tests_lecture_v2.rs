use super::*;

/// An alias column placed last in a workbook is read (the sheet is not cut before it).
#[test]
fn alias_en_derniere_colonne_d_un_classeur() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("structures").unwrap();
    let entete = [
        "id",
        "annexe",
        "type",
        "nom",
        "gestionnaire",
        "collectivite",
        "financement",
        "Contribution collectivité N-1",
    ];
    let ligne = ["A", "2", "EAJE", "n", "g", "V", "PSU", "1234,5"];
    for (c, (h, v)) in entete.iter().zip(ligne).enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
        ws.write_string(1, c as u16, v).unwrap();
    }
    let o = wb.save_to_buffer().unwrap();
    let mut d = Diagnostics::default();
    let src = Source {
        fichier: "structures.xlsx",
        contenu: Contenu::Xlsx(
            &o,
            xlsx::Feuille {
                noms: FEUILLE_STRUCTURES,
                premiere_sinon: true,
            },
        ),
    };
    let (s, _) = lire_structures(src, &mut d);
    assert!(d.0.is_empty(), "{:?}", d.0);
    // 1 234,50 € = 123 450 cents
    assert_eq!(s[0].contribution_collectivite_n1, Montant(123_450));
}

/// A collectivité written with another case or Unicode form in the tables is the
/// convention's, spelt as the convention spells it.
#[test]
fn collectivites_rattachees_a_la_convention() {
    let f = Fichiers {
        convention: "exercice = 2025\n[[collectivites]]\nid = \"Ézy\"\n".into(),
        // « E » + combining acute, lower case
        structures: "id;annexe;type;nom;gestionnaire;collectivite;financement\nA;2;EAJE;n;g;e\u{301}zy;PSU\n".into(),
        charges: "collectivite;volet;montant\nÉZY;EAJE;10\n".into(),
        bareme: None,
    };
    let mut d = Diagnostics::default();
    let lu = analyser_dossier(&f, &mut d).unwrap();
    assert_eq!(lu.dossier.structures[0].collectivite, "Ézy");
    assert_eq!(lu.dossier.charges[0].collectivite, "Ézy");
}

/// Unknown keys of convention.toml, from the one parsed document: in the order of
/// their names (top level, then within each collectivité), each at its line.
#[test]
fn cles_inconnues_de_la_convention_dans_l_ordre_des_noms() {
    let lire = |t: &str| {
        let mut d = Diagnostics::default();
        assert!(analyser_convention("convention.toml", t, &mut d).is_none());
        d.0.iter()
            .map(|x| {
                assert_eq!(x.code, Code::E056);
                (x.colonne.clone().unwrap_or_default(), x.numero_de_ligne())
            })
            .collect::<Vec<_>>()
    };
    let t = "zeta = 1\nnom = \"X\"\nexercice = 2025\nalpha = 2\n[[collectivites]]\nid = \"A\"\nvue = 3\nsignatair = true\n[[collectivites]]\nid = \"B\"\nzz = 0\n";
    // names sorted: alpha (line 4) < collectivites < zeta (line 1); in the first
    // collectivité signatair (line 8) < vue (line 7); in the second zz (line 11)
    assert_eq!(
        lire(t),
        [
            ("alpha".to_string(), Some(4)),
            ("collectivites[1].signatair".to_string(), Some(8)),
            ("collectivites[1].vue".to_string(), Some(7)),
            ("collectivites[2].zz".to_string(), Some(11)),
            ("zeta".to_string(), Some(1)),
        ]
    );
    // an array of inline tables: same names, at the line of their table (line 2)
    let t = "exercice = 2025\ncollectivites = [{ id = \"A\", zz = 1 }, { id = \"B\", ab = 2, aa = 3 }]\n";
    assert_eq!(
        lire(t),
        [
            ("collectivites[1].zz".to_string(), Some(2)),
            ("collectivites[2].aa".to_string(), Some(2)),
            ("collectivites[2].ab".to_string(), Some(2)),
        ]
    );
}

/// Ids alternating between declared and other spellings: each line is attached on its
/// own (the last declared id remembered only skips equal ids).
#[test]
fn collectivites_rattachees_ligne_a_ligne() {
    let f = Fichiers {
        convention: "exercice = 2025\n[[collectivites]]\nid = \"Ézy\"\n[[collectivites]]\nid = \"Dugny\"\n".into(),
        structures: "id;annexe;type;nom;gestionnaire;collectivite;financement\nA;2;EAJE;n;g;Dugny;PSU\nB;2;EAJE;n;g;dugny;PSU\nC;2;EAJE;n;g;Dugny;PSU\nD;2;EAJE;n;g;e\u{301}zy;PSU\nE;2;EAJE;n;g;Ézy;PSU\nF;2;EAJE;n;g;DUGNY;PSU\n".into(),
        charges: "collectivite;volet;montant\nÉZY;EAJE;10\n".into(),
        bareme: None,
    };
    let mut d = Diagnostics::default();
    let lu = analyser_dossier(&f, &mut d).unwrap();
    let c: Vec<&str> = lu
        .dossier
        .structures
        .iter()
        .map(|s| s.collectivite.as_str())
        .collect();
    assert_eq!(c, ["Dugny", "Dugny", "Dugny", "Ézy", "Ézy", "Dugny"]);
}

/// A CSV file read without a copy gives the text `texte::decoder` gives, and the same
/// warning or refusal, whatever its encoding.
#[test]
fn csv_lu_sans_copie_comme_decode() {
    let dossier = tempfile::tempdir().unwrap();
    let p = dossier.path().join("t.csv");
    let cas: [&[u8]; 6] = [
        b"\xEF\xBB\xBFid;nom\ncr\xC3\xA8che",
        b"id;nom\ncr\xC3\xA8che",
        b"id;nom\ncr\xE8che",
        b"\xFF\xFEi\0d\0",
        b"\xEF\xBB\xBFcr\xE8che",
        b"",
    ];
    for enc in [Encodage::Auto, Encodage::Utf8, Encodage::Windows1252] {
        for o in cas {
            std::fs::write(&p, o).unwrap();
            let mut d1 = Diagnostics::default();
            let lu = lire_csv(&p, "t.csv", enc, &mut d1).map(|(t, debut)| t[debut..].to_string());
            let mut d2 = Diagnostics::default();
            let attendu = decoder_texte(o, "t.csv", enc, &mut d2);
            assert_eq!(lu, attendu, "{o:?} {enc:?}");
            let messages = |d: &Diagnostics| d.0.iter().map(|x| x.to_string()).collect::<Vec<_>>();
            assert_eq!(messages(&d1), messages(&d2), "{o:?} {enc:?}");
        }
    }
    // by hand: the byte order mark is not part of the text
    std::fs::write(&p, b"\xEF\xBB\xBFid").unwrap();
    let (t, debut) = lire_csv(&p, "t.csv", Encodage::Auto, &mut Diagnostics::default()).unwrap();
    assert_eq!((&t[debut..], debut), ("id", 3));
}

#[test]
fn cle_la_plus_proche_nommee() {
    assert_eq!(
        cle_la_plus_proche("signatair", CLES_COLLECTIVITE),
        Some("signataire")
    );
    assert_eq!(
        cle_la_plus_proche("tranch", CLES_COLLECTIVITE),
        Some("tranche")
    );
    assert_eq!(cle_la_plus_proche("x", &[]), None);
}

/// A collectivité's blank name (`nom = ""` or spaces) is its id, as an absent name is: the
/// reports never print an empty name.
#[test]
fn nom_de_collectivite_vide_vaut_son_id() {
    let mut d = Diagnostics::default();
    let t = "exercice = 2025\n[[collectivites]]\nid = \"A\"\nnom = \"  \"\n[[collectivites]]\nid = \"B\"\nnom = \" Ville B \"\n";
    let c = analyser_convention("convention.toml", t, &mut d).unwrap();
    let noms: Vec<&str> = c.collectivites.iter().map(|c| c.nom.as_str()).collect();
    assert_eq!(noms, ["A", "Ville B"]);
}

/// A convention without a name (absent or blank) is named after its collectivités, and a
/// blank `caf` is « Caf »: no title or letter starts with an empty name.
#[test]
fn nom_de_convention_absent_vient_des_collectivites() {
    let col = |ids: &[&str]| -> String {
        ids.iter()
            .map(|i| format!("[[collectivites]]\nid = \"{i}\"\nnom = \"Ville {i}\"\n"))
            .collect()
    };
    let nom = |entete: &str, ids: &[&str]| {
        let mut d = Diagnostics::default();
        let t = format!("{entete}exercice = 2025\n{}", col(ids));
        let c = analyser_convention("convention.toml", &t, &mut d).unwrap();
        (c.nom, c.caf)
    };
    let caf = || "Caf".to_string();
    assert_eq!(nom("", &["A"]), ("CTG Ville A".to_string(), caf()));
    assert_eq!(
        nom("nom = \" \"\ncaf = \"\"\n", &["A", "B"]),
        ("CTG Ville A et Ville B".to_string(), caf())
    );
    assert_eq!(
        nom("", &["A", "B", "C"]).0,
        "CTG Ville A, Ville B et 1 autre collectivité"
    );
    assert_eq!(
        nom("", &["A", "B", "C", "D"]).0,
        "CTG Ville A, Ville B et 2 autres collectivités"
    );
    assert_eq!(
        nom("nom = \" CTG X \"\ncaf = \"Caf de la Côte-d'Or\"\n", &["A"]),
        ("CTG X".to_string(), "Caf de la Côte-d'Or".to_string())
    );
}

/// A control character in a free text (a bell in a name, an escape sequence in a manager's
/// name, DEL in a label, a C1 control in the convention's name or a collectivité's) is
/// refused, located, the character shown as `<U+…>`; a tab and a line break (a spreadsheet
/// cell over two lines) are not.
#[test]
fn caractere_de_controle_dans_un_texte() {
    let f = Fichiers {
        convention: "nom = \"CTG \\u0085Ézy\"\nexercice = 2025\n[[collectivites]]\nid = \"V\"\nnom = \"Ville\\u0007\"\n".into(),
        structures: "id;annexe;type;nom;adresse;gestionnaire;collectivite;financement\n\
                     A;2;EAJE;Crèche\u{7};\"1 rue X\n21000 Dijon\";Asso\tB;V;PSU\n\
                     B;2;EAJE;Crèche B;;\u{1b}[31mAsso;V;PSU\n"
            .into(),
        charges: "collectivite;volet;montant;libelle\nV;EAJE;10;Bonus\u{7f}\n".into(),
        bareme: None,
    };
    let mut d = Diagnostics::default();
    assert!(analyser_dossier(&f, &mut d).is_none());
    let messages: Vec<String> = d.0.iter().map(|x| x.to_string()).collect();
    let attendus = [
        "erreur E055 : convention.toml, ligne 5, colonne « collectivites[1].nom », valeur « Ville<U+0007> » : texte contenant un caractère de contrôle (U+0007) (conseil : retapez le texte : ce caractère invisible (copié d'un autre logiciel) n'a pas sa place dans un nom ou un libellé)",
        "erreur E055 : convention.toml, ligne 1, colonne « nom », valeur « CTG <U+0085>Ézy » : texte contenant un caractère de contrôle (U+0085) (conseil : retapez le texte : ce caractère invisible (copié d'un autre logiciel) n'a pas sa place dans un nom ou un libellé)",
        "erreur E055 : structures.csv, ligne 2, colonne « nom », valeur « Crèche<U+0007> » : texte contenant un caractère de contrôle (U+0007) (conseil : retapez le texte : ce caractère invisible (copié d'un autre logiciel) n'a pas sa place dans un nom ou un libellé)",
        "erreur E055 : structures.csv, ligne 4, colonne « gestionnaire », valeur « <U+001B>[31mAsso » : texte contenant un caractère de contrôle (U+001B) (conseil : retapez le texte : ce caractère invisible (copié d'un autre logiciel) n'a pas sa place dans un nom ou un libellé)",
        "erreur E055 : charges_n1.csv, ligne 2, colonne « libelle », valeur « Bonus<U+007F> » : texte contenant un caractère de contrôle (U+007F) (conseil : retapez le texte : ce caractère invisible (copié d'un autre logiciel) n'a pas sa place dans un nom ou un libellé)",
    ];
    assert_eq!(messages, attendus);
}

/// `caractere_de_controle` finds C0 (but tab, LF, CR), DEL and C1, and nothing in texts
/// whose bytes are all printable or non-C1 UTF-8 (`Ç` is 0xC3 0x87, `Ā` 0xC4 0x80).
#[test]
fn caracteres_de_controle_reconnus() {
    use texte::caractere_de_controle as c;
    for ok in [
        "",
        "Crèche « Les P'tits » Ç Ā €",
        "a\tb",
        "1 rue X\r\n21000",
        "\u{a0}\u{ff}",
    ] {
        assert_eq!(c(ok), None, "{ok:?}");
    }
    for (t, x) in [
        ("a\u{0}", '\u{0}'),
        ("\u{1f}", '\u{1f}'),
        ("x\u{7f}", '\u{7f}'),
        ("\u{80}", '\u{80}'),
        ("é\u{9f}", '\u{9f}'),
        ("a\tb\u{1b}", '\u{1b}'),
    ] {
        assert_eq!(c(t), Some(x), "{t:?}");
    }
}

/// An `id` key written but blank is said as such (not « absente »); a missing one still is,
/// at the line of the collectivité's first key (line 6: `nom = "Autre"`).
#[test]
fn identifiant_de_collectivite_vide_ou_absent() {
    let t = "exercice = 2025\n[[collectivites]]\nid = \"  \"\nnom = \"Ville\"\n[[collectivites]]\nnom = \"Autre\"\n";
    let mut d = Diagnostics::default();
    assert!(analyser_convention("convention.toml", t, &mut d).is_none());
    let messages: Vec<String> = d.0.iter().map(|x| x.to_string()).collect();
    assert_eq!(
        messages,
        [
            "erreur E021 : convention.toml, ligne 3, colonne « collectivites[1].id » : clé « id » présente mais vide (conseil : chaque collectivité a un identifiant : celui de la colonne collectivite de structures.csv et charges_n1.csv)",
            "erreur E021 : convention.toml, ligne 6, colonne « collectivites[2].id » : clé obligatoire « id » absente",
        ]
    );
}

/// An unknown key of 100 000 characters is quoted cut (60 characters and `…`), not twice
/// whole: the message stays a line.
#[test]
fn cle_inconnue_tres_longue_citee_abregee() {
    let t = format!(
        "exercice = 2025\n[[collectivites]]\nid = \"V\"\n{} = 1\n",
        "k".repeat(100_000)
    );
    let mut d = Diagnostics::default();
    assert!(analyser_convention("convention.toml", &t, &mut d).is_none());
    let m: Vec<String> = d.0.iter().map(|x| x.to_string()).collect();
    let k60 = "k".repeat(60);
    // the path « collectivites[1].kkk… » cut at 80 characters: 17 + 63 k
    let k63 = "k".repeat(80 - "collectivites[1].".len());
    assert_eq!(
        m,
        [format!("erreur E056 : convention.toml, ligne 4, colonne « collectivites[1].{k63}… » : clé inconnue « {k60}… » (clé admise la plus proche : « id ») (conseil : clés admises ici : id, nom, tranche, signataire, population (une clé mal orthographiée serait sinon ignorée))")]
    );
    assert_eq!(texte::abreger("abc", 3), "abc");
    assert_eq!(texte::abreger("abcd", 3), "abc…");
    assert_eq!(texte::abreger("éèà", 2), "éè…");
}
