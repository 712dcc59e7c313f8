import { CodeBox, MemoryTaskStore, TaskStore } from "@codebox/core"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { ScriptedSandbox } from "@codebox/testkit"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer } from "effect"
import { HttpServer } from "effect/http"
import { HttpApiTest } from "effect/http-api"
import { TestClock } from "effect/testing"
import { defaultSettings, ServerConfig } from "../config.ts"
import { apiFor, handlersFor } from "../Server.ts"
import { RateLimiter } from "./RateLimiter.ts"

/** The in-memory store, except that asking it for counts never gets an answer (a store that hangs). */
const silentStore = Layer.effect(
  TaskStore,
  Effect.map(Effect.service(TaskStore), (store) => TaskStore.of({ ...store, counts: Effect.never }))
).pipe(Layer.provide(MemoryTaskStore.layer))

const settings = defaultSettings
const api = apiFor(settings)
const sandbox = ScriptedSandbox.make(() => ScriptedSandbox.outcome({ stdout: "Scripted 1.0\n" }))
const handlersOn = (store: Layer.Layer<TaskStore>) =>
  handlersFor(api).pipe(
    Layer.provideMerge(CodeBox.layer({ plugins, sandbox: sandbox.layer, store, concurrency: 0 })),
    Layer.provideMerge(RateLimiter.layer),
    Layer.provideMerge(Layer.succeed(ServerConfig, settings)),
    Layer.merge(HttpServer.layerServices)
  )
const client = HttpApiTest.groups(api, ["health"])

describe("readiness", () => {
  it.effect("is not ready when the store does not answer within 2 s, naming the store", () =>
    Effect.gen(function* () {
      const { health } = yield* client
      const asking = yield* Effect.forkChild(Effect.flip(health.ready()))
      yield* TestClock.adjust("2100 millis")
      const notReady = yield* Fiber.join(asking)
      assert.strictEqual(notReady._tag, "NotReady")
      const body = notReady as unknown as { failing: ReadonlyArray<string>; checks: Record<string, { ok: boolean; detail: string }> }
      assert.deepStrictEqual(body.failing, ["store"])
      assert.isFalse(body.checks.store!.ok)
      assert.include(body.checks.store!.detail, "no answer within 2")
      // Liveness does not ask the store: the process itself is fine.
      assert.deepStrictEqual(yield* health.live(), { status: "ok" })
    }).pipe(Effect.provide(handlersOn(silentStore)))
  )

  it.effect("is ready when the store answers", () =>
    Effect.gen(function* () {
      const { health } = yield* client
      const ready = yield* health.ready()
      assert.strictEqual(ready.status, "ready")
      assert.isTrue(ready.checks.store!.ok)
    }).pipe(Effect.provide(handlersOn(MemoryTaskStore.layer)))
  )
})
