import { PgClient } from "@effect/sql-pg"
import { Effect, Layer, Option, Schema } from "effect"
import type { SqlError } from "effect/sql/SqlError"
import { CallbackOutbox, StoreError, TaskId } from "@codebox/core"
import { migrate } from "./migrations.ts"

const storeError = (what: string) => (e: SqlError | Schema.SchemaError) => new StoreError({ message: `${what}: ${e.message}`, cause: e })

/** Rows cross a boundary: decoded, so a hand-edited row is a StoreError, not a wrong shape. */
const DueRows = Schema.Array(Schema.Struct({ task_id: TaskId, url: Schema.String, tries: Schema.Int }))
const StatusRows = Schema.Array(
  Schema.Struct({
    url: Schema.String,
    state: Schema.Literals(["pending", "delivered", "failed"]),
    tries: Schema.Int,
    last_status: Schema.NullOr(Schema.Int),
    last_error: Schema.NullOr(Schema.String)
  })
)

/**
 * CallbackOutbox in the task database (PostgreSQL or the embedded PGlite), so pending deliveries
 * survive a restart. A row is due when its task is final: the query joins the tasks, so it does not
 * matter which process (a worker elsewhere, this server) finished the task. Taking rows is one
 * UPDATE over rows locked with SKIP LOCKED, so replicas polling together split the work.
 */
export const layer = Layer.effect(
  CallbackOutbox,
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    yield* migrate.pipe(Effect.mapError((e) => new StoreError({ message: `cannot migrate the database: ${e.message}`, cause: e })))

    return CallbackOutbox.of({
      register: Effect.fn("CallbackOutbox.register")(function* (id, url) {
        yield* sql`
          INSERT INTO codebox_callbacks (task_id, url, state) VALUES (${id}, ${url}, 'pending')
          ON CONFLICT (task_id) DO NOTHING`.pipe(Effect.mapError(storeError("cannot record a callback")))
      }),
      takeDue: Effect.fn("CallbackOutbox.takeDue")(function* ({ now, limit, leaseMs, owner }) {
        const rows = yield* sql`
          UPDATE codebox_callbacks c SET lease_owner = ${owner}, lease_until = ${now + leaseMs}
          WHERE c.task_id IN (
            SELECT cb.task_id FROM codebox_callbacks cb JOIN codebox_tasks t ON t.task_id = cb.task_id
            WHERE cb.state = 'pending' AND cb.next_at <= ${now} AND cb.lease_until <= ${now}
              AND t.state IN ('SUCCESS','FAILURE','REVOKED')
            ORDER BY cb.next_at LIMIT ${limit}
            FOR UPDATE OF cb SKIP LOCKED)
          AND c.state = 'pending' AND c.lease_until <= ${now}
          RETURNING c.task_id, c.url, c.tries`.pipe(
          Effect.flatMap(Schema.decodeUnknownEffect(DueRows)),
          Effect.mapError(storeError("cannot take due callbacks"))
        )
        return rows
      }),
      record: Effect.fn("CallbackOutbox.record")(function* (id, owner, attempt) {
        const state = attempt.delivered ? "delivered" : attempt.next_at === null ? "failed" : "pending"
        yield* sql`
          UPDATE codebox_callbacks SET state = ${state}, tries = tries + 1, last_status = ${attempt.status},
            last_error = ${attempt.error}, next_at = ${attempt.next_at ?? 0}, lease_owner = NULL, lease_until = 0
          WHERE task_id = ${id} AND lease_owner = ${owner}`.pipe(Effect.mapError(storeError("cannot record a callback attempt")))
      }),
      get: Effect.fn("CallbackOutbox.get")(function* (id) {
        const rows = yield* sql`
          SELECT url, state, tries, last_status, last_error FROM codebox_callbacks WHERE task_id = ${id}`.pipe(
          Effect.flatMap(Schema.decodeUnknownEffect(StatusRows)),
          Effect.mapError(storeError("cannot read a callback"))
        )
        return Option.fromNullishOr(rows[0])
      })
    })
  })
)
