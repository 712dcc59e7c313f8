#!/usr/bin/env bash
# npm run compose:up / compose:down: the production stack of docker-compose.yml on this Docker host.
#
#   up [ARGS...]    builds what is missing (the sandbox images, the app image and, where no registry
#                   answers, Debian-based stand-ins for the postgres, rabbitmq and node images), runs
#                   `compose up -d ARGS...` (e.g. --scale worker=2) and waits until the API answers
#                   /api/health/ready on the published port
#   down [ARGS...]  `compose down --volumes --remove-orphans ARGS...`: containers, network, volumes,
#                   and any sandbox container a killed worker left behind
#   build           only what up builds (scripts/setup.d/20-docker.sh runs it in test mode)
#   COMMAND [ARGS...]  any other compose command on the same project (ps, logs, ...)
#
# Settings: COMPOSE_PROJECT_NAME (default codebox), CODEBOX_PORT (published port, default 8000),
# POSTGRES_IMAGE, RABBITMQ_IMAGE, NODE_IMAGE (default: the official images, else the stand-ins),
# CODEBOX_COMPOSE_WAIT (seconds to wait for readiness, default 180), and everything
# docker-compose.yml reads (CODEBOX_API_KEYS, POSTGRES_PASSWORD, ...). Uses `docker compose` (v2)
# when present, else `docker-compose` (v1.29).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '[compose] %s\n' "$*" >&2; }
action="${1:-}"
[ $# -gt 0 ] && shift
export COMPOSE_PROJECT_NAME="${COMPOSE_PROJECT_NAME:-codebox}"

if docker compose version >/dev/null 2>&1; then compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then compose=(docker-compose)
else say "neither 'docker compose' nor 'docker-compose' is installed"; exit 1; fi
compose+=(-f "$ROOT/docker-compose.yml")
# Compose reads an override file by itself only when no -f is given: keep that behaviour.
[ -f "$ROOT/docker-compose.override.yml" ] && compose+=(-f "$ROOT/docker-compose.override.yml")
compose+=(-p "$COMPOSE_PROJECT_NAME")

have_image() { docker image inspect "$1" >/dev/null 2>&1 || docker pull "$1" >/dev/null 2>&1; }

# pick VAR DEFAULT STAND-IN KIND: VAR as the user set it, else DEFAULT when it is here or can be
# pulled, else the stand-in built by deploy/build-offline-images.sh KIND.
pick() {
  local var="$1" default="$2" stand_in="$3" kind="$4"
  if [ -n "${!var:-}" ]; then return 0; fi
  if have_image "$default"; then export "$var=$default"; return 0; fi
  say "$default cannot be pulled: using $stand_in (Debian's packages)"
  "$ROOT/deploy/build-offline-images.sh" "$kind"
  export "$var=$stand_in"
}

build() {
  docker info >/dev/null 2>&1 || { say "no Docker daemon answers (scripts/setup.sh test starts one here)"; exit 1; }
  if have_image debian:bookworm-slim; then "$ROOT/sandbox/build-images.sh"; else "$ROOT/sandbox/build-images.sh" --offline; fi
  pick POSTGRES_IMAGE postgres:16-alpine codebox/postgres-offline:15 postgres
  pick RABBITMQ_IMAGE rabbitmq:3.13-alpine codebox/rabbitmq-offline:3.10 rabbitmq
  pick NODE_IMAGE node:24-bookworm-slim codebox/node-offline:24 node
  # The app image, built here rather than by Compose so that it can use the host's network when
  # the daemon has no default bridge (CI: dockerd --bridge=none) and the classic builder where
  # there is no BuildKit. Docker's layer cache makes an unchanged rebuild take seconds.
  local flags=() log
  docker buildx version >/dev/null 2>&1 || export DOCKER_BUILDKIT=0
  docker network inspect bridge >/dev/null 2>&1 || flags+=(--network host)
  say "building codebox/app:latest on $NODE_IMAGE"
  log="$(mktemp)"
  if ! docker build "${flags[@]}" --build-arg "NODE_IMAGE=$NODE_IMAGE" -t codebox/app:latest "$ROOT" >"$log" 2>&1; then
    tail -n 40 "$log" >&2; rm -f "$log"; say "building codebox/app:latest failed"; exit 1
  fi
  rm -f "$log"
}

up() {
  local started=$SECONDS
  # The stack runs the prod profile: the server does not start without API keys. Say so now rather
  # than after the readiness wait (Compose also reads them from .env beside the compose file).
  if [ -z "${CODEBOX_API_KEYS:-}" ] && ! grep -qs '^CODEBOX_API_KEYS=..*' "$ROOT/.env"; then
    say "set CODEBOX_API_KEYS (comma-separated keys clients send), in the environment or .env: the prod profile needs it"; exit 1
  fi
  build
  # Job directories are bind sources the host's daemon mounts into sandbox containers.
  mkdir -p "${CODEBOX_JOBS_DIR:-/var/lib/codebox/jobs}" 2>/dev/null || true
  "${compose[@]}" up -d --no-build "$@"
  local url="http://127.0.0.1:${CODEBOX_PORT:-8000}/api/health/ready" deadline=$((SECONDS + ${CODEBOX_COMPOSE_WAIT:-180}))
  say "waiting for $url"
  local last=""
  until last="$(bash "$ROOT/scripts/node.sh" -e "fetch('$url', { signal: AbortSignal.timeout(5000) }).then(async (r) => { if (!r.ok) { console.log(r.status, await r.text()); process.exit(1) } }, (e) => { console.log(String(e.cause ?? e)); process.exit(1) })" 2>&1)"; do
    if [ $SECONDS -ge $deadline ]; then
      "${compose[@]}" ps >&2 || true
      "${compose[@]}" logs --tail 40 >&2 || true
      say "the API did not become ready within ${CODEBOX_COMPOSE_WAIT:-180} s (logs above); the last answer: $last"; exit 1
    fi
    sleep 1
  done
  say "project $COMPOSE_PROJECT_NAME is up: $url answers (in $((SECONDS - started)) s)"
}

down() {
  # Sandbox containers are labelled with their worker's hostname (its container id): a worker that
  # was killed mid-step leaves its own behind, which a restarted worker sweeps but down must too.
  local workers
  workers="$("${compose[@]}" ps -q worker 2>/dev/null || true)"
  "${compose[@]}" down --volumes --remove-orphans "$@"
  for id in $workers; do
    docker ps -aq --filter label=codebox.sandbox --filter "label=codebox.host=${id:0:12}" | xargs -r docker rm -f >/dev/null
  done
  say "project $COMPOSE_PROJECT_NAME is down"
}

case "$action" in
  up) up "$@" ;;
  down) down "$@" ;;
  build) build ;;
  "") echo "usage: $0 up|down|build|COMMAND [compose arguments...]" >&2; exit 2 ;;
  *) "${compose[@]}" "$action" "$@" ;;
esac
