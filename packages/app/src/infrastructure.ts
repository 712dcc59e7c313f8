import * as path from "node:path"
import { PgClient } from "@effect/sql-pg"
import { Config, Effect, Layer, Option, Redacted, Schedule } from "effect"
import {
  defaultWorkRoot,
  InvalidSetting,
  innermostMessage,
  LocalFileStorage,
  MemoryRateCounter,
  MemoryTaskEvents,
  MemoryTaskQueue,
  redactUrl,
  StoreError
} from "@codebox/core"
import { AmqpTaskEvents, AmqpTaskQueue } from "@codebox/queue-amqp"
import { PgliteServer, SqlCallbackOutbox, SqlRateCounter, SqlTaskStore } from "@codebox/store-sql"

/** Where tasks, the queue and files live. Absent URLs mean embedded mode. */
export interface InfrastructureSettings {
  /** DATABASE_URL: PostgreSQL; absent: the embedded PGlite in `dataDir/db`. */
  readonly databaseUrl: Option.Option<Redacted.Redacted<string>>
  /** CODEBOX_AMQP_URL: RabbitMQ; absent: an in-process queue (server and worker in one process). */
  readonly amqpUrl: Option.Option<Redacted.Redacted<string>>
  /** CODEBOX_AMQP_QUEUE (default `codebox.tasks`). */
  readonly amqpQueue: string
  /** CODEBOX_DATA_DIR (default `./data`): the embedded database and the task files (`files/`). */
  readonly dataDir: string
  /**
   * CODEBOX_WORK_ROOT (default `$TMPDIR/codebox-jobs`): where each running job gets its directory.
   * With the Docker sandbox in a container, this must be a host path mounted at the same path.
   */
  readonly workRoot: string
}

const optionalUrl = (name: string) =>
  Config.Redacted(name).pipe(Config.option, Config.map(Option.filter((v) => Redacted.value(v).trim() !== "")))

/** Reads the settings from the environment. */
export const readInfrastructure = Effect.gen(function* () {
  const read = <A>(name: string, config: Config.Config<A>) =>
    config.pipe(Effect.mapError((e) => new InvalidSetting({ setting: name, message: e.message })))
  const settings: InfrastructureSettings = {
    databaseUrl: yield* read("DATABASE_URL", optionalUrl("DATABASE_URL")),
    amqpUrl: yield* read("CODEBOX_AMQP_URL", optionalUrl("CODEBOX_AMQP_URL")),
    amqpQueue: yield* read("CODEBOX_AMQP_QUEUE", Config.String("CODEBOX_AMQP_QUEUE").pipe(Config.withDefault("codebox.tasks"))),
    dataDir: path.resolve(yield* read("CODEBOX_DATA_DIR", Config.String("CODEBOX_DATA_DIR").pipe(Config.withDefault("./data")))),
    workRoot: path.resolve(yield* read("CODEBOX_WORK_ROOT", Config.String("CODEBOX_WORK_ROOT").pipe(Config.withDefault(defaultWorkRoot))))
  }
  return settings
})

/** True when both URLs are set: tasks go through PostgreSQL and RabbitMQ to separate workers. */
export const isDistributed = (settings: InfrastructureSettings) => Option.isSome(settings.databaseUrl) && Option.isSome(settings.amqpUrl)

/**
 * A PostgreSQL client that is known to work: start-up tries for a few seconds (a database still
 * starting next to the app), then fails naming the URL (password hidden).
 */
export const layerPostgresClient = (url: Redacted.Redacted<string>, options: { readonly maxConnections?: number } = {}) =>
  PgClient.layerFrom(
    Effect.gen(function* () {
      const client = yield* PgClient.make({ url, connectTimeout: "5 seconds", ...options })
      yield* client`SELECT 1`.pipe(Effect.retry({ times: 10, schedule: Schedule.spaced("500 millis") }))
      return client
    }).pipe(
      Effect.mapError(
        (e) =>
          new StoreError({
            message: `cannot reach PostgreSQL at ${redactUrl(Redacted.value(url))}: ${e.message} (${innermostMessage(e)})`,
            cause: e
          })
      )
    )
  )

/**
 * The database client of the store: PostgreSQL, or the embedded PGlite under `dataDir/db`. Pass the
 * same layer value to everything on the store (layers are built once per value), since PGlite
 * can be opened by one client only.
 */
export const layerStoreClient = (settings: InfrastructureSettings) =>
  Option.match(settings.databaseUrl, {
    onSome: (url) => layerPostgresClient(url),
    onNone: () => PgliteServer.layerClient({ dataDir: path.join(settings.dataDir, "db") })
  })

/** The TaskStore the settings ask for: PostgreSQL (LISTEN/NOTIFY) or the embedded PGlite; migrated. */
export const layerStore = (settings: InfrastructureSettings, client = layerStoreClient(settings)) =>
  SqlTaskStore.layer({ notifications: Option.isSome(settings.databaseUrl) ? "listen" : "local" }).pipe(Layer.provide(client))

/** Pending result callbacks, in the store's database (give it the store's client layer). */
export const layerCallbackOutbox = (client: ReturnType<typeof layerStoreClient>) => SqlCallbackOutbox.layer.pipe(Layer.provide(client))

/** The TaskQueue the settings ask for: RabbitMQ or in-process. */
export const layerQueue = (settings: InfrastructureSettings) =>
  Option.match(settings.amqpUrl, {
    onSome: (url) => AmqpTaskQueue.layer({ url: Redacted.value(url), queue: settings.amqpQueue }),
    onNone: () => MemoryTaskQueue.layer
  })

/**
 * Live task events (output while a task runs): through RabbitMQ when workers run elsewhere (a server
 * consumes them, a worker only publishes), in process otherwise. See docs/distributed.md.
 */
export const layerEvents = (settings: InfrastructureSettings, options: { readonly consume: boolean }) =>
  Option.match(settings.amqpUrl, {
    onSome: (url) => AmqpTaskEvents.layer({ url: Redacted.value(url), consume: options.consume }),
    onNone: () => MemoryTaskEvents.layer()
  })

/**
 * Where the server counts requests for its rate limits: in PostgreSQL when it is configured, so
 * every replica on that database counts against one budget (its own small pool: a slow query of
 * the store never holds up counting); in process memory otherwise (embedded: one process).
 */
export const layerRateCounter = (settings: InfrastructureSettings) =>
  Option.match(settings.databaseUrl, {
    onSome: (url) => SqlRateCounter.layer.pipe(Layer.provide(layerPostgresClient(url, { maxConnections: 4 }))),
    onNone: () => MemoryRateCounter.layer
  })

/** Task files under `dataDir/files` (shared storage, e.g. a volume, when workers run elsewhere). */
export const layerStorage = (settings: InfrastructureSettings) => LocalFileStorage.layer(path.join(settings.dataDir, "files"))

/** TaskStore, TaskQueue and FileStorage for the given settings: what the server and the worker share. */
export const layerInfrastructure = (settings: InfrastructureSettings) =>
  Layer.mergeAll(layerStore(settings), layerQueue(settings), layerStorage(settings))

/** The same, from the environment (DATABASE_URL, CODEBOX_AMQP_URL, CODEBOX_AMQP_QUEUE, CODEBOX_DATA_DIR). */
export const layerInfrastructureFromEnv = Layer.unwrap(Effect.map(readInfrastructure, layerInfrastructure))
