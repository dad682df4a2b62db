//! XLSX workbook of `bonus-ctg projeter` (rust_xlsxwriter): sheets `Projection` (one row per
//! year and structure, the columns of the projection CSV), `Totaux par année` (N-1 then each
//! year: what the Caf and the collectivités pay, with live formulas), `Trajectoire`, `Barème`
//! (each year's parameters) and `Hypothèses`.
//!
//! Built with the sheet helpers of [`super::xlsx`]: same number formats, frozen header,
//! filters, print setup; amounts become `f64` only there, at write time.

use super::parametres::{hypotheses, Hypothese};
use super::projection::{nom_base, COLONNES, COLONNES_TRAJECTOIRE, TOUTES};
use super::xlsx::{
    echelle_f64, feuille_bareme, feuille_hypotheses, mention_production, pied_de_page, Feuille,
    Formats, X,
};
use crate::calcul::rationnel::{format_echelle, Depassement, Rationnel};
use crate::modele::Montant;
use crate::projection::{Projection, TotauxAnnee};
use rust_xlsxwriter::{
    utility::{column_number_to_name, quote_sheet_name},
    DocProperties, Workbook, Worksheet,
};

/// Name of the per-year totals sheet.
pub const FEUILLE_TOTAUX: &str = "Totaux par année";

fn somme(a: Montant, b: Montant) -> X<Montant> {
    Ok(Montant(a.0.checked_add(b.0).ok_or(Depassement)?))
}

fn feuille_projection(pr: &Projection, f: &Formats) -> X<(Worksheet, u32)> {
    let mut fe = Feuille::new("Projection")?;
    let mut noms: Vec<&str> = COLONNES.to_vec();
    noms.push("motif_libelle");
    fe.entetes(&noms, f)?;
    let mut l = 0u32;
    for a in &pr.annees {
        for x in &a.lignes {
            l += 1;
            fe.nombre(l, 0, a.exercice, &f.entier)?;
            fe.texte_plie(l, 1, &x.id, 28, f)?;
            fe.texte_plie(l, 2, &x.nom, 30, f)?;
            fe.texte(l, 3, x.type_structure.code(), &f.texte)?;
            fe.texte(l, 4, x.volet.as_deref().unwrap_or(""), &f.texte)?;
            fe.texte_plie(l, 5, &x.gestionnaire, 24, f)?;
            fe.texte(l, 6, &x.collectivite, &f.texte)?;
            fe.texte(l, 7, x.motif.code(), &f.texte)?;
            fe.entier(l, 8, usize::from(x.mois), &f.entier)?;
            fe.unites(l, 9, x.unites_eligibles, &f.unites)?;
            fe.unites(l, 10, x.unites_nouvelles, &f.unites)?;
            fe.montant4(
                l,
                11,
                &x.taux_unitaire.map_or(Rationnel::ZERO, |t| t.0),
                &f.montant4,
            )?;
            let montants = [
                x.bonus_lissage,
                x.bonus_nouvelles,
                x.bonus_trajectoire,
                x.bonus_total,
                x.contribution_n1,
                x.contribution_n,
                x.financement_public_n1,
                x.financement_public_n,
                x.variation,
            ];
            for (i, m) in montants.into_iter().enumerate() {
                fe.montant(l, 12 + i as u16, m, &f.montant)?;
            }
            fe.montant(l, 21, x.bonus_ctre, &f.montant)?;
            fe.montant4(l, 22, &x.ecart_arrondi, &f.montant4)?;
            fe.texte_plie(l, 23, x.motif.libelle(), 36, f)?;
        }
    }
    Ok((fe.finir(l, noms.len() as u16, 2)?, l))
}

/// Columns of `Totaux par année`.
pub const COLONNES_TOTAUX_ANNEE: &[&str] = &[
    "collectivite",
    "periode",
    "exercice",
    "charge_n1",
    "lissage",
    "nouvelles",
    "trajectoire",
    "verse_collectivite",
    "verse_caf",
    "contribution_collectivite",
    "financement_public",
    "non_redistribue",
    "bonus_structures",
    "controle_caf",
    "controle_financement",
    "ctre",
];

