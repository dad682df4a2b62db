//! The SVG charts of the HTML report: bonus per structure of a volet, per gestionnaire; labels
//! wrapped at word boundaries, never cut into ambiguous prefixes.

use super::*;

/// Short French amount for axis ticks: `50 000 €`.
fn euros_ronds(c: i64) -> String {
    format!("{}\u{a0}€", groupe_fr(&(c / 100).to_string()))
}

/// Characters of a chart label line (11 px text in the 244 px left of the bars).
pub(super) const ETIQUETTE_CAR: usize = 36;

/// The labels of a chart's bars, each on one or two lines (separated by `\n`) cut at word
/// boundaries: when two of them would read the same (names shortened alike), each of
/// those is replaced by its id, which is unique. One `String` per bar, its lines read when
/// the bar is drawn.
pub(super) fn etiquettes(noms: &[(&str, &str)], car: usize) -> Vec<String> {
    let mut pliees: Vec<String> = noms
        .iter()
        .map(|(nom, _)| crate::rapport::table::plier_en(nom, car, 2))
        .collect();
    // how many times each label occurs (counted once, not by a scan per label: a volet of
    // a million structures would take hours)
    let doubles: Vec<bool> = {
        let mut fois: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for p in &pliees {
            *fois.entry(p.as_str()).or_default() += 1;
        }
        pliees
            .iter()
            .map(|p| fois.get(p.as_str()).is_some_and(|n| *n > 1))
            .collect()
    };
    for ((p, (_, id)), double) in pliees.iter_mut().zip(noms).zip(doubles) {
        if double {
            *p = crate::rapport::table::plier_en(id, car, 2);
        }
    }
    pliees
}

/// An SVG `<text>` of one or two lines (`tspan`s), right-aligned at `x`, centred on `y`
/// (tenths of a pixel).
fn texte_svg(o: &mut String, classe: &str, x: i128, y: i128, texte: &str) {
    let n = texte.lines().count().max(1) as i128;
    // 12 px between lines; the block centred on y
    let y0 = y - (n - 1) * 60;
    let _ = write!(
        o,
        "<text class=\"{classe}\" x=\"{}\" y=\"{}\" text-anchor=\"end\">",
        px(x),
        px(y0)
    );
    for (i, l) in texte.lines().enumerate() {
        if i == 0 {
            let _ = write!(o, "<tspan>{}</tspan>", esc(l));
        } else {
            let _ = write!(o, "<tspan x=\"{}\" dy=\"12\">{}</tspan>", px(x), esc(l));
        }
    }
    o.push_str("</text>");
}

/// The legend under a volet chart; the bonus trajectoire only when one of its structures
/// receives some.
pub(super) fn legende_volet(lignes: &[&LigneStructure]) -> String {
    let trajectoire = if lignes.iter().any(|l| l.bonus_trajectoire.0 != 0) {
        format!("<span style=\"background:{COULEUR_TRAJECTOIRE}\"></span>bonus trajectoire")
    } else {
        String::new()
    };
    format!("<p class=\"legende\">Légende :<span style=\"background:{COULEUR_LISSAGE}\"></span>lissage des unités existantes<span style=\"background:{COULEUR_NOUVELLES}\"></span>forfaits des places nouvelles{trajectoire} ; à droite, le bonus total.</p>")
}

const COULEUR_LISSAGE: &str = "#2b6cb0";
const COULEUR_NOUVELLES: &str = "#38a169";
const COULEUR_TRAJECTOIRE: &str = "#805ad5";
pub(crate) const COULEUR_CAF: &str = "#2b6cb0";
pub(crate) const COULEUR_COLLECTIVITE: &str = "#dd6b20";

pub(crate) const LARGEUR_SVG: i128 = 760;
const MARGE_ETIQUETTE: i128 = 250;
const MARGE_VALEUR: i128 = 110;

