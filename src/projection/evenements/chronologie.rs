//! The month-by-month state of each structure that follows from its events (R20, R21),
//! with the checks that need the sequence (an event on a closed structure, employer places
//! above the existing ones…).

use super::*;
use crate::diagnostic::Code;
use std::collections::HashMap;

/// A structure's situation in one month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Etat {
    pub ouverte: bool,
    pub annexe: Annexe,
    pub soutien: bool,
    pub existantes: Unites,
    pub nouvelles: Unites,
    pub employeurs: Unites,
}

impl Etat {
    /// The month counts for the bonus (R21): open, in Annexe 2 and supported.
    pub fn compte(&self) -> bool {
        self.ouverte && self.annexe == Annexe::Deux && self.soutien
    }
    /// `existantes − employeurs` (hundredths).
    pub fn u(&self) -> i64 {
        unites_bonus(self.existantes, self.employeurs).0
    }
    fn appliquer(&mut self, a: Action) {
        match a {
            Action::Ouverture => self.ouverte = true,
            Action::Fermeture => self.ouverte = false,
            Action::UnitesExistantes(u) => self.existantes = u,
            Action::UnitesNouvelles(u) => self.nouvelles = u,
            Action::UnitesEmployeurs(u) => self.employeurs = u,
            Action::Soutien(b) => self.soutien = b,
            Action::Annexe(x) => self.annexe = x,
        }
    }
}

impl fmt::Display for Etat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, annexe {}, soutien {}, unités existantes {} − employeurs {} + nouvelles {}",
            if self.ouverte { "ouverte" } else { "fermée" },
            self.annexe.libelle(),
            if self.soutien { "oui" } else { "non" },
            crate::modele::groupe_fr(&self.existantes.to_string()),
            crate::modele::groupe_fr(&self.employeurs.to_string()),
            crate::modele::groupe_fr(&self.nouvelles.to_string()),
        )
    }
}

/// Every structure's events, checked and sorted, from the state on 1 January after the
/// dossier's exercice N (R20).
#[derive(Debug, Clone, Default)]
pub struct Chronologie {
    /// State on 1 January N+1 before any event, per structure id.
    pub depart: BTreeMap<String, Etat>,
    /// Events per structure id, in order of effect (month, then date, then line).
    pub evenements: BTreeMap<String, Vec<Evenement>>,
}

impl Chronologie {
    /// Checks the events against the dossier (pure): known ids, dates within the convention
    /// and after exercice `n`, possible sequences. Errors and warnings go to `diags`, located
    /// as the reading located its own (`source`: the line of a CSV file, the cell of a
    /// workbook's sheet); `derniere` is the last projected year (later events are reported
    /// without effect).
    pub fn construire(
        dossier: &Dossier,
        evenements: &[Evenement],
        n: i32,
        derniere: i32,
        source: &Localisation,
        diags: &mut Diagnostics,
    ) -> Chronologie {
        let mut c = Chronologie {
            depart: etats_de_depart(dossier),
            evenements: BTreeMap::new(),
        };
        let dates = Dates::new(dossier, n, derniere, source);
        let ids = IdsParCle::de(dossier, &c.depart, evenements);
        for e in evenements {
            let e = ids.rattacher(&c.depart, e);
            if !c.depart.contains_key(&e.id) {
                let d = Diagnostic::erreur(
                    Code::E031,
                    &source.fichier,
                    "aucune structure du dossier n'a cet identifiant",
                );
                diags.push(
                    situer(d, source, e.ligne, "id")
                        .valeur(e.id.clone())
                        .conseil("un événement porte sur une structure de la table structures ; une structure qui ouvre pendant la convention y figure avec mois_ouverture = 0"),
                );
                continue;
            }
            if !dates.admettre(&e, diags) {
                continue;
            }
            c.evenements
                .entry(e.id.clone())
                .or_default()
                .push(e.into_owned());
        }
        // sequences, per structure: replayed in order of effect
        for (id, evs) in c.evenements.iter_mut() {
            evs.sort_by(|x, y| {
                x.effet()
                    .cmp(&y.effet())
                    .then(x.date.cmp(&y.date))
                    .then(x.ligne.cmp(&y.ligne))
            });
            let Some(mut etat) = c.depart.get(id).copied() else {
                continue; // only known ids have events (checked above)
            };
            for meme_mois in evs.chunk_by(|x, y| x.effet() == y.effet()) {
                rejouer_mois(id, meme_mois, &mut etat, source, diags);
            }
        }
        c
    }

