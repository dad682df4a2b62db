//! `bonus-ctg verifier DOSSIER --notification F`: checks the per-structure amounts the Caf
//! notified against the calculation, line by line, and says why a figure differs.
//!
//! 1. Reading: `F` is CSV (same reading rules as the dossier) or a spreadsheet (XLSX, XLS,
//!    ODS: first sheet), with columns `id` or `nom`, and `montant`.
//! 2. Matching: each line by `id` (exact, then case-insensitive), else by normalised name
//!    (case, accents, punctuation ignored); ambiguous, unmatched and duplicate lines are
//!    reported; eligible structures with a bonus but no line are reported as absent.
//! 3. Diagnosis of each difference (docs/regles.md, R30): the notified amount is compared
//!    with what the calculation gives under alternative hypotheses — eligibility, rounding,
//!    a different rate for the whole (collectivité, volet) group (different N-1 envelope,
//!    or different unit count of one structure re-spread over the group), then, for the
//!    structure alone, other unit counts, employer units, months, new units, tranche.
//!
//! Exit code ([`CODE_ECARTS`] = 3) when anything differs; 0 when all lines match to the cent.

use crate::calcul::eligibilite::Motif;
use crate::calcul::rationnel::{format_echelle, Depassement, Rationnel, R};
use crate::calcul::{decimal_en_rationnel, GroupeVolet, LigneStructure, Resultat};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::lecture::{nombres, tableau, texte};
use crate::modele::{Dossier, Montant};
use crate::rapport::{groupe_fr, montant_fr, texte_sur, Profil};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Exit code when the notification differs from the calculation (documented in the CLI help).
pub const CODE_ECARTS: i32 = 3;

pub const SCHEMA: &str = "bonus-ctg.verification.v1";

/// One line of the notification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LigneNotification {
    /// Line (CSV) or row (spreadsheet) number, 1-based.
    pub ligne: u64,
    pub id: Option<String>,
    pub nom: Option<String>,
    pub montant: Montant,
}

