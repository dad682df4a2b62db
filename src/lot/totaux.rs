//! Totals of a lot (per collectivité, dossier, volet, and overall) and the consolidated
//! CSV: each structure row formatted once, the same bytes in the dossier's result and in
//! the consolidated file.

use super::*;
use crate::calcul::totaux::Cumul;

/// Columns of the totals block of the consolidated CSV.
pub const COLONNES_TOTAUX: &[&str] = &[
    "niveau",
    "dossier",
    "collectivite",
    "volet",
    "structures",
    "structures_eligibles",
    "charge_n1",
    "complement_plancher",
    "non_redistribue",
    "verse_collectivite",
    "bonus_n1",
    "bonus_lissage",
    "bonus_nouvelles",
    "bonus_total",
    "verse_caf",
    "contribution_collectivite_n1",
    "contribution_collectivite_n",
    "financement_public_n1",
    "financement_public_n",
    "variation",
    "bonus_trajectoire",
    "bonus_ctre",
];

/// Sums of amounts (cents, `i128`: no overflow for any realistic lot) over a set of
/// structures and groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Agregat {
    pub structures: u64,
    pub structures_eligibles: u64,
    pub charge_n1: i128,
    pub complement_plancher: i128,
    pub non_redistribue: i128,
    pub verse_collectivite: i128,
    pub bonus_n1: i128,
    pub bonus_lissage: i128,
    pub bonus_nouvelles: i128,
    pub bonus_total: i128,
    pub contribution_n1: i128,
    pub contribution_n: i128,
    pub financement_public_n1: i128,
    pub financement_public_n: i128,
    pub variation: i128,
    pub bonus_trajectoire: i128,
    pub bonus_ctre: i128,
}

impl Agregat {
    pub(super) fn ligne(&mut self, l: &LigneStructure) {
        let m = |x: Montant| x.0 as i128;
        self.structures += 1;
        if l.motif() == crate::calcul::eligibilite::Motif::Eligible {
            self.structures_eligibles += 1;
        }
        self.bonus_n1 += m(l.structure.bonus_n1);
        self.bonus_lissage += m(l.bonus_lissage);
        self.bonus_nouvelles += m(l.bonus_nouvelles);
        self.bonus_total += m(l.bonus_total);
        self.contribution_n1 += m(l.contribution_n1);
        self.contribution_n += m(l.contribution_n);
        self.financement_public_n1 += m(l.financement_public_n1);
        self.financement_public_n += m(l.financement_public_n);
        self.variation += m(l.variation);
        self.bonus_trajectoire += m(l.bonus_trajectoire);
        self.bonus_ctre += m(l.bonus_ctre);
    }
    pub(super) fn groupe(&mut self, g: &GroupeVolet) {
        self.charge_n1 += g.charge_n1.0 as i128;
        self.complement_plancher += g.complement_plancher.0 as i128;
        self.non_redistribue += g.non_redistribue.0 as i128;
        self.verse_collectivite += g.verse_collectivite.0 as i128;
    }
    pub fn ajouter(&mut self, o: &Agregat) {
        self.structures += o.structures;
        self.structures_eligibles += o.structures_eligibles;
        self.charge_n1 += o.charge_n1;
        self.complement_plancher += o.complement_plancher;
        self.non_redistribue += o.non_redistribue;
        self.verse_collectivite += o.verse_collectivite;
        self.bonus_n1 += o.bonus_n1;
        self.bonus_lissage += o.bonus_lissage;
        self.bonus_nouvelles += o.bonus_nouvelles;
        self.bonus_total += o.bonus_total;
        self.contribution_n1 += o.contribution_n1;
        self.contribution_n += o.contribution_n;
        self.financement_public_n1 += o.financement_public_n1;
        self.financement_public_n += o.financement_public_n;
        self.variation += o.variation;
        self.bonus_trajectoire += o.bonus_trajectoire;
        self.bonus_ctre += o.bonus_ctre;
    }
    /// What the Caf pays: bonus of the structures (trajectoire included) + CTRE + lines
    /// paid to the collectivités.
    pub fn verse_caf(&self) -> i128 {
        self.bonus_total + self.bonus_ctre + self.verse_collectivite
    }
    /// Its fields in the totals block of the consolidated CSV.
    pub(super) fn champs(&self, l: &mut rapport::csv::LigneCsv) {
        l.nombre(self.structures as i128, 0);
        l.nombre(self.structures_eligibles as i128, 0);
        for v in [
            self.charge_n1,
            self.complement_plancher,
            self.non_redistribue,
            self.verse_collectivite,
            self.bonus_n1,
            self.bonus_lissage,
            self.bonus_nouvelles,
            self.bonus_total,
            self.verse_caf(),
            self.contribution_n1,
            self.contribution_n,
            self.financement_public_n1,
            self.financement_public_n,
            self.variation,
            self.bonus_trajectoire,
            self.bonus_ctre,
        ] {
            l.nombre(v, 2);
        }
    }
}

