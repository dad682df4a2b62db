//! `bonus-ctg modele FICHIER.xlsx [--depuis DOSSIER]`: the workbook a finance officer fills
//! in — an `aide` sheet, headers with notes, drop-down lists, number formats, frozen header
//! rows, column widths — blank, or filled from a folder dossier.

use super::colonnes::{self, Colonne, Genre};
use crate::lecture::DossierLu;
use crate::modele::{Date, Montant, Unites};
use crate::projection::evenements::Evenement;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DataValidationRule, ExcelDateTime, Format,
    FormatAlign, Formula, Note, Workbook, Worksheet, XlsxError,
};

/// Rows of each table that carry the drop-down lists and checks (beyond the filled rows).
const LIGNES_LIBRES: u32 = 2_000;
/// Row (0-based) of the collectivités header in the `convention` sheet.
const ENTETE_COLLECTIVITES: u32 = 8;
/// Last row (0-based) of the collectivités table that carries the checks.
const DERNIERE_COLLECTIVITE: u32 = ENTETE_COLLECTIVITES + crate::lecture::COLLECTIVITES_MAX as u32;

/// What the template is filled with (`--depuis`), or nothing (blank template).
#[derive(Debug, Clone, Copy, Default)]
pub struct Contenu<'a> {
    pub dossier: Option<&'a DossierLu>,
    pub evenements: &'a [Evenement],
    /// The dossier's `bareme.toml`, copied row by row to the `bareme` sheet.
    pub bareme_toml: Option<&'a str>,
}

type X<T> = Result<T, XlsxError>;

struct Formats {
    entete: Format,
    texte: Format,
    montant: Format,
    unites: Format,
    entier: Format,
    date: Format,
    titre: Format,
    paragraphe: Format,
}

