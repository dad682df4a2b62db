//! Reading the structures and charges tables (CSV text or a workbook's sheet): one
//! [`Structure`] or [`ChargeAPayer`] per record, every refused value located (file, line or
//! cell, column, value).

use super::*;
use crate::diagnostic::Code;
use crate::modele::Texte;
pub(crate) fn lire_tableau(
    src: Source<'_>,
    connues: &[&str],
    requises: &[&str],
    diags: &mut Diagnostics,
) -> Option<Tableau> {
    match src.contenu {
        Contenu::Csv(t) => tableau::lire(src.fichier, t, connues, requises, diags),
        Contenu::Xlsx(o, f) => xlsx::lire(src.fichier, o, f, connues, requises, diags),
    }
}

/// A column of the table being read: its name (for messages) and its position, looked up
/// once per table rather than once per cell.
#[derive(Clone, Copy)]
pub(crate) struct Col<'n> {
    nom: &'n str,
    i: Option<usize>,
}

impl Tableau {
    pub(crate) fn col<'n>(&self, nom: &'n str) -> Col<'n> {
        Col {
            nom,
            i: self.indice(nom),
        }
    }
}

pub(crate) struct Ligne<'a> {
    pub(crate) tab: &'a Tableau,
    pub(crate) enr: Enregistrement<'a>,
    pub(crate) no: u64,
    pub(crate) diags: &'a mut Diagnostics,
    pub(crate) ok: bool,
}

