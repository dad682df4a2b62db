//! The messages of `projeter` for a faulty events file (E030–E037, W030), exact, on the
//! Dugny fixture (convention 2023-01-01 → 2027-12-31, exercice 2025; EAJE-LES-CIGOGNES has
//! 60 existing places). Each case is also the example of docs/erreurs.md. And many events
//! on unknown ids, each refused.

use assert_cmd::Command;

const DOSSIER: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/dugny");

fn message(evenements: &str, args: &[&str]) -> String {
    let t = tempfile::tempdir().unwrap();
    std::fs::write(t.path().join("e.csv"), evenements).unwrap();
    let o = Command::cargo_bin("bonus-ctg")
        .unwrap()
        .current_dir(t.path())
        .args(["projeter", DOSSIER, "--evenements", "e.csv"])
        .args(args)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    let lignes: Vec<&str> = err
        .lines()
        .filter(|l| l.contains(" E03") || l.contains(" W03"))
        .collect();
    assert_eq!(lignes.len(), 1, "{err}");
    lignes[0].to_string()
}

const ENTETE: &str = "date;id;action;valeur\n";

#[test]
fn erreurs_des_evenements() {
    let cas: [(&str, &[&str], &str); 8] = [
        (
            "2026-02-31;EAJE-LES-CIGOGNES;fermeture;\n",
            &[],
            "erreur E030 : e.csv, ligne 2, colonne « date », valeur « 2026-02-31 » : date illisible (conseil : écrivez AAAA-MM-JJ (2026-09-01) ou JJ/MM/AAAA (01/09/2026))",
        ),
        (
            "2026-03-01;EAJE-INCONNUE;fermeture;\n",
            &[],
            "erreur E031 : e.csv, ligne 2, colonne « id », valeur « EAJE-INCONNUE » : structure inconnue de structures.csv (conseil : un événement porte sur une structure déclarée dans structures.csv (une structure qui ouvre y figure avec mois_ouverture = 0))",
        ),
        (
            "2026-03-01;EAJE-LES-CIGOGNES;demenagement;\n",
            &[],
            "erreur E032 : e.csv, ligne 2, colonne « action », valeur « demenagement » : action inconnue (conseil : actions admises : ouverture, fermeture, unites_existantes, unites_nouvelles, unites_employeurs, soutien, annexe)",
        ),
        (
            "2026-03-01;EAJE-LES-CIGOGNES;unites_existantes;beaucoup\n",
            &[],
            "erreur E033 : e.csv, ligne 2, colonne « valeur », valeur « beaucoup » : nombre d'unités illisible : nombre invalide (conseil : écrivez par exemple 40 ou 1,5)",
        ),
        (
            "2030-03-01;EAJE-LES-CIGOGNES;fermeture;\n",
            &[],
            "erreur E034 : e.csv, ligne 2, colonne « date », valeur « 2030-03-01 » : date hors de la période de la convention (du 1er janvier 2023 au 31 décembre 2027) (conseil : un événement se situe pendant la convention)",
        ),
        (
            "2026-03-01;EAJE-LES-CIGOGNES;unites_existantes;50\n2026-03-01;EAJE-LES-CIGOGNES;unites_existantes;55\n",
            &[],
            "erreur E035 : e.csv, ligne 3, colonne « action », valeur « unites_existantes » : deux événements « unites_existantes » pour « EAJE-LES-CIGOGNES » comptent à partir de mars 2026 (lignes 2 et 3) (conseil : gardez une seule valeur par mois (un changement compte au mois qui suit sa date, sauf le 1er))",
        ),
        (
            // 100 employer places > 60 existing places
            "2026-03-01;EAJE-LES-CIGOGNES;unites_employeurs;100\n",
            &[],
            "erreur E036 : e.csv, ligne 2, colonne « valeur », valeur « 100,00 » : « EAJE-LES-CIGOGNES » : unités employeurs (100,00) supérieures aux unités existantes (60,00) à partir de mars 2026 (conseil : les places employeurs font partie des places existantes)",
        ),
        (
            "2027-03-01;EAJE-LES-CIGOGNES;fermeture;\n",
            &["--jusqu-a", "2026"],
            "avertissement W030 : e.csv, ligne 2, colonne « date », valeur « 2027-03-01 » : l'événement compte à partir de mars 2027, après la dernière année projetée (2026) : sans effet (conseil : prolongez la projection (--jusqu-a) si la convention le permet)",
        ),
    ];
    for (lignes, args, attendu) in cas {
        assert_eq!(message(&format!("{ENTETE}{lignes}"), args), attendu);
    }
}

#[test]
fn projection_au_dela_de_la_convention() {
    let o = Command::cargo_bin("bonus-ctg")
        .unwrap()
        .args(["projeter", DOSSIER, "--jusqu-a", "2031"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains(
        "erreur E037 : projection : --jusqu-a 2031 dépasse la fin de la convention (2027) (conseil : choisissez une année comprise dans la convention)"
    ));
}

/// Events on ids of no structure, many of them: each is refused (E031), none is attached to
/// a structure, on a dossier of 3 000 structures. (The matching goes through an index of
/// the ids, not a comparison of each event with every structure: its cost is measured by
/// `cargo bench --bench echelle -- evenements`, not here.)
#[test]
fn evenements_sur_des_identifiants_inconnus() {
    use bonus_ctg::diagnostic::{Code, Diagnostics};
    use bonus_ctg::lecture::{analyser_dossier, Fichiers};
    use bonus_ctg::projection::evenements::{analyser_evenements, Chronologie};
    use std::fmt::Write;
    const N: usize = 3_000;
    let mut structures = String::from(
        "id;annexe;type;nom;gestionnaire;collectivite;financement;unites_existantes\n",
    );
    let mut evenements = String::from(ENTETE);
    for i in 0..N {
        writeln!(structures, "EAJE-{i};2;EAJE;S{i};G;V;PSU;10").unwrap();
        writeln!(evenements, "2026-03-01;X-{i};fermeture;").unwrap();
    }
    // and one on a known id written with another case: attached, not refused
    writeln!(evenements, "2026-03-01;eaje-7;fermeture;").unwrap();
    let f = Fichiers {
        convention: "exercice = 2025\ndebut = 2025-01-01\nfin = 2027-12-31\n[[collectivites]]\nid = \"V\"\ntranche = 1\n".into(),
        structures,
        charges: "collectivite;volet;montant\nV;EAJE;100\n".into(),
        ..Default::default()
    };
    let mut d = Diagnostics::default();
    let lu = analyser_dossier(&f, &mut d).unwrap();
    let ev = analyser_evenements("e.csv", &evenements, &mut d);
    assert_eq!(ev.len(), N + 1);
    Chronologie::construire(&lu.dossier, &ev, 2025, 2027, "e.csv", &mut d);
    // the errors kept are capped (E027): all of them are E031, none names EAJE-7
    assert!(d.a_des_erreurs());
    assert!(d.erreurs().all(|x| x.code == Code::E031));
    assert!(!d.erreurs().any(|x| x.to_string().contains("eaje-7")));
}
