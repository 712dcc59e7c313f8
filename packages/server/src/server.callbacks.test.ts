import * as fs from "node:fs/promises"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { Effect, ManagedRuntime, Redacted } from "effect"
import { HttpServer } from "effect/http"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import { verify } from "./callbacks/signature.ts"
import type { ServerSettings } from "./config.ts"
import { engineLayer } from "./layers.ts"
import { ServerLive } from "./Server.ts"
import { call, postJson, type RunningServer, startServer, testSettings } from "./test-support/harness.ts"
import { scriptedPrograms } from "./test-support/scriptedPrograms.ts"

const secret = "test-callback-secret"
const callbackSettings: Partial<ServerSettings> = {
  callbackSecret: Redacted.make(secret),
  callbackAllow: ["127.0.0.1"],
  maxWaitSeconds: 30
}

interface Received {
  readonly signature: string
  readonly body: string
}

/** A webhook receiver on 127.0.0.1 answering the given statuses in turn (200 once they run out). */
const receiver = async (statuses: ReadonlyArray<number>) => {
  const received: Array<Received> = []
  const waiting: Array<() => void> = []
  const server = http.createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      received.push({ signature: String(request.headers["x-codebox-signature"] ?? ""), body: Buffer.concat(chunks).toString("utf8") })
      response.writeHead(statuses[received.length - 1] ?? 200).end()
      for (const wake of waiting.splice(0)) wake()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  /** Resolves once `count` deliveries arrived (the test's own timeout bounds the wait). */
  const awaitCount = async (count: number) => {
    while (received.length < count) await new Promise<void>((resolve) => waiting.push(resolve))
    return received.slice(0, count)
  }
  return { url, received, awaitCount, close: () => new Promise<void>((resolve) => server.close(() => resolve())) }
}

/** The task's result once its callback reached `state` (polled: the outbox is updated after the POST). */
const awaitCallbackState = async (api: string, taskId: string, state: string) => {
  for (;;) {
    const result = await call(`${api}/tasks/${taskId}/task_result`)
    if (result.body?.callback?.state === state) return result.body
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe("signed callbacks through a real server", () => {
  const programs = scriptedPrograms()
  let server: RunningServer
  let api: string
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, programs.layer), {
      ...callbackSettings,
      callbackRetrySeconds: [0.2, 0.2, 0.2]
    })
    api = `${server.url}/api`
  })
  afterAll(() => server.close())

  it("retries a receiver that answers 500 first: the second delivery is the result, correctly signed", { timeout: 60_000 }, async () => {
    const hook = await receiver([500])
    try {
      const created = await postJson(`${api}/tasks/create`, {
        programming_language: "python",
        source_code: "print hi",
        callback_url: hook.url
      })
      expect(created.status).toBe(202)
      const [first, second] = await hook.awaitCount(2)
      const done = await awaitCallbackState(api, created.body.task_id, "delivered")
      expect(done.callback).toEqual({ url: hook.url, state: "delivered", tries: 2, last_status: 200, last_error: null })
      for (const delivery of [first!, second!]) {
        expect(delivery.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/)
        expect(verify(secret, delivery.signature, delivery.body)).toBe(true)
        expect(verify("another secret", delivery.signature, delivery.body)).toBe(false)
      }
      const { callback: _, ...resultBody } = done
      expect(JSON.parse(second!.body)).toEqual(resultBody)
      expect(resultBody).toMatchObject({ task_id: created.body.task_id, status: "SUCCESS", result: { stdout: "hi\n" } })
    } finally {
      await hook.close()
    }
  })

  it("gives up after the configured tries and says so in the result", { timeout: 60_000 }, async () => {
    const hook = await receiver([503, 503, 503, 503])
    try {
      const created = await postJson(`${api}/tasks/create`, {
        programming_language: "python",
        source_code: "print x",
        callback_url: hook.url
      })
      const done = await awaitCallbackState(api, created.body.task_id, "failed")
      expect(done.callback).toMatchObject({ state: "failed", tries: 4, last_status: 503 })
      expect(hook.received).toHaveLength(4)
    } finally {
      await hook.close()
    }
  })

  it("takes callback_url on a file task's form and on batch items", { timeout: 60_000 }, async () => {
    const hook = await receiver([])
    try {
      const form = new FormData()
      form.append("programming_language", "python")
      form.append("source_code", "print form")
      form.append("callback_url", hook.url)
      const created = await call(`${api}/file_task/create`, { method: "POST", body: form })
      expect(created.status).toBe(202)
      const batch = await postJson(`${api}/tasks/batch`, {
        tasks: [
          { programming_language: "python", source_code: "print batch", callback_url: hook.url },
          { programming_language: "python", source_code: "print batch", callback_url: "http://10.0.0.1/" }
        ]
      })
      expect(batch.body.tasks[0]).toMatchObject({ status: "accepted" })
      expect(batch.body.tasks[1].error).toMatchObject({ _tag: "InvalidTask", field: "callback_url" })
      const bodies = (await hook.awaitCount(2)).map((d) => JSON.parse(d.body).task_id)
      expect(bodies.sort()).toEqual([created.body.task_id, batch.body.tasks[0].task_id].sort())
    } finally {
      await hook.close()
    }
  })

  it.each([
    "http://127.0.0.2:9/",
    "http://[::1]:9/",
    "http://0.0.0.0:9/",
    "http://localhost:9/",
    "file:///etc/passwd",
    "gopher://127.0.0.1:9/",
    "http://169.254.169.254/latest/meta-data/"
  ])("refuses callback_url %s with 400 when only 127.0.0.1 is allowed", async (url) => {
    const json = await postJson(`${api}/tasks/create`, { programming_language: "python", source_code: "print no", callback_url: url })
    expect(json.status).toBe(400)
    expect(json.body).toMatchObject({ _tag: "InvalidTask", field: "callback_url" })
    const form = new FormData()
    form.append("programming_language", "python")
    form.append("source_code", "print no")
    form.append("callback_url", url)
    const multipart = await call(`${api}/file_task/create`, { method: "POST", body: form })
    expect(multipart.status).toBe(400)
    expect(multipart.body).toMatchObject({ _tag: "InvalidTask", field: "callback_url" })
  })
})