/// Totals of one dossier: overall, per collectivité, per volet (`""`: no volet).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TotauxDossier {
    pub total: Agregat,
    pub collectivites: BTreeMap<String, Agregat>,
    pub volets: BTreeMap<String, Agregat>,
}

/// Computes a dossier's totals from its result (pure).
pub fn totaux(r: &Resultat) -> TotauxDossier {
    let mut t = Totaliseur::new(r);
    for l in &r.structures {
        t.ligne(l);
    }
    t.finir(r)
}

/// [`totaux`] summed as the lines go by (the lot adds each line while it writes it: one pass
/// over the structures instead of two), in the order of the result's lines.
pub(super) struct Totaliseur<'a> {
    total: Agregat,
    collectivites: Cumul<&'a str, Agregat>,
    volets: Cumul<&'a str, Agregat>,
    /// The CTRE volets (`versement = "employeurs"`) and the types whose places they count.
    volets_ctre: Vec<(&'a str, &'a crate::bareme::VoletExercice)>,
}

impl<'a> Totaliseur<'a> {
    pub(super) fn new(r: &'a Resultat) -> Self {
        let mut collectivites: Cumul<&str, Agregat> = Cumul::default();
        for c in &r.convention.collectivites {
            collectivites.de(&c.id);
        }
        let volets_ctre = r
            .bareme
            .volets
            .iter()
            .filter(|(_, v)| v.versement.valeur == crate::bareme::Versement::Employeurs)
            .map(|(n, v)| (n.as_str(), v))
            .collect();
        Totaliseur {
            total: Agregat::default(),
            collectivites,
            volets: Cumul::default(),
            volets_ctre,
        }
    }
    /// A structure's line; its CTRE on the line of the CTRE volet that pays it (where its
    /// charge N-1 is), not on the line of its own volet: each VOLET line then reads its
    /// charge and what it pays side by side.
    pub(super) fn ligne(&mut self, l: &'a LigneStructure) {
        self.total.ligne(l);
        self.collectivites.de(&l.structure.collectivite).ligne(l);
        self.volets.de(l.eligibilite.volet().unwrap_or("")).ligne(l);
        let ctre = l.bonus_ctre.0 as i128;
        if ctre != 0 {
            let t = l.structure.type_structure;
            if let Some((nom, _)) = self
                .volets_ctre
                .iter()
                .find(|(_, v)| v.types.valeur.contains(&t))
            {
                self.volets
                    .de(l.eligibilite.volet().unwrap_or(""))
                    .bonus_ctre -= ctre;
                self.volets.de(nom).bonus_ctre += ctre;
            }
        }
    }
    /// The groups' amounts added, the totals by name.
    pub(super) fn finir(mut self, r: &'a Resultat) -> TotauxDossier {
        for g in &r.groupes {
            self.total.groupe(g);
            self.collectivites.de(&g.collectivite).groupe(g);
            self.volets.de(&g.volet).groupe(g);
        }
        TotauxDossier {
            total: self.total,
            collectivites: carte(self.collectivites),
            volets: carte(self.volets),
        }
    }
}

fn carte(c: Cumul<&str, Agregat>) -> BTreeMap<String, Agregat> {
    c.en_liste().map(|(k, a)| (k.to_string(), a)).collect()
}

