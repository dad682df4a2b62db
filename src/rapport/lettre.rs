//! `bonus-ctg notifier`: the notification letters the Caf signs once the bonus is computed —
//! one per gestionnaire, and one recap per collectivité.
//!
//! One data structure per letter ([`Lettre`]: headed blocks of text and tables whose every
//! figure is already written in French), built here from the computed [`Resultat`] and never
//! recomputed; two renderers draw it: [`pdf`] (A4, fonts embedded) and [`html`] (standalone
//! page, for mail merge). The bonus split is the list [`COMPOSANTES`]: a new part of the
//! bonus is one more entry there, and every letter shows it with its rule.

pub mod html;
pub mod pdf;

mod composantes;
mod gestionnaire;
mod recapitulatif;
use composantes::*;
pub use composantes::{
    a_une_ligne_ctre, espaces_insecables, pour_le_lecteur, reference, verse_caf, Composante,
    Portee, Regle, COMPOSANTES, LIBELLE_CTRE,
};
use gestionnaire::lettre_gestionnaire;
use recapitulatif::recapitulatif;

use super::{euros, groupe_fr, montant_fr};
use crate::bareme::{Ajustement, Lu, VoletExercice};
use crate::calcul::eligibilite::Motif;
use crate::calcul::rationnel::R;
use crate::calcul::{GroupeVolet, LigneStructure, Resultat, Totaux};
use crate::modele::{Montant, Unites};
use crate::projection::trajectoire::{PartTrajectoire, TrajectoireCollectivite};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// A run of text, bold or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub texte: String,
    pub gras: bool,
}

fn normal(t: impl Into<String>) -> Segment {
    Segment {
        texte: t.into(),
        gras: false,
    }
}

fn gras(t: impl Into<String>) -> Segment {
    Segment {
        texte: t.into(),
        gras: true,
    }
}

/// One column of a table: heading, relative width, right-aligned (figures) or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Colonne {
    pub titre: String,
    pub largeur: u32,
    pub droite: bool,
}

/// One row of a table. Rows of the same `groupe` are kept on one page when they fit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LigneTableau {
    pub cellules: Vec<String>,
    pub gras: bool,
    pub groupe: usize,
}

/// A table whose heading row is repeated on each page it continues on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tableau {
    pub colonnes: Vec<Colonne>,
    pub lignes: Vec<LigneTableau>,
}

/// The blocks of a letter, top to bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bloc {
    /// Sender (left) and addressee (right).
    Entete {
        expediteur: Vec<String>,
        destinataire: Vec<String>,
    },
    /// `Objet : …`
    Objet(String),
    /// A section heading.
    Titre(String),
    Paragraphe(Vec<Segment>),
    /// A bulleted list.
    Liste(Vec<Vec<Segment>>),
    Tableau(Tableau),
    /// Small print (barème references).
    Note(String),
    /// « Fait à …, le … » and the signatory's capacity, with room to sign.
    Signature {
        lieu_date: String,
        qualite: String,
    },
}

/// Addressee of a letter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Genre {
    Gestionnaire,
    Collectivite,
}

/// One letter: what both renderers draw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lettre {
    pub genre: Genre,
    /// File name without extension (safe, distinct among the letters).
    pub fichier: String,
    /// The gestionnaire's or the collectivité's name.
    pub destinataire: String,
    /// Document title (PDF metadata, HTML `<title>`).
    pub titre: String,
    pub blocs: Vec<Bloc>,
}

/// `la Caf de la Côte-d’Or` (with the article when the name starts with « Caf »).
fn la_caf(caf: &str) -> String {
    if caf.starts_with("Caf") || caf.starts_with("CAF") {
        format!("la {caf}")
    } else {
        caf.to_string()
    }
}

