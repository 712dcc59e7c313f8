import { type Task, TaskStore } from "@codebox/core"
import { Effect, Schedule } from "effect"
import type { Cluster, WorkerProcess } from "./cluster.ts"
import { crashPostgres, crashRabbitMq } from "./services.ts"

/** What one fault found in flight at the moment it struck. */
export interface FaultHit {
  readonly fault: string
  readonly queued: number
  readonly running: number
}

export interface FaultRunReport {
  readonly tasks: number
  /** Not final when the run ended. */
  readonly lost: number
  /** Final, but not SUCCESS with the output its program prints. */
  readonly wrong: number
  /**
   * Run to the end more than once, as the workers' own logs tell (not the store), not counting a
   * run of the worker killed with SIGKILL: a run it finished but had not yet stored must run again
   * (no process can store a result after SIGKILL), which is the at-least-once cost of that crash.
   */
  readonly runTwice: number
  /** Tasks run again because the killed worker had run them without storing the result (at most its concurrency). */
  readonly rerunAfterKill: number
  readonly faults: ReadonlyArray<FaultHit>
  readonly seconds: number
}

/** Each task prints its own number, so a result that belongs to another task is seen as wrong. */
const program = (i: number) => `print(${i})\n`

/** A run that reached its end, as each worker logs it (debug level) before storing its result. */
const finishedRun = /task ([0-9a-f-]{36}): ran \(attempt \d+\)/g

/**
 * The fault soak behind the fault test and `npm run bench`: `tasks` python programs over three
 * worker processes, while a worker is killed (SIGKILL), RabbitMQ is crashed (SIGKILL of its node)
 * and PostgreSQL is crashed (immediate shutdown), each when part of the work is queued and part
 * is running. Counts what was lost, what came out wrong, and what ran twice, the last from the
 * workers' own logs, so a duplicate run is seen even where the store's conditional update hides it.
 */
export const faultRun = async (cluster: Cluster, tasks: number): Promise<FaultRunReport> => {
  const started = Date.now()
  const env = { CODEBOX_LOG_LEVEL: "Debug", CODEBOX_WORKER_CONCURRENCY: "2" }
  const workers: Array<WorkerProcess> = ["soak-a", "soak-b", "soak-c"].map((name) => cluster.spawnWorker(name, env))
  for (const w of workers) await cluster.awaitWorker(w.name)

  const submitted: Array<Task> = []
  for (let i = 0; i < tasks; i += 100) {
    const batch = Array.from({ length: Math.min(100, tasks - i) }, (_, k) => program(i + k))
    submitted.push(...(await cluster.submitPrograms(batch)))
  }

  const states = () =>
    cluster.run(TaskStore.use((store) => store.counts).pipe(Effect.retry({ schedule: Schedule.spaced("200 millis"), times: 600 })))
  /** Waits until `share` of the tasks finished, then says what is queued and running right now. */
  const atProgress = async (share: number) => {
    while (true) {
      const counts = await states()
      if (counts.SUCCESS + counts.FAILURE >= share * tasks)
        return { queued: counts.PENDING + counts.RETRY + counts.RECEIVED, running: counts.STARTED }
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  const faults: Array<FaultHit> = []
  // 1. A worker killed with SIGKILL while it runs tasks.
  let hit = await atProgress(0.15)
  const running = await cluster.run(TaskStore.use((s) => s.list({ state: "STARTED", limit: 1000 })))
  const victim = workers.find((w) => running.some((t) => t.worker === w.name)) ?? workers[0]!
  victim.child.kill("SIGKILL")
  await victim.exited
  faults.push({ fault: `worker ${victim.name} killed (SIGKILL)`, ...hit })
  workers.push(cluster.spawnWorker("soak-d", env))

  // 2. RabbitMQ's node killed with SIGKILL.
  hit = await atProgress(0.4)
  await Effect.runPromise(crashRabbitMq())
  faults.push({ fault: "RabbitMQ node killed (SIGKILL), then started", ...hit })

  // 3. PostgreSQL stopped in immediate mode (a crash: WAL replay at start).
  hit = await atProgress(0.65)
  await Effect.runPromise(crashPostgres)
  faults.push({ fault: "PostgreSQL crashed (stop -m immediate), then started", ...hit })

  const done = await cluster.awaitAll(submitted, "600 seconds").catch(() => null)
  const final = done ?? (await cluster.run(Effect.forEach(submitted, (t) => TaskStore.use((s) => s.get(t.task_id)))))
  const lost = final.filter((t) => t.state !== "SUCCESS" && t.state !== "FAILURE" && t.state !== "REVOKED").length
  const index = new Map(submitted.map((t, i) => [t.task_id, i]))
  const wrong = final.filter(
    (t) => (t.state === "SUCCESS" || t.state === "FAILURE") && (t.state !== "SUCCESS" || t.result?.stdout !== `${index.get(t.task_id)}\n`)
  ).length

  const runsBy = (ws: ReadonlyArray<WorkerProcess>) => {
    const runs = new Map<string, number>()
    for (const w of ws) for (const m of w.output().matchAll(finishedRun)) runs.set(m[1]!, (runs.get(m[1]!) ?? 0) + 1)
    return runs
  }
  const survivors = runsBy(workers.filter((w) => w !== victim))
  const runTwice = [...survivors.values()].filter((n) => n > 1).length
  // What every worker logged of a task run twice, so a failing run says how it happened.
  for (const [id, n] of survivors) {
    if (n < 2) continue
    for (const w of workers) {
      // A logged cause (a stack, say) follows its line on lines without a timestamp of their own.
      let following = false
      for (const line of w.output().split("\n")) {
        if (line.includes(id)) following = true
        else if (line.startsWith("[")) following = false
        if (following) console.log(`run twice: ${w.name}: ${line}`)
      }
    }
  }
  const rerunAfterKill = [...runsBy([victim]).keys()].filter((id) => survivors.has(id)).length
  return { tasks, lost, wrong, runTwice, rerunAfterKill, faults, seconds: Math.round((Date.now() - started) / 1000) }
}
