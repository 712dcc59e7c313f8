#!/usr/bin/env bash
# Usage: packages/sandbox-native/vm/run.sh SHARE_DIR LOGFILE -- CMD [ARG...]
#
# Boots Debian's 6.1 kernel under qemu with only the cgroup v2 hierarchy (see build.sh, which this
# calls first: a no-op when the cache is current) and runs CMD inside as root:
#   - SHARE_DIR is shared read-only (9p) at the same absolute path, and CMD runs with it as cwd;
#   - / is the cached Debian root image, writable, but every write is thrown away afterwards
#     (qemu snapshot=on); /tmp is on that disk, /run and /dev/shm are tmpfs;
#   - /sys/fs/cgroup is cgroup2 (no v1 at all); the root's cgroup.subtree_control enables
#     $CODEBOX_VM_SUBTREE_CONTROL (default "cpu io memory pids"), CMD runs in the root cgroup;
#   - network: loopback only (-nic none).
# All console output (kernel + CMD's stdout/stderr) goes to LOGFILE; nothing of CMD reaches this
# terminal (set CODEBOX_VM_ECHO=1 to also copy the log to stderr as it grows).
# Exit status: CMD's own; 124 on timeout; 125 when the VM failed before reporting a status. On
# any non-zero status the last 40 lines of LOGFILE are printed to stderr.
#
# Env: CODEBOX_VM_TIMEOUT   seconds before qemu is killed (default 1200)
#      CODEBOX_VM_MEM       guest memory (default 2048M); CODEBOX_VM_SMP vCPUs (default 2)
#      CODEBOX_VM_ACCEL     kvm or tcg (default: kvm only if a probe boot under KVM succeeds here)
#      CODEBOX_VM_CPU       qemu -cpu model under TCG (default max)
#      CODEBOX_VM_SUBTREE_CONTROL  controllers to enable at the cgroup root ("" = none)
#      CODEBOX_VM_SHARE_MODE  ro (default) or overlay: SHARE_DIR writable inside, writes discarded
#      CODEBOX_VM_OUT_DIR   a host directory shared read-write at /codebox-out (for reports)
#      CODEBOX_VM_PASSENV   names of host variables to pass into the guest, e.g. "CI FOO"
#      CODEBOX_VM_TRACE=1   trace the guest init with timestamps (set -x) into the log
#      CODEBOX_VM_APPEND    extra kernel command line, e.g. "loglevel=7" to see the whole boot
#      CODEBOX_SECCOMP_DIR  where the host's compiled seccomp filter is (default /var/lib/codebox/seccomp);
#                           its codebox.bpf is installed at /var/lib/codebox/seccomp/ in the guest
#      CODEBOX_VM_CACHE     cache dir (default /var/cache/codebox-vm); CODEBOX_VM_SKIP_BUILD=1
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="${CODEBOX_VM_CACHE:-/var/cache/codebox-vm}"
TIMEOUT="${CODEBOX_VM_TIMEOUT:-1200}"
MEM="${CODEBOX_VM_MEM:-2048M}"
SMP="${CODEBOX_VM_SMP:-2}"
SUBTREE="${CODEBOX_VM_SUBTREE_CONTROL-cpu io memory pids}"
SHARE_MODE="${CODEBOX_VM_SHARE_MODE:-ro}"

say() { printf '[cgroup2-vm] %s\n' "$*" >&2; }
usage() { echo "usage: $0 SHARE_DIR LOGFILE -- CMD [ARG...]" >&2; exit 2; }

if [ "$#" -lt 4 ] || [ "$3" != "--" ]; then usage; fi
SHARE="$(realpath -e "$1")" || usage
if [ ! -d "$SHARE" ] || [ "$SHARE" = / ]; then say "SHARE_DIR must be a directory other than /"; exit 2; fi
mkdir -p "$(dirname "$2")"
LOG="$(realpath -m "$2")"
shift 3
[[ "$SUBTREE" =~ ^[a-z_\ ]*$ ]] || { say "CODEBOX_VM_SUBTREE_CONTROL: controller names only"; exit 2; }
case "$SHARE_MODE" in ro | overlay) ;; *) say "CODEBOX_VM_SHARE_MODE must be ro or overlay"; exit 2 ;; esac