/// A safe file name from a free text: lower-case ASCII letters and digits, accents
/// dropped, anything else a single `-`; never empty; at most 60 characters.
pub fn nom_de_fichier(texte: &str) -> String {
    let mut s = String::new();
    for c in texte.chars().flat_map(char::to_lowercase) {
        let c = match c {
            'à' | 'â' | 'ä' | 'á' | 'ã' | 'å' => 'a',
            'ç' => 'c',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' | 'í' | 'ì' => 'i',
            'ô' | 'ö' | 'ó' | 'ò' | 'õ' => 'o',
            'ù' | 'û' | 'ü' | 'ú' => 'u',
            'ÿ' | 'ý' => 'y',
            'ñ' => 'n',
            'œ' => {
                s.push('o');
                'e'
            }
            'æ' => {
                s.push('a');
                'e'
            }
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            s.push(c);
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
    }
    // at most 60 characters, cut between two words (`…-et-de-nuits` rather than
    // `…-et-de-nuits-sain`), or inside a single word longer than that
    if s.len() > 60 {
        let coupe = match s[..=60].rfind('-') {
            Some(i) if i > 0 => i,
            _ => 60,
        };
        s.truncate(coupe);
    }
    while s.ends_with('-') {
        s.pop();
    }
    if s.is_empty() {
        s.push_str("sans-nom");
    }
    s
}

/// Distinct names: a name already given gets `-2`, `-3`, … (in the order given).
fn distinguer(noms: &mut BTreeSet<String>, base: String) -> String {
    if noms.insert(base.clone()) {
        return base;
    }
    let mut i = 2;
    loop {
        let n = format!("{base}-{i}");
        if noms.insert(n.clone()) {
            return n;
        }
        i += 1;
    }
}

fn entete(r: &Resultat, destinataire: Vec<String>) -> Bloc {
    let mut expediteur = vec![r.convention.caf.clone(), r.convention.nom.clone()];
    if let (Some(d), Some(f)) = (r.convention.debut, r.convention.fin) {
        expediteur.push(format!(
            "du {} au {}",
            d.en_toutes_lettres(),
            f.en_toutes_lettres()
        ));
    }
    Bloc::Entete {
        expediteur,
        destinataire,
    }
}

/// Where and when the letters are signed (`notifier --lieu --date`): « Fait à Dijon, le
/// 15 janvier 2026 » ; what is not given is left dotted, to be written by hand.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FaitA {
    pub lieu: Option<String>,
    pub date: Option<crate::modele::Date>,
}

/// The dots left for what is written by hand.
const POINTILLES: &str = "……………………";

impl FaitA {
    /// `Fait à Dijon, le 15 janvier 2026`, dots for what is not given.
    pub fn texte(&self) -> String {
        format!(
            "Fait à {}, le {}",
            self.lieu.as_deref().unwrap_or(POINTILLES),
            self.date
                .map_or(POINTILLES.to_string(), |d| d.en_toutes_lettres())
        )
    }
}

/// A place or date of signature refused by [`FaitA::analyser`]: which one (`lieu`,
/// `date`), the value as given, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefusFaitA {
    pub champ: &'static str,
    pub valeur: String,
    pub raison: &'static str,
}

impl FaitA {
    /// The place and date of signature as given (either may be absent), checked: the place
    /// by [`analyser_lieu`], the date a calendar date `AAAA-MM-JJ` or `JJ/MM/AAAA` of a year
    /// from 1900 to 2200. The one
    /// reading of `notifier --lieu --date` and of the web application's form.
    pub fn analyser(lieu: Option<&str>, date: Option<&str>) -> Result<FaitA, RefusFaitA> {
        let refus = |champ, valeur: &str, raison| RefusFaitA {
            champ,
            valeur: valeur.to_string(),
            raison,
        };
        let lieu = lieu
            .map(|l| analyser_lieu(l).map_err(|raison| refus("lieu", l, raison)))
            .transpose()?;
        let date = date
            .map(|d| match crate::projection::evenements::analyser_date(d) {
                // a browser's date field turns a year typed « 26 » into 0026: the letter
                // would be signed « le 15 janvier 26 » (the exercice's bounds, E019)
                Some(x) if !(1900..=2200).contains(&x.annee) => Err(refus(
                    "date",
                    d,
                    "année hors de 1900 à 2200 (l'année s'écrit avec ses quatre chiffres)",
                )),
                Some(x) => Ok(x),
                None => Err(refus("date", d, "date invalide")),
            })
            .transpose()?;
        Ok(FaitA { lieu, date })
    }
}

/// A place of signature as given (`--lieu`), or why it is refused: blank, longer than 60
/// characters, or holding a control or invisible character (a direction mark would print
/// the place backwards in a signed letter: the characters refused in an identifier).
pub fn analyser_lieu(brut: &str) -> Result<String, &'static str> {
    let t = brut.trim();
    if t.is_empty() {
        return Err("lieu vide");
    }
    if crate::lecture::texte::caractere_invisible(t).is_some() {
        return Err("caractère de contrôle ou invisible dans le lieu");
    }
    if t.chars().count() > 60 {
        return Err("lieu de plus de 60 caractères");
    }
    Ok(t.to_string())
}

