//! Renderings of a [`Verification`]: terminal table, CSV, JSON.
//!
//! The table shows user texts through [`texte_terminal`] (control characters made visible,
//! long fields cut with `…`); the CSV keeps the full values (neutralised against formula
//! injection), the JSON keeps them as they are.

use super::{montant_fr, texte_sur, texte_terminal, Profil, LARGEUR_CHAMP};
use crate::modele::Montant;
use crate::verification::{LigneVerifiee, Statut, Verification, SCHEMA};

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

/// A user text in the terminal rendering: control characters shown, cut at
/// [`LARGEUR_CHAMP`] characters.
fn champ(s: &str) -> String {
    texte_terminal(s, LARGEUR_CHAMP)
}

/// A multi-line text of the rendering, each line neutralised (its own line breaks kept).
fn texte_affichable_lignes(s: &str) -> String {
    s.split('\n')
        .map(|l| crate::diagnostic::texte_affichable(l).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Terminal rendering: table, unmatched lines, explanations, summary.
pub fn rendre_table(v: &Verification, largeur: Option<u16>, couleur: bool) -> String {
    let mut o = entete_table(v);
    o.push_str(&tableau(v, largeur, couleur));
    o.push('\n');
    let problemes: Vec<&LigneVerifiee> = v
        .lignes
        .iter()
        .filter(|l| l.statut != Statut::Concorde || l.nom_d_une_autre.is_some())
        .collect();
    if !problemes.is_empty() {
        o.push_str("\nDétail des écarts et des lignes non rapprochées\n");
        for l in problemes {
            o.push_str(&detail_ligne(l));
        }
    }
    o.push_str(&resume(v));
    o
}

/// The title: the notification, the convention, the exercice and the scope.
fn entete_table(v: &Verification) -> String {
    let mut o = format!(
        "Vérification de la notification {} — {} — exercice {}\n",
        crate::diagnostic::texte_affichable(&v.fichier),
        champ(&v.convention),
        v.exercice
    );
    if let Some(p) = &v.perimetre {
        o.push_str(&format!(
            "{} : {} (les structures hors de ce périmètre ne sont pas attendues dans la notification)\n",
            if p.deduit {
                "Notification partielle, reconnue à ses lignes"
            } else {
                "Vérification limitée à"
            },
            crate::diagnostic::texte_affichable(&p.libelle)
        ));
    }
    o
}

/// The table of the lines: line, structure, notified, recalculated, difference, finding.
fn tableau(v: &Verification, largeur: Option<u16>, couleur: bool) -> String {
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
            (Some(i), Some(n)) => format!("{}\n{}", champ(i), champ(n)),
            _ => champ(&l.libelle),
        };
        let mut constat = match (&l.statut, &l.cause) {
            (Statut::Ecart | Statut::Absente, Some(c)) => c.libelle.to_string(),
            (s, _) => s.libelle().to_string(),
        };
        // in the table a short mark (the detail below names the other structure)
        if l.nom_d_une_autre.is_some() {
            constat.push_str("\nnom d'une autre structure");
        }
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
    t.to_string()
}

/// A line that does not agree, and why: `  • ligne 4, EAJE-ARC : …`.
fn detail_ligne(l: &LigneVerifiee) -> String {
    let qui = match (&l.id, l.ligne) {
        (Some(i), Some(n)) => format!("ligne {n}, {}", champ(i)),
        (Some(i), None) => champ(i),
        (None, Some(n)) => format!("ligne {n}, {}", champ(&l.libelle)),
        (None, None) => champ(&l.libelle),
    };
    let texte = match l.statut {
        Statut::Introuvable => format!(
            "aucune structure de ce nom ou de cet id{}",
            l.candidats.first().map_or(String::new(), |c| format!(
                " ; la plus proche : {}",
                champ(c)
            ))
        ),
        Statut::Ambigue => format!(
            "plusieurs structures portent ce nom : {} ; indiquez l'id",
            l.candidats
                .iter()
                .map(|c| champ(c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Statut::Doublon => format!(
            "structure {} : ligne ignorée",
            l.candidats
                .iter()
                .map(|c| champ(c))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        _ => match &l.cause {
            Some(c) => {
                let mut s = format!("{} — {}", c.libelle, c.explication);
                for a in &c.autres {
                    s.push_str(&format!("\n      autre explication possible : {a}"));
                }
                s
            }
            None => l.statut.libelle().to_string(),
        },
    };
    let texte = match &l.nom_d_une_autre {
        Some(a) => format!("{texte} ; {}", nom_d_une_autre(a)),
        None => texte,
    };
    // explanations quote the dossier's texts (a charge's libellé): shown, not obeyed
    format!("  • {qui} : {}\n", texte_affichable_lignes(&texte))
}

/// The summary: counts by finding, totals, and whether the notification agrees.
fn resume(v: &Verification) -> String {
    let ecarts = v
        .lignes
        .iter()
        .filter(|l| l.statut == Statut::Ecart)
        .count();
    format!(
        "\nRésumé : {} ligne{} lue{}, {} concordante{} au centime, {} écart{}, {} absente{}, {} non rapprochée{} ou ambiguë{}, {} en double.\nTotal notifié {} ; total recalculé ({}) {} ; différence {}.\n{}\n",
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
        if v.perimetre.is_some() {
            "structures du périmètre"
        } else {
            "toutes structures"
        },
        montant_fr(v.total_recalcule),
        ecart_fr(Some(Montant(v.total_notifie.0 - v.total_recalcule.0))),
        if v.concorde() {
            "La notification concorde au centime avec le calcul."
        } else {
            "La notification ne concorde pas avec le calcul (code de sortie 3)."
        }
    )
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

/// A line found by its id whose name is another structure's `autre` (id « nom »), in words.
pub fn nom_d_une_autre(autre: &str) -> String {
    format!("attention : le nom de la ligne est celui de {autre}")
}

/// CSV rendering (one row per line of the check).
pub fn rendre_csv(v: &Verification, p: Profil) -> Vec<u8> {
    let mut w = crate::rapport::csv::constructeur(p).from_writer(Vec::new());
    let _ = w.write_record(COLONNES_CSV);
    let m = |x: Option<Montant>| x.map_or(String::new(), |x| p.montant(x));
    for l in &v.lignes {
        let mut explication = match l.statut {
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
        if let Some(a) = &l.nom_d_une_autre {
            if !explication.is_empty() {
                explication.push_str(" | ");
            }
            explication.push_str(&nom_d_une_autre(a));
        }
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
                "nom_d_une_autre_structure": l.nom_d_une_autre,
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
        "perimetre": v.perimetre.as_ref().map(|p| json!({
            "libelle": p.libelle,
            "deduit": p.deduit,
        })),
    });
    let mut s = serde_json::to_string_pretty(&val).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}
