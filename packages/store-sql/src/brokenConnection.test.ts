import { layerScratchClient, testDatabaseUrl } from "@codebox/test-support"
import { describe, expect, layer } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { isSqlError } from "effect/sql/SqlError"
import { inTransaction } from "./brokenConnection.ts"

/** The server cuts the statement's own connection, as a database crash cuts every connection. */
const cutOwnConnection = Effect.gen(function* () {
  const sql = yield* SqlClient
  return yield* sql`SELECT pg_terminate_backend(pg_backend_pid())`
})

describe("inTransaction on PostgreSQL", () => {
  layer(layerScratchClient(testDatabaseUrl))((it) => {
    it.effect("a connection cut mid-transaction is a SqlError the caller can retry, not a defect", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const exit = yield* Effect.exit(inTransaction(sql)(cutOwnConnection))
        expect(Exit.isFailure(exit)).toBe(true)
        if (Exit.isSuccess(exit)) return
        expect(Cause.hasDies(exit.cause)).toBe(false)
        expect(isSqlError(Cause.squash(exit.cause))).toBe(true)
        // The pool replaced the cut connection: the next transaction runs.
        expect(yield* inTransaction(sql)(sql`SELECT 1 AS one`)).toEqual([{ one: 1 }])
      })
    )

    it.effect("without it the client's rollback on the cut connection fails and is a defect (why inTransaction exists)", () =>
      Effect.gen(function* () {
        const sql = yield* SqlClient
        const exit = yield* Effect.exit(sql.withTransaction(cutOwnConnection))
        expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
      })
    )
  })
})
