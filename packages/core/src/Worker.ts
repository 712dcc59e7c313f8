import { Cause, Clock, Deferred, Duration, Effect, Fiber, FiberSet, Layer, Schedule, Stream } from "effect"
import type { TaskId } from "./domain/Task.ts"
import { ExecutorConfig } from "./engine/ExecutorConfig.ts"
import { markRetry } from "./engine/markRetry.ts"
import { type ExecutionOutcome, Executor } from "./Executor.ts"
import type { Delivery } from "./TaskQueue.ts"
import { TaskQueue } from "./TaskQueue.ts"
import { TaskStore, type WorkerStatus } from "./TaskStore.ts"

export interface WorkerOptions {
  /** Tasks run at once by this worker (also the queue prefetch). */
  readonly concurrency: number
  /** How often the worker records its heartbeat in the store (default 5 s). */
  readonly heartbeatEvery?: Duration.Input | undefined
  /** When stopping, how long tasks in flight may still run before they are handed back (default 30 s). */
  readonly drainTimeout?: Duration.Input | undefined
}

/**
 * Consumes task ids and executes them until `stop` completes (or forever). A message is acked only
 * after the result is stored; when the store cannot be reached it is handed back, so no accepted
 * task is lost. On stop the worker takes no new task, lets the ones in flight finish (up to the
 * drain timeout) and hands back the rest: marked RETRY in the store and requeued.
 */
