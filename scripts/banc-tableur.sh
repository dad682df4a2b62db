#!/usr/bin/env bash
# Banc d'essai face au tableur : ce que les Caf font aujourd'hui (un classeur avec les mêmes
# règles, une SOMME.SI.ENS par ligne), recalculé par LibreOffice sans interface, contre
# `bonus-ctg lot` sur les mêmes données.
#
#   scripts/banc-tableur.sh                       # jeu départemental (300 collectivités, 3 000 structures)
#   scripts/banc-tableur.sh 2000 60000            # un autre jeu (collectivités, structures)
#   BONUS_CTG=/chemin/bonus-ctg scripts/banc-tableur.sh
#
# Le classeur (OpenDocument à plat, .fods, écrit par Python sans module externe) empile les
# structures de tous les dossiers sur une feuille et les lignes de charge sur une autre :
#   structures : dossier, id, collectivite, type, unites_existantes, unites_nouvelles,
#                mois_ouverture, volet (RECHERCHEV du type dans la feuille types), poids
#                (unités × mois / 12 si la structure a un volet), total du groupe
#                (SOMME.SI.ENS des poids de même dossier, collectivité et volet), charge du
#                groupe (SOMME.SI.ENS sur la feuille charges), part (ARRONDI(charge × poids /
#                total ; 2)) ;
#   charges    : dossier, collectivite, volet, montant, réparti (SOMME.SI.ENS des parts du
#                groupe), non réparti (montant − réparti).
# C'est la forme du calcul d'un tableur de Caf (recherches et une SOMME.SI.ENS par ligne,
# proportionnelle au nombre de lignes : quadratique en tout), pas toutes les règles du
# programme (planchers, lissage, trajectoire) : le tableur en ferait plus, pas moins.
# Le fichier n'a aucune valeur calculée enregistrée : LibreOffice calcule toutes les
# formules au chargement, puis l'export CSV de la feuille structures les lit.
#
# Mesures (médiane de 3 pour LibreOffice, de 9 pour lot) : LibreOffice sur le classeur avec
# formules, LibreOffice sur le même classeur où les formules sont remplacées par des
# valeurs (démarrage, chargement et export seuls), et bonus-ctg lot. Le rapport donne
# tableur (recalcul compris) / lot, et recalcul seul (différence) / lot.
# Facultatif en CI (LibreOffice n'est pas une dépendance du projet) ; non lancé par .ci/run.
set -euo pipefail

