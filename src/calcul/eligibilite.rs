//! Eligibility of a structure (R15): six rules checked in order; the first failing one
//! gives the reason code (`motif`).

use crate::bareme::{BaremeExercice, Versement, VoletExercice};
use crate::modele::{Annexe, Convention, Structure};
use std::fmt;
use std::sync::Arc;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Motif {
    Eligible,
    Annexe2Bis,
    TypeSansVolet,
    FinancementIncompatible,
    SansSoutienCollectivite,
    CollectiviteNonSignataire,
    Fermee,
}

impl Motif {
    pub const TOUS: [Motif; 7] = [
        Motif::Eligible,
        Motif::Annexe2Bis,
        Motif::TypeSansVolet,
        Motif::FinancementIncompatible,
        Motif::SansSoutienCollectivite,
        Motif::CollectiviteNonSignataire,
        Motif::Fermee,
    ];
    /// The motif of a code (`ANNEXE_2BIS`).
    pub fn analyser(code: &str) -> Option<Motif> {
        Motif::TOUS.into_iter().find(|m| m.code() == code)
    }
    pub fn code(&self) -> &'static str {
        match self {
            Motif::Eligible => "ELIGIBLE",
            Motif::Annexe2Bis => "ANNEXE_2BIS",
            Motif::TypeSansVolet => "TYPE_SANS_VOLET",
            Motif::FinancementIncompatible => "FINANCEMENT_INCOMPATIBLE",
            Motif::SansSoutienCollectivite => "SANS_SOUTIEN_COLLECTIVITE",
            Motif::CollectiviteNonSignataire => "COLLECTIVITE_NON_SIGNATAIRE",
            Motif::Fermee => "FERMEE",
        }
    }
    /// What the rule requires, for the rules that hold (`[oui] inscrite en annexe 2`).
    pub fn condition(&self) -> &'static str {
        match self {
            Motif::Eligible => "éligible",
            Motif::Annexe2Bis => "inscrite en annexe 2",
            Motif::TypeSansVolet => "type couvert par un volet versé aux structures",
            Motif::FinancementIncompatible => "financement admis par le volet",
            Motif::SansSoutienCollectivite => "soutenue par la collectivité",
            Motif::CollectiviteNonSignataire => "collectivité signataire",
            Motif::Fermee => "ouverte dans l'exercice",
        }
    }
    /// The refusal in a few words, for the rule that fails (`inéligible : annexe 2 bis`).
    pub fn refus(&self) -> &'static str {
        match self {
            Motif::Eligible => "aucun refus",
            Motif::Annexe2Bis => "annexe 2 bis",
            Motif::TypeSansVolet => "type sans volet",
            Motif::FinancementIncompatible => "financement incompatible",
            Motif::SansSoutienCollectivite => "sans soutien de la collectivité",
            Motif::CollectiviteNonSignataire => "collectivité non signataire",
            Motif::Fermee => "fermée pendant tout l'exercice",
        }
    }
    /// Plain-French wording for reports.
    pub fn libelle(&self) -> &'static str {
        match self {
            Motif::Eligible => "éligible au bonus territoire",
            Motif::Annexe2Bis => "inscrite en annexe 2 bis (soutenue mais non éligible)",
            Motif::TypeSansVolet => "type de structure sans volet de bonus territoire",
            Motif::FinancementIncompatible => {
                "financement incompatible avec le volet (ex. micro-crèche PAJE)"
            }
            Motif::SansSoutienCollectivite => "pas de soutien financier de la collectivité",
            Motif::CollectiviteNonSignataire => "collectivité non signataire de la CTG",
            Motif::Fermee => "fermée pendant tout l'exercice",
        }
    }
}

impl fmt::Display for Motif {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One rule checked, for `expliquer`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub regle: Motif,
    pub satisfaite: bool,
    pub detail: String,
}

/// The decision of R15: an eligible structure always has the volet it is paid from; an
/// ineligible one has its reason, and the volet its type maps to when there is one (R3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Eligible {
        volet: Arc<str>,
    },
    Ineligible {
        motif: Motif,
        volet: Option<Arc<str>>,
    },
}

