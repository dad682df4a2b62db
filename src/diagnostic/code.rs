//! The one list of diagnostic codes: each code with its short title and its category (the
//! section of `docs/erreurs.md` that describes it). `tests/catalogue_erreurs.rs` checks the
//! catalogue against this list, both ways.

use serde::Serialize;
use std::fmt;

/// The sections of `docs/erreurs.md`, in the order of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Categorie {
    Fichiers,
    Tableaux,
    Convention,
    Limites,
    Sorties,
    LectureEntetes,
    Lettres,
    Avertissements,
    LectureBornee,
    Evenements,
    Regles2025,
    Verification,
    Web,
    WebAcces,
    Calcul,
    LigneDeCommande,
}

impl Categorie {
    /// The heading of the section in `docs/erreurs.md`.
    pub fn titre(self) -> &'static str {
        match self {
            Categorie::Fichiers => "Fichiers et encodages",
            Categorie::Tableaux => "Tableaux (structures, charges_n1)",
            Categorie::Convention => "Convention et barème",
            Categorie::Limites => "Limites et fichiers abîmés",
            Categorie::Sorties => "Sorties (fichiers écrits, sortie standard)",
            Categorie::LectureEntetes => {
                "Lecture v2 : en-têtes, enregistrements, identifiants, clés TOML"
            }
            Categorie::Lettres => "Lettres de notification (`notifier`)",
            Categorie::Avertissements => "Avertissements",
            Categorie::LectureBornee => {
                "Lecture bornée : fichiers spéciaux, fichiers TOML, classeurs"
            }
            Categorie::Evenements => "Événements de la projection (`evenements.csv`, `projeter`)",
            Categorie::Regles2025 => "Règles 2025 : population et grilles du barème (E100–E119)",
            Categorie::Verification => "Notification de `bonus-ctg verifier`",
            Categorie::Web => "Application web (`bonus-ctg serveur`)",
            Categorie::WebAcces => "Application web : accès, limites, scénarios (E140–E149)",
            Categorie::Calcul => "Erreurs du calcul (E160–E169)",
            Categorie::LigneDeCommande => "Ligne de commande (E170–E179)",
        }
    }
}

macro_rules! codes {
    ($($code:ident, $cat:ident, $titre:literal;)*) => {
        /// A stable code of `docs/erreurs.md`: `Exxx` an error (nothing computed, exit code
        /// 1), `Wxxx` a warning. Declared in the order of their text, so that sorting codes
        /// sorts their texts.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($code,)*
        }

        impl Code {
            /// Every code, in order.
            pub const TOUS: &'static [Code] = &[$(Code::$code,)*];

            /// The code as written in messages: `E023`.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$code => stringify!($code),)*
                }
            }

            /// A short French title.
            pub fn titre(self) -> &'static str {
                match self {
                    $(Code::$code => $titre,)*
                }
            }

            /// The section of `docs/erreurs.md` that describes it.
            pub fn categorie(self) -> Categorie {
                match self {
                    $(Code::$code => Categorie::$cat,)*
                }
            }
        }
    };
}

