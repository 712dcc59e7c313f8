import { ByteSize, Cause, Effect, Option, Schema } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerError, HttpServerRequest, HttpServerResponse } from "effect/http"
import { PayloadTooLarge, RateLimited } from "../api/errors.ts"
import type { unhandled } from "effect/Types"
import { ServerConfig, type ServerSettings } from "../config.ts"
import { acceptedKeys, isKnownKey, presentedKey } from "./ApiKeyAuthLive.ts"
import { tenantOf } from "./keys.ts"
import { recordRateLimited } from "../ops/rateLimitMetric.ts"
import { allowedMethods, asProblem, type KnownRoute } from "./errorBodies.ts"
import { problemResponse } from "./problem.ts"
import { type Budget, type RateDecision, RateLimiter } from "./RateLimiter.ts"

const encodeRateLimited = Schema.encodeSync(RateLimited)
const encodeTooLarge = Schema.encodeSync(PayloadTooLarge)

const rateLimitHeaders = (d: RateDecision): Record<string, string> => ({
  "ratelimit-limit": String(d.limit),
  "ratelimit-remaining": String(d.remaining),
  "ratelimit-reset": String(d.resetSeconds),
  "ratelimit-policy": `${d.limit};w=${d.windowSeconds}`
})

/** Probes, the OpenAPI document and the docs page are not counted; the API is. */
/**
 * Creating tasks is submitting; everything else under /api/ is reading. A batch is counted once
 * here and for the rest of its tasks by its handler, once its body is read (BatchHandlers.ts).
 */
const budgetOf = (method: string, path: string): Budget =>
  method === "POST" && (path.endsWith("/create") || path === batchPath) ? "submit" : "read"

export const batchPath = "/api/tasks/batch"

/** The client a request is counted for: a known API key is its own client; anything else counts by address. */
export const rateLimitClient = (settings: ServerSettings, request: HttpServerRequest.HttpServerRequest) => {
  const key = presentedKey(request.headers)
  if (isKnownKey(acceptedKeys(settings), key)) return `key:${tenantOf(key!)}`
  return `ip:${Option.getOrElse(request.remoteAddress, () => "unknown")}`
}

const isCounted = (path: string) =>
  path.startsWith("/api/") && !path.startsWith("/api/health") && path !== "/api/openapi.json" && path !== "/api/docs"

export interface RequestGuardOptions {
  /** Every route the server has, so a wrong method is told apart from a wrong path. */
  readonly routes: ReadonlyArray<KnownRoute>
  /** Every key a request body may have, for "did you mean" on unknown ones. */
  readonly knownNames: ReadonlyArray<string>
}

/**
 * Runs before every route: the rate limit (429 with Retry-After, RateLimit headers otherwise),
 * request size limits (413), and one error format (a problem+json body) for every error response,
 * including the ones the router and body parsers make.
 */
export const requestGuard = (options: RequestGuardOptions) =>
  HttpRouter.middleware(
    Effect.gen(function* () {
      const settings = yield* ServerConfig
      const limiter = yield* RateLimiter
      const maxJsonBody = ByteSize.bytes(settings.maxJsonBodyBytes)
      const allowed = allowedMethods(options.routes)

      const tooLarge = (limit: number, what = "the request") =>
        problemResponse(
          413,
          encodeTooLarge(new PayloadTooLarge({ message: `${what} is larger than the ${limit} bytes allowed`, limit_bytes: limit })),
          { connection: "close" }
        )

      const clientKey = (request: HttpServerRequest.HttpServerRequest) => rateLimitClient(settings, request)

      const withProblemBody = (
        response: HttpServerResponse.HttpServerResponse,
        request: HttpServerRequest.HttpServerRequest,
        path: string
      ) => {
        if (response.status === 413 && response.body._tag === "Empty") {
          // Made by the multipart parser: one file, or the whole form, is over its limit.
          return Effect.succeed(
            request.headers["content-type"]?.toLowerCase().startsWith("multipart/form-data")
              ? tooLarge(settings.maxUploadFileBytes, `an uploaded file (or the whole form, limit ${settings.maxUploadTotalBytes} bytes)`)
              : tooLarge(settings.maxJsonBodyBytes)
          )
        }
        return asProblem(response, { method: request.method, path }, { allowed, knownNames: options.knownNames })
      }

      // Every failure becomes a response here, the way the server would make it, so the widened
      // error type (`unhandled`) only satisfies the router's check that nothing is swallowed by type.
      return (httpEffect): Effect.Effect<HttpServerResponse.HttpServerResponse, unhandled, HttpServerRequest.HttpServerRequest> =>
        Effect.gen(function* () {
          const request = yield* HttpServerRequest.HttpServerRequest
          const path = request.url.split("?")[0] ?? ""
          const isMultipart = (request.headers["content-type"] ?? "").toLowerCase().startsWith("multipart/form-data")

          let decision: RateDecision | undefined
          const budget = budgetOf(request.method, path)
          if (limiter.enabled(budget) && isCounted(path)) {
            decision = yield* limiter.take(clientKey(request), budget)
            if (!decision.allowed) {
              yield* recordRateLimited(path)
              return problemResponse(
                429,
                encodeRateLimited(
                  new RateLimited({
                    message: `rate limit of ${decision.limit} ${decision.budget === "submit" ? "submissions" : "reads"} per ${decision.windowSeconds} s reached; retry in ${decision.resetSeconds} s`,
                    retry_after_seconds: decision.resetSeconds
                  })
                ),
                { ...rateLimitHeaders(decision), "retry-after": String(decision.resetSeconds) }
              )
            }
          }

          const limit = isMultipart ? settings.maxUploadTotalBytes : settings.maxJsonBodyBytes
          const length = Number(request.headers["content-length"] ?? "0")
          if (Number.isFinite(length) && length > limit) return tooLarge(limit)

          const response = yield* httpEffect.pipe(
            // Bodies sent without a length are cut at the same limit as they are read.
            isMultipart ? (e) => e : Effect.provideService(HttpIncomingMessage.MaxBodySize, maxJsonBody),
            Effect.catchCause((cause) =>
              Effect.gen(function* () {
                const [response] = yield* HttpServerError.causeResponse(cause)
                if (response.status >= 500) yield* Effect.logError("request failed", Cause.pretty(cause))
                return response
              })
            )
          )
          const complete = yield* withProblemBody(response, request, path)
          return decision === undefined ? complete : HttpServerResponse.setHeaders(complete, rateLimitHeaders(decision))
        })
    }),
    { global: true }
  )
