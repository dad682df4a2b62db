//! Terminal table (comfy-table): one row per structure, then totals per gestionnaire, per
//! collectivité, the reconciliation and the grand total.
//!
//! The table fits the width asked (`--largeur`), else the terminal's, else 100 columns: a
//! compact set of columns by default (the least useful dropped first when the width is
//! short), every column with `--colonnes toutes`, or the ones named. Texts are wrapped here,
//! at word boundaries (spaces, and after `-` or `_`), on three lines at most, then shortened
//! with `…` at a word boundary: never cut into pieces. Amounts are in euros, the unit in the
//! header.

use super::{euros, groupe_fr, texte_terminal, LARGEUR_CHAMP};
use crate::calcul::eligibilite::Motif;
use crate::calcul::rationnel::{format_echelle, R};
use crate::calcul::{LigneStructure, Resultat, Totaux};
use crate::modele::Montant;
use comfy_table::{
    presets, Cell, CellAlignment, Color, ColumnConstraint, ContentArrangement, Table, Width,
};

/// Width of the table when neither `--largeur` nor a terminal gives one.
pub const LARGEUR_DEFAUT: u16 = 100;

/// Narrowest width of a text column (a column is dropped rather than narrowed further).
const TEXTE_MIN: usize = 14;

/// Lines of a wrapped text cell, at most.
const LIGNES_MAX: usize = 3;

/// Which columns of the structures table (`--colonnes`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Colonnes {
    /// The compact set, narrowed further when the width is short.
    #[default]
    Compactes,
    /// Every column of every table.
    Toutes,
    /// The columns named (keys of [`COLONNES_STRUCTURES`]), in that order.
    Liste(Vec<String>),
}

/// Keys of the structures table's columns, as `--colonnes` names them.
pub const COLONNES_STRUCTURES: &[&str] = &[
    "id",
    "nom",
    "volet",
    "motif",
    "unites",
    "taux",
    "lissage",
    "nouvelles",
    "bonus",
    "contribution_n1",
    "contribution_n",
    "variation",
];

impl Colonnes {
    /// `toutes`, or a comma list of keys of [`COLONNES_STRUCTURES`]; `Err`: the French
    /// message naming the unknown key and the admitted ones.
    pub fn analyser(s: &str) -> Result<Colonnes, String> {
        if s.trim() == "toutes" {
            return Ok(Colonnes::Toutes);
        }
        let mut l = Vec::new();
        for c in s.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            if !COLONNES_STRUCTURES.contains(&c) {
                return Err(format!(
                    "colonne « {} » inconnue ; colonnes admises : toutes, ou une liste séparée par des virgules parmi {}",
                    crate::diagnostic::texte_affichable(c),
                    COLONNES_STRUCTURES.join(", ")
                ));
            }
            l.push(c.to_string());
        }
        if l.is_empty() {
            return Err(format!(
                "aucune colonne nommée ; colonnes admises : toutes, ou une liste séparée par des virgules parmi {}",
                COLONNES_STRUCTURES.join(", ")
            ));
        }
        Ok(Colonnes::Liste(l))
    }
}

/// Width of the terminal on standard output, when it is one.
fn largeur_terminal() -> Option<u16> {
    use std::io::IsTerminal;
    if !std::io::stdout().is_terminal() {
        return None;
    }
    #[cfg(unix)]
    {
        // SAFETY: TIOCGWINSZ fills the `winsize` given; a zeroed one is valid
        let mut w: libc::winsize = unsafe { std::mem::zeroed() };
        let ok = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut w) } == 0;
        if ok && w.ws_col > 0 {
            return Some(w.ws_col);
        }
    }
    std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok())
}

/// The width used: `--largeur`, else the terminal's, else [`LARGEUR_DEFAUT`].
pub fn largeur_effective(largeur: Option<u16>) -> usize {
    usize::from(
        largeur
            .or_else(largeur_terminal)
            .unwrap_or(LARGEUR_DEFAUT)
            .max(20),
    )
}

fn longueur(s: &str) -> usize {
    s.chars().count()
}

/// The pieces of a text where a line may break: after a space (dropped; the flag says a
/// space follows), after `-` or `_` (kept).
fn mots(s: &str) -> Vec<(String, bool)> {
    let mut r = Vec::new();
    for w in s.split(' ').filter(|w| !w.is_empty()) {
        let mut courant = String::new();
        for c in w.chars() {
            courant.push(c);
            if (c == '-' || c == '_') && longueur(&courant) > 1 {
                r.push((std::mem::take(&mut courant), false));
            }
        }
        if !courant.is_empty() {
            r.push((courant, true));
        } else if let Some(d) = r.last_mut() {
            d.1 = true;
        }
    }
    r
}

