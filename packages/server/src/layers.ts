import { CodeBox, type LanguagePlugin, LocalFileStorage, MemoryTaskQueue, MemoryTaskStore, NativeSandbox, type Sandbox, type SandboxError, type StorageError } from "@codebox/core"
import { c } from "@codebox/lang-c"
import { javascript } from "@codebox/lang-javascript"
import { php } from "@codebox/lang-php"
import { python } from "@codebox/lang-python"
import type { Layer } from "effect"
import type { ServerSettings } from "./config.ts"

/** The languages this server offers. */
export const plugins: ReadonlyArray<LanguagePlugin> = [python, c, javascript, php]

/**
 * The engine the server runs on: the one place that picks the store, queue, storage and sandbox.
 * Until the infrastructure module chooses them from the environment, the embedded stack is
 * in-memory tasks and queue, files under the data dir, and the given sandbox (native by default).
 */
export const engineLayer = (
  settings: ServerSettings,
  sandbox: Layer.Layer<Sandbox, SandboxError> = NativeSandbox.layer()
) =>
  CodeBox.layer<SandboxError | StorageError>({
    plugins,
    sandbox,
    store: MemoryTaskStore.layer,
    queue: MemoryTaskQueue.layer,
    storage: LocalFileStorage.layer(settings.dataDir),
    concurrency: settings.workerConcurrency
  })
