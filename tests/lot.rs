//! `bonus-ctg lot` and `bonus-ctg generer` end to end: an invalid dossier is
//! reported and skipped while the others complete; the consolidated totals equal the sums of
//! the per-dossier results to the cent; generation is deterministic; generated dossiers give
//! byte for byte the output of the independent Python oracle.

mod commun;

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn bonus() -> Command {
    Command::cargo_bin("bonus-ctg").unwrap()
}

fn generer(dir: &Path, collectivites: usize, structures: usize, graine: u64, dossiers: usize) {
    bonus()
        .arg("generer")
        .arg(dir)
        .args(["--collectivites", &collectivites.to_string()])
        .args(["--structures", &structures.to_string()])
        .args(["--graine", &graine.to_string()])
        .args(["--dossiers", &dossiers.to_string()])
        .assert()
        .success();
}

/// Every file under `dir`, relative path → bytes.
fn arbre(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut r = BTreeMap::new();
    let mut pile = vec![dir.to_path_buf()];
    while let Some(d) = pile.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                pile.push(p);
            } else {
                r.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    std::fs::read(&p).unwrap(),
                );
            }
        }
    }
    r
}

/// Cents from `1234.56` / `-0.05` (rfc4180 profile).
fn centimes(s: &str) -> i64 {
    let (neg, s) = match s.strip_prefix('-') {
        Some(x) => (true, x),
        None => (false, s),
    };
    let (e, d) = s.split_once('.').unwrap();
    assert_eq!(d.len(), 2, "{s}");
    let v = e.parse::<i64>().unwrap() * 100 + d.parse::<i64>().unwrap();
    if neg {
        -v
    } else {
        v
    }
}

/// The blocks of a CSV output (separated by an empty line), each as header + records.
fn blocs(texte: &str) -> Vec<Vec<Vec<String>>> {
    texte
        .split("\n\n")
        .map(|b| {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .flexible(true)
                .from_reader(b.as_bytes())
                .records()
                .map(|r| r.unwrap().iter().map(str::to_string).collect())
                .collect()
        })
        .collect()
}

fn colonne(entete: &[String], nom: &str) -> usize {
    entete.iter().position(|c| c == nom).unwrap()
}

#[test]
fn dossier_invalide_signale_et_les_autres_calcules() {
    let t = tempfile::tempdir().unwrap();
    let lot = t.path().join("lot");
    generer(&lot, 30, 400, 11, 5);
    // ctg-003: an impossible unit count on the first structure line
    let f = lot.join("ctg-003/structures.csv");
    let texte = std::fs::read_to_string(&f).unwrap();
    let mut lignes: Vec<String> = texte.lines().map(str::to_string).collect();
    let delim = if lignes[0].contains(';') { ';' } else { ',' };
    let entete: Vec<&str> = lignes[0]
        .trim_start_matches('\u{feff}')
        .split(delim)
        .collect();
    let k = entete.iter().position(|c| *c == "mois_ouverture").unwrap();
    // mois_ouverture has no quoted neighbour issue: rebuild line 2 with the csv crate
    let mut rec: Vec<String> = csv::ReaderBuilder::new()
        .delimiter(delim as u8)
        .has_headers(false)
        .from_reader(lignes[1].as_bytes())
        .records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    rec[k] = "13".into();
    let mut w = csv::WriterBuilder::new()
        .delimiter(delim as u8)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(&rec).unwrap();
    lignes[1] = String::from_utf8(w.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_string();
    std::fs::write(&f, lignes.join("\n") + "\n").unwrap();

    let sortie = t.path().join("sortie");
    let out = bonus()
        .arg("lot")
        .arg(&lot)
        .arg("--sortie")
        .arg(&sortie)
        .args(["--profil", "rfc4180"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("erreur E018 : ctg-003/structures.csv, ligne 2, colonne « mois_ouverture », valeur « 13 »"),
        "{err}"
    );
    assert!(err.contains("ctg-003 : dossier ignoré — 1 erreur"), "{err}");
    // no progress bar when stderr is not a terminal
    assert!(!err.contains('█'));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains("5 dossiers : 4 calculés, 1 en échec (ctg-003)"),
        "{stdout}"
    );
    for n in ["ctg-001", "ctg-002", "ctg-004", "ctg-005"] {
        assert!(sortie.join(format!("dossiers/{n}.csv")).is_file(), "{n}");
    }
    assert!(!sortie.join("dossiers/ctg-003.csv").exists());
    let consolide = std::fs::read_to_string(sortie.join("consolide.csv")).unwrap();
    assert!(!consolide.contains("ctg-003"));
    assert!(consolide.contains("\nctg-004,"));
    let diags = std::fs::read_to_string(sortie.join("diagnostics.txt")).unwrap();
    assert!(diags.contains("erreur E018 : ctg-003/structures.csv, ligne 2"));

    // a second run does not overwrite without --ecraser...
    let out = bonus()
        .arg("lot")
        .arg(&lot)
        .arg("--sortie")
        .arg(&sortie)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8(out.stderr).unwrap().contains("--ecraser"));
    // ... and once the dossier is fixed, everything is computed
    std::fs::write(&f, texte).unwrap();
    bonus()
        .arg("lot")
        .arg(&lot)
        .arg("--sortie")
        .arg(&sortie)
        .arg("--ecraser")
        .assert()
        .code(0);
    assert!(sortie.join("dossiers/ctg-003.csv").is_file());
}

