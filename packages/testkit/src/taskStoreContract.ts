import { randomUUID } from "node:crypto"
import { Deferred, Effect, Fiber, type Layer, ManagedRuntime, Option } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { Buffer } from "node:buffer"
import { outputBytes, outputText, type Task, standardLimits, type TaskResult, TaskStore } from "@codebox/core"

/** A PENDING task to insert; override what a test cares about. */
export const aTask = (overrides: Partial<Task> = {}): Task => ({
  task_id: randomUUID(),
  language: "toy",
  source_code: "print('hi')",
  stdin: null,
  args: ["-x", "a b"],
  limits: standardLimits,
  input_files: ["data.csv"],
  state: "PENDING",
  attempts: 0,
  error: null,
  worker: null,
  created_at: Date.now(),
  started_at: null,
  finished_at: null,
  result: null,
  ...overrides
})

const aResult: TaskResult = {
  stdout: "héllo\n",
  stderr: "",
  stdout_base64: null,
  stderr_base64: null,
  returncode: 0,
  signal: null,
  limit: null,
  stdout_truncated: false,
  stderr_truncated: false,
  wall_time_ms: 12,
  cpu_time_ms: 8,
  memory_peak_bytes: 4_000_000,
  error: null,
  output_files: ["out.txt"],
  files: [{ name: "out.txt", size: 3, sha256: "ab".repeat(32), content_type: "text/plain" }],
  skipped_outputs: [{ name: "leak.txt", reason: "a link" }],
  verdict: "ok",
  compile: null
}

/**
 * The behaviour every TaskStore must have, run against each adapter (memory, PGlite, PostgreSQL)
 * so they stay interchangeable. Each test uses its own ids and language, so a shared database is fine.
 */
