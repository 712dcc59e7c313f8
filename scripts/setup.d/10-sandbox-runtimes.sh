#!/usr/bin/env bash
# The native sandbox (the default of `npm start` and what CI tests): bubblewrap and the util-linux
# tools it is launched with, then the runtimes of the language plugins named in CODEBOX_PLUGINS
# (default: every built-in one), as each plugin declares them: its Debian packages
# (runtime.debianPackages) and the npm libraries user code may load (runtime.npmPackages,
# installed read-only under their prefix). No language is named here: adding one is installing its
# plugin and listing it. Needed in both modes. Idempotent: a second run checks dpkg and a stamp
# file per library set and does nothing.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="${CODEBOX_ROOT:?}"

apt_install bubblewrap util-linux bash

# The seccomp filter every native step runs under, compiled from the readable list
# packages/sandbox-native/seccomp/denied.txt (gcc and libseccomp-dev are installed for it).
# The native sandbox refuses to start without it. Does nothing when it is up to date.
SECCOMP_DIR="${CODEBOX_SECCOMP_DIR:-/var/lib/codebox/seccomp}"
"$ROOT/packages/sandbox-native/seccomp/build.sh" "$SECCOMP_DIR" || {
  say "cannot build the seccomp filter into $SECCOMP_DIR (see the message above)"
  exit 1
}

# The plugins' declarations, read by the same loader the server and the worker use.
runtimes() { (cd "$ROOT" && bash scripts/node.sh --env-file-if-exists=.env scripts/plugin-runtimes.ts "$1"); }
debian="$(runtimes debian)" || { say "cannot read the plugins' runtime declarations (CODEBOX_PLUGINS)"; exit 1; }
# shellcheck disable=SC2086 # one word per package
[ -z "$debian" ] || apt_install $debian

npm_sets="$(runtimes npm)" || exit 1
while IFS=$'\t' read -r prefix packages; do
  [ -n "$prefix" ] || continue
  stamp="$prefix/.codebox-libraries"
  [ "$(cat "$stamp" 2>/dev/null)" = "$packages" ] && continue
  if [ "$(id -u)" -ne 0 ]; then
    say "libraries for user code are missing; run as root: npm install --prefix $prefix $packages"
    exit 1
  fi
  NPM="$(command -v npm || true)"
  [ -n "$NPM" ] || { apt_install npm; NPM=/usr/bin/npm; }
  say "installing the libraries for user code into $prefix"
  mkdir -p "$prefix"
  # shellcheck disable=SC2086 # one word per package
  "$NPM" install --silent --prefix "$prefix" --omit=dev --no-audit --no-fund --no-save $packages >&2
  chmod -R a+rX,go-w "$prefix"
  echo "$packages" > "$stamp"
done <<< "$npm_sets"
