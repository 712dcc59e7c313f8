import { type Task, TaskStore } from "@codebox/core"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { type Cluster, startCluster } from "./test-support/cluster.ts"
import { restartPostgres, restartRabbitMq } from "./test-support/services.ts"

let cluster: Cluster | undefined
afterEach(async () => {
  await cluster?.stop()
  cluster = undefined
})

const slowHello = (seconds: number) => `import time\ntime.sleep(${seconds})\nprint("hello")\n`

/** Every task SUCCESS with python's hello, and each reached a final state exactly once. */
const expectAllDoneOnce = async (c: Cluster, tasks: ReadonlyArray<Task>) => {
  const done = await c.awaitAll(tasks)
  for (const task of done) {
    expect(task.state, `${task.task_id}: ${task.error}`).toBe("SUCCESS")
    expect(task.result?.stdout).toBe("hello\n")
  }
  const completions = await c.completions()
  expect(tasks.map((t) => completions.get(t.task_id))).toEqual(tasks.map(() => 1))
  return done
}

/** Waits until the store says the task is in the given state; returns it. */
const awaitState = (c: Cluster, task: Task, state: Task["state"]) =>
  c.run(
    Effect.gen(function* () {
      const store = yield* TaskStore
      while (true) {
        const now = yield* store.get(task.task_id)
        if (now.state === state) return now
        yield* Effect.sleep("50 millis")
      }
    }).pipe(Effect.timeout("60 seconds"))
  )

describe("distributed mode under faults: every accepted task completes exactly once", () => {
  it("a worker killed with SIGKILL mid-task: the other worker takes the task over", { timeout: 240_000 }, async () => {
    cluster = await startCluster()
    const workers = [cluster.spawnWorker("kill-a"), cluster.spawnWorker("kill-b")]
    for (const w of workers) await cluster.awaitWorker(w.name)
    const [slow] = await cluster.submitHello(1, slowHello(3))
    const started = await awaitState(cluster, slow!, "STARTED")
    const victim = workers.find((w) => w.name === started.worker)!
    const survivor = workers.find((w) => w !== victim)!
    const others = await cluster.submitHello(6)
    victim.child.kill("SIGKILL")
    expect(await victim.exited).toBe("SIGKILL")

    const [taken] = await expectAllDoneOnce(cluster, [slow!])
    expect(taken!.worker).toBe(survivor.name)
    expect(taken!.attempts).toBe(2)
    await expectAllDoneOnce(cluster, [slow!, ...others])
  })

  it("RabbitMQ restarted with tasks queued (and one submitted while it is down)", { timeout: 300_000 }, async () => {
    cluster = await startCluster({ CODEBOX_WORKER_CONCURRENCY: "1" })
    const worker = cluster.spawnWorker("amqp-a")
    await cluster.awaitWorker(worker.name)
    const queued = await cluster.submitHello(8, slowHello(0.3))
    await awaitState(cluster, queued[0]!, "SUCCESS")
    // While the broker is down the API still accepts: the task is stored, and its publish is
    // retried until the broker is back (or the reconciler queues it).
    const duringOutage: ReadonlyArray<Task> = await Effect.runPromise(restartRabbitMq(Effect.promise(() => cluster!.submitHello(1))))
    const after = await cluster.submitHello(3)
    await expectAllDoneOnce(cluster, [...queued, ...duringOutage, ...after])
    expect(worker.child.exitCode).toBeNull()
  })

  it("PostgreSQL restarted while workers run", { timeout: 300_000 }, async () => {
    cluster = await startCluster()
    const workers = [cluster.spawnWorker("pg-a"), cluster.spawnWorker("pg-b")]
    for (const w of workers) await cluster.awaitWorker(w.name)
    const tasks = await cluster.submitHello(10, slowHello(0.3))
    await awaitState(cluster, tasks[0]!, "SUCCESS")
    await Effect.runPromise(restartPostgres)
    const after = await cluster.submitHello(2)
    await expectAllDoneOnce(cluster, [...tasks, ...after])
    expect(workers.every((w) => w.child.exitCode === null)).toBe(true)
  })
})
