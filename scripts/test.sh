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
# A report left by an earlier run must never be read as this run's.
rm -f "$report"
$NODE node_modules/vitest/vitest.mjs run --reporter=default --reporter=json --outputFile.json="$report" "$@"
status=$?
# The closing line CI reads. Failed tests, failed files (a suite that could not even load) and a
# run that failed without a failed test (unhandled errors, a crash) all count as failures; so does
# a skipped test that .ci/allowed-skips.txt does not allow, so no suite can vanish unseen.
$NODE scripts/test-summary.ts "$report" "$status" .ci/allowed-skips.txt
exit $?
