import { InvalidTask } from "@codebox/core"
import { Schema } from "effect"
import { HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "effect/http-api"
import { ApiKeyAuth } from "./ApiKeyAuth.ts"
import { guardErrors, RateLimited } from "./errors.ts"
import { TaskFinished } from "./wire.ts"

/** Tasks one batch may create or read. */
export const maxBatchTasks = 50

/** Why one item of a batch failed: the error the single-task endpoint would answer with. */
export const BatchItemError = Schema.Struct({
  _tag: Schema.String,
  message: Schema.String,
  /** The field at fault, for a validation error (`tests.3.stdin`, `compare`, ...). */
  field: Schema.optionalKey(Schema.String)
})
export type BatchItemError = typeof BatchItemError.Type

export const BatchCreatePayload = Schema.Struct({
  tasks: Schema.Array(
    // Each item is checked on its own, so a bad one is reported in its place and the others still run.
    Schema.Unknown.annotate({ description: "a body of POST /api/tasks/create" })
  ).check(Schema.isMinLength(1), Schema.isMaxLength(maxBatchTasks))
})

export const BatchCreated = Schema.Struct({
  tasks: Schema.Array(
    Schema.Union([Schema.Struct({ task_id: Schema.String, status: Schema.Literal("accepted") }), Schema.Struct({ error: BatchItemError })])
  )
}).pipe(HttpApiSchema.status(202))
export type BatchCreated = typeof BatchCreated.Type

const ProgressState = Schema.Literals(["PENDING", "RECEIVED", "STARTED", "RETRY"])

export const BatchResults = Schema.Struct({
  tasks: Schema.Array(
    Schema.Union([
      TaskFinished,
      Schema.Struct({ task_id: Schema.String, status: ProgressState, state: ProgressState }),
      Schema.Struct({ task_id: Schema.String, error: BatchItemError })
    ])
  )
})
export type BatchResults = typeof BatchResults.Type

export const BatchIdsQuery = {
  ids: Schema.String.annotate({ description: `task ids separated by commas, at most ${maxBatchTasks}` })
}

export class BatchApi extends HttpApiGroup.make("batches")
  .add(
    HttpApiEndpoint.post("create", "/tasks/batch", {
      payload: BatchCreatePayload,
      success: BatchCreated,
      error: [InvalidTask, RateLimited, ...guardErrors]
    }).annotateMerge(
      OpenApi.annotations({
        summary: "Submit up to 50 tasks at once",
        description:
          "202 with one item per task in request order: {task_id, status} or {error: {_tag, message, field?}} " +
          "(an invalid item does not sink the others). Counts as one submission per task for the rate limit."
      })
    ),
    HttpApiEndpoint.get("read", "/tasks/batch", {
      query: BatchIdsQuery,
      success: BatchResults,
      error: [InvalidTask, ...guardErrors]
    }).annotateMerge(
      OpenApi.annotations({
        summary: "The results of up to 50 tasks",
        description:
          "One item per id in order: the task_result body of a finished task, {task_id, status, state} of one " +
          "not finished, or {task_id, error} for an unknown id."
      })
    )
  )
  .middleware(ApiKeyAuth)
  .annotateMerge(OpenApi.annotations({ title: "Batches", description: "Create and read many tasks in one request" })) {}
