import { TaskQueue, TaskStore } from "@codebox/core"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { type Cluster, startCluster } from "./test-support/cluster.ts"

let cluster: Cluster | undefined
afterEach(async () => {
  await cluster?.stop()
  cluster = undefined
})

/** Every task SUCCESS with python's hello, each completed exactly once. */
const expectAllDoneOnce = async (c: Cluster, ids: ReadonlyArray<string>) => {
  const done = await c.awaitAll(ids.map((task_id) => ({ task_id }) as never))
  for (const task of done) {
    expect(task.state, `${task.task_id}: ${task.error}`).toBe("SUCCESS")
    expect(task.result?.stdout).toBe("hello\n")
  }
  const completions = await c.completions()
  expect(ids.map((id) => completions.get(id))).toEqual(ids.map(() => 1))
  return done
}

describe("distributed mode: API, RabbitMQ, PostgreSQL and worker processes", () => {
  it("runs tasks submitted through the engine on separate worker processes", { timeout: 180_000 }, async () => {
    cluster = await startCluster()
    const workers = [cluster.spawnWorker("flow-a"), cluster.spawnWorker("flow-b")]
    for (const w of workers) await cluster.awaitWorker(w.name)
    const tasks = await cluster.submitHello(12)
    const done = await expectAllDoneOnce(
      cluster,
      tasks.map((t) => t.task_id)
    )
    expect(new Set(done.map((t) => t.worker)).size).toBeGreaterThanOrEqual(1)
    for (const t of done) expect(["flow-a", "flow-b"]).toContain(t.worker)
    expect(done.every((t) => t.attempts === 1)).toBe(true)

    const statuses = await cluster.run(TaskStore.use((s) => s.workers))
    expect(statuses.map((w) => [w.name, w.state, w.concurrency])).toEqual([
      ["flow-a", "running", 2],
      ["flow-b", "running", 2]
    ])
    expect(await cluster.run(TaskQueue.use((q) => q.depth))).toBe(0)
  })

  it("two workers competing for duplicated messages complete each task once; duplicates are acked and dropped", {
    timeout: 180_000
  }, async () => {
    cluster = await startCluster()
    const tasks = await cluster.submitHello(16)
    // Every id published a second time: a late duplicate, as a reconciler or a redelivery makes.
    await cluster.run(TaskQueue.use((q) => Effect.forEach(tasks, (t) => q.publish(t.task_id))))
    const workers = [cluster.spawnWorker("compete-a"), cluster.spawnWorker("compete-b")]
    const done = await expectAllDoneOnce(
      cluster,
      tasks.map((t) => t.task_id)
    )
    expect(done.every((t) => t.attempts === 1)).toBe(true)
    // The duplicates were consumed too (acked, not left in the queue).
    const depth = () => cluster!.run(TaskQueue.use((q) => q.depth))
    for (let i = 0; i < 100 && (await depth()) > 0; i++) await new Promise((r) => setTimeout(r, 100))
    expect(await depth()).toBe(0)
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true)
  })

  it("stops gracefully on SIGTERM: the task in flight finishes, the worker says so and exits 0", { timeout: 180_000 }, async () => {
    cluster = await startCluster()
    const worker = cluster.spawnWorker("graceful")
    await cluster.awaitWorker(worker.name)
    const [task] = await cluster.submitHello(1, `import time\ntime.sleep(1.5)\nprint("hello")\n`)
    await cluster.run(
      Effect.gen(function* () {
        const store = yield* TaskStore
        while ((yield* store.get(task!.task_id)).state !== "STARTED") yield* Effect.sleep("50 millis")
      })
    )
    worker.child.kill("SIGTERM")
    expect(await worker.exited).toBe(0)
    const [done] = await cluster.awaitAll([task!], "5 seconds")
    expect(done!.state).toBe("SUCCESS")
    expect(done!.result?.stdout).toBe("hello\n")
    const statuses = await cluster.run(TaskStore.use((s) => s.workers))
    expect(statuses.find((w) => w.name === "graceful")?.state).toBe("stopped")
  })

  it("refuses to start with a clear error when the broker cannot be reached", { timeout: 60_000 }, async () => {
    cluster = await startCluster()
    const worker = cluster.spawnWorker("no-broker", { CODEBOX_AMQP_URL: "amqp://guest:secret@127.0.0.1:1" })
    expect(await worker.exited).toBe(1)
    expect(worker.output()).toContain("cannot reach RabbitMQ at amqp://guest:***@127.0.0.1:1")
    expect(worker.output()).not.toContain("secret")
  })
})
