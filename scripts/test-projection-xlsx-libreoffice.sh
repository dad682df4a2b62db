#!/usr/bin/env bash
# Test du classeur XLSX de la projection (bonus-ctg projeter --format xlsx) dans LibreOffice
# (sans interface) : LibreOffice ouvre le classeur, RECALCULE toutes les formules (profil
# temporaire réglé sur « toujours recalculer ») et exporte chaque feuille en CSV ; on vérifie
#   * feuille « Totaux par année » : la ligne « TOTAL … (formule SOMME) » recalculée est égale,
#     au centime, à la ligne « TOTAL … calculé par bonus-ctg » et à la somme des années ; la
#     colonne bonus_structures (SOMME.SI.ENS sur la feuille Projection) recalculée est égale à
#     la somme des bonus_total de l'année dans le CSV de bonus-ctg ; les contrôles valent 0 ;
#     les totaux de chaque année sont ceux des lignes TOUTES du CSV ;
#   * feuille « Projection » : chaque montant est celui du CSV.
#
#   scripts/test-projection-xlsx-libreoffice.sh [DOSSIER]        (défaut fixtures/dijon-2024)
#
# Installe libreoffice-calc-nogui avec apt-get s'il manque. Code de sortie 0 si tout concorde.
set -euo pipefail
cd "$(dirname "$0")/.."
DOSSIER=${1:-fixtures/dijon-2024}
source scripts/commun-navigateur.sh

installer_libreoffice
preparer
"$BIN" --silencieux projeter "$DOSSIER" --sortie "$TMP/classeur.xlsx"
# the projection's CSV tables (one per file) as blocks: structures, totals, trajectoire
"$BIN" --silencieux projeter "$DOSSIER" --profil rfc4180 --sortie "$TMP/tables/"
{
    cat "$TMP/tables/structures.csv"; echo
    cat "$TMP/tables/totaux.csv"; echo
    cat "$TMP/tables/trajectoire.csv"
} > "$TMP/projection.csv"
recalculer_libreoffice

python3 - "$TMP" <<'PY'
import csv, io, sys
tmp = sys.argv[1]
sys.path.insert(0, "scripts")
from commun_navigateur import cents_libreoffice as cents, feuille as feuille_de
def feuille(n):
    return feuille_de(tmp, n)
erreurs = []
blocs = open(f"{tmp}/projection.csv", encoding="utf-8").read().split("\n\n")
structures = list(csv.DictReader(io.StringIO(blocs[0])))
LIBELLES = {
    "bonus_lissage": "Bonus lissage (€)", "bonus_nouvelles": "Bonus places nouvelles (€)",
    "bonus_trajectoire": "Bonus trajectoire (€)", "bonus_total": "Bonus total (€)",
    "contribution_collectivite_n1": "Contribution collectivité N-1 (€)",
    "contribution_collectivite_n": "Contribution collectivité N (€)",
    "financement_public_n1": "Financement public N-1 (€)",
    "financement_public_n": "Financement public N (€)", "variation": "Variation (€)",
}
toutes = [r for r in csv.DictReader(io.StringIO(blocs[1])) if r["collectivite"] == "TOUTES"]

t = feuille("Totaux par année")
ent = t[0]
# the sheet's headers are French (src/rapport/tables.rs); its columns, by machine name, are
# those of COLONNES_TOTAUX_ANNEE (src/rapport/projection_xlsx.rs), in that order
NOMS = ["collectivite", "periode", "exercice", "charge_n1", "lissage", "nouvelles", "trajectoire",
        "verse_collectivite", "verse_caf", "contribution_collectivite", "financement_public",
        "non_redistribue", "bonus_structures", "controle_caf", "controle_financement", "ctre"]
