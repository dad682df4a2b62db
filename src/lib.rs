//! # bonus-ctg
//!
//! Calcul du bonus territoire CTG (Caf). Data flow, one module per step:
//!
//! 1. [`lecture`] — read a dossier (convention.toml, structures.csv, charges_n1.csv,
//!    bareme.toml) into a [`modele::Dossier`] with located diagnostics;
//! 2. [`validation`] — cross-file checks and the [`bareme`] in force for the exercice;
//! 3. [`calcul`] — the pure core, one step per file: eligibility, groups, distribution
//!    (exact rationals, group rounding), trajectoire, lines and contributions, totals; one
//!    definition per rule; the explanation tree of every figure ([`calcul::explication`]);
//!    [`projection`] chains it year after year; neither calls [`rapport`];
//! 4. [`rapport`] — table, CSV, JSON, XLSX, HTML, and the explanation tree rendered as text,
//!    JSON, HTML or XLSX;
//! 5. [`sortie`] — atomic file writing; [`cli`] — the command line: its arguments, one
//!    dispatcher, one module per family of commands, every message said in one place;
//! 6. [`verification`] — checking a Caf notification; [`comparaison`] — two scenarios;
//! 7. [`lot`] — many dossiers; [`generation`] — synthetic dossiers; [`web`] — the web
//!    application.
//!
//! Every message is a [`diagnostic::Diagnostic`]: a code of the one list
//! [`diagnostic::Code`] (checked against `docs/erreurs.md`), a typed position (the file, or
//! a [`diagnostic::Table`] of the dossier until the file read is known; a line, cell,
//! column and value).

pub mod bareme;
pub mod calcul;
pub mod classeur;
pub mod cli;
pub mod comparaison;
pub mod diagnostic;
#[doc(hidden)]
pub mod fuzz;
pub mod generation;
pub mod lecture;
pub mod lot;
pub mod memoire;
pub mod modele;
pub mod projection;
pub mod rapport;
pub mod sortie;
pub mod validation;
pub mod verification;
pub mod web;

use diagnostic::Diagnostics;

/// Sets the allocator for a whole run (the binary calls it first thing): glibc raises its
/// threshold for mapping large blocks each time one is freed, so that after the first input
/// file or table of a dossier, the next ones come from the heap and stay held by the process
/// once freed (reading 100 000 structures kept 70 Mo where 49 were live). A fixed threshold
/// of 1 Mio keeps every large buffer mapped on its own and handed back to the system when
/// freed: the peak memory of a large dossier falls by about 4 Mo; small dossiers never
/// allocate that much at once. Fixing it also fixes the threshold above which free memory
/// at the top of a heap is handed back (128 Kio): 4 Mio instead, or every dossier of a lot
/// gave its memory back and took it again page by page (national set: 8 400 → 4 900 page
/// faults, about 4 % of the wall time; same peak at 100 000 structures). And a heap grows
/// by 32 Mio of address space at a time (`M_TOP_PAD`, 128 Kio by default: a heap of a
/// hundred megabytes grew by tens of thousands of system calls, and its top was handed back
/// and taken again between the steps of a dossier): 10 000 and 100 000 structures 8 % faster,
/// the same peak memory (16, 20, 86 and 710 Mo for the national set, 10 000, 100 000 and
/// 1 000 000 structures: only the pages touched count). Nothing elsewhere than glibc.
pub fn limiter_memoire_retenue() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `mallopt` only sets an allocator parameter; it is called before any other
    // thread of the process exists, with a parameter and a value glibc documents.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 4 << 20);
        libc::mallopt(libc::M_TOP_PAD, 32 << 20);
    }
}

/// Validates a read dossier and computes one exercice (pure). `Err` holds the diagnostics
/// when the data is invalid; `Ok` holds the result and the warnings.
pub fn traiter(
    lu: &lecture::DossierLu,
    exercice: Option<i32>,
    fichier_bareme: &str,
) -> Result<(calcul::Resultat, Diagnostics), Diagnostics> {
    let (be, diags) = valider(lu, exercice, fichier_bareme)?;
    conclure(calcul::calculer(&lu.dossier, &be), diags)
}

/// [`traiter`] on a read dossier given away: its structures are moved into the result
/// instead of copied (the memory of one copy, not two). The same result.
pub fn traiter_dossier(
    lu: lecture::DossierLu,
    exercice: Option<i32>,
    fichier_bareme: &str,
) -> Result<(calcul::Resultat, Diagnostics), Diagnostics> {
    let (be, diags) = valider(&lu, exercice, fichier_bareme)?;
    conclure(calcul::calculer_dossier(lu.dossier, &be), diags)
}

/// Validation of a read dossier: the barème in force and the warnings, or every diagnostic
/// when the data is invalid.
fn valider(
    lu: &lecture::DossierLu,
    exercice: Option<i32>,
    fichier_bareme: &str,
) -> Result<(bareme::BaremeExercice, Diagnostics), Diagnostics> {
    let annee = exercice.unwrap_or(lu.dossier.convention.exercice);
    // an exercice given on the command line is checked as convention.toml's is (1900 to
    // 2200), before the barème is looked up at its date (one error, not one per parameter)
    verifier_annee_exercice(annee)?;
    let (be, mut diags) = validation::valider(&lu.dossier, &lu.bareme, annee, fichier_bareme);
    // cross-file messages name the file actually read (a workbook: with the cell)
    lu.localiser(&mut diags);
    match be {
        Some(b) if !diags.a_des_erreurs() => Ok((b, diags)),
        _ => Err(diags),
    }
}

/// An exercice is a year of 1900 to 2200, as in convention.toml (E019).
pub fn verifier_annee_exercice(annee: i32) -> Result<(), Diagnostics> {
    if (1900..=2200).contains(&annee) {
        return Ok(());
    }
    let mut d = Diagnostics::default();
    d.push(
        diagnostic::Diagnostic::erreur(
            diagnostic::Code::E019,
            diagnostic::Table::Convention,
            "exercice invalide",
        )
        .colonne("exercice")
        .valeur(annee.to_string())
        .conseil("une année entre 1900 et 2200, par exemple --exercice 2025"),
    );
    Err(d)
}

/// The errors about the exercice (E019) when it was given by the option `--exercice`: they
/// name the option, not convention.toml (whose exercice was not used).
pub fn nommer_option_exercice(diags: &mut Diagnostics, exercice: Option<i32>) {
    let Some(n) = exercice else { return };
    for d in diags.0.iter_mut().filter(|d| {
        d.code == diagnostic::Code::E019
            && d.colonne.as_deref() == Some("exercice")
            && d.valeur.as_deref() == Some(n.to_string().as_str())
    }) {
        d.fichier = "option --exercice".to_string();
        d.table = None;
        d.position = None;
        d.colonne = None;
    }
}

fn conclure(
    r: calcul::rationnel::R<calcul::Resultat>,
    diags: Diagnostics,
) -> Result<(calcul::Resultat, Diagnostics), Diagnostics> {
    match r {
        Ok(r) => Ok((r, diags)),
        Err(e) => {
            let mut d = diags;
            d.push(e.diagnostic("dossier"));
            Err(d)
        }
    }
}
