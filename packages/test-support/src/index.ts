/**
 * `@codebox/test-support` (private): scratch PostgreSQL databases and RabbitMQ queues on the local
 * services, the lock that keeps tests away from a service another test restarts, and a toy plugin.
 * Nothing here ships: it names fixed local URLs and test-only behaviour.
 */
export { layerScratchClient, runStatement, scratchDatabase, testDatabaseUrl } from "./scratchDatabase.ts"
export { readyMessages, scratchQueue, testAmqpUrl } from "./scratchQueue.ts"
export { restartingServices, useServices } from "./serviceLock.ts"
export { toyPlugin } from "./toyPlugin.ts"
export { dockerSkipReason } from "./availability.ts"
export { builtInLanguages } from "./plugins.ts"
export { installExample, packWorkspacePackages, repoRoot } from "./packaging.ts"