impl<'a> Ligne<'a> {
    /// The trimmed value of column `c` (as [`Tableau::champ`]); `None` if the column is
    /// absent or the cell empty.
    #[inline]
    pub(crate) fn champ(&self, c: Col<'_>) -> Option<&'a str> {
        self.enr
            .get(c.i?)
            .map(texte::rogner)
            .filter(|s| !s.is_empty())
    }

    pub(crate) fn err(
        &mut self,
        code: Code,
        col: &str,
        val: &str,
        msg: impl Into<String>,
        conseil: &str,
    ) {
        self.ok = false;
        let mut d = Diagnostic::erreur(code, &self.tab.fichier, msg).ligne(self.no);
        if let Some(c) = self.tab.cellule(self.no, col) {
            d = d.cellule(c);
        }
        let mut d = d.colonne(col);
        if !val.is_empty() {
            d = d.valeur(val);
        }
        if !conseil.is_empty() {
            d = d.conseil(conseil);
        }
        self.diags.push(d);
    }

    /// A free text (a name, an address, a label): a control character in it is refused
    /// (E055, [`texte::caractere_de_controle`]).
    pub(crate) fn texte(&mut self, col: Col<'_>, requis: bool) -> Texte {
        let v = self.texte_brut(col, requis);
        if let Some(c) = texte::caractere_de_controle(&v) {
            let (message, conseil) = texte::message_controle(c);
            self.err(
                Code::E055,
                col.nom,
                &texte::montrer_invisibles(&v),
                message,
                conseil,
            );
        }
        v
    }

    /// The value of column `col` as read (E006 when `requis` and empty).
    fn texte_brut(&mut self, col: Col<'_>, requis: bool) -> Texte {
        match self.champ(col) {
            Some(v) => Texte::from(v),
            None => {
                if requis {
                    self.err(
                        Code::E006,
                        col.nom,
                        "",
                        "valeur obligatoire manquante",
                        "renseignez la cellule",
                    );
                }
                Texte::default()
            }
        }
    }

    /// An id (`id`, `collectivite`): text without invisible or control characters (E053).
    pub(crate) fn id(&mut self, col: Col<'_>) -> Texte {
        let v = self.texte_brut(col, true);
        if let Some(c) = texte::caractere_invisible(&v) {
            let (message, conseil) = texte::message_invisible(c);
            self.err(
                Code::E053,
                col.nom,
                &texte::montrer_invisibles(&v),
                message,
                conseil,
            );
        }
        v
    }

    pub(crate) fn code<T>(
        &mut self,
        col: Col<'_>,
        code_err: Code,
        analyser: fn(&str) -> Option<T>,
        liste: &str,
        defaut: T,
    ) -> T {
        match self.champ(col) {
            None => {
                self.err(
                    Code::E006,
                    col.nom,
                    "",
                    "valeur obligatoire manquante",
                    &format!("valeurs admises : {liste}"),
                );
                defaut
            }
            Some(v) => analyser(v).unwrap_or_else(|| {
                self.err(
                    code_err,
                    col.nom,
                    v,
                    "valeur inconnue",
                    &format!("valeurs admises : {liste}"),
                );
                defaut
            }),
        }
    }

    /// A decimal ≥ 0 with at most 2 decimals, in hundredths, ≤ `max`.
    pub(crate) fn centiemes(&mut self, col: Col<'_>, max: i64, quoi: &str) -> i64 {
        let Some(v) = self.champ(col) else {
            return 0;
        };
        if let Some(c) = nombres::centiemes_simples(v).filter(|c| *c <= max) {
            return c; // plain writing: same value as below, without the general parser
        }
        let lu = if self.tab.feuille.is_some() {
            nombres::analyser_decimal_classeur(v)
        } else {
            analyser_decimal(v)
        };
        let d = match lu {
            Ok(d) => d,
            Err(m) => {
                let conseil = if self.tab.feuille.is_some() && v.contains('/') {
                    "la cellule est au format date : remettez-la au format Nombre ou Standard"
                } else {
                    "écrivez par exemple 1234,56 ou 1234.56"
                };
                self.err(
                    Code::E007,
                    col.nom,
                    v,
                    format!("{quoi} illisible : {m}"),
                    conseil,
                );
                return 0;
            }
        };
        if d.is_sign_negative() && !d.is_zero() {
            self.err(
                Code::E008,
                col.nom,
                v,
                format!("{quoi} négatif"),
                "les montants et unités sont positifs ou nuls",
            );
            return 0;
        }
        match en_centiemes(d) {
            Ok(c) if c <= max => c,
            Ok(_) => {
                self.err(
                    Code::E023,
                    col.nom,
                    v,
                    format!(
                        "{quoi} trop grand (maximum {}{})",
                        tableau::groupe((max / 100) as usize),
                        if quoi == "montant" { " €" } else { "" }
                    ),
                    "vérifiez l'unité de la colonne",
                );
                0
            }
            Err(m) => {
                let conseil = if self.tab.feuille.is_some() {
                    "la cellule contient exactement cette valeur : arrondissez-la au centième (=ARRONDI(…;2)) puis collez-la en valeur"
                } else {
                    "arrondissez au centième"
                };
                self.err(Code::E009, col.nom, v, format!("{quoi} avec {m}"), conseil);
                0
            }
        }
    }
}

/// Parses structures.csv.
pub fn analyser_structures(fichier: &str, texte: &str, diags: &mut Diagnostics) -> Vec<Structure> {
    let src = Source {
        fichier,
        contenu: Contenu::Csv(texte),
    };
    lire_structures(src, diags).0
}

/// Parses the structures table from a CSV text or a workbook's sheet.
pub fn lire_structures(src: Source<'_>, diags: &mut Diagnostics) -> (Vec<Structure>, Localisation) {
    let Some(tab) = lire_tableau(src, COLONNES_STRUCTURES, REQUISES_STRUCTURES, diags) else {
        return (Vec::new(), Localisation::csv(src.fichier));
    };
    let mut r = Vec::with_capacity(tab.lignes.len());
    // lists for the messages, built once per file rather than once per line
    let listes = (TypeStructure::liste(), Financement::liste());
    let c = ColonnesStructures::de(&tab);
    for (no, enr) in &tab.lignes {
        let mut l = Ligne {
            tab: &tab,
            enr,
            no: *no,
            diags,
            ok: true,
        };
        r.push(l.structure(&c, &listes));
    }
    (r, tab.localisation())
}

/// The columns of the structures table, looked up once per table.
struct ColonnesStructures {
    id: Col<'static>,
    annexe: Col<'static>,
    type_structure: Col<'static>,
    nom: Col<'static>,
    adresse: Col<'static>,
    gestionnaire: Col<'static>,
    collectivite: Col<'static>,
    financement: Col<'static>,
    soutien_collectivite: Col<'static>,
    unites_existantes: Col<'static>,
    unites_nouvelles: Col<'static>,
    unites_employeurs: Col<'static>,
    unites_employeurs_nouvelles: Col<'static>,
    mois_ouverture: Col<'static>,
    contribution_collectivite_n1: Col<'static>,
    bonus_n1: Col<'static>,
}

impl ColonnesStructures {
    fn de(tab: &Tableau) -> Self {
        ColonnesStructures {
            id: tab.col("id"),
            annexe: tab.col("annexe"),
            type_structure: tab.col("type"),
            nom: tab.col("nom"),
            adresse: tab.col("adresse"),
            gestionnaire: tab.col("gestionnaire"),
            collectivite: tab.col("collectivite"),
            financement: tab.col("financement"),
            soutien_collectivite: tab.col("soutien_collectivite"),
            unites_existantes: tab.col("unites_existantes"),
            unites_nouvelles: tab.col("unites_nouvelles"),
            unites_employeurs: tab.col("unites_employeurs"),
            unites_employeurs_nouvelles: tab.col("unites_employeurs_nouvelles"),
            mois_ouverture: tab.col("mois_ouverture"),
            contribution_collectivite_n1: tab.col("contribution_collectivite_n1"),
            bonus_n1: tab.col("bonus_n1"),
        }
    }
}

impl Ligne<'_> {
    /// The structure of this line, every refused value reported (`listes`: the admitted
    /// types and financings, for the messages).
    fn structure(&mut self, c: &ColonnesStructures, listes: &(String, String)) -> Structure {
        let id = self.identifiant_structure(c.id);
        let annexe = self.code(
            c.annexe,
            Code::E011,
            Annexe::analyser,
            "2, 2bis",
            Annexe::Deux,
        );
        let type_structure = self.code(
            c.type_structure,
            Code::E012,
            TypeStructure::analyser,
            &listes.0,
            TypeStructure::Autre,
        );
        let nom = self.texte(c.nom, true);
        let adresse = self.texte(c.adresse, false);
        let gestionnaire = self.texte(c.gestionnaire, true);
        let collectivite = self.id(c.collectivite);
        let financement = self.code(
            c.financement,
            Code::E013,
            Financement::analyser,
            &listes.1,
            Financement::Aucun,
        );
        let soutien_collectivite = self.soutien(c.soutien_collectivite);
        let mut unites = |col| Unites(self.centiemes(col, UNITES_MAX, "nombre d'unités"));
        let unites_existantes = unites(c.unites_existantes);
        let unites_nouvelles = unites(c.unites_nouvelles);
        let unites_employeurs = unites(c.unites_employeurs);
        let unites_employeurs_nouvelles = unites(c.unites_employeurs_nouvelles);
        let mois_ouverture = self.mois_ouverture(c.mois_ouverture);
        let contribution_collectivite_n1 =
            Montant(self.centiemes(c.contribution_collectivite_n1, MONTANT_MAX, "montant"));
        let bonus_n1 = Montant(self.centiemes(c.bonus_n1, MONTANT_MAX, "montant"));
        if unites_employeurs > unites_existantes {
            let v = self.champ(c.unites_employeurs).unwrap_or("").to_string();
            self.err(
                Code::E017,
                "unites_employeurs",
                &v,
                format!(
                    "les unités réservées aux employeurs ({}) dépassent les unités existantes ({})",
                    unites_employeurs.fr(),
                    unites_existantes.fr()
                ),
                "les places employeurs font partie des places existantes",
            );
        }
        Structure {
            id,
            annexe,
            type_structure,
            nom,
            adresse,
            gestionnaire,
            collectivite,
            financement,
            soutien_collectivite,
            unites_existantes,
            unites_nouvelles,
            unites_employeurs,
            unites_employeurs_nouvelles,
            mois_ouverture,
            contribution_collectivite_n1,
            bonus_n1,
            ligne: self.no,
        }
    }

