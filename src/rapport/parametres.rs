//! What the XLSX and HTML reports show besides the figures: every barème parameter read for
//! the exercice (value, date, reference, status, file) and the modelling choices applied
//! (the `R..` sections of docs/regles.md, the barème values of status `hypothese`, the
//! rounding and contribution modes in force).

use super::montant_fr;
use crate::bareme::{
    Ajustement, Arrondi, BaremeExercice, Grille, Lu, PlafondBase, Statut, Versement, VoletExercice,
};
use crate::calcul::explication::formules;
use crate::modele::Date;

/// docs/regles.md, embedded so that a report always lists the rules of its own binary.
pub const REGLES: &str = include_str!("../../docs/regles.md");

/// One barème parameter as read for the exercice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LigneBareme {
    /// Dotted name, e.g. `volets.EAJE.plancher`.
    pub parametre: String,
    /// The value, in French.
    pub valeur: String,
    /// Start of validity of the value read; `None`: absent from the barème (neutral default).
    pub debut: Option<Date>,
    /// `confirme` / `hypothese`; `None` when absent from the barème.
    pub statut: Option<Statut>,
    pub reference: String,
    /// Barème file it was read from.
    pub fichier: String,
}

fn ligne<T>(nom: &str, l: &Lu<T>, valeur: String) -> LigneBareme {
    match &l.source {
        Some(s) => LigneBareme {
            parametre: nom.to_string(),
            valeur,
            debut: Some(s.debut),
            statut: Some(s.statut),
            reference: s.reference.clone(),
            fichier: s.origine.clone(),
        },
        None => LigneBareme {
            parametre: nom.to_string(),
            valeur,
            debut: None,
            statut: None,
            reference: "absent du barème : valeur neutre par défaut (docs/bareme.md)".into(),
            fichier: String::new(),
        },
    }
}

pub fn nom_ajustement(a: Ajustement) -> &'static str {
    match a {
        Ajustement::Neutre => "neutre",
        Ajustement::Aucun => "aucun",
        Ajustement::Integral => "integral",
    }
}

pub fn nom_arrondi(a: Arrondi) -> &'static str {
    match a {
        Arrondi::DemiHaut => "demi-haut",
        Arrondi::Troncature => "troncature",
    }
}

