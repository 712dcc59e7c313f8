import { builtInLanguages as plugins } from "@codebox/test-support"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineLayer } from "./layers.ts"
import { call, postJson, type RunningServer, startServer } from "./test-support/harness.ts"
import { scriptedPrograms } from "./test-support/scriptedPrograms.ts"

const task = { programming_language: "python", source_code: "echo-stdin" }

/** Judge mode's input checks and batches over a scripted sandbox (no runtime needed). */
describe("judge mode and batches: what is refused, and how batches count", { timeout: 180_000 }, () => {
  const programs = scriptedPrograms()
  let server: RunningServer
  let api: string
  beforeAll(async () => {
    server = await startServer((s) => engineLayer(s, plugins, programs.layer), { maxWaitSeconds: 30 })
    api = `${server.url}/api`
  })
  afterAll(() => server?.close())

  const refused = async (body: Record<string, unknown>, field: string) => {
    const answer = await postJson(`${api}/tasks/create`, { ...task, ...body })
    expect(answer.status, JSON.stringify(answer.body)).toBe(400)
    expect(answer.body.field, JSON.stringify(answer.body)).toBe(field)
    return answer.body
  }

  it("answers 400 naming the field for each bad judge input", async () => {
    await refused({ tests: Array.from({ length: 101 }, () => ({ stdin: "x" })) }, "tests")
    await refused({ tests: [] }, "tests")
    await refused({ tests: [{ stdin: "a" }, 5] }, "tests.1")
    await refused({ tests: ["a"] }, "tests.0")
    await refused({ tests: [{ stdin: 7 }] }, "tests.0.stdin")
    await refused({ tests: [{ expected_output: ["5"] }] }, "tests.0.expected_output")
    await refused({ tests: [{ stdin: "a", timeout: 5 }] }, "tests.0.timeout")
    await refused({ tests: [{ stdin: "a" }], float_tolerance: -0.1 }, "float_tolerance")
    await refused({ tests: [{ stdin: "a" }], compare: "fuzzy" }, "compare")
    await refused({ tests: [{ stdin: "a" }], stop_on_first_failure: "yes" }, "stop_on_first_failure")
    const over = await postJson(`${api}/tasks/create`, { ...task, tests: [{ limits: { wall_time_ms: 3_000_000 } }] })
    expect(over.status).toBe(400)
    expect(over.body).toMatchObject({ _tag: "LimitOutOfRange", limit: "tests.0.limits.wall_time_ms" })
  })

  it("answers 400 naming the field for bad judge fields of a file task form", async () => {
    const form = (fields: Record<string, string>) => {
      const body = new FormData()
      body.append("programming_language", "python")
      body.append("source_code", "echo-stdin")
      for (const [key, value] of Object.entries(fields)) body.append(key, value)
      return call(`${api}/file_task/create`, { method: "POST", body })
    }
    for (const [fields, field] of [
      [{ tests: "not json" }, "tests"],
      [{ tests: JSON.stringify([{ stdin: 1 }]) }, "tests"],
      [{ tests: "[]", compare: "lines" }, "tests"],
      [{ tests: JSON.stringify([{}]), compare: "fuzzy" }, "compare"],
      [{ tests: JSON.stringify([{}]), float_tolerance: "-1" }, "float_tolerance"],
      [{ tests: JSON.stringify([{}]), stop_on_first_failure: "maybe" }, "stop_on_first_failure"]
    ] as const) {
      const answer = await form(fields)
      expect(answer.status, JSON.stringify(answer.body)).toBe(400)
      expect(answer.body.field).toBe(field)
    }
    const ok = await form({ tests: JSON.stringify([{ stdin: "in\n", expected_output: "in" }]), stop_on_first_failure: "true" })
    expect(ok.status, JSON.stringify(ok.body)).toBe(202)
    const done = await call(`${api}/tasks/${ok.body.task_id}/task_result?wait=30`)
    expect(done.body.result.summary).toEqual({ total: 1, passed: 1, verdict: "accepted" })
  })

  it("answers 400 for a batch that is empty, too large or malformed, and for bad ids", async () => {
    expect((await postJson(`${api}/tasks/batch`, { tasks: [] })).body.field).toBe("tasks")
    const tooMany = await postJson(`${api}/tasks/batch`, { tasks: Array.from({ length: 51 }, () => task) })
    expect(tooMany.status).toBe(400)
    expect(tooMany.body.field).toBe("tasks")
    expect((await postJson(`${api}/tasks/batch`, [task])).status).toBe(400)
    const noIds = await call(`${api}/tasks/batch?ids=,`)
    expect(noIds.status).toBe(400)
    expect(noIds.body.field).toBe("ids")
    const manyIds = await call(`${api}/tasks/batch?ids=${Array.from({ length: 51 }, () => "x").join(",")}`)
    expect(manyIds.status).toBe(400)
    expect(manyIds.body.field).toBe("ids")
    const bad = await call(`${api}/tasks/batch?ids=not-an-id`)
    expect(bad.status).toBe(200)
    expect(bad.body.tasks).toEqual([{ task_id: "not-an-id", error: expect.objectContaining({ _tag: "InvalidTask", field: "ids" }) }])
  })

  it("documents judge mode and batches in the OpenAPI document", async () => {
    const openapi = (await call(`${api}/openapi.json`)).body
    expect(Object.keys(openapi.paths["/api/tasks/batch"]).sort()).toEqual(["get", "post"])
    const text = JSON.stringify(openapi)
    for (const name of ["tests", "compare", "float_tolerance", "stop_on_first_failure", "expected_output", "first_difference", "summary"]) {
      expect(text).toContain(`"${name}"`)
    }
    for (const verdict of ["accepted", "wrong_answer", "skipped"]) expect(text).toContain(`"${verdict}"`)
  })

  it("reports each invalid batch item in its place, naming the field, and runs the others", async () => {
    const created = await postJson(`${api}/tasks/batch`, {
      tasks: [task, { ...task, tests: [{ stdin: 1 }] }, { programming_language: "cobol", source_code: "x" }, { ...task, stdin: "b" }]
    })
    expect(created.status).toBe(202)
    expect(created.body.tasks[0]).toEqual({ task_id: expect.any(String), status: "accepted" })
    expect(created.body.tasks[1].error).toMatchObject({ _tag: "ValidationError", field: "tests.0.stdin" })
    expect(created.body.tasks[2].error).toMatchObject({ _tag: "UnsupportedLanguage" })
    expect(created.body.tasks[3]).toEqual({ task_id: expect.any(String), status: "accepted" })
  })
})

describe("batches and the rate limit", { timeout: 180_000 }, () => {
  it("counts a batch as its number of tasks, all or none", async () => {
    const programs = scriptedPrograms()
    const server = await startServer((s) => engineLayer(s, plugins, programs.layer), { rateLimit: 10, rateLimitWindowSeconds: 3600 })
    try {
      const batch = (n: number) => postJson(`${server.url}/api/tasks/batch`, { tasks: Array.from({ length: n }, () => task) })
      const tooBig = await batch(11)
      expect(tooBig.status).toBe(429)
      expect(tooBig.body).toMatchObject({ _tag: "RateLimited", retry_after_seconds: expect.any(Number) })
      // The refused batch used one request of the budget (the guard counts each request); 9 are left.
      expect((await batch(8)).status).toBe(202)
      expect((await postJson(`${server.url}/api/tasks/create`, task)).status).toBe(202)
      expect((await postJson(`${server.url}/api/tasks/create`, task)).status).toBe(429)
    } finally {
      await server.close()
    }
  })
})
