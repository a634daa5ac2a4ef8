#!/usr/bin/env bash
# The load benchmark of docs/PERFORMANCE.md: the release binary under wrk, on SQLite and on
# PostgreSQL, at each data size. Every endpoint is reported as req/s, p50, p99, and its req/s as
# a ratio to GET /health (and, on PostgreSQL, to `pgbench -S`) measured in the same run, so the
# ratios hold on a noisy machine where the absolute numbers don't.
#
#   scripts/bench.sh                                # 1,000 and 1,000,000 customers, both backends
#   SIZES="1000" BACKENDS=sqlite DURATION=5 scripts/bench.sh     # a quick look
#   scripts/bench.sh --compare REV                  # interleaved A/B: REV's build against this one
#
# The data set has several tenants and skew: another account is bulk-loaded first with SKEW times
# as many customers (statistics taken), then the benchmarked account is created and loaded with
# SIZE customers (sharing company email domains), and the create runs keep growing it. Every
# endpoint runs at each client count in CONNECTIONS ("1 4 16"): p50 with one client, the
# contention at 16.
#
# --compare REV builds REV in a temporary worktree (or takes BASE_BIN), then runs every endpoint
# ROUNDS times (3) on each build in alternation, on the same seeded database, and reports both
# builds' median req/s and p99 and the ratio new/old: a gain or loss measured side by side in
# one run, which survives a noisy machine. ONLY=REGEX keeps the endpoints whose name matches.
#
# KEEP=DIR keeps the seeded databases (and the PostgreSQL server's data) in DIR: a later run with
# the same KEEP finds them there and measures again without seeding (1M customers plus a tenant as
# large take half an hour to seed on either backend). Such runs see the accounts grown by the
# earlier runs' creates.
#
# Needs wrk (apt-get install wrk) and, for PostgreSQL, Debian's postgresql-15 (installed by
# scripts/pg-test-server.sh when missing). Builds the release binary unless BIN is given.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES=${SIZES:-"1000 1000000"}
BACKENDS=${BACKENDS:-"sqlite postgres"}
DURATION=${DURATION:-10}        # seconds per endpoint
CONNECTIONS=${CONNECTIONS:-"1 4 16"}
SKEW=${SKEW:-1}                 # other tenants' customers, as a multiple of SIZE
THREADS=${THREADS:-2}
CONVERSATIONS=${CONVERSATIONS:-2} # per seeded customer
PORT=${PORT:-18080}
PG_PORT=${PG_PORT:-54340}

COMPARE=
ROUNDS=${ROUNDS:-3}
if [ "${1:-}" = --compare ]; then COMPARE=${2:?--compare needs a git revision}; fi

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
if [ -z "${BIN:-}" ]; then
  cargo build --release --quiet
  BIN=target/release/supportdesk
fi
if [ -n "${KEEP:-}" ]; then
  mkdir -p "$KEEP" && work=$(cd "$KEEP" && pwd)
else
  work=$(mktemp -d /tmp/supportdesk-bench.XXXXXX)
fi
chmod 755 "$work" # the PostgreSQL server runs as the postgres user
server_pid=
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  if [ -d "$work/base" ]; then git worktree remove --force "$work/base" 2>/dev/null || true; fi
  if [ -n "${KEEP:-}" ]; then
    if [ -d "$work/pg" ]; then scripts/pg-test-server.sh halt "$work/pg" 2>/dev/null || true; fi
    return
  fi
  if [ -d "$work/pg" ]; then scripts/pg-test-server.sh stop "$work/pg"; fi
  rm -rf "$work"
}
trap cleanup EXIT

log() { echo "== $*" >&2; }

# Prints "req/s p50 p99 errors requests" for one wrk run with $clients connections; the words
# after the URL go to the script.
load() {
  local script=$1 url=$2
  # shellcheck disable=SC2086 # the script's arguments are words
  wrk -t"$(( clients < THREADS ? clients : THREADS ))" -c"$clients" -d"${DURATION}s" -s "$script" \
    -H "Authorization: Bearer $token" "$url" -- ${3:-} | awk '/^RESULT/ {print $2, $3, $4, $5, $6}'
}

with_report() { cat "scripts/bench/$1" scripts/bench/report.lua >"$work/$1"; echo "$work/$1"; }

