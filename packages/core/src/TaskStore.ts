import { Context, type Effect, type Option } from "effect"
import type { StoreError, TaskNotFound } from "./domain/Errors.ts"
import type { Task, TaskId, TaskState } from "./domain/Task.ts"
import type { TaskResult } from "./domain/TaskResult.ts"

export interface TaskFilter {
  readonly state?: TaskState
  readonly language?: string
  /** Only the tasks of this tenant (see Task.owner). */
  readonly owner?: string
  readonly limit?: number
  readonly offset?: number
}

/** A claim on a task: the attempt number is the token that lets exactly one worker complete it. */
export interface Claim {
  readonly task: Task
  readonly attempt: number
}

/** The state a task was seen in, for a conditional retry. */
export interface RetryCondition {
  readonly state: TaskState
  readonly attempts: number
}

/** What a worker last reported about itself, for the dashboard and the reconciler. */
export interface WorkerStatus {
  /** Unique per worker process (host and pid by default). */
  readonly name: string
  readonly concurrency: number
  /** Tasks in flight at the last heartbeat. */
  readonly running: number
  /** Tasks this process finished since it started. */
  readonly completed: number
  readonly state: "running" | "stopping" | "stopped"
  /** Epoch ms. */
  readonly started_at: number
  readonly last_seen: number
}

/**
 * Tasks and their results. Claiming is atomic and completion is conditional on the claim, so a
 * task never completes twice, even when its message is delivered twice.
 */
export class TaskStore extends Context.Service<
  TaskStore,
  {
    insert(task: Task): Effect.Effect<void, StoreError>
    get(id: TaskId): Effect.Effect<Task, TaskNotFound | StoreError>
    /** PENDING, RECEIVED or RETRY -> STARTED with attempts + 1; None when finished or taken. */
    claim(id: TaskId, worker: string): Effect.Effect<Option.Option<Claim>, StoreError>
    /** Stores the result if the claim still holds; false when it does not (revoked, reclaimed). */
    complete(
      id: TaskId,
      attempt: number,
      state: "SUCCESS" | "FAILURE",
      result: TaskResult | null,
      error: string | null
    ): Effect.Effect<boolean, StoreError>
    /**
     * Marks a task RETRY (message redelivered, worker lost) unless it is finished. With `seen`, only
     * if it is still exactly as the caller saw it (same state, same attempts): a decision made on a
     * snapshot must not hit a task that a worker claimed meanwhile, or the task would run twice.
     */
    retry(id: TaskId, reason: string, seen?: RetryCondition): Effect.Effect<boolean, StoreError>
    /** PENDING/RECEIVED/STARTED/RETRY -> REVOKED. Returns the task as it now is. */
    revoke(id: TaskId): Effect.Effect<Task, TaskNotFound | StoreError>
    /** Waits until the task is in a final state (caller bounds the wait), event-driven. */
    awaitFinal(id: TaskId): Effect.Effect<Task, TaskNotFound | StoreError>
    list(filter: TaskFilter): Effect.Effect<ReadonlyArray<Task>, StoreError>
    /** Tasks not final whose last change is older than the cutoff (epoch ms), for the reconciler. */
    stale(olderThan: number): Effect.Effect<ReadonlyArray<Task>, StoreError>
    /** Deletes final tasks finished before the cutoff; returns their ids for file cleanup. */
    expire(finishedBefore: number): Effect.Effect<ReadonlyArray<TaskId>, StoreError>
    /** Counts by state, for health and metrics. */
    readonly counts: Effect.Effect<Readonly<Record<TaskState, number>>, StoreError>
    /** Counts by state of one tenant's tasks (see Task.owner), for what that tenant may see. */
    countsOf(owner: string): Effect.Effect<Readonly<Record<TaskState, number>>, StoreError>
    /** Records a worker's heartbeat (insert or replace by name). */
    heartbeat(status: WorkerStatus): Effect.Effect<void, StoreError>
    /** Every known worker, by name. A worker whose last_seen is old is gone (crashed or stopped). */
    readonly workers: Effect.Effect<ReadonlyArray<WorkerStatus>, StoreError>
    /** Forgets workers not seen since the cutoff (epoch ms); returns how many. */
    forgetWorkers(lastSeenBefore: number): Effect.Effect<number, StoreError>
  }
>()("@codebox/core/TaskStore") {}
