//! CSV output: one table per file (structures by default; `--table` for the others).

use super::{euros, texte_sur, Profil};
use crate::calcul::rationnel::{ecrire_echelle, Invariant, Rationnel, R};
use crate::calcul::{LigneStructure, Resultat};

pub const COLONNES: &[&str] = &[
    "id",
    "nom",
    "type",
    "volet",
    "gestionnaire",
    "collectivite",
    "motif",
    "unites_eligibles",
    "taux_unitaire",
    "bonus_lissage",
    "bonus_nouvelles",
    "bonus_total",
    "ecart_arrondi",
    "contribution_collectivite_n1",
    "contribution_collectivite_n",
    "financement_public_n1",
    "financement_public_n",
    "variation",
    "bonus_trajectoire",
    "bonus_ctre",
];

pub const COLONNES_RAPPROCHEMENT: &[&str] = &[
    "collectivite",
    "volet",
    "charge_n1",
    "lissage_verse",
    "nouvelles_versees",
    "complement_plancher",
    "non_redistribue",
    "verse_collectivite",
    "trajectoire_versee",
];

/// What a CSV file starts with: the UTF-8 BOM for `excel-fr`, nothing for `rfc4180`.
pub(crate) fn bom(p: Profil) -> &'static [u8] {
    if p == Profil::ExcelFr {
        b"\xEF\xBB\xBF"
    } else {
        b""
    }
}

/// The profile's line ending (for the empty line between two blocks).
pub(crate) fn fin_de_ligne(p: Profil) -> &'static [u8] {
    if p == Profil::ExcelFr {
        b"\r\n"
    } else {
        b"\n"
    }
}

/// A CSV writer builder with the profile's delimiter and line ending.
pub(crate) fn constructeur(p: Profil) -> csv::WriterBuilder {
    let (delim, term) = match p {
        Profil::ExcelFr => (b';', csv::Terminator::CRLF),
        Profil::Rfc4180 => (b',', csv::Terminator::Any(b'\n')),
    };
    let mut b = csv::WriterBuilder::new();
    b.delimiter(delim).terminator(term);
    b
}

/// A CSV writer with the profile's delimiter and line ending, rows of any length, appending
/// to `sortie`.
pub(crate) fn ecrivain(p: Profil, sortie: Vec<u8>) -> csv::Writer<Vec<u8>> {
    constructeur(p).flexible(true).from_writer(sortie)
}

/// One CSV row built in a reused buffer, byte for byte as the csv crate writes it (a field
/// is quoted when it holds the delimiter, a quote, CR or LF, its quotes doubled), numbers
/// written digit by digit: no `String` per field. `bonus-ctg lot` copies the same bytes
/// into the dossier's result and into the consolidated file.
pub(crate) struct LigneCsv {
    delimiteur: u8,
    virgule: u8,
    fin: &'static [u8],
    /// The row being written (and the rows before it, until [`LigneCsv::vider`]).
    pub(crate) octets: Vec<u8>,
    champs: usize,
    /// The bytes that call for quotes: the delimiter, a quote, CR, LF.
    a_citer: [bool; 256],
}

