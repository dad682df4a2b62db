//! The parts of the bonus a letter explains (lissage, new places, trajectoire, CTRE): for each,
//! its label, its amount, how it is computed for a structure and its rule in one sentence with
//! the barème reference; and the French number and date forms of the letters.

use super::*;

/// One part of the bonus territoire: its label, its amount for a structure and for a set of
/// structures (both read from the result), how it is computed for a structure, and its rule.
/// The parts of [`COMPOSANTES`] add up to `bonus_total`; the CTRE, paid outside it, is
/// shown apart ([`a_une_ligne_ctre`], [`base_ctre`]).
pub struct Composante {
    pub libelle: &'static str,
    pub montant: fn(&LigneStructure) -> Montant,
    pub total: fn(&Totaux) -> Montant,
    /// Whether an eligible structure has a row for this part (the trajectoire only concerns
    /// the structures of its volet).
    pub concerne: fn(&Resultat, &LigneStructure) -> bool,
    /// The calculation base of one eligible structure (`60,00 × 1 028,8043 € …`).
    pub base: fn(&Resultat, &LigneStructure, &VoletExercice) -> R<String>,
    pub regle: Portee,
}

/// Where the rule of a part is said: once per (collectivité, volet) group, or once per
/// letter (its structures given; `None`: nothing to say).
pub enum Portee {
    Groupe(fn(&Resultat, &GroupeVolet, &VoletExercice) -> R<Regle>),
    Lettre(fn(&Resultat, &[&LigneStructure]) -> R<Option<Regle>>),
}

/// A rule in one sentence, and the references of the barème values it rests on.
pub type Regle = (String, Vec<String>);

/// The split of the bonus territoire, in the order of the letters: its parts add up to
/// `bonus_total` (R6).
pub const COMPOSANTES: &[Composante] = &[
    Composante {
        libelle: "Lissage",
        montant: |l| l.bonus_lissage,
        total: |t| t.bonus_lissage,
        concerne: |_, _| true,
        base: base_lissage,
        regle: Portee::Groupe(regle_lissage),
    },
    Composante {
        libelle: "Nouvelles places",
        montant: |l| l.bonus_nouvelles,
        total: |t| t.bonus_nouvelles,
        concerne: |_, _| true,
        base: base_nouvelles,
        regle: Portee::Groupe(regle_nouvelles),
    },
    Composante {
        libelle: "Trajectoire",
        montant: |l| l.bonus_trajectoire,
        total: |t| t.bonus_trajectoire,
        concerne: concerne_trajectoire,
        base: base_trajectoire,
        regle: Portee::Lettre(regle_trajectoire),
    },
];

/// Label of the CTRE row (R64), outside the bonus territoire.
pub const LIBELLE_CTRE: &str = "Places employeurs (CTRE)";

/// Whether a structure has a CTRE row: it has places reserved by employers (existing or
/// new) or receives a CTRE (R64). Never an RPE, ALSH or LAEP: they have no employer place.
pub fn a_une_ligne_ctre(l: &LigneStructure) -> bool {
    l.structure.unites_employeurs.0 != 0
        || l.structure.unites_employeurs_nouvelles.0 != 0
        || l.bonus_ctre.0 != 0
        || l.ctre_lissage.is_some()
        || l.ctre_nouvelles.is_some()
}

/// What the Caf pays for a structure or a set of structures: bonus territoire + CTRE (R8).
pub fn verse_caf(bonus_total: Montant, bonus_ctre: Montant) -> R<Montant> {
    bonus_total
        .0
        .checked_add(bonus_ctre.0)
        .map(Montant)
        .ok_or(crate::calcul::rationnel::Depassement)
}

/// `12,00 places`, `1,00 place`, `1,50 ETP d'animation`: a quantity with its unit, plural
/// from 2 on (French usage).
pub(super) fn quantite(u: Unites, unite: &str) -> String {
    if u.0 >= 200 {
        format!("{} {}", unites_fr(u), pluriel(unite))
    } else {
        format!("{} {unite}", unites_fr(u))
    }
}

