//! Cross-file validation of a read dossier (pure): everything that needs more than one line
//! or one file. Every problem is collected in one pass.

use crate::bareme::{volet_ressemblant, Bareme, BaremeExercice, Versement};
use crate::calcul::eligibilite::{self, Motif};
use crate::diagnostic::Code;
use crate::diagnostic::Table;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::lecture::texte::cle_id;
use crate::modele::{Annexe, ChargeAPayer, Collectivite, Dossier, TypeStructure};
use rustc_hash::{FxHashMap, FxHashSet};
use std::collections::hash_map::Entry;
use std::collections::BTreeSet;

/// The key under which two ids are the same structure: the text [`cle_id`] gives. An ASCII
/// id is kept borrowed and compared and hashed as `cle_id` writes it (trimmed, in lower
/// case: `cle_id` of ASCII text), so that no string is made per structure; any other id is
/// written by `cle_id` itself. The hash is that of the key's bytes, computed once.
#[derive(Debug)]
struct CleStructure<'a> {
    /// The id trimmed (ASCII without two spaces in a row, any case) or `cle_id(id)`.
    texte: std::borrow::Cow<'a, str>,
    /// `texte` is borrowed ASCII: its key is `texte` in lower case.
    ascii: bool,
    empreinte: u64,
}

impl CleStructure<'_> {
    fn de(id: &str) -> CleStructure<'_> {
        let rogne = id.trim();
        let (texte, ascii) = if crate::lecture::texte::cle_ascii_directe(rogne) {
            (std::borrow::Cow::Borrowed(rogne), true)
        } else {
            (std::borrow::Cow::Owned(cle_id(id)), false)
        };
        let empreinte = empreinte(texte.as_bytes(), ascii);
        CleStructure {
            texte,
            ascii,
            empreinte,
        }
    }
    /// The bytes of the key.
    fn octets(&self) -> impl Iterator<Item = u8> + '_ {
        let ascii = self.ascii;
        self.texte
            .bytes()
            .map(move |b| if ascii { b.to_ascii_lowercase() } else { b })
    }
}

/// FxHash of `octets` (in lower case when `minuscules`), by blocks of 64 bytes lowered on
/// the stack: the same value for the same key bytes, borrowed or written by `cle_id`.
fn empreinte(octets: &[u8], minuscules: bool) -> u64 {
    use std::hash::Hasher;
    let mut h = rustc_hash::FxHasher::default();
    let mut bloc = [0u8; 64];
    for morceau in octets.chunks(64) {
        let b = &mut bloc[..morceau.len()];
        b.copy_from_slice(morceau);
        if minuscules {
            b.make_ascii_lowercase();
        }
        h.write(b);
    }
    h.write_usize(octets.len());
    h.finish()
}

impl PartialEq for CleStructure<'_> {
    fn eq(&self, o: &Self) -> bool {
        if self.empreinte != o.empreinte || self.texte.len() != o.texte.len() {
            return false;
        }
        match (self.ascii, o.ascii) {
            (true, true) => self.texte.eq_ignore_ascii_case(&o.texte),
            (false, false) => self.texte == o.texte,
            _ => self.octets().eq(o.octets()),
        }
    }
}
impl Eq for CleStructure<'_> {}

impl std::hash::Hash for CleStructure<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        h.write_u64(self.empreinte);
    }
}

/// Validates `dossier` for `exercice` and resolves the barème in force. Returns the barème
/// when it could be resolved (even if the data has errors), and every diagnostic.
pub fn valider(
    dossier: &Dossier,
    bareme: &Bareme,
    exercice: i32,
    fichier_bareme: &str,
) -> (Option<BaremeExercice>, Diagnostics) {
    let mut d = Diagnostics::default();
    let conv = &dossier.convention;

    periode(dossier, exercice, &mut d);

    let be = match bareme.pour_exercice(exercice, fichier_bareme) {
        Ok(b) => Some(b),
        Err(e) => {
            d.extend(e);
            None
        }
    };

    ids_uniques(dossier, &mut d);
    // index of the collectivités (one lookup per line instead of a scan of the convention)
    let index = crate::calcul::index_collectivites(conv);
    collectivites_declarees(dossier, &index, &mut d);

    let Some(b) = be else { return (None, d) };

    tranches(dossier, &b, exercice, &mut d);

    let unites = eligibilite_et_tranche(dossier, &b, &index, &mut d);
    places_employeurs_hors_ctre(dossier, &b, &mut d);
    populations(dossier, &b, &index, &unites, exercice, &mut d);
    charges(dossier, &b, &unites, &mut d);
    (Some(b), d)
}

