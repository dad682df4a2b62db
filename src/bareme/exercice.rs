//! The barème in force for one exercice: each parameter read at its date (R2), the
//! volets, the trajectoire, and the merge of a dossier's barème over the built-in one.

use super::*;
use crate::diagnostic::Code;

impl Bareme {
    /// The built-in barème.
    pub fn integre() -> Result<Bareme, Diagnostics> {
        // parsed once per process (a batch reads it for every dossier), then cloned
        static INTEGRE: std::sync::OnceLock<Result<Bareme, Diagnostics>> =
            std::sync::OnceLock::new();
        INTEGRE
            .get_or_init(|| analyser(BAREME_INTEGRE, NOM_INTEGRE))
            .clone()
    }

    /// Built-in barème overridden by the text of a dossier's `bareme.toml`.
    /// Every volet it names must exist: a `[volets.NOM]` section unknown to the built-in
    /// barème defines a new local volet and must say which `types` it covers (otherwise it
    /// is a misspelt volet, `[volets.LAPE]`, whose values would be ignored), and
    /// `trajectoire.volet` must name a volet of the merged barème (otherwise the bonus
    /// trajectoire would silently vanish). Both refused (E022), naming the nearest volet.
    pub fn avec_surcharge(texte: &str, fichier: &str) -> Result<Bareme, Diagnostics> {
        let mut b = Bareme::integre()?;
        let o = analyser(texte, fichier)?;
        let texte = &*crate::lecture::fins_de_ligne_toml(texte);
        let mut diags = Diagnostics::default();
        let integres: Vec<String> = b.volets.keys().cloned().collect();
        for (nom, v) in &o.volets {
            if b.volets.contains_key(nom) || !v.types.valeurs.is_empty() {
                continue;
            }
            let connus: Vec<&str> = integres.iter().map(String::as_str).collect();
            let mut d = Diagnostic::erreur(
                Code::E022,
                fichier,
                format!(
                    "volet « {nom} » inconnu du barème{} : un nouveau volet doit déclarer ses `types`",
                    volet_proche(nom, &connus)
                ),
            )
            .colonne(format!("volets.{nom}"))
            .valeur(nom.as_str())
            .conseil(format!(
                "volets connus : {} ; corrigez le nom, ou ajoutez `types = [...]` pour créer un volet local (voir docs/bareme.md)",
                connus.join(", ")
            ));
            if let Some(l) = ligne_volet(texte, nom) {
                d = d.ligne(l);
            }
            diags.push(d);
        }
        let tous: Vec<&str> = integres
            .iter()
            .map(String::as_str)
            .chain(o.volets.keys().map(String::as_str))
            .collect();
        for v in &o.trajectoire.volet.valeurs {
            if tous.contains(&v.valeur.as_str()) {
                continue;
            }
            let mut d = Diagnostic::erreur(
                Code::E022,
                fichier,
                format!(
                    "volet « {} » inconnu du barème{} : le bonus trajectoire ne compterait aucune place",
                    v.valeur,
                    volet_proche(&v.valeur, &tous)
                ),
            )
            .colonne("trajectoire.volet")
            .valeur(v.valeur.as_str())
            .conseil(format!("volets connus : {}", tous.join(", ")));
            if let Some(l) = ligne_valeur(texte, "volet", &v.valeur) {
                d = d.ligne(l);
            }
            diags.push(d);
        }
        if diags.a_des_erreurs() {
            return Err(diags);
        }
        b.fusionner(o);
        Ok(b)
    }

    fn fusionner(&mut self, o: Bareme) {
        self.nombre_tranches.fusionner(o.nombre_tranches);
        self.ajustement_contribution
            .fusionner(o.ajustement_contribution);
        self.arrondi.fusionner(o.arrondi);
        self.base_pluriannuelle.fusionner(o.base_pluriannuelle);
        self.trajectoire.fusionner(o.trajectoire);
        for (nom, v) in o.volets {
            match self.volets.get_mut(&nom) {
                Some(existant) => existant.fusionner(v),
                None => {
                    self.volets.insert(nom, v);
                }
            }
        }
    }

    /// The projection base in force for `annee` (default `figee`, docs/regles.md R22).
    pub fn base_pour(&self, annee: i32) -> Lu<BasePluriannuelle> {
        self.base_pluriannuelle
            .en_vigueur(annee)
            .unwrap_or_else(|| Lu::defaut(BasePluriannuelle::Figee))
    }

