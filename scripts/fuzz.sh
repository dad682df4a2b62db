#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS seconds each (default 15, so 105 s for the seven),
# from a seed corpus rebuilt out of the fixtures and the test inputs.
#
#   scripts/fuzz.sh [SECONDS]
#
# Targets (fuzz/fuzz_targets/, entry points in src/fuzz.rs):
#   lecture_csv      bytes → decoding → structures and charges parsers
#   lecture_toml     bytes → convention.toml and bareme.toml readers
#   lecture_xlsx     bytes → .xlsx workbook reader (a whole workbook, or a sheet's XML
#                    wrapped in a valid zip so that mutations reach the XML parser)
#   chaine_complete  bytes → dossier (4 files separated by 0xFF) → validation → calcul →
#                    table, CSV (both profiles), JSON, explanations
#   notification     bytes → `verifier`'s notification reader (CSV, XLSX, XLS; bytes
#                    starting with 0x00: a sheet's XML wrapped in a valid zip)
#   evenements       bytes → evenements.csv reader → projection of the Dugny fixture →
#                    every projection renderer (table, CSV, JSON, HTML, XLSX, explanation)
#   rapports         bytes → dossier (as chaine_complete) → HTML report and workbook writers
#
# Built without sanitizer (-s none): the code is safe Rust, and throughput matters more in
# a one-minute CI run than AddressSanitizer.
# cargo-fuzz needs nightly compiler features: the script uses the nightly toolchain when
# rustup has one, otherwise the stable compiler with RUSTC_BOOTSTRAP=1. When neither can
# build it, it runs the stable fallback instead (tests/fuzz_stable.rs: proptest, random
# bytes through the same entry points) and says so.
#
# A crash leaves its input in fuzz/artifacts/TARGET/; the script then exits 1. Turn each
# one into a regression test named after what it found (tests/fuzz_regressions.rs).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDES="${1:-15}"
CIBLES=(lecture_csv lecture_toml lecture_xlsx chaine_complete notification evenements rapports)
# FUZZ_CIBLES="a b" runs only those targets
if [ -n "${FUZZ_CIBLES:-}" ]; then read -r -a CIBLES <<<"$FUZZ_CIBLES"; fi

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh : installation de cargo-fuzz" >&2
    cargo install cargo-fuzz --locked >&2 || true
fi
if cargo +nightly --version >/dev/null 2>&1; then
    FUZZ=(cargo +nightly fuzz)
else
    export RUSTC_BOOTSTRAP=1
    FUZZ=(cargo fuzz)
fi

# ---- seed corpus ---------------------------------------------------------------------
C=fuzz/corpus
mkdir -p "$C/lecture_csv" "$C/lecture_toml" "$C/lecture_xlsx" "$C/chaine_complete" \
    "$C/notification" "$C/evenements" "$C/rapports"
n=0
for f in fixtures/*/*.csv tests/oracle_cas/*/*.csv tests/entrees/base/*.csv tests/entrees/fichiers/*.csv; do
    [ -f "$f" ] && cp "$f" "$C/lecture_csv/$(echo "$f" | tr '/' '_')" && n=$((n + 1))
done
for f in fixtures/*/*.toml tests/oracle_cas/*/*.toml tests/entrees/base/*.toml tests/entrees/fichiers/*.toml src/bareme_defaut.toml; do
    [ -f "$f" ] && cp "$f" "$C/lecture_toml/$(echo "$f" | tr '/' '_')"
done
for d in fixtures/* tests/oracle_cas/* tests/entrees/base; do
    [ -f "$d/convention.toml" ] || continue
    sortie="$C/chaine_complete/$(echo "$d" | tr '/' '_')"
    {
        cat "$d/convention.toml"; printf '\377'
        cat "$d/structures.csv"; printf '\377'
        cat "$d/charges_n1.csv"
        if [ -f "$d/bareme.toml" ]; then printf '\377'; cat "$d/bareme.toml"; fi
    } > "$sortie"
    cp "$sortie" "$C/rapports/"
done
for f in tests/verifier/*.csv; do
    [ -f "$f" ] && cp "$f" "$C/notification/$(echo "$f" | tr '/' '_')"
done
for f in fixtures/*/evenements.csv; do
    [ -f "$f" ] && cp "$f" "$C/evenements/$(echo "$f" | tr '/' '_')"
