import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { call, postJson } from "../test-support/harness.ts"
import { type OpsTestServer, startOpsServer } from "./testServer.ts"

const until = async <A>(probe: () => Promise<A | undefined>, what: string): Promise<A> => {
  for (let i = 0; i < 200; i++) {
    const value = await probe()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`timed out waiting for ${what}`)
}

const sample = (text: string, line: string) => {
  const found = text.split("\n").find((l) => l.startsWith(`${line} `))
  return found === undefined ? undefined : Number(found.slice(line.length + 1))
}

describe("operations routes, keys off", () => {
  let server: OpsTestServer
  beforeAll(async () => {
    server = await startOpsServer()
  })
  afterAll(() => server.close())

  it("lists, filters and details tasks submitted through the API, with their output and files", async () => {
    const ok = await postJson(`${server.url}/api/tasks/create`, {
      programming_language: "python",
      source_code: "print hello ops\nwrite OUT_report.txt 42"
    })
    assert.strictEqual(ok.status, 202, ok.text)
    const bad = await postJson(`${server.url}/api/tasks/create`, { programming_language: "c", source_code: "fail it broke" })
    assert.strictEqual(bad.status, 202, bad.text)
    const id = ok.body.task_id as string

    const detail = await until(async () => {
      const r = await call(`${server.url}/dashboard/api/tasks/${id}`)
      return r.body.final ? r.body : undefined
    }, "the task to finish")
    assert.strictEqual(detail.state, "SUCCESS")
    assert.strictEqual(detail.result.stdout, "hello ops\n")
    assert.include(detail.source_code, "print hello ops")
    assert.deepStrictEqual(
      detail.files.out.map((f: { name: string }) => f.name),
      ["report.txt"]
    )
    assert.isNumber(detail.row.queue_ms)

    const file = await fetch(`${server.url}/dashboard/api/tasks/${id}/files/out/report.txt`)
    assert.strictEqual(file.status, 200)
    assert.strictEqual(await file.text(), "42")
    assert.include(file.headers.get("content-disposition") ?? "", "attachment")
    assert.strictEqual((await call(`${server.url}/dashboard/api/tasks/${id}/files/out/..%2Fetc`)).status, 404)

    const all = await call(`${server.url}/dashboard/api/tasks`)
    assert.includeMembers(
      all.body.tasks.map((t: { task_id: string }) => t.task_id),
      [id, bad.body.task_id]
    )
    assert.notProperty(all.body.tasks[0], "source_code", "the list leaves out sources and output")
    const pythonOnly = await call(`${server.url}/dashboard/api/tasks?language=python`)
    assert.deepStrictEqual(
      pythonOnly.body.tasks.map((t: { task_id: string }) => t.task_id),
      [id]
    )
    await until(
      async () => (await call(`${server.url}/dashboard/api/tasks?state=SUCCESS`)).body.tasks.length === 2 || undefined,
      "both to finish"
    )
    const succeeded = await call(`${server.url}/dashboard/api/tasks?state=SUCCESS&language=c`)
    assert.strictEqual(succeeded.body.tasks[0].verdict, "runtime_error")
    assert.strictEqual((await call(`${server.url}/dashboard/api/tasks?state=DONE`)).status, 400)
    assert.strictEqual((await call(`${server.url}/dashboard/api/tasks/00000000-0000-4000-8000-000000000000`)).status, 404)

    const summary = (await call(`${server.url}/dashboard/api/summary?window=10m`)).body
    assert.strictEqual(summary.counts.SUCCESS, 2)
    assert.strictEqual(summary.queue_depth, 0)
    assert.strictEqual(summary.series.length, 60)
    const finished = summary.series.reduce((n: number, p: { succeeded: number }) => n + p.succeeded, 0)
    assert.strictEqual(finished, 2)
    assert.deepStrictEqual(
      summary.languages.map((l: { id: string }) => l.id),
      ["python", "c"]
    )

    const metrics = await call(`${server.url}/metrics`)
    assert.strictEqual(metrics.status, 200)
    assert.include(metrics.headers.get("content-type") ?? "", "text/plain; version=0.0.4")
    assert.strictEqual(sample(metrics.text, 'codebox_tasks{state="SUCCESS"}'), 2)
    assert.strictEqual(sample(metrics.text, "codebox_queue_depth"), 0)
    assert.isAtLeast(sample(metrics.text, 'codebox_tasks_submitted_total{language="python"}') ?? 0, 1)
    assert.isAtLeast(sample(metrics.text, 'codebox_task_verdicts_total{language="c",verdict="runtime_error"}') ?? 0, 1)
    assert.isAtLeast(sample(metrics.text, 'codebox_task_duration_seconds_count{language="python"}') ?? 0, 1)
  })

  it("serves the page with everything inline and a strict Content-Security-Policy", async () => {
    const page = await call(`${server.url}/dashboard`)
    assert.strictEqual(page.status, 200)
    assert.include(page.headers.get("content-type") ?? "", "text/html")
    assert.include(page.text, "/dashboard/api/summary")
    assert.notMatch(page.text, /<script[^>]+src=|<link[^>]+href="(?!data:)|@import|url\(/, "nothing is loaded from elsewhere")
    assert.deepStrictEqual(
      [...page.text.matchAll(/https?:\/\/[^"'\s)]+/g)].map((m) => m[0]),
      ["http://www.w3.org/2000/svg"]
    )
    const csp = page.headers.get("content-security-policy") ?? ""
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/)
    assert.include(csp, "default-src 'none'")
  })
})

describe("operations routes, keys on", () => {
  let server: OpsTestServer
  beforeAll(async () => {
    server = await startOpsServer({ apiKeys: ["s3cret"] })
  })
  afterAll(() => server.close())

  it("asks for the key like the API, and accepts it as a header or as a Basic password", async () => {
    for (const path of ["/dashboard", "/dashboard/api/summary", "/dashboard/api/tasks", "/metrics"]) {
      const none = await call(`${server.url}${path}`)
      assert.strictEqual(none.status, 401, path)
      assert.include(none.headers.get("www-authenticate") ?? "", "Basic")
      assert.strictEqual((await call(`${server.url}${path}`, { headers: { "x-api-key": "wrong" } })).status, 403, path)
      assert.strictEqual((await call(`${server.url}${path}`, { headers: { "x-api-key": "s3cret" } })).status, 200, path)
      assert.strictEqual((await call(`${server.url}${path}`, { headers: { authorization: "Bearer s3cret" } })).status, 200, path)
      const basic = `Basic ${Buffer.from("anyone:s3cret").toString("base64")}`
      assert.strictEqual((await call(`${server.url}${path}`, { headers: { authorization: basic } })).status, 200, path)
    }
  })
})

describe("rate-limit metric", () => {
  let server: OpsTestServer
  beforeAll(async () => {
    server = await startOpsServer({ rateLimit: 2 })
  })
  afterAll(() => server.close())

  it("counts 429 answers by route group, with unknown paths folded into one label", async () => {
    const statuses: Array<number> = []
    for (let i = 0; i < 4; i++) statuses.push((await call(`${server.url}/api/languages`)).status)
    assert.deepStrictEqual(statuses, [200, 200, 429, 429])
    assert.strictEqual((await call(`${server.url}/api/no-such-thing-${Date.now()}`)).status, 429)
    const metrics = (await call(`${server.url}/metrics`)).text
    assert.strictEqual(sample(metrics, 'codebox_rate_limit_rejections_total{group="languages"}'), 2)
    assert.strictEqual(sample(metrics, 'codebox_rate_limit_rejections_total{group="other"}'), 1)
  })
})