/// Column (0-based) of a projection CSV column in the `Projection` sheet.
fn colonne_projection(nom: &str) -> String {
    let i = COLONNES.iter().position(|c| *c == nom).unwrap_or(0);
    column_number_to_name(i as u16)
}

/// One row of `Totaux par année`: a year's totals, all collectivités together or of one.
struct Annee<'a> {
    collectivite: &'a str,
    periode: &'a str,
    exercice: i32,
    totaux: &'a TotauxAnnee,
    /// N-1: only what the dossier states (Caf total = charge à payer N-1, contributions,
    /// public funding); other cells stay empty.
    n1: bool,
    /// The exact Σ bonus_total and Σ bonus_ctre of the year's structures.
    bonus: Montant,
    ctre: Montant,
    /// The row is one collectivité's (its SUMIFS select the collectivité too).
    par_collectivite: bool,
}

impl<'a> Annee<'a> {
    /// The N-1 row, of all collectivités (`une`: `None`) or of one.
    fn n1(une: Option<&'a str>, exercice: i32, totaux: &'a TotauxAnnee) -> Self {
        Annee {
            collectivite: une.unwrap_or(TOUTES),
            periode: "N-1",
            exercice,
            totaux,
            n1: true,
            bonus: Montant(0),
            ctre: Montant(0),
            par_collectivite: une.is_some(),
        }
    }
}

/// Writes row `l` of `Totaux par année`; `n`: the rows of the Projection sheet (for the
/// SUMIFS).
fn ligne_annee(fe: &mut Feuille, l: u32, a: &Annee, n: u32, f: &Formats) -> X<()> {
    let t = a.totaux;
    fe.texte(l, 0, a.collectivite, &f.texte)?;
    fe.texte(l, 1, a.periode, &f.texte)?;
    fe.nombre(l, 2, a.exercice, &f.entier)?;
    if a.n1 {
        fe.montant(l, 8, t.verse_caf, &f.montant)?;
        fe.montant(l, 9, t.contribution_collectivite, &f.montant)?;
        fe.montant(l, 10, t.financement_public, &f.montant)?;
        return Ok(());
    }
    let montants = [
        t.charge_n1,
        t.lissage,
        t.nouvelles,
        t.trajectoire,
        t.verse_collectivite,
        t.verse_caf,
        t.contribution_collectivite,
        t.financement_public,
        t.non_redistribue,
    ];
    for (i, m) in montants.into_iter().enumerate() {
        fe.montant(l, 3 + i as u16, m, &f.montant)?;
    }
    if n == 0 {
        fe.formule(l, 12, "=0".into(), "0", &f.montant)?;
        fe.formule(l, 15, "=0".into(), "0", &f.montant)?;
        return Ok(());
    }
    bonus_de_la_projection(fe, l, a, n, f)?;
    controles_annee(fe, l, a, f)
}

/// Σ bonus_total and Σ bonus_ctre (R64) of the year's structures, read live from the
/// Projection sheet (its `n` rows).
fn bonus_de_la_projection(fe: &mut Feuille, l: u32, a: &Annee, n: u32, f: &Formats) -> X<()> {
    let p = quote_sheet_name("Projection");
    let plage = |nom: &str| {
        let c = colonne_projection(nom);
        format!("{p}!${c}$2:${c}${}", n + 1)
    };
    let r = l + 1;
    let mut formule = format!(
        "=SUMIFS({},{},$C{r}",
        plage("bonus_total"),
        plage("exercice")
    );
    if a.par_collectivite {
        formule.push_str(&format!(",{},$A{r}", plage("collectivite")));
    }
    formule.push(')');
    fe.formule(l, 12, formule.clone(), &a.bonus.to_string(), &f.montant)?;
    fe.mesurer(12, 14);
    let formule_ctre = formule.replacen(&plage("bonus_total"), &plage("bonus_ctre"), 1);
    fe.formule(l, 15, formule_ctre, &a.ctre.to_string(), &f.montant)
}

