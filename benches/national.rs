//! The performance targets, measured and judged (`cargo bench --bench national`; not part of
//! `cargo test`). Every line printed under « objectifs » gives the target, the measured value
//! and a verdict, OK or ÉCHEC. See BENCHMARKS.md.
//!
//! 1. national set (2 000 collectivités, 60 000 structures, 100 dossiers, seed 1, written with
//!    `generation::ecrire`, or `$BONUS_CTG_BANC`): parse-only floor (the same CSV files split
//!    into records by the csv crate, nothing else, as many threads as `lot`) and the release
//!    binary `bonus-ctg lot` end to end, alternated in the same run; target: lot ≤ 5× floor;
//! 2. one dossier of 1 k / 10 k / 100 k structures (and 1 M with `BONUS_CTG_BANC_1M=1`):
//!    `lot` wall time and peak memory; targets: each point ≤ 12× the previous, 100 k ≤ 10×
//!    10 k, 100 k ≤ 100 MB;
//! 3. readers: the 100 k dossier read (CSV, and the same dossier as a workbook) by
//!    `lecture::lire_dossier` alone, in a child process (this bench binary run again with
//!    `--lecteur PATH`); peak memory ≤ 20× the input's size;
//! 4. outputs: `calculer` in every format on the 100 k dossier (and 1 M with
//!    `BONUS_CTG_BANC_1M=1`); peak memory ≤ 1 GB at 1 M;
//! 5. what-if: one edit of the Dijon dossier then the whole result recomputed and compared,
//!    in process; median ≤ 5 ms.
//!
//! Peak memory of a child process: its `ru_maxrss` (`wait4`). Times are integers
//! (microseconds): no floating point in this project.

mod commun;

use bonus_ctg::diagnostic::Diagnostics;
use bonus_ctg::lecture::{self, OptionsLecture};
use bonus_ctg::modele::Unites;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
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

/// Peak memory `ko` (kibibytes, as `ru_maxrss` gives it) in decimal megabytes, the unit of
/// the targets (`101.7 Mo`), with mebibytes beside (`97 Mio`).
fn mo(ko: u64) -> String {
    let octets = ko * 1024;
    format!(
        "{}.{} Mo ({} Mio)",
        octets / 1_000_000,
        octets % 1_000_000 / 100_000,
        ko / 1024
    )
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "OK"
    } else {
        "ÉCHEC"
    }
}

/// One run of the binary: wall time (µs) and peak resident memory (kB, `ru_maxrss` of this
/// very child, read by `wait4`).
#[derive(Debug, Clone, Copy, Default)]
struct Mesure {
    mur: u64,
    memoire_ko: u64,
}

fn lancer(args: &[&std::ffi::OsStr]) -> Mesure {
    lancer_programme(Path::new(BINAIRE), args)
}

// the child is waited for by `wait4` (its own resource usage), not by `Child::wait`
#[allow(clippy::zombie_processes)]
fn lancer_programme(programme: &Path, args: &[&std::ffi::OsStr]) -> Mesure {
    let debut = Instant::now();
    let enfant = Command::new(programme)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("lancement de bonus-ctg");
    let pid = enfant.id() as libc::pid_t;
    let mut erreurs = enfant.stderr.expect("stderr");
    // read stderr before waiting (a full pipe would block the child)
    let mut texte = String::new();
    std::io::Read::read_to_string(&mut erreurs, &mut texte).ok();
    let mut statut = 0;
    // SAFETY: plain system call on our own child; `usage` is a valid out-pointer
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut statut, 0, &mut usage) };
    let mur = debut.elapsed().as_micros() as u64;
    assert!(r == pid, "wait4");
    assert!(
        libc::WIFEXITED(statut) && libc::WEXITSTATUS(statut) == 0,
        "bonus-ctg {:?} a échoué : {texte}",
        args
    );
    Mesure {
        mur,
        memoire_ko: usage.ru_maxrss as u64,
    }
}

fn os(s: &str) -> &std::ffi::OsStr {
    std::ffi::OsStr::new(s)
}

fn lot(racine: &Path, sortie: &Path) -> Mesure {
    lancer(&[
        os("lot"),
        racine.as_os_str(),
        os("--sortie"),
        sortie.as_os_str(),
        os("--ecraser"),
    ])
}

