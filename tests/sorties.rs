//! Outputs whole or absent, end to end: `--sortie` replaces only a regular file (never a
//! named pipe, a device, a folder, a socket or a link) and keeps its permissions, never one of
//! the files read; the standard output fails loudly when full (E080, code 1) and quietly
//! when the reader has gone (`| head -1`); a killed `lot --ecraser` leaves the old complete
//! set or the new complete set; result names stay distinct for any folder name; `generer`
//! does not write through links; temporary files of killed runs do not stay.
#![cfg(unix)]

use assert_cmd::Command;
use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::fs;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

const DUGNY: &str = "fixtures/dugny";
const DIJON: &str = "fixtures/dijon-2024";

fn bonus() -> Command {
    Command::cargo_bin("bonus-ctg").unwrap()
}

fn binaire() -> PathBuf {
    assert_cmd::cargo::cargo_bin("bonus-ctg")
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
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

/// Every file under `dir`, relative path → bytes (links not followed).
fn arbre(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut r = BTreeMap::new();
    let mut pile = vec![dir.to_path_buf()];
    while let Some(d) = pile.pop() {
        for e in fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if fs::symlink_metadata(&p).unwrap().is_dir() {
                pile.push(p);
            } else {
                r.insert(
                    p.strip_prefix(dir).unwrap().to_path_buf(),
                    fs::read(&p).unwrap(),
                );
            }
        }
    }
    r
}

/// A copy of a fixture dossier (its data files) in `dest`.
fn copier(source: &str, dest: &Path) {
    fs::create_dir_all(dest).unwrap();
    for e in fs::read_dir(source).unwrap() {
        let p = e.unwrap().path();
        if p.is_file() {
            fs::copy(&p, dest.join(p.file_name().unwrap())).unwrap();
        }
    }
}

/// Runs `calculer DUGNY --sortie cible --ecraser`: must fail with `code`.
fn refuse(cible: &Path, code: &str) -> String {
    refuse_pour(Path::new(DUGNY), cible, code)
}

/// Runs `calculer dossier --sortie cible --ecraser`: must fail with `code`.
fn refuse_pour(dossier: &Path, cible: &Path, code: &str) -> String {
    let o = bonus()
        .arg("calculer")
        .arg(dossier)
        .args(["--ecraser", "--sortie"])
        .arg(cible)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let e = stderr(&o);
    assert!(e.contains(&format!("erreur {code} : ")), "{e}");
    assert!(!e.contains("panicked"), "{e}");
    e
}

#[test]
fn tube_nomme_refuse_et_intact() {
    let t = tempfile::tempdir().unwrap();
    let f = t.path().join("tube.csv");
    assert!(std::process::Command::new("mkfifo")
        .arg(&f)
        .status()
        .unwrap()
        .success());
    let e = refuse(&f, "E081");
    assert!(e.contains("c'est un tube nommé (FIFO)"), "{e}");
    assert!(fs::symlink_metadata(&f).unwrap().file_type().is_fifo());
    // nothing else written next to it
    assert_eq!(fs::read_dir(t.path()).unwrap().count(), 1);
}

#[test]
fn peripherique_refuse_et_intact() {
    let t = tempfile::tempdir().unwrap();
    let n = t.path().join("nul");
    // a node like /dev/null (character device 1, 3), made in a temporary folder: root only
    let fait = std::process::Command::new("mknod")
        .arg(&n)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !fait {
        println!("note : mknod impossible (il faut être root) : test du périphérique sauté");
        return;
    }
    let e = refuse(&n, "E081");
    assert!(e.contains("c'est un périphérique"), "{e}");
    let m = fs::symlink_metadata(&n).unwrap();
    assert!(m.file_type().is_char_device());
    // same node: device number 1, 3 (rdev = major << 8 | minor for small numbers)
    use std::os::unix::fs::MetadataExt;
    assert_eq!(m.rdev(), (1 << 8) | 3);
}

