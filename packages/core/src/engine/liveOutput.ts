import { type Cause, Effect, Fiber, Option, Queue, Stream } from "effect"
import type { TaskId } from "../domain/Task.ts"
import type { SandboxStep } from "../Sandbox.ts"
import { type TaskEvent, TaskEvents } from "../TaskEvents.ts"

/**
 * The sandbox's output hook for one step, publishing each chunk as a TaskEvent with its offset in
 * its stream. The sandbox calls the hook from its read loop, so chunks go through a queue drained by
 * a fiber of the caller's scope; `flush` waits until every chunk is published.
 */
export const liveOutput = Effect.fn("Executor.liveOutput")(function* (taskId: TaskId) {
  const events = yield* Effect.serviceOption(TaskEvents)
  if (Option.isNone(events)) return { hook: {} as Pick<SandboxStep, "onOutput">, flush: Effect.void }
  const queue = yield* Queue.unbounded<TaskEvent, Cause.Done>()
  const offsets = { stdout: 0, stderr: 0 }
  const drain = yield* Stream.fromQueue(queue).pipe(
    Stream.runForEach((event) => events.value.publish(event)),
    Effect.forkScoped
  )
  const onOutput = (stream: "stdout" | "stderr", bytes: Uint8Array) => {
    Queue.offerUnsafe(queue, { _tag: "Output", task_id: taskId, stream, offset: offsets[stream], data: bytes })
    offsets[stream] += bytes.length
  }
  return { hook: { onOutput } as Pick<SandboxStep, "onOutput">, flush: Queue.end(queue).pipe(Effect.andThen(Fiber.join(drain))) }
})

/** Publishes a state change, if this process publishes events at all. */
export const publishState = (taskId: TaskId, state: "STARTED" | "RETRY" | "SUCCESS" | "FAILURE" | "REVOKED") =>
  Effect.flatMap(Effect.serviceOption(TaskEvents), (events) =>
    Option.isSome(events) ? events.value.publish({ _tag: "State", task_id: taskId, state }) : Effect.void
  )