/// The plural of a unit: `places`, `heures d'ouverture`, `places réservées employeur`,
/// `ETP d'animation` (an acronym does not take the plural mark).
pub(super) fn pluriel(unite: &str) -> String {
    let mut o = Vec::new();
    let mut complement = false;
    for m in unite.split(' ') {
        complement |= m.starts_with("d'")
            || m.starts_with("d’")
            || matches!(m, "de" | "du" | "des" | "employeur" | "employeurs");
        let sigle = m.chars().all(|c| !c.is_lowercase());
        if complement || sigle || m.ends_with('s') || m.ends_with('x') || m.is_empty() {
            o.push(m.to_string());
        } else {
            o.push(format!("{m}s"));
        }
    }
    o.join(" ")
}

/// Whether a unit is a feminine noun (`place`, `heure`): for « aucune place nouvelle » but
/// « aucun ETP nouveau ».
pub(super) fn feminin(unite: &str) -> bool {
    matches!(
        unite.split(' ').next().unwrap_or(""),
        "place" | "heure" | "journée" | "demi-journée" | "séance"
    )
}

/// `nouvelle` or `nouveau`, agreed with the unit.
fn nouveau(unite: &str) -> &'static str {
    if feminin(unite) {
        "nouvelle"
    } else {
        "nouveau"
    }
}

/// The trajectoire concerns the eligible structures of its volet (R63).
fn concerne_trajectoire(r: &Resultat, l: &LigneStructure) -> bool {
    l.bonus_trajectoire.0 != 0
        || r.bareme
            .trajectoire
            .as_ref()
            .is_some_and(|t| l.eligibilite.volet() == Some(t.volet.valeur.as_str()))
}

/// The trajectoire of the collectivité of `l` and the share of `l`, as computed (R63).
fn trajectoire_de<'r>(
    r: &'r Resultat,
    l: &LigneStructure,
) -> Option<(&'r TrajectoireCollectivite, &'r PartTrajectoire)> {
    r.trajectoire
        .iter()
        .filter(|t| t.collectivite == l.structure.collectivite)
        .find_map(|t| t.part(&l.structure.id).map(|p| (t, p)))
}

/// `palier 1 atteint par la collectivité (hausse d'au moins 4 % des places depuis 2023)`.
fn palier(t: &TrajectoireCollectivite) -> String {
    match (t.niveau, t.seuil) {
        (Some(k), Some(s)) => format!(
            "palier {k} atteint par la collectivité (hausse d'au moins {} de ses places depuis {})",
            pourcentage(s),
            t.annee_reference
        ),
        _ => format!(
            "aucun palier atteint par la collectivité (ses places n'ont pas assez progressé depuis {})",
            t.annee_reference
        ),
    }
}

/// The basis of the trajectoire share, from the calculation's own values: place-months of
/// the structure and amount per place of the tier reached (R63), so that basis × rate is
/// the exact share: `29,00 places × 100,00 € par place et par an × 12/12 mois`.
pub(super) fn base_trajectoire(r: &Resultat, l: &LigneStructure, v: &VoletExercice) -> R<String> {
    let Some((t, p)) = trajectoire_de(r, l) else {
        return Ok("pas de bonus trajectoire".to_string());
    };
    if t.montant_par_place.0 == 0 {
        return Ok(format!("pas de bonus trajectoire : {}", palier(t)));
    }
    let unite = &v.unite.valeur;
    let mo = i64::from(l.structure.mois_ouverture);
    let base = if mo > 0 && p.places_mois % mo == 0 {
        format!(
            "{} × {} par {unite} et par an × {mo}/12 mois",
            quantite(Unites(p.places_mois / mo), unite),
            montant_fr(t.montant_par_place),
        )
    } else {
        // places varying within the year: the place-months themselves
        format!(
            "{} {}-mois × {} par {unite} et par an ÷ 12",
            unites_fr(Unites(p.places_mois)),
            pluriel(unite),
            montant_fr(t.montant_par_place),
        )
    };
    Ok(format!("{base}, {}", palier(t)))
}

