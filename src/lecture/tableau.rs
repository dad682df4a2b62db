//! Generic CSV table reading: delimiter detected from the header, header names matched
//! case- and accent-insensitively, every record kept with its line number.

use crate::diagnostic::Code;
use crate::diagnostic::{Diagnostic, Diagnostics};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// FNV-1a: column names are short and few; hashed for every cell read, where SipHash showed
/// in profiles (no untrusted-key flooding concern: a header has a handful of names).
#[derive(Default)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, octets: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in octets {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

pub type Index = HashMap<String, usize, BuildHasherDefault<Fnv>>;

/// At most this many data lines per table (R50).
pub const LIGNES_MAX: usize = 1_000_000;

/// Normalises a header name: lower case, accents removed, spaces and dashes as `_`.
pub fn normaliser_nom(s: &str) -> String {
    let mut r = String::with_capacity(s.len());
    for c in s.trim().trim_start_matches('\u{feff}').chars() {
        let c = match c {
            'à' | 'â' | 'ä' | 'À' | 'Â' | 'Ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' | 'É' | 'È' | 'Ê' | 'Ë' => 'e',
            'î' | 'ï' | 'Î' | 'Ï' => 'i',
            'ô' | 'ö' | 'Ô' | 'Ö' => 'o',
            'ù' | 'û' | 'ü' | 'Ù' | 'Û' | 'Ü' => 'u',
            'ç' | 'Ç' => 'c',
            ' ' | '-' | '\u{a0}' | '\'' | '’' => '_',
            c => c.to_ascii_lowercase(),
        };
        r.push(c);
    }
    r
}

/// A CSV file (or a sheet of an `.xlsx` workbook) read into records, with the position of
/// each one.
pub struct Tableau {
    pub fichier: String,
    pub delimiteur: u8,
    /// The sheet's name when the table comes from a workbook: cells are then located as
    /// `feuille!F12` (the record's line number is the spreadsheet row).
    pub feuille: Option<String>,
    colonnes: Index,
    /// (line number in the file, fields), every record with the same number of fields
    pub lignes: Lignes,
}

/// The records of a table, stored flat (one text, the end of each field, the line of each
/// record): a record costs its text, 4 bytes per field and 8 for its line, whatever the
/// number of fields, so that memory stays a small multiple of the file's size.
#[derive(Debug, Clone, Default)]
pub struct Lignes {
    texte: String,
    fins: Vec<u32>,
    nos: Vec<u64>,
    largeur: usize,
}

/// One record of [`Lignes`] (cheap to copy).
#[derive(Clone, Copy)]
pub struct Enregistrement<'a> {
    lignes: &'a Lignes,
    k: usize,
}

impl<'a> Enregistrement<'a> {
    /// Field `i`, as read (not trimmed).
    pub fn get(&self, i: usize) -> Option<&'a str> {
        let l = self.lignes;
        if i >= l.largeur {
            return None;
        }
        let j = self.k * l.largeur + i;
        let debut = if j == 0 { 0 } else { l.fins[j - 1] as usize };
        l.texte.get(debut..l.fins[j] as usize)
    }
    pub fn len(&self) -> usize {
        self.lignes.largeur
    }
    pub fn is_empty(&self) -> bool {
        self.lignes.largeur == 0
    }
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + 'a {
        let e = *self;
        (0..e.len()).filter_map(move |i| e.get(i))
    }
}

impl std::fmt::Debug for Enregistrement<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Lignes {
    fn new(largeur: usize) -> Self {
        Lignes {
            largeur,
            ..Default::default()
        }
    }
    pub fn len(&self) -> usize {
        self.nos.len()
    }
    pub fn is_empty(&self) -> bool {
        self.nos.is_empty()
    }
    pub fn iter(&self) -> impl Iterator<Item = (&u64, Enregistrement<'_>)> {
        self.nos
            .iter()
            .enumerate()
            .map(move |(k, no)| (no, Enregistrement { lignes: self, k }))
    }
    /// Appends one field of the record being written; `false` if the text outgrows the
    /// 4 GB the offsets can address (the caller refuses the table).
    fn champ(&mut self, t: &str) -> bool {
        if self.texte.len() + t.len() > u32::MAX as usize {
            return false;
        }
        self.texte.push_str(t);
        self.fins.push(self.texte.len() as u32);
        true
    }
    /// Ends the record being written at line `no` (its fields were pushed with `champ`).
    fn fin(&mut self, no: u64) {
        self.nos.push(no);
    }
    /// Drops the fields pushed since the last complete record.
    fn annuler(&mut self) {
        let n = self.nos.len() * self.largeur;
        let t = if n == 0 { 0 } else { self.fins[n - 1] as usize };
        self.fins.truncate(n);
        self.texte.truncate(t);
    }
}

