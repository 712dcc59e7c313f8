import { Context, type Effect, type Option } from "effect"
import type { StoreError } from "./domain/Errors.ts"
import type { TaskId } from "./domain/Task.ts"

/** Where a task's callback stands: waiting (task running, or a retry due), delivered, or given up. */
export type CallbackState = "pending" | "delivered" | "failed"

/** What a client sees of its callback in the task's result. */
export interface CallbackStatus {
  readonly url: string
  readonly state: CallbackState
  /** Delivery attempts made so far. */
  readonly tries: number
  /** HTTP status of the last attempt; null before the first, or when it got no answer. */
  readonly last_status: number | null
  /** Why the last attempt failed (no answer, refused address), else null. */
  readonly last_error: string | null
}

/** A delivery a process has leased: it alone tries it until `lease_until` (epoch ms). */
export interface DueCallback {
  readonly task_id: TaskId
  readonly url: string
  readonly tries: number
}

/** How an attempt went. `next_at` (epoch ms) schedules a retry; null with `delivered` false gives up. */
export interface CallbackAttempt {
  readonly delivered: boolean
  readonly status: number | null
  readonly error: string | null
  readonly next_at: number | null
}

/**
 * Pending result callbacks, kept in the store beside the tasks so that a restart loses none. A row
 * is written when the task is accepted and becomes due once its task is final, whichever process
 * finished it: a server replica finds it by asking, so workers never deliver and need no network.
 * Taking due rows leases them, so replicas sharing a store never deliver one twice at once.
 */
export class CallbackOutbox extends Context.Service<
  CallbackOutbox,
  {
    /** Records that `url` wants the task's final result (at most one callback per task). */
    register(id: TaskId, url: string): Effect.Effect<void, StoreError>
    /**
     * Up to `limit` pending callbacks whose task is final, whose retry time has come and that no
     * live lease holds; each is leased to `owner` until `now + leaseMs`.
     */
    takeDue(options: {
      readonly now: number
      readonly limit: number
      readonly leaseMs: number
      readonly owner: string
    }): Effect.Effect<ReadonlyArray<DueCallback>, StoreError>
    /** Records an attempt and releases the lease; ignored when `owner` no longer holds it. */
    record(id: TaskId, owner: string, attempt: CallbackAttempt): Effect.Effect<void, StoreError>
    get(id: TaskId): Effect.Effect<Option.Option<CallbackStatus>, StoreError>
  }
>()("@codebox/core/CallbackOutbox") {}