impl Formats {
    fn new() -> Self {
        let entete = Format::new()
            .set_bold()
            .set_background_color("#DDEBF7")
            .set_text_wrap()
            .set_align(FormatAlign::Top);
        Formats {
            entete,
            texte: Format::new().set_num_format("@"),
            montant: Format::new().set_num_format("#,##0.00\\ \"€\""),
            unites: Format::new().set_num_format("#,##0.00"),
            entier: Format::new().set_num_format("0"),
            date: Format::new().set_num_format("dd/mm/yyyy"),
            titre: Format::new().set_bold().set_font_size(14),
            paragraphe: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }
    fn de(&self, g: Genre) -> &Format {
        match g {
            Genre::Montant => &self.montant,
            Genre::Unites => &self.unites,
            Genre::Entier(..) => &self.entier,
            Genre::Date => &self.date,
            _ => &self.texte,
        }
    }
}

/// A cell value written by the template.
enum Valeur {
    Texte(String),
    /// Hundredths (an amount in cents, units in hundredths), written through the workbook
    /// writer's one conversion to a spreadsheet number.
    Centiemes(i64),
    Entier(i64),
    Date(Date),
}

fn montant(m: Montant) -> Valeur {
    Valeur::Centiemes(m.0)
}
fn unites(u: Unites) -> Valeur {
    Valeur::Centiemes(u.0)
}
fn texte(s: &str) -> Valeur {
    Valeur::Texte(s.to_string())
}
fn oui_non(b: bool) -> Valeur {
    texte(if b { "oui" } else { "non" })
}

fn ecrire(ws: &mut Worksheet, l: u32, c: u16, v: &Valeur, f: &Formats, g: Genre) -> X<()> {
    match v {
        Valeur::Texte(t) if t.is_empty() => {}
        Valeur::Texte(t) => {
            ws.write_string_with_format(l, c, t, f.de(g))?;
        }
        Valeur::Centiemes(h) => {
            let n = crate::rapport::xlsx::echelle_f64(i128::from(*h), 2)
                .map_err(|e| XlsxError::ParameterError(e.0))?;
            ws.write_number_with_format(l, c, n, f.de(g))?;
        }
        Valeur::Entier(n) => {
            let n = crate::rapport::xlsx::echelle_f64(i128::from(*n), 0)
                .map_err(|e| XlsxError::ParameterError(e.0))?;
            ws.write_number_with_format(l, c, n, f.de(g))?;
        }
        Valeur::Date(d) => {
            let x = ExcelDateTime::from_ymd(d.annee as u16, d.mois, d.jour)?;
            ws.write_datetime_with_format(l, c, &x, &f.date)?;
        }
    }
    Ok(())
}

/// The data validation of a column, if its kind has one.
fn validation(col: &Colonne, volets: &[String]) -> X<Option<DataValidation>> {
    let liste = |l: &[&str]| DataValidation::new().allow_list_strings(l);
    let v = match col.genre {
        Genre::Texte | Genre::Date => return Ok(None),
        Genre::Liste(f) => liste(&f())?,
        Genre::OuiNon => liste(&["oui", "non"])?,
        Genre::Volet => {
            let l: Vec<&str> = volets.iter().map(String::as_str).collect();
            match liste(&l) {
                Ok(v) => v,
                Err(_) => return Ok(None), // more than Excel's 255 characters: no list
            }
        }
        Genre::Collectivite => DataValidation::new().allow_list_formula(Formula::new(format!(
            "=convention!$A${}:$A${}",
            ENTETE_COLLECTIVITES + 2,
            DERNIERE_COLLECTIVITE + 1
        ))),
        Genre::Structure => DataValidation::new().allow_list_formula(Formula::new(format!(
            "=structures!$A$2:$A${}",
            LIGNES_LIBRES + 1
        ))),
        Genre::Montant => DataValidation::new()
            .allow_decimal_number(DataValidationRule::Between(0.0, 1_000_000_000.0)),
        Genre::Unites => {
            DataValidation::new().allow_decimal_number(DataValidationRule::Between(0.0, 100_000.0))
        }
        Genre::Entier(a, b) => {
            DataValidation::new().allow_whole_number(DataValidationRule::Between(a, b))
        }
    };
    let message = match col.genre {
        Genre::Montant => "un montant en euros, positif ou nul, deux décimales au plus".to_string(),
        Genre::Unites => "un nombre d'unités positif ou nul, deux décimales au plus".to_string(),
        Genre::Entier(a, b) => format!("un nombre entier de {a} à {b}"),
        Genre::Collectivite => "un identifiant de la feuille convention".to_string(),
        Genre::Structure => "un identifiant de la feuille structures".to_string(),
        _ => "une valeur de la liste".to_string(),
    };
    Ok(Some(
        v.set_error_title("Valeur refusée")?
            .set_error_message(format!("Colonne « {} » : {message}.", col.nom))?
            // a local volet of the barème sheet is not in the list: a warning, not a refusal
            .set_error_style(if matches!(col.genre, Genre::Volet) {
                DataValidationErrorStyle::Warning
            } else {
                DataValidationErrorStyle::Stop
            }),
    ))
}

/// A header row with a note on each cell, widths, validations on `lignes` rows below.
fn entete(
    ws: &mut Worksheet,
    ligne: u32,
    cols: &[Colonne],
    f: &Formats,
    volets: &[String],
    derniere: u32,
) -> X<()> {
    for (i, col) in cols.iter().enumerate() {
        let c = i as u16;
        ws.write_string_with_format(ligne, c, col.nom, &f.entete)?;
        let obligatoire = if col.requise {
            "obligatoire"
        } else {
            "facultative"
        };
        let note = Note::new(format!("{} ({obligatoire})\n{}", col.nom, col.aide))
            .set_author("bonus-ctg")
            .set_width(320)
            .set_height(120);
        ws.insert_note(ligne, c, &note)?;
        if col.largeur > 0.0 {
            ws.set_column_width(c, col.largeur)?;
        }
        // what is typed in an empty row takes the column's format (a date stays a date)
        if !matches!(col.genre, Genre::Texte) {
            ws.set_column_format(c, f.de(col.genre))?;
        }
        if let Some(v) = validation(col, volets)? {
            ws.add_data_validation(ligne + 1, c, derniere, c, &v)?;
        }
    }
    Ok(())
}

/// One table sheet: header, rows, validations, frozen header.
fn table(
    wb: &mut Workbook,
    nom: &str,
    cols: &[Colonne],
    lignes: &[Vec<Valeur>],
    f: &Formats,
    volets: &[String],
) -> X<()> {
    let ws = wb.add_worksheet();
    ws.set_name(nom)?;
    let derniere = lignes.len() as u32 + LIGNES_LIBRES;
    entete(ws, 0, cols, f, volets, derniere)?;
    for (i, l) in lignes.iter().enumerate() {
        for (j, v) in l.iter().enumerate() {
            ecrire(ws, i as u32 + 1, j as u16, v, f, cols[j].genre)?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(())
}

fn convention(wb: &mut Workbook, c: &Contenu<'_>, f: &Formats) -> X<()> {
    let ws = wb.add_worksheet();
    ws.set_name("convention")?;
    ws.write_string_with_format(0, 0, "champ", &f.entete)?;
    ws.write_string_with_format(0, 1, "valeur", &f.entete)?;
    ws.set_column_width(0, 14.0)?;
    ws.set_column_width(1, 44.0)?;
    let conv = c.dossier.map(|d| &d.dossier.convention);
    for (i, champ) in colonnes::CHAMPS_CONVENTION.iter().enumerate() {
        let l = i as u32 + 1;
        ws.write_string(l, 0, champ.nom)?;
        ws.insert_note(l, 0, &Note::new(champ.aide).set_author("bonus-ctg"))?;
        let v = conv.map(|k| match champ.nom {
            "nom" => texte(&k.nom),
            "caf" => texte(&k.caf),
            "debut" => k.debut.map_or(texte(""), Valeur::Date),
            "fin" => k.fin.map_or(texte(""), Valeur::Date),
            _ => Valeur::Entier(i64::from(k.exercice)),
        });
        match v {
            Some(v) => ecrire(ws, l, 1, &v, f, champ.genre)?,
            None => {
                ws.write_blank(l, 1, f.de(champ.genre))?;
            }
        }
    }
    ws.write_string_with_format(
        ENTETE_COLLECTIVITES - 1,
        0,
        "Collectivités de la convention (une ligne chacune) :",
        &Format::new().set_italic(),
    )?;
    entete(
        ws,
        ENTETE_COLLECTIVITES,
        colonnes::COLLECTIVITES,
        f,
        &[],
        DERNIERE_COLLECTIVITE,
    )?;
    for (i, k) in conv.iter().flat_map(|k| &k.collectivites).enumerate() {
        let l = ENTETE_COLLECTIVITES + 1 + i as u32;
        let tranche = k
            .tranche
            .map_or(texte(""), |t| Valeur::Entier(i64::from(t)));
        let population = k.population.map_or(texte(""), |p| Valeur::Entier(p as i64));
        let valeurs = [
            texte(&k.id),
            texte(&k.nom),
            tranche,
            oui_non(k.signataire),
            population,
        ];
        for (j, v) in valeurs.iter().enumerate() {
            ecrire(ws, l, j as u16, v, f, colonnes::COLLECTIVITES[j].genre)?;
        }
    }
    Ok(())
}

fn lignes_structures(lu: &DossierLu) -> Vec<Vec<Valeur>> {
    lu.dossier
        .structures
        .iter()
        .map(|s| {
            vec![
                texte(&s.id),
                texte(s.annexe.libelle()),
                texte(s.type_structure.code()),
                texte(&s.nom),
                texte(&s.adresse),
                texte(&s.gestionnaire),
                texte(&s.collectivite),
                texte(s.financement.code()),
                oui_non(s.soutien_collectivite),
                unites(s.unites_existantes),
                unites(s.unites_nouvelles),
                unites(s.unites_employeurs),
                Valeur::Entier(i64::from(s.mois_ouverture)),
                montant(s.contribution_collectivite_n1),
                montant(s.bonus_n1),
                unites(s.unites_employeurs_nouvelles),
            ]
        })
        .collect()
}

fn lignes_charges(lu: &DossierLu) -> Vec<Vec<Valeur>> {
    lu.dossier
        .charges
        .iter()
        .map(|c| {
            vec![
                texte(&c.collectivite),
                texte(&c.volet),
                montant(c.montant),
                texte(&c.libelle),
            ]
        })
        .collect()
}

fn lignes_evenements(ev: &[Evenement]) -> Vec<Vec<Valeur>> {
    ev.iter()
        .map(|e| {
            vec![
                Valeur::Date(e.date),
                texte(&e.id),
                texte(e.action.nom()),
                texte(&e.action.valeur()),
            ]
        })
        .collect()
}

/// The rows of the `bareme` sheet from a `bareme.toml` text: one row per dated value, one
/// row without date for an abridged value. Values keep their TOML writing (exact).
pub fn lignes_bareme(texte_toml: &str) -> Result<Vec<[String; 5]>, String> {
    let v: toml::Table = texte_toml
        .parse()
        .map_err(|e: toml::de::Error| crate::lecture::message_toml(e.message()))?;
    let mut r = Vec::new();
    parcourir("", &toml::Value::Table(v), &mut r);
    Ok(r)
}

fn texte_valeur(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Boolean(b) => (if *b { "vrai" } else { "faux" }).to_string(),
        // the value's own writing (`Value::to_string` would serialise it as a table)
        toml::Value::Datetime(d) => d.to_string(),
        autre => autre.to_string(),
    }
}

fn parcourir(chemin: &str, v: &toml::Value, r: &mut Vec<[String; 5]>) {
    let date = |t: &toml::Table| t.get("debut").map(texte_valeur).unwrap_or_default();
    let champ = |t: &toml::Table, k: &str| t.get(k).map(texte_valeur).unwrap_or_default();
    match v {
        toml::Value::Table(t) => {
            for (k, x) in t {
                let p = if chemin.is_empty() {
                    k.clone()
                } else {
                    format!("{chemin}.{k}")
                };
                parcourir(&p, x, r);
            }
        }
        toml::Value::Array(a)
            if !a.is_empty()
                && a.iter()
                    .all(|x| x.as_table().is_some_and(|t| t.contains_key("valeur"))) =>
        {
            for t in a.iter().filter_map(|x| x.as_table()) {
                r.push([
                    chemin.to_string(),
                    date(t),
                    t.get("valeur").map(texte_valeur).unwrap_or_default(),
                    champ(t, "reference"),
                    champ(t, "statut"),
                ]);
            }
        }
        autre => r.push([
            chemin.to_string(),
            String::new(),
            texte_valeur(autre),
            String::new(),
            String::new(),
        ]),
    }
}

fn aide(wb: &mut Workbook, volets: &[(String, String)], f: &Formats) -> X<()> {
    let ws = wb.add_worksheet();
    ws.set_name("aide")?;
    ws.set_column_width(0, 26.0)?;
    ws.set_column_width(1, 13.0)?;
    ws.set_column_width(2, 90.0)?;
    let mut l = 0;
    ws.write_string_with_format(l, 0, "Bonus territoire CTG — classeur du dossier", &f.titre)?;
    l += 2;
    for p in [
        "Ce classeur contient tout le dossier d'une convention territoriale globale (CTG) pour un exercice. Remplissez les feuilles convention, structures et charges_n1 ; les feuilles evenements et bareme sont facultatives.",
        "Puis lancez : bonus-ctg calculer CE_FICHIER.xlsx (ou --sortie resultat.xlsx). Chaque erreur est signalée avec sa cellule (ex. structures!F12).",
        "Chaque en-tête porte une note (survolez-le) ; les listes déroulantes donnent les valeurs admises. Les montants sont en euros (deux décimales au plus), les unités ont deux décimales au plus.",
    ] {
        ws.merge_range(l, 0, l, 2, p, &f.paragraphe)?;
        ws.set_row_height(l, 32)?;
        l += 1;
    }
    l += 1;
    let feuilles: [(&str, &str, &[Colonne]); 5] = [
        ("structures", "Annexes 2 et 2 bis de la convention, une ligne par structure.", colonnes::STRUCTURES),
        ("charges_n1", "Charges à payer N-1 de la Caf, par collectivité et par volet.", colonnes::CHARGES),
        ("convention", "En haut, les champs de la convention (champ | valeur) ; en dessous, le tableau des collectivités.", colonnes::COLLECTIVITES),
        ("evenements", "Facultative : ouvertures, fermetures et changements d'unités pour la projection pluriannuelle (bonus-ctg projeter).", colonnes::EVENEMENTS),
        ("bareme", "Facultative : valeurs datées qui remplacent celles du barème intégré (une ligne par valeur).", colonnes::BAREME),
    ];
    for (feuille, role, cols) in feuilles {
        ws.write_string_with_format(l, 0, format!("Feuille « {feuille} »"), &f.entete)?;
        ws.merge_range(l, 1, l, 2, role, &f.entete)?;
        l += 1;
        // the convention's fields (« champ », masculine), then the columns (feminine)
        let champs = if feuille == "convention" {
            colonnes::CHAMPS_CONVENTION
        } else {
            &[]
        };
        for (col, requis) in champs
            .iter()
            .map(|c| (c, ["obligatoire", "facultatif"]))
            .chain(cols.iter().map(|c| (c, ["obligatoire", "facultative"])))
        {
            ws.write_string(l, 0, col.nom)?;
            ws.write_string(l, 1, requis[usize::from(!col.requise)])?;
            ws.write_string_with_format(l, 2, col.aide, &f.paragraphe)?;
            l += 1;
        }
        l += 1;
    }
    ws.write_string_with_format(l, 0, "Unités par volet", &f.entete)?;
    ws.merge_range(l, 1, l, 2, "ce que compte unites_existantes pour les structures de chaque volet (barème de l'exercice)", &f.entete)?;
    l += 1;
    for (volet, unite) in volets {
        ws.write_string(l, 0, volet)?;
        ws.write_string(l, 1, unite)?;
        l += 1;
    }
    l += 1;
    ws.write_string_with_format(l, 0, "Exemple", &f.entete)?;
    ws.merge_range(l, 1, l, 2, "deux LAEP d'une commune", &f.entete)?;
    l += 1;
    for p in [
        "charges_n1 : DUGNY | LAEP | 10000 — la Caf avait 10 000,00 € de charge à payer N-1 pour le volet LAEP.",
        "structures : LAEP-BISOUNOURS | 2 | LAEP | … | unites_existantes 400 ; LAEP-LAPINOUS | 2 | LAEP | … | unites_existantes 350 (heures).",
        "Résultat : 10 000 € / 750 h = 13,3333 € par heure ; Bisounours 5 333,33 €, Lapinous 4 666,67 € (le centime restant va au plus fort reste) ; total 10 000,00 €.",
    ] {
        ws.merge_range(l, 0, l, 2, p, &f.paragraphe)?;
        ws.set_row_height(l, 30)?;
        l += 1;
    }
    Ok(())
}

/// The volets and their unit (for the `aide` sheet and the `volet` drop-down list).
fn volets_et_unites(c: &Contenu<'_>) -> Vec<(String, String)> {
    let integre;
    let bareme = match c.dossier {
        Some(d) => &d.bareme,
        None => {
            integre = crate::bareme::Bareme::integre().ok();
            match &integre {
                Some(b) => b,
                None => return Vec::new(),
            }
        }
    };
    let exercice = c
        .dossier
        .map_or_else(annee_courante, |d| d.dossier.convention.exercice);
    match bareme.pour_exercice(exercice, "bareme.toml") {
        Ok(b) => b
            .volets
            .iter()
            .map(|(nom, v)| (nom.clone(), v.unite.valeur.clone()))
            .collect(),
        Err(_) => bareme
            .volets
            .keys()
            .map(|k| (k.clone(), String::new()))
            .collect(),
    }
}

/// The current calendar year (the blank template shows the barème in force this year).
pub fn annee_courante() -> i32 {
    let secondes = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    annee_du_jour(secondes.div_euclid(86_400))
}

/// The year of a day counted from 1970-01-01 (proleptic Gregorian calendar; H. Hinnant's
/// `civil_from_days`).
fn annee_du_jour(jours: i64) -> i32 {
    let z = jours + 719_468;
    let ere = z.div_euclid(146_097);
    let jour_ere = z - ere * 146_097;
    let annee_ere = (jour_ere - jour_ere / 1_460 + jour_ere / 36_524 - jour_ere / 146_096) / 365;
    let jour_annee = jour_ere - (365 * annee_ere + annee_ere / 4 - annee_ere / 100);
    let mois_p = (5 * jour_annee + 2) / 153;
    let mois = if mois_p < 10 { mois_p + 3 } else { mois_p - 9 };
    (annee_ere + ere * 400 + i64::from(mois <= 2)) as i32
}

/// Writes the template workbook (bytes of an `.xlsx`).
pub fn ecrire_modele(c: &Contenu<'_>) -> X<Vec<u8>> {
    let f = Formats::new();
    let mut wb = Workbook::new();
    let volets = volets_et_unites(c);
    let noms_volets: Vec<String> = volets.iter().map(|(v, _)| v.clone()).collect();
    aide(&mut wb, &volets, &f)?;
    convention(&mut wb, c, &f)?;
    let (s, ch) = match c.dossier {
        Some(lu) => (lignes_structures(lu), lignes_charges(lu)),
        None => (Vec::new(), Vec::new()),
    };
    table(
        &mut wb,
        "structures",
        colonnes::STRUCTURES,
        &s,
        &f,
        &noms_volets,
    )?;
    table(
        &mut wb,
        "charges_n1",
        colonnes::CHARGES,
        &ch,
        &f,
        &noms_volets,
    )?;
    let ev = lignes_evenements(c.evenements);
    table(
        &mut wb,
        "evenements",
        colonnes::EVENEMENTS,
        &ev,
        &f,
        &noms_volets,
    )?;
    let bareme: Vec<Vec<Valeur>> = match c.bareme_toml.map(lignes_bareme) {
        Some(Ok(l)) => l
            .into_iter()
            .map(|r| r.into_iter().map(Valeur::Texte).collect())
            .collect(),
        _ => Vec::new(),
    };
    table(
        &mut wb,
        "bareme",
        colonnes::BAREME,
        &bareme,
        &f,
        &noms_volets,
    )?;
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests;