    /// The trajectoire parameters in force for `annee`; `Ok(None)` when the bonus does not
    /// exist that year (no thresholds in force, or an empty list).
    pub fn trajectoire_pour(
        &self,
        annee: i32,
        fichier: &str,
    ) -> Result<Option<TrajectoireExercice>, Diagnostics> {
        let t = &self.trajectoire;
        let Some(seuils) = t.seuils.en_vigueur(annee) else {
            return Ok(None);
        };
        if seuils.valeur.is_empty() {
            return Ok(None);
        }
        let mut diags = Diagnostics::default();
        let err = |diags: &mut Diagnostics, col: &str, m: String| {
            diags.push(
                Diagnostic::erreur(Code::E022, fichier, m)
                    .colonne(col)
                    .conseil("voir docs/bareme.md, section [trajectoire]"),
            )
        };
        let montants = t.montants.en_vigueur(annee);
        let volet = t.volet.en_vigueur(annee);
        let annee_reference = t.annee_reference.en_vigueur(annee);
        match &montants {
            None => err(
                &mut diags,
                "trajectoire.montants",
                format!(
                    "aucune valeur en vigueur au 1er janvier {annee} alors que des seuils le sont"
                ),
            ),
            Some(m) if m.valeur.len() != seuils.valeur.len() => err(
                &mut diags,
                "trajectoire.montants",
                format!(
                    "{} pour {} en {annee}",
                    crate::rapport::nombre_de(m.valeur.len() as u64, "montant", "montants"),
                    crate::rapport::nombre_de(seuils.valeur.len() as u64, "seuil", "seuils")
                ),
            ),
            _ => {}
        }
        if seuils.valeur.windows(2).any(|w| w[0] >= w[1]) {
            err(
                &mut diags,
                "trajectoire.seuils",
                format!("les seuils doivent être strictement croissants en {annee}"),
            );
        }
        if volet.is_none() {
            err(
                &mut diags,
                "trajectoire.volet",
                format!("aucune valeur en vigueur au 1er janvier {annee}"),
            );
        }
        if annee_reference.is_none() {
            err(
                &mut diags,
                "trajectoire.annee_reference",
                format!("aucune valeur en vigueur au 1er janvier {annee}"),
            );
        }
        match (montants, volet, annee_reference) {
            (Some(montants), Some(volet), Some(annee_reference)) if !diags.a_des_erreurs() => {
                Ok(Some(TrajectoireExercice {
                    volet,
                    annee_reference,
                    seuils,
                    montants,
                }))
            }
            _ => Err(diags),
        }
    }

    /// Resolves every parameter for exercice `annee` and checks the result's consistency.
    pub fn pour_exercice(&self, annee: i32, fichier: &str) -> Result<BaremeExercice, Diagnostics> {
        let mut diags = Diagnostics::default();
        let nombre_tranches = self.nombre_tranches.en_vigueur(annee);
        let ajustement = self.ajustement_contribution.en_vigueur(annee);
        let arrondi = self.arrondi.en_vigueur(annee);
        if nombre_tranches.is_none() {
            diags.push(sans_valeur(&self.nombre_tranches, annee, fichier));
        }
        if ajustement.is_none() {
            diags.push(sans_valeur(&self.ajustement_contribution, annee, fichier));
        }
        if arrondi.is_none() {
            diags.push(sans_valeur(&self.arrondi, annee, fichier));
        }
        let volets = self
            .volets
            .iter()
            .map(|(nom, v)| (nom.clone(), volet_pour(nom, v, annee)))
            .collect();
        let (Some(nombre_tranches), Some(ajustement_contribution), Some(arrondi)) =
            (nombre_tranches, ajustement, arrondi)
        else {
            return Err(diags);
        };
        let trajectoire = match self.trajectoire_pour(annee, fichier) {
            Ok(t) => t,
            Err(e) => {
                diags.extend(e);
                None
            }
        };
        let be = BaremeExercice {
            exercice: annee,
            nombre_tranches,
            ajustement_contribution,
            arrondi,
            volets,
            trajectoire,
        };
        coherence(&be, annee, fichier, &mut diags);
        coherence_trajectoire(&be, annee, fichier, &mut diags);
        parametres_collectivite(&be, fichier, &mut diags);
        if diags.a_des_erreurs() {
            Err(diags)
        } else {
            Ok(be)
        }
    }
}

