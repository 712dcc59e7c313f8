#!/usr/bin/env bash
# Runs the Node chosen by scripts/setup.sh (system Node when >= 22.19, else the one in .tools/).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_BIN="$(cat "$ROOT/.tools/node-path" 2>/dev/null || command -v node)"
export PATH="$(dirname "$NODE_BIN"):$ROOT/node_modules/.bin:$PATH"
exec "$NODE_BIN" "$@"
