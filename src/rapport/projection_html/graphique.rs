//! The line chart of the projection report: Caf, collectivités and public funding by year
//! (N-1 then each year), geometry in integers (tenths of a pixel).

use super::*;
use crate::rapport::html::{graduation, px, COULEUR_CAF, COULEUR_COLLECTIVITE, LARGEUR_SVG};

/// One point of the chart: label, year, Caf, collectivités, public funding.
pub(super) struct Point {
    etiquette: String,
    exercice: i32,
    caf: Montant,
    collectivites: Montant,
    financement: Montant,
}

pub(super) fn points(pr: &Projection) -> Vec<Point> {
    let mut v = vec![Point {
        etiquette: format!("{} (N-1)", pr.n1.exercice),
        exercice: pr.n1.exercice,
        caf: pr.n1.verse_caf,
        collectivites: pr.n1.contribution_collectivite,
        financement: pr.n1.financement_public,
    }];
    for a in &pr.annees {
        v.push(Point {
            etiquette: a.exercice.to_string(),
            exercice: a.exercice,
            caf: a.totaux.verse_caf,
            collectivites: a.totaux.contribution_collectivite,
            financement: a.totaux.financement_public,
        });
    }
    v
}

const GAUCHE: i128 = 78;
const DROITE: i128 = 20;
const HAUT: i128 = 18;
const BAS: i128 = 290;
const HAUTEUR: i128 = 330;
const RETRAIT: i128 = 40;

/// Line chart "Financement Caf et collectivités par année": Caf total, collectivités total
/// and (dashed) the structures' public funding, N-1 then each year; y axis from 0.
pub(super) fn graphique(o: &mut String, pts: &[Point]) {
    let max = pts
        .iter()
        .flat_map(|p| [p.caf.0, p.collectivites.0, p.financement.0])
        .max()
        .unwrap_or(0);
    let (fin, pas) = graduation(max);
    let r = Repere {
        fin,
        n: pts.len() as i128,
    };
    titre_graphique(o, pts);
    grille(o, &r, pas);
    axes(o, pts, &r);
    series(o, pts, &r);
    valeurs_graphique(o, pts, &r);
    o.push_str("</svg>");
}

/// Where the chart draws: an amount's height, a year's abscissa (tenths of a pixel).
struct Repere {
    /// The top of the y axis (cents).
    fin: i64,
    /// Number of years.
    n: i128,
}

impl Repere {
    /// y of an amount, in tenths of a pixel (negative amounts are drawn at 0).
    fn y(&self, c: i64) -> i128 {
        let hauteur_trace = BAS - HAUT;
        let v = c.clamp(0, self.fin) as i128;
        BAS * 10 - v * hauteur_trace * 10 / self.fin.max(1) as i128
    }
    /// x of the `i`-th year, in tenths of a pixel.
    fn x(&self, i: usize) -> i128 {
        let largeur = LARGEUR_SVG - GAUCHE - DROITE - 2 * RETRAIT;
        if self.n <= 1 {
            (GAUCHE + RETRAIT) * 10 + largeur * 5
        } else {
            (GAUCHE + RETRAIT) * 10 + largeur * 10 * i as i128 / (self.n - 1)
        }
    }
}

/// The `<svg>` element with its title and its text alternative: every value of the chart,
/// year by year.
fn titre_graphique(o: &mut String, pts: &[Point]) {
    let desc = pts
        .iter()
        .map(|p| {
            format!(
                "{} : Caf {}, collectivités {}, financement public {}",
                p.etiquette,
                fr(p.caf),
                fr(p.collectivites),
                fr(p.financement)
            )
        })
        .collect::<Vec<_>>()
        .join(" ; ");
    let _ = write!(
        o,
        "<svg class=\"graphique\" id=\"graphique-financement\" role=\"img\" viewBox=\"0 0 {LARGEUR_SVG} {HAUTEUR}\" aria-labelledby=\"titre-financement desc-financement\"><title id=\"titre-financement\">Financement Caf et collectivités par année</title><desc id=\"desc-financement\">{}</desc>",
        esc(&desc)
    );
}