/// Vertical grid and tick labels of a horizontal bar chart.
fn axe(o: &mut String, haut: i128, bas: i128, fin: i64, pas: i64) {
    let largeur = LARGEUR_SVG - MARGE_ETIQUETTE - MARGE_VALEUR;
    let mut v = 0i64;
    while v <= fin {
        let x = MARGE_ETIQUETTE * 10 + echelle(v, fin, largeur);
        let _ = write!(
            o,
            "<line class=\"grille\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/><text class=\"graduation\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
            px(haut * 10),
            px(bas * 10),
            px(bas * 10 + 130),
            esc(&euros_ronds(v)),
            x = px(x)
        );
        if pas <= 0 {
            break;
        }
        v += pas;
    }
}

/// Bar chart of one volet: one bar per structure, lissage and new units stacked.
pub(super) fn graphique_volet(
    o: &mut String,
    w: &mut dyn std::io::Write,
    volet: &str,
    lignes: &[&LigneStructure],
) -> std::io::Result<()> {
    let noms: Vec<(&str, &str)> = lignes
        .iter()
        .map(|l| (l.structure.nom.as_str(), l.structure.id.as_str()))
        .collect();
    let etiq = etiquettes(&noms, ETIQUETTE_CAR);
    drop(noms);
    // two-line labels need taller rows
    let ligne_h: i128 = if etiq.iter().any(|e| e.lines().nth(1).is_some()) {
        28
    } else {
        20
    };
    let haut: i128 = 8;
    let n = lignes.len() as i128;
    let bas = haut + n * ligne_h;
    let hauteur = bas + 22;
    let max = lignes.iter().map(|l| l.bonus_total.0).max().unwrap_or(0);
    let (fin, pas) = graduation(max);
    let largeur = LARGEUR_SVG - MARGE_ETIQUETTE - MARGE_VALEUR;
    let _ = write!(
        o,
        "<svg class=\"graphique\" role=\"img\" viewBox=\"0 0 {LARGEUR_SVG} {hauteur}\" aria-labelledby=\"titre-volet-{v} desc-volet-{v}\" data-volet=\"{v}\"><title id=\"titre-volet-{v}\">Bonus par structure, volet {v}</title><desc id=\"desc-volet-{v}\">",
        v = esc(volet),
    );
    // the description, structure by structure (` ; ` between them needs no escaping), the
    // page handed to `w` as it grows: a volet of a million structures is never held whole
    for (i, l) in lignes.iter().enumerate() {
        if i > 0 {
            o.push_str(" ; ");
        }
        o.push_str(&esc(&format!(
            "{} : {} (lissage {}, places nouvelles {}{})",
            l.structure.nom,
            fr(l.bonus_total),
            fr(l.bonus_lissage),
            fr(l.bonus_nouvelles),
            trajectoire(l, ", ")
        )));
        vider_si_plein(o, w)?;
    }
    o.push_str("</desc>");
    axe(o, haut, bas, fin, pas);
    for (i, l) in lignes.iter().enumerate() {
        let y = haut + i as i128 * ligne_h;
        barre(o, l, y, &etiq[i], fin, largeur);
        vider_si_plein(o, w)?;
    }
    o.push_str("</svg>");
    Ok(())
}

