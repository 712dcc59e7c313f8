#!/usr/bin/env bash
# Builds stand-ins for the registry images docker-compose.yml names (postgres, rabbitmq and the
# node image the app image starts from) on a machine without an image registry: each starts from
# the debootstrapped Debian base (sandbox/build-base-offline.sh) and installs Debian's packages
# (PostgreSQL 15, RabbitMQ 3.10) or the Node binary this project already runs. Prints the
# variables that point Compose at them:
#   POSTGRES_IMAGE=codebox/postgres-offline:15
#   RABBITMQ_IMAGE=codebox/rabbitmq-offline:3.10
#   NODE_IMAGE=codebox/node-offline:24
# Usage: deploy/build-offline-images.sh [--force] [postgres|rabbitmq|node]...
# An image is rebuilt only when its recipe changed (label codebox.recipe, as in build-images.sh).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BASE="codebox/debian-offline:bookworm"
FORCE=0
wanted=()
while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1 ;;
    postgres | rabbitmq | node) wanted+=("$1") ;;
    *) echo "usage: $0 [--force] [postgres|rabbitmq|node]..." >&2; exit 2 ;;
  esac
  shift
done
[ ${#wanted[@]} -gt 0 ] || wanted=(postgres rabbitmq node)
say() { printf '[offline-images] %s\n' "$*" >&2; }

if ! docker image inspect "$BASE" >/dev/null 2>&1; then "$ROOT/sandbox/build-base-offline.sh" "$BASE"; fi
docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0

image_id() { docker image inspect --format '{{.Id}}' "$1" 2>/dev/null || true; }
recipe_label() { docker image inspect --format '{{index .Config.Labels "codebox.recipe"}}' "$1" 2>/dev/null || true; }

CONTEXTS="$(mktemp -d)"
trap 'rm -rf "$CONTEXTS"' EXIT

# build TAG CONTEXT: builds TAG from CONTEXT/Dockerfile on the offline base, unless up to date.
build() {
  local tag="$1" context="$2" recipe
  recipe="$( { image_id "$BASE"; (cd "$context" && find . -type f | LC_ALL=C sort | while read -r f; do echo "$f"; sha256sum < "$f"; done); } | sha256sum | cut -c1-32)"
  if [ "$FORCE" = 0 ] && [ "$(recipe_label "$tag")" = "$recipe" ]; then say "$tag is up to date"; return 0; fi
  say "building $tag"
  local old_id started=$SECONDS log
  old_id="$(image_id "$tag")"
  log="$(mktemp)"
  # The host's network: the daemon may run without a default bridge (CI: dockerd --bridge=none).
  if ! docker build --force-rm --network host --build-arg "BASE=$BASE" --label "codebox.recipe=$recipe" -t "$tag" "$context" >"$log" 2>&1; then
    tail -n 40 "$log" >&2; rm -f "$log"; say "building $tag failed"; exit 1
  fi
  rm -f "$log"
  if [ -n "$old_id" ] && [ "$old_id" != "$(image_id "$tag")" ]; then docker image rm "$old_id" >/dev/null 2>&1 || true; fi
  say "built $tag in $((SECONDS - started)) s"
}

for name in "${wanted[@]}"; do
  case "$name" in
    postgres) build codebox/postgres-offline:15 "$ROOT/deploy/offline/postgres" ;;
    rabbitmq) build codebox/rabbitmq-offline:3.10 "$ROOT/deploy/offline/rabbitmq" ;;
    node)
      ctx="$CONTEXTS/node"
      mkdir -p "$ctx/extra-ca"
      cp "$ROOT/deploy/offline/node/Dockerfile" "$ctx/"
      for ca in /usr/local/share/ca-certificates/*.crt; do [ -f "$ca" ] && cp "$ca" "$ctx/extra-ca/"; done
      # The Node the project runs (scripts/node.sh: system Node >= 22.19, else .tools) and an npm.
      node_bin="$(bash "$ROOT/scripts/node.sh" -p process.execPath)"
      case "$(bash "$ROOT/scripts/node.sh" -p 'process.versions.node.split(".")[0]')" in
        2[4-9] | [3-9][0-9]) ;;
        *) say "the app image wants Node 24 or later; $node_bin is $(bash "$ROOT/scripts/node.sh" --version) (scripts/setup.sh start installs one)"; exit 1 ;;
      esac
      npm_cli="$(command -v npm || true)"
      [ -n "$npm_cli" ] || { say "npm is needed on the build host (its package is copied into the image)"; exit 1; }
      npm_dir="$(cd "$(dirname "$(readlink -f "$npm_cli")")/.." && pwd)"
      [ -f "$npm_dir/bin/npm-cli.js" ] || { say "cannot find npm's package next to $npm_cli"; exit 1; }
      cp "$node_bin" "$ctx/node"
      cp -a "$npm_dir" "$ctx/npm"
      build codebox/node-offline:24 "$ctx"
      ;;
  esac
done