fn signature(fait: &FaitA) -> Bloc {
    Bloc::Signature {
        lieu_date: fait.texte(),
        qualite: "Pour la Caf, le directeur ou la directrice".to_string(),
    }
}

/// The signatory collectivités, named: `Ville de Dijon` or `A, B et C`.
fn signataires(r: &Resultat) -> String {
    let noms: Vec<String> = r
        .convention
        .collectivites
        .iter()
        .filter(|c| c.signataire)
        .map(|c| avec_article(&c.nom))
        .collect();
    match noms.as_slice() {
        [] => "les collectivités signataires".to_string(),
        [a] => a.clone(),
        [debut @ .., dernier] => format!("{} et {dernier}", debut.join(", ")),
    }
}

/// A collectivité's name as the subject of « conclue entre … et … »: `la Ville de Dijon`,
/// `la Communauté de communes …`, `le Syndicat …`, `l'Agglomération …`; a name that is not
/// led by such a noun (`Dijon Métropole`, `CC Gevrey…`) is left as it is.
fn avec_article(nom: &str) -> String {
    let premier = nom.split_whitespace().next().unwrap_or("").to_lowercase();
    let article = match premier.as_str() {
        "ville" | "commune" | "communauté" | "métropole" | "collectivité" | "région" => "la ",
        "syndicat" | "département" | "sivu" | "sivom" | "pôle" => "le ",
        "agglomération" | "établissement" | "intercommunalité" => "l'",
        _ => "",
    };
    format!("{article}{nom}")
}

/// `de la Ville de Dijon`, `du Syndicat …`, `de l'Agglomération …`, `de Dijon Métropole`.
fn de(nom: &str) -> String {
    let n = avec_article(nom);
    if let Some(reste) = n.strip_prefix("le ") {
        format!("du {reste}")
    } else {
        format!("de {n}")
    }
}

/// The (collectivité, volet) groups of a set of eligible structures, in result order.
fn groupes_de<'a>(r: &'a Resultat, lignes: &[&LigneStructure]) -> Vec<&'a GroupeVolet> {
    let cles: BTreeSet<(&str, &str)> = lignes
        .iter()
        .filter(|l| l.motif() == Motif::Eligible)
        .filter_map(|l| {
            l.eligibilite
                .volet()
                .map(|v| (l.structure.collectivite.as_str(), v))
        })
        .collect();
    r.groupes
        .iter()
        .filter(|g| cles.contains(&(g.collectivite.as_str(), g.volet.as_str())))
        .collect()
}

/// A rule as a paragraph; its barème references added, once each, to `sources` (the
/// letter's annex, [`fin_de_lettre`]).
fn pousser_regle(blocs: &mut Vec<Bloc>, sources: &mut Vec<String>, (texte, refs): Regle) {
    blocs.push(Bloc::Paragraphe(vec![normal(texte)]));
    for x in refs {
        ajouter_source(sources, x);
    }
}

/// Adds a barème reference to the letter's sources, unless blank or already there.
fn ajouter_source(sources: &mut Vec<String>, x: String) {
    if !x.trim().is_empty() && !sources.contains(&x) {
        sources.push(x);
    }
}

/// The rules section: one sentence per part of the split and per group (or once per
/// letter for the parts whose rule does not depend on the group: trajectoire, CTRE), with
/// the barème values they rest on.
fn regles(
    r: &Resultat,
    lignes: &[&LigneStructure],
    blocs: &mut Vec<Bloc>,
    sources: &mut Vec<String>,
) -> R<()> {
    let groupes = groupes_de(r, lignes);
    let ctre = composantes::regle_ctre(r, lignes);
    if groupes.is_empty() && ctre.is_none() {
        return Ok(());
    }
    blocs.push(Bloc::Titre("Règles appliquées".to_string()));
    for g in groupes {
        let Some(v) = r.bareme.volets.get(&g.volet) else {
            continue;
        };
        for c in COMPOSANTES {
            if let Portee::Groupe(regle) = c.regle {
                pousser_regle(blocs, sources, regle(r, g, v)?);
            }
        }
    }
    for c in COMPOSANTES {
        if let Portee::Lettre(regle) = c.regle {
            if let Some(x) = regle(r, lignes)? {
                pousser_regle(blocs, sources, x);
            }
        }
    }
    if let Some(x) = ctre {
        pousser_regle(blocs, sources, x);
    }
    Ok(())
}

