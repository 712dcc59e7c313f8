import { timingSafeEqual } from "node:crypto"
import { Effect, Layer, Redacted } from "effect"
import { HttpServerRequest } from "effect/http"
import { ApiKeyAuth } from "../api/ApiKeyAuth.ts"
import { Forbidden, Unauthorized } from "../api/errors.ts"
import { ServerConfig } from "../config.ts"

/** The key a request carries: `X-API-Key`, else `Authorization: Bearer <key>`. */
export const presentedKey = (headers: Readonly<Record<string, string | undefined>>): string | undefined => {
  const header = headers["x-api-key"]?.trim()
  if (header !== undefined && header.length > 0) return header
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "")
  return bearer?.[1]
}

const sameKey = (a: string, b: string) => {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** True when `key` is one of the configured keys (compared in constant time). */
export const isKnownKey = (keys: ReadonlyArray<Redacted.Redacted<string>>, key: string | undefined): boolean =>
  key !== undefined && keys.some((k) => sameKey(Redacted.value(k), key))

/** Keys off (none configured): every request passes. Keys on: 401 without a key, 403 with a wrong one. */
export const ApiKeyAuthLive = Layer.effect(
  ApiKeyAuth,
  Effect.gen(function* () {
    const { apiKeys } = yield* ServerConfig
    return ApiKeyAuth.of({
      apiKey: (httpEffect) =>
        Effect.gen(function* () {
          if (apiKeys.length === 0) return yield* httpEffect
          const request = yield* HttpServerRequest.HttpServerRequest
          const key = presentedKey(request.headers)
          if (key === undefined) {
            return yield* new Unauthorized({ message: "an API key is required: send it as X-API-Key or Authorization: Bearer" })
          }
          if (!isKnownKey(apiKeys, key)) return yield* new Forbidden({ message: "the API key is not valid" })
          return yield* httpEffect
        })
    })
  })
)
