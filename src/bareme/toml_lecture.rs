//! Reading a barème file (built-in or the dossier's `bareme.toml`): TOML → [`Bareme`],
//! every error located (file, line, parameter) and in French.

use super::*;
use crate::diagnostic::Code;

// ------------------------------------------------------------------------------ TOML reading

struct Lecteur<'a> {
    fichier: &'a str,
    /// The text read, for the line of each error.
    texte: &'a str,
    diags: Diagnostics,
}

impl Lecteur<'_> {
    /// E022 on parameter `parametre` (`volets.EAJE.plancher[2]`), at its line.
    fn err(&mut self, parametre: &str, valeur: Option<String>, message: impl Into<String>) {
        self.err_cle(parametre, None, valeur, message);
    }

    /// E022 on key `cle` of parameter `parametre` (`debut` of `volets.EAJE.plancher[2]`),
    /// at the line of that key (of the parameter when the key is absent).
    fn err_cle(
        &mut self,
        parametre: &str,
        cle: Option<&str>,
        valeur: Option<String>,
        message: impl Into<String>,
    ) {
        let mut d = Diagnostic::erreur(Code::E022, self.fichier, message).colonne(parametre);
        if let Some(n) = crate::lecture::toml_lignes::ligne_du_chemin(self.texte, parametre, cle) {
            d = d.ligne(n);
        }
        if let Some(v) = valeur {
            d = d.valeur(v);
        }
        self.diags
            .push(d.conseil("voir docs/bareme.md pour le schéma du barème"));
    }

    /// An unknown key: the same error as every TOML file (lecture::cle_inconnue), naming
    /// the nearest known key.
    fn inconnue(&mut self, chemin: &str, cle: &str, connues: &[&str]) {
        let mut d = crate::lecture::cle_inconnue(Code::E022, self.fichier, chemin, cle, connues);
        if let Some(n) = crate::lecture::toml_lignes::ligne_du_chemin(self.texte, chemin, None) {
            d = d.ligne(n);
        }
        self.diags.push(d);
    }

    /// Reads a parameter: a list of dated tables, or the short form (a single bare value).
    fn parametre<T>(
        &mut self,
        nom: &str,
        v: &toml::Value,
        conv: &dyn Fn(&toml::Value) -> Result<T, String>,
    ) -> Parametre<T> {
        let mut p = Parametre {
            nom: nom.to_string(),
            valeurs: Vec::new(),
            forme_abregee: false,
        };
        let datees = match v {
            toml::Value::Array(a) if !a.is_empty() && a.iter().all(|x| x.is_table()) => a,
            _ => {
                p.forme_abregee = true;
                match conv(v) {
                    Ok(valeur) => p.valeurs.push(ValeurDatee {
                        debut: Date::new(1900, 1, 1),
                        valeur,
                        reference: format!("{} (forme abrégée)", self.fichier),
                        statut: Statut::Hypothese,
                        origine: self.fichier.to_string(),
                        remplacee: false,
                    }),
                    Err(m) => self.err(nom, Some(brut(v)), m),
                }
                return p;
            }
        };
        for (k, t) in datees.iter().enumerate() {
            let ici = format!("{nom}[{}]", k + 1);
            let Some(t) = t.as_table() else { continue };
            if let Some(v) = self.valeur_datee(&ici, t, conv) {
                p.valeurs.push(v);
            }
        }
        // two values with the same date in one file: ambiguous (the second one named)
        let mut vues: BTreeMap<Date, usize> = BTreeMap::new();
        for (k, t) in datees.iter().enumerate() {
            let Some(t) = t.as_table() else { continue };
            if t.get("remplacee").and_then(toml::Value::as_bool) == Some(true) {
                continue;
            }
            let Some(d) = date_debut(t) else { continue };
            if let Some(premiere) = vues.insert(d, k + 1) {
                self.err_cle(
                    &format!("{nom}[{}]", k + 1),
                    Some("debut"),
                    Some(d.to_string()),
                    format!("deux valeurs ont la même date de début (la valeur n° {premiere} et celle-ci)"),
                );
                break;
            }
        }
        p.valeurs.sort_by_key(|v| v.debut);
        p
    }

    /// One dated value `ici` (`volets.EAJE.plancher[2]`): its keys known, its date,
    /// reference and status given; `None` (reported) otherwise.
    fn valeur_datee<T>(
        &mut self,
        ici: &str,
        t: &toml::Table,
        conv: &dyn Fn(&toml::Value) -> Result<T, String>,
    ) -> Option<ValeurDatee<T>> {
        const CLES: &[&str] = &["debut", "valeur", "reference", "statut", "remplacee"];
        for cle in t.keys() {
            if !CLES.contains(&cle.as_str()) {
                self.inconnue(&format!("{ici}.{cle}"), cle, CLES);
            }
        }
        let (debut, reference, statut, remplacee) = self.source_datee(ici, t)?;
        let Some(ecrite) = t.get("valeur") else {
            self.err(ici, None, "`valeur` manquante");
            return None;
        };
        match conv(ecrite) {
            Ok(valeur) => Some(ValeurDatee {
                debut,
                valeur,
                reference,
                statut,
                origine: self.fichier.to_string(),
                remplacee,
            }),
            Err(m) => {
                self.err_cle(ici, Some("valeur"), Some(brut(ecrite)), m);
                None
            }
        }
    }

    /// The date, reference, status and `remplacee` of a dated value.
    fn source_datee(&mut self, ici: &str, t: &toml::Table) -> Option<(Date, String, Statut, bool)> {
        let Some(debut) = date_debut(t) else {
            self.err_cle(
                ici,
                Some("debut"),
                t.get("debut").map(brut),
                "`debut` doit être une date sans heure (ex. 2025-01-01)",
            );
            return None;
        };
        let reference = match t.get("reference") {
            Some(toml::Value::String(s)) if !s.trim().is_empty() => s.clone(),
            other => {
                self.err_cle(
                    ici,
                    Some("reference"),
                    other.map(brut),
                    "`reference` (texte non vide) est obligatoire",
                );
                return None;
            }
        };
        let statut = match t.get("statut").and_then(|s| s.as_str()) {
            Some("confirme") | Some("confirmé") => Statut::Confirme,
            Some("hypothese") | Some("hypothèse") => Statut::Hypothese,
            _ => {
                self.err_cle(
                    ici,
                    Some("statut"),
                    t.get("statut").map(brut),
                    "`statut` doit valoir \"confirme\" ou \"hypothese\"",
                );
                return None;
            }
        };
        // a superseded value kept for the record (docs/bareme.md)
        let remplacee = match t.get("remplacee") {
            None => false,
            Some(toml::Value::Boolean(b)) => *b,
            Some(autre) => {
                self.err_cle(
                    ici,
                    Some("remplacee"),
                    Some(brut(autre)),
                    "`remplacee` : true ou false",
                );
                return None;
            }
        };
        Some((debut, reference, statut, remplacee))
    }
}