#[test]
fn dossier_socket_et_lien_refuses() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("rep.csv");
    fs::create_dir(&d).unwrap();
    fs::write(d.join("dedans.txt"), "à garder").unwrap();
    let e = refuse(&d, "E081");
    assert!(e.contains("c'est un dossier"), "{e}");
    assert_eq!(
        fs::read_to_string(d.join("dedans.txt")).unwrap(),
        "à garder"
    );

    let s = t.path().join("socket.csv");
    let _l = std::os::unix::net::UnixListener::bind(&s).unwrap();
    let e = refuse(&s, "E081");
    assert!(e.contains("c'est une socket"), "{e}");
    assert!(fs::symlink_metadata(&s).unwrap().file_type().is_socket());

    // a link, even to a regular file: neither followed nor replaced
    let cible = t.path().join("cible.csv");
    fs::write(&cible, "cible").unwrap();
    let lien = t.path().join("lien.csv");
    std::os::unix::fs::symlink(&cible, &lien).unwrap();
    let e = refuse(&lien, "E081");
    assert!(e.contains("c'est un lien symbolique"), "{e}");
    assert_eq!(fs::read_to_string(&cible).unwrap(), "cible");
    assert!(fs::symlink_metadata(&lien)
        .unwrap()
        .file_type()
        .is_symlink());
    // a link to a FIFO: the same
    let tube = t.path().join("tube");
    assert!(std::process::Command::new("mkfifo")
        .arg(&tube)
        .status()
        .unwrap()
        .success());
    let lien2 = t.path().join("lien2.csv");
    std::os::unix::fs::symlink(&tube, &lien2).unwrap();
    refuse(&lien2, "E081");
    assert!(fs::symlink_metadata(&tube).unwrap().file_type().is_fifo());
}

#[test]
fn droits_du_fichier_remplace_gardes() {
    let t = tempfile::tempdir().unwrap();
    let p = t.path().join("resultat.csv");
    fs::write(&p, "ancien").unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
    bonus()
        .args(["-q", "calculer", DUGNY, "--ecraser", "--sortie"])
        .arg(&p)
        .assert()
        .success();
    assert!(fs::read(&p).unwrap().starts_with(b"\xEF\xBB\xBFid;nom"));
    assert_eq!(
        fs::metadata(&p).unwrap().permissions().mode() & 0o7777,
        0o600
    );
    // a group-readable one stays so
    fs::set_permissions(&p, fs::Permissions::from_mode(0o640)).unwrap();
    bonus()
        .args(["-q", "projeter", DIJON, "--ecraser", "--sortie"])
        .arg(&p)
        .assert()
        .success();
    assert_eq!(
        fs::metadata(&p).unwrap().permissions().mode() & 0o7777,
        0o640
    );
}

