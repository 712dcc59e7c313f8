import { isFinal, type Task } from "@codebox/core"
import type { TaskFinished, TaskInProgress, WireResult } from "../api/wire.ts"

type Loose = Readonly<Record<string, unknown>>

const text = (value: unknown): string => (typeof value === "string" ? value : value == null ? "" : String(value))
const intOrNull = (value: unknown): number | null => (typeof value === "number" && Number.isInteger(value) ? value : null)
const strings = (value: unknown): ReadonlyArray<string> =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : []

/** Extra fields are copied only when they have the right shape, so an old stored result never breaks a read. */
const extras = (raw: Loose): Partial<WireResult> => {
  const out: Record<string, unknown> = {}
  const copy = (key: string, ok: (v: unknown) => boolean) => {
    if (key in raw && ok(raw[key])) out[key] = raw[key]
  }
  const isNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v)
  const orNull = (ok: (v: unknown) => boolean) => (v: unknown) => v === null || ok(v)
  copy("files", Array.isArray)
  copy(
    "verdict",
    orNull((v) => typeof v === "string")
  )
  copy(
    "signal",
    orNull((v) => typeof v === "string")
  )
  copy(
    "limit",
    orNull((v) => typeof v === "string")
  )
  copy("stdout_truncated", (v) => typeof v === "boolean")
  copy("stderr_truncated", (v) => typeof v === "boolean")
  copy("wall_time_ms", isNumber)
  copy("cpu_time_ms", orNull(isNumber))
  copy("memory_peak_bytes", orNull(isNumber))
  copy("compile", (v) => v === null || typeof v === "object")
  return out as Partial<WireResult>
}

/**
 * The `result` object of a finished task. Results written by the old service may carry `sterr`
 * instead of `stderr`; it is reported as `stderr`. A task that could not run (FAILURE) or was
 * cancelled (REVOKED) has no program result, so its `error` says why.
 */
export const wireResult = (task: Task): WireResult => {
  const raw = (task.result ?? null) as Loose | null
  if (raw === null) {
    return { stdout: "", stderr: "", returncode: null, error: task.error ?? task.state.toLowerCase(), output_files: [] }
  }
  return {
    stdout: text(raw.stdout),
    stderr: text(raw.stderr ?? raw.sterr),
    returncode: intOrNull(raw.returncode),
    error: typeof raw.error === "string" ? raw.error : task.error,
    output_files: strings(raw.output_files),
    ...extras(raw)
  }
}

/** 200 body of a finished task. */
export const finishedView = (task: Task): TaskFinished => ({
  task_id: task.task_id,
  status: task.state as TaskFinished["status"],
  result: wireResult(task)
})

/** 202 body of a task not finished yet. */
export const progressView = (task: Task): TaskInProgress => ({ state: task.state as TaskInProgress["state"] })

/** 200 body for a finished task, 202 body while it is not. */
export const taskView = (task: Task): TaskFinished | TaskInProgress => (isFinal(task.state) ? finishedView(task) : progressView(task))
