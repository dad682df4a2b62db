//! Runs the real-software checks when the software is installed (skipped otherwise, with a
//! message): scripts/test-html.sh (headless Chromium renders the HTML report: DOM, PNG, A4
//! PDF) and scripts/test-xlsx-libreoffice.sh (LibreOffice recalculates the workbook's
//! formulas), and their counterparts for the projection (scripts/test-projection-html.sh,
//! scripts/test-projection-xlsx-libreoffice.sh). The scripts install what they need when run
//! by hand.

use std::process::Command;

fn present(programme: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {programme} >/dev/null")])
        .status()
        .is_ok_and(|s| s.success())
}

/// A missing program skips the check on a developer's machine, but fails it where the tools
/// are required (`BONUS_CTG_OUTILS_REQUIS=1`, set by .ci/run, which installs them).
fn absent(message: &str) {
    assert!(
        std::env::var_os("BONUS_CTG_OUTILS_REQUIS").is_none(),
        "{message} alors que BONUS_CTG_OUTILS_REQUIS est défini"
    );
    eprintln!("{message}");
}

fn lancer(script: &str, dossier: &str) {
    let sortie = Command::new("bash")
        .args([script, dossier])
        .env("BONUS_CTG", env!("CARGO_BIN_EXE_bonus-ctg"))
        .output()
        .unwrap();
    let texte = String::from_utf8_lossy(&sortie.stdout);
    assert!(
        sortie.status.success(),
        "{script} {dossier} :\n{texte}\n{}",
        String::from_utf8_lossy(&sortie.stderr)
    );
    assert!(texte.contains("1 passed, 0 failed"), "{texte}");
}

#[test]
fn rapport_html_dans_chromium() {
    if !(present("chromium") && present("pdftoppm") && present("python3")) {
        absent("chromium ou poppler-utils absent : scripts/test-html.sh non lancé");
        return;
    }
    lancer("scripts/test-html.sh", "fixtures/dijon-2024");
    // several collectivités and long names (bar labels on two lines)
    lancer("scripts/test-html.sh", "fixtures/gevrey-nuits");
}

#[test]
fn classeur_dans_libreoffice() {
    if !(present("soffice") && present("python3")) {
        absent("LibreOffice absent : scripts/test-xlsx-libreoffice.sh non lancé");
        return;
    }
    lancer("scripts/test-xlsx-libreoffice.sh", "fixtures/dijon-2024");
}

#[test]
fn rapport_html_projection_dans_chromium() {
    if !(present("chromium") && present("pdftoppm") && present("python3")) {
        absent("chromium ou poppler-utils absent : scripts/test-projection-html.sh non lancé");
        return;
    }
    lancer("scripts/test-projection-html.sh", "fixtures/dijon-2024");
}

#[test]
fn classeur_projection_dans_libreoffice() {
    if !(present("soffice") && present("python3")) {
        absent("LibreOffice absent : scripts/test-projection-xlsx-libreoffice.sh non lancé");
        return;
    }
    lancer(
        "scripts/test-projection-xlsx-libreoffice.sh",
        "fixtures/gevrey-nuits",
    );
}
