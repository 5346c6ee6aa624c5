#!/usr/bin/env bash
# Debian's chromium for the browser tests (Playwright drives it; never `playwright install`).
#
#   scripts/chromium.sh     make sure `chromium` is on PATH: when it is missing, install the Debian
#                           packages chromium and fonts-dejavu-core with apt-get (root only), then
#                           print ONE line on stdout: the path of the chromium executable
#
# Typical use (scripts/test.sh does this before pytest; a failure only makes the browser tests skip,
# and STADSDATA_REQUIRE_ALL=1 turns those skips into failures in CI):
#   scripts/chromium.sh && pytest tests/web/test_browser.py
#
# Idempotent: with chromium present it installs nothing. Exit 3 when chromium is missing and we are
# not root or apt-get is not available; exit 1 when apt-get ran but no chromium appeared.
# All messages go to stderr; stdout carries only the path.
set -euo pipefail

PACKAGES=(chromium fonts-dejavu-core)

say() { echo "chromium.sh: $*" >&2; }
die() {
    local code=$1
    shift
    say "$*"
    exit "$code"
}

[[ $# -eq 0 ]] || die 2 "usage: $0 (no arguments)"

have_fonts() {
    # Without any font, pages render as empty boxes in screenshots.
    ! command -v fc-list >/dev/null 2>&1 || [[ -n $(fc-list 2>/dev/null | head -n 1) ]]
}

if command -v chromium >/dev/null 2>&1 && have_fonts; then
    command -v chromium
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    die 3 "chromium is not installed. Install it as root: apt-get install ${PACKAGES[*]}" \
        "(Debian/Ubuntu), or run this script as root."
fi
command -v apt-get >/dev/null 2>&1 ||
    die 3 "chromium is not installed and apt-get is not available; install chromium and put it on PATH."

say "installing ${PACKAGES[*]} with apt-get"
apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "${PACKAGES[@]}" >&2

command -v chromium >/dev/null 2>&1 || die 1 "apt-get finished, but there is no chromium on PATH"
say "installed $(chromium --version 2>/dev/null || echo chromium)"
command -v chromium
