#!/usr/bin/env bash
# Schema-based fuzzing: schemathesis generates requests from /api/v1/openapi.json and checks every
# response against the document, on SQLite and (when SUPPORTDESK_TEST_POSTGRES_URL names a server
# whose user may create databases) on PostgreSQL. Exits non-zero on any finding.
#
#   scripts/schemathesis.sh [BINARY]      # default target/debug/supportdesk (built by cargo test)
#
# Checks: all, and every phase (examples, coverage, fuzzing, and the stateful phase, which
# follows the document's links from each create to the record's reads and writes). Two checks run
# in a narrowed form (scripts/schemathesis_hooks.py): positive_data_acceptance_but_state still
# fails a refused schema-valid request unless the refusal is one of the rules a JSON Schema cannot
# carry (listed there, each with its reason: uniqueness, ids that must exist, a cursor's
# validity, a stale If-Match, ...), and negative_data_rejection_or_precondition counts a 412 as a
# refusal. The hooks also send form bodies as the bracket paths the API reads, give each drawn
# Idempotency-Key a fresh UUID, and drop cases that schemathesis mislabels negative once the
# fixed account_id has replaced the value it drew.
# One worker: with two, hypothesis parses lambda sources from two threads at once, which CPython
# 3.11 does not survive (SystemError "AST constructor recursion depth mismatch"); one is as fast.
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-target/debug/supportdesk}
PORT=${SCHEMATHESIS_PORT:-18190}
EXAMPLES=${SCHEMATHESIS_MAX_EXAMPLES:-15}
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
  cat >"$work/schemathesis.toml" <<EOF
[parameters]
"path.account_id" = $account

[phases.stateful]
max-steps = ${SCHEMATHESIS_STATEFUL_STEPS:-6}

[phases.stateful.generation]
max-examples = ${SCHEMATHESIS_STATEFUL_EXAMPLES:-15}

# Only the document's own links: those inferred from Location headers point at wrong operations.
[phases.stateful.inference]
algorithms = []
EOF
  SCHEMATHESIS_HOOKS=scripts/schemathesis_hooks.py "$VENV/bin/schemathesis" \
    --config-file "$work/schemathesis.toml" run "$base_url/api/v1/openapi.json" \
    --url "$base_url" -H "Authorization: Bearer $token" \
    --checks all --exclude-checks positive_data_acceptance,negative_data_rejection \
    --phases examples,coverage,fuzzing,stateful --max-examples "$EXAMPLES" --workers 1 \
    --generation-deterministic --no-color || status=$?
  # Whatever schemathesis thought, a panic or an internal error in the server log is a failure.
  if grep -E "panicked|internal error" "$work/server-$1.log"; then status=1; fi
  return $status
}

on_each_backend
