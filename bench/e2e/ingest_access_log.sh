#!/usr/bin/env bash
# End-to-end ingest benchmark (whole process): `vigil ingest access-log` of a generated nginx
# log (combined + $request_time) in the page cache into a fresh SQLite store, RUNS times.
# Reports the median MB/s and lines/s, peak RSS, and `wc -l` on the same file as the scan
# ceiling. Each run is checked: the stored request count must equal the generator's line count,
# or the benchmark fails (a fast wrong answer is no result).
#
#   bench/e2e/ingest_access_log.sh [LINES] [RUNS]      (defaults: 5000000 lines ≈ 1.1 GB, 5 runs)
# Needs: build/vigil (scripts/build.sh), GNU time (/usr/bin/time), jq.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
vigil=${VIGIL_BIN:-$root/build/vigil}
lines=${1:-5000000}
runs=${2:-5}
work=${VIGIL_BENCH_DIR:-$(mktemp -d)}
mkdir -p "$work"
log="$work/bench-$lines.log"
[ -x "$vigil" ] || { echo "build vigil first: scripts/build.sh" >&2; exit 1; }

if [ ! -f "$log" ]; then
  "$vigil" demo access-log --out "$log" --lines "$lines" --span 3d --seed 42
fi
bytes=$(stat -c %s "$log")
cat "$log" > /dev/null  # into the page cache

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

wc_secs=()
vigil_secs=()
rss_kb=()
for i in $(seq "$runs"); do
  t0=$(date +%s.%N); wc -l "$log" > /dev/null; t1=$(date +%s.%N)
  wc_secs+=("$(echo "$t1 - $t0" | bc -l)")

  rm -f "$work/bench.db" "$work/bench.db-wal" "$work/bench.db-shm"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" \
    "$vigil" ingest access-log "$log" --store "$work/bench.db" --log-format nginx --quiet \
    --format json > "$work/summary.json"
  read -r secs kb < "$work/time.txt"
  vigil_secs+=("$secs")
  rss_kb+=("$kb")
  stored=$("$vigil" latency --store "$work/bench.db" --format json | jq '[.rows[].count] | add')
  if [ "$stored" != "$lines" ]; then
    echo "FAIL: run $i stored $stored requests, the log has $lines" >&2
    exit 1
  fi
done

mb=$(echo "$bytes / 1000000" | bc -l)
wc_med=$(printf '%s\n' "${wc_secs[@]}" | median)
v_med=$(printf '%s\n' "${vigil_secs[@]}" | median)
rss_med=$(printf '%s\n' "${rss_kb[@]}" | median)
printf 'file: %s lines, %.1f MB; %s runs; machine: %s cores\n' "$lines" "$mb" "$runs" "$(nproc)"
printf '%-28s %10s %12s %14s %12s\n' tool seconds MB/s lines/s peak_RSS_MB
printf '%-28s %10.2f %12.1f %14.0f %12s\n' "wc -l (scan ceiling)" "$wc_med" \
  "$(echo "$mb / $wc_med" | bc -l)" "$(echo "$lines / $wc_med" | bc -l)" "-"
printf '%-28s %10.2f %12.1f %14.0f %12.1f\n' "vigil ingest (SQLite)" "$v_med" \
  "$(echo "$mb / $v_med" | bc -l)" "$(echo "$lines / $v_med" | bc -l)" "$(echo "$rss_med / 1024" | bc -l)"
echo "all runs: vigil ${vigil_secs[*]} s; wc ${wc_secs[*]} s"
