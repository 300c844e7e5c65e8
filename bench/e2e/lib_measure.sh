# Shared helpers of bench/e2e/ingest_compare.sh and ingest_memory.sh (sourced, not run):
# whole-process measurement (wall time, peak RSS, peak anonymous RSS), medians, and the cached
# deterministic sample logs. Needs bash 5 ($EPOCHREALTIME), GNU time (/usr/bin/time) and Linux /proc.
#
# The caller sets `vigil` (the binary) and calls enter_work_dir (which sets `work`) before use.
# shellcheck shell=bash disable=SC2034,SC2154  # sourced: sets M_* for, and reads work/vigil of, the caller

# Sampling period of the RssAnon sampler, in ms (VIGIL_BENCH_SAMPLE_MS, default 20).
bench_sample_s=$(awk -v ms="${VIGIL_BENCH_SAMPLE_MS:-20}" 'BEGIN { printf "%.3f", ms / 1000 }')
# A pipe nobody writes to: `read -t` on it sleeps without forking a `sleep` per sample.
exec {bench_sleep_fd}<> <(:)

# measure OUT ERR CMD [ARGS...]: runs CMD (stdin /dev/null, stdout to OUT, stderr to ERR) and
# sets
#   M_SECS     wall seconds of CMD, from just before its fork to its exit, taken by a small
#              bash wrapper around it ($EPOCHREALTIME, no extra process in the timed span);
#   M_RSS_KB   peak resident set (GNU time's %M, ru_maxrss: anonymous + file-backed pages, so
#              it includes an mmap'ed input file's page-cache pages; the ~4 MB wrapper is below
#              any CMD here);
#   M_ANON_KB  peak RssAnon (anonymous memory only: heap, stacks, anonymous maps), sampled
#              from /proc/PID/status every VIGIL_BENCH_SAMPLE_MS ms; a peak shorter than that
#              can be missed;
#   M_RC       CMD's exit status.
# Never fails itself: the caller decides what a non-zero M_RC means.
measure() {
  local out=$1 err=$2
  shift 2
  local pidfile="$work/.measure.pid" timefile="$work/.measure.time" spanfile="$work/.measure.span"
  rm -f "$pidfile" "$pidfile.tmp" "$timefile" "$spanfile"
  # shellcheck disable=SC2016  # the wrapper expands its own variables
  /usr/bin/time -f '%M' -o "$timefile" bash -c '
    pidfile=$1 spanfile=$2
    shift 2
    t0=$EPOCHREALTIME
    "$@" < /dev/null &
    child=$!
    echo "$child" > "$pidfile.tmp" && mv "$pidfile.tmp" "$pidfile"
    rc=0
    wait "$child" || rc=$?
    t1=$EPOCHREALTIME
    echo "$t0 $t1" > "$spanfile"
    exit "$rc"' measure-wrapper "$pidfile" "$spanfile" "$@" > "$out" 2> "$err" &
  local tpid=$!
  local pid="" peak=0 key val rest
  while kill -0 "$tpid" 2> /dev/null; do
    if [ -s "$pidfile" ]; then
      read -r pid < "$pidfile"
      break
    fi
    read -r -t 0.001 -u "$bench_sleep_fd" || true
  done
  if [ -n "$pid" ]; then
    # /proc/PID goes away once the wrapper has reaped CMD (a zombie has no RssAnon line).
    while [ -r "/proc/$pid/status" ]; do
      while read -r key val rest; do
        if [ "$key" = "RssAnon:" ]; then
          [ "$val" -gt "$peak" ] && peak=$val
          break
        fi
      done 2> /dev/null < "/proc/$pid/status" || break
      read -r -t "$bench_sample_s" -u "$bench_sleep_fd" || true
    done
  fi
  M_RC=0
  wait "$tpid" || M_RC=$?
  local t0=0 t1=0
  [ -s "$spanfile" ] && read -r t0 t1 < "$spanfile"
  M_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
  M_RSS_KB=$(tail -n 1 "$timefile" 2> /dev/null || echo 0)
  case "$M_RSS_KB" in '' | *[!0-9]*) M_RSS_KB=0 ;; esac
  M_ANON_KB=$peak
  rm -f "$pidfile" "$timefile" "$spanfile"
}

# enter_work_dir NAME: sets `work` to VIGIL_BENCH_DIR (created if missing), else to a new
# $TMPDIR/vigil-NAME.XXXXXX, as an absolute path, and changes into it: vigil reads ./vigil.yaml
# when present, and the scratch directory has none.
enter_work_dir() {
  work=${VIGIL_BENCH_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/vigil-$1.XXXXXX")}
  mkdir -p "$work"
  work=$(cd "$work" && pwd)
  cd "$work" || exit 2
}

# median: the median of the numbers on stdin, one a line.
median() {
  sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print 0; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}

# calc EXPR [FORMAT]: awk arithmetic, printed with FORMAT (default %.3f).
calc() {
  awk "BEGIN { printf \"${2:-%.3f}\", $1 }"
}

# sample_log LINES SPAN: prints the path of the cached sample log `vigil demo access-log
# --lines LINES --span SPAN --seed 42` under VIGIL_BENCH_CACHE, generating it on first use
# (into a temporary name, so an interrupted run leaves no partial log behind).
sample_log() {
  local lines=$1 span=$2
  local path="$bench_cache/access-$lines-$span-seed42.log"
  if [ ! -f "$path" ]; then
    echo "generating $path ($lines lines over $span)" >&2
    "$vigil" demo access-log --out "$path.tmp" --lines "$lines" --span "$span" --seed 42 > /dev/null
    mv "$path.tmp" "$path"
  fi
  echo "$path"
}

# page_cache FILE...: reads the files into the page cache and warns when one did not fit.
page_cache() {
  local f
  for f in "$@"; do
    cat "$f" > /dev/null
    if command -v fincore > /dev/null; then
      local res size
      read -r res size < <(fincore --bytes --noheadings --output RES,SIZE "$f")
      if [ "$res" -lt "$size" ]; then
        echo "warning: only $res of $size bytes of $f are in the page cache" >&2
      fi
    fi
  done
}

# The cache of generated logs (several GB with the defaults; kept between runs).
bench_cache=${VIGIL_BENCH_CACHE:-${TMPDIR:-/tmp}/vigil-bench-cache}
mkdir -p "$bench_cache"
