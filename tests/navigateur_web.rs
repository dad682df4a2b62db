//! The web application in a real browser: headless Chromium driven by chromedriver (W3C
//! WebDriver protocol, spoken here over plain HTTP with serde_json). Uploads the Dugny
//! workbook made by `bonus-ctg modele --depuis fixtures/dugny`, reads the table, filters it,
//! opens a structure's explanation, runs a simulation, checks a notification, saves the
//! scenario under a name and reopens it, reads the journal of computations, and takes
//! screenshots at 1024 and 1400 px (kept in target/navigateur-web/ for a look; those of
//! the README, docs/images/web-*.png, are copies of them). Skipped with a message when
//! Chromium or chromedriver is missing, unless BONUS_CTG_OUTILS_REQUIS is set (.ci/run,
//! which installs them): then it fails.
//!
//! Figures (see tests/web.rs for the arithmetic): LAEP-LAPINOUS 4 666,67 €,
//! LAEP-BISOUNOURS 5 333,33 €; with LAEP-LAPINOUS at 400 h, 5 000,00 € each, differences
//! +333,33 € and −333,33 €.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn present(programme: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {programme} >/dev/null")])
        .status()
        .is_ok_and(|s| s.success())
}

fn absent(message: &str) {
    assert!(
        std::env::var_os("BONUS_CTG_OUTILS_REQUIS").is_none(),
        "{message} alors que BONUS_CTG_OUTILS_REQUIS est défini"
    );
    eprintln!("{message}");
}

/// A child process killed when dropped (a failed assertion leaves nothing running).
struct Processus(Child);

impl Drop for Processus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One HTTP/1.1 request with a JSON body; the JSON answer.
fn http(adresse: &str, methode: &str, chemin: &str, corps: Option<&Value>) -> Value {
    let corps = corps.map(|c| c.to_string()).unwrap_or_default();
    let mut s = TcpStream::connect(adresse).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(120))).unwrap();
    write!(
        s,
        "{methode} {chemin} HTTP/1.1\r\nHost: {adresse}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{corps}",
        corps.len()
    )
    .unwrap();
    // read until the announced length (chromedriver may keep the connection open)
    let mut o = Vec::new();
    let mut tampon = [0u8; 65536];
    let (i, entetes) = loop {
        let n = s.read(&mut tampon).unwrap();
        assert!(n > 0, "réponse incomplète de {adresse}{chemin}");
        o.extend_from_slice(&tampon[..n]);
        if let Some(i) = o.windows(4).position(|w| w == b"\r\n\r\n") {
            break (i, String::from_utf8_lossy(&o[..i]).to_lowercase());
        }
    };
    let longueur = entetes
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map(|v| v.trim().parse::<usize>().unwrap());
    let fin_chunked = |o: &[u8]| o[i + 4..].windows(5).any(|w| w == b"0\r\n\r\n");
    loop {
        let complet = match longueur {
            Some(l) => o.len() >= i + 4 + l,
            None => fin_chunked(&o),
        };
        if complet {
            break;
        }
        let n = s.read(&mut tampon).unwrap();
        if n == 0 {
            break;
        }
        o.extend_from_slice(&tampon[..n]);
    }
    let mut c = o[i + 4..].to_vec();
    if entetes.contains("transfer-encoding: chunked") {
        let mut d = Vec::new();
        let mut reste = &c[..];
        loop {
            let j = reste.windows(2).position(|w| w == b"\r\n").unwrap();
            let n = usize::from_str_radix(std::str::from_utf8(&reste[..j]).unwrap().trim(), 16)
                .unwrap();
            if n == 0 {
                break;
            }
            d.extend_from_slice(&reste[j + 2..j + 2 + n]);
            reste = &reste[j + 2 + n + 2..];
        }
        c = d;
    }
    serde_json::from_slice(&c).unwrap_or(Value::Null)
}

