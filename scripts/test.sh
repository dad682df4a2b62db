#!/usr/bin/env bash
# The project's test command (README and CI): every Rust test, then the oracle's self-test.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v python3 >/dev/null || { echo "python3 est requis (oracle de référence)" >&2; exit 1; }
cargo test --all-targets
python3 scripts/oracle_selftest.py
