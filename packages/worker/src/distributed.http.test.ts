import type { ChildProcess } from "node:child_process"
import { TaskStore } from "@codebox/core"
import { testAmqpUrl } from "@codebox/test-support"
import { afterEach, describe, expect, it } from "vitest"
import { type Cluster, startCluster } from "./test-support/cluster.ts"
import { freePort, startServerProcess } from "./test-support/serverProcess.ts"

let cluster: Cluster | undefined
let server: ChildProcess | undefined
afterEach(async () => {
  server?.kill("SIGKILL")
  server = undefined
  await cluster?.stop()
  cluster = undefined
})

/** Starts the API server app as its own process on the cluster's PostgreSQL and RabbitMQ. */
const startServer = async (c: Cluster) => {
  const started = await startServerProcess({
    DATABASE_URL: c.databaseUrl,
    CODEBOX_AMQP_URL: testAmqpUrl,
    CODEBOX_AMQP_QUEUE: c.queue,
    CODEBOX_DATA_DIR: c.dataDir
  })
  server = started.child
  return started.base
}

describe("distributed mode through HTTP: server process, RabbitMQ, PostgreSQL, worker processes", () => {
  it("runs tasks and file tasks accepted by the API server on the worker processes", { timeout: 180_000 }, async () => {
    cluster = await startCluster()
    const metricsPorts = [await freePort(), await freePort()]
    const workers = [
      cluster.spawnWorker("http-a", { CODEBOX_WORKER_METRICS_PORT: String(metricsPorts[0]), CODEBOX_WORKER_METRICS_HOST: "127.0.0.1" }),
      cluster.spawnWorker("http-b", { CODEBOX_WORKER_METRICS_PORT: String(metricsPorts[1]), CODEBOX_WORKER_METRICS_HOST: "127.0.0.1" })
    ]
    for (const w of workers) await cluster.awaitWorker(w.name)
    const base = await startServer(cluster)

    const create = async (body: object) => {
      const response = await fetch(`${base}/api/tasks/create`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body)
      })
      expect(response.status).toBe(202)
      return ((await response.json()) as { task_id: string }).task_id
    }
    const ids = await Promise.all([
      create({ programming_language: "python", source_code: "print(6 * 7)" }),
      create({ programming_language: "javascript", source_code: "console.log(6 * 7)" }),
      create({ programming_language: "php", source_code: "<?php echo 6 * 7, PHP_EOL;" }),
      create({ programming_language: "c", source_code: '#include <stdio.h>\nint main(void) { printf("%d\\n", 6 * 7); }' })
    ])

    const form = new FormData()
    form.append("programming_language", "python")
    form.append("source_code", "open(OUT_twice.txt, 'w').write(open(IN_1).read() * 2)")
    form.append("input_files", "in.txt")
    form.append("files", new Blob(["abc"]), "in.txt")
    const fileTask = await fetch(`${base}/api/file_task/create`, { method: "POST", body: form })
    expect(fileTask.status).toBe(202)
    const fileTaskId = ((await fileTask.json()) as { task_id: string }).task_id

    for (const id of ids) {
      const response = await fetch(`${base}/api/tasks/${id}/task_result?wait=60`)
      const body = (await response.json()) as { status: string; result: { stdout: string } }
      expect([response.status, body.status, body.result.stdout]).toEqual([200, "SUCCESS", "42\n"])
    }
    await fetch(`${base}/api/tasks/${fileTaskId}/task_result?wait=60`)
    const download = await fetch(`${base}/api/file_task/${fileTaskId}/download`)
    expect(download.status).toBe(200)
    expect(await download.text()).toBe("abcabc")

    // The server only accepted them: every one ran on a worker process, once.
    const all = [...ids, fileTaskId]
    const stored = await cluster.run(TaskStore.use((s) => s.list({ limit: 100 })))
    for (const task of stored) expect(["http-a", "http-b"]).toContain(task.worker)
    expect(stored.map((t) => t.task_id).sort()).toEqual([...all].sort())
    const completions = await cluster.completions()
    expect(all.map((id) => completions.get(id))).toEqual(all.map(() => 1))

    // Each worker serves the metrics of what it ran: together, the five verdicts.
    let okVerdicts = 0
    for (const port of metricsPorts) {
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
      for (const [, n] of metrics.matchAll(/^codebox_task_verdicts_total\{[^}]*verdict="ok"[^}]*\} (\d+)$/gm)) okVerdicts += Number(n)
    }
    expect(okVerdicts).toBe(5)
  })
})