impl<'a> IntoIterator for &'a Lignes {
    type Item = (&'a u64, Enregistrement<'a>);
    type IntoIter = Box<dyn Iterator<Item = (&'a u64, Enregistrement<'a>)> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl PartialEq<Vec<(u64, Vec<String>)>> for Lignes {
    fn eq(&self, autre: &Vec<(u64, Vec<String>)>) -> bool {
        self.len() == autre.len()
            && self.iter().zip(autre).all(|((no, e), (n2, c))| {
                no == n2 && e.len() == c.len() && e.iter().zip(c).all(|(a, b)| a == b)
            })
    }
}

/// Where a table was read from: enough to locate a later (cross-file) diagnostic given its
/// line and column name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Localisation {
    pub fichier: String,
    pub feuille: Option<String>,
    colonnes: Index,
}

impl Localisation {
    /// A CSV file, located by line only.
    pub fn csv(fichier: &str) -> Self {
        Localisation {
            fichier: fichier.to_string(),
            ..Default::default()
        }
    }
    /// The cell reference (`structures!F12`) of column `nom` on spreadsheet row `ligne`.
    pub fn cellule(&self, ligne: u64, nom: &str) -> Option<String> {
        let f = self.feuille.as_deref()?;
        let i = *self.colonnes.get(nom)?;
        Some(reference_cellule(f, i, ligne))
    }
}

/// Spreadsheet column letters of a 0-based index: 0 → `A`, 25 → `Z`, 26 → `AA`.
pub fn lettres_colonne(mut i: usize) -> String {
    let mut r = Vec::new();
    loop {
        r.push(b'A' + (i % 26) as u8);
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    r.reverse();
    String::from_utf8(r).unwrap_or_default()
}

/// `feuille!F12`, the sheet name quoted as Excel does when it is not a plain word.
pub fn reference_cellule(feuille: &str, colonne: usize, ligne: u64) -> String {
    let simple = !feuille.is_empty() && feuille.chars().all(|c| c.is_alphanumeric() || c == '_');
    let f = if simple {
        feuille.to_string()
    } else {
        format!("'{}'", feuille.replace('\'', "''"))
    };
    format!("{f}!{}{ligne}", lettres_colonne(colonne))
}

/// `feuille!3:3`, a whole row (for a header problem).
pub fn reference_ligne(feuille: &str, ligne: u64) -> String {
    let c = reference_cellule(feuille, 0, ligne);
    let f = &c[..c.rfind('!').unwrap_or(0)];
    format!("{f}!{ligne}:{ligne}")
}

impl Tableau {
    /// A table read from a workbook's sheet (`xlsx`): lines are spreadsheet rows.
    pub(crate) fn depuis_feuille(
        fichier: &str,
        feuille: &str,
        colonnes: Index,
        lignes: Vec<(u64, Vec<String>)>,
    ) -> Tableau {
        let largeur = lignes.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
        let mut l = Lignes::new(largeur);
        for (no, champs) in lignes {
            for i in 0..largeur {
                l.champ(champs.get(i).map_or("", |s| s.as_str()));
            }
            l.fin(no);
        }
        Tableau {
            fichier: fichier.to_string(),
            delimiteur: 0,
            feuille: Some(feuille.to_string()),
            colonnes,
            lignes: l,
        }
    }
    /// Where this table comes from, to locate later diagnostics.
    pub fn localisation(&self) -> Localisation {
        Localisation {
            fichier: self.fichier.clone(),
            feuille: self.feuille.clone(),
            colonnes: self.colonnes.clone(),
        }
    }
    /// The cell reference of column `nom` on line `ligne`, for a workbook's table.
    pub fn cellule(&self, ligne: u64, nom: &str) -> Option<String> {
        let f = self.feuille.as_deref()?;
        let i = *self.colonnes.get(nom)?;
        Some(reference_cellule(f, i, ligne))
    }
    /// The trimmed value of column `nom` on a record; `None` if the column is absent or the
    /// cell empty.
    pub fn champ<'a>(&self, enr: Enregistrement<'a>, nom: &str) -> Option<&'a str> {
        let i = *self.colonnes.get(nom)?;
        enr.get(i).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

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

/// The expected column an unknown header name looks like: a [`LIBELLES_PROCHES`] label, or
/// a name (column or alias) at edit distance ≤ 2 (≤ 1 for names of 3 letters or fewer) of
/// one of `absentes`. `None`: an unrelated extra column.
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
    meilleure.map(|(_, c)| c)
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
    let mut colonnes = Index::default();
    let mut ok = true;
    let mut inconnues = Vec::new();
    let cellule = |i: usize| feuille.map(|f| reference_cellule(f, i, ligne));
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
            let mut d = Diagnostic::erreur(Code::E005, fichier, "colonne en double dans l'en-tête")
                .ligne(ligne)
                .colonne(c)
                .conseil("gardez une seule colonne de ce nom");
            if n != c {
                d = d.valeur(n.clone());
            }
            if let Some(r) = cellule(i) {
                d = d.cellule(r);
            }
            diags.push(d);
            ok = false;
        } else {
            colonnes.insert(c.to_string(), i);
        }
    }
    let absentes: Vec<&str> = connues
        .iter()
        .filter(|c| !colonnes.contains_key(**c))
        .copied()
        .collect();
    for (i, n) in inconnues {
        // located like any other (a workbook's cell references)
        colonnes.entry(n.clone()).or_insert(i);
        let mut d = match colonne_ressemblante(n, &absentes) {
            Some(c) => {
                ok = false;
                Diagnostic::erreur(
                    Code::E050,
                    fichier,
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
                fichier,
                format!("colonne « {n} » inconnue : ses valeurs sont ignorées"),
            )
            .colonne(n.clone())
            .conseil(format!("colonnes lues : {}", connues.join(", "))),
        };
        d = d.ligne(ligne);
        if let Some(r) = cellule(i) {
            d = d.cellule(r);
        }
        diags.push(d);
    }
    for r in requises {
        if !colonnes.contains_key(*r) {
            let mut d = Diagnostic::erreur(
                Code::E004,
                fichier,
                format!("colonne obligatoire « {r} » absente"),
            )
            .ligne(ligne)
            .colonne(*r)
            .conseil(format!("colonnes obligatoires : {}", requises.join(", ")));
            if let Some(f) = feuille {
                d = d.cellule(reference_ligne(f, ligne));
            }
            diags.push(d);
            ok = false;
        }
    }
    ok.then_some(colonnes)
}

