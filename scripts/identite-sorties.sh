#!/usr/bin/env bash
# Empreintes (SHA-256) de toutes les sorties de bonus-ctg sur les fixtures, le jeu national et
# des jeux générés (graines 1 à 5) : CSV (toutes les tables, deux profils), JSON, valeurs des
# cellules du XLSX, HTML, tableau du terminal, et tous les fichiers de `lot` (CSV et JSON).
# Sert à prouver qu'une optimisation ne change aucun résultat : les empreintes sont comparées
# à celles enregistrées avec le code d'origine (benches/identite-sorties.sha256).
#
#   scripts/identite-sorties.sh                 # compare (code 0 : identiques ; 1 : écart)
#   scripts/identite-sorties.sh --enregistrer   # enregistre les empreintes de référence
#   BONUS_CTG=/chemin/bonus-ctg scripts/identite-sorties.sh   # un autre binaire
#
# Binaire par défaut : target/release/bonus-ctg (cargo build --release d'abord).
set -euo pipefail

racine="$(cd "$(dirname "$0")/.." && pwd)"
bin="${BONUS_CTG:-$racine/target/release/bonus-ctg}"
reference="$racine/benches/identite-sorties.sha256"
enregistrer=0
[[ "${1:-}" == "--enregistrer" ]] && enregistrer=1
[[ -x "$bin" ]] || { echo "binaire introuvable : $bin (cargo build --release)" >&2; exit 2; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
manifeste="$tmp/manifeste"
: >"$manifeste"

# empreinte NOM < contenu
empreinte() {
  printf '%s %s\n' "$(sha256sum | cut -d' ' -f1)" "$1" >>"$manifeste"
}

# la date de production (« produit le 30 novembre 2026 par », pied des rapports et des
# classeurs) remplacée par DATE : une empreinte ne dépend pas du jour où elle est prise
sans_date() {
  sed -E 's/([Pp]roduit le) [0-9]+(er)? [a-zéû]+ [0-9]{4} par/\1 DATE par/g'
}

# valeurs des cellules d'un .xlsx : feuilles et textes partagés (sans docProps, qui porte la
# date de création)
cellules_xlsx() {
  local f="$1"
  unzip -Z1 "$f" | grep -E '^xl/(worksheets/sheet[0-9]+\.xml|sharedStrings\.xml)$' | sort |
    while read -r partie; do
      printf '== %s\n' "$partie"
      unzip -p "$f" "$partie" | sans_date
    done
}

# toutes les sorties d'un dossier (fixture ou dossier généré), sous le nom $2
sorties_dossier() {
  local d="$1" nom="$2"
  for profil in excel-fr rfc4180; do
    for table in structures gestionnaires collectivites rapprochement totaux; do
      "$bin" -q calculer "$d" --format csv --profil "$profil" --table "$table" |
        empreinte "$nom calculer csv $profil $table"
    done
  done
  "$bin" -q calculer "$d" --format json | empreinte "$nom calculer json"
  "$bin" -q calculer "$d" --format table --largeur 200 | empreinte "$nom calculer table"
  "$bin" -q calculer "$d" --format html --sortie "$tmp/r.html" --ecraser
  sans_date <"$tmp/r.html" | empreinte "$nom calculer html"
  "$bin" -q calculer "$d" --format xlsx --sortie "$tmp/r.xlsx" --ecraser
  cellules_xlsx "$tmp/r.xlsx" | empreinte "$nom calculer xlsx (cellules)"
}

# les trois tables CSV de `projeter` du dossier $1, dans les deux profils, bases figée et
# glissante, sous le nom $2
sorties_projection() {
  local d="$1" nom="$2"
  for base in figee glissante; do
    for profil in excel-fr rfc4180; do
      for table in structures totaux trajectoire; do
        "$bin" -q projeter "$d" --format csv --base "$base" --profil "$profil" --table "$table" |
          empreinte "$nom projeter csv $base $profil $table"
      done
    done
  done
}

# tous les fichiers écrits par `lot`, sous le nom $2
sorties_lot() {
  local d="$1" nom="$2"
  for format in csv json; do
    for profil in excel-fr rfc4180; do
      "$bin" -q lot "$d" --sortie "$tmp/lot" --ecraser --format "$format" --profil "$profil" \
        >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
      (cd "$tmp/lot" && find . -type f | LC_ALL=C sort | while read -r f; do
        printf '== %s\n' "$f"
        cat "$f"
      done) | empreinte "$nom lot $format $profil"
    done
  done
}

for f in "$racine"/fixtures/*/; do
  sorties_dossier "$f" "fixture $(basename "$f")"
  sorties_projection "$f" "fixture $(basename "$f")"
done

# le jeu national (celui des bancs) et quatre jeux plus petits d'autres graines
"$bin" -q generer "$tmp/g1" --collectivites 2000 --structures 60000 --graine 1 >/dev/null
sorties_lot "$tmp/g1" "national graine 1"
for g in 2 3 4 5; do
  "$bin" -q generer "$tmp/g$g" --collectivites 300 --structures 9000 --graine "$g" >/dev/null
  sorties_lot "$tmp/g$g" "generer graine $g"
  premier="$(find "$tmp/g$g" -mindepth 1 -maxdepth 1 -type d | LC_ALL=C sort | head -1)"
  sorties_dossier "$premier" "generer graine $g premier dossier"
  sorties_projection "$premier" "generer graine $g premier dossier"
  rm -rf "$tmp/g$g"
done

n="$(wc -l <"$manifeste")"
if [[ $enregistrer == 1 ]]; then
  cp "$manifeste" "$reference"
  echo "$n empreintes enregistrées dans ${reference#"$racine"/}"
  exit 0
fi
if diff -u "$reference" "$manifeste"; then
  echo "sorties identiques : $n empreintes égales à la référence"
else
  echo "ÉCHEC : des sorties diffèrent de la référence (lignes ci-dessus)" >&2
  exit 1
fi