if [ "${CODEBOX_VM_SKIP_BUILD:-0}" != 1 ]; then
  "$HERE/build.sh" || { say "build.sh failed"; exit 125; }
fi
for f in vmlinuz initrd.img root.img; do
  [ -s "$CACHE/$f" ] || { say "missing $CACHE/$f: run $HERE/build.sh"; exit 125; }
done

# Processes this script starts; all of them are ended on the way out, whatever the way out is.
QEMU_PID=""
ECHO_PID=""
CTL=""
cleanup() {
  if [ -n "$QEMU_PID" ] && kill -0 "$QEMU_PID" 2>/dev/null; then
    kill "$QEMU_PID" 2>/dev/null || true
    sleep 1
    kill -9 "$QEMU_PID" 2>/dev/null || true
  fi
  if [ -n "$ECHO_PID" ]; then kill "$ECHO_PID" 2>/dev/null || true; fi
  if [ -n "$CTL" ]; then rm -rf "$CTL"; fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

show_tail() { say "last 40 lines of $LOG:"; tail -n 40 "$LOG" | tr -d '\r' >&2; }

KERNEL="$CACHE/vmlinux" # uncompressed, booted via PVH (saves the bzImage's ~5 s self-decompression)
[ -s "$KERNEL" ] || KERNEL="$CACHE/vmlinuz"

# --- accelerator ------------------------------------------------------------------------------
# /dev/kvm may exist and still not work (on these machines a stock kernel hangs under it), so KVM
# is used only after a probe boot under it reaches the initramfs and powers off within 30 s. The
# verdict is cached per host kernel and guest kernel.
pick_accel() {
  if [ -n "${CODEBOX_VM_ACCEL:-}" ]; then echo "$CODEBOX_VM_ACCEL"; return; fi
  if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then echo tcg; return; fi
  local verdict
  verdict="$CACHE/accel.$(uname -r).$(cat "$CACHE/kernel/version")"
  if [ ! -s "$verdict" ]; then
    local plog="$CACHE/logs/kvm-probe.log"
    say "probing KVM (once; log $plog)"
    timeout -k 5 30 qemu-system-x86_64 -accel kvm -cpu host -m 256M -smp 1 -nodefaults -no-user-config \
      -display none -monitor none -serial stdio -no-reboot -nic none \
      -kernel "$KERNEL" -initrd "$CACHE/initrd.img" -append "console=ttyS0 panic=-1 codebox.probe" \
      </dev/null >"$plog" 2>&1 || true
    if grep -q 'probe ok' "$plog"; then echo kvm >"$verdict"; else echo tcg >"$verdict"; fi
  fi
  cat "$verdict"
}
ACCEL="$(pick_accel)"
case "$ACCEL" in
  kvm) ACCEL_ARGS=(-accel kvm -cpu host) ;;
  tcg) ACCEL_ARGS=(-accel tcg -cpu "${CODEBOX_VM_CPU:-max}") ;;
  *) say "CODEBOX_VM_ACCEL must be kvm or tcg"; exit 2 ;;
esac

# --- control share: what the guest runs, and where it reports back -----------------------------
CTL="$(mktemp -d /tmp/codebox-vm-ctl.XXXXXX)"
cp "$HERE/guest-init.sh" "$CTL/guest-init.sh"
printf '%s' "$SHARE" >"$CTL/share-path"
printf '%s' "$SHARE_MODE" >"$CTL/share-mode"
if [ "${CODEBOX_VM_TRACE:-0}" = 1 ]; then : >"$CTL/trace"; fi
printf '%s\0' "$@" >"$CTL/argv"
# The native sandbox refuses to start without its seccomp filter: the host's (built by
# scripts/setup.d/10-sandbox-runtimes.sh) goes in on every run, so it is never stale in the image.
SECCOMP_BPF="${CODEBOX_SECCOMP_DIR:-/var/lib/codebox/seccomp}/codebox.bpf"
if [ -s "$SECCOMP_BPF" ]; then cp "$SECCOMP_BPF" "$CTL/codebox.bpf"; fi
printf "CODEBOX_VM_SUBTREE_CONTROL='%s'\n" "$SUBTREE" >"$CTL/env" # read by busybox sh
: >"$CTL/passenv"
for v in ${CODEBOX_VM_PASSENV:-}; do
  if [ -n "${!v+x}" ]; then printf 'export %s=%q\n' "$v" "${!v}" >>"$CTL/passenv"; fi
