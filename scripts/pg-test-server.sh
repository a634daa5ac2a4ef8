#!/usr/bin/env bash
# A throwaway PostgreSQL 15 for the tests: `start DIR PORT` or `stop DIR`.
# Runs as the `postgres` user when started as root (initdb refuses root). Installs Debian's
# postgresql-15 when its binaries are missing.
set -euo pipefail

action=${1:?usage: pg-test-server.sh start DIR PORT | stop DIR}
dir=${2:?data directory}
pgbin=/usr/lib/postgresql/15/bin

as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
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
    # fsync off: the data is thrown away, and test databases are created by the hundred.
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o \
      "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500" \
      start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
  stop)
    as_pg "$pgbin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *) echo "unknown action $action" >&2; exit 2 ;;
esac
