//! A [`Lettre`] as an A4 PDF, made in the process by krilla: DejaVu Sans and DejaVu Sans
//! Bold embedded (subsets), selectable text, words wrapped within the page width, tables
//! continued on the next page under their repeated heading row, « page 1/2 » at the foot.
//!
//! The page is laid out first (positions measured with the fonts' advances, read by
//! skrifa), then drawn: the page count is known when the page numbers are written. Each
//! glyph is drawn with the advance it was measured with, so what is measured is what is
//! drawn.

use super::{Bloc, Lettre, Segment};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::Document;
use skrifa::instance::{LocationRef, Size};
use skrifa::MetadataProvider;

mod coupure;
mod polices;
mod tableau;
use polices::{polices, Polices};

/// A4 in points.
const LARGEUR: f32 = 595.28;
const HAUTEUR: f32 = 841.89;
const MARGE: f32 = 56.7; // 20 mm
const HAUT: f32 = 56.7;
/// Lowest baseline of the body (the foot holds the page number).
const BAS: f32 = HAUTEUR - 62.0;
const CORPS: f32 = 10.0;
const TABLE: f32 = 8.5;
const NOTE: f32 = 7.5;
const INTERLIGNE: f32 = 1.3;
const PADDING: f32 = 3.0;
/// Left edge of the signature block (place and date, capacity), right of the page's middle.
const X_SIGNATURE: f32 = LARGEUR / 2.0 - 40.0;

/// What is drawn, laid out.
enum Op {
    /// Text at a baseline.
    Texte {
        x: f32,
        y: f32,
        taille: f32,
        gras: bool,
        gris: u8,
        texte: String,
    },
    /// A filled rectangle.
    Fond { x: f32, y: f32, l: f32, h: f32 },
    /// A horizontal rule.
    Filet { x1: f32, x2: f32, y: f32, gris: u8 },
}

struct Mise<'a> {
    polices: &'a Polices,
    pages: Vec<Vec<Op>>,
    /// Top of the next line.
    y: f32,
}

/// One wrapped line: its runs (text, bold) with their x offsets.
type LigneMise = Vec<(f32, String, bool)>;

impl<'a> Mise<'a> {
    fn page(&mut self) -> &mut Vec<Op> {
        if self.pages.is_empty() {
            self.pages.push(Vec::new());
        }
        let n = self.pages.len();
        &mut self.pages[n - 1]
    }

