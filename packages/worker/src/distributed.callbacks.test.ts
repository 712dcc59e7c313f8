import type { ChildProcess } from "node:child_process"
import * as crypto from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { type TaskId, TaskStore } from "@codebox/core"
import { afterEach, describe, expect, it } from "vitest"
import { type Cluster, startCluster } from "./test-support/cluster.ts"
import { startServerOnCluster } from "./test-support/serverProcess.ts"

let cluster: Cluster | undefined
let server: ChildProcess | undefined
let receiver: http.Server | undefined
afterEach(async () => {
  server?.kill("SIGKILL")
  server = undefined
  await cluster?.stop()
  cluster = undefined
  await new Promise<void>((resolve) => (receiver === undefined ? resolve() : receiver.close(() => resolve())))
  receiver = undefined
})

const secret = "distributed-callback-secret"

/** What a receiver computes on its own (not CodeBox's code): HMAC-SHA256 of "<t>.<body>". */
const signatureHolds = (header: string, body: string) => {
  const parts = Object.fromEntries(header.split(",").map((part) => part.split("=", 2)))
  const expected = crypto.createHmac("sha256", secret).update(`${parts.t}.${body}`).digest("hex")
  return parts.v1 === expected && Math.abs(Date.now() / 1000 - Number(parts.t)) < 300
}

/**
 * Distributed mode: a worker process runs the task and stores its result; the API server process,
 * which never ran it, finds the due callback in PostgreSQL and delivers it (here to a receiver on
 * 127.0.0.1, allowed by setting), retrying after a 500.
 */
describe("callbacks in distributed mode", () => {
  it("the server process delivers, signed, the result a worker process stored; a 500 is retried", { timeout: 180_000 }, async () => {
    const received: Array<{ signature: string; body: string }> = []
    receiver = http.createServer((request, response) => {
      const chunks: Array<Buffer> = []
      request.on("data", (chunk: Buffer) => chunks.push(chunk))
      request.on("end", () => {
        received.push({ signature: String(request.headers["x-codebox-signature"]), body: Buffer.concat(chunks).toString("utf8") })
        response.writeHead(received.length === 1 ? 500 : 204).end()
      })
    })
    await new Promise<void>((resolve) => receiver!.listen(0, "127.0.0.1", resolve))
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`

    cluster = await startCluster()
    const worker = cluster.spawnWorker("callbacks-a")
    await cluster.awaitWorker(worker.name)
    const started = await startServerOnCluster(cluster, {
      CODEBOX_CALLBACK_SECRET: secret,
      CODEBOX_CALLBACK_ALLOW: "127.0.0.1",
      CODEBOX_CALLBACK_RETRY_SECONDS: "0.5,0.5"
    })
    server = started.child

    const response = await fetch(`${started.base}/api/tasks/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ programming_language: "python", source_code: "print(6 * 7)", callback_url: hook })
    })
    expect(response.status).toBe(202)
    const { task_id } = (await response.json()) as { task_id: string }

    let result: { callback?: { state: string; tries: number; last_status: number | null } } = {}
    while (result.callback?.state !== "delivered") {
      await new Promise((resolve) => setTimeout(resolve, 200))
      result = (await (await fetch(`${started.base}/api/tasks/${task_id}/task_result`)).json()) as typeof result
    }
    expect(result.callback).toMatchObject({ state: "delivered", tries: 2, last_status: 204 })
    expect(received).toHaveLength(2)
    for (const delivery of received) {
      expect(signatureHolds(delivery.signature, delivery.body)).toBe(true)
      expect(JSON.parse(delivery.body)).toMatchObject({ task_id, status: "SUCCESS", result: { stdout: "42\n" } })
    }
    const stored = await cluster.run(TaskStore.use((s) => s.get(task_id as TaskId)))
    expect(stored.worker).toBe("callbacks-a")
  })
})
