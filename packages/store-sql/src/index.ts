/**
 * `@codebox/store-sql`: the TaskStore over SQL, PostgreSQL in production or PGlite (PostgreSQL in
 * WebAssembly) embedded, with one schema and one set of migrations.
 */
export * as SqlTaskStore from "./SqlTaskStore.ts"
export type { SqlTaskStoreOptions } from "./SqlTaskStore.ts"
export * as SqlRateCounter from "./SqlRateCounter.ts"
export * as SqlCallbackOutbox from "./SqlCallbackOutbox.ts"
export * as PgliteServer from "./PgliteServer.ts"
export type { PgliteServerOptions } from "./PgliteServer.ts"
export { finalChannel, migrate, migrations } from "./migrations.ts"
