//! Helpers shared by the benchmarks.

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Parse-only floor: read every CSV file and split it into records with the csv crate
/// (no conversion, no validation), with the same number of threads as `lot`.
pub fn plancher_lecture(racine: &Path, fils: usize) -> usize {
    let mut fichiers = Vec::new();
    for e in std::fs::read_dir(racine).expect("dossier") {
        let d = e.expect("entrée").path();
        if !d.is_dir() {
            continue; // the generator's marker file
        }
        fichiers.push(d.join("structures.csv"));
        fichiers.push(d.join("charges_n1.csv"));
    }
    let suivant = AtomicUsize::new(0);
    let champs = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..fils {
            s.spawn(|| {
                let mut rec = csv::ByteRecord::new();
                let mut n = 0;
                while let Some(f) = fichiers.get(suivant.fetch_add(1, Ordering::Relaxed)) {
                    let octets = std::fs::read(f).expect("lecture");
                    let delim = if octets.iter().take(400).any(|b| *b == b';') {
                        b';'
                    } else {
                        b','
                    };
                    let mut r = csv::ReaderBuilder::new()
                        .delimiter(delim)
                        .flexible(true)
                        .from_reader(octets.as_slice());
                    while r.read_byte_record(&mut rec).expect("csv") {
                        n += rec.len();
                    }
                }
                champs.fetch_add(n, Ordering::Relaxed);
            });
        }
    });
    champs.into_inner()
}