/// The `debut` of a dated value: a date without a time of day (`2025-01-01`; not
/// `2025-01-01T10:00:00`, whose time would be dropped, nor a time alone).
fn date_debut(t: &toml::Table) -> Option<Date> {
    match t.get("debut") {
        Some(toml::Value::Datetime(d)) if d.time.is_none() && d.offset.is_none() => {
            d.date.map(|d| Date::new(d.year as i32, d.month, d.day))
        }
        _ => None,
    }
}

/// A TOML value as it is written (a date or a time as such, not as the crate's internal
/// table).
fn brut(v: &toml::Value) -> String {
    match v {
        toml::Value::Datetime(d) => d.to_string(),
        autre => autre.to_string(),
    }
}

fn decimal_toml(v: &toml::Value) -> Result<Decimal, String> {
    let d = match v {
        toml::Value::String(s) => Decimal::from_str(s.trim())
            .map_err(|_| format!("« {s} » n'est pas un nombre décimal"))?,
        toml::Value::Integer(i) => Decimal::from(*i),
        // a TOML float goes through its shortest decimal writing (exact for what was typed)
        toml::Value::Float(x) => {
            Decimal::from_str(&x.to_string()).map_err(|_| "nombre hors limites".to_string())?
        }
        _ => return Err("un nombre est attendu".into()),
    };
    if d.is_sign_negative() && !d.is_zero() {
        return Err("la valeur ne peut pas être négative".into());
    }
    if d.scale() > 6 || d > Decimal::from(1_000_000_000i64) {
        return Err("au plus 6 décimales et 1 000 000 000 au plus".into());
    }
    Ok(d.normalize())
}

