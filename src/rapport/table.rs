//! Terminal table (comfy-table): one row per structure, then totals per gestionnaire, per
//! collectivité, the reconciliation and the grand total.

use super::{euros, groupe_fr, montant_fr, texte_terminal, LARGEUR_CHAMP};
use crate::calcul::rationnel::R;
use crate::calcul::{Resultat, Totaux};
use comfy_table::{
    presets, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table,
};

fn nouvelle_table(entetes: &[&str], largeur: Option<u16>) -> Table {
    let mut t = Table::new();
    if COULEUR.with(|c| c.get()) {
        t.enforce_styling();
    }
    t.load_preset(presets::UTF8_FULL_CONDENSED);
    t.set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(l) = largeur {
        t.set_width(l);
    }
    t.set_header(entetes.iter().map(Cell::new));
    // figures never wrap: only the text columns do when the terminal is narrow
    // (a narrow terminal gets a wider table rather than unreadable columns)
    for (i, h) in entetes.iter().enumerate() {
        let contrainte = match *h {
            "" | "id" | "nom" | "motif" | "gestionnaire" | "collectivité" => {
                ColumnConstraint::LowerBoundary(comfy_table::Width::Fixed(10))
            }
            _ => ColumnConstraint::ContentWidth,
        };
        if let Some(c) = t.column_mut(i) {
            c.set_constraint(contrainte);
        }
    }
    t
}

/// A cell of user text (id, name, gestionnaire, collectivité, volet): control characters
/// shown, not obeyed, and cut at [`LARGEUR_CHAMP`] characters with `…` (a 100 000-character
/// name would make the table's layout take seconds; the CSV, JSON and XLSX keep it whole).
fn texte(s: &str) -> Cell {
    Cell::new(texte_terminal(s, LARGEUR_CHAMP))
}

fn droite(s: String) -> Cell {
    Cell::new(s).set_alignment(CellAlignment::Right)
}

