//! The add form of the simulation page: the new structure it describes, every refused value
//! named in French.

use super::*;

/// The value of field `k` of the add form, trimmed (empty when absent).
fn champ_ajout(champs: &[(String, String)], k: &str) -> String {
    champs
        .iter()
        .find(|(n, _)| n == k)
        .map_or(String::new(), |(_, v)| v.trim().to_string())
}

/// The structure the add form describes (`Err`: a French message per refused value, in the
/// form's order).
pub(super) fn lire_ajout(sc: &Scenario, champs: &[(String, String)]) -> Result<Ajout, Vec<String>> {
    let v = |k: &str| champ_ajout(champs, k);
    let mut erreurs = Vec::new();
    let mut num = |k: &str, libelle: &str, max: i64| match centiemes(&v(k), max) {
        Ok(c) => c,
        Err(r) => {
            erreurs.push(e138(&format!("nouvelle structure, {libelle}"), &v(k), &r));
            0
        }
    };
    let unites = num("unites", "unités existantes", UNITES_MAX);
    let nouvelles = num("nouvelles", "unités nouvelles", UNITES_MAX);
    let contribution_n1 = num("contribution", "contribution N-1", MONTANT_MAX);
    let bonus_n1 = num("bonus", "bonus N-1", MONTANT_MAX);
    let m = mois(&v("mois")).unwrap_or_else(|r| {
        erreurs.push(e138("nouvelle structure, mois d'ouverture", &v("mois"), &r));
        12
    });
    verifier_textes_ajout(sc, champs, &mut erreurs);
    let (annexe, soutien) = verifier_codes_ajout(sc, champs, &mut erreurs);
    if !erreurs.is_empty() {
        return Err(erreurs);
    }
    Ok(Ajout {
        id: v("id"),
        nom: v("nom"),
        type_structure: v("type").to_uppercase(),
        gestionnaire: v("gestionnaire"),
        collectivite: v("collectivite"),
        financement: v("financement").to_uppercase(),
        annexe_2bis: annexe == Some(Annexe::DeuxBis),
        soutien: soutien == Some(true),
        unites,
        nouvelles,
        mois: m as u8,
        contribution_n1,
        bonus_n1,
    })
}

/// The identifier, name and manager: texts of 1 to 200 characters, the identifier unused.
fn verifier_textes_ajout(sc: &Scenario, champs: &[(String, String)], erreurs: &mut Vec<String>) {
    for (k, libelle) in [
        ("id", "identifiant"),
        ("nom", "nom"),
        ("gestionnaire", "gestionnaire"),
    ] {
        let x = champ_ajout(champs, k);
        if x.is_empty()
            || x.chars().count() > crate::lecture::LONGUEUR_ID_MAX
            || x.chars().any(char::is_control)
        {
            erreurs.push(e138(
                &format!("nouvelle structure, {libelle}"),
                &x,
                "texte de 1 à 200 caractères attendu",
            ));
        }
    }
    // the identifier as the readers take it (E053, E015): no invisible character, and
    // different from every other one once case, spaces, dashes and Unicode form are set aside
    let id_s = champ_ajout(champs, "id");
    // (a control character is already refused above)
    if let Some(c) = crate::lecture::texte::caractere_invisible(&id_s).filter(|c| !c.is_control()) {
        erreurs.push(e138(
            "nouvelle structure, identifiant",
            &crate::lecture::texte::montrer_invisibles(&id_s),
            &format!(
                "identifiant contenant un caractère invisible ou de contrôle (U+{:04X}) : retapez-le",
                c as u32
            ),
        ));
    }
    let cle = crate::lecture::texte::cle_id(&id_s);
    if let Some(s) = sc
        .lu
        .dossier
        .structures
        .iter()
        .find(|s| crate::lecture::texte::cle_id(&s.id) == cle)
    {
        erreurs.push(e138(
            "nouvelle structure, identifiant",
            &id_s,
            &if s.id == id_s {
                "une structure a déjà cet identifiant".to_string()
            } else {
                format!(
                    "la structure « {} » a déjà cet identifiant, à la casse, aux espaces ou aux tirets près",
                    s.id
                )
            },
        ));
    }
}

/// The type, financing, collectivité, annexe and support: known codes. Returns the annexe
/// and the support read.
fn verifier_codes_ajout(
    sc: &Scenario,
    champs: &[(String, String)],
    erreurs: &mut Vec<String>,
) -> (Option<Annexe>, Option<bool>) {
    let v = |k: &str| champ_ajout(champs, k);
    if TypeStructure::analyser(&v("type")).is_none() {
        erreurs.push(e138(
            "nouvelle structure, type",
            &v("type"),
            &format!("type attendu parmi {}", TypeStructure::liste()),
        ));
    }
    if Financement::analyser(&v("financement")).is_none() {
        erreurs.push(e138(
            "nouvelle structure, financement",
            &v("financement"),
            &format!("financement attendu parmi {}", Financement::liste()),
        ));
    }
    if sc
        .lu
        .dossier
        .convention
        .collectivite(&v("collectivite"))
        .is_none()
    {
        erreurs.push(e138(
            "nouvelle structure, collectivité",
            &v("collectivite"),
            "collectivité de la convention attendue",
        ));
    }
    let annexe = Annexe::analyser(&v("annexe"));
    let soutien = analyser_booleen(&v("soutien"));
    if annexe.is_none() {
        erreurs.push(e138(
            "nouvelle structure, annexe",
            &v("annexe"),
            "2 ou 2bis attendu",
        ));
    }
    if soutien.is_none() {
        erreurs.push(e138(
            "nouvelle structure, soutien",
            &v("soutien"),
            "oui ou non attendu",
        ));
    }
    (annexe, soutien)
}