/// Median wall time and maximum memory of `n` runs (after one warm-up run).
fn repeter(n: usize, mut f: impl FnMut() -> Mesure) -> Mesure {
    f();
    let m: Vec<Mesure> = (0..n).map(|_| f()).collect();
    Mesure {
        mur: mediane(m.iter().map(|x| x.mur).collect()),
        memoire_ko: m.iter().map(|x| x.memoire_ko).max().unwrap_or(0),
    }
}

/// The files of a `lot` output (path inside it, bytes), to write them again.
fn fichiers_de(dossier: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut v = Vec::new();
    let mut a_voir = vec![PathBuf::new()];
    while let Some(rel) = a_voir.pop() {
        for e in std::fs::read_dir(dossier.join(&rel)).expect("sortie du lot") {
            let e = e.expect("entrée");
            let r = rel.join(e.file_name());
            if e.file_type().expect("type").is_dir() {
                a_voir.push(r);
            } else {
                let octets = std::fs::read(e.path()).expect("fichier de sortie");
                v.push((r, octets));
            }
        }
    }
    v.sort();
    v
}

/// Write-only floor (µs): the same files with the same bytes written into a new folder on
/// `fils` threads, which then replaces `cible` (the old one removed), as `lot --ecraser`
/// does; no reading, no computation, no `fsync`.
fn plancher_ecriture(fichiers: &[(PathBuf, Vec<u8>)], cible: &Path, fils: usize) -> u64 {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let neuf = cible.with_extension("neuf");
    let ancien = cible.with_extension("ancien");
    let t = Instant::now();
    std::fs::create_dir(&neuf).expect("dossier neuf");
    for (chemin, _) in fichiers {
        if let Some(d) = chemin.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(neuf.join(d)).expect("sous-dossier");
        }
    }
    let suivant = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..fils {
            s.spawn(|| {
                while let Some((nom, octets)) =
                    fichiers.get(suivant.fetch_add(1, Ordering::Relaxed))
                {
                    std::fs::write(neuf.join(nom), octets).expect("écriture");
                }
            });
        }
    });
    if cible.exists() {
        std::fs::rename(cible, &ancien).expect("renommage");
    }
    std::fs::rename(&neuf, cible).expect("renommage");
    let _ = std::fs::remove_dir_all(&ancien);
    t.elapsed().as_micros() as u64
}

fn plancher(racine: &Path, fils: usize) -> u64 {
    let t = Instant::now();
    std::hint::black_box(commun::plancher_lecture(racine, fils));
    t.elapsed().as_micros() as u64
}

/// A generated set, written by the binary (`bonus-ctg generer`, the same generator as
/// `generation::ecrire`) in a child process: generating a million structures here would
/// raise this process's peak memory, which a child started afterwards inherits in its own
/// `ru_maxrss` (Linux keeps the highest of the parent's memory at `exec`), and every later
/// measure of memory would be this one.
fn jeu(base: &Path, nom: &str, collectivites: usize, structures: usize, un: bool) -> PathBuf {
    let d = base.join(nom);
    let (c, s) = (collectivites.to_string(), structures.to_string());
    let mut args = vec![
        os("generer"),
        d.as_os_str(),
        os("--collectivites"),
        os(&c),
        os("--structures"),
        os(&s),
        os("--graine"),
        os("1"),
        os("--ecraser"),
    ];
    if un {
        args.extend([os("--dossiers"), os("1")]);
    }
    lancer(&args);
    d
}