impl LigneNotification {
    /// What the line says, for messages.
    pub fn libelle(&self) -> String {
        match (&self.id, &self.nom) {
            (Some(i), Some(n)) => format!("{i} « {n} »"),
            (Some(i), None) => i.clone(),
            (None, Some(n)) => format!("« {n} »"),
            (None, None) => String::new(),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Reading

const COLONNES: &[&str] = &["id", "nom", "montant"];

/// Parses an amount written as text (same rules as the dossier's CSV files).
fn montant_texte(brut: &str) -> Result<Montant, String> {
    let d = nombres::analyser_decimal(brut)?;
    let c = nombres::en_centiemes(d)?;
    if c < 0 {
        return Err("montant négatif".into());
    }
    Ok(Montant(c))
}

/// An amount read from a spreadsheet number (the edge where an `f64` becomes cents): it must
/// be a whole number of cents, up to the spreadsheet's own binary representation.
fn montant_flottant(v: f64) -> Result<Montant, String> {
    if !v.is_finite() {
        return Err("nombre invalide".into());
    }
    let c = (v * 100.0).round();
    if c.abs() >= 9.0e15 {
        return Err("nombre trop grand".into());
    }
    if (v * 100.0 - c).abs() > 1e-6 * c.abs().max(1.0) {
        return Err("plus de 2 décimales".into());
    }
    if c < 0.0 {
        return Err("montant négatif".into());
    }
    Ok(Montant(c as i64))
}

fn erreur_montant(fichier: &str, ligne: u64, brut: &str, raison: &str) -> Diagnostic {
    Diagnostic::erreur("E042", fichier, format!("montant invalide : {raison}"))
        .ligne(ligne)
        .colonne("montant")
        .valeur(brut)
        .conseil("écrivez le montant notifié en euros, par exemple 12 345,67")
}

fn verifier_colonnes(fichier: &str, ligne: u64, noms: &[String], diags: &mut Diagnostics) -> bool {
    if !noms.iter().any(|n| n == "id" || n == "nom") {
        diags.push(
            Diagnostic::erreur(
                "E041",
                fichier,
                "il faut une colonne « id » ou une colonne « nom » pour identifier les structures",
            )
            .ligne(ligne)
            .conseil("colonnes attendues : id ou nom, et montant"),
        );
        return false;
    }
    true
}

fn ligne_sans_cle(fichier: &str, ligne: u64) -> Diagnostic {
    Diagnostic::erreur(
        "E043",
        fichier,
        "ligne sans id ni nom : impossible de la rapprocher",
    )
    .ligne(ligne)
    .conseil("renseignez l'id ou le nom de la structure")
}

/// Parses a CSV notification (pure).
pub fn analyser_csv(fichier: &str, texte: &str, diags: &mut Diagnostics) -> Vec<LigneNotification> {
    let Some(tab) = tableau::lire(fichier, texte, COLONNES, &["montant"], diags) else {
        return Vec::new();
    };
    // header names (the table keeps its column map private)
    let entete: Vec<String> = texte
        .lines()
        .position(|l| !l.trim().is_empty())
        .and_then(|i| texte.lines().nth(i).map(|l| (i, l)))
        .map(|(_, l)| {
            let mut r = csv::ReaderBuilder::new()
                .delimiter(tab.delimiteur)
                .has_headers(false)
                .from_reader(l.as_bytes());
            r.records()
                .next()
                .and_then(Result::ok)
                .map(|rec| rec.iter().map(tableau::normaliser_nom).collect())
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let premiere = texte
        .lines()
        .position(|l| !l.trim().is_empty())
        .unwrap_or(0) as u64
        + 1;
    if !verifier_colonnes(fichier, premiere, &entete, diags) {
        return Vec::new();
    }
    let mut r = Vec::new();
    for (no, enr) in &tab.lignes {
        let id = tab.champ(enr, "id").map(str::to_string);
        let nom = tab.champ(enr, "nom").map(str::to_string);
        if id.is_none() && nom.is_none() {
            diags.push(ligne_sans_cle(fichier, *no));
            continue;
        }
        let Some(brut) = tab.champ(enr, "montant") else {
            diags.push(
                Diagnostic::erreur("E006", fichier, "valeur obligatoire manquante")
                    .ligne(*no)
                    .colonne("montant")
                    .conseil("renseignez le montant notifié"),
            );
            continue;
        };
        match montant_texte(brut) {
            Ok(m) => r.push(LigneNotification {
                ligne: *no,
                id,
                nom,
                montant: m,
            }),
            Err(e) => diags.push(erreur_montant(fichier, *no, brut, &e)),
        }
    }
    r
}

/// Text of a spreadsheet cell (ids and names).
fn texte_cellule(c: &calamine::Data) -> Option<String> {
    use calamine::Data;
    let s = match c {
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => d.to_string(),
        Data::Error(_) | Data::Empty => String::new(),
    };
    (!s.is_empty()).then_some(s)
}

/// Parses a spreadsheet notification (first sheet; pure: bytes in).
pub fn analyser_tableur(
    fichier: &str,
    octets: &[u8],
    diags: &mut Diagnostics,
) -> Vec<LigneNotification> {
    use calamine::{Data, Reader};
    let mut classeur = match calamine::open_workbook_auto_from_rs(std::io::Cursor::new(octets)) {
        Ok(c) => c,
        Err(e) => {
            diags.push(
                Diagnostic::erreur("E040", fichier, format!("classeur illisible : {e}"))
                    .conseil("enregistrez la notification en XLSX ou en CSV UTF-8"),
            );
            return Vec::new();
        }
    };
    let Some(feuille) = classeur.sheet_names().first().cloned() else {
        diags.push(Diagnostic::erreur("E040", fichier, "classeur sans feuille"));
        return Vec::new();
    };
    let plage = match classeur.worksheet_range(&feuille) {
        Ok(p) => p,
        Err(e) => {
            diags.push(Diagnostic::erreur(
                "E040",
                fichier,
                format!("feuille « {feuille} » illisible : {e}"),
            ));
            return Vec::new();
        }
    };
    let nom_f = format!("{fichier} (feuille « {feuille} »)");
    let depart = plage.start().map_or(0, |(l, _)| l as u64);
    let mut lignes = plage
        .rows()
        .enumerate()
        .map(|(i, l)| (depart + i as u64 + 1, l))
        .filter(|(_, l)| l.iter().any(|c| texte_cellule(c).is_some()));
    let Some((no_entete, entete)) = lignes.next() else {
        diags.push(
            Diagnostic::erreur("E005", &nom_f, "feuille vide : aucune ligne d'en-tête")
                .conseil("la première ligne doit nommer les colonnes : id ou nom, montant"),
        );
        return Vec::new();
    };
    let noms: Vec<String> = entete
        .iter()
        .map(|c| texte_cellule(c).map_or(String::new(), |s| tableau::normaliser_nom(&s)))
        .collect();
    let col = |n: &str| noms.iter().position(|x| x == n);
    let Some(c_montant) = col("montant") else {
        diags.push(
            Diagnostic::erreur("E004", &nom_f, "colonne obligatoire « montant » absente")
                .ligne(no_entete)
                .colonne("montant")
                .conseil("colonnes attendues : id ou nom, et montant"),
        );
        return Vec::new();
    };
    if !verifier_colonnes(&nom_f, no_entete, &noms, diags) {
        return Vec::new();
    }
    let (c_id, c_nom) = (col("id"), col("nom"));
    let mut r = Vec::new();
    for (no, l) in lignes {
        let cell = |c: Option<usize>| c.and_then(|c| l.get(c)).and_then(texte_cellule);
        let (id, nom) = (cell(c_id), cell(c_nom));
        if id.is_none() && nom.is_none() {
            diags.push(ligne_sans_cle(&nom_f, no));
            continue;
        }
        let m = match l.get(c_montant) {
            Some(Data::Float(f)) => montant_flottant(*f).map_err(|e| (f.to_string(), e)),
            Some(Data::Int(i)) => i
                .checked_mul(100)
                .filter(|c| *c >= 0)
                .map(Montant)
                .ok_or_else(|| (i.to_string(), "montant invalide".to_string())),
            Some(Data::String(s)) => montant_texte(s).map_err(|e| (s.clone(), e)),
            Some(Data::Empty) | None => Err((String::new(), "valeur obligatoire manquante".into())),
            Some(autre) => Err((
                texte_cellule(autre).unwrap_or_default(),
                "cellule qui n'est pas un nombre".into(),
            )),
        };
        match m {
            Ok(montant) => r.push(LigneNotification {
                ligne: no,
                id,
                nom,
                montant,
            }),
            Err((brut, e)) => diags.push(erreur_montant(&nom_f, no, &brut, &e)),
        }
    }
    r
}

/// Reads a notification file: spreadsheet when its bytes say so (zip or OLE container),
/// CSV otherwise. `None` when it has errors (in `diags`).
pub fn lire_notification(
    chemin: &Path,
    encodage: texte::Encodage,
    diags: &mut Diagnostics,
) -> Option<Vec<LigneNotification>> {
    let nom = chemin.display().to_string();
    let octets = match std::fs::read(chemin) {
        Ok(o) => o,
        Err(e) => {
            diags.push(Diagnostic::erreur(
                if e.kind() == std::io::ErrorKind::NotFound {
                    "E001"
                } else {
                    "E002"
                },
                &nom,
                format!("notification illisible : {e}"),
            ));
            return None;
        }
    };
    let avant = diags.erreurs().count();
    let lignes = if octets.starts_with(b"PK\x03\x04") || octets.starts_with(b"\xD0\xCF\x11\xE0") {
        analyser_tableur(&nom, &octets, diags)
    } else {
        match texte::decoder(&octets, encodage) {
            Ok(d) => {
                if d.repli_windows1252 {
                    diags.push(Diagnostic::avertissement(
                        "W004",
                        &nom,
                        "octets non UTF-8 : fichier lu en Windows-1252",
                    ));
                }
                analyser_csv(&nom, &d.texte, diags)
            }
            Err(m) => {
                diags.push(Diagnostic::erreur(
                    "E003",
                    &nom,
                    format!("encodage illisible : {m}"),
                ));
                return None;
            }
        }
    };
    (diags.erreurs().count() == avant).then_some(lignes)
}

// ---------------------------------------------------------------------------------------
// Matching

/// Name normalisation for matching: lower case, accents and ligatures folded, every run of
/// non-alphanumeric characters (apostrophes, dashes, punctuation) as one space.
pub fn normaliser_libelle(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut espace = true;
    for c in s.chars().flat_map(char::to_lowercase) {
        let plie: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_alphanumeric() => {
                o.push(c);
                espace = false;
                continue;
            }
            _ => {
                if !espace {
                    o.push(' ');
                    espace = true;
                }
                continue;
            }
        };
        o.push_str(plie);
        espace = false;
    }
    o.trim_end().to_string()
}

enum Correspondance {
    Trouvee(usize),
    Ambigue(Vec<usize>),
    Introuvable(Option<usize>),
}

fn rapprocher(r: &Resultat, l: &LigneNotification) -> Correspondance {
    let st = &r.structures;
    if let Some(id) = &l.id {
        if let Some(i) = st.iter().position(|x| x.structure.id == *id) {
            return Correspondance::Trouvee(i);
        }
        let v: Vec<usize> = (0..st.len())
            .filter(|&i| st[i].structure.id.to_lowercase() == id.to_lowercase())
            .collect();
        if v.len() == 1 {
            return Correspondance::Trouvee(v[0]);
        }
    }
    let cle = l.nom.as_deref().or(l.id.as_deref()).unwrap_or("");
    let n = normaliser_libelle(cle);
    let v: Vec<usize> = (0..st.len())
        .filter(|&i| normaliser_libelle(&st[i].structure.nom) == n)
        .collect();
    match v.len() {
        1 => Correspondance::Trouvee(v[0]),
        0 if st
            .iter()
            .filter(|x| x.structure.id.to_lowercase() == cle.trim().to_lowercase())
            .count()
            == 1 =>
        {
            // an id written in the name column
            st.iter()
                .position(|x| x.structure.id.to_lowercase() == cle.trim().to_lowercase())
                .map_or(Correspondance::Introuvable(None), Correspondance::Trouvee)
        }
        0 => {
            // closest name or id, as a suggestion only
            let mut meilleur: Option<(f64, usize)> = None;
            for (i, x) in st.iter().enumerate() {
                for cand in [&x.structure.nom, &x.structure.id] {
                    let s = strsim::normalized_levenshtein(&n, &normaliser_libelle(cand));
                    if s >= 0.6 && meilleur.is_none_or(|(m, _)| s > m) {
                        meilleur = Some((s, i));
                    }
                }
            }
            Correspondance::Introuvable(meilleur.map(|(_, i)| i))
        }
        _ => Correspondance::Ambigue(v),
    }
}

// ---------------------------------------------------------------------------------------
// Result

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Statut {
    /// Notified = recomputed, to the cent.
    Concorde,
    /// Notified ≠ recomputed.
    Ecart,
    /// Eligible structure with a bonus, but no line in the notification.
    Absente,
    /// Line matching no structure.
    Introuvable,
    /// Line matching several structures.
    Ambigue,
    /// Second line for a structure already matched.
    Doublon,
}

impl Statut {
    pub fn libelle(&self) -> &'static str {
        match self {
            Statut::Concorde => "concorde",
            Statut::Ecart => "écart",
            Statut::Absente => "absente de la notification",
            Statut::Introuvable => "ligne non rapprochée",
            Statut::Ambigue => "ligne ambiguë",
            Statut::Doublon => "ligne en double",
        }
    }
}

/// The most likely cause of a difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cause {
    /// `ELIGIBILITE`, `ARRONDI`, `ENVELOPPE_N1`, `TAUX_GROUPE`, `UNITES`, `UNITES_EMPLOYEURS`,
    /// `MOIS_OUVERTURE`, `UNITES_NOUVELLES`, `TRANCHE`, `ABSENTE`, `INDETERMINEE`.
    pub code: &'static str,
    /// Short French label.
    pub libelle: &'static str,
    /// Full explanation with the figures.
    pub explication: String,
    /// Other hypotheses that also reproduce the notified amount.
    pub autres: Vec<String>,
}

fn cause(code: &'static str, explication: String) -> Cause {
    let libelle = match code {
        "ELIGIBILITE" => "éligibilité",
        "ARRONDI" => "arrondi",
        "ENVELOPPE_N1" => "enveloppe N-1 différente",
        "TAUX_GROUPE" => "taux du groupe différent",
        "UNITES" => "nombre d'unités différent",
        "UNITES_EMPLOYEURS" => "places employeurs non déduites",
        "MOIS_OUVERTURE" => "mois d'ouverture différents",
        "UNITES_NOUVELLES" => "places nouvelles différentes",
        "TRANCHE" => "tranche différente",
        "ABSENTE" => "absente de la notification",
        _ => "cause indéterminée",
    };
    Cause {
        code,
        libelle,
        explication,
        autres: Vec::new(),
    }
}

/// One line of the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LigneVerifiee {
    /// Line in the notification (`None` for an absent structure).
    pub ligne: Option<u64>,
    /// What the notification line says (id and/or name).
    pub libelle: String,
    /// Matched structure.
    pub id: Option<String>,
    pub nom: Option<String>,
    pub notifie: Option<Montant>,
    pub recalcule: Option<Montant>,
    /// notified − recomputed.
    pub ecart: Option<Montant>,
    pub statut: Statut,
    pub cause: Option<Cause>,
    /// Ambiguous: the candidate ids; unmatched: the closest structure (suggestion).
    pub candidats: Vec<String>,
}

/// The whole check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub fichier: String,
    pub exercice: i32,
    pub convention: String,
    pub lignes: Vec<LigneVerifiee>,
    /// Σ of the notification's lines.
    pub total_notifie: Montant,
    /// Σ of the recomputed bonus of every structure.
    pub total_recalcule: Montant,
}

