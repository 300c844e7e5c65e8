#!/usr/bin/env bash
# Several files at once (issue 12, "several files ingest in parallel"): a logrotate-style set —
# the generated 3-day log cut at line boundaries into FILES consecutive parts, the newest two
# plain (access.log, access.log.1) and the older ones gzip'ed (access.log.2.gz ...) — ingested
# by one `vigil ingest access-log access.log*` into a fresh SQLite store, whole process, the
# files in the page cache:
#
#   at once      the default: streamed files (compressed or small) read by one thread each,
#                one per core at once, in one transaction per group
#   one thread   --threads 1: the same files one after another
#   base         VIGIL_BIN_BASE, when set: another vigil binary (e.g. an older commit) at its
#                default, for a before/after ratio from the same run
#
# Reports seconds, MB/s (decompressed bytes) and peak RssAnon per mode (medians of RUNS),
# and the ratio one thread / at once.
#
# Correctness gate: after every run, `vigil latency --format json` of its store must equal,
# byte for byte, the answer of a store that read the whole log as one file (read once, up
# front): the same requests in other files must give the same counts and the same sketches.
#
#   bench/e2e/ingest_files.sh [LINES] [FILES] [RUNS]   (defaults: 4000000 lines, 8 files, 5 runs)
#
# Environment: VIGIL_BIN, VIGIL_BENCH_CACHE, VIGIL_BENCH_DIR, VIGIL_BENCH_SAMPLE_MS as in
# ingest_compare.sh; VIGIL_BIN_BASE as above. Needs: vigil, GNU time, jq, gzip, split.
set -euo pipefail
export LC_ALL=C
root=$(cd "$(dirname "$0")/../.." && pwd)
vigil=${VIGIL_BIN:-$root/build/vigil}
base=${VIGIL_BIN_BASE:-}
lines=${1:-4000000}
files=${2:-8}
runs=${3:-5}

die() {
  echo "ingest_files: $*" >&2
  exit 2
}
for n in "$lines" "$files" "$runs"; do
  case "$n" in '' | *[!0-9]* | 0) die "LINES, FILES and RUNS must be positive integers, got '$n'" ;; esac
done
[ "$files" -ge 2 ] || die "FILES must be at least 2"
vigil=$(realpath "$vigil" 2> /dev/null || echo "$vigil")
[ -x "$vigil" ] || die "no vigil binary at $vigil: build it first (scripts/build.sh) or set VIGIL_BIN"
if [ -n "$base" ]; then
  base=$(realpath "$base" 2> /dev/null || echo "$base")
  [ -x "$base" ] || die "VIGIL_BIN_BASE=$base is not an executable"
fi
for tool in /usr/bin/time jq gzip split; do
  command -v "$tool" > /dev/null || die "$tool not found (scripts/deps.sh installs the Debian tools)"
done

# shellcheck source=bench/e2e/lib_measure.sh
source "$root/bench/e2e/lib_measure.sh"
enter_work_dir files

log=$(sample_log "$lines" 3d)
bytes=$(stat -c %s "$log")

# The rotated set, cached beside the log: part 1 is the oldest (access.log.$((files-1)).gz),
# the last part is access.log.
set_dir="$log.rotated-$files"
if [ ! -d "$set_dir" ] || [ "$log" -nt "$set_dir" ]; then
  echo "cutting $log into $files files (gzip -6 all but the newest two; once)" >&2
  rm -rf "$set_dir.tmp"
  mkdir -p "$set_dir.tmp"
  split -n "l/$files" -d -a 3 "$log" "$set_dir.tmp/part."
  i=0
  for part in "$set_dir.tmp"/part.*; do
    age=$((files - 1 - i))
    if [ "$age" = 0 ]; then
      mv "$part" "$set_dir.tmp/access.log"
    elif [ "$age" = 1 ]; then
      mv "$part" "$set_dir.tmp/access.log.1"
    else
      gzip -6 -c "$part" > "$set_dir.tmp/access.log.$age.gz"
      rm "$part"
    fi
    i=$((i + 1))
  done
  rm -rf "$set_dir"
  mv "$set_dir.tmp" "$set_dir"
