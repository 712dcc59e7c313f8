/**
 * Benchmark module: tasks per second for python hello through HTTP, RabbitMQ, PostgreSQL and the
 * native sandbox with 1 and 2 worker processes, beside the sandbox-only rate in the same run
 * (packages/bench/src/main.ts runs every module here). CODEBOX_BENCH_TASKS sets the tasks per row (default
 * 100), CODEBOX_BENCH_WORKER_CONCURRENCY each worker's concurrency (default 2). Needs the local
 * PostgreSQL and RabbitMQ (`npm run bench` starts them).
 */
import { run } from "@codebox/worker/bench/throughput"

export { run }

if (import.meta.url === `file://${process.argv[1]}`) await run()
