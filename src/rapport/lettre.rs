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

use super::{euros, groupe_fr, montant_fr};
use crate::bareme::{Ajustement, Lu, Statut, VoletExercice};
use crate::calcul::eligibilite::Motif;
use crate::calcul::rationnel::R;
use crate::calcul::{GroupeVolet, LigneStructure, Resultat, Totaux};
use crate::modele::{Date, Montant, Unites};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

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

/// One part of the bonus: its label, its amount for a structure and for a set of
/// structures (both read from the result), how it is computed for a structure, and its rule.
pub struct Composante {
    pub libelle: &'static str,
    pub montant: fn(&LigneStructure) -> Montant,
    pub total: fn(&Totaux) -> Montant,
    /// The calculation base of one eligible structure (`60,00 × 1 028,8043 € …`).
    pub base: fn(&LigneStructure, &VoletExercice) -> R<String>,
    /// The rule for one (collectivité, volet) group, in one sentence, and the barème
    /// values it rests on.
    pub regle: fn(&Resultat, &GroupeVolet, &VoletExercice) -> R<Regle>,
}

/// A rule in one sentence, and the references of the barème values it rests on.
pub type Regle = (String, Vec<String>);

/// The split of the bonus, in the order of the letters.
pub const COMPOSANTES: &[Composante] = &[
    Composante {
        libelle: "Lissage",
        montant: |l| l.bonus_lissage,
        total: |t| t.bonus_lissage,
        base: base_lissage,
        regle: regle_lissage,
    },
    Composante {
        libelle: "Nouvelles places",
        montant: |l| l.bonus_nouvelles,
        total: |t| t.bonus_nouvelles,
        base: base_nouvelles,
        regle: regle_nouvelles,
    },
    Composante {
        libelle: "Trajectoire",
        montant: |l| l.bonus_trajectoire,
        total: |t| t.bonus_trajectoire,
        base: base_trajectoire,
        regle: regle_trajectoire,
    },
    Composante {
        libelle: "Places employeurs (CTRE)",
        montant: |l| l.bonus_ctre,
        total: |t| t.bonus_ctre,
        base: base_ctre,
        regle: regle_ctre,
    },
];

fn base_trajectoire(l: &LigneStructure, v: &VoletExercice) -> R<String> {
    Ok(if l.bonus_trajectoire.0 == 0 {
        "pas de bonus trajectoire".to_string()
    } else {
        format!(
            "{} {} éligibles, au forfait par place du palier atteint par la collectivité",
            unites_fr(l.unites_eligibles),
            v.unite.valeur
        )
    })
}

fn regle_trajectoire(r: &Resultat, _g: &GroupeVolet, _v: &VoletExercice) -> R<Regle> {
    let Some(t) = &r.bareme.trajectoire else {
        return Ok((
            "Trajectoire : pas de bonus trajectoire en vigueur pour cet exercice.".to_string(),
            Vec::new(),
        ));
    };
    let paliers: Vec<String> = t
        .seuils
        .valeur
        .iter()
        .zip(t.montants.valeur.iter())
        .map(|(s, m)| {
            format!(
                "{} pour une hausse d'au moins {}",
                montant_fr(*m),
                pourcentage(*s)
            )
        })
        .collect();
    Ok((
        format!(
            "Trajectoire : quand les places du volet {} de la collectivité ont progressé depuis {}, la Caf verse par place et par an {}.",
            t.volet.valeur,
            t.annee_reference.valeur,
            paliers.join(", ")
        ),
        vec![
            reference(&t.seuils, "trajectoire.seuils"),
            reference(&t.montants, "trajectoire.montants"),
        ],
    ))
}

fn base_ctre(l: &LigneStructure, _v: &VoletExercice) -> R<String> {
    Ok(if l.bonus_ctre.0 == 0 {
        "aucune place réservée par un employeur".to_string()
    } else {
        format!(
            "{} places réservées par des employeurs, dont {} nouvelles",
            unites_fr(l.structure.unites_employeurs),
            unites_fr(l.structure.unites_employeurs_nouvelles)
        )
    })
}

fn regle_ctre(_r: &Resultat, _g: &GroupeVolet, _v: &VoletExercice) -> R<Regle> {
    Ok((
        "Places employeurs (CTRE) : ce que la Caf versait en N-1 pour les places réservées par des employeurs est réparti sur ces places au prorata, et chaque place employeur nouvelle reçoit le forfait du volet CTRE du barème.".to_string(),
        Vec::new(),
    ))
}

