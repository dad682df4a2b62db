use super::*;

fn enr(n: usize) -> Enregistrement {
    Enregistrement {
        genre: Genre::Zip,
        nom: "a.zip".into(),
        octets: Arc::new(vec![0; n]),
        etapes: Vec::new(),
    }
}

#[test]
fn memoire_bornee_en_nombre_et_en_octets() {
    let m = Magasin::memoire(2, 1000);
    let a = m.ajouter(enr(10)).unwrap();
    let b = m.ajouter(enr(10)).unwrap();
    // a is used: b is now the least recently used, dropped by the third
    assert!(m.lire(&a).unwrap().is_some());
    let c = m.ajouter(enr(10)).unwrap();
    assert!(m.lire(&b).unwrap().is_none());
    assert!(m.lire(&a).unwrap().is_some() && m.lire(&c).unwrap().is_some());
    // 10 + 995 > 1000 bytes: the older one goes, the new one stays (even alone too big)
    let d = m.ajouter(enr(995)).unwrap();
    assert!(m.lire(&a).unwrap().is_none() && m.lire(&c).unwrap().is_none());
    assert!(m.lire(&d).unwrap().is_some());
    let e = m.ajouter(enr(2000)).unwrap();
    assert!(m.lire(&d).unwrap().is_none() && m.lire(&e).unwrap().is_some());
    assert_ne!(a, b);
}

#[test]
fn memoire_expire_apres_deux_heures_sans_usage() {
    let t = Arc::new(std::sync::atomic::AtomicU64::new(1_000_000));
    let t2 = t.clone();
    let m = Magasin::memoire_horloge(
        3,
        1000,
        Arc::new(move || t2.load(std::sync::atomic::Ordering::SeqCst)),
    );
    let avance = |s: u64| t.fetch_add(s, std::sync::atomic::Ordering::SeqCst);
    let a = m.ajouter(enr(1)).unwrap();
    let s = m.enregistrer_scenario("essai", "moi", &enr(1)).unwrap();
    // used 1 s before the 2 hours: kept, and the 2 hours start again
    avance(EXPIRATION - 1);
    assert!(m.lire(&a).unwrap().is_some());
    assert!(m.scenario(&s).unwrap().is_some());
    avance(EXPIRATION - 1);
    assert!(m.lire(&a).unwrap().is_some());
    assert_eq!(m.scenarios("moi").unwrap().len(), 1);
    assert!(m.scenarios("autre").unwrap().is_empty());
    // 2 hours without use: forgotten
    avance(EXPIRATION);
    assert!(m.lire(&a).unwrap().is_none());
    assert!(m.scenario(&s).unwrap().is_none());
    assert!(m.scenarios("moi").unwrap().is_empty());
    // scenarios bounded in number (3 here): the least recently used goes
    let ids: Vec<String> = (0..4)
        .map(|i| {
            m.enregistrer_scenario(&format!("s{i}"), "moi", &enr(1))
                .unwrap()
        })
        .collect();
    assert!(m.scenario(&ids[0]).unwrap().is_none());
    assert_eq!(m.scenarios("moi").unwrap().len(), 3);
    // and in bytes (1 000 here): 600 + 600 > 1 000, the older one goes
    let x = m.enregistrer_scenario("gros", "moi", &enr(600)).unwrap();
    let y = m.enregistrer_scenario("gros 2", "moi", &enr(600)).unwrap();
    assert!(m.scenario(&x).unwrap().is_none() && m.scenario(&y).unwrap().is_some());
}

#[test]
fn journal_en_memoire_numerote() {
    let m = Magasin::memoire(2, 1000);
    for o in ["a", "b"] {
        m.journaliser(EntreeJournal {
            origine: o.into(),
            ..entree()
        })
        .unwrap();
    }
    let j = m.journal(10).unwrap();
    assert_eq!(
        j.iter()
            .map(|e| (e.numero, e.origine.as_str()))
            .collect::<Vec<_>>(),
        [(2, "b"), (1, "a")]
    );
}

pub fn entree() -> EntreeJournal {
    EntreeJournal {
        numero: 0,
        quand: 0,
        origine: String::new(),
        dossier: String::new(),
        fichier: String::new(),
        empreinte: String::new(),
        empreinte_modifications: String::new(),
        exercice: None,
        bareme: String::new(),
        version: String::new(),
        structures: None,
        verse_caf: None,
        bonus_total: None,
        contribution_n: None,
    }
}
