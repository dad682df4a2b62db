//! HTML report for elected officials and commune staff: one self-contained file (inline CSS
//! and SVG, no network, no JavaScript), in French, printable on A4.
//!
//! Sections: the convention; a summary (Caf total, collectivité total N-1 → N, eligible
//! structures); a bar chart of the bonus per structure grouped by volet; a stacked chart of
//! Caf vs collectivité funding per gestionnaire, N-1 vs N; the per-structure table; the
//! reconciliation; the excluded structures with their reason; the barème with its sources;
//! the modelling choices.
//!
//! Every amount cell carries its exact value in cents (`data-centimes`) and every structure
//! row its id (`data-id`), so that a test can check the DOM against the CSV output.
//! Chart geometry is computed in integers (tenths of a pixel): no floating point.

use super::parametres::lignes_bareme;
use super::{euros, groupe_fr, montant_fr};
use crate::bareme::Statut;
use crate::calcul::eligibilite::Motif;
use crate::calcul::rationnel::R;
use crate::calcul::{LigneStructure, Resultat, Totaux};
use crate::modele::{Convention, Montant};
use std::fmt::Write;

mod graphiques;
use graphiques::{graphique_gestionnaires, graphique_volet, legende_volet};
pub(crate) use graphiques::{COULEUR_CAF, COULEUR_COLLECTIVITE, LARGEUR_SVG};

/// Escapes a text for HTML content and attribute values.
pub fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// `12 345,67 €` with a no-break space before the euro sign.
pub(crate) fn fr(m: Montant) -> String {
    montant_fr(m).replace(" €", "\u{a0}€")
}

/// `<td>` of an amount, with its exact value in cents.
fn td_montant(m: Montant) -> String {
    format!(
        "<td class=\"n\" data-centimes=\"{}\">{}</td>",
        m.0,
        esc(&fr(m))
    )
}

/// Tenths of a pixel as an SVG coordinate: `1234` → `123.4`.
pub(crate) fn px(dixiemes: i128) -> String {
    let s = if dixiemes < 0 { "-" } else { "" };
    let a = dixiemes.unsigned_abs();
    if a.is_multiple_of(10) {
        format!("{s}{}", a / 10)
    } else {
        format!("{s}{}.{}", a / 10, a % 10)
    }
}

/// `v / max × largeur` in tenths of a pixel (integers only; `max > 0`).
fn echelle(v: i64, max: i64, largeur_px: i128) -> i128 {
    if max <= 0 || v <= 0 {
        return 0;
    }
    (v as i128 * largeur_px * 10) / max as i128
}

/// A "nice" axis end and step (cents) for values up to `max` cents: steps of 1, 2 or 5 ×
/// 10^k euros, at most 5 intervals.
pub(crate) fn graduation(max: i64) -> (i64, i64) {
    let max_euros = (max.max(1) + 99) / 100;
    let mut p: i64 = 1;
    loop {
        for f in [1i64, 2, 5] {
            let pas = f.saturating_mul(p);
            if pas.saturating_mul(5) >= max_euros {
                let n = (max_euros + pas - 1) / pas;
                return (
                    pas.saturating_mul(n).saturating_mul(100),
                    pas.saturating_mul(100),
                );
            }
        }
        p = p.saturating_mul(10);
    }
}

