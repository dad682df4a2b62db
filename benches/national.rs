//! End-to-end benchmark of the command line on the national set, with the performance targets of the README
//! (`cargo bench --bench national`; not part of `cargo test`).
//!
//! 1. writes the national set (2 000 collectivités, 60 000 structures, 100 dossiers, seed 1)
//!    with `generation::ecrire` — or uses `$BONUS_CTG_BANC` if it names such a folder;
//! 2. measures the parse-only floor: reading the same CSV files with the csv crate and
//!    nothing else, on 1 thread and on as many threads as `lot` uses;
//! 3. runs the release binary `bonus-ctg lot DIR --sortie TMP --ecraser --chrono` several
//!    times: wall time measured here around the process, step times and peak memory
//!    (`VmHWM`) reported by the process itself;
//! 4. the same for a department and for 1 k / 10 k / 100 k structures (linearity);
//! 5. prints the figures and whether each target is met.
//!
//! Times are integers (microseconds): no floating point in this project.

mod commun;

use bonus_ctg::generation::{self, Parametres};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const BINAIRE: &str = env!("CARGO_BIN_EXE_bonus-ctg");
const REPETITIONS: usize = 9;

fn mediane(mut v: Vec<u64>) -> u64 {
    v.sort_unstable();
    v[v.len() / 2]
}

/// `12345` µs → `12.3 ms`.
fn ms(us: u64) -> String {
    format!("{}.{} ms", us / 1000, us % 1000 / 100)
}

/// `a / b` with one decimal, `9.3×`.
fn rapport(a: u64, b: u64) -> String {
    let dixiemes = (a * 10).checked_div(b).unwrap_or(0);
    format!("{}.{}×", dixiemes / 10, dixiemes % 10)
}

/// The number (in tenths: `214.8` → 2148) following `cle` in `texte`.
fn nombre_apres(texte: &str, cle: &str) -> Option<u64> {
    let i = texte.find(cle)? + cle.len();
    let n: String = texte[i..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let (e, d) = n.split_once('.').unwrap_or((&n, "0"));
    Some(e.parse::<u64>().ok()? * 10 + d.chars().next()?.to_digit(10)? as u64)
}

#[derive(Default, Clone, Copy)]
struct Mesure {
    /// Wall time around the process, µs.
    mur: u64,
    /// Step times summed over the threads, µs.
    lecture: u64,
    calcul: u64,
    ecriture: u64,
    /// Peak resident memory, MB.
    memoire: u64,
}

fn lancer_lot(racine: &Path, sortie: &Path) -> Mesure {
    let debut = Instant::now();
    let out = Command::new(BINAIRE)
        .arg("lot")
        .arg(racine)
        .arg("--sortie")
        .arg(sortie)
        .args(["--ecraser", "--chrono"])
        .output()
        .expect("lancement de bonus-ctg");
    let mur = debut.elapsed().as_micros() as u64;
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "bonus-ctg lot a échoué : {err}");
    let ligne = err
        .lines()
        .find(|l| l.starts_with("chrono : mur"))
        .expect("ligne chrono");
    let dixiemes_ms = |cle: &str| nombre_apres(ligne, cle).unwrap_or(0) * 100;
    Mesure {
        mur,
        lecture: dixiemes_ms("lecture "),
        calcul: dixiemes_ms("calcul "),
        ecriture: dixiemes_ms("écriture "),
        memoire: nombre_apres(ligne, "mémoire maximale ").unwrap_or(0) / 10,
    }
}

/// Median of `n` runs (each field separately; memory: the maximum).
fn mesurer(racine: &Path, sortie: &Path, n: usize) -> Mesure {
    lancer_lot(racine, sortie); // warm-up (page cache)
    let m: Vec<Mesure> = (0..n).map(|_| lancer_lot(racine, sortie)).collect();
    Mesure {
        mur: mediane(m.iter().map(|x| x.mur).collect()),
        lecture: mediane(m.iter().map(|x| x.lecture).collect()),
        calcul: mediane(m.iter().map(|x| x.calcul).collect()),
        ecriture: mediane(m.iter().map(|x| x.ecriture).collect()),
        memoire: m.iter().map(|x| x.memoire).max().unwrap_or(0),
    }
}

fn plancher(racine: &Path, fils: usize) -> u64 {
    commun::plancher_lecture(racine, fils);
    mediane(
        (0..REPETITIONS)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(commun::plancher_lecture(racine, fils));
                t.elapsed().as_micros() as u64
            })
            .collect(),
    )
}

fn jeu(base: &Path, nom: &str, collectivites: usize, structures: usize) -> PathBuf {
    let d = base.join(nom);
    generation::ecrire(
        &d,
        &Parametres {
            collectivites,
            structures,
            graine: 1,
            dossiers: None,
        },
        true,
    )
    .expect("génération");
    d
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_string())
        })
        .unwrap_or_else(|| "processeur inconnu".into());
    let memoire = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1).map(str::to_string))
        })
        .and_then(|k| k.parse::<u64>().ok())
        .map_or(String::new(), |k| format!(", {} Gio", k / 1024 / 1024));
    let coeurs = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cpu}, {coeurs} cœurs{memoire}")
}

