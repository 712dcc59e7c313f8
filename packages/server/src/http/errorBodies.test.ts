import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { HttpServerResponse } from "effect/http"
import { allowedMethods, asProblem } from "./errorBodies.ts"

const bodyOf = (response: HttpServerResponse.HttpServerResponse) =>
  response.body._tag === "Uint8Array" ? JSON.parse(new TextDecoder().decode(response.body.body)) : undefined

const options = { allowed: allowedMethods([{ method: "GET", path: "/api/tasks/:task_id/task_result" }]), knownNames: ["stdin"] }

describe("error bodies", () => {
  it.effect("a 500 says which part failed, in words, without the message, cause or SQL text", () =>
    Effect.gen(function* () {
      const leaky = HttpServerResponse.jsonUnsafe(
        {
          _tag: "StoreError",
          message: "get: PgConnection: Query failed",
          cause: { name: "Error", message: 'invalid byte sequence for encoding "UTF8": 0x00', stack: "at /srv/codebox/x.ts:1" }
        },
        { status: 500 }
      )
      const response = yield* asProblem(leaky, { method: "GET", path: "/api/tasks/x/task_result" }, options)
      const text = JSON.stringify(bodyOf(response))
      expect(response.status).toBe(500)
      expect(bodyOf(response)).toMatchObject({ _tag: "StoreError", status: 500, message: expect.stringContaining("task store") })
      for (const internal of ["cause", "PgConnection", "UTF8", "stack", "/srv"]) expect(text).not.toContain(internal)
    })
  )

  it.effect("a 404 for a path that exists with another method is a 405 with Allow", () =>
    Effect.gen(function* () {
      const response = yield* asProblem(
        HttpServerResponse.empty({ status: 404 }),
        { method: "POST", path: "/api/tasks/abc/task_result" },
        options
      )
      expect(response.status).toBe(405)
      expect(response.headers.allow).toBe("GET")
      const unknown = yield* asProblem(HttpServerResponse.empty({ status: 404 }), { method: "GET", path: "/api/nothing" }, options)
      expect(unknown.status).toBe(404)
    })
  )
})