/// The first `n − 1` characters of a line and `…`.
fn raccourcir(l: &str, n: usize) -> String {
    let garde: String = l.chars().take(n.saturating_sub(1)).collect();
    format!("{}…", garde.trim_end())
}

/// A text wrapped at word boundaries in `largeur` characters, on [`LIGNES_MAX`] lines at
/// most; what does not fit is replaced by `…` after the last whole word (a single word
/// longer than the line is shortened with `…`).
pub fn plier(s: &str, largeur: usize) -> String {
    plier_en(s, largeur, LIGNES_MAX)
}

/// [`plier`] on `max` lines at most (headers take three).
pub(crate) fn plier_en(s: &str, largeur: usize, max: usize) -> String {
    let largeur = largeur.max(2);
    let mut lignes: Vec<String> = vec![String::new()];
    let mut coupe = false;
    let mut espace = false;
    for (m, suivi) in mots(s) {
        let l = lignes.last_mut().expect("une ligne");
        let sep = if l.is_empty() || !espace { "" } else { " " };
        if l.is_empty() || longueur(l) + longueur(sep) + longueur(&m) <= largeur {
            l.push_str(sep);
            l.push_str(&m);
        } else if lignes.len() < max {
            lignes.push(m);
        } else {
            coupe = true;
            break;
        }
        espace = suivi;
    }
    let n = lignes.len();
    for (i, l) in lignes.iter_mut().enumerate() {
        if longueur(l) > largeur {
            *l = raccourcir(l, largeur);
        } else if coupe && i == n - 1 {
            // room for « … » made by dropping whole words
            while longueur(l) >= largeur {
                match l.rfind(' ') {
                    Some(p) => l.truncate(p),
                    None => break,
                }
            }
            *l = if longueur(l) < largeur {
                format!("{l}…")
            } else {
                raccourcir(l, largeur)
            };
        }
    }
    lignes.join("\n")
}

/// Prose wrapped at spaces in `largeur` characters (no line cut, none shortened); a
/// paragraph's indentation is kept on its following lines, and « € » stays with its number.
fn envelopper(texte: &str, largeur: usize) -> String {
    let mut out = String::new();
    for para in texte.split_inclusive('\n') {
        let fin = para.ends_with('\n');
        let corps = para.trim_end_matches('\n');
        let retrait = &corps[..corps.len() - corps.trim_start_matches(' ').len()];
        let mut mots: Vec<String> = Vec::new();
        for m in corps.split(' ').filter(|m| !m.is_empty()) {
            match mots.last_mut() {
                // never broken there; written back as a plain space
                Some(d) if m == "€" => d.push_str("\u{0}€"),
                _ => mots.push(m.to_string()),
            }
        }
        let mut ligne = retrait.to_string();
        for mot in mots {
            let vide = ligne.len() == retrait.len();
            if !vide && longueur(&ligne) + 1 + longueur(&mot) > largeur {
                out.push_str(&ligne);
                out.push('\n');
                ligne = retrait.to_string();
            } else if !vide {
                ligne.push(' ');
            }
            ligne.push_str(&mot);
        }
        out.push_str(&ligne);
        if fin {
            out.push('\n');
        }
    }
    out.replace('\u{0}', " ")
}

/// Short French words for a reason, in a cell.
fn motif_court(m: Motif) -> &'static str {
    match m {
        Motif::Eligible => "éligible",
        Motif::Annexe2Bis => "annexe 2 bis",
        Motif::TypeSansVolet => "type sans volet",
        Motif::FinancementIncompatible => "financement incompatible",
        Motif::SansSoutienCollectivite => "sans soutien de la collectivité",
        Motif::CollectiviteNonSignataire => "collectivité non signataire",
        Motif::Fermee => "fermée",
    }
}

/// An amount in a cell: `12 345,67` (the header says « € »).
fn euros_fr(m: Montant) -> String {
    groupe_fr(&format_echelle(m.0 as i128, 2))
}

thread_local! {
    /// Colours for the current rendering (`rendre_avec`).
    static COULEUR: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Rows drawn per block ([`PAR_BLOC`]; smaller in the tests, to compare with one block).
    static BLOC: std::cell::Cell<usize> = const { std::cell::Cell::new(PAR_BLOC) };
}

