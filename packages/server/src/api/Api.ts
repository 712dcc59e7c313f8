import { HttpApi, HttpApiMiddleware, OpenApi } from "effect/http-api"
import { BatchApi } from "./BatchApi.ts"
import { describeAnswers } from "./document.ts"
import { MethodNotAllowed, RouteNotFound } from "./errors.ts"
import { makeFileTasksApi } from "./FileTasksApi.ts"
import { HealthApi, LanguagesApi } from "./SystemApi.ts"
import type { LanguageMaxima } from "./limits.ts"
import { makeTasksApi } from "./TasksApi.ts"

export interface ApiLimits {
  readonly maxFileSize: number
  readonly maxTotalSize: number
  /** The largest `?wait=` (CODEBOX_MAX_WAIT_SECONDS). */
  readonly maxWaitSeconds: number
}

/** A language as the OpenAPI document describes it: its id and the other names it answers to. */
export interface ApiLanguage extends LanguageMaxima {
  readonly aliases: ReadonlyArray<string>
}

/**
 * The CodeBox HTTP API, under /api. The OpenAPI document is derived from these same schemas.
 * Upload limits are part of the multipart schema, so the API is made for the server's settings;
 * the languages it offers (the plugins the server loaded) are named in its description.
 */
export const makeApi = (limits: ApiLimits, languages: ReadonlyArray<ApiLanguage> = []) =>
  HttpApi.make("codebox")
    .add(makeTasksApi(languages))
    .add(makeFileTasksApi(limits, languages))
    .add(BatchApi)
    .add(LanguagesApi)
    .add(HealthApi)
    .prefix("/api")
    .middleware(HttpApiMiddleware.ProblemDetails)
    // An unknown key is refused (400 naming it), never ignored: `limits: {"timeout": 5}` would
    // otherwise run with the default limits.
    .annotate(HttpApi.PayloadParseOptions, { onExcessProperty: "error" })
    // What any path answers for a method it does not have, or a path no endpoint has.
    .annotate(HttpApi.AdditionalSchemas, [RouteNotFound, MethodNotAllowed])
    .annotateMerge(
      OpenApi.annotations({
        title: "CodeBox",
        version: "0.2.0",
        description: `Runs untrusted code in sandboxes. Languages (\`programming_language\`, case-insensitive): ${describeLanguages(languages)} ${errorsInWords}`,
        transform: describeAnswers(limits)
      })
    )

export type Api = ReturnType<typeof makeApi>

const describeLanguages = (languages: ReadonlyArray<ApiLanguage>) =>
  languages.length === 0
    ? "see GET /api/languages."
    : `${languages.map((l) => (l.aliases.length > 0 ? `${l.id} (also ${l.aliases.join(", ")})` : l.id)).join("; ")}.`

const errorsInWords =
  "Every error is an RFC 9457 problem (application/problem+json) with CodeBox's members (`_tag`, `message`, ...). " +
  "A path no endpoint has answers 404 (components.responses.NotFound); a method a path does not list answers 405 " +
  "with `Allow` (components.responses.MethodNotAllowed)."
