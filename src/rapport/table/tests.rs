use super::*;

#[test]
fn pliage_aux_mots() {
    assert_eq!(plier("Multi-accueil Balzac", 30), "Multi-accueil Balzac");
    // two lines at word boundaries
    assert_eq!(
        plier_en("Relais petite enfance intercommunal", 20, 2),
        "Relais petite\nenfance…"
    );
    // no room for « … » after « dans »: the word goes, never cut
    assert_eq!(
        plier_en("P’tits Pieds dans la Vigne", 17, 1),
        "P’tits Pieds…"
    );
    assert_eq!(plier("Relais petite enfance", 14), "Relais petite\nenfance");
    // an id breaks after its hyphens, never inside a word
    assert_eq!(
        plier("ALSH-EXTRASCOLAIRE-BOURROCHES-CASI", 20),
        "ALSH-EXTRASCOLAIRE-\nBOURROCHES-CASI"
    );
    // a single word longer than the line: shortened with « … »
    assert_eq!(plier("FINANCEMENT", 6), "FINAN…");
    for w in [8, 10, 13, 17, 25] {
        for l in plier("Relais petite enfance intercommunal – antenne de Gevrey", w).lines() {
            assert!(l.chars().count() <= w, "{l} > {w}");
        }
    }
}

/// Drawn block by block (at the widths of the whole table, measured first), the table
/// has the bytes of the table drawn in one piece: blocks of 7 and 100 rows against one
/// block, on a generated dossier (wrapped names, every reason), at several widths and
/// with the narrow layout (one block of lines per structure).
#[test]
fn blocs_identiques_a_une_seule_table() {
    use crate::diagnostic::Diagnostics;
    use crate::generation::{generer, Parametres};
    let p = Parametres {
        collectivites: 12,
        structures: 300,
        graine: 7,
        dossiers: Some(1),
    };
    let d = generer(&p).unwrap().remove(0);
    let mut diags = Diagnostics::default();
    let lu = crate::lecture::analyser_dossier(&d.fichiers, &mut diags).unwrap();
    let b = lu
        .bareme
        .pour_exercice(lu.dossier.convention.exercice, "bareme.toml")
        .unwrap();
    let r = crate::calcul::calculer(&lu.dossier, &b).unwrap();
    assert!(r.structures.len() > 200);
    for (largeur, colonnes) in [
        (80, Colonnes::Compactes),
        (200, Colonnes::Toutes),
        (30, Colonnes::Compactes),
        (120, Colonnes::Liste(vec!["nom".into(), "bonus".into()])),
    ] {
        let rendre = |bloc: usize| {
            BLOC.with(|b| b.set(bloc));
            let t = rendre_colonnes(&r, Some(largeur), false, &colonnes).unwrap();
            BLOC.with(|b| b.set(PAR_BLOC));
            t
        };
        let entiere = rendre(usize::MAX);
        assert!(entiere.lines().count() > 200);
        for bloc in [7, 100] {
            assert!(rendre(bloc) == entiere, "{largeur} {colonnes:?} {bloc}");
        }
    }
}

#[test]
fn colonnes_analysees() {
    assert_eq!(Colonnes::analyser("toutes"), Ok(Colonnes::Toutes));
    assert_eq!(
        Colonnes::analyser("id, bonus"),
        Ok(Colonnes::Liste(vec!["id".into(), "bonus".into()]))
    );
    let e = Colonnes::analyser("id,bonnus").unwrap_err();
    assert!(e.starts_with("colonne « bonnus » inconnue"), "{e}");
    assert!(Colonnes::analyser(" , ").is_err());
}