/// The exercice lies within the convention's period (R2): E019.
fn periode(dossier: &Dossier, exercice: i32, d: &mut Diagnostics) {
    let conv = &dossier.convention;
    // exercice within the convention's period (R2)
    let hors = conv.debut.is_some_and(|x| exercice < x.annee)
        || conv.fin.is_some_and(|x| exercice > x.annee);
    if hors {
        d.push(
            Diagnostic::erreur(
                Code::E019,
                Table::Convention,
                format!(
                    "exercice {exercice} hors de la période de la convention ({})",
                    conv.periode_en_lettres()
                ),
            )
            .colonne("exercice")
            .valeur(exercice.to_string())
            .conseil("choisissez un exercice compris dans la convention (--exercice N)"),
        );
    }
}

/// Ids are unique, compared as `lecture::texte::cle_id` says (case, Unicode form).
fn ids_uniques(dossier: &Dossier, d: &mut Diagnostics) {
    // duplicate ids, compared as lecture::texte::cle_id says (case, Unicode form)
    let mut vus: FxHashMap<CleStructure, (u64, &str)> =
        FxHashMap::with_capacity_and_hasher(dossier.structures.len(), Default::default());
    for s in &dossier.structures {
        if s.id.is_empty() {
            continue;
        }
        match vus.entry(CleStructure::de(&s.id)) {
            Entry::Vacant(v) => {
                v.insert((s.ligne, &s.id));
            }
            Entry::Occupied(o) => {
                let (premiere, id) = *o.get();
                let msg = if id == s.id {
                    format!("identifiant en double (déjà ligne {premiere})")
                } else {
                    format!(
                        "identifiant en double (déjà ligne {premiere} : « {} », qui ne diffère que par la casse, les espaces, les tirets ou la forme Unicode)",
                        crate::lecture::texte::montrer_espaces(id)
                    )
                };
                d.push(
                    Diagnostic::erreur(Code::E015, Table::Structures, msg)
                        .origine(s.origine())
                        .colonne("id")
                        .valeur(crate::lecture::texte::montrer_espaces(&s.id))
                        .conseil("chaque structure a un id unique"),
                );
            }
        }
    }
}

