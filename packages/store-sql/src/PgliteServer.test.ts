import { TaskStore } from "@codebox/core"
import { aTask } from "@codebox/testkit"
import { PgClient } from "@effect/sql-pg"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as PgliteServer from "./PgliteServer.ts"
import * as SqlTaskStore from "./SqlTaskStore.ts"

const embedded = SqlTaskStore.layer({ notifications: "local" }).pipe(Layer.provideMerge(PgliteServer.layerClient()))

describe("the embedded store (PGlite through its socket)", () => {
  it.live(
    "answers reads after its connection broke, also the reads waiting behind the statement that broke it",
    () =>
      Effect.gen(function* () {
        const sql = yield* PgClient.PgClient
        const store = yield* TaskStore
        const task = aTask()
        yield* store.insert(task)
        // An answer larger than the client accepts (16 MiB) breaks the connection, as an oversized
        // stored result once did; the reads queued behind it must not fail with it.
        const [broken, read, counts] = yield* Effect.all(
          [Effect.flip(sql`SELECT repeat('x', 17 * 1024 * 1024) AS s`), store.get(task.task_id), store.counts],
          { concurrency: "unbounded" }
        )
        expect(broken.reason._tag).toBe("ConnectionError")
        expect(read.task_id).toBe(task.task_id)
        expect(counts.PENDING).toBe(1)
        expect((yield* store.get(task.task_id)).task_id).toBe(task.task_id)
      }).pipe(Effect.provide(embedded)),
    120_000
  )
})