/// The former name of [`apparier_entete`] (the workbook reader calls it).
pub(crate) use apparier_entete as verifier_entete;

fn decouper_entete(texte: &str, d: u8) -> Vec<String> {
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

/// Reads a CSV text. `connues` are the column names of the format (to detect the delimiter),
/// `requises` the mandatory ones. Errors go to `diags`; `None` if the table is unusable.
pub fn lire(
    fichier: &str,
    texte: &str,
    connues: &[&str],
    requises: &[&str],
    diags: &mut Diagnostics,
) -> Option<Tableau> {
    lire_max(fichier, texte, connues, requises, diags, LIGNES_MAX)
}

/// [`lire`] with the line limit as a parameter (tested with a small one).
fn lire_max(
    fichier: &str,
    texte: &str,
    connues: &[&str],
    requises: &[&str],
    diags: &mut Diagnostics,
    max_lignes: usize,
) -> Option<Tableau> {
    // Excel for Mac's « CSV (Macintosh) » ends lines with a lone CR
    let texte: Cow<str> = if !texte.contains('\n') && texte.contains('\r') {
        Cow::Owned(texte.replace('\r', "\n"))
    } else {
        Cow::Borrowed(texte)
    };
    // first non-empty line = header
    let debut_entete = texte.lines().position(|l| !l.trim().is_empty());
    let Some(debut) = debut_entete else {
        diags.push(
            Diagnostic::erreur(Code::E005, fichier, "fichier vide : aucune ligne d'en-tête")
                .conseil(format!(
                    "la première ligne doit nommer les colonnes : {}",
                    requises.join(", ")
                )),
        );
        return None;
    };
    let reste: &str = {
        // keep byte offsets simple: cut the text at the header line
        let mut off = 0;
        for (i, l) in texte.split_inclusive('\n').enumerate() {
            if i == debut {
                break;
            }
            off += l.len();
        }
        &texte[off..]
    };
    let mut meilleur: Option<(usize, u8, Vec<String>)> = None;
    for d in [b';', b',', b'\t'] {
        let noms = decouper_entete(reste, d);
        let n = noms
            .iter()
            .filter(|n| colonne_de(n, connues).is_some())
            .count();
        if n > 0 && meilleur.as_ref().is_none_or(|(m, _, _)| n > *m) {
            meilleur = Some((n, d, noms));
        }
    }
    let Some((_, delimiteur, noms)) = meilleur else {
        let premiere = reste
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(120)
            .collect::<String>();
        diags.push(
            Diagnostic::erreur(Code::E005, fichier, "en-tête non reconnu : aucune colonne attendue trouvée (séparateurs essayés : « ; », « , », tabulation)")
                .ligne(debut as u64 + 1)
                .valeur(premiere)
                .conseil(format!("colonnes attendues : {}", connues.join(", "))),
        );
        return None;
    };
    let ligne_entete = debut as u64 + 1;
    // the header's number of fields: every record must have it
    let largeur = noms.len();
    let texte_libre: Vec<bool> = noms
        .iter()
        .map(|n| colonne_de(n, connues).is_some_and(|c| COLONNES_TEXTE_LIBRE.contains(&c)))
        .collect();
    let mut lecteur = Lecteur::new(reste.as_bytes(), delimiteur, ligne_entete);
    let mut lignes = Lignes::new(largeur);
    // the header record (as decouper_entete read it): a quoted name spanning lines would
    // swallow the first records
    let mut multiligne = false;
    while let Some(c) = lecteur.champ(true) {
        multiligne |= c.multiligne;
        if c.fin_enregistrement {
            break;
        }
    }
    if multiligne {
        diags.push(
            Diagnostic::erreur(
                Code::E052,
                fichier,
                "guillemet ouvert dans l'en-tête : la cellule s'étend sur plusieurs lignes et absorberait les premières lignes de données",
            )
            .ligne(ligne_entete)
            .conseil("retirez le guillemet en trop de l'en-tête"),
        );
        return None;
    }
    let colonnes = apparier_entete(fichier, ligne_entete, None, &noms, connues, requises, diags);
    let mut ok = colonnes.is_some();
    loop {
        lecteur.sauter_lignes_vides();
        if lecteur.fini() {
            break;
        }
        let ligne = lecteur.ligne;
        let mut n = 0usize; // fields read
        let mut vide = true;
        let mut erreur_guillemet = false;
        while let Some(c) = lecteur.champ(n < largeur) {
            let texte = lecteur.texte_champ(&c);
            if c.rempli && (c.longueur == 0 || !texte.trim().is_empty()) {
                vide = false;
            }
            if (c.multiligne || c.apres_guillemet) && !erreur_guillemet {
                if let Some(d) =
                    probleme_guillemet(fichier, &c, texte, &noms, &texte_libre, n, delimiteur)
                {
                    diags.push(d);
                    erreur_guillemet = true;
                }
            }
            if n < largeur && !lignes.champ(texte) {
                diags.push(
                    Diagnostic::erreur(Code::E023, fichier, "fichier trop gros pour être lu")
                        .ligne(ligne),
                );
                return None;
            }
            n += 1;
            if c.fin_enregistrement {
                break;
            }
        }
        if vide {
            lignes.annuler();
            continue; // empty line (or only delimiters, as Excel writes them)
        }
        if erreur_guillemet {
            ok = false;
            lignes.annuler();
            continue;
        }
        if n != largeur {
            diags.push(
                Diagnostic::erreur(
                    Code::E051,
                    fichier,
                    format!(
                        "ligne de {} champ{} alors que l'en-tête en a {largeur} : {}",
                        groupe(n),
                        if n > 1 { "s" } else { "" },
                        if n < largeur {
                            "champs manquants"
                        } else {
                            "champs en trop"
                        }
                    ),
                )
                .ligne(ligne)
                .conseil(if n < largeur {
                    "un séparateur manque, ou la ligne a été coupée : chaque ligne a autant de champs que l'en-tête (les cellules vides comprises)"
                } else {
                    "un séparateur est en trop (une virgule dans un nom ? mettez-le entre guillemets) : chaque ligne a autant de champs que l'en-tête"
                }),
            );
            ok = false;
            lignes.annuler();
            continue;
        }
        if lignes.len() >= max_lignes {
            diags.push(
                Diagnostic::erreur(
                    Code::E023,
                    fichier,
                    format!(
                        "trop de lignes : plus de {} lignes de données",
                        groupe(max_lignes)
                    ),
                )
                .ligne(ligne)
                .conseil("un dossier décrit une seule convention : découpez le fichier"),
            );
            ok = false;
            break;
        }
        lignes.fin(ligne);
    }
    let colonnes = match colonnes {
        Some(c) if ok => c,
        _ => return None,
    };
    Some(Tableau {
        fichier: fichier.to_string(),
        delimiteur,
        feuille: None,
        colonnes,
        lignes,
    })
}

/// A field read by [`Lecteur`]: where it starts, whether it was quoted and spans lines.
struct Champ {
    /// line where it starts
    ligne: u64,
    /// length of its text in the reader's buffer (0 when not kept)
    longueur: usize,
    multiligne: bool,
    /// a quote opened it and was never closed (the field runs to the end of the file)
    non_ferme: bool,
    /// text follows its closing quote (`"abc"def`)
    apres_guillemet: bool,
    /// it holds something other than spaces (ASCII whitespace)
    rempli: bool,
    fin_enregistrement: bool,
}

/// Field-by-field CSV reading (csv-core, the csv crate's own state machine) with one
/// reused buffer: a field beyond the header's count is counted, not stored, so a line of
/// millions of delimiters costs no memory; lines are counted as the text is consumed.
struct Lecteur<'t> {
    octets: &'t [u8],
    lecteur: csv_core::Reader,
    pos: usize,
    delimiteur: u8,
    /// line of `pos`
    ligne: u64,
    tampon: Vec<u8>,
}

