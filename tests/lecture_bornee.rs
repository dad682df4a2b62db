//! Bounded reading of the input files, through the real binary: special files made at run
//! time (named pipe, device, socket, link to `/dev/zero`) are refused without blocking,
//! and hostile workbooks built here from bytes (never committed as opaque binaries) are
//! refused before calamine allocates what they announce. Every run has a 10-second timeout
//! (a hang fails the test) and must finish in well under a second of work.

mod commun;

use assert_cmd::Command;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn racine() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/entrees")
}

/// A copy of the base dossier of the input cases in `d`.
fn base(d: &Path) {
    fs::create_dir_all(d).unwrap();
    for f in ["convention.toml", "structures.csv", "charges_n1.csv"] {
        fs::copy(racine().join("base").join(f), d.join(f)).unwrap();
    }
}

/// Runs the binary with a timeout: (exit code, stderr lines with `d` written `{dossier}`).
fn executer(d: &Path, args: &[&std::ffi::OsStr]) -> (Option<i32>, Vec<String>) {
    let debut = Instant::now();
    let s = Command::cargo_bin("bonus-ctg")
        .unwrap()
        .args(args)
        .timeout(Duration::from_secs(10))
        .output()
        .unwrap();
    assert!(
        debut.elapsed() < Duration::from_secs(9),
        "bonus-ctg a bloqué : {:?}",
        debut.elapsed()
    );
    let err = String::from_utf8_lossy(&s.stderr).replace(&d.display().to_string(), "{dossier}");
    (s.status.code(), err.lines().map(str::to_string).collect())
}

fn calculer(d: &Path, extra: &[&std::ffi::OsStr]) -> (Option<i32>, Vec<String>) {
    let mut a: Vec<&std::ffi::OsStr> = vec![
        "calculer".as_ref(),
        d.as_os_str(),
        "--format".as_ref(),
        "csv".as_ref(),
        "--profil".as_ref(),
        "rfc4180".as_ref(),
    ];
    a.extend_from_slice(extra);
    executer(d, &a)
}

fn mkfifo(p: &Path) {
    let _ = fs::remove_file(p);
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    assert_eq!(
        unsafe { libc::mkfifo(c.as_ptr(), 0o644) },
        0,
        "mkfifo {p:?}"
    );
}

const CONSEIL_E070: &str = "(conseil : enregistrez les données dans un fichier ordinaire : un tube, un périphérique ou une socket ne sont pas lus (leur lecture pourrait ne jamais finir))";

fn e070(lieu: &str, quoi: &str) -> String {
    format!("erreur E070 : {lieu} : lecture refusée : c'est {quoi}, pas un fichier ordinaire {CONSEIL_E070}")
}

/// A named pipe as structures.csv: refused at once (it used to block forever, nobody
/// writing into it).
#[test]
fn tube_nomme_refuse_sans_bloquer() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("dossier");
    base(&d);
    mkfifo(&d.join("structures.csv"));
    let (code, err) = calculer(&d, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        [
            e070("{dossier}/structures.csv", "un tube nommé (FIFO)"),
            "{dossier} : 1 erreur, 0 avertissement".to_string()
        ]
    );
}

/// A symbolic link to /dev/zero as charges_n1.csv: refused before reading (it used to be
/// read until memory ran out).
#[test]
fn lien_vers_dev_zero_refuse() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("dossier");
    base(&d);
    fs::remove_file(d.join("charges_n1.csv")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", d.join("charges_n1.csv")).unwrap();
    let (code, err) = calculer(&d, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        [
            e070(
                "{dossier}/charges_n1.csv",
                "un lien vers /dev/zero, un périphérique (mode caractère)"
            ),
            "{dossier} : 1 erreur, 0 avertissement".to_string()
        ]
    );
}

/// A device node (the numbers of /dev/zero, 1:5) as convention.toml: made only as root.
#[test]
fn peripherique_refuse() {
    if unsafe { libc::geteuid() } != 0 {
        println!("note : mknod demande les droits root ; cas du périphérique sauté");
        return;
    }
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("dossier");
    base(&d);
    let p = d.join("convention.toml");
    fs::remove_file(&p).unwrap();
    let c = std::ffi::CString::new(p.as_os_str().as_encoded_bytes()).unwrap();
    let r = unsafe { libc::mknod(c.as_ptr(), libc::S_IFCHR | 0o644, libc::makedev(1, 5)) };
    if r != 0 {
        println!("note : mknod refusé ici (conteneur sans CAP_MKNOD) ; cas du périphérique sauté");
        return;
    }
    let (code, err) = calculer(&d, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        [
            e070(
                "{dossier}/convention.toml",
                "un périphérique (mode caractère)"
            ),
            "{dossier} : 1 erreur, 0 avertissement".to_string()
        ]
    );
}