done

# --- boot -------------------------------------------------------------------------------------
# cgroup_no_v1=all keeps every controller off v1; systemd.unified_cgroup_hierarchy=1 says the same
# to anything that asks. mitigations=off only saves time under emulation.
APPEND="console=ttyS0 panic=-1 loglevel=4 cgroup_no_v1=all systemd.unified_cgroup_hierarchy=1 mitigations=off ${CODEBOX_VM_APPEND:-}"
q() { printf '%s' "${1//,/,,}"; } # qemu option values escape a comma by doubling it
QEMU=(qemu-system-x86_64 "${ACCEL_ARGS[@]}" -m "$MEM" -smp "$SMP"
  -nodefaults -no-user-config -display none -monitor none -no-reboot -nic none
  -chardev "file,id=con,path=$(q "$LOG"),append=on" -serial chardev:con
  -kernel "$KERNEL" -initrd "$CACHE/initrd.img" -append "$APPEND"
  -drive "file=$(q "$CACHE/root.img"),format=raw,if=virtio,snapshot=on,cache=unsafe"
  -fsdev "local,id=share,path=$(q "$SHARE"),security_model=none,readonly=on"
  -device virtio-9p-pci,fsdev=share,mount_tag=share
  -fsdev "local,id=ctl,path=$(q "$CTL"),security_model=none"
  -device virtio-9p-pci,fsdev=ctl,mount_tag=ctl
  -device virtio-rng-pci)
if [ -n "${CODEBOX_VM_OUT_DIR:-}" ]; then
  mkdir -p "$CODEBOX_VM_OUT_DIR"
  QEMU+=(-fsdev "local,id=out,path=$(q "$(realpath -e "$CODEBOX_VM_OUT_DIR")"),security_model=none"
    -device virtio-9p-pci,fsdev=out,mount_tag=out)
  : >"$CTL/out-share"
fi

{
  echo "=== cgroup2-vm $(date -u +%FT%TZ): accel=$ACCEL mem=$MEM smp=$SMP share=$SHARE ($SHARE_MODE)"
  echo "=== command: $*"
} >"$LOG"
if [ "${CODEBOX_VM_ECHO:-0}" = 1 ]; then
  tail -n +1 -f "$LOG" >&2 &
  ECHO_PID=$!
fi

T0=$(date +%s.%N)
"${QEMU[@]}" </dev/null >>"$LOG" 2>&1 &
QEMU_PID=$!

# Watchdog in this shell: poll instead of `timeout` so the qemu pid stays ours to kill.
qemu_rc=0
deadline=$((SECONDS + TIMEOUT))
while kill -0 "$QEMU_PID" 2>/dev/null; do
  if [ "$SECONDS" -ge "$deadline" ]; then
    say "timed out after ${TIMEOUT}s: killing qemu"
    cleanup
    echo "=== cgroup2-vm: killed after ${TIMEOUT}s (CODEBOX_VM_TIMEOUT)" >>"$LOG"
    show_tail
    exit 124
  fi
  sleep 0.2
done
wait "$QEMU_PID" || qemu_rc=$?
QEMU_PID=""
T1=$(date +%s.%N)
if [ -n "$ECHO_PID" ]; then sleep 0.3; kill "$ECHO_PID" 2>/dev/null || true; ECHO_PID=""; fi

if [ ! -s "$CTL/rc" ]; then
  say "the VM stopped (qemu status $qemu_rc) without reporting the command's exit status"
  show_tail
  exit 125
fi
rc="$(cat "$CTL/rc")"
boot="$(cat "$CTL/boot-seconds" 2>/dev/null || echo '?')"
say "exit status $rc; wall $(echo "$T0 $T1" | awk '{ printf "%.1f", $2 - $1 }')s, guest boot ${boot}s, accel $ACCEL (log: $LOG)"
[ "$rc" = 0 ] || show_tail
exit "$rc"