impl Verification {
    /// Everything matches to the cent (exit code 0).
    pub fn concorde(&self) -> bool {
        self.lignes.iter().all(|l| l.statut == Statut::Concorde)
    }
    pub fn nombre(&self, s: Statut) -> usize {
        self.lignes.iter().filter(|l| l.statut == s).count()
    }
}

// ---------------------------------------------------------------------------------------
// Diagnosis

fn rat(m: Montant) -> Rationnel {
    Rationnel::entier(m.0 as i128)
}

/// Smallest integer ≥ r.
fn plafond(r: &Rationnel) -> i128 {
    -(Rationnel::entier(0).sub(*r).map_or(0, |x| x.plancher()))
}

/// `pred` (exact cents) rounds to `n` in some way: `⌊pred⌋ ≤ n ≤ ⌈pred⌉`.
fn arrondit_a(pred: &Rationnel, n: Montant) -> bool {
    let n = n.0 as i128;
    pred.plancher() <= n && n <= plafond(pred)
}

/// Exact cents rational in euros: `12 345,67 €` (2 decimals, half away from zero).
fn fr_r(r: &Rationnel) -> R<String> {
    Ok(format!("{} €", groupe_fr(&crate::rapport::euros(r, 2)?)))
}

/// A rate (cents per unit) in euros with 2 decimals.
fn taux_fr(r: &Rationnel) -> R<String> {
    fr_r(r)
}

/// Hundredths of units: `60`, `1,5`.
fn unites_fr(h: i128) -> String {
    let s = format_echelle(h, 2);
    let s = s.trim_end_matches('0').trim_end_matches('.');
    groupe_fr(s)
}

/// A "round" value in `[lo, hi]` (hundredths): whole units first, then halves, then tenths;
/// the one closest to the middle.
fn valeur_ronde(lo: &Rationnel, hi: &Rationnel) -> R<Option<i128>> {
    if hi < lo {
        return Ok(None);
    }
    let milieu = lo.add(*hi)?.mul(Rationnel::new(1, 2)?)?;
    for pas in [100i128, 50, 10] {
        let p = Rationnel::entier(pas);
        let kmin = plafond(&lo.div(p)?);
        let kmax = hi.div(p)?.plancher();
        if kmin <= kmax {
            let k = milieu.div(p)?.arrondi_demi_haut().clamp(kmin, kmax);
            return Ok(Some(k * pas));
        }
    }
    Ok(None)
}

/// Notified-rate analysis of one (collectivité, volet) group.
#[derive(Debug, Clone)]
enum Histoire {
    /// The group's notified amounts agree with our rate (or cannot tell).
    Conforme,
    /// A different rate `[lo, hi]` (cents per unit, effective) for the structures in
    /// `coherentes`, explained by one structure's unit count re-spread over the group.
    Unites {
        lo: Rationnel,
        hi: Rationnel,
        coherentes: Vec<usize>,
        structure: usize,
        u_prime: i128,
        total_prime: i128,
    },
    /// A different rate explained by a different envelope `A'` in `[a_lo, a_hi]` (cents).
    Enveloppe {
        lo: Rationnel,
        hi: Rationnel,
        coherentes: Vec<usize>,
        a_lo: Rationnel,
        a_hi: Rationnel,
        u_lo: Rationnel,
        u_hi: Rationnel,
    },
}