/// The contribution section of a set of structures with its total row.
fn contribution(
    r: &Resultat,
    lignes: &[&LigneStructure],
    total: &Totaux,
    blocs: &mut Vec<Bloc>,
    sources: &mut Vec<String>,
) {
    blocs.push(Bloc::Titre(
        "Ce qui change pour la contribution de la collectivité".to_string(),
    ));
    let mode = &r.bareme.ajustement_contribution;
    let phrase = match mode.valeur {
        Ajustement::Neutre => "La collectivité ajuste sa subvention à chaque structure de l'écart entre ce que la Caf lui verse au titre du lissage et le bonus de N-1 : elle la réduit quand la Caf verse plus, l'augmente quand la Caf verse moins (sans descendre sous zéro), et le financement public de la structure est maintenu.",
        Ajustement::Integral => "La collectivité ajuste sa subvention à chaque structure de tout l'écart entre ce que la Caf lui verse (lissage et places nouvelles) et le bonus de N-1 : elle la réduit quand la Caf verse plus, l'augmente quand la Caf verse moins (sans descendre sous zéro).",
        Ajustement::Aucun => "La collectivité maintient sa subvention à chaque structure : la contribution N est celle de N-1, et le bonus s'y ajoute.",
    };
    blocs.push(Bloc::Paragraphe(vec![normal(phrase)]));
    ajouter_source(sources, reference(mode, "ajustement_contribution"));
    let colonnes = vec![
        Colonne {
            titre: "Structure".into(),
            largeur: 34,
            droite: false,
        },
        Colonne {
            titre: format!("Contribution {}", r.exercice - 1),
            largeur: 22,
            droite: true,
        },
        Colonne {
            titre: format!("Contribution {}", r.exercice),
            largeur: 22,
            droite: true,
        },
        Colonne {
            titre: "Variation du financement public".into(),
            largeur: 22,
            droite: true,
        },
    ];
    let mut t = Tableau {
        colonnes,
        lignes: Vec::new(),
    };
    for (i, l) in lignes.iter().enumerate() {
        t.lignes.push(LigneTableau {
            cellules: vec![
                l.structure.nom.to_string(),
                montant_fr(l.contribution_n1),
                montant_fr(l.contribution_n),
                montant_fr(l.variation),
            ],
            gras: false,
            groupe: i,
        });
    }
    t.lignes.push(LigneTableau {
        cellules: vec![
            "Total".into(),
            montant_fr(total.contribution_n1),
            montant_fr(total.contribution_n),
            montant_fr(total.variation),
        ],
        gras: true,
        groupe: lignes.len(),
    });
    blocs.push(Bloc::Tableau(t));
}

/// The columns of a table: (title, width, aligned right).
fn colonnes(c: &[(&str, u32, bool)]) -> Vec<Colonne> {
    c.iter()
        .map(|(titre, largeur, droite)| Colonne {
            titre: titre.to_string(),
            largeur: *largeur,
            droite: *droite,
        })
        .collect()
}

/// The opening sentence's end about the CTRE (R64), paid outside the bonus territoire:
/// `; la Caf lui verse en outre 12 000,00 € au titre …, soit 12 000,00 € au total.`
fn ouverture_ctre(total: &Totaux, qui: &str) -> R<Vec<Segment>> {
    if total.bonus_ctre.0 == 0 {
        return Ok(vec![normal(".")]);
    }
    Ok(vec![
        normal(format!(" ; la Caf {qui} verse en outre ")),
        gras(montant_fr(total.bonus_ctre)),
        normal(" au titre des places réservées par des employeurs (CTRE), hors bonus territoire, soit "),
        gras(montant_fr(verse_caf(total.bonus_total, total.bonus_ctre)?)),
        normal(" versés par la Caf au total."),
    ])
}

/// The closing paragraphs, the politeness formula and the signature: kept together on one
/// page by the renderers ([`debut_de_la_fin`]); then, as an annex for whoever checks the
/// figures, where each barème value the rules quote comes from.
fn fin_de_lettre(blocs: &mut Vec<Bloc>, rappel: &str, sources: Vec<String>, fait: &FaitA) {
    blocs.push(Bloc::Paragraphe(vec![normal(rappel)]));
    blocs.push(Bloc::Paragraphe(vec![normal(
        "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
    )]));
    blocs.push(signature(fait));
    if !sources.is_empty() {
        blocs.push(Bloc::Titre(TITRE_SOURCES.to_string()));
        blocs.extend(sources.into_iter().map(Bloc::Note));
    }
}