/// A Unix socket as structures.csv.
#[test]
fn socket_refusee() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("dossier");
    base(&d);
    fs::remove_file(d.join("structures.csv")).unwrap();
    let _ecoute = std::os::unix::net::UnixListener::bind(d.join("structures.csv")).unwrap();
    let (code, err) = calculer(&d, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        [
            e070("{dossier}/structures.csv", "une socket"),
            "{dossier} : 1 erreur, 0 avertissement".to_string()
        ]
    );
}

/// The other files read: `--bareme`, the events of `projeter`, the notification of
/// `verifier`, each given as a named pipe.
#[test]
fn autres_fichiers_lus_tubes_refuses() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("dossier");
    base(&d);
    let tube = t.path().join("tube");
    mkfifo(&tube);
    let attendu = e070(&tube.display().to_string(), "un tube nommé (FIFO)");

    let (code, err) = calculer(&d, &["--bareme".as_ref(), tube.as_os_str()]);
    assert_eq!(code, Some(1));
    assert_eq!(err[0], attendu);

    let (code, err) = executer(
        &d,
        &[
            "projeter".as_ref(),
            d.as_os_str(),
            "--evenements".as_ref(),
            tube.as_os_str(),
        ],
    );
    assert_eq!(code, Some(1));
    assert_eq!(err[0], attendu);

    let (code, err) = executer(
        &d,
        &[
            "verifier".as_ref(),
            d.as_os_str(),
            "--notification".as_ref(),
            tube.as_os_str(),
        ],
    );
    assert_eq!(code, Some(1));
    assert_eq!(err[0], attendu);
}

/// `lot`: a dossier whose structures.csv is a named pipe is reported and skipped (it used
/// to hang the whole batch); the other dossier is computed.
#[test]
fn lot_avec_un_tube_ne_bloque_pas() {
    let t = tempfile::tempdir().unwrap();
    let parent = t.path().join("ctg");
    base(&parent.join("a"));
    base(&parent.join("b"));
    mkfifo(&parent.join("b/structures.csv"));
    let sortie = t.path().join("sortie");
    let (code, err) = executer(
        &parent,
        &[
            "lot".as_ref(),
            parent.as_os_str(),
            "--sortie".as_ref(),
            sortie.as_os_str(),
        ],
    );
    assert_eq!(code, Some(1), "{err:?}");
    let ligne = e070("{dossier}/b/structures.csv", "un tube nommé (FIFO)");
    assert!(err.iter().any(|l| l.contains(&ligne)), "{err:?}");
    assert!(sortie.join("dossiers/a.csv").exists());
}

/// A convention.toml with more than 100 000 elements (under the 2 MB limit) is refused
/// before the TOML parser builds them (about 90 bytes of memory per byte of such a list).
#[test]
fn toml_trop_charge_refuse() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("dossier");
    base(&d);
    let c = fs::read_to_string(d.join("convention.toml")).unwrap();
    // x = [0,0,…,0] : 100 000 « , », one « = », one « [ » ; the base file has 12 (8 « = »,
    // 2 « [ » of [[collectivites]], 2 « . » in its first comment): 100 014 in all
    let liste = format!("x = [{}0]\n", "0,".repeat(100_000));
    fs::write(d.join("convention.toml"), liste + &c).unwrap();
    let (code, err) = calculer(&d, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        [
            "erreur E071 : convention.toml : fichier TOML trop chargé : 100 014 séparateurs de clés, valeurs ou tables (maximum 100 000) (conseil : une convention compte au plus 2 000 collectivités : vérifiez qu'il s'agit du bon fichier)",
            "{dossier} : 1 erreur, 0 avertissement"
        ]
    );
}