/// E022: parameter `p` has no value in force on 1 January `annee`, named in the file its
/// values come from: the dossier's barème when it gives any, otherwise the built-in one
/// (a dossier without `bareme.toml` is not told to fix a file it does not have), with the
/// date its first value takes effect.
fn sans_valeur<T>(p: &Parametre<T>, annee: i32, fichier: &str) -> Diagnostic {
    let du_dossier = p.valeurs.iter().any(|v| v.origine != NOM_INTEGRE);
    let premiere = p
        .valeurs
        .iter()
        .filter(|v| !v.remplacee)
        .map(|v| v.debut)
        .min();
    let mut m = format!("aucune valeur en vigueur au 1er janvier {annee}");
    if let Some(d) = premiere {
        m.push_str(&format!(
            " (la première valeur prend effet le {})",
            d.en_toutes_lettres()
        ));
    }
    let (source, conseil) = if du_dossier {
        (fichier, "ajoutez une valeur datée d'avant l'exercice")
    } else {
        (
            NOM_INTEGRE,
            "le barème intégré ne couvre pas cet exercice : choisissez un exercice qu'il couvre, ou donnez la valeur dans le bareme.toml du dossier (datée d'avant l'exercice)",
        )
    };
    Diagnostic::erreur(Code::E022, source, m)
        .colonne(p.nom.clone())
        .conseil(conseil)
}

/// « (volet connu le plus proche : « LAEP ») » when a known volet looks like `nom`
/// ([`volet_ressemblant`]).
fn volet_proche(nom: &str, connus: &[&str]) -> String {
    volet_ressemblant(nom, connus.iter().copied()).map_or(String::new(), |c| {
        format!(" (volet connu le plus proche : « {c} »)")
    })
}

/// The known volet `nom` looks like a misspelling of: the closest of `connus` one edit away
/// (a letter added, dropped or changed, or two neighbouring letters swapped: `EAJ`,
/// `ASLH`), two for a name of six letters or more (`LUDOTEQE` for `LUDOTHEQUE`). Volets are
/// short acronyms: at two edits, `AUTRE` would look like `CTRE` and `RAM` like `RPE`.
/// `None` when `nom` is known or far from every known volet.
pub fn volet_ressemblant<'c>(
    nom: &str,
    connus: impl IntoIterator<Item = &'c str>,
) -> Option<&'c str> {
    connus
        .into_iter()
        .filter(|c| *c != nom)
        .map(|c| (strsim::damerau_levenshtein(nom, c), c))
        .filter(|(d, c)| *d <= if c.chars().count() <= 5 { 1 } else { 2 })
        .min()
        .map(|(_, c)| c)
}

/// The first line of a barème text naming volet `nom` (`[volets.NOM]`, `[[volets.NOM.…]]`,
/// `volets.NOM.… = …`).
fn ligne_volet(texte: &str, nom: &str) -> Option<u64> {
    let motif = format!("volets.{nom}");
    texte
        .lines()
        .position(|l| {
            l.trim_start()
                .trim_start_matches('[')
                .trim_start()
                .starts_with(&motif)
        })
        .map(|i| i as u64 + 1)
}

/// The first line of a barème text where key `cle` is given the text `valeur`.
fn ligne_valeur(texte: &str, cle: &str, valeur: &str) -> Option<u64> {
    let guillemets = [format!("\"{valeur}\""), format!("'{valeur}'")];
    texte
        .lines()
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix(cle)
                .is_some_and(|r| r.trim_start().starts_with('='))
                && guillemets.iter().any(|g| t.contains(g.as_str()))
        })
        .map(|i| i as u64 + 1)
}

