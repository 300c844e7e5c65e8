#!/usr/bin/env bash
# End-to-end ingest into PostgreSQL (whole processes): one generated nginx log (combined +
# $request_time, in the page cache) ingested RUNS times each way:
#   sqlite       one `vigil ingest access-log` into a fresh SQLite store
#   postgres x1  one process into a fresh PostgreSQL database
#   postgres x2  two processes at once, each ingesting one half of the log, into one fresh
#                PostgreSQL database (two nodes: scale-out)
# PostgreSQL runs in a throwaway cluster on 127.0.0.1 that this script starts and stops
# (scripts/pg-test-cluster.sh, with --durable: PostgreSQL's default fsync and commit settings).
# Reports the median seconds, MB/s and lines/s of each way. Every run is checked: the stored
# request count must equal the generator's line count, or the benchmark fails.
#
#   bench/e2e/ingest_postgres.sh [LINES] [RUNS]      (defaults: 1000000 lines ≈ 220 MB, 3 runs)
# Needs: build/vigil (scripts/build.sh), psql, jq, bc; VIGIL_BIN overrides the binary.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
vigil=${VIGIL_BIN:-$root/build/vigil}
lines=${1:-1000000}
runs=${2:-3}
work=${VIGIL_BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
[ -x "$vigil" ] || { echo "build vigil first: scripts/build.sh" >&2; exit 1; }

cluster="$work/pg-cluster"
trap '"$root/scripts/pg-test-cluster.sh" stop "$cluster" > /dev/null 2>&1 || true' EXIT
url=$("$root/scripts/pg-test-cluster.sh" start "$cluster" --durable)
base=${url%/postgres}

log="$work/bench-$lines.log"
if [ ! -f "$log" ]; then
  "$vigil" demo access-log --out "$log" --lines "$lines" --span 3d --seed 42
fi
half=$(( lines / 2 ))
head -n "$half" "$log" > "$work/first.log"
tail -n +"$(( half + 1 ))" "$log" > "$work/second.log"
bytes=$(stat -c %s "$log")
cat "$log" "$work/first.log" "$work/second.log" > /dev/null  # into the page cache

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
now() { date +%s.%N; }
check() {  # check STORE WHAT
  local stored
  stored=$("$vigil" latency --store "$1" --format json | jq '[.rows[].count] | add')
  if [ "$stored" != "$lines" ]; then
    echo "FAIL: $2 stored $stored requests, the log has $lines" >&2
    exit 1
  fi
}
ingest() {  # ingest STORE FILE
  "$vigil" ingest access-log "$2" --store "$1" --log-format nginx --quiet --format json > /dev/null
}

sqlite_secs=()
pg1_secs=()
pg2_secs=()
for i in $(seq "$runs"); do
  rm -f "$work/bench.db" "$work/bench.db-wal" "$work/bench.db-shm"
  t0=$(now); ingest "$work/bench.db" "$log"; t1=$(now)
  sqlite_secs+=("$(echo "$t1 - $t0" | bc -l)")
  check "$work/bench.db" "sqlite run $i"

  psql "$url" -qc "CREATE DATABASE bench1_$i"
  t0=$(now); ingest "$base/bench1_$i" "$log"; t1=$(now)
  pg1_secs+=("$(echo "$t1 - $t0" | bc -l)")
  check "$base/bench1_$i" "postgres x1 run $i"

  psql "$url" -qc "CREATE DATABASE bench2_$i"
  # The schema first, so both nodes start on equal terms (not part of the timing).
  : > "$work/empty.log"
  ingest "$base/bench2_$i" "$work/empty.log"
  t0=$(now)
  ingest "$base/bench2_$i" "$work/first.log" &
  a=$!
  ingest "$base/bench2_$i" "$work/second.log" &
  b=$!
  wait "$a"
  wait "$b"
  t1=$(now)
  pg2_secs+=("$(echo "$t1 - $t0" | bc -l)")
  check "$base/bench2_$i" "postgres x2 run $i"
  psql "$url" -qc "DROP DATABASE bench1_$i" -c "DROP DATABASE bench2_$i"
done

mb=$(echo "$bytes / 1000000" | bc -l)
printf 'file: %s lines, %.1f MB; %s runs; machine: %s cores, load %s\n' "$lines" "$mb" "$runs" \
  "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %10s %10s %12s\n' way seconds MB/s lines/s
row() {
  local med
  med=$(printf '%s\n' "${@:2}" | median)
  printf '%-34s %10.2f %10.1f %12.0f\n' "$1" "$med" "$(echo "$mb / $med" | bc -l)" \
    "$(echo "$lines / $med" | bc -l)"
}
row "sqlite (1 process)" "${sqlite_secs[@]}"
row "postgres, 1 node" "${pg1_secs[@]}"
row "postgres, 2 nodes at once (halves)" "${pg2_secs[@]}"
echo "all runs: sqlite ${sqlite_secs[*]} s; postgres x1 ${pg1_secs[*]} s; x2 ${pg2_secs[*]} s"
