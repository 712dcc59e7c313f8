import { Effect, Schedule } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import { isSqlError, type SqlError } from "effect/sql/SqlError"

/**
 * A failure of the connection itself (dropped by a restart, reset, an answer the client could not
 * parse), not of the statement. The pool replaces such a connection once it has seen it die.
 */
export const isBrokenConnection = (error: SqlError): boolean => error.reason._tag === "ConnectionError"

/**
 * A read retried on a new connection when the one it ran on broke. Only reads: a write whose
 * connection broke may have been applied, and running it again could apply it twice. The pause lets
 * the pool see every connection that broke at the same moment (a restart drops them all) before the
 * next try; two retries bound a statement that itself breaks connections (too large an answer).
 */
export const retryOnBrokenConnection = <A, R>(read: Effect.Effect<A, SqlError, R>): Effect.Effect<A, SqlError, R> =>
  read.pipe(Effect.retry({ while: isBrokenConnection, times: 2, schedule: Schedule.spaced("100 millis") }))

/**
 * A transaction that fails with the SqlError it met, also when its connection broke. Effect's SQL
 * client rolls a failed transaction back and makes a failed rollback a defect (a connection it can
 * no longer trust); on a connection that is already gone (a database restart) the rollback always
 * fails, so the caller would see a bug where there is a store failure it may retry.
 */
export const inTransaction =
  (sql: SqlClient) =>
  <A, R>(effect: Effect.Effect<A, SqlError, R>): Effect.Effect<A, SqlError, R> =>
    sql.withTransaction(effect).pipe(Effect.catchDefect((defect) => (isSqlError(defect) ? Effect.fail(defect) : Effect.die(defect))))
