//! The sheets of the result workbook, one function each: Synthese, Structures, Gestionnaires,
//! Collectivites, Rapprochement, Bareme, Hypotheses.

use super::*;
use crate::rapport::tables::{
    montants_ajoutes, montants_collectivite, montants_totaux, COLONNES_COLLECTIVITES,
    COLONNES_GESTIONNAIRES,
};

/// Beyond this many structures, the Structures sheet is written row by row in « constant
/// memory » mode (the same cells; rows flushed to a temporary file as they are written, text
/// cells inline instead of in the shared table): a dossier of a million structures does not
/// hold its whole sheet in memory.
pub const SEUIL_MEMOIRE_CONSTANTE: usize = 50_000;

pub(super) fn feuille_structures(
    r: &Resultat,
    f: &Formats,
    wb: &mut Workbook,
    seuil: usize,
) -> X<Worksheet> {
    if r.structures.len() <= seuil {
        let mut fe = Feuille::new("Structures")?;
        let (l, n) = remplir_structures(&mut fe, r, f)?;
        return fe.finir(l, n, 1);
    }
    // a measuring pass first: widths and heights must be set before the rows are written
    let mut mesure = Feuille::mesure("Structures")?;
    remplir_structures(&mut mesure, r, f)?;
    let mut fe = Feuille::constante(
        wb.new_worksheet_with_constant_memory()?,
        "Structures",
        &mesure,
    )?;
    drop(mesure);
    let (l, n) = remplir_structures(&mut fe, r, f)?;
    fe.finir(l, n, 1)
}

/// The header and one row per structure; the last row and the number of columns.
fn remplir_structures(fe: &mut Feuille, r: &Resultat, f: &Formats) -> X<(u32, u16)> {
    let mut noms: Vec<&str> = crate::rapport::csv::COLONNES.to_vec();
    noms.push("motif_libelle");
    fe.entetes(&noms, f)?;
    let mut l = 0u32;
    for x in &r.structures {
        l += 1;
        let s = &x.structure;
        fe.texte_plie(l, 0, &s.id, 28, f)?;
        fe.texte_plie(l, 1, &s.nom, 30, f)?;
        fe.texte(l, 2, s.type_structure.code(), &f.texte)?;
        fe.texte(l, 3, x.eligibilite.volet().unwrap_or(""), &f.texte)?;
        fe.texte_plie(l, 4, &s.gestionnaire, 24, f)?;
        fe.texte(l, 5, &s.collectivite, &f.texte)?;
        fe.texte(l, 6, x.motif().code(), &f.texte)?;
        fe.unites(l, 7, x.unites_eligibles, &f.unites)?;
        fe.montant4(
            l,
            8,
            &x.taux_unitaire.as_deref().map_or(Rationnel::ZERO, |t| t.0),
            &f.montant4,
        )?;
        fe.montant(l, 9, x.bonus_lissage, &f.montant)?;
        fe.montant(l, 10, x.bonus_nouvelles, &f.montant)?;
        fe.montant(l, 11, x.bonus_total, &f.montant)?;
        fe.montant4(l, 12, &x.ecart_arrondi()?, &f.montant4)?;
        fe.montant(l, 13, x.contribution_n1, &f.montant)?;
        fe.montant(l, 14, x.contribution_n, &f.montant)?;
        fe.montant(l, 15, x.financement_public_n1, &f.montant)?;
        fe.montant(l, 16, x.financement_public_n, &f.montant)?;
        fe.montant(l, 17, x.variation, &f.montant)?;
        fe.montant(l, 18, x.bonus_trajectoire, &f.montant)?;
        fe.montant(l, 19, x.bonus_ctre, &f.montant)?;
        fe.texte_plie(l, 20, x.motif().libelle(), 36, f)?;
    }
    Ok((l, noms.len() as u16))
}

