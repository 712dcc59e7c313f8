import { assert, describe, it } from "@effect/vitest"
import { Cleanup, MemoryFileStorage, MemoryTaskStore } from "@codebox/core"
import { ConfigProvider, Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { cleanupLayerFromEnv } from "./cleanup.ts"

const day = 24 * 60 * 60 * 1000

describe("cleanupLayerFromEnv", () => {
  it.effect("reads its settings from the environment; an invalid schedule stops start-up", () =>
    Effect.gen(function* () {
      const env = (vars: Record<string, string>) => ConfigProvider.layer(ConfigProvider.fromEnvRecord(vars))
      const services = Layer.mergeAll(MemoryTaskStore.layer, MemoryFileStorage.layer)
      yield* TestClock.setTime(10 * day)
      const report = yield* Cleanup.use((c) => c.runOnce).pipe(
        Effect.provide(
          cleanupLayerFromEnv.pipe(
            Layer.provide(services),
            Layer.provide(env({ CODEBOX_CLEANUP_SCHEDULE: "off", CODEBOX_RETENTION: "2 days" }))
          )
        )
      )
      assert.strictEqual(report.cutoff, 8 * day)
      const error = yield* Layer.build(
        cleanupLayerFromEnv.pipe(Layer.provide(services), Layer.provide(env({ CODEBOX_CLEANUP_SCHEDULE: "61 * * * *" })))
      ).pipe(Effect.flip)
      assert.deepInclude(error, { _tag: "InvalidSetting", setting: "CODEBOX_CLEANUP_SCHEDULE" })
    }).pipe(Effect.scoped)
  )
})
