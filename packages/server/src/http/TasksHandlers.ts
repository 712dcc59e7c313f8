import { Engine, isFinal, TaskEvents, type TaskRequest, TaskStore } from "@codebox/core"
import { Effect } from "effect"
import { HttpServerRequest } from "effect/http"
import { HttpApiBuilder } from "effect/http-api"
import type { Api } from "../api/Api.ts"
import type { CreateTaskPayload } from "../api/wire.ts"
import { ServerConfig } from "../config.ts"
import { checkCallbackRequest, registerCallback, withCallback } from "./callbacks.ts"
import { eventStreamResponse, resumePointOf } from "./eventStream.ts"
import { finishedView, taskView } from "./present.ts"
import { currentCaller, ownerOf, visibleTask } from "./tenancy.ts"
import { awaitUpTo, waitSeconds } from "./waiting.ts"

/** The wire request as the engine's: `programming_language` is `language`, the rest maps 1:1. */
export const toTaskRequest = (payload: CreateTaskPayload): TaskRequest => ({
  language: payload.programming_language.trim().toLowerCase(),
  source_code: payload.source_code,
  ...(payload.stdin != null ? { stdin: payload.stdin } : {}),
  ...(payload.args != null ? { args: payload.args } : {}),
  ...(payload.limits != null ? { limits: payload.limits } : {}),
  ...(payload.tests != null ? { tests: payload.tests } : {}),
  ...(payload.compare != null ? { compare: payload.compare } : {}),
  ...(payload.float_tolerance != null ? { float_tolerance: payload.float_tolerance } : {}),
  ...(payload.stop_on_first_failure != null ? { stop_on_first_failure: payload.stop_on_first_failure } : {})
})

export const TasksHandlers = (api: Api) =>
  HttpApiBuilder.group(
    api,
    "tasks",
    Effect.fn(function* (handlers) {
      const engine = yield* Engine
      const store = yield* TaskStore
      const events = yield* TaskEvents
      const settings = yield* ServerConfig

      return handlers.handleAll({
        create: Effect.fn("Server.createTask")(function* ({ payload, query }) {
          const seconds = yield* waitSeconds(settings, query.wait)
          const caller = yield* currentCaller(settings)
          const callbackUrl = yield* checkCallbackRequest(settings, payload.callback_url)
          const submitted = yield* engine.submit(toTaskRequest(payload), [], ownerOf(caller))
          yield* registerCallback(submitted, callbackUrl)
          const task = yield* awaitUpTo(engine, submitted, seconds)
          if (isFinal(task.state)) return yield* withCallback(finishedView(task), task)
          return { task_id: task.task_id, status: "accepted" as const }
        }),
        result: Effect.fn("Server.taskResult")(function* ({ params, query }) {
          const seconds = yield* waitSeconds(settings, query.wait)
          const caller = yield* currentCaller(settings)
          const task = yield* awaitUpTo(engine, yield* visibleTask(engine, caller, params.task_id), seconds)
          return yield* withCallback(taskView(task), task)
        }),
        events: Effect.fn("Server.taskEvents")(function* ({ params }) {
          const task = yield* visibleTask(engine, yield* currentCaller(settings), params.task_id)
          const request = yield* HttpServerRequest.HttpServerRequest
          return eventStreamResponse({ store, events }, task, resumePointOf(request.headers["last-event-id"]))
        }),
        cancel: Effect.fn("Server.cancelTask")(function* ({ params }) {
          yield* visibleTask(engine, yield* currentCaller(settings), params.task_id)
          const task = yield* engine.cancel(params.task_id)
          return { task_id: task.task_id, status: task.state }
        })
      })
    })
  )
