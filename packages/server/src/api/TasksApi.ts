import { InvalidTask, LimitOutOfRange, PlaceholderError, StorageError, StoreError, TaskNotFound, UnsupportedLanguage } from "@codebox/core"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { ApiKeyAuth } from "./ApiKeyAuth.ts"
import type { LanguageMaxima } from "./limits.ts"
import { guardErrors, UnsupportedMediaType } from "./errors.ts"
import {
  createTaskPayload,
  TaskAccepted,
  TaskCancelled,
  TaskFinished,
  TaskIdParams,
  TaskEventStream,
  TaskInProgress,
  WaitQuery
} from "./wire.ts"

export const submitErrors = [InvalidTask, UnsupportedLanguage, LimitOutOfRange, PlaceholderError, StorageError, StoreError] as const

/** The task endpoints; the request's limits are documented with the server's languages. */
export const makeTasksApi = (languages: ReadonlyArray<LanguageMaxima>) =>
  HttpApiGroup.make("tasks")
    .add(
      HttpApiEndpoint.post("create", "/tasks/create", {
        payload: createTaskPayload(languages),
        query: WaitQuery,
        success: [TaskFinished, TaskAccepted],
        error: [...submitErrors, TaskNotFound, UnsupportedMediaType, ...guardErrors]
      }).annotateMerge(
        OpenApi.annotations({
          summary: "Submit source code to run",
          description: "202 with the task id; with ?wait=SECONDS, 200 with the result if it is ready within that time."
        })
      ),
      HttpApiEndpoint.get("result", "/tasks/:task_id/task_result", {
        params: TaskIdParams,
        query: WaitQuery,
        success: [TaskFinished, TaskInProgress],
        error: [TaskNotFound, InvalidTask, StoreError, ...guardErrors]
      }).annotateMerge(
        OpenApi.annotations({
          summary: "The result of a task",
          description: "200 with the result once finished; 202 {status, state} while PENDING, RECEIVED, STARTED or RETRY."
        })
      ),
      HttpApiEndpoint.get("events", "/tasks/:task_id/events", {
        params: TaskIdParams,
        success: TaskEventStream,
        error: [TaskNotFound, StoreError, ...guardErrors]
      }).annotateMerge(
        OpenApi.annotations({
          summary: "Follow a task live (server-sent events)",
          description:
            "text/event-stream. Events: `state` {state} (the current state first, then each change), `stdout` and " +
            "`stderr` {offset, text, base64} (chunks as the program writes them, within the output caps; base64 holds " +
            "the exact bytes when they are not valid UTF-8, else null), then `result` (the task_result body) and the " +
            "end. Each event's id is `<stdout bytes>.<stderr bytes>` sent so far: reconnecting with Last-Event-ID " +
            "resumes without repeating a byte. A finished task answers its state and result at once."
        })
      ),
      HttpApiEndpoint.delete("cancel", "/tasks/:task_id", {
        params: TaskIdParams,
        success: TaskCancelled,
        error: [TaskNotFound, StoreError, ...guardErrors]
      }).annotateMerge(
        OpenApi.annotations({
          summary: "Cancel a queued or running task",
          description: "The task becomes REVOKED and its processes are killed; a finished task is left as it is."
        })
      )
    )
    .middleware(ApiKeyAuth)
    .annotateMerge(OpenApi.annotations({ title: "Tasks", description: "Run source code and read its result" }))