/// French typography for both renderers: the space before `€ : ; ! ? » %` and after `«`
/// becomes a no-break space, so that a line never starts with them (nor ends with `«`).
pub fn espaces_insecables(texte: &str) -> String {
    let c: Vec<char> = texte.chars().collect();
    let mut o = String::with_capacity(texte.len());
    for (i, &x) in c.iter().enumerate() {
        let suivant = c.get(i + 1).copied();
        let precedent = i.checked_sub(1).and_then(|j| c.get(j)).copied();
        let avant_signe = matches!(suivant, Some('€' | ':' | ';' | '!' | '?' | '»' | '%'))
            && i > 0
            && c.get(i + 2)
                .is_none_or(|n| n.is_whitespace() || matches!(n, '.' | ',' | ')'));
        let apres_guillemet = precedent == Some('«');
        if x == ' ' && (avant_signe || apres_guillemet) {
            o.push('\u{a0}');
        } else {
            o.push(x);
        }
    }
    o
}

/// `12,5` for a decimal (decimal comma, thousands grouped).
fn decimal_fr(d: Decimal) -> String {
    groupe_fr(&d.normalize().to_string())
}

fn unites_fr(u: Unites) -> String {
    groupe_fr(&u.to_string())
}

/// A unit rate (cents rational) in euros with four decimals, as the CSV `taux_unitaire`.
fn taux_fr(t: &crate::calcul::rationnel::Rationnel) -> R<String> {
    Ok(format!("{} €", groupe_fr(&euros(t, 4)?)))
}

fn pourcentage(d: Decimal) -> String {
    format!("{}\u{a0}%", decimal_fr(d * Decimal::from(100)))
}

/// `1er janvier 2020`.
pub fn date_fr(d: Date) -> String {
    d.en_toutes_lettres()
}

fn statut_fr(s: Statut) -> &'static str {
    s.libelle()
}

/// Where a barème value comes from, in words: `volets.EAJE.plancher (depuis le 1er janvier
/// 2020, hypothèse) : Circulaire …`.
pub fn reference<T>(l: &Lu<T>, parametre: &str) -> String {
    match &l.source {
        Some(s) => format!(
            "{} (en vigueur depuis le {}, {}) : {}",
            s.parametre,
            date_fr(s.debut),
            statut_fr(s.statut),
            s.reference
        ),
        None => format!("{parametre} : absent du barème, valeur neutre par défaut"),
    }
}

fn base_lissage(l: &LigneStructure, v: &VoletExercice) -> R<String> {
    Ok(match &l.taux_unitaire {
        Some(t) => format!(
            "{} × {} par {} et par an × {}/12 mois",
            unites_fr(l.unites_eligibles),
            taux_fr(t)?,
            v.unite.valeur,
            l.structure.mois_ouverture
        ),
        None => "aucune unité à lisser".to_string(),
    })
}

fn base_nouvelles(l: &LigneStructure, v: &VoletExercice) -> R<String> {
    let n = l.structure.unites_nouvelles;
    Ok(if n.0 == 0 {
        format!("aucune {} nouvelle", v.unite.valeur)
    } else {
        format!(
            "{} × forfait {} par {} nouvelle × {}/12 mois",
            unites_fr(n),
            montant_fr(l.forfait),
            v.unite.valeur,
            l.structure.mois_ouverture
        )
    })
}

fn nom_collectivite<'a>(r: &'a Resultat, id: &'a str) -> &'a str {
    r.convention.collectivite(id).map_or(id, |c| c.nom.as_str())
}

fn regle_lissage(r: &Resultat, g: &GroupeVolet, v: &VoletExercice) -> R<Regle> {
    let coll = nom_collectivite(r, &g.collectivite);
    let taux = match &g.taux_effectif {
        Some(t) => format!("{} par {} et par an", taux_fr(t)?, v.unite.valeur),
        None => "nul (aucune unité éligible)".to_string(),
    };
    let texte = format!(
        "Lissage, volet {} de {coll} : ce que la Caf versait en N-1 pour ce volet est réparti entre les {} structures éligibles au prorata de leurs unités ({}, hors unités réservées par des employeurs) ; le taux, {taux}, est porté au plancher de {} par {} s'il est plus bas, revalorisé de {}, puis versé au prorata des mois d'ouverture, arrondi au centime (les centimes restants vont aux plus forts restes).",
        g.volet,
        g.structures_eligibles,
        v.unite.valeur,
        // the grid cell applied to this group (by the collectivité's stratum and amount)
        montant_fr(g.plancher),
        v.unite.valeur,
        pourcentage(g.revalorisation)
    );
    Ok((
        texte,
        vec![
            reference(&v.plancher, &format!("volets.{}.plancher", g.volet)),
            reference(
                &v.revalorisation,
                &format!("volets.{}.revalorisation", g.volet),
            ),
        ],
    ))
}

