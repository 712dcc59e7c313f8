#!/bin/bash
# Runs INSIDE the VM (smoke.sh passes it to run.sh): proves the guest is what the cgroup-v2 tests
# need. Each check prints what it saw; the first failing check ends the script non-zero.
set -euo pipefail

t_all=$EPOCHREALTIME
step() { printf '\n--- %s\n' "$*"; }
ok() { printf 'ok: %s\n' "$*"; }
fail() { printf 'FAIL: %s\n' "$*"; exit 1; }
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.2fs", b - a }'; }

step "cgroup2 root"
echo "kernel: $(uname -r)"
echo "cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
echo "cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
fstype="$(stat -fc %T /sys/fs/cgroup)"
echo "stat -fc %T /sys/fs/cgroup: $fstype"
[ "$fstype" = cgroup2fs ] || fail "/sys/fs/cgroup is $fstype"
for c in memory pids cpu; do
  grep -qw "$c" /sys/fs/cgroup/cgroup.controllers || fail "controller $c missing"
done
if grep -E '\scgroup\s' /proc/mounts; then fail "a cgroup v1 hierarchy is mounted"; fi
if mkdir -p /tmp/v1 && mount -t cgroup -o memory none /tmp/v1 2>/dev/null; then fail "cgroup v1 memory mountable"; fi
ok "cgroup2 only (v1 memory cannot even be mounted); memory, pids, cpu available"

step "tools"
node_v="$(node --version)"
echo "node --version: $node_v"
node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' \
  || fail "node $node_v < 22.19"
echo "bwrap --version: $(bwrap --version)"
echo "python3: $(/usr/bin/python3 --version)"
echo "gcc: $(gcc --version | head -1)"
echo "network interfaces: $(ls /sys/class/net | tr '\n' ' ')"

step "bubblewrap"
t=$EPOCHREALTIME
out="$(bwrap --unshare-all --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib \
  --symlink usr/lib64 /lib64 --proc /proc --dev /dev -- /usr/bin/python3 -c 'print(42)')"
echo "bwrap ... python3 -c 'print(42)': $out ($(elapsed "$t"))"
[ "$out" = 42 ] || fail "bwrap printed '$out'"
# The sandbox recipe drops root before bwrap: needs unprivileged user namespaces in this kernel.
out="$(setpriv --reuid=65534 --regid=65534 --clear-groups bwrap --unshare-all --die-with-parent \
  --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
  --proc /proc --dev /dev --cap-drop ALL -- /usr/bin/python3 -c 'import os; print(os.getuid())')"
echo "as uid 65534, bwrap ... os.getuid(): $out"
[ "$out" = 65534 ] || fail "unprivileged bwrap printed '$out'"
ok "bubblewrap works as root and as nobody"

step "memory.max = 64M, python allocates 512 MB"
cg=/sys/fs/cgroup/t
mkdir "$cg"
echo 64M >"$cg/memory.max"
[ -e "$cg/memory.swap.max" ] && echo 0 >"$cg/memory.swap.max"
echo "memory.max: $(cat "$cg/memory.max")"
t=$EPOCHREALTIME
rc=0
sh -c 'echo $$ > /sys/fs/cgroup/t/cgroup.procs && exec /usr/bin/python3 -c "b = b\"x\" * (512 * 1024 * 1024); print(len(b))"' || rc=$?
echo "python exit status: $rc ($(elapsed "$t"))"
echo "memory.events: $(tr '\n' ' ' <"$cg/memory.events")"
oom_kill="$(awk '$1 == "oom_kill" { print $2 }' "$cg/memory.events")"
[ "$rc" = 137 ] || fail "python exited $rc, expected 137 (SIGKILL)"
[ "${oom_kill:-0}" -ge 1 ] || fail "memory.events oom_kill = ${oom_kill:-?}"
ok "killed by the memory cgroup (oom_kill $oom_kill)"

step "node in the same cgroup"
rc=0
sh -c 'echo $$ > /sys/fs/cgroup/t/cgroup.procs && exec node -e "const a = []; for (;;) a.push(Buffer.alloc(1 << 20, 1))"' || rc=$?
echo "node exit status: $rc; memory.events: $(tr '\n' ' ' <"$cg/memory.events")"
[ "$rc" = 137 ] || fail "node exited $rc, expected 137"
ok "node killed too"
rmdir "$cg"

step "pids.max = 16: a fork loop stops at the limit"
cg=/sys/fs/cgroup/p
mkdir "$cg"
echo 16 >"$cg/pids.max"
sh -c 'echo $$ > /sys/fs/cgroup/p/cgroup.procs && exec /usr/bin/python3 -c "
import os, time
n = 0
try:
    for _ in range(100):
        if os.fork() == 0:
            time.sleep(3); os._exit(0)
        n += 1
except BlockingIOError:
    pass
print(\"forked\", n)
"'
echo "pids.events: $(cat "$cg/pids.events")"
grep -qE '^max [1-9]' "$cg/pids.events" || fail "pids.events shows no refusal"
[ -e "$cg/cgroup.kill" ] && echo 1 >"$cg/cgroup.kill" # cgroup.kill (5.14+) ends the sleepers
while [ -s "$cg/cgroup.procs" ]; do sleep 0.1; done
rmdir "$cg"
ok "pids limit enforced; cgroup.kill emptied the cgroup"

printf '\nall checks passed in %s\n' "$(elapsed "$t_all")"