struct Contexte<'a> {
    r: &'a Resultat,
    d: &'a Dossier,
    /// index of structure → notified amount (first matching line)
    notifies: BTreeMap<usize, Montant>,
    histoires: BTreeMap<(String, String), Histoire>,
}

fn u_h(l: &LigneStructure) -> i128 {
    l.unites_eligibles.0 as i128
}
fn mo(l: &LigneStructure) -> i128 {
    l.structure.mois_ouverture as i128
}
fn exacte_lissage(l: &LigneStructure) -> Rationnel {
    l.lissage.as_ref().map_or(Rationnel::ZERO, |a| a.exacte)
}
fn exacte_nouvelles(l: &LigneStructure) -> Rationnel {
    l.nouvelles.as_ref().map_or(Rationnel::ZERO, |a| a.exacte)
}

/// Rate interval (cents per unit) that reproduces `n` within a cent, given the structure's
/// own new-unit share.
fn intervalle_taux(l: &LigneStructure, n: Montant) -> R<(Rationnel, Rationnel)> {
    let k = Rationnel::new(1200, u_h(l) * mo(l))?;
    let base = rat(n).sub(exacte_nouvelles(l))?;
    let lo = base.sub(Rationnel::UN)?.mul(k)?;
    let hi = base.add(Rationnel::UN)?.mul(k)?;
    Ok((lo, hi))
}

fn analyser_groupe(ctx: &Contexte, g: &GroupeVolet) -> R<Histoire> {
    let Some(m_eff) = g.taux_effectif else {
        return Ok(Histoire::Conforme);
    };
    let membres: Vec<usize> = ctx
        .notifies
        .keys()
        .copied()
        .filter(|&i| {
            let l = &ctx.r.structures[i];
            l.motif() == Motif::Eligible
                && l.structure.collectivite == g.collectivite
                && l.eligibilite.volet.as_deref() == Some(g.volet.as_str())
                && u_h(l) > 0
                && mo(l) > 0
        })
        .collect();
    let mut iv = Vec::with_capacity(membres.len());
    for &i in &membres {
        iv.push(intervalle_taux(&ctx.r.structures[i], ctx.notifies[&i])?);
    }
    let contient = |p: &Rationnel| iv.iter().filter(|(lo, hi)| lo <= p && p <= hi).count();
    let c0 = contient(&m_eff);
    let mut meilleur: Option<(usize, Rationnel)> = None;
    for (lo, _) in &iv {
        let c = contient(lo);
        if meilleur.is_none_or(|(m, _)| c > m) {
            meilleur = Some((c, *lo));
        }
    }
    let Some((c_max, p)) = meilleur else {
        return Ok(Histoire::Conforme);
    };
    // a group rate needs at least two structures and half of the group's eligible ones
    // (a partial notification of a few structures says nothing about the whole group)
    let eligibles = ctx
        .r
        .structures
        .iter()
        .filter(|l| {
            l.motif() == Motif::Eligible
                && l.structure.collectivite == g.collectivite
                && l.eligibilite.volet.as_deref() == Some(g.volet.as_str())
                && u_h(l) > 0
                && mo(l) > 0
        })
        .count();
    if c_max < 2 || c_max <= c0 || 2 * c_max < eligibles {
        return Ok(Histoire::Conforme);
    }
    let mut coherentes = Vec::new();
    let (mut lo, mut hi) = (p, p);
    let mut premier = true;
    for (k, (a, b)) in iv.iter().enumerate() {
        if *a <= p && p <= *b {
            coherentes.push(membres[k]);
            if premier {
                lo = *a;
                hi = *b;
                premier = false;
            } else {
                lo = lo.max(*a);
                hi = if *b < hi { *b } else { hi };
            }
        }
    }
    // base rate (before revaluation); the envelope is inferable only above the floor
    let reval = Rationnel::UN.add(decimal_en_rationnel(g.revalorisation)?)?;
    let (lo_b, hi_b) = (lo.div(reval)?, hi.div(reval)?);
    let plancher = Rationnel::entier(g.plancher.0 as i128);
    if lo_b <= Rationnel::ZERO || lo_b < plancher {
        return Ok(Histoire::Conforme);
    }
    let a = Rationnel::entier(g.charge_n1.0 as i128);
    let cent = Rationnel::entier(100);
    // U' = A × 100 / m (hundredths)
    let u_lo = a.mul(cent)?.div(hi_b)?;
    let u_hi = a.mul(cent)?.div(lo_b)?;
    let total = g.unites.0 as i128;
    // outliers: a unit count at the notified rate that explains U'
    let mut explications = Vec::new();
    for &j in membres.iter().filter(|j| !coherentes.contains(j)) {
        let l = &ctx.r.structures[j];
        let n = ctx.notifies[&j];
        if n == l.bonus_total {
            continue;
        }
        let base = rat(n).sub(exacte_nouvelles(l))?;
        let f = Rationnel::entier(1200).div(Rationnel::entier(mo(l)))?;
        let ulo = base.sub(Rationnel::UN)?.mul(f)?.div(hi)?;
        let uhi = base.add(Rationnel::UN)?.mul(f)?.div(lo)?;
        if let Some(up) = valeur_ronde(&ulo, &uhi)? {
            let tp = Rationnel::entier(total - u_h(l) + up);
            if up != u_h(l) && u_lo <= tp && tp <= u_hi {
                explications.push((j, up, total - u_h(l) + up));
            }
        }
    }
    if explications.len() == 1 {
        let (structure, u_prime, total_prime) = explications[0];
        return Ok(Histoire::Unites {
            lo,
            hi,
            coherentes,
            structure,
            u_prime,
            total_prime,
        });
    }
    Ok(Histoire::Enveloppe {
        lo,
        hi,
        coherentes,
        a_lo: lo_b.mul(Rationnel::entier(total))?.div(cent)?,
        a_hi: hi_b.mul(Rationnel::entier(total))?.div(cent)?,
        u_lo,
        u_hi,
    })
}

fn milieu(a: &Rationnel, b: &Rationnel) -> R<Rationnel> {
    a.add(*b)?.mul(Rationnel::new(1, 2)?)
}

/// Explains the envelope `A'`: a charge line missing or counted twice.
fn explique_enveloppe(
    ctx: &Contexte,
    g: &GroupeVolet,
    a_lo: &Rationnel,
    a_hi: &Rationnel,
) -> R<String> {
    let a = g.charge_n1;
    let mut o = String::new();
    for c in ctx
        .d
        .charges
        .iter()
        .filter(|c| c.collectivite == g.collectivite && c.volet == g.volet)
    {
        for (signe, texte) in [(-1i64, "absente"), (1, "comptée deux fois")] {
            let v = rat(Montant(a.0 + signe * c.montant.0));
            if *a_lo <= v && v <= *a_hi {
                o = format!(
                    " ; l'écart correspond à la ligne {} de charges_n1.csv « {} » ({}), qui semble {texte} côté Caf",
                    c.ligne,
                    c.libelle,
                    montant_fr(c.montant)
                );
            }
        }
    }
    Ok(o)
}