fn regle_nouvelles(r: &Resultat, g: &GroupeVolet, v: &VoletExercice) -> R<Regle> {
    let coll = r.convention.collectivite(&g.collectivite);
    let tranche = coll.and_then(|c| c.tranche);
    let forfait = v.forfait(tranche.unwrap_or(0));
    let plafond = match (v.plafond_developpement.valeur, &g.facteur_plafond) {
        (None, _) => String::new(),
        (Some(p), None) => format!(
            ", dans la limite de {} de ce que la Caf versait en N-1 pour ce volet (limite non atteinte)",
            pourcentage(p)
        ),
        (Some(p), Some(_)) => format!(
            ", dans la limite de {} de ce que la Caf versait en N-1 pour ce volet (limite atteinte : chaque forfait est réduit dans la même proportion)",
            pourcentage(p)
        ),
    };
    let coll_nom = coll.map_or(g.collectivite.as_str(), |c| c.nom.as_str());
    if forfait.0 == 0 {
        let texte = format!(
            "Nouvelles places, volet {} de {coll_nom} : le barème ne prévoit pas de forfait pour les unités nouvelles de ce volet (tranche {}) : rien n'est versé à ce titre.",
            g.volet,
            tranche.map_or("non renseignée".to_string(), |t| t.to_string()),
        );
        let r = reference(
            &v.forfaits_nouvelles,
            &format!("volets.{}.forfaits_nouvelles", g.volet),
        );
        return Ok((texte, vec![r]));
    }
    let texte = format!(
        "Nouvelles places, volet {} de {} : chaque {} créée depuis l'année de référence reçoit le forfait de la tranche {} de la collectivité, {} par an, au prorata des mois d'ouverture{plafond}, arrondi au centime.",
        g.volet,
        coll_nom,
        v.unite.valeur,
        tranche.map_or("non renseignée".to_string(), |t| t.to_string()),
        montant_fr(forfait)
    );
    let mut refs = vec![reference(
        &v.forfaits_nouvelles,
        &format!("volets.{}.forfaits_nouvelles", g.volet),
    )];
    if v.plafond_developpement.valeur.is_some() {
        refs.push(reference(
            &v.plafond_developpement,
            &format!("volets.{}.plafond_developpement", g.volet),
        ));
    }
    Ok((texte, refs))
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
    let mut s: String = s.chars().take(60).collect();
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
        expediteur.push(format!("du {} au {}", date_fr(d), date_fr(f)));
    }
    Bloc::Entete {
        expediteur,
        destinataire,
    }
}

fn signature() -> Bloc {
    Bloc::Signature {
        lieu_date: "Fait à ……………………, le ……………………".to_string(),
        qualite: "Pour la Caf, le directeur ou la directrice".to_string(),
    }
}

