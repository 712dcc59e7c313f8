import { Context, type Effect, type Queue, Schema, type Scope } from "effect"
import { TaskState } from "./domain/Task.ts"

export const OutputStream = Schema.Literals(["stdout", "stderr"])
export type OutputStream = typeof OutputStream.Type

/** A task changed state (published by the executor: STARTED when claimed, the final state when stored). */
export const TaskStateEvent = Schema.TaggedStruct("State", {
  task_id: Schema.String,
  state: TaskState
})

/**
 * A chunk of what the program wrote, as it wrote it. `offset` is where the chunk starts in its
 * stream (bytes), so a reader can resume after the last byte it saw and never see a byte twice.
 * Chunks stay within the step's output cap.
 */
export const TaskOutputEvent = Schema.TaggedStruct("Output", {
  task_id: Schema.String,
  stream: OutputStream,
  offset: Schema.Int,
  data: Schema.Uint8Array
})

export const TaskEvent = Schema.Union([TaskStateEvent, TaskOutputEvent])
export type TaskEvent = typeof TaskEvent.Type

/**
 * Live events of running tasks, from whichever process runs them to whichever process streams them
 * to a client. Best effort: the store stays the truth for states and results; events only make
 * output visible before the result is stored.
 */
export class TaskEvents extends Context.Service<
  TaskEvents,
  {
    publish(event: TaskEvent): Effect.Effect<void>
    /**
     * The events of one task: what this process still holds of it (a bounded buffer of the output so
     * far), then live ones, until the scope closes.
     */
    subscribe(taskId: string): Effect.Effect<Queue.Dequeue<TaskEvent>, never, Scope.Scope>
  }
>()("@codebox/core/TaskEvents") {}