fn montant_toml(v: &toml::Value) -> Result<Montant, String> {
    let d = decimal_toml(v)?;
    if d.scale() > 2 {
        return Err("un montant a au plus 2 décimales".into());
    }
    let c = (d * Decimal::from(100)).trunc();
    i64::try_from(c)
        .map(Montant)
        .map_err(|_| "montant hors limites".into())
}

/// A grid (`{ seuils_population = [...], seuils_montant = [...], valeurs = [[...], ...] }`)
/// or a plain value (a 1 × 1 grid).
fn grille_toml<T: Clone>(
    v: &toml::Value,
    cellule: &dyn Fn(&toml::Value) -> Result<T, String>,
) -> Result<Grille<T>, String> {
    let Some(t) = v.as_table() else {
        return cellule(v).map(Grille::unique);
    };
    for k in t.keys() {
        if !["seuils_population", "seuils_montant", "valeurs"].contains(&k.as_str()) {
            return Err(format!(
                "clé de grille « {k} » inconnue (attendu : seuils_population, seuils_montant, valeurs)"
            ));
        }
    }
    let seuils_population = match t.get("seuils_population") {
        None => Vec::new(),
        Some(x) => liste_toml(x, &|v| match v.as_integer() {
            Some(n) if n >= 0 => Ok(n as u64),
            _ => Err("seuils_population : entiers ≥ 0 (habitants) attendus".to_string()),
        })?,
    };
    let seuils_montant = match t.get("seuils_montant") {
        None => Vec::new(),
        Some(x) => liste_toml(x, &montant_toml)?,
    };
    if seuils_population.windows(2).any(|w| w[0] >= w[1])
        || seuils_montant.windows(2).any(|w| w[0] >= w[1])
    {
        return Err("les seuils d'une grille doivent être strictement croissants".into());
    }
    let lignes = t
        .get("valeurs")
        .and_then(|x| x.as_array())
        .ok_or("une grille doit avoir `valeurs` (une liste de lignes)")?;
    let mut valeurs = Vec::with_capacity(lignes.len());
    for ligne in lignes {
        valeurs.push(liste_toml(ligne, cellule)?);
    }
    let (nl, nc) = (seuils_population.len() + 1, seuils_montant.len() + 1);
    if valeurs.len() != nl || valeurs.iter().any(|l| l.len() != nc) {
        return Err(format!(
            "la grille doit avoir {nl} ligne(s) (strates) de {nc} valeur(s) (montants existants)"
        ));
    }
    Ok(Grille {
        seuils_population,
        seuils_montant,
        valeurs,
    })
}

fn texte_toml(v: &toml::Value) -> Result<String, String> {
    v.as_str()
        .map(str::to_string)
        .ok_or_else(|| "un texte est attendu".into())
}

fn liste_toml<T>(
    v: &toml::Value,
    f: &dyn Fn(&toml::Value) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    match v {
        toml::Value::Array(a) => a.iter().map(f).collect(),
        // one value where a list is due (a cell of the workbook's barème sheet holding a
        // single type): a list of one
        toml::Value::Table(_) => Err("une liste est attendue".into()),
        x => Ok(vec![f(x)?]),
    }
}

fn type_toml(v: &toml::Value) -> Result<TypeStructure, String> {
    let s = texte_toml(v)?;
    TypeStructure::analyser(&s).ok_or_else(|| {
        format!(
            "type « {s} » inconnu (attendu : {})",
            TypeStructure::liste()
        )
    })
}

fn financement_toml(v: &toml::Value) -> Result<Financement, String> {
    let s = texte_toml(v)?;
    Financement::analyser(&s).ok_or_else(|| {
        format!(
            "financement « {s} » inconnu (attendu : {})",
            Financement::liste()
        )
    })
}

