//! `bonus-ctg verifier DOSSIER --notification F`: checks the per-structure amounts the Caf
//! notified against the calculation, line by line, and says why a figure differs.
//!
//! 1. Reading ([`lecture`]): `F` is CSV or XLSX (sheet `notification`, else the first),
//!    read through the dossier's own input layer (`crate::lecture`: same CSV reader, same
//!    hardened workbook reader, same number grammar and limits), with columns `id` or
//!    `nom`, and `montant`.
//! 2. Matching ([`rapprochement`]): each line by `id` (exact, then case-insensitive), else by
//!    normalised name (case, accents, punctuation ignored), through hash indexes; ambiguous,
//!    unmatched and duplicate lines are reported; eligible structures with a bonus but no
//!    line are reported as absent. An unmatched line gets the closest structure as a
//!    suggestion, searched among a bounded set of candidates sharing rare words and trigrams.
//! 3. Diagnosis of each difference ([`causes`], docs/regles.md, R30).
//!
//! Exit code ([`CODE_ECARTS`] = 3) when anything differs; 0 when all lines match to the cent.

mod causes;
pub mod lecture;
pub mod rapprochement;

pub use lecture::{analyser_csv, analyser_tableur, lire_notification};
pub use rapprochement::normaliser_libelle;

use crate::calcul::rationnel::R;
use crate::calcul::{LigneStructure, Resultat};
use crate::modele::{Dossier, Montant};
use crate::rapport::montant_fr;
use causes::{analyser_groupe, diagnostiquer, indeterminee, Contexte, Histoire};
use rapprochement::{Correspondance, Index};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

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

pub(super) fn cause(code: &'static str, explication: String) -> Cause {
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
    /// Found by its id, but the line's name is that of this other structure (id « nom »).
    pub nom_d_une_autre: Option<String>,
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
    /// Σ of the recomputed bonus of every structure of the perimeter.
    pub total_recalcule: Montant,
    /// The collectivité or gestionnaire the check is restricted to (`None`: every structure).
    pub perimetre: Option<Perimetre>,
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

/// Which structures a notification is about: all of them, or those of one collectivité or
/// one gestionnaire (a commune checks its own lines).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filtre {
    /// A collectivité's id (compared as ids are: case and Unicode form ignored).
    pub collectivite: Option<String>,
    /// A gestionnaire's name (compared without case, accents or punctuation).
    pub gestionnaire: Option<String>,
}

/// The structures the check covers, as the report states it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Perimetre {
    /// `collectivité DIJON`, `gestionnaire « Commune de Nuits-Saint-Georges »`.
    pub libelle: String,
    /// `true` when recognised from the notification itself (no filter given): every line
    /// it matches belongs to that one collectivité or gestionnaire.
    pub deduit: bool,
}

impl Filtre {
    fn garde(&self, l: &LigneStructure) -> bool {
        let c = self.collectivite.as_ref().is_none_or(|c| {
            crate::lecture::texte::cle_id(c)
                == crate::lecture::texte::cle_id(&l.structure.collectivite)
        });
        let g = self
            .gestionnaire
            .as_ref()
            .is_none_or(|g| normaliser_libelle(g) == normaliser_libelle(&l.structure.gestionnaire));
        c && g
    }
    fn vide(&self) -> bool {
        self.collectivite.is_none() && self.gestionnaire.is_none()
    }
    fn libelle(&self, r: &Resultat) -> String {
        let mut p = Vec::new();
        if let Some(c) = &self.collectivite {
            let nom = r
                .convention
                .collectivites
                .iter()
                .find(|k| crate::lecture::texte::cle_id(&k.id) == crate::lecture::texte::cle_id(c))
                .map_or(c.clone(), |k| format!("{} ({})", k.nom, k.id));
            p.push(format!("collectivité {nom}"));
        }
        if let Some(g) = &self.gestionnaire {
            p.push(format!("gestionnaire « {g} »"));
        }
        p.join(", ")
    }
}

/// « : vouliez-vous dire « P » ? », P the candidate nearest to `x` (edit distance, without
/// case nor accents), or nothing when there is no candidate.
pub fn vouliez_vous_dire(x: &str, v: &mut dyn Iterator<Item = String>) -> String {
    v.min_by_key(|c| strsim::levenshtein(&normaliser_libelle(x), &normaliser_libelle(c)))
        .map_or(String::new(), |p| format!(" : vouliez-vous dire « {p} » ?"))
}