/// Alternative hypotheses for one structure alone, at rate `taux` (cents per unit).
fn hypotheses_structure(
    ctx: &Contexte,
    l: &LigneStructure,
    g: &GroupeVolet,
    n: Montant,
    taux: Rationnel,
) -> R<Vec<Cause>> {
    let s = &l.structure;
    let mut v = Vec::new();
    let (u, m) = (u_h(l), mo(l));
    let t = exacte_nouvelles(l);
    let el = exacte_lissage(l);
    // pred(u', mo') = taux × u' × mo' / 1200 + t × mo' / mo
    let pred = |up: i128, mop: i128| -> R<Rationnel> {
        let lis = taux.mul(Rationnel::new(up * mop, 1200)?)?;
        let nv = if m > 0 {
            t.mul(Rationnel::new(mop, m)?)?
        } else {
            Rationnel::ZERO
        };
        lis.add(nv)
    };
    let seul = g.structures_eligibles == 1;
    // employer units not deducted
    if s.unites_employeurs.0 > 0 && m > 0 {
        let up = s.unites_existantes.0 as i128;
        if arrondit_a(&pred(up, m)?, n) {
            v.push(cause(
                "UNITES_EMPLOYEURS",
                format!(
                    "le montant notifié correspond à {} unités au taux de {} par unité : les {} places réservées aux employeurs ne semblent pas déduites (nous retenons {} − {} = {})",
                    unites_fr(up),
                    taux_fr(&taux)?,
                    unites_fr(s.unites_employeurs.0 as i128),
                    unites_fr(up),
                    unites_fr(s.unites_employeurs.0 as i128),
                    unites_fr(u)
                ),
            ));
        }
    }
    // new units counted as existing ones
    if s.unites_nouvelles.0 > 0 && m > 0 {
        let up = u + s.unites_nouvelles.0 as i128;
        if arrondit_a(&taux.mul(Rationnel::new(up * m, 1200)?)?, n) {
            v.push(cause(
                "UNITES_NOUVELLES",
                format!(
                    "le montant notifié correspond à un lissage sur {} unités sans forfait : les {} places nouvelles semblent comptées comme existantes",
                    unites_fr(up),
                    unites_fr(s.unites_nouvelles.0 as i128)
                ),
            ));
        }
    }
    let mois = |mop: i128| -> R<Option<Cause>> {
        Ok(arrondit_a(&pred(u, mop)?, n).then(|| {
            cause(
                "MOIS_OUVERTURE",
                format!(
                    "le montant notifié correspond à {mop} mois d'ouverture au lieu de {m} (même taux, mêmes unités)"
                ),
            )
        }))
    };
    if m < 12 {
        if let Some(c) = mois(12)? {
            v.push(c);
        }
    }
    // a single-structure group gets A × mo / 12 whatever its unit count: only the envelope
    if seul && m > 0 && u > 0 {
        let reval = Rationnel::UN.add(decimal_en_rationnel(g.revalorisation)?)?;
        let a_prime = rat(n).sub(t)?.mul(Rationnel::new(12, m)?)?.div(reval)?;
        if a_prime != Rationnel::entier(g.charge_n1.0 as i128)
            && Rationnel::entier(g.plancher.0 as i128) <= taux
        {
            v.push(cause(
                "ENVELOPPE_N1",
                format!(
                    "seule structure éligible du groupe ({}, {}) : elle reçoit toute la charge N-1 au prorata de ses mois d'ouverture, quel que soit son nombre d'unités ; le montant notifié correspond à une charge N-1 d'environ {} au lieu de {}",
                    g.collectivite,
                    g.volet,
                    fr_r(&a_prime)?,
                    montant_fr(g.charge_n1)
                ),
            ));
        }
    } else if m > 0 && taux > Rationnel::ZERO {
        // another unit count at this rate
        let f = Rationnel::new(1200, m)?.div(taux)?;
        let base = rat(n).sub(t)?;
        let lo = base.sub(Rationnel::UN)?.mul(f)?;
        let hi = base.add(Rationnel::UN)?.mul(f)?;
        if let Some(up) = valeur_ronde(&lo, &hi)? {
            // (existing units without the employer deduction: already said above)
            let deja = s.unites_employeurs.0 > 0 && up == s.unites_existantes.0 as i128;
            if up != u && up >= 0 && !deja {
                v.push(cause(
                    "UNITES",
                    format!(
                        "le montant notifié correspond à {} unités au taux de {} par unité, au lieu de {} ({} du groupe)",
                        unites_fr(up),
                        taux_fr(&taux)?,
                        unites_fr(u),
                        if taux == g.taux_effectif.unwrap_or(Rationnel::ZERO) { "taux calculé" } else { "taux notifié" }
                    ),
                ));
            }
        }
    }
    for mop in (1..12).rev() {
        if mop != m {
            if let Some(c) = mois(mop)? {
                v.push(c);
            }
        }
    }
    // new units: another tranche, another count
    let nh = s.unites_nouvelles.0 as i128;
    if nh > 0 && m > 0 {
        let volet = ctx.r.bareme.volets.get(&g.volet).ok_or(Depassement)?;
        let facteur = g.facteur_plafond.unwrap_or(Rationnel::UN);
        let tranche = ctx
            .r
            .convention
            .collectivite(&s.collectivite)
            .and_then(|c| c.tranche)
            .unwrap_or(0);
        for (k, f) in volet.forfaits_nouvelles.valeur.iter().enumerate() {
            if *f == l.forfait {
                continue;
            }
            let tn = Rationnel::entier(f.0 as i128)
                .mul(Rationnel::new(nh * m, 1200)?)?
                .mul(facteur)?;
            if arrondit_a(&el.add(tn)?, n) {
                v.push(cause(
                    "TRANCHE",
                    format!(
                        "le montant notifié correspond au forfait de la tranche {} ({} par place nouvelle) au lieu de la tranche {tranche} ({})",
                        k + 1,
                        montant_fr(*f),
                        montant_fr(l.forfait)
                    ),
                ));
            }
        }
    }
    if l.forfait.0 > 0 && m > 0 {
        let facteur = g.facteur_plafond.unwrap_or(Rationnel::UN);
        let par_unite = Rationnel::entier(l.forfait.0 as i128)
            .mul(Rationnel::new(m, 1200)?)?
            .mul(facteur)?;
        let base = rat(n).sub(el)?;
        let lo = base.sub(Rationnel::UN)?.div(par_unite)?;
        let hi = base.add(Rationnel::UN)?.div(par_unite)?;
        if let Some(np) = valeur_ronde(&lo, &hi)? {
            if np != nh && np >= 0 {
                v.push(cause(
                    "UNITES_NOUVELLES",
                    format!(
                        "le montant notifié correspond à {} places nouvelles au forfait de {} au lieu de {}",
                        unites_fr(np),
                        montant_fr(l.forfait),
                        unites_fr(nh)
                    ),
                ));
            }
        }
    }
    Ok(v)
}