    fn nouvelle_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = HAUT;
    }

    /// A new page unless `h` more points fit.
    fn assurer(&mut self, h: f32) {
        if self.y + h > BAS && self.y > HAUT {
            self.nouvelle_page();
        }
    }

    /// Wraps runs within `largeur` at spaces ([`coupure::couper`]).
    fn couper(&self, segments: &[Segment], taille: f32, largeur: f32) -> Vec<LigneMise> {
        coupure::couper(self.polices, segments, taille, largeur)
    }

    fn paragraphe(&mut self, segments: &[Segment], taille: f32, gris: u8, apres: f32) {
        let largeur = LARGEUR - 2.0 * MARGE;
        let lh = taille * INTERLIGNE;
        let lignes = self.couper(segments, taille, largeur);
        let saut = self.saut_du_paragraphe(lignes.len(), lh);
        for (i, ligne) in lignes.into_iter().enumerate() {
            if Some(i) == saut {
                self.nouvelle_page();
            }
            self.assurer(lh);
            let y = self.y + taille;
            for (x, t, g) in ligne {
                self.page().push(Op::Texte {
                    x: MARGE + x,
                    y,
                    taille,
                    gras: g,
                    gris,
                    texte: t,
                });
            }
            self.y += lh;
        }
        self.y += apres;
    }

    /// Where a paragraph of `n` lines of height `lh` that does not fit in the rest of the
    /// page goes on to the next one: never one line alone at the foot of a page (the whole
    /// paragraph moves) nor at the head of the next (one more line goes with it). `None`:
    /// it fits, or it is cut where the page ends.
    fn saut_du_paragraphe(&self, n: usize, lh: f32) -> Option<usize> {
        if self.y <= HAUT {
            return None;
        }
        let tiennent = ((BAS - self.y) / lh).floor().max(0.0) as usize;
        if tiennent >= n {
            return None;
        }
        // at least two lines on each side of the page break, or none on this page
        let coupe = tiennent.min(n.saturating_sub(2));
        Some(if coupe < 2 { 0 } else { coupe })
    }

    fn entete(&mut self, expediteur: &[String], destinataire: &[String]) {
        let debut = self.y;
        let page0 = self.pages.len();
        let lh = CORPS * INTERLIGNE;
        for (i, t) in expediteur.iter().enumerate() {
            let lignes = self.couper(
                &[Segment {
                    texte: t.clone(),
                    gras: i == 0,
                }],
                CORPS,
                250.0,
            );
            for l in lignes {
                self.assurer(lh);
                let y = self.y + CORPS;
                for (x, t, g) in l {
                    self.page().push(Op::Texte {
                        x: MARGE + x,
                        y,
                        taille: CORPS,
                        gras: g,
                        gris: 0,
                        texte: t,
                    });
                }
                self.y += lh;
            }
        }
        let fin_gauche = self.y;
        let page_gauche = self.pages.len();
        // the addressee a little lower, beside the sender (below it when the sender
        // needed more than the first page)
        if page_gauche == page0 {
            self.y = debut + 4.0 * lh;
        }
        let x0 = 330.0;
        for t in destinataire {
            for l in self.couper(
                &[Segment {
                    texte: t.clone(),
                    gras: true,
                }],
                CORPS,
                LARGEUR - MARGE - x0,
            ) {
                self.assurer(lh);
                let y = self.y + CORPS;
                for (x, t, g) in l {
                    self.page().push(Op::Texte {
                        x: x0 + x,
                        y,
                        taille: CORPS,
                        gras: g,
                        gris: 0,
                        texte: t,
                    });
                }
                self.y += lh;
            }
        }
        if self.pages.len() == page_gauche {
            self.y = self.y.max(fin_gauche);
        }
        self.y += 2.0 * lh;
    }

    /// The signature's lines, wrapped in the width right of [`X_SIGNATURE`] (a long place
    /// name goes on the next line, never past the margin), each with whether it ends its
    /// text (place and date, then capacity); and the block's height (space before, lines,
    /// room to sign).
    fn lignes_signature(&self, lieu_date: &str, qualite: &str) -> (Vec<(LigneMise, bool)>, f32) {
        let largeur = LARGEUR - MARGE - X_SIGNATURE;
        let mut lignes = Vec::new();
        for (texte, gras) in [(lieu_date, false), (qualite, true)] {
            let l = self.couper(
                &[Segment {
                    texte: texte.to_string(),
                    gras,
                }],
                CORPS,
                largeur,
            );
            let n = l.len();
            lignes.extend(l.into_iter().enumerate().map(|(i, x)| (x, i + 1 == n)));
        }
        let hauteur = 12.0 + lignes.len() as f32 * CORPS * INTERLIGNE + 2.0 * 4.0 + 45.0;
        (lignes, hauteur)
    }

    /// The height of the blocks kept with the signature (closing paragraphs, signature).
    fn hauteur_fin(&self, blocs: &[Bloc]) -> f32 {
        let largeur = LARGEUR - 2.0 * MARGE;
        blocs
            .iter()
            .map(|b| match b {
                Bloc::Paragraphe(s) => {
                    self.couper(s, CORPS, largeur).len() as f32 * CORPS * INTERLIGNE + 6.0
                }
                Bloc::Signature { lieu_date, qualite } => {
                    self.lignes_signature(lieu_date, qualite).1
                }
                _ => 0.0,
            })
            .sum()
    }

    fn bloc(&mut self, b: &Bloc) {
        match b {
            Bloc::Entete {
                expediteur,
                destinataire,
            } => self.entete(expediteur, destinataire),
            Bloc::Objet(t) => self.paragraphe(
                &[
                    Segment {
                        texte: "Objet : ".into(),
                        gras: true,
                    },
                    Segment {
                        texte: t.clone(),
                        gras: false,
                    },
                ],
                CORPS,
                0,
                12.0,
            ),
            Bloc::Titre(t) => {
                // a heading is never left alone at the foot of a page
                self.assurer(11.0 * INTERLIGNE + 6.0 + 4.0 * TABLE * INTERLIGNE);
                self.y += 6.0;
                self.paragraphe(
                    &[Segment {
                        texte: t.clone(),
                        gras: true,
                    }],
                    11.0,
                    0,
                    3.0,
                );
            }
            Bloc::Paragraphe(s) => self.paragraphe(s, CORPS, 0, 6.0),
            Bloc::Liste(items) => {
                for i in items {
                    let mut s = vec![Segment {
                        texte: "– ".into(),
                        gras: false,
                    }];
                    s.extend(i.iter().cloned());
                    self.paragraphe(&s, CORPS, 0, 2.0);
                }
                self.y += 4.0;
            }
            Bloc::Tableau(t) => self.tableau(t),
            Bloc::Note(t) => self.paragraphe(
                &[Segment {
                    texte: t.clone(),
                    gras: false,
                }],
                NOTE,
                90,
                6.0,
            ),
            Bloc::Signature { lieu_date, qualite } => {
                let (lignes, hauteur) = self.lignes_signature(lieu_date, qualite);
                self.assurer(hauteur);
                self.y += 12.0;
                for (ligne, fin_de_texte) in lignes {
                    let y = self.y + CORPS;
                    for (x, texte, gras) in ligne {
                        self.page().push(Op::Texte {
                            x: X_SIGNATURE + x,
                            y,
                            taille: CORPS,
                            gras,
                            gris: 0,
                            texte,
                        });
                    }
                    self.y += CORPS * INTERLIGNE + if fin_de_texte { 4.0 } else { 0.0 };
                }
                // room for the signature
                self.y += 45.0;
            }
        }
    }
}

