# Shared steps of the real-software checks (sourced, not run): scripts/test-html.sh and
# scripts/test-projection-html.sh (Chromium), scripts/test-xlsx-libreoffice.sh and
# scripts/test-projection-xlsx-libreoffice.sh (LibreOffice). Their Python checks share
# scripts/commun_navigateur.py. The caller has done `set -euo pipefail` and `cd` to the root.

# lire_arguments [DOSSIER] [--images DIR] : sets DOSSIER (default fixtures/dijon-2024), IMAGES
lire_arguments() {
  DOSSIER=fixtures/dijon-2024
  IMAGES=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --images) IMAGES="$2"; shift 2 ;;
      *) DOSSIER="$1"; shift ;;
    esac
  done
}

# installe chromium (et poppler-utils pour pdfinfo/pdftoppm) avec apt-get s'ils manquent
installer_chromium() {
  if ! command -v chromium >/dev/null || ! command -v pdftoppm >/dev/null; then
    echo "installation de chromium et poppler-utils (apt-get)…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium poppler-utils fonts-dejavu-core >/dev/null
  fi
}

# installe libreoffice-calc-nogui avec apt-get s'il manque
installer_libreoffice() {
  if ! command -v soffice >/dev/null; then
    echo "installation de libreoffice-calc-nogui (apt-get)…" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null
  fi
}

# sets BIN, the binary under test ($BONUS_CTG, by default built here), and TMP, a temporary
# directory removed on exit
preparer() {
  if [ -z "${BONUS_CTG:-}" ]; then
    cargo build --quiet
    BONUS_CTG=target/debug/bonus-ctg
  fi
  BIN=$BONUS_CTG
  TMP=$(mktemp -d)
  trap 'rm -rf "$TMP"' EXIT
  # the Python checks import scripts/commun_navigateur.py: no __pycache__ left behind
  export PYTHONDONTWRITEBYTECODE=1
}

# rendre_chromium NOM FENETRE : Chromium renders $TMP/NOM.html into $TMP/dom.html (DOM after
# rendering), $TMP/capture.png (window FENETRE, e.g. 1200,2600) and $TMP/NOM.pdf ; fails if one
# is empty or if the PDF page is not A4 ; sets PAGES and TAILLE
rendre_chromium() {
  local nom=$1 fenetre=$2
  local chrome=(chromium --headless --no-sandbox --disable-gpu --disable-background-networking
    --disable-component-update --no-first-run --disable-sync --disable-extensions
    --user-data-dir="$TMP/profil")
  local url="file://$TMP/$nom.html"
  "${chrome[@]}" --dump-dom "$url" > "$TMP/dom.html" 2>"$TMP/chromium.log"
  "${chrome[@]}" --hide-scrollbars --window-size="$fenetre" --screenshot="$TMP/capture.png" "$url" \
    >>"$TMP/chromium.log" 2>&1
  "${chrome[@]}" --no-pdf-header-footer --print-to-pdf="$TMP/$nom.pdf" "$url" \
    >>"$TMP/chromium.log" 2>&1

  test -s "$TMP/dom.html" || { echo "échec : DOM vide" >&2; cat "$TMP/chromium.log" >&2; exit 1; }
  test -s "$TMP/capture.png" || { echo "échec : pas de capture" >&2; exit 1; }
  test -s "$TMP/$nom.pdf" || { echo "échec : pas de PDF" >&2; exit 1; }

  PAGES=$(pdfinfo "$TMP/$nom.pdf" | awk '/^Pages:/ {print $2}')
  TAILLE=$(pdfinfo "$TMP/$nom.pdf" | awk '/^Page size:/ {print $3 "x" $5}')
  case "$TAILLE" in
    595*x841*|594*x841*|595*x842*|594*x842*) ;;
    *) echo "échec : la page PDF n'est pas A4 ($TAILLE pt)" >&2; exit 1 ;;
  esac
}

# conclure_chromium NOM : prints the PDF's pages ; with --images DIR, copies the capture and
# the PNG pages of the PDF (pdftoppm) into DIR
conclure_chromium() {
  local nom=$1
  echo "PDF : $PAGES pages A4 ($TAILLE pt)"
  if [ -n "$IMAGES" ]; then
    mkdir -p "$IMAGES"
    cp "$TMP/capture.png" "$IMAGES/$nom-capture.png"
    pdftoppm -r 70 -png "$TMP/$nom.pdf" "$IMAGES/$nom-page"
    echo "images dans $IMAGES"
  fi
}

