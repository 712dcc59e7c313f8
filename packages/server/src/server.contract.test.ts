import * as fs from "node:fs/promises"
import * as path from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineLayer } from "./layers.ts"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { call, postJson, type RunningServer, startServer } from "./test-support/harness.ts"
import { scriptedPrograms } from "./test-support/scriptedPrograms.ts"

/** Every file under a directory, as paths relative to it. */
const filesUnder = async (dir: string): Promise<ReadonlyArray<string>> => {
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])
  return entries.filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
}

const problemOf = (response: { headers: Headers; body: unknown; status: number }) => {
  expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/)
  expect(response.body).toMatchObject({
    type: "about:blank",
    status: response.status,
    title: expect.any(String),
    detail: expect.any(String)
  })
  // Clients of the older format read these two.
  expect(response.body).toMatchObject({ _tag: expect.any(String), message: expect.any(String) })
  // biome-ignore lint/suspicious/noExplicitAny: the members checked differ per error
  return response.body as any
}

describe("the HTTP contract: one error format, strict input, ids checked at the edge", () => {
  const programs = scriptedPrograms()
  let server: RunningServer
  let api: string
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, programs.layer), { maxJsonBodyBytes: 64 * 1024 })
    api = `${server.url}/api`
  })
  afterAll(() => server.close())

  it("answers every error as application/problem+json, including router and parser errors", async () => {
    const route = problemOf(await call(`${api}/no/such/route`))
    expect(route).toMatchObject({ status: 404, _tag: "NotFound" })

    const method = await call(`${api}/languages`, { method: "POST" })
    expect(method.status).toBe(405)
    expect(method.headers.get("allow")).toBe("GET")
    expect(problemOf(method)._tag).toBe("MethodNotAllowed")

    const media = await call(`${api}/tasks/create`, { method: "POST", headers: { "content-type": "text/plain" }, body: "print(1)" })
    expect(media.status).toBe(415)
    expect(problemOf(media)._tag).toBe("UnsupportedMediaType")

    const big = await postJson(`${api}/tasks/create`, { programming_language: "python", source_code: "x".repeat(100 * 1024) })
    expect(big.status).toBe(413)
    expect(problemOf(big)).toMatchObject({ _tag: "PayloadTooLarge", limit_bytes: 64 * 1024 })

    const invalid = await postJson(`${api}/tasks/create`, { programming_language: "python" })
    expect(invalid.status).toBe(400)
    expect(problemOf(invalid)).toMatchObject({ _tag: "ValidationError", field: "source_code" })

    const limit = await postJson(`${api}/tasks/create`, { programming_language: "python", source_code: "x", limits: { memory_mb: 60000 } })
    expect(limit.status).toBe(400)
    expect(problemOf(limit)).toMatchObject({ _tag: "LimitOutOfRange", limit: "memory_mb", message: expect.stringContaining("memory_mb") })

    const language = await postJson(`${api}/tasks/create`, { programming_language: "cobol", source_code: "x" })
    expect(problemOf(language)).toMatchObject({ _tag: "UnsupportedLanguage", supported: expect.arrayContaining(["python"]) })

    const missing = await call(`${api}/tasks/00000000-0000-0000-0000-000000000000/task_result`)
    expect(problemOf(missing)).toMatchObject({ status: 404, _tag: "TaskNotFound" })
  })

  it("refuses a limit outside the language's range with its real bounds, as members and in words", async () => {
    for (const [limits, minimum, maximum] of [
      [{ wall_time_ms: 99_999_999 }, 100, 120_000],
      [{ wall_time_ms: 200_000 }, 100, 120_000],
      [{ memory_mb: 1 }, 16, 2048],
      [{ cpu_time_ms: 0 }, 100, 60_000]
    ] as const) {
      const response = await postJson(`${api}/tasks/create`, { programming_language: "python", source_code: "print x", limits })
      expect(response.status, JSON.stringify(limits)).toBe(400)
      const [limit, requested] = Object.entries(limits)[0]!
      expect(problemOf(response)).toMatchObject({ _tag: "LimitOutOfRange", limit, requested, minimum, maximum, language: "python" })
      expect(response.body.detail).toContain(`between ${minimum} and ${maximum}`)
    }
    const form = new FormData()
    form.append("programming_language", "python")
    form.append("source_code", "print ok")
    form.append("limits", JSON.stringify({ processes: 5000 }))
    const fromForm = await call(`${api}/file_task/create`, { method: "POST", body: form })
    expect(problemOf(fromForm)).toMatchObject({ _tag: "LimitOutOfRange", limit: "processes", minimum: 1, maximum: 256 })
  })

  it("refuses an unknown key anywhere in a request, naming it, with a suggestion for a near miss", async () => {
    const top = await postJson(`${api}/tasks/create`, { programming_language: "python", source_code: "print ok", stdn: "x" })
    expect(top.status).toBe(400)
    expect(problemOf(top)).toMatchObject({ field: "stdn", message: expect.stringContaining('did you mean "stdin"') })

    const nested = await postJson(`${api}/tasks/create`, {
      programming_language: "python",
      source_code: "print ok",
      limits: { timeout: 5 }
    })
    expect(nested.status).toBe(400)
    expect(problemOf(nested)).toMatchObject({ field: "limits.timeout", message: expect.stringContaining('unknown key "limits.timeout"') })

    const nearMiss = await postJson(`${api}/tasks/create`, {
      programming_language: "python",
      source_code: "x",
      limits: { wall_time: 5000 }
    })
    expect(problemOf(nearMiss).message).toContain('did you mean "wall_time_ms"')

    const form = new FormData()
    form.append("programming_language", "python")
    form.append("source_code", "print ok")
    form.append("limits", JSON.stringify({ timeout: 5 }))
    const formLimits = await call(`${api}/file_task/create`, { method: "POST", body: form })
    expect(formLimits.status).toBe(400)
    expect(problemOf(formLimits)).toMatchObject({ _tag: "InvalidTask", field: "limits", message: expect.stringContaining("timeout") })

    const formKey = new FormData()
    formKey.append("programming_language", "python")
    formKey.append("source_code", "print ok")
    formKey.append("stdinn", "x")
    const unknownField = await call(`${api}/file_task/create`, { method: "POST", body: formKey })
    expect(unknownField.status).toBe(400)
    expect(problemOf(unknownField).field).toBe("stdinn")
  })

  it("refuses a NUL character in source, stdin or args with a 400 naming the field, and keeps no upload", async () => {
    for (const [field, body] of [
      ["source_code", { source_code: "print a\u0000b" }],
      ["stdin", { source_code: "print ok", stdin: "a\u0000b" }],
      ["args.1", { source_code: "print ok", args: ["a", "b\u0000"] }]
    ] as const) {
      const response = await postJson(`${api}/tasks/create`, { programming_language: "python", ...body })
      expect(response.status, field).toBe(400)
      expect(problemOf(response)).toMatchObject({ field, message: expect.stringContaining("NUL") })
    }

    const before = await filesUnder(path.join(server.dataDir, "files"))
    const form = new FormData()
    form.append("programming_language", "python")
    form.append("source_code", "print ok")
    form.append("stdin", "a\u0000b")
    form.append("input_files", "orphan.txt")
    form.append("files", new Blob(["kept?"]), "orphan.txt")
    const fileTask = await call(`${api}/file_task/create`, { method: "POST", body: form })
    expect(fileTask.status).toBe(400)
    expect(problemOf(fileTask).field).toBe("stdin")
    expect(await filesUnder(path.join(server.dataDir, "files"))).toEqual(before)
  })

  it("checks task ids before any lookup: a malformed id is a 400 naming task_id, never a store error", async () => {
    for (const [method, route] of [
      ["GET", "/tasks/%00/task_result"],
      ["GET", "/tasks/x'--/task_result"],
      ["DELETE", "/tasks/%00"],
      ["GET", "/file_task/%00/download"],
      ["GET", "/file_task/%00/files"],
      ["GET", "/file_task/%00/files/out.txt"]
    ] as const) {
      const response = await call(`${api}${route}`, { method })
      expect(response.status, route).toBe(400)
      expect(problemOf(response).field, route).toBe("task_id")
    }
    const dashboard = await call(`${server.url}/dashboard/api/tasks/%00`)
    expect(dashboard.status).toBe(404)
    expect(problemOf(dashboard)._tag).toBe("TaskNotFound")
  })
})
