//! Names, addresses and the CSV writing style of a generated dossier.

use super::*;

pub(super) const SYLLABES: &[&str] = &[
    "bel", "mont", "val", "fleur", "roche", "cour", "bourg", "lac", "pré", "sau", "ver", "mar",
    "chal", "nan", "tour", "bois", "cham", "lan", "gny", "ay", "euil", "fon", "ville", "ro", "gue",
    "lieu", "nay", "sac", "ber", "cy", "dun", "mé", "ri", "vanne", "zac",
];
pub(super) const PREFIXES: &[&str] = &["Saint-", "Sainte-", "Le ", "La ", "Les ", "Mont-", "Pont-"];
pub(super) const SUFFIXES: &[&str] = &[
    "-sur-Loire",
    "-les-Bains",
    "-en-Bresse",
    "-sur-Mer",
    "-le-Château",
    "-d'Azergues",
];
pub(super) const NOMS_ACCUEIL: &[&str] = &[
    "Les Lutins",
    "Les P'tits Loups",
    "Arc-en-ciel",
    "Pomme d'Api",
    "Les Coccinelles",
    "Les Doudous",
    "L'Île aux enfants",
    "Les Marmousets",
    "Les Petits Pas",
    "Bout'chou",
    "Les Écureuils",
    "Le Jardin d'éveil",
    "Les Hirondelles",
    "Câlins et Bisous",
];
pub(super) const RUES: &[&str] = &[
    "rue de la République",
    "avenue Jean Jaurès",
    "place de la Mairie",
    "rue Victor Hugo",
    "chemin des Écoliers",
    "boulevard Pasteur",
    "rue des Écoles",
    "allée des Tilleuls",
];

pub(super) fn nom_lieu(g: &mut Prng) -> String {
    let mut s = String::new();
    if g.pour_mille(250) {
        s.push_str(g.choix(PREFIXES));
    }
    let n = g.entre(2, 3);
    let mut racine = String::new();
    for _ in 0..n {
        racine.push_str(g.choix(SYLLABES));
    }
    let mut c = racine.chars();
    if let Some(p) = c.next() {
        s.extend(p.to_uppercase());
        s.push_str(c.as_str());
    }
    if g.pour_mille(150) {
        s.push_str(g.choix(SUFFIXES));
    }
    s
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Ecriture {
    /// `;`, decimal comma, BOM, CRLF (Excel in French).
    ExcelFr,
    /// `,`, decimal point, LF.
    Point,
}

pub(super) struct Style {
    pub(super) ecriture: Ecriture,
    /// Group thousands with a space (`300 000,00`), French writing only.
    pub(super) milliers: bool,
    /// Alternative column layout: other order, extra column, no address.
    pub(super) disposition_b: bool,
}

impl Style {
    pub(super) fn delim(&self) -> char {
        match self.ecriture {
            Ecriture::ExcelFr => ';',
            Ecriture::Point => ',',
        }
    }
    pub(super) fn fin(&self) -> &'static str {
        match self.ecriture {
            Ecriture::ExcelFr => "\r\n",
            Ecriture::Point => "\n",
        }
    }
    /// A hundredths value (cents or hundredths of a unit): `1234,5`, `1 234,56`, `60`.
    pub(super) fn centiemes(&self, v: i64, toujours_deux: bool) -> String {
        let ent = v / 100;
        let dec = v % 100;
        let mut e = ent.to_string();
        if self.milliers && self.ecriture == Ecriture::ExcelFr && e.len() > 3 {
            let mut g = String::new();
            for (i, c) in e.chars().enumerate() {
                if i > 0 && (e.len() - i).is_multiple_of(3) {
                    g.push(' ');
                }
                g.push(c);
            }
            e = g;
        }
        let sep = match self.ecriture {
            Ecriture::ExcelFr => ',',
            Ecriture::Point => '.',
        };
        if toujours_deux {
            format!("{e}{sep}{dec:02}")
        } else if dec == 0 {
            e
        } else if dec % 10 == 0 {
            format!("{e}{sep}{}", dec / 10)
        } else {
            format!("{e}{sep}{dec:02}")
        }
    }
    pub(super) fn champ(&self, o: &mut String, s: &str) {
        let d = self.delim();
        if s.contains([d, '"', '\n', '\r']) {
            o.push('"');
            o.push_str(&s.replace('"', "\"\""));
            o.push('"');
        } else {
            o.push_str(s);
        }
    }
    pub(super) fn ligne(&self, o: &mut String, champs: &[String]) {
        for (i, c) in champs.iter().enumerate() {
            if i > 0 {
                o.push(self.delim());
            }
            self.champ(o, c);
        }
        o.push_str(self.fin());
    }
}
