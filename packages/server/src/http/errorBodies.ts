import { describeLimitOutOfRange } from "@codebox/core"
import { Effect } from "effect"
import type { HttpServerResponse } from "effect/http"
import { internalFailure, nearestName, type ProblemMembers, problemContentType, problemResponse, statusTitle } from "./problem.ts"

/** A route the server answers, for telling "no such path" (404) from "not with this method" (405). */
export interface KnownRoute {
  readonly method: string
  readonly path: string
}

const routePattern = (path: string) => new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/\\?:[A-Za-z_]+/g, "[^/]+")}$`)

/** The methods a path answers to (empty when no route has this path). */
export const allowedMethods = (routes: ReadonlyArray<KnownRoute>) => {
  const compiled = routes.map((r) => ({ method: r.method.toUpperCase(), pattern: routePattern(r.path) }))
  return (path: string): ReadonlyArray<string> => [...new Set(compiled.filter((r) => r.pattern.test(path)).map((r) => r.method))]
}

interface ValidationIssue {
  readonly path?: ReadonlyArray<unknown>
  readonly message?: string
}

/** Where the schema found the problem, as the client named it: `limits.wall_time_ms`, `source_code`. */
const fieldOf = (issue: ValidationIssue) => {
  const path = (issue.path ?? []).map(String)
  return (["payload", "params", "query", "headers"].includes(path[0] ?? "") ? path.slice(1) : path).join(".")
}

/**
 * The validation problem made readable: one sentence per issue, with "did you mean" for a key that
 * is a near miss of a known one, and `field` naming the first.
 */
const describeValidation = (issues: ReadonlyArray<ValidationIssue>, knownNames: ReadonlyArray<string>): ProblemMembers => {
  const sentences = issues.map((issue) => {
    const field = fieldOf(issue)
    const message = issue.message ?? "is not valid"
    if (/excess property|unexpected key/i.test(message)) {
      const key = field.split(".").at(-1) ?? field
      const suggestion = nearestName(key, knownNames)
      return `unknown key "${field}"${suggestion === undefined ? "" : ` (did you mean "${suggestion}"?)`}`
    }
    return field === "" ? message : `${field}: ${message}`
  })
  const first = issues[0]
  return {
    _tag: "ValidationError",
    message: sentences.length === 0 ? "the request is not valid" : sentences.join("; "),
    ...(first !== undefined && fieldOf(first) !== "" ? { field: fieldOf(first) } : {}),
    // As the validation answered before: clients that read `errors[].path` keep working.
    errors: issues
  }
}

/** A message for errors whose class computes it instead of carrying it. */
const messageOf = (body: Record<string, unknown>): string => {
  if (typeof body.message === "string") return body.message
  if (body._tag === "LimitOutOfRange") return describeLimitOutOfRange(body as Parameters<typeof describeLimitOutOfRange>[0])
  if (typeof body.detail === "string") return body.detail
  return statusTitle(typeof body.status === "number" ? body.status : 500)
}

const readJson = (response: HttpServerResponse.HttpServerResponse): Record<string, unknown> | undefined => {
  if (response.body._tag !== "Uint8Array") return undefined
  try {
    const parsed: unknown = JSON.parse(new TextDecoder().decode(response.body.body))
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined
  } catch {
    return undefined
  }
}

const readText = (response: HttpServerResponse.HttpServerResponse) =>
  response.body._tag === "Uint8Array" ? new TextDecoder().decode(response.body.body).slice(0, 200) : ""

/**
 * Any error response as a problem. 404s for a path that exists with another method become 405
 * with `Allow`; 500s lose their internal message and cause (which are logged instead); error
 * bodies made by the router or the body parsers (empty, or text) get the same shape as the API's.
 */
export const asProblem = (
  response: HttpServerResponse.HttpServerResponse,
  request: { readonly method: string; readonly path: string },
  options: { readonly allowed: (path: string) => ReadonlyArray<string>; readonly knownNames: ReadonlyArray<string> }
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const status = response.status
    if (status < 400) return response
    const headers: Record<string, string> = { ...response.headers }
    delete headers["content-type"]
    delete headers["content-length"]
    const body = readJson(response)
    // Readiness keeps its documented body (`status: "unavailable"`, `failing`, `checks`) for probes.
    if (status === 503 && body?._tag === "NotReady") return response

    if (status === 404 && body === undefined) {
      const allow = options.allowed(request.path)
      if (allow.length > 0 && !allow.includes(request.method.toUpperCase())) {
        return problemResponse(
          405,
          { _tag: "MethodNotAllowed", message: `${request.method} is not allowed on ${request.path}; use ${allow.join(" or ")}` },
          { ...headers, allow: allow.join(", ") }
        )
      }
      return problemResponse(404, { _tag: "NotFound", message: `no endpoint at ${request.path}` }, headers)
    }
    if (status >= 500) {
      yield* Effect.logError(`answered ${status} to ${request.method} ${request.path}`, body ?? readText(response))
      return problemResponse(500, internalFailure(typeof body?._tag === "string" ? body._tag : undefined), headers)
    }
    if (body === undefined) {
      const text = readText(response)
      const members: ProblemMembers =
        status === 415
          ? { _tag: "UnsupportedMediaType", message: `${text || "unsupported content type"}; send application/json or multipart/form-data` }
          : { _tag: "HttpError", message: text || statusTitle(status) }
      return problemResponse(status, members, headers)
    }
    if (Array.isArray(body.errors) && body._tag === undefined) {
      return problemResponse(status, describeValidation(body.errors as ReadonlyArray<ValidationIssue>, options.knownNames), headers)
    }
    if (response.body._tag === "Uint8Array" && response.body.contentType === problemContentType && typeof body.detail === "string") {
      return response
    }
    const tag = typeof body._tag === "string" ? body._tag : "HttpError"
    return problemResponse(status, { ...body, _tag: tag, message: messageOf(body) }, headers)
  })
