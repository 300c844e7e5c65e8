#!/usr/bin/env bash
# Access-log ingest against the alternatives, on the same file in the same run (issue 12,
# DESIGN §7): `wc -l` (the scan ceiling), `vigil ingest access-log` into a fresh SQLite store
# (plain and gzip), DuckDB reading the raw log with vigil's route normalisation and exact
# quantiles (two threads), GoAccess on the first 256 MiB of the log (scaled), and `gzip -dc`
# (the decoder's own rate). Whole processes; the log is in the page cache. Reports seconds,
# MB/s, lines/s, peak RSS and peak RssAnon per tool (medians of RUNS; GoAccess once).
#
# Correctness gate: after every vigil run (plain and .gz), `vigil latency --format json` is
# compared with DuckDB's exact answer (bench/duckdb/compare_latency.mjs): the same routes, equal
# count / 5xx / 4xx per route, and p50/p95/p99/p99.9 within 1% (+0.001 ms output rounding) of
# the exact nearest-rank values for every route with >= 100 requests. Any mismatch prints the
# offending rows and fails the script (exit 1): a fast wrong answer is no result.
#
#   bench/e2e/ingest_compare.sh [LINES] [RUNS]    (defaults: 10000000 lines ≈ 2.2 GB, 3 runs)
#
# Environment:
#   VIGIL_BIN                    the vigil binary (default build/vigil)
#   VIGIL_BENCH_CACHE            where generated logs, the .gz and the GoAccess slice are kept
#                                between runs (default $TMPDIR/vigil-bench-cache; ~3 GB)
#   VIGIL_BENCH_DIR              scratch directory for stores and outputs (default: a new one)
#   VIGIL_BENCH_SKIP             space-separated subset of "goaccess gzip" to leave out
#   VIGIL_BENCH_GOACCESS_BYTES   GoAccess slice size (default 268435456 = 256 MiB)
#   VIGIL_BENCH_DUCKDB_THREADS   DuckDB threads (default 2)
#   VIGIL_BENCH_MIN_COUNT        routes with at least this many requests get their percentiles
#                                checked (default 100; counts are checked for every route)
#   VIGIL_BENCH_SAMPLE_MS        RssAnon sampling period (default 20)
#
# Needs: vigil (scripts/build.sh), GNU time, jq, gzip, goaccess (scripts/deps.sh), node + npm
# (DuckDB's Node client is installed into bench/duckdb/node_modules with `npm ci` on first use).
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "$0")/../.." && pwd)
vigil=${VIGIL_BIN:-$root/build/vigil}
lines=${1:-10000000}
runs=${2:-3}
skip=" ${VIGIL_BENCH_SKIP:-} "
slice_bytes=${VIGIL_BENCH_GOACCESS_BYTES:-268435456}
duckdb_threads=${VIGIL_BENCH_DUCKDB_THREADS:-2}
min_count=${VIGIL_BENCH_MIN_COUNT:-100}
duckdb_dir=$root/bench/duckdb

die() {
  echo "ingest_compare: $*" >&2
  exit 2
}
case "$lines" in '' | *[!0-9]*) die "LINES must be a positive integer, got '$lines'" ;; esac
case "$runs" in '' | *[!0-9]* | 0) die "RUNS must be a positive integer, got '$runs'" ;; esac
[ "$lines" -gt 0 ] || die "LINES must be a positive integer"
vigil=$(realpath "$vigil" 2> /dev/null || echo "$vigil")
[ -x "$vigil" ] || die "no vigil binary at $vigil: build it first (scripts/build.sh) or set VIGIL_BIN"
for tool in /usr/bin/time jq node npm gzip; do
  command -v "$tool" > /dev/null || die "$tool not found (scripts/deps.sh installs the Debian tools)"
done
if [[ $skip != *" goaccess "* ]]; then
  command -v goaccess > /dev/null || die "goaccess not found: run scripts/deps.sh (or VIGIL_BENCH_SKIP=goaccess)"
fi

if [ ! -f "$duckdb_dir/node_modules/@duckdb/node-api/package.json" ]; then
  echo "DuckDB's Node client is not installed: running 'npm ci' in bench/duckdb (once; ~70 MB)" >&2
  (cd "$duckdb_dir" && npm ci --no-audit --no-fund --loglevel=error) ||
    die "npm ci in $duckdb_dir failed"
fi

# shellcheck source=bench/e2e/lib_measure.sh
source "$root/bench/e2e/lib_measure.sh"
enter_work_dir compare

log=$(sample_log "$lines" 3d)
bytes=$(stat -c %s "$log")
mb=$(calc "$bytes / 1e6" %.1f)

gz="$log.gz"
if [[ $skip != *" gzip "* ]] && { [ ! -f "$gz" ] || [ "$log" -nt "$gz" ]; }; then
  echo "compressing $log (gzip -6, once)" >&2
  gzip -6 -c "$log" > "$gz.tmp"
  mv "$gz.tmp" "$gz"
fi

