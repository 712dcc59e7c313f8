import { PgClient } from "@effect/sql-pg"
import { Context, Deferred, Effect, Fiber, Layer, Option, Redacted } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { emptyTaskResult, type JudgeSpec, type Task, type TaskResult, TaskStore, type TestCaseReport } from "@codebox/core"
import { migrate, migrationCount } from "./migrations.ts"
import { scratchDatabase, testDatabaseUrl } from "@codebox/test-support"
import { aTask } from "@codebox/testkit"
import * as SqlTaskStore from "./SqlTaskStore.ts"

/** A store of its own (own connections) on the given database, as another process would have. */
const storeOn = (url: string) =>
  Layer.build(SqlTaskStore.layer({ notifications: "listen" }).pipe(Layer.provide(PgClient.layer({ url: Redacted.make(url) })))).pipe(
    Effect.map((context) => Context.get(context, TaskStore))
  )

describe("SqlTaskStore on PostgreSQL", () => {
  it.live("wakes a waiter when another process stores the result, also after its listener was cut", () =>
    Effect.gen(function* () {
      const url = yield* scratchDatabase(testDatabaseUrl)
      const api = yield* storeOn(url)
      const worker = yield* storeOn(url)

      const waitFor = (task: Task) =>
        Effect.gen(function* () {
          yield* api.insert(task)
          const claim = Option.getOrThrow(yield* worker.claim(task.task_id, "w"))
          const ready = yield* Deferred.make<void>()
          const fiber = yield* Effect.forkChild(Deferred.succeed(ready, undefined).pipe(Effect.andThen(api.awaitFinal(task.task_id))))
          yield* Deferred.await(ready)
          return { claim, fiber }
        })

      const first = yield* waitFor(aTask())
      expect(yield* worker.complete(first.claim.task.task_id, first.claim.attempt, "SUCCESS", null, null)).toBe(true)
      expect((yield* Fiber.join(first.fiber).pipe(Effect.timeout("10 seconds"))).state).toBe("SUCCESS")

      // The database drops the listening connection (as in a restart): the result stored while it
      // reconnects must still reach the waiter.
      const second = yield* waitFor(aTask())
      const admin = Context.get(yield* Layer.build(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })), PgClient.PgClient)
      const cut = yield* admin<{ n: number }>`
        SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
        WHERE datname = current_database() AND query LIKE 'LISTEN%'`
      expect(cut[0]!.n).toBeGreaterThanOrEqual(1)
      expect(yield* worker.complete(second.claim.task.task_id, second.claim.attempt, "FAILURE", null, "boom")).toBe(true)
      expect((yield* Fiber.join(second.fiber).pipe(Effect.timeout("20 seconds"))).error).toBe("boom")
    })
  )

  it.live("reads a SUCCESS stored by the version before skipped_outputs: error null, the refused files listed", () =>
    Effect.gen(function* () {
      const url = yield* scratchDatabase(testDatabaseUrl)
      const store = yield* storeOn(url)
      const task = aTask()
      yield* store.insert(task)
      // The row as that version wrote it: the refused files noted in `error`, no skipped_outputs.
      const old = {
        stdout: "ok\n",
        stderr: "",
        returncode: 0,
        error: "output files not kept: leak.txt (a link), f21.txt (over the cap of 20 files) and 3 more",
        output_files: ["a.txt"],
        verdict: "ok"
      }
      const admin = Context.get(yield* Layer.build(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })), PgClient.PgClient)
      yield* admin`UPDATE codebox_tasks SET state = 'SUCCESS', result = ${admin.json(old)}, output_chunked = false
        WHERE task_id = ${task.task_id}`
      const read = yield* store.get(task.task_id)
      expect(read.state).toBe("SUCCESS")
      expect(read.result).toMatchObject({
        stdout: "ok\n",
        error: null,
        output_files: ["a.txt"],
        skipped_outputs: [
          { name: "leak.txt", reason: "a link" },
          { name: "f21.txt", reason: "over the cap of 20 files" }
        ]
      })
    })
  )

  it.live("answers a read whose connection the database dropped, on a new connection", () =>
    Effect.gen(function* () {
      const url = yield* scratchDatabase(testDatabaseUrl)
      const store = yield* storeOn(url)
      const task = aTask()
      yield* store.insert(task)
      const admin = Context.get(yield* Layer.build(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })), PgClient.PgClient)
      for (let round = 0; round < 5; round++) {
        // Warm the store's pooled connections, then drop every one of them, as a restart would.
        yield* Effect.all([store.get(task.task_id), store.counts, store.list({})], { concurrency: "unbounded" })
        yield* admin`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid()`
        const [read, counts] = yield* Effect.all([store.get(task.task_id), store.counts], { concurrency: "unbounded" })
        expect(read.task_id).toBe(task.task_id)
        expect(counts.PENDING).toBe(1)
      }
    })
  )

  it.live("migrates once when several processes start at the same time", () =>
    Effect.gen(function* () {
      const url = yield* scratchDatabase(testDatabaseUrl)
      const migrateOnce = migrate.pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })))
      const applied = yield* Effect.all([migrateOnce, migrateOnce, migrateOnce], { concurrency: "unbounded" })
      // One process applies every migration; the others find nothing left to do.
      expect(applied.map((a) => a.length).sort()).toEqual([0, 0, migrationCount])
    })
  )

  it.live("keeps a judge task's cases and its per-case reports, NUL bytes and invalid UTF-8 included", () =>
    Effect.gen(function* () {
      const url = yield* scratchDatabase(testDatabaseUrl)
      const store = yield* storeOn(url)
      const judge: JudgeSpec = {
        tests: [{ name: "nul", stdin: "a\u0000b", args: ["x"], expected_output: "\u0000\n", limits: aTask().limits }],
        compare: "float",
        float_tolerance: 0.5,
        stop_on_first_failure: true
      }
      const task = aTask({ judge })
      yield* store.insert(task)
      expect((yield* store.get(task.task_id)).judge).toEqual(judge)

      const claim = Option.getOrThrow(yield* store.claim(task.task_id, "w"))
      const report: TestCaseReport = {
        name: "nul",
        verdict: "wrong_answer",
        stdout: "x\u0000y",
        stderr: "\ufffd",
        stdout_base64: null,
        stderr_base64: Buffer.from([0xff]).toString("base64"),
        returncode: 0,
        signal: null,
        wall_time_ms: 5,
        cpu_time_ms: 1,
        memory_peak_bytes: 1024,
        stdout_truncated: false,
        stderr_truncated: false,
        expected_output: "\u0000\n",
        first_difference: { line: 1, column: 1 }
      }
      const result: TaskResult = {
        ...emptyTaskResult,
        verdict: "ok",
        tests: [report],
        summary: { total: 1, passed: 0, verdict: "wrong_answer" }
      }
      expect(yield* store.complete(task.task_id, claim.attempt, "SUCCESS", result, null)).toBe(true)
      const stored = yield* store.get(task.task_id)
      expect(stored.result?.tests).toEqual([report])
      expect(stored.result?.summary).toEqual(result.summary)
      // A plain task has neither field.
      const plain = aTask()
      yield* store.insert(plain)
      expect("judge" in (yield* store.get(plain.task_id))).toBe(false)
    })
  )
})