pub(crate) const STYLE: &str = r#"
:root { --bleu: #2b6cb0; --orange: #dd6b20; --vert: #38a169; --gris: #4a5568; --filet: #cbd5e0; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1a202c; margin: 0 auto; max-width: 1100px; padding: 24px; line-height: 1.4; font-size: 15px; }
header { border-bottom: 3px solid var(--bleu); margin-bottom: 16px; }
.surtitre { color: var(--bleu); font-weight: bold; text-transform: uppercase; letter-spacing: .05em; font-size: 12px; margin: 0; }
h1 { margin: 4px 0 6px; font-size: 26px; }
h2 { border-bottom: 1px solid var(--filet); padding-bottom: 4px; margin-top: 32px; font-size: 20px; }
h3 { font-size: 16px; margin: 18px 0 4px; }
.meta { color: var(--gris); margin: 0 0 12px; }
nav ol { columns: 2; margin: 0; padding-left: 20px; color: var(--gris); }
nav a { color: var(--bleu); text-decoration: none; }
.cartes { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 12px; }
.carte { border: 1px solid var(--filet); border-left: 5px solid var(--bleu); border-radius: 4px; padding: 10px 12px; break-inside: avoid; }
.carte.coll { border-left-color: var(--orange); }
.carte.elig { border-left-color: var(--vert); }
.carte .etiquette { color: var(--gris); font-size: 13px; }
.carte .valeur { font-size: 22px; font-weight: bold; white-space: nowrap; }
.carte .valeur.petite { font-size: 16px; }
.carte .detail { font-size: 12px; color: var(--gris); }
figure { margin: 12px 0 20px; break-inside: avoid; }
figcaption { font-weight: bold; margin-bottom: 4px; }
svg.graphique { width: 100%; height: auto; display: block; font-family: inherit; }
svg .etiquette, svg .annee { font-size: 11px; fill: #1a202c; }
svg .annee { fill: var(--gris); }
svg .valeur { font-size: 10.5px; fill: #1a202c; }
svg .graduation { font-size: 9.5px; fill: var(--gris); }
svg .grille { stroke: #e2e8f0; stroke-width: 1; }
.legende { font-size: 13px; color: var(--gris); margin: 4px 0; }
.legende span { display: inline-block; width: 12px; height: 12px; vertical-align: -1px; margin: 0 4px 0 12px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; margin: 8px 0 16px; }
th, td { border-bottom: 1px solid #e2e8f0; padding: 3px 5px; vertical-align: top; }
th { background: #edf2f7; text-align: left; font-weight: bold; }
thead th { border-bottom: 2px solid var(--filet); }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
tfoot td, tr.total td { font-weight: bold; border-top: 2px solid var(--filet); background: #f7fafc; }
tr.exclue td { color: var(--gris); }
small, .id { color: var(--gris); font-size: 11px; }
#table-structures td:first-child, #table-exclues td:first-child { min-width: 16em; }
#table-structures td:nth-child(3) { min-width: 7em; }
#table-structures td:nth-child(2) { min-width: 8em; }
.id { word-break: break-all; }
.motif { font-size: 11px; }
.hyp { font-size: 13px; }
.hyp li { margin-bottom: 4px; }
.defilement { max-width: 100%; overflow-x: auto; }
.tete { break-inside: avoid; break-after: avoid; page-break-after: avoid; }
.tete + figure, .tete + .defilement, .tete + table { break-before: avoid; page-break-before: avoid; }
footer { margin-top: 32px; border-top: 1px solid var(--filet); padding-top: 8px; color: var(--gris); font-size: 12px; }
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
@page paysage { size: A4 landscape; margin: 12mm 12mm 14mm 12mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 9.5pt; }
  nav { display: none; }
  .defilement { overflow: visible; }
  h1 { font-size: 17pt; }
  h2 { font-size: 13pt; margin-top: 14pt; break-after: avoid; }
  h3 { break-after: avoid; }
  table { font-size: 7.5pt; }
  th, td { padding: 1.5pt 3pt; }
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  tr, .carte, figure { break-inside: avoid; }
  .cartes { grid-template-columns: repeat(4, 1fr); gap: 6pt; }
  .carte .valeur { font-size: 12pt; }
  .carte .valeur.petite { font-size: 10pt; }
  .saut { break-before: page; }
  #structures { page: paysage; }
  a { color: inherit; text-decoration: none; }
}
"#;

/// Short reason for the per-structure table (the full one is in section 6).
pub(crate) fn motif_court(m: Motif) -> &'static str {
    match m {
        Motif::Eligible => "éligible",
        Motif::Annexe2Bis => "annexe 2 bis",
        Motif::TypeSansVolet => "type sans volet",
        Motif::FinancementIncompatible => "financement",
        Motif::SansSoutienCollectivite => "sans soutien",
        Motif::CollectiviteNonSignataire => "non signataire",
        Motif::Fermee => "fermée",
    }
}

fn libelle_statut(s: Option<Statut>) -> &'static str {
    match s {
        Some(Statut::Confirme) => "confirmé",
        Some(Statut::Hypothese) => "hypothèse",
        None => "défaut",
    }
}

/// The cells of a row of the gestionnaires table (or of its total): eligible / all
/// structures, then bonus, contribution and public funding N-1 and N, and the variation.
fn cellules_gestionnaire(x: &Totaux) -> String {
    format!(
        "<td class=\"n\">{} / {}</td>{}{}{}{}{}{}{}",
        x.structures_eligibles,
        x.structures,
        td_montant(x.bonus_n1),
        td_montant(x.bonus_total),
        td_montant(x.contribution_n1),
        td_montant(x.contribution_n),
        td_montant(x.financement_public_n1),
        td_montant(x.financement_public_n),
        td_montant(x.variation)
    )
}

/// The start of a report page: doctype, head (title, the shared [`STYLE`] followed by
/// `style`), opening `<body>`.
pub(crate) fn debut_page(o: &mut String, titre: &str, style: &str) {
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"generator\" content=\"bonus-ctg {}\">\n<title>{}</title>\n<style>{STYLE}{style}</style>\n</head>\n<body>\n",
        env!("CARGO_PKG_VERSION"),
        esc(titre)
    );
}

/// Under a report's title, escaped: the convention's period (` · convention du … au …`, or
/// nothing), « collectivité » or « collectivités », and the collectivités (the non
/// signatory ones marked).
pub(crate) fn periode_et_collectivites(c: &Convention) -> (String, &'static str, String) {
    let periode = match (c.debut, c.fin) {
        (Some(d), Some(f)) => format!(
            " · convention du {} au {}",
            d.en_toutes_lettres(),
            f.en_toutes_lettres()
        ),
        _ => String::new(),
    };
    let collectivites = c
        .collectivites
        .iter()
        .map(|x| {
            format!(
                "{}{}",
                x.nom,
                if x.signataire {
                    ""
                } else {
                    " (non signataire)"
                }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let libelle = if c.collectivites.len() > 1 {
        "collectivités"
    } else {
        "collectivité"
    };
    (esc(&periode), libelle, esc(&collectivites))
}

/// The report, as one HTML string (no input fingerprint in its footer: see
/// [`rendre_avec_empreinte`]).
pub fn rendre(r: &Resultat) -> R<String> {
    rendre_avec_empreinte(r, None)
}

/// The footer of a report: generation date in French, tool version, and the fingerprint of
/// the dossier's files when known.
pub(crate) fn pied_de_page(empreinte: Option<&str>) -> String {
    let mut p = format!(
        "Produit le {} par bonus-ctg {}",
        esc(&super::aujourd_hui().en_toutes_lettres()),
        env!("CARGO_PKG_VERSION")
    );
    if let Some(e) = empreinte {
        let _ = write!(
            p,
            ", à partir des fichiers du dossier d'empreinte <span class=\"empreinte\">{}</span> (SHA-256)",
            esc(e)
        );
    }
    p.push_str(". Montants calculés exactement au centime ; « bonus-ctg expliquer ID » détaille le calcul d'une structure.");
    p
}

/// Fingerprint of a dossier's files: SHA-256 of the name and contents of each regular file
/// among `chemins` (directories and missing files skipped), in name order; the first 16
/// hexadecimal digits. `None` when no file could be read.
pub fn empreinte_fichiers(chemins: &[std::path::PathBuf]) -> Option<String> {
    use sha2::{Digest, Sha256};
    let mut fichiers: Vec<&std::path::PathBuf> = chemins.iter().filter(|p| p.is_file()).collect();
    fichiers.sort();
    fichiers.dedup();
    let mut h = Sha256::new();
    let mut n = 0;
    for f in fichiers {
        let Ok(octets) = std::fs::read(f) else {
            continue;
        };
        let nom = f
            .file_name()
            .map(|x| x.to_string_lossy().into_owned())
            .unwrap_or_default();
        h.update((nom.len() as u64).to_le_bytes());
        h.update(nom.as_bytes());
        h.update((octets.len() as u64).to_le_bytes());
        h.update(&octets);
        n += 1;
    }
    if n == 0 {
        return None;
    }
    let d = h.finalize();
    Some(d.iter().take(8).map(|b| format!("{b:02x}")).collect())
}

/// The rules of the calculation a reader of the report meets, each in one plain-French
/// sentence with its status (the ids are those of docs/regles.md; a test checks they exist
/// there).
pub(crate) const REGLES_DU_CALCUL: &[(&str, &str, &str)] = &[
    ("R1", "Chaque paramètre du barème prend la valeur en vigueur au 1er janvier de l'exercice.", "hypothèse"),
    ("R3", "Le volet d'une structure est fixé par son type : EAJE, RPE, LAEP, ALSH, ou un volet local comme les ludothèques.", "confirmé pour les volets nationaux, hypothèse pour les volets locaux"),
    ("R4", "Chaque volet n'admet que certains financements : la PSU pour les EAJE, la PSO pour les autres volets.", "confirmé pour les EAJE, hypothèse pour les autres volets"),
    ("R5", "La charge d'un volet inconnu du barème n'est pas redistribuée, et celle du pilotage est versée à la collectivité.", "hypothèse"),
    ("R7", "Chaque place nouvelle reçoit un forfait selon la tranche de la collectivité, au prorata de ses mois d'ouverture, dans la limite du plafond de développement.", "confirmé pour les montants extrêmes, hypothèse pour la tranche médiane et le prorata des mois"),
    ("R8", "Pour chaque collectivité et chaque volet, la charge à payer N-1 se retrouve au centime près dans ce qui est versé et ce qui n'est pas redistribué.", "hypothèse (présentation)"),
    ("R9", "Les montants sont arrondis au centime par groupe : chaque structure reçoit sa part arrondie vers le bas, puis les centimes restants vont aux plus forts restes.", "hypothèse"),
    ("R12", "Le pilotage est versé à la collectivité pour son montant exact, qu'elle soit signataire ou non.", "hypothèse"),
    ("R15", "Une structure est éligible si elle figure en annexe 2, relève d'un volet, a un financement admis, est soutenue par une collectivité signataire et est ouverte pendant l'exercice.", "confirmé, sauf l'ouverture pendant l'exercice (hypothèse)"),
    ("R16", "La charge à payer N-1 de chaque collectivité et de chaque volet est répartie entre les structures éligibles au prorata de leurs unités existantes et de leurs mois d'ouverture.", "confirmé pour le principe, hypothèse pour le prorata des mois"),
    ("R60", "Le plancher et la revalorisation peuvent dépendre de la population de la collectivité et du montant existant par unité ; faute de grille nationale publiée, ils valent 0 par défaut.", "confirmé pour le principe, hypothèse pour les valeurs"),
    ("R61", "L'accueil de loisirs (ALSH) se compte en heures d'accueil, avec un plancher de 0,15 € par heure.", "confirmé pour l'unité et le montant, hypothèse pour la date d'effet"),
    ("R62", "À partir de 2025, les heures nouvelles d'accueil de loisirs retenues sont plafonnées à 25 % des heures existantes.", "confirmé"),
    ("R63", "Le bonus trajectoire récompense une hausse du nombre de places d'accueil du jeune enfant depuis l'année de référence (4 %, 8 % ou 12 %).", "confirmé pour les seuils et les montants, hypothèse pour la date d'effet"),
    ("R64", "Les places réservées aux employeurs relèvent du contrat territorial réservataire (CTRE), versé à part du bonus territoire.", "confirmé pour le principe et le forfait de 2025, hypothèse pour le périmètre"),
    ("R65", "Chaque collectivité réduit sa contribution à une structure de ce que la Caf verse désormais directement à celle-ci, au prorata des mois d'ouverture.", "confirmé pour le principe, hypothèse pour les formules"),
    ("R66", "Ce que le plancher ou la revalorisation versent au-delà de l'enveloppe est compté à part ; le montant non redistribué n'est jamais négatif.", "hypothèse (présentation)"),
];

/// A barème parameter's name in French (`volets.EAJE.plancher` → « Plancher du volet
/// EAJE »).
fn nom_parametre(p: &str) -> String {
    let (volet, champ) = match p.strip_prefix("volets.").and_then(|x| x.split_once('.')) {
        Some((v, c)) => (Some(v), c),
        None => (None, p),
    };
    let nom = match champ {
        "nombre_tranches" => "Nombre de tranches de forfaits",
        "ajustement_contribution" => "Ajustement des contributions des collectivités",
        "arrondi" => "Arrondi des groupes",
        "financement" => "Financements admis",
        "unite" => "Unité de compte",
        "types" => "Types de structure",
        "forfaits_nouvelles" => "Forfaits par place nouvelle",
        "plancher" => "Plancher par unité",
        "revalorisation" => "Revalorisation",
        "versement" => "Versement",
        "plafond_developpement" => "Plafond de développement",
        "plafond_base" => "Assiette du plafond de développement",
        autre => autre,
    };
    match volet {
        Some(v) => format!("{nom} du volet {v}"),
        None => nom.to_string(),
    }
}

/// The rows of « Choix de modélisation »: the rules of the calculation, then each barème
/// parameter read with the status « hypothèse » (its value in words; « aucun » for an empty
/// list), each once.
pub(crate) fn choix_de_modelisation(
    b: &crate::bareme::BaremeExercice,
) -> Vec<(String, String, String)> {
    let sections = super::parametres::sections_regles(super::parametres::REGLES);
    let mut v: Vec<(String, String, String)> = REGLES_DU_CALCUL
        .iter()
        .filter(|(id, _, _)| sections.iter().any(|(c, _, _)| c == id))
        .map(|(id, p, s)| (id.to_string(), p.to_string(), s.to_string()))
        .collect();
    for l in lignes_bareme(b) {
        if l.statut != Some(Statut::Hypothese) || v.iter().any(|(id, _, _)| *id == l.parametre) {
            continue;
        }
        let valeur = if l.valeur.trim().is_empty() {
            "aucun".to_string()
        } else {
            l.valeur.clone()
        };
        v.push((
            l.parametre.clone(),
            format!("{} : {valeur}.", nom_parametre(&l.parametre)),
            "hypothèse".to_string(),
        ));
    }
    v
}

/// The report, as one HTML string; `empreinte`: the fingerprint of the dossier's files
/// ([`empreinte_fichiers`]), shown in the footer.
pub fn rendre_avec_empreinte(r: &Resultat, empreinte: Option<&str>) -> R<String> {
    let mut octets = Vec::with_capacity(200_000);
    // writing into memory cannot fail
    let _ = ecrire_avec_empreinte(r, empreinte, &mut octets)?;
    // only `str` pieces were written
    Ok(String::from_utf8(octets)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// Past this many bytes, the page being written is handed to the writer (a report of a
/// million structures is never held whole in memory).
const MORCEAU: usize = 1 << 16;

/// Hands the page written so far to `w` once it is [`MORCEAU`] long (`return Ok(Err(e))`
/// when `w` fails).
macro_rules! vider {
    ($o:expr, $w:expr) => {
        if $o.len() >= MORCEAU {
            if let Err(e) = std::io::Write::write_all($w, $o.as_bytes()) {
                return Ok(Err(e));
            }
            $o.clear();
        }
    };
}

mod sections;

/// [`rendre_avec_empreinte`] written into `w` as it is made: the bytes of the page, in
/// pieces. `Err`: a figure that cannot be written; `Ok(Err)`: `w` failed.
pub fn ecrire_avec_empreinte(
    r: &Resultat,
    empreinte: Option<&str>,
    w: &mut dyn std::io::Write,
) -> R<std::io::Result<()>> {
    let mut o = String::with_capacity(MORCEAU + 4096);
    let c = &r.convention;
    let titre = format!("Bonus territoire — {} — exercice {}", c.nom, r.exercice);
    debut_page(&mut o, &titre, "");

    // the convention
    let (periode, libelle, collectivites) = periode_et_collectivites(c);
    let _ = write!(
        o,
        "<header>\n<p class=\"surtitre\">Bonus territoire CTG — rapport de répartition</p>\n<h1>{}</h1>\n<p class=\"meta\">{} · exercice <strong>{}</strong>{} · {} : {}</p>\n</header>\n",
        esc(&c.nom),
        esc(&c.caf),
        r.exercice,
        periode,
        libelle,
        collectivites
    );
    o.push_str("<nav aria-label=\"Sommaire\"><ol><li><a href=\"#synthese\">Synthèse</a></li><li><a href=\"#bonus-par-volet\">Bonus par structure et par volet</a></li><li><a href=\"#financement-gestionnaires\">Financement par gestionnaire</a></li><li><a href=\"#structures\">Détail par structure</a></li><li><a href=\"#rapprochement\">Rapprochement</a></li><li><a href=\"#exclues\">Structures non éligibles</a></li><li><a href=\"#bareme\">Barème et sources</a></li><li><a href=\"#hypotheses\">Choix de modélisation</a></li></ol></nav>\n");

    sections::synthese(&mut o, r);
    if let Err(e) = sections::volets(&mut o, r, w)? {
        return Ok(Err(e));
    }
    sections::gestionnaires(&mut o, r);

    if let Err(e) = sections::structures(&mut o, r, w)? {
        return Ok(Err(e));
    }
    sections::rapprochement(&mut o, r);
    if let Err(e) = sections::exclues(&mut o, r, w)? {
        return Ok(Err(e));
    }
    sections::bareme_et_choix(&mut o, r);
    let _ = write!(
        o,
        "</tbody>\n</table></div>\n</section>\n<footer>{}</footer>\n</body>\n</html>\n",
        pied_de_page(empreinte)
    );
    Ok(std::io::Write::write_all(w, o.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::graphiques::{etiquettes, ETIQUETTE_CAR};
    use super::*;

    #[test]
    fn echappement() {
        assert_eq!(
            esc("<a href=\"x\">L'été & co</a>"),
            "&lt;a href=&quot;x&quot;&gt;L&#39;été &amp; co&lt;/a&gt;"
        );
    }

    #[test]
    fn graduations() {
        // max 56 818,18 € → steps of 20 000 € (5 × 10 000 € would be < 56 819 € only with
        // 10 000 € × 6 intervals): 20 000 × 3 = 60 000 €
        assert_eq!(graduation(5_681_818), (6_000_000, 2_000_000));
        // max 6 172,84 € → step 2 000 €, end 8 000 €
        assert_eq!(graduation(617_284), (800_000, 200_000));
        // 0 → 1 € scale, never a division by zero
        assert_eq!(graduation(0), (100, 100));
        assert_eq!(echelle(50, 100, 400), 2000);
        assert_eq!(echelle(5, 0, 400), 0);
        assert_eq!(px(1234), "123.4");
        assert_eq!(px(1230), "123");
    }

    #[test]
    fn etiquettes_jamais_ambigues() {
        let noms = [
            (
                "Relais petite enfance intercommunal – antenne de Gevrey-Chambertin et environs",
                "RPE-GEVREY",
            ),
            (
                "Relais petite enfance intercommunal – antenne de Gevrey-Chambertin et alentours",
                "RPE-NUITS",
            ),
            ("Multi-accueil Balzac", "EAJE-BALZAC"),
        ];
        let e = etiquettes(&noms, ETIQUETTE_CAR);
        // the two long names would read the same once shortened: their ids instead
        assert_eq!(e[0], "RPE-GEVREY");
        assert_eq!(e[1], "RPE-NUITS");
        assert_eq!(e[2], "Multi-accueil Balzac");
        // a long name on two lines, cut at a word
        let e = etiquettes(
            &[(
                "Communauté de communes de Gevrey-Chambertin et de Nuits-Saint-Georges",
                "X",
            )],
            ETIQUETTE_CAR,
        );
        assert_eq!(
            e[0].lines().collect::<Vec<_>>(),
            [
                "Communauté de communes de Gevrey-",
                "Chambertin et de Nuits-Saint-Georges"
            ]
        );
        assert!(e[0].lines().all(|l| l.chars().count() <= ETIQUETTE_CAR));
    }
}