/// A filter naming a collectivité or a gestionnaire the dossier does not have is a usage
/// error (its message suggests the nearest one).
pub fn controler_filtre(r: &Resultat, f: &Filtre) -> Result<(), String> {
    let proche = vouliez_vous_dire;
    if let Some(c) = &f.collectivite {
        let ids = &r.convention.collectivites;
        let k = crate::lecture::texte::cle_id(c);
        if !ids
            .iter()
            .any(|x| crate::lecture::texte::cle_id(&x.id) == k)
        {
            return Err(format!(
                "--collectivite « {c} » : collectivité inconnue de la convention{}",
                proche(c, &mut ids.iter().map(|x| x.id.clone()))
            ));
        }
    }
    if let Some(g) = &f.gestionnaire {
        let n = normaliser_libelle(g);
        let noms = || {
            r.structures
                .iter()
                .map(|l| l.structure.gestionnaire.to_string())
        };
        if !noms().any(|x| normaliser_libelle(&x) == n) {
            return Err(format!(
                "--gestionnaire « {g} » : aucun gestionnaire de ce nom dans le dossier{}",
                proche(g, &mut noms())
            ));
        }
    }
    Ok(())
}

/// Without a filter: a notification whose lines match exactly the structures (with a bonus)
/// of one collectivité of a dossier that has several, or else of one gestionnaire, is about
/// that one only.
fn filtre_deduit(r: &Resultat, notifies: &BTreeMap<usize, Montant>) -> Option<Filtre> {
    let mut structures = notifies.keys().map(|&i| &r.structures[i].structure);
    let premiere = structures.next()?;
    let (mut c, mut g) = (true, true);
    for s in structures {
        c &= s.collectivite == premiere.collectivite;
        g &= normaliser_libelle(&s.gestionnaire) == normaliser_libelle(&premiere.gestionnaire);
    }
    let plusieurs = |f: &dyn Fn(&LigneStructure) -> String| {
        let mut v = r.structures.iter().filter(|l| l.bonus_total.0 > 0).map(f);
        let a = v.next();
        v.any(|x| Some(x) != a)
    };
    // it must cover exactly that collectivité's (gestionnaire's) structures with a bonus:
    // a missing one means an incomplete notification, not a partial one
    let couvre = |f: &Filtre| {
        r.structures
            .iter()
            .enumerate()
            .all(|(i, l)| l.bonus_total.0 == 0 || !f.garde(l) || notifies.contains_key(&i))
    };
    let par_collectivite = Filtre {
        collectivite: Some(premiere.collectivite.to_string()),
        gestionnaire: None,
    };
    if c && plusieurs(&|l| l.structure.collectivite.to_string()) && couvre(&par_collectivite) {
        return Some(par_collectivite);
    }
    let par_gestionnaire = Filtre {
        collectivite: None,
        gestionnaire: Some(premiere.gestionnaire.to_string()),
    };
    if g && plusieurs(&|l| normaliser_libelle(&l.structure.gestionnaire))
        && couvre(&par_gestionnaire)
    {
        return Some(par_gestionnaire);
    }
    None
}

/// Checks the notification against the result (pure). `filtre`: the structures it is about
/// (structures outside it are never « absentes »); an empty filter covers every structure,
/// or the one collectivité or gestionnaire the notification's lines all belong to.
pub fn verifier(
    r: &Resultat,
    d: &Dossier,
    fichier: &str,
    notification: &[LigneNotification],
    filtre: &Filtre,
) -> R<Verification> {
    let Rapprochement {
        mut lignes,
        notifies,
        a_diagnostiquer,
    } = rapprocher(r, notification);
    let mut ctx = Contexte {
        r,
        d,
        notifies,
        histoires: BTreeMap::new(),
    };
    ctx.histoires = histoires_des_groupes(&ctx);
    for (k, i) in a_diagnostiquer {
        let n = lignes[k].notifie.unwrap_or_default();
        let c = diagnostiquer(&ctx, i, n).unwrap_or_else(|_| indeterminee(&r.structures[i], n));
        lignes[k].cause = Some(c);
    }
    let (filtre, deduit) = match filtre.vide() {
        true => match filtre_deduit(r, &ctx.notifies) {
            Some(f) => (f, true),
            None => (Filtre::default(), false),
        },
        false => (filtre.clone(), false),
    };
    let perimetre = (!filtre.vide()).then(|| Perimetre {
        libelle: filtre.libelle(r),
        deduit,
    });
    lignes.extend(absentes(r, &ctx.notifies, &filtre));
    Ok(Verification {
        fichier: fichier.to_string(),
        exercice: r.exercice,
        convention: r.convention.nom.clone(),
        lignes,
        total_notifie: Montant(notification.iter().map(|l| l.montant.0).sum()),
        total_recalcule: Montant(
            r.structures
                .iter()
                .filter(|l| filtre.garde(l))
                .map(|l| l.bonus_total.0)
                .sum(),
        ),
        perimetre,
    })
}

