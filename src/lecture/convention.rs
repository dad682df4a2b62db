//! Reading convention.toml: the convention, its collectivités, unknown keys and TOML
//! messages in French, each located by its line.

use super::*;
use crate::diagnostic::Code;
#[derive(Deserialize)]
struct ConventionBrute {
    nom: Option<Spanned<String>>,
    caf: Option<Spanned<String>>,
    debut: Option<Spanned<toml::value::Datetime>>,
    fin: Option<Spanned<toml::value::Datetime>>,
    exercice: Option<Spanned<i64>>,
    collectivites: Option<Spanned<Vec<CollectiviteBrute>>>,
}

#[derive(Deserialize)]
struct CollectiviteBrute {
    id: Option<Spanned<String>>,
    nom: Option<Spanned<String>>,
    tranche: Option<Spanned<i64>>,
    signataire: Option<Spanned<bool>>,
    /// optional, an integer ≥ 0 (read for the rules that use it; checked here)
    population: Option<Spanned<i64>>,
}

impl CollectiviteBrute {
    /// Where the collectivité is written: its `id`, or else its first key written (`None`
    /// for an empty table).
    fn debut(&self) -> Option<usize> {
        let id = self.id.as_ref().map(|s| s.span().start);
        id.or_else(|| {
            [
                self.nom.as_ref().map(|s| s.span().start),
                self.tranche.as_ref().map(|s| s.span().start),
                self.signataire.as_ref().map(|s| s.span().start),
                self.population.as_ref().map(|s| s.span().start),
            ]
            .into_iter()
            .flatten()
            .min()
        })
    }
}

/// Keys of convention.toml, at the top level and in each `[[collectivites]]`.
pub const CLES_CONVENTION: &[&str] = &["nom", "caf", "debut", "fin", "exercice", "collectivites"];
pub const CLES_COLLECTIVITE: &[&str] = &["id", "nom", "tranche", "signataire", "population"];

/// The known key nearest to `cle` (smallest edit distance; the first of the list on a tie).
pub fn cle_la_plus_proche<'c>(cle: &str, connues: &[&'c str]) -> Option<&'c str> {
    connues
        .iter()
        .min_by_key(|c| strsim::levenshtein(cle, c))
        .copied()
}

/// The error for an unknown key of a TOML file (convention.toml, bareme.toml, any other):
/// `chemin` is where it was found (`collectivites[1].signatair`), `connues` the keys
/// allowed there; the message names the nearest one. The one mechanism for every TOML file.
pub fn cle_inconnue(
    code: Code,
    fichier: &str,
    chemin: &str,
    cle: &str,
    connues: &[&str],
) -> Diagnostic {
    let proche = cle_la_plus_proche(cle, connues).map_or(String::new(), |p| {
        format!(" (clé admise la plus proche : « {p} »)")
    });
    // (a key is quoted at most 60 characters long, in the message and in its place)
    let (cle, chemin) = (texte::abreger(cle, 60), texte::abreger(chemin, 80));
    Diagnostic::erreur(code, fichier, format!("clé inconnue « {cle} »{proche}"))
        .colonne(chemin)
        .conseil(format!(
            "clés admises ici : {} (une clé mal orthographiée serait sinon ignorée)",
            connues.join(", ")
        ))
}