/// Past this many rows, a table is drawn in blocks of this many rows at the widths of the
/// whole table (measured in a first pass), and written block by block: the text of a
/// million structures is never held whole in memory. The bytes are those of one table.
const PAR_BLOC: usize = 4096;

fn couleur() -> bool {
    COULEUR.with(|c| c.get())
}

/// A cell before layout.
#[derive(Clone)]
enum Valeur {
    Texte(String),
    /// Right-aligned figure (never wrapped).
    Nombre(String),
    /// An amount shown green when positive and red when negative, with colours.
    Variation(Montant),
    /// A reason, yellow when not « éligible », with colours.
    Motif(Motif),
}

impl Valeur {
    fn texte(&self) -> String {
        match self {
            Valeur::Texte(s) | Valeur::Nombre(s) => s.clone(),
            Valeur::Variation(m) => euros_fr(*m),
            Valeur::Motif(m) => motif_court(*m).to_string(),
        }
    }
    fn est_texte(&self) -> bool {
        matches!(self, Valeur::Texte(_) | Valeur::Motif(_))
    }
}

/// A column: key, header, and the rank at which it is dropped when the width is short
/// (0: never).
struct Colonne {
    cle: &'static str,
    entete: &'static str,
    abandon: u8,
}

const fn col(cle: &'static str, entete: &'static str, abandon: u8) -> Colonne {
    Colonne {
        cle,
        entete,
        abandon,
    }
}

/// The rows of a table: held, or made one at a time from the result (one per structure:
/// never all held as text).
enum Lignes<'a> {
    Memoire(Vec<Vec<Valeur>>),
    Structures(&'a Resultat),
}

/// A table before layout: its columns (the `compactes` ones by default) and rows.
struct Tableau<'a> {
    colonnes: Vec<Colonne>,
    lignes: Lignes<'a>,
}

/// The text being written, handed to the writer in pieces ([`MORCEAU`]); the first write
/// error is kept and ends the writing.
struct Flux<'w> {
    texte: String,
    w: &'w mut dyn std::io::Write,
    erreur: Option<std::io::Error>,
}

/// Size of the pieces handed to the writer.
const MORCEAU: usize = 1 << 16;

impl Flux<'_> {
    fn ecrire(&mut self, s: &str) {
        self.texte.push_str(s);
        if self.texte.len() >= MORCEAU {
            self.vider();
        }
    }
    fn vider(&mut self) {
        if self.erreur.is_none() {
            if let Err(e) = self.w.write_all(self.texte.as_bytes()) {
                self.erreur = Some(e);
            }
        }
        self.texte.clear();
    }
    fn finir(mut self) -> std::io::Result<()> {
        self.vider();
        match self.erreur {
            Some(e) => Err(e),
            None => self.w.flush(),
        }
    }
}

