//! The parts of the bonus a letter explains (lissage, new places, trajectoire, CTRE): for each,
//! its label, its amount, how it is computed for a structure and its rule in one sentence with
//! the barème reference; and the French number and date forms of the letters.

use super::*;

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

pub(super) fn base_trajectoire(l: &LigneStructure, v: &VoletExercice) -> R<String> {
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

pub(super) fn regle_trajectoire(r: &Resultat, _g: &GroupeVolet, _v: &VoletExercice) -> R<Regle> {
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

pub(super) fn base_ctre(l: &LigneStructure, _v: &VoletExercice) -> R<String> {
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

pub(super) fn regle_ctre(_r: &Resultat, _g: &GroupeVolet, _v: &VoletExercice) -> R<Regle> {
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
pub(super) fn decimal_fr(d: Decimal) -> String {
    groupe_fr(&d.normalize().to_string())
}

pub(super) fn unites_fr(u: Unites) -> String {
    groupe_fr(&u.to_string())
}

/// A unit rate (cents rational) in euros with four decimals, as the CSV `taux_unitaire`.
pub(super) fn taux_fr(t: &crate::calcul::rationnel::Rationnel) -> R<String> {
    Ok(format!("{} €", groupe_fr(&euros(t, 4)?)))
}

pub(super) fn pourcentage(d: Decimal) -> String {
    format!("{}\u{a0}%", decimal_fr(d * Decimal::from(100)))
}

/// Where a barème value comes from, in words: `volets.EAJE.plancher (depuis le 1er janvier
/// 2020, hypothèse) : Circulaire …`.
pub fn reference<T>(l: &Lu<T>, parametre: &str) -> String {
    match &l.source {
        Some(s) => format!(
            "{} (en vigueur depuis le {}, {}) : {}",
            s.parametre,
            s.debut.en_toutes_lettres(),
            s.statut.libelle(),
            s.reference
        ),
        None => format!("{parametre} : absent du barème, valeur neutre par défaut"),
    }
}

pub(super) fn base_lissage(l: &LigneStructure, v: &VoletExercice) -> R<String> {
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

pub(super) fn base_nouvelles(l: &LigneStructure, v: &VoletExercice) -> R<String> {
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

pub(super) fn nom_collectivite<'a>(r: &'a Resultat, id: &'a str) -> &'a str {
    r.convention.collectivite(id).map_or(id, |c| c.nom.as_str())
}

pub(super) fn regle_lissage(r: &Resultat, g: &GroupeVolet, v: &VoletExercice) -> R<Regle> {
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

pub(super) fn regle_nouvelles(r: &Resultat, g: &GroupeVolet, v: &VoletExercice) -> R<Regle> {
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
