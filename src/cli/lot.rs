//! `lot` (every dossier of a folder, consolidated) and `generer` (synthetic dossiers).

use super::arguments::{options, profil_de, ArgumentsGenerer, ArgumentsLot, Entree, FormatLotArg};
use super::commun::afficher;
use super::messages::{Erreur, Fin, Messages};
use super::Contexte;
use crate::lot::{Bilan, OptionsLot};

/// `lot DOSSIERS`: without `--sortie`, the results go to `DOSSIERS-resultats` and a line of
/// the standard error says so.
pub fn lot(a: ArgumentsLot, ctx: &Contexte) -> Result<Fin, Erreur> {
    let entree = Entree {
        dossier: a.dossiers.clone(),
        exercice: a.exercice,
        bareme: a.bareme,
        encodage: a.encodage,
    };
    let par_defaut = a.sortie.is_none();
    let o = OptionsLot {
        sortie: a
            .sortie
            .unwrap_or_else(|| crate::lot::sortie_lot_defaut(&a.dossiers)),
        format: match a.format {
            FormatLotArg::Csv => crate::lot::FormatLot::Csv,
            FormatLotArg::Json => crate::lot::FormatLot::Json,
        },
        profil: profil_de(a.profil),
        ecraser: a.ecraser,
        lecture: options(&entree),
        exercice: a.exercice,
        fils: a.fils.unwrap_or(0),
    };
    use std::io::IsTerminal;
    let mut barre = crate::lot::BarreProgression::new(std::io::stderr().is_terminal());
    let bilan = crate::lot::executer(&a.dossiers, &o, &mut |f, t| barre.afficher(f, t));
    barre.terminer();
    let b = bilan.map_err(|e| Erreur::texte(&e))?;
    if par_defaut {
        ctx.m.info(format_args!(
            "sans --sortie, résultats écrits dans {} (à côté de {})",
            o.sortie.display(),
            a.dossiers.display()
        ));
    }
    signaler_dossiers(&b, &o, &ctx.m);
    let echecs: Vec<&str> = b.echecs().map(|i| i.nom.as_str()).collect();
    let resume = format!(
        "{} : {}, {} en échec{} ; {} ; versé Caf {} ; résultats : {}\n",
        crate::rapport::nombre_de(b.dossiers.len() as u64, "dossier", "dossiers"),
        crate::rapport::nombre_de(
            (b.dossiers.len() - echecs.len()) as u64,
            "calculé",
            "calculés"
        ),
        echecs.len(),
        if echecs.is_empty() {
            String::new()
        } else {
            format!(" ({})", echecs.join(", "))
        },
        crate::rapport::nombre_de(b.total.structures, "structure", "structures"),
        crate::rapport::groupe_fr(&crate::calcul::rationnel::format_echelle(
            b.total.verse_caf(),
            2
        )) + " €",
        b.consolide.display()
    );
    let affiche = afficher(resume.as_bytes());
    if a.chrono {
        ctx.m.ligne(format_args!("{}", chrono(&b)));
    }
    if !echecs.is_empty() {
        return Err(Erreur::Donnees);
    }
    affiche.map(|()| Fin::Succes)
}

/// The errors of each dossier in full, its summary; the warnings counted (all of them are in
/// diagnostics.txt).
fn signaler_dossiers(b: &Bilan, o: &OptionsLot, m: &Messages) {
    let mut avertissements = (0, 0);
    for i in &b.dossiers {
        let n = i.diagnostics.avertissements().count();
        if n > 0 {
            avertissements = (avertissements.0 + n, avertissements.1 + 1);
        }
        if !i.reussi() {
            m.diagnostics(&i.diagnostics);
        }
        if let Some(e) = &i.erreur_ecriture {
            m.erreur(&Erreur::texte(e));
        }
        if !i.reussi() {
            m.ligne(format_args!(
                "{} : dossier ignoré — {}",
                i.nom,
                i.diagnostics.resume()
            ));
        }
    }
    if avertissements.0 > 0 {
        m.ligne(format_args!(
            "{} avertissement{} dans {} dossier{} : voir {}",
            avertissements.0,
            if avertissements.0 > 1 { "s" } else { "" },
            avertissements.1,
            if avertissements.1 > 1 { "s" } else { "" },
            o.sortie.join(crate::lot::DIAGNOSTICS).display()
        ));
    }
}

/// `--chrono`: the time of each step and the peak memory.
fn chrono(b: &Bilan) -> String {
    let c = &b.chrono;
    // integer arithmetic (no floating point in this project): tenths of a millisecond
    let ms = |d: std::time::Duration| {
        let us = d.as_micros();
        format!("{}.{}", us / 1000, us % 1000 / 100)
    };
    let us = |d: std::time::Duration| d.as_micros();
    let somme = us(c.lecture) + us(c.calcul) + us(c.ecriture);
    let pour_mille = (us(c.calcul) * 1000).checked_div(somme).unwrap_or(0);
    let memoire = crate::lot::memoire_max_ko().map_or(String::new(), |k| {
        format!(" ; mémoire maximale {} Mo", k / 1024)
    });
    format!(
        "chrono : mur {} ms ; {} fils ; lecture {} ms, calcul {} ms, écriture {} ms (temps cumulés des fils) ; part du calcul {}.{} %{memoire}",
        ms(c.total),
        b.fils,
        ms(c.lecture),
        ms(c.calcul),
        ms(c.ecriture),
        pour_mille / 10,
        pour_mille % 10
    )
}

/// `generer DIR --collectivites N --structures M --graine S`.
pub fn generer(a: &ArgumentsGenerer) -> Result<Fin, Erreur> {
    use crate::generation::ErreurGeneration as E;
    let p = &crate::generation::Parametres {
        collectivites: a.collectivites,
        structures: a.structures,
        graine: a.graine,
        dossiers: a.dossiers,
    };
    let (repertoire, ecraser) = (&a.repertoire, a.ecraser);
    let b = crate::generation::ecrire(repertoire, p, ecraser).map_err(|e| match e {
        E::Parametres(m) => Erreur::usage(m),
        E::Ecriture(e) => e.into(),
    })?;
    afficher(
        format!(
            "{} : {} dossiers, {} collectivités, {} structures ({} Ko), graine {}\n",
            repertoire.display(),
            b.dossiers,
            b.collectivites,
            b.structures,
            b.octets / 1024,
            p.graine
        )
        .as_bytes(),
    )?;
    Ok(Fin::Succes)
}
