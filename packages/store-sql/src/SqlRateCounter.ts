import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Schema } from "effect"
import { RateCounter, StoreError } from "@codebox/core"
import { migrate } from "./migrations.ts"

const CountRows = Schema.Array(Schema.Struct({ count: Schema.Number }))

/**
 * RateCounter in the database: every server replica on one PostgreSQL counts against the same
 * budget. One statement adds to a window's count only when the sum stays within the limit, so two
 * replicas racing for the last request cannot both get it. Windows that are over are pruned, at
 * most once per window start this process sees.
 */
export const layer = Layer.effect(
  RateCounter,
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    yield* migrate.pipe(Effect.mapError((e) => new StoreError({ message: `cannot migrate the database: ${e.message}`, cause: e })))
    let prunedBefore = 0

    const prune = (now: number) =>
      now <= prunedBefore
        ? Effect.void
        : Effect.suspend(() => {
            prunedBefore = now
            return sql`DELETE FROM codebox_rate_counts WHERE window_end <= ${now}`
          })

    return RateCounter.of({
      take: (key, window, amount, limit) =>
        Effect.gen(function* () {
          yield* prune(window.start)
          if (amount > limit) return { allowed: false, count: limit }
          const rows = yield* sql`
            INSERT INTO codebox_rate_counts (key, window_start, window_end, count)
            VALUES (${key}, ${window.start}, ${window.start + window.lengthMs}, ${amount})
            ON CONFLICT (key, window_start) DO UPDATE SET count = codebox_rate_counts.count + EXCLUDED.count
            WHERE codebox_rate_counts.count + EXCLUDED.count <= ${limit}
            RETURNING count`.pipe(Effect.flatMap(Schema.decodeUnknownEffect(CountRows)))
          // No row: the sum would pass the limit; the window holds at least limit - amount + 1.
          return rows[0] === undefined ? { allowed: false, count: limit } : { allowed: true, count: rows[0].count }
        }).pipe(Effect.mapError((e) => new StoreError({ message: `cannot count a request: ${e.message}`, cause: e })))
    })
  })
)
