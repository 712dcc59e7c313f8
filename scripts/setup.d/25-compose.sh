#!/usr/bin/env bash
# The images the Compose deployment test (packages/conformance/src/deploy.compose.test.ts, vitest
# project "compose") brings up: the app image and, where no registry answers (CI), the Debian-based
# stand-ins for postgres, rabbitmq and node (deploy/build-offline-images.sh). Built here so the test
# times `compose:up` itself; compose:up would build them too. Test mode only, after 20-docker.sh,
# and only when Docker is available (else the Docker suites skip with its note). First build about
# a minute and a half on two cores (stand-ins ~60 s, app image ~30 s; longer under load); unchanged,
# about 6 s (labels and Docker's layer cache).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="${CODEBOX_ROOT:?}"
[ "${CODEBOX_SETUP_MODE:-start}" = test ] || exit 0
[ -f "$ROOT/.tools/docker-unavailable" ] && exit 0
started=$SECONDS
if ! bash "$ROOT/scripts/compose.sh" build; then
  say "building the Compose deployment's images failed (lines above); the compose test will say so too"
  [ "${CI:-}" = true ] && exit 1
  exit 0
fi
say "Compose deployment images ready in $((SECONDS - started)) s"
