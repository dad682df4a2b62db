//! The hypotheses tested for one structure alone: its notified amount compared with its
//! calculation with one value changed (employer units, new units, months, units, envelope,
//! tranche, new places), each evaluated through the rules of [`super::regles`].

use super::*;

/// Alternative hypotheses for one structure alone, at rate `taux` (cents per unit).
pub(super) fn hypotheses_structure(
    ctx: &Contexte,
    l: &LigneStructure,
    g: &GroupeVolet,
    n: Montant,
    taux: Rationnel,
) -> R<Vec<Cause>> {
    let h = Hypotheses {
        ctx,
        l,
        g,
        n,
        taux,
        u: u_h(l),
        m: mo(l),
    };
    let mut v = Vec::new();
    v.extend(h.employeurs_non_deduits()?);
    v.extend(h.nouvelles_comme_existantes()?);
    if h.m < 12 {
        v.extend(h.mois(12)?);
    }
    // a single-structure group gets A × mo / 12 whatever its unit count: only the envelope
    if g.structures_eligibles == 1 && h.m > 0 && h.u > 0 {
        v.extend(h.enveloppe_seule()?);
    } else if h.m > 0 && taux > Rationnel::ZERO {
        v.extend(h.autres_unites()?);
    }
    for mop in (1..12).rev() {
        if mop != h.m {
            v.extend(h.mois(mop)?);
        }
    }
    let nh = l.structure.unites_nouvelles.0 as i128;
    if nh > 0 && h.m > 0 {
        v.extend(h.autres_tranches()?);
    }
    if l.forfait.0 > 0 && h.m > 0 {
        v.extend(h.autres_places_nouvelles()?);
    }
    Ok(v)
}

/// One structure's notified amount `n`, tested against its calculation with one value
/// changed, at rate `taux` (cents per unit); `u` its units (hundredths), `m` its months.
struct Hypotheses<'a> {
    ctx: &'a Contexte<'a>,
    l: &'a LigneStructure,
    g: &'a GroupeVolet,
    n: Montant,
    taux: Rationnel,
    u: i128,
    m: i128,
}