impl<'t> Lecteur<'t> {
    fn new(octets: &'t [u8], delimiteur: u8, ligne: u64) -> Self {
        Lecteur {
            octets,
            lecteur: csv_core::ReaderBuilder::new().delimiter(delimiteur).build(),
            pos: 0,
            delimiteur,
            ligne,
            tampon: vec![0; 1024],
        }
    }
    fn fini(&self) -> bool {
        self.pos >= self.octets.len()
    }
    fn avancer(&mut self, n: usize) {
        let fin = (self.pos + n).min(self.octets.len());
        self.ligne += self.octets[self.pos..fin]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        self.pos = fin;
    }
    /// Skips the line breaks before a record (the reader itself skips them too).
    fn sauter_lignes_vides(&mut self) {
        let n = self.octets[self.pos..]
            .iter()
            .take_while(|b| **b == b'\n' || **b == b'\r')
            .count();
        self.avancer(n);
    }
    /// Reads the next field, keeping its text in the buffer when `garder`. `None` at the
    /// end of the input.
    fn champ(&mut self, garder: bool) -> Option<Champ> {
        use csv_core::ReadFieldResult as R;
        let (debut, ligne) = (self.pos, self.ligne);
        let mut nout = 0;
        let mut multiligne = false;
        let mut rempli = false;
        loop {
            let fin_du_texte = self.pos >= self.octets.len();
            let (r, nin, n) = self
                .lecteur
                .read_field(&self.octets[self.pos..], &mut self.tampon[nout..]);
            let lu = &self.tampon[nout..nout + n];
            multiligne |= lu.contains(&b'\n') || lu.contains(&b'\r');
            // a field not kept still counts as content (a line is empty only if every
            // field is blank, kept or not)
            rempli |= lu.iter().any(|b| !b.is_ascii_whitespace());
            self.avancer(nin);
            nout += n;
            match r {
                // given no input, the reader ends the field or the text (never asks for
                // more); a guard against looping all the same
                R::InputEmpty if fin_du_texte => return None,
                R::InputEmpty => {}
                R::OutputFull => {
                    if garder {
                        let l = self.tampon.len();
                        self.tampon.resize(l * 2, 0);
                    } else {
                        nout = 0;
                    }
                }
                R::Field { record_end } => {
                    let brut = &self.octets[debut..self.pos];
                    let (mut non_ferme, mut apres_guillemet) = (false, false);
                    if brut.first() == Some(&b'"') {
                        match guillemet_fermant(brut) {
                            // the field ran to the end of the file
                            None => non_ferme = true,
                            // RFC 4180: only a delimiter or the end of the line may follow
                            // the closing quote (`"abc"def` is a stray quote)
                            Some(k) => {
                                apres_guillemet = brut.get(k + 1).is_some_and(|b| {
                                    *b != self.delimiteur && *b != b'\n' && *b != b'\r'
                                })
                            }
                        }
                    }
                    return Some(Champ {
                        ligne,
                        longueur: if garder { nout } else { 0 },
                        multiligne: multiligne || non_ferme,
                        non_ferme,
                        apres_guillemet,
                        rempli,
                        fin_enregistrement: record_end,
                    });
                }
                R::End => return None,
            }
        }
    }
    fn texte_champ(&self, c: &Champ) -> &str {
        // the reader only removes ASCII quotes from UTF-8 text: still UTF-8
        std::str::from_utf8(&self.tampon[..c.longueur]).unwrap_or("")
    }
}