/// E022: the barème is not valid TOML: in French, at its line, with the key and the value
/// written there.
fn toml_invalide(texte: &str, fichier: &str, e: &toml::de::Error) -> Diagnostics {
    let d = crate::lecture::erreur_toml(Code::E022, fichier, texte, e.message(), e.span());
    let mut ds = Diagnostics::default();
    ds.push(d.conseil("voir docs/bareme.md pour le schéma du barème"));
    ds
}

/// Parses a barème file (built-in or dossier). Pure: text in, barème or located errors out.
pub fn analyser(texte: &str, fichier: &str) -> Result<Bareme, Diagnostics> {
    let texte = &*crate::lecture::fins_de_ligne_toml(texte);
    let racine: toml::Table = texte
        .parse()
        .map_err(|e| toml_invalide(texte, fichier, &e))?;
    let mut l = Lecteur {
        fichier,
        texte,
        diags: Diagnostics::default(),
    };
    let mut b = Bareme {
        nombre_tranches: Parametre::vide("nombre_tranches"),
        ajustement_contribution: Parametre::vide("ajustement_contribution"),
        arrondi: Parametre::vide("arrondi"),
        volets: BTreeMap::new(),
        base_pluriannuelle: Parametre::vide("base_pluriannuelle"),
        trajectoire: TrajectoireBareme::vide(),
    };
    for (cle, v) in &racine {
        match cle.as_str() {
            "nombre_tranches" => {
                b.nombre_tranches = l.parametre(cle, v, &|v| match v.as_integer() {
                    Some(n) if (1..=20).contains(&n) => Ok(n as u32),
                    _ => Err("un entier de 1 à 20 est attendu".into()),
                })
            }
            "ajustement_contribution" => {
                b.ajustement_contribution = l.parametre(cle, v, &|v| match v.as_str() {
                    Some("neutre") => Ok(Ajustement::Neutre),
                    Some("aucun") => Ok(Ajustement::Aucun),
                    Some("integral") | Some("intégral") => Ok(Ajustement::Integral),
                    _ => Err("attendu : \"neutre\", \"aucun\" ou \"integral\"".into()),
                })
            }
            "arrondi" => {
                b.arrondi = l.parametre(cle, v, &|v| match v.as_str() {
                    Some("demi-haut") => Ok(Arrondi::DemiHaut),
                    Some("troncature") => Ok(Arrondi::Troncature),
                    _ => Err("attendu : \"demi-haut\" ou \"troncature\"".into()),
                })
            }
            "base_pluriannuelle" => {
                b.base_pluriannuelle = l.parametre(cle, v, &|v| match v.as_str() {
                    Some("figee") | Some("figée") => Ok(BasePluriannuelle::Figee),
                    Some("glissante") => Ok(BasePluriannuelle::Glissante),
                    _ => Err("attendu : \"figee\" ou \"glissante\"".into()),
                })
            }
            "trajectoire" => lire_trajectoire(&mut l, &mut b, v),
            "volets" => lire_volets(&mut l, &mut b, v),
            _ => l.inconnue(
                cle,
                cle,
                &[
                    "nombre_tranches",
                    "ajustement_contribution",
                    "arrondi",
                    "base_pluriannuelle",
                    "trajectoire",
                    "volets",
                ],
            ),
        }
    }
    if l.diags.a_des_erreurs() {
        Err(l.diags)
    } else {
        Ok(b)
    }
}

