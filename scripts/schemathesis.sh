#!/usr/bin/env bash
# Schema-based fuzzing: schemathesis generates requests from /api/v1/openapi.json and checks every
# response against the document, on SQLite and (when SUPPORTDESK_TEST_POSTGRES_URL names a server
# whose user may create databases) on PostgreSQL. Exits non-zero on any finding.
#
#   scripts/schemathesis.sh [BINARY]      # default target/debug/supportdesk (built by cargo test)
#
# Checks: all but two, which test rules a JSON Schema cannot carry (see docs/API-DESIGN.md):
# positive_data_acceptance (schema-valid bodies may still break business rules: a duplicate
# email, a missing first_name on create, a tier id that doesn't exist) and
# negative_data_rejection (unknown query parameters are ignored, not refused). The stateful phase
# is off: its links inferred from our Location headers point at the wrong operations.
# One worker: with two, hypothesis parses lambda sources from two threads at once, which CPython
# 3.11 does not survive (SystemError "AST constructor recursion depth mismatch"); one is as fast.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-target/debug/supportdesk}
PORT=${SCHEMATHESIS_PORT:-18190}
EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-30}
SCHEMATHESIS_VERSION=4.32.5
HYPOTHESIS_VERSION=6.170.17
# Its own virtualenv, so the pinned versions neither meet nor change the machine's Python packages.
VENV=${SCHEMATHESIS_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/supportdesk/schemathesis-$SCHEMATHESIS_VERSION}
if [ "$("$VENV/bin/schemathesis" --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "schemathesis==$SCHEMATHESIS_VERSION" "hypothesis==$HYPOTHESIS_VERSION"
fi
source scripts/lib/live-server.sh

check() {
  local status=0
  printf '[parameters]\n"path.account_id" = %s\n' "$account" >"$work/schemathesis.toml"
  "$VENV/bin/schemathesis" --config-file "$work/schemathesis.toml" run "$base_url/api/v1/openapi.json" \
    --url "$base_url" -H "Authorization: Bearer $token" \
    --checks all --exclude-checks positive_data_acceptance,negative_data_rejection \
    --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" --workers 1 \
    --generation-deterministic --no-color || status=$?
  # Whatever schemathesis thought, a panic or an internal error in the server log is a failure.
  if grep -E "panicked|internal error" "$work/server-$1.log"; then status=1; fi
  return $status
}

on_each_backend