/// Every structure and charge line names a declared collectivité: E016.
fn collectivites_declarees(
    dossier: &Dossier,
    index: &FxHashMap<&str, &Collectivite>,
    d: &mut Diagnostics,
) {
    let conv = &dossier.convention;
    let declarees = conv
        .collectivites
        .iter()
        .map(|c| c.id.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    // consecutive structures often name the same collectivité: looked up when it changes
    let mut derniere: Option<&str> = None;
    for s in &dossier.structures {
        if s.collectivite.is_empty() || derniere == Some(s.collectivite.as_str()) {
            continue; // none, or declared (an undeclared one is never remembered)
        }
        if index.contains_key(s.collectivite.as_str()) {
            derniere = Some(s.collectivite.as_str());
        } else {
            d.push(
                Diagnostic::erreur(
                    Code::E016,
                    Table::Structures,
                    "collectivité non déclarée dans convention.toml",
                )
                .origine(s.origine())
                .colonne("collectivite")
                .valeur(s.collectivite.as_str())
                .conseil(format!("collectivités déclarées : {declarees}")),
            );
        }
    }
    for c in &dossier.charges {
        if !c.collectivite.is_empty() && !index.contains_key(c.collectivite.as_str()) {
            d.push(
                Diagnostic::erreur(
                    Code::E016,
                    Table::Charges,
                    "collectivité non déclarée dans convention.toml",
                )
                .origine(c.ligne)
                .colonne("collectivite")
                .valeur(&c.collectivite)
                .conseil(format!("collectivités déclarées : {declarees}")),
            );
        }
    }
}

/// Each collectivité's tranche exists in the barème: E020.
fn tranches(dossier: &Dossier, b: &BaremeExercice, exercice: i32, d: &mut Diagnostics) {
    let conv = &dossier.convention;
    // tranches
    let n = b.nombre_tranches.valeur;
    for c in &conv.collectivites {
        if let Some(t) = c.tranche {
            if t > n {
                d.push(
                    Diagnostic::erreur(
                        Code::E020,
                        Table::Convention,
                        format!("tranche {t} absente du barème ({n} tranches en {exercice})"),
                    )
                    .colonne(format!("collectivites[{}].tranche", c.id))
                    .valeur(t.to_string())
                    .conseil(format!("tranches admises : 1 à {n}")),
                );
            }
        }
    }
}

/// Eligibility-dependent checks (R15): W001, a tranche needed for new units (E020).
/// Returns Σ u_i per (collectivité, volet).
fn eligibilite_et_tranche<'a>(
    dossier: &'a Dossier,
    b: &'a BaremeExercice,
    index: &FxHashMap<&'a str, &'a Collectivite>,
    d: &mut Diagnostics,
) -> FxHashMap<(&'a str, &'a str), i64> {
    let conv = &dossier.convention;
    // eligibility-dependent checks: tranche needed, warnings
    let mut unites: FxHashMap<(&str, &str), i64> = FxHashMap::default();
    let mut tranche_requise: FxHashSet<&str> = FxHashSet::default();
    let mut volets = eligibilite::VoletsParType::new(b);
    let mut signataires = crate::calcul::Signataires::new(index);
    for s in &dossier.structures {
        let signataire = signataires.de(&s.collectivite);
        let (volet, motif) = volets.motif(s, signataire);
        if s.annexe == Annexe::Deux && motif == Motif::TypeSansVolet {
            d.push(
                Diagnostic::avertissement(
                    Code::W001,
                    Table::Structures,
                    format!("« {} » est en annexe 2 mais son type n'a pas de volet de bonus : elle ne recevra rien", s.nom),
                )
                .origine(s.origine())
                .colonne("type")
                .valeur(s.type_structure.code())
                .conseil("inscrivez-la en annexe 2 bis, ou ajoutez un volet local au barème : bareme.toml, ou feuille « bareme » du classeur"),
            );
        }
        if motif == Motif::Eligible {
            if let Some(v) = volet.map(|v| (&v.nom, v)) {
                *unites
                    .entry((s.collectivite.as_str(), v.0.as_str()))
                    .or_default() += s.unites_bonus().0;
                if s.unites_nouvelles.0 > 0 && !v.1.forfaits_nouvelles.valeur.is_empty() {
                    tranche_requise.insert(s.collectivite.as_str());
                }
            }
        }
    }
    for c in &conv.collectivites {
        if c.tranche.is_none() && tranche_requise.contains(c.id.as_str()) {
            d.push(
                Diagnostic::erreur(
                    Code::E020,
                    Table::Convention,
                    "tranche absente alors que des unités nouvelles appellent un forfait",
                )
                .colonne(format!("collectivites[{}].tranche", c.id))
                .conseil(format!(
                    "indiquez tranche = 1 à {} (1 = QPV/ZRR)",
                    b.nombre_tranches.valeur
                )),
            );
        }
    }
    unites
}

/// Employer places on a structure of annexe 2, open in the exercice, whose type no CTRE volet
/// covers (a relais, an accueil de loisirs…): taken out of its bonus units (R6) and paid
/// nothing as CTRE (R64), without anyone seeing it: W101.
fn places_employeurs_hors_ctre(dossier: &Dossier, b: &BaremeExercice, d: &mut Diagnostics) {
    let couverts: FxHashSet<TypeStructure> = b
        .volets_employeurs()
        .flat_map(|v| v.types.valeur.iter().copied())
        .collect();
    for s in &dossier.structures {
        if s.annexe != Annexe::Deux || s.mois_ouverture == 0 || couverts.contains(&s.type_structure)
        {
            continue;
        }
        let (colonne, quoi, places, effet) = if s.unites_employeurs.0 > 0 {
            (
                "unites_employeurs",
                "des places réservées aux employeurs",
                s.unites_employeurs,
                "retirées de ses unités du bonus, elles ne reçoivent rien au titre du CTRE",
            )
        } else if s.unites_employeurs_nouvelles.0 > 0 {
            (
                "unites_employeurs_nouvelles",
                "des places employeurs nouvelles",
                s.unites_employeurs_nouvelles,
                "elles ne reçoivent aucun forfait CTRE",
            )
        } else {
            continue;
        };
        d.push(
            Diagnostic::avertissement(
                Code::W101,
                Table::Structures,
                format!(
                    "« {} » a {quoi} ({}), mais aucun volet CTRE ne couvre son type {} : {effet}",
                    s.nom,
                    places.fr(),
                    s.type_structure.code()
                ),
            )
            .origine(s.origine())
            .colonne(colonne)
            .valeur(places.fr())
            .conseil("les places réservées aux employeurs sont celles des crèches (EAJE) : laissez 0 pour ce type, ou ajoutez-le aux types d'un volet `versement = \"employeurs\"` du barème"),
        );
    }
}

