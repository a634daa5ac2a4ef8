#!/usr/bin/env bash
# The plans of the hot queries, as the server sends them (same shape and bound values), on a
# seeded database:  scripts/explain.sh DATABASE_URL ACCOUNT_ID
# SQLite URLs (sqlite://path) use the sqlite3 shell; PostgreSQL URLs use psql (EXPLAIN ANALYZE).
# Each plan should name an index led by account_id; none should scan a whole table. (The test
# tests/api/query_plans.rs checks the plans of the statements the server really runs.)
set -euo pipefail
url=${1:?usage: explain.sh DATABASE_URL ACCOUNT_ID}
account=${2:?account id}

# `ids_in LIST`: how db::any_of writes `IN (a list)` on each backend.
case $url in
  sqlite://*)
    run() { sqlite3 "${url#sqlite://}" "$1"; }; explain="EXPLAIN QUERY PLAN"
    ids_in() { echo "IN (SELECT value FROM json_each('[$1]'))"; } ;;
  postgres://* | postgresql://*)
    run() { psql -X -q -A -t "$url" -c "$1"; }; explain="EXPLAIN ANALYZE"
    ids_in() { echo "= ANY('{$1}'::bigint[])"; } ;;
  *) echo "unknown database URL" >&2; exit 2 ;;
esac

# A row from the middle of the account, for the lookups and the cursor.
middle=$(run "SELECT id || '|' || created_at FROM customers WHERE account_id = $account
  ORDER BY created_at DESC, id DESC LIMIT 1 OFFSET (SELECT count(*) / 2 FROM customers WHERE account_id = $account)")
id=${middle%%|*}
at=${middle#*|}
email=$(run "SELECT normalized FROM customer_contacts WHERE customer_id = $id AND kind = 'email' LIMIT 1")

show() {
  echo "== $1"
  run "$explain $2"
  echo
}

show "auth: token, user and membership in one query" "
  SELECT m.role FROM api_tokens t JOIN users u ON u.id = t.user_id
  LEFT JOIN account_members m ON m.user_id = u.id AND m.account_id = $account
  WHERE t.id = 'x' AND t.user_id = 1"
show "GET customer: the row with its contacts" "
  SELECT * FROM customers c LEFT JOIN customer_contacts cc
    ON cc.customer_id = c.id AND cc.account_id = c.account_id
  WHERE c.account_id = $account AND c.id = $id ORDER BY cc.id"
show "GET customer: stats" "
  SELECT status, channel, count(*) FROM conversations
  WHERE account_id = $account AND customer_id = $id AND status <> 'draft'
  GROUP BY status, channel"
page=$(run "SELECT group_concat(id, ',') FROM (SELECT id FROM customers WHERE account_id = $account
  ORDER BY created_at DESC, id DESC LIMIT 25) p" 2>/dev/null ||
  run "SELECT string_agg(id::text, ',') FROM (SELECT id FROM customers WHERE account_id = $account
  ORDER BY created_at DESC, id DESC LIMIT 25) p")
show "a page's contacts" "
  SELECT * FROM customer_contacts WHERE account_id = $account AND customer_id $(ids_in "$page")
  ORDER BY customer_id, id"
show "list page 1 (newest first)" "
  SELECT id FROM customers WHERE account_id = $account
  ORDER BY created_at DESC, id DESC LIMIT 26"
show "list after a cursor from the middle" "
  SELECT id FROM customers WHERE account_id = $account
  AND created_at <= '$at' AND (created_at < '$at' OR id < $id)
  ORDER BY created_at DESC, id DESC LIMIT 26"
show "lookup by email" "
  SELECT id FROM customers WHERE account_id = $account AND id IN (
    SELECT customer_id FROM customer_contacts
    WHERE account_id = $account AND kind = 'email' AND normalized = '$email')
  ORDER BY created_at DESC, id DESC LIMIT 26"
show "email uniqueness check on create" "
  SELECT customer_id FROM customer_contacts
  WHERE account_id = $account AND kind = 'email' AND normalized $(ids_in "\"$email\"" | sed "s/::bigint/::text/")"
