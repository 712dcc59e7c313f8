import { HttpApi, HttpApiMiddleware, OpenApi } from "effect/http-api"
import { makeFileTasksApi } from "./FileTasksApi.ts"
import { HealthApi, LanguagesApi } from "./SystemApi.ts"
import { TasksApi } from "./TasksApi.ts"

export interface ApiLimits {
  readonly maxFileSize: number
  readonly maxTotalSize: number
}

/**
 * The CodeBox HTTP API, under /api. The OpenAPI document is derived from these same schemas.
 * Upload limits are part of the multipart schema, so the API is made for the server's settings.
 */
export const makeApi = (limits: ApiLimits) =>
  HttpApi.make("codebox")
    .add(TasksApi)
    .add(makeFileTasksApi(limits))
    .add(LanguagesApi)
    .add(HealthApi)
    .prefix("/api")
    .middleware(HttpApiMiddleware.ProblemDetails)
    .annotateMerge(
      OpenApi.annotations({
        title: "CodeBox",
        version: "0.1.0",
        description: "Runs untrusted python, c, javascript and php in sandboxes."
      })
    )

export type Api = ReturnType<typeof makeApi>