/// The bar of structure `l` at height `y` (in pixels from the top), its label `etiquette`,
/// on an axis that ends at `fin` cents, `largeur` pixels wide.
fn barre(o: &mut String, l: &LigneStructure, y: i128, etiquette: &str, fin: i64, largeur: i128) {
    let s = &l.structure;
    let x0 = MARGE_ETIQUETTE * 10;
    let wl = echelle(l.bonus_lissage.0, fin, largeur);
    // lissage, then new places, then trajectoire: each segment ends where the running sum
    // of the amounts does (bonus_total = lissage + nouvelles + trajectoire)
    let wn = echelle(l.bonus_lissage.0 + l.bonus_nouvelles.0, fin, largeur);
    let wt = echelle(l.bonus_total.0, fin, largeur);
    let _ = write!(
        o,
        "<g class=\"barre\" data-id=\"{id}\" data-centimes=\"{c}\"><title>{nom} ({id}) : {t} = lissage {bl} + places nouvelles {bn}{tr}</title>",
        id = esc(&s.id),
        c = l.bonus_total.0,
        nom = esc(&s.nom),
        t = esc(&fr(l.bonus_total)),
        bl = esc(&fr(l.bonus_lissage)),
        bn = esc(&fr(l.bonus_nouvelles)),
        tr = esc(&trajectoire(l, " + ")),
    );
    texte_svg(o, "etiquette", x0 - 60, y * 10 + 140, etiquette);
    let _ = write!(
        o,
        "<rect class=\"lissage\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"13\" fill=\"{COULEUR_LISSAGE}\"/>",
        px(x0),
        px(y * 10 + 30),
        px(wl)
    );
    for (debut, fin, couleur) in [(wl, wn, COULEUR_NOUVELLES), (wn, wt, COULEUR_TRAJECTOIRE)] {
        if fin > debut {
            let _ = write!(
                o,
                "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"13\" fill=\"{couleur}\"/>",
                px(x0 + debut),
                px(y * 10 + 30),
                px(fin - debut)
            );
        }
    }
    let _ = write!(
        o,
        "<text class=\"valeur\" x=\"{}\" y=\"{}\">{}</text></g>",
        px(x0 + wt + 50),
        px(y * 10 + 140),
        esc(&fr(l.bonus_total))
    );
}

/// `{avant}trajectoire 1 000,00 €` when the structure receives a bonus trajectoire, else
/// nothing.
fn trajectoire(l: &LigneStructure, avant: &str) -> String {
    if l.bonus_trajectoire.0 == 0 {
        String::new()
    } else {
        format!("{avant}trajectoire {}", fr(l.bonus_trajectoire))
    }
}

/// Hands the page written so far to `w` once it is [`MORCEAU`] long.
fn vider_si_plein(o: &mut String, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    if o.len() >= MORCEAU {
        w.write_all(o.as_bytes())?;
        o.clear();
    }
    Ok(())
}

/// Stacked bars per gestionnaire, N-1 and N: the shares of the Caf (bonus) and of the
/// collectivité (contribution) in its public funding (100 % bars: a large gestionnaire does
/// not flatten the others), the total amount on the right.
pub(super) fn graphique_gestionnaires(o: &mut String, r: &Resultat) {
    let lignes: Vec<(&String, &crate::calcul::Totaux)> = r
        .gestionnaires
        .iter()
        .filter(|(_, t)| t.financement_public_n1.0 > 0 || t.financement_public_n.0 > 0)
        .collect();
    let bloc: i128 = 44;
    let haut: i128 = 8;
    let bas = haut + lignes.len() as i128 * bloc;
    let hauteur = bas + 22;
    let largeur = LARGEUR_SVG - MARGE_ETIQUETTE - MARGE_VALEUR - 60;
    let _ = write!(
        o,
        "<svg class=\"graphique\" role=\"img\" viewBox=\"0 0 {LARGEUR_SVG} {hauteur}\" aria-labelledby=\"titre-gest desc-gest\"><title id=\"titre-gest\">Part de la Caf et de la collectivité dans le financement public de chaque gestionnaire, N-1 et N</title><desc id=\"desc-gest\">{}</desc>",
        esc(&description_gestionnaires(&lignes))
    );
    let noms: Vec<(&str, &str)> = lignes
        .iter()
        .map(|(g, _)| (g.as_str(), g.as_str()))
        .collect();
    // these labels end 33 px further left (room for « N-1 » / « N »)
    let etiq = etiquettes(&noms, ETIQUETTE_CAR - 6);
    let x0 = MARGE_ETIQUETTE * 10;
    graduations_pourcent(o, x0, largeur, haut, bas);
    for (i, (g, t)) in lignes.iter().enumerate() {
        let y = haut + i as i128 * bloc;
        let _ = write!(
            o,
            "<g class=\"gestionnaire\" data-gestionnaire=\"{}\">",
            esc(g)
        );
        texte_svg(o, "etiquette", x0 - 330, y * 10 + 240, &etiq[i]);
        for (k, annee) in [
            ("N-1", t.bonus_n1, t.contribution_n1),
            ("N", t.bonus_total, t.contribution_n),
        ]
        .into_iter()
        .enumerate()
        {
            let yb = y * 10 + 30 + k as i128 * 190;
            barre_annee(o, g, annee, x0, yb, largeur);
        }
        o.push_str("</g>");
    }
    o.push_str("</svg>");
}

