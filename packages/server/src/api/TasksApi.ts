import { InvalidTask, LimitOutOfRange, PlaceholderError, StorageError, StoreError, TaskNotFound, UnsupportedLanguage } from "@codebox/core"
import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { ApiKeyAuth } from "./ApiKeyAuth.ts"
import type { LanguageMaxima } from "./limits.ts"
import { guardErrors, UnsupportedMediaType } from "./errors.ts"
import { createTaskPayload, TaskAccepted, TaskCancelled, TaskFinished, TaskIdParams, TaskInProgress, WaitQuery } from "./wire.ts"

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