codes! {
    E001, Fichiers, "fichier ou dossier introuvable";
    E002, Fichiers, "fichier illisible";
    E003, Fichiers, "encodage illisible";
    E004, Tableaux, "colonne obligatoire absente";
    E005, Tableaux, "en-tête inutilisable";
    E006, Tableaux, "valeur obligatoire vide";
    E007, Tableaux, "nombre illisible";
    E008, Tableaux, "nombre négatif";
    E009, Tableaux, "plus de deux décimales";
    E010, Tableaux, "booléen illisible";
    E011, Tableaux, "annexe inconnue";
    E012, Tableaux, "type de structure inconnu";
    E013, Tableaux, "financement inconnu";
    E014, Tableaux, "nom de volet invalide";
    E015, Tableaux, "identifiant en double";
    E016, Tableaux, "collectivité non déclarée";
    E017, Tableaux, "unités employeurs au-delà des unités existantes";
    E018, Tableaux, "mois d'ouverture hors de 0 à 12";
    E019, Convention, "exercice invalide";
    E020, Convention, "tranche invalide";
    E021, Convention, "convention.toml invalide";
    E022, Convention, "barème invalide";
    E023, Limites, "limite dépassée";
    E024, Limites, "guillemet jamais fermé";
    E025, Limites, "classeur illisible";
    E026, Limites, "erreur du tableur dans une cellule";
    E027, Limites, "erreurs non affichées au-delà du plafond";
    E030, Evenements, "date d'événement illisible";
    E031, Evenements, "événement sur une structure absente";
    E032, Evenements, "action inconnue";
    E033, Evenements, "valeur d'événement invalide";
    E034, Evenements, "date d'événement hors période";
    E035, Evenements, "événements contradictoires";
    E036, Evenements, "unités employeurs au-delà des unités existantes après les événements";
    E037, Evenements, "projection impossible";
    E041, Verification, "notification sans colonne id ni nom";
    E043, Verification, "ligne de notification sans id ni nom";
    E050, LectureEntetes, "colonne inconnue proche d'une colonne attendue";
    E051, LectureEntetes, "nombre de champs différent de l'en-tête";
    E052, LectureEntetes, "guillemet égaré";
    E053, LectureEntetes, "identifiant invalide";
    E054, LectureEntetes, "volet inconnu proche d'un volet du barème";
    E055, LectureEntetes, "texte contenant un caractère de contrôle";
    E056, LectureEntetes, "clé inconnue de convention.toml";
    E057, LectureEntetes, "cellules fusionnées dans une feuille lue";
    E058, LectureEntetes, "valeur dans une colonne sans en-tête";
    E070, LectureBornee, "pas un fichier ordinaire";
    E071, LectureBornee, "fichier TOML trop grand";
    E072, LectureBornee, "formule sans valeur calculée";
    E073, LectureBornee, "classeur abîmé";
    E074, LectureBornee, "classeur trop comprimé";
    E080, Sorties, "sortie standard fermée";
    E081, Sorties, "cible de --sortie qui n'est pas un fichier ordinaire";
    E082, Sorties, "sortie sur un fichier lu";
    E083, Sorties, "sortie déjà existante";
    E084, Sorties, "écriture refusée";
    E085, Sorties, "dossier de sortie mêlé aux dossiers calculés";
    E086, Sorties, "lien symbolique dans le dossier à écrire";
    E090, Verification, "format de notification non lu";
    E100, Regles2025, "population illisible";
    E101, Regles2025, "grille par strate de population inapplicable";
    E120, Lettres, "gestionnaire inconnu";
    E121, Lettres, "dossier de lettres qui contient autre chose";
    E122, Lettres, "échec de l'écrivain PDF";
    E123, Lettres, "lieu ou date de signature invalide";
    E130, Web, "envoi refusé";
    E131, Web, "fichier déposé invalide";
    E132, Web, "archive zip illisible";
    E133, Web, "chemin dangereux dans l'archive";
    E134, Web, "archive zip trop grosse";
    E135, Web, "archive zip incomplète";
    E136, Web, "lien inconnu";
    E137, Web, "jeton de formulaire invalide";
    E138, Web, "valeur refusée";
    E139, Web, "démarrage du serveur impossible";
    E140, WebAcces, "démarrage refusé sans contrôle d'accès";
    E141, WebAcces, "délai dépassé";
    E142, WebAcces, "serveur occupé";
    E143, WebAcces, "mot de passe refusé";
    E144, WebAcces, "session requise";
    E145, WebAcces, "nom de scénario refusé";
    E146, WebAcces, "requête mal formée";
    E160, Calcul, "erreur interne du calcul";
    E170, LigneDeCommande, "erreur d'utilisation";
    E171, LigneDeCommande, "structure ou année introuvable";
    W001, Avertissements, "structure sans volet";
    W002, Avertissements, "charge non redistribuable";
    W003, Avertissements, "volet inconnu du barème";
    W004, Avertissements, "fichier lu en Windows-1252";
    W005, Avertissements, "deux sources pour une table";
    W006, Avertissements, "avertissements non affichés au-delà du plafond";
    W007, Avertissements, "aucune charge à payer N-1";
    W008, Avertissements, "ligne de charge répétée";
    W030, Evenements, "événement sans effet";
    W050, LectureEntetes, "colonne inconnue ignorée";
    W087, Sorties, "même convention dans deux dossiers du lot";
    W088, Sorties, "scénarios comparés de deux conventions";
    W089, Sorties, "scénarios comparés sans structure commune";
    W100, Regles2025, "charge CTRE sans place employeur";
    W101, Regles2025, "places employeurs d'un type hors CTRE";
}

impl Code {
    /// The code written `texte` (`E023`), if it is one.
    pub fn depuis_texte(texte: &str) -> Option<Code> {
        Code::TOUS.iter().copied().find(|c| c.as_str() == texte)
    }

    /// An error (`E…`) or a warning (`W…`).
    pub fn est_erreur(self) -> bool {
        self.as_str().starts_with('E')
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// Lets a test compare a code with its text, as written in a message.
impl PartialEq<&str> for Code {
    fn eq(&self, autre: &&str) -> bool {
        self.as_str() == *autre
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, autre: &str) -> bool {
        self.as_str() == autre
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordre_des_codes_egal_a_celui_des_textes() {
        let mut textes: Vec<&str> = Code::TOUS.iter().map(|c| c.as_str()).collect();
        textes.sort_unstable();
        textes.dedup();
        let dans_l_ordre: Vec<&str> = Code::TOUS.iter().map(|c| c.as_str()).collect();
        assert_eq!(textes, dans_l_ordre);
        assert_eq!(Code::E023.to_string(), "E023");
        assert_eq!(serde_json::to_string(&Code::W050).unwrap(), "\"W050\"");
        assert!(Code::E001.est_erreur() && !Code::W100.est_erreur());
        assert_eq!(Code::E122.categorie(), Categorie::Lettres);
        assert_eq!(Code::depuis_texte(Code::E084.as_str()), Some(Code::E084));
        assert_eq!(Code::depuis_texte("E999"), None);
    }
}
