//! Matching the notification's lines to the dossier's structures, through hash indexes
//! built once: exact id, then case-insensitive id, then normalised name (then an id written
//! in the name column). An unmatched line gets the closest structure as a suggestion only,
//! scored by edit distance among a bounded set of candidates: the structures sharing the
//! most of the line's rarest words and trigrams (of the normalised name or id). The cost
//! per line is bounded ([`LISTES_MAX`] × [`LISTE_MAX`] index entries, [`CANDIDATS_MAX`]
//! distances on at most [`LONGUEUR_MAX`] characters), whatever the number of structures.

use super::LigneNotification;
use crate::calcul::LigneStructure;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;

/// Index lists (rarest words and trigrams of a line) read to select candidates.
pub const LISTES_MAX: usize = 16;
/// Longest index list read: a word or trigram shared by more structures says little and
/// is skipped (unless the line has nothing rarer: then its first entries only).
pub const LISTE_MAX: usize = 512;
/// Candidates scored by edit distance, per line.
pub const CANDIDATS_MAX: usize = 16;
/// Characters compared by the edit distance (a 100 000-character name costs no more).
pub const LONGUEUR_MAX: usize = 200;
/// Least similarity (normalised Levenshtein, 0 to 1) of a suggestion.
const SEUIL: f64 = 0.6;

/// Name normalisation for matching: lower case, accents and ligatures folded, every run of
/// non-alphanumeric characters (apostrophes, dashes, punctuation) as one space.
pub fn normaliser_libelle(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    let mut espace = true;
    for c in s.chars().flat_map(char::to_lowercase) {
        let plie: &str = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => "a",
            'ç' => "c",
            'è' | 'é' | 'ê' | 'ë' => "e",
            'ì' | 'í' | 'î' | 'ï' => "i",
            'ñ' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' => "o",
            'ù' | 'ú' | 'û' | 'ü' => "u",
            'ý' | 'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            c if c.is_alphanumeric() => {
                o.push(c);
                espace = false;
                continue;
            }
            _ => {
                if !espace {
                    o.push(' ');
                    espace = true;
                }
                continue;
            }
        };
        o.push_str(plie);
        espace = false;
    }
    o.trim_end().to_string()
}

pub(super) enum Correspondance {
    Trouvee(usize),
    Ambigue(Vec<usize>),
    Introuvable(Option<usize>),
}

/// A trigram, its three characters packed (21 bits each).
type Trigramme = u64;

/// The structures' keys, indexed.
pub(super) struct Index {
    /// id as written → index
    par_id: HashMap<String, usize>,
    /// id in lower case → indexes
    par_id_min: HashMap<String, Vec<usize>>,
    /// normalised name → indexes (ascending)
    par_nom: HashMap<String, Vec<usize>>,
    /// normalised name and id of each structure, cut to [`LONGUEUR_MAX`] characters, with
    /// their length in characters
    cles: Vec<[(String, usize); 2]>,
    /// the suggestion index, built at the first unmatched line (none when all match)
    flou: OnceCell<Flou>,
}

/// The word and trigram index of the suggestions.
struct Flou {
    /// word or trigram of a normalised name or id → its range in `listes`
    mots: HashMap<String, (u32, u32)>,
    trigrammes: HashMap<Trigramme, (u32, u32)>,
    /// the structures having each word or trigram, one ascending run per key
    listes: Vec<u32>,
    /// per structure, the number of shared words and trigrams (scratch of [`Index::proche`],
    /// zero between calls)
    comptes: RefCell<Vec<u16>>,
}

impl Flou {
    /// The word and trigram lists, by sorting (key, structure) pairs.
    fn new(cles: &[[(String, usize); 2]]) -> Self {
        let mut p_mots: Vec<(&str, u32)> = Vec::new();
        let mut p_tri: Vec<(Trigramme, u32)> = Vec::new();
        for (i, [(nom, _), (id, _)]) in cles.iter().enumerate() {
            let i = i as u32;
            let mut m = mots(nom);
            m.extend(mots(id));
            m.sort_unstable();
            m.dedup();
            p_mots.extend(m.into_iter().map(|m| (m, i)));
            let mut t = trigrammes(nom);
            t.extend(trigrammes(id));
            t.sort_unstable();
            t.dedup();
            p_tri.extend(t.into_iter().map(|t| (t, i)));
        }
        // sorted by key, then ascending structure
        p_mots.sort_unstable();
        p_tri.sort_unstable();
        let mut listes = Vec::with_capacity(p_mots.len() + p_tri.len());
        let mots = regrouper(&p_mots, &mut listes)
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        let trigrammes = regrouper(&p_tri, &mut listes);
        Flou {
            mots,
            trigrammes,
            listes,
            comptes: RefCell::new(vec![0; cles.len()]),
        }
    }
}

