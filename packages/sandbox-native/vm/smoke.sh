#!/usr/bin/env bash
# Usage: packages/sandbox-native/vm/smoke.sh [LOGFILE]
# Boots the cgroup-v2 VM (building it first if needed) with the repository shared in, and runs
# smoke-guest.sh inside: cgroup2fs only, controllers, Node >= 22.19, bubblewrap (as root and as
# nobody), a 64M memory.max that OOM-kills python and node, and a pids.max that stops a fork loop.
# Exits with the guest script's status; the whole console is in LOGFILE (default /tmp/...).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
LOG="${1:-/tmp/codebox-cgroup2-vm-smoke.log}"

"$HERE/build.sh"
rc=0
# SKIP_BUILD: just checked above; the repo is the share, so the guest script is at the same path.
CODEBOX_VM_SKIP_BUILD=1 "$HERE/run.sh" "$REPO" "$LOG" -- "$HERE/smoke-guest.sh" || rc=$?
# Show the checks (not the kernel's lines) from the log.
sed -n '/^\[codebox-guest\] kernel/,/^\[codebox-guest\] command exited/p' "$LOG" | tr -d '\r'
exit "$rc"