/// Unknown keys of convention.toml (errors E056 naming the nearest known key), in the
/// order of their names (as a `toml::Table` would list them), from the parsed document.
fn cles_inconnues_convention(
    fichier: &str,
    texte: &str,
    table: &toml_edit::Table,
) -> Vec<Diagnostic> {
    let mut r = Vec::new();
    let mut signaler = |chemin: String, cle: &str, connues: &[&str]| {
        let mut d = cle_inconnue(Code::E056, fichier, &chemin, cle, connues);
        if let Some(l) = super::toml_lignes::ligne_du_chemin(texte, &chemin, None) {
            d = d.ligne(l);
        }
        r.push(d);
    };
    let mut cles: Vec<(&str, &toml_edit::Item)> = table.iter().collect();
    cles.sort_by(|a, b| a.0.cmp(b.0));
    for (cle, v) in cles {
        if !CLES_CONVENTION.contains(&cle) {
            signaler(cle.to_string(), cle, CLES_CONVENTION);
        } else if cle == "collectivites" {
            // `[[collectivites]]` tables, or an array of inline tables (other elements
            // skipped, still counted)
            let tables: Vec<Option<Vec<&str>>> = match v {
                toml_edit::Item::ArrayOfTables(a) => a
                    .iter()
                    .map(|t| Some(t.iter().map(|(k, _)| k).collect()))
                    .collect(),
                toml_edit::Item::Value(toml_edit::Value::Array(a)) => a
                    .iter()
                    .map(|x| {
                        x.as_inline_table()
                            .map(|t| t.iter().map(|(k, _)| k).collect())
                    })
                    .collect(),
                _ => Vec::new(),
            };
            for (k, c) in tables.into_iter().enumerate() {
                let Some(mut c) = c else { continue };
                c.sort_unstable();
                for cle in c {
                    if !CLES_COLLECTIVITE.contains(&cle) {
                        signaler(
                            format!("collectivites[{}].{cle}", k + 1),
                            cle,
                            CLES_COLLECTIVITE,
                        );
                    }
                }
            }
        }
    }
    r
}

/// Parses convention.toml.
pub fn analyser_convention(
    fichier: &str,
    texte: &str,
    diags: &mut Diagnostics,
) -> Option<Convention> {
    let texte = &*fins_de_ligne_toml(texte);
    let (brute, inconnues) = lire_toml_convention(fichier, texte, diags)?;
    let ok = inconnues.is_empty();
    for d in inconnues {
        diags.push(d);
    }
    let mut a = Analyse::new(fichier, texte, diags, ok);
    let debut = a.date(&brute.debut, "debut");
    let fin = a.date(&brute.fin, "fin");
    if brute.exercice.is_none() {
        a.manque("exercice");
    }
    let collectivites = match &brute.collectivites {
        None => {
            a.manque("collectivites");
            Vec::new()
        }
        Some(cs) => a.collectivites(cs)?,
    };
    let exercice = brute.exercice.as_ref().map(|e| *e.get_ref()).unwrap_or(0);
    if let Some(e) = &brute.exercice {
        a.verifier_exercice(e);
    }
    if brute.debut.is_some() && debut.is_none() || brute.fin.is_some() && fin.is_none() {
        return None;
    }
    if let (Some(debut), Some(fin)) = (debut, fin) {
        a.verifier_periode(debut, fin, brute.fin.as_ref());
    }
    let nom = a.texte_renseigne(brute.nom.as_ref(), "nom");
    let caf = a.texte_renseigne(brute.caf.as_ref(), "caf");
    if !a.ok {
        return None;
    }
    Some(Convention {
        nom: nom.unwrap_or_else(|| nom_par_defaut(&collectivites)),
        caf: caf.unwrap_or_else(|| "Caf".to_string()),
        debut,
        fin,
        exercice: exercice as i32,
        collectivites,
    })
}

/// The name of a convention whose `nom` is absent or blank (docs/regles.md R10): « CTG »
/// and its collectivités, the first two by name, the others counted.
fn nom_par_defaut(collectivites: &[Collectivite]) -> String {
    let noms: Vec<&str> = collectivites.iter().map(|c| c.nom.as_str()).collect();
    match noms.as_slice() {
        [] => "CTG".to_string(),
        [a] => format!("CTG {a}"),
        [a, b] => format!("CTG {a} et {b}"),
        [a, b, reste @ ..] => {
            let n = reste.len();
            let s = if n > 1 { "s" } else { "" };
            format!("CTG {a}, {b} et {n} autre{s} collectivité{s}")
        }
    }
}

