//! The refusals of the workbook reader: unreadable parts (E025 and the reasons calamine or
//! the XML reader give), hidden rows and columns, merged cells, sheets too big, formulas
//! without a value — each a French message at its cell.

use super::*;

pub(super) fn illisible(fichier: &str, raison: impl Into<String>) -> Diagnostic {
    Diagnostic::erreur(
        Code::E025,
        fichier,
        format!("classeur illisible : {}", raison.into()),
    )
    .conseil("ouvrez-le dans Excel ou LibreOffice et enregistrez-le au format « Classeur Excel (.xlsx) », ou exportez la feuille en « CSV UTF-8 »")
}

/// The calamine error in French, without its English text: the kind of damage, and what
/// it names (an entity, a part, a sheet) when that helps to find it.
pub(super) fn raison_calamine(e: &XlsxError) -> String {
    match e {
        XlsxError::Io(e) => format!("lecture impossible ({})", texte_io(e)),
        XlsxError::Zip(_) => "archive zip abîmée".to_string(),
        XlsxError::Password => "classeur protégé par mot de passe".to_string(),
        XlsxError::Xml(e) => format!("XML abîmé : {}", raison_xml(e)),
        XlsxError::XmlAttr(_) => "XML abîmé : attribut mal formé".to_string(),
        XlsxError::XmlEof(_) => "XML abîmé : fin de partie inattendue".to_string(),
        XlsxError::Encoding(_) => "XML abîmé : encodage illisible".to_string(),
        XlsxError::FileNotFound(p) => format!("partie « {p} » absente du classeur"),
        XlsxError::RelationshipNotFound => {
            "partie du classeur absente (relation introuvable)".to_string()
        }
        XlsxError::WorksheetNotFound(n) => format!("feuille « {n} » introuvable"),
        XlsxError::NotAWorksheet(n) => {
            format!("« {n} » n'est pas une feuille de calcul (graphique, macro…)")
        }
        XlsxError::Unexpected(m) if m.contains("shared strings") => {
            "une cellule renvoie à un texte partagé qui n'existe pas".to_string()
        }
        XlsxError::CellError(v) => format!("erreur de cellule inconnue « {v} »"),
        XlsxError::CellTAttribute(v) => format!("type de cellule inconnu « {v} »"),
        XlsxError::Alphanumeric(_)
        | XlsxError::NumericColumn(_)
        | XlsxError::RangeWithoutColumnComponent
        | XlsxError::RangeWithoutRowComponent
        | XlsxError::ColumnNumberOverflow
        | XlsxError::RowNumberOverflow
        | XlsxError::DimensionCount(_) => "référence de cellule mal formée".to_string(),
        XlsxError::ParseFloat(_) | XlsxError::ParseInt(_) => {
            "nombre mal écrit dans le XML d'une cellule".to_string()
        }
        _ => "contenu inattendu".to_string(),
    }
}

/// A quick-xml error in French.
pub(super) fn raison_xml(e: &quick_xml::Error) -> String {
    use quick_xml::escape::EscapeError;
    match e {
        quick_xml::Error::Io(e) => format!("lecture impossible ({})", texte_io(e)),
        quick_xml::Error::Syntax(_) => "syntaxe XML incorrecte".to_string(),
        quick_xml::Error::IllFormed(_) => "balises mal imbriquées ou non fermées".to_string(),
        quick_xml::Error::InvalidAttr(_) => "attribut mal formé".to_string(),
        quick_xml::Error::Encoding(_) => "encodage illisible".to_string(),
        quick_xml::Error::Escape(EscapeError::UnrecognizedEntity(_, nom)) => {
            let nom: String = nom.trim_matches(['&', ';']).chars().take(40).collect();
            format!("entité « &{nom}; » inconnue (seules les entités XML prédéfinies sont admises)")
        }
        quick_xml::Error::Escape(EscapeError::TooManyNestedEntities) => {
            "entités imbriquées trop profondément".to_string()
        }
        quick_xml::Error::Escape(_) => "entité ou référence de caractère mal formée".to_string(),
        quick_xml::Error::Namespace(_) => "espace de noms XML incorrect".to_string(),
    }
}

