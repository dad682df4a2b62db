//! Header of a table: the names read matched to the format's columns (case, accents,
//! aliases, near misses), the delimiter's candidates split as the csv reader splits them.

use super::tableau::{normaliser_nom, reference_cellule, reference_ligne, Index};
use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};

/// Accepted header aliases, for every table: (header as written, after [`normaliser_nom`];
/// the column it stands for). An alias counts only in a table that has that column. This is
/// the only list of aliases (docs/regles.md R50 lists them too).
pub const ALIAS: &[(&str, &str)] = &[
    // « Contribution collectivité N-1 », « Bonus N-1 » : the labels as Excel users write them
    (
        "contribution_collectivite_n_1",
        "contribution_collectivite_n1",
    ),
    ("bonus_n_1", "bonus_n1"),
    ("mois_d_ouverture", "mois_ouverture"),
    ("identifiant", "id"),
];

/// French labels that name something close to a column without meaning exactly it (places
/// rather than units, a commune's subsidy…): refused with the expected column's name, never
/// read silently as that column.
pub const LIBELLES_PROCHES: &[(&str, &str)] = &[
    ("places", "unites_existantes"),
    ("places_existantes", "unites_existantes"),
    ("nombre_de_places", "unites_existantes"),
    ("places_nouvelles", "unites_nouvelles"),
    ("places_creees", "unites_nouvelles"),
    ("places_employeurs", "unites_employeurs"),
    ("places_reservees", "unites_employeurs"),
    ("subvention_n_1", "contribution_collectivite_n1"),
    (
        "subvention_collectivite_n_1",
        "contribution_collectivite_n1",
    ),
    ("subvention_commune_n_1", "contribution_collectivite_n1"),
    ("contribution_commune_n_1", "contribution_collectivite_n1"),
    ("contribution_n_1", "contribution_collectivite_n1"),
    ("bonus_territoire_n_1", "bonus_n1"),
    ("montant_n_1", "montant"),
    ("charge_n_1", "montant"),
    ("charge_a_payer", "montant"),
    ("charge_a_payer_n_1", "montant"),
    ("commune", "collectivite"),
    ("epci", "collectivite"),
];

/// Columns whose quoted cells may hold a line break (free text); anywhere else a quoted cell
/// spanning lines is refused (a stray quote that swallowed the following lines).
pub const COLONNES_TEXTE_LIBRE: &[&str] = &["nom", "adresse", "gestionnaire", "libelle"];

/// The column of `connues` a (normalised) header name stands for: itself, or through
/// [`ALIAS`].
pub fn colonne_de<'c>(nom: &str, connues: &[&'c str]) -> Option<&'c str> {
    if let Some(c) = connues.iter().find(|c| **c == nom) {
        return Some(c);
    }
    let cible = ALIAS.iter().find(|(a, _)| *a == nom)?.1;
    connues.iter().find(|c| **c == cible).copied()
}

/// The optional columns whose values change the amounts: a missing one takes its default
/// value, so an unknown column that shares one of its words (`soutien` for
/// `soutien_collectivite`, `nb_mois_ouverture` for `mois_ouverture`) is taken for it
/// (E050) rather than ignored with a warning.
const COLONNES_DE_CALCUL: &[&str] = &[
    "soutien_collectivite",
    "unites_existantes",
    "unites_nouvelles",
    "unites_employeurs",
    "unites_employeurs_nouvelles",
    "mois_ouverture",
    "contribution_collectivite_n1",
    "bonus_n1",
];

/// The words of a normalised name that say what a column holds: 4 letters or more, and not
/// `collectivite` (in many names: `nom_collectivite` says nothing of a contribution).
fn mots_significatifs(nom: &str) -> impl Iterator<Item = &str> {
    nom.split('_')
        .filter(|m| m.len() >= 4 && *m != "collectivite")
}

