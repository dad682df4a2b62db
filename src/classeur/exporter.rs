//! `bonus-ctg exporter CLASSEUR.xlsx --vers DIR`: a workbook dossier written back as a folder
//! of text files (`convention.toml`, `structures.csv`, `charges_n1.csv`, and when the
//! workbook has them `evenements.csv` and `bareme.toml`), so that a dossier can live in git.
//!
//! The files are written from what was read and checked (canonical values: `1234.50`,
//! `oui`, `2bis`), so the folder gives exactly the workbook's results.

use crate::diagnostic::Diagnostics;
use crate::lecture::classeur::{self, FEUILLE_BAREME};
use crate::lecture::xlsx::{grille, Feuille};
use crate::lecture::{DossierLu, COLONNES_CHARGES, COLONNES_STRUCTURES};
use crate::projection::evenements::{self, Evenement};

/// A TOML string literal.
fn chaine(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// `convention.toml` of a read dossier.
pub fn convention_toml(lu: &DossierLu) -> String {
    let c = &lu.dossier.convention;
    let mut t = String::from(
        "# Écrit par « bonus-ctg exporter » (schéma : README, « Le dossier d'entrée »).\n",
    );
    t.push_str(&format!(
        "nom = {}\ncaf = {}\n",
        chaine(&c.nom),
        chaine(&c.caf)
    ));
    if let Some(d) = c.debut {
        t.push_str(&format!("debut = {d}\n"));
    }
    if let Some(d) = c.fin {
        t.push_str(&format!("fin = {d}\n"));
    }
    t.push_str(&format!("exercice = {}\n", c.exercice));
    for k in &c.collectivites {
        t.push_str(&format!(
            "\n[[collectivites]]\nid = {}\nnom = {}\n",
            chaine(&k.id),
            chaine(&k.nom)
        ));
        if let Some(tr) = k.tranche {
            t.push_str(&format!("tranche = {tr}\n"));
        }
        if let Some(p) = k.population {
            t.push_str(&format!("population = {p}\n"));
        }
        t.push_str(&format!("signataire = {}\n", k.signataire));
    }
    t
}

/// A `;` CSV of `lignes`, each a list of (column, value): the values are written in the
/// order of `entete`, whatever order a line lists them in (a column a line lacks is empty).
fn csv(entete: &[&str], lignes: impl Iterator<Item = Vec<(&'static str, String)>>) -> Vec<u8> {
    let mut w = ::csv::WriterBuilder::new()
        .delimiter(b';')
        .from_writer(Vec::new());
    let ecrire = |w: &mut ::csv::Writer<Vec<u8>>, champs: Vec<String>| {
        // a writer into memory fails only on a record of another length, which the
        // ordering below rules out
        w.write_record(&champs)
            .expect("enregistrement de la longueur de l'en-tête");
    };
    ecrire(&mut w, entete.iter().map(|c| c.to_string()).collect());
    for l in lignes {
        let champs = entete
            .iter()
            .map(|c| {
                l.iter()
                    .find(|(n, _)| n == c)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
            .collect();
        ecrire(&mut w, champs);
    }
    w.into_inner().unwrap_or_default()
}

/// `structures.csv` of a read dossier.
pub fn structures_csv(lu: &DossierLu) -> Vec<u8> {
    let oui_non = |b: bool| (if b { "oui" } else { "non" }).to_string();
    csv(
        COLONNES_STRUCTURES,
        lu.dossier.structures.iter().map(|s| {
            vec![
                ("id", s.id.to_string()),
                ("annexe", s.annexe.libelle().to_string()),
                ("type", s.type_structure.code().to_string()),
                ("nom", s.nom.to_string()),
                ("adresse", s.adresse.to_string()),
                ("gestionnaire", s.gestionnaire.to_string()),
                ("collectivite", s.collectivite.to_string()),
                ("financement", s.financement.code().to_string()),
                ("soutien_collectivite", oui_non(s.soutien_collectivite)),
                ("unites_existantes", s.unites_existantes.to_string()),
                ("unites_nouvelles", s.unites_nouvelles.to_string()),
                ("unites_employeurs", s.unites_employeurs.to_string()),
                (
                    "unites_employeurs_nouvelles",
                    s.unites_employeurs_nouvelles.to_string(),
                ),
                ("mois_ouverture", s.mois_ouverture.to_string()),
                (
                    "contribution_collectivite_n1",
                    s.contribution_collectivite_n1.to_string(),
                ),
                ("bonus_n1", s.bonus_n1.to_string()),
            ]
        }),
    )
}

/// `charges_n1.csv` of a read dossier.
pub fn charges_csv(lu: &DossierLu) -> Vec<u8> {
    csv(
        COLONNES_CHARGES,
        lu.dossier.charges.iter().map(|c| {
            vec![
                ("collectivite", c.collectivite.clone()),
                ("volet", c.volet.clone()),
                ("montant", c.montant.to_string()),
                ("libelle", c.libelle.clone()),
            ]
        }),
    )
}

/// `evenements.csv` of a list of events.
pub fn evenements_csv(ev: &[Evenement]) -> Vec<u8> {
    csv(
        evenements::COLONNES,
        ev.iter().map(|e| {
            vec![
                ("date", e.date.to_string()),
                ("id", e.id.clone()),
                ("action", e.action.nom().to_string()),
                ("valeur", e.action.valeur()),
            ]
        }),
    )
}

/// The files of the folder dossier made from a workbook (pure: its bytes), checked first:
/// `None` when the workbook has errors (in `diags`).
pub fn exporter(
    fichier: &str,
    octets: &[u8],
    diags: &mut Diagnostics,
) -> Option<Vec<(&'static str, Vec<u8>)>> {
    let lu = classeur::analyser_classeur(fichier, octets, None, diags)?;
    let noms = grille::feuilles(fichier, octets).ok()?;
    let mut r = vec![
        ("convention.toml", convention_toml(&lu).into_bytes()),
        ("structures.csv", structures_csv(&lu)),
        ("charges_n1.csv", charges_csv(&lu)),
    ];
    if grille::a_feuille(&noms, "evenements") {
        let (ev, _) = evenements::analyser_feuille_evenements(fichier, octets, diags)?;
        if !ev.is_empty() {
            r.push(("evenements.csv", evenements_csv(&ev)));
        }
    }
    if grille::a_feuille(&noms, FEUILLE_BAREME[0]) {
        let feuille = Feuille {
            noms: FEUILLE_BAREME,
            premiere_sinon: false,
        };
        let (nom, cellules) = grille::lire_grille(fichier, octets, feuille).ok()?;
        let t = classeur::bareme_en_toml(&nom, &cellules);
        if !t.texte.is_empty() {
            let mut texte = String::from("# Écrit par « bonus-ctg exporter » depuis la feuille « bareme » (schéma : docs/bareme.md).\n");
            texte.push_str(&t.texte);
            r.push(("bareme.toml", texte.into_bytes()));
        }
    }
    Some(r)
}