/// E025: the first value in a hidden row (by hand, or left out by a filter) or a hidden
/// column of sheet `nom` (`lignes` sorted, `colonnes` as ranges, 1-based), at its cell: the
/// person sees a table without it, the calculation would count it — as a hidden sheet, not
/// read (`unites_employeurs` hidden would take its places out of the bonus).
pub(super) fn cellule_masquee(
    fichier: &str,
    nom: &str,
    cellules: &Cellules,
    lignes: &[u64],
    colonnes: &[(u64, u64)],
) -> Option<Diagnostic> {
    let (c, par_ligne) = cellules.cases.iter().find_map(|c| {
        let (l, k) = (u64::from(c.ligne) + 1, u64::from(c.colonne) + 1);
        if lignes.binary_search(&l).is_ok() {
            Some((c, true))
        } else {
            colonnes
                .iter()
                .any(|(a, b)| (*a..=*b).contains(&k))
                .then_some((c, false))
        }
    })?;
    let ligne = u64::from(c.ligne) + 1;
    let (message, conseil) = if par_ligne {
        (
            format!("la ligne {ligne} de la feuille « {nom} » est masquée (à la main ou par un filtre) : elle serait lue et comptée sans que personne ne la voie"),
            "affichez toutes les lignes (retirez le filtre, ou sélectionnez la feuille puis « Afficher les lignes »), vérifiez-les, enregistrez et relancez ; une ligne à ne pas compter se supprime",
        )
    } else {
        (
            format!(
                "la colonne {} de la feuille « {nom} » est masquée : ses valeurs seraient lues et comptées sans que personne ne les voie",
                crate::lecture::tableau::lettres_colonne(c.colonne as usize)
            ),
            "affichez toutes les colonnes (sélectionnez la feuille puis « Afficher les colonnes »), vérifiez-les, enregistrez et relancez ; une colonne à ne pas lire se supprime",
        )
    };
    Some(
        Diagnostic::erreur(Code::E025, fichier, message)
            .cellule(reference_cellule(nom, c.colonne as usize, ligne))
            .conseil(conseil),
    )
}

/// E057: cells merged in a sheet that is read (`structures!I4:I5`): only the top-left cell
/// of the range holds the value, the others would be read empty and take their column's
/// default (`soutien_collectivite` merged over two rows with `non` read `oui` on the second).
pub(super) fn fusion_refusee(
    fichier: &str,
    feuille: &str,
    (l1, c1, l2, c2): (u32, u32, u32, u32),
) -> Diagnostic {
    let debut = reference_cellule(feuille, c1 as usize, l1 as u64 + 1);
    let fin = format!(
        "{}{}",
        crate::lecture::tableau::lettres_colonne(c2 as usize),
        l2 as u64 + 1
    );
    Diagnostic::erreur(
        Code::E057,
        fichier,
        format!(
            "cellules {}:{fin} fusionnées : seule la première porte la valeur, les autres seraient lues vides",
            debut.rsplit('!').next().unwrap_or(&debut)
        ),
    )
    .cellule(format!("{debut}:{fin}"))
    .conseil("défaites la fusion et écrivez la valeur sur chaque ligne (Accueil > Fusionner et centrer > Annuler la fusion)")
}

/// E074: the cells kept take more memory than the sheet's `budget` (at the cell reached).
pub(super) fn trop_volumineuse(fichier: &str, nom: &str, budget: u64, cellule: String) -> Echec {
    Box::new(
        Diagnostic::erreur(
            Code::E074,
            fichier,
            format!(
                "feuille « {nom} » trop volumineuse une fois lue : plus de {} octets de cellules (maximum {} fois la taille du fichier, ou {} octets pour un petit fichier)",
                groupe(budget.min(usize::MAX as u64) as usize),
                TAUX_DECOMPRESSION_MAX,
                groupe(DECOMPRESSE_PLANCHER as usize)
            ),
        )
        .cellule(cellule)
        .conseil("un long texte est peut-être répété dans de nombreuses cellules : gardez seulement les colonnes utiles, ou exportez la feuille en « CSV UTF-8 »"),
    )
}

/// E023: more than [`CELLULES_MAX`] filled cells (at the cell reached).
pub(super) fn trop_de_cellules(fichier: &str, nom: &str, cellule: String) -> Echec {
    Box::new(
        Diagnostic::erreur(
            Code::E023,
            fichier,
            format!(
                "feuille « {nom} » trop grande : plus de {} cellules remplies",
                groupe(CELLULES_MAX)
            ),
        )
        .cellule(cellule)
        .conseil("un dossier décrit une seule convention : gardez seulement les colonnes utiles"),
    )
}

/// E072: a formula cell without a computed value, at column `c` (0-based) of row `no`.
pub(super) fn non_calculee(
    fichier: &str,
    feuille: &str,
    c: usize,
    no: u64,
    formule: Option<&str>,
    recalcul: bool,
) -> Diagnostic {
    let mut d = Diagnostic::erreur(
        Code::E072,
        fichier,
        if recalcul {
            "formule dont la valeur enregistrée n'a pas été calculée : le classeur, écrit par un programme, demande à être recalculé à son ouverture"
        } else {
            "formule enregistrée sans sa valeur calculée"
        },
    )
    .ligne(no)
    .cellule(reference_cellule(feuille, c, no));
    if let Some(f) = formule {
        let court: String = f.chars().take(60).collect();
        d = d.valeur(format!(
            "={court}{}",
            if court.len() < f.len() { "…" } else { "" }
        ));
    }
    d.conseil(
        "ouvrez le classeur dans Excel ou LibreOffice, recalculez et enregistrez le classeur (ou remplacez la formule par sa valeur)",
    )
}