#[test]
fn totaux_consolides_egaux_aux_totaux_des_dossiers() {
    let t = tempfile::tempdir().unwrap();
    let lot = t.path().join("lot");
    generer(&lot, 60, 1500, 7, 6);
    let sortie = t.path().join("sortie");
    bonus()
        .arg("lot")
        .arg(&lot)
        .arg("--sortie")
        .arg(&sortie)
        .args(["--profil", "rfc4180", "--fils", "2"])
        .assert()
        .code(0);

    // per dossier: Σ bonus_total and row count from its own CSV (the structure table), the
    // Caf's total and Σ charge_n1 from `calculer --table totaux` on the same dossier
    let mut par_dossier: BTreeMap<String, (i64, i64, i64, usize)> = BTreeMap::new();
    for e in std::fs::read_dir(sortie.join("dossiers")).unwrap() {
        let p = e.unwrap().path();
        let nom = p.file_stem().unwrap().to_string_lossy().into_owned();
        let b = blocs(&std::fs::read_to_string(&p).unwrap());
        assert_eq!(b.len(), 1, "{nom} : une seule table");
        let bt = colonne(&b[0][0], "bonus_total");
        let somme: i64 = b[0][1..].iter().map(|r| centimes(&r[bt])).sum();
        let totaux = bonus()
            .arg("calculer")
            .arg(lot.join(&nom))
            .args([
                "--format", "csv", "--profil", "rfc4180", "--table", "totaux",
            ])
            .output()
            .unwrap();
        let totaux = String::from_utf8(totaux.stdout).unwrap();
        let valeur = |cle: &str| {
            totaux
                .lines()
                .find_map(|l| l.strip_prefix(&format!("{cle},")))
                .map(centimes)
                .unwrap()
        };
        let (caf, charge) = (valeur("verse_caf"), valeur("charge_n1"));
        par_dossier.insert(nom, (somme, caf, charge, b[0].len() - 1));
    }
    assert_eq!(par_dossier.len(), 6);

    let b = blocs(&std::fs::read_to_string(sortie.join("consolide.csv")).unwrap());
    assert_eq!(b[0][0][0], "dossier");
    assert_eq!(b[0][0][1..], bonus_ctg::rapport::csv::COLONNES[..]);
    // block 1: the structure rows of each dossier
    let bt = colonne(&b[0][0], "bonus_total");
    let mut lignes: BTreeMap<String, (i64, usize)> = BTreeMap::new();
    for r in &b[0][1..] {
        let x = lignes.entry(r[0].clone()).or_default();
        x.0 += centimes(&r[bt]);
        x.1 += 1;
    }
    // block 2: totals
    let e = &b[1][0];
    let (ni, di, bi, vi, ci, si) = (
        colonne(e, "niveau"),
        colonne(e, "dossier"),
        colonne(e, "bonus_total"),
        colonne(e, "verse_caf"),
        colonne(e, "charge_n1"),
        colonne(e, "structures"),
    );
    let mut dossiers = 0;
    let mut somme = (0i64, 0i64, 0i64);
    let mut par_coll: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    let mut volets = (0i64, 0i64, 0i64);
    let mut total = None;
    for r in &b[1][1..] {
        let v = (centimes(&r[bi]), centimes(&r[vi]), centimes(&r[ci]));
        match r[ni].as_str() {
            "DOSSIER" => {
                dossiers += 1;
                let (bonus, caf, charge, n) = par_dossier[&r[di]];
                assert_eq!(v, (bonus, caf, charge), "dossier {}", r[di]);
                assert_eq!(r[si].parse::<usize>().unwrap(), n);
                assert_eq!(lignes[&r[di]], (bonus, n));
                somme = (somme.0 + v.0, somme.1 + v.1, somme.2 + v.2);
            }
            "COLLECTIVITE" => {
                let x = par_coll.entry(r[di].clone()).or_default();
                *x = (x.0 + v.0, x.1 + v.1, x.2 + v.2);
            }
            "VOLET" => volets = (volets.0 + v.0, volets.1 + v.1, volets.2 + v.2),
            "TOTAL" => total = Some(v),
            n => panic!("niveau inconnu {n}"),
        }
    }
    assert_eq!(dossiers, 6);
    assert_eq!(total, Some(somme));
    assert_eq!(volets, somme);
    for (d, v) in par_coll {
        let (bonus, caf, charge, _) = par_dossier[&d];
        assert_eq!(v, (bonus, caf, charge), "collectivités de {d}");
    }
}

