//! Criterion benchmark, `cargo bench --bench simulation`: the what-if of the web
//! application's Simulation page — one edit of the Dijon dossier (61 structures, its local
//! barème), then the whole result recomputed (validation, calculation) and compared with the
//! original (`comparer`), in process. Target (BENCHMARKS.md): under 20 ms a recomputation.

use bonus_ctg::diagnostic::Diagnostics;
use bonus_ctg::lecture::{self, OptionsLecture};
use bonus_ctg::modele::Unites;
use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;

fn simulation(c: &mut Criterion) {
    let mut diags = Diagnostics::default();
    let dossier = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dijon-2024");
    let lu = lecture::lire_dossier(&dossier, &OptionsLecture::default(), &mut diags)
        .expect("fixture valide");
    let (origine, _) = bonus_ctg::traiter(&lu, None, "bareme.toml").expect("fixture valide");
    let mut g = c.benchmark_group("simulation");
    g.bench_function("dijon_une_modification", |b| {
        let mut i = 0i64;
        b.iter(|| {
            let mut modifie = lu.clone();
            // one edit: the first structure's existing units
            i = (i + 1) % 20;
            modifie.dossier.structures[0].unites_existantes = Unites(6000 + i * 100);
            let (r, _) = bonus_ctg::traiter(&modifie, None, "bareme.toml").expect("valide");
            black_box(bonus_ctg::comparaison::comparer(
                &origine,
                &r,
                "dossier",
                "scénario",
            ))
        })
    });
    g.finish();
}

criterion_group!(benches, simulation);
criterion_main!(benches);
