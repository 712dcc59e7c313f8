import { PgClient } from "@effect/sql-pg"
import { Context, Effect, Layer, Redacted } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { MemoryRateCounter, RateCounter, rateWindowAt } from "@codebox/core"
import { scratchDatabase, testDatabaseUrl } from "@codebox/test-support"
import * as SqlRateCounter from "./SqlRateCounter.ts"

/** A counter with connections of its own, as another server replica would have. */
const sqlCounterOn = (url: string) =>
  Layer.build(SqlRateCounter.layer.pipe(Layer.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 4 })))).pipe(
    Effect.map((context) => Context.get(context, RateCounter))
  )
const memoryCounter = Layer.build(MemoryRateCounter.layer).pipe(Effect.map((context) => Context.get(context, RateCounter)))

const minute = rateWindowAt(1_800_000_000_000, 60_000)
const nextMinute = rateWindowAt(minute.start + 60_000, 60_000)

type Counter = RateCounter["Service"]

/** What every RateCounter must do; `replicas` gives counters that must share counts. */
const counterContract = (name: string, replicas: Effect.Effect<readonly [Counter, Counter], unknown, import("effect").Scope.Scope>) =>
  describe(`RateCounter: ${name}`, () => {
    it.live("counts up to the limit, refuses past it without counting the refused amount, and starts again in the next window", () =>
      Effect.gen(function* () {
        const [counter] = yield* replicas
        expect(yield* counter.take("submit|a", minute, 3, 5)).toEqual({ allowed: true, count: 3 })
        expect((yield* counter.take("submit|a", minute, 3, 5)).allowed).toBe(false)
        // The refused 3 were not counted: 2 still fit.
        expect(yield* counter.take("submit|a", minute, 2, 5)).toEqual({ allowed: true, count: 5 })
        expect((yield* counter.take("submit|a", minute, 1, 5)).allowed).toBe(false)
        // Another key, and an amount above the limit (refused even in an empty window).
        expect(yield* counter.take("submit|b", minute, 1, 5)).toEqual({ allowed: true, count: 1 })
        expect((yield* counter.take("submit|c", minute, 6, 5)).allowed).toBe(false)
        expect(yield* counter.take("submit|c", minute, 5, 5)).toEqual({ allowed: true, count: 5 })
        expect(yield* counter.take("submit|a", nextMinute, 1, 5)).toEqual({ allowed: true, count: 1 })
      })
    )

    it.live("gives exactly the limit to many requests racing through both replicas", () =>
      Effect.gen(function* () {
        const [first, second] = yield* replicas
        const takes = Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? first : second).take("read|racer", minute, 1, 25))
        const decisions = yield* Effect.all(takes, { concurrency: "unbounded" })
        expect(decisions.filter((d) => d.allowed)).toHaveLength(25)
        expect(Math.max(...decisions.filter((d) => d.allowed).map((d) => d.count))).toBe(25)
      })
    )
  })

counterContract(
  "memory (one process)",
  Effect.map(memoryCounter, (counter) => [counter, counter] as const)
)

counterContract(
  "PostgreSQL (shared by replicas)",
  Effect.gen(function* () {
    const url = yield* scratchDatabase(testDatabaseUrl)
    return [yield* sqlCounterOn(url), yield* sqlCounterOn(url)] as const
  })
)

describe("SqlRateCounter", () => {
  it.live("forgets windows that are over", () =>
    Effect.gen(function* () {
      const url = yield* scratchDatabase(testDatabaseUrl)
      const counter = yield* sqlCounterOn(url)
      yield* counter.take("submit|old", minute, 1, 5)
      yield* counter.take("submit|new", nextMinute, 1, 5)
      const admin = Context.get(yield* Layer.build(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })), PgClient.PgClient)
      const rows = yield* admin<{ key: string }>`SELECT key FROM codebox_rate_counts ORDER BY key`
      expect(rows.map((r) => r.key)).toEqual(["submit|new"])
    })
  )
})
