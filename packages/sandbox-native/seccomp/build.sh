#!/bin/sh
# build.sh OUT_DIR — compiles denied.txt into OUT_DIR/codebox.bpf (for `bwrap --seccomp FD`),
# OUT_DIR/docker-seccomp.json (the same policy as a Docker profile) and OUT_DIR/codebox.pfc
# (a readable dump of the filter). Idempotent: when denied.txt, gen.c, this script and the
# installed libseccomp are unchanged since the last run, it does nothing.
#
# Needs gcc and libseccomp-dev. As root it installs what is missing with apt-get; otherwise it
# prints the command to run and exits 1.
#   ./build.sh OUT_DIR           build (or skip when up to date)
#   ./build.sh --check OUT_DIR   build, then fail if ./docker-seccomp.json differs from the result
#                                (the copy kept next to denied.txt must be regenerated and committed)
set -eu

check=0
if [ "${1:-}" = "--check" ]; then check=1; shift; fi
if [ $# -ne 1 ] || [ -z "$1" ]; then
  echo "usage: $0 [--check] OUT_DIR" >&2
  exit 2
fi
src=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

# --- toolchain -------------------------------------------------------------------------------
missing=""
command -v gcc >/dev/null 2>&1 || missing="$missing gcc libc6-dev"
[ -f /usr/include/seccomp.h ] || missing="$missing libseccomp-dev"
if [ -n "$missing" ]; then
  cmd="apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends$missing"
  if [ "$(id -u)" -ne 0 ]; then
    echo "build.sh: missing$missing; run as root:  apt-get update && $cmd" >&2
    exit 1
  fi
  echo "build.sh: installing$missing" >&2
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $cmd >/dev/null || {
    apt-get -o DPkg::Lock::Timeout=300 update >/dev/null && DEBIAN_FRONTEND=noninteractive $cmd >/dev/null
  }
fi

# --- up to date? ----------------------------------------------------------------------------
# The stamp covers every input: the list, the generator, this script, libseccomp and the arch.
libver=$(dpkg-query -W -f '${Version}' libseccomp-dev 2>/dev/null || echo unknown)
stamp=$( { cat "$src/denied.txt" "$src/gen.c" "$src/build.sh"; echo "$libver $(uname -m)"; } | sha256sum | cut -d' ' -f1)

# One build at a time per OUT_DIR (several workers may start together).
if command -v flock >/dev/null 2>&1; then
  exec 9>"$out/.build.lock"
  flock 9
fi

if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] \
  && [ -s "$out/codebox.bpf" ] && [ -s "$out/docker-seccomp.json" ]; then
  echo "build.sh: $out/codebox.bpf is up to date" >&2
else
  gcc -O2 -Wall -Wextra -o "$out/.gen.tmp" "$src/gen.c" -lseccomp
  mv -f "$out/.gen.tmp" "$out/codebox-seccomp-gen"
  "$out/codebox-seccomp-gen" --bpf "$out/codebox.bpf" --json "$out/docker-seccomp.json" \
    --pfc "$out/codebox.pfc" "$src/denied.txt"
  echo "$stamp" >"$out/.stamp.tmp" && mv -f "$out/.stamp.tmp" "$out/.stamp"
  echo "build.sh: wrote $out/codebox.bpf ($(wc -c <"$out/codebox.bpf") bytes), docker-seccomp.json, codebox.pfc" >&2
fi

if [ "$check" = 1 ]; then
  if ! cmp -s "$out/docker-seccomp.json" "$src/docker-seccomp.json"; then
    echo "build.sh: $src/docker-seccomp.json is stale; run: cp $out/docker-seccomp.json $src/" >&2
    exit 1
  fi
  echo "build.sh: docker-seccomp.json matches denied.txt" >&2
fi
