//! The `bareme` sheet of a workbook dossier, as the `bareme.toml` text it stands for.

use super::*;

/// One value of the barème sheet: a TOML literal written in the cell (`[…]`, `{…}`) as it
/// is; a list written `a ; b ; c` as a list of strings; anything else as a string (amounts
/// and rates stay exact decimal strings, as in `bareme.toml`).
fn valeur_bareme(t: &str) -> String {
    let t = t.trim();
    if t.starts_with('[') || t.starts_with('{') {
        t.to_string()
    } else if t.contains(';') {
        let l: Vec<String> = t.split(';').map(|x| chaine(x.trim())).collect();
        format!("[{}]", l.join(", "))
    } else if matches!(t, "vrai" | "faux") {
        (t == "vrai").to_string()
    } else if !t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()) {
        entier(t) // integers are accepted wherever the barème takes a number
    } else {
        chaine(t)
    }
}

/// One row of the barème sheet.
struct LigneBareme<'a> {
    parametre: &'a Cellule,
    /// (column name, cell) of the other filled cells of the row, in column order.
    champs: Vec<(String, &'a Cellule)>,
}

impl LigneBareme<'_> {
    /// An abridged value (`plancher = "150"`): a value alone, without date, reference or
    /// status.
    fn abregee(&self) -> bool {
        self.champs.iter().all(|(n, _)| n == "valeur")
    }
    fn chemin(&self) -> Vec<String> {
        self.parametre.texte.trim().split('.').map(cle).collect()
    }
}

/// The barème sheet as `bareme.toml` text. Rows are grouped by the table they belong to
/// (`volets.EAJE`), in order of first appearance: the table's header, its abridged values,
/// then its dated values as `[[volets.EAJE.plancher]]` entries; root abridged values come
/// first, as TOML requires.
pub fn bareme_en_toml(feuille: &str, cellules: &[Cellule]) -> TomlDeFeuille {
    let rangs = rangs_du_bareme(cellules);
    let mut t = TomlDeFeuille::default();
    // root abridged values
    for r in rangs.iter().filter(|r| r.abregee()) {
        let p = r.parametre.texte.trim().to_string();
        t.parametres.push((p, r.parametre.reference(feuille)));
    }
    for r in rangs
        .iter()
        .filter(|r| r.abregee() && r.chemin().len() == 1)
    {
        for (n, c) in &r.champs {
            t.ligne(
                &format!("{} = {}", r.chemin()[0], valeur_cellule(n, c)),
                c.reference(feuille),
            );
        }
    }
    let mut parents: Vec<Vec<String>> = Vec::new();
    for r in &rangs {
        let ch = r.chemin();
        let parent = ch[..ch.len() - 1].to_vec();
        if !parents.contains(&parent) {
            parents.push(parent);
        }
    }
    for parent in &parents {
        table_du_bareme(&mut t, &rangs, parent, feuille);
    }
    t
}

/// The rows of the `bareme` sheet under its header (the first row naming a `parametre`
/// column): each parameter's cell and its other cells by column name.
fn rangs_du_bareme(cellules: &[Cellule]) -> Vec<LigneBareme<'_>> {
    let mut entete: Option<Vec<(u32, String)>> = None;
    let mut rangs: Vec<LigneBareme<'_>> = Vec::new();
    for ligne in lignes(cellules) {
        if entete.is_none() {
            let noms: Vec<(u32, String)> = ligne
                .iter()
                .map(|c| (c.colonne, normaliser_nom(&c.texte)))
                .collect();
            if noms.iter().any(|(_, n)| n == "parametre") {
                entete = Some(noms);
            }
            continue;
        }
        let Some(colonnes) = &entete else {
            continue;
        };
        let nom_de = |c: &Cellule| {
            colonnes
                .iter()
                .find(|(col, _)| *col == c.colonne)
                .map(|(_, n)| n.as_str())
        };
        let Some(parametre) = ligne.iter().find(|c| nom_de(c) == Some("parametre")) else {
            continue;
        };
        let champs = ligne
            .iter()
            .filter_map(|c| {
                nom_de(c)
                    .filter(|n| *n != "parametre")
                    .map(|n| (n.to_string(), c))
            })
            .collect();
        rangs.push(LigneBareme { parametre, champs });
    }
    rangs
}

