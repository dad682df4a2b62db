//! Renderings of `bonus-ctg comparer` (terminal table, CSV, JSON) from the data of
//! [`crate::comparaison`].

use super::{groupe_fr, montant_fr, texte_sur, Profil};
use crate::comparaison::{Comparaison, Paire, StructureComparee, TotauxCompares, SCHEMA};
use crate::modele::{Montant, Unites};

fn signe(m: Montant) -> String {
    if m.0 > 0 {
        format!("+{}", montant_fr(m))
    } else {
        montant_fr(m)
    }
}

fn unites_fr(u: Unites) -> String {
    let s = u.to_string();
    let s = s.trim_end_matches('0').trim_end_matches('.');
    groupe_fr(s)
}

fn fleche<T: PartialEq>(a: T, b: T, f: impl Fn(&T) -> String) -> String {
    if a == b {
        f(&a)
    } else {
        format!("{} → {}", f(&a), f(&b))
    }
}

/// Terminal rendering: changed structures (all with `tout`), then totals.
pub fn rendre_table(c: &Comparaison, largeur: Option<u16>, couleur: bool, tout: bool) -> String {
    let term = Terminal { largeur, couleur };
    let mut o = format!(
        "Comparaison des scénarios\n  A : {} (exercice {})\n  B : {} (exercice {})\n\n",
        c.a, c.exercice_a, c.b, c.exercice_b
    );
    o.push_str(&term.structures(c, tout));
    let coll: Vec<&TotauxCompares> = c
        .collectivites
        .iter()
        .chain(std::iter::once(&c.total))
        .collect();
    o.push_str(&term.totaux(
        "Totaux par collectivité (Caf : bonus et CTRE versés aux structures + versé à la collectivité)",
        "collectivité",
        &coll,
    ));
    let gest: Vec<&TotauxCompares> = c
        .gestionnaires
        .iter()
        .filter(|g| tout || g.change())
        .collect();
    if gest.is_empty() {
        o.push_str("\nTotaux par gestionnaire : aucun changement\n");
    } else {
        o.push_str(&term.totaux(
            if tout {
                "Totaux par gestionnaire (Caf : bonus versé)"
            } else {
                "Totaux par gestionnaire dont un chiffre change (Caf : bonus versé)"
            },
            "gestionnaire",
            &gest,
        ));
    }
    o.push_str(&format!(
        "\nTotal versé par la Caf : {} → {} ({}) ; contributions des collectivités : {} → {} ({}).\n",
        montant_fr(c.total.verse_caf.a),
        montant_fr(c.total.verse_caf.b),
        signe(c.total.verse_caf.ecart()),
        montant_fr(c.total.contribution.a),
        montant_fr(c.total.contribution.b),
        signe(c.total.contribution.ecart()),
    ));
    o
}

/// The terminal's tables: width, colours.
struct Terminal {
    largeur: Option<u16>,
    couleur: bool,
}

impl Terminal {
    fn nouvelle(&self, entetes: &[&str]) -> comfy_table::Table {
        use comfy_table::{presets, Cell, ContentArrangement, Table};
        let mut t = Table::new();
        t.load_preset(presets::UTF8_FULL_CONDENSED);
        t.set_content_arrangement(ContentArrangement::Dynamic);
        if let Some(l) = self.largeur {
            t.set_width(l);
        }
        if self.couleur {
            t.enforce_styling();
        }
        t.set_header(entetes.iter().map(Cell::new));
        t
    }

    fn droite(&self, s: String) -> comfy_table::Cell {
        comfy_table::Cell::new(s).set_alignment(comfy_table::CellAlignment::Right)
    }

    /// A difference, green when it grows, red when it falls.
    fn ecart(&self, m: Montant) -> comfy_table::Cell {
        use comfy_table::Color;
        let c = self.droite(signe(m));
        if self.couleur && m.0 != 0 {
            c.fg(if m.0 > 0 { Color::Green } else { Color::Red })
        } else {
            c
        }
    }

