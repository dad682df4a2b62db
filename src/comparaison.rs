//! `bonus-ctg comparer DOSSIER_A DOSSIER_B`: per-structure differences between two scenarios
//! (e.g. a crèche adding 10 places), with totals per collectivité and per gestionnaire.
//! Structures are matched by `id`; one present in a single scenario is shown with zero
//! amounts on the other side. Pure: two results in, a [`Comparaison`] out.

use crate::calcul::eligibilite::Motif;
use crate::calcul::{Resultat, Totaux};
use crate::diagnostic::{Code, Diagnostic};
use crate::modele::{Montant, Unites};
use std::collections::BTreeMap;

/// Renderings (table, CSV, JSON) live in the report layer.
pub use crate::rapport::comparaison::{rendre_csv, rendre_json, rendre_table};

pub const SCHEMA: &str = "bonus-ctg.comparaison.v1";

/// A figure in both scenarios.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Paire {
    pub a: Montant,
    pub b: Montant,
}

impl Paire {
    pub fn ecart(&self) -> Montant {
        Montant(self.b.0 - self.a.0)
    }
    pub fn change(&self) -> bool {
        self.a != self.b
    }
}

/// One structure in both scenarios.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StructureComparee {
    pub id: String,
    pub nom: String,
    pub gestionnaire: String,
    pub collectivite: String,
    pub presente_a: bool,
    pub presente_b: bool,
    pub motif_a: Option<Motif>,
    pub motif_b: Option<Motif>,
    pub unites_a: Unites,
    pub unites_b: Unites,
    pub nouvelles_a: Unites,
    pub nouvelles_b: Unites,
    pub bonus: Paire,
    pub contribution: Paire,
    pub financement_public: Paire,
}

impl StructureComparee {
    pub fn change(&self) -> bool {
        self.presente_a != self.presente_b
            || self.motif_a != self.motif_b
            || self.unites_a != self.unites_b
            || self.nouvelles_a != self.nouvelles_b
            || self.bonus.change()
            || self.contribution.change()
            || self.financement_public.change()
    }
}

/// Totals of a gestionnaire, a collectivité or the whole CTG in both scenarios.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TotauxCompares {
    pub cle: String,
    /// What the Caf pays: bonus to the structures (+ pilotage for a collectivité / overall).
    pub verse_caf: Paire,
    pub bonus: Paire,
    pub contribution: Paire,
    pub financement_public: Paire,
}

