#!/usr/bin/env bash
# The memory bound of access-log ingest (issue 12, DESIGN §7: "peak memory set by the number of
# series, not the number of requests"). Ingests three generated logs with the same ~40 routes,
# each into a fresh SQLite store, and compares vigil's peak anonymous memory (RssAnon: heap and
# anonymous maps, not the page-cache pages of the input):
#
#   base     LINES over 3 days
#   dense    LINES × FACTOR over the same 3 days (denser traffic, same span and series)
#   long     LINES × FACTOR over 3 × FACTOR days (the base's density over a FACTOR× longer span)
#
# Verdicts (ratios of peak RssAnon):
#   dense / base <= VIGIL_MEM_MAX_RATIO (default 1.2): more requests for the same series and
#     span must not cost memory;
#   long / base <= VIGIL_MEM_MAX_SPAN_RATIO (default 1.2): a longer span at the same density
#     holds the same rollups in the reorder horizon (same horizon, same series, same requests
#     a minute), so it may not grow memory either beyond the same margin.
# A verdict over its bound prints FAIL and makes the script exit 1, unless --report-only (or
# VIGIL_MEM_FATAL=0), which prints the same verdicts and exits 0. Every run is also checked to
# store every line (a run that loses requests fails regardless).
#
#   bench/e2e/ingest_memory.sh [--report-only] [LINES] [FACTOR] [RUNS]
#       (defaults: 1000000 lines, factor 10, 1 run; peaks are the median of RUNS)
#
# Environment: VIGIL_BIN, VIGIL_BENCH_CACHE, VIGIL_BENCH_DIR, VIGIL_BENCH_SAMPLE_MS as in
# ingest_compare.sh (the 10M-line 3-day log is shared with it). Needs: vigil, GNU time, jq.
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "$0")/../.." && pwd)
vigil=${VIGIL_BIN:-$root/build/vigil}
fatal=${VIGIL_MEM_FATAL:-1}
if [ "${1:-}" = "--report-only" ]; then
  fatal=0
  shift
fi
lines=${1:-1000000}
factor=${2:-10}
runs=${3:-1}
max_ratio=${VIGIL_MEM_MAX_RATIO:-1.2}
max_span_ratio=${VIGIL_MEM_MAX_SPAN_RATIO:-1.2}

die() {
  echo "ingest_memory: $*" >&2
  exit 2
}
for n in "$lines" "$factor" "$runs"; do
  case "$n" in '' | *[!0-9]* | 0) die "LINES, FACTOR and RUNS must be positive integers, got '$n'" ;; esac
done
vigil=$(realpath "$vigil" 2> /dev/null || echo "$vigil")
[ -x "$vigil" ] || die "no vigil binary at $vigil: build it first (scripts/build.sh) or set VIGIL_BIN"
for tool in /usr/bin/time jq; do
  command -v "$tool" > /dev/null || die "$tool not found (scripts/deps.sh)"
done

# shellcheck source=bench/e2e/lib_measure.sh
source "$root/bench/e2e/lib_measure.sh"
enter_work_dir memory

big=$((lines * factor))
names=(base dense long)
declare -A n_lines span path
n_lines=([base]=$lines [dense]=$big [long]=$big)
span=([base]=3d [dense]=3d [long]=$((3 * factor))d)
for c in "${names[@]}"; do
  path[$c]=$(sample_log "${n_lines[$c]}" "${span[$c]}")
done
load_before=$(cut -d' ' -f1-3 /proc/loadavg)

declare -A secs rss anon routes
for c in "${names[@]}"; do
  page_cache "${path[$c]}"
  for _ in $(seq "$runs"); do
    rm -f "$work/mem.db" "$work/mem.db-wal" "$work/mem.db-shm" "$work/mem.db-journal"
    measure "$work/summary.json" "$work/vigil.err" \
      "$vigil" ingest access-log "${path[$c]}" --store "$work/mem.db" --log-format nginx \
      --quiet --format json
    [ "$M_RC" = 0 ] || die "vigil ingest of ${path[$c]} failed (exit $M_RC): $(cat "$work/vigil.err")"
    got=$(jq -r '"\(.committed) \(.lines) \(.rejected)"' "$work/summary.json")
    stored=$("$vigil" latency --store "$work/mem.db" --format json | jq '[.rows[].count] | add')
    if [ "$got" != "true ${n_lines[$c]} 0" ] || [ "$stored" != "${n_lines[$c]}" ]; then
      echo "FAIL: $c: committed/lines/rejected = $got, stored $stored requests; want ${n_lines[$c]}" >&2
      exit 1
    fi
    secs[$c]+="$M_SECS "
    rss[$c]+="$M_RSS_KB "
    anon[$c]+="$M_ANON_KB "
    routes[$c]=$(jq -r '.routes_registered' "$work/summary.json")
  done
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# shellcheck disable=SC2086  # $1 is a space-separated list, split on purpose
med() { printf '%s\n' $1 | median; }
printf '\nvigil ingest access-log, peak memory (median of %s run(s); RssAnon sampled every %s ms)\n' \
  "$runs" "${VIGIL_BENCH_SAMPLE_MS:-20}"
printf 'machine: %s cores; load average %s before, %s after\n' "$(nproc)" "$load_before" "$load_after"
printf '%-6s %11s %6s %8s %7s %9s %10s %10s\n' case lines span MB routes seconds RSS_MB anon_MB
for c in "${names[@]}"; do
  printf '%-6s %11s %6s %8.1f %7s %9.2f %10.1f %10.1f\n' "$c" "${n_lines[$c]}" "${span[$c]}" \
    "$(calc "$(stat -c %s "${path[$c]}") / 1e6")" "${routes[$c]}" "$(med "${secs[$c]}")" \
    "$(calc "$(med "${rss[$c]}") / 1024")" "$(calc "$(med "${anon[$c]}") / 1024")"
done
echo "RSS_MB: peak resident set (GNU time %M, includes file-backed pages); anon_MB: peak RssAnon."

base_anon=$(med "${anon[base]}")
failed=0
verdict() {  # verdict LABEL CASE BOUND
  local label=$1 c=$2 bound=$3 ratio
  ratio=$(calc "$(med "${anon[$c]}") / ($base_anon > 0 ? $base_anon : 1)")
  if awk -v r="$ratio" -v b="$bound" 'BEGIN { exit !(r <= b) }'; then
    echo "PASS: $label: peak RssAnon ratio $ratio <= $bound"
  else
    echo "FAIL: $label: peak RssAnon ratio $ratio > $bound"
    failed=1
  fi
}
verdict "dense/base (${factor}x the requests, same span and series)" dense "$max_ratio"
verdict "long/base (${factor}x the span, same density and series)" long "$max_span_ratio"
if [ "$failed" = 1 ]; then
  if [ "$fatal" = 0 ]; then
    echo "verdict: memory bound NOT met (report only: exit 0)"
    exit 0
  fi
  echo "verdict: memory bound NOT met"
  exit 1
fi
echo "verdict: memory bound met"