/// A volet's parameters in force on 1 January `annee`, each absent one at its neutral
/// default (docs/bareme.md).
fn volet_pour(nom: &str, v: &VoletBareme, annee: i32) -> VoletExercice {
    VoletExercice {
        nom: nom.to_string(),
        types: v
            .types
            .en_vigueur(annee)
            .unwrap_or_else(|| Lu::defaut(Vec::new())),
        financement: match v.financement.en_vigueur(annee) {
            Some(l) => Lu {
                valeur: Some(l.valeur),
                source: l.source,
            },
            None => Lu::defaut(None),
        },
        unite: v
            .unite
            .en_vigueur(annee)
            .unwrap_or_else(|| Lu::defaut("unité".into())),
        versement: v
            .versement
            .en_vigueur(annee)
            .unwrap_or_else(|| Lu::defaut(Versement::Structures)),
        forfaits_nouvelles: v
            .forfaits_nouvelles
            .en_vigueur(annee)
            .unwrap_or_else(|| Lu::defaut(Vec::new())),
        plancher: v
            .plancher
            .en_vigueur(annee)
            .unwrap_or_else(|| Lu::defaut(Grille::unique(Montant(0)))),
        revalorisation: v
            .revalorisation
            .en_vigueur(annee)
            .unwrap_or_else(|| Lu::defaut(Grille::unique(Decimal::ZERO))),
        plafond_base: v
            .plafond_base
            .en_vigueur(annee)
            .unwrap_or_else(|| Lu::defaut(PlafondBase::Enveloppe)),
        plafond_developpement: match v.plafond_developpement.en_vigueur(annee) {
            Some(l) => Lu {
                valeur: Some(l.valeur),
                source: l.source,
            },
            None => Lu::defaut(None),
        },
    }
}

/// Consistency of the barème of an exercice (E022): a type in one volet at most (CTRE
/// volets aside), forfaits sized to the tranches.
fn coherence(be: &BaremeExercice, annee: i32, fichier: &str, diags: &mut Diagnostics) {
    // the bonus volets, and apart the employer volets (CTRE): a structure is paid from one
    // of each at most (a line keeps one CTRE share: a second volet would be paid to the
    // group and missing from the line)
    let mut vu: BTreeMap<TypeStructure, &str> = BTreeMap::new();
    let mut vu_employeurs: BTreeMap<TypeStructure, &str> = BTreeMap::new();
    for v in be.volets.values() {
        let employeurs = v.versement.valeur == Versement::Employeurs;
        let (vus, quoi) = if employeurs {
            (&mut vu_employeurs, "volets de places employeurs")
        } else {
            (&mut vu, "volets")
        };
        for t in v.types.valeur.iter() {
            if let Some(autre) = vus.insert(*t, &v.nom) {
                let message = if autre == v.nom {
                    format!("le type {t} est listé deux fois dans les types du volet {autre}")
                } else {
                    format!(
                        "le type {t} est couvert par deux {quoi} ({autre} et {})",
                        v.nom
                    )
                };
                diags.push(
                    Diagnostic::erreur(Code::E022, fichier, message)
                    .colonne(format!("volets.{}.types", v.nom))
                    .valeur(t.code())
                    .conseil(if employeurs {
                        "les places employeurs d'un type de structure ne relèvent que d'un volet `versement = \"employeurs\"`"
                    } else {
                        "un type de structure ne peut relever que d'un volet"
                    }),
                );
            }
        }
        if v.financement.valeur.as_ref().is_some_and(|f| f.is_empty()) {
            // absent = every financing admitted; an empty list would admit none: every
            // structure of the volet ineligible, its charge N-1 left unpaid
            diags.push(
                Diagnostic::erreur(
                    Code::E022,
                    fichier,
                    format!(
                        "liste de financements vide pour le volet {} : aucune structure n'y serait éligible",
                        v.nom
                    ),
                )
                .colonne(format!("volets.{}.financement", v.nom))
                .conseil("retirez `financement` pour admettre tous les financements, ou listez ceux admis (PSU, PAJE, PSO, AUCUN)"),
            );
        }
        if employeurs && v.plafond_developpement.valeur.is_some() {
            // the CTRE's forfaits have no cap (R64): a cap given here would be ignored
            diags.push(
                Diagnostic::erreur(
                    Code::E022,
                    fichier,
                    format!(
                        "plafond des unités nouvelles sur le volet de places employeurs {} : le CTRE n'a pas de plafond, il serait ignoré",
                        v.nom
                    ),
                )
                .colonne(format!("volets.{}.plafond_developpement", v.nom))
                .conseil("retirez `plafond_developpement` de ce volet"),
            );
        }
        let n = v.forfaits_nouvelles.valeur.len();
        if n != 0 && n as u32 != be.nombre_tranches.valeur {
            diags.push(
                Diagnostic::erreur(
                    Code::E022,
                    fichier,
                    format!(
                        "{}{} pour {}{} de richesse en {annee}",
                        crate::rapport::nombre_de(n as u64, "forfait", "forfaits"),
                        provenance(&v.forfaits_nouvelles.source, &be.nombre_tranches.source),
                        crate::rapport::nombre_de(
                            u64::from(be.nombre_tranches.valeur),
                            "tranche",
                            "tranches"
                        ),
                        provenance(&be.nombre_tranches.source, &v.forfaits_nouvelles.source),
                    ),
                )
                .colonne(format!("volets.{}.forfaits_nouvelles", v.nom))
                .conseil("donnez un forfait par tranche (ou une liste vide pour 0 €)"),
            );
        }
    }
}