fn taille(racine: &Path) -> u64 {
    let mut t = 0;
    for e in std::fs::read_dir(racine).into_iter().flatten().flatten() {
        for f in std::fs::read_dir(e.path()).into_iter().flatten().flatten() {
            t += f.metadata().map_or(0, |m| m.len());
        }
    }
    t
}

fn main() {
    // `cargo bench` passes `--bench`; in test mode (`cargo test --benches`) do nothing: the
    // run takes a minute and timings belong to benchmarks, not tests
    if !std::env::args().any(|a| a == "--bench") {
        println!("banc national : lancez-le avec `cargo bench --bench national`");
        return;
    }
    let tmp = tempfile::tempdir().expect("dossier temporaire");
    let fils = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("bonus-ctg — banc d'essai national (cargo bench --bench national)");
    println!("machine : {}", machine());
    println!("binaire : {BINAIRE}");

    let national = match std::env::var_os("BONUS_CTG_BANC") {
        Some(d) => PathBuf::from(d),
        None => jeu(tmp.path(), "fr", 2000, 60_000),
    };
    println!(
        "jeu national : {} ({} Mo de fichiers)",
        national.display(),
        taille(&national) / 1_000_000
    );

    let p1 = plancher(&national, 1);
    let pn = plancher(&national, fils);
    println!(
        "plancher (lecture des CSV seule, csv crate) : {} sur 1 fil ; {} sur {fils} fils",
        ms(p1),
        ms(pn)
    );

    let m = mesurer(&national, &tmp.path().join("sortie-fr"), REPETITIONS);
    let somme = m.lecture + m.calcul + m.ecriture;
    let part = (m.calcul * 1000).checked_div(somme).unwrap_or(0);
    println!(
        "lot national de bout en bout (médiane de {REPETITIONS}) : mur {} ; lecture {}, calcul {}, écriture {} (temps cumulés des {fils} fils) ; part du calcul {}.{} % ; mémoire maximale {} Mo",
        ms(m.mur),
        ms(m.lecture),
        ms(m.calcul),
        ms(m.ecriture),
        part / 10,
        part % 10,
        m.memoire
    );
    println!(
        "rapport au plancher : {} (plancher sur {fils} fils) ; {} (plancher sur 1 fil)",
        rapport(m.mur, pn),
        rapport(m.mur, p1)
    );

    let dep = jeu(tmp.path(), "dep", 300, 3000);
    let md = mesurer(&dep, &tmp.path().join("sortie-dep"), REPETITIONS);
    println!(
        "département (300 collectivités, 3 000 structures, 15 dossiers) : mur {} ; mémoire maximale {} Mo",
        ms(md.mur),
        md.memoire
    );

    let mut points = Vec::new();
    for n in [1_000usize, 10_000, 100_000] {
        let d = jeu(tmp.path(), &format!("e{n}"), n / 30, n);
        let me = mesurer(&d, &tmp.path().join(format!("sortie-e{n}")), 5);
        println!(
            "échelle {n} structures ({} collectivités) : mur {} ; calcul {} ; mémoire maximale {} Mo",
            n / 30,
            ms(me.mur),
            ms(me.calcul),
            me.memoire
        );
        points.push(me);
        let _ = std::fs::remove_dir_all(&d);
    }
    let croissance = rapport(points[2].mur, points[1].mur);
    // for information: everything in one dossier (no parallelism across dossiers)
    let mut seul = Vec::new();
    for n in [10_000usize, 100_000] {
        let d = tmp.path().join(format!("u{n}"));
        generation::ecrire(
            &d,
            &Parametres {
                collectivites: n / 30,
                structures: n,
                graine: 1,
                dossiers: Some(1),
            },
            true,
        )
        .expect("génération");
        let me = mesurer(&d, &tmp.path().join(format!("sortie-u{n}")), 3);
        println!(
            "un seul dossier de {n} structures ({} collectivités) : mur {} ; calcul {} ; mémoire maximale {} Mo",
            n / 30,
            ms(me.mur),
            ms(me.calcul),
            me.memoire
        );
        seul.push(me);
        let _ = std::fs::remove_dir_all(&d);
    }
    println!(
        "un seul dossier, 100 k / 10 k : {} (information, hors objectif)",
        rapport(seul[1].mur, seul[0].mur)
    );

    let ok = |b: bool| if b { "atteint" } else { "MANQUÉ" };
    println!("objectifs :");
    println!(
        "  national de bout en bout < 1 s (mur) : {} — {}",
        ms(m.mur),
        ok(m.mur < 1_000_000)
    );
    println!(
        "  mémoire maximale < 300 Mo : {} Mo — {}",
        m.memoire,
        ok(m.memoire < 300)
    );
    println!(
        "  calcul ≤ 1/4 du total : {}.{} % — {}",
        part / 10,
        part % 10,
        ok(part <= 250)
    );
    println!(
        "  100 k ≤ 12 × 10 k : {croissance} — {}",
        ok(points[2].mur <= 12 * points[1].mur)
    );
}
