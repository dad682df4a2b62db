//! Tests of the CSV table reader: names, records, CRLF, v2 headers and fields.

mod noms_et_enregistrements {
    use crate::lecture::tableau::*;

    #[test]
    fn noms_normalises() {
        assert_eq!(normaliser_nom(" Unités existantes "), "unites_existantes");
        assert_eq!(normaliser_nom("\u{feff}ID"), "id");
        assert_eq!(normaliser_nom("Collectivité"), "collectivite");
        // the same names in other Unicode forms: accent as a combining mark (NFD, as some
        // Mac tools write it), full-width letters, no-break space, non-breaking hyphen
        assert_eq!(normaliser_nom("Collectivite\u{301}"), "collectivite");
        assert_eq!(
            normaliser_nom("\u{ff42}\u{ff4f}\u{ff4e}\u{ff55}\u{ff53}_n1"),
            "bonus_n1"
        );
        assert_eq!(
            normaliser_nom("Unités\u{a0}existantes"),
            "unites_existantes"
        );
        assert_eq!(normaliser_nom("bonus\u{2011}N\u{2011}1"), "bonus_n_1");
        assert_eq!(normaliser_nom("\u{feff} Id"), "id");
    }

    #[test]
    fn delimiteur_et_lignes() {
        let mut d = Diagnostics::default();
        let t = "\n\nid,montant\n\"a,b\",\"1,5\"\n\n,\nc,2\n";
        let tab = lire("f.csv", t, &["id", "montant"], &["id"], &mut d).unwrap();
        assert_eq!(tab.delimiteur, b',');
        assert_eq!(tab.lignes.len(), 2);
        let l: Vec<_> = tab.lignes.iter().collect();
        assert_eq!(*l[0].0, 4); // header on line 3
        assert_eq!(tab.champ(l[0].1, "id"), Some("a,b"));
        assert_eq!(tab.champ(l[0].1, "montant"), Some("1,5"));
        assert_eq!(*l[1].0, 7);
        let tab = lire(
            "f.csv",
            "id;montant\r\nx;1,5\r\n",
            &["id", "montant"],
            &["id"],
            &mut d,
        )
        .unwrap();
        assert_eq!(tab.delimiteur, b';');
        let l = tab.lignes.iter().next().unwrap();
        assert_eq!(tab.champ(l.1, "montant"), Some("1,5"));
        assert!(!d.a_des_erreurs());
    }

    #[test]
    fn entete_sans_guillemets_comme_le_lecteur_csv() {
        let par_csv = |t: &str, d: u8| -> Vec<String> {
            let mut r = csv::ReaderBuilder::new()
                .delimiter(d)
                .has_headers(false)
                .flexible(true)
                .from_reader(t.as_bytes());
            let mut rec = csv::StringRecord::new();
            match r.read_record(&mut rec) {
                Ok(true) => rec.iter().map(normaliser_nom).collect(),
                _ => Vec::new(),
            }
        };
        for t in [
            "id;annexe;Unités existantes\r\nx;2;3\r\n",
            "\u{feff}id,nom,\n1,2\n",
            "id\tnom\rsuite",
            "a;;b; c ;\n",
            "seul",
            "id;\"nom;x\";b\n",
        ] {
            for d in [b';', b',', b'\t'] {
                assert_eq!(decouper_entete(t, d), par_csv(t, d), "{t:?} {d}");
            }
        }
    }

    #[test]
    fn colonne_manquante() {
        let mut d = Diagnostics::default();
        assert!(lire(
            "f.csv",
            "id;autre\n1;2\n",
            &["id", "montant"],
            &["id", "montant"],
            &mut d
        )
        .is_none());
        assert_eq!(d.0[0].code, Code::W050);
        assert_eq!(d.0[1].code, Code::E004);
        assert_eq!(d.0[1].colonne.as_deref(), Some("montant"));
        let mut d = Diagnostics::default();
        assert!(lire("f.csv", "a;b\n", &["id"], &["id"], &mut d).is_none());
        assert_eq!(d.0[0].code, Code::E005);
    }
}

mod tests_crlf {
    use crate::lecture::tableau::*;

