//! Steps 3–4 of the calculation, for one group (collectivité, volet): the lissage of the
//! envelope over the existing units (R6, R60, R66), the forfaits of the new units with
//! their cap (R7, R62), each rounded as a group (R9), and the reconciliation (R8).

use super::groupes::{Cle, Membres};
use super::rationnel::{Depassement, Rationnel, R};
use super::repartition::arrondir_groupe;
use super::{decimal_en_rationnel, taux_effectif, ArrondiGroupe, Entree, GroupeVolet, Parts};
use crate::bareme::{PlafondBase, Versement, VoletExercice};
use crate::modele::{Montant, Taux, UniteMois, Unites};

/// The members of a group seen by the distribution: the units and unit-months of each one,
/// bonus units (`u_i = existantes − employeurs`) or employer places (CTRE, R64).
struct Membres1<'a, 'e> {
    e: &'a Entree<'e>,
    ctre: bool,
    indices: &'a [usize],
    ids: Vec<&'e str>,
}

impl Membres1<'_, '_> {
    /// `u_i` (hundredths).
    fn u(&self, i: usize) -> i128 {
        let s = &self.e.ordre[i];
        if self.ctre {
            s.unites_employeurs.0 as i128
        } else {
            s.unites_bonus().0 as i128
        }
    }
    fn mo(&self, i: usize) -> i128 {
        self.e.ordre[i].mois_ouverture as i128
    }
    /// Unit-months of the existing units.
    fn um(&self, i: usize) -> i128 {
        if self.ctre {
            self.u(i) * self.mo(i)
        } else {
            self.e.unites_mois[i].existantes as i128
        }
    }
    /// New units (hundredths).
    fn n_brut(&self, i: usize) -> i128 {
        let s = &self.e.ordre[i];
        if self.ctre {
            s.unites_employeurs_nouvelles.0 as i128
        } else {
            s.unites_nouvelles.0 as i128
        }
    }
    /// Unit-months of the new units.
    fn nm(&self, i: usize) -> i128 {
        if self.ctre {
            self.n_brut(i) * self.mo(i)
        } else {
            self.e.unites_mois[i].nouvelles as i128
        }
    }
}

/// Distributes group `k` (R5–R9, R60–R66) into `parts`.
pub(super) fn repartir(
    e: &Entree,
    membres: &Membres,
    k: &Cle,
    g: &mut GroupeVolet,
    parts: &mut Parts,
) -> R<()> {
    let a = g.charge_n1.0 as i128;
    let Some(volet) = e.bareme.volets.get(&g.volet) else {
        g.non_redistribue = g.charge_n1; // unknown volet (R5)
        return Ok(());
    };
    if volet.versement.valeur == Versement::Collectivite {
        g.verse_collectivite = g.charge_n1; // PILOTAGE (R5)
        return Ok(());
    }
    let ctre = volet.versement.valeur == Versement::Employeurs;
    let indices = membres.de(k, ctre);
    g.structures_eligibles = indices.len();
    let m = Membres1 {
        e,
        ctre,
        ids: indices.iter().map(|&i| e.ordre[i].id.as_str()).collect(),
        indices,
    };
    let u_total: i128 = m.indices.iter().map(|&i| m.u(i)).sum();
    g.unites = Unites(i64::try_from(u_total).map_err(|_| Depassement)?);

    let (l_verse, complement) = if u_total > 0 {
        lissage(&m, k, g, volet, a, u_total, parts)?
    } else {
        (0, Rationnel::ZERO)
    };
    let n_verse = nouvelles(&m, g, volet, a, u_total, parts)?;

    // reconciliation (R8): A + C = L + R + P, R ≥ 0
    g.lissage_verse = Montant::depuis_i128(l_verse)?;
    g.nouvelles_versees = Montant::depuis_i128(n_verse)?;
    g.complement_plancher = Montant::depuis_i128(complement.arrondi_demi_haut())?;
    g.non_redistribue = Montant::depuis_i128(a - l_verse + g.complement_plancher.0 as i128)?;
    Ok(())
}

/// Lissage (R6, R60): `m = A / U` (cents per unit; units are hundredths) or the imposed
/// rate, `m_eff`, the shares `s_i = m_eff × u_i × mo_i / 12` rounded as a group, and the
/// complement `C` paid beyond the envelope (R8, R66). Returns `L` and `C`.
fn lissage(
    m: &Membres1,
    k: &Cle,
    g: &mut GroupeVolet,
    volet: &VoletExercice,
    a: i128,
    u_total: i128,
    parts: &mut Parts,
) -> R<(i128, Rationnel)> {
    let e = m.e;
    let arrondi = e.bareme.arrondi.valeur;
    let population = e
        .index
        .get(g.collectivite.as_str())
        .and_then(|c| c.population);
    // the envelope's own rate A / U
    let m_enveloppe =
        super::parts::taux_enveloppe(Rationnel::entier(a), Rationnel::entier(u_total))?;
    let taux = match e.surcharges.taux_imposes.get(k) {
        Some(t) => {
            g.taux_impose = true;
            *t
        }
        None => Taux(m_enveloppe),
    };
    let (m_eff, plancher, reval) = taux_effectif(volet, population, taux)?;
    g.plancher = plancher;
    g.revalorisation = reval;
    g.taux_base = Some(taux);
    g.taux_effectif = Some(m_eff);
    // s_i = m_eff × u_i × mo_i / 12 (parts::part_lissage, R6) for the whole group, as
    // numerators over one denominator: m_eff.num × u_h × mo / (m_eff.den × 1200)
    // (u_h × mo: the structure's unit-months, R21)
    let den = m_eff
        .den()
        .checked_mul(UniteMois::PAR_AN)
        .ok_or(Depassement)?;
    let mut nums = Vec::with_capacity(m.indices.len());
    let mut base = 0i128; // Σ u_h × mo (for the complement)
    for &i in m.indices {
        let um = m.um(i);
        base = base.checked_add(um).ok_or(Depassement)?;
        nums.push(m_eff.num().checked_mul(um).ok_or(Depassement)?);
    }
    let gr = arrondir_groupe(&m.ids, &nums, den, arrondi)?;
    // C = max(0, Σ s_i − (A / U) × Σ u_i mo_i / 12): what is paid beyond what the
    // envelope finances at its own rate (floor, revaluation, kept rate; R8, R66)
    let finance = m_enveloppe.mul(Rationnel::new(base, UniteMois::PAR_AN)?)?;
    let c = gr.total_exact.sub(finance)?;
    let complement = if c > Rationnel::ZERO {
        c
    } else {
        Rationnel::ZERO
    };
    let l_verse = gr.total as i128;
    g.arrondi_lissage = Some(ArrondiGroupe::de(&gr, arrondi));
    let partage = std::sync::Arc::new(m_eff);
    for (&i, att) in m.indices.iter().zip(gr.lignes) {
        if m.ctre {
            parts.ctre_lissage[i] = Some(Box::new(att));
        } else {
            parts.taux[i] = Some(partage.clone());
            parts.lissage[i] = Some(Box::new(att));
        }
    }
    Ok((l_verse, complement))
}

