import { createHash } from "node:crypto"
import { CodeBox, decodeStoredResult, Executor, FileStorage, type Task, TaskStore } from "@codebox/core"
import { ScriptedSandbox } from "@codebox/testkit"
import { assert, layer } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { TestClock } from "effect/testing"
import { HttpServer } from "effect/http"
import { HttpApiTest } from "effect/http-api"
import { defaultSettings, ServerConfig } from "./config.ts"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { RateLimiter } from "./http/RateLimiter.ts"
import { apiFor, handlersFor } from "./Server.ts"

/**
 * The handlers over in-memory layers, called through HttpApiTest's typed client (same encoding,
 * routing and decoding as a server, no socket). The worker is off (concurrency 0), so each test
 * decides when a task runs.
 */
const settings = { ...defaultSettings, maxWaitSeconds: 5 }
const api = apiFor(settings)
const sandbox = ScriptedSandbox.make((step) => ScriptedSandbox.outcome({ stdout: step.stdin ?? "no stdin", exitCode: 0 }))
const engine = CodeBox.layer({ plugins, sandbox: sandbox.layer, concurrency: 0 })
const TestLayer = handlersFor(api).pipe(
  Layer.provideMerge(engine),
  Layer.provideMerge(RateLimiter.layer),
  Layer.provideMerge(Layer.succeed(ServerConfig, settings)),
  Layer.merge(HttpServer.layerServices)
)
const client = HttpApiTest.groups(api, ["tasks", "fileTasks", "languages", "health"])

/** A finished task as the old service stored it (`sterr`, no manifest), as a store reads it back. */
const legacyTask = (id: string, output_files: ReadonlyArray<string>): Task => ({
  task_id: id,
  language: "python",
  source_code: "print(1)",
  stdin: null,
  args: [],
  limits: plugins[0]!.defaultLimits,
  input_files: [],
  state: "SUCCESS",
  attempts: 1,
  error: null,
  worker: "old",
  created_at: 1,
  started_at: 2,
  finished_at: 3,
  result: Effect.runSync(decodeStoredResult({ stdout: "out", sterr: "boom", returncode: 1, error: null, output_files }))
})

