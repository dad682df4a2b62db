//! The sections of the report that list every structure or group (detail, reconciliation,
//! excluded structures) and the barème with the modelling choices, written into the page
//! `o` as it is made (handed to `w` in pieces for the long ones).

use super::*;

/// 1. Summary: what the Caf pays, the contributions, the structures eligible, the charge.
pub(super) fn synthese(o: &mut String, r: &Resultat) {
    let t = &r.total;
    // summary
    let _ = write!(
        o,
        "<section id=\"synthese\">\n<h2>1. Synthèse</h2>\n<div class=\"cartes\">\n\
         <div class=\"carte\" id=\"total-caf\"><div class=\"etiquette\">Versé par la Caf en {ex}</div><div class=\"valeur\" data-centimes=\"{vc}\">{vcf}</div><div class=\"detail\">{detail}</div></div>\n\
         <div class=\"carte coll\" id=\"total-collectivites\"><div class=\"etiquette\">Contributions des collectivités aux structures</div><div class=\"valeur petite\">N-1 : <span data-centimes=\"{c1}\">{c1f}</span></div><div class=\"valeur petite\">{ex} : <span data-centimes=\"{cn}\">{cnf}</span></div></div>\n\
         <div class=\"carte elig\" id=\"structures-eligibles\"><div class=\"etiquette\">Structures éligibles</div><div class=\"valeur\"><span data-nombre=\"{ne}\">{ne}</span> sur {ns}</div><div class=\"detail\">{nx} structure{px} non éligible{px} (section 6)</div></div>\n\
         <div class=\"carte\" id=\"charge-n1\"><div class=\"etiquette\">Charge à payer N-1 à répartir</div><div class=\"valeur\" data-centimes=\"{a}\">{af}</div><div class=\"detail\">dont non redistribué {nr}</div></div>\n\
         </div>\n",
        ex = r.exercice,
        vc = t.verse_caf.0,
        vcf = esc(&fr(t.verse_caf)),
        detail = esc(&crate::rapport::detail_verse_caf(t, fr)),
        c1 = t.structures.contribution_n1.0,
        c1f = esc(&fr(t.structures.contribution_n1)),
        cn = t.structures.contribution_n.0,
        cnf = esc(&fr(t.structures.contribution_n)),
        ne = t.structures.structures_eligibles,
        ns = t.structures.structures,
        nx = t.structures.structures - t.structures.structures_eligibles,
        px = if t.structures.structures - t.structures.structures_eligibles > 1 { "s" } else { "" },
        a = t.charge_n1.0,
        af = esc(&fr(t.charge_n1)),
        nr = esc(&fr(t.non_redistribue)),
    );
    let fp1 = t.structures.financement_public_n1;
    let fpn = t.structures.financement_public_n;
    let _ = write!(
        o,
        "<p>En {ex}, la Caf verse le bonus territoire directement aux gestionnaires des structures éligibles ({bs}), au lieu de le verser à la collectivité. \
         Les collectivités ajustent leurs contributions : {c1} en N-1, {cn} en {ex}. \
         Le financement public des structures (Caf + collectivités) passe de {fp1} à {fpn} (variation {va}).</p>\n</section>\n",
        ex = r.exercice,
        bs = esc(&fr(t.structures.bonus_total)),
        c1 = esc(&fr(t.structures.contribution_n1)),
        cn = esc(&fr(t.structures.contribution_n)),
        fp1 = esc(&fr(fp1)),
        fpn = esc(&fr(fpn)),
        va = esc(&fr(t.structures.variation)),
    );
}

