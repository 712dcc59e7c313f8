#!/usr/bin/env bash
# The tools the documentation's shell examples use (curl, unzip, sha256sum), for the test that runs
# every example against a real server (packages/conformance/src/docs-examples.test.ts). Test mode only.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
[ "${CODEBOX_SETUP_MODE:-start}" = test ] || exit 0
apt_install curl unzip coreutils
