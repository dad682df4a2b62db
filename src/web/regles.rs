//! Règles: the project's statement of the rules (docs/regles.md, compiled in) as a page, each
//! rule at its anchor (`/regles#R15`); and the links to it from the pages that cite a rule
//! (explanations, barème sources).

use super::{gabarit, Onglet};
use crate::rapport::parametres::REGLES;
use axum::response::{IntoResponse, Response};
use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

/// The rules page.
pub async fn page() -> Response {
    // the tables scroll inside their box (a page as wide as the screen, as on a phone)
    let corps = format!(
        "<article class=\"regles\">{}</article>",
        rendre(REGLES)
            .replace("<table>", "<div class=\"defile\"><table>")
            .replace("</table>", "</table></div>")
    );
    gabarit("Règles de calcul", Onglet::Regles, None, "", &corps).into_response()
}

/// docs/regles.md in HTML (CommonMark and its tables): a rule's heading (`## R15. Éligibilité…`) gets the anchor `R15`;
/// raw HTML in the text is shown as text, never interpreted; links to the project's other
/// documents (`*.md`), which the application does not serve, are kept as plain text.
fn rendre(markdown: &str) -> String {
    let mut evenements: Vec<Event> = Vec::new();
    let mut dans_titre: Option<(HeadingLevel, usize)> = None;
    let mut liens_retires = 0usize;
    let options = pulldown_cmark::Options::ENABLE_TABLES;
    for e in Parser::new_ext(markdown, options) {
        match e {
            Event::Start(Tag::Heading { level, .. }) => {
                dans_titre = Some((level, evenements.len()));
                evenements.push(Event::Html("".into()));
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((_, i)) = dans_titre.take() {
                    let id = ancre(&evenements[i + 1..]);
                    evenements[i] = Event::Html(match id {
                        Some(id) => format!("<{level} id=\"{id}\">").into(),
                        None => format!("<{level}>").into(),
                    });
                }
                evenements.push(Event::Html(format!("</{level}>\n").into()));
            }
            Event::Start(Tag::Link { ref dest_url, .. }) if dest_url.contains(".md") => {
                liens_retires += 1;
            }
            Event::End(TagEnd::Link) if liens_retires > 0 => liens_retires -= 1,
            Event::Html(t) | Event::InlineHtml(t) => evenements.push(Event::Text(t)),
            e => evenements.push(e),
        }
    }
    let mut o = String::new();
    pulldown_cmark::html::push_html(&mut o, evenements.into_iter());
    o
}

/// `R15` for a heading whose text starts with `R15.`.
fn ancre(titre: &[Event]) -> Option<String> {
    let Some(Event::Text(t)) = titre.first() else {
        return None;
    };
    let code = t.split_once('.')?.0;
    let chiffres = code.strip_prefix('R')?;
    (!chiffres.is_empty() && chiffres.bytes().all(|b| b.is_ascii_digit())).then(|| code.to_string())
}

/// The HTML `html` of a page where each rule code (`R15`, a word of its own) of the rule
/// tags and the sources (`<span class="regle">`, `<span class="source">`: neither holds
/// another element) links to the rules page, and where the project's document paths read as
/// words there (`docs/regles.md` → « règles de calcul », `docs/bareme.md` → « page
/// Barème »). Nothing else changes: a structure named `Crèche R2` keeps its name.
pub fn lier(html: &str) -> String {
    let mut o = String::with_capacity(html.len() + html.len() / 8);
    let mut reste = html;
    let mut dans_span = false;
    while !reste.is_empty() {
        // a tag as it is, then the text up to the next one
        if reste.starts_with('<') {
            let fin = reste.find('>').map_or(reste.len(), |i| i + 1);
            let balise = &reste[..fin];
            dans_span = balise == "<span class=\"regle\">" || balise == "<span class=\"source\">";
            o.push_str(balise);
            reste = &reste[fin..];
            continue;
        }
        let fin = reste.find('<').unwrap_or(reste.len());
        if dans_span {
            lier_texte(&reste[..fin], &mut o);
        } else {
            o.push_str(&reste[..fin]);
        }
        reste = &reste[fin..];
    }
    o
}

/// [`lier`] on a text between two tags.
fn lier_texte(texte: &str, o: &mut String) {
    let texte = texte
        .replace("docs/regles.md", "règles de calcul")
        .replace("docs/bareme.md", "page Barème");
    let octets = texte.as_bytes();
    let mut i = 0;
    let mut copie = 0;
    while i < octets.len() {
        let debut_de_mot = i == 0 || !octets[i - 1].is_ascii_alphanumeric();
        if octets[i] == b'R' && debut_de_mot {
            let n = octets[i + 1..]
                .iter()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let apres = octets.get(i + 1 + n);
            if n > 0 && !apres.is_some_and(|b| b.is_ascii_alphanumeric()) {
                let code = &texte[i..i + 1 + n];
                o.push_str(&texte[copie..i]);
                o.push_str(&format!("<a href=\"/regles#{code}\">{code}</a>"));
                i += 1 + n;
                copie = i;
                continue;
            }
        }
        i += 1;
    }
    o.push_str(&texte[copie..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_de_regles_lies_dans_les_regles_et_les_sources() {
        assert_eq!(
            lier("<li data-regle=\"R15\"><b>Crèche R2</b> <span class=\"regle\">(R15)</span> <span class=\"source\">R6, R65 ; R2x QPV/ZRR AR9</span> R7</li>"),
            "<li data-regle=\"R15\"><b>Crèche R2</b> <span class=\"regle\">(<a href=\"/regles#R15\">R15</a>)</span> <span class=\"source\"><a href=\"/regles#R6\">R6</a>, <a href=\"/regles#R65\">R65</a> ; R2x QPV/ZRR AR9</span> R7</li>"
        );
        assert_eq!(
            lier("<span class=\"source\">Choix du projet (docs/regles.md R4) ; docs/bareme.md</span>"),
            "<span class=\"source\">Choix du projet (règles de calcul <a href=\"/regles#R4\">R4</a>) ; page Barème</span>"
        );
        // « é » before a code is not an ASCII letter: the code is a word of its own
        assert_eq!(
            lier("<span class=\"regle\">éR1</span>"),
            "<span class=\"regle\">é<a href=\"/regles#R1\">R1</a></span>"
        );
        assert_eq!(lier("<span class=\"regle\">R"), "<span class=\"regle\">R");
        assert_eq!(lier("<b"), "<b");
    }

    #[test]
    fn regles_a_leur_ancre_et_html_brut_en_texte() {
        let h = rendre("# Titre\n## R15. Éligibilité\nTexte <script>x</script> [doc](bareme.md) [site](https://caf.fr)\n## Vue d'ensemble\n");
        assert!(h.contains("<h1>Titre</h1>"), "{h}");
        assert!(h.contains("<h2 id=\"R15\">R15. Éligibilité</h2>"), "{h}");
        assert!(h.contains("<h2>Vue d'ensemble</h2>"), "{h}");
        assert!(h.contains("&lt;script&gt;x&lt;/script&gt;"), "{h}");
        assert!(h.contains(" doc ") && !h.contains("bareme.md"), "{h}");
        assert!(h.contains("<a href=\"https://caf.fr\">site</a>"), "{h}");
    }

    /// Every rule of the project's statement has its anchor on the page.
    #[test]
    fn chaque_regle_a_son_ancre() {
        let h = rendre(REGLES);
        for (code, _, _) in crate::rapport::parametres::sections_regles(REGLES) {
            assert!(h.contains(&format!("<h2 id=\"{code}\">{code}. ")), "{code}");
        }
    }
}