/// Outcome of the eligibility rules for one structure. The wording of each rule checked is
/// not kept (it would cost six strings per structure on every run): [`verifications`] writes
/// it again, from the same rules, when an explanation asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Eligibilite {
    pub decision: Decision,
}

impl Eligibilite {
    /// The reason code (`ELIGIBLE` when eligible).
    pub fn motif(&self) -> Motif {
        match &self.decision {
            Decision::Eligible { .. } => Motif::Eligible,
            Decision::Ineligible { motif, .. } => *motif,
        }
    }
    /// The volet its type maps to (kept even when ineligible, R3).
    pub fn volet(&self) -> Option<&str> {
        match &self.decision {
            Decision::Eligible { volet } => Some(volet),
            Decision::Ineligible { volet, .. } => volet.as_deref(),
        }
    }
    /// The volet it is paid from, when eligible.
    pub fn volet_eligible(&self) -> Option<&str> {
        match &self.decision {
            Decision::Eligible { volet } => Some(volet),
            Decision::Ineligible { .. } => None,
        }
    }
    pub fn est_eligible(&self) -> bool {
        matches!(self.decision, Decision::Eligible { .. })
    }
}

/// Applies R15 to one structure.
pub fn evaluer(s: &Structure, convention: &Convention, bareme: &BaremeExercice) -> Eligibilite {
    let signataire = convention
        .collectivite(&s.collectivite)
        .is_some_and(|c| c.signataire);
    evaluer_signataire(s, signataire, bareme)
}

/// The reason code and the volet only (no wording), for the checks that do not report the
/// details (validation): the rules of [`regles`] with no detail written.
pub fn motif<'b>(
    s: &Structure,
    signataire: bool,
    bareme: &'b BaremeExercice,
) -> (Option<&'b VoletExercice>, Motif) {
    regles(s, signataire, bareme, |_, _, _| {})
}

/// [`evaluer`] when the collectivité's `signataire` flag is already known (looked up once
/// per collectivité by the caller instead of once per structure).
pub fn evaluer_signataire(s: &Structure, signataire: bool, bareme: &BaremeExercice) -> Eligibilite {
    evaluer_partage(s, signataire, bareme, &mut Vec::new())
}

/// [`evaluer_signataire`] with the volet names shared: `noms` keeps one copy of each name
/// given to the decisions (a dossier's structures share a few volet names instead of
/// holding one string each).
pub fn evaluer_partage(
    s: &Structure,
    signataire: bool,
    bareme: &BaremeExercice,
    noms: &mut Vec<Arc<str>>,
) -> Eligibilite {
    decision(motif(s, signataire, bareme), noms)
}

/// [`evaluer_partage`] with the volets of the types read from `volets`.
pub(crate) fn evaluer_volets(
    s: &Structure,
    signataire: bool,
    volets: &mut VoletsParType,
    noms: &mut Vec<Arc<str>>,
) -> Eligibilite {
    decision(volets.motif(s, signataire), noms)
}

/// The decision of a motif and volet, the volet name shared through `noms`.
fn decision(
    (volet, motif): (Option<&VoletExercice>, Motif),
    noms: &mut Vec<Arc<str>>,
) -> Eligibilite {
    let volet = volet.map(|v| match noms.iter().find(|n| n[..] == v.nom[..]) {
        Some(n) => n.clone(),
        None => {
            let n: Arc<str> = Arc::from(v.nom.as_str());
            noms.push(n.clone());
            n
        }
    });
    let decision = match (motif, volet) {
        (Motif::Eligible, Some(volet)) => Decision::Eligible { volet },
        // `regles` only says `Eligible` with a volet; any other case is a refusal
        (m, volet) => Decision::Ineligible {
            motif: if m == Motif::Eligible {
                Motif::TypeSansVolet
            } else {
                m
            },
            volet,
        },
    };
    Eligibilite { decision }
}

/// The rules checked for one structure, in order, up to the first failing one, each with its
/// wording (for `expliquer` and the report): the same rules as [`evaluer_signataire`].
pub fn verifications(
    s: &Structure,
    signataire: bool,
    bareme: &BaremeExercice,
) -> Vec<Verification> {
    let mut verifications = Vec::new();
    regles(s, signataire, bareme, |regle, satisfaite, detail| {
        verifications.push(Verification {
            regle,
            satisfaite,
            detail: detail(),
        })
    });
    verifications
}