fn gris(g: u8) -> rgb::Color {
    rgb::Color::new(g, g, g)
}

/// The pages of a letter, laid out, with their foot (title, « page i/n »).
fn mettre_en_page(l: &Lettre, polices: &Polices) -> Vec<Vec<Op>> {
    let mut m = Mise {
        polices,
        pages: vec![Vec::new()],
        y: HAUT,
    };
    // the closing paragraphs and the signature on one page: moved whole to the next page
    // when they do not fit (never a sentence cut from its signature)
    let fin = super::debut_de_la_fin(&l.blocs);
    for (i, b) in l.blocs.iter().enumerate() {
        if Some(i) == fin {
            let h = m.hauteur_fin(&l.blocs[i..]);
            m.assurer(h);
        }
        m.bloc(b);
    }
    let mut pages = std::mem::take(&mut m.pages);
    let n = pages.len();
    for (i, ops) in pages.iter_mut().enumerate() {
        let pied = format!("page {}/{n}", i + 1);
        let lp = polices.reguliere.largeur(&pied, NOTE);
        // the title, shortened with « … » when it would reach the page number
        let place = LARGEUR - 2.0 * MARGE - lp - 20.0;
        let mut titre = l.titre.clone();
        if polices.reguliere.largeur(&titre, NOTE) > place {
            let mut l_prefixe = 0.0;
            let fin = titre
                .char_indices()
                .find(|(_, c)| {
                    l_prefixe += polices.reguliere.glyphe(*c).1 * NOTE;
                    l_prefixe > place - 8.0
                })
                .map_or(titre.len(), |(i, _)| i);
            titre = format!("{}…", titre[..fin].trim_end());
        }
        ops.push(Op::Texte {
            x: LARGEUR - MARGE - lp,
            y: HAUTEUR - 30.0,
            taille: NOTE,
            gras: false,
            gris: 90,
            texte: pied,
        });
        ops.push(Op::Texte {
            x: MARGE,
            y: HAUTEUR - 30.0,
            taille: NOTE,
            gras: false,
            gris: 90,
            texte: titre,
        });
    }
    pages
}

