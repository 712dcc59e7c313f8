import { Engine, InvalidTask, isFinal, TaskId } from "@codebox/core"
import { Effect, Schema, SchemaIssue } from "effect"
import { HttpServerRequest } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import type { Api } from "../api/Api.ts"
import { type BatchCreated, type BatchItemError, type BatchResults, maxBatchTasks } from "../api/BatchApi.ts"
import { RateLimited } from "../api/errors.ts"
import { CreateTaskPayload } from "../api/wire.ts"
import { ServerConfig } from "../config.ts"
import { checkCallbackRequest, registerCallback } from "./callbacks.ts"
import { finishedView } from "./present.ts"
import { RateLimiter } from "./RateLimiter.ts"
import { rateLimitClient } from "./RequestGuard.ts"
import { toTaskRequest } from "./TasksHandlers.ts"
import { currentCaller, ownerOf, visibleTask } from "./tenancy.ts"

const decodeItem = Schema.decodeUnknownEffect(CreateTaskPayload)
const issuesOf = SchemaIssue.makeFormatterStandardSchemaV1()

/** A validation failure as an item error: each issue as `field: message`, `field` naming the first. */
const validationError = (error: Schema.SchemaError): BatchItemError => {
  const issues = issuesOf(error.issue).issues
  const described = issues.map((issue) => {
    const field = (issue.path ?? []).map(String).join(".")
    return field === "" ? issue.message : `${field}: ${issue.message}`
  })
  const first = (issues[0]?.path ?? []).map(String).join(".")
  return { _tag: "ValidationError", message: described.join("; ") || "the task is not valid", ...(first !== "" ? { field: first } : {}) }
}

/** Failures of the server itself keep their detail in the log, as a single task's 500 does. */
const internalTags = new Set(["StoreError", "StorageError", "QueueError", "SandboxError"])

const itemError = (error: { readonly _tag: string; readonly message: string; readonly field?: unknown; readonly limit?: unknown }) =>
  Effect.gen(function* () {
    if (internalTags.has(error._tag)) {
      yield* Effect.logError(`batch item failed: ${error._tag}: ${error.message}`)
      return { _tag: error._tag, message: "the server could not store this task; retry it" } satisfies BatchItemError
    }
    const field = typeof error.field === "string" ? error.field : typeof error.limit === "string" ? error.limit : undefined
    return { _tag: error._tag, message: error.message, ...(field !== undefined ? { field } : {}) } satisfies BatchItemError
  })

/** The ids of `?ids=a,b,c`, refused with a 400 naming `ids` when there are none or too many. */
const parseIds = (raw: string) => {
  const ids = raw
    .split(",")
    .map((id) => id.trim())
    .filter((id) => id !== "")
  if (ids.length === 0) return Effect.fail(new InvalidTask({ field: "ids", message: "ids: name at least one task id" }))
  if (ids.length > maxBatchTasks) {
    return Effect.fail(new InvalidTask({ field: "ids", message: `ids: at most ${maxBatchTasks} task ids, got ${ids.length}` }))
  }
  return Effect.succeed(ids)
}

export const BatchHandlers = (api: Api) =>
  HttpApiBuilder.group(
    api,
    "batches",
    Effect.fn(function* (handlers) {
      const engine = yield* Engine
      const settings = yield* ServerConfig
      const limiter = yield* RateLimiter

      /** The tasks of a batch beyond the one request the guard counted: all of them fit, or none runs. */
      const countRest = Effect.fn("Server.countBatch")(function* (tasks: number) {
        if (tasks <= 1 || !limiter.enabled("submit")) return
        const request = yield* HttpServerRequest.HttpServerRequest
        const decision = yield* limiter.take(rateLimitClient(settings, request), "submit", tasks - 1)
        if (decision.allowed) return
        return yield* new RateLimited({
          message: `a batch of ${tasks} tasks counts as ${tasks} submissions; ${decision.remaining} of ${decision.limit} are left in this ${decision.windowSeconds} s window; retry in ${decision.resetSeconds} s`,
          retry_after_seconds: decision.resetSeconds
        })
      })

      return handlers.handleAll({
        create: Effect.fn("Server.createBatch")(function* ({ payload }) {
          yield* countRest(payload.tasks.length)
          const owner = ownerOf(yield* currentCaller(settings))
          // One after another, in request order: the store keeps the tasks in the order they were sent.
          const tasks = yield* Effect.forEach(payload.tasks, (item) =>
            decodeItem(item, { onExcessProperty: "error" }).pipe(
              Effect.mapError(validationError),
              Effect.flatMap((body) =>
                Effect.gen(function* () {
                  const callbackUrl = yield* checkCallbackRequest(settings, body.callback_url)
                  const task = yield* engine.submit(toTaskRequest(body), [], owner)
                  yield* registerCallback(task, callbackUrl)
                  return task
                }).pipe(Effect.catch((e) => Effect.flatMap(itemError(e), Effect.fail)))
              ),
              Effect.match({
                onSuccess: (task): BatchCreated["tasks"][number] => ({ task_id: task.task_id, status: "accepted" }),
                onFailure: (error): BatchCreated["tasks"][number] => ({ error })
              })
            )
          )
          return { tasks }
        }),
        read: Effect.fn("Server.readBatch")(function* ({ query }) {
          const ids = yield* parseIds(query.ids)
          const caller = yield* currentCaller(settings)
          const tasks = yield* Effect.forEach(ids, (id): Effect.Effect<BatchResults["tasks"][number]> => {
            if (!Schema.is(TaskId)(id)) {
              return Effect.succeed({
                task_id: id,
                error: { _tag: "InvalidTask", field: "ids", message: "is not a task id (the UUID the create call answered)" }
              })
            }
            return visibleTask(engine, caller, id).pipe(
              Effect.map((task): BatchResults["tasks"][number] => {
                if (isFinal(task.state)) return finishedView(task)
                const state = task.state as "PENDING" | "RECEIVED" | "STARTED" | "RETRY"
                return { task_id: task.task_id, status: state, state }
              }),
              Effect.catch((e) => Effect.map(itemError(e), (error) => ({ task_id: id, error })))
            )
          })
          return { tasks }
        })
      })
    })
  )