/// Where the quote opening `champ` (its first byte) is closed: the first `"` not doubled.
fn guillemet_fermant(champ: &[u8]) -> Option<usize> {
    let mut i = 1;
    while i < champ.len() {
        if champ[i] == b'"' {
            if champ.get(i + 1) == Some(&b'"') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

/// A stray quote, reported at the line where the field's quote opened: a quote never
/// closed (E024), text after a closing quote (`"abc"def`), or a quoted field spanning lines
/// outside a free-text column, or holding a whole record's worth of delimiters (header's
/// count less one: it swallowed what reads as a record). `None`: an acceptable field.
fn probleme_guillemet(
    fichier: &str,
    c: &Champ,
    texte: &str,
    noms: &[String],
    texte_libre: &[bool],
    i: usize,
    delimiteur: u8,
) -> Option<Diagnostic> {
    let conseil = "un guillemet est en trop ou n'est pas fermé : retirez-le, ou doublez-le s'il fait partie du texte (\"\")";
    if c.non_ferme {
        return Some(
            Diagnostic::erreur(
                Code::E024,
                fichier,
                "guillemet ouvert jamais fermé : la suite du fichier serait lue comme une seule cellule",
            )
            .ligne(c.ligne)
            .conseil("fermez le guillemet de cette ligne (ou doublez-le s'il fait partie du texte : \"\")"),
        );
    }
    let colonne = noms.get(i).map_or("", |s| s.as_str());
    let nom_colonne = if colonne.is_empty() {
        format!("n° {}", i + 1)
    } else {
        colonne.to_string()
    };
    let extrait: String = texte
        .chars()
        .take(40)
        .collect::<String>()
        .replace(['\r', '\n'], "↵");
    if c.multiligne && !texte_libre.get(i).copied().unwrap_or(false) {
        return Some(
            Diagnostic::erreur(
                Code::E052,
                fichier,
                "cellule entre guillemets étendue sur plusieurs lignes hors d'une colonne de texte libre (nom, adresse, gestionnaire, libelle)",
            )
            .ligne(c.ligne)
            .colonne(nom_colonne)
            .valeur(format!("{extrait}…"))
            .conseil(conseil),
        );
    }
    let n = noms.len();
    let d = delimiteur as char;
    // as many delimiters as a whole record holds (n − 1): from its column on one line to
    // the same column on a later line, the cell has swallowed a record's worth of fields
    let absorbe = (c.multiligne && n >= 2 && texte.matches(d).count() + 1 >= n)
        .then(|| texte.split(['\r', '\n']).nth(1).unwrap_or(""));
    let r = absorbe.map(|l| {
        let mut l: String = l.chars().take(60).collect();
        if l.len() < texte.len() {
            l = format!("{}…", l.trim_end());
        }
        // the line where the cell ends: one more per line break it holds
        let fin = c.ligne + texte.matches('\n').count() as u64;
        Diagnostic::erreur(
            Code::E052,
            fichier,
            format!("cellule entre guillemets qui absorbe des lignes entières : le guillemet ouvert ici n'est fermé qu'à la ligne {fin}"),
        )
        .ligne(c.ligne)
        .colonne(colonne)
        .valeur(l)
        .conseil(conseil)
    });
    if r.is_some() {
        return r;
    }
    if c.apres_guillemet {
        let extrait: String = texte.chars().take(60).collect();
        return Some(
            Diagnostic::erreur(
                Code::E052,
                fichier,
                "texte après le guillemet fermant d'une cellule : un guillemet est en trop",
            )
            .ligne(c.ligne)
            .colonne(nom_colonne)
            .valeur(extrait.replace(['\r', '\n'], "↵"))
            .conseil(conseil),
        );
    }
    None
}

/// `1000000` → `1 000 000` (for messages).
pub(crate) fn groupe(n: usize) -> String {
    crate::rapport::groupe_fr(&n.to_string()).replace('\u{202f}', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noms_normalises() {
        assert_eq!(normaliser_nom(" Unités existantes "), "unites_existantes");
        assert_eq!(normaliser_nom("\u{feff}ID"), "id");
        assert_eq!(normaliser_nom("Collectivité"), "collectivite");
    }

    #[test]
    fn delimiteur_et_lignes() {
        let mut d = Diagnostics::default();
        let t = "\n\nid,montant\n\"a,b\",\"1,5\"\n\n,\nc,2\n";
        let tab = lire("f.csv", t, &["id", "montant"], &["id"], &mut d).unwrap();
        assert_eq!(tab.delimiteur, b',');
        assert_eq!(tab.lignes.len(), 2);
        let l: Vec<_> = tab.lignes.iter().collect();
        assert_eq!(*l[0].0, 4); // header on line 3
        assert_eq!(tab.champ(l[0].1, "id"), Some("a,b"));
        assert_eq!(tab.champ(l[0].1, "montant"), Some("1,5"));
        assert_eq!(*l[1].0, 7);
        let tab = lire(
            "f.csv",
            "id;montant\r\nx;1,5\r\n",
            &["id", "montant"],
            &["id"],
            &mut d,
        )
        .unwrap();
        assert_eq!(tab.delimiteur, b';');
        let l = tab.lignes.iter().next().unwrap();
        assert_eq!(tab.champ(l.1, "montant"), Some("1,5"));
        assert!(!d.a_des_erreurs());
    }

    #[test]
    fn entete_sans_guillemets_comme_le_lecteur_csv() {
        let par_csv = |t: &str, d: u8| -> Vec<String> {
            let mut r = csv::ReaderBuilder::new()
                .delimiter(d)
                .has_headers(false)
                .flexible(true)
                .from_reader(t.as_bytes());
            let mut rec = csv::StringRecord::new();
            match r.read_record(&mut rec) {
                Ok(true) => rec.iter().map(normaliser_nom).collect(),
                _ => Vec::new(),
            }
        };
        for t in [
            "id;annexe;Unités existantes\r\nx;2;3\r\n",
            "\u{feff}id,nom,\n1,2\n",
            "id\tnom\rsuite",
            "a;;b; c ;\n",
            "seul",
            "id;\"nom;x\";b\n",
        ] {
            for d in [b';', b',', b'\t'] {
                assert_eq!(decouper_entete(t, d), par_csv(t, d), "{t:?} {d}");
            }
        }
    }

    #[test]
    fn colonne_manquante() {
        let mut d = Diagnostics::default();
        assert!(lire(
            "f.csv",
            "id;autre\n1;2\n",
            &["id", "montant"],
            &["id", "montant"],
            &mut d
        )
        .is_none());
        assert_eq!(d.0[0].code, Code::W050);
        assert_eq!(d.0[1].code, Code::E004);
        assert_eq!(d.0[1].colonne.as_deref(), Some("montant"));
        let mut d = Diagnostics::default();
        assert!(lire("f.csv", "a;b\n", &["id"], &["id"], &mut d).is_none());
        assert_eq!(d.0[0].code, Code::E005);
    }
}

#[cfg(test)]
mod tests_crlf {
    use super::*;

    #[test]
    fn numeros_de_ligne_crlf_comme_lf() {
        for fin in ["\n", "\r\n"] {
            let t = format!("id;montant{fin}a;1{fin}{fin}b;2{fin}");
            let mut d = Diagnostics::default();
            let tab = lire("f.csv", &t, &["id", "montant"], &["id"], &mut d).unwrap();
            let lignes: Vec<u64> = tab.lignes.iter().map(|l| *l.0).collect();
            assert_eq!(lignes, vec![2, 4], "fin de ligne {fin:?}");
        }
    }

    /// `max` data lines are read (empty ones not counted); one more is refused with E023
    /// at that line. The real limit is 1 000 000.
    #[test]
    fn plafond_de_lignes() {
        assert_eq!(LIGNES_MAX, 1_000_000);
        let mut t = String::from("id\n");
        t.push_str(&"a\n\n".repeat(1000));
        let mut d = Diagnostics::default();
        let tab = lire_max("f.csv", &t, &["id"], &["id"], &mut d, 1000).unwrap();
        assert_eq!(tab.lignes.len(), 1000);
        assert!(d.0.is_empty());
        t.push_str("b\n");
        assert!(lire_max("f.csv", &t, &["id"], &["id"], &mut d, 1000).is_none());
        assert_eq!(d.0.len(), 1);
        assert_eq!(
            d.0[0].to_string(),
            "erreur E023 : f.csv, ligne 2002 : trop de lignes : plus de 1 000 lignes de données (conseil : un dossier décrit une seule convention : découpez le fichier)"
        );
    }
}

#[cfg(test)]
mod tests_v2 {
    use super::*;

    fn lire_t(t: &str) -> (Option<Tableau>, Vec<String>) {
        let mut d = Diagnostics::default();
        let tab = lire(
            "f.csv",
            t,
            &["id", "nom", "montant"],
            &["id", "montant"],
            &mut d,
        );
        (tab, d.0.iter().map(|x| x.to_string()).collect())
    }

    #[test]
    fn texte_libre_sur_plusieurs_lignes_accepte() {
        let (tab, d) = lire_t("id;nom;montant\na;\"Crèche\nde la gare\";1\n\nb;x;2\n");
        assert!(d.is_empty(), "{d:?}");
        let tab = tab.unwrap();
        let l: Vec<_> = tab.lignes.iter().collect();
        assert_eq!(tab.champ(l[0].1, "nom"), Some("Crèche\nde la gare"));
        // the second record starts on line 5 (the quoted cell spans lines 2 and 3)
        assert_eq!(*l[1].0, 5);
    }

    #[test]
    fn lignes_vides_quel_que_soit_le_nombre_de_separateurs() {
        let (tab, d) = lire_t("id;nom;montant\n;;;;;;\n  ;\u{a0};\na;x;1\n");
        assert!(d.is_empty(), "{d:?}");
        assert_eq!(tab.unwrap().lignes.len(), 1);
    }

    #[test]
    fn refus_localises() {
        // a non-blank field beyond the header: not an empty line
        let (tab, d) = lire_t("id;nom;montant\n;;;x\n");
        assert!(tab.is_none());
        assert_eq!(d, ["erreur E051 : f.csv, ligne 2 : ligne de 4 champs alors que l'en-tête en a 3 : champs en trop (conseil : un séparateur est en trop (une virgule dans un nom ? mettez-le entre guillemets) : chaque ligne a autant de champs que l'en-tête)"]);
        // a quoted number spanning lines, reported where it opens
        let (_, d) = lire_t("id;nom;montant\na;x;\"1\nb;y;2\"\n");
        assert!(
            d[0].starts_with("erreur E052 : f.csv, ligne 2, colonne « montant »"),
            "{d:?}"
        );
        // text after a closing quote
        let (_, d) = lire_t("id;nom;montant\na;\"x\"y;1\n");
        assert!(d[0].starts_with("erreur E052 : f.csv, ligne 2, colonne « nom », valeur « xy » : texte après le guillemet fermant"), "{d:?}");
        // a quote never closed, reported at its line (not the last record's)
        let (_, d) = lire_t("id;nom;montant\na;x;1\nb;\"y;2\nc;z;3\n");
        assert!(d[0].starts_with("erreur E024 : f.csv, ligne 3 :"), "{d:?}");
        // a free-text cell holding a whole record's worth of delimiters
        let (_, d) = lire_t("id;nom;montant\na;\"x;1\nb;\"y;2\n");
        assert!(
            d[0].starts_with("erreur E052 : f.csv, ligne 2, colonne « nom »"),
            "{d:?}"
        );
    }

    #[test]
    fn entete_alias_et_ressemblances() {
        let c = ["id", "contribution_collectivite_n1", "unites_existantes"];
        let ok = |n: &str| colonne_de(n, &c);
        assert_eq!(
            ok("contribution_collectivite_n_1"),
            Some("contribution_collectivite_n1")
        );
        assert_eq!(ok("identifiant"), Some("id"));
        assert_eq!(ok("bonus_n_1"), None); // not a column of this table
        assert_eq!(
            colonne_ressemblante("unites_existante", &c),
            Some("unites_existantes")
        );
        assert_eq!(
            colonne_ressemblante("places", &c),
            Some("unites_existantes")
        );
        assert_eq!(
            colonne_ressemblante("contribution_n_1", &c),
            Some("contribution_collectivite_n1")
        );
        // short names: one letter at most
        assert_eq!(colonne_ressemblante("ix", &c), Some("id"));
        assert_eq!(colonne_ressemblante("no", &c), None);
        assert_eq!(colonne_ressemblante("observation", &c), None);
    }
}