/// The `dossier` field of the consolidated file's rows and its delimiter.
pub(super) fn prefixe_dossier(nom: &str, p: Profil) -> Vec<u8> {
    let mut l = rapport::csv::LigneCsv::new(p);
    l.texte(nom);
    l.champ(b""); // the delimiter (an empty field is written as nothing)
    l.octets
}

/// Past this many bytes (1 Mio), the rows of a dossier for the consolidated file go to a hidden file
/// of the new output folder instead of memory (a dossier of a million structures is never
/// held whole; the national set's dossiers, about 130 kB each, stay in memory).
pub(super) const SEUIL_FRAGMENT: usize = 1 << 20;

/// The rows of one dossier in the consolidated file, until that file is written.
#[derive(Debug, Clone, Default)]
pub(super) enum Fragment {
    #[default]
    Vide,
    Memoire(Vec<u8>),
    /// A hidden file of the new output folder, removed once copied.
    Fichier(PathBuf),
}

/// A [`Fragment`] being written.
pub(super) struct Morceaux {
    seuil: usize,
    memoire: Vec<u8>,
    chemin: PathBuf,
    fichier: Option<std::io::BufWriter<std::fs::File>>,
    erreur: Option<std::io::Error>,
}

impl Fragment {
    /// Copies the rows into `o` (a hidden file is removed once copied).
    pub(super) fn ecrire(self, o: &mut dyn std::io::Write) -> std::io::Result<()> {
        match self {
            Fragment::Vide => Ok(()),
            Fragment::Memoire(v) => o.write_all(&v),
            Fragment::Fichier(chemin) => {
                std::io::copy(&mut std::fs::File::open(&chemin)?, o)?;
                std::fs::remove_file(&chemin)
            }
        }
    }
}

impl Morceaux {
    pub(super) fn new(neuf: &Path, nom: &str) -> Self {
        Self::avec_seuil(neuf, nom, SEUIL_FRAGMENT)
    }
    fn avec_seuil(neuf: &Path, nom: &str, seuil: usize) -> Self {
        Morceaux {
            seuil,
            memoire: Vec::new(),
            chemin: neuf.join(format!(".consolide.{nom}")),
            fichier: None,
            erreur: None,
        }
    }
    /// Room for `octets` in memory (up to the threshold), reserved at once instead of by
    /// doublings.
    pub(super) fn reserver(&mut self, octets: usize) {
        if self.fichier.is_none() {
            self.memoire.reserve(octets.min(self.seuil + 1));
        }
    }
    /// One row: the `dossier` field (`prefixe`) then the structure row.
    pub(super) fn ajouter(&mut self, prefixe: &[u8], ligne: &[u8]) {
        if self.erreur.is_some() {
            return;
        }
        if let Some(w) = &mut self.fichier {
            if let Err(e) = w.write_all(prefixe).and_then(|()| w.write_all(ligne)) {
                self.erreur = Some(e);
            }
            return;
        }
        self.memoire.extend_from_slice(prefixe);
        self.memoire.extend_from_slice(ligne);
        if self.memoire.len() > self.seuil {
            let ouvert = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&self.chemin)
                .map(|f| std::io::BufWriter::with_capacity(1 << 16, f));
            match ouvert.and_then(|mut w| w.write_all(&self.memoire).map(|()| w)) {
                Ok(w) => {
                    self.fichier = Some(w);
                    self.memoire = Vec::new();
                }
                Err(e) => self.erreur = Some(e),
            }
        }
    }
    /// The rows of a result whose own file is not a CSV.
    pub(super) fn lignes(
        &mut self,
        r: &Resultat,
        p: Profil,
        prefixe: &[u8],
    ) -> Result<(), crate::calcul::rationnel::ErreurCalcul> {
        let mut l = rapport::csv::LigneCsv::new(p);
        for s in &r.structures {
            l.vider();
            l.structure(s)?;
            self.ajouter(prefixe, &l.octets);
        }
        Ok(())
    }
    pub(super) fn finir(self) -> std::io::Result<Fragment> {
        let fini = match (self.erreur, self.fichier) {
            (Some(e), _) => Err(e),
            (None, Some(w)) => w.into_inner().map(drop).map_err(|e| e.into_error()),
            (None, None) => return Ok(Fragment::Memoire(self.memoire)),
        };
        match fini {
            Ok(()) => Ok(Fragment::Fichier(self.chemin)),
            Err(e) => {
                let _ = std::fs::remove_file(&self.chemin);
                Err(e)
            }
        }
    }
    pub(super) fn abandonner(self) {
        if self.fichier.is_some() {
            drop(self.fichier);
            let _ = std::fs::remove_file(&self.chemin);
        }
    }
}

