import type { ChildProcess } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import { startServerProcess } from "./test-support/serverProcess.ts"

let server: ChildProcess | undefined
let dataDir: string | undefined
afterEach(() => {
  server?.kill("SIGKILL")
  server = undefined
  if (dataDir !== undefined) fs.rmSync(dataDir, { recursive: true, force: true })
  dataDir = undefined
})

const tasks = 30
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies as the client reads them
const getJson = async (url: string): Promise<{ status: number; body: any }> => {
  const response = await fetch(url)
  return { status: response.status, body: await response.json() }
}

/**
 * In the fault group (files one at a time): its 30-second promise is the service's, and beside the
 * main group's parallel suites on two cores it measured the machine's contention instead.
 *
 * Embedded mode (the server app with its defaults: PGlite, in-process queue and worker): SIGKILL
 * with 30 tasks queued and running, start again on the same data directory, and every task
 * finishes correctly soon after, because the new process queues at once what the old one left.
 * Before, they waited out the reconciler's 2-minute staleness window.
 */
describe("embedded server killed with tasks in flight", () => {
  it("re-queues the previous process's PENDING and STARTED tasks at start; each finishes correctly", { timeout: 180_000 }, async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-restart-"))
    // Enough workers that 30 short tasks take seconds, not the deadline, on a loaded 2-core machine.
    // The test polls 30 tasks several times a second: no rate limits (another test's matter); the
    // read budget (600 a minute) once ran out in CI while the tasks were slow, and only 429s came.
    const env = { CODEBOX_DATA_DIR: dataDir, CODEBOX_WORKER_CONCURRENCY: "10", CODEBOX_RATE_LIMIT: "0", CODEBOX_READ_RATE_LIMIT: "0" }
    const first = await startServerProcess(env)
    server = first.child
    const ids = await Promise.all(
      Array.from({ length: tasks }, async (_, i) => {
        const response = await fetch(`${first.base}/api/tasks/create`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ programming_language: "python", source_code: `import time\ntime.sleep(2)\nprint(${i} * 7)\n` })
        })
        expect(response.status).toBe(202)
        return ((await response.json()) as { task_id: string }).task_id
      })
    )
    // The fault must hit work in flight: some task running, others still queued.
    const states = async (base: string) => Promise.all(ids.map(async (id) => (await getJson(`${base}/api/tasks/${id}/task_result`)).body))
    // The worker may start consuming well after the API answers (a loaded machine, ten languages'
    // version probes), so the first STARTED task is waited for by time, not by a count of looks.
    const runningBy = Date.now() + 90_000
    let running = false
    while (!running && Date.now() < runningBy) {
      running = (await states(first.base)).some((b) => b.state === "STARTED")
      if (!running) await sleep(50)
    }
    const before = await states(first.base)
    const counts = JSON.stringify(before.map((b) => b.state ?? b.status))
    expect(before.filter((b) => b.state === "STARTED").length, counts).toBeGreaterThan(0)
    expect(before.filter((b) => b.state === "PENDING").length, counts).toBeGreaterThan(0)
    first.child.kill("SIGKILL")
    await new Promise((resolve) => first.child.once("exit", resolve))

    const second = await startServerProcess(env)
    server = second.child
    // Without re-queueing at start nothing would finish before the 2-minute staleness window.
    const deadline = Date.now() + Number(process.env.RESTART_DEADLINE_MS ?? 30_000)
    let finished: Array<{ task_id: string; status: string; result: { stdout: string } }> = []
    while (Date.now() < deadline) {
      // A finished task's body has its result (a pending one carries `status` too, beside `state`).
      finished = (await states(second.base)).filter((b) => b.result !== undefined)
      if (finished.length === tasks) break
      await sleep(250)
    }
    const log = second
      .output()
      .split("\n")
      .filter((l) => !l.includes("Sent HTTP response"))
      .join("\n")
    const seen = JSON.stringify((await states(second.base)).slice(0, 3))
    expect(finished.length, `finished within 30 s of the restart: ${seen}\n${log.slice(-3000)}`).toBe(tasks)
    for (const [i, id] of ids.entries()) {
      const done = finished.find((b) => b.task_id === id)!
      expect(done.status).toBe("SUCCESS")
      expect(done.result.stdout).toBe(`${i * 7}\n`)
    }
  })
})