describe("callbacks without a signing secret", () => {
  it("are refused with 400 rather than sent unsigned", async () => {
    const server = await startServer((settings) => engineLayer(settings, plugins, scriptedPrograms().layer), {
      callbackAllow: ["127.0.0.1"]
    })
    try {
      const json = await postJson(`${server.url}/api/tasks/create`, {
        programming_language: "python",
        source_code: "print no",
        callback_url: "http://127.0.0.1:9/"
      })
      expect(json.status).toBe(400)
      expect(json.body.message).toContain("CODEBOX_CALLBACK_SECRET")
    } finally {
      await server.close()
    }
  })
})

describe("pending callbacks survive a restart (the outbox is in the store)", () => {
  let dataDir: string | undefined
  afterEach(async () => {
    if (dataDir !== undefined) await fs.rm(dataDir, { recursive: true, force: true })
  })

  /** The server app's engine on a data dir that outlives it (PGlite under it). */
  const start = async (settings: ServerSettings) => {
    const runtime = ManagedRuntime.make(
      ServerLive(engineLayer(settings, plugins, scriptedPrograms().layer), settings, { logRequests: false })
    )
    const address = await runtime.runPromise(Effect.map(Effect.service(HttpServer.HttpServer), (s) => s.address))
    if (!("port" in address)) throw new Error("expected a TCP address")
    return { api: `http://127.0.0.1:${address.port}/api`, stop: () => runtime.dispose() }
  }

  it("a retry due after the server stopped is made by the next server on the same store", { timeout: 120_000 }, async () => {
    const hook = await receiver([500])
    try {
      const settings = await testSettings({ ...callbackSettings, callbackRetrySeconds: [15] })
      dataDir = settings.dataDir
      const first = await start(settings)
      const created = await postJson(`${first.api}/tasks/create`, {
        programming_language: "python",
        source_code: "print once",
        callback_url: hook.url
      })
      expect(created.status).toBe(202)
      await hook.awaitCount(1)
      // The failed try is recorded, the retry is 15 s away: stop this server before it is made.
      const pending = await (async () => {
        for (;;) {
          const body = (await call(`${first.api}/tasks/${created.body.task_id}/task_result`)).body
          if (body.callback?.tries === 1) return body.callback
          await new Promise((resolve) => setTimeout(resolve, 50))
        }
      })()
      expect(pending).toMatchObject({ state: "pending", tries: 1, last_status: 500 })
      await first.stop()
      expect(hook.received).toHaveLength(1)

      const second = await start(settings)
      try {
        const [, retried] = await hook.awaitCount(2)
        expect(verify(secret, retried!.signature, retried!.body)).toBe(true)
        expect(JSON.parse(retried!.body)).toMatchObject({ task_id: created.body.task_id, status: "SUCCESS" })
        const done = await awaitCallbackState(second.api, created.body.task_id, "delivered")
        expect(done.callback).toMatchObject({ state: "delivered", tries: 2, last_status: 200 })
      } finally {
        await second.stop()
      }
    } finally {
      await hook.close()
    }
  })
})
