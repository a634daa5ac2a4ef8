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
source scripts/lib/live-server.sh

check() {
  "$newman" run docs/postman_collection.json -e docs/postman_environment.json \
    --env-var "baseUrl=$base_url" --env-var "token=$token" --env-var "accountId=$account" \
    --env-var "integrationToken=$integration_token" \
    --color off --reporters cli
}

on_each_backend