impl TotauxCompares {
    pub fn change(&self) -> bool {
        self.verse_caf.change()
            || self.bonus.change()
            || self.contribution.change()
            || self.financement_public.change()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Comparaison {
    pub a: String,
    pub b: String,
    pub exercice_a: i32,
    pub exercice_b: i32,
    pub structures: Vec<StructureComparee>,
    pub gestionnaires: Vec<TotauxCompares>,
    pub collectivites: Vec<TotauxCompares>,
    pub total: TotauxCompares,
}

fn totaux(cle: &str, a: Option<&Totaux>, b: Option<&Totaux>, caf: Paire) -> TotauxCompares {
    let d = Totaux::default();
    let (a, b) = (a.unwrap_or(&d), b.unwrap_or(&d));
    TotauxCompares {
        cle: cle.to_string(),
        verse_caf: caf,
        bonus: Paire {
            a: a.bonus_total,
            b: b.bonus_total,
        },
        contribution: Paire {
            a: a.contribution_n,
            b: b.contribution_n,
        },
        financement_public: Paire {
            a: a.financement_public_n,
            b: b.financement_public_n,
        },
    }
}

/// Compares scenario `a` with scenario `b` (named for the reports).
pub fn comparer(ra: &Resultat, rb: &Resultat, nom_a: &str, nom_b: &str) -> Comparaison {
    let total = totaux(
        "TOTAL",
        Some(&ra.total.structures),
        Some(&rb.total.structures),
        Paire {
            a: ra.total.verse_caf,
            b: rb.total.verse_caf,
        },
    );
    Comparaison {
        a: nom_a.to_string(),
        b: nom_b.to_string(),
        exercice_a: ra.exercice,
        exercice_b: rb.exercice,
        structures: structures_comparees(ra, rb),
        gestionnaires: gestionnaires_compares(ra, rb),
        collectivites: collectivites_comparees(ra, rb),
        total,
    }
}

/// What the comparison of two scenarios should not leave unsaid: scenarios of two different
/// conventions (W088, their names differ, case and spaces aside) — most often a folder picked
/// by mistake — and scenarios with no structure in common (W089), whose every line is « absent
/// of A » or « absent of B ». The comparison is still made and printed.
pub fn avertissements(c: &Comparaison, ra: &Resultat, rb: &Resultat) -> Vec<Diagnostic> {
    use crate::lecture::texte::cle_id;
    let mut d = Vec::new();
    let (na, nb) = (&ra.convention.nom, &rb.convention.nom);
    if cle_id(na) != cle_id(nb) {
        d.push(
            Diagnostic::avertissement(
                Code::W088,
                c.b.as_str(),
                format!(
                    "le scénario B porte sur la convention « {nb} », le scénario A ({}) sur « {na} » : les écarts mêlent deux conventions",
                    c.a
                ),
            )
            .conseil("comparez deux scénarios d'une même convention (même `nom` dans convention.toml)"),
        );
    }
    let communes = c
        .structures
        .iter()
        .filter(|s| s.presente_a && s.presente_b)
        .count();
    if communes == 0 && !ra.structures.is_empty() && !rb.structures.is_empty() {
        d.push(
            Diagnostic::avertissement(
                Code::W089,
                c.b.as_str(),
                format!(
                    "aucune structure commune avec le scénario A ({}) : chaque ligne est une structure absente de l'un des deux",
                    c.a
                ),
            )
            .conseil("vérifiez les dossiers comparés et les identifiants (colonne id) des structures"),
        );
    }
    d
}

/// Every structure of either scenario, side by side, in the byte order of their ids. A
/// structure is found in both by its id compared as every id of a dossier is (case, spaces
/// and dashes aside: `EAJE-BALZAC` and `eaje-balzac` are one structure, as in `verifier`
/// and the events file), not listed once removed and once added.
fn structures_comparees(ra: &Resultat, rb: &Resultat) -> Vec<StructureComparee> {
    use crate::calcul::LigneStructure;
    use crate::lecture::texte::cle_id;
    let par_cle = |r: &'_ Resultat| -> BTreeMap<String, usize> {
        let mut m = BTreeMap::new();
        for (i, l) in r.structures.iter().enumerate() {
            m.entry(cle_id(&l.structure.id)).or_insert(i);
        }
        m
    };
    let (ca, cb) = (par_cle(ra), par_cle(rb));
    let mut paires: Vec<(Option<&LigneStructure>, Option<&LigneStructure>)> = Vec::new();
    for (cle, &i) in &ca {
        paires.push((
            Some(&ra.structures[i]),
            cb.get(cle).map(|&j| &rb.structures[j]),
        ));
    }
    for (cle, &j) in &cb {
        if !ca.contains_key(cle) {
            paires.push((None, Some(&rb.structures[j])));
        }
    }
    let id = |p: &(Option<&LigneStructure>, Option<&LigneStructure>)| {
        p.1.or(p.0)
            .map_or("", |l| l.structure.id.as_str())
            .as_bytes()
            .to_vec()
    };
    paires.sort_by_key(id);
    let mut structures = Vec::with_capacity(paires.len());
    for (la, lb) in paires {
        let Some(s) = lb.or(la).map(|l| &l.structure) else {
            continue;
        };
        let p = |f: fn(&crate::calcul::LigneStructure) -> Montant| Paire {
            a: la.map_or(Montant(0), f),
            b: lb.map_or(Montant(0), f),
        };
        structures.push(StructureComparee {
            id: s.id.to_string(),
            nom: s.nom.to_string(),
            gestionnaire: s.gestionnaire.to_string(),
            collectivite: s.collectivite.to_string(),
            presente_a: la.is_some(),
            presente_b: lb.is_some(),
            motif_a: la.map(|l| l.motif()),
            motif_b: lb.map(|l| l.motif()),
            unites_a: la.map_or(Unites(0), |l| l.unites_eligibles),
            unites_b: lb.map_or(Unites(0), |l| l.unites_eligibles),
            nouvelles_a: la.map_or(Unites(0), |l| l.structure.unites_nouvelles),
            nouvelles_b: lb.map_or(Unites(0), |l| l.structure.unites_nouvelles),
            bonus: p(|l| l.bonus_total),
            contribution: p(|l| l.contribution_n),
            financement_public: p(|l| l.financement_public_n),
        });
    }
    structures
}

/// Every gestionnaire of either scenario, by name; the Caf's part is the bonus.
fn gestionnaires_compares(ra: &Resultat, rb: &Resultat) -> Vec<TotauxCompares> {
    let mut gest: BTreeMap<&str, ()> = BTreeMap::new();
    for k in ra.gestionnaires.keys().chain(rb.gestionnaires.keys()) {
        gest.insert(k, ());
    }
    gest.keys()
        .map(|g| {
            let (a, b) = (ra.gestionnaires.get(*g), rb.gestionnaires.get(*g));
            let caf = Paire {
                a: a.map_or(Montant(0), |t| t.bonus_total),
                b: b.map_or(Montant(0), |t| t.bonus_total),
            };
            totaux(g, a, b, caf)
        })
        .collect()
}

/// Every collectivité of either scenario, by id; the Caf's part is all it pays there.
fn collectivites_comparees(ra: &Resultat, rb: &Resultat) -> Vec<TotauxCompares> {
    let mut coll: BTreeMap<&str, ()> = BTreeMap::new();
    for k in ra.collectivites.keys().chain(rb.collectivites.keys()) {
        coll.insert(k, ());
    }
    coll.keys()
        .map(|c| {
            let (a, b) = (ra.collectivites.get(*c), rb.collectivites.get(*c));
            let caf = Paire {
                a: a.map_or(Montant(0), |t| t.verse_caf),
                b: b.map_or(Montant(0), |t| t.verse_caf),
            };
            totaux(c, a.map(|t| &t.structures), b.map(|t| &t.structures), caf)
        })
        .collect()
}