/// A 30 MB TOML array (the parser took 2.6 GB on it) is refused by its size, unread.
#[test]
fn toml_de_30_mo_refuse() {
    let t = tempfile::tempdir().unwrap();
    let d = t.path().join("dossier");
    base(&d);
    let mut f = fs::File::create(d.join("bareme.toml")).unwrap();
    f.write_all(b"x = [").unwrap();
    f.write_all(&b"1,".repeat(15_000_000)).unwrap();
    f.write_all(b"1]\n").unwrap();
    drop(f);
    let (code, err) = calculer(&d, &[]);
    assert_eq!(code, Some(1));
    // 5 + 2 × 15 000 000 + 3 = 30 000 008 bytes
    assert_eq!(
        err,
        [
            "erreur E071 : bareme.toml : fichier TOML trop gros : 30 000 008 octets (maximum 2 000 000) (conseil : convention.toml et bareme.toml sont de petits fichiers (quelques dizaines de kilo-octets) : vérifiez qu'il s'agit du bon fichier)",
            "{dossier} : 1 erreur, 0 avertissement"
        ]
    );
}

// ------------------------------------------------------------------ workbooks from bytes

const ESPACE: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

/// A workbook (deflated zip) with one sheet `structures`, optional shared strings and an
/// optional `<calcPr>` element.
fn classeur(feuille: &str, chaines: Option<&[u8]>, calc_pr: &str) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let classeur = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{ESPACE}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="structures" sheetId="1" r:id="rId1"/></sheets>{calc_pr}</workbook>"#
    );
    let mut parts: Vec<(&str, Vec<u8>)> = vec![
        ("[Content_Types].xml", br#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>"#.to_vec()),
        ("_rels/.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#.to_vec()),
        ("xl/workbook.xml", classeur.into_bytes()),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#.to_vec()),
        ("xl/worksheets/sheet1.xml", feuille.as_bytes().to_vec()),
    ];
    if let Some(c) = chaines {
        parts.push(("xl/sharedStrings.xml", c.to_vec()));
    }
    for (nom, contenu) in parts {
        z.start_file(nom, o).unwrap();
        z.write_all(&contenu).unwrap();
    }
    z.finish().unwrap().into_inner()
}

fn echapper(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

fn lettre(c: usize) -> char {
    (b'A' + c as u8) as char
}

/// The base structures as a sheet of inline strings, except the cell at (row, column)
/// (1-based row, 0-based column), written as `remplacement`.
fn feuille_base(cellule: Option<(usize, usize, &str)>) -> String {
    let texte = fs::read_to_string(racine().join("base/structures.csv")).unwrap();
    let mut lecteur = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .from_reader(texte.as_bytes());
    let mut x = format!(r#"<worksheet xmlns="{ESPACE}"><sheetData>"#);
    for (i, l) in lecteur.records().enumerate() {
        let r = i + 1;
        x.push_str(&format!(r#"<row r="{r}">"#));
        for (c, v) in l.unwrap().iter().enumerate() {
            match cellule {
                Some((rr, cc, remplacement)) if rr == r && cc == c => x.push_str(remplacement),
                _ => x.push_str(&format!(
                    r#"<c r="{}{r}" t="inlineStr"><is><t>{}</t></is></c>"#,
                    lettre(c),
                    echapper(v)
                )),
            }
        }
        x.push_str("</row>");
    }
    x.push_str("</sheetData></worksheet>");
    x
}

/// A dossier whose structures table is `octets` (structures.xlsx).
fn dossier_classeur(t: &Path, octets: &[u8]) -> PathBuf {
    let d = t.join("dossier");
    base(&d);
    fs::remove_file(d.join("structures.csv")).unwrap();
    fs::write(d.join("structures.xlsx"), octets).unwrap();
    d
}

/// The base workbook of inline strings is read exactly as the CSV; a formula with its
/// computed value is read through that value: N3 (contribution_collectivite_n1 of
/// EAJE-ARC, 24 000,00 in the base) written `=20000+4000` with the value 24000.
#[test]
fn formule_avec_valeur_lue_par_sa_valeur() {
    let t = tempfile::tempdir().unwrap();
    let f = feuille_base(Some((
        3,
        13,
        r#"<c r="N3"><f>20000+4000</f><v>24000</v></c>"#,
    )));
    let d = dossier_classeur(t.path(), &classeur(&f, None, ""));
    // the oracle's expected output of the base dossier (structures, reconciliation, total)
    let (statut, sortie, err) = commun::csv_comme_l_oracle(&d, &[]);
    assert_eq!(statut.code(), Some(0), "{}", String::from_utf8_lossy(&err));
    assert_eq!(sortie, fs::read(racine().join("attendu-base.csv")).unwrap());
}

const CONSEIL_E072: &str = "(conseil : ouvrez le classeur dans Excel ou LibreOffice, recalculez et enregistrez le classeur (ou remplacez la formule par sa valeur))";

/// A formula saved without its value (openpyxl, a script that does not recompute): an
/// error naming the cell, no longer read as 0.
#[test]
fn formule_sans_valeur_refusee() {
    let t = tempfile::tempdir().unwrap();
    let f = feuille_base(Some((3, 13, r#"<c r="N3"><f>20000+4000</f></c>"#)));
    let d = dossier_classeur(t.path(), &classeur(&f, None, ""));
    let (code, err) = calculer(&d, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        [
            format!("erreur E072 : structures.xlsx, cellule structures!N3, colonne « contribution_collectivite_n1 », valeur « =20000+4000 » : formule enregistrée sans sa valeur calculée {CONSEIL_E072}"),
            "{dossier} : 1 erreur, 0 avertissement".to_string()
        ]
    );
}

/// A cell of a shared formula (`<f t="shared" si="0"/>`, no formula text) without value.
#[test]
fn formule_partagee_sans_valeur_refusee() {
    let t = tempfile::tempdir().unwrap();
    let f = feuille_base(Some((4, 13, r#"<c r="N4"><f t="shared" si="0"/></c>"#)));
    let d = dossier_classeur(t.path(), &classeur(&f, None, ""));
    let (code, err) = calculer(&d, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        [
            format!("erreur E072 : structures.xlsx, cellule structures!N4, colonne « contribution_collectivite_n1 » : formule enregistrée sans sa valeur calculée {CONSEIL_E072}"),
            "{dossier} : 1 erreur, 0 avertissement".to_string()
        ]
    );
}

/// A workbook that asks to be recomputed on opening (rust_xlsxwriter writes
/// `fullCalcOnLoad="1"` and 0 as the value of every formula): the saved value is a
/// placeholder, refused.
#[test]
fn formule_a_recalculer_refusee() {
    let t = tempfile::tempdir().unwrap();
    let f = feuille_base(Some((3, 13, r#"<c r="N3"><f>20000+4000</f><v>0</v></c>"#)));
    let o = classeur(&f, None, r#"<calcPr calcId="124519" fullCalcOnLoad="1"/>"#);
    let d = dossier_classeur(t.path(), &o);
    let (code, err) = calculer(&d, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        [
            format!("erreur E072 : structures.xlsx, cellule structures!N3, colonne « contribution_collectivite_n1 », valeur « =20000+4000 » : formule dont la valeur enregistrée n'a pas été calculée : le classeur, écrit par un programme, demande à être recalculé à son ouverture {CONSEIL_E072}"),
            "{dossier} : 1 erreur, 0 avertissement".to_string()
        ]
    );
}

/// A count of shared strings that the part cannot hold (found by fuzzing: calamine reserved
/// it and the process aborted): refused before calamine opens the workbook.
#[test]
fn nombre_de_textes_annonce_mensonger() {
    let t = tempfile::tempdir().unwrap();
    let sst = format!(
        r#"<sst xmlns="{ESPACE}" count="1" uniqueCount="8888888888888888839"><si><t>id</t></si></sst>"#
    );
    let feuille = format!(
        r#"<worksheet xmlns="{ESPACE}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#
    );
    let d = dossier_classeur(t.path(), &classeur(&feuille, Some(sst.as_bytes()), ""));
    let (code, err) = calculer(&d, &[]);
    assert_eq!(code, Some(1));
    // 139 bytes: 5 per string at least (<si/>) → 27 strings at most
    assert_eq!(sst.len(), 139);
    assert_eq!(
        err,
        [
            "erreur E073 : structures.xlsx, valeur « 8888888888888888839 » : classeur abîmé : la partie xl/sharedStrings.xml annonce 8 888 888 888 888 888 839 textes (uniqueCount), mais ses 139 octets en contiennent au plus 27 (conseil : le classeur n'a pas été écrit par un tableur : ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau, ou exportez la feuille en « CSV UTF-8 »)",
            "{dossier} : 1 erreur, 0 avertissement"
        ]
    );
}

/// Parts that decompress to 30 MB from a file of a few tens of kilobytes (a 2 MB workbook
/// whose shared strings decompressed to 1.9 GB used to take 1.9 GB of memory): refused
/// from the sizes the zip declares, before anything is decompressed. The shared strings
/// hold 1 MB of `x`, and 29 copies of that part (compressed data copied as is, so that the
/// test does not spend seconds compressing) bring the total over 20 000 000.
#[test]
fn classeur_trop_comprime_refuse() {
    let t = tempfile::tempdir().unwrap();
    let mut sst = format!(r#"<sst xmlns="{ESPACE}"><si><t>id</t></si><si><t>"#).into_bytes();
    sst.resize(sst.len() + 1_000_000, b'x');
    sst.extend_from_slice(b"</t></si></sst>");
    let feuille = format!(
        r#"<worksheet xmlns="{ESPACE}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>"#
    );
    let mut z =
        zip::ZipWriter::new_append(std::io::Cursor::new(classeur(&feuille, Some(&sst), "")))
            .unwrap();
    for i in 1..30 {
        z.deep_copy_file("xl/sharedStrings.xml", &format!("xl/copies/{i}.xml"))
            .unwrap();
    }
    let o = z.finish().unwrap().into_inner();
    // total declared: every part's size, read back from the zip
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(&o)).unwrap();
    let total: u64 = (0..z.len())
        .map(|i| z.by_index_raw(i).unwrap().size())
        .sum();
    // 30 × (1 000 000 bytes of x and the XML around them) and the 5 other parts
    assert!(total > 30_000_000 && total < 30_010_000, "{total}");
    assert!(o.len() < 1_000_000, "{}", o.len());
    let d = dossier_classeur(t.path(), &o);
    let (code, err) = calculer(&d, &[]);
    assert_eq!(code, Some(1));
    let groupe = |n: usize| {
        let s = n.to_string();
        let mut r = String::new();
        for (i, c) in s.chars().enumerate() {
            if i > 0 && (s.len() - i).is_multiple_of(3) {
                r.push(' ');
            }
            r.push(c);
        }
        r
    };
    assert_eq!(
        err,
        [
            format!("erreur E074 : structures.xlsx : classeur trop comprimé : {} octets une fois décompressé pour un fichier de {} octets (maximum 20 fois la taille du fichier, ou 20 000 000 octets pour un petit fichier) (conseil : un classeur ordinaire se décompresse en moins de 10 fois sa taille : ouvrez-le dans Excel ou LibreOffice et enregistrez-le à nouveau, ou exportez la feuille en « CSV UTF-8 »)", groupe(total as usize), groupe(o.len())),
            "{dossier} : 1 erreur, 0 avertissement".to_string()
        ]
    );
}

/// One shared string of 2 MB referenced by every row: each reference copies it, so the
/// cells kept are bounded too (20 MB for a small file). Row k (k ≥ 2) brings the total to
/// (k − 1) × (2 000 000 + bookkeeping of a few tens of bytes) plus the header: over
/// 20 000 000 from k − 1 = 10, i.e. at row 11.
#[test]
fn texte_partage_repete_borne() {
    let t = tempfile::tempdir().unwrap();
    let mut sst = format!(r#"<sst xmlns="{ESPACE}"><si><t>id</t></si><si><t>"#).into_bytes();
    sst.resize(sst.len() + 2_000_000, b'y');
    sst.extend_from_slice(b"</t></si></sst>");
    let mut feuille = format!(
        r#"<worksheet xmlns="{ESPACE}"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row>"#
    );
    for r in 2..=1000 {
        feuille.push_str(&format!(
            r#"<row r="{r}"><c r="A{r}" t="s"><v>1</v></c></row>"#
        ));
    }
    feuille.push_str("</sheetData></worksheet>");
    let d = dossier_classeur(t.path(), &classeur(&feuille, Some(&sst), ""));
    let (code, err) = calculer(&d, &[]);
    assert_eq!(code, Some(1));
    assert_eq!(
        err,
        [
            "erreur E074 : structures.xlsx, cellule structures!A11 : feuille « structures » trop volumineuse une fois lue : plus de 20 000 000 octets de cellules (maximum 20 fois la taille du fichier, ou 20 000 000 octets pour un petit fichier) (conseil : un long texte est peut-être répété dans de nombreuses cellules : gardez seulement les colonnes utiles, ou exportez la feuille en « CSV UTF-8 »)",
            "{dossier} : 1 erreur, 0 avertissement"
        ]
    );
}