assert len(ent) == len(NOMS) and ent[8] == "Total versé par la Caf (€)", ent
col = {n: i for i, n in enumerate(NOMS)}
lf = next(i for i, l in enumerate(t) if l and l[0].endswith("(formule SOMME)"))
formule, calcule = t[lf], t[lf + 1]
annees = t[2:lf]          # row 1: N-1
n = 0
for c in range(4, len(ent)):
    if cents(formule[c]) != cents(calcule[c]):
        erreurs.append(f"colonne {ent[c]} : SOMME recalculée {formule[c]} ≠ calculé {calcule[c]}")
    s = sum(cents(l[c]) or 0 for l in annees)
    if s != cents(formule[c]):
        erreurs.append(f"colonne {ent[c]} : Σ années {s} ≠ SOMME {formule[c]}")
    n += 1
for l, r in zip(t[1:lf], toutes):
    if l[2] != r["exercice"]:
        erreurs.append(f"exercice {l[2]} ≠ CSV {r['exercice']}")
    for nom in ["verse_caf", "contribution_collectivite", "financement_public"] + (
            [] if l[1] == "N-1" else ["charge_n1", "lissage", "nouvelles", "trajectoire",
                                       "verse_collectivite", "non_redistribue"]):
        if cents(l[col[nom]]) != cents(r[nom]):
            erreurs.append(f"{l[2]} {nom} : {l[col[nom]]} ≠ CSV {r[nom]}")
    if l[1] != "N-1":
        bonus = sum(cents(s["bonus_total"]) for s in structures if s["exercice"] == l[2])
        if cents(l[col["bonus_structures"]]) != bonus:
            erreurs.append(f"{l[2]} : SOMME.SI.ENS recalculée {l[col['bonus_structures']]} ≠ Σ CSV {bonus}")
        for i in (col["bonus_structures"] + 1, col["bonus_structures"] + 2):
            if cents(l[i]) != 0:
                erreurs.append(f"{l[2]} : contrôle {ent[i]} = {l[i]}")
if len(t[1:lf]) != len(toutes):
    erreurs.append(f"{len(t[1:lf])} lignes d'années pour {len(toutes)} dans le CSV")

# the per-collectivité block, when there is one: recalculated SUMIFS and controls
bloc = [i for i, l in enumerate(t) if i > lf and l and l[0] == "Collectivité"]
m = 0
if bloc:
    for l in t[bloc[0] + 1:]:
        if not l or not l[0] or l[1] == "N-1":
            continue
        bonus = sum(cents(s["bonus_total"]) for s in structures
                    if s["exercice"] == l[2] and s["collectivite"] == l[0])
        if cents(l[col["bonus_structures"]]) != bonus:
            erreurs.append(f"{l[0]} {l[2]} : SOMME.SI.ENS {l[col['bonus_structures']]} ≠ Σ CSV {bonus}")
        for i in (col["bonus_structures"] + 1, col["bonus_structures"] + 2):
            if cents(l[i]) != 0:
                erreurs.append(f"{l[0]} {l[2]} : contrôle {ent[i]} = {l[i]}")
        m += 1

# Projection = CSV of bonus-ctg
p = feuille("Projection")
ep = p[0]
k = 0
if len(p) - 1 != len(structures):
    erreurs.append(f"Projection : {len(p) - 1} lignes pour {len(structures)} dans le CSV")
for l, r in zip(p[1:], structures):
    if (l[0], l[1]) != (r["exercice"], r["id"]):
        erreurs.append(f"Projection : ligne {l[:2]} ≠ CSV {r['exercice']} {r['id']}"); continue
    for c in ["bonus_lissage", "bonus_nouvelles", "bonus_trajectoire", "bonus_total",
              "contribution_collectivite_n1", "contribution_collectivite_n",
              "financement_public_n1", "financement_public_n", "variation"]:
        k = ep.index(LIBELLES[c])
        if cents(l[k]) != cents(r[c]):
            erreurs.append(f"Projection {r['exercice']} {r['id']} {c} : {l[k]} ≠ CSV {r[c]}")
        k += 1
if erreurs:
    print("\n".join(erreurs[:40]), file=sys.stderr)
    sys.exit(1)
print(f"LibreOffice : {n} totaux SOMME et {len(annees)} SOMME.SI.ENS recalculés égaux aux valeurs "
      f"de bonus-ctg ({m} lignes par collectivité) ; {k} montants de Projection égaux au CSV")
PY
echo "1 passed, 0 failed"
