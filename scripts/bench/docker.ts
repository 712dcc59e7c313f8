/**
 * Benchmark module: per-step latency of hello in every language, bare against the native and the
 * Docker sandbox, in one run (scripts/bench.ts runs every module here). CODEBOX_BENCH_RUNS sets
 * how many runs each median is taken over (default 10).
 */
import { stepLatency } from "../../packages/conformance/src/stepLatency.ts"
import { c } from "../../packages/lang-c/src/index.ts"
import { javascript } from "../../packages/lang-javascript/src/index.ts"
import { php } from "../../packages/lang-php/src/index.ts"
import { python } from "../../packages/lang-python/src/index.ts"

export const run = async (): Promise<void> => {
  const runs = Number(process.env.CODEBOX_BENCH_RUNS ?? 10)
  console.log(`\n== Docker sandbox: per-step latency of hello, median of ${runs} runs`)
  const rows = await stepLatency([python, c, javascript, php], runs)
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  for (const row of rows) console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")}`)
}

if (import.meta.url === `file://${process.argv[1]}`) await run()