thread_local! {
    /// Colours for the current rendering (`rendre_avec`).
    static COULEUR: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// A signed amount, green when positive and red when negative if colours are on.
fn variation(m: crate::modele::Montant) -> Cell {
    let c = droite(montant_fr(m));
    match (COULEUR.with(|c| c.get()), m.0.signum()) {
        (true, 1) => c.fg(Color::Green),
        (true, -1) => c.fg(Color::Red),
        _ => c,
    }
}

fn ligne_totaux(t: &mut Table, nom: &str, x: &Totaux) {
    t.add_row(vec![
        texte(nom),
        droite(format!("{} / {}", x.structures_eligibles, x.structures)),
        droite(montant_fr(x.bonus_n1)),
        droite(montant_fr(x.bonus_total)),
        droite(montant_fr(x.contribution_n1)),
        droite(montant_fr(x.contribution_n)),
        droite(montant_fr(x.financement_public_n1)),
        droite(montant_fr(x.financement_public_n)),
        variation(x.variation),
    ]);
}

pub fn rendre(r: &Resultat, largeur: Option<u16>) -> R<String> {
    rendre_avec(r, largeur, false)
}

/// The table, with colours when `couleur` (`--couleur`): ineligible structures' reason in
/// yellow, variations green or red.
pub fn rendre_avec(r: &Resultat, largeur: Option<u16>, couleur: bool) -> R<String> {
    COULEUR.with(|c| c.set(couleur));
    let t = rendre_sans_etat(r, largeur);
    COULEUR.with(|c| c.set(false));
    t
}

fn rendre_sans_etat(r: &Resultat, largeur: Option<u16>) -> R<String> {
    let mut out = String::new();
    out.push_str(&format!(
        "{} — {} — exercice {}\n\nStructures (annexes 2 et 2 bis)\n",
        texte_terminal(&r.convention.nom, LARGEUR_CHAMP),
        texte_terminal(&r.convention.caf, LARGEUR_CHAMP),
        r.exercice
    ));
    let mut t = nouvelle_table(
        &[
            "id",
            "nom",
            "volet",
            "motif",
            "unités",
            "taux €/unité",
            "lissage",
            "nouvelles",
            "bonus total",
            "contrib. N-1",
            "contrib. N",
            "variation",
        ],
        largeur,
    );
    for l in &r.structures {
        let taux = match &l.taux_unitaire {
            Some(x) => groupe_fr(&euros(x, 4)?),
            None => "—".into(),
        };
        t.add_row(vec![
            texte(&l.structure.id),
            texte(&l.structure.nom),
            texte(l.eligibilite.volet().unwrap_or("—")),
            {
                let c = Cell::new(l.motif().code());
                if COULEUR.with(|c| c.get())
                    && l.motif() != crate::calcul::eligibilite::Motif::Eligible
                {
                    c.fg(Color::Yellow)
                } else {
                    c
                }
            },
            droite(groupe_fr(&l.unites_eligibles.to_string())),
            droite(taux),
            droite(montant_fr(l.bonus_lissage)),
            droite(montant_fr(l.bonus_nouvelles)),
            droite(montant_fr(l.bonus_total)),
            droite(montant_fr(l.contribution_n1)),
            droite(montant_fr(l.contribution_n)),
            variation(l.variation),
        ]);
    }
    out.push_str(&t.to_string());
    let entetes_tot = [
        "",
        "éligibles",
        "bonus N-1",
        "bonus N",
        "contrib. N-1",
        "contrib. N",
        "fin. public N-1",
        "fin. public N",
        "variation",
    ];

    out.push_str("\n\nTotaux par gestionnaire\n");
    let mut t = nouvelle_table(
        &{
            let mut e = entetes_tot;
            e[0] = "gestionnaire";
            e
        },
        largeur,
    );
    for (g, x) in &r.gestionnaires {
        ligne_totaux(&mut t, g, x);
    }
    out.push_str(&t.to_string());

    out.push_str("\n\nTotaux par collectivité\n");
    let mut t = nouvelle_table(
        &[
            "collectivité",
            "charge N-1",
            "bonus structures N",
            "versé collectivité",
            "non redistribué",
            "total Caf N",
            "contrib. N-1",
            "contrib. N",
        ],
        largeur,
    );
    for (c, x) in &r.collectivites {
        t.add_row(vec![
            texte(c),
            droite(montant_fr(x.charge_n1)),
            droite(montant_fr(x.structures.bonus_total)),
            droite(montant_fr(x.verse_collectivite)),
            droite(montant_fr(x.non_redistribue)),
            droite(montant_fr(x.verse_caf)),
            droite(montant_fr(x.structures.contribution_n1)),
            droite(montant_fr(x.structures.contribution_n)),
        ]);
    }
    out.push_str(&t.to_string());

    out.push_str("\n\nRapprochement par collectivité et volet (A + C = L + R + P)\n");
    let mut t = nouvelle_table(
        &[
            "collectivité",
            "volet",
            "charge N-1 (A)",
            "unités (U)",
            "lissage versé (L)",
            "nouvelles",
            "complément plancher (C)",
            "non redistribué (R)",
            "versé collectivité",
        ],
        largeur,
    );
    for g in &r.groupes {
        t.add_row(vec![
            texte(&g.collectivite),
            texte(&g.volet),
            droite(montant_fr(g.charge_n1)),
            droite(groupe_fr(&g.unites.to_string())),
            droite(montant_fr(g.lissage_verse)),
            droite(montant_fr(g.nouvelles_versees)),
            droite(montant_fr(g.complement_plancher)),
            droite(montant_fr(g.non_redistribue)),
            droite(montant_fr(g.verse_collectivite)),
        ]);
    }
    let tt = &r.total;
    t.add_row(vec![
        Cell::new("TOTAL"),
        Cell::new(""),
        droite(montant_fr(tt.charge_n1)),
        Cell::new(""),
        droite(montant_fr(tt.lissage_verse)),
        droite(montant_fr(tt.nouvelles_versees)),
        droite(montant_fr(tt.complement_plancher)),
        droite(montant_fr(tt.non_redistribue)),
        droite(montant_fr(tt.verse_collectivite)),
    ]);
    out.push_str(&t.to_string());
    out.push_str(&format!(
        "\n\nTotal général versé par la Caf en {} : {} (bonus aux structures {} + versé aux collectivités {})\n\
         Contributions des collectivités aux structures : {} en N-1 → {} en {}\n",
        r.exercice,
        montant_fr(tt.verse_caf),
        montant_fr(tt.structures.bonus_total),
        montant_fr(tt.verse_collectivite),
        montant_fr(tt.structures.contribution_n1),
        montant_fr(tt.structures.contribution_n),
        r.exercice,
    ));
    Ok(out)
}