/// The expected column an unknown header name looks like: a [`LIBELLES_PROCHES`] label, a
/// name (column or alias) at edit distance ≤ 2 (≤ 1 for names of 3 letters or fewer) of
/// one of `absentes`, or a missing column of [`COLONNES_DE_CALCUL`] that shares a
/// significant word with it. `None`: an unrelated extra column.
pub fn colonne_ressemblante<'c>(nom: &str, absentes: &[&'c str]) -> Option<&'c str> {
    if let Some((_, c)) = LIBELLES_PROCHES.iter().find(|(l, _)| *l == nom) {
        return absentes.iter().find(|a| *a == c).copied();
    }
    let mut meilleure: Option<(usize, &'c str)> = None;
    for c in absentes {
        let candidats = std::iter::once(*c).chain(
            ALIAS
                .iter()
                .filter(|(_, cible)| cible == c)
                .map(|(a, _)| *a),
        );
        for cand in candidats {
            let d = strsim::levenshtein(nom, cand);
            let seuil = if cand.chars().count() <= 3 { 1 } else { 2 };
            if d <= seuil && meilleure.is_none_or(|(m, _)| d < m) {
                meilleure = Some((d, c));
            }
        }
    }
    meilleure.map(|(_, c)| c).or_else(|| {
        absentes
            .iter()
            .filter(|a| COLONNES_DE_CALCUL.contains(a))
            .find(|a| mots_significatifs(a).any(|m| mots_significatifs(nom).any(|x| x == m)))
            .copied()
    })
}

/// Matches a header against the expected columns: maps the (normalised) names to their
/// index — a column through its own name or an [`ALIAS`] — and reports duplicate known
/// columns (E005), missing required ones (E004, with the list of expected names), columns
/// that look like a missing expected one (E050, naming it) and unknown ones (W050).
/// `feuille`: the sheet, to give cell references. `None` if the header is unusable.
/// Public for every reader of a table (the notification reader too).
pub fn apparier_entete(
    fichier: &str,
    ligne: u64,
    feuille: Option<&str>,
    noms: &[String],
    connues: &[&str],
    requises: &[&str],
    diags: &mut Diagnostics,
) -> Option<Index> {
    let e = Entete {
        fichier,
        ligne,
        feuille,
    };
    let (mut colonnes, inconnues, mut ok) = e.colonnes_connues(noms, connues, diags);
    ok &= e.colonnes_inconnues(&mut colonnes, inconnues, connues, diags);
    ok &= e.colonnes_requises(&colonnes, requises, diags);
    ok.then_some(colonnes)
}

/// Where a header is: its file, its line, and the sheet of a workbook.
struct Entete<'a> {
    fichier: &'a str,
    ligne: u64,
    feuille: Option<&'a str>,
}

impl Entete<'_> {
    /// A diagnostic at the header's `i`-th column: its line, or its cell in a workbook.
    fn en_colonne(&self, d: Diagnostic, i: usize) -> Diagnostic {
        let d = d.ligne(self.ligne);
        match self.feuille {
            Some(f) => d.cellule(reference_cellule(f, i, self.ligne)),
            None => d,
        }
    }

    /// The known columns (through their name or an [`ALIAS`]), a duplicate reported
    /// (E005, the first one kept); the unknown names; `false` when a duplicate was found.
    fn colonnes_connues<'n>(
        &self,
        noms: &'n [String],
        connues: &[&str],
        diags: &mut Diagnostics,
    ) -> (Index, Vec<(usize, &'n String)>, bool) {
        let mut colonnes = Index::default();
        let mut ok = true;
        let mut inconnues = Vec::new();
        for (i, n) in noms.iter().enumerate() {
            if n.is_empty() {
                continue;
            }
            let Some(c) = colonne_de(n, connues) else {
                inconnues.push((i, n));
                continue;
            };
            if n != c {
                colonnes.entry(n.clone()).or_insert(i);
            }
            if colonnes.contains_key(c) {
                // keep the first one
                let mut d = Diagnostic::erreur(
                    Code::E005,
                    self.fichier,
                    "colonne en double dans l'en-tête",
                )
                .colonne(c)
                .conseil("gardez une seule colonne de ce nom");
                if n != c {
                    d = d.valeur(n.clone());
                }
                diags.push(self.en_colonne(d, i));
                ok = false;
            } else {
                colonnes.insert(c.to_string(), i);
            }
        }
        (colonnes, inconnues, ok)
    }

    /// The unknown columns: one that looks like a missing expected column is an error
    /// (E050, naming it), any other a warning (W050). `false` after an error.
    fn colonnes_inconnues(
        &self,
        colonnes: &mut Index,
        inconnues: Vec<(usize, &String)>,
        connues: &[&str],
        diags: &mut Diagnostics,
    ) -> bool {
        let mut ok = true;
        let absentes: Vec<&str> = connues
            .iter()
            .filter(|c| !colonnes.contains_key(**c))
            .copied()
            .collect();
        for (i, n) in inconnues {
            // located like any other (a workbook's cell references)
            colonnes.entry(n.clone()).or_insert(i);
            let d = match colonne_ressemblante(n, &absentes) {
                Some(c) => {
                    ok = false;
                    Diagnostic::erreur(
                        Code::E050,
                        self.fichier,
                        format!(
                            "colonne « {n} » inconnue, qui ressemble à la colonne attendue « {c} »"
                        ),
                    )
                    .colonne(c)
                    .valeur(n.clone())
                    .conseil(format!(
                        "renommez l'en-tête « {c} » : sous un autre nom, ses valeurs seraient ignorées"
                    ))
                }
                None => Diagnostic::avertissement(
                    Code::W050,
                    self.fichier,
                    format!("colonne « {n} » inconnue : ses valeurs sont ignorées"),
                )
                .colonne(n.clone())
                .conseil(format!("colonnes lues : {}", connues.join(", "))),
            };
            diags.push(self.en_colonne(d, i));
        }
        ok
    }

    /// Every required column present (E004 otherwise, at the header's row of a workbook).
    fn colonnes_requises(
        &self,
        colonnes: &Index,
        requises: &[&str],
        diags: &mut Diagnostics,
    ) -> bool {
        let mut ok = true;
        for r in requises {
            if !colonnes.contains_key(*r) {
                let mut d = Diagnostic::erreur(
                    Code::E004,
                    self.fichier,
                    format!("colonne obligatoire « {r} » absente"),
                )
                .ligne(self.ligne)
                .colonne(*r)
                .conseil(format!("colonnes obligatoires : {}", requises.join(", ")));
                if let Some(f) = self.feuille {
                    d = d.cellule(reference_ligne(f, self.ligne));
                }
                diags.push(d);
                ok = false;
            }
        }
        ok
    }
}

