import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { ServerConfig } from "../config.ts"
import { RateLimiter } from "./RateLimiter.ts"

const limiterWith = (overrides: Parameters<typeof ServerConfig.make>[0] = {}) =>
  RateLimiter.layer.pipe(Layer.provide(ServerConfig.make(overrides)))

describe("RateLimiter", () => {
  it.effect("with the defaults, never refuses a client polling once a second while it submits once a minute", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter
      for (let second = 0; second < 15 * 60; second++) {
        if (second % 60 === 0) assert.isTrue((yield* limiter.take("ip:1", "submit")).allowed, `submit at ${second} s`)
        // Polling two tasks at once: two reads a second.
        assert.isTrue((yield* limiter.take("ip:1", "read")).allowed, `read at ${second} s`)
        assert.isTrue((yield* limiter.take("ip:1", "read")).allowed, `read at ${second} s`)
        yield* TestClock.adjust("1 second")
      }
    }).pipe(Effect.provide(limiterWith()))
  )

  it.effect("counts submissions and reads in separate budgets", () =>
    Effect.gen(function* () {
      const limiter = yield* RateLimiter
      for (let i = 0; i < 2; i++) assert.isTrue((yield* limiter.take("key:a", "submit")).allowed)
      const refused = yield* limiter.take("key:a", "submit")
      assert.isFalse(refused.allowed)
      assert.strictEqual(refused.budget, "submit")
      // Reads are still allowed when submissions are used up, up to their own limit.
      for (let i = 0; i < 3; i++) assert.isTrue((yield* limiter.take("key:a", "read")).allowed)
      assert.isFalse((yield* limiter.take("key:a", "read")).allowed)
      // Another client has budgets of its own.
      assert.isTrue((yield* limiter.take("key:b", "submit")).allowed)
      yield* TestClock.adjust("61 seconds")
      assert.isTrue((yield* limiter.take("key:a", "submit")).allowed)
    }).pipe(Effect.provide(limiterWith({ rateLimit: 2, readRateLimit: 3, rateLimitWindowSeconds: 60 })))
  )
})