/// The scaling series: one dossier of each size. Up to 100 000 structures, the sizes are
/// run in turn, `REPETITIONS` rounds after one to warm up, each size's median kept: a ratio
/// compares runs made side by side, not a point measured before a load that came later.
/// The million, if asked, is run once after them. Each size writes to its own output
/// folder: a small lot replacing a large one's output would pay for removing its files.
fn serie(base: &Path, tailles: &[usize]) -> Vec<(usize, Mesure, PathBuf)> {
    let jeux: Vec<(usize, PathBuf)> = tailles
        .iter()
        .map(|&n| {
            (
                n,
                jeu(base, &format!("u{n}"), (n / 30).clamp(1, 2000), n, true),
            )
        })
        .collect();
    let alternes = jeux.iter().filter(|(n, _)| *n < 1_000_000).count();
    let mut murs = vec![Vec::new(); jeux.len()];
    let mut memoire = vec![0; jeux.len()];
    for tour in 0..=REPETITIONS {
        for (k, (n, d)) in jeux.iter().enumerate().take(alternes) {
            let m = lot(d, &base.join(format!("sortie-u{n}")));
            if tour > 0 {
                murs[k].push(m.mur);
                memoire[k] = memoire[k].max(m.memoire_ko);
            }
        }
    }
    for (k, (n, d)) in jeux.iter().enumerate().skip(alternes) {
        let m = lot(d, &base.join(format!("sortie-u{n}")));
        murs[k].push(m.mur);
        memoire[k] = m.memoire_ko;
    }
    jeux.into_iter()
        .zip(murs.into_iter().zip(memoire))
        .map(|((n, d), (m, memoire_ko))| {
            let m = Mesure {
                mur: mediane(m),
                memoire_ko,
            };
            println!(
                "un dossier de {n} structures ({} Ko) : lot {} ; mémoire maximale {} (médiane de {}{})",
                taille(&d) / 1000,
                ms(m.mur),
                mo(m.memoire_ko),
                if n < 1_000_000 { REPETITIONS } else { 1 },
                if n < 1_000_000 { ", tailles en alternance" } else { "" }
            );
            (n, m, d)
        })
        .collect()
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
    let charge = std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().next().unwrap_or("?").to_string())
        .unwrap_or_default();
    let coeurs = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("{cpu}, {coeurs} cœurs, charge moyenne {charge}")
}

/// Total size of the files under `racine` (recursively).
fn taille(racine: &Path) -> u64 {
    if racine.is_file() {
        return racine.metadata().map_or(0, |m| m.len());
    }
    let mut t = 0;
    for e in std::fs::read_dir(racine).into_iter().flatten().flatten() {
        t += taille(&e.path());
    }
    t
}

/// The only dossier of a generated one-dossier set.
fn unique(racine: &Path) -> PathBuf {
    std::fs::read_dir(racine)
        .expect("jeu")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.is_dir())
        .expect("un dossier")
}

/// For information (no target of its own): `projeter` (every year to the convention's end,
/// CSV of the structures) on the series' dossiers up to 100 000 structures, one run each:
/// its cost must grow as the number of structures (three searches per structure made it
/// quadratic until 2 December: 15,6 s for 30 000 structures). The generated conventions do
/// not all span as many years (the 1 000-structure one ends in 2025: one year; 10 000 and
/// 100 000 in 2027: three years): the ratio to the previous point is also given per
/// projected year, which compares like with like.
fn projection(base: &Path, points: &[(usize, Mesure, PathBuf)]) {
    let mut precedent: Option<(u64, u64)> = None;
    for (n, _, d) in points.iter().filter(|(n, _, _)| *n <= 100_000) {
        let annees = annees_projetees(&unique(d));
        let f = base.join(format!("projection-{n}.csv"));
        let m = lancer(&[
            os("projeter"),
            unique(d).as_os_str(),
            os("--format"),
            os("csv"),
            os("--sortie"),
            f.as_os_str(),
            os("--ecraser"),
        ]);
        let par_annee = m.mur / annees;
        println!(
            "projeter, un dossier de {n} structures ({annees} année{}) : {} ; mémoire maximale {}{}",
            if annees > 1 { "s" } else { "" },
            ms(m.mur),
            mo(m.memoire_ko),
            precedent.map_or(String::new(), |(p, pa)| format!(
                " ; {} le point précédent, {} par année projetée",
                rapport(m.mur, p),
                rapport(par_annee, pa)
            ))
        );
        precedent = Some((m.mur, par_annee));
    }
}

/// The years `projeter` covers for dossier `d`: its exercice to the end of its convention
/// (read from its convention.toml alone: this process reads no structure).
fn annees_projetees(d: &Path) -> u64 {
    let texte = std::fs::read_to_string(d.join("convention.toml")).expect("convention.toml");
    let mut diags = Diagnostics::default();
    let c = lecture::analyser_convention("convention.toml", &texte, &mut diags)
        .expect("convention lisible");
    let fin = c.fin.map_or(c.exercice, |f| f.annee);
    (fin - c.exercice + 1).max(1) as u64
}

