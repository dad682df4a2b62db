#!/usr/bin/env bash
# Test du rapport HTML dans un vrai navigateur (Chromium sans interface).
#
#   scripts/test-html.sh [DOSSIER] [--images DIR]
#
# 1. produit le rapport HTML et le CSV (profil rfc4180) du dossier (défaut fixtures/dijon-2024) ;
# 2. Chromium rend la page : DOM après rendu (--dump-dom), capture PNG, impression PDF A4 ;
# 3. vérifie le DOM : chaque structure du CSV a sa ligne, ses montants sont ceux du CSV, les
#    totaux (structures, rapprochement, synthèse) sont égaux aux sommes du CSV, chaque volet
#    a son graphique SVG avec une barre par structure éligible, aucun script ni ressource
#    externe ; vérifie que le PDF est en A4 ;
# 4. à 1 024 et 1 400 px de large, la page ne déborde pas horizontalement (mesuré dans le
#    DOM ; le tableau de détail défile dans sa colonne) ; l'impression A4 n'a aucune page
#    faite d'un seul titre ni terminée par un titre (pdftotext page par page) ;
# 5. avec --images DIR : copie la capture et les pages PNG du PDF (pdftoppm) dans DIR.
#
# Installe chromium (et poppler-utils pour pdfinfo/pdftoppm) avec apt-get s'ils manquent.
# Code de sortie 0 si tout est vérifié, 1 sinon.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/commun-navigateur.sh

lire_arguments "$@"
installer_chromium
preparer

"$BIN" --silencieux calculer "$DOSSIER" --format html --sortie "$TMP/rapport.html"
# the CSV tables (one per file), put back together as blocks: structures, reconciliation
# (with the Caf total as a TOTAL_CAF line)
"$BIN" --silencieux calculer "$DOSSIER" --profil rfc4180 --sortie "$TMP/tables/"
{
    cat "$TMP/tables/structures.csv"; echo
    cat "$TMP/tables/rapprochement.csv"
    echo "TOTAL_CAF,$(grep '^verse_caf,' "$TMP/tables/totaux.csv" | cut -d, -f2)"
} > "$TMP/resultat.csv"

rendre_chromium rapport 1200,2600

python3 - "$TMP/dom.html" "$TMP/resultat.csv" "$TMP/rapport.html" <<'PY'
import csv, io, sys
sys.path.insert(0, "scripts")
from commun_navigateur import LecteurTableaux, cents, texte_cents

dom_file, csv_file, src_file = sys.argv[1:4]
dom = open(dom_file, encoding="utf-8").read()
src = open(src_file, encoding="utf-8").read()

class Lecteur(LecteurTableaux):
    def __init__(self):
        super().__init__()
        self.svgs = []          # (data-volet, [data-id of bars])
        self.texte_cartes = {}
        self.carte = None
    def autre_debut(self, tag, a):
        if tag == "svg" and "data-volet" in a:
            self.svgs.append((a["data-volet"], []))
        elif tag == "g" and a.get("class") == "barre" and self.svgs:
            self.svgs[-1][1].append((a["data-id"], int(a["data-centimes"])))
        if tag == "div" and "carte" in (a.get("class") or ""):
            self.carte = a.get("id")

p = Lecteur()
p.feed(dom)
erreurs = []
def verifier(cond, msg):
    if not cond:
        erreurs.append(msg)

verifier(p.scripts == 0, f"{p.scripts} éléments <script>")
verifier(not p.externes, f"ressources externes : {p.externes[:5]}")
verifier("<script" not in src and "http://" not in src and "https://" not in src,
         "le fichier source référence un script ou une adresse réseau")

texte = open(csv_file, encoding="utf-8").read()
bloc_structures, _, bloc_rappro = texte.partition("\n\n")
structures = list(csv.DictReader(io.StringIO(bloc_structures)))
rappro = [l for l in csv.reader(io.StringIO(bloc_rappro))]

# 1. every structure present, with the CSV's amounts
lignes = {a.get("data-id"): cellules for a, cellules in p.lignes.get("table-structures", [])
          if a.get("data-id")}
verifier(len(lignes) == len(structures), f"{len(lignes)} lignes HTML pour {len(structures)} structures")
colonnes = ["bonus_lissage", "bonus_nouvelles", "bonus_total",
            "contribution_collectivite_n1", "contribution_collectivite_n", "variation"]
for s in structures:
    c = lignes.get(s["id"])
    if c is None:
        erreurs.append(f"structure {s['id']} absente du DOM")
        continue
    montants = [x for x in c if "data-centimes" in x[0]]
    for (a, t), col in zip(montants, colonnes):
        attendu = cents(s[col])
        verifier(int(a["data-centimes"]) == attendu, f"{s['id']} {col} : data-centimes {a['data-centimes']} ≠ CSV {s[col]}")
        verifier(texte_cents(t) == attendu, f"{s['id']} {col} : texte « {t} » ≠ CSV {s[col]}")

# 2. totals of the structures table = sums of the CSV
pied = [r for r in p.lignes.get("table-structures", []) if r[0].get("id") == "total-structures"]
verifier(len(pied) == 1, "ligne de total des structures absente")
if pied:
    montants = [x for x in pied[0][1] if "data-centimes" in x[0]]
    for (a, t), col in zip(montants, colonnes):
        somme = sum(cents(s[col]) for s in structures)
        verifier(int(a["data-centimes"]) == somme, f"total {col} : {a['data-centimes']} ≠ Σ CSV {somme}")
        verifier(texte_cents(t) == somme, f"total {col} : « {t} » ≠ Σ CSV {somme}")

