//! Stable-toolchain fuzzing: the same entry points as the cargo-fuzz targets
//! (src/fuzz.rs), fed by proptest with arbitrary bytes and with mutated seeds (the
//! fixtures and test inputs, bytes replaced, inserted, deleted, or CSV/number tokens
//! spliced in). No coverage guidance, but it runs in every `cargo test`, with no nightly
//! feature. More cases: `PROPTEST_CASES=20000 cargo test --release --test fuzz_stable`.

use bonus_ctg::fuzz::{self, SEPARATEUR};
use proptest::prelude::*;
use std::fs;
use std::path::Path;
use std::sync::OnceLock;

fn racine() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Graines {
    csv: Vec<Vec<u8>>,
    toml: Vec<Vec<u8>>,
    dossiers: Vec<Vec<u8>>,
    xlsx: Vec<Vec<u8>>,
    notifications: Vec<Vec<u8>>,
    evenements: Vec<u8>,
}

fn fichiers(dir: &Path, ext: &str) -> Vec<Vec<u8>> {
    let mut r = Vec::new();
    if let Ok(l) = fs::read_dir(dir) {
        let mut l: Vec<_> = l.flatten().map(|e| e.path()).collect();
        l.sort();
        for p in l {
            if p.extension().is_some_and(|e| e == ext) {
                r.push(fs::read(&p).unwrap());
            }
        }
    }
    r
}

fn dossiers() -> Vec<std::path::PathBuf> {
    let mut r = Vec::new();
    for parent in ["fixtures", "tests/oracle_cas"] {
        if let Ok(l) = fs::read_dir(racine().join(parent)) {
            r.extend(l.flatten().map(|e| e.path()).filter(|p| p.is_dir()));
        }
    }
    r.push(racine().join("tests/entrees/base"));
    r.sort();
    r
}

/// A small workbook holding the base structures, written by program.
fn classeur() -> Vec<u8> {
    let texte = fs::read_to_string(racine().join("tests/entrees/base/structures.csv")).unwrap();
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("structures").unwrap();
    let mut r = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(texte.as_bytes());
    for (i, l) in r.records().enumerate() {
        let l = l.unwrap();
        for (j, v) in l.iter().enumerate() {
            let n = v.replace(' ', "").replace(',', ".");
            match n.parse::<f64>() {
                Ok(x) if i > 0 => ws.write_number(i as u32, j as u16, x).unwrap(),
                _ => ws.write_string(i as u32, j as u16, v).unwrap(),
            };
        }
    }
    wb.save_to_buffer().unwrap()
}

/// The sheet XML and shared strings of a workbook, joined by SEPARATEUR: the form of the
/// xlsx target's non-zip inputs.
fn xml_de(classeur: &[u8]) -> Vec<u8> {
    use std::io::Read;
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(classeur)).unwrap();
    let mut lire = |n: &str| {
        let mut v = Vec::new();
        z.by_name(n).unwrap().read_to_end(&mut v).unwrap();
        v
    };
    let mut x = lire("xl/worksheets/sheet1.xml");
    x.push(SEPARATEUR);
    x.extend(lire("xl/sharedStrings.xml"));
    x
}

fn graines() -> &'static Graines {
    static G: OnceLock<Graines> = OnceLock::new();
    G.get_or_init(|| {
        let mut csv = Vec::new();
        let mut toml = vec![fs::read(racine().join("src/bareme_defaut.toml")).unwrap()];
        let mut dos = Vec::new();
        for d in dossiers() {
            csv.extend(fichiers(&d, "csv"));
            toml.extend(fichiers(&d, "toml"));
            let mut x = fs::read(d.join("convention.toml")).unwrap();
            for f in ["structures.csv", "charges_n1.csv", "bareme.toml"] {
                if let Ok(o) = fs::read(d.join(f)) {
                    x.push(SEPARATEUR);
                    x.extend(o);
                }
            }
            dos.push(x);
        }
        csv.extend(fichiers(&racine().join("tests/entrees/fichiers"), "csv"));
        toml.extend(fichiers(&racine().join("tests/entrees/fichiers"), "toml"));
        Graines {
            csv,
            toml,
            dossiers: dos,
            xlsx: vec![classeur(), xml_de(&classeur())],
            notifications: {
                let mut n = fichiers(&racine().join("tests/verifier"), "csv");
                n.push(classeur());
                n
            },
            evenements: fs::read(racine().join("fixtures/dijon-2024/evenements.csv")).unwrap(),
        }
    })
}

/// Tokens that matter to the parsers, spliced in by mutations.
const JETONS: &[&str] = &[
    ";",
    ",",
    "\t",
    "\"",
    "\n",
    "\r\n",
    "\r",
    "\u{a0}",
    "\u{202f}",
    "€",
    "-",
    "1 000,5",
    "0,005",
    "99999999999999999999",
    "1e9",
    ".",
    "oui",
    "2bis",
    "EAJE",
    "PSU",
    "[[",
    "]]",
    "=",
    "\"\"",
    "\u{feff}",
    "\u{ff}\u{fe}",
    "é",
    "=1+1",
    "@",
    "collectivites",
    "tranche = ",
    "exercice = 2025",
];