impl LigneCsv {
    pub(crate) fn new(p: Profil) -> Self {
        let (delimiteur, virgule) = match p {
            Profil::ExcelFr => (b';', b','),
            Profil::Rfc4180 => (b',', b'.'),
        };
        let mut a_citer = [false; 256];
        for b in [delimiteur, b'"', b'\r', b'\n'] {
            a_citer[b as usize] = true;
        }
        LigneCsv {
            delimiteur,
            virgule,
            fin: fin_de_ligne(p),
            octets: Vec::with_capacity(512),
            champs: 0,
            a_citer,
        }
    }
    fn separer(&mut self) {
        if self.champs > 0 {
            self.octets.push(self.delimiteur);
        }
        self.champs += 1;
    }
    /// A field as it is.
    pub(crate) fn champ(&mut self, f: &[u8]) {
        self.separer();
        if !f.iter().any(|b| self.a_citer[*b as usize]) {
            self.octets.extend_from_slice(f);
            return;
        }
        self.octets.push(b'"');
        for &b in f {
            if b == b'"' {
                self.octets.push(b'"');
            }
            self.octets.push(b);
        }
        self.octets.push(b'"');
    }
    /// A user text, neutralised as [`texte_sur`] does (an apostrophe before a would-be
    /// formula): the apostrophe changes nothing to the quoting.
    pub(crate) fn texte(&mut self, s: &str) {
        if super::a_neutraliser(s) {
            self.champ(format!("'{s}").as_bytes());
        } else {
            self.champ(s.as_bytes());
        }
    }
    /// `v` hundredths (or another scale) as `rationnel::format_echelle` writes it, with the
    /// profile's decimal separator.
    pub(crate) fn nombre(&mut self, v: i128, echelle: u32) {
        self.separer();
        // digits, `-` and the decimal separator, never the delimiter: no quotes
        ecrire_echelle(&mut self.octets, v, echelle, self.virgule);
    }
    /// A decimal written with `.` (`euros`), with the profile's separator.
    pub(crate) fn decimal(&mut self, t: &str) {
        if self.virgule == b'.' || !t.contains('.') {
            return self.champ(t.as_bytes());
        }
        let b: Vec<u8> = t
            .bytes()
            .map(|c| if c == b'.' { self.virgule } else { c })
            .collect();
        self.champ(&b);
    }
    /// Ends the row.
    pub(crate) fn terminer(&mut self) {
        self.octets.extend_from_slice(self.fin);
        self.champs = 0;
    }
    /// Forgets the rows written.
    pub(crate) fn vider(&mut self) {
        self.octets.clear();
        self.champs = 0;
    }
    /// Cents `r` in euros with four decimals, as `euros(r, 4)` writes it: `r × 100` rounded
    /// half away from zero, written digit by digit (no `String`, no reduction of fractions).
    pub(crate) fn euros4(&mut self, r: &Rationnel) -> R<()> {
        match r.fois_arrondi(100) {
            Some(v) => self.nombre(v, 4),
            None => {
                let t = euros(r, 4)?;
                self.decimal(&t);
            }
        }
        Ok(())
    }
    /// One structure row (columns [`COLONNES`]), ended.
    pub(crate) fn structure(&mut self, l: &LigneStructure) -> R<()> {
        let s = &l.structure;
        let ecart = l.ecart_arrondi()?;
        self.texte(&s.id);
        self.texte(&s.nom);
        self.champ(s.type_structure.code().as_bytes());
        self.champ(l.eligibilite.volet().unwrap_or("").as_bytes());
        self.texte(&s.gestionnaire);
        self.texte(&s.collectivite);
        self.champ(l.motif().code().as_bytes());
        self.nombre(l.unites_eligibles.0 as i128, 2);
        match &l.taux_unitaire {
            Some(t) => self.euros4(t)?,
            // no rate (not eligible): zero with four decimals
            None => self.nombre(0, 4),
        }
        let m = |x: crate::modele::Montant| x.0 as i128;
        self.nombre(m(l.bonus_lissage), 2);
        self.nombre(m(l.bonus_nouvelles), 2);
        self.nombre(m(l.bonus_total), 2);
        self.euros4(&ecart)?;
        for x in [
            l.contribution_n1,
            l.contribution_n,
            l.financement_public_n1,
            l.financement_public_n,
            l.variation,
            l.bonus_trajectoire,
            l.bonus_ctre,
        ] {
            self.nombre(m(x), 2);
        }
        self.terminer();
        Ok(())
    }
}

/// The fields of one structure row (columns [`COLONNES`]), formatted for profile `p`.
pub fn champs_structure(l: &LigneStructure, p: Profil) -> R<Vec<String>> {
    let s = &l.structure;
    let taux = match &l.taux_unitaire {
        Some(t) => euros(t, 4)?,
        None => "0.0000".into(),
    };
    Ok(vec![
        texte_sur(&s.id),
        texte_sur(&s.nom),
        s.type_structure.code().to_string(),
        l.eligibilite
            .volet()
            .map(str::to_string)
            .unwrap_or_default(),
        texte_sur(&s.gestionnaire),
        texte_sur(&s.collectivite),
        l.motif().code().to_string(),
        p.unites(l.unites_eligibles),
        p.decimal(taux),
        p.montant(l.bonus_lissage),
        p.montant(l.bonus_nouvelles),
        p.montant(l.bonus_total),
        p.decimal(euros(&l.ecart_arrondi()?, 4)?),
        p.montant(l.contribution_n1),
        p.montant(l.contribution_n),
        p.montant(l.financement_public_n1),
        p.montant(l.financement_public_n),
        p.montant(l.variation),
        p.montant(l.bonus_trajectoire),
        p.montant(l.bonus_ctre),
    ])
}

/// The tables a CSV file can hold, one per file (`--table`; `--sortie DIR/` writes them all).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableCsv {
    /// One row per structure (the default).
    Structures,
    /// Totals per gestionnaire.
    Gestionnaires,
    /// Totals per collectivité.
    Collectivites,
    /// Reconciliation per (collectivité, volet).
    Rapprochement,
    /// The grand totals, one `indicateur;montant` row each.
    Totaux,
}

