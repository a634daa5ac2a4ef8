#!/usr/bin/env bash
# The Citus load run of docs/PERFORMANCE.md: two supportdesk instances behind HAProxy on a Citus
# cluster you started (a coordinator and workers with the extension: docs/SCALING.md says how),
# against one instance alone on the same database, in one run. Reports req/s, p50 and p99 per
# endpoint, and each through the balancer as a ratio to /health through the balancer.
#
#   CITUS_URL=postgres://postgres@127.0.0.1:55400/postgres scripts/citus-load.sh
#
# CITUS_URL names the coordinator (a database on it with the extension and the workers added).
# The run creates a database `supportdesk_load` on every node (dropped at the end), migrates it,
# distributes it (scripts/citus-distribute.sql), seeds SIZE customers in the benchmarked account
# and as many in another, then loads each endpoint for DURATION seconds at CLIENTS connections.
# Needs wrk, haproxy and psql (apt-get install wrk haproxy postgresql-client). Builds the
# release binary unless BIN is given. PROFILE=1 then samples every CPU (perf, from Debian's
# linux-perf) while one instance serves GET customer, and prints each program's share.
set -euo pipefail
cd "$(dirname "$0")/.."

CITUS_URL=${CITUS_URL:?the Citus coordinator, e.g. postgres://postgres@127.0.0.1:55400/postgres}
SIZE=${SIZE:-20000}
DURATION=${DURATION:-10}
CLIENTS=${CLIENTS:-16}
PORT=${PORT:-18180} # the balancer; the instances take the next two
DB=supportdesk_load

for tool in wrk haproxy psql; do
  command -v $tool >/dev/null || { echo "$tool is missing" >&2; exit 1; }
done
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/supportdesk
fi
work=$(mktemp -d /tmp/supportdesk-citus.XXXXXX)
pids=()
psql_on() { psql -X -q -v ON_ERROR_STOP=1 "$@"; }
drop_db() {
  psql_on "$CITUS_URL" -c "SET citus.enable_create_database_propagation = on" \
    -c "DROP DATABASE IF EXISTS $DB WITH (FORCE)" >/dev/null 2>&1 || true
}
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  drop_db
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "== $*" >&2; }

# The database on every node, with the extension (not propagated) and the workers added.
drop_db
db_url="${CITUS_URL%/*}/$DB"
psql_on "$CITUS_URL" -c "SET citus.enable_create_database_propagation = on" -c "CREATE DATABASE $DB"
workers=$(psql_on "$CITUS_URL" -At -F ' ' -c \
  "SELECT nodename, nodeport FROM pg_dist_node WHERE groupid <> 0 AND isactive")
psql_on "$db_url" -c "CREATE EXTENSION citus"
while read -r host port; do
  psql_on "${db_url/@*:*\//@$host:$port/}" -c "CREATE EXTENSION citus"
  psql_on "$db_url" -c "SELECT citus_add_node('$host', $port)" >/dev/null
done <<<"$workers"

export DATABASE_URL=$db_url RUST_LOG=warn
log "migrating, distributing, seeding $SIZE customers (and $SIZE in another account)"
"$BIN" migrate >/dev/null
psql_on "$db_url" -f scripts/citus-distribute.sql >/dev/null 2>&1
other=$("$BIN" accounts create --name Other | sed 's/.*"id":\([0-9]*\).*/\1/')
"$BIN" seed-data --account "$other" --customers "$SIZE" --seed 7 >&2
account=$("$BIN" accounts create --name Load | sed 's/.*"id":\([0-9]*\).*/\1/')
user=$("$BIN" users create --account "$account" --email load@example.com --first-name Load \
  --role admin | sed 's/.*"id":\([0-9]*\).*/\1/')
token=$("$BIN" tokens create --user "$user" --expires-in 1d)
"$BIN" seed-data --account "$account" --customers "$SIZE" >&2
psql_on "$db_url" -c "ANALYZE" >/dev/null

for i in 1 2; do
  BIND_ADDR=127.0.0.1:$((PORT + i)) SUPPORTDESK_BOOTSTRAP=false RATE_LIMIT_PER_MINUTE=0 \
    "$BIN" serve >"$work/server-$i.log" 2>&1 &
  pids+=($!)
