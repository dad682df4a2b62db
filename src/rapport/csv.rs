//! CSV output: one table per file (structures by default; `--table` for the others).

use super::{euros, texte_sur, Profil};
use crate::calcul::rationnel::{Invariant, R};
use crate::calcul::{LigneStructure, Resultat};

pub const COLONNES: &[&str] = &[
    "id",
    "nom",
    "type",
    "volet",
    "gestionnaire",
    "collectivite",
    "motif",
    "unites_eligibles",
    "taux_unitaire",
    "bonus_lissage",
    "bonus_nouvelles",
    "bonus_total",
    "ecart_arrondi",
    "contribution_collectivite_n1",
    "contribution_collectivite_n",
    "financement_public_n1",
    "financement_public_n",
    "variation",
    "bonus_trajectoire",
    "bonus_ctre",
];

pub const COLONNES_RAPPROCHEMENT: &[&str] = &[
    "collectivite",
    "volet",
    "charge_n1",
    "lissage_verse",
    "nouvelles_versees",
    "complement_plancher",
    "non_redistribue",
    "verse_collectivite",
    "trajectoire_versee",
];

/// What a CSV file starts with: the UTF-8 BOM for `excel-fr`, nothing for `rfc4180`.
pub(crate) fn bom(p: Profil) -> &'static [u8] {
    if p == Profil::ExcelFr {
        b"\xEF\xBB\xBF"
    } else {
        b""
    }
}

/// The profile's line ending (for the empty line between two blocks).
pub(crate) fn fin_de_ligne(p: Profil) -> &'static [u8] {
    if p == Profil::ExcelFr {
        b"\r\n"
    } else {
        b"\n"
    }
}

/// A CSV writer builder with the profile's delimiter and line ending.
pub(crate) fn constructeur(p: Profil) -> csv::WriterBuilder {
    let (delim, term) = match p {
        Profil::ExcelFr => (b';', csv::Terminator::CRLF),
        Profil::Rfc4180 => (b',', csv::Terminator::Any(b'\n')),
    };
    let mut b = csv::WriterBuilder::new();
    b.delimiter(delim).terminator(term);
    b
}

/// A CSV writer with the profile's delimiter and line ending, rows of any length, appending
/// to `sortie`.
pub(crate) fn ecrivain(p: Profil, sortie: Vec<u8>) -> csv::Writer<Vec<u8>> {
    constructeur(p).flexible(true).from_writer(sortie)
}

/// The fields of one structure row (columns [`COLONNES`]), formatted for profile `p`.
pub fn champs_structure(l: &LigneStructure, p: Profil) -> R<Vec<String>> {
    let s = &l.structure;
    let taux = match &l.taux_unitaire {
        Some(t) => euros(t, 4)?,
        None => "0.0000".into(),
    };
    Ok(vec![
        texte_sur(&s.id),
        texte_sur(&s.nom),
        s.type_structure.code().to_string(),
        l.eligibilite
            .volet()
            .map(str::to_string)
            .unwrap_or_default(),
        texte_sur(&s.gestionnaire),
        texte_sur(&s.collectivite),
        l.motif().code().to_string(),
        p.unites(l.unites_eligibles),
        p.decimal(taux),
        p.montant(l.bonus_lissage),
        p.montant(l.bonus_nouvelles),
        p.montant(l.bonus_total),
        p.decimal(euros(&l.ecart_arrondi, 4)?),
        p.montant(l.contribution_n1),
        p.montant(l.contribution_n),
        p.montant(l.financement_public_n1),
        p.montant(l.financement_public_n),
        p.montant(l.variation),
        p.montant(l.bonus_trajectoire),
        p.montant(l.bonus_ctre),
    ])
}

/// The tables a CSV file can hold, one per file (`--table`; `--sortie DIR/` writes them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableCsv {
    /// One row per structure (the default).
    Structures,
    /// Totals per gestionnaire.
    Gestionnaires,
    /// Totals per collectivité.
    Collectivites,
    /// Reconciliation per (collectivité, volet).
    Rapprochement,
    /// The grand totals, one `indicateur;montant` row each.
    Totaux,
}

impl TableCsv {
    pub const TOUTES: [TableCsv; 5] = [
        TableCsv::Structures,
        TableCsv::Gestionnaires,
        TableCsv::Collectivites,
        TableCsv::Rapprochement,
        TableCsv::Totaux,
    ];
    /// Its name (`--table`, and the file name `NOM.csv` of `--sortie DIR/`).
    pub fn nom(self) -> &'static str {
        match self {
            TableCsv::Structures => "structures",
            TableCsv::Gestionnaires => "gestionnaires",
            TableCsv::Collectivites => "collectivites",
            TableCsv::Rapprochement => "rapprochement",
            TableCsv::Totaux => "totaux",
        }
    }
}