struct Session {
    pilote: String,
    id: String,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Session {
    fn cmd(&self, methode: &str, chemin: &str, corps: Option<Value>) -> Value {
        let v = http(
            &self.pilote,
            methode,
            &format!("/session/{}{chemin}", self.id),
            corps.as_ref(),
        );
        if let Some(e) = v["value"]["error"].as_str() {
            panic!(
                "chromedriver {methode} {chemin} : {e} : {}",
                v["value"]["message"]
            );
        }
        v["value"].clone()
    }
    fn aller(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url })));
    }
    fn url(&self) -> String {
        self.cmd("GET", "/url", None).as_str().unwrap().to_string()
    }
    fn element(&self, css: &str) -> String {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT].as_str().unwrap().to_string()
    }
    fn cliquer(&self, css: &str) {
        let e = self.element(css);
        self.cmd("POST", &format!("/element/{e}/click"), Some(json!({})));
    }
    fn taper(&self, css: &str, texte: &str) {
        let e = self.element(css);
        self.cmd(
            "POST",
            &format!("/element/{e}/value"),
            Some(json!({ "text": texte })),
        );
    }
    fn vider(&self, css: &str) {
        let e = self.element(css);
        self.cmd("POST", &format!("/element/{e}/clear"), Some(json!({})));
    }
    fn script(&self, js: &str) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": js, "args": []})),
        )
    }
    /// Waits (10 s at most) until the script returns true.
    fn attendre(&self, js: &str, quoi: &str) {
        let debut = Instant::now();
        while debut.elapsed() < Duration::from_secs(10) {
            if self.script(js) == Value::Bool(true) {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("attente dépassée : {quoi}");
    }
    fn capture(&self, largeur: u32, hauteur: u32, fichier: &Path) {
        self.cmd(
            "POST",
            "/window/rect",
            Some(json!({"width": largeur, "height": hauteur})),
        );
        std::thread::sleep(Duration::from_millis(300));
        let b64 = self.cmd("GET", "/screenshot", None);
        let png = base64(b64.as_str().unwrap());
        assert!(png.starts_with(b"\x89PNG"));
        std::fs::write(fichier, png).unwrap();
    }
    /// Bonus (cents) of each row of the structure table.
    fn bonus(&self, table: &str) -> Vec<(String, i64)> {
        let v = self.script(&format!(
            "return Array.from(document.querySelectorAll('#{table} tbody tr[data-id]')).map(function (tr) {{ var c = tr.querySelector('td.bonus'); return [tr.getAttribute('data-id'), c ? Number(c.getAttribute('data-centimes')) : null, tr.hidden]; }});"
        ));
        v.as_array()
            .unwrap()
            .iter()
            .filter(|x| x[2] == Value::Bool(false))
            .map(|x| {
                (
                    x[0].as_str().unwrap().to_string(),
                    x[1].as_i64().unwrap_or(-1),
                )
            })
            .collect()
    }
}

fn base64(s: &str) -> Vec<u8> {
    let val = |c: u8| match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'+' => 62,
        _ => 63,
    };
    let mut o = Vec::new();
    let octets: Vec<u8> = s
        .bytes()
        .filter(|b| *b != b'=' && !b.is_ascii_whitespace())
        .collect();
    for bloc in octets.chunks(4) {
        let mut n: u32 = 0;
        for (i, b) in bloc.iter().enumerate() {
            n |= u32::from(val(*b)) << (18 - 6 * i);
        }
        for i in 0..bloc.len().saturating_sub(1) {
            o.push((n >> (16 - 8 * i)) as u8);
        }
    }
    o
}