/// The TOML text deserialised and its unknown keys (E056), or its syntax error (E021) at
/// its line. Parsed once (`toml_edit`, the parser of `toml`, whose `from_str` is this same
/// parse and deserialisation): the typed values and the keys come from one document.
fn lire_toml_convention(
    fichier: &str,
    texte: &str,
    diags: &mut Diagnostics,
) -> Option<(ConventionBrute, Vec<Diagnostic>)> {
    let lu = toml_edit::ImDocument::parse(texte)
        .map_err(toml_edit::de::Error::from)
        .and_then(|doc| {
            let inconnues = cles_inconnues_convention(fichier, texte, doc.as_table());
            ConventionBrute::deserialize(toml_edit::de::Deserializer::from(doc))
                .map(|b| (b, inconnues))
        });
    match lu {
        Ok(b) => Some(b),
        Err(e) => {
            let d = erreur_toml(Code::E021, fichier, texte, e.message(), e.span());
            diags.push(d.conseil("voir le README, section « Le dossier d’entrée »"));
            None
        }
    }
}

/// The checks of a deserialised convention.toml: where to report (the file, the line of a
/// byte offset) and whether the convention is still valid (`ok`).
struct Analyse<'a> {
    fichier: &'a str,
    /// Byte offsets of the line feeds: the line of an offset by binary search (a linear
    /// count per key would be quadratic).
    sauts: Vec<usize>,
    diags: &'a mut Diagnostics,
    ok: bool,
}