layer(TestLayer)("handlers over in-memory layers", (it) => {
  it.effect("create answers accepted, result answers {state} until the task has run", () =>
    Effect.gen(function* () {
      const { tasks } = yield* client
      const accepted = yield* tasks.create({ payload: { programming_language: "Python", source_code: "x", stdin: "in" }, query: {} })
      assert.deepStrictEqual(accepted, { task_id: (accepted as { task_id: string }).task_id, status: "accepted" })
      const id = (accepted as { task_id: string }).task_id
      assert.deepStrictEqual(yield* tasks.result({ params: { task_id: id }, query: {} }), { status: "PENDING", state: "PENDING" })
      yield* (yield* Executor).execute(id)
      const done = yield* tasks.result({ params: { task_id: id }, query: {} })
      assert.strictEqual("status" in done && done.status, "SUCCESS")
      assert.strictEqual("result" in done && done.result.stdout, "in")
    })
  )

  it.effect("reports a stored `sterr` as `stderr`", () =>
    Effect.gen(function* () {
      const { tasks } = yield* client
      const id = "11111111-1111-1111-1111-111111111111"
      yield* (yield* TaskStore).insert(legacyTask(id, []))
      const done = yield* tasks.result({ params: { task_id: id }, query: {} })
      assert.isTrue("result" in done)
      if ("result" in done) {
        assert.strictEqual(done.result.stderr, "boom")
        assert.strictEqual(done.result.returncode, 1)
        assert.isFalse("sterr" in done.result)
      }
    })
  )

  it.effect("computes the manifest of a result stored without one", () =>
    Effect.gen(function* () {
      const { fileTasks } = yield* client
      const id = "22222222-2222-2222-2222-222222222222"
      const data = new TextEncoder().encode("a,b\n")
      yield* (yield* FileStorage).write(id, "out", "table.csv", data)
      yield* (yield* TaskStore).insert(legacyTask(id, ["table.csv"]))
      const manifest = yield* fileTasks.files({ params: { task_id: id } })
      assert.deepStrictEqual(manifest, {
        task_id: id,
        files: [
          { name: "table.csv", size: 4, sha256: createHash("sha256").update(data).digest("hex"), content_type: "text/csv; charset=utf-8" }
        ]
      })
    })
  )

  it.effect("cancels a queued task (REVOKED) and fails unknown ids with TaskNotFound", () =>
    Effect.gen(function* () {
      const { tasks } = yield* client
      const accepted = yield* tasks.create({ payload: { programming_language: "c", source_code: "int main(){}" }, query: {} })
      const id = (accepted as { task_id: string }).task_id
      assert.deepStrictEqual(yield* tasks.cancel({ params: { task_id: id } }), { task_id: id, status: "REVOKED" })
      // Cancelling again leaves it as it is.
      assert.deepStrictEqual(yield* tasks.cancel({ params: { task_id: id } }), { task_id: id, status: "REVOKED" })
      const error = yield* tasks.cancel({ params: { task_id: "00000000-0000-0000-0000-000000000000" } }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "TaskNotFound")
    })
  )

  it.effect("download fails with NoOutputFiles when the task wrote none", () =>
    Effect.gen(function* () {
      const { fileTasks } = yield* client
      const id = "33333333-3333-3333-3333-333333333333"
      yield* (yield* TaskStore).insert(legacyTask(id, []))
      const error = yield* fileTasks.download({ params: { task_id: id } }).pipe(Effect.flip)
      assert.strictEqual(error._tag, "NoOutputFiles")
    })
  )

  it.effect("rejects a wait above the server's bound and an unknown language", () =>
    Effect.gen(function* () {
      const { tasks } = yield* client
      const wait = yield* tasks
        .create({ payload: { programming_language: "python", source_code: "x" }, query: { wait: 6 } })
        .pipe(Effect.flip)
      assert.strictEqual(wait._tag, "InvalidTask")
      const language = yield* tasks.create({ payload: { programming_language: "cobol", source_code: "x" }, query: {} }).pipe(Effect.flip)
      assert.strictEqual(language._tag, "UnsupportedLanguage")
    })
  )

  it.effect("?wait answers 202 accepted when the task does not finish in time", () =>
    Effect.gen(function* () {
      const { tasks } = yield* client
      const waiting = yield* Effect.forkChild(
        tasks.create({ payload: { programming_language: "php", source_code: "<?php" }, query: { wait: 3 } })
      )
      yield* TestClock.adjust("3 seconds")
      const accepted = yield* Fiber.join(waiting)
      assert.strictEqual((accepted as { status: string }).status, "accepted")
    })
  )

  it.effect("?wait answers 200 with the result as soon as the task finishes", () =>
    Effect.gen(function* () {
      const { tasks } = yield* client
      const store = yield* TaskStore
      const waiting = yield* Effect.forkChild(
        tasks.create({ payload: { programming_language: "python", source_code: "x", stdin: "now" }, query: { wait: 5 } })
      )
      // Run the task once it is stored; the clock never moves, so only the event can answer.
      const mine = store.list({ state: "PENDING" }).pipe(
        Effect.map((list) => list.find((t) => t.stdin === "now")),
        Effect.tap(() => Effect.yieldNow)
      )
      const pending = yield* Effect.repeat(mine, { until: (task) => task !== undefined })
      yield* (yield* Executor).execute(pending!.task_id)
      const done = yield* Fiber.join(waiting)
      assert.strictEqual("result" in done && done.result.stdout, "now")
    })
  )

  it.effect("lists the languages with their limits and the probed versions", () =>
    Effect.gen(function* () {
      const { languages } = yield* client
      const list = yield* languages.list()
      assert.deepStrictEqual(
        list.languages.map((l) => l.id),
        ["python", "c", "javascript", "php", "cpp", "bash", "lua", "perl", "typescript", "java"]
      )
      assert.deepStrictEqual(list.languages[0]!.aliases, plugins[0]!.aliases)
      assert.strictEqual(list.languages[0]!.version, "no stdin")
      assert.strictEqual(list.languages.find((l) => l.id === "c")!.compiled, true)
    })
  )

  it.effect("readiness reports every check", () =>
    Effect.gen(function* () {
      const { health } = yield* client
      const ready = yield* health.ready()
      assert.deepStrictEqual(Object.keys(ready.checks).sort(), ["queue", "sandbox", "storage", "store"])
      assert.strictEqual(ready.checks.sandbox!.detail, "scripted: ok")
    })
  )
})