fn port_libre() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn application_web_dans_chromium() {
    let chromium = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|p| present(p));
    let (Some(chromium), true) = (chromium, present("chromedriver")) else {
        absent("chromium ou chromedriver absent (paquets chromium et chromium-driver) : test de l'application web dans un navigateur non lancé");
        return;
    };
    let racine = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let captures = racine.join("target/navigateur-web");
    std::fs::create_dir_all(&captures).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_bonus-ctg");

    // the Dugny workbook dossier
    let classeur = tmp.path().join("ctg-dugny.xlsx");
    let o = Command::new(bin)
        .args([
            "modele",
            classeur.to_str().unwrap(),
            "--depuis",
            "fixtures/dugny",
        ])
        .current_dir(&racine)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    // the server, on a free port
    let mut serveur = Processus(
        Command::new(bin)
            .args(["serveur", "--adresse", "127.0.0.1:0"])
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut ligne = String::new();
    BufReader::new(serveur.0.stderr.take().unwrap())
        .read_line(&mut ligne)
        .unwrap();
    let base = ligne
        .split_whitespace()
        .find(|m| m.starts_with("http://"))
        .unwrap()
        .trim_end_matches('/')
        .to_string();

    // chromedriver
    let port = port_libre();
    let pilote = format!("127.0.0.1:{port}");
    let _chromedriver = Processus(
        Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let debut = Instant::now();
    loop {
        if TcpStream::connect(&pilote).is_ok()
            && http(&pilote, "GET", "/status", None)["value"]["ready"] == Value::Bool(true)
        {
            break;
        }
        assert!(
            debut.elapsed() < Duration::from_secs(20),
            "chromedriver ne répond pas"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let binaire = Command::new("sh")
        .args(["-c", &format!("readlink -f \"$(command -v {chromium})\"")])
        .output()
        .unwrap();
    let binaire = String::from_utf8_lossy(&binaire.stdout).trim().to_string();
    let profil = tmp.path().join("profil");
    let v = http(
        &pilote,
        "POST",
        "/session",
        Some(&json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": binaire,
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                         "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-extensions",
                         "--disable-dev-shm-usage", "--lang=fr-FR", "--window-size=1400,1000",
                         format!("--user-data-dir={}", profil.display())]
            }
        }}})),
    );
    let id = v["value"]["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("session chromedriver refusée : {v}"))
        .to_string();
    let s = Session { pilote, id };
    // the Dijon workbook, for a crèche's explanation page
    let dijon = tmp.path().join("ctg-dijon.xlsx");
    let o = Command::new(bin)
        .args([
            "modele",
            dijon.to_str().unwrap(),
            "--depuis",
            "fixtures/dijon-2024",
        ])
        .current_dir(&racine)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // Dugny zipped, LAEP-LAPINOUS renamed `..` (a path segment a browser would resolve)
    let points = tmp.path().join("dugny-points.zip");
    std::fs::write(&points, zip_points(&racine)).unwrap();
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parcours(&s, &base, &classeur, &captures);
        explication_dijon(&s, &base, &dijon, &captures);
        identifiant_deux_points(&s, &base, &points);
    }));
    http(&s.pilote, "DELETE", &format!("/session/{}", s.id), None);
    if let Err(e) = r {
        std::panic::resume_unwind(e);
    }
}

