import { isFinal, type Task, type TaskResult } from "@codebox/core"
import type { TaskFinished, TaskInProgress, WireResult } from "../api/wire.ts"

/** What a task that has no program result (FAILURE, REVOKED) reports, with its `error` saying why. */
const noResult = (error: string): TaskResult => ({
  stdout: "",
  stderr: "",
  stdout_base64: null,
  stderr_base64: null,
  returncode: null,
  signal: null,
  limit: null,
  stdout_truncated: false,
  stderr_truncated: false,
  wall_time_ms: 0,
  cpu_time_ms: null,
  memory_peak_bytes: null,
  error,
  output_files: [],
  files: [],
  verdict: null,
  compile: null
})

/**
 * The `result` object of a finished task: the stored result (decoded by the store, see
 * StoredTaskResult). A task that could not run (FAILURE) or was cancelled (REVOKED) has no program
 * result, so its `error` says why.
 */
export const wireResult = (task: Task): WireResult =>
  task.result === null ? noResult(task.error ?? task.state.toLowerCase()) : { ...task.result, error: task.result.error ?? task.error }

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