/// 2. One bar chart per volet.
pub(super) fn volets(
    o: &mut String,
    r: &Resultat,
    w: &mut dyn std::io::Write,
) -> R<std::io::Result<()>> {
    // bar chart per volet
    o.push_str("<section id=\"bonus-par-volet\">\n<div class=\"tete\"><h2>2. Bonus par structure, par volet</h2>\n<p>Une barre par structure éligible, la plus forte en haut ; chaque volet a sa propre échelle.</p></div>\n");
    let mut volets: Vec<&str> = Vec::new();
    for g in &r.groupes {
        if !volets.contains(&g.volet.as_str()) {
            volets.push(&g.volet);
        }
    }
    let mut aucun = true;
    for v in &volets {
        let mut lignes: Vec<&LigneStructure> = r
            .structures
            .iter()
            .filter(|l| l.motif() == Motif::Eligible && l.eligibilite.volet() == Some(v))
            .collect();
        if lignes.is_empty() {
            continue;
        }
        aucun = false;
        lignes.sort_by(|a, b| {
            b.bonus_total
                .cmp(&a.bonus_total)
                .then_with(|| a.structure.id.as_bytes().cmp(b.structure.id.as_bytes()))
        });
        let total = Montant(lignes.iter().map(|l| l.bonus_total.0).sum());
        let unite = r
            .bareme
            .volets
            .get(*v)
            .map_or("unité".to_string(), |x| x.unite.valeur.clone());
        let charge = Montant(
            r.groupes
                .iter()
                .filter(|g| g.volet == *v)
                .map(|g| g.charge_n1.0)
                .sum(),
        );
        let _ = write!(
            o,
            "<figure id=\"volet-{}\"><figcaption>Volet {} — {} structure{} — bonus {} (charge N-1 {}) — unité : {}</figcaption>",
            esc(v),
            esc(v),
            lignes.len(),
            if lignes.len() > 1 { "s" } else { "" },
            esc(&fr(total)),
            esc(&fr(charge)),
            esc(&unite)
        );
        if let Err(e) = graphique_volet(o, w, v, &lignes) {
            return Ok(Err(e));
        }
        o.push_str(&legende_volet(&lignes));
        o.push_str("</figure>\n");
        vider!(o, w);
    }
    if aucun {
        o.push_str("<p>Aucune structure éligible : aucun bonus n'est réparti.</p>\n");
    }
    o.push_str("</section>\n");

    Ok(Ok(()))
}

/// 3. Caf and collectivité funding per gestionnaire, N-1 and N.
pub(super) fn gestionnaires(o: &mut String, r: &Resultat) {
    // gestionnaires
    let _ = write!(o, "<section id=\"financement-gestionnaires\">\n<div class=\"tete\"><h2>3. Financement Caf et collectivité par gestionnaire, N-1 et N</h2>\n<p>Part de chaque financeur dans le financement public du gestionnaire ; barre du haut : N-1, barre du bas : {ex}.</p></div>\n<figure>", ex = r.exercice);
    graphique_gestionnaires(o, r);
    o.push_str("<p class=\"legende\">Légende :<span style=\"background:#2b6cb0\"></span>Caf (bonus)<span style=\"background:#dd6b20\"></span>collectivité (contribution) ; à droite, le financement public total et la part de la Caf.</p></figure>\n<div class=\"defilement\"><table id=\"table-gestionnaires\">\n<thead><tr><th>Gestionnaire</th><th class=\"n\">Structures éligibles</th><th class=\"n\">Bonus N-1</th><th class=\"n\">Bonus N</th><th class=\"n\">Contrib. N-1</th><th class=\"n\">Contrib. N</th><th class=\"n\">Fin. public N-1</th><th class=\"n\">Fin. public N</th><th class=\"n\">Variation</th></tr></thead>\n<tbody>\n");
    for (g, x) in &r.gestionnaires {
        let _ = writeln!(
            o,
            "<tr data-gestionnaire=\"{}\"><td>{}</td>{}</tr>",
            esc(g),
            esc(g),
            cellules_gestionnaire(x)
        );
    }
    let x = &r.total.structures;
    let _ = writeln!(
        o,
        "</tbody>\n<tfoot><tr><td>Total</td>{}</tr></tfoot>\n</table></div>\n</section>",
        cellules_gestionnaire(x)
    );
}