#[test]
fn sortie_egale_a_une_entree_refusee() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("dugny");
    copier(DUGNY, &d);
    let avant = arbre(&d);
    // the file itself
    let e = refuse_pour(&d, &d.join("structures.csv"), "E082");
    assert!(e.contains("c'est un des fichiers lus"), "{e}");
    // another name of the same file (hard link) and a path through a linked folder
    fs::hard_link(d.join("charges_n1.csv"), t.path().join("charges.csv")).unwrap();
    let o = bonus()
        .args(["calculer"])
        .arg(&d)
        .args(["--ecraser", "--sortie"])
        .arg(t.path().join("charges.csv"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("erreur E082 : "), "{}", stderr(&o));
    std::os::unix::fs::symlink(&d, t.path().join("lien")).unwrap();
    let o = bonus()
        .args(["calculer"])
        .arg(&d)
        .args(["--ecraser", "--sortie"])
        .arg(t.path().join("lien/convention.toml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("erreur E082 : "), "{}", stderr(&o));
    // verifier: the notification read; projeter: the events read
    let o = bonus()
        .args(["verifier", "tests/verifier/dossier", "--notification"])
        .arg(d.join("charges_n1.csv"))
        .args(["--ecraser", "--sortie"])
        .arg(d.join("charges_n1.csv"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("erreur E082 : "), "{}", stderr(&o));
    assert_eq!(arbre(&d), avant, "aucun fichier lu n'a changé");
    // without --ecraser, an existing file is still refused (E083), untouched
    let p = t.path().join("r.csv");
    fs::write(&p, "ancien").unwrap();
    let o = bonus()
        .args(["calculer", DUGNY, "--sortie"])
        .arg(&p)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("erreur E083 : ") && stderr(&o).contains("--ecraser"),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(&p).unwrap(), "ancien");
    // a folder that does not exist: E084, in French
    let e = refuse(&t.path().join("absent/r.csv"), "E084");
    assert!(e.contains("fichier ou dossier introuvable"), "{e}");
    assert!(!t.path().join("absent").exists());
}

/// Every command that prints on the standard output, with its normal exit code.
fn commandes(t: &Path, lot: &Path, k: usize) -> Vec<(String, Vec<OsString>, i32)> {
    let v = |a: &[&str]| a.iter().map(OsString::from).collect::<Vec<_>>();
    let mut r = Vec::new();
    for f in ["table", "csv", "json", "html", "xlsx"] {
        r.push(v(&["calculer", DUGNY, "--format", f]));
        r.push(v(&["projeter", DIJON, "--format", f]));
    }
    r.push(v(&["valider", DUGNY]));
    r.push(v(&["expliquer", DIJON, "EAJE-JEAN-JAURES"]));
    r.push(v(&[
        "expliquer",
        DIJON,
        "EAJE-JEAN-JAURES",
        "--annee",
        "2026",
    ]));
    r.push(v(&["bareme"]));
    r.push(v(&["bareme", DUGNY]));
    for f in ["table", "csv", "json"] {
        r.push(v(&[
            "verifier",
            "tests/verifier/dossier",
            "--notification",
            "tests/verifier/notification-concorde.csv",
            "--format",
            f,
        ]));
        r.push(v(&["comparer", DUGNY, DIJON, "--format", f]));
    }
    let mut l = v(&["lot"]);
    l.push(lot.into());
    l.push("--sortie".into());
    l.push(t.join(format!("lot-{k}")).into());
    r.push(l);
    let mut g = v(&["generer"]);
    g.push(t.join(format!("gen-{k}")).into());
    g.extend(v(&[
        "--collectivites",
        "3",
        "--structures",
        "10",
        "--graine",
        "1",
    ]));
    r.push(g);
    r.into_iter()
        .map(|a| {
            let nom = a
                .iter()
                .take(4)
                .map(|x| x.to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ");
            (nom, a, 0)
        })
        .collect()
}

#[test]
fn sortie_standard_pleine_code_1() {
    let Ok(plein) = fs::OpenOptions::new().write(true).open("/dev/full") else {
        println!("note : /dev/full absent : test sauté");
        return;
    };
    let t = tempfile::tempdir().unwrap();
    let lot = t.path().join("lot");
    generer(&lot, 6, 40, 3, 2);
    for (nom, args, _) in commandes(t.path(), &lot, 0) {
        let o = std::process::Command::new(binaire())
            .args(&args)
            .stdout(Stdio::from(plein.try_clone().unwrap()))
            .output()
            .unwrap();
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{nom} : {e}");
        assert!(
            e.contains(
                "erreur E080 : sortie standard : écriture impossible : plus de place sur le disque"
            ),
            "{nom} : {e}"
        );
        assert!(!e.contains("panicked"), "{nom} : {e}");
    }
}

#[test]
fn tube_ferme_sans_panique() {
    let t = tempfile::tempdir().unwrap();
    let lot = t.path().join("lot");
    generer(&lot, 6, 40, 3, 2);
    for (nom, args, code) in commandes(t.path(), &lot, 1) {
        let mut c = std::process::Command::new(binaire())
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // the reader goes away before anything is written (`| head -0`)
        drop(c.stdout.take());
        let o = c.wait_with_output().unwrap();
        let e = stderr(&o);
        assert_ne!(o.status.code(), Some(101), "{nom} : {e}");
        assert!(!e.contains("panicked"), "{nom} : {e}");
        assert!(!e.contains("E080"), "{nom} : arrêt discret attendu : {e}");
        assert_eq!(o.status.code(), Some(code), "{nom} : {e}");
    }
}

#[test]
fn lot_tue_laisse_l_ancien_ou_le_nouveau() {
    let t = tempfile::tempdir().unwrap();
    let (a, b) = (t.path().join("a"), t.path().join("b"));
    // same dossier names, different contents: the two result sets differ in every file
    generer(&a, 200, 4000, 11, 20);
    generer(&b, 200, 4000, 12, 20);
    let lot = |racine: &Path, sortie: &Path| {
        bonus()
            .args(["-q", "lot"])
            .arg(racine)
            .arg("--sortie")
            .arg(sortie)
            .arg("--ecraser")
            .assert()
            .success();
    };
    let ref_b = t.path().join("attendu-b");
    lot(&b, &ref_b);
    let nouveau = arbre(&ref_b);
    let r = t.path().join("sorties").join("r");
    let mut vus = (0, 0);
    let mut caches = 0;
    for delai in [0u64, 20, 60, 120, 250, 400, 600, 900, 1300] {
        lot(&a, &r);
        let ancien = arbre(&r);
        assert_eq!(ancien.len(), nouveau.len());
        assert_ne!(ancien, nouveau);
        let mut c = std::process::Command::new(binaire())
            .args(["-q", "lot"])
            .arg(&b)
            .arg("--sortie")
            .arg(&r)
            .args(["--ecraser", "--fils", "1"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delai));
        let _ = c.kill();
        let _ = c.wait();
        let apres = arbre(&r);
        // next to it, at most the hidden folder of the killed run
        for n in fs::read_dir(r.parent().unwrap()).unwrap() {
            let n = n.unwrap().file_name().into_string().unwrap();
            if n != "r" {
                assert!(
                    n.starts_with(".r.") && n.ends_with(".nouveau"),
                    "après {delai} ms : {n}"
                );
                caches += 1;
            }
        }
        if apres == ancien {
            vus.0 += 1;
        } else if apres == nouveau {
            vus.1 += 1;
        } else {
            panic!(
                "après {delai} ms : ni l'ancien ni le nouveau jeu complet ({} fichiers)",
                apres.len()
            );
        }
    }
    println!(
        "ancien jeu intact {} fois, nouveau complet {} fois ; dossier caché laissé {caches} fois",
        vus.0, vus.1
    );
    assert!(vus.0 > 0, "le lot tué au départ laisse l'ancien jeu");
    // the next run removes what the killed ones left (hidden folders `.r.PID.nouveau`)
    lot(&b, &r);
    assert_eq!(arbre(&r), nouveau);
    let restes: Vec<_> = fs::read_dir(r.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n != "r")
        .collect();
    assert!(restes.is_empty(), "restes : {restes:?}");
}

#[test]
fn noms_non_utf8_fichiers_distincts() {
    let t = tempfile::tempdir().unwrap();
    let racine = t.path().join("lot");
    for n in [&b"a\xff"[..], b"a\xfe", b"a%FF"] {
        copier(DUGNY, &racine.join(OsStr::from_bytes(n)));
    }
    let s = t.path().join("res");
    bonus()
        .args(["-q", "lot"])
        .arg(&racine)
        .arg("--sortie")
        .arg(&s)
        .assert()
        .success();
    let mut noms: Vec<String> = fs::read_dir(s.join("dossiers"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    noms.sort();
    assert_eq!(noms, ["a%25FF.csv", "a%FE.csv", "a%FF.csv"]);
    let c = fs::read_to_string(s.join("consolide.csv")).unwrap();
    for n in ["a%25FF", "a%FE", "a%FF"] {
        assert!(c.contains(&format!("\n{n};")), "{n} absent du consolidé");
    }
    // the messages name each folder's files as they are on disk (a byte that is not UTF-8
    // written `\xFF`): three distinct names, that of `a%FF` being its real one
    let d = fs::read_to_string(s.join("diagnostics.txt")).unwrap();
    for n in ["a%FF", "a\\xFE", "a\\xFF"] {
        assert!(
            d.contains(&format!(" : {n}/structures.csv, ")),
            "{n} absent des diagnostics :\n{d}"
        );
    }
    assert!(!d.contains("%25"), "{d}");
    // replaced as a whole, the results folder keeps its permissions
    fs::set_permissions(&s, fs::Permissions::from_mode(0o700)).unwrap();
    bonus()
        .args(["-q", "lot"])
        .arg(&racine)
        .arg("--sortie")
        .arg(&s)
        .arg("--ecraser")
        .assert()
        .success();
    assert_eq!(
        fs::metadata(&s).unwrap().permissions().mode() & 0o7777,
        0o700
    );
    assert_eq!(fs::read_dir(s.join("dossiers")).unwrap().count(), 3);
}

#[test]
fn lot_sortie_dans_un_dossier_d_entree_refusee() {
    let t = tempfile::tempdir().unwrap();
    let racine = t.path().join("lot");
    generer(&racine, 6, 40, 3, 2);
    let avant = arbre(&racine);
    for (sortie, ecraser) in [
        (racine.join("ctg-001/resultats"), false),
        (racine.join("ctg-001"), true),
        (racine.clone(), true),
        (t.path().to_path_buf(), true),
    ] {
        let mut c = bonus();
        c.arg("lot").arg(&racine).arg("--sortie").arg(&sortie);
        if ecraser {
            c.arg("--ecraser");
        }
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("erreur E085 : "),
            "{} : {}",
            sortie.display(),
            stderr(&o)
        );
        assert_eq!(arbre(&racine), avant, "{}", sortie.display());
    }
    // a results folder next to the dossiers, inside the same parent: accepted
    bonus()
        .args(["-q", "lot"])
        .arg(&racine)
        .arg("--sortie")
        .arg(racine.join("resultats"))
        .assert()
        .success();
    // without --sortie: one line on stderr says where (none with --silencieux)
    let o = bonus().arg("lot").arg(&racine).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let attendu = t.path().join("lot-resultats");
    assert!(
        stderr(&o).contains(&format!(
            "sans --sortie, résultats écrits dans {}",
            attendu.display()
        )),
        "{}",
        stderr(&o)
    );
    assert!(attendu.join("consolide.csv").is_file());
    let o = bonus()
        .args(["-q", "lot"])
        .arg(&racine)
        .arg("--ecraser")
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(!stderr(&o).contains("sans --sortie"), "{}", stderr(&o));
    // the output of a lot is a folder: a file there is refused, untouched
    let fichier = t.path().join("fichier");
    fs::write(&fichier, "x").unwrap();
    let o = bonus()
        .arg("lot")
        .arg(&racine)
        .arg("--sortie")
        .arg(&fichier)
        .arg("--ecraser")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    // a regular file is « un fichier » (not « un fichier spécial »), and no symbolic link is
    // mentioned when there is none
    assert_eq!(
        stderr(&o).lines().next().unwrap(),
        format!(
            "erreur E081 : {} : c'est un fichier : le résultat d'un lot est un dossier",
            fichier.display()
        ),
        "{}",
        stderr(&o)
    );
    assert_eq!(fs::read_to_string(&fichier).unwrap(), "x");
    // a non-empty folder that is not a lot result is never replaced, even with --ecraser
    let autre = t.path().join("autre");
    fs::create_dir(&autre).unwrap();
    fs::write(autre.join("notes.txt"), "à garder").unwrap();
    let o = bonus()
        .arg("lot")
        .arg(&racine)
        .arg("--sortie")
        .arg(&autre)
        .arg("--ecraser")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("erreur E083 : "), "{}", stderr(&o));
    assert_eq!(
        fs::read_to_string(autre.join("notes.txt")).unwrap(),
        "à garder"
    );
}

#[test]
fn generer_refuse_les_liens() {
    let t = tempfile::tempdir().unwrap();
    let args = [
        "--collectivites",
        "4",
        "--structures",
        "20",
        "--graine",
        "1",
        "--dossiers",
        "2",
    ];
    let refuse = |dir: &Path, ecraser: bool| {
        let mut c = bonus();
        c.arg("generer").arg(dir).args(args);
        if ecraser {
            c.arg("--ecraser");
        }
        let o = c.output().unwrap();
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        assert!(stderr(&o).contains("erreur E086 : "), "{}", stderr(&o));
    };
    // the folder itself is a link
    let reel = t.path().join("reel");
    fs::create_dir(&reel).unwrap();
    let lien = t.path().join("lien");
    std::os::unix::fs::symlink(&reel, &lien).unwrap();
    refuse(&lien, false);
    refuse(&lien, true);
    assert_eq!(fs::read_dir(&reel).unwrap().count(), 0);
    // a dossier folder of a previous generation replaced by a link to elsewhere
    let gen = t.path().join("gen");
    let mut c = bonus();
    c.arg("generer").arg(&gen).args(args).assert().success();
    let ailleurs = t.path().join("ailleurs");
    copier(DUGNY, &ailleurs);
    let avant = arbre(&ailleurs);
    fs::remove_dir_all(gen.join("ctg-001")).unwrap();
    std::os::unix::fs::symlink(&ailleurs, gen.join("ctg-001")).unwrap();
    refuse(&gen, false);
    assert_eq!(
        arbre(&ailleurs),
        avant,
        "rien écrit ni supprimé à travers le lien"
    );
    // a file of a dossier replaced by a link
    fs::remove_file(gen.join("ctg-001")).unwrap();
    fs::create_dir(gen.join("ctg-001")).unwrap();
    std::os::unix::fs::symlink(
        ailleurs.join("structures.csv"),
        gen.join("ctg-001/structures.csv"),
    )
    .unwrap();
    refuse(&gen, true);
    assert_eq!(arbre(&ailleurs), avant);
    // a named pipe where a file would be written: refused before anything is written
    fs::remove_file(gen.join("ctg-001/structures.csv")).unwrap();
    assert!(std::process::Command::new("mkfifo")
        .arg(gen.join("ctg-001/structures.csv"))
        .status()
        .unwrap()
        .success());
    let avant = arbre(&gen.join("ctg-002"));
    let o = bonus()
        .arg("generer")
        .arg(&gen)
        .args(args)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("erreur E081 : "), "{}", stderr(&o));
    assert!(fs::symlink_metadata(gen.join("ctg-001/structures.csv"))
        .unwrap()
        .file_type()
        .is_fifo());
    assert_eq!(arbre(&gen.join("ctg-002")), avant);
}

#[test]
fn pas_de_fichier_temporaire_apres_une_execution_tuee() {
    let t = tempfile::tempdir().unwrap();
    // the PID of a process that has ended (a real one, waited for)
    let mut fini = std::process::Command::new("true").spawn().unwrap();
    fini.wait().unwrap();
    let pid = fini.id();
    let p = t.path().join("resultat.csv");
    let reste = t.path().join(format!(".resultat.csv.{pid}.tmp"));
    fs::write(&reste, "moitié d'un résultat").unwrap();
    // the temporary file of a running process (this test) is left alone
    let vivant = t
        .path()
        .join(format!(".resultat.csv.{}.tmp", std::process::id()));
    fs::write(&vivant, "en cours").unwrap();
    bonus()
        .args(["-q", "calculer", DUGNY, "--sortie"])
        .arg(&p)
        .assert()
        .success();
    assert!(p.is_file());
    assert!(
        !reste.exists(),
        "fichier temporaire d'un processus fini retiré"
    );
    assert!(vivant.exists());
    // the next run of a killed lot: see lot_tue_laisse_l_ancien_ou_le_nouveau
}

#[test]
fn codes_documentes() {
    let doc = fs::read_to_string("docs/erreurs.md").unwrap();
    for code in ["E080", "E081", "E082", "E083", "E084", "E085", "E086"] {
        assert!(
            doc.contains(&format!("## {code}")),
            "{code} absent de docs/erreurs.md"
        );
    }
}

/// Runs the command; it must fail with exit code 1 and this exact first line of error.
fn refus_exact(args: &[&OsStr], attendu: String) {
    let o = bonus().args(args).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).lines().next(),
        Some(attendu.as_str()),
        "{}",
        stderr(&o)
    );
}

