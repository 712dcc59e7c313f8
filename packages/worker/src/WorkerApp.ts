import {
  defaultWorkerName,
  Executor,
  ExecutorConfig,
  InvalidSetting,
  Languages,
  layerReconciler,
  layerWorker,
  MissingSettings
} from "@codebox/core"
import {
  isDistributed,
  layerEvents,
  layerInfrastructure,
  layerSandbox,
  readInfrastructure,
  readPlugins,
  type SandboxKind,
  sandboxKindConfig
} from "@codebox/app"
import { Cause, Config, Effect, Exit, Layer, Runtime } from "effect"
import * as MetricsServer from "./MetricsServer.ts"

export interface WorkerSettings {
  /** CODEBOX_WORKER_CONCURRENCY (default 2): tasks at once, and the queue prefetch. */
  readonly concurrency: number
  /** CODEBOX_SANDBOX (default native): `native` (bubblewrap + cgroups) or `docker`. */
  readonly sandbox: SandboxKind
  /**
   * CODEBOX_WORKER_NAME: how the dashboard and the claimed tasks name it. Default `worker-` and 8
   * random hex digits (host-pid told every submitter the host's name and the worker's pid).
   */
  readonly name: string
  /** CODEBOX_HEARTBEAT_MS (default 5000). */
  readonly heartbeatMs: number
  /** CODEBOX_DRAIN_TIMEOUT_MS (default 30000): on SIGTERM, how long tasks in flight may finish. */
  readonly drainTimeoutMs: number
  /** CODEBOX_RECONCILE_EVERY_MS (default 30000; 0: off) and CODEBOX_STALE_AFTER_MS (default 120000). */
  readonly reconcileEveryMs: number
  readonly staleAfterMs: number
  /** CODEBOX_MAX_ATTEMPTS (default 3): claims before a task is failed and dead-lettered. */
  readonly maxAttempts: number
  /** CODEBOX_WORKER_METRICS_PORT (default 0: off) and _HOST (default 0.0.0.0): this worker's /metrics. */
  readonly metricsPort: number
  readonly metricsHost: string
}

const int = (name: string, fallback: number) => Config.Int(name).pipe(Config.withDefault(fallback))

export const workerSettings = Config.all({
  concurrency: int("CODEBOX_WORKER_CONCURRENCY", 2),
  sandbox: sandboxKindConfig,
  name: Config.String("CODEBOX_WORKER_NAME").pipe(Config.withDefault(defaultWorkerName)),
  heartbeatMs: int("CODEBOX_HEARTBEAT_MS", 5000),
  drainTimeoutMs: int("CODEBOX_DRAIN_TIMEOUT_MS", 30_000),
  reconcileEveryMs: int("CODEBOX_RECONCILE_EVERY_MS", 30_000),
  staleAfterMs: int("CODEBOX_STALE_AFTER_MS", 120_000),
  maxAttempts: int("CODEBOX_MAX_ATTEMPTS", 3),
  metricsPort: int("CODEBOX_WORKER_METRICS_PORT", 0),
  metricsHost: Config.String("CODEBOX_WORKER_METRICS_HOST").pipe(Config.withDefault("0.0.0.0"))
})

/** Reads and checks the settings; a bad one stops start-up with its name and what is wrong. */
export const readWorkerSettings = Effect.gen(function* () {
  const settings: WorkerSettings = yield* workerSettings.pipe(
    Effect.mapError((e) => new InvalidSetting({ setting: "worker", message: e.message }))
  )
  const minimum: ReadonlyArray<readonly [string, number, number]> = [
    ["CODEBOX_WORKER_CONCURRENCY", settings.concurrency, 1],
    ["CODEBOX_HEARTBEAT_MS", settings.heartbeatMs, 100],
    ["CODEBOX_DRAIN_TIMEOUT_MS", settings.drainTimeoutMs, 0],
    ["CODEBOX_RECONCILE_EVERY_MS", settings.reconcileEveryMs, 0],
    ["CODEBOX_STALE_AFTER_MS", settings.staleAfterMs, 1000],
    ["CODEBOX_MAX_ATTEMPTS", settings.maxAttempts, 1],
    ["CODEBOX_WORKER_METRICS_PORT", settings.metricsPort, 0]
  ]
  for (const [setting, value, least] of minimum) {
    if (value < least) return yield* new InvalidSetting({ setting, message: `${setting} must be at least ${least}, not ${value}` })
  }
  return settings
})

/**
 * The worker process: consumes task ids from RabbitMQ, runs them in the sandbox, stores results
 * in PostgreSQL, records heartbeats, re-queues lost tasks, and stops gracefully when its scope
 * closes (SIGTERM). Start-up fails with a message naming what is missing or unreachable.
 */
export const layer = Layer.unwrap(
  Effect.gen(function* () {
    const infrastructure = yield* readInfrastructure
    if (!isDistributed(infrastructure)) {
      return yield* new MissingSettings({
        profile: "worker",
        missing: ["DATABASE_URL", "CODEBOX_AMQP_URL"],
        message:
          "the worker app is for distributed mode: set DATABASE_URL (PostgreSQL) and CODEBOX_AMQP_URL (RabbitMQ); " +
          "in embedded mode the server runs its own worker"
      })
    }
    const settings = yield* readWorkerSettings
    const executorConfig = Layer.succeed(ExecutorConfig, {
      ...ExecutorConfig.defaultValue(),
      workRoot: infrastructure.workRoot,
      workerName: settings.name,
      maxAttempts: settings.maxAttempts,
      // A judge task's cases run as many at once as this worker runs tasks.
      caseConcurrency: settings.concurrency
    })
    const services = Layer.mergeAll(
      layerInfrastructure(infrastructure),
      // Output goes live to whichever server streams the task (RabbitMQ topic exchange).
      layerEvents(infrastructure, { consume: false }),
      Languages.layer(yield* readPlugins),
      layerSandbox(settings.sandbox),
      executorConfig
    )
    const background = Layer.mergeAll(
      layerWorker({ concurrency: settings.concurrency, heartbeatEvery: settings.heartbeatMs, drainTimeout: settings.drainTimeoutMs }),
      settings.reconcileEveryMs > 0
        ? layerReconciler({ every: settings.reconcileEveryMs, staleAfter: settings.staleAfterMs })
        : Layer.empty,
      settings.metricsPort > 0 ? MetricsServer.layer({ port: settings.metricsPort, host: settings.metricsHost }) : Layer.empty
    )
    return background.pipe(Layer.provide(Executor.layer), Layer.provide(services))
  })
)

/** Exit 0 after a stop on request (SIGTERM, SIGINT: the worker drained), as a supervisor expects. */
export const teardown: Runtime.Teardown = (exit, onExit) =>
  Exit.isFailure(exit) && Cause.hasInterruptsOnly(exit.cause) ? onExit(0) : Runtime.defaultTeardown(exit, onExit)
