//! Integrity of CSV reading: one quote, delimiter or line break inserted or deleted
//! anywhere in `structures.csv` or `charges_n1.csv` either leaves every amount unchanged
//! or makes the run refuse the dossier (an error) — never a success with other amounts
//! (docs/regles.md R50). Dossiers: the fixtures and dossiers drawn by
//! `bonus_ctg::generation`. In process, through the library (64 cases).

use bonus_ctg::diagnostic::Diagnostics;
use bonus_ctg::generation::{self, Parametres};
use bonus_ctg::lecture::{self, Fichiers};
use proptest::prelude::*;
use std::fs;
use std::path::Path;

/// The amounts of a run (per structure, as a sorted list, and the grand totals), or
/// `None` when the dossier is refused. Texts (names, ids) are left out: a quote inside a
/// name may change the name, not an amount.
fn montants(f: &Fichiers) -> Option<(Vec<String>, String)> {
    let mut d = Diagnostics::default();
    let lu = lecture::analyser_dossier(f, &mut d)?;
    let (r, _) = bonus_ctg::traiter(&lu, None, "bareme.toml").ok()?;
    let mut lignes: Vec<String> = r
        .structures
        .iter()
        .map(|l| {
            format!(
                "{} {:?} {} {} {} {} {} {} {} {}",
                l.structure.collectivite,
                l.motif(),
                l.unites_eligibles.0,
                l.bonus_lissage.0,
                l.bonus_nouvelles.0,
                l.bonus_total.0,
                l.contribution_n1.0,
                l.contribution_n.0,
                l.financement_public_n1.0,
                l.financement_public_n.0,
            )
        })
        .collect();
    lignes.sort();
    Some((lignes, format!("{:?}", r.total)))
}

fn fixtures() -> &'static Vec<Fichiers> {
    static F: std::sync::OnceLock<Vec<Fichiers>> = std::sync::OnceLock::new();
    F.get_or_init(|| {
        let racine = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut r = Vec::new();
        for d in [
            "fixtures/dijon-2024",
            "fixtures/dugny",
            "fixtures/gevrey-nuits",
        ] {
            let p = racine.join(d);
            let lire = |n: &str| fs::read_to_string(p.join(n)).unwrap();
            r.push(Fichiers {
                convention: lire("convention.toml"),
                structures: lire("structures.csv"),
                charges: lire("charges_n1.csv"),
                bareme: fs::read_to_string(p.join("bareme.toml"))
                    .ok()
                    .map(|t| ("bareme.toml".to_string(), t)),
            });
        }
        r
    })
}

fn dossier(source: usize, graine: u64) -> Fichiers {
    match source.checked_sub(1) {
        Some(i) => fixtures()[i % fixtures().len()].clone(),
        None => {
            let p = Parametres {
                collectivites: 2,
                structures: 8,
                graine,
                dossiers: Some(1),
            };
            generation::generer(&p).unwrap().remove(0).fichiers
        }
    }
}

/// The delimiter of a CSV text, as the reader detects it from the header.
fn delimiteur(t: &str) -> char {
    let entete = t.lines().next().unwrap_or("");
    if entete.matches(';').count() >= entete.matches(',').count() {
        ';'
    } else {
        ','
    }
}

/// Inserts (at a char boundary chosen by `pos`) or deletes (the `pos`-th occurrence of)
/// `c`. `None` when there is nothing to delete.
fn muter(t: &str, inserer: bool, c: char, pos: usize) -> Option<String> {
    if inserer {
        let bornes: Vec<usize> = t
            .char_indices()
            .map(|(i, _)| i)
            .chain(std::iter::once(t.len()))
            .collect();
        let i = bornes[pos % bornes.len()];
        Some(format!("{}{c}{}", &t[..i], &t[i..]))
    } else {
        let occ: Vec<usize> = t.match_indices(c).map(|(i, _)| i).collect();
        let i = *occ.get(pos % occ.len().max(1))?;
        Some(format!("{}{}", &t[..i], &t[i + c.len_utf8()..]))
    }
}

proptest! {
    // 64 cases in `cargo test`; more: PROPTEST_CASES=5000 cargo test --test integrite_csv
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(64),
        ..ProptestConfig::default()
    })]

    #[test]
    fn une_retouche_ne_change_jamais_les_montants_en_silence(
        source in 0usize..4,
        graine in 0u64..1_000_000,
        dans_charges in any::<bool>(),
        inserer in any::<bool>(),
        sorte in 0usize..3,
        pos in any::<usize>(),
    ) {
        let f = dossier(source, graine);
        let avant = montants(&f);
        prop_assume!(avant.is_some(), "dossier de départ invalide");
        let texte = if dans_charges { &f.charges } else { &f.structures };
        let c = ['"', delimiteur(texte), '\n'][sorte];
        let Some(mute) = muter(texte, inserer, c, pos) else {
            return Ok(());
        };
        let mut g = f.clone();
        if dans_charges {
            g.charges = mute;
        } else {
            g.structures = mute;
        }
        if let Some(apres) = montants(&g) {
            prop_assert_eq!(
                avant,
                Some(apres),
                "{} {:?} dans {} : lu sans erreur mais montants changés",
                if inserer { "insertion de" } else { "suppression de" },
                c,
                if dans_charges { "charges_n1.csv" } else { "structures.csv" }
            );
        }
    }
}

/// The mutation that showed the need for the « text after the closing quote » rule: a
/// quote opening a name, closed on the same line by the one opening the address, shifts
/// text between columns while keeping the header's count of fields.
#[test]
fn guillemet_referme_par_celui_de_l_adresse() {
    let f = fixtures()[1].clone(); // dugny
    let avant = montants(&f).unwrap();
    assert_eq!(avant.0.len(), 11);
    let mut g = f.clone();
    g.structures = f
        .structures
        .replacen(",Laep Bisounours,", ",\"Laep Bisounours,", 1);
    assert_ne!(g.structures, f.structures);
    assert!(montants(&g).is_none());
}
