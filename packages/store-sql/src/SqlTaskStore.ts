import { PgClient } from "@effect/sql-pg"
import { Clock, Deferred, Effect, Layer, Option, Queue, Schedule } from "effect"
import type { SqlError } from "effect/sql/SqlError"
import {
  StoreError,
  TaskNotFound,
  type RetryCondition,
  emptyStateCounts,
  isFinal,
  type Task,
  type TaskId,
  type TaskResult,
  type TaskState,
  TaskStore,
  type WorkerStatus
} from "@codebox/core"
import { inTransaction, retryOnBrokenConnection } from "./brokenConnection.ts"
import { finalChannel, migrate } from "./migrations.ts"
import { readOutput, splitResult, writeOutput } from "./outputs.ts"
import { decodeTask as decodeRow, decodeWorkers } from "./rows.ts"

export interface SqlTaskStoreOptions {
  /**
   * How a waiter learns that a task finished. `listen`: PostgreSQL LISTEN/NOTIFY, so a result stored
   * by any process wakes it. `local`: only this process's own writes wake it; for the embedded PGlite,
   * which only this process reaches and whose socket does not forward notifications.
   */
  readonly notifications: "listen" | "local"
}

const storeError = (what: string) => (e: SqlError) => new StoreError({ message: `${what}: ${e.message}`, cause: e })

/** A read: retried on a new connection if its own broke, then any failure is a StoreError. */
const reading =
  (what: string) =>
  <A, R>(query: Effect.Effect<A, SqlError, R>) =>
    query.pipe(retryOnBrokenConnection, Effect.mapError(storeError(what)))

const notFound = (id: TaskId) => new TaskNotFound({ task_id: id, message: "TaskResult does not exist" })

/**
 * TaskStore over PostgreSQL (distributed mode) or PGlite (embedded default), through the same
 * `@effect/sql-pg` client and one schema. The migrations run when the layer is built. Every state
 * change is one conditional UPDATE, so claims are atomic and a stale claim cannot complete a task.
 */
