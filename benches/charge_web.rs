//! Load bench of the web application, `cargo bench --bench charge_web` (not a test):
//! the server of `bonus-ctg serveur` (in this process, defaults: in memory, as many
//! computations at once as cores, the others waiting their turn) on 127.0.0.1, and 50
//! clients, each on its own keep-alive connection, posting over and over a department-size
//! dossier (one CTG of 300 collectivités and 3 000 structures, made by the library's
//! generator, seed 1, zipped) to `POST /api/calculer` for 30 s. Every answer must be `200`
//! with the 3 000 structures; prints the latency (p50, p90, p99, max), the throughput and
//! the errors (none expected: the process exits 1 otherwise).
//!
//! Environment: `BONUS_CTG_CHARGE_SECONDES` (default 30), `BONUS_CTG_CHARGE_CLIENTS`
//! (default 50). A quick run: `BONUS_CTG_CHARGE_SECONDES=3 cargo bench --bench charge_web`.

use bonus_ctg::generation::{self, Parametres};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

fn env_ou(nom: &str, defaut: u64) -> u64 {
    std::env::var(nom)
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(defaut)
}

/// The generated dossier as a `.zip` of its folder.
fn dossier_zip() -> (Vec<u8>, usize) {
    let d = generation::generer(&Parametres {
        collectivites: 300,
        structures: 3_000,
        graine: 1,
        dossiers: Some(1),
    })
    .expect("génération")
    .remove(0);
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut fichiers = vec![
        ("convention.toml", d.fichiers.convention.clone()),
        ("structures.csv", d.fichiers.structures.clone()),
        ("charges_n1.csv", d.fichiers.charges.clone()),
    ];
    if let Some((_, b)) = &d.fichiers.bareme {
        fichiers.push(("bareme.toml", b.clone()));
    }
    for (nom, texte) in fichiers {
        z.start_file(nom, o).expect("zip");
        z.write_all(texte.as_bytes()).expect("zip");
    }
    (z.finish().expect("zip").into_inner(), d.structures)
}

/// The multipart request, once.
fn requete(zip: &[u8]) -> Vec<u8> {
    let limite = "----limiteChargeWeb";
    let mut corps = format!(
        "--{limite}\r\nContent-Disposition: form-data; name=\"dossier\"; filename=\"departement.zip\"\r\nContent-Type: application/zip\r\n\r\n"
    )
    .into_bytes();
    corps.extend_from_slice(zip);
    corps.extend_from_slice(format!("\r\n--{limite}--\r\n").as_bytes());
    let mut r = format!(
        "POST /api/calculer HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary={limite}\r\nContent-Length: {}\r\n\r\n",
        corps.len()
    )
    .into_bytes();
    r.extend_from_slice(&corps);
    r
}

/// One answer on a keep-alive connection: (status, body).
fn lire_reponse(l: &mut BufReader<TcpStream>) -> std::io::Result<(u16, Vec<u8>)> {
    let mut ligne = String::new();
    l.read_line(&mut ligne)?;
    let statut: u16 = ligne.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    let mut longueur = 0usize;
    loop {
        ligne.clear();
        if l.read_line(&mut ligne)? == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        let t = ligne.trim_end();
        if t.is_empty() {
            break;
        }
        if let Some((k, v)) = t.split_once(':') {
            if k.eq_ignore_ascii_case("content-length") {
                longueur = v.trim().parse().unwrap_or(0);
            }
        }
    }
    let mut corps = vec![0; longueur];
    l.read_exact(&mut corps)?;
    Ok((statut, corps))
}

struct Bilan {
    latences: Vec<Duration>,
    erreurs: Vec<String>,
}

