import { Clock, Deferred, Effect, Layer, Option } from "effect"
import { TaskNotFound } from "../domain/Errors.ts"
import { emptyStateCounts, isFinal, type Task, type TaskId, type TaskState } from "../domain/Task.ts"
import { type RetryCondition, TaskStore, type WorkerStatus } from "../TaskStore.ts"

const claimable: ReadonlySet<TaskState> = new Set(["PENDING", "RECEIVED", "RETRY"])

const notFound = (id: TaskId) => new TaskNotFound({ task_id: id, message: "TaskResult does not exist" })

/** Last change of a task, for the reconciler's staleness test. */
const lastChange = (task: Task) => task.finished_at ?? task.started_at ?? task.created_at

/**
 * TaskStore in process memory: for tests and for embedders that do not need results to survive a
 * restart. Same semantics as the SQL store (atomic claim, conditional completion).
 */
export const layer = Layer.sync(TaskStore, () => {
  const tasks = new Map<TaskId, Task>()
  const waiters = new Map<TaskId, Set<Deferred.Deferred<Task>>>()
  const workers = new Map<string, WorkerStatus>()

  const save = (task: Task) =>
    Effect.gen(function* () {
      tasks.set(task.task_id, task)
      if (!isFinal(task.state)) return
      for (const waiter of waiters.get(task.task_id) ?? []) yield* Deferred.succeed(waiter, task)
    })

  const existing = (id: TaskId) =>
    Effect.suspend(() => {
      const task = tasks.get(id)
      return task === undefined ? Effect.fail(notFound(id)) : Effect.succeed(task)
    })

  return TaskStore.of({
    insert: (task) => save(task),
    get: existing,
    claim: Effect.fn("MemoryTaskStore.claim")(function* (id: TaskId, worker: string) {
      const task = tasks.get(id)
      if (task === undefined || !claimable.has(task.state)) return Option.none()
      const now = yield* Clock.currentTimeMillis
      const attempt = task.attempts + 1
      const claimed: Task = { ...task, state: "STARTED", attempts: attempt, worker, started_at: now }
      yield* save(claimed)
      return Option.some({ task: claimed, attempt })
    }),
    complete: Effect.fn("MemoryTaskStore.complete")(function* (id, attempt, state, result, error) {
      const task = tasks.get(id)
      if (task === undefined || task.state !== "STARTED" || task.attempts !== attempt) return false
      const now = yield* Clock.currentTimeMillis
      yield* save({ ...task, state, result, error, finished_at: now })
      return true
    }),
    retry: Effect.fn("MemoryTaskStore.retry")(function* (id: TaskId, reason: string, seen?: RetryCondition) {
      const task = tasks.get(id)
      if (task === undefined || isFinal(task.state)) return false
      if (seen !== undefined && (task.state !== seen.state || task.attempts !== seen.attempts)) return false
      yield* save({ ...task, state: "RETRY", error: reason, started_at: yield* Clock.currentTimeMillis })
      return true
    }),
    revoke: Effect.fn("MemoryTaskStore.revoke")(function* (id: TaskId) {
      const task = yield* existing(id)
      if (isFinal(task.state)) return task
      const revoked: Task = { ...task, state: "REVOKED", error: "cancelled", finished_at: yield* Clock.currentTimeMillis }
      yield* save(revoked)
      return revoked
    }),
    awaitFinal: (id) =>
      Effect.acquireUseRelease(
        Effect.gen(function* () {
          const waiter = yield* Deferred.make<Task>()
          const set = waiters.get(id) ?? new Set()
          set.add(waiter)
          waiters.set(id, set)
          return waiter
        }),
        (waiter) => Effect.flatMap(existing(id), (task) => (isFinal(task.state) ? Effect.succeed(task) : Deferred.await(waiter))),
        (waiter) =>
          Effect.sync(() => {
            const set = waiters.get(id)
            set?.delete(waiter)
            if (set?.size === 0) waiters.delete(id)
          })
      ),
    list: (filter) =>
      Effect.sync(() => {
        const matching = [...tasks.values()]
          .filter((t) => filter.state === undefined || t.state === filter.state)
          .filter((t) => filter.language === undefined || t.language === filter.language)
          .filter((t) => filter.owner === undefined || t.owner === filter.owner)
          .sort((a, b) => b.created_at - a.created_at)
        const offset = filter.offset ?? 0
        return matching.slice(offset, offset + (filter.limit ?? 100))
      }),
    stale: (olderThan) => Effect.sync(() => [...tasks.values()].filter((t) => !isFinal(t.state) && lastChange(t) < olderThan)),
    expire: (finishedBefore) =>
      Effect.sync(() => {
        const expired = [...tasks.values()].filter((t) => isFinal(t.state) && (t.finished_at ?? 0) < finishedBefore)
        for (const task of expired) tasks.delete(task.task_id)
        return expired.map((t) => t.task_id)
      }),
    counts: Effect.sync(() => {
      const counts = emptyStateCounts()
      for (const task of tasks.values()) counts[task.state]++
      return counts
    }),
    countsOf: (owner) =>
      Effect.sync(() => {
        const counts = emptyStateCounts()
        for (const task of tasks.values()) if (task.owner === owner) counts[task.state]++
        return counts
      }),
    heartbeat: (status) => Effect.sync(() => void workers.set(status.name, status)),
    workers: Effect.sync(() => [...workers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))),
    forgetWorkers: (lastSeenBefore) =>
      Effect.sync(() => {
        const gone = [...workers.values()].filter((w) => w.last_seen < lastSeenBefore)
        for (const worker of gone) workers.delete(worker.name)
        return gone.length
      })
  })
})
