/**
 * `@codebox/app` (private): what the server and the worker share: settings read from the
 * environment, the profile and logging, the plugins named in CODEBOX_PLUGINS, and the choice of
 * store, queue, storage and sandbox. The library packages never read the environment; this does.
 */
export {
  type InfrastructureSettings,
  isDistributed,
  layerCallbackOutbox,
  layerEvents,
  layerInfrastructure,
  layerInfrastructureFromEnv,
  layerPostgresClient,
  layerQueue,
  layerRateCounter,
  layerStorage,
  layerStore,
  layerStoreClient,
  readInfrastructure
} from "./infrastructure.ts"
export { layerNoSandbox, layerSandbox, readSandboxKind, type SandboxKind, sandboxKindConfig } from "./sandbox.ts"
export {
  Profile,
  prodRequirements,
  readProfile,
  type AppName,
  type ProfileName,
  type ProfileSettings,
  type Requirement
} from "./Profile.ts"
export { cleanupLayerFromEnv, cleanupSettingsFromEnv } from "./cleanup.ts"
export { builtInPlugins, loadPlugins, PluginLoadError, pluginSpecifiersConfig, readPlugins } from "./plugins.ts"