/// A grid by population stratum needs the collectivité's population (R60): E101.
fn populations(
    dossier: &Dossier,
    b: &BaremeExercice,
    index: &FxHashMap<&str, &Collectivite>,
    unites: &FxHashMap<(&str, &str), i64>,
    exercice: i32,
    d: &mut Diagnostics,
) {
    // a grid by population stratum needs the collectivité's population (R60)
    let mut grille_sans_population: BTreeSet<(&str, &str)> = BTreeSet::new();
    let exige = |v: &str| {
        b.volets.get(v).is_some_and(|v| {
            v.plancher.valeur.exige_population() || v.revalorisation.valeur.exige_population()
        })
    };
    for (&(c, v), u) in unites {
        if *u > 0 && exige(v) {
            grille_sans_population.insert((c, v));
        }
    }
    for ch in &dossier.charges {
        if b.volets_employeurs().any(|v| v.nom == ch.volet) && exige(&ch.volet) {
            grille_sans_population.insert((ch.collectivite.as_str(), ch.volet.as_str()));
        }
    }
    for (c, v) in grille_sans_population {
        if index.get(c).is_some_and(|c| c.population.is_none()) {
            d.push(
                Diagnostic::erreur(
                    Code::E101,
                    Table::Convention,
                    format!(
                        "population absente : le plancher ou la revalorisation du volet {v} en {exercice} dépend de la strate de population"
                    ),
                )
                .colonne(format!("collectivites[{c}].population"))
                .conseil("indiquez population = nombre d'habitants (recensement) pour cette collectivité"),
            );
        }
    }
}

/// Charge lines: none at all (W007), a line repeated (W008), unknown volet (W003; E054
/// when it looks like a known one), no eligible unit (W002), no employer place (W100).
fn charges(
    dossier: &Dossier,
    b: &BaremeExercice,
    unites: &FxHashMap<(&str, &str), i64>,
    d: &mut Diagnostics,
) {
    if dossier.charges.is_empty() {
        // an empty table is most often the wrong file or sheet: every lissage would be 0
        d.push(
            Diagnostic::avertissement(
                Code::W007,
                Table::Charges,
                "aucune ligne de charge à payer N-1 : aucun montant n'est redistribué aux structures (le lissage de chaque volet vaut 0)",
            )
            .conseil("vérifiez le fichier charges_n1.csv ou la feuille « charges_n1 » du classeur : une ligne par collectivité et volet, avec la charge à payer N-1 de la Caf"),
        );
    }
    doublons_de_charges(dossier, d);
    let mut signales: BTreeSet<(&str, &str)> = BTreeSet::new();
    // per CTRE volet, the collectivités having employer places (one pass over the
    // structures, at the volet's first line: a pass per charge line was quadratic)
    let mut avec_places: FxHashMap<&str, FxHashSet<&str>> = FxHashMap::default();
    for c in &dossier.charges {
        if c.volet.is_empty() {
            continue;
        }
        match b.volets.get(&c.volet) {
            None => d.push(volet_inconnu(c, b)),
            Some(v) if v.versement.valeur == Versement::Structures => {
                let k = (c.collectivite.as_str(), c.volet.as_str());
                if unites.get(&k).copied().unwrap_or(0) == 0
                    && c.montant.0 > 0
                    && signales.insert(k)
                {
                    d.push(
                        Diagnostic::avertissement(
                            Code::W002,
                            Table::Charges,
                            format!("aucune unité éligible pour ({}, {}) : charge non redistribuable", k.0, k.1),
                        )
                        .origine(c.ligne)
                        .colonne("volet")
                        .valeur(&c.volet)
                        .conseil("vérifiez l'annexe 2, les unités existantes et l'éligibilité des structures"),
                    );
                }
            }
            Some(v) if v.versement.valeur == Versement::Employeurs => {
                // CTRE (R64): employer places of the annexe 2 structures of the volet's types
                let places = avec_places
                    .entry(c.volet.as_str())
                    .or_insert_with(|| {
                        dossier
                            .structures
                            .iter()
                            .filter(|s| eligibilite::admise_ctre(s, v) && s.unites_employeurs.0 > 0)
                            .map(|s| s.collectivite.as_str())
                            .collect()
                    })
                    .contains(c.collectivite.as_str());
                let k = (c.collectivite.as_str(), c.volet.as_str());
                if !places && c.montant.0 > 0 && signales.insert(k) {
                    d.push(
                        Diagnostic::avertissement(
                            Code::W100,
                            Table::Charges,
                            format!("aucune place réservée aux employeurs pour ({}, {}) : charge CTRE non redistribuable", k.0, k.1),
                        )
                        .origine(c.ligne)
                        .colonne("volet")
                        .valeur(&c.volet)
                        .conseil("indiquez les places employeurs (colonne unites_employeurs) des crèches concernées de l'annexe 2"),
                    );
                }
            }
            Some(_) => {}
        }
    }
}