/// Every value of the barème sheet under its header (the first row naming a `parametre`
/// column) is in a named column of a row that names its parameter: a value under an empty
/// header cell (E058), or on a row whose `parametre` cell is empty (E022), would be ignored
/// and the built-in value kept.
pub(super) fn valeurs_du_bareme_nommees(
    feuille: &str,
    fichier: &str,
    cellules: &[Cellule],
    diags: &mut Diagnostics,
) {
    let rangs = lignes(cellules);
    let Some(i) = rangs
        .iter()
        .position(|l| l.iter().any(|c| normaliser_nom(&c.texte) == "parametre"))
    else {
        return;
    };
    let entete: Vec<(u32, String)> = rangs[i]
        .iter()
        .map(|c| (c.colonne, normaliser_nom(&c.texte)))
        .filter(|(_, n)| !n.is_empty())
        .collect();
    let nom_de = |c: &Cellule| {
        entete
            .iter()
            .find(|(col, _)| *col == c.colonne)
            .map(|(_, n)| n.as_str())
    };
    let mut hors = HorsTableau {
        ligne_entete: Some(rangs[i][0].ligne),
        ..HorsTableau::default()
    };
    for ligne in &rangs[i + 1..] {
        for c in ligne.iter().filter(|c| nom_de(c).is_none()) {
            hors.signaler(feuille, fichier, c, diags);
        }
        if !ligne.iter().any(|c| nom_de(c) == Some("parametre")) {
            if let Some(c) = ligne.iter().find(|c| nom_de(c).is_some()) {
                let colonne = entete
                    .iter()
                    .find(|(_, n)| n == "parametre")
                    .map_or(0, |(col, _)| *col);
                diags.push(valeur_sans_libelle(
                    Code::E022,
                    (feuille, fichier),
                    colonne,
                    c,
                    "sur une ligne sans paramètre",
                    "écrivez le paramètre de la ligne (volets.EAJE.plancher), ou videz la ligne",
                ));
            }
        }
    }
}

/// A cell of column `nom` as a TOML value: a date, a barème value, or a text.
fn valeur_cellule(nom: &str, c: &Cellule) -> String {
    match nom {
        "debut" => date(&c.texte),
        "valeur" => valeur_bareme(&c.texte),
        _ => chaine(c.texte.trim()),
    }
}

/// The TOML lines of the parameters under table `parent` (`volets.EAJE`): its header and
/// abridged values, then one `[[…]]` table per dated value.
fn table_du_bareme(
    t: &mut TomlDeFeuille,
    rangs: &[LigneBareme<'_>],
    parent: &[String],
    feuille: &str,
) {
    let dans = |r: &&LigneBareme<'_>| {
        let ch = r.chemin();
        ch[..ch.len() - 1] == parent[..]
    };
    let premiere = rangs
        .iter()
        .find(dans)
        .map(|r| r.parametre.reference(feuille));
    if !parent.is_empty() {
        t.ligne(
            &format!("[{}]", parent.join(".")),
            premiere.unwrap_or_default(),
        );
        for r in rangs.iter().filter(dans).filter(|r| r.abregee()) {
            let cle_p = r.chemin().pop().unwrap_or_default();
            for (n, c) in &r.champs {
                t.ligne(
                    &format!("{cle_p} = {}", valeur_cellule(n, c)),
                    c.reference(feuille),
                );
            }
        }
    }
    for r in rangs.iter().filter(dans).filter(|r| !r.abregee()) {
        let p = r.parametre.texte.trim().to_string();
        let debut = format!("{p}[");
        let rang = 1 + t
            .parametres
            .iter()
            .filter(|(x, _)| x.starts_with(&debut))
            .count();
        t.parametres
            .push((format!("{p}[{rang}]"), r.parametre.reference(feuille)));
        t.ligne(
            &format!("[[{}]]", r.chemin().join(".")),
            r.parametre.reference(feuille),
        );
        for (n, c) in &r.champs {
            t.ligne(
                &format!("{} = {}", cle(n), valeur_cellule(n, c)),
                c.reference(feuille),
            );
        }
    }
}