/// The `[trajectoire]` section (R63).
fn lire_trajectoire(l: &mut Lecteur, b: &mut Bareme, v: &toml::Value) {
    let Some(t) = v.as_table() else {
        l.err("trajectoire", None, "`trajectoire` doit être une table");
        return;
    };
    for (k, pv) in t {
        let pn = format!("trajectoire.{k}");
        match k.as_str() {
            "volet" => {
                b.trajectoire.volet = l.parametre(&pn, pv, &|v| {
                    let s = texte_toml(v)?;
                    if crate::modele::volet_valide(&s) {
                        Ok(s)
                    } else {
                        Err("nom de volet invalide (majuscules, chiffres, _)".into())
                    }
                })
            }
            "annee_reference" => {
                b.trajectoire.annee_reference = l.parametre(&pn, pv, &|v| match v.as_integer() {
                    Some(n) if (1900..=2200).contains(&n) => Ok(n as i32),
                    _ => Err("une année (entier de 1900 à 2200) est attendue".into()),
                })
            }
            "seuils" => {
                b.trajectoire.seuils = l.parametre(&pn, pv, &|v| liste_toml(v, &decimal_toml))
            }
            "montants" => {
                b.trajectoire.montants = l.parametre(&pn, pv, &|v| liste_toml(v, &montant_toml))
            }
            _ => l.inconnue(&pn, k, &["volet", "annee_reference", "seuils", "montants"]),
        }
    }
}

/// The `[volets.NOM]` sections: one per volet, each parameter dated.
fn lire_volets(l: &mut Lecteur, b: &mut Bareme, v: &toml::Value) {
    let Some(t) = v.as_table() else {
        l.err("volets", None, "`volets` doit être une table");
        return;
    };
    for (nom, vt) in t {
        if !crate::modele::volet_valide(nom) {
            l.err(
                &format!("volets.{nom}"),
                Some(nom.clone()),
                "nom de volet invalide (majuscules, chiffres, _)",
            );
            return;
        }
        let Some(vt) = vt.as_table() else {
            l.err(
                &format!("volets.{nom}"),
                None,
                "un volet doit être une table",
            );
            return;
        };
        let mut vb = VoletBareme::vide(nom);
        for (k, pv) in vt {
            let pn = format!("volets.{nom}.{k}");
            match k.as_str() {
                "types" => vb.types = l.parametre(&pn, pv, &|v| liste_toml(v, &type_toml)),
                "financement" => {
                    vb.financement = l.parametre(&pn, pv, &|v| liste_toml(v, &financement_toml))
                }
                "unite" => {
                    // the label printed after every count of units: never blank
                    vb.unite = l.parametre(&pn, pv, &|v| {
                        texte_toml(v).and_then(|t| match t.trim() {
                            "" => {
                                Err("un libellé d'unité non vide est attendu (ex. « place »)"
                                    .into())
                            }
                            _ => Ok(t),
                        })
                    })
                }
                "versement" => {
                    vb.versement = l.parametre(&pn, pv, &|v| match v.as_str() {
                        Some("structures") => Ok(Versement::Structures),
                        Some("collectivite") | Some("collectivité") => Ok(Versement::Collectivite),
                        Some("employeurs") => Ok(Versement::Employeurs),
                        _ => Err(
                            "attendu : \"structures\", \"collectivite\" ou \"employeurs\"".into(),
                        ),
                    })
                }
                "forfaits_nouvelles" => {
                    vb.forfaits_nouvelles = l.parametre(&pn, pv, &|v| liste_toml(v, &montant_toml))
                }
                "plancher" => {
                    vb.plancher = l.parametre(&pn, pv, &|v| grille_toml(v, &montant_toml))
                }
                "revalorisation" => {
                    vb.revalorisation = l.parametre(&pn, pv, &|v| grille_toml(v, &decimal_toml))
                }
                "plafond_developpement" => {
                    vb.plafond_developpement = l.parametre(&pn, pv, &decimal_toml)
                }
                "plafond_base" => {
                    vb.plafond_base = l.parametre(&pn, pv, &|v| match v.as_str() {
                        Some("unites") | Some("unités") => Ok(PlafondBase::Unites),
                        Some("enveloppe") => Ok(PlafondBase::Enveloppe),
                        _ => Err("attendu : \"unites\" ou \"enveloppe\"".into()),
                    })
                }
                _ => l.inconnue(
                    &pn,
                    k,
                    &[
                        "types",
                        "financement",
                        "unite",
                        "versement",
                        "forfaits_nouvelles",
                        "plancher",
                        "revalorisation",
                        "plafond_developpement",
                        "plafond_base",
                    ],
                ),
            }
        }
        b.volets.insert(nom.clone(), vb);
    }
}
