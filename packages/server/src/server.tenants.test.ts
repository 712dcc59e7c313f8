import { Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { hashKey } from "./http/keys.ts"
import { engineLayer } from "./layers.ts"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { call, postJson, type RunningServer, startServer } from "./test-support/harness.ts"
import { scriptedPrograms } from "./test-support/scriptedPrograms.ts"

const alice = { "x-api-key": "alice-key-0123456789" }
const bob = { authorization: "Bearer bob-key-9876543210" }
const admin = { "x-api-key": "admin-key-5555555555" }

describe("tenants: a task belongs to the key that created it", () => {
  const programs = scriptedPrograms()
  let server: RunningServer
  let api: string
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, programs.layer), {
      // Bob's key is given as a salted hash, the admin's as a hash too: the settings hold no key.
      apiKeys: [Redacted.make(alice["x-api-key"]), Redacted.make(hashKey("bob-key-9876543210"))],
      adminKeys: [Redacted.make(hashKey("admin-key-5555555555", "pepper"))]
    })
    api = `${server.url}/api`
  })
  afterAll(() => server.close())

  /** A file task of `headers`' key that wrote one output, finished. */
  const fileTaskOf = async (headers: Record<string, string>) => {
    const form = new FormData()
    form.append("programming_language", "python")
    form.append("source_code", 'write "OUT_secret.txt" only-for-the-owner\nprint done')
    const created = await call(`${api}/file_task/create?wait=20`, { method: "POST", headers, body: form })
    expect(created.status).toBe(200)
    expect(created.body.result.output_files).toEqual(["secret.txt"])
    return created.body.task_id as string
  }

  it("refuses another key's task on every endpoint and in the dashboard, as if it did not exist", async () => {
    const aliceTask = await fileTaskOf(alice)
    const aliceRunning = (await postJson(`${api}/tasks/create`, { programming_language: "python", source_code: "hang" }, alice)).body
      .task_id

    const endpoints: ReadonlyArray<readonly [string, string]> = [
      ["GET", `${api}/tasks/${aliceTask}/task_result`],
      ["GET", `${api}/file_task/${aliceTask}/download`],
      ["GET", `${api}/file_task/${aliceTask}/files`],
      ["GET", `${api}/file_task/${aliceTask}/files/secret.txt`],
      ["GET", `${server.url}/dashboard/api/tasks/${aliceTask}`],
      ["GET", `${server.url}/dashboard/api/tasks/${aliceTask}/files/out/secret.txt`],
      ["DELETE", `${api}/tasks/${aliceRunning}`]
    ]
    for (const [method, url] of endpoints) {
      const refused = await call(url, { method, headers: bob })
      expect(refused.status, `${method} ${url}`).toBe(404)
      expect(refused.text).not.toContain("only-for-the-owner")
      const owner = await call(url, { method, headers: alice })
      expect(owner.status, `${method} ${url} by its owner`).toBe(200)
    }
    // Bob's cancel did not revoke it: Alice's cancel above did.
    expect((await call(`${api}/tasks/${aliceRunning}/task_result`, { headers: alice })).body.status).toBe("REVOKED")

    const bobTask = await fileTaskOf(bob)
    const listed = async (headers: Record<string, string>) =>
      ((await call(`${server.url}/dashboard/api/tasks?limit=500`, { headers })).body.tasks as Array<{ task_id: string }>).map(
        (t) => t.task_id
      )
    expect(await listed(alice)).toEqual(expect.arrayContaining([aliceTask, aliceRunning]))
    expect(await listed(alice)).not.toContain(bobTask)
    expect(await listed(bob)).toEqual([bobTask])
  })

  it("lets an admin key see, download and list every tenant's tasks", async () => {
    const aliceTask = await fileTaskOf(alice)
    const bobTask = await fileTaskOf(bob)
    for (const id of [aliceTask, bobTask]) {
      expect((await call(`${api}/tasks/${id}/task_result`, { headers: admin })).status).toBe(200)
      const file = await call(`${api}/file_task/${id}/files/secret.txt`, { headers: admin })
      expect(file.text).toBe("only-for-the-owner")
      expect((await call(`${server.url}/dashboard/api/tasks/${id}`, { headers: admin })).status).toBe(200)
    }
    const all = (await call(`${server.url}/dashboard/api/tasks?limit=500`, { headers: admin })).body.tasks.map(
      (t: { task_id: string }) => t.task_id
    )
    expect(all).toEqual(expect.arrayContaining([aliceTask, bobTask]))
  })

  it("counts and charts on the dashboard cover only the caller's own tasks, unless it is an admin", async () => {
    /** Tasks in the counts, and tasks that succeeded in the chart. */
    const totals = async (headers: Record<string, string>) => {
      const summary = (await call(`${server.url}/dashboard/api/summary`, { headers })).body
      const charted = (summary.series as Array<{ succeeded: number }>).reduce((a, p) => a + p.succeeded, 0)
      return [Object.values(summary.counts as Record<string, number>).reduce((a, b) => a + b, 0), charted] as const
    }
    const [aliceBefore, bobBefore, adminBefore] = [(await totals(alice))[0], (await totals(bob))[0], (await totals(admin))[0]]
    const [, bobCharted] = await totals(bob)
    const [, aliceCharted] = await totals(alice)
    await fileTaskOf(alice)
    expect(await totals(alice)).toEqual([aliceBefore + 1, aliceCharted + 1])
    expect(await totals(bob)).toEqual([bobBefore, bobCharted])
    expect((await totals(admin))[0]).toBe(adminBefore + 1)
    expect(adminBefore).toBeGreaterThanOrEqual(aliceBefore + bobBefore)
    expect(adminBefore).toBeGreaterThan(bobBefore)
  })

  it("accepts hashed keys and refuses a hash itself as a key", async () => {
    const hashed = hashKey("bob-key-9876543210", "salt")
    expect((await call(`${api}/languages`, { headers: bob })).status).toBe(200)
    expect((await call(`${api}/languages`, { headers: { "x-api-key": hashed } })).status).toBe(403)
    expect((await call(`${api}/languages`, { headers: { "x-api-key": "bob-key-987654321" } })).status).toBe(403)
  })
})
