#!/usr/bin/env bash
# Test du rapport HTML de la projection (bonus-ctg projeter --format html) dans un vrai
# navigateur (Chromium sans interface).
#
#   scripts/test-projection-html.sh [DOSSIER] [--images DIR]
#
# 1. produit le rapport HTML et le CSV (profil rfc4180) de la projection du dossier (défaut
#    fixtures/dijon-2024, avec son evenements.csv) ;
# 2. Chromium rend la page : DOM après rendu (--dump-dom), capture PNG, impression PDF A4 ;
# 3. vérifie le DOM : chaque structure du CSV a sa ligne, son bonus et sa contribution de
#    chaque année sont ceux du CSV (attribut et texte affiché) ; les totaux par année (Caf,
#    collectivités, financement public ; N-1 puis chaque année) sont ceux des lignes TOUTES du
#    CSV, dans le tableau et dans les points du graphique ; chaque courbe du graphique a un
#    point par année, dans l'ordre des années, et monte quand le montant monte ; aucun script
#    ni ressource externe ; le PDF est en A4 ;
# 4. avec --images DIR : copie la capture et les pages PNG du PDF (pdftoppm) dans DIR.
#
# Installe chromium (et poppler-utils pour pdfinfo/pdftoppm) avec apt-get s'ils manquent.
# Code de sortie 0 si tout est vérifié, 1 sinon.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/commun-navigateur.sh

lire_arguments "$@"
installer_chromium
preparer

"$BIN" --silencieux projeter "$DOSSIER" --sortie "$TMP/projection.html"
# the projection's CSV tables (one per file) as blocks: structures, totals, trajectoire
"$BIN" --silencieux projeter "$DOSSIER" --profil rfc4180 --sortie "$TMP/tables/"
{
    cat "$TMP/tables/structures.csv"; echo
    cat "$TMP/tables/totaux.csv"; echo
    cat "$TMP/tables/trajectoire.csv"
} > "$TMP/projection.csv"

rendre_chromium projection 1200,1500

python3 - "$TMP/dom.html" "$TMP/projection.csv" "$TMP/projection.html" <<'PY'
import csv, io, sys
sys.path.insert(0, "scripts")
from commun_navigateur import LecteurTableaux, cents, texte_cents

dom_file, csv_file, src_file = sys.argv[1:4]
dom = open(dom_file, encoding="utf-8").read()
src = open(src_file, encoding="utf-8").read()

class Lecteur(LecteurTableaux):
    def __init__(self):
        super().__init__()
        self.note = 0
        self.points = {}        # serie -> [(exercice, centimes, cy)]
        self.courbes = {}       # serie -> number of points of the polyline
    def garder_texte(self):
        # text before any note
        return not self.note
    def autre_debut(self, tag, a):
        if tag == "span" and "note" in (a.get("class") or "") and self.cellule is not None:
            self.note += 1
        elif tag == "circle" and a.get("class") == "point":
            self.points.setdefault(a["data-serie"], []).append(
                (int(a["data-exercice"]), int(a["data-centimes"]), float(a["cy"])))
        elif tag == "polyline" and "data-serie" in a:
            self.courbes[a["data-serie"]] = len(a["points"].split())
    def autre_fin(self, tag):
        if tag == "span" and self.note:
            self.note -= 1

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

blocs = open(csv_file, encoding="utf-8").read().split("\n\n")
structures = list(csv.DictReader(io.StringIO(blocs[0])))
totaux = [r for r in csv.DictReader(io.StringIO(blocs[1])) if r["collectivite"] == "TOUTES"]
annees = sorted({int(r["exercice"]) for r in structures})

# 1. every structure, every year: bonus and contribution of the CSV
lignes = {}
for a, cellules in p.lignes.get("table-structures", []):
    if a.get("data-id"):
        lignes[a["data-id"]] = {(int(c["data-exercice"]), c["data-champ"]): (int(c["data-centimes"]), t)
                                for c, t in cellules if "data-centimes" in c}
ids = {s["id"] for s in structures}
verifier(set(lignes) == ids, f"{len(lignes)} lignes HTML pour {len(ids)} structures")
n = 0
for s in structures:
    c = lignes.get(s["id"], {})
    e = int(s["exercice"])
    for champ, col in [("bonus_total", "bonus_total"), ("contribution_collectivite", "contribution_collectivite_n")]:
        v = c.get((e, champ))
        if v is None:
            erreurs.append(f"{s['id']} {e} {champ} absent"); continue
        verifier(v[0] == cents(s[col]), f"{s['id']} {e} {champ} : {v[0]} ≠ CSV {s[col]}")
        verifier(texte_cents(v[1]) == cents(s[col]), f"{s['id']} {e} {champ} : « {v[1]} » ≠ CSV {s[col]}")
        n += 1
    if e == annees[0]:
        v = c.get((e - 1, "contribution_collectivite"))
        verifier(v is not None and v[0] == cents(s["contribution_collectivite_n1"]), f"{s['id']} N-1")

# 2. yearly totals (N-1 then each year) in the table and in the chart
rangs = {a.get("data-champ"): {int(c["data-exercice"]): (int(c["data-centimes"]), t) for c, t in cel if "data-centimes" in c}
         for a, cel in p.lignes.get("table-totaux", [])}
for champ, serie in [("verse_caf", "caf"), ("contribution_collectivite", "collectivites"),
                     ("financement_public", "financement")]:
    attendu = [(int(r["exercice"]), cents(r[champ])) for r in totaux]
    obtenu = sorted((e, v[0]) for e, v in rangs.get(champ, {}).items())
    verifier(obtenu == attendu, f"tableau {champ} : {obtenu} ≠ CSV {attendu}")
    for e, v in rangs.get(champ, {}).items():
        verifier(texte_cents(v[1]) == v[0], f"tableau {champ} {e} : texte « {v[1]} »")
    pts = p.points.get(serie, [])
    verifier([(e, c) for e, c, _ in pts] == attendu, f"graphique {serie} : {[(e, c) for e, c, _ in pts]} ≠ {attendu}")
    verifier(p.courbes.get(serie) == len(attendu), f"courbe {serie} : {p.courbes.get(serie)} points")
    # the higher the amount, the higher the point (smaller y)
    for (e1, c1, y1), (e2, c2, y2) in zip(pts, pts[1:]):
        verifier((c2 > c1) == (y2 < y1) or c1 == c2, f"graphique {serie} {e1}→{e2} : sens de la courbe")
for champ in ["lissage", "nouvelles", "trajectoire", "verse_collectivite", "charge_n1"]:
    attendu = [(int(r["exercice"]), cents(r[champ])) for r in totaux[1:]]
    obtenu = sorted((e, v[0]) for e, v in rangs.get(champ, {}).items())
    verifier(obtenu == attendu, f"tableau {champ} : {obtenu} ≠ CSV {attendu}")
verifier("Financement Caf et collectivités par année" in dom, "titre du graphique absent")

if erreurs:
    print(f"{len(erreurs)} échec(s) :", file=sys.stderr)
    for e in erreurs[:40]:
        print("  " + e, file=sys.stderr)
    sys.exit(1)
print(f"DOM vérifié : {len(ids)} structures × {len(annees)} années ({n} montants), "
      f"{len(totaux)} totaux annuels, {sum(len(v) for v in p.points.values())} points de graphique")
PY

verifier_largeurs projection table-structures
verifier_titres projection

conclure_chromium projection
echo "1 passed, 0 failed"
