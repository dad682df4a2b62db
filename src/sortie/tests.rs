use super::publication::{preparer_ensemble, publier_ensemble};
use super::*;

#[test]
fn refuse_sans_ecraser_et_remplace_avec() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("r.csv");
    ecrire_atomique(&p, b"un", false).unwrap();
    let e = ecrire_atomique(&p, b"deux", false).unwrap_err();
    assert_eq!(e.code, E_EXISTE);
    assert_eq!(fs::read(&p).unwrap(), b"un");
    ecrire_atomique(&p, b"deux", true).unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"deux");
    // no temporary file left behind
    assert_eq!(fs::read_dir(d.path()).unwrap().count(), 1);
    // unwritable target: error, nothing created
    let e = ecrire_atomique(&d.path().join("absent/x.csv"), b"x", false).unwrap_err();
    assert_eq!(e.code, E_ECRITURE);
    assert!(
        e.to_string().contains("fichier ou dossier introuvable"),
        "{e}"
    );
}

#[test]
fn ne_remplace_qu_un_fichier_ordinaire() {
    let d = tempfile::tempdir().unwrap();
    let rep = d.path().join("rep");
    fs::create_dir(&rep).unwrap();
    let e = ecrire_atomique(&rep, b"x", true).unwrap_err();
    assert_eq!(e.code, E_PAS_UN_FICHIER);
    assert!(e.to_string().contains("c'est un dossier"), "{e}");
    assert!(rep.is_dir());
    #[cfg(unix)]
    {
        // a link is neither followed nor replaced, even towards a regular file
        let cible = d.path().join("cible.csv");
        fs::write(&cible, b"cible").unwrap();
        let lien = d.path().join("lien.csv");
        std::os::unix::fs::symlink(&cible, &lien).unwrap();
        let e = ecrire_atomique(&lien, b"x", true).unwrap_err();
        assert_eq!(e.code, E_PAS_UN_FICHIER);
        assert!(e.to_string().contains("un lien symbolique"), "{e}");
        assert_eq!(fs::read(&cible).unwrap(), b"cible");
        assert!(fs::symlink_metadata(&lien)
            .unwrap()
            .file_type()
            .is_symlink());
    }
}

#[test]
fn meme_fichier_qu_une_entree() {
    let d = tempfile::tempdir().unwrap();
    let lu = d.path().join("structures.csv");
    fs::write(&lu, b"id").unwrap();
    // another name for the same file: the comparison is by device and inode
    let autre = d.path().join("autre-nom.csv");
    fs::hard_link(&lu, &autre).unwrap();
    let e = ecrire_fichier(&autre, b"x", true, std::slice::from_ref(&lu)).unwrap_err();
    assert_eq!(e.code, E_FICHIER_LU);
    assert_eq!(fs::read(&lu).unwrap(), b"id");
}

#[cfg(unix)]
#[test]
fn garde_les_droits_et_nettoie_les_orphelins() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("r.csv");
    fs::write(&p, b"un").unwrap();
    fs::set_permissions(&p, fs::Permissions::from_mode(0o600)).unwrap();
    // a temporary file of a dead process (PID beyond any Linux pid_max, 2^22: no such
    // process),
    // one of a running process (ours: the parent of this test), one of another output
    let mort = d.path().join(".r.csv.2000000000.tmp");
    let vivant = d.path().join(format!(
        ".r.csv.{}.tmp",
        std::os::unix::process::parent_id()
    ));
    let autre = d.path().join(".s.csv.2000000000.tmp");
    for f in [&mort, &vivant, &autre] {
        fs::write(f, b"reste").unwrap();
    }
    ecrire_atomique(&p, b"deux", true).unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"deux");
    assert_eq!(
        fs::metadata(&p).unwrap().permissions().mode() & 0o7777,
        0o600
    );
    assert!(!mort.exists());
    assert!(vivant.exists());
    assert!(autre.exists());
}

/// Several files written together: a refusal of any target comes before anything is
/// written; a failure in the middle of the renames names what was written and what was not.
#[cfg(unix)]
#[test]
fn ensemble_verifie_tout_puis_dit_ce_qui_a_ete_ecrit() {
    let d = tempfile::tempdir().unwrap();
    let chemins: Vec<PathBuf> = ["a.txt", "b.txt", "c.txt"]
        .iter()
        .map(|n| d.path().join(n))
        .collect();
    for c in &chemins {
        fs::write(c, b"ancien").unwrap();
    }
    let contenus: [&[u8]; 3] = [b"A", b"B", b"C"];
    let ecrire = |k: usize, w: &mut (dyn Write + Send)| w.write_all(contenus[k]);
    // the last target is a link: refused before the first one is written
    let dehors = d.path().join("dehors.txt");
    fs::write(&dehors, b"dehors").unwrap();
    fs::remove_file(&chemins[2]).unwrap();
    std::os::unix::fs::symlink(&dehors, &chemins[2]).unwrap();
    let e = ecrire_ensemble(&chemins, true, &[], ecrire).unwrap_err();
    assert_eq!(e.code, E_PAS_UN_FICHIER);
    assert_eq!(fs::read(&chemins[0]).unwrap(), b"ancien");
    assert_eq!(fs::read(&dehors).unwrap(), b"dehors");
    fs::remove_file(&chemins[2]).unwrap();
    fs::write(&chemins[2], b"ancien").unwrap();
    // the second target becomes a folder after the checks: the first is already written
    let prets = preparer_ensemble(&chemins, true, &[], ecrire).unwrap();
    fs::remove_file(&chemins[1]).unwrap();
    fs::create_dir(&chemins[1]).unwrap();
    let e = publier_ensemble(prets).unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "erreur E081 : {} : c'est devenu un dossier pendant le calcul : déjà écrit : a.txt ; non écrits, laissés tels quels : b.txt, c.txt",
            chemins[1].display()
        )
    );
    assert_eq!(fs::read(&chemins[0]).unwrap(), b"A");
    assert!(chemins[1].is_dir());
    assert_eq!(fs::read(&chemins[2]).unwrap(), b"ancien");
    // no temporary file left
    let mut noms: Vec<String> = fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    noms.sort();
    assert_eq!(noms, ["a.txt", "b.txt", "c.txt", "dehors.txt"]);
    // all written
    fs::remove_dir(&chemins[1]).unwrap();
    ecrire_ensemble(&chemins, true, &[], ecrire).unwrap();
    for (c, o) in chemins.iter().zip(contenus) {
        assert_eq!(fs::read(c).unwrap(), o);
    }
}

/// An output folder: absent or a real folder; a link to a folder is refused, even written
/// with a final `/`.
#[cfg(unix)]
#[test]
fn dossier_cible_jamais_un_lien() {
    let d = tempfile::tempdir().unwrap();
    let reel = d.path().join("reel");
    assert!(!verifier_dossier_cible(&reel, "usage").unwrap());
    fs::create_dir(&reel).unwrap();
    assert!(verifier_dossier_cible(&reel, "usage").unwrap());
    let lien = d.path().join("lien");
    std::os::unix::fs::symlink(&reel, &lien).unwrap();
    let mut avec_barre = lien.clone().into_os_string();
    avec_barre.push("/");
    for p in [lien.clone(), PathBuf::from(&avec_barre)] {
        let e = verifier_dossier_cible(&p, "usage").unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "erreur E081 : {} : c'est un lien symbolique : usage (un lien symbolique n'est pas suivi)",
                p.display()
            )
        );
    }
}
