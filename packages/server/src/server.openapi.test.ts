import { standardMaxima } from "@codebox/core"
import { OpenApi } from "effect/http-api"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { makeApi } from "./api/Api.ts"
import { engineLayer } from "./layers.ts"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { contractOf } from "./test-support/contract.ts"
import { call, type RunningServer, startServer } from "./test-support/harness.ts"
import { scriptedPrograms } from "./test-support/scriptedPrograms.ts"

const bytes = (value: unknown) => new TextEncoder().encode(JSON.stringify(value))

describe("the OpenAPI document describes what the server answers", () => {
  const programs = scriptedPrograms()
  let server: RunningServer
  // biome-ignore lint/suspicious/noExplicitAny: the document is read by key
  let document: any
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, programs.layer), { maxWaitSeconds: 42 })
    document = (await call(`${server.url}/api/openapi.json`)).body
  })
  afterAll(() => server.close())

  it("types ?wait as an integer with the server's bounds", () => {
    for (const [path, method] of [
      ["/api/tasks/create", "post"],
      ["/api/tasks/{task_id}/task_result", "get"],
      ["/api/file_task/create", "post"]
    ] as const) {
      const wait = document.paths[path][method].parameters.find((p: { name: string }) => p.name === "wait")
      expect(wait.schema, path).toEqual({ type: "integer", minimum: 0, maximum: 42 })
    }
  })

  it("declares the Bearer scheme beside X-API-Key, as alternatives", () => {
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: expect.stringMatching(/^bearer$/i) })
    expect(document.paths["/api/tasks/create"].post.security).toEqual([{ apiKey: [] }, { bearer: [] }])
  })

  it("declares 415 where bodies are accepted, and every error as application/problem+json", () => {
    expect(Object.keys(document.paths["/api/tasks/create"].post.responses["415"].content)).toEqual(["application/problem+json"])
    expect(Object.keys(document.paths["/api/file_task/create"].post.responses["415"].content)).toEqual(["application/problem+json"])
    for (const [path, item] of Object.entries<Record<string, { responses: Record<string, { content?: object }> }>>(document.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          if (Number(status) < 400 || status === "503") continue
          expect(Object.keys(response.content ?? {}), `${method} ${path} ${status}`).toEqual(["application/problem+json"])
        }
      }
    }
    expect(document.components.responses.MethodNotAllowed.headers.allow).toBeDefined()
    expect(Object.keys(document.components.responses.NotFound.content)).toEqual(["application/problem+json"])
  })

  it("declares downloads with the content types they are served with", () => {
    const file = Object.keys(document.paths["/api/file_task/{task_id}/files/{name}"].get.responses["200"].content)
    expect(file).toEqual(expect.arrayContaining(["text/plain", "text/csv", "application/json", "image/png", "application/octet-stream"]))
    const download = Object.keys(document.paths["/api/file_task/{task_id}/download"].get.responses["200"].content)
    expect(download).toEqual(expect.arrayContaining([...file, "application/zip"]))
  })

  it("states every limit's bounds, with each language's maximum where they differ", () => {
    const limits = document.paths["/api/tasks/create"].post.requestBody.content["application/json"].schema.properties.limits.anyOf.find(
      (branch: { type?: string }) => branch.type === "object"
    )
    expect(limits.properties.wall_time_ms).toMatchObject({ type: "integer", minimum: 100, maximum: 120_000 })
    expect(limits.properties.memory_mb).toMatchObject({ type: "integer", minimum: 16, maximum: 2048 })

    const c = { id: "c", maxLimits: { ...standardMaxima, wall_time_ms: 60_000 } }
    const mixed = OpenApi.fromApi(
      makeApi({ maxFileSize: 1, maxTotalSize: 1, maxWaitSeconds: 1 }, [
        { id: "python", aliases: [], maxLimits: standardMaxima },
        { ...c, aliases: [] }
      ])
    )
    // biome-ignore lint/suspicious/noExplicitAny: the document is read by key
    const body: any = mixed.paths["/api/tasks/create"]!.post!.requestBody!.content["application/json"]!.schema
    const wall = body.properties.limits.anyOf.find((branch: { type?: string }) => branch.type === "object").properties.wall_time_ms
    expect(wall).toMatchObject({ minimum: 100, maximum: 120_000 })
    expect(wall.description).toContain("python 120000, c 60000")
  })

  it("the response check reports an undeclared status, an undeclared content type and a body off its schema", () => {
    const check = contractOf(document)
    const languages = { languages: [] }
    expect(check("GET", "/api/languages", 200, "application/json", bytes(languages))).toEqual([])
    expect(check("GET", "/api/languages", 418, "application/json", bytes(languages))[0]).toContain("status 418 is not declared")
    expect(check("GET", "/api/languages", 200, "text/plain", bytes(languages))[0]).toContain("content type text/plain is not declared")
    expect(check("GET", "/api/languages", 200, "application/json", bytes({ langs: [] }))[0]).toContain("does not match the declared schema")
    const notFound = { _tag: "NotFound", message: "no", type: "about:blank", title: "Not Found", status: 404, detail: "no" }
    expect(check("GET", "/api/nowhere", 404, "application/problem+json", bytes(notFound))).toEqual([])
    expect(check("GET", "/api/nowhere", 404, "application/json", bytes(notFound))[0]).toContain("not declared")
    expect(check("PUT", "/api/languages", 404, "application/problem+json", bytes(notFound))[0]).toContain("status 404 is not declared")
  })
})