/// The bonus trajectoire counts the places of a volet paid to the structures (R63): a CTRE
/// volet (`employeurs`) or a PILOTAGE one (`collectivite`) is the volet of no structure, the
/// bonus would silently be 0 (E022).
fn coherence_trajectoire(be: &BaremeExercice, annee: i32, fichier: &str, diags: &mut Diagnostics) {
    let Some(t) = &be.trajectoire else { return };
    // the progression is measured from an earlier year: a reference year at or after the
    // exercice would be printed beside figures it does not describe
    if t.annee_reference.valeur >= annee {
        diags.push(
            Diagnostic::erreur(
                Code::E022,
                fichier,
                format!(
                    "l'année de référence de la trajectoire ({}) doit précéder l'exercice {annee}",
                    t.annee_reference.valeur
                ),
            )
            .colonne("trajectoire.annee_reference")
            .valeur(t.annee_reference.valeur.to_string())
            .conseil("l'année de référence est celle dont les unités existantes du dossier sont les places (2023 dans le barème intégré)"),
        );
    }
    let Some(v) = be.volets.get(&t.volet.valeur) else {
        return;
    };
    if v.versement.valeur != Versement::Structures {
        diags.push(
            Diagnostic::erreur(
                Code::E022,
                fichier,
                format!(
                    "le bonus trajectoire compterait les places du volet {}, qui n'est versé à aucune structure : il vaudrait 0",
                    v.nom
                ),
            )
            .colonne("trajectoire.volet")
            .valeur(v.nom.as_str())
            .conseil("nommez un volet versé aux structures (EAJE par défaut)"),
        );
    }
}

/// A volet paid to the collectivité (`versement = "collectivite"`, PILOTAGE) is paid its
/// charge N-1 as it is (R5): forfaits, plancher, revalorisation or a cap given for it would be
/// ignored without a word (E022). Neutral values (0, empty) are let through.
fn parametres_collectivite(be: &BaremeExercice, fichier: &str, diags: &mut Diagnostics) {
    for v in be.volets.values() {
        if v.versement.valeur != Versement::Collectivite {
            continue;
        }
        // a value other than 0 somewhere in a grid
        fn donnee<T>(g: &Grille<T>, nul: impl Fn(&T) -> bool) -> bool {
            g.valeurs.iter().flatten().any(|x| !nul(x))
        }
        let ignores = [
            (
                "forfaits_nouvelles",
                v.forfaits_nouvelles.valeur.iter().any(|m| m.0 != 0),
            ),
            ("plancher", donnee(&v.plancher.valeur, |m| m.0 == 0)),
            (
                "revalorisation",
                donnee(&v.revalorisation.valeur, |d| d.is_zero()),
            ),
            (
                "plafond_developpement",
                v.plafond_developpement.valeur.is_some(),
            ),
        ];
        for (cle, _) in ignores.iter().filter(|(_, donne)| *donne) {
            diags.push(
                Diagnostic::erreur(
                    Code::E022,
                    fichier,
                    format!(
                        "`{cle}` donné pour le volet {}, versé tel quel à la collectivité : il serait ignoré",
                        v.nom
                    ),
                )
                .colonne(format!("volets.{}.{cle}", v.nom))
                .conseil("retirez ce paramètre, ou versez le volet aux structures (`versement = \"structures\"`)"),
            );
        }
    }
}

/// « (barème national intégré à bonus-ctg) » after a value that does not come from the same
/// file as the one it is compared with (`autre`): which file to correct is then said.
fn provenance(source: &Option<Source>, autre: &Option<Source>) -> String {
    let origine = |s: &Option<Source>| s.as_ref().map(|s| s.origine.clone());
    match (origine(source), origine(autre)) {
        (Some(a), Some(b)) if a != b => format!(" ({a})"),
        _ => String::new(),
    }
}
