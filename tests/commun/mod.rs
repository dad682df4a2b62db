//! Shared helpers of the integration tests: build a dossier from texts, run the pipeline.
#![allow(dead_code)]

use bonus_ctg::calcul::{GroupeVolet, LigneStructure, Resultat};
use bonus_ctg::diagnostic::Diagnostics;
use bonus_ctg::lecture::{analyser_dossier, Fichiers};

pub const ENTETE_STRUCTURES: &str = "id;annexe;type;nom;gestionnaire;collectivite;financement;soutien_collectivite;unites_existantes;unites_nouvelles;unites_employeurs;mois_ouverture;contribution_collectivite_n1;bonus_n1";

/// A convention with the given `[[collectivites]]` blocks, exercice 2025.
pub fn convention(collectivites: &str) -> String {
    format!(
        "nom = \"CTG test\"\ncaf = \"Caf test\"\ndebut = 2024-01-01\nfin = 2027-12-31\nexercice = 2025\n{collectivites}"
    )
}

pub const VILLE: &str = "[[collectivites]]\nid = \"VILLE\"\ntranche = 2\n";

/// Runs the whole pure pipeline (parse → validate → compute) on texts.
pub fn calculer(
    conv: &str,
    structures: &str,
    charges: &str,
    bareme: Option<&str>,
) -> Result<(Resultat, Diagnostics), Diagnostics> {
    let f = Fichiers {
        convention: conv.to_string(),
        structures: structures.to_string(),
        charges: charges.to_string(),
        bareme: bareme.map(|b| ("bareme.toml".to_string(), b.to_string())),
    };
    let mut d = Diagnostics::default();
    let lu = analyser_dossier(&f, &mut d).ok_or(d)?;
    bonus_ctg::traiter(&lu, None, "bareme.toml")
}

pub fn ok(conv: &str, structures: &str, charges: &str, bareme: Option<&str>) -> Resultat {
    match calculer(conv, structures, charges, bareme) {
        Ok((r, _)) => r,
        Err(d) => panic!("dossier refusé : {:#?}", d),
    }
}

pub fn ligne<'a>(r: &'a Resultat, id: &str) -> &'a LigneStructure {
    r.structure(id)
        .unwrap_or_else(|| panic!("structure {id} absente"))
}

pub fn groupe<'a>(r: &'a Resultat, c: &str, v: &str) -> &'a GroupeVolet {
    r.groupe(c, v)
        .unwrap_or_else(|| panic!("groupe ({c}, {v}) absent"))
}

/// Cents of a line's paid lissage, new units and total.
pub fn verse(r: &Resultat, id: &str) -> (i64, i64, i64) {
    let l = ligne(r, id);
    (l.bonus_lissage.0, l.bonus_nouvelles.0, l.bonus_total.0)
}

/// `bonus-ctg calculer DOSSIER --profil rfc4180 ARGS` as the independent oracle prints it
/// (scripts/oracle.py): the structure table, an empty line, the reconciliation table, then
/// `TOTAL_CAF,<amount>`. The project writes one table per CSV file (`--table`); this puts
/// the three back together for the byte-for-byte comparison. Returns the first run's
/// output (status, stdout combined when it succeeded, stderr).
pub fn csv_comme_l_oracle(
    dossier: &std::path::Path,
    args: &[String],
) -> (std::process::ExitStatus, Vec<u8>, Vec<u8>) {
    let lancer = |table: &str| {
        assert_cmd::Command::cargo_bin("bonus-ctg")
            .unwrap()
            .arg("calculer")
            .arg(dossier)
            .args(["--format", "csv", "--profil", "rfc4180", "--table", table])
            .args(args)
            .output()
            .unwrap()
    };
    let s = lancer("structures");
    if !s.status.success() {
        return (s.status, s.stdout, s.stderr);
    }
    let mut o = s.stdout.clone();
    o.push(b'\n');
    o.extend(lancer("rapprochement").stdout);
    let totaux = String::from_utf8(lancer("totaux").stdout).unwrap();
    let caf = totaux
        .lines()
        .find_map(|l| l.strip_prefix("verse_caf,"))
        .expect("ligne verse_caf de la table totaux");
    o.extend(format!("TOTAL_CAF,{caf}\n").bytes());
    (s.status, o, s.stderr)
}
