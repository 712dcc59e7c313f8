import { Clock, Effect, Metric } from "effect"
import type { Task, TaskState } from "../domain/Task.ts"
import type { Verdict } from "../domain/TaskResult.ts"

/**
 * CodeBox's own metrics, recorded where things happen (submit, claim, completion, cleanup, the
 * rate limiter) and rendered for Prometheus by `Prometheus.ts`. Names follow Prometheus' conventions:
 * `_total` for counters, base units (seconds, bytes).
 */

/** Seconds, from a fast sandbox run to a long queue wait. */
const secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]

export const tasksSubmitted = Metric.counter("codebox_tasks_submitted_total", {
  description: "Tasks accepted by the API or the library, by language",
  incremental: true
})

export const tasksFinished = Metric.counter("codebox_tasks_finished_total", {
  description: "Tasks that reached a final state (SUCCESS, FAILURE, REVOKED), by language and state",
  incremental: true
})

export const taskVerdicts = Metric.counter("codebox_task_verdicts_total", {
  description: "Verdicts of tasks that ran, by language and verdict",
  incremental: true
})

export const taskQueueLatency = Metric.histogram("codebox_task_queue_latency_seconds", {
  description: "Time from submission to a worker starting the task, by language",
  boundaries: secondsBuckets
})

export const taskDuration = Metric.histogram("codebox_task_duration_seconds", {
  description: "Time from a worker starting the task to its result being stored, by language",
  boundaries: secondsBuckets
})

export const rateLimitRejections = Metric.counter("codebox_rate_limit_rejections_total", {
  description: "Requests refused with 429 by the rate limiter, by route group",
  incremental: true
})

export const cleanupRuns = Metric.counter("codebox_cleanup_runs_total", {
  description: "Cleanup runs, by outcome (ok, failed)",
  incremental: true
})

export const cleanupTasksRemoved = Metric.counter("codebox_cleanup_tasks_removed_total", {
  description: "Task rows removed by cleanup because they finished before the retention",
  incremental: true
})

export const cleanupOrphansRemoved = Metric.counter("codebox_cleanup_orphans_removed_total", {
  description: "File areas removed by cleanup whose task no longer exists",
  incremental: true
})

export const cleanupFreedBytes = Metric.counter("codebox_cleanup_freed_bytes_total", {
  description: "Bytes of input and output files removed by cleanup",
  incremental: true
})

const seconds = (fromMs: number, toMs: number) => Math.max(0, toMs - fromMs) / 1000

/** A task was accepted (durable). */
export const recordSubmitted = (task: Task) => Metric.update(Metric.withAttributes(tasksSubmitted, { language: task.language }), 1)

/** A worker claimed the task: the time it waited is its queue latency. */
export const recordStarted = (task: Task) =>
  Effect.gen(function* () {
    const startedAt = task.started_at ?? (yield* Clock.currentTimeMillis)
    yield* Metric.update(Metric.withAttributes(taskQueueLatency, { language: task.language }), seconds(task.created_at, startedAt))
  })

/** The task reached a final state; `startedAt` is null for a task revoked before it ran. */
export const recordFinished = (
  task: Pick<Task, "language" | "started_at">,
  state: Extract<TaskState, "SUCCESS" | "FAILURE" | "REVOKED">,
  verdict: Verdict | null
) =>
  Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const language = task.language
    yield* Metric.update(Metric.withAttributes(tasksFinished, { language, state }), 1)
    if (verdict !== null) yield* Metric.update(Metric.withAttributes(taskVerdicts, { language, verdict }), 1)
    if (task.started_at !== null && state !== "REVOKED") {
      yield* Metric.update(Metric.withAttributes(taskDuration, { language }), seconds(task.started_at, now))
    }
  })

/** The rate limiter refused a request; `group` is the API group or route it was for. */
export const recordRateLimited = (group: string) => Metric.update(Metric.withAttributes(rateLimitRejections, { group }), 1)

export const outputZipBuilds = Metric.counter("codebox_output_zip_builds_total", {
  description: "Zips of a task's output files built for download (each task's is built once and kept)",
  incremental: true
})
