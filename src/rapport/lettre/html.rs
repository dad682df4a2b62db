//! A [`Lettre`] as a standalone HTML page (no external resource), for mail merge: the same
//! blocks and the same texts as the PDF.

use super::{Bloc, Lettre, Segment, Tableau};
use std::fmt::Write;

fn echapper(s: &str) -> String {
    crate::rapport::html::esc(&super::espaces_insecables(s))
}

fn segments(s: &[Segment]) -> String {
    let mut o = String::new();
    for x in s {
        if x.gras {
            let _ = write!(o, "<strong>{}</strong>", echapper(&x.texte));
        } else {
            o.push_str(&echapper(&x.texte));
        }
    }
    o
}

fn tableau(o: &mut String, t: &Tableau) {
    let total: u32 = t.colonnes.iter().map(|c| c.largeur).sum::<u32>().max(1);
    o.push_str("<table>\n<thead><tr>");
    for c in &t.colonnes {
        let _ = write!(
            o,
            "<th style=\"width:{}%\"{}>{}</th>",
            c.largeur * 100 / total,
            if c.droite { " class=\"n\"" } else { "" },
            echapper(&c.titre)
        );
    }
    o.push_str("</tr></thead>\n<tbody>\n");
    let mut groupe = None;
    for l in &t.lignes {
        let mut classes = Vec::new();
        if l.gras {
            classes.push("total");
        }
        if groupe.is_some() && groupe != Some(l.groupe) {
            classes.push("groupe");
        }
        groupe = Some(l.groupe);
        if classes.is_empty() {
            o.push_str("<tr>");
        } else {
            let _ = write!(o, "<tr class=\"{}\">", classes.join(" "));
        }
        for (c, x) in t.colonnes.iter().zip(&l.cellules) {
            let _ = write!(
                o,
                "<td{}>{}</td>",
                if c.droite { " class=\"n\"" } else { "" },
                echapper(x)
            );
        }
        o.push_str("</tr>\n");
    }
    o.push_str("</tbody>\n</table>\n");
}

const STYLE: &str = "@page{size:A4;margin:20mm}\
body{font-family:'DejaVu Sans',Verdana,sans-serif;font-size:10pt;line-height:1.35;color:#111;max-width:170mm;margin:2em auto}\
.entete{display:flex;justify-content:space-between;margin-bottom:2em}\
.expediteur p:first-child{font-weight:bold}\
.destinataire{margin-top:4.5em;min-width:40%}\
.entete p{margin:0}\
h2{font-size:11pt;margin:1.4em 0 .5em}\
.objet{margin:1.5em 0}\
table{width:100%;border-collapse:collapse;font-size:8.5pt;margin:.5em 0 1em}\
thead{display:table-header-group}\
th{background:#e8eef4;text-align:left;padding:3px 4px;border-bottom:1px solid #667}\
td{padding:2px 4px;vertical-align:top}\
tr{break-inside:avoid}\
tr.groupe td{border-top:1px solid #ccd}\
tr.total td{font-weight:bold}\
.n{text-align:right;white-space:nowrap}\
.note{font-size:8pt;color:#444}\
.signature{margin-top:2em;margin-left:50%}\
.signature p{margin:.3em 0}\
.place-signature{height:5em}\
.fin{break-inside:avoid}";

/// The page of one letter.
pub fn rendre(l: &Lettre) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
        echapper(&l.titre)
    );
    // the closing paragraphs and the signature kept on one printed page
    let fin = super::debut_de_la_fin(&l.blocs);
    for (i, b) in l.blocs.iter().enumerate() {
        if Some(i) == fin {
            o.push_str("<div class=\"fin\">\n");
        }
        match b {
            Bloc::Entete {
                expediteur,
                destinataire,
            } => {
                o.push_str("<div class=\"entete\">\n<div class=\"expediteur\">");
                for x in expediteur {
                    let _ = write!(o, "<p>{}</p>", echapper(x));
                }
                o.push_str("</div>\n<div class=\"destinataire\">");
                for x in destinataire {
                    let _ = write!(o, "<p><strong>{}</strong></p>", echapper(x));
                }
                o.push_str("</div>\n</div>\n");
            }
            Bloc::Objet(t) => {
                let _ = writeln!(
                    o,
                    "<p class=\"objet\"><strong>Objet :</strong> {}</p>",
                    echapper(t)
                );
            }
            Bloc::Titre(t) => {
                let _ = writeln!(o, "<h2>{}</h2>", echapper(t));
            }
            Bloc::Paragraphe(s) => {
                let _ = writeln!(o, "<p>{}</p>", segments(s));
            }
            Bloc::Liste(items) => {
                o.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(o, "<li>{}</li>", segments(i));
                }
                o.push_str("</ul>\n");
            }
            Bloc::Tableau(t) => tableau(&mut o, t),
            Bloc::Note(t) => {
                let _ = writeln!(o, "<p class=\"note\">{}</p>", echapper(t));
            }
            Bloc::Signature { lieu_date, qualite } => {
                let _ = writeln!(
                    o,
                    "<div class=\"signature\"><p>{}</p><p><strong>{}</strong></p><div class=\"place-signature\"></div></div>",
                    echapper(lieu_date),
                    echapper(qualite)
                );
            }
        }
    }
    if fin.is_some() {
        o.push_str("</div>\n");
    }
    o.push_str("</body>\n</html>\n");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echappe_le_texte() {
        assert_eq!(echapper("<a & 'b'>"), "&lt;a &amp; &#39;b&#39;&gt;");
        // French no-break spaces inside « » and before €
        assert_eq!(
            echapper("« 1\u{202f}234,00 € »"),
            "«\u{a0}1\u{202f}234,00\u{a0}€\u{a0}»"
        );
    }
}