/// 4. Detail per structure (one row per structure).
pub(super) fn structures(
    o: &mut String,
    r: &Resultat,
    w: &mut dyn std::io::Write,
) -> R<std::io::Result<()>> {
    let x = &r.total.structures;
    // per-structure table
    o.push_str("<section id=\"structures\" class=\"saut\">\n<div class=\"tete\"><h2>4. Détail par structure</h2>\n<p>Montants versés après arrondi au centime (arrondi de groupe, R9). « Unités » : unités existantes retenues (hors places réservées aux employeurs).</p></div>\n<div class=\"defilement\" tabindex=\"0\" role=\"region\" aria-label=\"Détail par structure (défile horizontalement)\"><table id=\"table-structures\">\n<thead><tr><th>Structure</th><th>Gestionnaire</th><th>Volet</th><th class=\"n\">Unités</th><th class=\"n\">Taux / unité</th><th class=\"n\">Lissage</th><th class=\"n\">Places nouvelles</th><th class=\"n\">Bonus total</th><th class=\"n\">Contrib. N-1</th><th class=\"n\">Contrib. N</th><th class=\"n\">Variation</th><th class=\"n\">dont trajectoire</th><th class=\"n\">CTRE</th></tr></thead>\n<tbody>\n");
    for l in &r.structures {
        let s = &l.structure;
        let eligible = l.motif() == Motif::Eligible;
        let taux = match &l.taux_unitaire {
            Some(x) if eligible => format!("{}\u{a0}€", groupe_fr(&euros(x, 4)?)),
            _ => "—".into(),
        };
        let _ = writeln!(
            o,
            "<tr data-id=\"{id}\" data-motif=\"{m}\"{cl}><td>{nom}<br><span class=\"id\">{id}</span></td><td>{g}</td><td>{v}</td><td class=\"n\">{u}</td><td class=\"n\">{taux}</td>{bl}{bn}{bt}{c1}{cn}{va}{tj}{ct}</tr>",
            id = esc(&s.id),
            m = l.motif().code(),
            cl = if eligible { "" } else { " class=\"exclue\"" },
            nom = esc(&s.nom),
            g = esc(&s.gestionnaire),
            v = if eligible {
                esc(l.eligibilite.volet().unwrap_or("—"))
            } else {
                format!(
                    "{}<br><span class=\"motif\">non éligible ({})</span>",
                    esc(l.eligibilite.volet().unwrap_or("—")),
                    motif_court(l.motif())
                )
            },
            u = if eligible { esc(&groupe_fr(&l.unites_eligibles.to_string())) } else { "—".into() },
            taux = esc(&taux),
            bl = td_montant(l.bonus_lissage),
            bn = td_montant(l.bonus_nouvelles),
            bt = td_montant(l.bonus_total),
            c1 = td_montant(l.contribution_n1),
            cn = td_montant(l.contribution_n),
            va = td_montant(l.variation),
            tj = td_montant(l.bonus_trajectoire),
            ct = td_montant(l.bonus_ctre),
        );
        vider!(o, w);
    }
    let _ = writeln!(
        o,
        "</tbody>\n<tfoot><tr id=\"total-structures\"><td colspan=\"5\">Total ({} structures, dont {} éligibles)</td>{}{}{}{}{}{}{}{}</tr></tfoot>\n</table></div>\n</section>",
        x.structures,
        x.structures_eligibles,
        td_montant(x.bonus_lissage),
        td_montant(x.bonus_nouvelles),
        td_montant(x.bonus_total),
        td_montant(x.contribution_n1),
        td_montant(x.contribution_n),
        td_montant(x.variation),
        td_montant(x.bonus_trajectoire),
        td_montant(x.bonus_ctre)
    );

    Ok(Ok(()))
}