/// `exporter` checks every file it will write, and the folder itself, before writing any:
/// a refusal leaves every file as it was (never « rien n'a été écrit » after a first file
/// was replaced), and a link given as the folder is not followed.
#[test]
fn exporter_verifie_tout_avant_d_ecrire() {
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("ctg.xlsx");
    bonus()
        .args(["-q", "modele"])
        .arg(&x)
        .args(["--depuis", DUGNY])
        .assert()
        .success();
    let d = t.path().join("export");
    bonus()
        .args(["-q", "exporter"])
        .arg(&x)
        .arg("--vers")
        .arg(&d)
        .assert()
        .success();
    // older versions of the files, and structures.csv a link to a file elsewhere
    fs::write(d.join("convention.toml"), "ancienne convention").unwrap();
    fs::write(d.join("charges_n1.csv"), "anciennes charges").unwrap();
    let cible = t.path().join("cible.txt");
    fs::write(&cible, "cible").unwrap();
    fs::remove_file(d.join("structures.csv")).unwrap();
    std::os::unix::fs::symlink(&cible, d.join("structures.csv")).unwrap();
    let avant = arbre(&d);
    let exporter = |vers: &OsStr, ecraser: bool| {
        let mut a = vec![
            OsStr::new("exporter"),
            x.as_os_str(),
            OsStr::new("--vers"),
            vers,
        ];
        if ecraser {
            a.push(OsStr::new("--ecraser"));
        }
        a.into_iter().map(OsString::from).collect::<Vec<_>>()
    };
    let lancer = |a: Vec<OsString>, attendu: String| {
        let a: Vec<&OsStr> = a.iter().map(OsString::as_os_str).collect();
        refus_exact(&a, attendu);
    };
    lancer(
        exporter(d.as_os_str(), true),
        format!(
            "erreur E081 : {} : c'est un lien symbolique : seul un fichier ordinaire peut être remplacé par une sortie ; rien n'a été écrit",
            d.join("structures.csv").display()
        ),
    );
    assert_eq!(arbre(&d), avant, "rien n'est remplacé");
    assert_eq!(fs::read_to_string(&cible).unwrap(), "cible");
    assert!(fs::symlink_metadata(d.join("structures.csv"))
        .unwrap()
        .file_type()
        .is_symlink());
    // without --ecraser, the refusal of the last file comes before the first is created
    let e = t.path().join("partiel");
    fs::create_dir(&e).unwrap();
    fs::write(e.join("charges_n1.csv"), "anciennes charges").unwrap();
    lancer(
        exporter(e.as_os_str(), false),
        format!(
            "erreur E083 : {} : existe déjà : ajoutez --ecraser pour le remplacer",
            e.join("charges_n1.csv").display()
        ),
    );
    assert_eq!(
        arbre(&e).into_keys().collect::<Vec<_>>(),
        [PathBuf::from("charges_n1.csv")]
    );
    // the folder given is a link to a folder, with or without a final `/`: not followed
    let reel = t.path().join("reel");
    fs::create_dir(&reel).unwrap();
    let lien = t.path().join("lien");
    std::os::unix::fs::symlink(&reel, &lien).unwrap();
    let mut avec_barre = lien.clone().into_os_string();
    avec_barre.push("/");
    for (vers, ecraser) in [(lien.as_os_str(), false), (avec_barre.as_os_str(), true)] {
        lancer(
            exporter(vers, ecraser),
            format!(
                "erreur E081 : {} : c'est un lien symbolique : les fichiers exportés sont écrits dans un dossier (un lien symbolique n'est pas suivi)",
                Path::new(vers).display()
            ),
        );
        assert_eq!(fs::read_dir(&reel).unwrap().count(), 0);
    }
    // the workbook read is one of the files to write (a workbook named structures.csv)
    let f = t.path().join("f");
    fs::create_dir(&f).unwrap();
    let lu = f.join("structures.csv");
    fs::copy(&x, &lu).unwrap();
    let octets = fs::read(&lu).unwrap();
    lancer(
        vec![
            "exporter".into(),
            lu.clone().into_os_string(),
            "--vers".into(),
            f.clone().into_os_string(),
            "--ecraser".into(),
        ],
        format!(
            "erreur E082 : {} : c'est un des fichiers lus : choisissez un autre fichier de sortie",
            lu.display()
        ),
    );
    assert_eq!(fs::read(&lu).unwrap(), octets);
    assert_eq!(fs::read_dir(&f).unwrap().count(), 1);
}

