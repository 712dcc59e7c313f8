#!/usr/bin/env bash
# The whole check: type-check, lint and format check, then every test, ending with the line CI reads: "N passed, N failed".
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
NODE="bash scripts/node.sh"

echo "== type-check (tsc, strict)"
if ! $NODE node_modules/typescript/bin/tsc -p tsconfig.json --pretty false; then
  echo "type-check failed (see the file:line errors above)"
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== build (tsc -b: every publishable package to dist/)"
if ! $NODE scripts/build.ts; then
  echo "build failed (see the file:line errors above)"
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== lint and format (Biome)"
if ! $NODE node_modules/@biomejs/biome/bin/biome ci --colors=off --max-diagnostics=50 . ; then
  echo "lint or format check failed (file:line above; npm run lint -- --write mends what it can)"
  echo "0 passed, 1 failed"
  exit 1
fi

echo "== tests (vitest)"
mkdir -p test-results
report="test-results/vitest-report.json"
$NODE node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
$NODE -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"))
  const failed = r.numFailedTests + (r.numFailedTestSuites > 0 && r.numFailedTests === 0 ? r.numFailedTestSuites : 0)
  console.log(`${r.numPassedTests} passed, ${failed} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""))
' "$report" 2>/dev/null || { echo "0 passed, 1 failed"; status=1; }
exit $status