fn diagnostiquer(ctx: &Contexte, i: usize, n: Montant) -> R<Cause> {
    let l = &ctx.r.structures[i];
    let s = &l.structure;
    let b = l.bonus_total;
    if l.motif() != Motif::Eligible {
        let detail = l
            .eligibilite
            .verifications
            .iter()
            .find(|v| !v.satisfaite)
            .map_or(String::new(), |v| format!(" ({})", v.detail));
        return Ok(cause(
            "ELIGIBILITE",
            format!(
                "la Caf notifie {} alors que la structure n'est pas éligible pour le calcul : {}{detail}",
                montant_fr(n),
                l.motif().libelle()
            ),
        ));
    }
    if n.0 == 0 && b.0 > 0 {
        return Ok(cause(
            "ELIGIBILITE",
            format!(
                "la Caf ne notifie rien : elle ne semble pas retenir la structure, éligible pour le calcul (volet {}, {} unités)",
                l.eligibilite.volet.as_deref().unwrap_or("?"),
                unites_fr(u_h(l))
            ),
        ));
    }
    // rounding: the notified amount is another rounding of the exact share
    let (el, et) = (exacte_lissage(l), exacte_nouvelles(l));
    let bas = el.plancher() + et.plancher();
    let haut = plafond(&el) + plafond(&et);
    if bas <= n.0 as i128 && n.0 as i128 <= haut {
        let methode = if n.0 as i128 == el.arrondi_demi_haut() + et.arrondi_demi_haut()
            || n.0 as i128 == l.part_exacte.arrondi_demi_haut()
        {
            "arrondie ligne par ligne au centime le plus proche"
        } else if n.0 as i128 == bas {
            "tronquée au centime inférieur"
        } else {
            "arrondie au centime supérieur"
        };
        return Ok(cause(
            "ARRONDI",
            format!(
                "la part exacte de la structure est {} ; le montant notifié {} en est la valeur {methode}, alors que le calcul arrondit le groupe ({}, {}) en bloc (total au centime, centimes restants aux plus forts restes, spec §4.3) et verse {} ; écart d'arrondi de {}, sans effet sur l'enveloppe",
                exacte_fr(&l.part_exacte)?,
                montant_fr(n),
                s.collectivite,
                l.eligibilite.volet.as_deref().unwrap_or("?"),
                montant_fr(b),
                montant_fr(Montant(n.0 - b.0))
            ),
        ));
    }
    let Some(g) = l
        .eligibilite
        .volet
        .as_deref()
        .and_then(|v| ctx.r.groupe(&s.collectivite, v))
    else {
        return Ok(indeterminee(l, n));
    };
    let m_eff = g.taux_effectif.unwrap_or(Rationnel::ZERO);
    let cle = (g.collectivite.clone(), g.volet.clone());
    let mut taux = m_eff;
    match ctx.histoires.get(&cle) {
        Some(Histoire::Unites {
            lo,
            hi,
            coherentes,
            structure,
            u_prime,
            total_prime,
        }) => {
            let j = &ctx.r.structures[*structure];
            if *structure == i {
                return Ok(cause(
                    "UNITES",
                    format!(
                        "la Caf semble compter {} unités au lieu de {} : le total du groupe ({}, {}) passe de {} à {} unités, d'où un taux d'environ {} par unité au lieu de {} pour toutes ses structures",
                        unites_fr(*u_prime),
                        unites_fr(u_h(l)),
                        g.collectivite,
                        g.volet,
                        unites_fr(g.unites.0 as i128),
                        unites_fr(*total_prime),
                        taux_fr(&milieu(lo, hi)?)?,
                        taux_fr(&m_eff)?
                    ),
                ));
            }
            if coherentes.contains(&i) {
                return Ok(cause(
                    "TAUX_GROUPE",
                    format!(
                        "le montant notifié correspond à un taux d'environ {} par unité au lieu de {} : conséquence du nombre d'unités de {} ({} pour la Caf au lieu de {}), qui change le total du groupe ({}, {}) de {} à {} unités",
                        taux_fr(&milieu(lo, hi)?)?,
                        taux_fr(&m_eff)?,
                        j.structure.id,
                        unites_fr(*u_prime),
                        unites_fr(u_h(j)),
                        g.collectivite,
                        g.volet,
                        unites_fr(g.unites.0 as i128),
                        unites_fr(*total_prime)
                    ),
                ));
            }
            taux = milieu(lo, hi)?;
        }
        Some(Histoire::Enveloppe {
            lo,
            hi,
            coherentes,
            a_lo,
            a_hi,
            u_lo,
            u_hi,
        }) => {
            if coherentes.contains(&i) {
                let a_m = milieu(a_lo, a_hi)?;
                let mut c = cause(
                    "ENVELOPPE_N1",
                    format!(
                        "les montants notifiés du groupe ({}, {}) correspondent à un taux d'environ {} par unité au lieu de {}, soit une charge N-1 d'environ {} (entre {} et {}) au lieu de {}{}",
                        g.collectivite,
                        g.volet,
                        taux_fr(&milieu(lo, hi)?)?,
                        taux_fr(&m_eff)?,
                        fr_r(&a_m)?,
                        fr_r(a_lo)?,
                        fr_r(a_hi)?,
                        montant_fr(g.charge_n1),
                        explique_enveloppe(ctx, g, a_lo, a_hi)?
                    ),
                );
                let u_m = milieu(u_lo, u_hi)?;
                c.autres.push(format!(
                    "ou un total d'unités du groupe d'environ {} au lieu de {}",
                    unites_fr(u_m.arrondi_demi_haut()),
                    unites_fr(g.unites.0 as i128)
                ));
                return Ok(c);
            }
            taux = milieu(lo, hi)?;
        }
        _ => {}
    }
    let mut v = hypotheses_structure(ctx, l, g, n, taux)?;
    if v.is_empty() {
        return Ok(indeterminee(l, n));
    }
    let mut c = v.remove(0);
    c.autres = v.into_iter().map(|x| x.explication).collect();
    Ok(c)
}

fn exacte_fr(r: &Rationnel) -> R<String> {
    Ok(format!("{} €", groupe_fr(&crate::rapport::euros(r, 4)?)))
}

fn indeterminee(l: &LigneStructure, n: Montant) -> Cause {
    cause(
        "INDETERMINEE",
        format!(
            "aucune des règles testées (éligibilité, arrondi, enveloppe N-1, unités, mois d'ouverture, places nouvelles, tranche) ne reproduit {} ; écart de {} : voir « bonus-ctg expliquer {} »",
            montant_fr(n),
            montant_fr(Montant(n.0 - l.bonus_total.0)),
            l.structure.id
        ),
    )
}