    /// The structures whose figures change (all with `tout`), and how many do not.
    fn structures(&self, c: &Comparaison, tout: bool) -> String {
        let changees: Vec<&StructureComparee> =
            c.structures.iter().filter(|s| tout || s.change()).collect();
        let inchangees = c.structures.iter().filter(|s| !s.change()).count();
        let mut o = String::from(if tout {
            "Structures\n"
        } else {
            "Structures dont un chiffre change\n"
        });
        if changees.is_empty() {
            o.push_str(
                "  aucune : les deux scénarios donnent les mêmes montants pour toutes les structures\n",
            );
        } else {
            let mut t = self.nouvelle(&[
                "id",
                "nom",
                "unités A → B",
                "motif",
                "bonus A",
                "bonus B",
                "écart bonus",
                "contrib. N A",
                "contrib. N B",
                "écart contrib.",
            ]);
            for s in &changees {
                t.add_row(self.ligne_structure(s));
            }
            o.push_str(&t.to_string());
            o.push('\n');
        }
        if !tout && inchangees > 0 {
            o.push_str(&format!(
                "({inchangees} structure{} inchangée{} non affichée{} : --tout pour les voir)\n",
                if inchangees > 1 { "s" } else { "" },
                if inchangees > 1 { "s" } else { "" },
                if inchangees > 1 { "s" } else { "" }
            ));
        }
        o
    }

    fn ligne_structure(&self, s: &StructureComparee) -> Vec<comfy_table::Cell> {
        use comfy_table::Cell;
        let presence = match (s.presente_a, s.presente_b) {
            (true, false) => " (absente de B)",
            (false, true) => " (absente de A)",
            _ => "",
        };
        let mut unites = fleche(s.unites_a, s.unites_b, |u| unites_fr(*u));
        if s.nouvelles_a != s.nouvelles_b || s.nouvelles_a.0 > 0 {
            unites.push_str(&format!(
                "\n+ nouvelles {}",
                fleche(s.nouvelles_a, s.nouvelles_b, |u| unites_fr(*u))
            ));
        }
        vec![
            Cell::new(&s.id),
            Cell::new(format!("{}{presence}", s.nom)),
            self.droite(unites),
            Cell::new(fleche(s.motif_a, s.motif_b, |m| {
                m.map_or("—".into(), |m| m.code().to_string())
            })),
            self.droite(montant_fr(s.bonus.a)),
            self.droite(montant_fr(s.bonus.b)),
            self.ecart(s.bonus.ecart()),
            self.droite(montant_fr(s.contribution.a)),
            self.droite(montant_fr(s.contribution.b)),
            self.ecart(s.contribution.ecart()),
        ]
    }

    /// A table of totals (`premiere`: the name of its key column) under its title.
    fn totaux(&self, titre: &str, premiere: &str, lignes: &[&TotauxCompares]) -> String {
        use comfy_table::Cell;
        let mut t = self.nouvelle(&[
            premiere,
            "Caf A",
            "Caf B",
            "écart Caf",
            "contrib. N A",
            "contrib. N B",
            "écart contrib.",
            "fin. public N A",
            "fin. public N B",
            "écart fin. public",
        ]);
        for x in lignes {
            t.add_row(vec![
                Cell::new(&x.cle),
                self.droite(montant_fr(x.verse_caf.a)),
                self.droite(montant_fr(x.verse_caf.b)),
                self.ecart(x.verse_caf.ecart()),
                self.droite(montant_fr(x.contribution.a)),
                self.droite(montant_fr(x.contribution.b)),
                self.ecart(x.contribution.ecart()),
                self.droite(montant_fr(x.financement_public.a)),
                self.droite(montant_fr(x.financement_public.b)),
                self.ecart(x.financement_public.ecart()),
            ]);
        }
        format!("\n{titre}\n{t}\n")
    }
}

pub const COLONNES_CSV: &[&str] = &[
    "niveau",
    "cle",
    "nom",
    "motif_a",
    "motif_b",
    "unites_a",
    "unites_b",
    "verse_caf_a",
    "verse_caf_b",
    "ecart_verse_caf",
    "bonus_a",
    "bonus_b",
    "ecart_bonus",
    "contribution_n_a",
    "contribution_n_b",
    "ecart_contribution_n",
    "financement_public_n_a",
    "financement_public_n_b",
    "ecart_financement_public_n",
];