    /// The structure's id, at most [`LONGUEUR_ID_MAX`] characters.
    fn identifiant_structure(&mut self, col: Col<'_>) -> Texte {
        let id = self.id(col);
        // (no more characters than bytes: counted only when the bytes exceed the bound)
        if id.len() > LONGUEUR_ID_MAX && id.chars().count() > LONGUEUR_ID_MAX {
            let court: String = id.chars().take(40).collect();
            self.err(
                Code::E023,
                "id",
                &format!("{court}…"),
                format!("identifiant trop long (plus de {LONGUEUR_ID_MAX} caractères)"),
                "",
            );
        }
        id
    }

    /// `soutien_collectivite`: yes when empty.
    fn soutien(&mut self, col: Col<'_>) -> bool {
        match self.champ(col) {
            None => true,
            Some(v) => analyser_booleen(v).unwrap_or_else(|| {
                self.err(
                    Code::E010,
                    "soutien_collectivite",
                    v,
                    "booléen illisible",
                    "écrivez oui ou non",
                );
                true
            }),
        }
    }

    /// `mois_ouverture`: 0 to 12, 12 when empty.
    fn mois_ouverture(&mut self, col: Col<'_>) -> u8 {
        match self.champ(col) {
            None => 12,
            Some(v) => match v.parse::<u8>() {
                Ok(m) if m <= 12 => m,
                _ => {
                    self.err(
                        Code::E018,
                        "mois_ouverture",
                        v,
                        "mois d'ouverture qui n'est pas un nombre entier de 0 à 12",
                        "nombre entier de mois d'ouverture dans l'exercice",
                    );
                    12
                }
            },
        }
    }
}

