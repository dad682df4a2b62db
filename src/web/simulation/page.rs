//! The simulation page: the scenario's steps and actions, its summary, the edit table of
//! the structures and N-1 charges with each bonus and its difference from the dossier as
//! filed, the form that adds a structure, the warnings.

use super::*;

fn option_oui_non(nom: &str, v: bool) -> String {
    format!(
        "<select name=\"{nom}\"><option value=\"oui\"{}>oui</option><option value=\"non\"{}>non</option></select>",
        if v { " selected" } else { "" },
        if v { "" } else { " selected" }
    )
}

/// The values of a refused submission, shown again as typed (a refused value must not
/// wipe the others typed with it), by field name (each sent once: a repeated one is refused);
/// empty: the scenario's own values. One look-up per field: a table of many rows stays
/// linear.
pub(super) struct Saisies<'a>(std::collections::HashMap<&'a str, &'a str>);

impl<'a> Saisies<'a> {
    pub(super) fn de(champs: &'a [(String, String)]) -> Self {
        Saisies(
            champs
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect(),
        )
    }
    /// The value typed in field `nom`, or `defaut` (the scenario's), escaped for HTML.
    fn ou(&self, nom: &str, defaut: String) -> String {
        self.0.get(nom).map_or(defaut, |v| esc(v))
    }
    /// Whether a choice was typed as `valeur` (`None`: field not sent).
    fn choisi(&self, nom: &str, valeur: &str) -> Option<bool> {
        self.0.get(nom).map(|v| *v == valeur)
    }
    /// A checkbox is sent only when ticked: in a refused submission, unticked otherwise.
    fn coche(&self, nom: &str) -> bool {
        self.0.get(nom) == Some(&"1")
    }
}

/// Each structure's comparison with the dossier as filed (present in it, bonus difference),
/// by id, built once for the table (a search per row was quadratic: 7 s for 30 000
/// structures); the first comparison line of an id, as a search would find it.
fn ecarts(comp: Option<&Comparaison>) -> std::collections::HashMap<&str, (bool, Montant)> {
    comp.map(|c| {
        c.structures
            .iter()
            .rev()
            .map(|x| (x.id.as_str(), (x.presente_a, x.bonus.ecart())))
            .collect()
    })
    .unwrap_or_default()
}

/// The simulation page; `erreurs`: refused values of the last submission (status 422),
/// `saisies` the values then typed.
pub(super) fn rendre(sc: &Scenario, j: &Jeton, erreurs: &[String], saisies: &Saisies) -> Response {
    let id = esc(&sc.id);
    let mut corps = format!(
        "<h1>Simulation — {}</h1><p class=\"intro\">Modifiez les valeurs puis cliquez sur « Recalculer » : tout le calcul est refait, et la colonne « Écart » donne la différence de bonus de chaque structure avec le dossier déposé.</p>",
        esc(sc.nom())
    );
    if !erreurs.is_empty() {
        corps.push_str("<div class=\"erreur\" role=\"alert\"><p>Valeurs refusées (rien n'a été changé) :</p><ul>");
        for e in erreurs {
            corps.push_str(&format!("<li>{}</li>", esc(e)));
        }
        corps.push_str("</ul></div>");
    }
    corps.push_str(&actions(sc, j, &id));
    let calcul = sc.calculer();
    let origine = sc.calculer_origine().ok();
    let (r, avert) = match &calcul {
        Ok((r, a)) => (Some(r), Some(a)),
        Err(d) => {
            corps.push_str("<div class=\"erreur\" role=\"alert\"><p>Ce scénario ne peut pas être calculé : corrigez les valeurs ou annulez la dernière étape.</p>");
            corps.push_str(&liste_diagnostics(d));
            corps.push_str("</div>");
            (None, None)
        }
    };
    let comp = match (&origine, r) {
        (Some((ro, _)), Some(r)) => Some(crate::comparaison::comparer(
            ro,
            r,
            "dossier déposé",
            "scénario",
        )),
        _ => None,
    };
    if let (Some(r), Some(c)) = (r, &comp) {
        corps.push_str(&format!(
            "<section id=\"synthese\">{}<p class=\"ecart-total\">Écart du bonus total avec le dossier déposé : <strong id=\"ecart-total\">{}</strong> ; versé par la Caf : {}.</p></section>",
            synthese(r),
            esc(&signe(c.total.bonus.ecart())),
            esc(&signe(c.total.verse_caf.ecart()))
        ));
    }
    corps.push_str(&table_modifiable(sc, j, &id, r, comp.as_ref(), saisies));
    corps.push_str(&formulaire_ajout(sc, j, &id));
    if let Some(a) = avert {
        let a = sc.avertissements(a);
        if !a.0.is_empty() {
            corps.push_str("<section id=\"avertissements\"><h2>Avertissements</h2>");
            corps.push_str(&liste_diagnostics(&a));
            corps.push_str("</section>");
        }
    }
    let statut = if erreurs.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    (
        statut,
        gabarit(
            &format!("Simulation — {}", sc.nom()),
            Onglet::Simulation,
            Some(&sc.contexte()),
            "",
            &corps,
        ),
    )
        .into_response()
}