/// A grid in French: the plain value, or its thresholds and rows (docs/regles.md R60).
pub fn texte_grille<T: Clone>(g: &Grille<T>, f: &dyn Fn(&T) -> String) -> String {
    if let Some(v) = g.valeur_unique() {
        return f(v);
    }
    let nombre = |n: u64| super::groupe_fr(&n.to_string());
    let mut o = String::from("grille");
    if !g.seuils_population.is_empty() {
        o.push_str(&format!(
            " ; strates de population (seuils) : {} hab.",
            g.seuils_population
                .iter()
                .map(|n| nombre(*n))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !g.seuils_montant.is_empty() {
        o.push_str(&format!(
            " ; montant existant par unité (seuils) : {}",
            g.seuils_montant
                .iter()
                .map(|m| montant_fr(*m))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    for (i, l) in g.valeurs.iter().enumerate() {
        o.push_str(&format!(
            " ; strate {} : [{}]",
            i + 1,
            l.iter().map(f).collect::<Vec<_>>().join(" ; ")
        ));
    }
    o
}

/// The floor of a volet in French (`0,15 € par heure d'accueil`).
pub fn texte_plancher(g: &Grille<crate::modele::Montant>, unite: &str) -> String {
    texte_grille(g, &|m| format!("{} par {unite}", montant_fr(*m)))
}

/// The revaluation of a volet in French (`2 %`).
pub fn texte_revalorisation(g: &Grille<rust_decimal::Decimal>) -> String {
    texte_grille(g, &|d| pourcentage(*d))
}

/// What the development cap applies to, in French.
pub fn texte_plafond_base(b: PlafondBase) -> &'static str {
    match b {
        PlafondBase::Enveloppe => "enveloppe : total des forfaits ≤ plafond × charge N-1",
        PlafondBase::Unites => "unités : unités nouvelles ≤ plafond × unités existantes",
    }
}

/// `0.25` → `25 %`; `0.025` → `2,5 %`.
pub fn pourcentage(d: rust_decimal::Decimal) -> String {
    let p = (d * rust_decimal::Decimal::from(100)).normalize();
    format!("{} %", p.to_string().replace('.', ","))
}

/// Every parameter read for the exercice, globals first, then volet by volet.
pub fn lignes_bareme(be: &BaremeExercice) -> Vec<LigneBareme> {
    let mut v = vec![
        ligne(
            "nombre_tranches",
            &be.nombre_tranches,
            be.nombre_tranches.valeur.to_string(),
        ),
        ligne(
            "ajustement_contribution",
            &be.ajustement_contribution,
            nom_ajustement(be.ajustement_contribution.valeur).into(),
        ),
        ligne(
            "arrondi",
            &be.arrondi,
            nom_arrondi(be.arrondi.valeur).into(),
        ),
    ];
    for vo in be.volets.values() {
        v.extend(lignes_volet(vo));
    }
    v
}

/// The parameters of one volet, in the order of docs/bareme.md.
fn lignes_volet(vo: &VoletExercice) -> Vec<LigneBareme> {
    let p = |x: &str| format!("volets.{}.{x}", vo.nom);
    vec![
        ligne(
            &p("types"),
            &vo.types,
            vo.types
                .valeur
                .iter()
                .map(|t| t.code())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ligne(
            &p("financement"),
            &vo.financement,
            vo.financement.valeur.as_ref().map_or("tous".into(), |l| {
                l.iter().map(|f| f.code()).collect::<Vec<_>>().join(", ")
            }),
        ),
        ligne(&p("unite"), &vo.unite, vo.unite.valeur.clone()),
        ligne(
            &p("versement"),
            &vo.versement,
            texte_versement(vo.versement.valeur).into(),
        ),
        ligne(
            &p("forfaits_nouvelles"),
            &vo.forfaits_nouvelles,
            texte_forfaits(&vo.forfaits_nouvelles.valeur),
        ),
        ligne(
            &p("plancher"),
            &vo.plancher,
            texte_plancher(&vo.plancher.valeur, &vo.unite.valeur),
        ),
        ligne(
            &p("revalorisation"),
            &vo.revalorisation,
            texte_revalorisation(&vo.revalorisation.valeur),
        ),
        ligne(
            &p("plafond_developpement"),
            &vo.plafond_developpement,
            vo.plafond_developpement
                .valeur
                .map_or("aucun plafond".into(), |d| match vo.plafond_base.valeur {
                    PlafondBase::Enveloppe => format!("{} de la charge N-1", pourcentage(d)),
                    PlafondBase::Unites => format!("{} des unités existantes", pourcentage(d)),
                }),
        ),
        ligne(
            &p("plafond_base"),
            &vo.plafond_base,
            texte_plafond_base(vo.plafond_base.valeur).into(),
        ),
    ]
}

fn texte_versement(v: Versement) -> &'static str {
    match v {
        Versement::Structures => "réparti sur les structures",
        Versement::Collectivite => "versé à la collectivité",
        Versement::Employeurs => "réparti sur les places réservées aux employeurs (CTRE)",
    }
}

/// `tranche 1 : 2 600,00 € ; tranche 2 : …`, or no forfait.
fn texte_forfaits(forfaits: &[crate::modele::Montant]) -> String {
    if forfaits.is_empty() {
        "aucun forfait (0 €)".into()
    } else {
        forfaits
            .iter()
            .enumerate()
            .map(|(i, m)| format!("tranche {} : {}", i + 1, montant_fr(*m)))
            .collect::<Vec<_>>()
            .join(" ; ")
    }
}

/// One modelling choice applied by the calculation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hypothese {
    /// `R1`…, or the barème parameter name.
    pub code: String,
    pub titre: String,
    pub detail: String,
    pub source: String,
}

/// The `## R..` sections of docs/regles.md: (code, title, text as one paragraph).
pub fn sections_regles(texte: &str) -> Vec<(String, String, String)> {
    let mut r: Vec<(String, String, String)> = Vec::new();
    for l in texte.lines() {
        if let Some(t) = l.strip_prefix("## ") {
            let (code, titre) = t.split_once(". ").unwrap_or((t, ""));
            if code.starts_with('R') && code[1..].chars().all(|c| c.is_ascii_digit()) {
                r.push((code.to_string(), texte_simple(titre.trim()), String::new()));
                continue;
            }
            // another level-2 section ends the previous rule
            r.push((String::new(), String::new(), String::new()));
            continue;
        }
        if let Some(dernier) = r.last_mut() {
            if dernier.0.is_empty() {
                continue;
            }
            let l = texte_simple(l.trim());
            if l.is_empty() {
                continue;
            }
            if !dernier.2.is_empty() {
                dernier.2.push(' ');
            }
            dernier.2.push_str(&l);
        }
    }
    r.retain(|x| !x.0.is_empty());
    r
}

/// A line of docs/regles.md as plain text for a reader of the workbook: no Markdown marks
/// (bold `**`, code backticks, list bullets as `•`, links as their text).
fn texte_simple(l: &str) -> String {
    let l = match l.strip_prefix("* ").or_else(|| l.strip_prefix("- ")) {
        Some(reste) => format!("• {reste}"),
        None => l.to_string(),
    };
    let mut o = String::with_capacity(l.len());
    let mut reste = l.as_str();
    // `[texte](lien)` → `texte`
    while let Some(i) = reste.find('[') {
        let fin = reste[i..].find("](").and_then(|j| {
            let k = i + j;
            reste[k..].find(')').map(|m| (k, k + m))
        });
        match fin {
            Some((k, m)) => {
                o.push_str(&reste[..i]);
                o.push_str(&reste[i + 1..k]);
                reste = &reste[m + 1..];
            }
            None => break,
        }
    }
    o.push_str(reste);
    o.replace("**", "").replace('`', "")
}

/// The modelling choices applied: modes in force, barème values of status `hypothese`,
/// then the rules of docs/regles.md.
pub fn hypotheses(be: &BaremeExercice) -> Vec<Hypothese> {
    let mut h = Vec::new();
    let src = |l: &Option<crate::bareme::Source>| {
        l.as_ref()
            .map_or("valeur neutre par défaut".to_string(), |s| {
                format!(
                    "{} ({}, depuis le {})",
                    s.origine,
                    s.statut.libelle(),
                    s.debut.en_toutes_lettres()
                )
            })
    };
    h.push(Hypothese {
        code: "ajustement_contribution".into(),
        titre: format!(
            "Ajustement des contributions : {}",
            nom_ajustement(be.ajustement_contribution.valeur)
        ),
        // the formula itself comes from the calculation (calcul::contributions::formule)
        detail: {
            let mode = be.ajustement_contribution.valeur;
            let f = crate::calcul::contributions::formule(mode);
            let (c, b) = (formules::C_REF, formules::B_REF);
            match mode {
                Ajustement::Neutre => format!("contribution N = {f}, où c_ref = {c} et b_ref = {b} sont la contribution et le bonus de N-1 ramenés aux mois d'ouverture de N, et bonus_lissage_n le bonus de lissage de l'année : la collectivité cesse de payer ce que la Caf verse désormais directement, et ne paie pas les mois de fermeture (R65)."),
                Ajustement::Aucun => format!("contribution N = {f}, où c_ref = {c} est la contribution de N-1 ramenée aux mois d'ouverture de N (R65)."),
                Ajustement::Integral => format!("contribution N = {f}, où c_ref = {c} et b_ref = {b} sont ramenés aux mois d'ouverture de N, et bonus_total_n est le bonus total de l'année (R65)."),
            }
        },
        source: src(&be.ajustement_contribution.source),
    });
    h.push(Hypothese {
        code: "arrondi".into(),
        titre: format!("Arrondi des groupes : {}", nom_arrondi(be.arrondi.valeur)),
        detail: "Chaque groupe (collectivité, volet) est arrondi en bloc : total arrondi au centime, plancher de chaque part, centimes restants aux plus forts restes, égalité départagée par id croissant (R9).".into(),
        source: src(&be.arrondi.source),
    });
    for l in lignes_bareme(be) {
        if l.statut == Some(Statut::Hypothese) {
            h.push(Hypothese {
                code: l.parametre.clone(),
                titre: format!("Paramètre au statut « hypothèse » : {}", l.valeur),
                detail: l.reference.clone(),
                source: format!(
                    "{}{}",
                    l.fichier,
                    l.debut.map_or(String::new(), |d| format!(
                        ", depuis le {}",
                        d.en_toutes_lettres()
                    ))
                ),
            });
        }
    }
    for (code, titre, texte) in sections_regles(REGLES) {
        h.push(Hypothese {
            code,
            titre,
            detail: texte,
            source: "règles de calcul de bonus-ctg".into(),
        });
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_de_regles() {
        let t = "# Titre\nintro\n## R1. Premier choix\nligne a\n\nligne b\n## R2. Second (`outil`)\n* x **gras** et [lien](docs/a.md)\n- `code` [non fermé\n## Annexe\nhors règle\n";
        let s = sections_regles(t);
        assert_eq!(
            s,
            vec![
                (
                    "R1".into(),
                    "Premier choix".into(),
                    "ligne a ligne b".into()
                ),
                // plain text: no Markdown marks, bullets as « • », links as their text
                (
                    "R2".into(),
                    "Second (outil)".into(),
                    "• x gras et lien • code [non fermé".into()
                ),
            ]
        );
        // the embedded file has at least R1…R9
        let codes: Vec<String> = sections_regles(REGLES).into_iter().map(|x| x.0).collect();
        for i in 1..=9 {
            assert!(codes.contains(&format!("R{i}")), "R{i} absent");
        }
    }

    #[test]
    fn pourcentages() {
        use std::str::FromStr;
        let d = |s| rust_decimal::Decimal::from_str(s).unwrap();
        assert_eq!(pourcentage(d("0.25")), "25 %");
        assert_eq!(pourcentage(d("0.025")), "2,5 %");
        assert_eq!(pourcentage(d("0")), "0 %");
    }
}