/// The trajectoire rule, once per letter, with the tier each collectivité of the letter's
/// structures reached.
pub(super) fn regle_trajectoire(r: &Resultat, lignes: &[&LigneStructure]) -> R<Option<Regle>> {
    let concernees: Vec<&&LigneStructure> = lignes
        .iter()
        .filter(|l| l.motif() == Motif::Eligible && concerne_trajectoire(r, l))
        .collect();
    if concernees.is_empty() {
        return Ok(None);
    }
    let Some(t) = &r.bareme.trajectoire else {
        return Ok(Some((
            "Trajectoire : pas de bonus trajectoire en vigueur pour cet exercice.".to_string(),
            Vec::new(),
        )));
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
    let mut texte = format!(
        "Trajectoire : quand les places du volet {} d'une collectivité ont progressé depuis {}, la Caf verse pour chaque place éligible de ce volet, par an et au prorata des mois, {}.",
        t.volet.valeur,
        t.annee_reference.valeur,
        paliers.join(", ")
    );
    let mut vues = BTreeSet::new();
    for l in concernees {
        let Some((tc, _)) = trajectoire_de(r, l) else {
            continue;
        };
        if !vues.insert(tc.collectivite.as_str()) {
            continue;
        }
        let unite = r
            .bareme
            .volets
            .get(&tc.volet)
            .map_or("place".to_string(), |v| v.unite.valeur.clone());
        texte.push_str(&format!(
            " Pour {} : {} en {} pour {} en {} ; {}, soit {} par {unite} et par an.",
            avec_article(nom_collectivite(r, &tc.collectivite)),
            quantite(tc.places, &unite),
            r.exercice,
            quantite(tc.places_reference, &unite),
            tc.annee_reference,
            palier(tc),
            montant_fr(tc.montant_par_place),
        ));
    }
    Ok(Some((
        texte,
        vec![
            reference(&t.seuils, "trajectoire.seuils"),
            reference(&t.montants, "trajectoire.montants"),
        ],
    )))
}

/// The basis of the CTRE row of a structure (R64): its employer places, and why it
/// receives a CTRE or not.
pub(super) fn base_ctre(l: &LigneStructure) -> String {
    let s = &l.structure;
    let places = if s.unites_employeurs.0 >= 200 {
        format!(
            "{} réservées par des employeurs",
            quantite(s.unites_employeurs, "place")
        )
    } else {
        format!(
            "{} réservée par un employeur",
            quantite(s.unites_employeurs, "place")
        )
    };
    let nouvelles = match s.unites_employeurs_nouvelles.0 {
        0 => String::new(),
        n => format!(
            " et {} {}",
            quantite(Unites(n), "place"),
            if n >= 200 { "nouvelles" } else { "nouvelle" }
        ),
    };
    let deduites = if s.unites_employeurs.0 >= 200 {
        "déduites"
    } else {
        "déduite"
    };
    let verse_de = |a: &Option<Box<crate::calcul::repartition::Attribution>>| {
        a.as_ref().is_some_and(|a| a.verse != 0)
    };
    let verse = match (verse_de(&l.ctre_lissage), verse_de(&l.ctre_nouvelles)) {
        (false, false) => "pas de charge CTRE N-1",
        (true, false) => "part de la charge CTRE N-1, hors bonus territoire",
        (false, true) => "forfait CTRE des places employeurs nouvelles, hors bonus territoire",
        (true, true) => "part de la charge CTRE N-1 et forfait des places employeurs nouvelles, hors bonus territoire",
    };
    format!("{places}{nouvelles}, {deduites} des places éligibles ; {verse}")
}

/// The CTRE rule, once per letter that has a CTRE row.
pub(super) fn regle_ctre(r: &Resultat, lignes: &[&LigneStructure]) -> Option<Regle> {
    if !lignes.iter().any(|l| a_une_ligne_ctre(l)) {
        return None;
    }
    let mut refs = Vec::new();
    if let Some(v) = r.bareme.volets.get("CTRE") {
        refs.push(reference(
            &v.forfaits_nouvelles,
            "volets.CTRE.forfaits_nouvelles",
        ));
    }
    Some((
        "Places employeurs (CTRE) : les places réservées par des employeurs ne comptent pas dans les places éligibles au bonus territoire ; la Caf les finance à part, hors bonus territoire : ce qu'elle versait en N-1 au titre du CTRE pour la collectivité est réparti sur ces places au prorata, et chaque place employeur nouvelle reçoit le forfait CTRE du barème, au prorata des mois. Sans charge CTRE N-1 ni place employeur nouvelle, rien n'est versé à ce titre.".to_string(),
        refs,
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

/// A unit rate (cents rational) in euros with four decimals, as the CSV `taux_unitaire`
/// (`0,6366 €`), or two when the last two are zeros (`1 500,00 €`, not `1 500,0000 €`).
pub(super) fn taux_fr(t: &crate::calcul::rationnel::Rationnel) -> R<String> {
    let quatre = euros(t, 4)?;
    let texte = quatre.strip_suffix("00").unwrap_or(&quatre);
    Ok(format!("{} €", groupe_fr(texte)))
}

pub(super) fn pourcentage(d: Decimal) -> String {
    format!("{}\u{a0}%", decimal_fr(d * Decimal::from(100)))
}

/// Where a barème value comes from, in words, for a letter's annex:
/// `volets.EAJE.plancher, en vigueur depuis le 1er janvier 2020 (valeur à confirmer :
/// hypothèse) : Circulaire …`.
pub fn reference<T>(l: &Lu<T>, parametre: &str) -> String {
    match &l.source {
        Some(s) => format!(
            "{}, en vigueur depuis le {} ({}) : {}",
            s.parametre,
            s.debut.en_toutes_lettres(),
            match s.statut {
                crate::bareme::Statut::Confirme => "valeur confirmée",
                crate::bareme::Statut::Hypothese => "valeur à confirmer : hypothèse",
            },
            pour_le_lecteur(&s.reference)
        ),
        None => format!("{parametre} : absent du barème, valeur neutre par défaut"),
    }
}

/// A barème reference in the words of a letter's reader: no file path nor command, the
/// rule numbers kept. `(docs/regles.md R6, R65)` → `(règles R6 et R65 des règles de calcul de
/// bonus-ctg)`; `barème intégré (src/bareme_defaut.toml)` → `barème national intégré à
/// bonus-ctg`.
pub fn pour_le_lecteur(texte: &str) -> String {
    let mut t = texte.replace(
        "barème intégré (src/bareme_defaut.toml)",
        "barème national intégré à bonus-ctg",
    );
    while let Some(i) = t.find("docs/regles.md") {
        // the rule numbers that follow, up to the closing parenthesis or the end
        let apres = &t[i + "docs/regles.md".len()..];
        let fin = apres.find([')', ';']).unwrap_or(apres.len());
        let regles: Vec<&str> = apres[..fin]
            .split([',', ' '])
            .filter(|x| !x.is_empty())
            .collect();
        let mot = match regles.as_slice() {
            [] => "règles de calcul de bonus-ctg".to_string(),
            [r] => format!("règle {r} des règles de calcul de bonus-ctg"),
            [debut @ .., dernier] => format!(
                "règles {} et {dernier} des règles de calcul de bonus-ctg",
                debut.join(", ")
            ),
        };
        t = format!("{}{mot}{}", &t[..i], &apres[fin..]);
    }
    for (chemin, mot) in [
        (
            "src/bareme_defaut.toml",
            "barème national intégré à bonus-ctg",
        ),
        ("docs/bareme.md", "documentation du barème de bonus-ctg"),
    ] {
        t = t.replace(chemin, mot);
    }
    t
}

pub(super) fn base_lissage(_r: &Resultat, l: &LigneStructure, v: &VoletExercice) -> R<String> {
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

pub(super) fn base_nouvelles(_r: &Resultat, l: &LigneStructure, v: &VoletExercice) -> R<String> {
    let n = l.structure.unites_nouvelles;
    Ok(if n.0 == 0 {
        let u = &v.unite.valeur;
        format!(
            "{} {u} {}",
            if feminin(u) { "aucune" } else { "aucun" },
            nouveau(u)
        )
    } else {
        format!(
            "{} × forfait {} par {} {} × {}/12 mois",
            unites_fr(n),
            montant_fr(l.forfait),
            v.unite.valeur,
            nouveau(&v.unite.valeur),
            l.structure.mois_ouverture
        )
    })
}

pub(super) fn nom_collectivite<'a>(r: &'a Resultat, id: &'a str) -> &'a str {
    r.convention.collectivite(id).map_or(id, |c| c.nom.as_str())
}

pub(super) fn regle_lissage(r: &Resultat, g: &GroupeVolet, v: &VoletExercice) -> R<Regle> {
    let coll = de(nom_collectivite(r, &g.collectivite));
    let u = &v.unite.valeur;
    // the floor and the revaluation said only when they change something (not 0)
    let mut ajustements = Vec::new();
    let mut refs = Vec::new();
    if g.plancher.0 != 0 {
        ajustements.push(format!(
            "porté au plancher de {} par {u} s'il était plus bas",
            montant_fr(g.plancher)
        ));
        refs.push(reference(
            &v.plancher,
            &format!("volets.{}.plancher", g.volet),
        ));
    }
    if !g.revalorisation.is_zero() {
        ajustements.push(format!("revalorisé de {}", pourcentage(g.revalorisation)));
        refs.push(reference(
            &v.revalorisation,
            &format!("volets.{}.revalorisation", g.volet),
        ));
    }
    let ajustements = match ajustements.as_slice() {
        [] => String::new(),
        x => format!(" (taux {})", x.join(", puis ")),
    };
    let taux = match &g.taux_effectif {
        Some(t) => format!("soit {} par {u} et par an{ajustements}", taux_fr(t)?),
        None => "soit un taux nul (aucune unité éligible)".to_string(),
    };
    let texte = format!(
        "Lissage, volet {} {coll} : ce que la Caf versait en N-1 pour ce volet est {} ({u}, hors unités réservées par des employeurs), {taux} ; chaque structure reçoit ce taux multiplié par ses unités et par ses mois d'ouverture sur 12, arrondi au centime (les centimes restants vont aux plus forts restes).",
        g.volet,
        match g.structures_eligibles {
            1 => "versé à la seule structure éligible selon ses unités".to_string(),
            n => format!("réparti entre les {n} structures éligibles au prorata de leurs unités"),
        },
    );
    Ok((texte, refs))
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
    let coll_nom = de(coll.map_or(g.collectivite.as_str(), |c| c.nom.as_str()));
    if forfait.0 == 0 {
        let texte = format!(
            "Nouvelles places, volet {} {coll_nom} : le barème ne prévoit pas de forfait pour les unités nouvelles de ce volet (tranche {}) : rien n'est versé à ce titre.",
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
        "Nouvelles places, volet {} {} : chaque {} {} depuis l'année de référence reçoit le forfait de la tranche {} de la collectivité, {} par an, au prorata des mois d'ouverture{plafond}, arrondi au centime.",
        g.volet,
        coll_nom,
        v.unite.valeur,
        if feminin(&v.unite.valeur) { "créée" } else { "créé" },
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