#[test]
fn generer_est_deterministe() {
    let t = tempfile::tempdir().unwrap();
    generer(&t.path().join("a"), 45, 900, 5, 3);
    generer(&t.path().join("b"), 45, 900, 5, 3);
    generer(&t.path().join("c"), 45, 900, 6, 3);
    let a = arbre(&t.path().join("a"));
    let b = arbre(&t.path().join("b"));
    let c = arbre(&t.path().join("c"));
    assert!(a.len() >= 9, "{:?}", a.keys());
    assert_eq!(a, b);
    assert_ne!(a, c);
    // generating again into a previous generation replaces it, stale dossiers included
    generer(&t.path().join("a"), 10, 100, 5, 2);
    assert!(!t.path().join("a/ctg-003").exists());
    generer(&t.path().join("a"), 45, 900, 5, 3);
    assert_eq!(arbre(&t.path().join("a")), b);
    // any other non-empty folder is refused without --ecraser
    std::fs::create_dir_all(t.path().join("autre")).unwrap();
    std::fs::write(t.path().join("autre/notes.txt"), "à garder").unwrap();
    let args = [
        "--collectivites",
        "3",
        "--structures",
        "10",
        "--graine",
        "1",
    ];
    bonus()
        .arg("generer")
        .arg(t.path().join("autre"))
        .args(args)
        .assert()
        .code(1);
    bonus()
        .arg("generer")
        .arg(t.path().join("autre"))
        .args(args)
        .arg("--ecraser")
        .assert()
        .code(0);
    assert!(t.path().join("autre/notes.txt").is_file());
    assert!(t.path().join("autre/ctg-001/structures.csv").is_file());
}

/// Differential check: each generated dossier through `bonus-ctg calculer --format csv
/// --profil rfc4180` and through `python3 scripts/oracle.py`, byte for byte.
#[test]
fn dossiers_generes_identiques_a_l_oracle() {
    let python = std::process::Command::new("python3")
        .arg("--version")
        .output();
    if !python.is_ok_and(|o| o.status.success()) {
        eprintln!("python3 absent : comparaison avec l'oracle ignorée");
        return;
    }
    let oracle = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/oracle.py");
    let t = tempfile::tempdir().unwrap();
    let mut comparés = 0;
    for graine in [1u64, 2, 3, 4, 5, 2024] {
        let lot = t.path().join(format!("g{graine}"));
        generer(&lot, 24, 360, graine, 4);
        for e in std::fs::read_dir(&lot).unwrap() {
            let d = e.unwrap().path();
            if !d.is_dir() {
                continue; // the generator's marker file
            }
            let attendu = std::process::Command::new("python3")
                .arg(&oracle)
                .arg(&d)
                .output()
                .unwrap();
            assert!(
                attendu.status.success(),
                "oracle {} : {}",
                d.display(),
                String::from_utf8_lossy(&attendu.stderr)
            );
            let (statut, obtenu, _) = commun::csv_comme_l_oracle(&d, &[]);
            assert!(statut.success(), "{}", d.display());
            assert!(
                attendu.stdout == obtenu,
                "{} : sortie différente de l'oracle",
                d.display()
            );
            comparés += 1;
        }
    }
    assert_eq!(comparés, 24);
}

