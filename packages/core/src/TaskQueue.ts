import { Context, type Effect, type Stream } from "effect"
import type { QueueError } from "./domain/Errors.ts"
import type { TaskId } from "./domain/Task.ts"

/** One delivered message. Ack only after the result is stored; nack to hand it back. */
export interface Delivery {
  readonly taskId: TaskId
  /** The broker delivered it before (a worker died or nacked). */
  readonly redelivered: boolean
  readonly ack: Effect.Effect<void, QueueError>
  readonly nack: (requeue: boolean) => Effect.Effect<void, QueueError>
}

/** Carries task ids from the API to the workers. The store, not the queue, is the source of truth. */
export class TaskQueue extends Context.Service<
  TaskQueue,
  {
    publish(taskId: TaskId): Effect.Effect<void, QueueError>
    /** Deliveries for this consumer; at most `prefetch` unacked at once. */
    consume(prefetch: number): Stream.Stream<Delivery, QueueError>
    /** Messages waiting (not delivered), for health and metrics. */
    readonly depth: Effect.Effect<number, QueueError>
  }
>()("@codebox/core/TaskQueue") {}