/// The six rules of R15, in order: the one definition of eligibility. `noter(rule, satisfied,
/// detail)` is told of each rule checked, up to the first failing one (the detail is written
/// only when asked for). Returns the volet the type maps to and the reason code.
pub fn regles<'b>(
    s: &Structure,
    signataire: bool,
    bareme: &'b BaremeExercice,
    noter: impl FnMut(Motif, bool, &dyn Fn() -> String),
) -> (Option<&'b VoletExercice>, Motif) {
    regles_du_volet(s, signataire, bareme.volet_du_type(s.type_structure), noter)
}

/// The volet of each structure type (R3) of one barème, looked up once per type (a dossier
/// has a few types and many structures).
pub(crate) struct VoletsParType<'b> {
    bareme: &'b BaremeExercice,
    vus: Vec<(crate::modele::TypeStructure, Option<&'b VoletExercice>)>,
}

impl<'b> VoletsParType<'b> {
    pub fn new(bareme: &'b BaremeExercice) -> Self {
        VoletsParType {
            bareme,
            vus: Vec::new(),
        }
    }
    /// `bareme.volet_du_type(t)`.
    pub fn de(&mut self, t: crate::modele::TypeStructure) -> Option<&'b VoletExercice> {
        if let Some((_, v)) = self.vus.iter().find(|(u, _)| *u == t) {
            return *v;
        }
        let v = self.bareme.volet_du_type(t);
        self.vus.push((t, v));
        v
    }
    /// [`motif`], the volet of the type read from this table.
    pub fn motif(&mut self, s: &Structure, signataire: bool) -> (Option<&'b VoletExercice>, Motif) {
        let volet = self.de(s.type_structure);
        regles_du_volet(s, signataire, volet, |_, _, _| {})
    }
}

/// [`regles`] for a structure whose type maps to `volet` (`bareme.volet_du_type`).
fn regles_du_volet<'b>(
    s: &Structure,
    signataire: bool,
    volet: Option<&'b VoletExercice>,
    mut noter: impl FnMut(Motif, bool, &dyn Fn() -> String),
) -> (Option<&'b VoletExercice>, Motif) {
    let mut regle = |m: Motif, ok: bool, detail: &dyn Fn() -> String| {
        noter(m, ok, detail);
        ok
    };
    let motif = 'm: {
        if !regle(Motif::Annexe2Bis, s.annexe == Annexe::Deux, &|| {
            format!(
                "annexe {} (l'annexe 2 bis n'est pas éligible)",
                s.annexe.libelle()
            )
        }) {
            break 'm Motif::Annexe2Bis;
        }
        let volet_reparti = volet.filter(|v| v.versement.valeur == Versement::Structures);
        let couvert = regle(Motif::TypeSansVolet, volet_reparti.is_some(), &|| {
            detail_volet(s, volet, volet_reparti.is_some())
        });
        let (true, Some(v)) = (couvert, volet_reparti) else {
            break 'm Motif::TypeSansVolet;
        };
        let admis = &v.financement.valeur;
        let ok = admis.as_ref().is_none_or(|l| l.contains(&s.financement));
        if !regle(Motif::FinancementIncompatible, ok, &|| {
            detail_financement(s, v)
        }) {
            break 'm Motif::FinancementIncompatible;
        }
        if !regle(
            Motif::SansSoutienCollectivite,
            s.soutien_collectivite,
            &|| {
                format!(
                    "soutien de la collectivité : {}",
                    if s.soutien_collectivite { "oui" } else { "non" }
                )
            },
        ) {
            break 'm Motif::SansSoutienCollectivite;
        }
        if !regle(Motif::CollectiviteNonSignataire, signataire, &|| {
            format!(
                "collectivité {} signataire : {}",
                s.collectivite,
                if signataire { "oui" } else { "non" }
            )
        }) {
            break 'm Motif::CollectiviteNonSignataire;
        }
        if !regle(Motif::Fermee, s.mois_ouverture > 0, &|| {
            format!("{} mois d'ouverture dans l'exercice", s.mois_ouverture)
        }) {
            break 'm Motif::Fermee;
        }
        Motif::Eligible
    };
    (volet, motif)
}