/// The header of the consolidated CSV (its rows follow, a dossier's fragment at a time).
pub(super) fn entete(o: &mut dyn std::io::Write, p: Profil) -> std::io::Result<()> {
    let mut l = rapport::csv::LigneCsv::new(p);
    l.octets.extend_from_slice(rapport::csv::bom(p));
    l.champ(b"dossier");
    for c in rapport::csv::COLONNES {
        l.champ(c.as_bytes());
    }
    l.terminer();
    o.write_all(&l.octets)
}

/// The end of the consolidated CSV, after the rows of every dossier: a blank line, then the
/// totals by collectivité, dossier, volet and the grand total.
pub(super) fn pied(
    o: &mut dyn std::io::Write,
    issues: &[IssueDossier],
    total: &Agregat,
    volets: &BTreeMap<String, Agregat>,
    p: Profil,
) -> std::io::Result<()> {
    o.write_all(rapport::csv::fin_de_ligne(p))?;
    let mut l = rapport::csv::LigneCsv::new(p);
    for c in COLONNES_TOTAUX {
        l.champ(c.as_bytes());
    }
    l.terminer();
    let mut ligne = |niveau: &str, dossier: &str, coll: &str, volet: &str, a: &Agregat| {
        l.champ(niveau.as_bytes());
        l.texte(dossier);
        l.texte(coll);
        l.champ(volet.as_bytes());
        a.champs(&mut l);
        l.terminer();
    };
    for i in issues.iter() {
        if let Some(t) = &i.totaux {
            for (c, a) in &t.collectivites {
                ligne("COLLECTIVITE", &i.nom, c, "", a);
            }
        }
    }
    for i in issues.iter() {
        if let Some(t) = &i.totaux {
            ligne("DOSSIER", &i.nom, "", "", &t.total);
        }
    }
    for (v, a) in volets {
        ligne("VOLET", "", "", v, a);
    }
    ligne("TOTAL", "", "", "", total);
    o.write_all(&l.octets)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rows of a dossier come out the same, byte for byte, whether they stayed in memory
    /// or went to a hidden file (past the threshold, or from the first row), and the hidden
    /// file is removed once copied.
    #[test]
    fn fragment_sur_disque_memes_octets_qu_en_memoire() {
        let dir = tempfile::tempdir().expect("dossier temporaire");
        let lignes: Vec<Vec<u8>> = (0..2000)
            .map(|i| format!("S{i:05};Crèche « {i} »;{}\r\n", i * 7).into_bytes())
            .collect();
        let mut attendu = Vec::new();
        for l in &lignes {
            attendu.extend_from_slice(b"d1;");
            attendu.extend_from_slice(l);
        }
        for (seuil, sur_disque) in [(0, true), (1000, true), (usize::MAX, false)] {
            let mut m = Morceaux::avec_seuil(dir.path(), "d1", seuil);
            for l in &lignes {
                m.ajouter(b"d1;", l);
            }
            let f = m.finir().expect("fragment");
            assert_eq!(
                matches!(f, Fragment::Fichier(_)),
                sur_disque,
                "seuil {seuil}"
            );
            let mut o = Vec::new();
            f.ecrire(&mut o).expect("copie");
            assert_eq!(o, attendu, "seuil {seuil}");
            assert!(!dir.path().join(".consolide.d1").exists());
        }
        // abandoned: nothing left behind
        let mut m = Morceaux::avec_seuil(dir.path(), "d1", 0);
        m.ajouter(b"d1;", &lignes[0]);
        m.abandonner();
        assert_eq!(std::fs::read_dir(dir.path()).expect("dossier").count(), 0);
    }
}
