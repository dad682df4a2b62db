//! What every renderer of an explanation shows (text, HTML, XLSX): the calculation's tree
//! ([`crate::calcul::explication`]) walked depth first, one [`Ligne`] per node — its label,
//! its formula as the node carries it, the same formula with its operands' values, its
//! value, its rule and the barème parameters it read. Nothing here knows a formula: they all
//! come from the nodes.

use super::{euros, groupe_fr, montant_fr};
use crate::bareme::Source;
use crate::calcul::explication::{Explication, Noeud, ParametreLu, Valeur};
use crate::calcul::rationnel::{Rationnel, R};
use crate::calcul::Resultat;
use crate::modele::Unites;

/// One node, ready to be shown.
pub struct Ligne<'a> {
    /// 0 for a figure of the explanation (a section), then one more per operand level.
    pub profondeur: usize,
    pub noeud: &'a Noeud,
    /// The node's id when it is a symbol a formula names (`m_eff`, `A`…), `None` for a datum
    /// only described by its label (a charge line, an eligibility rule).
    pub symbole: Option<&'a str>,
    /// The formula with the operands' values in place of their ids, when every name in it
    /// is an operand or a parameter of the node.
    pub avec_valeurs: Option<String>,
    /// The value in French (`1 260,257861 € (exactement 130184637/1033 centimes)`).
    pub valeur: String,
    pub parametres: Vec<Parametre<'a>>,
}

/// A barème parameter read by a node.
pub struct Parametre<'a> {
    pub lu: &'a ParametreLu,
    pub valeur: String,
}

impl Parametre<'_> {
    /// `plancher = 0,00 € (case retenue)`.
    pub fn texte(&self) -> String {
        format!(
            "{} = {}{}",
            self.lu.nom,
            self.valeur,
            if self.lu.case_de_grille {
                " (case retenue)"
            } else {
                ""
            }
        )
    }
}

/// Where a barème value comes from, in French (`None`: absent from the barème).
pub fn source(s: &Option<Source>) -> String {
    match s {
        Some(s) => format!(
            "[{} ; en vigueur depuis le {} ; statut : {} ; source : {} ; fichier : {}]",
            s.parametre,
            s.debut.en_toutes_lettres(),
            s.statut.libelle(),
            s.reference,
            s.origine
        ),
        None => "[absent du barème : valeur neutre par défaut, docs/bareme.md]".into(),
    }
}

impl Ligne<'_> {
    /// The value and, apart, the exact fraction that follows a rounded display
    /// (`1 260,257861 €`, `(exactement 130184637/1033 centimes)`).
    pub fn valeur_et_fraction(&self) -> (&str, Option<&str>) {
        match self.valeur.find(" (exactement ") {
            Some(i) => (&self.valeur[..i], Some(&self.valeur[i + 1..])),
            None => (&self.valeur, None),
        }
    }
    /// The node on one line: `id = formule = formule avec les valeurs = valeur — libellé
    /// (règle)` for a figure, `libellé : valeur (règle)` for a datum, `[oui] libellé (règle)`
    /// for a rule checked.
    pub fn texte(&self) -> String {
        let n = self.noeud;
        match self.symbole {
            Some(id) => {
                let mut t = format!("{id} = ");
                if let Some(f) = &n.formule {
                    t.push_str(f);
                    t.push_str(" = ");
                }
                if let Some(v) = &self.avec_valeurs {
                    t.push_str(v);
                    t.push_str(" = ");
                }
                format!("{t}{} — {} ({})", self.valeur, n.libelle, n.regle)
            }
            None => match &n.valeur {
                // a text value is a code (the eligibility reason) that the label says in
                // words: the code is for the JSON
                Valeur::Texte(_) => format!("{} ({})", n.libelle, n.regle),
                // a rule checked: its label says what holds or fails
                Valeur::Booleen(b) => format!(
                    "[{}] {} ({})",
                    if *b { "oui" } else { "non" },
                    n.libelle,
                    n.regle
                ),
                _ => {
                    let formule = n
                        .formule
                        .as_deref()
                        .map_or(String::new(), |f| format!("{f} = "));
                    format!("{} : {formule}{} ({})", n.libelle, self.valeur, n.regle)
                }
            },
        }
    }
}