/// The steps taken and the scenario's actions: undo, reset, download, save.
fn actions(sc: &Scenario, j: &Jeton, id: &str) -> String {
    let n = sc.enr.etapes.len();
    format!(
        "<div class=\"actions\"><span>{}</span><form method=\"post\" action=\"/d/{id}/simulation/annuler\" data-instantane>{j}<button type=\"submit\"{d}>Annuler la dernière étape</button></form><form method=\"post\" action=\"/d/{id}/simulation/reinitialiser\" data-instantane>{j}<button type=\"submit\"{d}>Revenir au dossier déposé</button></form><a class=\"bouton\" href=\"/d/{id}/telecharger/scenario.xlsx\" download>Télécharger le scénario (classeur)</a></div><form method=\"post\" action=\"/d/{id}/scenario\" class=\"enregistrer-scenario\">{j}<label for=\"nom-scenario\">Nom du scénario</label> <input id=\"nom-scenario\" name=\"nom\" required maxlength=\"120\" placeholder=\"par exemple : 12 places de plus en 2025\"> <button type=\"submit\">Enregistrer le scénario</button> <a href=\"/scenarios\">Scénarios enregistrés</a></form>",
        match n {
            0 => "Aucune modification.".to_string(),
            1 => "1 étape de modification.".to_string(),
            n => format!("{n} étapes de modification."),
        },
        j = j.champ(),
        d = if n == 0 { " disabled" } else { "" },
    )
}

/// The edit table of the structures and the N-1 charges, with each structure's bonus and
/// its difference from the dossier as filed (`comp`).
fn table_modifiable(
    sc: &Scenario,
    j: &Jeton,
    id: &str,
    r: Option<&Resultat>,
    comp: Option<&Comparaison>,
    saisies: &Saisies,
) -> String {
    let ecarts = ecarts(comp);
    let mut corps = format!(
        "<form method=\"post\" action=\"/d/{id}/simulation\" id=\"form-simulation\" data-instantane>{}<div class=\"defile\"><table id=\"simulation\" class=\"simulation\"><thead><tr><th>Structure</th><th class=\"n\">Bonus</th><th class=\"n\">Écart</th><th>Annexe</th><th class=\"n\">Unités<br>existantes</th><th class=\"n\">Unités<br>nouvelles</th><th class=\"n\">Unités<br>employeurs</th><th class=\"n\">Mois</th><th>Soutien</th><th class=\"n\">Contrib.<br>N-1 (€)</th><th class=\"n\">Bonus<br>N-1 (€)</th><th>Retirer</th></tr></thead><tbody>",
        j.champ()
    );
    for (i, s) in sc.lu.dossier.structures.iter().enumerate() {
        corps.push_str(&ligne_modifiable(i, s, r, &ecarts, saisies));
    }
    if let Some(c) = comp {
        for s in c
            .structures
            .iter()
            .filter(|s| s.presente_a && !s.presente_b)
        {
            corps.push_str(&format!(
                "<tr class=\"retiree\" data-id=\"{}\"><td>Retirée : {} <span class=\"id\">{}</span></td><td class=\"n\">—</td><td class=\"n ecart negatif\" data-centimes=\"{}\">{}</td><td colspan=\"9\"></td></tr>",
                esc(&s.id),
                esc(&s.nom),
                esc(&s.id),
                s.bonus.ecart().0,
                esc(&signe(s.bonus.ecart()))
            ));
        }
    }
    corps.push_str("</tbody></table></div><h2>Charges à payer N-1</h2><table id=\"charges\"><thead><tr><th>Collectivité</th><th>Volet</th><th>Libellé</th><th class=\"n\">Montant (€)</th></tr></thead><tbody>");
    for (k, c) in sc.lu.dossier.charges.iter().enumerate() {
        corps.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"n\"><input name=\"ch.{k}\" value=\"{}\" inputmode=\"decimal\" size=\"12\" aria-label=\"charge N-1 {} {}\"></td></tr>",
            esc(&c.collectivite),
            esc(&c.volet),
            esc(&c.libelle),
            saisies.ou(&format!("ch.{k}"), saisie(c.montant.0)),
            esc(&c.collectivite),
            esc(&c.volet)
        ));
    }
    corps.push_str("</tbody></table><p><button type=\"submit\" class=\"principal\">Recalculer</button></p></form>");
    corps
}