done
cat >"$work/haproxy.cfg" <<EOF
global
  maxconn 1000
defaults
  mode http
  timeout connect 5s
  timeout client 30s
  timeout server 30s
frontend api
  bind 127.0.0.1:$PORT
  default_backend supportdesk
backend supportdesk
  balance roundrobin
  option httpchk GET /health
  http-reuse always
  server a 127.0.0.1:$((PORT + 1)) check
  server b 127.0.0.1:$((PORT + 2)) check
EOF
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 &
pids+=($!)
for p in $PORT $((PORT + 1)) $((PORT + 2)); do
  for _ in $(seq 100); do curl -fs "http://127.0.0.1:$p/health" >/dev/null && break; sleep 0.1; done
done
sleep 2 # the balancer's first health checks

customers="/api/v1/accounts/$account/customers"
middle=$(curl -fs -H "Authorization: Bearer $token" \
  "http://127.0.0.1:$PORT$customers?per_page=1&page=$((SIZE / 2))")
id=$(echo "$middle" | sed 's/^{"data":\[{"id":\([0-9]*\).*/\1/')
email=$(echo "$middle" | sed 's/.*"emails":\[{"id":[0-9]*,"email":"\([^"]*\)".*/\1/')
q=$(echo "$middle" | sed 's/.*"last_name":"\([^"]\{3\}\).*/\1/' | tr -cd 'A-Za-z')

cat scripts/bench/report.lua >"$work/get.lua"
cat scripts/bench/create_customer.lua scripts/bench/report.lua >"$work/create.lua"
endpoints=(
  "GET /health|get.lua|/health"
  "GET customer|get.lua|$customers/$id"
  "list page 1|get.lua|$customers"
  "exact lookup (email)|get.lua|$customers/lookup?email=$email"
  "search (q=$q)|get.lua|$customers?q=$q"
  "create customer|create.lua|$customers"
)
load() { # PORT SCRIPT PATH: "req/s p50 p99 errors"
  wrk -t2 -c"$CLIENTS" -d"${DURATION}s" -s "$work/$2" -H "Authorization: Bearer $token" \
    "http://127.0.0.1:$1$3" | awk '/^RESULT/ {print $2, $3, $4, $5}'
}
echo "| endpoint | clients | one instance req/s | p50 ms | p99 ms | two behind HAProxy req/s | p50 ms | p99 ms | ratio to /health (HAProxy) | errors |"
echo "|---|---|---|---|---|---|---|---|---|---|"
health=
for endpoint in "${endpoints[@]}"; do
  IFS='|' read -r name script path <<<"$endpoint"
  read -r one_rps one_p50 one_p99 one_err < <(load $((PORT + 1)) "$script" "$path")
  read -r lb_rps lb_p50 lb_p99 lb_err < <(load "$PORT" "$script" "$path")
  [ -z "$health" ] && health=$lb_rps
  ratio=$(awk -v a="$lb_rps" -v b="$health" 'BEGIN {printf "%.2f", a / b}')
  echo "| $name | $CLIENTS | $one_rps | $one_p50 | $one_p99 | $lb_rps | $lb_p50 | $lb_p99 | $ratio | $((one_err + lb_err)) |"
done

if [ -n "${PROFILE:-}" ]; then
  log "profiling GET customer on one instance"
  load $((PORT + 1)) get.lua "$customers/$id" >/dev/null &
  loading=$!
  sleep 1
  perf record -a -g -o "$work/perf.data" -- sleep $((DURATION - 2)) 2>/dev/null
  wait $loading
  echo
  echo "CPU samples by program while one instance served GET customer:"
  perf report -i "$work/perf.data" --sort comm --stdio 2>/dev/null | grep -E '^ +[0-9]' | head -12
  echo
  echo "Inside PostgreSQL (coordinator and workers together), the top symbols:"
  perf report -i "$work/perf.data" --comm postgres --sort dso,symbol --no-children --stdio 2>/dev/null |
    grep -E '^ +[0-9]' | head -15
fi
