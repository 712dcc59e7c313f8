import { Clock, Effect } from "effect"
import { FileStorage, isFinal, Languages, type Task, type TaskFilter, TaskNotFound, TaskQueue, TaskStore } from "@codebox/core"
import { QueueSampler } from "./QueueSampler.ts"

/** A task as the dashboard's list shows it: no source or output, so a page of 100 stays small. */
export interface TaskRow {
  readonly task_id: string
  readonly language: string
  readonly state: Task["state"]
  readonly verdict: string | null
  readonly returncode: number | null
  readonly attempts: number
  readonly worker: string | null
  readonly error: string | null
  readonly created_at: number
  readonly started_at: number | null
  readonly finished_at: number | null
  /** Waiting time before a worker started it. */
  readonly queue_ms: number | null
  /** From start to stored result. */
  readonly run_ms: number | null
  /** Judge tasks: cases passed of the total and the summary verdict; null for a plain run. */
  readonly tests: { readonly total: number; readonly passed: number; readonly verdict: string } | null
}

export const taskRow = (t: Task): TaskRow => ({
  task_id: t.task_id,
  language: t.language,
  state: t.state,
  verdict: t.result?.verdict ?? null,
  returncode: t.result?.returncode ?? null,
  attempts: t.attempts,
  worker: t.worker,
  error: t.error,
  created_at: t.created_at,
  started_at: t.started_at,
  finished_at: t.finished_at,
  queue_ms: t.started_at === null ? null : t.started_at - t.created_at,
  run_ms: t.started_at === null || t.finished_at === null ? null : t.finished_at - t.started_at,
  tests: t.result?.summary ?? (t.judge != null ? { total: t.judge.tests.length, passed: 0, verdict: "pending" } : null)
})

export interface SeriesPoint {
  /** Start of the bucket, epoch ms. */
  readonly t: number
  readonly succeeded: number
  readonly failed: number
  readonly revoked: number
  readonly queue_p50_ms: number | null
  readonly queue_p95_ms: number | null
  readonly run_p50_ms: number | null
  readonly run_p95_ms: number | null
}

/** Nearest-rank percentile of an ascending array. */
export const percentile = (sorted: ReadonlyArray<number>, p: number): number | null =>
  sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!

/**
 * Throughput and latency per time bucket, from the tasks that finished in the window. Built from
 * the store, so it is the same in every server replica and includes what remote workers did.
 */
export const finishedSeries = (
  tasks: ReadonlyArray<Task>,
  options: { readonly now: number; readonly windowMs: number; readonly buckets: number }
): ReadonlyArray<SeriesPoint> => {
  const bucketMs = options.windowMs / options.buckets
  const start = options.now - options.windowMs
  const slots = Array.from({ length: options.buckets }, () => ({
    ok: 0,
    failed: 0,
    revoked: 0,
    queue: [] as Array<number>,
    run: [] as Array<number>
  }))
  for (const t of tasks) {
    if (t.finished_at === null || t.finished_at < start || t.finished_at > options.now) continue
    const slot = slots[Math.min(options.buckets - 1, Math.floor((t.finished_at - start) / bucketMs))]!
    if (t.state === "SUCCESS") slot.ok++
    else if (t.state === "FAILURE") slot.failed++
    else if (t.state === "REVOKED") slot.revoked++
    if (t.started_at !== null && t.state !== "REVOKED") {
      slot.queue.push(t.started_at - t.created_at)
      slot.run.push(t.finished_at - t.started_at)
    }
  }
  const asc = (a: number, b: number) => a - b
  return slots.map((s, i) => {
    const queue = s.queue.sort(asc)
    const run = s.run.sort(asc)
    return {
      t: Math.round(start + i * bucketMs),
      succeeded: s.ok,
      failed: s.failed,
      revoked: s.revoked,
      queue_p50_ms: percentile(queue, 0.5),
      queue_p95_ms: percentile(queue, 0.95),
      run_p50_ms: percentile(run, 0.5),
      run_p95_ms: percentile(run, 0.95)
    }
  })
}

/** The newest tasks the summary's charts are computed from; older ones are not looked at. */
export const seriesSampleLimit = 2000

/** The windows the dashboard offers, each with 60 buckets. */
export const windows: Readonly<Record<string, number>> = { "10m": 10 * 60_000, "1h": 60 * 60_000, "6h": 6 * 60 * 60_000 }

export const listTasks = (filter: TaskFilter) => TaskStore.use((store) => store.list(filter)).pipe(Effect.map((ts) => ts.map(taskRow)))

/**
 * Everything on the dashboard except the task list: counts, backlog, workers, charts. With an
 * `owner`, the counts and charts cover that tenant's tasks only; workers and the backlog are the
 * service's (they say how busy it is, nothing of anyone's tasks).
 */
export const summary = (window: string, owner?: string) =>
  Effect.gen(function* () {
    const store = yield* TaskStore
    const queue = yield* TaskQueue
    const sampler = yield* QueueSampler
    const languages = yield* Languages
    const now = yield* Clock.currentTimeMillis
    const windowMs = windows[window] ?? windows["10m"]!
    const [counts, depth, workers, recent] = yield* Effect.all(
      [
        owner === undefined ? store.counts : store.countsOf(owner),
        queue.depth.pipe(Effect.orElseSucceed(() => null)),
        store.workers,
        store.list({ limit: seriesSampleLimit, ...(owner === undefined ? {} : { owner }) })
      ],
      { concurrency: "unbounded" }
    )
    const oldestSampled = recent.length === seriesSampleLimit ? recent[recent.length - 1]?.created_at : null
    return {
      now,
      window: windows[window] === undefined ? "10m" : window,
      counts,
      queue_depth: depth,
      languages: languages.all.map((p) => ({ id: p.id, name: p.displayName })),
      workers: workers.map((w) => ({ ...w, heartbeat_age_ms: Math.max(0, now - w.last_seen) })),
      series: finishedSeries(recent, { now, windowMs, buckets: 60 }),
      // When the store holds more tasks than were read, the charts only cover tasks created after this.
      series_complete_after: oldestSampled,
      backlog: yield* sampler.since(now - windowMs)
    }
  })

/** One task with what the list leaves out: source, input, output, files and timings. */
export const taskDetail = (id: string, visible: (task: Task) => boolean = () => true) =>
  Effect.gen(function* () {
    const store = yield* TaskStore
    const storage = yield* FileStorage
    const task = yield* store.get(id)
    // Another tenant's task is answered like one that does not exist.
    if (!visible(task)) return yield* new TaskNotFound({ task_id: id, message: "TaskResult does not exist" })
    const inputs = yield* storage.list(id, "in").pipe(Effect.orElseSucceed(() => []))
    return {
      ...task,
      row: taskRow(task),
      final: isFinal(task.state),
      files: {
        in: inputs,
        out: task.result?.files ?? []
      }
    }
  })