racine="$(cd "$(dirname "$0")/.." && pwd)"
bin="${BONUS_CTG:-$racine/target/release/bonus-ctg}"
collectivites="${1:-300}"
structures="${2:-3000}"
[[ -x "$bin" ]] || { echo "binaire introuvable : $bin (cargo build --release)" >&2; exit 2; }
soffice="$(command -v soffice || command -v libreoffice || true)"
[[ -n "$soffice" ]] || { echo "LibreOffice (soffice) introuvable : banc non lancé" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
"$bin" -q generer "$tmp/jeu" --collectivites "$collectivites" --structures "$structures" --graine 1 >/dev/null
# le type → volet du barème, tel que le programme l'applique (table de recherche du tableur)
"$bin" -q lot "$tmp/jeu" --sortie "$tmp/lot" --profil rfc4180 >/dev/null 2>&1

python3 - "$tmp" <<'PY'
import csv, glob, os, sys
from xml.sax.saxutils import escape
tmp = sys.argv[1]

types = {}
with open(os.path.join(tmp, "lot", "consolide.csv"), newline="", encoding="utf-8") as f:
    for row in csv.reader(f):
        if not row or row[0] in ("dossier", "niveau"):
            if row and row[0] == "niveau":
                break
            continue
        if len(row) > 4:
            types.setdefault(row[3], row[4])

# the generator writes both CSV profiles (« , » and point, or « ; », BOM and decimal comma)
def lire(chemin):
    with open(chemin, newline="", encoding="utf-8-sig") as f:
        texte = f.read()
    d = ";" if ";" in texte.split("\n", 1)[0] else ","
    return d, list(csv.DictReader(texte.splitlines(), delimiter=d))

def nombre(v, d):
    v = (v or "0").strip().replace("\u00a0", "").replace(" ", "")
    return float(v.replace(",", ".") if d == ";" else v)

structures, charges = [], []
for d in sorted(glob.glob(os.path.join(tmp, "jeu", "*", ""))):
    nom = os.path.basename(os.path.dirname(d))
    delim, lignes = lire(os.path.join(d, "structures.csv"))
    for r in lignes:
        structures.append((nom, r["id"], r["collectivite"], r["type"],
                           nombre(r.get("unites_existantes"), delim),
                           nombre(r.get("unites_nouvelles"), delim),
                           int(r.get("mois_ouverture") or 12)))
    delim, lignes = lire(os.path.join(d, "charges_n1.csv"))
    for r in lignes:
        charges.append((nom, r["collectivite"], r["volet"], nombre(r["montant"], delim)))

def cell(v):
    if isinstance(v, (int, float)):
        return '<table:table-cell office:value-type="float" office:value="%s"/>' % v
    return '<table:table-cell office:value-type="string"><text:p>%s</text:p></table:table-cell>' % escape(v)

def formule(f):
    return '<table:table-cell table:formula="of:=%s"/>' % escape(f, {'"': "&quot;"})

def ecrire(chemin, avec_formules):
    ns, nc, nt = len(structures) + 1, len(charges) + 1, len(types) + 1
    S = lambda c: "[.$%s$2:.$%s$%d]" % (c, c, ns)
    C = lambda c: "[$charges.$%s$2:.$%s$%d]" % (c, c, nc)
    SS = lambda c: "[$structures.$%s$2:.$%s$%d]" % (c, c, ns)
    o = ['<?xml version="1.0" encoding="UTF-8"?>',
         '<office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
         'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
         'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
         'xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2" '
         'office:mimetype="application/vnd.oasis.opendocument.spreadsheet">',
         '<office:body><office:spreadsheet>']
    o.append('<table:table table:name="structures">')
    o.append("<table:table-row>" + "".join(cell(x) for x in (
        "dossier", "id", "collectivite", "type", "unites_existantes", "unites_nouvelles",
        "mois_ouverture", "volet", "poids", "total_groupe", "charge_groupe", "part")) + "</table:table-row>")
    for i, s in enumerate(structures, start=2):
        if avec_formules:
            calc = [
                formule('IFERROR(VLOOKUP([.D%d];[$types.$A$2:.$B$%d];2;0);"")' % (i, nt)),
                formule('IF([.H%d]="";0;([.E%d]+[.F%d])*[.G%d]/12)' % (i, i, i, i)),
                formule("SUMIFS(%s;%s;[.A%d];%s;[.C%d];%s;[.H%d])" % (S("I"), S("A"), i, S("C"), i, S("H"), i)),
                formule("SUMIFS(%s;%s;[.A%d];%s;[.C%d];%s;[.H%d])" % (C("D"), C("A"), i, C("B"), i, C("C"), i)),
                formule("IF([.J%d]>0;ROUND([.K%d]*[.I%d]/[.J%d];2);0)" % (i, i, i, i)),
            ]
        else:
            calc = [cell(types.get(s[3], "")), cell(0), cell(0), cell(0), cell(0)]
        o.append("<table:table-row>" + "".join(cell(x) for x in s) + "".join(calc) + "</table:table-row>")
    o.append("</table:table>")
    o.append('<table:table table:name="charges">')
    o.append("<table:table-row>" + "".join(cell(x) for x in (
        "dossier", "collectivite", "volet", "montant", "reparti", "non_reparti")) + "</table:table-row>")
    for i, c in enumerate(charges, start=2):
        if avec_formules:
            calc = [formule("SUMIFS(%s;%s;[.A%d];%s;[.B%d];%s;[.C%d])" % (SS("L"), SS("A"), i, SS("C"), i, SS("H"), i)),
                    formule("[.D%d]-[.E%d]" % (i, i))]
        else:
            calc = [cell(0), cell(0)]
        o.append("<table:table-row>" + "".join(cell(x) for x in c) + "".join(calc) + "</table:table-row>")
    o.append("</table:table>")
    o.append('<table:table table:name="types">')
    o.append("<table:table-row>" + cell("type") + cell("volet") + "</table:table-row>")
    for t, v in sorted(types.items()):
        o.append("<table:table-row>" + cell(t) + cell(v) + "</table:table-row>")
    o.append("</table:table></office:spreadsheet></office:body></office:document>")
    with open(chemin, "w", encoding="utf-8") as f:
        f.write("\n".join(o))

ecrire(os.path.join(tmp, "modele.fods"), True)
ecrire(os.path.join(tmp, "valeurs.fods"), False)
print("classeur : %d structures, %d lignes de charge, %d types" % (len(structures), len(charges), len(types)))
PY

python3 - "$tmp" "$soffice" "$bin" <<'PY'
import os, subprocess, sys, time
tmp, soffice, binaire = sys.argv[1:4]
profil = "file://" + os.path.join(tmp, "profil-lo")

def libreoffice(fichier):
    sortie = os.path.join(tmp, "csv")
    t = time.perf_counter()
    subprocess.run([soffice, "-env:UserInstallation=" + profil, "--headless", "--norestore",
                    "--convert-to", "csv", "--outdir", sortie, fichier],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t

def lot():
    t = time.perf_counter()
    subprocess.run([binaire, "-q", "lot", os.path.join(tmp, "jeu"), "--sortie",
                    os.path.join(tmp, "lot"), "--ecraser"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t

def mediane(v):
    return sorted(v)[len(v) // 2]

libreoffice(os.path.join(tmp, "valeurs.fods"))  # premier lancement : création du profil
avec, sans, l = [], [], []
for _ in range(3):
    avec.append(libreoffice(os.path.join(tmp, "modele.fods")))
    sans.append(libreoffice(os.path.join(tmp, "valeurs.fods")))
lot()
for _ in range(9):
    l.append(lot())
# the spreadsheet really computed: its parts are numbers, not empty
with open(os.path.join(tmp, "csv", "modele.csv"), encoding="utf-8", errors="replace") as f:
    lignes = f.read().splitlines()[1:]
parts = sum(1 for x in lignes if x.rsplit(",", 1)[-1] not in ("", "0"))
a, s, b = mediane(avec), mediane(sans), mediane(l)
print("LibreOffice, classeur avec formules (chargement, recalcul, export) : %.2f s (%s)" % (a, ", ".join("%.2f" % x for x in avec)))
print("LibreOffice, mêmes cellules en valeurs (sans recalcul) : %.2f s" % s)
print("recalcul seul (différence) : %.2f s ; %d parts non nulles calculées par le tableur" % (a - s, parts))
print("bonus-ctg lot : %.3f s (médiane de 9)" % b)
print("rapport tableur / lot : %.0f× (recalcul seul : %.0f×)" % (a / b, max(a - s, 0) / b))
PY