/// A charge line whose volet the barème does not know: W003, its amount reported as not
/// redistributable; E054 when the name looks like a known volet (a misspelt volet would take
/// its amount out of that volet's envelope).
fn volet_inconnu(c: &ChargeAPayer, b: &BaremeExercice) -> Diagnostic {
    match volet_ressemblant(&c.volet, b.volets.keys().map(String::as_str)) {
        Some(connu) => Diagnostic::erreur(
            Code::E054,
            Table::Charges,
            format!(
                "volet « {} » inconnu du barème, qui ressemble au volet « {connu} » : son montant ne serait pas redistribué",
                c.volet
            ),
        )
        .origine(c.ligne)
        .colonne("volet")
        .valeur(&c.volet)
        .conseil(format!(
            "écrivez « {connu} » ; si c'est un autre dispositif, donnez-lui un nom qui ne prête pas à confusion (AUTRE, ou un volet local du barème)"
        )),
        None => Diagnostic::avertissement(
            Code::W003,
            Table::Charges,
            format!(
                "volet « {} » inconnu du barème : montant reporté non redistribuable",
                c.volet
            ),
        )
        .origine(c.ligne)
        .colonne("volet")
        .valeur(&c.volet)
        .conseil(format!(
            "volets du barème : {}",
            b.volets.keys().cloned().collect::<Vec<_>>().join(", ")
        )),
    }
}

/// W008: a charge line read from the file that repeats an earlier one field for field
/// (collectivité, volet, amount, label): most often a row pasted twice, whose amount the
/// envelope would count twice. Two lines of one volet with different labels (one per
/// crèche, as at Dugny) are not concerned.
fn doublons_de_charges(dossier: &Dossier, d: &mut Diagnostics) {
    let mut vues: FxHashSet<(String, &str, i64, &str)> = FxHashSet::default();
    for c in &dossier.charges {
        if c.ligne.ligne().is_none() {
            continue; // computed by the projection, not typed
        }
        let cle = (
            cle_id(&c.collectivite),
            c.volet.as_str(),
            c.montant.0,
            c.libelle.trim(),
        );
        if c.montant.0 > 0 && !vues.insert(cle) {
            d.push(
                Diagnostic::avertissement(
                    Code::W008,
                    Table::Charges,
                    "ligne identique à une ligne précédente (collectivité, volet, montant et libellé) : son montant compte deux fois dans l'enveloppe",
                )
                .origine(c.ligne)
                .colonne("montant")
                .valeur(crate::modele::montant_fr(c.montant))
                .conseil("supprimez la ligne copiée ; si ce sont bien deux charges, donnez-leur deux libellés"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two ids have equal keys exactly when `cle_id` makes them equal, and equal keys hash
    /// alike (capitals, blanks around, vertical tab, non-ASCII letters that lower to ASCII,
    /// composed forms, every ASCII character before, inside and after).
    #[test]
    fn cle_structure_comme_cle_id() {
        use std::hash::BuildHasher;
        let mut ids: Vec<String> = [
            "",
            "a",
            "A",
            "epci-00001-eaje-0001",
            "EPCI-00001-EAJE-0001",
            " a",
            "a ",
            "a\u{b}",
            "\u{b}a",
            "\ta",
            "a\r",
            "a b",
            "é",
            "É",
            "e\u{301}",
            "ß",
            "x\u{a0}",
            "\u{a0}x",
            "id_1;2",
            "Ǆ",
            "ǆ",
            "\u{212a}a",
            "ka",
            "KA",
            "abcdefgh",
            "ABCDEFGH",
            "abcdefghi",
            "ABCDEFGHI ",
            "abcdefgh\u{0}",
            "a  b",
            "A   B ",
            "a\u{a0}b",
            "a \u{202f} b",
            "a\u{3000}B",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for c in 0u8..128 {
            ids.push(format!("{}x", c as char));
            ids.push(format!("x{}", c as char));
            ids.push(format!("X{}X", c as char));
        }
        let h = rustc_hash::FxBuildHasher;
        for a in &ids {
            let ka = CleStructure::de(a);
            assert_eq!(
                ka.octets().collect::<Vec<u8>>(),
                cle_id(a).into_bytes(),
                "{a:?}"
            );
            for b in &ids {
                let kb = CleStructure::de(b);
                assert_eq!(ka == kb, cle_id(a) == cle_id(b), "{a:?} {b:?}");
                if ka == kb {
                    assert_eq!(h.hash_one(&ka), h.hash_one(&kb));
                }
            }
        }
    }
}