/// Checks the notification against the result (pure).
pub fn verifier(
    r: &Resultat,
    d: &Dossier,
    fichier: &str,
    notification: &[LigneNotification],
) -> R<Verification> {
    let mut lignes = Vec::new();
    let mut notifies: BTreeMap<usize, Montant> = BTreeMap::new();
    let mut premiere: BTreeMap<usize, u64> = BTreeMap::new();
    // (line index in `lignes`, structure index) of the matched lines
    let mut a_diagnostiquer = Vec::new();
    for ln in notification {
        let base = LigneVerifiee {
            ligne: Some(ln.ligne),
            libelle: ln.libelle(),
            id: None,
            nom: None,
            notifie: Some(ln.montant),
            recalcule: None,
            ecart: None,
            statut: Statut::Introuvable,
            cause: None,
            candidats: Vec::new(),
        };
        match rapprocher(r, ln) {
            Correspondance::Trouvee(i) => {
                let l = &r.structures[i];
                let mut x = LigneVerifiee {
                    id: Some(l.structure.id.clone()),
                    nom: Some(l.structure.nom.clone()),
                    recalcule: Some(l.bonus_total),
                    ecart: Some(Montant(ln.montant.0 - l.bonus_total.0)),
                    ..base
                };
                if let Some(p) = premiere.get(&i) {
                    x.statut = Statut::Doublon;
                    x.candidats = vec![format!("déjà notifiée ligne {p}")];
                } else {
                    premiere.insert(i, ln.ligne);
                    notifies.insert(i, ln.montant);
                    if ln.montant == l.bonus_total {
                        x.statut = Statut::Concorde;
                    } else {
                        x.statut = Statut::Ecart;
                        a_diagnostiquer.push((lignes.len(), i));
                    }
                }
                lignes.push(x);
            }
            Correspondance::Ambigue(v) => lignes.push(LigneVerifiee {
                statut: Statut::Ambigue,
                candidats: v
                    .iter()
                    .map(|&i| r.structures[i].structure.id.clone())
                    .collect(),
                ..base
            }),
            Correspondance::Introuvable(s) => lignes.push(LigneVerifiee {
                statut: Statut::Introuvable,
                candidats: s
                    .map(|i| {
                        let x = &r.structures[i].structure;
                        vec![format!("{} « {} »", x.id, x.nom)]
                    })
                    .unwrap_or_default(),
                ..base
            }),
        }
    }
    let mut ctx = Contexte {
        r,
        d,
        notifies,
        histoires: BTreeMap::new(),
    };
    for g in &r.groupes {
        // an overflow in the diagnosis never stops the check: no group conclusion then
        let h = analyser_groupe(&ctx, g).unwrap_or(Histoire::Conforme);
        ctx.histoires
            .insert((g.collectivite.clone(), g.volet.clone()), h);
    }
    for (k, i) in a_diagnostiquer {
        let n = lignes[k].notifie.unwrap_or_default();
        let c = diagnostiquer(&ctx, i, n).unwrap_or_else(|_| indeterminee(&r.structures[i], n));
        lignes[k].cause = Some(c);
    }
    // eligible structures with a bonus and no line
    for (i, l) in r.structures.iter().enumerate() {
        if l.bonus_total.0 > 0 && !ctx.notifies.contains_key(&i) {
            lignes.push(LigneVerifiee {
                ligne: None,
                libelle: String::new(),
                id: Some(l.structure.id.clone()),
                nom: Some(l.structure.nom.clone()),
                notifie: None,
                recalcule: Some(l.bonus_total),
                ecart: Some(Montant(-l.bonus_total.0)),
                statut: Statut::Absente,
                cause: Some(cause(
                    "ABSENTE",
                    format!(
                        "aucune ligne de la notification ne correspond à cette structure éligible (bonus recalculé {})",
                        montant_fr(l.bonus_total)
                    ),
                )),
                candidats: Vec::new(),
            });
        }
    }
    Ok(Verification {
        fichier: fichier.to_string(),
        exercice: r.exercice,
        convention: r.convention.nom.clone(),
        lignes,
        total_notifie: Montant(notification.iter().map(|l| l.montant.0).sum()),
        total_recalcule: r.total.structures.bonus_total,
    })
}

// ---------------------------------------------------------------------------------------
// Rendering

fn opt_fr(m: Option<Montant>) -> String {
    m.map_or("—".into(), montant_fr)
}

fn ecart_fr(m: Option<Montant>) -> String {
    match m {
        Some(x) if x.0 > 0 => format!("+{}", montant_fr(x)),
        Some(x) => montant_fr(x),
        None => "—".into(),
    }
}

/// Terminal rendering: table, unmatched lines, explanations, summary.
pub fn rendre_table(v: &Verification, largeur: Option<u16>, couleur: bool) -> String {
    use comfy_table::{presets, Cell, CellAlignment, Color, ContentArrangement, Table};
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(l) = largeur {
        t.set_width(l);
    }
    if couleur {
        t.enforce_styling();
    }
    t.set_header(
        [
            "ligne",
            "structure",
            "notifié",
            "recalculé",
            "écart",
            "constat",
        ]
        .iter()
        .map(Cell::new),
    );
    let droite = |s: String| Cell::new(s).set_alignment(CellAlignment::Right);
    for l in &v.lignes {
        let structure = match (&l.id, &l.nom) {
            (Some(i), Some(n)) => format!("{i}\n{n}"),
            _ => l.libelle.clone(),
        };
        let constat = match (&l.statut, &l.cause) {
            (Statut::Ecart | Statut::Absente, Some(c)) => c.libelle.to_string(),
            (s, _) => s.libelle().to_string(),
        };
        let mut ecart = droite(ecart_fr(l.ecart));
        let mut c_constat = Cell::new(constat);
        if couleur {
            let col = if l.statut == Statut::Concorde {
                Color::Green
            } else {
                Color::Red
            };
            ecart = ecart.fg(col);
            c_constat = c_constat.fg(col);
        }
        t.add_row(vec![
            Cell::new(l.ligne.map_or("—".into(), |x| x.to_string())),
            Cell::new(structure),
            droite(opt_fr(l.notifie)),
            droite(opt_fr(l.recalcule)),
            ecart,
            c_constat,
        ]);
    }
    let mut o = format!(
        "Vérification de la notification {} — {} — exercice {}\n",
        v.fichier, v.convention, v.exercice
    );
    o.push_str(&t.to_string());
    o.push('\n');
    let problemes: Vec<&LigneVerifiee> = v
        .lignes
        .iter()
        .filter(|l| l.statut != Statut::Concorde)
        .collect();
    if !problemes.is_empty() {
        o.push_str("\nDétail des écarts et des lignes non rapprochées\n");
        for l in problemes {
            let qui = match (&l.id, l.ligne) {
                (Some(i), Some(n)) => format!("ligne {n}, {i}"),
                (Some(i), None) => i.clone(),
                (None, Some(n)) => format!("ligne {n}, {}", l.libelle),
                (None, None) => l.libelle.clone(),
            };
            let texte = match l.statut {
                Statut::Introuvable => format!(
                    "aucune structure de ce nom ou de cet id{}",
                    l.candidats
                        .first()
                        .map_or(String::new(), |c| format!(" ; la plus proche : {c}"))
                ),
                Statut::Ambigue => format!(
                    "plusieurs structures portent ce nom : {} ; indiquez l'id",
                    l.candidats.join(", ")
                ),
                Statut::Doublon => format!("structure {} : ligne ignorée", l.candidats.join(", ")),
                _ => match &l.cause {
                    Some(c) => {
                        let mut s = format!("{} — {}", c.libelle, c.explication);
                        for a in &c.autres {
                            s.push_str(&format!("\n      autre explication possible : {a}"));
                        }
                        s
                    }
                    None => String::new(),
                },
            };
            o.push_str(&format!("  • {qui} : {texte}\n"));
        }
    }
    let ecarts = v
        .lignes
        .iter()
        .filter(|l| l.statut == Statut::Ecart)
        .count();
    o.push_str(&format!(
        "\nRésumé : {} ligne{} lue{}, {} concordante{} au centime, {} écart{}, {} absente{}, {} non rapprochée{} ou ambiguë{}, {} en double.\nTotal notifié {} ; total recalculé (toutes structures) {} ; différence {}.\n{}\n",
        v.lignes.iter().filter(|l| l.ligne.is_some()).count(),
        pl(v.lignes.iter().filter(|l| l.ligne.is_some()).count()),
        pl(v.lignes.iter().filter(|l| l.ligne.is_some()).count()),
        v.nombre(Statut::Concorde),
        pl(v.nombre(Statut::Concorde)),
        ecarts,
        pl(ecarts),
        v.nombre(Statut::Absente),
        pl(v.nombre(Statut::Absente)),
        v.nombre(Statut::Introuvable) + v.nombre(Statut::Ambigue),
        pl(v.nombre(Statut::Introuvable) + v.nombre(Statut::Ambigue)),
        pl(v.nombre(Statut::Introuvable) + v.nombre(Statut::Ambigue)),
        v.nombre(Statut::Doublon),
        montant_fr(v.total_notifie),
        montant_fr(v.total_recalcule),
        ecart_fr(Some(Montant(v.total_notifie.0 - v.total_recalcule.0))),
        if v.concorde() {
            "La notification concorde au centime avec le calcul."
        } else {
            "La notification ne concorde pas avec le calcul (code de sortie 3)."
        }
    ));
    o
}