pub(super) fn feuille_gestionnaires(r: &Resultat, f: &Formats) -> X<Worksheet> {
    let mut fe = Feuille::new("Gestionnaires")?;
    fe.entetes(COLONNES_GESTIONNAIRES, f)?;
    let mut l = 0u32;
    for (g, t) in &r.gestionnaires {
        l += 1;
        fe.texte(l, 0, g, &f.texte)?;
        fe.entier(l, 1, t.structures, &f.entier)?;
        fe.entier(l, 2, t.structures_eligibles, &f.entier)?;
        for (i, m) in montants_totaux(t).into_iter().enumerate() {
            fe.montant(l, 3 + i as u16, m, &f.montant)?;
        }
    }
    let derniere = l;
    ligne_totaux(&mut fe, derniere, &r.total.structures, f)?;
    fe.finir(derniere, COLONNES_GESTIONNAIRES.len() as u16, 1)
}

/// Two lines under a table of [`Totaux`]: the `SUM()` formulas, then the values computed by
/// bonus-ctg (they must agree).
fn ligne_totaux(fe: &mut Feuille, derniere: u32, t: &Totaux, f: &Formats) -> X<()> {
    let lf = derniere + 1;
    let lc = derniere + 2;
    fe.texte(lf, 0, "TOTAL (formule SOMME)", &f.total_texte)?;
    fe.somme(
        lf,
        1,
        1,
        derniere,
        &t.structures.to_string(),
        &f.total_entier,
    )?;
    fe.somme(
        lf,
        2,
        1,
        derniere,
        &t.structures_eligibles.to_string(),
        &f.total_entier,
    )?;
    fe.texte(lc, 0, "TOTAL calculé par bonus-ctg", &f.calcule_texte)?;
    fe.entier(lc, 1, t.structures, &f.entier)?;
    fe.entier(lc, 2, t.structures_eligibles, &f.entier)?;
    for (i, m) in montants_totaux(t).into_iter().enumerate() {
        let c = 3 + i as u16;
        fe.somme(lf, c, 1, derniere, &m.to_string(), &f.total_montant)?;
        fe.montant(lc, c, m, &f.calcule_montant)?;
    }
    Ok(())
}

/// Column of the structure counts in the Collectivites sheet: after the id, the name and the
/// amounts of [`montants_collectivite`].
const COMPTES: u16 = 12;

pub(super) fn feuille_collectivites(r: &Resultat, f: &Formats) -> X<Worksheet> {
    let mut fe = Feuille::new("Collectivités")?;
    fe.entetes(COLONNES_COLLECTIVITES, f)?;
    let montants = montants_collectivite;
    let mut l = 0u32;
    for (id, c) in &r.collectivites {
        l += 1;
        fe.texte(l, 0, id, &f.texte)?;
        let nom = r
            .convention
            .collectivite(id)
            .map_or(String::new(), |c| c.nom.clone());
        fe.texte(l, 1, &nom, &f.texte)?;
        for (i, m) in montants(c).into_iter().enumerate() {
            fe.montant(l, 2 + i as u16, m, &f.montant)?;
        }
        fe.entier(l, COMPTES, c.structures.structures, &f.entier)?;
        fe.entier(l, COMPTES + 1, c.structures.structures_eligibles, &f.entier)?;
        for (i, m) in montants_ajoutes(&c.structures).into_iter().enumerate() {
            fe.montant(l, COMPTES + 2 + i as u16, m, &f.montant)?;
        }
    }
    let derniere = l;
    let t = &r.total;
    let tot = crate::calcul::TotauxCollectivite {
        structures: t.structures.clone(),
        charge_n1: t.charge_n1,
        verse_collectivite: t.verse_collectivite,
        non_redistribue: t.non_redistribue,
        verse_caf: t.verse_caf,
    };
    let (lf, lc) = (derniere + 1, derniere + 2);
    fe.texte(lf, 0, "TOTAL (formule SOMME)", &f.total_texte)?;
    fe.texte(lf, 1, "", &f.total_texte)?;
    fe.texte(lc, 0, "TOTAL calculé par bonus-ctg", &f.calcule_texte)?;
    fe.texte(lc, 1, "", &f.calcule_texte)?;
    for (i, m) in montants(&tot).into_iter().enumerate() {
        let c = 2 + i as u16;
        fe.somme(lf, c, 1, derniere, &m.to_string(), &f.total_montant)?;
        fe.montant(lc, c, m, &f.calcule_montant)?;
    }
    for (c, n) in [
        (COMPTES, t.structures.structures),
        (COMPTES + 1, t.structures.structures_eligibles),
    ] {
        fe.somme(lf, c, 1, derniere, &n.to_string(), &f.total_entier)?;
        fe.entier(lc, c, n, &f.entier)?;
    }
    for (i, m) in montants_ajoutes(&t.structures).into_iter().enumerate() {
        let c = COMPTES + 2 + i as u16;
        fe.somme(lf, c, 1, derniere, &m.to_string(), &f.total_montant)?;
        fe.montant(lc, c, m, &f.calcule_montant)?;
    }
    fe.finir(derniere, COLONNES_COLLECTIVITES.len() as u16, 1)
}

