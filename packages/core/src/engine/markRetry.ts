import { Effect } from "effect"
import type { TaskId } from "../domain/Task.ts"
import type { RetryCondition, TaskStore } from "../TaskStore.ts"
import { publishState } from "./liveOutput.ts"

/**
 * Marks a task RETRY in the store (only if it is still as `seen`, when given) and, when it was,
 * tells whoever watches the task's events: every path that hands a task back goes through here.
 */
export const markRetry = (store: TaskStore["Service"], taskId: TaskId, reason: string, seen?: RetryCondition) =>
  Effect.tap(store.retry(taskId, reason, seen), (retried) => (retried ? publishState(taskId, "RETRY") : Effect.void))
