import { decodeStoredResult, JudgeSpec, StoreError, Task, type WorkerStatus } from "@codebox/core"
import { Effect, Schema, SchemaGetter } from "effect"

/**
 * Rows as the database hands them over, decoded with Schema: what comes back from SQL is data
 * crossing a boundary (another version of CodeBox may have written it, or a person by hand), so a
 * row that is not a valid task is a StoreError naming the field, never a task with a wrong shape.
 */

/** Epoch milliseconds are BIGINT columns: the driver gives a bigint, a number or a decimal string. */
const Millis = Schema.Union([Schema.Number, Schema.BigInt, Schema.String]).pipe(
  Schema.decodeTo(Schema.Number, {
    decode: SchemaGetter.transform((v: number | bigint | string) => Number(v)),
    encode: SchemaGetter.transform((n: number) => n)
  })
)

const TaskRow = Schema.Struct({
  ...Task.fields,
  created_at: Millis,
  started_at: Schema.NullOr(Millis),
  finished_at: Schema.NullOr(Millis),
  // Decoded on its own below: results stored by earlier versions lack fields (StoredTaskResult).
  result: Schema.NullOr(Schema.Unknown),
  // JSON text (see migration 0004); absent in rows of a database not migrated that far.
  judge: Schema.optionalKey(Schema.NullOr(Schema.fromJsonString(JudgeSpec)))
})

const WorkerRow = Schema.Struct({
  name: Schema.String,
  concurrency: Schema.Int,
  running: Schema.Int,
  completed: Millis,
  state: Schema.Literals(["running", "stopping", "stopped"]),
  started_at: Millis,
  last_seen: Millis
})

const decodeError = (what: string) => (e: Schema.SchemaError) =>
  new StoreError({ message: `${what}: a stored row is not valid: ${e.message}`, cause: e })

export const decodeTask =
  (what: string) =>
  (row: unknown): Effect.Effect<Task, StoreError> =>
    Schema.decodeUnknownEffect(TaskRow)(row).pipe(
      Effect.flatMap(({ owner, judge, ...row }): Effect.Effect<Task, Schema.SchemaError> => {
        // A task created without keys has no owner, and a plain run no judge, as the memory store keeps them.
        const task = { ...row, ...(owner == null ? {} : { owner }), ...(judge == null ? {} : { judge }) }
        return row.result === null
          ? Effect.succeed({ ...task, result: null })
          : Effect.map(decodeStoredResult(row.result), (result) => ({ ...task, result }))
      }),
      Effect.mapError(decodeError(what))
    )

export const decodeTasks = (what: string) => (rows: ReadonlyArray<unknown>) => Effect.forEach(rows, decodeTask(what))

export const decodeWorkers = (rows: ReadonlyArray<unknown>): Effect.Effect<ReadonlyArray<WorkerStatus>, StoreError> =>
  Effect.forEach(rows, (row) => Schema.decodeUnknownEffect(WorkerRow)(row).pipe(Effect.mapError(decodeError("workers"))))