# The GoAccess slice: the first slice_bytes bytes of the log, cut back to a line boundary.
slice="$log.slice-$slice_bytes"
if [[ $skip != *" goaccess "* ]] && { [ ! -f "$slice" ] || [ "$log" -nt "$slice" ]; }; then
  slice_lines=$(head -c "$slice_bytes" "$log" | wc -l)
  head -n "$slice_lines" "$log" > "$slice.tmp"
  mv "$slice.tmp" "$slice"
fi

cached=("$log")
[[ $skip == *" gzip "* ]] || cached+=("$gz")
[[ $skip == *" goaccess "* ]] || cached+=("$slice")
page_cache "${cached[@]}"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
echo "log: $log ($lines lines, $mb MB); work: $work; $runs runs; load average $load_before" >&2

# Fails the script when vigil's run did not store every line, or disagrees with DuckDB.
check_vigil() {  # check_vigil LABEL SUMMARY.json STORE
  local label=$1 summary=$2 store=$3
  local got
  got=$(jq -r '"\(.committed) \(.lines) \(.rejected)"' "$summary")
  if [ "$got" != "true $lines 0" ]; then
    echo "FAIL: $label: vigil's summary says committed/lines/rejected = $got, want true $lines 0" >&2
    exit 1
  fi
  "$vigil" latency --store "$store" --format json > "$work/vigil-latency.json"
  if ! node "$duckdb_dir/compare_latency.mjs" "$work/duckdb.json" "$work/vigil-latency.json" \
    "$min_count" > "$work/compare.txt"; then
    echo "FAIL: $label: vigil's per-route results differ from DuckDB's exact ones" >&2
    cat "$work/compare.txt" >&2
    exit 1
  fi
}

fresh_store() {  # fresh_store PATH
  rm -f "$1" "$1-wal" "$1-shm" "$1-journal"
}

declare -A secs rss anon
add() {  # add TOOL: appends the last measurement to TOOL's lists
  secs[$1]+="$M_SECS "
  rss[$1]+="$M_RSS_KB "
  anon[$1]+="$M_ANON_KB "
}

# DuckDB first: its answer is the reference every vigil run is checked against.
for i in $(seq "$runs"); do
  page_cache "${cached[@]}"

  measure "$work/wc.out" "$work/wc.err" wc -l "$log"
  [ "$M_RC" = 0 ] || die "wc -l failed: $(cat "$work/wc.err")"
  [ "$(cut -d' ' -f1 "$work/wc.out")" = "$lines" ] || die "wc -l counts $(cat "$work/wc.out"), want $lines"
  add wc

  measure "$work/duckdb.out" "$work/duckdb.err" \
    node "$duckdb_dir/access_log_query.mjs" "$log" "$duckdb_threads"
  [ "$M_RC" = 0 ] || die "DuckDB failed: $(cat "$work/duckdb.err")"
  add duckdb
  if [ "$i" = 1 ]; then
    jq '{rows}' "$work/duckdb.out" > "$work/duckdb-rows.json"
    cp "$work/duckdb.out" "$work/duckdb.json"
    read -r d_lines d_unparsed < <(jq -r '"\(.lines) \(.unparsed)"' "$work/duckdb.json")
    if [ "$d_lines" != "$lines" ] || [ "$d_unparsed" != 0 ]; then
      echo "FAIL: DuckDB read $d_lines lines ($d_unparsed unparsed), the log has $lines" >&2
      exit 1
    fi
  elif ! jq '{rows}' "$work/duckdb.out" | cmp -s - "$work/duckdb-rows.json"; then
    echo "FAIL: DuckDB's run $i answered differently from its run 1" >&2
    exit 1
  fi

  fresh_store "$work/plain.db"
  measure "$work/vigil-summary.json" "$work/vigil.err" \
    "$vigil" ingest access-log "$log" --store "$work/plain.db" --log-format nginx --quiet --format json
  [ "$M_RC" = 0 ] || die "vigil ingest failed (exit $M_RC): $(cat "$work/vigil.err")"
  add vigil
  check_vigil "vigil run $i" "$work/vigil-summary.json" "$work/plain.db"
  vigil_check_line=$(cat "$work/compare.txt")

  if [[ $skip != *" gzip "* ]]; then
    measure /dev/null "$work/gzip.err" gzip -dc "$gz"
    [ "$M_RC" = 0 ] || die "gzip -dc failed: $(cat "$work/gzip.err")"
    add gzip

    fresh_store "$work/gz.db"
    measure "$work/vigil-gz-summary.json" "$work/vigil-gz.err" \
      "$vigil" ingest access-log "$gz" --store "$work/gz.db" --log-format nginx --quiet --format json
    [ "$M_RC" = 0 ] || die "vigil ingest of the .gz failed (exit $M_RC): $(cat "$work/vigil-gz.err")"
    add vigil_gz
    check_vigil "vigil .gz run $i" "$work/vigil-gz-summary.json" "$work/gz.db"
  fi
done