/// The grand totals' rows: (indicateur, montant).
pub fn lignes_totaux(r: &Resultat) -> [(&'static str, crate::modele::Montant); 8] {
    let t = &r.total;
    [
        ("charge_n1", t.charge_n1),
        ("lissage_verse", t.lissage_verse),
        ("nouvelles_versees", t.nouvelles_versees),
        ("trajectoire_versee", t.trajectoire_versee),
        ("complement_plancher", t.complement_plancher),
        ("non_redistribue", t.non_redistribue),
        ("verse_collectivite", t.verse_collectivite),
        ("verse_caf", t.verse_caf),
    ]
}

/// One table as a CSV file (bytes, with BOM for `excel-fr`).
pub fn rendre_table(r: &Resultat, p: Profil, t: TableCsv) -> R<Vec<u8>> {
    use super::tables;
    let mut w = constructeur(p).from_writer(bom(p).to_vec());
    let mut ecrire = |champs: &[String]| {
        w.write_record(champs)
            .map_err(|_| Invariant("écriture CSV en mémoire impossible"))
    };
    let textes = |c: &[&str]| c.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    match t {
        TableCsv::Structures => return rendre_avec(r, p, &mut |_| {}),
        TableCsv::Gestionnaires => {
            ecrire(&textes(tables::COLONNES_GESTIONNAIRES))?;
            for (g, x) in &r.gestionnaires {
                let mut l = vec![
                    texte_sur(g),
                    x.structures.to_string(),
                    x.structures_eligibles.to_string(),
                ];
                l.extend(tables::montants_totaux(x).into_iter().map(|m| p.montant(m)));
                ecrire(&l)?;
            }
        }
        TableCsv::Collectivites => {
            ecrire(&textes(tables::COLONNES_COLLECTIVITES))?;
            for (id, c) in &r.collectivites {
                let nom = r
                    .convention
                    .collectivite(id)
                    .map_or(String::new(), |c| c.nom.clone());
                let mut l = vec![texte_sur(id), texte_sur(&nom)];
                l.extend(
                    tables::montants_collectivite(c)
                        .into_iter()
                        .map(|m| p.montant(m)),
                );
                l.push(c.structures.structures.to_string());
                l.push(c.structures.structures_eligibles.to_string());
                ecrire(&l)?;
            }
        }
        TableCsv::Rapprochement => {
            ecrire(&textes(COLONNES_RAPPROCHEMENT))?;
            for g in &r.groupes {
                ecrire(&[
                    texte_sur(&g.collectivite),
                    g.volet.clone(),
                    p.montant(g.charge_n1),
                    p.montant(g.lissage_verse),
                    p.montant(g.nouvelles_versees),
                    p.montant(g.complement_plancher),
                    p.montant(g.non_redistribue),
                    p.montant(g.verse_collectivite),
                    p.montant(g.trajectoire_versee),
                ])?;
            }
        }
        TableCsv::Totaux => {
            ecrire(&textes(&["indicateur", "montant"]))?;
            for (n, m) in lignes_totaux(r) {
                ecrire(&[n.to_string(), p.montant(m)])?;
            }
        }
    }
    w.into_inner()
        .map_err(|_| Invariant("écriture CSV en mémoire impossible"))
}

/// The structure table as a CSV file (bytes, with BOM for `excel-fr`): one row per
/// structure. The other tables: [`rendre_table`].
pub fn rendre(r: &Resultat, p: Profil) -> R<Vec<u8>> {
    rendre_avec(r, p, &mut |_| {})
}

/// [`rendre`], handing each structure row's fields to `par_ligne` as well (`bonus-ctg lot`
/// writes them into the consolidated file without formatting them twice).
pub fn rendre_avec(r: &Resultat, p: Profil, par_ligne: &mut dyn FnMut(&[String])) -> R<Vec<u8>> {
    let mut octets = Vec::new();
    octets.extend_from_slice(bom(p));
    // rows are written as they are formatted (no table of all rows kept in memory)
    let mut w = ecrivain(p, octets);
    w.write_record(COLONNES)
        .map_err(|_| Invariant("écriture CSV en mémoire impossible"))?;
    for l in &r.structures {
        let champs = champs_structure(l, p)?;
        par_ligne(&champs);
        w.write_record(&champs)
            .map_err(|_| Invariant("écriture CSV en mémoire impossible"))?;
    }
    w.into_inner()
        .map_err(|_| Invariant("écriture CSV en mémoire impossible"))
}
