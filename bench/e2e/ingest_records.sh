#!/usr/bin/env bash
# Record import, whole processes (issue 13's bar: 100k incidents + 100k defects + 50k
# deployments as native NDJSON in under 5 s in all). Generates the three files (deterministic,
# awk), then RUNS times: a fresh SQLite store, `vigil ingest deployments`, `incidents`,
# `defects` one after the other, timed together; then the same three imports again into the
# filled store (every record unchanged: the idempotent path). Every run is checked: the summary
# must say every record was created (first pass) and unchanged (second pass).
#
#   bench/e2e/ingest_records.sh [INCIDENTS] [RUNS]   (defaults: 100000, 5; defects = incidents,
#                                                     deployments = incidents / 2)
# Needs: build/vigil (scripts/build.sh), jq; VIGIL_BIN overrides the binary.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
vigil=${VIGIL_BIN:-$root/build/vigil}
n=${1:-100000}
runs=${2:-5}
work=${VIGIL_BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
[ -x "$vigil" ] || { echo "build vigil first: scripts/build.sh" >&2; exit 1; }
deploys=$((n / 2))

# Deterministic data over 2026: services s0..s19, versions per service in deploy order.
awk -v n="$deploys" 'BEGIN {
  for (i = 0; i < n; i++) {
    t = 1767225600 + i * 600; s = i % 20; v = int(i / 20)
    printf "{\"service\":\"s%d\",\"environment\":\"production\",\"version\":\"1.%d.0\",", s, v
    printf "\"deployed_at\":\"%s\",\"status\":\"%s\"}\n", strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), (i % 17 == 0 ? "failure" : "success")
  }}' > "$work/deployments.ndjson"
awk -v n="$n" 'BEGIN {
  split("critical significant minor unknown", sev, " ")
  for (i = 0; i < n; i++) {
    t = 1767225600 + i * 300; s = i % 20
    printf "{\"id\":\"INC-%d\",\"title\":\"incident %d on s%d\",\"severity\":\"%s\",", i, i, s, sev[i % 4 + 1]
    printf "\"service\":\"s%d\",\"team\":\"team-%d\",\"created_at\":\"%s\",", s, s % 5, strftime("%Y-%m-%dT%H:%M:%SZ", t, 1)
    printf "\"resolved_at\":\"%s\",\"cause_release\":\"s%d@1.%d.0\",", strftime("%Y-%m-%dT%H:%M:%SZ", t + 1800 + i % 7200, 1), s, int(i / 40)
    printf "\"detection_source\":\"%s\",\"escape_phase\":\"integration\"}\n", (i % 3 == 0 ? "customer" : "alert")
  }}' > "$work/incidents.ndjson"
awk -v n="$n" 'BEGIN {
  for (i = 0; i < n; i++) {
    t = 1767225600 + i * 300; s = i % 20
    printf "{\"id\":\"BUG-%d\",\"title\":\"bug %d\",\"reporter\":\"%s\",\"severity\":\"minor\",", i, i, (i % 2 ? "customer" : "internal")
    printf "\"service\":\"s%d\",\"area\":\"area-%d\",\"found_at\":\"%s\",\"release\":\"1.%d.0\"", s, i % 9, strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), int(i / 40)
    printf "%s}\n", (i % 5 == 0 ? ",\"incident\":\"INC-" i "\"" : "")
  }}' > "$work/defects.ndjson"
bytes=$(cat "$work"/deployments.ndjson "$work"/incidents.ndjson "$work"/defects.ndjson | wc -c)
cat "$work"/*.ndjson > /dev/null  # into the page cache

now() { date +%s.%N; }
import_all() {  # import_all STORE EXPECT(created|unchanged)
  local kind count got
  for kind in deployments incidents defects; do
    "$vigil" ingest "$kind" "$work/$kind.ndjson" --store "$1" --format json > "$work/out.json"
    count=$(wc -l < "$work/$kind.ndjson")
    got=$(jq -r ".$2" "$work/out.json")
    if [ "$got" != "$count" ]; then
      echo "FAIL: $kind: $2 = $got, expected $count" >&2
      cat "$work/out.json" >&2
      exit 1
    fi
  done
}
declare -a first second
for ((r = 1; r <= runs; r++)); do
  rm -f "$work/records.db"*
  t0=$(now)
  import_all "$work/records.db" created
  t1=$(now)
  import_all "$work/records.db" unchanged
  t2=$(now)
  first+=("$(echo "$t1 - $t0" | bc)")
  second+=("$(echo "$t2 - $t1" | bc)")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
records=$((n * 2 + deploys))
m1=$(median "${first[@]}")
m2=$(median "${second[@]}")
echo "records: $records ($n incidents, $n defects, $deploys deployments; $((bytes / 1000000)) MB NDJSON), $runs runs"
printf 'first import  (all created):   median %.2f s  (%.0f records/s)   runs: %s\n' "$m1" "$(echo "$records / $m1" | bc -l)" "${first[*]}"
printf 'second import (all unchanged): median %.2f s  (%.0f records/s)   runs: %s\n' "$m2" "$(echo "$records / $m2" | bc -l)" "${second[*]}"