/// Property test at scale: on generated dossiers (several seeds, thousands of structures),
/// the reconciliation identities of R8 hold group by group and in total, to the cent.
#[test]
fn identites_du_rapprochement_a_grande_echelle() {
    use bonus_ctg::calcul::rationnel::Rationnel;
    use bonus_ctg::diagnostic::Diagnostics;
    use bonus_ctg::generation::{generer, Parametres};
    let mut groupes = 0;
    for graine in [1u64, 2, 3, 99] {
        let p = Parametres {
            collectivites: 120,
            structures: 3000,
            graine,
            dossiers: Some(4),
        };
        for d in generer(&p).unwrap() {
            let mut diags = Diagnostics::default();
            let lu = bonus_ctg::lecture::analyser_dossier(&d.fichiers, &mut diags).unwrap();
            let (r, _) = bonus_ctg::traiter(&lu, None, "bareme.toml").unwrap();
            assert_eq!(r.structures.len(), d.structures);
            for g in &r.groupes {
                // A + C = L + R + P (P: paid to the collectivité, PILOTAGE)
                assert_eq!(
                    g.charge_n1.0 + g.complement_plancher.0,
                    g.lissage_verse.0 + g.non_redistribue.0 + g.verse_collectivite.0,
                    "{} {} {}",
                    d.nom,
                    g.collectivite,
                    g.volet
                );
                let membres = r.structures.iter().filter(|l| {
                    l.structure.collectivite == g.collectivite
                        && l.eligibilite.volet() == Some(g.volet.as_str())
                });
                let (l, n) = membres.fold((0, 0), |(l, n), x| {
                    (l + x.bonus_lissage.0, n + x.bonus_nouvelles.0)
                });
                assert_eq!((l, n), (g.lissage_verse.0, g.nouvelles_versees.0));
                groupes += 1;
            }
            let bonus: i64 = r.structures.iter().map(|l| l.bonus_total.0).sum();
            let pilotage: i64 = r.groupes.iter().map(|g| g.verse_collectivite.0).sum();
            assert_eq!(r.total.verse_caf.0, bonus + pilotage);
            for l in &r.structures {
                // each of the two shares is paid its floor or its floor + 1 cent
                let e = l.ecart_arrondi().expect("écart d'arrondi");
                assert!(e > Rationnel::entier(-2) && e < Rationnel::entier(2), "{e}");
            }
        }
    }
    assert!(groupes > 500, "{groupes}");
}