# 3. reconciliation rows and total Caf
entete = rappro[0]
total_caf = [l for l in rappro if l and l[0] == "TOTAL_CAF"]
groupes = [dict(zip(entete, l)) for l in rappro[1:] if l and l[0] != "TOTAL_CAF"]
html_rap = {(a.get("data-collectivite"), a.get("data-volet")): c
            for a, c in p.lignes.get("table-rapprochement", []) if a.get("data-volet")}
verifier(len(html_rap) == len(groupes), "nombre de lignes du rapprochement")
for g in groupes:
    c = html_rap.get((g["collectivite"], g["volet"]))
    if c is None:
        erreurs.append(f"groupe {g['collectivite']}/{g['volet']} absent")
        continue
    m = [int(a["data-centimes"]) for a, _ in c if "data-centimes" in a]
    # A, L, N, (T when a bonus trajectoire is paid), C, R, P, then versé Caf
    cles = ["charge_n1", "lissage_verse", "nouvelles_versees"]
    if "Trajectoire (T)" in dom:
        cles.append("trajectoire_versee")
    cles += ["complement_plancher", "non_redistribue", "verse_collectivite"]
    attendu = [cents(g[k]) for k in cles]
    verifier(m[:len(cles)] == attendu, f"rapprochement {g['volet']} : {m[:len(cles)]} ≠ {attendu}")
    # versé Caf = L + N + T + P (R8)
    verse = sum(cents(g[k]) for k in ["lissage_verse", "nouvelles_versees", "trajectoire_versee",
                                      "verse_collectivite"])
    verifier(m[len(cles)] == verse, f"rapprochement {g['volet']} : versé Caf {m[len(cles)]} ≠ {verse}")
if total_caf:
    tc = cents(total_caf[0][1])
    verifier(f'id="total-caf"' in dom and f'data-centimes="{tc}"' in dom.split('id="total-caf"')[1][:300],
             f"synthèse : total Caf ≠ {total_caf[0][1]}")
    pied = [r for r in p.lignes.get("table-rapprochement", []) if r[0].get("id") == "total-rapprochement"]
    verifier(bool(pied) and int([a for a, _ in pied[0][1] if "data-centimes" in a][-1]["data-centimes"]) == tc,
             "total Caf du rapprochement ≠ TOTAL_CAF du CSV")

# 4. one chart per volet, one bar per eligible structure, bar values = CSV bonus_total
eligibles = [s for s in structures if s["motif"] == "ELIGIBLE"]
barres = {i: v for _, bs in p.svgs for i, v in bs}
verifier(len(barres) == len(eligibles), f"{len(barres)} barres pour {len(eligibles)} structures éligibles")
for s in eligibles:
    verifier(barres.get(s["id"]) == cents(s["bonus_total"]), f"barre de {s['id']}")
volets = sorted({s["volet"] for s in eligibles})
verifier(sorted(v for v, _ in p.svgs) == volets, f"graphiques {sorted(v for v, _ in p.svgs)} ≠ volets {volets}")
verifier('id="titre-gest"' in dom, "graphique par gestionnaire absent")

# 5. excluded structures with their reason
exclues = [s for s in structures if s["motif"] != "ELIGIBLE"]
html_ex = {a.get("data-id"): a.get("data-motif") for a, _ in p.lignes.get("table-exclues", []) if a.get("data-id")}
verifier(html_ex == {s["id"]: s["motif"] for s in exclues}, "structures non éligibles")

if erreurs:
    print(f"{len(erreurs)} échec(s) :", file=sys.stderr)
    for e in erreurs[:40]:
        print("  " + e, file=sys.stderr)
    sys.exit(1)
print(f"DOM vérifié : {len(structures)} structures, {len(groupes)} groupes, {len(p.svgs)} graphiques de volet, "
      f"{len(barres)} barres, {len(exclues)} structures non éligibles")
PY

verifier_largeurs rapport table-structures
verifier_titres rapport
# the detail table prints in landscape
python3 - "$TMP/rapport.pdf" <<'PY'
import re, subprocess, sys
pdf = sys.argv[1]
info = subprocess.run(["pdfinfo", "-f", "1", "-l", "999", pdf], capture_output=True, text=True).stdout
tailles = {int(n): (float(w), float(h)) for n, w, h in re.findall(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+)", info)}
for n, (w, h) in sorted(tailles.items()):
    t = subprocess.run(["pdftotext", "-f", str(n), "-l", str(n), pdf, "-"], capture_output=True, text=True).stdout
    if "Détail par structure" in t:
        if w <= h:
            print(f"échec : page {n}, le tableau par structure n'est pas en paysage ({w} × {h} pt)", file=sys.stderr)
            sys.exit(1)
        print(f"tableau par structure imprimé en paysage (page {n})")
        break
else:
    print("échec : « Détail par structure » absent du PDF", file=sys.stderr)
    sys.exit(1)
PY

conclure_chromium rapport
echo "1 passed, 0 failed"
