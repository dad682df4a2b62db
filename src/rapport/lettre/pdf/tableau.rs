//! A table laid out: column widths, cells wrapped, rows taller than a page cut into slices
//! of lines, a group of rows kept on one page when it fits, the heading row repeated on
//! every page.

use super::{LigneMise, Mise, Op, BAS, HAUT, INTERLIGNE, LARGEUR, MARGE, PADDING, TABLE};
use crate::rapport::lettre::{LigneTableau, Segment, Tableau};

/// The table's geometry: its width, its columns' widths, its line height.
struct Grille<'t> {
    t: &'t Tableau,
    largeur: f32,
    larg: Vec<f32>,
    lh: f32,
}

/// A row laid out: the row, its cells wrapped, its height.
type Rang<'t> = (&'t LigneTableau, Vec<Vec<LigneMise>>, f32);

impl<'t> Grille<'t> {
    fn new(t: &'t Tableau) -> Grille<'t> {
        let largeur = LARGEUR - 2.0 * MARGE;
        let total: u32 = t.colonnes.iter().map(|c| c.largeur).sum::<u32>().max(1);
        let larg: Vec<f32> = t
            .colonnes
            .iter()
            .map(|c| largeur * c.largeur as f32 / total as f32)
            .collect();
        Grille {
            t,
            largeur,
            larg,
            lh: TABLE * INTERLIGNE,
        }
    }
}

impl<'a> Mise<'a> {
    pub(super) fn tableau(&mut self, t: &Tableau) {
        let g = Grille::new(t);
        let titres: Vec<String> = t.colonnes.iter().map(|c| c.titre.clone()).collect();
        let (entete, h_entete) = self.mise_rang(&g, &titres, true);
        let rangs = self.rangs(&g, h_entete);
        self.assurer(h_entete + rangs.first().map_or(0.0, |l| l.2));
        self.rang_entete(&g, &entete, h_entete);
        let mut groupe = None;
        let hauteur_utile = BAS - HAUT - h_entete;
        for (i, (l, cellules, h)) in rangs.iter().enumerate() {
            let nouveau_groupe = groupe != Some(l.groupe);
            if nouveau_groupe {
                // the whole group on one page when it fits on a page
                let h_groupe: f32 = rangs[i..]
                    .iter()
                    .take_while(|(x, _, _)| x.groupe == l.groupe)
                    .map(|(_, _, h)| h)
                    .sum();
                if self.y + h_groupe > BAS && h_groupe <= hauteur_utile {
                    self.nouvelle_page();
                    self.rang_entete(&g, &entete, h_entete);
                } else if groupe.is_some() {
                    self.filet_tableau(&g, 200);
                }
            }
            if self.y + h > BAS {
                self.nouvelle_page();
                self.rang_entete(&g, &entete, h_entete);
            }
            groupe = Some(l.groupe);
            self.place(&g, cellules, *h, false);
        }
        self.filet_tableau(&g, 90);
        self.y += 8.0;
    }

    /// A row's cells wrapped within their columns, and the row's height.
    fn mise_rang(&self, g: &Grille, cellules: &[String], gras: bool) -> (Vec<Vec<LigneMise>>, f32) {
        let cs: Vec<Vec<LigneMise>> = cellules
            .iter()
            .zip(&g.larg)
            .map(|(c, l)| {
                self.couper(
                    &[Segment {
                        texte: c.clone(),
                        gras,
                    }],
                    TABLE,
                    l - 2.0 * PADDING,
                )
            })
            .collect();
        let n = cs.iter().map(Vec::len).max().unwrap_or(1).max(1);
        (cs, n as f32 * g.lh + 2.0 * PADDING)
    }

    /// The rows laid out; a row taller than a page is cut into slices of lines that fit one.
    fn rangs<'t>(&self, g: &Grille<'t>, h_entete: f32) -> Vec<Rang<'t>> {
        let lh = g.lh;
        let max_lignes = (((BAS - HAUT - h_entete - 2.0 * PADDING) / lh).floor() as usize).max(1);
        let mut rangs: Vec<Rang<'t>> = Vec::new();
        for l in &g.t.lignes {
            let (cellules, h) = self.mise_rang(g, &l.cellules, l.gras);
            let n = cellules.iter().map(Vec::len).max().unwrap_or(1);
            if n <= max_lignes {
                rangs.push((l, cellules, h));
                continue;
            }
            for debut in (0..n).step_by(max_lignes) {
                let tranche: Vec<Vec<LigneMise>> = cellules
                    .iter()
                    .map(|c| c.iter().skip(debut).take(max_lignes).cloned().collect())
                    .collect();
                let k = tranche.iter().map(Vec::len).max().unwrap_or(1).max(1);
                rangs.push((l, tranche, k as f32 * lh + 2.0 * PADDING));
            }
        }
        rangs
    }

    /// The heading row on its background, and its rule.
    fn rang_entete(&mut self, g: &Grille, entete: &[Vec<LigneMise>], h_entete: f32) {
        self.place(g, entete, h_entete, true);
        self.filet_tableau(g, 90);
    }

    /// One row at the current height: each cell's lines, right-aligned in the columns that
    /// are.
    fn place(&mut self, g: &Grille, cellules: &[Vec<LigneMise>], h: f32, fond: bool) {
        let y0 = self.y;
        if fond {
            self.page().push(Op::Fond {
                x: MARGE,
                y: y0,
                l: g.largeur,
                h,
            });
        }
        let mut x = MARGE;
        for (k, c) in cellules.iter().enumerate() {
            let droite = g.t.colonnes.get(k).is_some_and(|c| c.droite);
            let lc = g.larg.get(k).copied().unwrap_or(0.0);
            for (i, ligne) in c.iter().enumerate() {
                let y = y0 + PADDING + i as f32 * g.lh + TABLE;
                let fin = ligne
                    .last()
                    .map(|(x, t, gr)| x + self.polices.de(*gr).largeur(t, TABLE))
                    .unwrap_or(0.0);
                let dx = if droite { lc - PADDING - fin } else { PADDING };
                for (xr, t, gr) in ligne {
                    self.page().push(Op::Texte {
                        x: x + dx + xr,
                        y,
                        taille: TABLE,
                        gras: *gr,
                        gris: 0,
                        texte: t.clone(),
                    });
                }
            }
            x += lc;
        }
        self.y += h;
    }

    fn filet_tableau(&mut self, g: &Grille, gris: u8) {
        let y = self.y;
        self.page().push(Op::Filet {
            x1: MARGE,
            x2: MARGE + g.largeur,
            y,
            gris,
        });
    }
}
