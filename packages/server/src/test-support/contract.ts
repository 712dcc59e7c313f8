import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js"

/**
 * Every response a test receives from a CodeBox server is checked against that server's own
 * `/api/openapi.json`: the status must be declared for the path and method, the content type must
 * be one the response declares, and a JSON body must validate against the declared schema. A path
 * no operation has must answer components.responses.NotFound, a method the path does not list
 * components.responses.MethodNotAllowed. A mismatch fails the test that made the request.
 *
 * Servers are registered by the helpers that start them (watchServer); `fetch` is wrapped once per
 * test process, so tests check nothing themselves.
 */

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is plain JSON, walked by key
type Json = Record<string, any>

/** Not part of the API document: the document itself and its HTML page. */
const undocumented = new Set(["/api/openapi.json", "/api/docs"])

const essence = (contentType: string | null) => (contentType ?? "").split(";")[0]!.trim().toLowerCase()
const isJson = (mediaType: string) => mediaType === "application/json" || mediaType.endsWith("+json")

interface Operation {
  readonly name: string
  readonly responses: Json
}

/** The checks for one document: the operations by path pattern, and a validator per schema. */
export const contractOf = (document: Json) => {
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true })
  ajv.addSchema(document, "openapi")
  const validators = new Map<string, ValidateFunction>()
  const validatorAt = (pointer: string) => {
    let validate = validators.get(pointer)
    if (validate === undefined) {
      validate = ajv.compile({ $ref: `openapi#${pointer}` })
      validators.set(pointer, validate)
    }
    return validate
  }
  const pointerPart = (s: string) => s.replace(/~/g, "~0").replace(/\//g, "~1")
  const paths = Object.entries<Json>(document.paths).map(([template, item]) => ({
    template,
    pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, "\\$&").replace(/\{[^}]+\}/g, "[^/]+")}$`),
    item
  }))

  /** What is wrong with this response, or an empty list. */
  return (method: string, pathname: string, status: number, contentType: string | null, body: Uint8Array): ReadonlyArray<string> => {
    const verb = method.toLowerCase()
    // `/api/tasks/create` is also `/api/tasks/{task_id}`: the path that has the method wins.
    const matching = paths.filter((p) => p.pattern.test(pathname))
    const path = matching.find((p) => p.item[verb] !== undefined) ?? matching[0]
    let operation: Operation
    let pointer: string
    if (path === undefined || path.item[verb] === undefined) {
      // Routing found no operation: 404 or 405, or a limit the guard applies before routing.
      const [code, name] = path === undefined ? ["404", "NotFound"] : ["405", "MethodNotAllowed"]
      const byStatus: Json = { [code]: name, "413": "PayloadTooLarge", "429": "RateLimited" }
      operation = {
        name: path === undefined ? `no path (${method} ${pathname})` : `${method} ${path.template} (not an operation)`,
        responses: Object.fromEntries(Object.entries(byStatus).map(([s, n]) => [s, document.components.responses[n]]))
      }
      pointer = `/components/responses/${byStatus[String(status)] ?? name}`
    } else {
      operation = { name: `${method} ${path.template}`, responses: path.item[verb].responses }
      pointer = `/paths/${pointerPart(path.template)}/${verb}/responses/${status}`
    }
    const declared = operation.responses[String(status)]
    if (declared === undefined) {
      return [`${operation.name}: status ${status} is not declared (declared: ${Object.keys(operation.responses).join(", ")})`]
    }
    const mediaType = essence(contentType)
    const content: Json | undefined = declared.content
    if (content === undefined) {
      return body.byteLength === 0 ? [] : [`${operation.name} ${status}: declares no body, got ${body.byteLength} bytes of ${mediaType}`]
    }
    if (content[mediaType] === undefined) {
      return [
        `${operation.name} ${status}: content type ${mediaType || "(none)"} is not declared (declared: ${Object.keys(content).join(", ")})`
      ]
    }
    if (!isJson(mediaType)) return []
    let value: unknown
    try {
      value = JSON.parse(new TextDecoder().decode(body))
    } catch {
      return [`${operation.name} ${status}: the ${mediaType} body is not JSON`]
    }
    const validate = validatorAt(`${pointer}/content/${pointerPart(mediaType)}/schema`)
    if (validate(value)) return []
    return [
      `${operation.name} ${status}: the body does not match the declared schema:`,
      ...(validate.errors ?? []).slice(0, 8).map((e) => `  ${e.instancePath || "(body)"} ${e.message} ${JSON.stringify(e.params)}`),
      `body: ${JSON.stringify(value).slice(0, 500)}`
    ]
  }
}

type Check = ReturnType<typeof contractOf>

const servers = new Map<string, Promise<Check>>()
const originalFetch = globalThis.fetch

const checkOf = (origin: string): Promise<Check> => {
  let check = servers.get(origin)
  if (check === undefined) {
    check = originalFetch(`${origin}/api/openapi.json`)
      .then((response) => response.json())
      .then((document) => contractOf(document as Json))
    servers.set(origin, check)
  }
  return check
}

const requestMethod = (input: Parameters<typeof fetch>[0], init?: RequestInit) =>
  (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase()

/** fetch, with every answer of a watched server checked against its document. */
const checkedFetch: typeof fetch = async (input, init) => {
  const response = await originalFetch(input, init)
  const url = new URL(input instanceof Request ? input.url : String(input))
  if (!servers.has(url.origin) || !url.pathname.startsWith("/api/") || undocumented.has(url.pathname)) return response
  // An event stream is checked by its status and type only: reading it through would wait for its end.
  const streaming = (response.headers.get("content-type") ?? "").startsWith("text/event-stream")
  const body = streaming ? new Uint8Array(0) : new Uint8Array(await response.clone().arrayBuffer())
  const problems = (await checkOf(url.origin))(
    requestMethod(input, init),
    url.pathname,
    response.status,
    response.headers.get("content-type"),
    body
  )
  if (problems.length > 0) throw new Error(`the response does not match /api/openapi.json:\n${problems.join("\n")}`)
  return response
}

/** Checks every later response of the server at `baseUrl` (e.g. http://127.0.0.1:41234). */
export const watchServer = (baseUrl: string) => {
  if (globalThis.fetch !== checkedFetch) globalThis.fetch = checkedFetch
  void checkOf(new URL(baseUrl).origin).catch(() => {})
}

/** Forgets a server that stopped (its port may be reused by another). */
export const unwatchServer = (baseUrl: string) => {
  servers.delete(new URL(baseUrl).origin)
}