impl<'a> Analyse<'a> {
    fn new(fichier: &'a str, texte: &str, diags: &'a mut Diagnostics, ok: bool) -> Self {
        let sauts = texte
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'\n')
            .map(|(i, _)| i)
            .collect();
        Analyse {
            fichier,
            sauts,
            diags,
            ok,
        }
    }

    fn ligne_de(&self, pos: usize) -> u64 {
        1 + self.sauts.partition_point(|&p| p < pos) as u64
    }

    /// A text key's value, trimmed; `None` when absent or blank (a blank name is no name:
    /// the convention's and a collectivité's get their default, R10). A control character
    /// in it is refused (E055).
    fn texte_renseigne(&mut self, v: Option<&Spanned<String>>, cle: &str) -> Option<String> {
        let s = v?;
        let t = s.get_ref().trim();
        if let Some(c) = texte::caractere_de_controle(t) {
            let (message, conseil) = texte::message_controle(c);
            let d = Diagnostic::erreur(Code::E055, self.fichier, message)
                .ligne(self.ligne_de(s.span().start))
                .colonne(cle)
                .valeur(texte::montrer_invisibles(t))
                .conseil(conseil);
            self.refuser(d);
        }
        Some(t.to_string()).filter(|t| !t.is_empty())
    }

    /// An error that makes the convention invalid.
    fn refuser(&mut self, d: Diagnostic) {
        self.diags.push(d);
        self.ok = false;
    }

    fn manque(&mut self, cle: &str) {
        let d = Diagnostic::erreur(
            Code::E021,
            self.fichier,
            format!("clé obligatoire « {cle} » absente"),
        )
        .colonne(cle);
        self.refuser(d);
    }

    /// A date without a time of day; `None` (and an error) otherwise.
    fn date(&mut self, d: &Option<Spanned<toml::value::Datetime>>, cle: &str) -> Option<Date> {
        let s = d.as_ref()?;
        match s.get_ref().date {
            Some(x) if s.get_ref().time.is_none() => Some(Date::new(x.year as i32, x.month, x.day)),
            _ => {
                let d = Diagnostic::erreur(
                    Code::E021,
                    self.fichier,
                    "une date sans heure est attendue (ex. 2024-07-01)",
                )
                .ligne(self.ligne_de(s.span().start))
                .colonne(cle)
                .valeur(s.get_ref().to_string());
                self.diags.push(d);
                None
            }
        }
    }

    /// The collectivités, each checked; `None` when there are too many to go on (E023).
    fn collectivites(&mut self, cs: &Spanned<Vec<CollectiviteBrute>>) -> Option<Vec<Collectivite>> {
        if cs.get_ref().len() > COLLECTIVITES_MAX {
            self.diags.push(
                Diagnostic::erreur(
                    Code::E023,
                    self.fichier,
                    format!(
                        "trop de collectivités : {} (maximum {COLLECTIVITES_MAX})",
                        cs.get_ref().len()
                    ),
                )
                .ligne(self.ligne_de(cs.span().start))
                .colonne("collectivites")
                .conseil(
                    "une convention territoriale couvre au plus les communes d'un département",
                ),
            );
            return None;
        }
        // canonical form (texte::cle_id) → the id as first written
        let mut ids: HashMap<String, String> = HashMap::new();
        let mut collectivites = Vec::new();
        for (k, c) in cs.get_ref().iter().enumerate() {
            let ici = format!("collectivites[{}]", k + 1);
            let ligne = self.ligne_de(c.debut().unwrap_or(cs.span().start));
            let Some(id) = self.identifiant(c, &ici, ligne, &mut ids) else {
                continue;
            };
            let tranche = self
                .borne(
                    &c.tranche,
                    1..=1000,
                    (Code::E020, &ici, "tranche"),
                    "tranche invalide (entier ≥ 1 attendu)",
                )
                .map(|t| t as u32);
            let population = self
                .borne(
                    &c.population,
                    0..=1_000_000_000,
                    (Code::E100, &ici, "population"),
                    "population invalide (entier de 0 à 1 000 000 000 attendu)",
                )
                .map(|p| p as u64);
            collectivites.push(Collectivite {
                population,
                // a blank name is no name: the id, as when the key is absent
                nom: self
                    .texte_renseigne(c.nom.as_ref(), &format!("{ici}.nom"))
                    .unwrap_or_else(|| id.clone()),
                id,
                tranche,
                signataire: c.signataire.as_ref().is_none_or(|s| *s.get_ref()),
            });
        }
        Some(collectivites)
    }

    /// The id of the collectivité `ici` (at `ligne`): present, without invisible
    /// characters, declared once (`ids`: canonical form → the id as first written). `None`
    /// when it is absent.
    fn identifiant(
        &mut self,
        c: &CollectiviteBrute,
        ici: &str,
        ligne: u64,
        ids: &mut HashMap<String, String>,
    ) -> Option<String> {
        let fichier = self.fichier;
        let Some(id) =
            c.id.as_ref()
                .map(|s| s.get_ref().trim().to_string())
                .filter(|s| !s.is_empty())
        else {
            // present but blank (`id = ""`): said as such
            let d = match &c.id {
                None => Diagnostic::erreur(Code::E021, fichier, "clé obligatoire « id » absente"),
                Some(_) => Diagnostic::erreur(Code::E021, fichier, "clé « id » présente mais vide")
                    .conseil("chaque collectivité a un identifiant : celui de la colonne collectivite de structures.csv et charges_n1.csv"),
            };
            self.refuser(d.ligne(ligne).colonne(format!("{ici}.id")));
            return None;
        };
        if let Some(c) = texte::caractere_invisible(&id) {
            let (message, conseil) = texte::message_invisible(c);
            self.refuser(
                Diagnostic::erreur(Code::E053, fichier, message)
                    .ligne(ligne)
                    .colonne(format!("{ici}.id"))
                    .valeur(texte::montrer_invisibles(&id))
                    .conseil(conseil),
            );
        }
        match ids.get(&texte::cle_id(&id)) {
            Some(premier) => {
                let msg = if *premier == id {
                    "collectivité déclarée deux fois".to_string()
                } else {
                    format!(
                        "collectivité déclarée deux fois : « {} » et « {} » ne diffèrent que par la casse, les espaces, les tirets ou la forme Unicode",
                        texte::montrer_espaces(&id),
                        texte::montrer_espaces(premier)
                    )
                };
                self.refuser(
                    Diagnostic::erreur(Code::E021, fichier, msg)
                        .ligne(ligne)
                        .colonne(format!("{ici}.id"))
                        .valeur(texte::montrer_espaces(&id)),
                );
            }
            None => {
                ids.insert(texte::cle_id(&id), id.clone());
            }
        }
        Some(id)
    }

    /// An integer of a collectivité within `bornes`; else an error (`code`, at the key
    /// `ici.cle`) and `None`.
    fn borne(
        &mut self,
        v: &Option<Spanned<i64>>,
        bornes: std::ops::RangeInclusive<i64>,
        (code, ici, cle): (Code, &str, &str),
        message: &str,
    ) -> Option<i64> {
        let v = v.as_ref()?;
        if bornes.contains(v.get_ref()) {
            return Some(*v.get_ref());
        }
        let d = Diagnostic::erreur(code, self.fichier, message)
            .ligne(self.ligne_de(v.span().start))
            .colonne(format!("{ici}.{cle}"))
            .valeur(v.get_ref().to_string());
        self.refuser(d);
        None
    }

    fn verifier_exercice(&mut self, e: &Spanned<i64>) {
        if !(1900..=2200).contains(e.get_ref()) {
            let d = Diagnostic::erreur(Code::E019, self.fichier, "exercice invalide")
                .ligne(self.ligne_de(e.span().start))
                .colonne("exercice")
                .valeur(e.get_ref().to_string())
                .conseil("une année entre 1900 et 2200, par exemple exercice = 2025");
            self.refuser(d);
        }
    }

    /// The convention does not end before it begins.
    fn verifier_periode(
        &mut self,
        debut: Date,
        fin: Date,
        position_fin: Option<&Spanned<toml::value::Datetime>>,
    ) {
        if fin < debut {
            let d = Diagnostic::erreur(
                Code::E021,
                self.fichier,
                format!("la fin de convention ({fin}) précède son début ({debut})"),
            )
            .ligne(self.ligne_de(position_fin.map_or(0, |s| s.span().start)))
            .colonne("fin")
            .valeur(fin.to_string());
            self.refuser(d);
        }
    }
}

