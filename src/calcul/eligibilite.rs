//! Eligibility of a structure (R15): six rules checked in order; the first failing one
//! gives the reason code (`motif`).

use crate::bareme::{BaremeExercice, Versement, VoletExercice};
use crate::modele::{Annexe, Convention, Structure};
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum Motif {
    #[serde(rename = "ELIGIBLE")]
    Eligible,
    #[serde(rename = "ANNEXE_2BIS")]
    Annexe2Bis,
    #[serde(rename = "TYPE_SANS_VOLET")]
    TypeSansVolet,
    #[serde(rename = "FINANCEMENT_INCOMPATIBLE")]
    FinancementIncompatible,
    #[serde(rename = "SANS_SOUTIEN_COLLECTIVITE")]
    SansSoutienCollectivite,
    #[serde(rename = "COLLECTIVITE_NON_SIGNATAIRE")]
    CollectiviteNonSignataire,
    #[serde(rename = "FERMEE")]
    Fermee,
}

impl Motif {
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub regle: Motif,
    pub satisfaite: bool,
    pub detail: String,
}

/// Outcome of the eligibility rules for one structure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Eligibilite {
    /// The volet its type maps to (kept even when ineligible, R3).
    pub volet: Option<String>,
    pub motif: Motif,
    /// Rules checked, in order, up to the first failing one.
    pub verifications: Vec<Verification>,
}

/// Applies R15 to one structure.
pub fn evaluer(s: &Structure, convention: &Convention, bareme: &BaremeExercice) -> Eligibilite {
    let signataire = convention
        .collectivite(&s.collectivite)
        .is_some_and(|c| c.signataire);
    evaluer_signataire(s, signataire, bareme)
}

/// The reason code and the volet only (no wording): the same rules as [`evaluer`], for the
/// checks that do not report the details (validation).
pub fn motif<'b>(
    s: &Structure,
    signataire: bool,
    bareme: &'b BaremeExercice,
) -> (Option<&'b VoletExercice>, Motif) {
    let volet = bareme.volet_du_type(s.type_structure);
    let motif = if s.annexe != Annexe::Deux {
        Motif::Annexe2Bis
    } else {
        match volet.filter(|v| v.versement.valeur == Versement::Structures) {
            None => Motif::TypeSansVolet,
            Some(v)
                if !v
                    .financement
                    .valeur
                    .as_ref()
                    .is_none_or(|l| l.contains(&s.financement)) =>
            {
                Motif::FinancementIncompatible
            }
            Some(_) if !s.soutien_collectivite => Motif::SansSoutienCollectivite,
            Some(_) if !signataire => Motif::CollectiviteNonSignataire,
            Some(_) if s.mois_ouverture == 0 => Motif::Fermee,
            Some(_) => Motif::Eligible,
        }
    };
    (volet, motif)
}

/// [`evaluer`] when the collectivité's `signataire` flag is already known (looked up once
/// per collectivité by the caller instead of once per structure).
pub fn evaluer_signataire(s: &Structure, signataire: bool, bareme: &BaremeExercice) -> Eligibilite {
    let volet = bareme.volet_du_type(s.type_structure);
    let mut verifs = Vec::new();
    let mut regle = |m: Motif, ok: bool, detail: String| {
        verifs.push(Verification {
            regle: m,
            satisfaite: ok,
            detail,
        });
        ok
    };
    let motif = 'm: {
        if !regle(
            Motif::Annexe2Bis,
            s.annexe == Annexe::Deux,
            format!(
                "annexe {} (l'annexe 2 bis n'est pas éligible)",
                s.annexe.libelle()
            ),
        ) {
            break 'm Motif::Annexe2Bis;
        }
        let volet_reparti = volet.filter(|v| v.versement.valeur == Versement::Structures);
        let couvert = regle(
            Motif::TypeSansVolet,
            volet_reparti.is_some(),
            match volet {
                Some(v) if volet_reparti.is_some() => {
                    format!("type {} → volet {}", s.type_structure, v.nom)
                }
                Some(v) => format!(
                    "type {} → volet {} non réparti sur les structures",
                    s.type_structure, v.nom
                ),
                None => format!(
                    "type {} : aucun volet du barème ne le couvre",
                    s.type_structure
                ),
            },
        );
        let (true, Some(v)) = (couvert, volet_reparti) else {
            break 'm Motif::TypeSansVolet;
        };
        let admis = &v.financement.valeur;
        let ok = admis.as_ref().is_none_or(|l| l.contains(&s.financement));
        let liste = admis
            .as_ref()
            .map(|l| l.iter().map(|f| f.code()).collect::<Vec<_>>().join(", "))
            .unwrap_or_else(|| "tous".into());
        if !regle(
            Motif::FinancementIncompatible,
            ok,
            format!(
                "financement {} ; admis pour le volet {} : {liste}",
                s.financement, v.nom
            ),
        ) {
            break 'm Motif::FinancementIncompatible;
        }
        if !regle(
            Motif::SansSoutienCollectivite,
            s.soutien_collectivite,
            format!(
                "soutien de la collectivité : {}",
                if s.soutien_collectivite { "oui" } else { "non" }
            ),
        ) {
            break 'm Motif::SansSoutienCollectivite;
        }
        if !regle(
            Motif::CollectiviteNonSignataire,
            signataire,
            format!(
                "collectivité {} signataire : {}",
                s.collectivite,
                if signataire { "oui" } else { "non" }
            ),
        ) {
            break 'm Motif::CollectiviteNonSignataire;
        }
        if !regle(
            Motif::Fermee,
            s.mois_ouverture > 0,
            format!("{} mois d'ouverture dans l'exercice", s.mois_ouverture),
        ) {
            break 'm Motif::Fermee;
        }
        Motif::Eligible
    };
    Eligibilite {
        volet: volet.map(|v| v.nom.clone()),
        motif,
        verifications: verifs,
    }
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
                for s in &lu.dossier.structures {
                    let e = evaluer(s, conv, &b);
                    let sig = conv.collectivite(&s.collectivite).unwrap().signataire;
                    let (v, m) = motif(s, sig, &b);
                    assert_eq!(m, e.motif, "{}", s.id);
                    assert_eq!(v.map(|v| v.nom.clone()), e.volet, "{}", s.id);
                    assert_eq!(evaluer_signataire(s, sig, &b), e);
                    vus.insert(m);
                }
            }
        }
        assert_eq!(vus.len(), 7, "{vus:?}");
    }
}
