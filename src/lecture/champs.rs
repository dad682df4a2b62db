//! Field-by-field CSV reading (csv-core) and the located diagnosis of stray quotes.

use crate::diagnostic::Code;
use crate::diagnostic::Diagnostic;

/// A field read by [`Lecteur`]: where it starts, whether it was quoted and spans lines.
pub(super) struct Champ {
    /// line where it starts
    pub(super) ligne: u64,
    /// length of its text in the reader's buffer (0 when not kept)
    pub(super) longueur: usize,
    pub(super) multiligne: bool,
    /// a quote opened it and was never closed (the field runs to the end of the file)
    pub(super) non_ferme: bool,
    /// text follows its closing quote (`"abc"def`)
    pub(super) apres_guillemet: bool,
    /// it holds something other than spaces (ASCII whitespace)
    pub(super) rempli: bool,
    pub(super) fin_enregistrement: bool,
}

/// Field-by-field CSV reading (csv-core, the csv crate's own state machine) with one
/// reused buffer: a field beyond the header's count is counted, not stored, so a line of
/// millions of delimiters costs no memory; lines are counted as the text is consumed.
pub(super) struct Lecteur<'t> {
    pub(super) octets: &'t [u8],
    /// Built at the first field read with it: building one costs more than a thousand
    /// plain records read in place, and most tables never need it.
    lecteur: Option<Box<csv_core::Reader>>,
    pub(super) pos: usize,
    pub(super) delimiteur: u8,
    /// line of `pos`
    pub(super) ligne: u64,
    pub(super) tampon: Vec<u8>,
}

impl<'t> Lecteur<'t> {
    pub(super) fn new(octets: &'t [u8], delimiteur: u8, ligne: u64) -> Self {
        Lecteur {
            octets,
            lecteur: None,
            pos: 0,
            delimiteur,
            ligne,
            tampon: vec![0; 1024],
        }
    }
    pub(super) fn fini(&self) -> bool {
        self.pos >= self.octets.len()
    }
    /// Where the line starting at `pos` ends: its first CR or LF, or the end of the text.
    pub(super) fn fin_de_ligne(&self) -> usize {
        let reste = &self.octets[self.pos..];
        self.pos + memchr::memchr2(b'\n', b'\r', reste).unwrap_or(reste.len())
    }
    fn avancer(&mut self, n: usize) {
        let fin = (self.pos + n).min(self.octets.len());
        self.ligne += self.octets[self.pos..fin]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u64;
        self.pos = fin;
    }
    /// Skips the line breaks before a record (the reader itself skips them too).
    pub(super) fn sauter_lignes_vides(&mut self) {
        let n = self.octets[self.pos..]
            .iter()
            .take_while(|b| **b == b'\n' || **b == b'\r')
            .count();
        self.avancer(n);
    }
    /// Reads the next field, keeping its text in the buffer when `garder`. `None` at the
    /// end of the input.
    pub(super) fn champ(&mut self, garder: bool) -> Option<Champ> {
        let d = self.delimiteur;
        let mut lecteur = self
            .lecteur
            .take()
            .unwrap_or_else(|| Box::new(csv_core::ReaderBuilder::new().delimiter(d).build()));
        let c = self.champ_avec(&mut lecteur, garder);
        self.lecteur = Some(lecteur);
        c
    }
    fn champ_avec(&mut self, lecteur: &mut csv_core::Reader, garder: bool) -> Option<Champ> {
        use csv_core::ReadFieldResult as R;
        let (debut, ligne) = (self.pos, self.ligne);
        let mut nout = 0;
        let mut multiligne = false;
        let mut rempli = false;
        loop {
            let fin_du_texte = self.pos >= self.octets.len();
            let (r, nin, n) =
                lecteur.read_field(&self.octets[self.pos..], &mut self.tampon[nout..]);
            let lu = &self.tampon[nout..nout + n];
            multiligne |= lu.contains(&b'\n') || lu.contains(&b'\r');
            // a field not kept still counts as content (a line is empty only if every
            // field is blank, kept or not)
            rempli |= lu.iter().any(|b| !b.is_ascii_whitespace());
            self.avancer(nin);
            nout += n;
            match r {
                // given no input, the reader ends the field or the text (never asks for
                // more); a guard against looping all the same
                R::InputEmpty if fin_du_texte => return None,
                R::InputEmpty => {}
                R::OutputFull => {
                    if garder {
                        let l = self.tampon.len();
                        self.tampon.resize(l * 2, 0);
                    } else {
                        nout = 0;
                    }
                }
                R::Field { record_end } => {
                    let brut = &self.octets[debut..self.pos];
                    let (mut non_ferme, mut apres_guillemet) = (false, false);
                    if brut.first() == Some(&b'"') {
                        match guillemet_fermant(brut) {
                            // the field ran to the end of the file
                            None => non_ferme = true,
                            // RFC 4180: only a delimiter or the end of the line may follow
                            // the closing quote (`"abc"def` is a stray quote)
                            Some(k) => {
                                apres_guillemet = brut.get(k + 1).is_some_and(|b| {
                                    *b != self.delimiteur && *b != b'\n' && *b != b'\r'
                                })
                            }
                        }
                    }
                    return Some(Champ {
                        ligne,
                        longueur: if garder { nout } else { 0 },
                        multiligne: multiligne || non_ferme,
                        non_ferme,
                        apres_guillemet,
                        rempli,
                        fin_enregistrement: record_end,
                    });
                }
                R::End => return None,
            }
        }
    }
    pub(super) fn texte_champ(&self, c: &Champ) -> &str {
        // the reader only removes ASCII quotes from UTF-8 text: still UTF-8
        std::str::from_utf8(&self.tampon[..c.longueur]).unwrap_or("")
    }
}