/// Writes every `collectivite` of the tables as convention.toml spells it when it names a
/// declared collectivité up to case and Unicode form ([`texte::cle_id`]): one collectivité,
/// one canonical id, wherever it is compared later (validation, calculation, reports).
pub fn rattacher_collectivites(
    convention: &Convention,
    structures: &mut [Structure],
    charges: &mut [ChargeAPayer],
) {
    let declarees: HashMap<String, &str> = convention
        .collectivites
        .iter()
        .rev() // the first one wins, as Convention::collectivite
        .map(|c| (texte::cle_id(&c.id), c.id.as_str()))
        .collect();
    let exacts: std::collections::HashSet<&str> = convention
        .collectivites
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    // the last id found as declared: the lines of one collectivité usually follow each
    // other, and an equal id needs no lookup
    let mut dernier: &str = "";
    // the declared spelling of `c` when it differs from `c`
    let mut rattacher = |c: &str| -> Option<&str> {
        if !dernier.is_empty() && c == dernier {
            return None;
        }
        if let Some(e) = exacts.get(c) {
            dernier = e;
            return None; // already as declared (nearly every line)
        }
        declarees
            .get(&texte::cle_id(c))
            .copied()
            .filter(|id| c != *id)
    };
    for s in structures.iter_mut() {
        if let Some(id) = rattacher(&s.collectivite) {
            s.collectivite = id.into();
        }
    }
    for c in charges.iter_mut() {
        if let Some(id) = rattacher(&c.collectivite) {
            c.collectivite = id.to_string();
        }
    }
}