/// The controls of a row, which must be 0: Caf = bonus to the structures + CTRE + P ;
/// public funding = C + bonus.
fn controles_annee(fe: &mut Feuille, l: u32, a: &Annee, f: &Formats) -> X<()> {
    let (t, bonus, r) = (a.totaux, a.bonus, l + 1);
    let controle_caf =
        bonus.0 as i128 + a.ctre.0 as i128 + t.verse_collectivite.0 as i128 - t.verse_caf.0 as i128;
    fe.formule(
        l,
        13,
        format!("=ROUND(M{r}+P{r}+H{r}-I{r},2)"),
        &format_echelle(controle_caf, 2),
        &f.montant,
    )?;
    let controle_fp =
        t.contribution_collectivite.0 as i128 + bonus.0 as i128 - t.financement_public.0 as i128;
    fe.formule(
        l,
        14,
        format!("=ROUND(J{r}+M{r}-K{r},2)"),
        &format_echelle(controle_fp, 2),
        &f.montant,
    )?;
    for c in [13, 14] {
        fe.mesurer(c, 12);
    }
    Ok(())
}

fn periode(pr: &Projection, exercice: i32) -> String {
    match exercice - pr.premiere {
        0 => "N".into(),
        k => format!("N+{k}"),
    }
}

fn bonus_structures(
    pr: &Projection,
    exercice: i32,
    collectivite: Option<&str>,
) -> X<(Montant, Montant)> {
    let mut s = Montant(0);
    let mut c = Montant(0);
    if let Some(a) = pr.annee(exercice) {
        for l in &a.lignes {
            let retenue = match collectivite {
                None => true,
                Some(c) => c == l.collectivite,
            };
            if retenue {
                s = somme(s, l.bonus_total)?;
                c = somme(c, l.bonus_ctre)?;
            }
        }
    }
    Ok((s, c))
}

fn feuille_totaux(pr: &Projection, lignes_projection: u32, f: &Formats) -> X<Worksheet> {
    let mut fe = Feuille::new(FEUILLE_TOTAUX)?;
    fe.entetes(COLONNES_TOTAUX_ANNEE, f)?;
    let n1 = pr.n1.exercice;
    ligne_annee(
        &mut fe,
        1,
        &Annee::n1(None, n1, &pr.n1),
        lignes_projection,
        f,
    )?;
    let mut l = 1u32;
    for a in &pr.annees {
        l += 1;
        let p = periode(pr, a.exercice);
        let ligne = annee_projetee(pr, None, &p, a.exercice, &a.totaux)?;
        ligne_annee(&mut fe, l, &ligne, lignes_projection, f)?;
    }
    let derniere = l;
    let note = lignes_total(&mut fe, pr, derniere, f)? + 2;
    fe.texte(
        note,
        0,
        &format!(
            "N-1 ({n1}) : seuls les montants connus du dossier sont indiqués (total Caf = charge à payer N-1 de charges_n1.csv ; financement public = contributions N-1 + bonus N-1). Chaque année suivante : A = ce que la Caf a versé l'année précédente (docs/regles.md R22). Base {} ({}).",
            nom_base(pr.base),
            pr.origine_base
        ),
        &f.texte,
    )?;
    fe.texte(
        note + 1,
        0,
        "Contrôles (doivent valoir 0) : « Contrôle Caf » = bonus des structures + CTRE + P − versé Caf ; « Contrôle financement » = C + bonus des structures − financement public.",
        &f.texte,
    )?;
    // per collectivité, when there are several
    if pr.convention.collectivites.len() > 1 {
        lignes_par_collectivite(&mut fe, pr, note + 3, lignes_projection, f)?;
    }
    // the long labels of the total and note lines sit in column A without widening it
    fe.largeurs[0] = fe.largeurs[0].min(24);
    fe.finir(derniere, COLONNES_TOTAUX_ANNEE.len() as u16, 3)
}