impl Tableau<'_> {
    /// `f` on each row, in order.
    fn chaque(&self, f: &mut dyn FnMut(&[Valeur])) -> R<()> {
        match &self.lignes {
            Lignes::Memoire(v) => v.iter().for_each(|l| f(l)),
            Lignes::Structures(r) => {
                for l in &r.structures {
                    f(&ligne_structure(l)?);
                }
            }
        }
        Ok(())
    }
    fn nombre_lignes(&self) -> usize {
        match &self.lignes {
            Lignes::Memoire(v) => v.len(),
            Lignes::Structures(r) => r.structures.len(),
        }
    }

    /// The columns shown: `choix` (indexes), narrowed to `largeur` by dropping the columns
    /// of highest `abandon` rank first (never one of rank 0, never an explicit list).
    fn rendre(&self, choix: &[usize], largeur: usize, reduire: bool, f: &mut Flux) -> R<()> {
        let initial = choix;
        let mut choix = choix.to_vec();
        loop {
            let (larg, total) = self.largeurs(&choix, largeur)?;
            if total <= largeur || !reduire {
                return self.dessiner(&choix, &larg, f);
            }
            let pire = choix
                .iter()
                .enumerate()
                .filter(|(_, c)| self.colonnes[**c].abandon > 0)
                .max_by_key(|(_, c)| self.colonnes[**c].abandon);
            match pire {
                Some((i, _)) => {
                    choix.remove(i);
                }
                // too narrow for a table even so: one block per row
                None => return self.fiches(initial, largeur, f),
            }
        }
    }

    /// Each row as a block of « header : value » lines (the columns `choix`), the first
    /// column as the block's title: for a width too narrow for the table.
    fn fiches(&self, choix: &[usize], largeur: usize, f: &mut Flux) -> R<()> {
        let Some((premiere, autres)) = choix.split_first() else {
            return Ok(());
        };
        // the blocks end with the last one's text: its final line break is not written
        let mut fin = String::new();
        self.chaque(&mut |l| {
            let mut bloc = envelopper(&format!("• {}\n", l[*premiere].texte()), largeur);
            for c in autres {
                let v = l[*c].texte();
                if v.is_empty() {
                    continue;
                }
                bloc.push_str(&envelopper(
                    &format!("    {} : {v}\n", self.colonnes[*c].entete),
                    largeur,
                ));
            }
            f.ecrire(&fin);
            let coupe = bloc.trim_end().len();
            fin = bloc.split_off(coupe);
            f.ecrire(&bloc);
        })
    }

    /// Width of each chosen column and of the whole table.
    fn largeurs(&self, choix: &[usize], largeur: usize) -> R<(Vec<usize>, usize)> {
        // borders: « │ a ┆ b │ » = 3 per column + 1
        let bords = 3 * choix.len() + 1;
        // the longest content of each chosen column, and whether it holds text: one pass
        let mut contenu = vec![0; choix.len()];
        let mut est_texte = vec![false; choix.len()];
        self.chaque(&mut |l| {
            for (k, c) in choix.iter().enumerate() {
                contenu[k] = contenu[k].max(longueur(&l[*c].texte()));
                est_texte[k] |= l[*c].est_texte();
            }
        })?;
        let mut larg = Vec::new();
        let mut textes = Vec::new();
        for (k, c) in choix.iter().enumerate() {
            let e = self.colonnes[*c].entete;
            // a header may take three lines: its longest word, or a third of it
            let mot = e.split(' ').map(longueur).max().unwrap_or(0);
            let ent = mot.max(longueur(e).div_ceil(3));
            if est_texte[k] {
                textes.push(k);
                larg.push(contenu[k].max(ent).min(LARGEUR_CHAMP));
            } else {
                larg.push(contenu[k].max(ent));
            }
        }
        let fixes: usize = larg
            .iter()
            .enumerate()
            .filter(|(k, _)| !textes.contains(k))
            .map(|(_, w)| w)
            .sum();
        let dispo = largeur.saturating_sub(bords + fixes);
        let voulu: usize = textes.iter().map(|k| larg[*k]).sum();
        if voulu > dispo {
            // the widest text columns narrowed first, to a common cap
            let mut plafond = textes.iter().map(|k| larg[*k]).max().unwrap_or(0);
            while plafond > TEXTE_MIN
                && textes.iter().map(|k| larg[*k].min(plafond)).sum::<usize>() > dispo
            {
                plafond -= 1;
            }
            for k in &textes {
                larg[*k] = larg[*k].min(plafond.max(TEXTE_MIN));
            }
        }
        let total = bords + larg.iter().sum::<usize>();
        Ok((larg, total))
    }

    /// A comfy table with the preset, the colours and, when `entete`, the header.
    fn table(&self, choix: &[usize], larg: &[usize], entete: bool) -> Table {
        let mut t = Table::new();
        if couleur() {
            t.enforce_styling();
        }
        t.load_preset(presets::UTF8_FULL_CONDENSED);
        // the layout is done here: comfy-table does not rewrap
        t.set_content_arrangement(ContentArrangement::Disabled);
        if entete {
            t.set_header(
                choix
                    .iter()
                    .zip(larg)
                    .map(|(c, w)| Cell::new(plier_en(self.colonnes[*c].entete, *w, 3))),
            );
        }
        t
    }

    /// The cells of a row, laid out.
    fn cellules(choix: &[usize], larg: &[usize], l: &[Valeur]) -> Vec<Cell> {
        choix
            .iter()
            .zip(larg)
            .map(|(c, w)| match &l[*c] {
                Valeur::Texte(s) => Cell::new(plier(s, *w)),
                Valeur::Nombre(s) => Cell::new(s).set_alignment(CellAlignment::Right),
                Valeur::Variation(m) => {
                    let c = Cell::new(euros_fr(*m)).set_alignment(CellAlignment::Right);
                    match (couleur(), m.0.signum()) {
                        (true, 1) => c.fg(Color::Green),
                        (true, -1) => c.fg(Color::Red),
                        _ => c,
                    }
                }
                Valeur::Motif(m) => {
                    let c = Cell::new(plier(motif_court(*m), *w));
                    if couleur() && *m != Motif::Eligible {
                        c.fg(Color::Yellow)
                    } else {
                        c
                    }
                }
            })
            .collect()
    }

    /// The table drawn by comfy-table: in one piece, or, past the block size, block by
    /// block at the widths of the whole table (what comfy-table measures on every block,
    /// header included), the blocks joined without their inner borders.
    fn dessiner(&self, choix: &[usize], larg: &[usize], f: &mut Flux) -> R<()> {
        let bloc = BLOC.with(|b| b.get()).max(1);
        if self.nombre_lignes() <= bloc {
            let mut t = self.table(choix, larg, true);
            self.chaque(&mut |l| {
                t.add_row(Self::cellules(choix, larg, l));
            })?;
            f.ecrire(&t.to_string());
            return Ok(());
        }
        // widths of the whole table, block by block
        let mut largeurs = vec![0u16; choix.len()];
        let mut mesurer = |t: &Table| {
            for (m, w) in largeurs.iter_mut().zip(t.column_max_content_widths()) {
                *m = (*m).max(w);
            }
        };
        let mut t = self.table(choix, larg, true);
        let mut n = 0;
        self.chaque(&mut |l| {
            t.add_row(Self::cellules(choix, larg, l));
            n += 1;
            if n % bloc == 0 {
                mesurer(&t);
                t = self.table(choix, larg, true);
            }
        })?;
        mesurer(&t);
        // the blocks, at those widths
        let total = n;
        let mut ecrit = false;
        let mut emettre = |t: &mut Table, premier: bool, dernier: bool, f: &mut Flux| {
            t.set_constraints(
                largeurs
                    .iter()
                    .map(|w| ColumnConstraint::Absolute(Width::Fixed(w.saturating_add(2)))),
            );
            let s = t.to_string();
            let mut lignes: Vec<&str> = s.split('\n').collect();
            if !dernier {
                lignes.pop();
            }
            let debut = usize::from(!premier);
            for l in lignes.get(debut..).unwrap_or_default() {
                if ecrit {
                    f.ecrire("\n");
                }
                f.ecrire(l);
                ecrit = true;
            }
        };
        let mut t = self.table(choix, larg, true);
        let (mut n, mut premier) = (0, true);
        self.chaque(&mut |l| {
            t.add_row(Self::cellules(choix, larg, l));
            n += 1;
            if n % bloc == 0 && n < total {
                emettre(&mut t, premier, false, f);
                premier = false;
                t = self.table(choix, larg, false);
            }
        })?;
        emettre(&mut t, premier, true, f);
        Ok(())
    }

    /// Every column, or those marked `compactes`.
    fn indices(&self, tout: bool, compactes: &[&str]) -> Vec<usize> {
        (0..self.colonnes.len())
            .filter(|i| tout || compactes.contains(&self.colonnes[*i].cle))
            .collect()
    }
}

