//! Criterion benchmarks, `cargo bench --bench echelle`:
//!
//! * `enveloppe_10000`: one envelope over 10 000 structures — the group rounding alone
//!   (`arrondir_groupe`), and the whole calculation of one (collectivité, volet) group;
//! * `departement`: 300 collectivités, 3 000 structures (15 dossiers) — in memory (parse,
//!   validate, compute, render CSV, one thread) and with `lot` on disk (2 threads);
//! * `national`: 2 000 collectivités, 60 000 structures, 100 dossiers — `lot` end to end on
//!   disk, and the parse-only floor (reading the same CSV files with the csv crate, nothing
//!   else, same threads);
//! * `echelle`: 1 k / 10 k / 100 k structures, in memory, one thread (linearity);
//! * `evenements`: `projeter`'s matching of events to structures, 3 k and 30 k structures
//!   with as many events on ids of no structure (each refused): linear (an index), where
//!   comparing every id with every structure took half a minute at 30 k.
//!
//! Targets and the end-to-end figures of the CLI (wall time, peak memory) are checked by the
//! `national` bench binary (benches/national.rs); see BENCHMARKS.md.

use bonus_ctg::bareme::Arrondi;
use bonus_ctg::calcul::{self, repartition};
use bonus_ctg::diagnostic::Diagnostics;
use bonus_ctg::generation::{self, DossierGenere, Parametres, Prng};
use bonus_ctg::lecture::{self, Fichiers};
use bonus_ctg::lot::{self, OptionsLot};
use bonus_ctg::rapport::{self, Profil};
mod commun;

use commun::plancher_lecture;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Parse, validate, compute and render the CSV of every dossier, in memory, one thread.
fn chaine(dossiers: &[DossierGenere]) -> usize {
    let mut octets = 0;
    for d in dossiers {
        let mut diags = Diagnostics::default();
        let lu = lecture::analyser_dossier(&d.fichiers, &mut diags).expect("dossier généré valide");
        let (r, _) = bonus_ctg::traiter(&lu, None, "bareme.toml").expect("dossier généré valide");
        octets += rapport::csv::rendre(&r, Profil::ExcelFr)
            .expect("rendu")
            .len();
    }
    octets
}

fn parametres(collectivites: usize, structures: usize) -> Parametres {
    Parametres {
        collectivites,
        structures,
        graine: 1,
        dossiers: None,
    }
}

/// One dossier: one collectivité, `n` EAJE structures (PSU, 10 to 60 places, a few new
/// places and partial years), one charge line: a single envelope.
fn une_enveloppe(n: usize) -> Fichiers {
    let mut g = Prng::new(10_000);
    let mut s = String::from(
        "id,annexe,type,nom,gestionnaire,collectivite,financement,unites_existantes,unites_nouvelles,mois_ouverture\n",
    );
    for i in 0..n {
        s.push_str(&format!(
            "S{i:06},2,EAJE,Crèche {i},Gestionnaire {},VILLE,PSU,{},{},{}\n",
            i % 97,
            g.entre(10, 60),
            if g.pour_mille(100) { g.entre(1, 10) } else { 0 },
            if g.pour_mille(50) { g.entre(1, 11) } else { 12 },
        ));
    }
    Fichiers {
        convention: "exercice = 2025\n[[collectivites]]\nid = \"VILLE\"\ntranche = 2\n".into(),
        structures: s,
        charges: "collectivite,volet,montant\nVILLE,EAJE,45678901.23\n".into(),
        bareme: None,
    }
}

fn enveloppe(c: &mut Criterion) {
    let mut gr = c.benchmark_group("enveloppe_10000");
    gr.throughput(Throughput::Elements(10_000));
    // group rounding: shares m × u_i × mo_i over a common denominator
    let mut g = Prng::new(1);
    let ids: Vec<String> = (0..10_000).map(|i| format!("S{i:06}")).collect();
    let refs: Vec<&str> = ids.iter().map(String::as_str).collect();
    let nums: Vec<i128> = (0..10_000)
        .map(|_| g.entre(1_000_000, 900_000_000) as i128 * 12)
        .collect();
    gr.bench_function("arrondir_groupe", |b| {
        b.iter(|| {
            repartition::arrondir_groupe(
                black_box(&refs),
                black_box(&nums),
                7 * 1200,
                Arrondi::DemiHaut,
            )
            .expect("arrondi")
        })
    });
    // the whole calculation of that group (eligibility, shares, rounding, contributions)
    let mut diags = Diagnostics::default();
    let lu = lecture::analyser_dossier(&une_enveloppe(10_000), &mut diags).expect("valide");
    let be = lu
        .bareme
        .pour_exercice(2025, "bareme.toml")
        .expect("barème");
    gr.bench_function("calculer", |b| {
        b.iter(|| calcul::calculer(black_box(&lu.dossier), &be).expect("calcul"))
    });
    gr.finish();
}

