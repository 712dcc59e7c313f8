#!/usr/bin/env bash
# Builds a Debian bookworm base image without any image registry: debootstrap a minimal root
# file system from the Debian mirror, then `docker import` it. Needs root and debootstrap.
# Usage: sandbox/build-base-offline.sh [TAG]   (default codebox/debian-offline:bookworm)
set -euo pipefail
TAG="${1:-codebox/debian-offline:bookworm}"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
[ "$(id -u)" -eq 0 ] || { echo "build-base-offline.sh: debootstrap needs root" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "build-base-offline.sh: apt-get install -y debootstrap" >&2; exit 1; }

ROOTFS="$(mktemp -d /var/tmp/codebox-rootfs.XXXXXX)"
trap 'rm -rf "$ROOTFS"' EXIT
echo "[sandbox] debootstrap bookworm into $ROOTFS" >&2
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" >/dev/null
# What debian:bookworm-slim also leaves out: package lists, caches and logs of the bootstrap.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/var/cache/apt/*.bin "$ROOTFS"/var/cache/apt/archives/*.deb \
       "$ROOTFS"/var/log/*.log "$ROOTFS"/var/log/apt/* "$ROOTFS"/tmp/*
echo "[sandbox] docker import -> $TAG" >&2
tar -C "$ROOTFS" --numeric-owner -c . | docker import \
  --change 'CMD ["/bin/bash"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "$TAG" >/dev/null
echo "[sandbox] built $TAG" >&2