/// A cell of user text (id, name…): control characters shown, not obeyed, and cut at
/// [`LARGEUR_CHAMP`] characters (the CSV, JSON and XLSX keep it whole).
fn texte(s: &str) -> Valeur {
    Valeur::Texte(texte_terminal(s, LARGEUR_CHAMP))
}

fn nombre(s: String) -> Valeur {
    Valeur::Nombre(s)
}

fn montant(m: Montant) -> Valeur {
    Valeur::Nombre(euros_fr(m))
}

pub fn rendre(r: &Resultat, largeur: Option<u16>) -> R<String> {
    rendre_avec(r, largeur, false)
}

/// The table, with colours when `couleur` (`--couleur`): ineligible structures' reason in
/// yellow, variations green or red.
pub fn rendre_avec(r: &Resultat, largeur: Option<u16>, couleur: bool) -> R<String> {
    rendre_colonnes(r, largeur, couleur, &Colonnes::Compactes)
}

/// The table with the columns chosen (`--colonnes`).
pub fn rendre_colonnes(
    r: &Resultat,
    largeur: Option<u16>,
    couleur: bool,
    colonnes: &Colonnes,
) -> R<String> {
    let mut octets = Vec::new();
    // a Vec is never refused
    let _ = ecrire_colonnes(r, largeur, couleur, colonnes, &mut octets)?;
    // only `str` pieces were written
    Ok(String::from_utf8(octets)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// [`rendre_colonnes`] written into `w` as it is made, in pieces. `Err`: a figure that
/// cannot be written; `Ok(Err)`: `w` failed.
pub fn ecrire_colonnes(
    r: &Resultat,
    largeur: Option<u16>,
    couleur: bool,
    colonnes: &Colonnes,
    w: &mut dyn std::io::Write,
) -> R<std::io::Result<()>> {
    let mut f = Flux {
        texte: String::with_capacity(MORCEAU + 4096),
        w,
        erreur: None,
    };
    COULEUR.with(|c| c.set(couleur));
    let t = rendre_sans_etat(r, largeur_effective(largeur), colonnes, &mut f);
    COULEUR.with(|c| c.set(false));
    t?;
    Ok(f.finir())
}

/// The row of a structure.
fn ligne_structure(l: &LigneStructure) -> R<Vec<Valeur>> {
    let taux = match &l.taux_unitaire {
        Some(x) => groupe_fr(&euros(x, 4)?),
        None => "—".into(),
    };
    Ok(vec![
        texte(&l.structure.id),
        texte(&l.structure.nom),
        texte(l.eligibilite.volet().unwrap_or("—")),
        Valeur::Motif(l.motif()),
        nombre(groupe_fr(&l.unites_eligibles.to_string())),
        nombre(taux),
        montant(l.bonus_lissage),
        montant(l.bonus_nouvelles),
        montant(l.bonus_total),
        montant(l.contribution_n1),
        montant(l.contribution_n),
        Valeur::Variation(l.variation),
    ])
}

/// A collectivité's name (its id when the convention does not name it).
fn nom_collectivite(r: &Resultat, id: &str) -> String {
    r.convention
        .collectivite(id)
        .map(|c| c.nom.clone())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| id.to_string())
}

fn ligne_totaux(nom: &str, x: &Totaux) -> Vec<Valeur> {
    vec![
        texte(nom),
        nombre(format!("{} / {}", x.structures_eligibles, x.structures)),
        montant(x.bonus_n1),
        montant(x.bonus_total),
        montant(x.contribution_n1),
        montant(x.contribution_n),
        montant(x.financement_public_n1),
        montant(x.financement_public_n),
        Valeur::Variation(x.variation),
    ]
}

fn rendre_sans_etat(r: &Resultat, largeur: usize, colonnes: &Colonnes, f: &mut Flux) -> R<()> {
    let tout = *colonnes == Colonnes::Toutes;
    f.ecrire(&envelopper(
        &format!(
            "{} — {} — exercice {}\n\nStructures (annexes 2 et 2 bis)\n",
            texte_terminal(&r.convention.nom, LARGEUR_CHAMP),
            texte_terminal(&r.convention.caf, LARGEUR_CHAMP),
            r.exercice
        ),
        largeur,
    ));
    let t = Tableau {
        colonnes: vec![
            col("id", "identifiant", 6),
            col("nom", "nom", 0),
            col("volet", "volet", 3),
            col("motif", "motif", 4),
            col("unites", "unités", 7),
            col("taux", "taux (€ par unité)", 8),
            col("lissage", "lissage (€)", 9),
            col("nouvelles", "places nouvelles (€)", 9),
            col("bonus", "bonus total (€)", 0),
            col("contribution_n1", "contribution N-1 (€)", 9),
            col("contribution_n", "contribution N (€)", 5),
            col("variation", "variation (€)", 2),
        ],
        lignes: Lignes::Structures(r),
    };
    let compactes = [
        "id",
        "nom",
        "volet",
        "motif",
        "bonus",
        "contribution_n",
        "variation",
    ];
    match colonnes {
        Colonnes::Liste(l) => {
            let choix: Vec<usize> = l
                .iter()
                .filter_map(|c| t.colonnes.iter().position(|x| x.cle == c))
                .collect();
            t.rendre(&choix, largeur, false, f)?
        }
        _ => t.rendre(&t.indices(tout, &compactes), largeur, !tout, f)?,
    };

    f.ecrire("\n\nTotaux par gestionnaire\n");
    let t = Tableau {
        colonnes: vec![
            col("gestionnaire", "gestionnaire", 0),
            col("eligibles", "éligibles / structures", 4),
            col("bonus_n1", "bonus N-1 (€)", 6),
            col("bonus", "bonus N (€)", 0),
            col("contribution_n1", "contribution N-1 (€)", 3),
            col("contribution_n", "contribution N (€)", 2),
            col("fp_n1", "financement public N-1 (€)", 6),
            col("fp_n", "financement public N (€)", 6),
            col("variation", "variation (€)", 1),
        ],
        lignes: Lignes::Memoire(
            r.gestionnaires
                .iter()
                .map(|(g, x)| ligne_totaux(g, x))
                .collect(),
        ),
    };
    let compactes = [
        "gestionnaire",
        "eligibles",
        "bonus",
        "contribution_n1",
        "contribution_n",
        "variation",
    ];
    t.rendre(&t.indices(tout, &compactes), largeur, !tout, f)?;

    f.ecrire("\n\nTotaux par collectivité\n");
    let mut t = Tableau {
        colonnes: vec![
            col("collectivite", "collectivité", 0),
            col("charge_n1", "charge N-1 (€)", 3),
            col("bonus", "bonus des structures N (€)", 0),
            col("verse_collectivite", "versé à la collectivité (€)", 2),
            col("non_redistribue", "non redistribué (€)", 5),
            col("verse_caf", "total Caf N (€)", 0),
            col("contribution_n1", "contribution N-1 (€)", 5),
            col("contribution_n", "contribution N (€)", 4),
        ],
        lignes: Lignes::Memoire(Vec::new()),
    };
    let mut lignes = Vec::new();
    for (c, x) in &r.collectivites {
        lignes.push(vec![
            texte(&nom_collectivite(r, c)),
            montant(x.charge_n1),
            montant(x.structures.bonus_total),
            montant(x.verse_collectivite),
            montant(x.non_redistribue),
            montant(x.verse_caf),
            montant(x.structures.contribution_n1),
            montant(x.structures.contribution_n),
        ]);
    }
    t.lignes = Lignes::Memoire(lignes);
    let compactes = [
        "collectivite",
        "charge_n1",
        "bonus",
        "verse_collectivite",
        "verse_caf",
        "contribution_n",
    ];
    t.rendre(&t.indices(tout, &compactes), largeur, !tout, f)?;

    f.ecrire(&envelopper(
        "\n\nRapprochement par collectivité et volet (A + C = L + R + P)\n",
        largeur,
    ));
    let mut t = Tableau {
        colonnes: vec![
            col("collectivite", "collectivité", 1),
            col("volet", "volet", 0),
            col("charge_n1", "charge N-1 A (€)", 0),
            col("unites", "unités U", 3),
            col("lissage", "lissage versé L (€)", 0),
            col("nouvelles", "places nouvelles (€)", 2),
            col("complement", "complément plancher C (€)", 0),
            col("non_redistribue", "non redistribué R (€)", 0),
            col("verse_collectivite", "versé collectivité P (€)", 0),
        ],
        lignes: Lignes::Memoire(Vec::new()),
    };
    let mut lignes = Vec::new();
    for g in &r.groupes {
        lignes.push(vec![
            texte(&nom_collectivite(r, &g.collectivite)),
            texte(&g.volet),
            montant(g.charge_n1),
            nombre(groupe_fr(&g.unites.to_string())),
            montant(g.lissage_verse),
            montant(g.nouvelles_versees),
            montant(g.complement_plancher),
            montant(g.non_redistribue),
            montant(g.verse_collectivite),
        ]);
    }
    let tt = &r.total;
    let une = r.collectivites.len() <= 1;
    lignes.push(vec![
        Valeur::Texte("TOTAL".into()),
        Valeur::Texte(if une { "TOTAL" } else { "(tous)" }.into()),
        montant(tt.charge_n1),
        // units of different volets are not added together
        nombre(String::new()),
        montant(tt.lissage_verse),
        montant(tt.nouvelles_versees),
        montant(tt.complement_plancher),
        montant(tt.non_redistribue),
        montant(tt.verse_collectivite),
    ]);
    t.lignes = Lignes::Memoire(lignes);
    // one collectivité: its column says nothing; all of C zero: the identity is A = L + R + P
    let sans_c = tt.complement_plancher.0 == 0;
    let mut compactes = vec!["volet", "charge_n1", "lissage", "non_redistribue"];
    compactes.push("verse_collectivite");
    if !une {
        compactes.insert(0, "collectivite");
    }
    if !sans_c {
        compactes.push("complement");
    }
    t.rendre(&t.indices(tout, &compactes), largeur, !tout, f)?;
    if !tout && sans_c {
        f.ecrire("\n(complément plancher C nul partout : A = L + R + P)");
    }
    f.ecrire("\n\n");
    f.ecrire(&envelopper(&format!(
        "Total général versé par la Caf en {} : {} (bonus aux structures {} + versé aux collectivités {})\n\
         Contributions des collectivités aux structures : {} en N-1 → {} en {}\n",
        r.exercice,
        super::montant_fr(tt.verse_caf),
        super::montant_fr(tt.structures.bonus_total),
        super::montant_fr(tt.verse_collectivite),
        super::montant_fr(tt.structures.contribution_n1),
        super::montant_fr(tt.structures.contribution_n),
        r.exercice,
    ), largeur));
    if !tout {
        f.ecrire(&envelopper(
            "(colonnes choisies pour la largeur ; toutes avec --colonnes toutes)\n",
            largeur,
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pliage_aux_mots() {
        assert_eq!(plier("Multi-accueil Balzac", 30), "Multi-accueil Balzac");
        // two lines at word boundaries
        assert_eq!(
            plier_en("Relais petite enfance intercommunal", 20, 2),
            "Relais petite\nenfance…"
        );
        // no room for « … » after « dans »: the word goes, never cut
        assert_eq!(
            plier_en("P’tits Pieds dans la Vigne", 17, 1),
            "P’tits Pieds…"
        );
        assert_eq!(plier("Relais petite enfance", 14), "Relais petite\nenfance");
        // an id breaks after its hyphens, never inside a word
        assert_eq!(
            plier("ALSH-EXTRASCOLAIRE-BOURROCHES-CASI", 20),
            "ALSH-EXTRASCOLAIRE-\nBOURROCHES-CASI"
        );
        // a single word longer than the line: shortened with « … »
        assert_eq!(plier("FINANCEMENT", 6), "FINAN…");
        for w in [8, 10, 13, 17, 25] {
            for l in plier("Relais petite enfance intercommunal – antenne de Gevrey", w).lines() {
                assert!(l.chars().count() <= w, "{l} > {w}");
            }
        }
    }

    /// Drawn block by block (at the widths of the whole table, measured first), the table
    /// has the bytes of the table drawn in one piece: blocks of 7 and 100 rows against one
    /// block, on a generated dossier (wrapped names, every reason), at several widths and
    /// with the narrow layout (one block of lines per structure).
    #[test]
    fn blocs_identiques_a_une_seule_table() {
        use crate::diagnostic::Diagnostics;
        use crate::generation::{generer, Parametres};
        let p = Parametres {
            collectivites: 12,
            structures: 300,
            graine: 7,
            dossiers: Some(1),
        };
        let d = generer(&p).unwrap().remove(0);
        let mut diags = Diagnostics::default();
        let lu = crate::lecture::analyser_dossier(&d.fichiers, &mut diags).unwrap();
        let b = lu
            .bareme
            .pour_exercice(lu.dossier.convention.exercice, "bareme.toml")
            .unwrap();
        let r = crate::calcul::calculer(&lu.dossier, &b).unwrap();
        assert!(r.structures.len() > 200);
        for (largeur, colonnes) in [
            (80, Colonnes::Compactes),
            (200, Colonnes::Toutes),
            (30, Colonnes::Compactes),
            (120, Colonnes::Liste(vec!["nom".into(), "bonus".into()])),
        ] {
            let rendre = |bloc: usize| {
                BLOC.with(|b| b.set(bloc));
                let t = rendre_colonnes(&r, Some(largeur), false, &colonnes).unwrap();
                BLOC.with(|b| b.set(PAR_BLOC));
                t
            };
            let entiere = rendre(usize::MAX);
            assert!(entiere.lines().count() > 200);
            for bloc in [7, 100] {
                assert!(rendre(bloc) == entiere, "{largeur} {colonnes:?} {bloc}");
            }
        }
    }

    #[test]
    fn colonnes_analysees() {
        assert_eq!(Colonnes::analyser("toutes"), Ok(Colonnes::Toutes));
        assert_eq!(
            Colonnes::analyser("id, bonus"),
            Ok(Colonnes::Liste(vec!["id".into(), "bonus".into()]))
        );
        let e = Colonnes::analyser("id,bonnus").unwrap_err();
        assert!(e.starts_with("colonne « bonnus » inconnue"), "{e}");
        assert!(Colonnes::analyser(" , ").is_err());
    }
}
