import { Clock, Duration, Effect, Layer, Schedule } from "effect"
import { TaskQueue } from "../TaskQueue.ts"
import { TaskStore } from "../TaskStore.ts"

export interface ReconcilerOptions {
  /** How often to look. */
  readonly every: Duration.Input
  /** A task not final whose last change is older than this is presumed lost and queued again. */
  readonly staleAfter: Duration.Input
}

/**
 * Repairs what a crash or a lost message left behind: tasks PENDING or STARTED for too long are
 * made claimable and published again. Duplicates are harmless, because claiming is atomic.
 */
export const reconcileOnce = (staleAfter: Duration.Input) =>
  Effect.gen(function*() {
    const store = yield* TaskStore
    const queue = yield* TaskQueue
    const now = yield* Clock.currentTimeMillis
    const stale = yield* store.stale(now - Duration.toMillis(Duration.fromInputUnsafe(staleAfter)))
    for (const task of stale) {
      if (task.state === "STARTED") yield* store.retry(task.task_id, "worker lost; queued again")
      yield* queue.publish(task.task_id)
    }
    if (stale.length > 0) yield* Effect.logInfo(`reconciler queued ${stale.length} stale task(s) again`)
    return stale.length
  })

export const layerReconciler = (options: ReconcilerOptions) =>
  Layer.effectDiscard(
    reconcileOnce(options.staleAfter).pipe(
      Effect.catch((e) => Effect.logWarning(`reconciler: ${e.message}`)),
      Effect.repeat(Schedule.spaced(options.every)),
      Effect.forkScoped
    )
  )
