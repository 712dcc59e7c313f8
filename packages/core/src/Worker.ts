import { Cause, Effect, Layer, Stream } from "effect"
import { Executor } from "./Executor.ts"
import type { Delivery } from "./TaskQueue.ts"
import { TaskQueue } from "./TaskQueue.ts"
import { TaskStore } from "./TaskStore.ts"

export interface WorkerOptions {
  /** Tasks run at once by this worker (also the queue prefetch). */
  readonly concurrency: number
}

/**
 * Consumes task ids and executes them. A message is acked only after the result is stored; when
 * the store cannot be reached the message is handed back, so no accepted task is lost.
 */
export const runWorker = (options: WorkerOptions) =>
  Effect.gen(function*() {
    const queue = yield* TaskQueue
    const store = yield* TaskStore
    const executor = yield* Executor

    const handle = (delivery: Delivery) =>
      Effect.gen(function*() {
        // A redelivered message means its first consumer went away mid-task: make it claimable.
        if (delivery.redelivered) yield* store.retry(delivery.taskId, "redelivered after a worker was lost")
        const outcome = yield* executor.execute(delivery.taskId)
        yield* Effect.logDebug(`task ${delivery.taskId}: ${outcome._tag}`)
        yield* delivery.ack
      }).pipe(
        Effect.catchCause((cause) =>
          Effect.logError(`task ${delivery.taskId} not finished, handing it back`, Cause.pretty(cause)).pipe(
            Effect.andThen(Effect.sleep("1 second")),
            Effect.andThen(delivery.nack(true)),
            Effect.ignore
          )
        )
      )

    yield* queue.consume(options.concurrency).pipe(
      Stream.mapEffect(handle, { concurrency: options.concurrency, unordered: true }),
      Stream.runDrain
    )
  })

/** A worker running in the background for the lifetime of the layer (embedded mode, tests). */
export const layerWorker = (options: WorkerOptions) =>
  Layer.effectDiscard(Effect.forkScoped(runWorker(options)))
