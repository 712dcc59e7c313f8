/**
 * The OpenAPI document as the server really answers, from what Effect derives from the endpoints.
 * Effect describes each error by its schema as `application/json`; the request guard
 * (http/RequestGuard.ts) answers every error as an RFC 9457 problem instead, with the standard
 * members added. The guard also rewrites the ProblemDetails middleware's 400 and 500 into
 * ValidationError and InternalError (declared on every endpoint), so those are dropped here.
 * The test support checks every response of the HTTP tests against this document.
 */

// biome-ignore lint/suspicious/noExplicitAny: the OpenAPI document is plain JSON, walked by key
type Json = Record<string, any>

export const problemContentType = "application/problem+json"

/** Effect's ProblemDetails bodies, which the guard never lets out as they are. */
const replacedByGuard = new Set(["BadRequestProblemEncoded", "InternalServerErrorProblemEncoded"])

/** Readiness keeps its documented body (`status: "unavailable"`) for probes; it is not a problem. */
const notProblems = new Set(["NotReadyEncoded"])

/** The members RFC 9457 defines, and CodeBox's `message` (the same words as `detail`). */
const problemMembers: Json = {
  type: { type: "string", description: "always about:blank: the status and `_tag` say what happened" },
  title: { type: "string", description: "the status in words" },
  status: { type: "integer", description: "the HTTP status" },
  detail: { type: "string", description: "what went wrong, in words" },
  message: { type: "string", description: "the same words as detail, as older clients read them" }
}

const refName = (schema: Json | undefined): string | undefined =>
  typeof schema?.$ref === "string" ? schema.$ref.replace("#/components/schemas/", "") : undefined

/** The component schemas a response content names (one, or the branches of an anyOf). */
const refsOf = (schema: Json | undefined): ReadonlyArray<string> => {
  const own = refName(schema)
  if (own !== undefined) return [own]
  return (schema?.anyOf ?? schema?.oneOf ?? []).flatMap((branch: Json) => refsOf(branch))
}

const refTo = (name: string) => ({ $ref: `#/components/schemas/${name}` })

const problemResponse = (description: string, names: ReadonlyArray<string>): Json => ({
  description,
  content: { [problemContentType]: { schema: names.length === 1 ? refTo(names[0]!) : { anyOf: names.map(refTo) } } }
})

/** Adds the problem members to an error's schema (it stays closed: no other members). */
const withProblemMembers = (schema: Json): Json => ({
  ...schema,
  properties: { ...problemMembers, ...schema.properties },
  required: [...new Set([...(schema.required ?? []), "type", "title", "status", "detail", "_tag", "message"])]
})

export interface DocumentSettings {
  /** CODEBOX_MAX_WAIT_SECONDS: the largest `?wait=`. */
  readonly maxWaitSeconds: number
}

/** The transform the API is annotated with (OpenApi.annotations({ transform })). */
export const describeAnswers =
  (settings: DocumentSettings) =>
  (spec: Json): Json => {
    const schemas: Json = spec.components.schemas
    const problems = new Set<string>()
    for (const pathItem of Object.values<Json>(spec.paths)) {
      for (const operation of Object.values<Json>(pathItem)) {
        for (const [status, response] of Object.entries<Json>(operation.responses)) {
          if (Number(status) < 400 || response.content === undefined) continue
          const names = [...new Set(Object.values<Json>(response.content).flatMap((media) => refsOf(media.schema)))].filter(
            (name) => !replacedByGuard.has(name)
          )
          if (names.some((name) => notProblems.has(name))) {
            response.content = { "application/json": { schema: refTo(names[0]!) } }
            continue
          }
          for (const name of names) problems.add(name)
          operation.responses[status] = problemResponse(names.map((name) => name.replace(/Encoded$/, "")).join(" | "), names)
        }
        for (const parameter of operation.parameters ?? []) {
          if (parameter.name === "wait" && parameter.in === "query") {
            parameter.schema = { type: "integer", minimum: 0, maximum: settings.maxWaitSeconds }
            parameter.description = `Whole seconds to wait for the result before answering 202 (at most ${settings.maxWaitSeconds}).`
          }
        }
      }
    }
    for (const name of replacedByGuard) delete schemas[name]
    for (const name of problems) schemas[name] = withProblemMembers(schemas[name])
    for (const name of ["NotFoundEncoded", "MethodNotAllowedEncoded", "PayloadTooLargeEncoded", "RateLimitedEncoded"]) {
      if (schemas[name] !== undefined) schemas[name] = withProblemMembers(schemas[name])
    }
    spec.components.responses = {
      ...spec.components.responses,
      NotFound: problemResponse("No endpoint has this path (any method).", ["NotFoundEncoded"]),
      MethodNotAllowed: {
        ...problemResponse("The path exists, with other methods: a method an operation of the path does not list.", [
          "MethodNotAllowedEncoded"
        ]),
        headers: { allow: { description: "the methods the path answers to", schema: { type: "string" }, required: true } }
      },
      // The guard runs before routing: any request, to any path, may meet the size and rate limits.
      PayloadTooLarge: problemResponse("The body is over the size limit (any path).", ["PayloadTooLargeEncoded"]),
      RateLimited: problemResponse("Over the rate limit (any path under /api/ but the probes).", ["RateLimitedEncoded"])
    }
    return spec
  }
