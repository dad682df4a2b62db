//! Writes the seed workbooks of the `lecture_xlsx` fuzz target into a folder (used by
//! `scripts/fuzz.sh`): the workbooks of the cases of `tests/entrees/cas.toml`, each as
//! `NOM.xlsx`.
//!
//! `cargo run --example graines_xlsx -- DOSSIER`

#[path = "../tests/entrees/classeurs.rs"]
mod classeurs;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("utilisation : cargo run --example graines_xlsx -- DOSSIER");
        return ExitCode::from(2);
    };
    let ecrire = || -> std::io::Result<()> {
        std::fs::create_dir_all(&dir)?;
        for nom in classeurs::GRAINES_FUZZ {
            // each case workbook is written as structures.xlsx in a folder of its own
            let tmp = dir.join(format!(".graine-{nom}"));
            std::fs::create_dir_all(&tmp)?;
            classeurs::ecrire_xlsx(nom, &tmp);
            std::fs::rename(tmp.join("structures.xlsx"), dir.join(format!("{nom}.xlsx")))?;
            std::fs::remove_dir(&tmp)?;
        }
        Ok(())
    };
    match ecrire() {
        Ok(()) => {
            println!(
                "{} : {} classeurs",
                dir.display(),
                classeurs::GRAINES_FUZZ.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("erreur : {} : {e}", dir.display());
            ExitCode::from(1)
        }
    }
}
