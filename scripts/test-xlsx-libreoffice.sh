#!/usr/bin/env bash
# Test du classeur XLSX dans LibreOffice (sans interface) : LibreOffice ouvre le classeur,
# RECALCULE toutes les formules (profil temporaire réglé sur « toujours recalculer »), et
# exporte chaque feuille en CSV ; on vérifie alors que
#   * chaque ligne « TOTAL (formule SOMME) » recalculée est égale, au centime, à la ligne
#     « TOTAL calculé par bonus-ctg » (Gestionnaires, Collectivites, Rapprochement) ;
#   * la colonne de contrôle A + C − L − R − P et la ligne d'écart valent 0 ;
#   * les montants de la feuille Structures sont ceux du CSV de bonus-ctg.
#
#   scripts/test-xlsx-libreoffice.sh [DOSSIER]        (défaut fixtures/dijon-2024)
#
# Installe libreoffice-calc-nogui avec apt-get s'il manque. Code de sortie 0 si tout concorde.
set -euo pipefail
cd "$(dirname "$0")/.."
DOSSIER=${1:-fixtures/dijon-2024}
source scripts/commun-navigateur.sh

installer_libreoffice
preparer
"$BIN" --silencieux calculer "$DOSSIER" --sortie "$TMP/classeur.xlsx"
"$BIN" --silencieux calculer "$DOSSIER" --format csv --profil rfc4180 --sortie "$TMP/resultat.csv"
recalculer_libreoffice

python3 - "$TMP" <<'PY'
import csv, io, sys
tmp = sys.argv[1]
sys.path.insert(0, "scripts")
from commun_navigateur import cents_libreoffice as cents, feuille as feuille_de
def feuille(n):
    return feuille_de(tmp, n)
erreurs = []
def totaux(nom, premiere_col):
    f = feuille(nom)
    lf = next(i for i, l in enumerate(f) if l and l[0] == "TOTAL (formule SOMME)")
    formule, calcule = f[lf], f[lf + 1]
    assert calcule[0] == "TOTAL calculé par bonus-ctg", calcule[0]
    n = 0
    for c in range(premiere_col, len(formule)):
        if calcule[c].strip() == "" or formule[c].strip() == "":
            continue
        if cents(formule[c]) != cents(calcule[c]):
            erreurs.append(f"{nom} colonne {f[0][c]} : SOMME recalculée {formule[c]} ≠ calculé {calcule[c]}")
        n += 1
    # the recalculated SUM equals the sum of the lines above it
    for c in range(premiere_col, len(formule)):
        if formule[c].strip() == "":
            continue
        s = sum(cents(l[c]) or 0 for l in f[1:lf])
        if s != cents(formule[c]):
            erreurs.append(f"{nom} colonne {f[0][c]} : Σ lignes {s} ≠ SOMME {formule[c]}")
    return f, lf, n
_, _, n1 = totaux("Gestionnaires", 1)
_, _, n2 = totaux("Collectivites", 2)
rap, lf, n3 = totaux("Rapprochement", 2)
for l in rap[1:lf]:
    if cents(l[10]) != 0:
        erreurs.append(f"Rapprochement {l[0]}/{l[1]} : contrôle A+C-L-R-P = {l[10]}")
for c in range(2, 11):
    v = rap[lf + 2][c]
    if v.strip() and cents(v) != 0:
        erreurs.append(f"Rapprochement : écart formule − calculé colonne {rap[0][c]} = {v}")
tot = {l[0]: l[9] for l in rap[lf + 3:] if l and l[0]}
caf = [v for k, v in tot.items() if k.startswith("Total versé par la Caf")]
if len(set(cents(v) for v in caf)) != 1:
    erreurs.append(f"total Caf : formule et calcul diffèrent : {caf}")
# Structures = CSV of bonus-ctg
texte = open(f"{tmp}/resultat.csv", encoding="utf-8").read().partition("\n\n")[0]
attendu = {r["id"]: r for r in csv.DictReader(io.StringIO(texte))}
st = feuille("Structures")
ent = st[0]
n4 = 0
for l in st[1:]:
    r = attendu.get(l[0])
    if r is None:
        erreurs.append(f"Structures : {l[0]} inconnu du CSV"); continue
    for col in ["bonus_lissage", "bonus_nouvelles", "bonus_total", "contribution_collectivite_n1",
                "contribution_collectivite_n", "financement_public_n1", "financement_public_n", "variation"]:
        if cents(l[ent.index(col)]) != cents(r[col]):
            erreurs.append(f"Structures {l[0]} {col} : {l[ent.index(col)]} ≠ CSV {r[col]}")
        n4 += 1
if len(st) - 1 != len(attendu):
    erreurs.append(f"Structures : {len(st) - 1} lignes pour {len(attendu)} structures")
if erreurs:
    print("\n".join(erreurs[:40]), file=sys.stderr)
    sys.exit(1)
print(f"LibreOffice : {n1 + n2 + n3} totaux SOMME recalculés égaux aux totaux calculés ; "
      f"{n4} montants de Structures égaux au CSV ; total Caf {caf[0]}")
PY
echo "1 passed, 0 failed"
