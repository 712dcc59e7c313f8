import { ByteSize, Cause, Effect, Option, Schema } from "effect"
import { HttpIncomingMessage, HttpRouter, HttpServerError, HttpServerRequest, HttpServerResponse } from "effect/http"
import { PayloadTooLarge, RateLimited } from "../api/errors.ts"
import type { unhandled } from "effect/Types"
import { ServerConfig } from "../config.ts"
import { isKnownKey, presentedKey } from "./ApiKeyAuthLive.ts"
import { recordRateLimited } from "../ops/rateLimitMetric.ts"
import { type RateDecision, RateLimiter } from "./RateLimiter.ts"

const encodeRateLimited = Schema.encodeSync(RateLimited)
const encodeTooLarge = Schema.encodeSync(PayloadTooLarge)

const rateLimitHeaders = (d: RateDecision): Record<string, string> => ({
  "ratelimit-limit": String(d.limit),
  "ratelimit-remaining": String(d.remaining),
  "ratelimit-reset": String(d.resetSeconds),
  "ratelimit-policy": `${d.limit};w=${d.windowSeconds}`
})

/** Probes, the OpenAPI document and the docs page are not counted; the API is. */
const isCounted = (path: string) =>
  path.startsWith("/api/") && !path.startsWith("/api/health") && path !== "/api/openapi.json" && path !== "/api/docs"

const statusTitle = (status: number) =>
  status === 404 ? "no such endpoint" : status === 405 ? "method not allowed" : status >= 500 ? "internal server error" : `HTTP ${status}`

/**
 * Runs before every route: the rate limit (429 with Retry-After, RateLimit headers otherwise),
 * request size limits (413), and a JSON body for every error response, including the ones the
 * router and body parsers make without one.
 */
export const RequestGuard = HttpRouter.middleware(
  Effect.gen(function* () {
    const settings = yield* ServerConfig
    const limiter = yield* RateLimiter
    const maxJsonBody = ByteSize.bytes(settings.maxJsonBodyBytes)

    const tooLarge = (limit: number, what = "the request") =>
      HttpServerResponse.jsonUnsafe(
        encodeTooLarge(new PayloadTooLarge({ message: `${what} is larger than the ${limit} bytes allowed`, limit_bytes: limit })),
        { status: 413, headers: { connection: "close" } }
      )

    /** A known API key is its own client; anything else is counted by address. */
    const clientKey = (request: HttpServerRequest.HttpServerRequest) => {
      const key = presentedKey(request.headers)
      if (isKnownKey(settings.apiKeys, key)) return `key:${key}`
      return `ip:${Option.getOrElse(request.remoteAddress, () => "unknown")}`
    }

    const withJsonBody = (response: HttpServerResponse.HttpServerResponse, isMultipart: boolean) => {
      if (response.status < 400 || response.body._tag !== "Empty") return response
      if (response.status === 413) {
        // Made by the multipart parser: one file, or the whole form, is over its limit.
        return isMultipart
          ? tooLarge(settings.maxUploadFileBytes, `an uploaded file (or the whole form, limit ${settings.maxUploadTotalBytes} bytes)`)
          : tooLarge(settings.maxJsonBodyBytes)
      }
      return HttpServerResponse.jsonUnsafe(
        { _tag: "HttpError", message: statusTitle(response.status) },
        { status: response.status, headers: response.headers }
      )
    }

    // Every failure becomes a response here, the way the server would make it, so the widened
    // error type (`unhandled`) only satisfies the router's check that nothing is swallowed by type.
    return (httpEffect): Effect.Effect<HttpServerResponse.HttpServerResponse, unhandled, HttpServerRequest.HttpServerRequest> =>
      Effect.gen(function* () {
        const request = yield* HttpServerRequest.HttpServerRequest
        const path = request.url.split("?")[0] ?? ""
        const isMultipart = (request.headers["content-type"] ?? "").toLowerCase().startsWith("multipart/form-data")

        let decision: RateDecision | undefined
        if (limiter.enabled && isCounted(path)) {
          decision = yield* limiter.take(clientKey(request))
          if (!decision.allowed) {
            yield* recordRateLimited(path)
            return HttpServerResponse.jsonUnsafe(
              encodeRateLimited(
                new RateLimited({
                  message: `rate limit of ${decision.limit} requests per ${decision.windowSeconds} s reached; retry in ${decision.resetSeconds} s`,
                  retry_after_seconds: decision.resetSeconds
                })
              ),
              { status: 429, headers: { ...rateLimitHeaders(decision), "retry-after": String(decision.resetSeconds) } }
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
        const complete = withJsonBody(response, isMultipart)
        return decision === undefined ? complete : HttpServerResponse.setHeaders(complete, rateLimitHeaders(decision))
      })
  }),
  { global: true }
)
