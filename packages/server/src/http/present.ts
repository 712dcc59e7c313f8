import { emptyTaskResult, isFinal, type Task } from "@codebox/core"
import type { TaskFinished, TaskInProgress, WireResult } from "../api/wire.ts"

/**
 * The `result` object of a finished task: the stored result (decoded by the store, see
 * StoredTaskResult). A task that could not run (FAILURE) or was cancelled (REVOKED) has no program
 * result, so its `error` says why.
 */
export const wireResult = (task: Task): WireResult =>
  task.result === null
    ? { ...emptyTaskResult, error: task.error ?? task.state.toLowerCase() }
    : { ...task.result, error: task.result.error ?? task.error }

/** 200 body of a finished task. */
export const finishedView = (task: Task): TaskFinished => ({
  task_id: task.task_id,
  status: task.state as TaskFinished["status"],
  result: wireResult(task)
})

/** 202 body of a task not finished yet. */
export const progressView = (task: Task): TaskInProgress => {
  const state = task.state as TaskInProgress["state"]
  return { status: state, state }
}

/** 200 body for a finished task, 202 body while it is not. */
export const taskView = (task: Task): TaskFinished | TaskInProgress => (isFinal(task.state) ? finishedView(task) : progressView(task))