/// New units (R7, R62): `t_i = forfait(tranche) × n_i × mo_i / 12`, capped, rounded as a
/// group. Returns `N`.
fn nouvelles(
    m: &Membres1,
    g: &mut GroupeVolet,
    volet: &VoletExercice,
    a: i128,
    u_total: i128,
    parts: &mut Parts,
) -> R<i128> {
    let arrondi = m.e.bareme.arrondi.valeur;
    let tranche =
        m.e.index
            .get(g.collectivite.as_str())
            .and_then(|c| c.tranche)
            .unwrap_or(0);
    let forfait = forfait_du_groupe(volet, tranche, m.ctre);
    let mut nums = Vec::with_capacity(m.indices.len());
    let mut somme_nums = 0i128;
    let mut somme_n = 0i128;
    for &i in m.indices {
        if !m.ctre {
            parts.forfaits[i] = forfait;
        }
        somme_n = somme_n.checked_add(m.n_brut(i)).ok_or(Depassement)?;
        let n = (forfait.0 as i128)
            .checked_mul(m.nm(i))
            .ok_or(Depassement)?;
        somme_nums = somme_nums.checked_add(n).ok_or(Depassement)?;
        nums.push(n);
    }
    g.unites_nouvelles = Unites(i64::try_from(somme_n).map_err(|_| Depassement)?);
    g.nouvelles_avant_plafond = Rationnel::new(somme_nums, UniteMois::PAR_AN)?;
    let mut den = UniteMois::PAR_AN;
    if let Some(f) = plafond(g, volet, a, u_total, somme_n)? {
        g.facteur_plafond = Some(f);
        for n in nums.iter_mut() {
            *n = n.checked_mul(f.num()).ok_or(Depassement)?;
        }
        den = den.checked_mul(f.den()).ok_or(Depassement)?;
    }
    if m.ids.is_empty() {
        return Ok(0);
    }
    let gr = arrondir_groupe(&m.ids, &nums, den, arrondi)?;
    g.arrondi_nouvelles = Some(ArrondiGroupe::de(&gr, arrondi));
    let verse = gr.total as i128;
    for (&i, att) in m.indices.iter().zip(gr.lignes) {
        if m.ctre {
            parts.ctre_nouvelles[i] = Some(Box::new(att));
        } else {
            parts.nouvelles[i] = Some(Box::new(att));
        }
    }
    Ok(verse)
}

/// The forfait per new unit of a group of `volet` for a collectivité of tranche `tranche`
/// (0: none given): its tranche's (R7), the first tranche's for the CTRE (R64).
pub(crate) fn forfait_du_groupe(volet: &VoletExercice, tranche: u32, ctre: bool) -> Montant {
    volet.forfait(if ctre { tranche.max(1) } else { tranche })
}

/// The cap of the new units (R62), when the volet has one (never for CTRE): records it in
/// the group and returns the factor applied to every share when it binds.
fn plafond(
    g: &mut GroupeVolet,
    volet: &VoletExercice,
    a: i128,
    u_total: i128,
    somme_n: i128,
) -> R<Option<Rationnel>> {
    let Some(p) = volet.plafond_developpement.valeur else {
        return Ok(None);
    };
    if volet.versement.valeur == Versement::Employeurs {
        return Ok(None);
    }
    let p = decimal_en_rationnel(p)?;
    Ok(match volet.plafond_base.valeur {
        PlafondBase::Enveloppe => {
            let plafond = p.mul(Rationnel::entier(a))?;
            g.plafond = Some(plafond);
            if g.nouvelles_avant_plafond > plafond {
                Some(plafond.div(g.nouvelles_avant_plafond)?)
            } else {
                None
            }
        }
        PlafondBase::Unites => {
            // Σ n_i ≤ plafond × Σ u_i, in hours (hundredths)
            let plafond = p.mul(Rationnel::entier(u_total))?;
            g.plafond_unites = Some(plafond);
            if Rationnel::entier(somme_n) > plafond {
                Some(plafond.div(Rationnel::entier(somme_n))?)
            } else {
                None
            }
        }
    })
}
