import { Schema } from "effect"
import { CliError, exitCodes } from "./CliError.ts"

export interface ClientSettings {
  /** CODEBOX_URL, e.g. http://localhost:8000 */
  readonly baseUrl: string
  /** CODEBOX_API_KEY, sent as X-API-Key. */
  readonly apiKey: string | undefined
}

/** What the CLI reads of an error answer (RFC 9457 problem with CodeBox's members). */
const Problem = Schema.Struct({
  message: Schema.optionalKey(Schema.String),
  detail: Schema.optionalKey(Schema.String),
  field: Schema.optionalKey(Schema.String),
  retry_after_seconds: Schema.optionalKey(Schema.Number)
})
const decodeProblem = Schema.decodeUnknownOption(Schema.fromJsonString(Problem))

/** The cause's code (ECONNREFUSED, ENOTFOUND...) when fetch failed below HTTP. */
const networkReason = (error: unknown) => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause
  return cause?.code ?? cause?.message ?? String(error)
}

/** A non-2xx answer as the CLI's error, with the server's own reason. */
const answerError = async (response: Response, what: string): Promise<CliError> => {
  const text = await response.text().catch(() => "")
  const problem = decodeProblem(text)
  const reason = problem._tag === "Some" ? (problem.value.message ?? problem.value.detail ?? text) : text.slice(0, 500)
  switch (response.status) {
    case 400:
    case 413:
    case 415:
    case 422:
      return new CliError({ message: `${what}: refused (${response.status}): ${reason}`, exitCode: exitCodes.usage })
    case 401:
    case 403:
      return new CliError({
        message: `${what}: not allowed (${response.status}): ${reason}; set CODEBOX_API_KEY to a key this server accepts`,
        exitCode: exitCodes.unauthorized
      })
    case 404:
      return new CliError({ message: `${what}: not found: ${reason}`, exitCode: exitCodes.notFound })
    case 429: {
      const wait =
        (problem._tag === "Some" ? problem.value.retry_after_seconds : undefined) ??
        Number(response.headers.get("retry-after") ?? Number.NaN)
      const when = Number.isFinite(wait) ? `retry in ${wait} s` : "retry later"
      return new CliError({ message: `${what}: rate limited (429): ${reason}; ${when}`, exitCode: exitCodes.rateLimited })
    }
    default:
      return new CliError({ message: `${what}: the server failed (${response.status}): ${reason}`, exitCode: exitCodes.server })
  }
}

/** The HTTP side of the CLI: every answer that is not 2xx becomes a CliError with its exit code. */
export const makeClient = (settings: ClientSettings) => {
  const base = settings.baseUrl.replace(/\/+$/, "")
  const send = async (what: string, path: string, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers)
    if (settings.apiKey !== undefined && settings.apiKey !== "") headers.set("x-api-key", settings.apiKey)
    let response: Response
    try {
      response = await fetch(`${base}${path}`, { ...init, headers })
    } catch (error) {
      throw new CliError({
        message: `cannot reach CodeBox at ${base} (${networkReason(error)}); is the server running? (CODEBOX_URL)`,
        exitCode: exitCodes.unreachable
      })
    }
    if (!response.ok) throw await answerError(response, what)
    return response
  }
  /** A JSON answer decoded with `schema`: what crosses the wire is checked, never assumed. */
  const json = async <S extends Schema.Top & { readonly DecodingServices: never }>(
    schema: S,
    what: string,
    path: string,
    init?: RequestInit
  ): Promise<S["Type"]> => {
    const response = await send(what, path, init)
    const text = await response.text()
    try {
      return Schema.decodeUnknownSync(schema)(JSON.parse(text))
    } catch (error) {
      throw new CliError({ message: `${what}: unexpected answer from the server: ${String(error)}`, exitCode: exitCodes.server })
    }
  }
  return { base, send, json }
}

export type Client = ReturnType<typeof makeClient>
