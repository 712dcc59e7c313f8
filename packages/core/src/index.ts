export * from "./domain/Errors.ts"
export * from "./domain/Limits.ts"
export * from "./domain/Task.ts"
export * from "./domain/TaskResult.ts"

export * from "./LanguagePlugin.ts"
export * from "./Languages.ts"
export * from "./Sandbox.ts"
export * from "./TaskStore.ts"
export * from "./TaskQueue.ts"
export * from "./FileStorage.ts"
export * from "./Executor.ts"
export * from "./Engine.ts"
export * from "./Worker.ts"
export * as CodeBox from "./CodeBox.ts"
export { createCodeBox, type CodeBoxClient, type CodeBoxOptions } from "./CodeBox.ts"

export { ExecutorConfig, type ExecutorSettings } from "./engine/ExecutorConfig.ts"
export { rewritePlaceholders, rewriteForSandbox, type PlaceholderContext, type Rewritten } from "./engine/Placeholders.ts"
export { collectOutputs } from "./engine/collectOutputs.ts"
export { contentTypeOf } from "./engine/contentType.ts"
export { reconcileOnce, layerReconciler, type ReconcilerOptions } from "./engine/Reconciler.ts"
export { Cleanup, defaultCleanupSettings, parseSchedule, type CleanupReport, type CleanupSettings } from "./engine/Cleanup.ts"
export * as Metrics from "./observability/Metrics.ts"
export * as Prometheus from "./observability/Prometheus.ts"
export { layerLogging, type LogFormat, type LoggingSettings } from "./observability/Logging.ts"
export {
  Profile,
  prodRequirements,
  readProfile,
  type AppName,
  type ProfileName,
  type ProfileSettings,
  type Requirement
} from "./config/Profile.ts"
export { InvalidSetting, MissingSettings } from "./config/SettingErrors.ts"
export { sanitizeFileName, sanitizeFileNames, isSafeFileName } from "./storage/names.ts"

export * as MemoryTaskStore from "./store/MemoryTaskStore.ts"
export * as MemoryTaskQueue from "./queue/MemoryTaskQueue.ts"
export * as MemoryFileStorage from "./storage/MemoryFileStorage.ts"
export * as LocalFileStorage from "./storage/LocalFileStorage.ts"
export * as NativeSandbox from "./sandbox/NativeSandbox.ts"