/// The messages of a lot name each dossier's own files after the dossier
/// (`dijon/structures.csv`), but the barème given once for every dossier by `--bareme`
/// keeps the name it was given, even without a folder (it is not `dijon/bareme.toml`).
#[test]
fn fichiers_nommes_par_leur_dossier_sauf_le_bareme_commun() {
    let t = tempfile::tempdir().unwrap();
    let lot = t.path().join("lot");
    for (nom, fixture) in [("dijon", "dijon-2024"), ("dugny", "dugny")] {
        let dest = lot.join(nom);
        std::fs::create_dir_all(&dest).unwrap();
        for e in std::fs::read_dir(Path::new("fixtures").join(fixture)).unwrap() {
            let e = e.unwrap();
            std::fs::copy(e.path(), dest.join(e.file_name())).unwrap();
        }
    }
    // a misspelt key in the common barème, named as given (no folder)
    std::fs::write(t.path().join("commun.toml"), "exercise = 2025\n").unwrap();
    let out = bonus()
        .current_dir(t.path())
        .args([
            "lot",
            "lot",
            "--sortie",
            "sortie",
            "--bareme",
            "commun.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("erreur E022 : commun.toml, "), "{err}");
    assert!(!err.contains("dijon/commun.toml"), "{err}");
    // the dossier's own file, after its dossier (Dijon's extra column)
    let diag = std::fs::read_to_string(t.path().join("sortie/diagnostics.txt")).unwrap();
    assert!(diag.contains("dijon/structures.csv, ligne 1"), "{diag}");
}

/// The CTRE on the VOLET line of the CTRE volet, beside its charge (Gevrey-Nuits, by hand:
/// charge CTRE 12 000,00 € paid in full to the crèche inter-entreprises, an EAJE): line
/// `VOLET CTRE` charge 12 000,00, bonus_ctre 12 000,00, verse_caf 12 000,00 (no bonus, no
/// pilotage); the EAJE line keeps its bonus but no CTRE; the VOLET lines still add up to
/// TOTAL.
#[test]
fn ctre_sur_la_ligne_de_son_volet() {
    let t = tempfile::tempdir().unwrap();
    let racine = t.path().join("lot");
    std::fs::create_dir(&racine).unwrap();
    let d = racine.join("gevrey");
    std::fs::create_dir(&d).unwrap();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/gevrey-nuits");
    for f in std::fs::read_dir(&source).unwrap() {
        let f = f.unwrap().path();
        if f.is_file() {
            std::fs::copy(&f, d.join(f.file_name().unwrap())).unwrap();
        }
    }
    let sortie = t.path().join("sortie");
    bonus()
        .arg("lot")
        .arg(&racine)
        .arg("--sortie")
        .arg(&sortie)
        .args(["--profil", "rfc4180"])
        .assert()
        .success();
    let texte = std::fs::read_to_string(sortie.join("consolide.csv")).unwrap();
    let b = blocs(&texte);
    let totaux = &b[1];
    let e = &totaux[0];
    let c = |l: &[String], nom: &str| centimes(&l[colonne(e, nom)]);
    let volet = |v: &str| {
        totaux
            .iter()
            .find(|l| l[0] == "VOLET" && l[3] == v)
            .unwrap_or_else(|| panic!("VOLET {v} : {texte}"))
    };
    let ctre = volet("CTRE");
    assert_eq!(
        (
            c(ctre, "charge_n1"),
            c(ctre, "bonus_ctre"),
            c(ctre, "verse_caf")
        ),
        (1_200_000, 1_200_000, 1_200_000)
    );
    assert_eq!(c(volet("EAJE"), "bonus_ctre"), 0);
    let total = totaux.iter().find(|l| l[0] == "TOTAL").unwrap();
    for col in ["charge_n1", "bonus_total", "bonus_ctre", "verse_caf"] {
        let somme: i64 = totaux
            .iter()
            .filter(|l| l[0] == "VOLET")
            .map(|l| c(l, col))
            .sum();
        assert_eq!(somme, c(total, col), "{col}");
    }
}

/// W087: a copy of the Dugny folder beside it (same convention name) is computed, and the
/// warning says that its amounts count twice in the lot's totals; a different convention
/// (Gevrey-Nuits) raises nothing. The exit code stays 0 (the amounts are the rules').
#[test]
fn meme_convention_dans_deux_dossiers_signalee() {
    let d = tempfile::tempdir().unwrap();
    let racine = d.path().join("entrees");
    for (source, nom) in [
        ("fixtures/dugny", "dugny"),
        ("fixtures/dugny", "dugny - copie"),
        ("fixtures/gevrey-nuits", "gevrey"),
        ("fixtures/gevrey-nuits", "sans nom 1"),
        ("fixtures/dugny", "sans nom 2"),
    ] {
        let cible = racine.join(nom);
        std::fs::create_dir_all(&cible).unwrap();
        for e in std::fs::read_dir(source).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, cible.join(p.file_name().unwrap())).unwrap();
        }
        if nom.starts_with("sans nom") {
            // two conventions without a name (the key is optional), named after their
            // collectivités, which differ: not « the same one »
            let c = cible.join("convention.toml");
            let t = std::fs::read_to_string(&c).unwrap();
            let t: String = t
                .lines()
                .filter(|l| !l.starts_with("nom = \"CTG"))
                .map(|l| format!("{l}\n"))
                .collect();
            std::fs::write(&c, t).unwrap();
        }
    }
    let sortie = d.path().join("sortie");
    bonus()
        .arg("lot")
        .arg(&racine)
        .arg("--sortie")
        .arg(&sortie)
        .assert()
        .success();
    let diag = std::fs::read_to_string(sortie.join("diagnostics.txt")).unwrap();
    let w087: Vec<&str> = diag.lines().filter(|l| l.contains("W087")).collect();
    assert_eq!(
        w087,
        ["avertissement W087 : dugny - copie : même convention « CTG Commune de Dugny 2023-2027 (projet) » que le dossier « dugny » : ses montants comptent deux fois dans les totaux du lot (conseil : retirez la copie des dossiers à calculer, ou donnez à chaque convention son propre nom)"],
        "{diag}"
    );
}