export const runWorker = (options: WorkerOptions, stop: Effect.Effect<void> = Effect.never) =>
  Effect.scoped(
    Effect.gen(function* () {
      const queue = yield* TaskQueue
      const store = yield* TaskStore
      const executor = yield* Executor
      const config = yield* ExecutorConfig

      let running = 0
      let completed = 0
      let state: WorkerStatus["state"] = "running"
      const startedAt = yield* Clock.currentTimeMillis
      /** When this worker last failed to record its heartbeat: the store was away for it then. */
      let lastStoreFailure = 0
      const heartbeat = Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        yield* store.heartbeat({
          name: config.workerName,
          concurrency: options.concurrency,
          running,
          completed,
          state,
          started_at: startedAt,
          last_seen: now
        })
      }).pipe(
        Effect.catch((e) =>
          Effect.gen(function* () {
            lastStoreFailure = yield* Clock.currentTimeMillis
            yield* Effect.logWarning(`heartbeat not recorded: ${e.message}`)
          })
        )
      )

      /**
       * A task's owner is taken as lost when it has sent no heartbeat for three intervals and still
       * sends none after three more, and that silence began while this worker could reach the store:
       * one look can take a worker slowed by load, or one whose store was briefly away, for a dead
       * one, and its task would then run twice.
       */
      const aliveWithin = Duration.toMillis(Duration.fromInputUnsafe(options.heartbeatEvery ?? "5 seconds")) * 3
      const ownerLost = (worker: string | null) =>
        Effect.gen(function* () {
          if (worker === null) return true
          const status = Effect.map(store.workers, (ws) => ws.find((w) => w.name === worker))
          const first = yield* status
          const now = yield* Clock.currentTimeMillis
          if (first !== undefined && first.state !== "stopped" && first.last_seen >= now - aliveWithin) return false
          // Silent since before the store came back (for this worker too): an outage, not a death.
          if (first !== undefined && first.state !== "stopped" && lastStoreFailure >= first.last_seen) return false
          yield* Effect.sleep(Duration.millis(aliveWithin))
          const second = yield* status
          return second === undefined || second.state === "stopped" || second.last_seen === first?.last_seen
        })

      /**
       * Marks a task this worker had claimed RETRY, as it is now; when the store cannot say, the
       * reconciler will. Never another worker's claim: a redelivered task its live owner still runs
       * stays with that owner, or it would run twice.
       */
      const releaseClaim = (taskId: TaskId, reason: string) =>
        store.get(taskId).pipe(
          Effect.flatMap((task) =>
            task.state === "STARTED" && task.worker === config.workerName
              ? markRetry(store, taskId, reason, { state: task.state, attempts: task.attempts })
              : Effect.succeed(false)
          ),
          Effect.ignore
        )

      /** The outcome of a task that exhausted its attempts: its message goes to the dead-letter queue. */
      const gaveUp = (taskId: TaskId, outcome: ExecutionOutcome) =>
        outcome._tag === "Completed" && outcome.state === "FAILURE" && outcome.verdict === null
          ? Effect.map(store.get(taskId), (task) => task.attempts > config.maxAttempts)
          : Effect.succeed(false)

      const handle = (delivery: Delivery) =>
        Effect.gen(function* () {
          // Redelivered while STARTED: its first worker died, or it lost the broker mid-task and is
          // still running it (a broker crash redelivers every unacknowledged message). Only a dead
          // worker's task is made claimable here, and only as seen; a live one finishes its run,
          // and should it die later, the reconciler finds the task by its silent heartbeat.
          if (delivery.redelivered) {
            const task = yield* store.get(delivery.taskId).pipe(Effect.option)
            if (task._tag === "Some" && task.value.state === "STARTED" && (yield* ownerLost(task.value.worker))) {
              const { state, attempts } = task.value
              yield* markRetry(store, delivery.taskId, "delivered again after its worker was lost", { state, attempts })
            }
          }
          const outcome = yield* executor.execute(delivery.taskId)
          yield* Effect.logDebug(`task ${delivery.taskId}: ${outcome._tag}`)
          if (yield* gaveUp(delivery.taskId, outcome)) yield* delivery.nack(false)
          else yield* delivery.ack
          if (outcome._tag === "Completed") completed++
        }).pipe(
          Effect.catchCause((cause) =>
            Cause.hasInterruptsOnly(cause)
              ? Effect.failCause(cause)
              : Effect.logError(`task ${delivery.taskId} not finished, handing it back`, Cause.pretty(cause)).pipe(
                  // Our claim is released first, so the next delivery can claim it: a redelivered
                  // task STARTED by a live worker is otherwise left to that worker.
                  Effect.andThen(releaseClaim(delivery.taskId, "its worker could not finish it; queued again")),
                  Effect.andThen(Effect.sleep("1 second")),
                  Effect.andThen(delivery.nack(true)),
                  Effect.ignore
                )
          ),
          Effect.onInterrupt(() =>
            releaseClaim(delivery.taskId, "its worker stopped before finishing; queued again").pipe(
              Effect.andThen(delivery.nack(true)),
              Effect.ignore
            )
          ),
          Effect.ensuring(Effect.sync(() => running--))
        )

      yield* heartbeat
      yield* Effect.addFinalizer(() =>
        Effect.suspend(() => {
          state = "stopped"
          return heartbeat
        })
      )
      yield* heartbeat.pipe(Effect.repeat(Schedule.spaced(options.heartbeatEvery ?? "5 seconds")), Effect.forkScoped)

      const inFlight = yield* FiberSet.make()
      const deliveries = yield* Stream.toPull(queue.consume(options.concurrency))
      const consume = Effect.gen(function* () {
        while (true) {
          for (const delivery of yield* deliveries) {
            running++
            yield* FiberSet.run(inFlight, handle(delivery))
          }
        }
      })
      yield* Effect.logInfo(`worker ${config.workerName} consuming, concurrency ${options.concurrency}`)
      // The queue's stream ends only when its consumer goes away; a failure ends the worker.
      yield* consume.pipe(
        Effect.raceFirst(stop),
        Effect.catchCause((cause) =>
          Cause.hasInterruptsOnly(cause)
            ? Effect.failCause(cause)
            : Effect.logError("worker: queue failed", Cause.pretty(cause)).pipe(Effect.andThen(Effect.failCause(cause)))
        )
      )

      state = "stopping"
      yield* heartbeat
      const drainTimeout = Duration.fromInputUnsafe(options.drainTimeout ?? "30 seconds")
      yield* Effect.logInfo(
        `worker ${config.workerName} stopping: ${running} task(s) in flight, waiting up to ${Duration.format(drainTimeout)}`
      )
      yield* FiberSet.awaitEmpty(inFlight).pipe(Effect.timeoutOption(drainTimeout))
      // Whatever still runs is interrupted while the queue's channel is open, so its nack reaches the broker.
      yield* FiberSet.clear(inFlight)
    })
  )

/**
 * A worker in the background for the lifetime of the layer (embedded mode, the worker app). When
 * the layer is released (SIGTERM ends the app's scope) it stops gracefully, as `runWorker` says.
 */
export const layerWorker = (options: WorkerOptions) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const stop = yield* Deferred.make<void>()
      const worker = yield* runWorker(options, Deferred.await(stop)).pipe(
        Effect.catchCause((cause) => (Cause.hasInterruptsOnly(cause) ? Effect.void : Effect.logError("worker ended", Cause.pretty(cause)))),
        Effect.forkScoped
      )
      yield* Effect.addFinalizer(() => Deferred.succeed(stop, undefined).pipe(Effect.andThen(Fiber.awaitAll([worker])), Effect.asVoid))
    })
  )
