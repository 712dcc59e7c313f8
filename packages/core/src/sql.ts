/**
 * `@codebox/core/sql`: the TaskStore over SQL (PostgreSQL, or PGlite embedded), its migrations and
 * the scratch databases tests and benchmarks use. A separate entry so that an embedder who keeps
 * tasks in memory never loads the PostgreSQL driver or PGlite.
 */
export * as SqlTaskStore from "./store/SqlTaskStore.ts"
export type { SqlTaskStoreOptions } from "./store/SqlTaskStore.ts"
export * as PgliteServer from "./store/PgliteServer.ts"
export { finalChannel, migrate, migrations } from "./store/migrations.ts"
export { layerScratchClient, runStatement, scratchDatabase, testDatabaseUrl } from "./store/scratchDatabase.ts"
export { restartingServices, useServices } from "./test-support/serviceLock.ts"
