#!/usr/bin/env bash
# Runs docs/postman_collection.json with newman against a live server: on SQLite, and on
# PostgreSQL when SUPPORTDESK_TEST_POSTGRES_URL names a server whose user may create databases
# (required when CI=true). Exits non-zero when any test in the collection fails.
#
#   scripts/newman.sh [BINARY]      # default target/debug/supportdesk (built by cargo test)
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-target/debug/supportdesk}
PORT=${NEWMAN_PORT:-18290}
NEWMAN_VERSION=6.2.1
newman_dir=target/newman
newman=$newman_dir/node_modules/.bin/newman

if [ ! -x "$newman" ]; then
  npm install --silent --no-audit --no-fund --prefix "$newman_dir" "newman@$NEWMAN_VERSION" >&2
fi
if [ "${CI:-}" = true ] && [ -z "${SUPPORTDESK_TEST_POSTGRES_URL:-}" ]; then
  echo "CI=true but SUPPORTDESK_TEST_POSTGRES_URL is not set" >&2
  exit 1
fi

work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

run() {
  local name=$1
  export DATABASE_URL=$2
  local account user token
  account=$("$BIN" accounts create --name Postman | sed 's/.*"id":\([0-9]*\).*/\1/')
  user=$("$BIN" users create --account "$account" --email "postman-$name@example.com" \
    --first-name Post --last-name Man --role admin | sed 's/.*"id":\([0-9]*\).*/\1/')
  token=$("$BIN" tokens create --user "$user" --expires-in 1d)
  BIND_ADDR=127.0.0.1:$PORT RUST_LOG=warn SUPPORTDESK_BOOTSTRAP=false \
    "$BIN" serve >"$work/server-$name.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break
    sleep 0.1
  done
  echo "== newman on $name" >&2
  local status=0
  "$newman" run docs/postman_collection.json -e docs/postman_environment.json \
    --env-var "baseUrl=http://127.0.0.1:$PORT" --env-var "token=$token" \
    --env-var "accountId=$account" --color off --reporters cli || status=$?
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=
  return $status
}

run sqlite "sqlite://$work/postman.db"
if [ -n "${SUPPORTDESK_TEST_POSTGRES_URL:-}" ]; then
  db=supportdesk_postman_$$
  admin=$SUPPORTDESK_TEST_POSTGRES_URL
  psql -q "$admin" -c "CREATE DATABASE $db" >/dev/null
  run postgres "${admin%/*}/$db"
  psql -q "$admin" -c "DROP DATABASE $db" >/dev/null
else
  echo "skipped on PostgreSQL: set SUPPORTDESK_TEST_POSTGRES_URL to run it" >&2
fi