/// CSV rendering: every structure, then every gestionnaire, collectivité and the total, one
/// table with a `niveau` column.
pub fn rendre_csv(c: &Comparaison, p: Profil) -> Vec<u8> {
    let mut w = crate::rapport::csv::constructeur(p).from_writer(Vec::new());
    let _ = w.write_record(COLONNES_CSV);
    let trio = |x: &Paire| [p.montant(x.a), p.montant(x.b), p.montant(x.ecart())];
    for s in &c.structures {
        let mut r = vec![
            "structure".to_string(),
            texte_sur(&s.id),
            texte_sur(&s.nom),
            s.motif_a.map_or(String::new(), |m| m.code().into()),
            s.motif_b.map_or(String::new(), |m| m.code().into()),
            p.unites(s.unites_a),
            p.unites(s.unites_b),
        ];
        r.extend(trio(&s.bonus)); // Caf pays a structure its bonus
        r.extend(trio(&s.bonus));
        r.extend(trio(&s.contribution));
        r.extend(trio(&s.financement_public));
        let _ = w.write_record(&r);
    }
    for (niveau, lignes) in [
        ("gestionnaire", c.gestionnaires.iter().collect::<Vec<_>>()),
        ("collectivite", c.collectivites.iter().collect()),
        ("total", vec![&c.total]),
    ] {
        for x in lignes {
            let mut r = vec![
                niveau.to_string(),
                texte_sur(&x.cle),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ];
            r.extend(trio(&x.verse_caf));
            r.extend(trio(&x.bonus));
            r.extend(trio(&x.contribution));
            r.extend(trio(&x.financement_public));
            let _ = w.write_record(&r);
        }
    }
    let mut o = crate::rapport::csv::bom(p).to_vec();
    o.extend(w.into_inner().unwrap_or_default());
    o
}

/// JSON rendering, schema `bonus-ctg.comparaison.v1` (amounts as decimal strings).
pub fn rendre_json(c: &Comparaison) -> Vec<u8> {
    use serde_json::{json, Value};
    let paire = |x: &Paire| json!({"a": x.a.to_string(), "b": x.b.to_string(), "ecart": x.ecart().to_string()});
    let tot = |x: &TotauxCompares| {
        json!({
            "cle": x.cle,
            "verse_caf": paire(&x.verse_caf),
            "bonus": paire(&x.bonus),
            "contribution_n": paire(&x.contribution),
            "financement_public_n": paire(&x.financement_public),
        })
    };
    let structures: Vec<Value> = c
        .structures
        .iter()
        .map(|s| {
            json!({
                "id": s.id,
                "nom": s.nom,
                "gestionnaire": s.gestionnaire,
                "collectivite": s.collectivite,
                "presente_a": s.presente_a,
                "presente_b": s.presente_b,
                "motif_a": s.motif_a.map(|m| m.code()),
                "motif_b": s.motif_b.map(|m| m.code()),
                "unites_a": s.unites_a.to_string(),
                "unites_b": s.unites_b.to_string(),
                "unites_nouvelles_a": s.nouvelles_a.to_string(),
                "unites_nouvelles_b": s.nouvelles_b.to_string(),
                "change": s.change(),
                "bonus": paire(&s.bonus),
                "contribution_n": paire(&s.contribution),
                "financement_public_n": paire(&s.financement_public),
            })
        })
        .collect();
    let v = json!({
        "schema": SCHEMA,
        "a": {"dossier": c.a, "exercice": c.exercice_a},
        "b": {"dossier": c.b, "exercice": c.exercice_b},
        "structures": structures,
        "gestionnaires": c.gestionnaires.iter().map(tot).collect::<Vec<_>>(),
        "collectivites": c.collectivites.iter().map(tot).collect::<Vec<_>>(),
        "total": tot(&c.total),
    });
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}