/// Reconciliation columns; `controle` = A + C − L − R − P, a formula that must show 0.
pub const COLONNES_RAPPROCHEMENT: &[&str] = &[
    "collectivite",
    "volet",
    "charge_n1",
    "unites",
    "lissage_verse",
    "nouvelles_versees",
    "complement_plancher",
    "non_redistribue",
    "verse_collectivite",
    "verse_caf",
    "controle",
    "trajectoire_versee",
];

pub(super) fn feuille_rapprochement(r: &Resultat, f: &Formats) -> X<Worksheet> {
    let mut fe = Feuille::new("Rapprochement")?;
    fe.entetes(COLONNES_RAPPROCHEMENT, f)?;
    let mut l = 0u32;
    for g in &r.groupes {
        l += 1;
        ligne_rapprochement(&mut fe, l, g, f)?;
    }
    let derniere = l;
    let lf = derniere + 1;
    let le = totaux_rapprochement(&mut fe, &r.total, derniere, f)?;
    controle_croise(&mut fe, r, le + 2, lf, f)?;
    // the long labels of the last lines sit in column A without widening it
    fe.largeurs[0] = fe.largeurs[0].min(30);
    fe.finir(derniere, COLONNES_RAPPROCHEMENT.len() as u16, 2)
}

/// Row `l` of the Rapprochement sheet: group `g`, with its control formula.
fn ligne_rapprochement(
    fe: &mut Feuille,
    l: u32,
    g: &crate::calcul::GroupeVolet,
    f: &Formats,
) -> X<()> {
    fe.texte(l, 0, &g.collectivite, &f.texte)?;
    fe.texte(l, 1, &g.volet, &f.texte)?;
    fe.montant(l, 2, g.charge_n1, &f.montant)?;
    fe.unites(l, 3, g.unites, &f.unites)?;
    fe.montant(l, 4, g.lissage_verse, &f.montant)?;
    fe.montant(l, 5, g.nouvelles_versees, &f.montant)?;
    fe.montant(l, 6, g.complement_plancher, &f.montant)?;
    fe.montant(l, 7, g.non_redistribue, &f.montant)?;
    fe.montant(l, 8, g.verse_collectivite, &f.montant)?;
    fe.montant(l, 9, g.verse_caf(), &f.montant)?;
    let n = l + 1;
    let controle = g.charge_n1.0 as i128 + g.complement_plancher.0 as i128
        - g.lissage_verse.0 as i128
        - g.non_redistribue.0 as i128
        - g.verse_collectivite.0 as i128;
    fe.formule(
        l,
        10,
        format!("=ROUND(C{n}+G{n}-E{n}-H{n}-I{n},2)"),
        &crate::calcul::rationnel::format_echelle(controle, 2),
        &f.montant,
    )?;
    fe.mesurer(10, 12);
    fe.montant(l, 11, g.trajectoire_versee, &f.montant)
}

