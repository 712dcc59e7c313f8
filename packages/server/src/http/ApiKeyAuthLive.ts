import { Effect, Layer, type Redacted } from "effect"
import { HttpServerRequest } from "effect/http"
import { ApiKeyAuth } from "../api/ApiKeyAuth.ts"
import { Forbidden, Unauthorized } from "../api/errors.ts"
import { ServerConfig, type ServerSettings } from "../config.ts"
import { keyMatches } from "./keys.ts"
import { keysOn, presentedKey } from "./tenancy.ts"

export { presentedKey } from "./tenancy.ts"

/** Every key the server accepts: the tenants' (CODEBOX_API_KEYS) and the admins' (CODEBOX_ADMIN_KEYS). */
export const acceptedKeys = (settings: ServerSettings): ReadonlyArray<Redacted.Redacted<string>> => [
  ...settings.apiKeys,
  ...settings.adminKeys
]

/** True when `key` is one of the configured keys (compared in constant time, plain or hashed). */
export const isKnownKey = (keys: ReadonlyArray<Redacted.Redacted<string>>, key: string | undefined): boolean => keyMatches(keys, key)

/**
 * Keys off (none configured): every request passes. Keys on: 401 without a key, 403 with a wrong one.
 * Both declared schemes run the same check on whichever header carries the key (see presentedKey).
 */
export const ApiKeyAuthLive = Layer.effect(
  ApiKeyAuth,
  Effect.gen(function* () {
    const settings = yield* ServerConfig
    const keys = acceptedKeys(settings)
    const check = <A, E, R>(httpEffect: Effect.Effect<A, E, R>) =>
      Effect.gen(function* () {
        if (!keysOn(settings)) return yield* httpEffect
        const request = yield* HttpServerRequest.HttpServerRequest
        const key = presentedKey(request.headers)
        if (key === undefined) {
          return yield* new Unauthorized({ message: "an API key is required: send it as X-API-Key or Authorization: Bearer" })
        }
        if (!isKnownKey(keys, key)) return yield* new Forbidden({ message: "the API key is not valid" })
        return yield* httpEffect
      })
    return ApiKeyAuth.of({ apiKey: check, bearer: check })
  })
)
