#!/usr/bin/env bash
# Docker for the Docker sandbox: the engine, docker-compose (to validate docker-compose.yml) and
# the sandbox images, built offline (debootstrap + docker import) since CI has no image registry.
# Runs in test mode, or in start mode when CODEBOX_SANDBOX=docker. Idempotent: a second run only
# checks that the daemon answers and that every image's recipe label matches its Dockerfiles.
# When the daemon cannot run on a developer's machine, it says why in .tools/docker-unavailable and
# the Docker suites skip with that reason instead of failing every other suite's set-up. In CI
# (CI=true) that is a failure: a suite must never vanish from a CI run.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ROOT="${CODEBOX_ROOT:?}"
NOTE="$ROOT/.tools/docker-unavailable"
if [ "${CODEBOX_SETUP_MODE:-start}" != test ] && [ "${CODEBOX_SANDBOX:-}" != docker ]; then exit 0; fi
mkdir -p "$ROOT/.tools"
rm -f "$NOTE"
unavailable() {
  say "Docker sandbox unavailable: $*"
  [ "${CI:-}" = true ] && exit 1
  echo "$*" > "$NOTE"
  exit 0
}

apt_install docker.io debootstrap docker-compose || unavailable "could not install docker.io, debootstrap and docker-compose"

if ! docker info >/dev/null 2>&1; then
  [ "$(id -u)" -eq 0 ] || unavailable "no Docker daemon answers and starting one needs root"
  # No systemd here: start the daemon by hand. Sandbox containers use network "none", so the
  # daemon needs neither iptables nor the default bridge (neither works on every CI machine).
  say "starting dockerd"
  setsid dockerd --iptables=false --bridge=none >/var/log/codebox-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 0.5; done
  docker info >/dev/null 2>&1 || unavailable "dockerd did not answer within 30 s: $(tail -n 5 /var/log/codebox-dockerd.log | tr '\n' ' ')"
fi

"$ROOT/sandbox/build-images.sh" --offline || unavailable "building the sandbox images failed (see the lines above)"