/// The three total rows under the groups (rows 1 to `derniere`): a SUM formula, the total
/// computed by bonus-ctg, their difference. Returns the difference's row.
fn totaux_rapprochement(
    fe: &mut Feuille,
    t: &crate::calcul::TotalGeneral,
    derniere: u32,
    f: &Formats,
) -> X<u32> {
    let (lf, lc, le) = (derniere + 1, derniere + 2, derniere + 3);
    fe.texte(lf, 0, "TOTAL (formule SOMME)", &f.total_texte)?;
    fe.texte(lf, 1, "", &f.total_texte)?;
    fe.texte(lc, 0, "TOTAL calculé par bonus-ctg", &f.calcule_texte)?;
    fe.texte(lc, 1, "", &f.calcule_texte)?;
    fe.texte(le, 0, "Écart (formule − calculé)", &f.texte)?;
    // units: places, hours or ETP according to the volet, never added together (the
    // Synthese sheet totals them per volet)
    fe.texte(lf, 3, "", &f.total_texte)?;
    fe.texte(lc, 3, "", &f.calcule_texte)?;
    let colonnes: [(u16, Montant); 9] = [
        (2, t.charge_n1),
        (4, t.lissage_verse),
        (5, t.nouvelles_versees),
        (6, t.complement_plancher),
        (7, t.non_redistribue),
        (8, t.verse_collectivite),
        (9, t.verse_caf),
        (10, Montant(0)),
        (11, t.trajectoire_versee),
    ];
    for (c, m) in colonnes {
        fe.somme(lf, c, 1, derniere, &m.to_string(), &f.total_montant)?;
        fe.montant(lc, c, m, &f.calcule_montant)?;
        let col = column_number_to_name(c);
        fe.formule(
            le,
            c,
            format!("=ROUND({col}{}-{col}{},2)", lf + 1, lc + 1),
            "0.00",
            &f.montant,
        )?;
    }
    Ok(le)
}

/// From row `lx`: the cross-check with the Structures sheet, Σ bonus_total + Σ bonus_ctre
/// of the structures + what the collectivités receive (column I of the SUM row `lf`) = Caf
/// total.
fn controle_croise(fe: &mut Feuille, r: &Resultat, lx: u32, lf: u32, f: &Formats) -> X<()> {
    let t = &r.total;
    let n = r.structures.len() as u32;
    let st = quote_sheet_name("Structures");
    fe.texte(
        lx,
        0,
        "Bonus et CTRE versés aux structures (SOMME de la feuille Structures)",
        &f.texte,
    )?;
    fe.formule(
        lx,
        9,
        format!("=SUM({st}!L2:L{})+SUM({st}!T2:T{})", n + 1, n + 1),
        &Montant(t.structures.bonus_total.0 + t.structures.bonus_ctre.0).to_string(),
        &f.montant,
    )?;
    fe.texte(
        lx + 1,
        0,
        "Total versé par la Caf = bonus et CTRE versés aux structures + versé aux collectivités",
        &f.total_texte,
    )?;
    fe.formule(
        lx + 1,
        9,
        format!("=J{}+I{}", lx + 1, lf + 1),
        &t.verse_caf.to_string(),
        &f.total_montant,
    )?;
    fe.texte(
        lx + 2,
        0,
        "Total versé par la Caf, calculé par bonus-ctg",
        &f.calcule_texte,
    )?;
    fe.montant(lx + 2, 9, t.verse_caf, &f.calcule_montant)
}

/// `Barème` sheet: every parameter read for each exercice given; when an exercice is named
/// (a projection), a first column `exercice`.
pub(crate) fn feuille_bareme(
    exercices: &[(Option<i32>, &BaremeExercice)],
    f: &Formats,
) -> X<Worksheet> {
    let mut fe = Feuille::new("Barème")?;
    let avec_exercice = exercices.iter().any(|(e, _)| e.is_some());
    let d = u16::from(avec_exercice);
    let mut noms = Vec::new();
    if avec_exercice {
        noms.push("exercice");
    }
    noms.extend([
        "parametre",
        "valeur",
        "en_vigueur_depuis",
        "statut",
        "reference",
        "fichier",
    ]);
    fe.entetes(&noms, f)?;
    let mut l = 0u32;
    for (exercice, be) in exercices {
        for b in lignes_bareme(be) {
            l += 1;
            if let Some(e) = exercice {
                fe.nombre(l, 0, *e, &f.entier)?;
            }
            fe.texte(l, d, &b.parametre, &f.texte)?;
            fe.texte(l, d + 1, &b.valeur, &f.texte)?;
            match b.debut {
                Some(x) => {
                    let dt = u16::try_from(x.annee)
                        .ok()
                        .and_then(|a| ExcelDateTime::from_ymd(a, x.mois, x.jour).ok());
                    match dt {
                        Some(dt) => {
                            fe.ws.write_datetime_with_format(l, d + 2, &dt, &f.date)?;
                            fe.mesurer(d + 2, 10);
                        }
                        None => fe.texte(l, d + 2, &x.to_string(), &f.texte)?,
                    }
                }
                None => fe.texte(l, d + 2, "", &f.texte)?,
            }
            fe.texte(
                l,
                d + 3,
                b.statut.map_or("défaut", |s| s.libelle()),
                &f.texte,
            )?;
            fe.texte(l, d + 4, &b.reference, &f.texte)?;
            fe.texte(l, d + 5, &b.fichier, &f.texte)?;
        }
    }
    fe.finir(l, noms.len() as u16, 1 + d)
}