/// The PDF of one letter. `Err`: the PDF could not be made (message in French).
pub fn rendre(l: &Lettre) -> Result<Vec<u8>, String> {
    let polices = polices()?;
    let pages = mettre_en_page(l, &polices);
    let mut doc = Document::new();
    doc.set_metadata(
        Metadata::new()
            .title(l.titre.clone())
            .language("fr".into())
            .creator("bonus-ctg".into()),
    );
    let reglages = PageSettings::from_wh(LARGEUR, HAUTEUR).ok_or("format de page invalide")?;
    for ops in pages {
        let mut page = doc.start_page_with(reglages.clone());
        let mut s = page.surface();
        for op in ops {
            match op {
                Op::Texte {
                    x,
                    y,
                    taille,
                    gras,
                    gris: g,
                    texte,
                } => {
                    let p = polices.de(gras);
                    s.set_stroke(None);
                    s.set_fill(Some(Fill {
                        paint: gris(g).into(),
                        ..Default::default()
                    }));
                    let glyphes = p.glyphes(&texte);
                    s.draw_glyphs(
                        Point::from_xy(x, y),
                        &glyphes,
                        p.krilla.clone(),
                        &texte,
                        taille,
                        false,
                    );
                }
                Op::Fond { x, y, l, h } => {
                    let mut pb = PathBuilder::new();
                    if let Some(r) = Rect::from_xywh(x, y, l, h) {
                        pb.push_rect(r);
                    }
                    if let Some(chemin) = pb.finish() {
                        s.set_stroke(None);
                        s.set_fill(Some(Fill {
                            paint: rgb::Color::new(232, 238, 244).into(),
                            ..Default::default()
                        }));
                        s.draw_path(&chemin);
                    }
                }
                Op::Filet { x1, x2, y, gris: g } => {
                    let mut pb = PathBuilder::new();
                    pb.move_to(x1, y);
                    pb.line_to(x2, y);
                    if let Some(chemin) = pb.finish() {
                        s.set_fill(None);
                        s.set_stroke(Some(Stroke {
                            paint: gris(g).into(),
                            width: 0.6,
                            ..Default::default()
                        }));
                        s.draw_path(&chemin);
                    }
                }
            }
        }
        s.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| format!("le PDF n'a pas pu être produit ({e:?})"))
}

#[cfg(test)]
mod tests {
    use super::super::{Colonne, Genre, LigneTableau, Tableau};
    use super::*;
    use proptest::prelude::*;