fn coupe(s: String) -> String {
    match s.char_indices().nth(LONGUEUR_MAX) {
        Some((i, _)) => s[..i].to_string(),
        None => s,
    }
}

/// The trigrams of ` s ` (padded, so that word ends count), sorted, each once.
fn trigrammes(s: &str) -> Vec<Trigramme> {
    let c: Vec<u64> = std::iter::once(' ')
        .chain(s.chars())
        .chain(std::iter::once(' '))
        .map(|c| c as u64)
        .collect();
    let mut t: Vec<Trigramme> = c
        .windows(3)
        .map(|w| w[0] << 42 | w[1] << 21 | w[2])
        .collect();
    t.sort_unstable();
    t.dedup();
    t
}

/// The words of a normalised text, sorted, each once.
fn mots(s: &str) -> Vec<&str> {
    let mut m: Vec<&str> = s.split(' ').filter(|m| !m.is_empty()).collect();
    m.sort_unstable();
    m.dedup();
    m
}

/// Groups (key, structure) pairs, sorted, into ranges of `listes`.
fn regrouper<K: std::hash::Hash + Eq + Clone>(
    paires: &[(K, u32)],
    listes: &mut Vec<u32>,
) -> HashMap<K, (u32, u32)> {
    let mut index = HashMap::new();
    let mut debut = 0;
    while debut < paires.len() {
        let cle = &paires[debut].0;
        let fin = debut + paires[debut..].partition_point(|(k, _)| k == cle);
        let a = listes.len() as u32;
        listes.extend(paires[debut..fin].iter().map(|(_, i)| *i));
        index.insert(cle.clone(), (a, listes.len() as u32));
        debut = fin;
    }
    index
}

impl Index {
    /// Built once per check: a few hash insertions per structure (the word and trigram
    /// lists wait for the first unmatched line).
    pub(super) fn new(st: &[LigneStructure]) -> Self {
        let mut par_id = HashMap::with_capacity(st.len());
        let mut par_id_min: HashMap<String, Vec<usize>> = HashMap::with_capacity(st.len());
        let mut par_nom: HashMap<String, Vec<usize>> = HashMap::with_capacity(st.len());
        let mut cles = Vec::with_capacity(st.len());
        for (i, l) in st.iter().enumerate() {
            let s = &l.structure;
            par_id.entry(s.id.to_string()).or_insert(i);
            par_id_min
                .entry(s.id.as_str().to_lowercase())
                .or_default()
                .push(i);
            let nom = normaliser_libelle(&s.nom);
            let c = [coupe(nom.clone()), coupe(normaliser_libelle(&s.id))];
            par_nom.entry(nom).or_default().push(i);
            cles.push(c.map(|c| {
                let n = c.chars().count();
                (c, n)
            }));
        }
        Index {
            par_id,
            par_id_min,
            par_nom,
            cles,
            flou: OnceCell::new(),
        }
    }

    /// For a line found by its id (structure `i`) whose `nom` is, exactly (once normalised),
    /// the name of another structure and not that of `i`: that other structure (the id or
    /// the name of the line is wrong; the amount is compared by id all the same).
    pub(super) fn nom_d_une_autre(&self, l: &LigneNotification, i: usize) -> Option<usize> {
        let (Some(_), Some(nom)) = (&l.id, &l.nom) else {
            return None;
        };
        match self
            .par_nom
            .get(&normaliser_libelle(nom))
            .map(Vec::as_slice)
        {
            Some(v) if !v.contains(&i) => v.first().copied(),
            _ => None,
        }
    }