fn parcours(s: &Session, base: &str, classeur: &Path, captures: &Path) {
    // Accueil: upload the workbook
    s.aller(&format!("{base}/"));
    s.attendre(
        "return document.title.indexOf('Accueil') === 0;",
        "page d'accueil",
    );
    s.capture(1024, 900, &captures.join("accueil-1024.png"));
    s.taper("#fichier", classeur.to_str().unwrap());
    s.cliquer("#form-depot button[type=submit]");
    s.attendre(
        "return location.pathname.indexOf('/d/') === 0 && !!document.getElementById('structures');",
        "page Résultat",
    );
    let url = s.url();
    let dossier = url.trim_end_matches('/').to_string();

    // the table
    let lignes = s.bonus("structures");
    assert_eq!(lignes.len(), 11, "{lignes:?}");
    let de = |l: &[(String, i64)], id: &str| l.iter().find(|x| x.0 == id).map(|x| x.1);
    assert_eq!(de(&lignes, "LAEP-LAPINOUS"), Some(466_667));
    assert_eq!(de(&lignes, "LAEP-BISOUNOURS"), Some(533_333));
    let texte = s.script("return document.querySelector('#structures tr[data-id=\"LAEP-LAPINOUS\"] td.bonus').textContent;");
    assert_eq!(texte, json!("4\u{202f}666,67\u{a0}€"));
    // the report's charts are drawn (SVG with a real size)
    let svg = s.script("var g = document.querySelector('#bonus-par-volet svg'); return g ? g.getBoundingClientRect().width : 0;");
    assert!(svg.as_f64().unwrap() > 300.0, "{svg}");
    s.capture(1400, 1800, &captures.join("resultat-1400.png"));
    s.capture(1024, 1800, &captures.join("resultat-1024.png"));
    // nothing wider than the window at 1024 px (wide tables scroll inside their box)
    assert_eq!(
        s.script("return document.documentElement.scrollWidth <= window.innerWidth;"),
        json!(true)
    );

    // filter without reloading (JavaScript): volet LAEP
    s.script("var v = document.querySelector('#filtres select[name=volet]'); v.value = 'LAEP'; v.dispatchEvent(new Event('change', {bubbles: true})); return true;");
    let lignes = s.bonus("structures");
    assert_eq!(lignes.len(), 2, "{lignes:?}");
    assert_eq!(
        s.script("return document.getElementById('compte').textContent;"),
        json!("2 structures affichées sur 11.")
    );
    assert!(s.url().ends_with("?volet=LAEP"), "{}", s.url());

    // click a structure: its explanation in the side panel
    s.cliquer("#structures tr[data-id=\"LAEP-LAPINOUS\"] a.expliquer");
    s.attendre(
        "var p = document.getElementById('panneau'); return !p.hidden && !!p.querySelector('.explication-arbre');",
        "panneau d'explication",
    );
    let explication =
        s.script("return document.querySelector('#panneau .explication-arbre').textContent;");
    assert!(
        explication.as_str().unwrap().contains("4\u{202f}666,67"),
        "{explication}"
    );
    s.capture(1400, 1000, &captures.join("explication-1400.png"));
    s.capture(1024, 1000, &captures.join("explication-1024.png"));
    s.cliquer("#panneau .fermer");
    s.attendre(
        "return document.getElementById('panneau').hidden;",
        "panneau fermé",
    );

    // simulation: LAEP-LAPINOUS at 400 h
    s.aller(&format!(
        "{}/simulation",
        dossier.split('?').next().unwrap()
    ));
    s.attendre(
        "return !!document.getElementById('simulation');",
        "page Simulation",
    );
    s.vider("input[name=\"u.3\"]");
    s.taper("input[name=\"u.3\"]", "400");
    s.cliquer("#form-simulation button.principal");
    s.attendre(
        "var c = document.querySelector('#simulation tr[data-id=\"LAEP-LAPINOUS\"] td.bonus'); return !!c && c.getAttribute('data-centimes') === '500000';",
        "recalcul de la simulation",
    );
    let lignes = s.bonus("simulation");
    assert_eq!(de(&lignes, "LAEP-LAPINOUS"), Some(500_000));
    assert_eq!(de(&lignes, "LAEP-BISOUNOURS"), Some(500_000));
    let ecart = |id: &str| {
        s.script(&format!(
            "return document.querySelector('#simulation tr[data-id=\"{id}\"] td.ecart').textContent;"
        ))
    };
    assert_eq!(ecart("LAEP-LAPINOUS"), json!("+333,33\u{a0}€"));
    assert_eq!(ecart("LAEP-BISOUNOURS"), json!("−333,33\u{a0}€"));
    assert_eq!(
        s.script("return document.querySelector('.actions span').textContent;"),
        json!("1 étape de modification.")
    );
    s.script("window.scrollTo(0, 0); return true;");
    s.capture(1400, 1600, &captures.join("simulation-1400.png"));
    s.capture(1024, 1600, &captures.join("simulation-1024.png"));
    assert_eq!(
        s.script("return document.documentElement.scrollWidth <= window.innerWidth;"),
        json!(true)
    );
    // undo
    s.cliquer("form[action$=\"/simulation/annuler\"] button");
    s.attendre(
        "var c = document.querySelector('#simulation tr[data-id=\"LAEP-LAPINOUS\"] td.bonus'); return !!c && c.getAttribute('data-centimes') === '466667';",
        "annulation",
    );

    // vérifier: LAPINOUS notified right, BISOUNOURS 5 000,00 instead of 5 333,33
    let notification = classeur.with_file_name("notification.csv");
    std::fs::write(
        &notification,
        "id;montant\nLAEP-LAPINOUS;4 666,67\nLAEP-BISOUNOURS;5 000,00\n",
    )
    .unwrap();
    s.aller(&format!("{}/verifier", dossier.split('?').next().unwrap()));
    s.attendre(
        "return !!document.getElementById('notification');",
        "page Vérifier",
    );
    s.taper("#notification", notification.to_str().unwrap());
    s.cliquer("#form-verifier button[value=html]");
    s.attendre(
        "return !!document.getElementById('bilan');",
        "résultat de la vérification",
    );
    let ecart = s.script("var tr = Array.from(document.querySelectorAll('#verification tr')).find(function (t) { return t.textContent.indexOf('LAEP-BISOUNOURS') >= 0; }); return tr.getAttribute('data-statut') + ' ' + tr.children[4].textContent;");
    assert_eq!(ecart, json!("Ecart −333,33\u{a0}€"));
    s.capture(1024, 1200, &captures.join("verifier-1024.png"));
    assert_eq!(
        s.script("return document.documentElement.scrollWidth <= window.innerWidth;"),
        json!(true)
    );

    // projection: the years chart of the multi-year report
    s.aller(&format!(
        "{}/projection",
        dossier.split('?').next().unwrap()
    ));
    s.attendre(
        "return !!document.querySelector('.rapport svg');",
        "page Projection",
    );
    s.capture(1024, 1400, &captures.join("projection-1024.png"));
    s.capture(1400, 1400, &captures.join("projection-1400.png"));

    // barème
    let d = dossier.split('?').next().unwrap().to_string();
    s.aller(&format!("{d}/bareme"));
    s.attendre(
        "return document.title.indexOf('Barème') === 0;",
        "page Barème",
    );
    s.capture(1400, 1400, &captures.join("bareme-1400.png"));

    // a scenario saved under a name, listed, reopened
    s.aller(&format!("{d}/simulation"));
    s.attendre(
        "return !!document.getElementById('simulation');",
        "page Simulation",
    );
    s.vider("input[name=\"u.3\"]");
    s.taper("input[name=\"u.3\"]", "400");
    s.cliquer("#form-simulation button.principal");
    s.attendre(
        "var c = document.querySelector('#simulation tr[data-id=\"LAEP-LAPINOUS\"] td.bonus'); return !!c && c.getAttribute('data-centimes') === '500000';",
        "recalcul de la simulation",
    );
    s.taper("#nom-scenario", "LAEP Lapinous à 400 heures");
    s.cliquer("form.enregistrer-scenario button");
    s.attendre(
        "return location.pathname.indexOf('/scenarios/') === 0;",
        "scénario enregistré",
    );
    s.aller(&format!("{base}/scenarios"));
    s.attendre(
        "return document.title.indexOf('Scénarios') === 0;",
        "page Scénarios",
    );
    assert_eq!(
        s.script("return document.querySelectorAll('table.scenarios tbody tr').length;"),
        json!(1)
    );
    s.capture(1400, 700, &captures.join("scenarios-1400.png"));
    s.cliquer("table.scenarios form button");
    s.attendre(
        "var c = document.querySelector('#simulation tr[data-id=\"LAEP-LAPINOUS\"] td.bonus'); return !!c && c.getAttribute('data-centimes') === '500000' && location.pathname.indexOf('/d/') === 0;",
        "scénario rouvert",
    );
    assert!(!s.url().starts_with(&d), "{}", s.url());

    // the journal: dépôt, simulation steps, reopened scenario (newest first)
    s.aller(&format!("{base}/journal"));
    s.attendre(
        "return document.title.indexOf('Journal') === 0;",
        "page Journal",
    );
    let origines = s.script(
        "return Array.from(document.querySelectorAll('table.journal tbody tr')).map(function (tr) { return tr.children[2].textContent; });",
    );
    assert_eq!(
        origines,
        json!([
            "scénario rouvert",
            "simulation",
            "simulation",
            "simulation",
            "dépôt"
        ])
    );
    s.capture(1400, 700, &captures.join("journal-1400.png"));
    assert_eq!(
        s.script("return document.documentElement.scrollWidth <= window.innerWidth;"),
        json!(true)
    );
}

