#!/usr/bin/env bash
# The README's main job on the embedded default store (SQLite): builds vigil, generates a
# deterministic sample nginx access log (1M lines over 3 days), creates ./vigil.yaml and the
# store, ingests the log and prints the latency table. Work directory: ./demo-run (override
# with VIGIL_DEMO_DIR). Running it again changes nothing: the log is already ingested.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/build.sh"
vigil="$root/build/vigil"
work=${VIGIL_DEMO_DIR:-$root/demo-run}
mkdir -p "$work"
cd "$work"
if [ ! -f access.log ]; then
  "$vigil" demo access-log --out access.log --lines "${VIGIL_DEMO_LINES:-1000000}" --span 3d --seed 1
fi
"$vigil" init
"$vigil" ingest access-log access.log
"$vigil" latency
