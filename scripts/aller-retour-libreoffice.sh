#!/usr/bin/env bash
# Round trip through LibreOffice: the tool's own `excel-fr` CSV output is opened
# by LibreOffice Calc headless (« ; », UTF-8, French locale), saved as .xlsx, re-exported as
# CSV, and read back. Checks, for each dossier:
#   - every amount / unit / rate reads back as the same exact decimal;
#   - every text reads back unchanged;
#   - in the .xlsx LibreOffice made, amounts are numbers (not text) and no cell is a
#     formula, although a test dossier names its structures `=1+1`, `@SUM(1;2)`, `+2+3`,
#     `-4+5` and `=HYPERLINK(…)` (spreadsheet injection neutralised by the CSV writer).
#
#   scripts/aller-retour-libreoffice.sh [DOSSIER…]     (default: the fixtures)
#
# Needs LibreOffice: apt-get install -y libreoffice-calc-nogui (or libreoffice-calc).
# Not part of `cargo test` (LibreOffice is large and slow to start); run by hand or in CI
# where it is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v soffice >/dev/null 2>&1; then
    echo "aller-retour : LibreOffice absent (apt-get install -y libreoffice-calc-nogui)" >&2
    exit 2
fi
cargo build --release -q
B="$PWD/target/release/bonus-ctg"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
export HOME="$T/profil"   # a fresh LibreOffice profile, nothing of the user's touched

if [ "$#" -gt 0 ]; then
    DOSSIERS=("$@")
else
    DOSSIERS=(fixtures/*/)
    # a dossier whose texts look like formulas
    python3 - "$T/injection" <<'PY'
import csv, io, os, shutil, sys
d = sys.argv[1]
shutil.copytree("tests/entrees/base", d)
p = os.path.join(d, "structures.csv")
lignes = list(csv.reader(open(p, encoding="utf-8", newline=""), delimiter=";"))
noms = ["=1+1", "@SUM(1;2)", "+2+3", "-4+5", '=HYPERLINK("http://exemple.invalid";"clic")']
for l, n in zip(lignes[1:], noms):
    l[3] = n
lignes[1][5] = "=cmd|' /C calc'!A0"  # gestionnaire
with open(p, "w", encoding="utf-8", newline="") as f:
    csv.writer(f, delimiter=";", lineterminator="\n").writerows(lignes)
PY
    DOSSIERS+=("$T/injection")
fi

i=0
for d in "${DOSSIERS[@]}"; do
    i=$((i + 1))
    n="$T/$i"
    mkdir -p "$n/retour"
    "$B" calculer "$d" --format csv --profil excel-fr --sortie "$n/resultat.csv" 2>/dev/null
    # 59 = « ; », 34 = « " », 76 = UTF-8, 1 = first line, 1036 = French (France)
    soffice --headless --norestore --infilter="CSV:59,34,76,1,,1036" \
        --convert-to xlsx --outdir "$n" "$n/resultat.csv" >/dev/null 2>&1
    soffice --headless --norestore \
        --convert-to "csv:Text - txt - csv (StarCalc):59,34,76,1" \
        --outdir "$n/retour" "$n/resultat.xlsx" >/dev/null 2>&1
    python3 - "$d" "$n/resultat.csv" "$n/resultat.xlsx" "$n/retour/resultat.csv" <<'PY'
import csv, re, sys, zipfile
from decimal import Decimal

dossier, original, classeur, retour = sys.argv[1:]
NOMBRE = re.compile(r"^-?\d+(,\d+)?$")

def lire(p, bom):
    t = open(p, encoding="utf-8-sig" if bom else "utf-8", newline="").read()
    lignes = []
    for l in csv.reader(t.splitlines(), delimiter=";"):
        while l and l[-1] == "":
            l.pop()
        lignes.append(l)
    while lignes and not lignes[-1]:
        lignes.pop()
    return lignes

a, b = lire(original, True), lire(retour, False)
erreurs = []
montants = textes = 0
if len(a) != len(b):
    erreurs.append(f"{len(a)} lignes écrites, {len(b)} relues")
for no, (la, lb) in enumerate(zip(a, b), 1):
    if len(la) != len(lb):
        erreurs.append(f"ligne {no} : {len(la)} champs écrits, {len(lb)} relus")
        continue
    for va, vb in zip(la, lb):
        if NOMBRE.match(va):
            montants += 1
            try:
                ok = Decimal(va.replace(",", ".")) == Decimal(vb.replace(",", "."))
            except Exception:
                ok = False
            if not ok:
                erreurs.append(f"ligne {no} : montant {va!r} relu {vb!r}")
        else:
            textes += 1
            # a neutralised text keeps its leading apostrophe, or LibreOffice drops it
            if vb != va and not (va.startswith("'") and vb == va[1:]):
                erreurs.append(f"ligne {no} : texte {va!r} relu {vb!r}")

# the .xlsx LibreOffice made: numbers stay numbers, no formula anywhere
z = zipfile.ZipFile(classeur)
feuille = z.read("xl/worksheets/sheet1.xml").decode()
if "<f>" in feuille or "<f " in feuille:
    erreurs.append("une cellule est devenue une formule")
cellules = dict(((c, int(r)), t) for c, r, t in re.findall(r'<c r="([A-Z]+)(\d+)"([^>]*)>', feuille))
def colonne(j):
    s = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        s = chr(65 + r) + s
    return s
for no, l in enumerate(a, 1):
    for j, v in enumerate(l):
        attrs = cellules.get((colonne(j), no), "")
        if NOMBRE.match(v) and 't="s"' in attrs:
            erreurs.append(f"{colonne(j)}{no} : montant {v!r} devenu texte")

if erreurs:
    print(f"aller-retour {dossier} : ÉCHEC", file=sys.stderr)
    for e in erreurs[:30]:
        print("  " + e, file=sys.stderr)
    sys.exit(1)
print(f"aller-retour {dossier} : {montants} nombres et {textes} textes relus à l'identique, montants numériques, aucune formule")
PY
done

# control: the same import does turn a raw `=1+1` into a formula, so the check above is not
# vacuous (it is the `'` written by the CSV writer that keeps the cell a text)
mkdir -p "$T/temoin"
printf 'a;b\n=1+1;2\n' > "$T/temoin/brut.csv"
soffice --headless --norestore --infilter="CSV:59,34,76,1,,1036" \
    --convert-to xlsx --outdir "$T/temoin" "$T/temoin/brut.csv" >/dev/null 2>&1
if python3 -c "import sys, zipfile; s = zipfile.ZipFile(sys.argv[1]).read('xl/worksheets/sheet1.xml').decode(); sys.exit(0 if '<f' in s else 1)" "$T/temoin/brut.xlsx"; then
    echo "témoin : un « =1+1 » non neutralisé devient bien une formule dans LibreOffice"
else
    echo "témoin : LibreOffice n'a pas évalué « =1+1 » : la vérification d'injection est sans portée ici" >&2
fi