/// The chart's text for screen readers: each gestionnaire's Caf and collectivité amounts.
fn description_gestionnaires(lignes: &[(&String, &crate::calcul::Totaux)]) -> String {
    lignes
        .iter()
        .map(|(g, t)| {
            format!(
                "{g} : N-1 Caf {} et collectivité {} ; N Caf {} et collectivité {}",
                fr(t.bonus_n1),
                fr(t.contribution_n1),
                fr(t.bonus_total),
                fr(t.contribution_n)
            )
        })
        .collect::<Vec<_>>()
        .join(" ; ")
}

/// The vertical grid lines at 0, 25, 50, 75 and 100 %, with their labels.
fn graduations_pourcent(o: &mut String, x0: i128, largeur: i128, haut: i128, bas: i128) {
    for k in 0..=4i128 {
        let x = x0 + largeur * 10 * k / 4;
        let _ = write!(
            o,
            "<line class=\"grille\" x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/><text class=\"graduation\" x=\"{x}\" y=\"{}\" text-anchor=\"middle\">{} %</text>",
            px(haut * 10),
            px(bas * 10),
            px(bas * 10 + 130),
            k * 25,
            x = px(x)
        );
    }
}

/// One year's bar of a gestionnaire: the Caf's part then the collectivité's, the total
/// and the Caf's share in whole percent.
fn barre_annee(
    o: &mut String,
    g: &str,
    (annee, caf, coll): (&str, Montant, Montant),
    x0: i128,
    yb: i128,
    largeur: i128,
) {
    let total = caf.0 + coll.0;
    let wc = echelle(caf.0, total, largeur);
    let wtot = if total > 0 { largeur * 10 } else { 0 };
    // share of the Caf, in whole percent (half up)
    let pc = if total > 0 {
        (caf.0 as i128 * 200 + total as i128) / (total as i128 * 2)
    } else {
        0
    };
    let _ = write!(
        o,
        "<text class=\"annee\" x=\"{}\" y=\"{}\" text-anchor=\"end\">{annee}</text><g data-annee=\"{annee}\" data-caf=\"{}\" data-collectivite=\"{}\"><title>{} — {annee} : Caf {} + collectivité {} = {}</title>",
        px(x0 - 60),
        px(yb + 115),
        caf.0,
        coll.0,
        esc(g),
        esc(&fr(caf)),
        esc(&fr(coll)),
        esc(&fr(Montant(total)))
    );
    let _ = write!(
        o,
        "<rect class=\"caf\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"15\" fill=\"{COULEUR_CAF}\"/><rect class=\"collectivite\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"15\" fill=\"{COULEUR_COLLECTIVITE}\"/></g>",
        px(x0),
        px(yb),
        px(wc),
        px(x0 + wc),
        px(yb),
        px(wtot - wc)
    );
    let _ = write!(
        o,
        "<text class=\"valeur\" x=\"{}\" y=\"{}\">{} · Caf {pc} %</text>",
        px(x0 + largeur * 10 + 50),
        px(yb + 115),
        esc(&fr(Montant(total)))
    );
}
