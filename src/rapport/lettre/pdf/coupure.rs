//! Line breaking: runs wrapped within a width at spaces, measured with the fonts' advances
//! (an unbreakable space never breaks; a word wider than the line is cut after a hyphen
//! when it can be, else between characters).

use super::polices::{Police, Polices};
use super::LigneMise;
use crate::rapport::lettre::Segment;

/// Wraps runs within `largeur` at spaces.
pub(super) fn couper(
    polices: &Polices,
    segments: &[Segment],
    taille: f32,
    largeur: f32,
) -> Vec<LigneMise> {
    let mut c = Coupure {
        taille,
        largeur,
        lignes: Vec::new(),
        ligne: Vec::new(),
        x: 0.0,
    };
    let mut espace_avant = false;
    for (mot, g, espace_apres) in mots(segments) {
        let p = polices.de(g);
        let l = p.largeur(&mot, taille);
        let esp = if espace_avant && !c.ligne.is_empty() {
            p.largeur(" ", taille)
        } else {
            0.0
        };
        if !c.ligne.is_empty() && c.x + esp + l > largeur {
            c.a_la_ligne();
        }
        if l > largeur {
            c.mot_trop_long(p, &mot, g);
        } else {
            c.mot(&mot, g, l, esp, espace_avant);
        }
        espace_avant = espace_apres;
    }
    if !c.ligne.is_empty() {
        c.lignes.push(c.ligne);
    }
    c.lignes
}

/// The words of the runs with the bold flag of their run; `true` after: a space follows.
fn mots(segments: &[Segment]) -> Vec<(String, bool, bool)> {
    let mut mots: Vec<(String, bool, bool)> = Vec::new();
    for s in segments {
        let texte = crate::rapport::lettre::espaces_insecables(&s.texte);
        let mut morceaux = texte.split(' ').peekable();
        while let Some(m) = morceaux.next() {
            let espace = morceaux.peek().is_some();
            if m.is_empty() {
                if espace {
                    if let Some(d) = mots.last_mut() {
                        d.2 = true;
                    }
                }
                continue;
            }
            mots.push((m.to_string(), s.gras, espace));
        }
    }
    mots
}

/// The lines wrapped so far, the line being filled and its width.
struct Coupure {
    taille: f32,
    largeur: f32,
    lignes: Vec<LigneMise>,
    ligne: LigneMise,
    x: f32,
}

impl Coupure {
    fn a_la_ligne(&mut self) {
        self.lignes.push(std::mem::take(&mut self.ligne));
        self.x = 0.0;
    }

    /// A word that fits a line, `esp` after the line's last word (one text with it when
    /// both have the same weight).
    fn mot(&mut self, mot: &str, g: bool, l: f32, esp: f32, espace_avant: bool) {
        let esp = if self.ligne.is_empty() { 0.0 } else { esp };
        // same weight as the run before: one text with its space
        match self.ligne.last_mut() {
            Some(d) if d.2 == g && esp > 0.0 => {
                d.1.push(' ');
                d.1.push_str(mot);
            }
            Some(d) if d.2 == g && esp == 0.0 && !espace_avant => d.1.push_str(mot),
            _ => self.ligne.push((self.x + esp, mot.to_string(), g)),
        }
        self.x += esp + l;
    }

    /// A word wider than the line, cut after a hyphen when it can be, else between
    /// characters; its last piece starts the next line.
    fn mot_trop_long(&mut self, p: &Police, mot: &str, g: bool) {
        let (taille, largeur) = (self.taille, self.largeur);
        let mut reste = mot;
        while self.x + p.largeur(reste, taille) > largeur {
            let coupe = self.coupe(p, reste);
            self.ligne.push((self.x, reste[..coupe].to_string(), g));
            self.a_la_ligne();
            reste = &reste[coupe..];
            if reste.is_empty() {
                break;
            }
        }
        if !reste.is_empty() {
            let lc = p.largeur(reste, taille);
            self.ligne.push((self.x, reste.to_string(), g));
            self.x += lc;
        }
    }

    /// Where to cut `reste` so that its start fits the line: after the last hyphen that
    /// fits, else after the last character that fits, else after its first character.
    fn coupe(&self, p: &Police, reste: &str) -> usize {
        let mut coupe = 0;
        let mut coupe_tiret = 0;
        let mut l_prefixe = 0.0;
        for (i, c) in reste.char_indices() {
            let fin = i + c.len_utf8();
            l_prefixe += p.glyphe(c).1 * self.taille;
            if self.x + l_prefixe > self.largeur {
                break;
            }
            coupe = fin;
            if c == '-' {
                coupe_tiret = fin;
            }
        }
        let coupe = if coupe_tiret > 0 { coupe_tiret } else { coupe };
        if coupe == 0 {
            reste.chars().next().map_or(reste.len(), char::len_utf8)
        } else {
            coupe
        }
    }
}