# `start_server URL [BINARY]`: the binary under test, or another (the base of --compare).
start_server() {
  DATABASE_URL=$1 BIND_ADDR=127.0.0.1:$PORT RUST_LOG=warn SUPPORTDESK_BOOTSTRAP=false RATE_LIMIT_PER_MINUTE=0 \
    "${2:-$BIN}" serve >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do
    curl -fs "http://127.0.0.1:$PORT/health" >/dev/null && return
    sleep 0.1
  done
  cat "$work/server.log" >&2
  exit 1
}

stop_server() {
  kill -TERM "$server_pid"
  wait "$server_pid" 2>/dev/null || true
  server_pid=
}

# Peak resident memory of the server so far, in MiB.
peak_rss() { awk '/^VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$server_pid/status"; }

pgbench_tps() {
  local url=$1
  psql -q "$url" -c "DROP DATABASE IF EXISTS pgbench" -c "CREATE DATABASE pgbench" >/dev/null
  local db=${url%/*}/pgbench
  pgbench -q -i -s 10 "$db" >/dev/null 2>&1
  pgbench -S -c "$clients" -j "$(( clients < THREADS ? clients : THREADS ))" -T "$DURATION" "$db" 2>/dev/null |
    awk '/^tps/ {printf "%.0f", $3}'
}

if [ -n "$COMPARE" ]; then
  if [ -z "${BASE_BIN:-}" ]; then
    log "building $COMPARE"
    git worktree add --quiet --detach "$work/base" "$COMPARE"
    # A target directory of its own, so the two builds don't undo each other's.
    (cd "$work/base" && CARGO_TARGET_DIR="$PWD/../base-target" cargo build --release --quiet)
    BASE_BIN=$work/base-target/release/supportdesk
  fi
  echo "| backend | customers | endpoint | clients | $COMPARE req/s | this req/s | this / $COMPARE | $COMPARE p99 ms | this p99 ms | errors |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
else
  echo "| backend | customers | endpoint | clients | req/s | p50 ms | p99 ms | vs /health | vs pgbench -S | errors |"
  echo "|---|---|---|---|---|---|---|---|---|---|"
fi

median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# --compare: one endpoint, ROUNDS rounds of base then this build, each on a fresh server.
compare_endpoint() {
  local name=$1 script=$2 target=$3 url=$4 args=$5
  : >"$work/a" && : >"$work/b"
  local errors=0
  for _ in $(seq "$ROUNDS"); do
    for side in a b; do
      if [ "$side" = a ]; then start_server "$url" "$BASE_BIN"; else start_server "$url"; fi
      read -r rps _ p99 errs _ < <(load "$script" "$target" "$args")
      echo "$rps $p99" >>"$work/$side"
      errors=$((errors + errs))
      stop_server
    done
  done
  local a_rps b_rps a_p99 b_p99
  a_rps=$(cut -d' ' -f1 "$work/a" | median); b_rps=$(cut -d' ' -f1 "$work/b" | median)
  a_p99=$(cut -d' ' -f2 "$work/a" | median); b_p99=$(cut -d' ' -f2 "$work/b" | median)
  echo "| $backend | $size | $name | $clients | $a_rps | $b_rps | $(awk -v a="$a_rps" -v b="$b_rps" 'BEGIN {printf "%.2f", b / a}') | $a_p99 | $b_p99 | $errors |"
}

for backend in $BACKENDS; do
  if [ "$backend" = postgres ]; then
    if [ -d "$work/pg/data" ]; then
      scripts/pg-test-server.sh resume "$work/pg" "$PG_PORT"
      pg_admin=postgres://postgres@127.0.0.1:$PG_PORT/postgres
    else
      pg_admin=$(scripts/pg-test-server.sh start "$work/pg" "$PG_PORT")
    fi
  fi
  for size in $SIZES; do
    case $backend in
      sqlite) url="sqlite://$work/bench-$size.db" ;;
      postgres) url="${pg_admin%/*}/bench_$size" ;;
    esac
    export DATABASE_URL=$url
    seeded=$work/seeded-$backend-$size # the accounts of a kept database: other, account, user
    if [ -f "$seeded" ]; then
      log "$backend, $size customers: measuring the database seeded before (KEEP)"
      # shellcheck disable=SC1090 # written below by an earlier run
      . "$seeded"
    else
      [ "$backend" = postgres ] && psql -q "$pg_admin" -c "CREATE DATABASE bench_$size" >/dev/null
      log "$backend, $size customers: seeding another tenant with $((size * SKEW)), then the benchmarked one"
      other=
      if [ "$SKEW" -gt 0 ]; then
        other=$("$BIN" accounts create --name Other | sed 's/.*"id":\([0-9]*\).*/\1/')
        "$BIN" seed-data --account "$other" --customers "$((size * SKEW))" \
          --conversations-per-customer "$CONVERSATIONS" --seed 7 >&2
      fi
      account=$("$BIN" accounts create --name Bench | sed 's/.*"id":\([0-9]*\).*/\1/')
      user=$("$BIN" users create --account "$account" --email "bench-$size@example.com" \
        --first-name Bench --role admin | sed 's/.*"id":\([0-9]*\).*/\1/')
      "$BIN" seed-data --account "$account" --customers "$size" \
        --conversations-per-customer "$CONVERSATIONS" >&2
      [ -n "${KEEP:-}" ] && printf 'other=%s\naccount=%s\nuser=%s\n' "$other" "$account" "$user" >"$seeded"
    fi
    token=$("$BIN" tokens create --user "$user" --expires-in 1d)
    start_server "$url"
    base="http://127.0.0.1:$PORT"
    customers="$base/api/v1/accounts/$account/customers"
    # A customer from the middle of the list, and a cursor that starts there.
    middle=$(curl -fs -H "Authorization: Bearer $token" "$customers?per_page=1&page=$((size / 2))")
    id=$(echo "$middle" | sed 's/^{"data":\[{"id":\([0-9]*\).*/\1/')
    email=$(echo "$middle" | sed 's/.*"emails":\[{"id":[0-9]*,"email":"\([^"]*\)".*/\1/')
    cursor=$(echo "$middle" | sed 's/.*"next_cursor":"\([^"]*\)".*/\1/')
    deep_page=$((size / 25 / 2))
    # A cursor of the default sort from the list's first page, to page a filter without a count.
    first_cursor=$(curl -fs -H "Authorization: Bearer $token" "$customers?per_page=1" |
      sed 's/.*"next_cursor":"\([^"]*\)".*/\1/')
    # A page of duplicate groups far into the list: the cursor after 1,000 groups (or after the
    # last page, when there are fewer).
    dup_cursor=
    for _ in $(seq 10); do
      next=$(curl -fs -H "Authorization: Bearer $token" "$customers/duplicates?limit=100${dup_cursor:+&cursor=$dup_cursor}" |
        grep -o '"next_cursor":"[^"]*"' | cut -d'"' -f4 || true)
      [ -z "$next" ] && break
      dup_cursor=$next
    done
    # Three letters of the middle customer's name: a search that matches a few; with its first
    # name, two words; four digits of its phone (any position matches).
    q=$(echo "$middle" | sed 's/.*"last_name":"\([^"]\{3\}\).*/\1/' | tr -cd 'A-Za-z')
    first=$(echo "$middle" | sed 's/.*"first_name":"\([^"]*\)".*/\1/')
    two_words=$(printf '%s %s' "$first" "$q" | python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.stdin.read()))')
    digits=$(echo "$middle" | grep -o '"phone":"[^"]*"' | head -1 | tr -cd '0-9' | tail -c 4)

    get=$(with_report report.lua)
    endpoints=(
      "GET /health|$get|$base/health"
      "GET customer|$get|$customers/$id"
      "list page 1|$get|$customers"
      "deep page (page=$deep_page)|$get|$customers?page=$deep_page"
      "deep page (cursor)|$get|$customers?cursor=$cursor"
      "lookup by email|$get|$customers?email=$email"
      "exact lookup (email)|$get|$customers/lookup?email=$email"
      "duplicate groups (page 1)|$get|$customers/duplicates"
      "duplicate groups (after 1,000)|$get|$customers/duplicates${dup_cursor:+?cursor=$dup_cursor}"
      "one customer's duplicates|$get|$customers/$id/duplicates"
      "create 3/2/2|$(with_report create_customer.lua)|$customers|3 2 2"
      "create 15/25/150|$(with_report create_customer.lua)|$customers|15 25 150"
      "update (PATCH)|$(with_report update_customer.lua)|$customers/$id"
      # Search (issue 19): a bounded read of the search index whatever the query.
      "search (q=$q)|$get|$customers?q=$q"
      "search, two words (q=$first $q)|$get|$customers?q=$two_words"
      "search, one letter (q=a)|$get|$customers?q=a"
      "search, 4 digits (q=${digits:-1234})|$get|$customers?q=${digits:-1234}"
      # Tag filters: a common tag, a rare one, and a common one in name order.
      "tag filter (tag=newsletter)|$get|$customers?tag=newsletter"
      "tag filter (tag=press)|$get|$customers?tag=press"
      "tag filter by name (tag=newsletter&sort=name)|$get|$customers?tag=newsletter&sort=name"
      # Custom attribute filters (seed-data's attributes): a common value, a rare range, by cursor.
      "custom attribute (plan=pro)|$get|$customers?custom_attributes%5Bplan%5D=pro"
      "custom attribute range (seats gt 400)|$get|$customers?custom_attributes%5Bseats%5D%5Bgt%5D=400"
      "custom attribute range by cursor (renewal_date lt +30 days)|$get|$customers?custom_attributes%5Brenewal_date%5D%5Blt%5D=$(date -u -d '+30 days' +%F)&cursor=$first_cursor"
    )

    if [ -n "$COMPARE" ]; then
      stop_server
      for endpoint in "${endpoints[@]}"; do
        IFS='|' read -r name script target args <<<"$endpoint"
        # ONLY="GET customer": just the endpoints whose name matches (longer runs of one).
        [[ -n "${ONLY:-}" && ! "$name" =~ $ONLY ]] && continue
        for clients in $CONNECTIONS; do
          compare_endpoint "$name" "$script" "$target" "$url" "$args"
        done
      done
      continue
    fi

    # Per client count: /health and pgbench -S at that count are what the endpoints compare to.
    declare -A health=() pgbench=()
    for clients in $CONNECTIONS; do
      read -r health[$clients] _ < <(load "$get" "$base/health")
      if [ "$backend" = postgres ]; then pgbench[$clients]=$(pgbench_tps "$pg_admin"); fi
    done
    for endpoint in "${endpoints[@]}"; do
      IFS='|' read -r name script target args <<<"$endpoint"
      [[ -n "${ONLY:-}" && ! "$name" =~ $ONLY ]] && continue
      for clients in $CONNECTIONS; do
        read -r rps p50 p99 errors _ < <(load "$script" "$target" "$args")
        vs_pg=
        [ -n "${pgbench[$clients]:-}" ] && vs_pg=$(awk -v a="$rps" -v b="${pgbench[$clients]}" 'BEGIN {printf "%.0f %%", 100 * a / b}')
        vs_health=$(awk -v a="$rps" -v b="${health[$clients]}" 'BEGIN {printf "%.0f %%", 100 * a / b}')
        echo "| $backend | $size | $name | $clients | $rps | $p50 | $p99 | $vs_health | $vs_pg | $errors |"
      done
    done
    # Isolation: another account's GET customer at one client, alone and while this account
    # searches with one letter at 16 clients (the account's search lane holds the flood back).
    if [ -n "${other:-}" ] && [[ -z "${ONLY:-}" || "isolation" =~ $ONLY ]]; then
      other_user=$("$BIN" users create --account "$other" --email "other-$size-$$@example.com" \
        --first-name Other --role admin | sed 's/.*"id":\([0-9]*\).*/\1/')
      other_token=$("$BIN" tokens create --user "$other_user" --expires-in 1d)
      other_customers="$base/api/v1/accounts/$other/customers"
      other_id=$(curl -fs -H "Authorization: Bearer $other_token" "$other_customers?per_page=1" |
        sed 's/^{"data":\[{"id":\([0-9]*\).*/\1/')
      bench_token=$token clients=1
      token=$other_token
      read -r rps p50 p99 errors _ < <(load "$get" "$other_customers/$other_id")
      echo "| $backend | $size | isolation: another account's GET customer, alone | 1 | $rps | $p50 | $p99 | | | $errors |"
      wrk -t"$THREADS" -c16 -d"$((DURATION + 2))s" -H "Authorization: Bearer $bench_token" \
        "$customers?q=a" >/dev/null 2>&1 &
      flood=$!
      sleep 1
      read -r rps p50 p99 errors _ < <(load "$get" "$other_customers/$other_id")
      wait "$flood"
      echo "| $backend | $size | isolation: the same, while this account searches (q=a, 16 clients) | 1 | $rps | $p50 | $p99 | | | $errors |"
      token=$bench_token
    fi
    echo "| $backend | $size | peak RSS of the server | | $(peak_rss) MiB | | | | | |"
    for clients in $CONNECTIONS; do
      [ -n "${pgbench[$clients]:-}" ] && echo "| $backend | $size | pgbench -S (same server) | $clients | ${pgbench[$clients]} tps | | | | | |"
    done
    stop_server
  done
done