fn lot_sur_disque(racine: &Path, sortie: PathBuf) -> usize {
    let o = OptionsLot {
        sortie,
        ecraser: true,
        ..Default::default()
    };
    let b = lot::executer(racine, &o, &mut |_, _| {}).expect("lot");
    assert!(b.echecs().next().is_none());
    b.total.structures as usize
}

fn fils() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn departement(c: &mut Criterion) {
    let p = parametres(300, 3000);
    let dossiers = generation::generer(&p).expect("génération");
    let t = tempfile::tempdir().expect("tmp");
    generation::ecrire(&t.path().join("dep"), &p, false).expect("écriture");
    let mut gr = c.benchmark_group("departement");
    gr.throughput(Throughput::Elements(3000));
    gr.bench_function("memoire_1_fil", |b| b.iter(|| chaine(black_box(&dossiers))));
    gr.bench_function("lot_disque", |b| {
        b.iter(|| lot_sur_disque(&t.path().join("dep"), t.path().join("sortie")))
    });
    gr.finish();
}

fn national(c: &mut Criterion) {
    let p = parametres(2000, 60_000);
    let t = tempfile::tempdir().expect("tmp");
    let racine = t.path().join("fr");
    generation::ecrire(&racine, &p, false).expect("écriture");
    let mut gr = c.benchmark_group("national");
    gr.sample_size(10)
        .measurement_time(Duration::from_secs(8))
        .throughput(Throughput::Elements(60_000));
    gr.bench_function("lot_disque", |b| {
        b.iter(|| lot_sur_disque(&racine, t.path().join("sortie")))
    });
    gr.bench_function("plancher_lecture_csv", |b| {
        b.iter(|| plancher_lecture(&racine, fils()))
    });
    gr.finish();
}

fn echelle(c: &mut Criterion) {
    let mut gr = c.benchmark_group("echelle");
    gr.sample_size(10).measurement_time(Duration::from_secs(8));
    for n in [1_000usize, 10_000, 100_000] {
        // a national-like mix: 30 structures per collectivité, 20 collectivités per dossier
        let dossiers = generation::generer(&parametres(n / 30, n)).expect("génération");
        gr.throughput(Throughput::Elements(n as u64));
        gr.bench_with_input(BenchmarkId::from_parameter(n), &dossiers, |b, d| {
            b.iter(|| chaine(black_box(d)))
        });
    }
    gr.finish();
}

/// A dossier of `n` structures and `n` events on ids that are none of them.
fn dossier_et_evenements(
    n: usize,
) -> (
    bonus_ctg::lecture::DossierLu,
    Vec<bonus_ctg::projection::evenements::Evenement>,
) {
    use std::fmt::Write;
    let mut structures = String::from(
        "id;annexe;type;nom;gestionnaire;collectivite;financement;unites_existantes\n",
    );
    let mut evenements = String::from("date;id;action;valeur\n");
    for i in 0..n {
        let _ = writeln!(structures, "EAJE-{i};2;EAJE;S{i};G;V;PSU;10");
        let _ = writeln!(evenements, "2026-03-01;X-{i};fermeture;");
    }
    let f = Fichiers {
        convention: "exercice = 2025\ndebut = 2025-01-01\nfin = 2027-12-31\n[[collectivites]]\nid = \"V\"\ntranche = 1\n".into(),
        structures,
        charges: "collectivite;volet;montant\nV;EAJE;100\n".into(),
        ..Default::default()
    };
    let mut d = Diagnostics::default();
    let lu = lecture::analyser_dossier(&f, &mut d).expect("dossier valide");
    let ev = bonus_ctg::projection::evenements::analyser_evenements("e.csv", &evenements, &mut d);
    (lu, ev)
}

fn evenements(c: &mut Criterion) {
    let mut gr = c.benchmark_group("evenements");
    gr.sample_size(10);
    for n in [3_000usize, 30_000] {
        let (lu, ev) = dossier_et_evenements(n);
        gr.throughput(Throughput::Elements(n as u64));
        gr.bench_with_input(BenchmarkId::from_parameter(n), &(lu, ev), |b, (lu, ev)| {
            b.iter(|| {
                let mut d = Diagnostics::default();
                bonus_ctg::projection::evenements::Chronologie::construire(
                    &lu.dossier,
                    ev,
                    2025,
                    2027,
                    &bonus_ctg::lecture::tableau::Localisation::csv("e.csv"),
                    &mut d,
                );
                black_box(d)
            })
        });
    }
    gr.finish();
}

criterion_group!(
    benches,
    enveloppe,
    departement,
    national,
    echelle,
    evenements
);
criterion_main!(benches);