/// `Hypothèses` sheet: the modelling choices applied.
pub(crate) fn feuille_hypotheses(hs: &[Hypothese], f: &Formats) -> X<Worksheet> {
    let mut fe = Feuille::new("Hypothèses")?;
    fe.entetes(&["code", "choix", "detail", "source"], f)?;
    // long texts wrap: fixed widths (printed one page wide at 8 points or more), and each
    // row as high as its longest wrapped cell (a spreadsheet does not grow a row written
    // by a program: without it the text overlaps the next rows)
    let largeurs = [24usize, 36, 88, 28];
    let mut l = 0u32;
    for h in hs {
        // a detail longer than a page goes on in the next rows (a row is never split
        // across pages: one taller than a page would run over the footer)
        let suites = morceaux(&h.detail, largeurs[2] - 2, LIGNES_PAR_CELLULE);
        for (k, detail) in suites.iter().enumerate() {
            l += 1;
            let suite = format!("{} (suite)", h.code);
            let cellules: [&str; 4] = if k == 0 {
                [&h.code, &h.titre, detail, &h.source]
            } else {
                [&suite, "", detail, ""]
            };
            let mut lignes = 1;
            for (c, t) in cellules.iter().enumerate() {
                fe.texte(l, c as u16, t, &f.texte_long)?;
                // a proportional font: a line of w columns holds about w − 2 characters
                lignes = lignes.max(lignes_pliees(t, largeurs[c] - 2));
            }
            fe.ws
                .set_row_height(l, HAUTEUR_LIGNE * lignes as f64 + 3.0)?;
        }
    }
    fe.largeurs = largeurs.iter().map(|w| w - 2).collect();
    fe.finir(l, 4, 1)
}

/// `Synthèse` sheet, the first one: what the convention is, the headline figures (each
/// with its unit), then per volet the units (homogeneous within a volet only) and the
/// bonus.
pub(super) fn feuille_synthese(r: &Resultat, f: &Formats) -> X<Worksheet> {
    let mut fe = Feuille::new("Synthèse")?;
    let titre = Format::new().set_bold().set_font_size(14);
    fe.ws.write_string_with_format(
        0,
        0,
        format!("{} — exercice {}", r.convention.nom, r.exercice),
        &titre,
    )?;
    fe.ws.set_row_height(0, 22)?;
    fe.texte(1, 0, &format!("Caf : {}", r.convention.caf), &f.texte)?;
    fe.texte(2, 0, &mention_production(), &f.texte)?;
    let l = chiffres_cles(&mut fe, r, f)?;
    par_volet(&mut fe, r, f, l)?;
    fe.largeurs = vec![42, 18, 14, 16, 18];
    let largeurs: Vec<f64> = fe.largeurs.iter().map(|w| *w as f64).collect();
    for (c, w) in largeurs.iter().enumerate() {
        fe.ws.set_column_width(c as u16, *w)?;
    }
    fe.imprimer(&largeurs, 0)?;
    Ok(fe.ws)
}

