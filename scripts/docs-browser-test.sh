#!/usr/bin/env bash
# The interactive docs in a real browser: starts the server on a fresh SQLite file with an admin
# token, creates a customer with curl, then has headless Chromium (driven by playwright-core,
# scripts/lib/docs-browser-test.cjs) open /docs, Authorize with the token, Try it out on GET
# customer and check that the page shows a 200 with the customer's name, and that the page asked
# nothing of any other host. Exits non-zero, saying which step failed, when anything doesn't hold
# (a screenshot and the page's text go to target/docs-browser-test/).
#
#   scripts/docs-browser-test.sh [BINARY]      # default target/debug/supportdesk (built by cargo test)
#
# Installs what is missing: Debian's chromium (apt-get, as root), and playwright-core, pinned, with
# npm into a folder of its own under the user's cache (it downloads no browser of its own).
set -euo pipefail
cd "$(dirname "$0")/.."

BIN=${1:-target/debug/supportdesk}
PORT=${DOCS_TEST_PORT:-18390}
PLAYWRIGHT_VERSION=1.65.1
PLAYWRIGHT_DIR=${PLAYWRIGHT_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/supportdesk/playwright-core-$PLAYWRIGHT_VERSION}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
ARTIFACTS=${DOCS_TEST_ARTIFACTS:-$PWD/target/docs-browser-test}

if [ ! -x "$CHROMIUM" ]; then
  echo "installing chromium" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
installed=$(node -p "require('$PLAYWRIGHT_DIR/node_modules/playwright-core/package.json').version" 2>/dev/null || true)
if [ "$installed" != "$PLAYWRIGHT_VERSION" ]; then
  echo "installing playwright-core@$PLAYWRIGHT_VERSION" >&2
  mkdir -p "$PLAYWRIGHT_DIR"
  npm install --silent --no-audit --no-fund --no-save --prefix "$PLAYWRIGHT_DIR" \
    "playwright-core@$PLAYWRIGHT_VERSION" >&2
fi

source scripts/lib/live-server.sh
rm -f "$ARTIFACTS/failure.png" "$ARTIFACTS/failure.txt"

# Sets $account, $token, $base_url; the server is stopped on exit.
DATABASE_URL="sqlite://$work/sqlite.db" start_server docs
customer_name="Ada Docs-$$"
created=$(curl -fsS "$base_url/api/v1/accounts/$account/customers" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"first_name\": \"Ada\", \"last_name\": \"Docs-$$\"}")
customer=$(node -p 'JSON.parse(process.argv[1]).data.id' "$created")
case $customer in
  '' | *[!0-9]*) echo "creating the customer answered $created" >&2; exit 1 ;;
esac

status=0
NODE_PATH="$PLAYWRIGHT_DIR/node_modules" BASE_URL=$base_url TOKEN=$token ACCOUNT_ID=$account \
  CUSTOMER_ID=$customer CUSTOMER_NAME=$customer_name CHROMIUM=$CHROMIUM ARTIFACTS=$ARTIFACTS \
  node scripts/lib/docs-browser-test.cjs || status=$?
# Whatever the page showed, a panic or an internal error in the server log is a failure.
if grep -E "panicked|internal error" "$work/server-docs.log" >&2; then status=1; fi
exit $status