export const taskStoreContract = (name: string, layer: () => Layer.Layer<TaskStore, unknown>) =>
  describe(`TaskStore contract: ${name}`, () => {
    let runtime: ManagedRuntime.ManagedRuntime<TaskStore, unknown>
    beforeAll(async () => {
      runtime = ManagedRuntime.make(layer())
      await runtime.runPromise(Effect.void)
    })
    afterAll(() => runtime.dispose())
    const run = <A, E>(body: (store: TaskStore["Service"]) => Effect.Effect<A, E>) => runtime.runPromise(TaskStore.use(body))

    it("stores a task and reads it back exactly; an unknown id is TaskNotFound", () =>
      run((store) =>
        Effect.gen(function* () {
          const task = aTask({ stdin: "in\n" })
          yield* store.insert(task)
          expect(yield* store.get(task.task_id)).toEqual(task)
          const missing = yield* Effect.flip(store.get(randomUUID()))
          expect(missing._tag).toBe("TaskNotFound")
        })
      ))

    it("claims atomically: one of many concurrent claims wins, attempts counts claims", () =>
      run((store) =>
        Effect.gen(function* () {
          const task = aTask()
          yield* store.insert(task)
          const claims = yield* Effect.forEach(
            Array.from({ length: 8 }, (_, i) => `w${i}`),
            (w) => store.claim(task.task_id, w),
            {
              concurrency: "unbounded"
            }
          )
          const won = claims.filter(Option.isSome).map((c) => c.value)
          expect(won.length).toBe(1)
          expect(won[0]!.attempt).toBe(1)
          expect(won[0]!.task.state).toBe("STARTED")
          const stored = yield* store.get(task.task_id)
          expect(stored.state).toBe("STARTED")
          expect(stored.attempts).toBe(1)
          expect(stored.worker).toBe(won[0]!.task.worker)
          expect(stored.started_at).not.toBeNull()
          expect(Option.isNone(yield* store.claim(randomUUID(), "w"))).toBe(true)
        })
      ))

    it("completes only under the current claim, and only once", () =>
      run((store) =>
        Effect.gen(function* () {
          const task = aTask()
          yield* store.insert(task)
          expect(yield* store.complete(task.task_id, 1, "SUCCESS", aResult, null)).toBe(false)
          const claim = Option.getOrThrow(yield* store.claim(task.task_id, "w1"))
          expect(yield* store.complete(task.task_id, claim.attempt + 1, "SUCCESS", aResult, null)).toBe(false)
          expect(yield* store.complete(task.task_id, claim.attempt, "SUCCESS", aResult, null)).toBe(true)
          expect(yield* store.complete(task.task_id, claim.attempt, "FAILURE", null, "late")).toBe(false)
          const done = yield* store.get(task.task_id)
          expect(done.state).toBe("SUCCESS")
          expect(done.result).toEqual(aResult)
          expect(done.error).toBeNull()
          expect(done.finished_at).not.toBeNull()
          expect(Option.isNone(yield* store.claim(task.task_id, "w2"))).toBe(true)
        })
      ))

    it("keeps every byte a program printed: NUL, control characters, invalid UTF-8, more than a database message", () =>
      run((store) =>
        Effect.gen(function* () {
          const task = aTask()
          yield* store.insert(task)
          const claim = Option.getOrThrow(yield* store.claim(task.task_id, "w1"))
          // 20 MiB of control characters: more than the PostgreSQL client's 16 MiB message, six times
          // that as JSON escapes.
          const stdout = outputText(Buffer.alloc(20 * 1024 * 1024, 1))
          const stderr = outputText(Buffer.from([0x41, 0x00, 0xff, 0xfe, 0x0a]))
          const compileOut = outputText(Buffer.from("warn\u0000ing", "utf8"))
          const result: TaskResult = {
            ...aResult,
            stdout: stdout.text,
            stdout_base64: stdout.base64,
            stderr: stderr.text,
            stderr_base64: stderr.base64,
            compile: { ...aResult, stdout: compileOut.text, stdout_base64: compileOut.base64, stderr: "", stderr_base64: null }
          }
          expect(stderr.base64).not.toBeNull()
          expect(yield* store.complete(task.task_id, claim.attempt, "SUCCESS", result, null)).toBe(true)
          const done = yield* store.get(task.task_id)
          expect(done.state).toBe("SUCCESS")
          const read = done.result!
          expect(read.stdout.length).toBe(20 * 1024 * 1024)
          expect(read.stdout === stdout.text).toBe(true)
          expect(read.stdout_base64).toBeNull()
          expect(read.stderr).toBe("A\u0000\uFFFD\uFFFD\n")
          expect(Buffer.from(outputBytes(read.stderr, read.stderr_base64))).toEqual(Buffer.from([0x41, 0x00, 0xff, 0xfe, 0x0a]))
          expect(read.compile?.stdout).toBe("warn\u0000ing")
          const listed = yield* store.list({ language: task.language })
          expect(listed.find((t) => t.task_id === task.task_id)?.result?.stderr_base64).toBe(stderr.base64)
        })
      ))

    it("retry makes a lost claim claimable again and voids the old claim", () =>
      run((store) =>
        Effect.gen(function* () {
          const task = aTask()
          yield* store.insert(task)
          const first = Option.getOrThrow(yield* store.claim(task.task_id, "w1"))
          expect(yield* store.retry(task.task_id, "worker lost")).toBe(true)
          const retried = yield* store.get(task.task_id)
          expect(retried.state).toBe("RETRY")
          expect(retried.error).toBe("worker lost")
          const second = Option.getOrThrow(yield* store.claim(task.task_id, "w2"))
          expect(second.attempt).toBe(2)
          expect(yield* store.complete(task.task_id, first.attempt, "SUCCESS", aResult, null)).toBe(false)
          expect(yield* store.complete(task.task_id, second.attempt, "FAILURE", null, "could not run")).toBe(true)
          expect(yield* store.retry(task.task_id, "too late")).toBe(false)
          const done = yield* store.get(task.task_id)
          expect(done.state).toBe("FAILURE")
          expect(done.error).toBe("could not run")
          expect(done.result).toBeNull()
        })
      ))

    it("a conditional retry applies only to the task as it was seen (same state, same attempts)", () =>
      run((store) =>
        Effect.gen(function* () {
          const task = aTask()
          yield* store.insert(task)
          const seen = yield* store.get(task.task_id)
          // A worker claims it after the snapshot: the retry decided on the snapshot must miss.
          Option.getOrThrow(yield* store.claim(task.task_id, "w1"))
          expect(yield* store.retry(task.task_id, "stale", { state: seen.state, attempts: seen.attempts })).toBe(false)
          expect((yield* store.get(task.task_id)).state).toBe("STARTED")
          const now = yield* store.get(task.task_id)
          expect(yield* store.retry(task.task_id, "worker lost", { state: now.state, attempts: now.attempts })).toBe(true)
          expect((yield* store.get(task.task_id)).state).toBe("RETRY")
        })
      ))

    it("revokes unfinished tasks only; a revoked claim cannot complete", () =>
      run((store) =>
        Effect.gen(function* () {
          const task = aTask()
          yield* store.insert(task)
          const claim = Option.getOrThrow(yield* store.claim(task.task_id, "w1"))
          const revoked = yield* store.revoke(task.task_id)
          expect(revoked.state).toBe("REVOKED")
          expect(revoked.finished_at).not.toBeNull()
          expect(yield* store.complete(task.task_id, claim.attempt, "SUCCESS", aResult, null)).toBe(false)
          expect((yield* store.revoke(task.task_id)).state).toBe("REVOKED")
          expect((yield* Effect.flip(store.revoke(randomUUID())))._tag).toBe("TaskNotFound")
        })
      ))

    it("awaitFinal wakes when the task finishes, and returns at once when it already has", () =>
      run((store) =>
        Effect.gen(function* () {
          const task = aTask()
          yield* store.insert(task)
          const claim = Option.getOrThrow(yield* store.claim(task.task_id, "w1"))
          const waiting = yield* Deferred.make<void>()
          const fiber = yield* Effect.forkChild(Deferred.succeed(waiting, undefined).pipe(Effect.andThen(store.awaitFinal(task.task_id))))
          yield* Deferred.await(waiting)
          expect(yield* store.complete(task.task_id, claim.attempt, "SUCCESS", aResult, null)).toBe(true)
          const done = yield* Fiber.join(fiber).pipe(Effect.timeout("10 seconds"))
          expect(done.state).toBe("SUCCESS")
          expect((yield* store.awaitFinal(task.task_id)).result).toEqual(aResult)
          expect((yield* Effect.flip(store.awaitFinal(randomUUID())))._tag).toBe("TaskNotFound")
        })
      ))

    it("lists newest first, filtered by state and language, paged", () =>
      run((store) =>
        Effect.gen(function* () {
          const language = `lang-${randomUUID().slice(0, 8)}`
          const base = Date.now() - 10_000
          const tasks = Array.from({ length: 5 }, (_, i) => aTask({ language, created_at: base + i }))
          for (const task of tasks) yield* store.insert(task)
          yield* store.claim(tasks[1]!.task_id, "w1")
          const ids = (list: ReadonlyArray<Task>) => list.map((t) => t.task_id)
          expect(ids(yield* store.list({ language }))).toEqual(tasks.map((t) => t.task_id).reverse())
          expect(ids(yield* store.list({ language, limit: 2, offset: 1 }))).toEqual([tasks[3]!.task_id, tasks[2]!.task_id])
          expect(ids(yield* store.list({ language, state: "STARTED" }))).toEqual([tasks[1]!.task_id])
          expect(yield* store.list({ language: `${language}-none` })).toEqual([])
        })
      ))

    it("finds stale unfinished tasks, expires old finished ones, counts by state", () =>
      run((store) =>
        Effect.gen(function* () {
          const before = yield* store.counts
          const old = Date.now() - 60_000
          const pending = aTask({ created_at: old })
          const started = aTask({ created_at: old })
          const fresh = aTask()
          const finished = aTask({ created_at: old })
          for (const task of [pending, started, fresh, finished]) yield* store.insert(task)
          yield* store.claim(started.task_id, "w1")
          const claim = Option.getOrThrow(yield* store.claim(finished.task_id, "w1"))
          yield* store.complete(finished.task_id, claim.attempt, "SUCCESS", aResult, null)

          const stale = (yield* store.stale(Date.now() - 30_000)).map((t) => t.task_id)
          expect(stale).toContain(pending.task_id)
          expect(stale).not.toContain(started.task_id) // just claimed: its last change is now
          expect(stale).not.toContain(fresh.task_id)
          expect(stale).not.toContain(finished.task_id)
          expect((yield* store.stale(Date.now() + 1000)).map((t) => t.task_id)).toContain(started.task_id)

          const after = yield* store.counts
          expect(after.PENDING - before.PENDING).toBe(2)
          expect(after.STARTED - before.STARTED).toBe(1)
          expect(after.SUCCESS - before.SUCCESS).toBe(1)

          expect(yield* store.expire(Date.now() - 30_000)).not.toContain(finished.task_id)
          const expired = yield* store.expire(Date.now() + 1000)
          expect(expired).toContain(finished.task_id)
          expect(expired).not.toContain(pending.task_id)
          expect((yield* Effect.flip(store.get(finished.task_id)))._tag).toBe("TaskNotFound")
          expect((yield* store.get(pending.task_id)).state).toBe("PENDING")
        })
      ))

    it("lists and counts one tenant's tasks apart from the others'", () =>
      run((store) =>
        Effect.gen(function* () {
          const tenant = `tenant-${randomUUID()}`
          const others = `tenant-${randomUUID()}`
          const mine = [aTask({ owner: tenant }), aTask({ owner: tenant })]
          for (const task of [...mine, aTask({ owner: others }), aTask()]) yield* store.insert(task)
          const claim = Option.getOrThrow(yield* store.claim(mine[0]!.task_id, "w1"))
          yield* store.complete(mine[0]!.task_id, claim.attempt, "SUCCESS", aResult, null)
          const counts = yield* store.countsOf(tenant)
          expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(2)
          expect([counts.SUCCESS, counts.PENDING]).toEqual([1, 1])
          expect((yield* store.list({ owner: tenant })).map((t) => t.task_id).sort()).toEqual(mine.map((t) => t.task_id).sort())
          expect(Object.values(yield* store.countsOf(`tenant-${randomUUID()}`)).every((n) => n === 0)).toBe(true)
        })
      ))

    it("records worker heartbeats, lists workers by name and forgets old ones", () =>
      run((store) =>
        Effect.gen(function* () {
          const prefix = `worker-${randomUUID().slice(0, 8)}`
          const now = Date.now()
          const status = { concurrency: 2, running: 1, completed: 5, state: "running" as const, started_at: now - 5000 }
          yield* store.heartbeat({ ...status, name: `${prefix}-b`, last_seen: now })
          yield* store.heartbeat({ ...status, name: `${prefix}-a`, last_seen: now - 120_000 })
          yield* store.heartbeat({ ...status, name: `${prefix}-b`, running: 0, completed: 6, state: "stopped", last_seen: now + 1 })
          const mine = (yield* store.workers).filter((w) => w.name.startsWith(prefix))
          expect(mine).toEqual([
            { ...status, name: `${prefix}-a`, last_seen: now - 120_000 },
            { ...status, name: `${prefix}-b`, running: 0, completed: 6, state: "stopped", last_seen: now + 1 }
          ])
          expect(yield* store.forgetWorkers(now - 60_000)).toBeGreaterThanOrEqual(1)
          expect((yield* store.workers).filter((w) => w.name.startsWith(prefix)).map((w) => w.name)).toEqual([`${prefix}-b`])
        })
      ))
  })
