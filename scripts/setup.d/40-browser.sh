#!/usr/bin/env bash
# A browser for the dashboard's page test (packages/server/src/ops/dashboard.browser.test.ts):
# Debian's chromium, driven headless by playwright-core (which never downloads a browser here).
# Test mode only; idempotent (apt_install skips what is installed). When it cannot be installed on
# a developer's machine, the reason goes to .tools/browser-unavailable and the browser test skips
# naming it, instead of failing the rest of the set-up; in CI (CI=true) that is a failure.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="${CODEBOX_ROOT:?}"
NOTE="$ROOT/.tools/browser-unavailable"
[ "${CODEBOX_SETUP_MODE:-start}" = test ] || exit 0
mkdir -p "$ROOT/.tools"
rm -f "$NOTE"
# Fonts so the screenshot shows text rather than boxes; chromium itself pulls in the rest.
unavailable() {
  say "browser unavailable: $*"
  [ "${CI:-}" = true ] && exit 1
  echo "$*" > "$NOTE"
  exit 0
}
apt_install chromium fonts-dejavu-core || unavailable "could not install Debian's chromium (run: apt-get install -y chromium fonts-dejavu-core)"
/usr/bin/chromium --headless --no-sandbox --disable-gpu --version >/dev/null 2>&1 || unavailable "/usr/bin/chromium is installed but does not start"
