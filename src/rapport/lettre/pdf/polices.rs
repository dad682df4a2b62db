//! The two embedded fonts of the letters (DejaVu Sans, regular and bold): krilla's font for
//! drawing, and each character's glyph and advance read once by skrifa for measuring.

use super::*;

const REGULIERE: &[u8] = include_bytes!("../../../../assets/polices/DejaVuSans.ttf");
const GRASSE: &[u8] = include_bytes!("../../../../assets/polices/DejaVuSans-Bold.ttf");

/// A font: krilla's for drawing, and each character's glyph and advance (in em) read once
/// by skrifa for measuring.
pub(super) struct Police {
    pub(super) krilla: Font,
    pub(super) glyphes: std::collections::HashMap<char, (u32, f32)>,
    /// The empty glyph's advance, for a character the font lacks.
    pub(super) absent: f32,
}

impl Police {
    pub(super) fn new(octets: &'static [u8]) -> Result<Police, String> {
        let donnees =
            skrifa::FontRef::new(octets).map_err(|e| format!("police illisible ({e})"))?;
        let upem = (donnees
            .metrics(Size::unscaled(), LocationRef::default())
            .units_per_em as f32)
            .max(1.0);
        let metriques = donnees.glyph_metrics(Size::unscaled(), LocationRef::default());
        let avance = |g| metriques.advance_width(g).unwrap_or(0.0) / upem;
        let glyphes = donnees
            .charmap()
            .mappings()
            .filter_map(|(c, g)| Some((char::from_u32(c)?, (g.to_u32(), avance(g)))))
            .collect();
        let absent = avance(skrifa::GlyphId::new(0));
        let krilla = Font::new(octets.into(), 0).ok_or("police illisible")?;
        Ok(Police {
            krilla,
            glyphes,
            absent,
        })
    }

    pub(super) fn glyphe(&self, c: char) -> (u32, f32) {
        self.glyphes.get(&c).copied().unwrap_or((0, self.absent))
    }

    /// Glyph id and advance (in em) of each character.
    pub(super) fn glyphes(&self, texte: &str) -> Vec<KrillaGlyph> {
        texte
            .char_indices()
            .map(|(i, c)| {
                let (g, avance) = self.glyphe(c);
                KrillaGlyph::new(
                    GlyphId::new(g),
                    avance,
                    0.0,
                    0.0,
                    0.0,
                    i..i + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }

    pub(super) fn largeur(&self, texte: &str, taille: f32) -> f32 {
        texte.chars().map(|c| self.glyphe(c).1).sum::<f32>() * taille
    }
}

pub(super) struct Polices {
    pub(super) reguliere: Police,
    pub(super) grasse: Police,
}

impl Polices {
    pub(super) fn de(&self, gras: bool) -> &Police {
        if gras {
            &self.grasse
        } else {
            &self.reguliere
        }
    }
}

pub(super) fn polices() -> Result<Polices, String> {
    Ok(Polices {
        reguliere: Police::new(REGULIERE)?,
        grasse: Police::new(GRASSE)?,
    })
}