/// The figures of an explanation, in order, each with its lines (the figure first).
pub fn figures(e: &Explication) -> R<Vec<Vec<Ligne<'_>>>> {
    e.figures().into_iter().map(lignes).collect()
}

/// The lines of a node and of its operands, depth first.
pub fn lignes(n: &Noeud) -> R<Vec<Ligne<'_>>> {
    let mut v = Vec::new();
    parcourir(n, 0, None, &mut v)?;
    Ok(v)
}

fn parcourir<'a>(
    n: &'a Noeud,
    profondeur: usize,
    parent: Option<&str>,
    v: &mut Vec<Ligne<'a>>,
) -> R<()> {
    let nomme = parent.is_some_and(|f| noms(f).any(|x| x == n.id));
    let symbole = (n.formule.is_some() || nomme).then_some(n.id);
    let parametres = n
        .parametres
        .iter()
        .map(|p| {
            Ok(Parametre {
                lu: p,
                valeur: valeur_fr(&p.valeur, true)?,
            })
        })
        .collect::<R<Vec<_>>>()?;
    v.push(Ligne {
        profondeur,
        noeud: n,
        symbole,
        avec_valeurs: avec_valeurs(n)?,
        valeur: valeur_fr(&n.valeur, false)?,
        parametres,
    });
    for o in &n.operandes {
        parcourir(o, profondeur + 1, n.formule.as_deref(), v)?;
    }
    Ok(())
}

/// The names of a formula (runs of letters, digits and `_` not starting with a digit).
fn noms(f: &str) -> impl Iterator<Item = &str> {
    f.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|x| x.chars().next().is_some_and(|c| !c.is_ascii_digit()))
}

/// Functions a formula may call.
const FONCTIONS: [&str; 3] = ["max", "min", "arrondi"];

/// The formula with each name replaced by the value of the operand (or parameter) of that
/// id; `None` when a name is neither (a formula in words) or it sums over operands not all
/// listed (`Σ`).
fn avec_valeurs(n: &Noeud) -> R<Option<String>> {
    let Some(f) = n.formule.as_deref() else {
        return Ok(None);
    };
    if f.contains('Σ') {
        return Ok(None);
    }
    let mut o = String::new();
    let mut nom = String::new();
    let mut remplaces = 0;
    for c in f.chars().chain(std::iter::once('\0')) {
        if c.is_alphanumeric() || c == '_' {
            nom.push(c);
            continue;
        }
        if !nom.is_empty() {
            let debut_chiffre = nom.starts_with(|c: char| c.is_ascii_digit());
            if debut_chiffre || FONCTIONS.contains(&nom.as_str()) {
                o.push_str(&nom);
            } else if let Some(x) = n.operandes.iter().find(|x| x.id == nom) {
                o.push_str(&valeur_fr(&x.valeur, true)?);
                remplaces += 1;
            } else if let Some(p) = n.parametres.iter().find(|p| p.nom == nom) {
                o.push_str(&valeur_fr(&p.valeur, true)?);
                remplaces += 1;
            } else {
                return Ok(None);
            }
            nom.clear();
        }
        if c != '\0' {
            o.push(c);
        }
    }
    Ok((remplaces > 0).then_some(o))
}