goaccess_note=""
if [[ $skip != *" goaccess "* ]]; then
  s_bytes=$(stat -c %s "$slice")
  s_lines=$(wc -l < "$slice")
  # nginx combined + $request_time, so GoAccess also reads the time served (access-logs.md §3).
  measure "$work/goaccess.out" "$work/goaccess.err" \
    goaccess "$slice" --no-global-config --no-progress --no-parsing-spinner \
    --log-format='%h %^[%d:%t %^] "%r" %s %b "%R" "%u" %T %^' \
    --date-format='%d/%b/%Y' --time-format='%H:%M:%S' -o "$work/goaccess.json"
  [ "$M_RC" = 0 ] || die "goaccess failed (exit $M_RC): $(head -c 2000 "$work/goaccess.err")"
  add goaccess
  read -r g_total g_valid g_failed < <(jq -r \
    '.general | "\(.total_requests) \(.valid_requests) \(.failed_requests)"' "$work/goaccess.json")
  # GoAccess reads few enough lines wrong that its speed means something (the demo log's rare
  # junk request lines may count as failed).
  if [ "$g_total" != "$s_lines" ] || [ $((g_valid * 100)) -lt $((s_lines * 99)) ]; then
    echo "FAIL: GoAccess read $g_total lines, $g_valid valid, $g_failed failed; the slice has $s_lines" >&2
    exit 1
  fi
  goaccess_note="GoAccess: one run on the first $(calc "$s_bytes / 1e6" %.1f) MB ($s_lines lines, $g_valid valid, $g_failed failed); seconds scaled to the whole file at its rate"
fi

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
# The median of a tool's list (at least 1 ms, so rates stay finite on tiny test logs).
# shellcheck disable=SC2086  # $1 is a space-separated list, split on purpose
med() { printf '%s\n' $1 | median | awk '{ print ($1 > 0.001) ? $1 : 0.001 }'; }

# shellcheck disable=SC2016  # a literal $request_time
printf '\nfile: %s lines, %s MB (nginx combined + $request_time, vigil demo --seed 42 --span 3d); %s runs, medians\n' \
  "$lines" "$mb" "$runs"
printf 'machine: %s cores; load average %s before, %s after\n' "$(nproc)" "$load_before" "$load_after"
printf '%-34s %9s %9s %12s %10s %10s %8s\n' tool seconds MB/s lines/s RSS_MB anon_MB x_wc
wc_rate=$(calc "$bytes / 1e6 / $(med "${secs[wc]}")")
row() {  # row LABEL TOOL [BYTES LINES]: one table line from TOOL's medians
  local label=$1 tool=$2 b=${3:-$bytes} l=${4:-$lines}
  local s r a rate
  s=$(med "${secs[$tool]}")
  r=$(med "${rss[$tool]}")
  a=$(med "${anon[$tool]}")
  rate=$(calc "$b / 1e6 / $s")
  local shown=$s
  # A slice's time scaled to the whole file.
  [ "$b" = "$bytes" ] || shown=$(calc "$bytes / 1e6 / $rate")
  printf '%-34s %9.2f %9.1f %12.0f %10.1f %10.1f %8.3f\n' "$label" "$shown" "$rate" \
    "$(calc "$l / $s")" "$(calc "$r / 1024")" "$(calc "$a / 1024")" "$(calc "$rate / $wc_rate" %.5f)"
}
row "wc -l (scan ceiling)" wc
row "vigil ingest (SQLite)" vigil
row "DuckDB ($duckdb_threads threads, exact)" duckdb
if [[ $skip != *" gzip "* ]]; then
  row "gzip -dc > /dev/null (decoder)" gzip
  row "vigil ingest .gz (SQLite)" vigil_gz
fi
[[ $skip == *" goaccess "* ]] || row "GoAccess (256 MiB slice, scaled)" goaccess "$s_bytes" "$s_lines"

v_rate=$(calc "$bytes / 1e6 / $(med "${secs[vigil]}")")
d_rate=$(calc "$bytes / 1e6 / $(med "${secs[duckdb]}")")
echo
echo "MB/s and lines/s are of the uncompressed log (1 MB = 10^6 bytes); x_wc = rate / wc -l's rate."
echo "RSS_MB: peak resident set (GNU time %M, includes file-backed pages); anon_MB: peak RssAnon (sampled every ${VIGIL_BENCH_SAMPLE_MS:-20} ms)."
[[ $skip == *" gzip "* ]] ||
  echo "gzip: $(calc "$(stat -c %s "$gz") / 1e6" %.1f) MB compressed (gzip -6), ratio $(calc "$bytes / $(stat -c %s "$gz")" %.2f)"
[ -z "$goaccess_note" ] || echo "$goaccess_note"
echo "vigil / DuckDB: $(calc "$v_rate / $d_rate" %.2f)x"
[[ $skip == *" goaccess "* ]] ||
  echo "vigil / GoAccess: $(calc "$v_rate / ($s_bytes / 1e6 / $(med "${secs[goaccess]}"))" %.1f)x"
echo "correctness (every vigil run vs DuckDB): $vigil_check_line"
for tool in wc vigil duckdb gzip vigil_gz goaccess; do
  if [ -n "${secs[$tool]:-}" ]; then
    echo "all runs, $tool: ${secs[$tool]}s"
  fi
done
echo "outputs: $work"