/// The notification's lines matched with the structures.
struct Rapprochement {
    lignes: Vec<LigneVerifiee>,
    /// Structure index → notified amount (first matching line).
    notifies: BTreeMap<usize, Montant>,
    /// (line index in `lignes`, structure index) of the matched lines that differ.
    a_diagnostiquer: Vec<(usize, usize)>,
}

/// Matches each line of the notification with a structure (by id or name): agreeing, a
/// difference, a duplicate, ambiguous or not found.
fn rapprocher(r: &Resultat, notification: &[LigneNotification]) -> Rapprochement {
    let mut lignes = Vec::new();
    let mut notifies: BTreeMap<usize, Montant> = BTreeMap::new();
    let mut premiere: BTreeMap<usize, u64> = BTreeMap::new();
    let mut a_diagnostiquer = Vec::new();
    let index = Index::new(&r.structures);
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
            nom_d_une_autre: None,
        };
        match index.rapprocher(ln) {
            Correspondance::Trouvee(i) => {
                let l = &r.structures[i];
                let mut x = LigneVerifiee {
                    id: Some(l.structure.id.to_string()),
                    nom: Some(l.structure.nom.to_string()),
                    recalcule: Some(l.bonus_total),
                    ecart: Some(Montant(ln.montant.0 - l.bonus_total.0)),
                    nom_d_une_autre: index.nom_d_une_autre(ln, i).map(|j| {
                        let a = &r.structures[j].structure;
                        format!("{} « {} »", a.id, a.nom)
                    }),
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
                    .map(|&i| r.structures[i].structure.id.to_string())
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
    Rapprochement {
        lignes,
        notifies,
        a_diagnostiquer,
    }
}

/// Each group's notified-rate analysis ([`analyser_groupe`]).
fn histoires_des_groupes(ctx: &Contexte) -> BTreeMap<(String, String), Histoire> {
    let r = ctx.r;
    // each group's notified structures and eligible count, in one pass
    let mut par_groupe: HashMap<(&str, &str), (Vec<usize>, usize)> = HashMap::new();
    for (i, l) in r.structures.iter().enumerate() {
        if let Some(cle) = causes::groupe_analyse(l) {
            let e = par_groupe.entry(cle).or_default();
            e.1 += 1;
            if ctx.notifies.contains_key(&i) {
                e.0.push(i);
            }
        }
    }
    let mut histoires = BTreeMap::new();
    for g in &r.groupes {
        let (membres, eligibles) = par_groupe
            .get(&(g.collectivite.as_str(), g.volet.as_str()))
            .map_or((&[][..], 0), |(m, e)| (m.as_slice(), *e));
        // an overflow in the diagnosis never stops the check: no group conclusion then
        let h = analyser_groupe(ctx, g, membres, eligibles).unwrap_or(Histoire::Conforme);
        histoires.insert((g.collectivite.clone(), g.volet.clone()), h);
    }
    histoires
}

/// The eligible structures of the perimeter with a bonus and no line.
fn absentes(
    r: &Resultat,
    notifies: &BTreeMap<usize, Montant>,
    filtre: &Filtre,
) -> Vec<LigneVerifiee> {
    let mut lignes = Vec::new();
    for (i, l) in r.structures.iter().enumerate() {
        if l.bonus_total.0 > 0 && !notifies.contains_key(&i) && filtre.garde(l) {
            lignes.push(LigneVerifiee {
                ligne: None,
                libelle: String::new(),
                id: Some(l.structure.id.to_string()),
                nom: Some(l.structure.nom.to_string()),
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
                nom_d_une_autre: None,
            });
        }
    }
    lignes
}