/// 5. Reconciliation per collectivité and volet.
pub(super) fn rapprochement(o: &mut String, r: &Resultat) {
    let t = &r.total;
    // T only when a structure receives a bonus trajectoire
    let avec_t = t.trajectoire_versee.0 != 0;
    let (verse, colonne_t) = if avec_t {
        (
            ". Le bonus trajectoire (T) s'y ajoute, en dehors de A : la Caf verse L + N + T + P.",
            "<th class=\"n\">Trajectoire (T)</th>",
        )
    } else {
        (". La Caf verse L + N + P.", "")
    };
    let td_t = |m: Montant| if avec_t { td_montant(m) } else { String::new() };
    // reconciliation
    let _ = write!(
        o,
        "<section id=\"rapprochement\">\n<div class=\"tete\"><h2>5. Rapprochement par collectivité et volet</h2>\n<p>Pour chaque collectivité et chaque volet : la charge à payer N-1 (A) se retrouve dans le lissage versé (L), le complément dû au plancher et à la revalorisation (C), le non redistribué (R : mois de fermeture, volet sans structure éligible ou inconnu du barème) et ce qui est versé à la collectivité elle-même (P, pilotage) : A + C = L + R + P{verse}</p></div>\n<div class=\"defilement\"><table id=\"table-rapprochement\">\n<thead><tr><th>Collectivité</th><th>Volet</th><th class=\"n\">Charge N-1 (A)</th><th class=\"n\">Unités (U)</th><th class=\"n\">Lissage (L)</th><th class=\"n\">Places nouvelles (N)</th>{colonne_t}<th class=\"n\">Complément (C)</th><th class=\"n\">Non redistribué (R)</th><th class=\"n\">Versé collectivité (P)</th><th class=\"n\">Versé Caf</th></tr></thead>\n<tbody>\n"
    );
    for g in &r.groupes {
        let _ = writeln!(
            o,
            "<tr data-collectivite=\"{}\" data-volet=\"{}\"><td>{}</td><td>{}</td>{}<td class=\"n\">{}</td>{}{}{}{}{}{}{}</tr>",
            esc(&g.collectivite),
            esc(&g.volet),
            esc(&g.collectivite),
            esc(&g.volet),
            td_montant(g.charge_n1),
            esc(&groupe_fr(&g.unites.to_string())),
            td_montant(g.lissage_verse),
            td_montant(g.nouvelles_versees),
            td_t(g.trajectoire_versee),
            td_montant(g.complement_plancher),
            td_montant(g.non_redistribue),
            td_montant(g.verse_collectivite),
            td_montant(g.verse_caf())
        );
    }
    let _ = writeln!(
        o,
        "</tbody>\n<tfoot><tr id=\"total-rapprochement\"><td colspan=\"2\">Total</td>{}<td></td>{}{}{}{}{}{}{}</tr></tfoot>\n</table></div>\n<p>Total versé par la Caf : {} = <strong>{}</strong>.</p>\n</section>",
        td_montant(t.charge_n1),
        td_montant(t.lissage_verse),
        td_montant(t.nouvelles_versees),
        td_t(t.trajectoire_versee),
        td_montant(t.complement_plancher),
        td_montant(t.non_redistribue),
        td_montant(t.verse_collectivite),
        td_montant(t.verse_caf),
        esc(&crate::rapport::detail_verse_caf(t, fr)),
        esc(&fr(t.verse_caf)),
    );
}

