export * as ScriptedSandbox from "../sandbox/ScriptedSandbox.ts"
export { testLayer } from "./testLayer.ts"
export { pluginConformance, type PluginConformanceOptions } from "./pluginConformance.ts"
export { sandboxConformance, type SandboxConformanceOptions } from "./sandboxConformance.ts"
