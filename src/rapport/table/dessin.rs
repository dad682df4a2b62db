//! The drawing of a terminal table: its cells, its rows (held, or made one at a time from
//! the result), the widths, and comfy-table's drawing, in one piece or block by block,
//! written into the output as it is drawn.

use super::*;

thread_local! {
    /// Colours for the current rendering (`rendre_avec`).
    pub(super) static COULEUR: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
    /// Rows drawn per block ([`PAR_BLOC`]; smaller in the tests, to compare with one block).
    pub(super) static BLOC: std::cell::Cell<usize> = const { std::cell::Cell::new(PAR_BLOC) };
}

/// Past this many rows, a table is drawn in blocks of this many rows at the widths of the
/// whole table (measured in a first pass), and written block by block: the text of a
/// million structures is never held whole in memory. The bytes are those of one table.
pub(super) const PAR_BLOC: usize = 4096;

pub(super) fn couleur() -> bool {
    COULEUR.with(|c| c.get())
}

/// A cell before layout.
#[derive(Clone)]
pub(super) enum Valeur {
    Texte(String),
    /// Right-aligned figure (never wrapped).
    Nombre(String),
    /// An amount shown green when positive and red when negative, with colours.
    Variation(Montant),
    /// A reason, yellow when not « éligible », with colours.
    Motif(Motif),
}

impl Valeur {
    pub(super) fn texte(&self) -> String {
        match self {
            Valeur::Texte(s) | Valeur::Nombre(s) => s.clone(),
            Valeur::Variation(m) => euros_fr(*m),
            Valeur::Motif(m) => motif_court(*m).to_string(),
        }
    }
    pub(super) fn est_texte(&self) -> bool {
        matches!(self, Valeur::Texte(_) | Valeur::Motif(_))
    }
}

/// A column: key, header, and the rank at which it is dropped when the width is short
/// (0: never).
pub(super) struct Colonne {
    pub(super) cle: &'static str,
    pub(super) entete: &'static str,
    pub(super) abandon: u8,
}

pub(super) const fn col(cle: &'static str, entete: &'static str, abandon: u8) -> Colonne {
    Colonne {
        cle,
        entete,
        abandon,
    }
}

/// The rows of a table: held, or made one at a time from the result (one per structure:
/// never all held as text).
pub(super) enum Lignes<'a> {
    Memoire(Vec<Vec<Valeur>>),
    Structures(&'a Resultat),
}

/// A table before layout: its columns (the `compactes` ones by default) and rows.
pub(super) struct Tableau<'a> {
    pub(super) colonnes: Vec<Colonne>,
    pub(super) lignes: Lignes<'a>,
}

/// The text being written, handed to the writer in pieces ([`MORCEAU`]); the first write
/// error is kept and ends the writing.
pub(super) struct Flux<'w> {
    pub(super) texte: String,
    pub(super) w: &'w mut dyn std::io::Write,
    pub(super) erreur: Option<std::io::Error>,
}

/// Size of the pieces handed to the writer.
pub(super) const MORCEAU: usize = 1 << 16;

impl Flux<'_> {
    pub(super) fn ecrire(&mut self, s: &str) {
        self.texte.push_str(s);
        if self.texte.len() >= MORCEAU {
            self.vider();
        }
    }
    pub(super) fn vider(&mut self) {
        if self.erreur.is_none() {
            if let Err(e) = self.w.write_all(self.texte.as_bytes()) {
                self.erreur = Some(e);
            }
        }
        self.texte.clear();
    }
    pub(super) fn finir(mut self) -> std::io::Result<()> {
        self.vider();
        match self.erreur {
            Some(e) => Err(e),
            None => self.w.flush(),
        }
    }
}

impl Tableau<'_> {
    /// `f` on each row, in order.
    pub(super) fn chaque(&self, f: &mut dyn FnMut(&[Valeur])) -> R<()> {
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
    pub(super) fn nombre_lignes(&self) -> usize {
        match &self.lignes {
            Lignes::Memoire(v) => v.len(),
            Lignes::Structures(r) => r.structures.len(),
        }
    }

    /// The columns shown: `choix` (indexes), narrowed to `largeur` by dropping the columns
    /// of highest `abandon` rank first (never one of rank 0, never an explicit list).
    pub(super) fn rendre(
        &self,
        choix: &[usize],
        largeur: usize,
        reduire: bool,
        f: &mut Flux,
    ) -> R<()> {
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
    pub(super) fn fiches(&self, choix: &[usize], largeur: usize, f: &mut Flux) -> R<()> {
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
    pub(super) fn largeurs(&self, choix: &[usize], largeur: usize) -> R<(Vec<usize>, usize)> {
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
    pub(super) fn table(&self, choix: &[usize], larg: &[usize], entete: bool) -> Table {
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
    pub(super) fn cellules(choix: &[usize], larg: &[usize], l: &[Valeur]) -> Vec<Cell> {
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
    pub(super) fn dessiner(&self, choix: &[usize], larg: &[usize], f: &mut Flux) -> R<()> {
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
    pub(super) fn indices(&self, tout: bool, compactes: &[&str]) -> Vec<usize> {
        (0..self.colonnes.len())
            .filter(|i| tout || compactes.contains(&self.colonnes[*i].cle))
            .collect()
    }
}

/// A cell of user text (id, name…): control characters shown, not obeyed, and cut at
/// [`LARGEUR_CHAMP`] characters (the CSV, JSON and XLSX keep it whole).
pub(super) fn texte(s: &str) -> Valeur {
    Valeur::Texte(texte_terminal(s, LARGEUR_CHAMP))
}

pub(super) fn nombre(s: String) -> Valeur {
    Valeur::Nombre(s)
}

pub(super) fn montant(m: Montant) -> Valeur {
    Valeur::Nombre(euros_fr(m))
}

/// The row of a structure.
pub(super) fn ligne_structure(l: &LigneStructure) -> R<Vec<Valeur>> {
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