/// Where the quote opening `champ` (its first byte) is closed: the first `"` not doubled.
fn guillemet_fermant(champ: &[u8]) -> Option<usize> {
    let mut i = 1;
    while i < champ.len() {
        if champ[i] == b'"' {
            if champ.get(i + 1) == Some(&b'"') {
                i += 2;
                continue;
            }
            return Some(i);
        }
        i += 1;
    }
    None
}

const CONSEIL_GUILLEMET: &str = "un guillemet est en trop ou n'est pas fermé : retirez-le, ou doublez-le s'il fait partie du texte (\"\")";

/// A stray quote, reported at the line where the field's quote opened: a quote never
/// closed (E024), text after a closing quote (`"abc"def`), or a quoted field spanning lines
/// outside a free-text column, or holding a whole record's worth of delimiters (header's
/// count less one: it swallowed what reads as a record). `None`: an acceptable field.
pub(super) fn probleme_guillemet(
    fichier: &str,
    c: &Champ,
    texte: &str,
    noms: &[String],
    texte_libre: &[bool],
    i: usize,
    delimiteur: u8,
) -> Option<Diagnostic> {
    let conseil = CONSEIL_GUILLEMET;
    if c.non_ferme {
        return Some(
            Diagnostic::erreur(
                Code::E024,
                fichier,
                "guillemet ouvert jamais fermé : la suite du fichier serait lue comme une seule cellule",
            )
            .ligne(c.ligne)
            .conseil("fermez le guillemet de cette ligne (ou doublez-le s'il fait partie du texte : \"\")"),
        );
    }
    let colonne = noms.get(i).map_or("", |s| s.as_str());
    let nom_colonne = if colonne.is_empty() {
        format!("n° {}", i + 1)
    } else {
        colonne.to_string()
    };
    let extrait: String = texte
        .chars()
        .take(40)
        .collect::<String>()
        .replace(['\r', '\n'], "↵");
    if c.multiligne && !texte_libre.get(i).copied().unwrap_or(false) {
        return Some(
            Diagnostic::erreur(
                Code::E052,
                fichier,
                "cellule entre guillemets étendue sur plusieurs lignes hors d'une colonne de texte libre (nom, adresse, gestionnaire, libelle)",
            )
            .ligne(c.ligne)
            .colonne(nom_colonne)
            .valeur(format!("{extrait}…"))
            .conseil(conseil),
        );
    }
    if let Some(d) = absorbe(fichier, c, texte, colonne, noms.len(), delimiteur as char) {
        return Some(d);
    }
    if c.apres_guillemet {
        let extrait: String = texte.chars().take(60).collect();
        return Some(
            Diagnostic::erreur(
                Code::E052,
                fichier,
                "texte après le guillemet fermant d'une cellule : un guillemet est en trop",
            )
            .ligne(c.ligne)
            .colonne(nom_colonne)
            .valeur(extrait.replace(['\r', '\n'], "↵"))
            .conseil(conseil),
        );
    }
    None
}

/// A quoted field spanning lines that holds as many delimiters as a whole record of `n`
/// fields (n − 1): from its column on one line to the same column on a later line, the cell
/// has swallowed a record's worth of fields (E052, naming the line where it ends).
fn absorbe(
    fichier: &str,
    c: &Champ,
    texte: &str,
    colonne: &str,
    n: usize,
    d: char,
) -> Option<Diagnostic> {
    if !(c.multiligne && n >= 2 && texte.matches(d).count() + 1 >= n) {
        return None;
    }
    let l = texte.split(['\r', '\n']).nth(1).unwrap_or("");
    let mut l: String = l.chars().take(60).collect();
    if l.len() < texte.len() {
        l = format!("{}…", l.trim_end());
    }
    // the line where the cell ends: one more per line break it holds
    let fin = c.ligne + texte.matches('\n').count() as u64;
    Some(
        Diagnostic::erreur(
            Code::E052,
            fichier,
            format!("cellule entre guillemets qui absorbe des lignes entières : le guillemet ouvert ici n'est fermé qu'à la ligne {fin}"),
        )
        .ligne(c.ligne)
        .colonne(colonne)
        .valeur(l)
        .conseil(CONSEIL_GUILLEMET),
    )
}
