#!/usr/bin/env bash
# The cgroup-v2 VM the last vitest group of `npm test` boots (packages/sandbox-native/vm): builds
# and caches, once, Debian's kernel, an initramfs and a root image with the runtimes the VM's
# plugins declare (packages/conformance/vm/plugins.ts), in $CODEBOX_VM_CACHE (default
# /var/cache/codebox-vm, outside the repo, so new clones reuse it). Test mode only. Idempotent: when
# the cache is current, build.sh checks its stamps in about a second.
# When the VM cannot be built on a developer's machine (no root, no qemu), the reason goes to
# .tools/cgroup2-vm-unavailable and the VM group skips naming it; in CI (CI=true) that is a
# failure. CODEBOX_TEST_VM=0 leaves the VM out on purpose (a named skip too, and a failure in CI).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="${CODEBOX_ROOT:?}"
NOTE="$ROOT/.tools/cgroup2-vm-unavailable"
[ "${CODEBOX_SETUP_MODE:-start}" = test ] || exit 0
mkdir -p "$ROOT/.tools"
rm -f "$NOTE"
unavailable() {
  say "cgroup-v2 VM unavailable: $*"
  [ "${CI:-}" = true ] && exit 1
  echo "$*" > "$NOTE"
  exit 0
}
[ "${CODEBOX_TEST_VM:-1}" != 0 ] || unavailable "CODEBOX_TEST_VM=0 leaves it out"
[ "$(id -u)" -eq 0 ] || unavailable "building it needs root (sudo $ROOT/packages/sandbox-native/vm/build.sh)"
packages="$(cd "$ROOT" && bash scripts/node.sh packages/conformance/vm/plugins.ts)" \
  || unavailable "cannot read the runtimes of the VM's plugins (packages/conformance/vm/plugins.ts)"
t0=$SECONDS
CODEBOX_VM_PACKAGES="$packages" "$ROOT/packages/sandbox-native/vm/build.sh" \
  || unavailable "packages/sandbox-native/vm/build.sh failed (its logs: ${CODEBOX_VM_CACHE:-/var/cache/codebox-vm}/logs)"
[ $((SECONDS - t0)) -lt 5 ] || say "cgroup-v2 VM built in $((SECONDS - t0)) s"
