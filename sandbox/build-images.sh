#!/usr/bin/env bash
# One command builds every image the Docker sandbox runs: the shared base (sandbox/base) and one
# image per language plugin named in CODEBOX_PLUGINS (default: every built-in one), wherever its
# package lives (the workspace, node_modules, a folder of its own). Each plugin declares its image
# tag (runtime.image), its recipe (runtime.dockerfile) and what goes in it (runtime.debianPackages,
# runtime.npmPackages), passed to the recipe as the build arguments DEBIAN_PACKAGES, NPM_PREFIX and
# NPM_PACKAGES.
#
# Usage: sandbox/build-images.sh [--offline] [--base IMAGE] [--force]
#   (default)      the base comes from debian:bookworm-slim, pulled from a registry
#   --offline      build the Debian base with debootstrap + docker import (no registry needed)
#   --base IMAGE   any Debian bookworm image to start from
#   --force        rebuild even when the recipe did not change
# An image is rebuilt only when its recipe changed: each carries a label codebox.recipe with a hash
# of its Dockerfile and of the image it starts from, so a changed base rebuilds every language.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="debian:bookworm-slim"
OFFLINE_BASE="codebox/debian-offline:bookworm"
BASE_TAG="codebox/base:1"
FORCE=0
while [ $# -gt 0 ]; do
  case "$1" in
    --offline) BASE="$OFFLINE_BASE" ;;
    --base) BASE="$2"; shift ;;
    --force) FORCE=1 ;;
    *) echo "usage: $0 [--offline] [--base IMAGE] [--force]" >&2; exit 2 ;;
  esac
  shift
done
say() { printf '[images] %s\n' "$*" >&2; }

if [ "$BASE" = "$OFFLINE_BASE" ] && ! docker image inspect "$OFFLINE_BASE" >/dev/null 2>&1; then
  "$ROOT/sandbox/build-base-offline.sh" "$OFFLINE_BASE"
fi

# BuildKit needs the buildx plugin, which Debian's docker.io does not ship: fall back to the
# classic builder there. Without the default bridge (dockerd --bridge=none) the build steps
# reach the Debian mirror through the host's network.
build_flags=()
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0
# Offline builds (CI) always use the host's network: a daemon that a package's init script started
# may have a bridge whose outbound NAT does not work there.
if [ "$BASE" = "$OFFLINE_BASE" ] || ! docker network inspect bridge >/dev/null 2>&1; then build_flags+=(--network host); fi

image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }
recipe_label() { docker image inspect --format '{{index .Config.Labels "codebox.recipe"}}' "$1" 2>/dev/null || true; }

# The base's build context: its Dockerfile and the build host's extra certificate authorities.
BASE_CONTEXT="$(mktemp -d)"
trap 'rm -rf "$BASE_CONTEXT"' EXIT
cp "$ROOT/sandbox/base/Dockerfile" "$BASE_CONTEXT/"
mkdir "$BASE_CONTEXT/extra-ca"
for ca in /usr/local/share/ca-certificates/*.crt; do [ -f "$ca" ] && cp "$ca" "$BASE_CONTEXT/extra-ca/"; done

# build TAG DOCKERFILE FROM [BUILD-ARG...]: builds TAG from DOCKERFILE (and the files beside it)
# with BASE=FROM and the build arguments, unless it is up to date.
build() {
  local tag="$1" dockerfile="$2" from="$3" from_id recipe
  shift 3
  local args=()
  for arg in "$@"; do args+=(--build-arg "$arg"); done
  from_id="$(image_id "$from")"
  if [ -z "$from_id" ] && ! docker pull "$from" >/dev/null; then
    say "cannot get $from: use --offline on a machine without a registry"; exit 1
  fi
  from_id="$(image_id "$from")"
  recipe="$( { echo "$from_id"; printf '%s\n' "$@"; find "$(dirname "$dockerfile")" -type f | LC_ALL=C sort | xargs cat; } | sha256sum | cut -c1-32)"
  if [ "$FORCE" = 0 ] && [ "$(recipe_label "$tag")" = "$recipe" ]; then
    say "$tag is up to date"; return 0
  fi
  say "building $tag from $from"
  local old_id; old_id="$(image_id "$tag")"
  local started=$SECONDS
  local log; log="$(mktemp)"
  if ! docker build --force-rm "${build_flags[@]}" --build-arg "BASE=$from" ${args[@]+"${args[@]}"} --label "codebox.recipe=$recipe" \
      -t "$tag" -f "$dockerfile" "$(dirname "$dockerfile")" >"$log" 2>&1; then
    tail -n 40 "$log" >&2; rm -f "$log"; say "building $tag failed"; exit 1
  fi
  rm -f "$log"
  # The image this one replaced is garbage now, unless another image still builds on it.
  if [ -n "$old_id" ] && [ "$old_id" != "$(image_id "$tag")" ]; then docker image rm "$old_id" >/dev/null 2>&1 || true; fi
  say "built $tag in $((SECONDS - started)) s"
}

build "$BASE_TAG" "$BASE_CONTEXT/Dockerfile" "$BASE"
# The plugins' declarations, read by the same loader the server and the worker use.
images="$(cd "$ROOT" && bash scripts/node.sh --env-file-if-exists=.env scripts/plugin-runtimes.ts images)" || { say "cannot read the plugins' runtime declarations"; exit 1; }
while IFS='|' read -r tag dockerfile debian npm_prefix npm_packages; do
  [ -n "$tag" ] || continue
  build "$tag" "$dockerfile" "$BASE_TAG" "DEBIAN_PACKAGES=$debian" ${npm_prefix:+"NPM_PREFIX=$npm_prefix"} ${npm_packages:+"NPM_PACKAGES=$npm_packages"}
done <<< "$images"
