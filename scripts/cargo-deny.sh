#!/usr/bin/env bash
# Supply-chain checks with cargo-deny, configured by deny.toml: licenses, bans (no wildcard
# requirements; duplicate versions warned about) and sources (crates.io only) on every run, and
# the RustSec advisories (vulnerable, unmaintained, unsound crates) whenever the advisory
# database can be had. Exits non-zero when a check that ran fails.
#
#   scripts/cargo-deny.sh
#
# cargo-deny is installed, pinned, into a directory of its own under the cache when missing
# (`cargo install`, a few minutes; CARGO_BUILD_JOBS limits its parallelism).
#
# Advisories need the RustSec advisory database, a git repository that cargo-deny clones from
# GitHub into $CARGO_HOME/advisory-dbs and updates on each run. Where GitHub cannot be reached (the
# project's CI machines reach the package registries only) it can check offline against a copy
# fetched before (`cargo deny --offline check advisories`), and git can be pointed at a copy of
# the repository kept elsewhere with SUPPORTDESK_ADVISORY_DB_MIRROR (a git URL or path; it
# replaces the GitHub URL through git's url.insteadOf). So:
#   1. fetch the database (from GitHub, or from the mirror when set);
#   2. check advisories against the copy on disk if its newest commit is at most
#      SUPPORTDESK_ADVISORY_DB_MAX_AGE_DAYS (default 90, cargo-deny's own staleness limit) old,
#      saying how old it is;
#   3. otherwise say, on the last line, that advisories were NOT checked and why. That is not a
#      failure by default: CI here can never reach the database, and a check that fails on every
#      run would block every change while proving nothing. SUPPORTDESK_REQUIRE_ADVISORIES=1 makes
#      it one, for a CI that does have the route (or a mirror).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_DENY_VERSION=0.20.2
ROOT=${CARGO_DENY_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/supportdesk/cargo-deny-$CARGO_DENY_VERSION}
deny=$ROOT/bin/cargo-deny
MAX_AGE_DAYS=${SUPPORTDESK_ADVISORY_DB_MAX_AGE_DAYS:-90}
ADVISORY_DB_URL=https://github.com/RustSec/advisory-db

if [ "$("$deny" --version 2>/dev/null | awk '{print $NF}')" != "$CARGO_DENY_VERSION" ]; then
  echo "installing cargo-deny $CARGO_DENY_VERSION into $ROOT" >&2
  start=$SECONDS
  cargo install --quiet --locked "cargo-deny@$CARGO_DENY_VERSION" --root "$ROOT"
  echo "installed cargo-deny in $((SECONDS - start)) s" >&2
fi

# `cargo deny` finds the binary on PATH; --locked: the checks see Cargo.lock as committed. The
# duplicate-version warnings come without their inclusion graphs (hundreds of lines): `cargo tree
# -i CRATE@VERSION` shows who brings one.
export PATH="$ROOT/bin:$PATH"
status=0
cargo deny --locked check --hide-inclusion-graph licenses bans sources || status=$?

# 1. Fetch. The mirror, when set, stands in for GitHub through git's configuration in the
#    environment (cargo-deny runs the git command line).
if [ -n "${SUPPORTDESK_ADVISORY_DB_MIRROR:-}" ]; then
  export GIT_CONFIG_COUNT=1 \
    GIT_CONFIG_KEY_0="url.$SUPPORTDESK_ADVISORY_DB_MIRROR.insteadOf" \
    GIT_CONFIG_VALUE_0="$ADVISORY_DB_URL"
fi
fetch_log=$(mktemp)
trap 'rm -f "$fetch_log"' EXIT
fetched=yes
cargo deny --locked fetch db >"$fetch_log" 2>&1 || fetched=no

# 2. The copy on disk (the fetched one, or one from an earlier run), and its age.
db_dir=$(find "${CARGO_HOME:-$HOME/.cargo}/advisory-dbs" -mindepth 1 -maxdepth 1 -type d \
  -name 'advisory-db-*' 2>/dev/null | head -n 1)
newest=$(git -C "${db_dir:-/nonexistent}" log -1 --format=%ct 2>/dev/null || true)
skipped=""
if [ -z "$newest" ]; then
  why=$(grep -m1 '^fatal:' "$fetch_log" || grep -m1 -o 'ERROR.*' "$fetch_log" || echo "cargo deny fetch db failed")
  skipped="no advisory database: the fetch failed ($why)"
else
  age_days=$((($(date +%s) - newest) / 86400))
  as_of="advisory database as of $(date -u -d "@$newest" +%F) ($age_days days old, $([ $fetched = yes ] && echo "fetched now" || echo "not updated: the fetch failed"))"
  if [ "$age_days" -gt "$MAX_AGE_DAYS" ]; then
    skipped="the $as_of is older than $MAX_AGE_DAYS days"
  else
    echo "cargo-deny: checking advisories with the $as_of"
    cargo deny --locked --offline check advisories || status=$?
  fi
fi

# 3. Said last, so that it is the line a reader of the log sees.
if [ -n "$skipped" ]; then
  echo "cargo-deny: advisories NOT CHECKED: $skipped." \
    "Licenses, bans and sources were checked. Run this script where GitHub is reachable, or set" \
    "SUPPORTDESK_ADVISORY_DB_MIRROR to a copy of $ADVISORY_DB_URL."
  if [ "${SUPPORTDESK_REQUIRE_ADVISORIES:-0}" = 1 ]; then status=1; fi
fi
exit $status
