#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the tests: `start DIR PORT`, `stop DIR` (and delete it), or
# `halt DIR` / `resume DIR PORT` to take it down and bring it back (outage tests), or
# `restart DIR PORT` (a fast stop, then start: what an operator's restart does), or
# `replica PRIMARY_PORT DIR PORT`: a streaming replica of the server on PRIMARY_PORT
# (`pg_basebackup -R`), started on PORT (stop it like any other).
# Runs as the `postgres` user when started as root (initdb refuses root). Installs Debian's
# postgresql-15 when its binaries are missing.
set -euo pipefail

action=${1:?usage: pg-test-server.sh start DIR PORT | stop DIR | halt DIR | resume DIR PORT | restart DIR PORT | replica PRIMARY_PORT DIR PORT}
if [ "$action" = replica ]; then
  primary_port=${2:?primary port}
  shift
fi
dir=${2:?data directory}
pgbin=/usr/lib/postgresql/15/bin

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# fsync off: the data is thrown away, and test databases are created by the hundred.
run_server() {
  as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
    "-p $1 -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500" \
    start >/dev/null
}

case "$action" in
  start)
    port=${3:?port}
    if [ ! -x "$pgbin/postgres" ]; then
      echo "installing postgresql-15" >&2
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-15 >/dev/null
    fi
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    as_pg "$pgbin/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
    run_server "$port"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  replica)
    port=${3:?port}
    mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
    # initdb's trust rules admit replication from 127.0.0.1; -R writes primary_conninfo.
    as_pg "$pgbin/pg_basebackup" -h 127.0.0.1 -p "$primary_port" -U postgres -D "$dir/data" \
      -R -X stream -c fast --no-sync
    run_server "$port"
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  halt)
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null
    ;;
  resume)
    run_server "${3:?port}"
    ;;
  restart)
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
    run_server "${3:?port}"
    ;;
  stop)
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "unknown action $action" >&2; exit 2 ;;
esac