/// The explanation page of a Dijon crèche: the calculation's tree, one section per figure,
/// with the rule ids, the formulas with their values and the amounts. EAJE-TARNIER (figures
/// of tests/instantanes.rs): m = 1 301 846,37 € / 1 033 places = 1 260,257861 € ;
/// s_i = m × 30 × 9 / 12 = 28 355,801864 € ; paid 28 355,80 € (no remainder cent, rank 23
/// of 13) ; contribution 112 500 − 28 355,80 = 84 144,20 €.
fn explication_dijon(s: &Session, base: &str, classeur: &Path, captures: &Path) {
    s.aller(&format!("{base}/"));
    s.attendre(
        "return document.title.indexOf('Accueil') === 0;",
        "page d'accueil",
    );
    s.taper("#fichier", classeur.to_str().unwrap());
    s.cliquer("#form-depot button[type=submit]");
    s.attendre(
        "return location.pathname.indexOf('/d/') === 0 && !!document.getElementById('structures');",
        "page Résultat de Dijon",
    );
    let dossier = s
        .url()
        .split('?')
        .next()
        .unwrap()
        .trim_end_matches('/')
        .to_string();
    s.aller(&format!("{dossier}/structure/EAJE-TARNIER"));
    s.attendre(
        "return !!document.querySelector('#explication .explication-arbre');",
        "page d'explication",
    );
    // one section per figure, each with its heading
    let titres = s.script(
        "return Array.from(document.querySelectorAll('#explication section.figure > h2')).map(function (h) { return h.textContent; });",
    );
    let titres: Vec<String> = titres
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().replace('\u{202f}', " "))
        .collect();
    assert_eq!(titres.len(), 5, "{titres:?}");
    assert!(
        titres[0].starts_with("1. Éligibilité : éligible au bonus territoire (R15)"),
        "{titres:?}"
    );
    assert!(
        titres[1].starts_with(
            "2. lissage = plancher_part + centime_reste = 28 355,80 € + 0,00 € = 28 355,80 €"
        ),
        "{titres:?}"
    );
    // a node: rule, formula with its values, amount
    let noeud = |id: &str| {
        s.script(&format!(
            "var n = document.querySelector('#explication li[data-id=\"{id}\"] > p.noeud'); return n ? [n.parentNode.getAttribute('data-regle'), n.textContent] : null;"
        ))
    };
    for (id, regle, attendu) in [
        (
            "m",
            "R16",
            "m = A / U = 1 301 846,37 € / 1 033,00 = 1 260,257861 €",
        ),
        (
            "s_i",
            "R16",
            "s_i = m_eff × u_i × mo_i / 12 = 1 260,257861 € × 30,00 × 9 / 12 = 28 355,801864 €",
        ),
        ("rang_reste", "R9", "rang_reste = 23"),
        (
            "c_ref",
            "R65",
            "c_ref = contribution_ref × mo / mois_ref = 150 000,00 € × 9 / 12 = 112 500,00 €",
        ),
        ("contribution", "R65", "= 84 144,20 €"),
    ] {
        let v = noeud(id);
        assert_eq!(v[0], json!(regle), "{id} : {v}");
        let t = v[1].as_str().unwrap().replace('\u{202f}', " ");
        assert!(t.contains(attendu), "{id} : {t}");
    }
    // the barème values read, with their date and status
    let bareme =
        s.script("return document.querySelector('#explication ul.parametres').textContent;");
    assert!(
        bareme
            .as_str()
            .unwrap()
            .contains("en vigueur depuis le 1er janvier 2020 ; statut : confirmé"),
        "{bareme}"
    );
    s.capture(1400, 1400, &captures.join("explication-dijon-1400.png"));
    s.capture(1024, 1400, &captures.join("explication-dijon-1024.png"));
    assert_eq!(
        s.script("return document.documentElement.scrollWidth <= window.innerWidth;"),
        json!(true)
    );
    // a rule's tag leads to its statement on the rules page
    s.cliquer("#explication li[data-id=\"m\"] > p.noeud .regle a");
    s.attendre(
        "return location.pathname === '/regles' && location.hash === '#R16';",
        "page Règles, à la règle R16",
    );
    let titre = s.script(
        "var h = document.getElementById('R16'); var r = h.getBoundingClientRect(); return [h.textContent, r.top >= 0 && r.top < window.innerHeight];",
    );
    assert_eq!(titre, json!(["R16. Lissage des unités existantes", true]));
    s.capture(1024, 900, &captures.join("regles-r16-1024.png"));
    assert_eq!(
        s.script("return document.documentElement.scrollWidth <= window.innerWidth;"),
        json!(true)
    );
}

