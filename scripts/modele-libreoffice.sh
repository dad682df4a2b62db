#!/usr/bin/env bash
# LibreOffice as the user's Excel: the blank template of `bonus-ctg modele` is filled in
# LibreOffice Calc (cells typed one by one through its UNO API, scripts/remplir_modele.py)
# with the values of each fixture, saved as .xlsx by LibreOffice, then `bonus-ctg calculer`
# on the saved workbook must give the same amounts, to the byte, as the fixture folder (whose
# results are checked against the independent oracle). Also checks that the drop-down lists
# survive LibreOffice's save.
#
#   scripts/modele-libreoffice.sh [DOSSIER…]     (default: the fixtures)
#
# Needs LibreOffice and its Python bridge: apt-get install -y libreoffice-calc-nogui python3-uno
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v soffice >/dev/null 2>&1 || ! /usr/bin/python3 -c "import uno" 2>/dev/null; then
    echo "modele-libreoffice : LibreOffice ou python3-uno absent (apt-get install -y libreoffice-calc-nogui python3-uno)" >&2
    exit 2
fi
cargo build --release -q
B="$PWD/target/release/bonus-ctg"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
export HOME="$T/profil"
if [ "$#" -gt 0 ]; then DOSSIERS=("$@"); else DOSSIERS=(fixtures/*/); fi
"$B" modele "$T/vierge.xlsx" --silencieux
paires=()
i=0
for d in "${DOSSIERS[@]}"; do
    i=$((i + 1))
    paires+=("$d" "$T/rempli-$i.xlsx")
done
# one LibreOffice for every dossier (it is slow to start)
/usr/bin/python3 scripts/remplir_modele.py "$T/vierge.xlsx" "${paires[@]}"
i=0
for d in "${DOSSIERS[@]}"; do
    i=$((i + 1))
    "$B" calculer "$d" --format csv --profil rfc4180 > "$T/attendu-$i.csv" 2>/dev/null
    if ! "$B" calculer "$T/rempli-$i.xlsx" --format csv --profil rfc4180 > "$T/obtenu-$i.csv" 2> "$T/err-$i.txt"; then
        echo "modele-libreoffice : $d : le classeur rempli dans LibreOffice est refusé" >&2
        cat "$T/err-$i.txt" >&2
        exit 1
    fi
    if ! cmp -s "$T/attendu-$i.csv" "$T/obtenu-$i.csv"; then
        echo "modele-libreoffice : $d : montants différents du dossier" >&2
        diff "$T/attendu-$i.csv" "$T/obtenu-$i.csv" | head -20 >&2
        exit 1
    fi
    # the drop-down lists and the checks are still in the workbook LibreOffice saved
    /usr/bin/python3 - "$T/rempli-$i.xlsx" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
noms = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
xml = "".join(z.read(n).decode() for n in noms)
for attendu in ['type="list"', "PSU,PAJE,PSO,AUCUN", "2,2bis", 'type="decimal"']:
    if attendu not in xml:
        sys.exit(f"modele-libreoffice : validation « {attendu} » perdue à l'enregistrement")
classeur = z.read("xl/workbook.xml").decode()
for feuille in ["aide", "convention", "structures", "charges_n1", "evenements", "bareme"]:
    if f'name="{feuille}"' not in classeur:
        sys.exit(f"modele-libreoffice : feuille « {feuille} » absente après l'enregistrement")
PY
    echo "modele-libreoffice : $d : classeur rempli dans LibreOffice = dossier ($(($(wc -l < "$T/obtenu-$i.csv") - 1)) lignes de résultat identiques)"
done