done
# the target projects the Dugny fixture: events on its structures (every action, both date
# forms, both delimiters) reach the projection, the Dijon ones stop at E031
for f in fuzz/graines/evenements/*.csv; do
    [ -f "$f" ] && cp "$f" "$C/evenements/graine_$(basename "$f")"
done
# every input a crash was once found with (tests/fuzz_regressions/, named TARGET-PREFIX_…)
for f in tests/fuzz_regressions/*.bin; do
    [ -f "$f" ] || continue
    case "$(basename "$f")" in
        xlsx_*) cp "$f" "$C/lecture_xlsx/" ;;
        csv_*) cp "$f" "$C/lecture_csv/" ;;
        notification_*) cp "$f" "$C/notification/" ;;
        evenements_*) cp "$f" "$C/evenements/" ;;
        rapports_*) cp "$f" "$C/rapports/" ;;
        toml_*) cp "$f" "$C/lecture_toml/" ;;
        *) cp "$f" "$C/chaine_complete/" ;;
    esac
done
cargo run -q --example graines_xlsx -- "$PWD/$C/lecture_xlsx" >/dev/null
# the same workbooks as sheet XML + shared strings (the target wraps them in a valid zip)
python3 - "$C/lecture_xlsx" <<'PY'
import os, sys, zipfile
d = sys.argv[1]
for f in os.listdir(d):
    if f.endswith(".xlsx"):
        z = zipfile.ZipFile(os.path.join(d, f))
        x = z.read("xl/worksheets/sheet1.xml") + b"\xff" + z.read("xl/sharedStrings.xml")
        open(os.path.join(d, f[:-5] + ".xml"), "wb").write(x)
PY
# the notification reader takes the same workbooks, and their sheet XML behind a 0x00
for f in "$C"/lecture_xlsx/*.xlsx; do cp "$f" "$C/notification/"; done
for f in "$C"/lecture_xlsx/*.xml; do { printf '\000'; cat "$f"; } > "$C/notification/$(basename "$f")"; done
echo "fuzz.sh : corpus de départ : $n CSV, $(ls "$C/lecture_toml" | wc -l) TOML, $(ls "$C/chaine_complete" | wc -l) dossiers, $(ls "$C/lecture_xlsx" | wc -l) classeurs" >&2

# ---- build (or fall back) ------------------------------------------------------------
# FUZZ_PROFIL=dev (CI): unoptimised build, much faster to compile for a one-minute run.
if [ "${FUZZ_PROFIL:-release}" = dev ]; then MODE=(--dev); else MODE=(-O); fi
if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "fuzz.sh : cargo-fuzz indisponible ici : repli sur le fuzz stable (proptest)" >&2
    PROPTEST_CASES=$((SECONDES * 400)) cargo test --release --test fuzz_stable
    exit $?
fi
# cargo-fuzz is there: a build failure is a failure (never a silent fallback)
if ! (cd fuzz && "${FUZZ[@]}" build "${MODE[@]}" -s none >&2); then
    echo "fuzz.sh : la construction des cibles de fuzz a échoué" >&2
    exit 1
fi

# ---- run -------------------------------------------------------------------------------
mkdir -p target
echec=0
for c in "${CIBLES[@]}"; do
    echo "fuzz.sh : $c pendant $SECONDES s" >&2
    if ! (cd fuzz && "${FUZZ[@]}" run "${MODE[@]}" -s none "$c" "corpus/$c" -- \
            -max_total_time="$SECONDES" -max_len=65536 -rss_limit_mb=4096 \
            -timeout=20 -print_final_stats=1 >"../target/fuzz-$c.log" 2>&1); then
        echo "fuzz.sh : $c a trouvé un plantage (voir target/fuzz-$c.log et fuzz/artifacts/$c/)" >&2
        tail -40 "target/fuzz-$c.log" >&2
        echec=1
    else
        grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "target/fuzz-$c.log" | tail -1 >&2 || true
    fi
done
if [ "$echec" = 0 ]; then
    echo "fuzz.sh : aucun plantage (${#CIBLES[@]} cibles × $SECONDES s)"
fi
exit "$echec"