/// The row of a projected year, of all collectivités (`une`: `None`) or of one.
fn annee_projetee<'a>(
    pr: &Projection,
    une: Option<&'a str>,
    periode: &'a str,
    exercice: i32,
    totaux: &'a TotauxAnnee,
) -> X<Annee<'a>> {
    let (bonus, ctre) = bonus_structures(pr, exercice, une)?;
    Ok(Annee {
        collectivite: une.unwrap_or(TOUTES),
        periode,
        exercice,
        totaux,
        n1: false,
        bonus,
        ctre,
        par_collectivite: une.is_some(),
    })
}

/// The two total rows after the last year's (`derniere`): SUM formulas over the projected
/// years (N-1 excluded), then bonus-ctg's values. Returns the second one's row.
fn lignes_total(fe: &mut Feuille, pr: &Projection, derniere: u32, f: &Formats) -> X<u32> {
    let (lf, lc) = (derniere + 1, derniere + 2);
    let titre = format!("TOTAL {}–{}", pr.premiere, pr.derniere);
    fe.texte(lf, 0, &format!("{titre} (formule SOMME)"), &f.total_texte)?;
    fe.texte(
        lc,
        0,
        &format!("{titre} calculé par bonus-ctg"),
        &f.calcule_texte,
    )?;
    for c in 1..=3u16 {
        fe.texte(lf, c, "", &f.total_texte)?;
        fe.texte(lc, c, "", &f.calcule_texte)?;
    }
    for (i, m) in sommes_des_annees(pr)?.iter().enumerate() {
        let c = 4 + i as u16;
        // projected years only: rows 3.. (1-based), N-1 being row 2
        fe.somme(lf, c, 2, derniere, &m.to_string(), &f.total_montant)?;
        fe.montant(lc, c, *m, &f.calcule_montant)?;
    }
    Ok(lc)
}

/// The projected years' sums of the columns from `lissage` on, the controls computed like
/// the rows' (they are 0 when every row's is).
fn sommes_des_annees(pr: &Projection) -> X<[Montant; 12]> {
    let mut t = [Montant(0); 12];
    for a in &pr.annees {
        let x = &a.totaux;
        let (b, ct) = bonus_structures(pr, a.exercice, None)?;
        let v = [
            x.lissage,
            x.nouvelles,
            x.trajectoire,
            x.verse_collectivite,
            x.verse_caf,
            x.contribution_collectivite,
            x.financement_public,
            x.non_redistribue,
            b,
            Montant(0),
            Montant(0),
            ct,
        ];
        for (s, m) in t.iter_mut().zip(v) {
            *s = somme(*s, m)?;
        }
    }
    t[9] = Montant(
        t[8].0
            .checked_add(t[11].0)
            .and_then(|x| x.checked_add(t[3].0))
            .and_then(|x| x.checked_sub(t[4].0))
            .ok_or(Depassement)?,
    );
    t[10] = Montant(
        t[5].0
            .checked_add(t[8].0)
            .and_then(|x| x.checked_sub(t[6].0))
            .ok_or(Depassement)?,
    );
    Ok(t)
}

/// The rows of each collectivité, N-1 then the projected years, under a header at row `l`.
fn lignes_par_collectivite(
    fe: &mut Feuille,
    pr: &Projection,
    mut l: u32,
    lignes_projection: u32,
    f: &Formats,
) -> X<()> {
    for (i, n) in COLONNES_TOTAUX_ANNEE.iter().enumerate() {
        let n = super::tables::libelle(n);
        fe.ws.write_string_with_format(l, i as u16, n, &f.entete)?;
    }
    for c in &pr.convention.collectivites {
        if let Some(t) = pr.n1_par_collectivite.get(&c.id) {
            l += 1;
            let ligne = Annee::n1(Some(&c.id), pr.n1.exercice, t);
            ligne_annee(fe, l, &ligne, lignes_projection, f)?;
        }
        for a in &pr.annees {
            if let Some(t) = a.par_collectivite.get(&c.id) {
                l += 1;
                let p = periode(pr, a.exercice);
                let ligne = annee_projetee(pr, Some(&c.id), &p, a.exercice, t)?;
                ligne_annee(fe, l, &ligne, lignes_projection, f)?;
            }
        }
    }
    Ok(())
}