    /// The 12 monthly states of a structure in `annee` (> N), and the events that take effect
    /// that year.
    pub fn mois(&self, id: &str, annee: i32) -> Option<([Etat; 12], Vec<&Evenement>)> {
        let mut etat = *self.depart.get(id)?;
        let evs: &[Evenement] = self.evenements.get(id).map_or(&[], |v| v.as_slice());
        let mut k = 0;
        while k < evs.len() && evs[k].effet().0 < annee {
            etat.appliquer(evs[k].action);
            k += 1;
        }
        let mut annee_evs = Vec::new();
        let mut r = [etat; 12];
        for (m, slot) in r.iter_mut().enumerate() {
            while k < evs.len() && evs[k].effet() == (annee, m as u8 + 1) {
                etat.appliquer(evs[k].action);
                annee_evs.push(&evs[k]);
                k += 1;
            }
            *slot = etat;
        }
        Some((r, annee_evs))
    }
}

/// Each structure's state on 1 January N+1 before any event: as structures.csv describes
/// it (R20).
fn etats_de_depart(dossier: &Dossier) -> BTreeMap<String, Etat> {
    dossier
        .structures
        .iter()
        .map(|s| {
            let etat = Etat {
                ouverte: s.mois_ouverture > 0,
                annexe: s.annexe,
                soutien: s.soutien_collectivite,
                existantes: s.unites_existantes,
                nouvelles: s.unites_nouvelles,
                employeurs: s.unites_employeurs,
            };
            (s.id.as_str().to_owned(), etat)
        })
        .collect()
}

/// The structures' ids by their [`texte::cle_id`] (built only when an event's id is not
/// written exactly as a structure's): an event's id is found in one look-up, never compared
/// with every structure.
struct IdsParCle(HashMap<String, String>);

impl IdsParCle {
    fn de(dossier: &Dossier, depart: &BTreeMap<String, Etat>, evenements: &[Evenement]) -> Self {
        if evenements.iter().all(|e| depart.contains_key(&e.id)) {
            return IdsParCle(HashMap::new());
        }
        let ids = dossier.structures.iter().map(|s| s.id.as_str().to_owned());
        IdsParCle(ids.map(|id| (texte::cle_id(&id), id)).collect())
    }

    /// The event with its id written as the structure's: an id written with another case or
    /// Unicode form is the structure's id (lecture::texte::cle_id, as everywhere): one
    /// structure, one spelling.
    fn rattacher<'e>(
        &self,
        depart: &BTreeMap<String, Etat>,
        e: &'e Evenement,
    ) -> std::borrow::Cow<'e, Evenement> {
        if depart.contains_key(&e.id) {
            return std::borrow::Cow::Borrowed(e);
        }
        match self.0.get(&texte::cle_id(&e.id)) {
            Some(id) => std::borrow::Cow::Owned(Evenement {
                id: id.clone(),
                ..e.clone()
            }),
            None => std::borrow::Cow::Borrowed(e),
        }
    }
}

/// The dates an event may take effect at: within the convention, after exercice `n`
/// (described by structures.csv), up to the last projected year.
struct Dates<'a> {
    debut: Option<Date>,
    fin: Option<Date>,
    /// « début → fin », for the messages.
    periode: String,
    n: i32,
    derniere: i32,
    source: &'a Localisation,
}

impl<'a> Dates<'a> {
    fn new(dossier: &Dossier, n: i32, derniere: i32, source: &'a Localisation) -> Self {
        let conv = &dossier.convention;
        Dates {
            debut: conv.debut,
            fin: conv.fin,
            periode: conv.periode_en_lettres(),
            n,
            derniere,
            source,
        }
    }

    /// `false` when the event's date is refused (E034); a warning (W030) when it takes
    /// effect after the last projected year.
    fn admettre(&self, e: &Evenement, diags: &mut Diagnostics) -> bool {
        let (fichier, n, derniere) = (&self.source.fichier, self.n, self.derniere);
        let loc = |d| situer(d, self.source, e.ligne, "date").valeur(e.date.to_string());
        if self.debut.is_some_and(|d| e.date < d) || self.fin.is_some_and(|d| e.date > d) {
            diags.push(
                loc(Diagnostic::erreur(
                    Code::E034,
                    fichier,
                    format!(
                        "date hors de la période de la convention ({})",
                        self.periode
                    ),
                ))
                .conseil("un événement se situe pendant la convention"),
            );
            return false;
        }
        let (a, m) = e.effet();
        if a <= n {
            diags.push(
                loc(Diagnostic::erreur(
                    Code::E034,
                    fichier,
                    format!(
                        "l'événement compte {}, pendant l'exercice {n} que structures.csv décrit déjà",
                        super::a_partir_de(m, a)
                    ),
                ))
                .conseil(format!(
                    "décrivez l'exercice {n} dans structures.csv (mois_ouverture, unités), ou datez l'événement à partir du 1er janvier {}",
                    n + 1
                )),
            );
            return false;
        }
        if a > derniere {
            diags.push(
                loc(Diagnostic::avertissement(
                    Code::W030,
                    fichier,
                    format!(
                        "l'événement compte {}, après la dernière année projetée ({derniere}) : sans effet",
                        super::a_partir_de(m, a)
                    ),
                ))
                .conseil("prolongez la projection (--jusqu-a) si la convention le permet"),
            );
        }
        true
    }
}

