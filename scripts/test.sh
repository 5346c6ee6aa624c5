#!/usr/bin/env bash
# The whole test suite: starts a throwaway PostgreSQL server (installing it from Debian's
# packages when run as root on a machine without it), runs pytest, stops the server.
# STADSDATA_REQUIRE_ALL=1 (set by .ci/run) turns every skipped test into a failure.
set -euo pipefail
cd "$(dirname "$0")/.."
UV=$(command -v uv || echo "$HOME/.local/bin/uv")

PGDIR=$(mktemp -d /tmp/stadsdata-pg.XXXXXX)
cleanup() { scripts/postgres.sh stop "$PGDIR" >/dev/null 2>&1 || true; rm -rf "$PGDIR"; }
trap cleanup EXIT

if [ -z "${STADSDATA_TEST_POSTGRES_URL:-}" ]; then
  if URL=$(scripts/postgres.sh start "$PGDIR"); then
    export STADSDATA_TEST_POSTGRES_URL="$URL"
    echo "PostgreSQL for the tests: $URL" >&2
  else
    echo "No PostgreSQL server could be started: the PostgreSQL tests will skip" >&2
  fi
fi

"$UV" run --frozen ruff check src tests bench
"$UV" run --frozen lint-imports
scripts/chromium.sh >/dev/null || echo "No chromium could be installed: the browser tests will skip" >&2
"$UV" run --frozen pytest -n 2 "$@"
