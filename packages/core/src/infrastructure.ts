/**
 * `@codebox/core/infrastructure`: TaskStore, TaskQueue and FileStorage chosen from the environment
 * (DATABASE_URL, CODEBOX_AMQP_URL, CODEBOX_DATA_DIR), and the Sandbox (CODEBOX_SANDBOX), so the
 * server and the worker make the same choice. Loads both the SQL and the AMQP adapters.
 */
export {
  type InfrastructureSettings,
  isDistributed,
  layerInfrastructure,
  layerInfrastructureFromEnv,
  layerPostgresClient,
  layerQueue,
  layerStorage,
  layerStore,
  readInfrastructure
} from "./config/infrastructure.ts"
export { redactUrl } from "./config/redactUrl.ts"
export { layerSandbox, readSandboxKind, type SandboxKind, sandboxKindConfig } from "./config/sandbox.ts"