/// E058: a value in the `colonne`-th column (from 0) of the record at line `ligne`, whose
/// header name (line `ligne_entete`) is empty: it would be ignored, its column taking its
/// default value if the name was lost (a header cell cleared by mistake). `feuille`: the
/// sheet of a workbook, to name the cell.
pub(crate) fn valeur_sans_entete(
    fichier: &str,
    feuille: Option<&str>,
    ligne_entete: u64,
    colonne: usize,
    ligne: u64,
    valeur: &str,
) -> Diagnostic {
    let rang = match colonne + 1 {
        1 => "1re".to_string(),
        n => format!("{n}e"),
    };
    let (ou, entete) = match feuille {
        Some(f) => (
            format!("colonne {}", super::tableau::lettres_colonne(colonne)),
            format!("cellule {}", reference_cellule(f, colonne, ligne_entete)),
        ),
        None => (format!("{rang} colonne"), format!("ligne {ligne_entete}")),
    };
    let d = Diagnostic::erreur(
        Code::E058,
        fichier,
        format!("valeur dans la {ou}, dont l'en-tête ({entete}) est vide : elle serait ignorée"),
    )
    .ligne(ligne)
    .valeur(valeur)
    .conseil("nommez la colonne dans l'en-tête (un nom effacé ou oublié ?), ou videz-la");
    match feuille {
        Some(f) => d.cellule(reference_cellule(f, colonne, ligne)),
        None => d,
    }
}

/// The former name of [`apparier_entete`] (the workbook reader calls it).
pub(crate) use apparier_entete as verifier_entete;

pub(super) fn decouper_entete(texte: &str, d: u8) -> Vec<String> {
    // A header line without quotes splits on the delimiter exactly as the csv reader would
    // (fields end at the delimiter, the record at the first CR or LF); building a csv reader
    // per candidate delimiter costs more than reading the whole file's numbers.
    let ligne = texte.split(['\r', '\n']).next().unwrap_or("");
    if !ligne.trim().is_empty() && !ligne.contains('"') {
        return ligne.split(d as char).map(normaliser_nom).collect();
    }
    let mut r = csv::ReaderBuilder::new()
        .delimiter(d)
        .has_headers(false)
        .flexible(true)
        .from_reader(texte.as_bytes());
    let mut rec = csv::StringRecord::new();
    match r.read_record(&mut rec) {
        Ok(true) => rec.iter().map(normaliser_nom).collect(),
        _ => Vec::new(),
    }
}
