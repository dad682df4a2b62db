//! The bonus trajectoire share (R63) and the CTRE (R64).

use super::arrondi::noeud_arrondi;
use super::*;

pub(super) fn noeud_trajectoire(r: &Resultat, l: &LigneStructure) -> R<Option<Noeud>> {
    let s = &l.structure;
    let Some((t, p)) = r
        .trajectoire
        .iter()
        .filter(|t| t.collectivite == s.collectivite)
        .find_map(|t| t.part(&s.id).map(|p| (t, p)))
    else {
        return Ok(None);
    };
    let montant = noeud_montant_par_place(t);
    let part = Noeud::calcul(
        "b_i",
        "R63",
        "part exacte du bonus trajectoire",
        formules::B_I,
        Valeur::Exact(p.attribution.exacte),
        vec![
            montant,
            Noeud::donnee(
                "places_mois",
                "R63",
                "places × mois de la structure dans l'année",
                Valeur::UnitesMois(UniteMois(p.places_mois)),
            ),
        ],
    );
    Ok(Some(match &t.arrondi {
        Some(a) => noeud_arrondi(
            "trajectoire",
            "bonus trajectoire versé",
            r,
            a,
            &p.attribution,
            part,
        )?,
        None => part,
    }))
}

/// The amount per place of the level reached by the collectivité (R63): the growth of its
/// places against the thresholds, with the trajectoire parameters read.
fn noeud_montant_par_place(t: &crate::projection::trajectoire::TrajectoireCollectivite) -> Noeud {
    let n = Noeud::calcul(
        "montant_par_place",
        "R63",
        &format!(
            "montant par place et par an du niveau atteint ({})",
            t.niveau.map_or("aucun".into(), |k| k.to_string())
        ),
        formules::MONTANT_PAR_PLACE,
        Valeur::Montant(t.montant_par_place),
        operandes_montant_par_place(t),
    );
    avec_parametres_trajectoire(n, t)
}

/// The places of the year and of reference, their growth, the highest threshold reached.
fn operandes_montant_par_place(
    t: &crate::projection::trajectoire::TrajectoireCollectivite,
) -> Vec<Noeud> {
    let places = vec![
        Noeud::donnee(
            "P_N",
            "R63",
            "places de l'exercice",
            Valeur::Unites(t.places),
        ),
        Noeud::donnee(
            "P_ref",
            "R63",
            &format!(
                "places de référence ({} : unités existantes du dossier, hors places employeurs, volet {})",
                t.annee_reference, t.volet
            ),
            Valeur::Unites(t.places_reference),
        ),
    ];
    // P_ref = 0: with places, every threshold counts as reached
    let mut ops = match t.croissance {
        Some(c) => vec![Noeud::calcul(
            "croissance",
            "R63",
            "croissance des places",
            formules::CROISSANCE,
            Valeur::Rapport(c),
            places,
        )],
        None => places,
    };
    if let (Some(k), Some(seuil)) = (t.niveau, t.seuil) {
        ops.push(Noeud::donnee(
            "seuil",
            "R63",
            &format!("plus haut seuil atteint (n° {k})"),
            Valeur::Decimal(seuil),
        ));
    }
    ops
}

/// The trajectoire parameters read from the barème: volet, reference year, thresholds,
/// amounts.
fn avec_parametres_trajectoire(
    n: Noeud,
    t: &crate::projection::trajectoire::TrajectoireCollectivite,
) -> Noeud {
    let pm = &t.parametres;
    let liste = |v: Vec<String>| Valeur::Texte(v.join(" ; "));
    n.avec(parametre(
        "trajectoire.volet",
        &pm.volet,
        Valeur::Texte(pm.volet.valeur.clone()),
        false,
    ))
    .avec(parametre(
        "trajectoire.annee_reference",
        &pm.annee_reference,
        Valeur::Entier(pm.annee_reference.valeur as i64),
        false,
    ))
    .avec(parametre(
        "trajectoire.seuils",
        &pm.seuils,
        liste(pm.seuils.valeur.iter().map(|d| pourcentage(*d)).collect()),
        false,
    ))
    .avec(parametre(
        "trajectoire.montants",
        &pm.montants,
        liste(
            pm.montants
                .valeur
                .iter()
                .map(|m| crate::modele::montant_fr(*m))
                .collect(),
        ),
        false,
    ))
}

/// The CTRE (R64): the lissage of the CTRE envelope over the employer places and the
/// forfaits of the new employer places, each derived in its group (collectivité, volet CTRE)
/// as the bonus shares are in theirs.
pub(super) fn noeud_ctre(d: &Dossier, r: &Resultat, l: &LigneStructure) -> R<Option<Noeud>> {
    if l.ctre_lissage.is_none() && l.ctre_nouvelles.is_none() {
        return Ok(None);
    }
    let s = &l.structure;
    // the one employer volet of the structure's type (a type in two is refused, R3)
    let groupe = r
        .bareme
        .volets_employeurs()
        .find(|v| crate::calcul::eligibilite::admise_ctre(s, v))
        .and_then(|v| Some((r.groupe(&s.collectivite, &v.nom)?, v)));
    let Some(gv) = groupe else {
        return Ok(None);
    };
    // a share the group did not make (no existing or no new employer place in it) is 0,
    // said so, so that the sum names both of its operands
    let zero = |id, libelle| Noeud::donnee(id, "R64", libelle, Valeur::Montant(Montant(0)));
    let operandes = vec![
        noeud_lissage(d, r, l, gv, Contrat::Ctre)?.unwrap_or_else(|| {
            zero(
                "ctre_lissage",
                "lissage CTRE : aucune place employeur existante dans le groupe",
            )
        }),
        noeud_nouvelles(r, l, gv, Contrat::Ctre)?.unwrap_or_else(|| {
            zero(
                "ctre_nouvelles",
                "forfaits CTRE : aucune place employeur nouvelle dans le groupe",
            )
        }),
    ];
    Ok(Some(Noeud::calcul(
        "ctre",
        "R64",
        "versé au titre du CTRE pour les places réservées aux employeurs (hors bonus territoire)",
        formules::CTRE,
        Valeur::Montant(l.bonus_ctre),
        operandes,
    )))
}

/// `0.25` → `25 %` (the list of thresholds read from the barème).
fn pourcentage(d: rust_decimal::Decimal) -> String {
    let p = (d * rust_decimal::Decimal::from(100)).normalize();
    format!("{} %", p.to_string().replace('.', ","))
}
