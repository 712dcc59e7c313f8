/**
 * `@codebox/testkit`: what a plugin, sandbox, store or queue author tests with: the conformance
 * suites CodeBox's own adapters pass, a scripted sandbox and a test-layer helper.
 */
export * as ScriptedSandbox from "./ScriptedSandbox.ts"
export { testLayer } from "./testLayer.ts"
export { pluginConformance, type PluginConformanceOptions } from "./pluginConformance.ts"
export { sandboxConformance, type SandboxConformanceOptions } from "./sandboxConformance.ts"
export { hostileSuite, type HostileSuiteOptions } from "./hostile.ts"
export { neighbourSuite, type NeighbourSuiteOptions } from "./neighbours.ts"
export { aTask, taskStoreContract } from "./taskStoreContract.ts"
export { taskQueueContract } from "./taskQueueContract.ts"
