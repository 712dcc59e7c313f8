#!/usr/bin/env bash
# Runs the Node chosen by scripts/setup.sh (system Node when >= 22.19, else the one in .tools/).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_BIN="$(cat "$ROOT/.tools/node-path" 2>/dev/null || command -v node)"
export PATH="$(dirname "$NODE_BIN"):$ROOT/node_modules/.bin:$PATH"
# The commands pass --env-file-if-exists=.env so a developer's .env applies; Node prints a notice
# when the file is missing, which would only be noise here, so the flag goes only with a file.
args=()
for arg in "$@"; do
  case "$arg" in
    --env-file-if-exists=*) [ -f "${arg#--env-file-if-exists=}" ] && args+=("--env-file=${arg#--env-file-if-exists=}") ;;
    *) args+=("$arg") ;;
  esac
done
exec "$NODE_BIN" "${args[@]}"