/// 6. Structures not eligible, with the first rule not met.
pub(super) fn exclues(
    o: &mut String,
    r: &Resultat,
    w: &mut dyn std::io::Write,
) -> R<std::io::Result<()>> {
    // excluded structures
    let exclues: Vec<&LigneStructure> = r
        .structures
        .iter()
        .filter(|l| l.motif() != Motif::Eligible)
        .collect();
    o.push_str(
        "<section id=\"exclues\">\n<div class=\"tete\"><h2>6. Structures non éligibles</h2>\n",
    );
    if exclues.is_empty() {
        o.push_str("<p>Toutes les structures sont éligibles.</p></div>\n");
    } else {
        o.push_str("<p>Ces structures sont listées par la convention mais ne reçoivent pas de bonus territoire. La raison est la première règle d'éligibilité non remplie (R15).</p></div>\n<div class=\"defilement\"><table id=\"table-exclues\">\n<thead><tr><th>Structure</th><th>Gestionnaire</th><th>Raison</th><th class=\"n\">Contrib. N-1</th><th class=\"n\">Contrib. N</th></tr></thead>\n<tbody>\n");
        for l in &exclues {
            let s = &l.structure;
            // the rule's detail adds information only for these reasons
            let detail = match l.motif() {
                Motif::TypeSansVolet | Motif::FinancementIncompatible | Motif::Fermee => r
                    .verifications(l)
                    .into_iter()
                    .find(|v| !v.satisfaite)
                    .map_or(String::new(), |v| v.detail),
                _ => String::new(),
            };
            let mut raison = l.motif().libelle().to_string();
            if let Some(p) = raison.get(0..1) {
                raison = format!("{}{}", p.to_uppercase(), &raison[1..]);
            }
            let _ = writeln!(
                o,
                "<tr data-id=\"{id}\" data-motif=\"{m}\"><td>{nom}<br><span class=\"id\">{id}</span></td><td>{g}</td><td>{raison}.{detail}</td>{c1}{cn}</tr>",
                id = esc(&s.id),
                m = l.motif().code(),
                nom = esc(&s.nom),
                g = esc(&s.gestionnaire),
                raison = esc(&raison),
                detail = if detail.is_empty() {
                    String::new()
                } else {
                    format!("<br><small>{}</small>", esc(&detail))
                },
                c1 = td_montant(l.contribution_n1),
                cn = td_montant(l.contribution_n),
            );
            vider!(o, w);
        }
        o.push_str("</tbody>\n</table></div>\n");
    }
    o.push_str("</section>\n");

    Ok(Ok(()))
}

/// Sections 7 and 8: the barème applied, with its sources, then the modelling choices, for
/// a reader who is not a developer.
pub(super) fn bareme_et_choix(o: &mut String, r: &Resultat) {
    // barème
    let _ = write!(
        o,
        "<section id=\"bareme\">\n<div class=\"tete\"><h2>7. Barème appliqué et sources</h2>\n<p>Valeurs en vigueur au 1<sup>er</sup> janvier {} (règle R1). Statut « hypothèse » : choix de modélisation en l'absence de source publique.</p></div>\n<div class=\"defilement\"><table id=\"table-bareme\">\n<thead><tr><th>Paramètre</th><th>Valeur</th><th>Depuis le</th><th>Statut</th><th>Référence</th></tr></thead>\n<tbody>\n",
        r.exercice
    );
    for b in lignes_bareme(&r.bareme) {
        let _ = writeln!(
            o,
            "<tr data-parametre=\"{p}\"><td>{p}</td><td>{v}</td><td>{d}</td><td>{s}</td><td>{re}{f}</td></tr>",
            p = esc(&b.parametre),
            v = esc(&b.valeur),
            d = b.debut.map_or("—".into(), |d| d.en_toutes_lettres()),
            s = libelle_statut(b.statut),
            re = esc(&b.reference),
            f = if b.fichier.is_empty() {
                String::new()
            } else {
                format!("<br><small>{}</small>", esc(&b.fichier))
            },
        );
    }
    o.push_str("</tbody>\n</table></div>\n</section>\n");

    // modelling choices, for a reader who is not a developer
    o.push_str("<section id=\"hypotheses\">\n<div class=\"tete\"><h2>8. Choix de modélisation appliqués</h2>\n<p>Les règles du calcul, chacune en une phrase, avec son statut : « confirmé » quand une source publique la fonde, « hypothèse » quand c'est un choix fait faute de source. Viennent ensuite les paramètres du barème retenus par hypothèse.</p></div>\n<div class=\"defilement\"><table id=\"table-hypotheses\">\n<thead><tr><th>Règle</th><th>Ce qui est appliqué</th><th>Statut</th></tr></thead>\n<tbody>\n");
    for (id, phrase, statut) in choix_de_modelisation(&r.bareme) {
        let _ = writeln!(
            o,
            "<tr data-regle=\"{id}\"><td>{id}</td><td>{}</td><td>{}</td></tr>",
            esc(&phrase),
            esc(&statut),
            id = esc(&id)
        );
    }
}
