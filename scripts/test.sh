#!/usr/bin/env bash
# The whole test suite: starts a throwaway PostgreSQL server (installing it from Debian's
# packages when run as root on a machine without it), runs pytest, stops the server.
# STADSDATA_REQUIRE_ALL=1 (set by .ci/run) turns every skipped test into a failure. The Spark
# tests need Java 17 (`java` on PATH or JAVA_HOME): as root on a Debian machine without it, this
# installs openjdk-17-jre-headless; elsewhere they skip, and fail under REQUIRE_ALL.
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
if ! command -v java >/dev/null 2>&1 && [ -z "${JAVA_HOME:-}" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Java 17 for the Spark tests (openjdk-17-jre-headless)" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless; } >&2 ||
      echo "Java 17 could not be installed: the Spark tests will skip" >&2
  else
    echo "No java on PATH: the Spark tests will skip" >&2
  fi
fi
scripts/chromium.sh >/dev/null || echo "No chromium could be installed: the browser tests will skip" >&2
# --extra spark: the conformance suite (tests/conformance) runs every test on DuckDB and on Spark
"$UV" run --frozen --extra spark pytest -n 2 "$@"