/// In-process what-if: one edit of Dijon, recomputation and comparison; median in µs.
fn simulation_dijon(n: usize) -> u64 {
    let mut diags = Diagnostics::default();
    let dossier = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/dijon-2024");
    let lu = lecture::lire_dossier(&dossier, &OptionsLecture::default(), &mut diags)
        .expect("fixture valide");
    let (origine, _) = bonus_ctg::traiter(&lu, None, "bareme.toml").expect("fixture valide");
    let mut durees = Vec::with_capacity(n);
    for i in 0..n as i64 + 10 {
        let t = Instant::now();
        let mut modifie = lu.clone();
        modifie.dossier.structures[0].unites_existantes = Unites(6000 + i % 20 * 100);
        let (r, _) = bonus_ctg::traiter(&modifie, None, "bareme.toml").expect("valide");
        std::hint::black_box(bonus_ctg::comparaison::comparer(
            &origine,
            &r,
            "dossier",
            "scénario",
        ));
        if i >= 10 {
            durees.push(t.elapsed().as_nanos() as u64);
        }
    }
    mediane(durees) / 1000
}

struct Objectif {
    texte: String,
    ok: bool,
}

fn main() {
    // `cargo bench` passes `--bench`; in test mode (`cargo test --benches`) do nothing
    if !std::env::args().any(|a| a == "--bench") {
        println!("objectifs : lancez-les avec `cargo bench --bench national`");
        return;
    }
    // child mode: read one dossier and nothing else (the readers' memory)
    let args: Vec<String> = std::env::args().collect();
    if let Some(i) = args.iter().position(|a| a == "--lecteur") {
        // the allocator set as the binary sets it
        bonus_ctg::limiter_memoire_retenue();
        let mut diags = Diagnostics::default();
        let lu = lecture::lire_dossier(
            Path::new(&args[i + 1]),
            &OptionsLecture::default(),
            &mut diags,
        );
        assert!(lu.is_some(), "dossier illisible : {:?}", diags.0);
        std::hint::black_box(lu);
        return;
    }
    let million = std::env::var_os("BONUS_CTG_BANC_1M").is_some_and(|v| v == "1");
    let tmp = tempfile::tempdir().expect("dossier temporaire");
    let base = tmp.path();
    let fils = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("bonus-ctg — objectifs de performance (cargo bench --bench national)");
    println!("machine : {}", machine());
    println!("binaire : {BINAIRE}");
    let mut objectifs: Vec<Objectif> = Vec::new();

    // 1. national: floor and lot alternated, same run
    let national = match std::env::var_os("BONUS_CTG_BANC") {
        Some(d) => PathBuf::from(d),
        None => jeu(base, "fr", 2000, 60_000, false),
    };
    println!(
        "jeu national : {} ({} Ko de fichiers)",
        national.display(),
        taille(&national) / 1000
    );
    let sortie = base.join("sortie");
    plancher(&national, fils);
    lot(&national, &sortie);
    let (mut p, mut l) = (Vec::new(), Vec::new());
    let mut memoire = 0;
    for _ in 0..REPETITIONS {
        p.push(plancher(&national, fils));
        let m = lot(&national, &sortie);
        l.push(m.mur);
        memoire = memoire.max(m.memoire_ko);
    }
    let (p, l) = (mediane(p), mediane(l));
    println!(
        "national : plancher (lecture CSV seule, {fils} fils) {} ; lot de bout en bout {} ; mémoire maximale {} (médianes de {REPETITIONS}, passages alternés)",
        ms(p),
        ms(l),
        mo(memoire)
    );
    // what writing the outputs alone costs on this disk (not part of the target's floor)
    let fichiers = fichiers_de(&sortie);
    let octets: usize = fichiers.iter().map(|(_, o)| o.len()).sum();
    let copie = base.join("sortie-plancher");
    plancher_ecriture(&fichiers, &copie, fils);
    let e = mediane(
        (0..REPETITIONS)
            .map(|_| plancher_ecriture(&fichiers, &copie, fils))
            .collect(),
    );
    println!(
        "national : plancher d'écriture (les {} fichiers du lot, {} Ko, réécrits tels quels dans un dossier neuf qui remplace l'ancien, {fils} fils, sans fsync) {} ; lecture + écriture seules {} ; lot = {} de ce plancher-là (pour information)",
        fichiers.len(),
        octets / 1000,
        ms(e),
        ms(p + e),
        rapport(l, p + e)
    );
    objectifs.push(Objectif {
        texte: format!(
            "national de bout en bout ≤ 5× le plancher : {} / {} = {}",
            ms(l),
            ms(p),
            rapport(l, p)
        ),
        ok: l <= 5 * p,
    });

    // 2. one dossier, scaling series
    let mut tailles = vec![1_000usize, 10_000, 100_000];
    if million {
        tailles.push(1_000_000);
    }
    let points = serie(base, &tailles);
    for w in points.windows(2) {
        let ((a, ma, _), (b, mb, _)) = (&w[0], &w[1]);
        objectifs.push(Objectif {
            texte: format!(
                "échelle {b} ≤ 12× {a} : {} / {} = {}",
                ms(mb.mur),
                ms(ma.mur),
                rapport(mb.mur, ma.mur)
            ),
            ok: mb.mur <= 12 * ma.mur,
        });
    }
    let (m10, m100) = (points[1].1, points[2].1);
    objectifs.push(Objectif {
        texte: format!(
            "un dossier de 100 000 structures ≤ 10× 10 000 : {}",
            rapport(m100.mur, m10.mur)
        ),
        ok: m100.mur <= 10 * m10.mur,
    });
    objectifs.push(Objectif {
        texte: format!(
            "mémoire maximale, un dossier de 100 000 structures ≤ 100 Mo : {}",
            mo(m100.memoire_ko)
        ),
        ok: m100.memoire_ko * 1024 <= 100_000_000,
    });

    projection(base, &points);

    // 3. readers: peak memory of the reading alone against the input's size
    let d100 = unique(&points[2].2);
    let classeur = base.join("u100k.xlsx");
    lancer(&[
        os("modele"),
        classeur.as_os_str(),
        os("--depuis"),
        d100.as_os_str(),
        os("--ecraser"),
    ]);
    for (quoi, entree) in [("CSV", d100.clone()), ("classeur xlsx", classeur.clone())] {
        let moi = std::env::current_exe().expect("banc");
        let m = repeter(1, || {
            lancer_programme(&moi, &[os("--bench"), os("--lecteur"), entree.as_os_str()])
        });
        let octets = taille(&entree);
        let ko = octets / 1000;
        objectifs.push(Objectif {
            texte: format!(
                "lecteur {quoi} (100 000 structures, {ko} Ko) : mémoire maximale ≤ 20× l'entrée : {} = {}",
                mo(m.memoire_ko),
                rapport(m.memoire_ko * 1024, octets)
            ),
            ok: m.memoire_ko * 1024 <= 20 * octets,
        });
    }

    // 4. outputs: every format of `calculer`
    let mut sorties = vec![(100_000usize, unique(&points[2].2))];
    if million {
        sorties.push((1_000_000, unique(&points[3].2)));
    }
    for (n, d) in &sorties {
        for format in ["csv", "json", "xlsx", "html", "table"] {
            let f = base.join(format!("resultat.{format}"));
            let mut args = vec![os("calculer"), d.as_os_str(), os("--format"), os(format)];
            if format != "table" {
                args.extend([os("--sortie"), f.as_os_str(), os("--ecraser")]);
            }
            let m = lancer(&args);
            println!(
                "calculer --format {format}, {n} structures : {} ; mémoire maximale {}",
                ms(m.mur),
                mo(m.memoire_ko)
            );
            if *n >= 1_000_000 {
                objectifs.push(Objectif {
                    texte: format!(
                        "sortie {format}, un dossier de 1 000 000 structures ≤ 1 Go : {}",
                        mo(m.memoire_ko)
                    ),
                    ok: m.memoire_ko * 1024 <= 1_000_000_000,
                });
            }
            let _ = std::fs::remove_file(&f);
        }
    }
    if !million {
        println!(
            "(1 000 000 structures : BONUS_CTG_BANC_1M=1 cargo bench --bench national, quelques minutes)"
        );
    }

    // 5. what-if, in process
    let s = simulation_dijon(201);
    objectifs.push(Objectif {
        texte: format!(
            "recalcul de Dijon après une modification (dans le processus, médiane de 201) ≤ 5 ms : {}.{:03} ms",
            s / 1000,
            s % 1000
        ),
        ok: s <= 5_000,
    });

    println!("objectifs :");
    for o in &objectifs {
        println!("  {} — {}", o.texte, verdict(o.ok));
    }
    let echecs = objectifs.iter().filter(|o| !o.ok).count();
    println!(
        "{} objectif{} sur {} atteint{}",
        objectifs.len() - echecs,
        if objectifs.len() - echecs > 1 {
            "s"
        } else {
            ""
        },
        objectifs.len(),
        if objectifs.len() - echecs > 1 {
            "s"
        } else {
            ""
        }
    );
}
