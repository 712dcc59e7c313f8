#!/bin/sh
# /init of the initramfs that build.sh makes. It is busybox ash, not bash: no bash exists this
# early, and busybox being static and in RAM makes each command here cheap (under TCG every
# exec of a dynamically linked program from the disk costs ~0.1 s, so the setup lives here).
#   1. loads the modules listed in /etc/modules.list (virtio, ext4, 9p, overlay; deps first),
#   2. mounts the root image (/dev/vda, ext4; qemu keeps its writes in a throw-away snapshot),
#   3. mounts run.sh's control share (9p tag "ctl") at /codebox-ctl,
#   4. mounts proc, sys, dev, /run, and cgroup2 -- alone -- at /sys/fs/cgroup, enables the
#      controllers from the control share's env file,
#   5. mounts the user's directory (9p tag "share", read-only) at the same absolute path it has
#      on the host, brings up lo,
#   6. switch_root's into the real root and runs /codebox-ctl/guest-init.sh (bash) as PID 1.
# Any failure powers the VM off without an exit status; run.sh then reports a harness failure.
# With "codebox.probe" on the kernel command line it stops after step 1 (run.sh's KVM check).
set -eu

/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
exec </dev/console >/dev/console 2>&1

say() { echo "[codebox-initramfs] $*"; }
fail() {
  say "FATAL: $*"
  poweroff -f # immediate power-off: qemu exits, run.sh sees no exit status
}

while read -r m; do
  insmod "/lib/modules/$m" || fail "insmod $m"
done </etc/modules.list

if grep -q 'codebox.probe' /proc/cmdline; then
  say "probe ok"
  poweroff -f
fi

# virtio_blk probes asynchronously: wait for the disk to show up (at most ~10 s).
i=0
while [ ! -b /dev/vda ]; do
  i=$((i + 1))
  [ "$i" -le 100 ] || fail "no /dev/vda"
  sleep 0.1
done
R=/newroot
mount -t ext4 -o rw,noatime /dev/vda $R || fail "mount root"

# --- control share: argv, env, share path, the guest init; the guest writes its exit status back --
mkdir -p $R/codebox-ctl
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 ctl $R/codebox-ctl || fail "mount ctl"
share="$(cat $R/codebox-ctl/share-path)"
mode="$(cat $R/codebox-ctl/share-mode 2>/dev/null || echo ro)"
. $R/codebox-ctl/env # CODEBOX_VM_SUBTREE_CONTROL
case "$share" in /?*) ;; *) fail "bad share path '$share'" ;; esac

# --- the system the command sees -----------------------------------------------------------------
umount /proc /sys
mount --move /dev $R/dev
mount -t proc proc $R/proc
mount -t sysfs sysfs $R/sys
mkdir -p $R/dev/pts $R/dev/shm
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $R/dev/pts
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs $R/dev/shm
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs $R/run
[ -e $R/dev/fd ] || ln -s /proc/self/fd $R/dev/fd

# cgroup v2 only: the kernel command line has cgroup_no_v1=all, so no v1 controller can be mounted
# anywhere. nsdelegate and memory_recursiveprot as systemd mounts it.
mount -t cgroup2 -o nsdelegate,memory_recursiveprot cgroup2 $R/sys/fs/cgroup || fail "mount cgroup2"
# Like a systemd host, the root hands its controllers down to its children (run.sh's
# CODEBOX_VM_SUBTREE_CONTROL; empty leaves cgroup.subtree_control to the code under test). The
# command stays in the root cgroup, which is exempt from the no-internal-process rule, so it can
# make /sys/fs/cgroup/<x>, set memory.max / pids.max there and move processes into it.
cg=$R/sys/fs/cgroup
for c in ${CODEBOX_VM_SUBTREE_CONTROL:-}; do
  if grep -qw "$c" $cg/cgroup.controllers; then
    echo "+$c" >$cg/cgroup.subtree_control || fail "enable $c"
  fi
done

# --- the shared directory (after /run and friends, so none of them can hide it) ------------------
# qemu itself exports the host directory read-only (readonly=on): nothing in the guest can change
# it. cache=loose: the host does not change it during a run, so repeated reads (node_modules) can
# come from the guest's page cache instead of another 9p round trip.
opts=trans=virtio,version=9p2000.L,msize=262144,cache=loose,ro
if [ "$mode" = overlay ]; then
  # Writable view of the share: writes land on the (discarded) root disk, the host stays untouched.
  s=$R/.codebox-share
  mkdir -p $s/lower $s/upper $s/work "$R$share"
  mount -t 9p -o "$opts" share $s/lower || fail "mount share"
  mount -t overlay overlay -o lowerdir=$s/lower,upperdir=$s/upper,workdir=$s/work "$R$share" \
    || fail "overlay on share"
else
  mkdir -p "$R$share"
  mount -t 9p -o "$opts" share "$R$share" || fail "mount share"
fi

ip link set lo up # the only interface (-nic none)
echo codebox-vm >$R/proc/sys/kernel/hostname
# Output of the command reads as plain \n lines in the log (the kernel's own keep \r\n).
stty -onlcr 2>/dev/null || true

exec switch_root $R /bin/bash /codebox-ctl/guest-init.sh