/// Dugny as a zip, the structure LAEP-LAPINOUS renamed `..`.
fn zip_points(racine: &Path) -> Vec<u8> {
    use std::io::Write;
    let f = |n: &str| std::fs::read(racine.join("fixtures/dugny").join(n)).unwrap();
    let structures = String::from_utf8(f("structures.csv"))
        .unwrap()
        .replace("\nLAEP-LAPINOUS,", "\n..,");
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default();
    for (nom, octets) in [
        ("convention.toml", f("convention.toml")),
        ("structures.csv", structures.into_bytes()),
        ("charges_n1.csv", f("charges_n1.csv")),
    ] {
        z.start_file(nom, o).unwrap();
        z.write_all(&octets).unwrap();
    }
    z.finish().unwrap().into_inner()
}

/// A structure whose id is `..`: its link (clicked: side panel; followed: its page) reaches
/// its explanation, 10 000 € / 750 h × 350 h = 4 666,67 €, and not the folder above.
fn identifiant_deux_points(s: &Session, base: &str, zip: &Path) {
    s.aller(&format!("{base}/"));
    s.attendre(
        "return document.title.indexOf('Accueil') === 0;",
        "page d'accueil",
    );
    s.taper("#fichier", zip.to_str().unwrap());
    s.cliquer("#form-depot button[type=submit]");
    s.attendre(
        "return location.pathname.indexOf('/d/') === 0 && !!document.getElementById('structures');",
        "page Résultat du dossier zippé",
    );
    s.cliquer("#structures tr[data-id=\"..\"] a.expliquer");
    s.attendre(
        "var p = document.getElementById('panneau'); return !p.hidden && !!p.querySelector('.explication-arbre');",
        "panneau d'explication de « .. »",
    );
    let texte =
        s.script("return document.querySelector('#panneau .explication-arbre').textContent;");
    assert!(
        texte.as_str().unwrap().contains("4\u{202f}666,67"),
        "{texte}"
    );
    let lien = s.script(
        "return document.querySelector('#structures tr[data-id=\"..\"] a.expliquer').href;",
    );
    s.aller(lien.as_str().unwrap());
    s.attendre(
        "return !!document.querySelector('#explication .explication-arbre');",
        "page d'explication de « .. »",
    );
    let titre = s.script("return document.querySelector('#explication').textContent;");
    assert!(titre.as_str().unwrap().contains("Laep Lapinous"), "{titre}");
}