    #[test]
    fn numeros_de_ligne_crlf_comme_lf() {
        for fin in ["\n", "\r\n"] {
            let t = format!("id;montant{fin}a;1{fin}{fin}b;2{fin}");
            let mut d = Diagnostics::default();
            let tab = lire("f.csv", &t, &["id", "montant"], &["id"], &mut d).unwrap();
            let lignes: Vec<u64> = tab.lignes.iter().map(|l| *l.0).collect();
            assert_eq!(lignes, vec![2, 4], "fin de ligne {fin:?}");
        }
    }

    /// `max` data lines are read (empty ones not counted); one more is refused with E023
    /// at that line. The real limit is 1 000 000.
    #[test]
    fn plafond_de_lignes() {
        assert_eq!(LIGNES_MAX, 1_000_000);
        let mut t = String::from("id\n");
        t.push_str(&"a\n\n".repeat(1000));
        let mut d = Diagnostics::default();
        let tab = lire_max("f.csv", &t, &["id"], &["id"], &mut d, 1000).unwrap();
        assert_eq!(tab.lignes.len(), 1000);
        assert!(d.0.is_empty());
        t.push_str("b\n");
        assert!(lire_max("f.csv", &t, &["id"], &["id"], &mut d, 1000).is_none());
        assert_eq!(d.0.len(), 1);
        assert_eq!(
            d.0[0].to_string(),
            "erreur E023 : f.csv, ligne 2002 : trop de lignes : plus de 1 000 lignes de données (conseil : un dossier décrit une seule convention : découpez le fichier)"
        );
    }
}

mod tests_v2 {
    use crate::lecture::tableau::*;

    fn lire_t(t: &str) -> (Option<Tableau>, Vec<String>) {
        let mut d = Diagnostics::default();
        let tab = lire(
            "f.csv",
            t,
            &["id", "nom", "montant"],
            &["id", "montant"],
            &mut d,
        );
        (tab, d.0.iter().map(|x| x.to_string()).collect())
    }

    #[test]
    fn lignes_lues_en_place_comme_le_lecteur_csv() {
        // every combination of field writings over three columns (nom is free text: it may
        // span lines), both delimiters, LF and CRLF: the records read equal those of the
        // csv crate (records whose fields are all blank are skipped by the reader)
        let variantes = [
            "abc",
            "",
            "  ",
            "\"a,b\"",
            "\"a;b\"",
            "\"a\"\"b\"",
            "\"q\"",
            "\"\"",
            " x ",
            "é",
            "\"x\ny\"",
        ];
        for d in [',', ';'] {
            for fin in ["\n", "\r\n"] {
                let mut t = format!("id{d}nom{d}montant{fin}");
                let mut n = 0;
                for a in &variantes[..10] {
                    for b in &variantes {
                        for c in &variantes[..10] {
                            t.push_str(&format!("{a}{d}{b}{d}{c}{fin}"));
                            n += 1;
                        }
                    }
                }
                let mut attendu = Vec::new();
                let mut r = csv::ReaderBuilder::new()
                    .delimiter(d as u8)
                    .flexible(true)
                    .from_reader(t.as_bytes());
                for rec in r.records() {
                    let rec = rec.unwrap();
                    let champs: Vec<String> = rec.iter().map(str::to_string).collect();
                    if champs.iter().any(|c| !c.trim().is_empty()) {
                        attendu.push(champs);
                    }
                }
                assert!(attendu.len() > n / 2);
                let (tab, _) = lire_t(&t);
                let tab = tab.expect("table lue");
                let lu: Vec<Vec<String>> = tab
                    .lignes
                    .iter()
                    .map(|(_, e)| e.iter().map(str::to_string).collect())
                    .collect();
                assert_eq!(lu, attendu, "délimiteur {d:?}, fin {fin:?}");
            }
        }
    }

