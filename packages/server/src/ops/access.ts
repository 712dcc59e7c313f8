import { Effect } from "effect"
import { HttpServerRequest, HttpServerResponse } from "effect/http"
import { ServerConfig } from "../config.ts"
import { acceptedKeys, isKnownKey, presentedKey } from "../http/ApiKeyAuthLive.ts"
import { callerFor, keysOn } from "../http/tenancy.ts"

/**
 * The key of an operations request: the API's own headers (`X-API-Key`, `Authorization: Bearer`),
 * or HTTP Basic with the key as the password, which is what a browser can send for a page it
 * navigates to (it asks once and then sends it with every request of the page).
 */
export const opsKey = (headers: Readonly<Record<string, string | undefined>>): string | undefined => {
  const key = presentedKey(headers)
  if (key !== undefined) return key
  const basic = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headers.authorization ?? "")
  if (basic === null) return undefined
  const decoded = Buffer.from(basic[1]!, "base64").toString("utf8")
  const colon = decoded.indexOf(":")
  const password = colon < 0 ? decoded : decoded.slice(colon + 1)
  return password.length > 0 ? password : undefined
}

const problem = (status: 401 | 403, message: string, challenge: boolean) =>
  HttpServerResponse.jsonUnsafe(
    { _tag: status === 401 ? "Unauthorized" : "Forbidden", message },
    { status, headers: challenge ? { "www-authenticate": 'Basic realm="CodeBox", charset="UTF-8"' } : {} }
  )

/** The caller of an operations request (the dashboard shows a key only its own tasks). */
export const opsCaller = Effect.gen(function* () {
  const settings = yield* ServerConfig
  const request = yield* HttpServerRequest.HttpServerRequest
  return callerFor(settings, opsKey(request.headers))
})

/**
 * Runs the handler only for a known key when the server has keys (CODEBOX_API_KEYS), like the API:
 * 401 without a key (with a Basic challenge so a browser asks for it), 403 with a wrong one.
 */
export const requireKey = <E, R>(handler: Effect.Effect<HttpServerResponse.HttpServerResponse, E, R>) =>
  Effect.gen(function* () {
    const settings = yield* ServerConfig
    if (!keysOn(settings)) return yield* handler
    const request = yield* HttpServerRequest.HttpServerRequest
    const key = opsKey(request.headers)
    if (key === undefined) {
      return problem(401, "an API key is required: X-API-Key, Authorization: Bearer, or Basic with the key as password", true)
    }
    // A wrong key from a browser gets the challenge again, so the user can retype it.
    if (!isKnownKey(acceptedKeys(settings), key))
      return problem(403, "the API key is not valid", /^Basic\s/i.test(request.headers.authorization ?? ""))
    return yield* handler
  })