/// The horizontal grid and its amounts, every `pas` cents.
fn grille(o: &mut String, r: &Repere, pas: i64) {
    let fin = r.fin;
    let mut v = 0i64;
    while v <= fin {
        let yy = r.y(v);
        let _ = write!(
            o,
            "<line class=\"grille\" x1=\"{}\" y1=\"{yy}\" x2=\"{}\" y2=\"{yy}\"/><text class=\"graduation\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>",
            px(GAUCHE * 10),
            px((LARGEUR_SVG - DROITE) * 10),
            px(GAUCHE * 10 - 60),
            px(yy + 35),
            esc(&montant_court(v, 1)),
            yy = px(yy)
        );
        match v.checked_add(pas) {
            Some(w) if pas > 0 => v = w,
            _ => break,
        }
    }
}

/// The axes and the years under the x axis.
fn axes(o: &mut String, pts: &[Point], r: &Repere) {
    let _ = write!(
        o,
        "<line class=\"axe\" x1=\"{g}\" y1=\"{h}\" x2=\"{g}\" y2=\"{b}\"/><line class=\"axe\" x1=\"{g}\" y1=\"{b}\" x2=\"{d}\" y2=\"{b}\"/>",
        g = px(GAUCHE * 10),
        h = px(HAUT * 10),
        b = px(BAS * 10),
        d = px((LARGEUR_SVG - DROITE) * 10)
    );
    // years
    for (i, p) in pts.iter().enumerate() {
        let _ = write!(
            o,
            "<text class=\"annee-axe\" x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            px(r.x(i)),
            px(BAS * 10 + 180),
            esc(&p.etiquette)
        );
    }
}

/// The three lines and their points.
fn series(o: &mut String, pts: &[Point], r: &Repere) {
    type Serie = (
        &'static str,
        &'static str,
        &'static str,
        fn(&Point) -> Montant,
    );
    let series: [Serie; 3] = [
        (
            "financement",
            "financement public des structures",
            COULEUR_FINANCEMENT,
            |p| p.financement,
        ),
        (
            "collectivites",
            "collectivités",
            COULEUR_COLLECTIVITE,
            |p| p.collectivites,
        ),
        ("caf", "Caf", COULEUR_CAF, |p| p.caf),
    ];
    for (code, nom, couleur, valeur) in series {
        let trace: Vec<String> = pts
            .iter()
            .enumerate()
            .map(|(i, p)| format!("{},{}", px(r.x(i)), px(r.y(valeur(p).0))))
            .collect();
        let _ = write!(
            o,
            "<polyline class=\"serie {code}\" data-serie=\"{code}\" stroke=\"{couleur}\" points=\"{}\"/>",
            trace.join(" ")
        );
        for (i, p) in pts.iter().enumerate() {
            let m = valeur(p);
            let _ = write!(
                o,
                "<circle class=\"point\" data-serie=\"{code}\" data-exercice=\"{}\" data-centimes=\"{}\" cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{couleur}\"><title>{nom} — {} : {}</title></circle>",
                p.exercice,
                m.0,
                px(r.x(i)),
                px(r.y(m.0)),
                if code == "financement" { "2.5" } else { "4" },
                esc(&p.etiquette),
                esc(&fr(m))
            );
        }
    }
}

/// The value labels of the Caf and the collectivités: above the higher, below the lower.
fn valeurs_graphique(o: &mut String, pts: &[Point], r: &Repere) {
    for (i, p) in pts.iter().enumerate() {
        let caf_dessus = p.caf >= p.collectivites;
        for (m, couleur, dessus) in [
            (p.caf, COULEUR_CAF, caf_dessus),
            (p.collectivites, COULEUR_COLLECTIVITE, !caf_dessus),
        ] {
            let yy = if dessus {
                r.y(m.0) - 90
            } else {
                r.y(m.0) + 170
            };
            let _ = write!(
                o,
                "<text class=\"point-valeur\" x=\"{}\" y=\"{}\" text-anchor=\"middle\" fill=\"{couleur}\">{}</text>",
                px(r.x(i)),
                px(yy),
                esc(&montant_court(m.0, if m.0.abs() >= 100_000_000 { 2 } else { 0 }))
            );
        }
    }
}