/// `modele` never writes over a file it reads: the workbook given to `--depuis` itself,
/// or the workbook of the folder given to `--depuis`.
#[test]
fn modele_sur_un_fichier_lu_refuse() {
    let t = tempfile::tempdir().unwrap();
    let x = t.path().join("ctg.xlsx");
    bonus()
        .args(["-q", "modele"])
        .arg(&x)
        .args(["--depuis", DUGNY])
        .assert()
        .success();
    let octets = fs::read(&x).unwrap();
    let attendu = |p: &Path| {
        format!(
            "erreur E082 : {} : c'est un des fichiers lus : choisissez un autre fichier de sortie",
            p.display()
        )
    };
    refus_exact(
        &[
            OsStr::new("modele"),
            x.as_os_str(),
            OsStr::new("--depuis"),
            x.as_os_str(),
            OsStr::new("--ecraser"),
        ],
        attendu(&x),
    );
    assert_eq!(fs::read(&x).unwrap(), octets);
    // a folder whose dossier is its dossier.xlsx
    let d = t.path().join("dossier");
    fs::create_dir(&d).unwrap();
    let rangee = d.join("dossier.xlsx");
    fs::copy(&x, &rangee).unwrap();
    refus_exact(
        &[
            OsStr::new("modele"),
            rangee.as_os_str(),
            OsStr::new("--depuis"),
            d.as_os_str(),
            OsStr::new("--ecraser"),
        ],
        attendu(&rangee),
    );
    assert_eq!(fs::read(&rangee).unwrap(), octets);
    // another name for the same workbook (hard link)
    let autre = t.path().join("autre.xlsx");
    fs::hard_link(&x, &autre).unwrap();
    refus_exact(
        &[
            OsStr::new("modele"),
            autre.as_os_str(),
            OsStr::new("--depuis"),
            x.as_os_str(),
            OsStr::new("--ecraser"),
        ],
        format!(
            "erreur E082 : {} : c'est un des fichiers lus ({}) : choisissez un autre fichier de sortie",
            autre.display(),
            x.display()
        ),
    );
    assert_eq!(fs::read(&x).unwrap(), octets);
}

/// `notifier` replaces its output folder as a whole: a file read inside it (a `--bareme`
/// named like a letter) is refused, and the folder left as it was.
#[test]
fn notifier_ne_remplace_pas_un_fichier_lu() {
    let t = tempfile::tempdir().unwrap();
    let l = t.path().join("lettres");
    bonus()
        .args(["-q", "notifier", DUGNY, "--format", "html", "--sortie"])
        .arg(&l)
        .assert()
        .success();
    let b = l.join("bareme.html");
    fs::write(&b, "").unwrap();
    let avant = arbre(&l);
    refus_exact(
        &[
            OsStr::new("notifier"),
            OsStr::new(DUGNY),
            OsStr::new("--format"),
            OsStr::new("html"),
            OsStr::new("--bareme"),
            b.as_os_str(),
            OsStr::new("--sortie"),
            l.as_os_str(),
            OsStr::new("--ecraser"),
        ],
        format!(
            "erreur E082 : {} : contient « bareme.html », un des fichiers lus : le dossier de sortie est remplacé en entier, choisissez un autre dossier",
            l.display()
        ),
    );
    assert_eq!(arbre(&l), avant);
}
