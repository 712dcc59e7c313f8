import { NativeSandbox } from "@codebox/sandbox-native"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineLayer } from "./layers.ts"
import { call, postJson, type RunningServer, startServer } from "./test-support/harness.ts"
import { checkLateAndResumed, checkLiveStream } from "./test-support/eventChecks.ts"
import { readEvents } from "./test-support/sse.ts"

const timeout = 120_000

/** GET /api/tasks/{id}/events on a real embedded server with the native sandbox. */
describe("task events (server-sent events), embedded", () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, NativeSandbox.layer()), { maxWaitSeconds: 100 })
  }, timeout)
  afterAll(() => server?.close())

  it("streams stdout while the program runs, then the result; late and resumed clients see every byte once", { timeout }, async () => {
    const live = await checkLiveStream(server.url)
    await checkLateAndResumed(server.url, live)
  })

  it("an unknown task is a 404 problem", { timeout }, async () => {
    const missing = await call(`${server.url}/api/tasks/00000000-0000-4000-8000-000000000000/events`)
    expect(missing.status).toBe(404)
    expect(missing.headers.get("content-type")).toContain("application/problem+json")
  })

  it("stderr travels too, and a compile-free failure still ends with the result", { timeout }, async () => {
    const created = await postJson(`${server.url}/api/tasks/create`, {
      programming_language: "python",
      source_code: `import sys\nsys.stderr.write("oops\\n")\nsys.exit(3)\n`
    })
    const { events } = await readEvents(`${server.url}/api/tasks/${created.body.task_id}/events`)
    const stderr = events
      .filter((e) => e.event === "stderr")
      .map((e) => e.data.text)
      .join("")
    expect(stderr).toBe("oops\n")
    expect(events.at(-1)).toMatchObject({ event: "result", data: { status: "SUCCESS", result: { returncode: 3, stderr: "oops\n" } } })
  })
})

describe("task events with API keys and a read rate limit", () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, NativeSandbox.layer()), {
      maxWaitSeconds: 100,
      apiKeys: [Redacted.make("events-key-a"), Redacted.make("events-key-b")],
      readRateLimit: 3
    })
  }, timeout)
  afterAll(() => server?.close())

  it("another key's task is 404; the stream counts against the read budget", { timeout }, async () => {
    const a = { "x-api-key": "events-key-a" }
    const created = await postJson(
      `${server.url}/api/tasks/create?wait=100`,
      { programming_language: "python", source_code: "print(1)" },
      a
    )
    expect(created.status).toBe(200)
    const url = `${server.url}/api/tasks/${created.body.task_id}/events`
    const other = await call(url, { headers: { "x-api-key": "events-key-b" } })
    expect(other.status).toBe(404)
    expect(other.headers.get("content-type")).toContain("application/problem+json")
    expect((await call(url)).status).toBe(401)

    const statuses: Array<number> = []
    for (let i = 0; i < 4; i++) {
      const { status, events } = await readEvents(url, { headers: a })
      statuses.push(status)
      if (status === 200) expect(events.at(-1)).toMatchObject({ event: "result", data: { result: { stdout: "1\n" } } })
    }
    expect(statuses).toEqual([200, 200, 200, 429])
  })
})