/// Parses charges_n1.csv.
pub fn analyser_charges(fichier: &str, texte: &str, diags: &mut Diagnostics) -> Vec<ChargeAPayer> {
    let src = Source {
        fichier,
        contenu: Contenu::Csv(texte),
    };
    lire_charges(src, diags).0
}

/// Parses the charges table from a CSV text or a workbook's sheet.
pub fn lire_charges(src: Source<'_>, diags: &mut Diagnostics) -> (Vec<ChargeAPayer>, Localisation) {
    let Some(tab) = lire_tableau(src, COLONNES_CHARGES, REQUISES_CHARGES, diags) else {
        return (Vec::new(), Localisation::csv(src.fichier));
    };
    let mut r = Vec::with_capacity(tab.lignes.len());
    // column positions, looked up once per table
    let col_collectivite = tab.col("collectivite");
    let col_volet = tab.col("volet");
    let col_montant = tab.col("montant");
    let col_libelle = tab.col("libelle");
    for (no, enr) in &tab.lignes {
        let mut l = Ligne {
            tab: &tab,
            enr,
            no: *no,
            diags,
            ok: true,
        };
        let collectivite = l.id(col_collectivite);
        let brut = l.texte(col_volet, true);
        // ASCII upper case only: a volet is « lettres A-Z, chiffres, _ », and Unicode case
        // mapping would fold `pılotage` (dotless ı) into PILOTAGE; a non-ASCII letter stays
        // as typed and `volet_valide` refuses it (E014)
        let volet = brut.trim().to_ascii_uppercase();
        if !brut.is_empty() && !volet_valide(&volet) {
            l.err(Code::E014, "volet", &brut, "nom de volet invalide", "EAJE, RPE, LAEP, ALSH, PILOTAGE, AUTRE ou un volet local du barème (lettres, chiffres, _)");
        }
        let montant = if l.champ(col_montant).is_none() {
            l.err(
                Code::E006,
                "montant",
                "",
                "valeur obligatoire manquante",
                "renseignez la cellule",
            );
            Montant(0)
        } else {
            Montant(l.centiemes(col_montant, MONTANT_MAX, "montant"))
        };
        let libelle = l.texte(col_libelle, false);
        r.push(ChargeAPayer {
            collectivite: collectivite.into(),
            volet,
            montant,
            libelle: libelle.into(),
            ligne: crate::diagnostic::Origine::Ligne(*no),
        });
    }
    (r, tab.localisation())
}
