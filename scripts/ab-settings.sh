#!/usr/bin/env bash
# Interleaved A/B of two settings of one build: the same endpoint, the same database, the server
# restarted with setting A, then B, ROUNDS times, at each client count. What a setting costs,
# measured side by side (scripts/bench.sh --compare does the same for two builds).
#
#   DATABASE_URL=postgres://…/desk TOKEN=… BIN=target/release/supportdesk \
#     scripts/ab-settings.sh "SHARED_RATE_LIMITS=true" "SHARED_RATE_LIMITS=false" \
#     /api/v1/accounts/1/customers/150000
#
# Prints "round|side|clients|req/s p50 p99 errors" per run. Needs wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
a=${1:?setting A, as NAME=VALUE}; b=${2:?setting B}; path=${3:?the path to GET}
: "${DATABASE_URL:?}" "${TOKEN:?a bearer token}"
BIN=${BIN:-target/release/supportdesk}; PORT=${PORT:-18096}
ROUNDS=${ROUNDS:-3}; DURATION=${DURATION:-10}; CONNECTIONS=${CONNECTIONS:-"1 16"}
# Every limited request must pass: the limit is set past anything the run can send.
export RATE_LIMIT_PER_MINUTE=${RATE_LIMIT_PER_MINUTE:-100000000}
for round in $(seq "$ROUNDS"); do
  for side in A B; do
    setting=$a; [ "$side" = B ] && setting=$b
    env "$setting" BIND_ADDR=127.0.0.1:$PORT RUST_LOG=warn SUPPORTDESK_BOOTSTRAP=false \
      "$BIN" serve >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 100); do curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
    for clients in $CONNECTIONS; do
      result=$(wrk -t"$(( clients < 2 ? clients : 2 ))" -c"$clients" -d"${DURATION}s" \
        -s scripts/bench/report.lua -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT$path" |
        awk '/^RESULT/ {print $2, $3, $4, $5}')
      echo "$round|$side|$clients|$result"
    done
    kill "$pid"; wait "$pid" 2>/dev/null || true
  done
done