fi
mapfile -t set_files < <(ls -d "$set_dir"/access.log*)
disk_bytes=$(cat "${set_files[@]}" | wc -c)
page_cache "$log" "${set_files[@]}"
echo "log: $log ($lines lines, $(calc "$bytes / 1e6" %.1f) MB) as ${#set_files[@]} files" \
  "($(calc "$disk_bytes / 1e6" %.1f) MB on disk); work: $work; $runs runs;" \
  "load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2

fresh_store() {  # fresh_store PATH
  rm -f "$1" "$1-wal" "$1-shm" "$1-journal"
}
answer() {  # answer BIN STORE OUT: the per-route latency answer of STORE
  "$1" latency --store "$2" --format json | jq -S . > "$3"
}

# The reference: the whole log as one file.
fresh_store "$work/whole.db"
"$vigil" ingest access-log "$log" --store "$work/whole.db" --log-format nginx --quiet --format json \
  > "$work/whole.json" || die "vigil ingest of the whole log failed"
answer "$vigil" "$work/whole.db" "$work/whole-latency.json"

declare -A secs anon
modes=(at_once one_thread)
[ -n "$base" ] && modes+=(base)
for i in $(seq "$runs"); do
  page_cache "${set_files[@]}"
  for mode in "${modes[@]}"; do
    bin=$vigil
    args=()
    case "$mode" in
      one_thread) args=(--threads 1) ;;
      base) bin=$base ;;
    esac
    fresh_store "$work/$mode.db"
    measure "$work/$mode.json" "$work/$mode.err" "$bin" ingest access-log "${set_files[@]}" \
      --store "$work/$mode.db" --log-format nginx --quiet --format json "${args[@]}"
    [ "$M_RC" = 0 ] || die "$mode: vigil ingest failed (exit $M_RC): $(cat "$work/$mode.err")"
    got=$(jq -r '"\(.committed) \(.lines) \(.rejected)"' "$work/$mode.json")
    if [ "$got" != "true $lines 0" ]; then
      echo "FAIL: $mode run $i: committed/lines/rejected = $got, want true $lines 0" >&2
      exit 1
    fi
    answer "$vigil" "$work/$mode.db" "$work/$mode-latency.json"
    if ! cmp -s "$work/$mode-latency.json" "$work/whole-latency.json"; then
      echo "FAIL: $mode run $i: the rotated set answers differently from the whole log" >&2
      diff "$work/whole-latency.json" "$work/$mode-latency.json" | head -20 >&2
      exit 1
    fi
    secs[$mode]+="$M_SECS "
    anon[$mode]+="$M_ANON_KB "
  done
done

med() { tr ' ' '\n' <<< "$1" | grep . | median; }
printf '%-11s %8s %9s %11s %9s\n' mode "s (med)" "MB/s" "lines/s" "RssAnon"
for mode in "${modes[@]}"; do
  s=$(med "${secs[$mode]}")
  printf '%-11s %8.3f %9.1f %11.0f %6.1f MB   (runs: %s)\n' "$mode" "$s" \
    "$(calc "$bytes / 1e6 / $s")" "$(calc "$lines / $s")" \
    "$(calc "$(med "${anon[$mode]}") / 1024")" "${secs[$mode]% }"
done
echo "one thread / at once: $(calc "$(med "${secs[one_thread]}") / $(med "${secs[at_once]}")" %.2f)x"
if [ -n "$base" ]; then
  echo "base / at once: $(calc "$(med "${secs[base]}") / $(med "${secs[at_once]}")" %.2f)x"
fi
echo "every run stored all $lines lines and answered as the whole log did"
