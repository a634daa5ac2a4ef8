# Shared by scripts/schemathesis.sh, scripts/newman.sh and scripts/docs-browser-test.sh (source
# it): a server binary on a fresh database with an admin token, on SQLite and then on PostgreSQL
# (docs-browser-test.sh calls start_server alone, on SQLite).
#   BIN      the supportdesk binary
#   PORT     where the server listens
# Callers define `check NAME` (runs against $base_url with $token and $account) and call
# `on_each_backend`.

work=$(mktemp -d)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# Creates an account (with contact forms), an admin and a token on $DATABASE_URL; starts the
# server on it and waits for /health. Sets $account, $token, $integration_token, $base_url.
start_server() {
  local name=$1 user
  account=$("$BIN" accounts create --name "$name" --contact-form | sed 's/.*"id":\([0-9]*\).*/\1/')
  user=$("$BIN" users create --account "$account" --email "$name-$$@example.com" \
    --first-name Test --last-name Admin --role admin | sed 's/.*"id":\([0-9]*\).*/\1/')
  token=$("$BIN" tokens create --user "$user" --expires-in 1d)
  # The same admin as a Zendesk integration: what it creates is managed (locked fields).
  integration_token=$("$BIN" tokens create --user "$user" --expires-in 1d --integration zendesk)
  base_url=http://127.0.0.1:$PORT
  BIND_ADDR=127.0.0.1:$PORT RUST_LOG=warn SUPPORTDESK_BOOTSTRAP=false \
    LOGIN_RATE_LIMIT_PER_MINUTE=1000000 GUEST_RATE_LIMIT_PER_MINUTE=1000000 RATE_LIMIT_PER_MINUTE=0 \
    "$BIN" serve >"$work/server-$name.log" 2>&1 &
  server=$!
  for _ in $(seq 100); do
    curl -fs "$base_url/health" >/dev/null && return
    sleep 0.1
  done
  cat "$work/server-$name.log" >&2
  return 1
}

stop_server() {
  kill "$server"
  wait "$server" 2>/dev/null || true
  server=
}

# Runs `check NAME` on a fresh SQLite file, then on a fresh PostgreSQL database when
# SUPPORTDESK_TEST_POSTGRES_URL is set (required when CI=true). Fails when any check failed.
on_each_backend() {
  local status=0
  if [ "${CI:-}" = true ] && [ -z "${SUPPORTDESK_TEST_POSTGRES_URL:-}" ]; then
    echo "CI=true but SUPPORTDESK_TEST_POSTGRES_URL is not set" >&2
    return 1
  fi
  DATABASE_URL="sqlite://$work/sqlite.db" run_on sqlite || status=1
  if [ -n "${SUPPORTDESK_TEST_POSTGRES_URL:-}" ]; then
    local admin=$SUPPORTDESK_TEST_POSTGRES_URL db=supportdesk_check_$$
    psql -q "$admin" -c "CREATE DATABASE $db" >/dev/null
    DATABASE_URL="${admin%/*}/$db" run_on postgres || status=1
    psql -q "$admin" -c "DROP DATABASE $db" >/dev/null
  else
    echo "skipped on PostgreSQL: set SUPPORTDESK_TEST_POSTGRES_URL to run it" >&2
  fi
  return $status
}

run_on() {
  local name=$1 status=0
  export DATABASE_URL
  start_server "$name"
  echo "== $(basename "$0") on $name" >&2
  check "$name" || status=1
  stop_server
  return $status
}
