import { type Task, TaskStore } from "@codebox/core"
import { Effect } from "effect"
import { afterEach, describe, expect, it } from "vitest"
import { type Cluster, startCluster } from "./test-support/cluster.ts"
import { faultRun } from "./test-support/faultRun.ts"

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

  it("1,000 tasks over three workers while a worker, RabbitMQ and PostgreSQL crash: none lost, none wrong, none run twice", {
    timeout: 900_000
  }, async () => {
    cluster = await startCluster()
    const report = await faultRun(cluster, 1000)
    console.log(JSON.stringify(report))
    // Each fault struck work in flight: some tasks queued and some running at that moment.
    expect(report.faults.length).toBe(3)
    for (const hit of report.faults) {
      expect(hit.queued, hit.fault).toBeGreaterThan(0)
      expect(hit.running, hit.fault).toBeGreaterThan(0)
    }
    expect({ lost: report.lost, wrong: report.wrong, runTwice: report.runTwice }).toEqual({ lost: 0, wrong: 0, runTwice: 0 })
    // Only what the killed worker had in flight (concurrency 2) may have run once more.
    expect(report.rerunAfterKill).toBeLessThanOrEqual(2)
  })
})