# recalculer_libreoffice : LibreOffice opens $TMP/classeur.xlsx with a temporary profile set to
# « always recalculate », and exports every sheet to $TMP/classeur-FEUILLE.csv
recalculer_libreoffice() {
  mkdir -p "$TMP/profil/user"
  cat > "$TMP/profil/user/registrymodifications.xcu" <<'XCU'
<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
XCU
  # 44 = « , », 34 = « " », 76 = UTF-8 ; dernier champ -1 : toutes les feuilles
  timeout 300 soffice -env:UserInstallation="file://$TMP/profil" --headless \
    --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1' \
    --outdir "$TMP" "$TMP/classeur.xlsx" >"$TMP/soffice.log" 2>&1 || { cat "$TMP/soffice.log" >&2; exit 1; }
}

# verifier_largeurs NOM TABLE : at 1 024 and 1 400 px, no horizontal overflow of the page
# $TMP/NOM.html. A copy of the report with a measuring script (the report itself has none)
# records, after layout, the page's scrollWidth against the window's visible width, and the
# right edge of the box of table TABLE (which scrolls within its column).
verifier_largeurs() {
  local nom=$1 table=$2 largeur mesure fenetre visible page cadre droite
  python3 - "$TMP/$nom.html" "$TMP/mesure.html" "$table" <<'PY'
import sys
src, dst, table = sys.argv[1:4]
s = open(src, encoding="utf-8").read()
js = ('<script>window.addEventListener("load",function(){var d=document.documentElement;'
      'var t=document.getElementById("' + table + '");var p=t?t.parentElement:null;'
      'document.body.setAttribute("data-mesure",[window.innerWidth,d.clientWidth,d.scrollWidth,'
      'p?p.clientWidth:0,p?p.getBoundingClientRect().right:0].join(","));});</script>')
open(dst, "w", encoding="utf-8").write(s.replace("</body>", js + "</body>"))
PY
  for largeur in 1024 1400; do
    mesure=$(timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
        --user-data-dir="$TMP/profil-mesure" --window-size="$largeur,900" --virtual-time-budget=3000 \
        --dump-dom "file://$TMP/mesure.html" 2>/dev/null | grep -o 'data-mesure="[^"]*"' | cut -d'"' -f2)
    IFS=, read -r fenetre visible page cadre droite <<<"$mesure"
    if [ -z "$page" ] || [ "$page" -gt "$visible" ] || [ "${droite%.*}" -gt "$visible" ]; then
      echo "échec : à $largeur px la page déborde (fenêtre $fenetre, visible $visible, page $page, tableau jusqu'à $droite)" >&2
      exit 1
    fi
    echo "à $largeur px : page $page px pour $visible visibles, tableau $table dans sa colonne ($cadre px)"
  done
}

# verifier_titres NOM : in the A4 print $TMP/NOM.pdf, no page whose only content is a heading
# (« 3. … ») and no page ending on one (pdftotext page by page)
verifier_titres() {
  python3 - "$TMP/$1.pdf" <<'PY'
import re, subprocess, sys
pdf = sys.argv[1]
pages = int(re.search(r"Pages:\s+(\d+)", subprocess.run(["pdfinfo", pdf], capture_output=True, text=True).stdout).group(1))
titre = re.compile(r"^\d+\. \S")
erreurs = []
for i in range(1, pages + 1):
    t = subprocess.run(["pdftotext", "-f", str(i), "-l", str(i), "-layout", pdf, "-"],
                       capture_output=True, text=True).stdout
    lignes = [l.strip() for l in t.splitlines() if l.strip()]
    if not lignes:
        erreurs.append(f"page {i} vide")
    elif all(titre.match(l) for l in lignes):
        erreurs.append(f"page {i} : rien qu'un titre : {lignes}")
    elif titre.match(lignes[-1]):
        erreurs.append(f"page {i} : titre seul en bas de page : {lignes[-1]}")
if erreurs:
    print("\n".join(erreurs), file=sys.stderr)
    sys.exit(1)
print(f"impression : {pages} pages, aucun titre seul en bas de page ni sur une page")
PY
}
