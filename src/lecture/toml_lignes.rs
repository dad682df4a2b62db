//! The line of a key in a TOML text, from the path a message names: a barème parameter
//! (`volets.EAJE.plancher[2]`, and the key `debut` in it) or a convention key
//! (`collectivites[DIJON].tranche`). The text is parsed a second time, with positions, only
//! when an error is reported.

use toml_edit::{ImDocument, Item, Value};

/// Line (1-based) where `chemin` (`volets.EAJE.plancher[2]`: dotted keys, `[k]` the k-th
/// element of a list, `[ID]` the element whose `id` is ID) is written in `texte`, or, when `cle` is given and written in that table,
/// the line of `cle`. The nearest written part of the path when the rest is not found;
/// `None` when nothing is (a text that does not parse, a path from elsewhere).
pub fn ligne_du_chemin(texte: &str, chemin: &str, cle: Option<&str>) -> Option<u64> {
    let doc = ImDocument::parse(texte).ok()?;
    let mut item: Item = doc.as_item().clone();
    let mut pos: Option<usize> = None;
    let segments = chemin.split('.').chain(cle);
    for seg in segments {
        let (nom, rang) = match seg.strip_suffix(']').and_then(|s| s.split_once('[')) {
            Some((n, k)) => (n, Some(k)),
            None => (seg, None),
        };
        let Some((k, v)) = item.as_table_like().and_then(|t| t.get_key_value(nom)) else {
            break;
        };
        pos = k.span().map(|s| s.start).or(pos);
        item = v.clone();
        let Some(rang) = rang else { continue };
        let Some(rang) = rang_dans(&item, rang) else {
            break;
        };
        item = match &item {
            Item::ArrayOfTables(a) => match a.get(rang) {
                Some(t) => {
                    pos = t.span().map(|s| s.start).or(pos);
                    Item::Table(t.clone())
                }
                None => break,
            },
            Item::Value(Value::Array(a)) => match a.get(rang) {
                Some(v) => {
                    pos = v.span().map(|s| s.start).or(pos);
                    Item::Value(v.clone())
                }
                None => break,
            },
            _ => break,
        };
    }
    pos.map(|p| crate::lecture::ligne_de(texte, p))
}

/// The index (0-based) in the list `item` of `[k]` (1-based) or `[ID]` (the element whose
/// `id` is ID).
fn rang_dans(item: &Item, k: &str) -> Option<usize> {
    if let Ok(n) = k.parse::<usize>() {
        return n.checked_sub(1);
    }
    let a_l_id = |t: &dyn toml_edit::TableLike| t.get("id").and_then(Item::as_str) == Some(k);
    match item {
        Item::ArrayOfTables(a) => a.iter().position(|t| a_l_id(t)),
        Item::Value(Value::Array(a)) => a
            .iter()
            .position(|v| v.as_inline_table().is_some_and(|t| a_l_id(t))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXTE: &str = r#"nombre_tranches = 4
[volets.EAJE]
types = ["EAJE"]

[[volets.EAJE.plancher]]
debut = 2020-01-01
valeur = "1000"

[[volets.EAJE.plancher]]
debut = 2025-01-01T10:00:00
valeur = "-100"
reference = "x"

[volets.RPE]
plancher = [{ debut = 2020-01-01, valeur = "5" }, { debut = 2021-01-01, valeur = "6" }]
"#;

    #[test]
    fn lignes_des_chemins() {
        let l = |c: &str, k: Option<&str>| ligne_du_chemin(TEXTE, c, k);
        assert_eq!(l("nombre_tranches", None), Some(1));
        assert_eq!(l("volets.EAJE.types", None), Some(3));
        // the k-th [[…]] header, then a key in it
        assert_eq!(l("volets.EAJE.plancher[1]", None), Some(5));
        assert_eq!(l("volets.EAJE.plancher[2]", None), Some(9));
        assert_eq!(l("volets.EAJE.plancher[2]", Some("debut")), Some(10));
        assert_eq!(l("volets.EAJE.plancher[2]", Some("valeur")), Some(11));
        // a key absent from the table: the table's own line
        assert_eq!(l("volets.EAJE.plancher[2]", Some("statut")), Some(9));
        // inline tables in an array, on one line
        assert_eq!(l("volets.RPE.plancher[2]", Some("valeur")), Some(15));
        // beyond the list: the parameter's line
        assert_eq!(l("volets.RPE.plancher[9]", None), Some(15));
        assert_eq!(l("inconnu", None), None);
        // an element by its id
        let c = "nom = \"x\"\n[[collectivites]]\nid = \"A\"\n\n[[collectivites]]\nid = \"B\"\ntranche = 4\n";
        assert_eq!(
            ligne_du_chemin(c, "collectivites[B].tranche", None),
            Some(7)
        );
        assert_eq!(ligne_du_chemin(c, "collectivites[B]", None), Some(5));
        assert_eq!(
            ligne_du_chemin(c, "collectivites[A].tranche", None),
            Some(2)
        );
    }
}