fn feuille_trajectoire(pr: &Projection, f: &Formats) -> X<Worksheet> {
    let mut fe = Feuille::new("Trajectoire")?;
    fe.entetes(COLONNES_TRAJECTOIRE, f)?;
    let mut l = 0u32;
    for a in &pr.annees {
        for t in &a.trajectoire {
            l += 1;
            fe.nombre(l, 0, a.exercice, &f.entier)?;
            fe.texte(l, 1, &t.collectivite, &f.texte)?;
            fe.texte(l, 2, &t.volet, &f.texte)?;
            fe.nombre(l, 3, t.annee_reference, &f.entier)?;
            fe.unites(l, 4, t.places_reference, &f.unites)?;
            fe.unites(l, 5, t.places, &f.unites)?;
            // growth and threshold: fractions (0.0755 = 7,55 %), 4 decimals as in the CSV
            if let Some(c) = &t.croissance {
                let v = c.mul(Rationnel::entier(10_000))?.arrondi_demi_haut();
                fe.ws
                    .write_number_with_format(l, 6, echelle_f64(v, 4)?, &f.unites)?;
                fe.mesurer(6, 8);
            }
            if let Some(s) = t.seuil {
                let s = s.round_dp_with_strategy(
                    4,
                    rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                );
                fe.ws.write_number_with_format(
                    l,
                    7,
                    echelle_f64(s.mantissa(), s.scale())?,
                    &f.unites,
                )?;
                fe.mesurer(7, 8);
            }
            fe.montant(l, 8, t.montant_par_place, &f.montant)?;
            fe.montant(l, 9, t.verse, &f.montant)?;
        }
    }
    fe.finir(l, COLONNES_TRAJECTOIRE.len() as u16, 1)
}

/// Modelling choices: the base of the projection, then those of each year's barème (a
/// choice already listed for an earlier year is not repeated).
fn hypotheses_projection(pr: &Projection) -> Vec<Hypothese> {
    let mut h = vec![Hypothese {
        code: "base_pluriannuelle".into(),
        titre: format!("Base de la projection : {}", nom_base(pr.base)),
        detail: "figée : le taux par unité de l'exercice N est conservé (plancher et revalorisation de chaque année appliqués) ; glissante : l'enveloppe versée l'année précédente est relissée sur les unités de l'année (docs/regles.md R22, R23).".into(),
        source: pr.origine_base.clone(),
    }];
    for a in &pr.annees {
        for x in hypotheses(&a.resultat.bareme) {
            if !h
                .iter()
                .any(|y| y.code == x.code && y.titre == x.titre && y.source == x.source)
            {
                h.push(x);
            }
        }
    }
    h
}

/// The projection workbook, as bytes (to be written atomically by the caller).
pub fn rendre(pr: &Projection) -> X<Vec<u8>> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "{} — projection {}–{}",
                pr.convention.nom, pr.premiere, pr.derniere
            ))
            .set_subject("Bonus territoire CTG : projection pluriannuelle")
            .set_author("bonus-ctg")
            .set_company(pr.convention.caf.clone())
            .set_comment(format!(
                "Produit par bonus-ctg {} ; montants exacts au centime.",
                env!("CARGO_PKG_VERSION")
            )),
    );
    let (projection, n) = feuille_projection(pr, &f)?;
    let baremes: Vec<(Option<i32>, &crate::bareme::BaremeExercice)> = pr
        .annees
        .iter()
        .map(|a| (Some(a.exercice), &a.resultat.bareme))
        .collect();
    let date = mention_production();
    for mut ws in [
        projection,
        feuille_totaux(pr, n, &f)?,
        feuille_trajectoire(pr, &f)?,
        feuille_bareme(&baremes, &f)?,
        feuille_hypotheses(&hypotheses_projection(pr), &f)?,
    ] {
        pied_de_page(&mut ws, &pr.convention.nom, &date);
        wb.push_worksheet(ws);
    }
    Ok(wb.save_to_buffer()?)
}
