import { Clock, Duration, Effect, Layer, Schedule } from "effect"
import { TaskQueue } from "../TaskQueue.ts"
import { markRetry } from "./markRetry.ts"
import { TaskStore } from "../TaskStore.ts"

export interface ReconcilerOptions {
  /** How often to look. */
  readonly every: Duration.Input
  /**
   * A task not final whose last change is older than this is presumed lost and queued again,
   * unless it is STARTED on a worker whose heartbeat is younger than this (a long task, not a lost one).
   */
  readonly staleAfter: Duration.Input
  /**
   * At start, queue again at once every unfinished task last changed before this process started.
   * Only for a store no other process uses (embedded PGlite): those tasks can have no other owner,
   * so they need not wait out `staleAfter`.
   */
  readonly requeueAtStart?: boolean | undefined
}

/** Workers not heard from for this long are dropped from the dashboard's list. */
const forgetWorkersAfter = Duration.toMillis(Duration.days(1))

export interface ReconcileOnceOptions {
  /**
   * Since when the store is known to have been reachable (epoch ms). A silent heartbeat is evidence
   * of a dead worker only when this is older than the staleness cutoff: while the store is away no
   * worker can record a heartbeat, so just after an outage every worker looks dead, and taking
   * their tasks would run each a second time. Until then STARTED tasks are left alone.
   */
  readonly heartbeatsSince?: number | undefined
}

/**
 * Repairs what a crash or a lost message left behind: a task PENDING for too long (its publish
 * failed, or the broker lost it) or STARTED on a worker that stopped sending heartbeats (killed,
 * cut off) is marked RETRY, which also restarts its staleness clock so a backlog is not flooded
 * with copies, and published again. Duplicates are harmless: claiming is atomic.
 */
export const reconcileOnce = (staleAfter: Duration.Input, options: ReconcileOnceOptions = {}) =>
  Effect.gen(function* () {
    const store = yield* TaskStore
    const queue = yield* TaskQueue
    const now = yield* Clock.currentTimeMillis
    const cutoff = now - Duration.toMillis(Duration.fromInputUnsafe(staleAfter))
    const stale = yield* store.stale(cutoff)
    if (stale.length === 0) return 0
    const heartbeatsTell = cutoff >= (options.heartbeatsSince ?? Number.NEGATIVE_INFINITY)
    const alive = new Set((yield* store.workers).filter((w) => w.state !== "stopped" && w.last_seen >= cutoff).map((w) => w.name))
    let queued = 0
    for (const task of stale) {
      if (task.state === "STARTED" && !heartbeatsTell) continue
      // A live worker's task is left to it, unless it has been STARTED for longer than its limits
      // allow (compile and run, each at most the wall time): then that worker lost it (its store
      // went away mid-task, say) while staying alive, and nobody else would ever run it.
      const overdue = now - (task.started_at ?? task.created_at) > 2 * task.limits.wall_time_ms + (now - cutoff)
      if (task.state === "STARTED" && task.worker !== null && alive.has(task.worker) && !overdue) continue
      const reason = task.state === "STARTED" ? `worker ${task.worker ?? "?"} lost; queued again` : "not picked up in time; queued again"
      // Only if it is still as seen: a worker may have claimed it since the snapshot was read.
      if (!(yield* markRetry(store, task.task_id, reason, { state: task.state, attempts: task.attempts }))) continue
      yield* queue.publish(task.task_id)
      queued++
    }
    if (queued > 0) yield* Effect.logInfo(`reconciler queued ${queued} stale task(s) again`)
    return queued
  })

/**
 * Queues again every unfinished task whose last change (claim or creation) is older than
 * `before`: with `before` this process's start, the ones a previous process of a store only it
 * uses left behind. A task this process created or claimed is newer, so it is never taken twice.
 */
export const requeueFromBefore = (before: number) =>
  Effect.gen(function* () {
    const store = yield* TaskStore
    const queue = yield* TaskQueue
    let queued = 0
    for (const task of yield* store.stale(before)) {
      if (!(yield* markRetry(store, task.task_id, "left unfinished by a previous process; queued again"))) continue
      yield* queue.publish(task.task_id)
      queued++
    }
    if (queued > 0) yield* Effect.logInfo(`queued again ${queued} task(s) a previous process left unfinished`)
    return queued
  })

/** Runs the reconciler every `every` for the lifetime of the layer; also forgets long-gone workers. */
export const layerReconciler = (options: ReconcilerOptions) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      if (options.requeueAtStart === true) {
        // performance.timeOrigin: when this process started, before any task of its own existed.
        yield* requeueFromBefore(Math.floor(performance.timeOrigin)).pipe(
          Effect.catch((e) => Effect.logWarning(`reconciler: cannot queue unfinished tasks again: ${e.message}`))
        )
      }
      // Since when this process has reached the store without a failed round (undefined: the last
      // round failed, or none ran yet). A store outage shorter than `every` goes unseen here, so
      // `every` plus a heartbeat interval must stay below `staleAfter` (the defaults: 30 s, 5 s, 120 s).
      let reachableSince: number | undefined
      yield* Effect.gen(function* () {
        const since = reachableSince ?? (yield* Clock.currentTimeMillis)
        yield* reconcileOnce(options.staleAfter, { heartbeatsSince: since })
        const store = yield* TaskStore
        yield* store.forgetWorkers((yield* Clock.currentTimeMillis) - forgetWorkersAfter)
        reachableSince = since
      }).pipe(
        Effect.catch((e) =>
          Effect.sync(() => {
            reachableSince = undefined
          }).pipe(Effect.andThen(Effect.logWarning(`reconciler: ${e.message}`)))
        ),
        Effect.repeat(Schedule.spaced(options.every)),
        Effect.forkScoped
      )
    })
  )
