import * as path from "node:path"
import { CodeBox, ExecutorConfig, type LanguagePlugin, type Sandbox, type SandboxError } from "@codebox/core"
import {
  type InfrastructureSettings,
  layerCallbackOutbox,
  layerEvents,
  layerQueue,
  layerRateCounter,
  layerStorage,
  layerStore,
  layerStoreClient
} from "@codebox/app"
import { Layer, Option } from "effect"
import * as CallbackDelivery from "./callbacks/CallbackDelivery.ts"
import type { ServerSettings } from "./config.ts"

/** Embedded mode: PGlite under the data dir, an in-process queue, files under the data dir. */
export const embeddedInfrastructure = (dataDir: string): InfrastructureSettings => ({
  databaseUrl: Option.none(),
  amqpUrl: Option.none(),
  amqpQueue: "codebox.tasks",
  dataDir: path.resolve(dataDir),
  workRoot: ExecutorConfig.defaultValue().workRoot
})

/**
 * The engine the server runs on: the one place that picks the store, queue, storage and sandbox.
 * With a RabbitMQ URL the server only accepts tasks (workers run them elsewhere); otherwise it runs
 * its own worker, and a reconciler re-queues what a restart left PENDING or STARTED in the store.
 * Rate-limit counts go where the store is shared (see layerRateCounter). Result callbacks wait in
 * the store's database and this server delivers them, whoever ran the task.
 */
export const engineLayer = (
  settings: ServerSettings,
  plugins: ReadonlyArray<LanguagePlugin>,
  sandbox: Layer.Layer<Sandbox, SandboxError>,
  infrastructure: InfrastructureSettings = embeddedInfrastructure(settings.dataDir)
) => {
  const inProcessWorker = Option.isNone(infrastructure.amqpUrl)
  // One client value for the store and the outbox: built once, as the embedded PGlite requires.
  const client = layerStoreClient(infrastructure)
  const engine = CodeBox.layer<unknown>({
    plugins,
    sandbox,
    store: layerStore(infrastructure, client),
    queue: layerQueue(infrastructure),
    storage: layerStorage(infrastructure),
    events: layerEvents(infrastructure, { consume: true }),
    concurrency: inProcessWorker ? settings.workerConcurrency : 0,
    executor: { workRoot: infrastructure.workRoot },
    // The embedded PGlite is reached by this process only: what it holds unfinished at start was
    // left by a previous process and is queued again at once, not after the staleness window.
    ...(inProcessWorker
      ? { reconcile: { every: "30 seconds", staleAfter: "2 minutes", requeueAtStart: Option.isNone(infrastructure.databaseUrl) } }
      : {})
  })
  const outbox = layerCallbackOutbox(client)
  const delivery = CallbackDelivery.layer(settings).pipe(Layer.provide(Layer.merge(engine, outbox)))
  return Layer.mergeAll(engine, layerRateCounter(infrastructure), outbox, delivery)
}
