/**
 * Benchmark module (packages/bench/src/main.ts runs it): where the time of one python hello task
 * goes through the HTTP API, span by span, on the embedded stack and on a PostgreSQL store.
 */
import { run } from "@codebox/worker/bench/phases"

export { run }

if (import.meta.url === `file://${process.argv[1]}`) await run()