/// The key figures of the summary sheet, from row 5; the last row written.
fn chiffres_cles(fe: &mut Feuille, r: &Resultat, f: &Formats) -> X<u32> {
    let t = &r.total;
    let s = &t.structures;
    let mut l = 4u32;
    fe.texte(l, 0, "Chiffre clé", &f.entete)?;
    fe.texte(l, 1, "Valeur", &f.entete)?;
    let comptes = [
        ("Structures du dossier (nombre)", s.structures),
        ("dont éligibles (nombre)", s.structures_eligibles),
    ];
    for (libelle, n) in comptes {
        l += 1;
        fe.texte(l, 0, libelle, &f.texte)?;
        fe.entier(l, 1, n, &f.entier)?;
    }
    let montants = [
        (
            "Charge à payer N-1 des collectivités (€)",
            t.charge_n1,
            false,
        ),
        ("Bonus versé aux structures (€)", s.bonus_total, false),
        ("dont lissage (€)", s.bonus_lissage, false),
        ("dont places nouvelles (€)", s.bonus_nouvelles, false),
        ("dont trajectoire (€)", s.bonus_trajectoire, false),
        ("Bonus CTRE versé aux structures (€)", s.bonus_ctre, false),
        (
            "Versé aux collectivités, pilotage (€)",
            t.verse_collectivite,
            false,
        ),
        ("Non redistribué (€)", t.non_redistribue, false),
        ("Total versé par la Caf (€)", t.verse_caf, true),
        (
            "Contributions des collectivités N-1 (€)",
            s.contribution_n1,
            false,
        ),
        (
            "Contributions des collectivités N (€)",
            s.contribution_n,
            false,
        ),
        ("Variation du financement public (€)", s.variation, false),
    ];
    for (libelle, m, total) in montants {
        l += 1;
        let (ft, fm) = if total {
            (&f.total_texte, &f.total_montant)
        } else {
            (&f.texte, &f.montant)
        };
        fe.texte(l, 0, libelle, ft)?;
        fe.montant(l, 1, m, fm)?;
    }
    Ok(l)
}

/// The bonus per volet of the summary sheet, two rows below `l`, with its total row.
fn par_volet(fe: &mut Feuille, r: &Resultat, f: &Formats, mut l: u32) -> X<()> {
    let s = &r.total.structures;
    l += 2;
    let premiere = l;
    fe.ws.set_row_height(l, HAUTEUR_LIGNE * 2.0 + 2.0)?;
    for (c, e) in [
        "Volet",
        "Unité",
        "Structures éligibles",
        "Unités éligibles",
        "Bonus total (€)",
    ]
    .iter()
    .enumerate()
    {
        fe.texte(l, c as u16, e, &f.entete)?;
    }
    let mut volets: Vec<&str> = r
        .structures
        .iter()
        .filter_map(|x| x.eligibilite.volet())
        .collect();
    volets.sort_unstable();
    volets.dedup();
    for v in volets {
        let lignes: Vec<_> = r
            .structures
            .iter()
            .filter(|x| x.eligibilite.volet() == Some(v))
            .collect();
        let eligibles = lignes
            .iter()
            .filter(|x| x.motif() == crate::calcul::eligibilite::Motif::Eligible)
            .count();
        let unites = Unites(lignes.iter().map(|x| x.unites_eligibles.0).sum());
        let bonus = Montant(lignes.iter().map(|x| x.bonus_total.0).sum());
        let unite = r
            .bareme
            .volets
            .get(v)
            .map_or(String::new(), |x| x.unite.valeur.clone());
        l += 1;
        fe.texte(l, 0, v, &f.texte)?;
        fe.texte(l, 1, &unite, &f.texte)?;
        fe.entier(l, 2, eligibles, &f.entier)?;
        fe.unites(l, 3, unites, &f.unites)?;
        fe.montant(l, 4, bonus, &f.montant)?;
    }
    if l > premiere {
        l += 1;
        fe.texte(l, 0, "Total", &f.total_texte)?;
        fe.texte(l, 1, "", &f.total_texte)?;
        fe.somme(
            l,
            2,
            premiere + 1,
            l - 1,
            &s.structures_eligibles.to_string(),
            &f.total_entier,
        )?;
        // units of different volets are not added together
        fe.texte(l, 3, "", &f.total_texte)?;
        fe.somme(
            l,
            4,
            premiere + 1,
            l - 1,
            &s.bonus_total.to_string(),
            &f.total_montant,
        )?;
    }
    Ok(())
}