impl TableCsv {
    pub const TOUTES: [TableCsv; 5] = [
        TableCsv::Structures,
        TableCsv::Gestionnaires,
        TableCsv::Collectivites,
        TableCsv::Rapprochement,
        TableCsv::Totaux,
    ];
    /// Its name (`--table`, and the file name `NOM.csv` of `--sortie DIR/`).
    pub fn nom(self) -> &'static str {
        match self {
            TableCsv::Structures => "structures",
            TableCsv::Gestionnaires => "gestionnaires",
            TableCsv::Collectivites => "collectivites",
            TableCsv::Rapprochement => "rapprochement",
            TableCsv::Totaux => "totaux",
        }
    }
}

/// The grand totals' rows: (indicateur, montant).
pub fn lignes_totaux(r: &Resultat) -> [(&'static str, crate::modele::Montant); 8] {
    let t = &r.total;
    [
        ("charge_n1", t.charge_n1),
        ("lissage_verse", t.lissage_verse),
        ("nouvelles_versees", t.nouvelles_versees),
        ("trajectoire_versee", t.trajectoire_versee),
        ("complement_plancher", t.complement_plancher),
        ("non_redistribue", t.non_redistribue),
        ("verse_collectivite", t.verse_collectivite),
        ("verse_caf", t.verse_caf),
    ]
}

/// One table as a CSV file (bytes, with BOM for `excel-fr`).
pub fn rendre_table(r: &Resultat, p: Profil, t: TableCsv) -> R<Vec<u8>> {
    use super::tables;
    let mut w = constructeur(p).from_writer(bom(p).to_vec());
    let mut ecrire = |champs: &[String]| {
        w.write_record(champs)
            .map_err(|_| Invariant("écriture CSV en mémoire impossible"))
    };
    let textes = |c: &[&str]| c.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    match t {
        TableCsv::Structures => return rendre_avec(r, p, &mut |_, _| {}),
        TableCsv::Gestionnaires => {
            ecrire(&textes(tables::COLONNES_GESTIONNAIRES))?;
            for (g, x) in &r.gestionnaires {
                let mut l = vec![
                    texte_sur(g),
                    x.structures.to_string(),
                    x.structures_eligibles.to_string(),
                ];
                l.extend(tables::montants_totaux(x).into_iter().map(|m| p.montant(m)));
                ecrire(&l)?;
            }
        }
        TableCsv::Collectivites => {
            ecrire(&textes(tables::COLONNES_COLLECTIVITES))?;
            for (id, c) in &r.collectivites {
                let nom = r
                    .convention
                    .collectivite(id)
                    .map_or(String::new(), |c| c.nom.clone());
                let mut l = vec![texte_sur(id), texte_sur(&nom)];
                l.extend(
                    tables::montants_collectivite(c)
                        .into_iter()
                        .map(|m| p.montant(m)),
                );
                l.push(c.structures.structures.to_string());
                l.push(c.structures.structures_eligibles.to_string());
                l.extend(
                    tables::montants_ajoutes(&c.structures)
                        .into_iter()
                        .map(|m| p.montant(m)),
                );
                ecrire(&l)?;
            }
        }
        TableCsv::Rapprochement => {
            ecrire(&textes(COLONNES_RAPPROCHEMENT))?;
            for g in &r.groupes {
                ecrire(&[
                    texte_sur(&g.collectivite),
                    g.volet.clone(),
                    p.montant(g.charge_n1),
                    p.montant(g.lissage_verse),
                    p.montant(g.nouvelles_versees),
                    p.montant(g.complement_plancher),
                    p.montant(g.non_redistribue),
                    p.montant(g.verse_collectivite),
                    p.montant(g.trajectoire_versee),
                ])?;
            }
        }
        TableCsv::Totaux => {
            ecrire(&textes(&["indicateur", "montant"]))?;
            for (n, m) in lignes_totaux(r) {
                ecrire(&[n.to_string(), p.montant(m)])?;
            }
        }
    }
    w.into_inner()
        .map_err(|_| Invariant("écriture CSV en mémoire impossible"))
}

/// The structure table as a CSV file (bytes, with BOM for `excel-fr`): one row per
/// structure. The other tables: [`rendre_table`].
pub fn rendre(r: &Resultat, p: Profil) -> R<Vec<u8>> {
    rendre_avec(r, p, &mut |_, _| {})
}

/// [`rendre`], handing each structure row (its line and its bytes, terminator included) to
/// `par_ligne` as well (`bonus-ctg lot` copies them into the consolidated file without formatting them
/// twice).
pub fn rendre_avec<'r>(
    r: &'r Resultat,
    p: Profil,
    par_ligne: &mut dyn FnMut(&'r LigneStructure, &[u8]),
) -> R<Vec<u8>> {
    let mut octets = Vec::new();
    rendre_dans(r, p, &mut octets, par_ligne)?;
    Ok(octets)
}

/// [`rendre_avec`] into `octets`, emptied first (`bonus-ctg lot` reuses one buffer from one
/// dossier to the next).
pub fn rendre_dans<'r>(
    r: &'r Resultat,
    p: Profil,
    octets: &mut Vec<u8>,
    par_ligne: &mut dyn FnMut(&'r LigneStructure, &[u8]),
) -> R<()> {
    octets.clear();
    // about 150 bytes a row
    octets.reserve(512 + r.structures.len() * 160);
    // writing into memory cannot fail
    let _ = ecrire_structures(r, p, octets, par_ligne)?;
    Ok(())
}

/// The structure table (the bytes of [`rendre`]) written row by row into `w`, each row's
/// line and bytes also handed to `par_ligne`: the table is never held whole in memory. `Err`: a
/// figure that cannot be written (overflow), `Ok(Err)`: `w` failed (nothing more written).
pub fn ecrire_structures<'r>(
    r: &'r Resultat,
    p: Profil,
    w: &mut dyn std::io::Write,
    par_ligne: &mut dyn FnMut(&'r LigneStructure, &[u8]),
) -> R<std::io::Result<()>> {
    let mut l = LigneCsv::new(p);
    l.octets.extend_from_slice(bom(p));
    for c in COLONNES {
        l.champ(c.as_bytes());
    }
    l.terminer();
    if let Err(e) = w.write_all(&l.octets) {
        return Ok(Err(e));
    }
    for s in &r.structures {
        l.vider();
        l.structure(s)?;
        par_ligne(s, &l.octets);
        if let Err(e) = w.write_all(&l.octets) {
            return Ok(Err(e));
        }
    }
    Ok(Ok(()))
}

/// One table written into `w`: the structure table row by row ([`ecrire_structures`]), the
/// others (one row per gestionnaire, collectivité, group or total) rendered first.
pub fn ecrire_table(
    r: &Resultat,
    p: Profil,
    t: TableCsv,
    w: &mut dyn std::io::Write,
) -> R<std::io::Result<()>> {
    match t {
        TableCsv::Structures => ecrire_structures(r, p, w, &mut |_, _| {}),
        _ => {
            let octets = rendre_table(r, p, t)?;
            Ok(w.write_all(&octets))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same text by an independent method: `u128` quotient and remainder by `10^e`,
    /// decimals zero-padded by `format!`.
    fn reference(v: i128, e: u32, sep: char) -> String {
        let p = 10u128.pow(e);
        let a = v.unsigned_abs();
        let signe = if v < 0 { "-" } else { "" };
        if e == 0 {
            format!("{signe}{a}")
        } else {
            format!("{signe}{}{sep}{:0w$}", a / p, a % p, w = e as usize)
        }
    }

    #[test]
    fn nombres_ecrits_comme_la_reference() {
        // every scale 0..=19, values around each power of ten, signs, the 64-bit edge and
        // beyond (the general formatting)
        let mut valeurs = vec![0i128, 1, 9, 10, 99, 100, 101, 999, 1_000, 123_456_789];
        for k in 0..=19 {
            let p = 10i128.pow(k);
            valeurs.extend([p - 1, p, p + 1, 7 * p + 3]);
        }
        valeurs.extend([u64::MAX as i128, u64::MAX as i128 + 1, i128::MAX / 3]);
        let negatifs: Vec<i128> = valeurs.iter().map(|v| -v).collect();
        valeurs.extend(negatifs);
        for (p, sep) in [(Profil::ExcelFr, ','), (Profil::Rfc4180, '.')] {
            for &v in &valeurs {
                for e in 0..=19 {
                    let mut l = LigneCsv::new(p);
                    l.nombre(v, e);
                    let attendu = reference(v, e, sep);
                    assert_eq!(String::from_utf8(l.octets).unwrap(), attendu, "{v} {e}");
                }
            }
        }
    }

    #[test]
    fn guillemets_comme_le_crate_csv() {
        // the csv crate writes the same fields: quotes around a field holding the
        // delimiter, a quote, CR or LF, its quotes doubled
        let champs: &[&[u8]] = &[
            b"simple",
            b"a;b",
            b"a,b",
            b"dit \"oui\"",
            b"ligne\nsuite",
            b"retour\rchariot",
            b"",
            "accentué".as_bytes(),
        ];
        for p in [Profil::ExcelFr, Profil::Rfc4180] {
            let mut l = LigneCsv::new(p);
            for c in champs {
                l.champ(c);
            }
            l.terminer();
            let mut w = constructeur(p).from_writer(Vec::new());
            w.write_record(champs).unwrap();
            assert_eq!(l.octets, w.into_inner().unwrap(), "{p:?}");
        }
    }
}