/// The row of structure `s` (rank `i`) in the edit table.
fn ligne_modifiable(
    i: usize,
    s: &Structure,
    r: Option<&Resultat>,
    ecarts: &std::collections::HashMap<&str, (bool, Montant)>,
    saisies: &Saisies,
) -> String {
    // one binary search (the result's lines are sorted by id)
    let ligne = r.and_then(|r| r.structure(&s.id));
    let champ = |k: &str, defaut: String| saisies.ou(&format!("{k}.{i}"), defaut);
    let deux = saisies
        .choisi(&format!("a.{i}"), "2")
        .unwrap_or(s.annexe == Annexe::Deux);
    let soutien = saisies
        .choisi(&format!("s.{i}"), "oui")
        .unwrap_or(s.soutien_collectivite);
    let ecart = ecarts.get(s.id.as_str()).copied();
    format!(
            "<tr data-id=\"{sid}\"><td><input type=\"hidden\" name=\"id.{i}\" value=\"{sid}\">{nom}<br><span class=\"id\">{sid}</span></td><td class=\"n bonus\" data-centimes=\"{bc}\">{bf}</td>{ec}<td><select name=\"a.{i}\"><option value=\"2\"{a2}>2</option><option value=\"2bis\"{a2b}>2 bis</option></select></td><td class=\"n\"><input name=\"u.{i}\" value=\"{u}\" inputmode=\"decimal\" size=\"6\" aria-label=\"unités existantes de {sid}\"></td><td class=\"n\"><input name=\"n.{i}\" value=\"{nv}\" inputmode=\"decimal\" size=\"5\"></td><td class=\"n\"><input name=\"e.{i}\" value=\"{e}\" inputmode=\"decimal\" size=\"5\"></td><td class=\"n\"><input name=\"m.{i}\" value=\"{m}\" inputmode=\"numeric\" size=\"2\"></td><td>{so}</td><td class=\"n\"><input name=\"c.{i}\" value=\"{c}\" inputmode=\"decimal\" size=\"8\"></td><td class=\"n\"><input name=\"b.{i}\" value=\"{b}\" inputmode=\"decimal\" size=\"8\"></td><td><input type=\"checkbox\" name=\"x.{i}\" value=\"1\"{x} aria-label=\"retirer {sid}\"></td></tr>",
            sid = esc(&s.id),
            nom = esc(&s.nom),
            a2 = if deux { " selected" } else { "" },
            a2b = if deux { "" } else { " selected" },
            u = champ("u", saisie(s.unites_existantes.0)),
            nv = champ("n", saisie(s.unites_nouvelles.0)),
            e = champ("e", saisie(s.unites_employeurs.0)),
            m = champ("m", s.mois_ouverture.to_string()),
            so = option_oui_non(&format!("s.{i}"), soutien),
            c = champ("c", saisie(s.contribution_collectivite_n1.0)),
            b = champ("b", saisie(s.bonus_n1.0)),
            x = if saisies.coche(&format!("x.{i}")) { " checked" } else { "" },
            bc = ligne.map_or(0, |l| l.bonus_total.0),
            bf = ligne.map_or("—".to_string(), |l| esc(&fr(l.bonus_total))),
            ec = match ecart {
                Some((false, e)) => format!("<td class=\"n ecart positif\" data-centimes=\"{}\">ajoutée : {}</td>", e.0, esc(&signe(e))),
                Some((true, e)) => format!(
                    "<td class=\"n ecart{}\" data-centimes=\"{}\">{}</td>",
                    if e.0 > 0 { " positif" } else if e.0 < 0 { " negatif" } else { "" },
                    e.0,
                    esc(&signe(e))
                ),
                None => "<td class=\"n\">—</td>".into(),
            })
}

/// The form that adds a structure.
fn formulaire_ajout(sc: &Scenario, j: &Jeton, id: &str) -> String {
    let mut types = String::new();
    for t in TypeStructure::TOUS {
        types.push_str(&format!("<option>{}</option>", t.code()));
    }
    let mut fins = String::new();
    for f in Financement::TOUS {
        fins.push_str(&format!("<option>{}</option>", f.code()));
    }
    let mut colls = String::new();
    for c in &sc.lu.dossier.convention.collectivites {
        colls.push_str(&format!(
            "<option value=\"{}\">{}</option>",
            esc(&c.id),
            esc(&c.nom)
        ));
    }
    format!(
        "<section id=\"ajout\"><h2>Ajouter une structure</h2><form method=\"post\" action=\"/d/{id}/simulation/ajouter\" class=\"grille\" data-instantane>{}<label>Identifiant <input name=\"id\" required maxlength=\"200\"></label><label>Nom <input name=\"nom\" required maxlength=\"200\"></label><label>Type <select name=\"type\">{types}</select></label><label>Gestionnaire <input name=\"gestionnaire\" required maxlength=\"200\"></label><label>Collectivité <select name=\"collectivite\">{colls}</select></label><label>Financement <select name=\"financement\">{fins}</select></label><label>Annexe <select name=\"annexe\"><option value=\"2\">2</option><option value=\"2bis\">2 bis</option></select></label><label>Soutien de la collectivité {}</label><label>Unités existantes <input name=\"unites\" value=\"0\" inputmode=\"decimal\"></label><label>Unités nouvelles <input name=\"nouvelles\" value=\"0\" inputmode=\"decimal\"></label><label>Mois d'ouverture <input name=\"mois\" value=\"12\" inputmode=\"numeric\"></label><label>Contribution N-1 (€) <input name=\"contribution\" value=\"0\" inputmode=\"decimal\"></label><label>Bonus N-1 (€) <input name=\"bonus\" value=\"0\" inputmode=\"decimal\"></label><button type=\"submit\">Ajouter et recalculer</button></form></section>",
        j.champ(),
        option_oui_non("soutien", true)
    )
}
