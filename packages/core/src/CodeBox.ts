import { Effect, Layer, type LogLevel, ManagedRuntime, Option, References } from "effect"
import type { Task, TaskId, TaskRequest } from "./domain/Task.ts"
import { Engine, type InputFile } from "./Engine.ts"
import { ExecutorConfig, type ExecutorSettings } from "./engine/ExecutorConfig.ts"
import { layerReconciler, type ReconcilerOptions } from "./engine/Reconciler.ts"
import { Executor } from "./Executor.ts"
import type { FileStorage } from "./FileStorage.ts"
import type { LanguagePlugin } from "./LanguagePlugin.ts"
import { Languages } from "./Languages.ts"
import * as MemoryTaskEvents from "./events/MemoryTaskEvents.ts"
import * as MemoryTaskQueue from "./queue/MemoryTaskQueue.ts"
import type { Sandbox } from "./Sandbox.ts"
import * as MemoryFileStorage from "./storage/MemoryFileStorage.ts"
import * as MemoryTaskStore from "./store/MemoryTaskStore.ts"
import type { TaskEvents } from "./TaskEvents.ts"
import type { TaskQueue } from "./TaskQueue.ts"
import type { TaskStore } from "./TaskStore.ts"
import { layerWorker } from "./Worker.ts"

export interface CodeBoxOptions<E = never> {
  readonly plugins: ReadonlyArray<LanguagePlugin>
  readonly sandbox: Layer.Layer<Sandbox, E>
  /** Defaults: in-memory store, queue and storage. */
  readonly store?: Layer.Layer<TaskStore, E>
  readonly queue?: Layer.Layer<TaskQueue, E>
  readonly storage?: Layer.Layer<FileStorage, E>
  /** Live events (output while a task runs); default: this process only. */
  readonly events?: Layer.Layer<TaskEvents, E>
  /** Tasks run at once by the in-process worker; 0 runs none (submit-only, e.g. an API server). */
  readonly concurrency?: number
  readonly executor?: Partial<ExecutorSettings>
  /** Least severe log level written (default: the caller's); `createCodeBox` defaults to "Warn". */
  readonly logLevel?: LogLevel.LogLevel
  /** Re-queue tasks lost by a crash; off unless given. */
  readonly reconcile?: ReconcilerOptions
}

/**
 * The whole engine as one layer: the services, the Engine facade and (unless concurrency is 0) a
 * worker running in the background. It also exposes the services, for health checks and tests.
 */
export const layer = <E>(options: CodeBoxOptions<E>) => {
  const concurrency = options.concurrency ?? 2
  const services = Layer.mergeAll(
    options.store ?? MemoryTaskStore.layer,
    options.queue ?? MemoryTaskQueue.layer,
    options.storage ?? MemoryFileStorage.layer,
    options.events ?? MemoryTaskEvents.layer(),
    Languages.layer(options.plugins),
    options.sandbox,
    // A judge task's cases share the worker's parallelism unless configured otherwise.
    Layer.succeed(ExecutorConfig, { ...ExecutorConfig.defaultValue(), caseConcurrency: Math.max(1, concurrency), ...options.executor })
  )
  const background = Layer.mergeAll(
    concurrency > 0 ? layerWorker({ concurrency }) : Layer.empty,
    options.reconcile !== undefined ? layerReconciler(options.reconcile) : Layer.empty
  ).pipe(Layer.provide(Executor.layer))
  const engine = Layer.mergeAll(Engine.layer, Executor.layer, background).pipe(Layer.provideMerge(services))
  if (options.logLevel === undefined) return engine
  const level = Layer.succeed(References.MinimumLogLevel, options.logLevel)
  return engine.pipe(Layer.provide(level), Layer.merge(level))
}

/** The engine for plain async code. Errors reject with CodeBox's tagged errors (`_tag`, `message`). */
export interface CodeBoxClient {
  submit(request: TaskRequest, files?: ReadonlyArray<InputFile>): Promise<Task>
  result(id: TaskId): Promise<Task>
  /** The final task, or undefined if it is not finished within `timeoutMs`. */
  awaitResult(id: TaskId, timeoutMs?: number): Promise<Task | undefined>
  readOutput(id: TaskId, name: string): Promise<Uint8Array>
  cancel(id: TaskId): Promise<Task>
  /** Stops the worker and releases everything. */
  close(): Promise<void>
}

export const createCodeBox = <E>(options: CodeBoxOptions<E>): CodeBoxClient => {
  const runtime = ManagedRuntime.make(layer({ ...options, logLevel: options.logLevel ?? "Warn" }))
  const run = <A, Err>(f: (engine: Engine["Service"]) => Effect.Effect<A, Err>) => runtime.runPromise(Engine.use(f))
  return {
    submit: (request, files) => run((e) => e.submit(request, files)),
    result: (id) => run((e) => e.result(id)),
    awaitResult: (id, timeoutMs = 60_000) => run((e) => e.awaitResult(id, timeoutMs).pipe(Effect.map(Option.getOrUndefined))),
    readOutput: (id, name) => run((e) => e.readOutput(id, name)),
    cancel: (id) => run((e) => e.cancel(id)),
    close: () => runtime.dispose()
  }
}