    #[test]
    fn premier_octet_cherche_comme_une_boucle() {
        // by hand: in `ab;"c` the first `;` or `"` from 0 is at 2, from 3 the quote at 3
        assert_eq!(premier(b"ab;\"c", 0, b';', b'"'), Some(2));
        assert_eq!(premier(b"ab;\"c", 3, b';', b'"'), Some(3));
        assert_eq!(premier(b"abcdefghijklmnopq;", 0, b';', b'"'), Some(17));
        assert_eq!(premier(b"abc", 3, b';', b'"'), None);
        // every start in pseudo-random texts of bytes around the searched ones (0x80 and
        // above, the bytes next to them, zero): the same position as a plain loop
        let octets = [
            b';', b'"', b',', b':', b'!', b'#', 0, 0x80, 0xbb, 0xff, b'a', b'\t',
        ];
        let mut x: u64 = 7;
        for _ in 0..3_000 {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let n = (x >> 58) as usize;
            let o: Vec<u8> = (0..n)
                .map(|k| octets[((x >> (k % 50)) as usize + k * 7) % octets.len()])
                .collect();
            for (a, b) in [(b';', b'"'), (b'"', b'"'), (b',', b'"'), (b'\t', b'"')] {
                for depuis in 0..=n {
                    let boucle = o[depuis..]
                        .iter()
                        .position(|&c| c == a || c == b)
                        .map(|k| depuis + k);
                    assert_eq!(premier(&o, depuis, a, b), boucle, "{o:?} {depuis}");
                }
            }
        }
    }

    #[test]
    fn texte_libre_sur_plusieurs_lignes_accepte() {
        let (tab, d) = lire_t("id;nom;montant\na;\"Crèche\nde la gare\";1\n\nb;x;2\n");
        assert!(d.is_empty(), "{d:?}");
        let tab = tab.unwrap();
        let l: Vec<_> = tab.lignes.iter().collect();
        assert_eq!(tab.champ(l[0].1, "nom"), Some("Crèche\nde la gare"));
        // the second record starts on line 5 (the quoted cell spans lines 2 and 3)
        assert_eq!(*l[1].0, 5);
    }

    #[test]
    fn lignes_vides_quel_que_soit_le_nombre_de_separateurs() {
        let (tab, d) = lire_t("id;nom;montant\n;;;;;;\n  ;\u{a0};\na;x;1\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(tab.unwrap().lignes.len(), 1);
    }

    #[test]
    fn refus_localises() {
        // a non-blank field beyond the header: not an empty line
        let (tab, d) = lire_t("id;nom;montant\n;;;x\n");
        assert!(tab.is_none());
        assert_eq!(d, ["erreur E051 : f.csv, ligne 2 : ligne de 4 champs alors que l'en-tête en a 3 : champs en trop (conseil : un séparateur est en trop (une virgule dans un nom ? mettez-le entre guillemets) : chaque ligne a autant de champs que l'en-tête)"]);
        // a quoted number spanning lines, reported where it opens
        let (_, d) = lire_t("id;nom;montant\na;x;\"1\nb;y;2\"\n");
        assert!(
            d[0].starts_with("erreur E052 : f.csv, ligne 2, colonne « montant »"),
            "{d:?}"
        );
        // text after a closing quote
        let (_, d) = lire_t("id;nom;montant\na;\"x\"y;1\n");
        assert!(d[0].starts_with("erreur E052 : f.csv, ligne 2, colonne « nom », valeur « xy » : texte après le guillemet fermant"), "{d:?}");
        // a quote never closed, reported at its line (not the last record's)
        let (_, d) = lire_t("id;nom;montant\na;x;1\nb;\"y;2\nc;z;3\n");
        assert!(d[0].starts_with("erreur E024 : f.csv, ligne 3 :"), "{d:?}");
        // a free-text cell holding a whole record's worth of delimiters
        let (_, d) = lire_t("id;nom;montant\na;\"x;1\nb;\"y;2\n");
        assert!(
            d[0].starts_with("erreur E052 : f.csv, ligne 2, colonne « nom »"),
            "{d:?}"
        );
    }

    #[test]
    fn valeur_sous_un_en_tete_vide() {
        // the third header name cleared (blank): its values would be ignored
        let (tab, d) = lire_t("id;montant; \na;1;\nb;2;12,5\nc;3;3\n");
        assert!(tab.is_none());
        assert_eq!(d, ["erreur E058 : f.csv, ligne 3, valeur « 12,5 » : valeur dans la 3e colonne, dont l'en-tête (ligne 1) est vide : elle serait ignorée (conseil : nommez la colonne dans l'en-tête (un nom effacé ou oublié ?), ou videz-la)"]);
        // the first one (« 1re »), said beside the missing column whose name it may be
        let (_, d) = lire_t(" ;id;nom\n12;a;b\n");
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].starts_with("erreur E004 : f.csv, ligne 1, colonne « montant »"));
        assert!(
            d[1].starts_with(
                "erreur E058 : f.csv, ligne 2, valeur « 12 » : valeur dans la 1re colonne,"
            ),
            "{d:?}"
        );
        // columns left empty (or blank) under empty names, as a spreadsheet writes them:
        // accepted
        let (tab, d) = lire_t("id;montant;;\na;1;;\nb;2; ;\u{a0}\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(tab.map(|t| t.lignes.len()), Some(2));
    }