/// What the type rule read: the volet of the structure's type, `reparti` when that volet
/// is distributed to the structures.
fn detail_volet(s: &Structure, volet: Option<&VoletExercice>, reparti: bool) -> String {
    match volet {
        Some(v) if reparti => format!("type {} → volet {}", s.type_structure, v.nom),
        Some(v) => format!(
            "type {} → volet {} non réparti sur les structures",
            s.type_structure, v.nom
        ),
        None => format!(
            "type {} : aucun volet du barème ne le couvre",
            s.type_structure
        ),
    }
}

/// What the financing rule read: the structure's financing and those volet `v` admits.
fn detail_financement(s: &Structure, v: &VoletExercice) -> String {
    let liste = v
        .financement
        .valeur
        .as_ref()
        .map(|l| l.iter().map(|f| f.code()).collect::<Vec<_>>().join(", "))
        .unwrap_or_else(|| "tous".into());
    format!(
        "financement {} ; admis pour le volet {} : {liste}",
        s.financement, v.nom
    )
}

/// R64: a structure of annexe 2, of a type and a financing of the CTRE volet `v`
/// (`versement = "employeurs"`), open in the exercice, can receive the CTRE for its employer
/// places; neither the collectivité's support nor its signature is required.
pub fn admise_ctre(s: &Structure, v: &VoletExercice) -> bool {
    s.annexe == Annexe::Deux
        && v.types.valeur.contains(&s.type_structure)
        && v.financement
            .valeur
            .as_ref()
            .is_none_or(|l| l.contains(&s.financement))
        && s.mois_ouverture > 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Diagnostics;
    use crate::generation::{generer, Parametres};

    /// `motif` (validation's fast path) and `evaluer` agree on every structure of generated
    /// dossiers (all motifs occur: 2 bis, PAJE, no support, non-signatory, closed…).
    #[test]
    fn motif_rapide_identique_a_evaluer() {
        let mut vus = std::collections::BTreeSet::new();
        for graine in 0..4 {
            let p = Parametres {
                collectivites: 60,
                structures: 2000,
                graine,
                dossiers: Some(3),
            };
            for d in generer(&p).unwrap() {
                let mut diags = Diagnostics::default();
                let lu = crate::lecture::analyser_dossier(&d.fichiers, &mut diags).unwrap();
                let b = lu.bareme.pour_exercice(2025, "bareme.toml").unwrap();
                let conv = &lu.dossier.convention;
                let mut volets = VoletsParType::new(&b);
                for s in &lu.dossier.structures {
                    let e = evaluer(s, conv, &b);
                    let sig = conv.collectivite(&s.collectivite).unwrap().signataire;
                    let (v, m) = motif(s, sig, &b);
                    assert_eq!(m, e.motif(), "{}", s.id);
                    assert_eq!(v.map(|v| v.nom.as_str()), e.volet(), "{}", s.id);
                    assert_eq!(evaluer_signataire(s, sig, &b), e);
                    // the volets looked up once per type: the same decision
                    let (vt, mt) = volets.motif(s, sig);
                    assert_eq!((vt.map(|v| &v.nom), mt), (v.map(|v| &v.nom), m), "{}", s.id);
                    assert_eq!(evaluer_volets(s, sig, &mut volets, &mut Vec::new()), e);
                    // the wording follows the same rules: satisfied up to the refusal
                    let v = verifications(s, sig, &b);
                    let refus = v.iter().filter(|v| !v.satisfaite).count();
                    assert_eq!(refus, usize::from(!e.est_eligible()), "{}", s.id);
                    if e.est_eligible() {
                        assert_eq!(v.len(), 6, "{}", s.id);
                    } else {
                        assert_eq!(v.last().map(|v| v.regle), Some(m), "{}", s.id);
                    }
                    vus.insert(m);
                }
            }
        }
        assert_eq!(vus.len(), 7, "{vus:?}");
    }
}
