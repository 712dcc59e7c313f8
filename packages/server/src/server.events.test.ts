import { NativeSandbox } from "@codebox/sandbox-native"
import { builtInLanguages as plugins } from "@codebox/test-support"
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