/// The heading of a letter's annex of barème references.
pub const TITRE_SOURCES: &str = "Annexe : sources des valeurs du barème";

/// Index of the first block a renderer keeps on the same page as the signature: the
/// paragraphs just before it (the closing reminder and the politeness formula). `None`
/// without signature.
pub fn debut_de_la_fin(blocs: &[Bloc]) -> Option<usize> {
    let s = blocs
        .iter()
        .rposition(|b| matches!(b, Bloc::Signature { .. }))?;
    let mut debut = s;
    while debut > 0 && s - debut < 2 && matches!(blocs[debut - 1], Bloc::Paragraphe(_)) {
        debut -= 1;
    }
    Some(debut)
}

/// Which letters to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// Every gestionnaire's letter and every collectivité's recap.
    Toutes,
    /// One gestionnaire's letter (its exact name in the result).
    Gestionnaire(String),
}

/// The gestionnaire named `nom` (case-insensitively, spaces around ignored), or the
/// nearest name as a suggestion.
pub fn trouver_gestionnaire<'a>(r: &'a Resultat, nom: &str) -> Result<&'a str, Option<&'a str>> {
    let cle = nom.trim().to_lowercase();
    if let Some(g) = r
        .gestionnaires
        .keys()
        .find(|g| g.trim().to_lowercase() == cle)
    {
        return Ok(g.as_str());
    }
    let mut meilleur: Option<(f64, &str)> = None;
    for g in r.gestionnaires.keys() {
        let s = strsim::jaro_winkler(&cle, &g.trim().to_lowercase());
        if meilleur.is_none_or(|(m, _)| s > m) {
            meilleur = Some((s, g.as_str()));
        }
    }
    Err(meilleur.filter(|(s, _)| *s >= 0.75).map(|(_, g)| g))
}

/// The letters of a result: the gestionnaires' in name order, then the collectivités'
/// recaps in convention order. File names are distinct: `gestionnaire-NOM`,
/// `collectivite-NOM`.
pub fn lettres(r: &Resultat, selection: &Selection, fait: &FaitA) -> R<Vec<Lettre>> {
    let mut noms = BTreeSet::new();
    let mut v = Vec::new();
    let gestionnaires: BTreeMap<&str, &Totaux> = r
        .gestionnaires
        .iter()
        .filter(|(g, _)| match selection {
            Selection::Toutes => true,
            Selection::Gestionnaire(n) => *g == n,
        })
        .map(|(g, t)| (g.as_str(), t))
        .collect();
    // each letter's structures, gathered in one pass (a pass over all the structures per
    // letter was quadratic), in the result's order
    let mut par_gestionnaire: HashMap<&str, Vec<&LigneStructure>> = HashMap::new();
    let mut par_collectivite: HashMap<&str, Vec<&LigneStructure>> = HashMap::new();
    for l in &r.structures {
        par_gestionnaire
            .entry(l.structure.gestionnaire.as_str())
            .or_default()
            .push(l);
        par_collectivite
            .entry(l.structure.collectivite.as_str())
            .or_default()
            .push(l);
    }
    let avec_groupe: HashSet<&str> = r.groupes.iter().map(|g| g.collectivite.as_str()).collect();
    for (g, t) in gestionnaires {
        let f = distinguer(&mut noms, format!("gestionnaire-{}", nom_de_fichier(g)));
        let lignes = par_gestionnaire.remove(g).unwrap_or_default();
        v.push(lettre_gestionnaire(r, (g, lignes), t, f, fait)?);
    }
    if *selection == Selection::Toutes {
        for c in &r.convention.collectivites {
            let lignes = par_collectivite.remove(c.id.as_str());
            if lignes.is_none() && !avec_groupe.contains(c.id.as_str()) {
                continue;
            }
            let f = distinguer(
                &mut noms,
                format!("collectivite-{}", nom_de_fichier(&c.nom)),
            );
            if let Some(l) = recapitulatif(r, (&c.id, lignes.unwrap_or_default()), f, fait)? {
                v.push(l);
            }
        }
    }
    Ok(v)
}

#[cfg(test)]
mod tests;