fn client(adresse: SocketAddr, req: &[u8], fin: Instant) -> Bilan {
    let mut b = Bilan {
        latences: Vec::new(),
        erreurs: Vec::new(),
    };
    let mut connexion: Option<(TcpStream, BufReader<TcpStream>)> = None;
    while Instant::now() < fin {
        if connexion.is_none() {
            match TcpStream::connect(adresse) {
                Ok(s) => {
                    let _ = s.set_nodelay(true);
                    let l = BufReader::new(s.try_clone().expect("socket"));
                    connexion = Some((s, l));
                }
                Err(e) => {
                    b.erreurs.push(format!("connexion : {e}"));
                    continue;
                }
            }
        }
        let (s, l) = connexion.as_mut().expect("connexion");
        let debut = Instant::now();
        let r = s.write_all(req).and_then(|()| lire_reponse(l));
        let duree = debut.elapsed();
        match r {
            Ok((200, _)) => b.latences.push(duree),
            Ok((statut, corps)) => {
                b.erreurs.push(format!(
                    "statut {statut} : {}",
                    String::from_utf8_lossy(&corps[..corps.len().min(300)])
                ));
            }
            Err(e) => {
                b.erreurs.push(format!("échange : {e}"));
                connexion = None;
            }
        }
    }
    b
}

fn centile(v: &[Duration], p: usize) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    // nearest-rank: the smallest value with at least p % of the values at or below it
    let rang = (p * v.len()).div_ceil(100).max(1);
    v[rang - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn main() {
    // `cargo bench` passes `--bench`; in test mode (`cargo test --all-targets`) do nothing:
    // the load is not a test
    if !std::env::args().any(|a| a == "--bench") {
        println!("banc de charge web : lancez-le avec `cargo bench --bench charge_web`");
        return;
    }
    let secondes = env_ou("BONUS_CTG_CHARGE_SECONDES", 30);
    let clients = env_ou("BONUS_CTG_CHARGE_CLIENTS", 50) as usize;
    let (zip, structures) = dossier_zip();
    let req = requete(&zip);

    // the server, on its own runtime (as `bonus-ctg serveur` builds it)
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let app = bonus_ctg::web::application(None).expect("application");
            let ecoute = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            tx.send(ecoute.local_addr().expect("adresse"))
                .expect("canal");
            axum::serve(ecoute, app).await.expect("serveur");
        });
    });
    let adresse = rx.recv().expect("adresse du serveur");

    // one request first: the answer is the calculation of the 3 000 structures
    let mut s = TcpStream::connect(adresse).expect("connexion");
    s.write_all(&req).expect("envoi");
    let mut l = BufReader::new(s.try_clone().expect("socket"));
    let t0 = Instant::now();
    let (statut, corps) = lire_reponse(&mut l).expect("réponse");
    let seule = t0.elapsed();
    assert_eq!(statut, 200, "{}", String::from_utf8_lossy(&corps));
    let json: serde_json::Value = serde_json::from_slice(&corps).expect("JSON");
    let n = json["structures"].as_array().map_or(0, Vec::len);
    assert_eq!(n, structures, "structures dans la réponse");
    drop((s, l));

    println!(
        "charge_web : {clients} clients, {secondes} s, POST /api/calculer d'un dossier de {structures} structures (zip de {} octets, réponse JSON de {} octets) ; {} cœurs ; une requête seule : {}",
        zip.len(),
        corps.len(),
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        ms(seule)
    );
    let debut = Instant::now();
    let fin = debut + Duration::from_secs(secondes);
    let req = std::sync::Arc::new(req);
    let fils: Vec<_> = (0..clients)
        .map(|_| {
            let req = req.clone();
            std::thread::spawn(move || client(adresse, &req, fin))
        })
        .collect();
    let mut latences = Vec::new();
    let mut erreurs = Vec::new();
    for f in fils {
        let b = f.join().expect("client");
        latences.extend(b.latences);
        erreurs.extend(b.erreurs);
    }
    let duree = debut.elapsed();
    latences.sort();
    println!(
        "requêtes réussies : {} en {:.1} s, débit {:.1} requêtes/s ({:.0} structures/s)",
        latences.len(),
        duree.as_secs_f64(),
        latences.len() as f64 / duree.as_secs_f64(),
        (latences.len() * structures) as f64 / duree.as_secs_f64()
    );
    println!(
        "latence : p50 {}, p90 {}, p99 {}, max {}",
        ms(centile(&latences, 50)),
        ms(centile(&latences, 90)),
        ms(centile(&latences, 99)),
        ms(latences.last().copied().unwrap_or_default())
    );
    println!("erreurs : {}", erreurs.len());
    for e in erreurs.iter().take(10) {
        println!("  {e}");
    }
    if !erreurs.is_empty() || latences.is_empty() {
        std::process::exit(1);
    }
}