#[derive(Debug, Clone)]
enum Mutation {
    Remplacer(usize, u8),
    Inserer(usize, u8),
    Supprimer(usize, usize),
    Jeton(usize, usize),
    Dupliquer(usize, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Remplacer(p, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Mutation::Inserer(p, b)),
        (any::<usize>(), 1usize..64).prop_map(|(p, n)| Mutation::Supprimer(p, n)),
        (any::<usize>(), 0..JETONS.len()).prop_map(|(p, j)| Mutation::Jeton(p, j)),
        (any::<usize>(), 1usize..200).prop_map(|(p, n)| Mutation::Dupliquer(p, n)),
    ]
}

fn muter(graine: &[u8], ms: &[Mutation]) -> Vec<u8> {
    let mut o = graine.to_vec();
    for m in ms {
        let n = o.len();
        let pos = |p: usize| if n == 0 { 0 } else { p % (n + 1) };
        match *m {
            Mutation::Remplacer(p, b) if n > 0 => o[p % n] = b,
            Mutation::Remplacer(..) => {}
            Mutation::Inserer(p, b) => o.insert(pos(p), b),
            Mutation::Supprimer(p, k) => {
                let a = pos(p).min(n);
                o.drain(a..(a + k).min(n));
            }
            Mutation::Jeton(p, j) => {
                let a = pos(p);
                o.splice(a..a, JETONS[j].bytes());
            }
            Mutation::Dupliquer(p, k) => {
                let a = pos(p).min(n);
                let morceau: Vec<u8> = o[a..(a + k).min(n)].to_vec();
                o.splice(a..a, morceau);
            }
        }
    }
    o
}

fn config() -> ProptestConfig {
    // PROPTEST_CASES is honoured (default 256 cases per property)
    ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn csv_octets_quelconques(o in proptest::collection::vec(any::<u8>(), 0..1500)) {
        fuzz::lecture_csv(&o);
    }

    #[test]
    fn csv_graines_mutees(g in any::<prop::sample::Index>(), ms in proptest::collection::vec(mutation(), 0..24)) {
        let s = &graines().csv;
        fuzz::lecture_csv(&muter(&s[g.index(s.len())], &ms));
    }

    #[test]
    fn toml_graines_mutees(g in any::<prop::sample::Index>(), ms in proptest::collection::vec(mutation(), 0..24)) {
        let s = &graines().toml;
        fuzz::lecture_toml(&muter(&s[g.index(s.len())], &ms));
    }

    #[test]
    fn xlsx_octets_et_graine_mutee(o in proptest::collection::vec(any::<u8>(), 0..600), ms in proptest::collection::vec(mutation(), 0..6)) {
        fuzz::lecture_xlsx(&o);
        fuzz::lecture_xlsx(&muter(&graines().xlsx[0], &ms));
    }

    #[test]
    fn xlsx_xml_de_feuille_mute(ms in proptest::collection::vec(mutation(), 0..24)) {
        fuzz::lecture_xlsx(&muter(&graines().xlsx[1], &ms));
    }

    #[test]
    fn chaine_complete_graines_mutees(g in any::<prop::sample::Index>(), ms in proptest::collection::vec(mutation(), 0..24)) {
        let s = &graines().dossiers;
        fuzz::chaine_complete(&muter(&s[g.index(s.len())], &ms));
    }

    #[test]
    fn notification_graines_mutees(g in any::<prop::sample::Index>(), ms in proptest::collection::vec(mutation(), 0..24)) {
        let s = &graines().notifications;
        fuzz::notification(&muter(&s[g.index(s.len())], &ms));
    }

    #[test]
    fn evenements_graines_mutees(ms in proptest::collection::vec(mutation(), 0..24)) {
        fuzz::evenements(&muter(&graines().evenements, &ms));
    }
}

proptest! {
    // the workbook writer compresses every sheet: fewer cases for the same time
    #![proptest_config(ProptestConfig { cases: config().cases / 8, ..config() })]

    #[test]
    fn rapports_graines_mutees(g in any::<prop::sample::Index>(), ms in proptest::collection::vec(mutation(), 0..24)) {
        let s = &graines().dossiers;
        fuzz::rapports(&muter(&s[g.index(s.len())], &ms));
    }
}

/// The wrapped sheet XML reads as the original workbook: the xlsx target's mutations reach
/// the sheet parser.
#[test]
fn classeur_minimal_relu() {
    use bonus_ctg::diagnostic::Diagnostics;
    use bonus_ctg::lecture::{self, xlsx::Feuille, Contenu, Source};
    let x = xml_de(&classeur());
    let i = x.iter().position(|b| *b == SEPARATEUR).unwrap();
    let c = fuzz::classeur_minimal(&x[..i], Some(&x[i + 1..])).unwrap();
    let mut d = Diagnostics::default();
    let src = Source {
        fichier: "structures.xlsx",
        contenu: Contenu::Xlsx(
            &c,
            Feuille {
                noms: lecture::FEUILLE_STRUCTURES,
                premiere_sinon: true,
            },
        ),
    };
    let (s, _) = lecture::lire_structures(src, &mut d);
    assert!(d.0.is_empty(), "{:?}", d.0);
    assert_eq!(s.len(), 5);
    assert_eq!(s[2].id, "LAEP-PONT");
    assert_eq!(s[2].bonus_n1.0, 520_000); // 5 200,00 €
}

/// The seeds themselves go through the whole pipeline.
#[test]
fn graines_intactes() {
    let g = graines();
    assert!(
        g.dossiers.len() >= 4 && g.csv.len() >= 40,
        "graines manquantes"
    );
    for d in &g.dossiers {
        fuzz::chaine_complete(d);
    }
    for x in &g.xlsx {
        fuzz::lecture_xlsx(x);
    }
}
