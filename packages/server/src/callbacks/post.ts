import * as http from "node:http"
import * as https from "node:https"
import type * as net from "node:net"
import { type CallbackAllowList, checkCallbackUrl, type Lookup, resolveCallbackHost, systemLookup } from "./callbackAddress.ts"

/** How one POST went: a status (any), or no answer and why. */
export type PostOutcome = { readonly status: number } | { readonly error: string }

export interface PostOptions {
  readonly allow: CallbackAllowList
  readonly timeoutMs: number
  readonly headers: Readonly<Record<string, string>>
  readonly lookup?: Lookup
}

/**
 * POSTs a callback body, checking the address again first (DNS may have changed since the task was
 * created) and connecting to exactly the address that was checked, so a second resolution cannot
 * swap in an internal one (DNS rebinding). Redirects are answers like any other: never followed.
 */
export const postCallback = async (rawUrl: string, body: string, options: PostOptions): Promise<PostOutcome> => {
  const checked = checkCallbackUrl(rawUrl, options.allow)
  if ("refused" in checked) return { error: `refused: ${checked.refused}` }
  const resolved = await resolveCallbackHost(checked.url, options.allow, options.lookup ?? systemLookup)
  if ("refused" in resolved) return { error: `refused: ${resolved.refused}` }
  const pinned = resolved.addresses[0]!
  const lookup: net.LookupFunction = (_host, lookupOptions, callback) => {
    if ((lookupOptions as { all?: boolean }).all === true) {
      ;(callback as unknown as (e: null, a: ReadonlyArray<{ address: string; family: number }>) => void)(null, [pinned])
    } else callback(null, pinned.address, pinned.family)
  }
  const client = checked.url.protocol === "https:" ? https : http
  return await new Promise<PostOutcome>((resolve) => {
    const request = client.request(
      checked.url,
      {
        method: "POST",
        lookup,
        timeout: options.timeoutMs,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), ...options.headers }
      },
      (response) => {
        // The answer's body is not read beyond what arrives: a receiver cannot keep us busy.
        response.resume()
        resolve({ status: response.statusCode ?? 0 })
        response.destroy()
      }
    )
    // `timeout` above is per silence on the socket; this bounds the whole attempt, so a receiver
    // that trickles bytes cannot hold a delivery slot past the limit either.
    const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`)), options.timeoutMs)
    request.on("timeout", () => request.destroy(new Error(`no answer within ${options.timeoutMs / 1000} s`)))
    request.on("error", (error) => resolve({ error: error.message }))
    request.on("close", () => clearTimeout(deadline))
    request.end(body)
  })
}