/// A value in French; `court`: without the exact fraction of a rational.
pub fn valeur_fr(v: &Valeur, court: bool) -> R<String> {
    Ok(match v {
        Valeur::Montant(m) => montant_fr(*m),
        Valeur::Exact(r) => {
            if r.den() == 1 {
                format!("{} €", groupe_fr(&euros(r, 2)?))
            } else if court {
                format!("{} €", groupe_fr(&euros(r, 6)?))
            } else {
                format!("{} € (exactement {} centimes)", groupe_fr(&euros(r, 6)?), r)
            }
        }
        Valeur::Unites(u) => groupe_fr(&u.to_string()),
        Valeur::UnitesMois(u) => {
            let t = groupe_fr(&Unites(u.0).to_string());
            if court {
                t
            } else {
                format!("{t} unités-mois")
            }
        }
        Valeur::UnitesExactes(r) => {
            if r.den() == 1 || court {
                groupe_fr(&euros(r, 2)?)
            } else {
                format!("{} (exactement {} centièmes)", groupe_fr(&euros(r, 4)?), r)
            }
        }
        Valeur::Entier(i) => i.to_string(),
        Valeur::Decimal(d) => crate::rapport::parametres::pourcentage(*d),
        Valeur::Rapport(r) => rapport_fr(r, court)?,
        Valeur::Booleen(b) => if *b { "oui" } else { "non" }.into(),
        Valeur::Texte(t) => t.clone(),
    })
}

/// A pure ratio: `1`, `0,8125`, `0,333333 (exactement 1/3)`.
fn rapport_fr(r: &Rationnel, court: bool) -> R<String> {
    if r.den() == 1 {
        return Ok(r.to_string());
    }
    let d = r.mul(Rationnel::entier(100))?;
    let six = euros(&d, 6)?;
    // a decimal of at most 6 digits is exact: no fraction after it
    let exact = euros(&d, 12)?.trim_end_matches('0') == six.trim_end_matches('0');
    let t = groupe_fr(six.trim_end_matches('0'));
    Ok(if court || exact {
        t
    } else {
        format!("{t} (exactement {r})")
    })
}

/// The structure an explanation is about, as its header says it.
pub struct Entete {
    pub id: String,
    pub nom: String,
    /// Its line in the structures table; `None` for a structure added in a simulation.
    pub ligne: Option<u64>,
    /// `type EAJE ; annexe 2 ; gestionnaire … ; collectivité … ; financement PSU`.
    pub description: String,
    pub exercice: i32,
    pub convention: String,
}

impl Entete {
    /// The header of `e`, the structure as computed (its line in `r`: a projected year
    /// keeps its structures there only).
    pub fn de(r: &Resultat, e: &Explication, convention: &str) -> R<Self> {
        let s =
            r.structure(&e.id)
                .map(|l| &l.structure)
                .ok_or(crate::calcul::rationnel::Invariant(
                    "structure expliquée absente du résultat",
                ))?;
        Ok(Entete {
            id: s.id.to_string(),
            nom: s.nom.to_string(),
            ligne: s.origine().ligne(),
            description: format!(
                "type {} ; annexe {} ; gestionnaire {} ; collectivité {} ; financement {}",
                s.type_structure,
                s.annexe.libelle(),
                s.gestionnaire,
                s.collectivite,
                s.financement
            ),
            exercice: e.exercice,
            convention: convention.to_string(),
        })
    }
    /// `Structure EAJE-TARNIER — Multi-accueil Tarnier (table structures, ligne 9)`: the
    /// table, not a file name (the same line of `structures.csv` or of the `structures`
    /// sheet of a workbook).
    pub fn titre(&self) -> String {
        let ou = match self.ligne {
            None => "ajoutée dans la simulation".to_string(),
            Some(l) => format!("table structures, ligne {l}"),
        };
        format!("Structure {} — {} ({ou})", self.id, self.nom)
    }
    /// `exercice 2025 ; convention « CTG Ville de Dijon 2024-2027 »`.
    pub fn cadre(&self) -> String {
        format!(
            "exercice {} ; convention « {} »",
            self.exercice, self.convention
        )
    }
}

/// `Éligibilité…`: a line starting with a label starts with a capital.
pub fn majuscule(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(p) => p.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