impl Hypotheses<'_> {
    /// The amount for `up` units open `mop` months at the rate, with the structure's
    /// new-unit share for those months.
    fn pred(&self, up: i128, mop: i128) -> R<Rationnel> {
        let lis = part_lissage(self.taux, Rationnel::entier(up), mop)?;
        let nv = if self.m > 0 {
            exacte_nouvelles(self.l).mul(Rationnel::new(mop, self.m)?)?
        } else {
            Rationnel::ZERO
        };
        lis.add(nv)
    }

    /// The structure's cap factor on new units (1 when the cap does not bind).
    fn facteur(&self) -> Rationnel {
        self.g.facteur_plafond.unwrap_or(Rationnel::UN)
    }

    /// Employer units not deducted.
    fn employeurs_non_deduits(&self) -> R<Option<Cause>> {
        let s = &self.l.structure;
        if s.unites_employeurs.0 <= 0 || self.m <= 0 {
            return Ok(None);
        }
        let up = s.unites_existantes.0 as i128;
        if !arrondit_a(&self.pred(up, self.m)?, self.n) {
            return Ok(None);
        }
        Ok(Some(cause(
            "UNITES_EMPLOYEURS",
            format!(
                "le montant notifié correspond à {} unités au taux de {} par unité : les {} places réservées aux employeurs ne semblent pas déduites (nous retenons {} − {} = {})",
                unites_fr(up),
                taux_fr(&self.taux)?,
                unites_fr(s.unites_employeurs.0 as i128),
                unites_fr(up),
                unites_fr(s.unites_employeurs.0 as i128),
                unites_fr(self.u)
            ),
        )))
    }

    /// New units counted as existing ones.
    fn nouvelles_comme_existantes(&self) -> R<Option<Cause>> {
        let s = &self.l.structure;
        if s.unites_nouvelles.0 <= 0 || self.m <= 0 {
            return Ok(None);
        }
        let up = self.u + s.unites_nouvelles.0 as i128;
        if !arrondit_a(
            &part_lissage(self.taux, Rationnel::entier(up), self.m)?,
            self.n,
        ) {
            return Ok(None);
        }
        Ok(Some(cause(
            "UNITES_NOUVELLES",
            format!(
                "le montant notifié correspond à un lissage sur {} unités sans forfait : les {} places nouvelles semblent comptées comme existantes",
                unites_fr(up),
                unites_fr(s.unites_nouvelles.0 as i128)
            ),
        )))
    }

    /// Another number of months, same rate and units.
    fn mois(&self, mop: i128) -> R<Option<Cause>> {
        let m = self.m;
        Ok(arrondit_a(&self.pred(self.u, mop)?, self.n).then(|| {
            cause(
                "MOIS_OUVERTURE",
                format!(
                    "le montant notifié correspond à {mop} mois d'ouverture au lieu de {m} (même taux, mêmes unités)"
                ),
            )
        }))
    }

    /// The only eligible structure of its group: another envelope A'.
    fn enveloppe_seule(&self) -> R<Option<Cause>> {
        let (l, g) = (self.l, self.g);
        let reval = facteur_revalorisation(g)?;
        let u = Rationnel::entier(self.u);
        // the structure alone is the group: A' / u, revalued, over its units and months
        let a_prime = antecedent(
            |a| montant_au_taux(l, revaloriser(taux_enveloppe(a, u)?, reval)?, u),
            rat(self.n),
        )?;
        if a_prime == Rationnel::entier(g.charge_n1.0 as i128)
            || Rationnel::entier(g.plancher.0 as i128) > self.taux
        {
            return Ok(None);
        }
        Ok(Some(cause(
            "ENVELOPPE_N1",
            format!(
                "seule structure éligible du groupe ({}, {}) : elle reçoit toute la charge N-1 au prorata de ses mois d'ouverture, quel que soit son nombre d'unités ; le montant notifié correspond à une charge N-1 d'environ {} au lieu de {}",
                g.collectivite,
                g.volet,
                fr_r(&a_prime)?,
                montant_fr(g.charge_n1)
            ),
        )))
    }

    /// Another unit count at this rate.
    fn autres_unites(&self) -> R<Option<Cause>> {
        let (s, g, taux) = (&self.l.structure, self.g, self.taux);
        let (lo, hi) = antecedents(|u| montant_au_taux(self.l, taux, u), self.n)?;
        let Some(up) = valeur_ronde(&lo, &hi)? else {
            return Ok(None);
        };
        // (existing units without the employer deduction: already said above)
        let deja = s.unites_employeurs.0 > 0 && up == s.unites_existantes.0 as i128;
        if up == self.u || up < 0 || deja {
            return Ok(None);
        }
        Ok(Some(cause(
            "UNITES",
            format!(
                "le montant notifié correspond à {} unités au taux de {} par unité, au lieu de {} ({} du groupe)",
                unites_fr(up),
                taux_fr(&taux)?,
                unites_fr(self.u),
                if taux == g.taux_effectif.map_or(Rationnel::ZERO, |t| t.0) { "taux calculé" } else { "taux notifié" }
            ),
        )))
    }

    /// New units at another tranche's forfait.
    fn autres_tranches(&self) -> R<Vec<Cause>> {
        let (l, g) = (self.l, self.g);
        let s = &l.structure;
        let nh = Rationnel::entier(s.unites_nouvelles.0 as i128);
        let volet = self
            .ctx
            .r
            .bareme
            .volets
            .get(&g.volet)
            .ok_or(Invariant("volet d'un groupe versé absent du barème"))?;
        let tranche = self
            .ctx
            .r
            .convention
            .collectivite(&s.collectivite)
            .and_then(|c| c.tranche)
            .unwrap_or(0);
        let mut v = Vec::new();
        for (k, f) in volet.forfaits_nouvelles.valeur.iter().enumerate() {
            if *f == l.forfait {
                continue;
            }
            let tn = part_nouvelles(*f, nh, self.m, self.facteur())?;
            if arrondit_a(&exacte_lissage(l).add(tn)?, self.n) {
                v.push(cause(
                    "TRANCHE",
                    format!(
                        "le montant notifié correspond au forfait de la tranche {} ({} par place nouvelle) au lieu de la tranche {tranche} ({})",
                        k + 1,
                        montant_fr(*f),
                        montant_fr(l.forfait)
                    ),
                ));
            }
        }
        Ok(v)
    }

    /// Another number of new places at the forfait.
    fn autres_places_nouvelles(&self) -> R<Option<Cause>> {
        let l = self.l;
        let nh = l.structure.unites_nouvelles.0 as i128;
        let (lo, hi) = antecedents(
            |np| exacte_lissage(l).add(part_nouvelles(l.forfait, np, self.m, self.facteur())?),
            self.n,
        )?;
        let Some(np) = valeur_ronde(&lo, &hi)? else {
            return Ok(None);
        };
        if np == nh || np < 0 {
            return Ok(None);
        }
        Ok(Some(cause(
            "UNITES_NOUVELLES",
            format!(
                "le montant notifié correspond à {} places nouvelles au forfait de {} au lieu de {}",
                unites_fr(np),
                montant_fr(l.forfait),
                unites_fr(nh)
            ),
        )))
    }
}
