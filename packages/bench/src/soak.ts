/**
 * Benchmark module (packages/bench/src/main.ts runs it): the fault soak, CODEBOX_SOAK_TASKS tasks
 * (default 10,000) through RabbitMQ, PostgreSQL and three workers while each of them crashes once.
 */
import { run } from "@codebox/worker/bench/soak"

export { run }

if (import.meta.url === `file://${process.argv[1]}`) await run()