/// The signatory collectivités, named: `Ville de Dijon` or `A, B et C`.
fn signataires(r: &Resultat) -> String {
    let noms: Vec<&str> = r
        .convention
        .collectivites
        .iter()
        .filter(|c| c.signataire)
        .map(|c| c.nom.as_str())
        .collect();
    match noms.as_slice() {
        [] => "les collectivités signataires".to_string(),
        [a] => (*a).to_string(),
        [debut @ .., dernier] => format!("{} et {dernier}", debut.join(", ")),
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

/// The rules section: one sentence per part of the split and per group, with the barème
/// values they rest on.
fn regles(r: &Resultat, lignes: &[&LigneStructure], blocs: &mut Vec<Bloc>) -> R<()> {
    let groupes = groupes_de(r, lignes);
    if groupes.is_empty() {
        return Ok(());
    }
    blocs.push(Bloc::Titre("Règles appliquées".to_string()));
    for g in groupes {
        let Some(v) = r.bareme.volets.get(&g.volet) else {
            continue;
        };
        for c in COMPOSANTES {
            let (texte, refs) = (c.regle)(r, g, v)?;
            blocs.push(Bloc::Paragraphe(vec![normal(texte)]));
            // no « Barème : » line without a reference
            let refs: Vec<&String> = refs.iter().filter(|x| !x.trim().is_empty()).collect();
            if !refs.is_empty() {
                let refs: Vec<&str> = refs.iter().map(|x| x.as_str()).collect();
                blocs.push(Bloc::Note(format!("Barème : {}", refs.join(" ; "))));
            }
        }
    }
    Ok(())
}

/// The contribution section of a set of structures with its total row.
fn contribution(r: &Resultat, lignes: &[&LigneStructure], total: &Totaux, blocs: &mut Vec<Bloc>) {
    blocs.push(Bloc::Titre(
        "Ce qui change pour la contribution de la collectivité".to_string(),
    ));
    let mode = &r.bareme.ajustement_contribution;
    let phrase = match mode.valeur {
        Ajustement::Neutre => "La collectivité réduit sa subvention à chaque structure de ce que la Caf lui verse en plus, au titre du lissage, par rapport au bonus de N-1 (sans descendre sous zéro) : le financement public de la structure est maintenu.",
        Ajustement::Integral => "La collectivité réduit sa subvention à chaque structure de tout ce que la Caf lui verse en plus par rapport au bonus de N-1, lissage et places nouvelles (sans descendre sous zéro).",
        Ajustement::Aucun => "La collectivité maintient sa subvention à chaque structure : la contribution N est celle de N-1, et le bonus s'y ajoute.",
    };
    blocs.push(Bloc::Paragraphe(vec![normal(phrase)]));
    blocs.push(Bloc::Note(format!(
        "Barème : {}",
        reference(mode, "ajustement_contribution")
    )));
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
                l.structure.nom.clone(),
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

/// The letter to one gestionnaire.
fn lettre_gestionnaire(
    r: &Resultat,
    gestionnaire: &str,
    total: &Totaux,
    fichier: String,
) -> R<Lettre> {
    let lignes: Vec<&LigneStructure> = r
        .structures
        .iter()
        .filter(|l| l.structure.gestionnaire == gestionnaire)
        .collect();
    let mut blocs = vec![entete(r, vec![gestionnaire.to_string()])];
    blocs.push(Bloc::Objet(format!(
        "notification du bonus territoire CTG — exercice {}",
        r.exercice
    )));
    blocs.push(Bloc::Paragraphe(vec![normal("Madame, Monsieur,")]));
    blocs.push(Bloc::Paragraphe(vec![
        normal(format!(
            "Dans le cadre de la convention territoriale globale « {} » conclue entre {} et {}, la Caf verse directement aux gestionnaires des structures inscrites en annexe 2 le bonus territoire. Pour l'exercice {}, le bonus territoire attribué à {gestionnaire} s'élève à ",
            r.convention.nom,
            la_caf(&r.convention.caf),
            signataires(r),
            r.exercice
        )),
        gras(montant_fr(total.bonus_total)),
        normal(match total.structures_eligibles {
            0 => " : aucune de ses structures n'est éligible (motifs ci-dessous).".to_string(),
            1 => " pour 1 structure éligible.".to_string(),
            n => format!(" pour {n} structures éligibles."),
        }),
    ]));
    blocs.push(Bloc::Titre("Bonus par structure".to_string()));
    let mut t = Tableau {
        colonnes: vec![
            Colonne {
                titre: "Structure".into(),
                largeur: 28,
                droite: false,
            },
            Colonne {
                titre: "Part".into(),
                largeur: 19,
                droite: false,
            },
            Colonne {
                titre: "Base de calcul".into(),
                largeur: 35,
                droite: false,
            },
            Colonne {
                titre: "Montant".into(),
                largeur: 18,
                droite: true,
            },
        ],
        lignes: Vec::new(),
    };
    for (i, l) in lignes.iter().enumerate() {
        let nom = format!("{} ({})", l.structure.nom, l.structure.id);
        let volet = l.eligibilite.volet().and_then(|v| r.bareme.volets.get(v));
        match (l.motif(), volet) {
            (Motif::Eligible, Some(v)) => {
                for (k, c) in COMPOSANTES.iter().enumerate() {
                    t.lignes.push(LigneTableau {
                        cellules: vec![
                            if k == 0 { nom.clone() } else { String::new() },
                            c.libelle.to_string(),
                            (c.base)(l, v)?,
                            montant_fr((c.montant)(l)),
                        ],
                        gras: false,
                        groupe: i,
                    });
                }
                t.lignes.push(LigneTableau {
                    cellules: vec![
                        String::new(),
                        "Total".into(),
                        format!("volet {}", v.nom),
                        montant_fr(l.bonus_total),
                    ],
                    gras: true,
                    groupe: i,
                });
            }
            (m, _) => t.lignes.push(LigneTableau {
                cellules: vec![
                    nom,
                    "Non éligible".into(),
                    m.libelle().to_string(),
                    montant_fr(l.bonus_total),
                ],
                gras: false,
                groupe: i,
            }),
        }
    }
    let n = lignes.len();
    for (k, c) in COMPOSANTES.iter().enumerate() {
        t.lignes.push(LigneTableau {
            cellules: vec![
                if k == 0 {
                    format!("Total {gestionnaire}")
                } else {
                    String::new()
                },
                c.libelle.to_string(),
                String::new(),
                montant_fr((c.total)(total)),
            ],
            gras: false,
            groupe: n,
        });
    }
    t.lignes.push(LigneTableau {
        cellules: vec![
            String::new(),
            "Bonus total".into(),
            String::new(),
            montant_fr(total.bonus_total),
        ],
        gras: true,
        groupe: n,
    });
    blocs.push(Bloc::Tableau(t));
    regles(r, &lignes, &mut blocs)?;
    contribution(r, &lignes, total, &mut blocs);
    blocs.push(Bloc::Paragraphe(vec![normal(
        "Le bonus est versé par la Caf au gestionnaire ; ces montants peuvent être vérifiés avec la commande « bonus-ctg verifier ». Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
    )]));
    blocs.push(signature());
    Ok(Lettre {
        genre: Genre::Gestionnaire,
        fichier,
        destinataire: gestionnaire.to_string(),
        titre: format!("Bonus territoire CTG {} — {gestionnaire}", r.exercice),
        blocs,
    })
}

/// The recap for one collectivité.
fn recapitulatif(r: &Resultat, id: &str, fichier: String) -> R<Option<Lettre>> {
    let Some(tc) = r.collectivites.get(id) else {
        return Ok(None);
    };
    let nom = nom_collectivite(r, id).to_string();
    let mut lignes: Vec<&LigneStructure> = r
        .structures
        .iter()
        .filter(|l| l.structure.collectivite == id)
        .collect();
    lignes.sort_by(|a, b| {
        (a.structure.gestionnaire.as_str(), a.structure.nom.as_str())
            .cmp(&(b.structure.gestionnaire.as_str(), b.structure.nom.as_str()))
    });
    let tot = &tc.structures;
    let mut blocs = vec![entete(r, vec![nom.clone()])];
    blocs.push(Bloc::Objet(format!(
        "récapitulatif du bonus territoire CTG versé sur votre territoire — exercice {}",
        r.exercice
    )));
    blocs.push(Bloc::Paragraphe(vec![normal("Madame, Monsieur,")]));
    blocs.push(Bloc::Paragraphe(vec![
        normal(format!(
            "Pour l'exercice {}, la Caf verse directement aux gestionnaires des structures de {nom} un bonus territoire de ",
            r.exercice
        )),
        gras(montant_fr(tot.bonus_total)),
        normal(format!(
            ", pour {} structure{} éligible{} sur {} inscrite{} aux annexes 2 et 2 bis de la convention « {} ». Chaque gestionnaire reçoit sa propre lettre de notification.",
            tot.structures_eligibles,
            if tot.structures_eligibles > 1 { "s" } else { "" },
            if tot.structures_eligibles > 1 { "s" } else { "" },
            tot.structures,
            if tot.structures > 1 { "s" } else { "" },
            r.convention.nom
        )),
    ]));
    if tc.verse_collectivite.0 != 0 {
        blocs.push(Bloc::Paragraphe(vec![
            normal("La Caf verse en outre directement à la collectivité (pilotage) "),
            gras(montant_fr(tc.verse_collectivite)),
            normal("."),
        ]));
    }
    blocs.push(Bloc::Titre("Bonus par composante".to_string()));
    let mut t = Tableau {
        colonnes: vec![
            Colonne {
                titre: "Composante".into(),
                largeur: 70,
                droite: false,
            },
            Colonne {
                titre: "Montant".into(),
                largeur: 30,
                droite: true,
            },
        ],
        lignes: Vec::new(),
    };
    for (i, c) in COMPOSANTES.iter().enumerate() {
        t.lignes.push(LigneTableau {
            cellules: vec![c.libelle.to_string(), montant_fr((c.total)(tot))],
            gras: false,
            groupe: i,
        });
    }
    t.lignes.push(LigneTableau {
        cellules: vec!["Bonus total".into(), montant_fr(tot.bonus_total)],
        gras: true,
        groupe: COMPOSANTES.len(),
    });
    blocs.push(Bloc::Tableau(t));

    blocs.push(Bloc::Titre("Bonus par structure".to_string()));
    let mut t = Tableau {
        colonnes: vec![
            Colonne {
                titre: "Structure".into(),
                largeur: 36,
                droite: false,
            },
            Colonne {
                titre: "Gestionnaire".into(),
                largeur: 24,
                droite: false,
            },
            Colonne {
                titre: "Unités éligibles".into(),
                largeur: 14,
                droite: true,
            },
            Colonne {
                titre: "Bonus".into(),
                largeur: 26,
                droite: true,
            },
        ],
        lignes: Vec::new(),
    };
    for (i, l) in lignes.iter().enumerate() {
        t.lignes.push(LigneTableau {
            cellules: vec![
                format!("{} ({})", l.structure.nom, l.structure.id),
                l.structure.gestionnaire.clone(),
                unites_fr(l.unites_eligibles),
                montant_fr(l.bonus_total),
            ],
            gras: false,
            groupe: i,
        });
    }
    t.lignes.push(LigneTableau {
        cellules: vec![
            "Total".into(),
            String::new(),
            String::new(),
            montant_fr(tot.bonus_total),
        ],
        gras: true,
        groupe: lignes.len(),
    });
    blocs.push(Bloc::Tableau(t));
    regles(r, &lignes, &mut blocs)?;
    contribution(r, &lignes, tot, &mut blocs);
    blocs.push(Bloc::Paragraphe(vec![normal(
        "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos salutations distinguées.",
    )]));
    blocs.push(signature());
    Ok(Some(Lettre {
        genre: Genre::Collectivite,
        fichier,
        destinataire: nom.clone(),
        titre: format!("Bonus territoire CTG {} — récapitulatif {nom}", r.exercice),
        blocs,
    }))
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
pub fn lettres(r: &Resultat, selection: &Selection) -> R<Vec<Lettre>> {
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
    for (g, t) in gestionnaires {
        let f = distinguer(&mut noms, format!("gestionnaire-{}", nom_de_fichier(g)));
        v.push(lettre_gestionnaire(r, g, t, f)?);
    }
    if *selection == Selection::Toutes {
        for c in &r.convention.collectivites {
            if !r
                .structures
                .iter()
                .any(|l| l.structure.collectivite == c.id)
                && !r.groupes.iter().any(|g| g.collectivite == c.id)
            {
                continue;
            }
            let f = distinguer(
                &mut noms,
                format!("collectivite-{}", nom_de_fichier(&c.nom)),
            );
            if let Some(l) = recapitulatif(r, &c.id, f)? {
                v.push(l);
            }
        }
    }
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noms_de_fichier_surs_et_distincts() {
        assert_eq!(
            nom_de_fichier("Léo Lagrange / Petite Enfance"),
            "leo-lagrange-petite-enfance"
        );
        assert_eq!(nom_de_fichier("../../etc"), "etc");
        assert_eq!(nom_de_fichier("Œuvre"), "oeuvre");
        assert_eq!(nom_de_fichier("  "), "sans-nom");
        assert_eq!(nom_de_fichier("日本"), "sans-nom");
        let mut n = BTreeSet::new();
        assert_eq!(distinguer(&mut n, "a".into()), "a");
        assert_eq!(distinguer(&mut n, "a".into()), "a-2");
        assert_eq!(distinguer(&mut n, "a".into()), "a-3");
    }

    #[test]
    fn dates_et_pourcentages() {
        assert_eq!(date_fr(Date::new(2020, 1, 1)), "1er janvier 2020");
        assert_eq!(date_fr(Date::new(2027, 12, 31)), "31 décembre 2027");
        assert_eq!(pourcentage(Decimal::new(25, 2)), "25\u{a0}%");
        assert_eq!(pourcentage(Decimal::new(125, 4)), "1,25\u{a0}%");
        assert_eq!(la_caf("Caf de la Côte-d’Or"), "la Caf de la Côte-d’Or");
        assert_eq!(
            espaces_insecables("« CTG » : 0,00 € par an ; 25 %."),
            "«\u{a0}CTG\u{a0}»\u{a0}: 0,00\u{a0}€ par an\u{a0}; 25\u{a0}%."
        );
        // a sign inside a word is left alone
        assert_eq!(espaces_insecables("a :b"), "a :b");
    }
}