fn pl(n: usize) -> &'static str {
    if n > 1 {
        "s"
    } else {
        ""
    }
}

pub const COLONNES_CSV: &[&str] = &[
    "ligne",
    "libelle",
    "id",
    "nom",
    "notifie",
    "recalcule",
    "ecart",
    "statut",
    "cause",
    "explication",
];

/// CSV rendering (one row per line of the check).
pub fn rendre_csv(v: &Verification, p: Profil) -> Vec<u8> {
    let mut w = crate::rapport::csv::constructeur(p).from_writer(Vec::new());
    let _ = w.write_record(COLONNES_CSV);
    let m = |x: Option<Montant>| x.map_or(String::new(), |x| p.montant(x));
    for l in &v.lignes {
        let explication = match l.statut {
            Statut::Introuvable | Statut::Ambigue | Statut::Doublon => l.candidats.join(" ; "),
            _ => l.cause.as_ref().map_or(String::new(), |c| {
                let mut s = c.explication.clone();
                for a in &c.autres {
                    s.push_str(" | autre explication possible : ");
                    s.push_str(a);
                }
                s
            }),
        };
        let _ = w.write_record([
            l.ligne.map_or(String::new(), |x| x.to_string()),
            texte_sur(&l.libelle),
            texte_sur(l.id.as_deref().unwrap_or("")),
            texte_sur(l.nom.as_deref().unwrap_or("")),
            m(l.notifie),
            m(l.recalcule),
            m(l.ecart),
            serde_json::to_value(l.statut)
                .ok()
                .and_then(|x| x.as_str().map(str::to_string))
                .unwrap_or_default(),
            l.cause
                .as_ref()
                .map_or(String::new(), |c| c.code.to_string()),
            texte_sur(&explication),
        ]);
    }
    let mut o = crate::rapport::csv::bom(p).to_vec();
    o.extend(w.into_inner().unwrap_or_default());
    o
}

/// JSON rendering, schema `bonus-ctg.verification.v1` (amounts as decimal strings).
pub fn rendre_json(v: &Verification) -> Vec<u8> {
    use serde_json::json;
    let m = |x: Option<Montant>| x.map(|x| x.to_string());
    let lignes: Vec<serde_json::Value> = v
        .lignes
        .iter()
        .map(|l| {
            json!({
                "ligne": l.ligne,
                "libelle": l.libelle,
                "id": l.id,
                "nom": l.nom,
                "notifie": m(l.notifie),
                "recalcule": m(l.recalcule),
                "ecart": m(l.ecart),
                "statut": l.statut,
                "cause": l.cause.as_ref().map(|c| json!({
                    "code": c.code,
                    "libelle": c.libelle,
                    "explication": c.explication,
                    "autres": c.autres,
                })),
                "candidats": l.candidats,
            })
        })
        .collect();
    let val = json!({
        "schema": SCHEMA,
        "notification": v.fichier,
        "convention": v.convention,
        "exercice": v.exercice,
        "concorde": v.concorde(),
        "lignes": lignes,
        "total_notifie": v.total_notifie.to_string(),
        "total_recalcule": v.total_recalcule.to_string(),
    });
    let mut s = serde_json::to_string_pretty(&val).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noms_normalises() {
        assert_eq!(
            normaliser_libelle("  Micro- crèche la Colombière "),
            "micro creche la colombiere"
        );
        assert_eq!(
            normaliser_libelle("Multi-accueil Les P’tits Pieds"),
            "multi accueil les p tits pieds"
        );
        assert_eq!(
            normaliser_libelle("Multi accueil les p'tits pieds"),
            "multi accueil les p tits pieds"
        );
        assert_eq!(normaliser_libelle("ŒUVRE"), "oeuvre");
    }

    #[test]
    fn montants_lus() {
        assert_eq!(montant_texte("56 818,18 €"), Ok(Montant(5_681_818)));
        assert!(montant_texte("1,234").is_err());
        assert!(montant_texte("-5").is_err());
        assert_eq!(montant_flottant(56818.18), Ok(Montant(5_681_818)));
        assert_eq!(montant_flottant(0.1 + 0.2), Ok(Montant(30)));
        assert!(montant_flottant(1.005).is_err());
        assert!(montant_flottant(f64::NAN).is_err());
    }

    #[test]
    fn valeurs_rondes() {
        let r = |n, d| Rationnel::new(n, d).unwrap();
        // [4 990, 5 010] hundredths contains 5 000 (50 units)
        assert_eq!(valeur_ronde(&r(4990, 1), &r(5010, 1)).unwrap(), Some(5000));
        // [140, 160] : 150 (1,5 unit), no whole unit
        assert_eq!(valeur_ronde(&r(140, 1), &r(160, 1)).unwrap(), Some(150));
        // [11, 19]: no tenth? 20 > 19, 10 < 11 → none
        assert_eq!(valeur_ronde(&r(11, 1), &r(19, 1)).unwrap(), None);
        assert_eq!(plafond(&r(7, 2)), 4);
        assert_eq!(plafond(&r(4, 1)), 4);
        assert_eq!(plafond(&r(-7, 2)), -3);
        assert_eq!(unites_fr(150), "1,5");
        assert_eq!(unites_fr(6000), "60");
    }
}