    /// The fonts, read once for all the cases.
    fn p() -> &'static Polices {
        static P: std::sync::OnceLock<Polices> = std::sync::OnceLock::new();
        P.get_or_init(|| polices().unwrap())
    }

    fn lettre(mots: &[String], lignes: usize) -> Lettre {
        let texte = mots.join(" ");
        let tableau = Tableau {
            colonnes: vec![
                Colonne {
                    titre: "Structure".into(),
                    largeur: 40,
                    droite: false,
                },
                Colonne {
                    titre: "Montant".into(),
                    largeur: 20,
                    droite: true,
                },
            ],
            lignes: (0..lignes)
                .map(|i| LigneTableau {
                    cellules: vec![format!("{texte} {i}"), "1\u{202f}234,56 €".into()],
                    gras: i % 3 == 2,
                    groupe: i / 3,
                })
                .collect(),
        };
        Lettre {
            genre: Genre::Gestionnaire,
            fichier: "essai".into(),
            destinataire: texte.clone(),
            titre: format!("Bonus territoire CTG 2025 — {texte}"),
            blocs: vec![
                Bloc::Entete {
                    expediteur: vec![texte.clone(), "CTG".into()],
                    destinataire: vec![texte.clone()],
                },
                Bloc::Titre(texte.clone()),
                Bloc::Paragraphe(vec![Segment {
                    texte: texte.clone(),
                    gras: false,
                }]),
                Bloc::Tableau(tableau),
                Bloc::Note(texte.clone()),
                Bloc::Signature {
                    lieu_date: format!("Fait à {texte}, le ……………………"),
                    qualite: "Pour la Caf, le directeur ou la directrice".into(),
                },
            ],
        }
    }

    /// Every text inside the page (margins kept: 0.5 pt of tolerance), nothing below the
    /// body but the foot, every page numbered.
    fn dans_la_page(pages: &[Vec<Op>], polices: &Polices) {
        let n = pages.len();
        for (i, ops) in pages.iter().enumerate() {
            let mut numero = false;
            for op in ops {
                if let Op::Texte {
                    x,
                    y,
                    taille,
                    gras,
                    texte,
                    ..
                } = op
                {
                    let l = polices.de(*gras).largeur(texte, *taille);
                    assert!(*x >= MARGE - 0.5, "{texte} à x = {x}");
                    assert!(
                        x + l <= LARGEUR - MARGE + 0.5,
                        "{texte} dépasse : {}",
                        x + l
                    );
                    assert!(
                        *y <= BAS + *taille || *y == HAUTEUR - 30.0,
                        "{texte} à y = {y}"
                    );
                    numero |= *texte == format!("page {}/{n}", i + 1);
                }
            }
            assert!(numero, "page {} sans numéro", i + 1);
        }
    }

    #[test]
    fn long_tableau_continue_sous_son_entete() {
        let p = polices().unwrap();
        let mots: Vec<String> = ["Multi-accueil", "Les", "P’tits", "Pieds"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let pages = mettre_en_page(&lettre(&mots, 300), &p);
        // 300 rows of one line (8.5 pt × 1.3 + 6 pt ≈ 17 pt): about 40 a page
        assert!((6..=12).contains(&pages.len()), "{} pages", pages.len());
        dans_la_page(&pages, &p);
        for (i, ops) in pages.iter().enumerate().skip(1) {
            // the table's heading row first on every continued page
            let premier = ops.iter().find_map(|o| match o {
                Op::Texte { texte, .. } => Some(texte.as_str()),
                _ => None,
            });
            if i + 1 < pages.len() {
                assert_eq!(premier, Some("Structure"), "page {}", i + 1);
            }
        }
        // rows of a group (3 rows) never split across pages
        for ops in &pages {
            let numeros: Vec<usize> = ops
                .iter()
                .filter_map(|o| match o {
                    Op::Texte { texte, .. } => texte.rsplit(' ').next()?.parse().ok(),
                    _ => None,
                })
                .collect();
            if let (Some(a), Some(b)) = (numeros.first(), numeros.last()) {
                assert_eq!(a % 3, 0, "un groupe commence la page : {numeros:?}");
                assert_eq!(b % 3, 2, "un groupe finit la page : {numeros:?}");
            }
        }
    }

    /// Characters the font lacks (drawn as its empty glyph) and overlong words: a PDF all
    /// the same.
    #[test]
    fn pdf_meme_avec_des_caracteres_absents() {
        let mots = vec![
            "日本語".to_string(),
            "x".repeat(400),
            "« Crèche » : 12,00 €".into(),
        ];
        let o = rendre(&lettre(&mots, 5)).unwrap();
        assert!(o.starts_with(b"%PDF-"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Any words (long ones, accents, signs, characters absent from the font): no
        /// panic, every character drawn once, inside the page.
        #[test]
        fn aucun_texte_perdu_ni_hors_page(
            mots in prop::collection::vec("[a-zA-Zéèçà€«»:;%’0-9\u{202f}-]{1,90}|日本", 1..40),
            lignes in 0usize..12,
        ) {
            let l = lettre(&mots, lignes);
            let pages = mettre_en_page(&l, p());
            dans_la_page(&pages, p());
            // the paragraph (third block) is drawn whole: same characters, spaces aside
            let attendu: String = mots.concat().chars().filter(|c| !c.is_whitespace()).collect();
            let dessine: String = pages
                .iter()
                .flatten()
                .filter_map(|o| match o {
                    Op::Texte { texte, taille, gras: false, .. } if *taille == CORPS => Some(texte.clone()),
                    _ => None,
                })
                .collect::<String>()
                .chars()
                .filter(|c| !c.is_whitespace())
                .collect();
            prop_assert!(dessine.contains(&attendu), "{dessine}\n{attendu}");
        }
    }
}
