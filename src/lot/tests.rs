//! Tests of the lot (a generated set, totals, threads, output folder).
use super::*;
use crate::generation::{self, Parametres};

fn lot_genere(graine: u64) -> (tempfile::TempDir, PathBuf) {
    let d = tempfile::tempdir().unwrap();
    let racine = d.path().join("lot");
    generation::ecrire(
        &racine,
        &Parametres {
            collectivites: 12,
            structures: 150,
            graine,
            dossiers: Some(4),
        },
        false,
    )
    .unwrap();
    (d, racine)
}

#[test]
fn totaux_du_lot_egaux_a_la_somme_des_dossiers() {
    let (d, racine) = lot_genere(3);
    let o = OptionsLot {
        sortie: d.path().join("sortie"),
        profil: Profil::Rfc4180,
        fils: 2,
        ..Default::default()
    };
    let b = executer(&racine, &o, &mut |_, _| {}).unwrap();
    assert_eq!(b.dossiers.len(), 4);
    assert!(b.echecs().next().is_none());
    let mut somme = Agregat::default();
    for i in &b.dossiers {
        somme.ajouter(&i.totaux.as_ref().unwrap().total);
    }
    assert_eq!(somme, b.total);
    assert_eq!(b.total.structures, 150);
    // volets partition the structures and the groups
    let mut v = Agregat::default();
    for a in b.volets.values() {
        v.ajouter(a);
    }
    assert_eq!(v, b.total);
}

#[test]
fn independant_du_nombre_de_fils() {
    let (d, racine) = lot_genere(5);
    let mut sorties = Vec::new();
    for fils in [1, 3] {
        let o = OptionsLot {
            sortie: d.path().join(format!("s{fils}")),
            fils,
            ..Default::default()
        };
        executer(&racine, &o, &mut |_, _| {}).unwrap();
        sorties.push(std::fs::read(o.sortie.join(CONSOLIDE)).unwrap());
    }
    assert_eq!(sorties[0], sorties[1]);
}

#[test]
fn sortie_dans_le_repertoire_des_dossiers() {
    let (_d, racine) = lot_genere(2);
    let o = OptionsLot {
        sortie: racine.join("resultats"),
        ecraser: true,
        ..Default::default()
    };
    for _ in 0..2 {
        let b = executer(&racine, &o, &mut |_, _| {}).unwrap();
        assert_eq!(
            b.dossiers.len(),
            4,
            "la sortie n'est pas un dossier à calculer"
        );
        assert!(b.echecs().next().is_none());
    }
    // the folder of the dossiers itself, or a folder containing it, would be replaced as
    // a whole: refused, nothing touched
    let avant = std::fs::read_dir(&racine).unwrap().count();
    for sortie in [racine.clone(), racine.parent().unwrap().to_path_buf()] {
        let o = OptionsLot {
            sortie,
            ecraser: true,
            ..Default::default()
        };
        let e = executer(&racine, &o, &mut |_, _| {}).unwrap_err();
        assert!(e.starts_with("erreur E085 : "), "{e}");
    }
    assert_eq!(std::fs::read_dir(&racine).unwrap().count(), avant);
}

#[test]
fn noms_non_utf8_distincts() {
    use std::ffi::OsStr;
    assert_eq!(nom_dossier(OsStr::new("ctg-001")), "ctg-001");
    assert_eq!(nom_dossier(OsStr::new("100%")), "100%25");
    assert_eq!(nom_dossier(OsStr::new("Épinay")), "Épinay");
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let n = |b: &[u8]| nom_dossier(OsStr::from_bytes(b));
        assert_eq!(n(b"a\xff"), "a%FF");
        assert_eq!(n(b"a\xfe"), "a%FE");
        // "a%FF" as text differs from the byte 0xFF
        assert_eq!(n(b"a%FF"), "a%25FF");
        // Windows-1252 "é" (0xE9) then valid text
        assert_eq!(n(b"caf\xe9-1"), "caf%E9-1");
    }
}

#[test]
fn refuse_d_ecraser_sans_option() {
    let (d, racine) = lot_genere(1);
    let o = OptionsLot {
        sortie: d.path().join("sortie"),
        ..Default::default()
    };
    executer(&racine, &o, &mut |_, _| {}).unwrap();
    let e = executer(&racine, &o, &mut |_, _| {}).unwrap_err();
    assert!(e.contains("--ecraser"), "{e}");
    let o = OptionsLot { ecraser: true, ..o };
    executer(&racine, &o, &mut |_, _| {}).unwrap();
}