/// W030: a closing and a reopening (or the reverse) that take effect the same month leave
/// every month as it was (a month's state is that of its first day): said, not silently
/// dropped.
fn sans_effet_dans_le_mois(
    id: &str,
    evs: &[Evenement],
    meme_etat: bool,
    quand: &str,
    source: &Localisation,
    diags: &mut Diagnostics,
) {
    if !meme_etat {
        return;
    }
    let ligne = |a: fn(&Action) -> bool| evs.iter().find(|e| a(&e.action)).map(|e| e.ligne);
    let (Some(f), Some(o)) = (
        ligne(|a| matches!(a, Action::Fermeture)),
        ligne(|a| matches!(a, Action::Ouverture)),
    ) else {
        return;
    };
    // the later of the two lines carries the warning
    let e = evs.iter().find(|e| e.ligne == f.max(o)).unwrap_or(&evs[0]);
    let d = Diagnostic::avertissement(
        Code::W030,
        &source.fichier,
        format!(
            "fermeture (ligne {f}) et ouverture (ligne {o}) de « {id} » comptent toutes deux {quand} : sans effet, chaque mois gardant l'état de son premier jour"
        ),
    );
    diags.push(
        situer(d, source, e.ligne, "action")
            .valeur(e.action.nom())
            .conseil("une fermeture de moins d'un mois ne change aucun mois ; retirez ces deux lignes, ou datez-les de mois différents"),
    );
}

/// Applies to `etat` the events of structure `id` that take effect the same month, checking
/// the sequence: one value per action and month (E035), no opening of an open structure nor
/// closing of a closed one (E035), employer units within the existing ones (E036).
fn rejouer_mois(
    id: &str,
    evs: &[Evenement],
    etat: &mut Etat,
    source: &Localisation,
    diags: &mut Diagnostics,
) {
    let fichier = &source.fichier;
    let Some(effet) = evs.first().map(Evenement::effet) else {
        return;
    };
    let quand = super::a_partir_de(effet.1, effet.0);
    let ouverte_avant = etat.ouverte;
    let mut vus: BTreeMap<&str, u64> = BTreeMap::new();
    let mut derniere_unite: Option<&Evenement> = None;
    for e in evs {
        let loc = |d| situer(d, source, e.ligne, "action").valeur(e.action.nom());
        if let Some(l) = vus.insert(e.action.nom(), e.ligne) {
            if !matches!(e.action, Action::Ouverture | Action::Fermeture) {
                diags.push(loc(Diagnostic::erreur(
                    Code::E035,
                    fichier,
                    format!("deux événements « {} » pour « {id} » comptent {quand} (lignes {l} et {})", e.action.nom(), e.ligne),
                ))
                .conseil("gardez une seule valeur par mois (un changement compte au mois qui suit sa date, sauf le 1er)"));
            }
        }
        match e.action {
            Action::Ouverture if etat.ouverte => diags.push(
                loc(Diagnostic::erreur(
                    Code::E035,
                    fichier,
                    format!("ouverture de « {id} », déjà ouverte à cette date"),
                ))
                .conseil("une structure ouverte dans l'exercice du dossier (mois_ouverture > 0) l'est encore au 1er janvier suivant ; fermez-la d'abord"),
            ),
            Action::Fermeture if !etat.ouverte => diags.push(
                loc(Diagnostic::erreur(
                    Code::E035,
                    fichier,
                    format!("fermeture de « {id} », déjà fermée à cette date"),
                ))
                .conseil("une structure fermée toute l'année du dossier (mois_ouverture = 0) ou déjà fermée par un événement ne peut pas fermer à nouveau"),
            ),
            Action::UnitesExistantes(_) | Action::UnitesEmployeurs(_) => derniere_unite = Some(e),
            _ => {}
        }
        etat.appliquer(e.action);
    }
    sans_effet_dans_le_mois(
        id,
        evs,
        ouverte_avant == etat.ouverte,
        &quand,
        source,
        diags,
    );
    if etat.employeurs > etat.existantes {
        if let Some(e) = derniere_unite {
            let d = Diagnostic::erreur(
                Code::E036,
                fichier,
                format!(
                    "« {id} » : unités employeurs ({}) supérieures aux unités existantes ({}) {quand}",
                    etat.employeurs.fr(),
                    etat.existantes.fr(),
                ),
            );
            diags.push(
                situer(d, source, e.ligne, "valeur")
                    .valeur(e.action.valeur())
                    .conseil("les places employeurs font partie des places existantes"),
            );
        }
    }
}
