#!/bin/bash
# PID 1 inside the VM, after the initramfs (initramfs-init.sh) has mounted everything: /proc, /sys,
# /dev, /run, cgroup2 at /sys/fs/cgroup, the share and this control share at /codebox-ctl.
# run.sh copies this file into the control share on every run, so changing it needs no rebuild.
# It runs the command from /codebox-ctl/argv as root with the share as cwd, writes the exit
# status to /codebox-ctl/rc and powers the VM off. Only bash builtins are used besides the
# command: under TCG each exec costs ~0.1 s.
# If this script itself fails, PID 1 exits, the kernel panics (panic=-1, qemu -no-reboot) and qemu
# stops: run.sh finds no rc file and reports a harness failure with the end of the console log.
set -euo pipefail

CTL=/codebox-ctl
if [ -e "$CTL/trace" ]; then # CODEBOX_VM_TRACE=1: every step with the guest's uptime (forks!)
  PS4='+ [$(read -r u _ </proc/uptime; echo "$u")] '
  set -x
fi
say() { echo "[codebox-guest] $*"; }

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
  TERM=dumb TMPDIR=/tmp USER=root LOGNAME=root SHELL=/bin/bash
. "$CTL/passenv" # the host variables named in CODEBOX_VM_PASSENV

# run.sh's CODEBOX_VM_OUT_DIR: the one place the guest writes that the host keeps.
if [ -e "$CTL/out-share" ]; then
  mkdir -p /codebox-out
  mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 out /codebox-out
fi

# The host's seccomp filter (run.sh copies it in), where the native sandbox looks for it.
if [ -e "$CTL/codebox.bpf" ]; then
  mkdir -p /var/lib/codebox/seccomp
  cp "$CTL/codebox.bpf" /var/lib/codebox/seccomp/codebox.bpf
fi

mapfile -d '' -t argv <"$CTL/argv"
read -r share <"$CTL/share-path" || true # no trailing newline: read "fails" but sets it
cd "$share"

read -r up _ </proc/uptime
read -r kver </proc/sys/kernel/osrelease
read -r controllers </sys/fs/cgroup/cgroup.controllers
read -r subtree </sys/fs/cgroup/cgroup.subtree_control || true # empty file: nothing to read
say "kernel $kver; cgroup2 controllers: $controllers; subtree_control: ${subtree:-(none)}"
say "booted in ${up}s (guest uptime); running as root in $PWD: ${argv[*]}"
echo "$up" >"$CTL/boot-seconds"

rc=0
start=$EPOCHREALTIME
"${argv[@]}" </dev/null || rc=$?
end=$EPOCHREALTIME
# microseconds from two "s.micro" stamps, in bash arithmetic
us=$(( (${end%.*} - ${start%.*}) * 1000000 + 10#${end#*.} - 10#${start#*.} ))
printf '[codebox-guest] command exited with status %d after %d.%02ds\n' "$rc" $((us / 1000000)) $((us % 1000000 / 10000))

# The control share is uncached 9p: this write is on the host when echo returns. The root disk
# needs no sync: its writes are thrown away anyway.
echo "$rc" >"$CTL/rc"
echo o >/proc/sysrq-trigger # ACPI power-off; qemu exits
# Wait with a builtin: the disks are shut down by now, so exec'ing /usr/bin/sleep would fail.
while :; do read -r -t 60 _ </dev/console || true; done