    /// The structure a notification line designates.
    pub(super) fn rapprocher(&self, l: &LigneNotification) -> Correspondance {
        let unique = |v: Option<&Vec<usize>>| match v.map(Vec::as_slice) {
            Some([i]) => Some(*i),
            _ => None,
        };
        if let Some(id) = &l.id {
            if let Some(i) = self.par_id.get(id) {
                return Correspondance::Trouvee(*i);
            }
            if let Some(i) = unique(self.par_id_min.get(&id.to_lowercase())) {
                return Correspondance::Trouvee(i);
            }
        }
        let cle = l.nom.as_deref().or(l.id.as_deref()).unwrap_or("");
        let n = normaliser_libelle(cle);
        match self.par_nom.get(&n).map(Vec::as_slice) {
            Some([i]) => Correspondance::Trouvee(*i),
            Some(v) if v.len() > 1 => Correspondance::Ambigue(v.to_vec()),
            // an id written in the name column
            _ => match unique(self.par_id_min.get(&cle.trim().to_lowercase())) {
                Some(i) => Correspondance::Trouvee(i),
                None => Correspondance::Introuvable(self.proche(&coupe(n))),
            },
        }
    }

    /// The closest structure (name or id) to the normalised text `n`, if similar enough:
    /// among the structures sharing the most of its rarest words and trigrams.
    fn proche(&self, n: &str) -> Option<usize> {
        if n.is_empty() {
            return None;
        }
        let f = self.flou.get_or_init(|| Flou::new(&self.cles));
        let mut listes: Vec<&[u32]> = mots(n)
            .into_iter()
            .filter_map(|m| f.mots.get(m))
            .chain(trigrammes(n).iter().filter_map(|t| f.trigrammes.get(t)))
            .map(|&(a, b)| &f.listes[a as usize..b as usize])
            .collect();
        listes.sort_by_key(|v| v.len());
        let mut comptes = f.comptes.borrow_mut();
        let mut touches: Vec<u32> = Vec::new();
        for (lues, v) in listes.iter().enumerate() {
            if lues == LISTES_MAX || v.len() > LISTE_MAX && lues > 0 {
                break;
            }
            for &i in v.iter().take(LISTE_MAX) {
                let c = &mut comptes[i as usize];
                if *c == 0 {
                    touches.push(i);
                }
                *c = c.saturating_add(1);
            }
        }
        let mut candidats: Vec<(u32, u16)> = touches
            .iter()
            .map(|&i| (i, std::mem::take(&mut comptes[i as usize])))
            .collect();
        // most shared first, then file order
        let ordre = |a: &(u32, u16), b: &(u32, u16)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
        if candidats.len() > CANDIDATS_MAX {
            candidats.select_nth_unstable_by(CANDIDATS_MAX, ordre);
            candidats.truncate(CANDIDATS_MAX);
        }
        candidats.sort_by_key(|c| c.0);
        let ln = n.chars().count();
        let mut meilleur: Option<(f64, usize)> = None;
        for (i, _) in candidats {
            let i = i as usize;
            for (cle, lc) in &self.cles[i] {
                // the distance is at least the length difference: skip a key that cannot
                // reach the threshold or beat the best one
                let max = ln.max(*lc).max(1) as f64;
                let borne = 1.0 - ln.abs_diff(*lc) as f64 / max;
                if borne < SEUIL || meilleur.is_some_and(|(m, _)| borne <= m) {
                    continue;
                }
                let s = strsim::normalized_levenshtein(n, cle);
                if s >= SEUIL && meilleur.is_none_or(|(m, _)| s > m) {
                    meilleur = Some((s, i));
                }
            }
        }
        meilleur.map(|(_, i)| i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn noms_normalises() {
        assert_eq!(
            normaliser_libelle("  Micro- crèche la Colombière "),
            "micro creche la colombiere"
        );
        assert_eq!(
            normaliser_libelle("Multi-accueil Les P’tits Pieds"),
            "multi accueil les p tits pieds"
        );
        assert_eq!(
            normaliser_libelle("Multi accueil les p'tits pieds"),
            "multi accueil les p tits pieds"
        );
        assert_eq!(normaliser_libelle("ŒUVRE"), "oeuvre");
    }

    #[test]
    fn trigrammes_uniques_et_bornes() {
        let p = |a: char, b: char, c: char| (a as u64) << 42 | (b as u64) << 21 | c as u64;
        let t: Vec<Trigramme> = trigrammes("aaaa");
        assert_eq!(
            t,
            vec![p(' ', 'a', 'a'), p('a', 'a', ' '), p('a', 'a', 'a')]
        );
        assert!(trigrammes("").is_empty()); // "  ": 2 characters
        assert_eq!(mots("la creche la"), vec!["creche", "la"]);
        assert_eq!(coupe("é".repeat(300)).chars().count(), LONGUEUR_MAX);
    }
}
