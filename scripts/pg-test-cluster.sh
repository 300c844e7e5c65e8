#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks, on 127.0.0.1 only.
#
#   scripts/pg-test-cluster.sh start DIR [--durable]   prints the URL to use (also in DIR/url)
#   scripts/pg-test-cluster.sh stop DIR                 stops it and deletes its data
#
# start: initdb (trust authentication, superuser `vigil`) and a server on a random free port
# of 127.0.0.1 with its unix socket beside the data; the URL (postgresql://vigil@127.0.0.1:PORT/
# postgres) connects to the maintenance database, where tests create their own databases.
# Without --durable the server skips fsync (test data is thrown away); --durable keeps
# PostgreSQL's defaults (benchmarks). As root, the server runs as the unprivileged `postgres`
# system user (Debian's postgresql package creates it), via runuser; the data then lives in DIR
# when that user can write there, else in a fresh directory under /tmp named in DIR/datadir.
# Binaries: the newest /usr/lib/postgresql/*/bin (scripts/deps.sh installs `postgresql`).
#
# ctest runs `start` as a fixture before the PostgreSQL tests and `stop` after them
# (tests/CMakeLists.txt). Opt-out for developers without PostgreSQL: VIGIL_TEST_POSTGRES=off
# makes `start` write no URL, and the PostgreSQL tests skip; CI (CI=true) ignores the opt-out.
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR [--durable]" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$2
durable=0
[ "${3:-}" = "--durable" ] && durable=1

opted_out() {
  [ "${VIGIL_TEST_POSTGRES:-}" = "off" ] && [ "${CI:-}" != "true" ]
}

as_server() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

pg_bin() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "pg-test-cluster: no PostgreSQL server found under /usr/lib/postgresql (install the" \
      "'postgresql' package: scripts/deps.sh)" >&2
    exit 1
  fi
  echo "$bin"
}

stop_cluster() {
  local data
  [ -d "$dir" ] || return 0
  data=$(cat "$dir/datadir" 2>/dev/null || true)
  if [ -n "$data" ] && [ -f "$data/postmaster.pid" ]; then
    as_server "$(pg_bin)/pg_ctl" -D "$data" -m immediate -w stop > /dev/null 2>&1 || true
  fi
  if [ -n "$data" ] && [ "$data" != "$dir/data" ]; then
    rm -rf "$data"
  fi
  rm -rf "$dir/data" "$dir/url" "$dir/datadir" "$dir/server.log"
}

free_port() {
  local port
  for _ in $(seq 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "pg-test-cluster: no free port found" >&2
  return 1
}

case "$cmd" in
  start)
    if opted_out; then
      mkdir -p "$dir"
      rm -f "$dir/url"
      echo "pg-test-cluster: VIGIL_TEST_POSTGRES=off: no cluster; PostgreSQL tests will skip"
      exit 0
    fi
    bin=$(pg_bin)
    stop_cluster  # a cluster left over by an interrupted run
    mkdir -p "$dir"
    data="$dir/data"
    if [ "$(id -u)" = 0 ]; then
      id postgres > /dev/null 2>&1 || {
        echo "pg-test-cluster: running as root but there is no 'postgres' user to run the" \
          "server as (install the 'postgresql' package)" >&2
        exit 1
      }
      chown postgres "$dir" 2>/dev/null || true
      if ! runuser -u postgres -- test -w "$dir"; then
        data=$(mktemp -d /tmp/vigil-pg.XXXXXX)
        chown postgres "$data"
      fi
    fi
    # A unix socket path must stay under ~107 bytes.
    if [ ${#data} -gt 80 ]; then
      data=$(mktemp -d /tmp/vigil-pg.XXXXXX)
      [ "$(id -u)" = 0 ] && chown postgres "$data"
    fi
    echo "$data" > "$dir/datadir"
    as_server mkdir -p "$data"
    as_server "$bin/initdb" -D "$data" -U vigil --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
      --no-sync > "$dir/server.log" 2>&1 || {
      cat "$dir/server.log" >&2
      echo "pg-test-cluster: initdb failed" >&2
      exit 1
    }
    opts="-c listen_addresses=127.0.0.1 -c unix_socket_directories=$data -c max_connections=200"
    if [ "$durable" = 0 ]; then
      opts="$opts -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    fi
    started=0
    for _ in 1 2 3 4 5; do
      port=$(free_port)
      if as_server "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 \
        -o "$opts -p $port" start > /dev/null 2>&1; then
        started=1
        break
      fi
    done
    if [ "$started" != 1 ]; then
      as_server cat "$data/server.log" >&2 || true
      echo "pg-test-cluster: the server did not start" >&2
      exit 1
    fi
    url="postgresql://vigil@127.0.0.1:$port/postgres"
    echo "$url" > "$dir/url"
    echo "$url"
    ;;
  stop)
    if opted_out && [ ! -f "$dir/datadir" ]; then
      exit 0
    fi
    stop_cluster
    ;;
  *)
    usage
    ;;
esac