    #[test]
    fn fins_de_ligne_melangees_comptees_comme_lues() {
        // LF, then lone CRs (lines pasted from a Mac file), then CRLF: each record keeps its
        // physical line (1: header, 2: a, 3: b, 4: c, 5: d)
        let (tab, d) = lire_t("id;montant\na;1\rb;2\rc;3\r\nd;4\r");
        assert!(d.is_empty(), "{d:?}");
        let tab = tab.unwrap();
        let nos: Vec<(u64, &str)> = tab
            .lignes
            .iter()
            .map(|(no, e)| (*no, tab.champ(e, "id").unwrap_or("")))
            .collect();
        assert_eq!(nos, [(2, "a"), (3, "b"), (4, "c"), (5, "d")]);
        // a field beyond the header on physical line 3, said there
        let (_, d) = lire_t("id;montant\na;1\rb;2;x\rc;3\n");
        assert!(d[0].starts_with("erreur E051 : f.csv, ligne 3 :"), "{d:?}");
    }

    #[test]
    fn entete_en_formes_unicode_equivalentes() {
        // « nom » in full-width letters, « montant » with a combining accent on no letter
        // but after it (« montant » + U+0301 on the t): the same columns once normalised
        let (tab, d) = lire_t("id;\u{ff4e}\u{ff4f}\u{ff4d};montant\u{301}\na;x;1\n");
        assert!(d.is_empty(), "{d:?}");
        let tab = tab.unwrap();
        let l: Vec<_> = tab.lignes.iter().collect();
        assert_eq!(tab.champ(l[0].1, "nom"), Some("x"));
        assert_eq!(tab.champ(l[0].1, "montant"), Some("1"));
    }

    #[test]
    fn entete_alias_et_ressemblances() {
        let c = ["id", "contribution_collectivite_n1", "unites_existantes"];
        let ok = |n: &str| colonne_de(n, &c);
        assert_eq!(
            ok("contribution_collectivite_n_1"),
            Some("contribution_collectivite_n1")
        );
        assert_eq!(ok("identifiant"), Some("id"));
        assert_eq!(ok("bonus_n_1"), None); // not a column of this table
        assert_eq!(
            colonne_ressemblante("unites_existante", &c),
            Some("unites_existantes")
        );
        assert_eq!(
            colonne_ressemblante("places", &c),
            Some("unites_existantes")
        );
        assert_eq!(
            colonne_ressemblante("contribution_n_1", &c),
            Some("contribution_collectivite_n1")
        );
        // short names: one letter at most
        assert_eq!(colonne_ressemblante("ix", &c), Some("id"));
        assert_eq!(colonne_ressemblante("no", &c), None);
        assert_eq!(colonne_ressemblante("observation", &c), None);
        // a missing column that changes the amounts: an unknown column with one of its
        // words is taken for it, never ignored
        let s = [
            "soutien_collectivite",
            "mois_ouverture",
            "contribution_collectivite_n1",
            "adresse",
        ];
        for (nom, attendue) in [
            ("soutien", Some("soutien_collectivite")),
            ("mois_ouverts", Some("mois_ouverture")),
            ("nb_mois_ouverture", Some("mois_ouverture")),
            ("contribution_commune", Some("contribution_collectivite_n1")),
            // not a column of the calculation, or only a common word shared
            ("adresse_postale", None),
            ("nom_collectivite", None),
            ("observation", None),
        ] {
            assert_eq!(colonne_ressemblante(nom, &s), attendue, "{nom}");
        }
    }
}