export const make = (options: SqlTaskStoreOptions) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    yield* migrate.pipe(Effect.mapError((e) => new StoreError({ message: `cannot migrate the database: ${e.message}`, cause: e })))

    /** A row as a task, its program output read back from its chunks when it was stored so. */
    const decodeTask = (what: string) => (row: unknown) =>
      Effect.flatMap(decodeRow(what)(row), (task) =>
        task.result !== null && (row as { readonly output_chunked?: unknown }).output_chunked === true
          ? readOutput(task.task_id, task.result).pipe(
              Effect.provideService(PgClient.PgClient, sql),
              reading(what),
              Effect.map((result): Task => ({ ...task, result }))
            )
          : Effect.succeed(task)
      )
    const decodeTasks = (what: string) => (rows: ReadonlyArray<unknown>) => Effect.forEach(rows, decodeTask(what))

    /** Stores a result: the JSONB without program output, the output as byte chunks, in one transaction. */
    const storeResult = (id: TaskId, result: TaskResult | null, update: (stored: TaskResult | null) => Effect.Effect<boolean, SqlError>) =>
      inTransaction(sql)(
        Effect.gen(function* () {
          if (result === null) return yield* update(null)
          const { stored, streams } = splitResult(result)
          if (!(yield* update(stored))) return false
          yield* writeOutput(id, streams).pipe(Effect.provideService(PgClient.PgClient, sql))
          return true
        })
      )

    // Waiters for a task to become final. A signal means "look again", never "it is final".
    const waiters = new Map<TaskId, Set<Deferred.Deferred<void>>>()
    const wake = (id: TaskId) => {
      for (const waiter of waiters.get(id) ?? []) Deferred.doneUnsafe(waiter, Effect.void)
    }
    const wakeAll = Effect.sync(() => {
      for (const id of waiters.keys()) wake(id)
    })

    if (options.notifications === "listen") {
      // After each (re)connection every waiter looks again: notifications sent while the listener
      // was down (database restart) are lost, the rows are not.
      const listener = Effect.gen(function* () {
        const notifications = yield* sql.listen(finalChannel)
        yield* wakeAll
        while (true) {
          const notification = yield* Queue.take(notifications)
          wake(notification.payload)
        }
      }).pipe(Effect.scoped)
      yield* listener.pipe(
        Effect.tapError((e) => Effect.logWarning(`task store: listener lost (${e.message}); reconnecting`)),
        Effect.retry(Schedule.min([Schedule.exponential("100 millis"), Schedule.spaced("5 seconds")])),
        Effect.ignore,
        Effect.forkScoped
      )
    }

    const get = Effect.fn("SqlTaskStore.get")(function* (id: TaskId) {
      const rows = yield* sql`SELECT * FROM codebox_tasks WHERE task_id = ${id}`.pipe(reading("get"))
      const row = rows[0]
      if (row === undefined) return yield* notFound(id)
      return yield* decodeTask("get")(row)
    })

    const awaitFinal = Effect.fn("SqlTaskStore.awaitFinal")(function* (id: TaskId) {
      while (true) {
        const signal = Deferred.makeUnsafe<void>()
        const done = yield* Effect.acquireUseRelease(
          Effect.sync(() => {
            const set = waiters.get(id) ?? new Set()
            set.add(signal)
            waiters.set(id, set)
          }),
          // Registered before reading, so a change between the read and the wait is not missed.
          () =>
            Effect.flatMap(get(id), (task) =>
              isFinal(task.state) ? Effect.succeed(Option.some(task)) : Deferred.await(signal).pipe(Effect.as(Option.none<Task>()))
            ),
          () =>
            Effect.sync(() => {
              const set = waiters.get(id)
              set?.delete(signal)
              if (set?.size === 0) waiters.delete(id)
            })
        )
        if (Option.isSome(done)) return done.value
      }
    })

    return TaskStore.of({
      insert: Effect.fn("SqlTaskStore.insert")(function* (task: Task) {
        yield* storeResult(task.task_id, task.result, (stored) =>
          sql`
          INSERT INTO codebox_tasks (task_id, language, source_code, stdin, args, limits, input_files, state, attempts,
                                     error, worker, created_at, started_at, finished_at, result, output_chunked, owner,
                                     judge)
          VALUES (${task.task_id}, ${task.language}, ${task.source_code}, ${task.stdin}, ${sql.json(task.args)},
                  ${sql.json(task.limits)}, ${sql.json(task.input_files)}, ${task.state}, ${task.attempts}, ${task.error},
                  ${task.worker}, ${task.created_at}, ${task.started_at}, ${task.finished_at},
                  ${stored === null ? null : sql.json(stored)}, ${stored !== null}, ${task.owner ?? null},
                  ${task.judge == null ? null : JSON.stringify(task.judge)})`.pipe(Effect.as(true))
        ).pipe(Effect.mapError(storeError("insert")))
        if (isFinal(task.state)) wake(task.task_id)
      }),
      get,
      claim: Effect.fn("SqlTaskStore.claim")(function* (id: TaskId, worker: string) {
        const now = yield* Clock.currentTimeMillis
        const rows = yield* sql`
          UPDATE codebox_tasks SET state = 'STARTED', attempts = attempts + 1, worker = ${worker}, started_at = ${now}
          WHERE task_id = ${id} AND state IN ('PENDING', 'RECEIVED', 'RETRY')
          RETURNING *`.pipe(Effect.mapError(storeError("claim")))
        const row = rows[0]
        if (row === undefined) return Option.none()
        const task = yield* decodeTask("claim")(row)
        return Option.some({ task, attempt: task.attempts })
      }),
      complete: Effect.fn("SqlTaskStore.complete")(function* (id, attempt, state, result, error) {
        const now = yield* Clock.currentTimeMillis
        const stored = yield* storeResult(id, result, (stored) =>
          sql`
          UPDATE codebox_tasks
          SET state = ${state}, result = ${stored === null ? null : sql.json(stored)}, output_chunked = ${stored !== null},
              error = ${error}, finished_at = ${now}
          WHERE task_id = ${id} AND state = 'STARTED' AND attempts = ${attempt}
          RETURNING task_id`.pipe(Effect.map((rows) => rows.length > 0))
        ).pipe(Effect.mapError(storeError("complete")))
        if (stored) wake(id)
        return stored
      }),
      retry: Effect.fn("SqlTaskStore.retry")(function* (id: TaskId, reason: string, seen?: RetryCondition) {
        const now = yield* Clock.currentTimeMillis
        const rows = yield* sql`
          UPDATE codebox_tasks SET state = 'RETRY', error = ${reason}, started_at = ${now}
          WHERE task_id = ${id} AND state IN ('PENDING', 'RECEIVED', 'STARTED', 'RETRY')
            AND ${seen === undefined ? sql`TRUE` : sql`state = ${seen.state} AND attempts = ${seen.attempts}`}
          RETURNING task_id`.pipe(Effect.mapError(storeError("retry")))
        return rows.length > 0
      }),
      revoke: Effect.fn("SqlTaskStore.revoke")(function* (id: TaskId) {
        const now = yield* Clock.currentTimeMillis
        const rows = yield* sql`
          UPDATE codebox_tasks SET state = 'REVOKED', error = 'cancelled', finished_at = ${now}
          WHERE task_id = ${id} AND state IN ('PENDING', 'RECEIVED', 'STARTED', 'RETRY')
          RETURNING *`.pipe(Effect.mapError(storeError("revoke")))
        const row = rows[0]
        if (row === undefined) return yield* get(id)
        wake(id)
        return yield* decodeTask("revoke")(row)
      }),
      awaitFinal,
      list: Effect.fn("SqlTaskStore.list")(function* (filter) {
        const rows = yield* sql`
          SELECT * FROM codebox_tasks
          WHERE ${filter.state === undefined ? sql`TRUE` : sql`state = ${filter.state}`}
            AND ${filter.language === undefined ? sql`TRUE` : sql`language = ${filter.language}`}
            AND ${filter.owner === undefined ? sql`TRUE` : sql`owner = ${filter.owner}`}
          ORDER BY created_at DESC
          LIMIT ${filter.limit ?? 100} OFFSET ${filter.offset ?? 0}`.pipe(reading("list"))
        return yield* decodeTasks("list")(rows)
      }),
      stale: Effect.fn("SqlTaskStore.stale")(function* (olderThan: number) {
        const rows = yield* sql`
          SELECT * FROM codebox_tasks
          WHERE state IN ('PENDING', 'RECEIVED', 'STARTED', 'RETRY') AND coalesce(started_at, created_at) < ${olderThan}
          ORDER BY coalesce(started_at, created_at)`.pipe(reading("stale"))
        return yield* decodeTasks("stale")(rows)
      }),
      expire: Effect.fn("SqlTaskStore.expire")(function* (finishedBefore: number) {
        const rows = yield* sql<{ readonly task_id: string }>`
          DELETE FROM codebox_tasks
          WHERE finished_at < ${finishedBefore} AND state IN ('SUCCESS', 'FAILURE', 'REVOKED')
          RETURNING task_id`.pipe(Effect.mapError(storeError("expire")))
        return rows.map((r) => r.task_id)
      }),
      counts: Effect.gen(function* () {
        const rows = yield* sql<{ readonly state: TaskState; readonly n: number }>`
          SELECT state, count(*)::int AS n FROM codebox_tasks GROUP BY state`.pipe(reading("counts"))
        const counts = emptyStateCounts()
        for (const row of rows) counts[row.state] = row.n
        return counts
      }).pipe(Effect.withSpan("SqlTaskStore.counts")),
      countsOf: Effect.fn("SqlTaskStore.countsOf")(function* (owner: string) {
        const rows = yield* sql<{ readonly state: TaskState; readonly n: number }>`
          SELECT state, count(*)::int AS n FROM codebox_tasks WHERE owner = ${owner} GROUP BY state`.pipe(reading("counts"))
        const counts = emptyStateCounts()
        for (const row of rows) counts[row.state] = row.n
        return counts
      }),
      heartbeat: Effect.fn("SqlTaskStore.heartbeat")(function* (w: WorkerStatus) {
        yield* sql`
          INSERT INTO codebox_workers (name, concurrency, running, completed, state, started_at, last_seen)
          VALUES (${w.name}, ${w.concurrency}, ${w.running}, ${w.completed}, ${w.state}, ${w.started_at}, ${w.last_seen})
          ON CONFLICT (name) DO UPDATE SET concurrency = EXCLUDED.concurrency, running = EXCLUDED.running,
            completed = EXCLUDED.completed, state = EXCLUDED.state, started_at = EXCLUDED.started_at,
            last_seen = EXCLUDED.last_seen`.pipe(Effect.mapError(storeError("heartbeat")))
      }),
      workers: sql`SELECT * FROM codebox_workers ORDER BY name COLLATE "C"`.pipe(
        reading("workers"),
        Effect.flatMap(decodeWorkers),
        Effect.withSpan("SqlTaskStore.workers")
      ),
      forgetWorkers: Effect.fn("SqlTaskStore.forgetWorkers")(function* (lastSeenBefore: number) {
        const rows = yield* sql`DELETE FROM codebox_workers WHERE last_seen < ${lastSeenBefore} RETURNING name`.pipe(
          Effect.mapError(storeError("forgetWorkers"))
        )
        return rows.length
      })
    })
  })

/** The store as a layer; needs a `PgClient` (PostgreSQL, or PGlite through `PgliteServer`). */
export const layer = (options: SqlTaskStoreOptions) => Layer.effect(TaskStore, make(options))
