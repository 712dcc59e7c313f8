import { type Engine, InvalidTask, type Task } from "@codebox/core"
import { Duration, Effect, Option } from "effect"
import type { ServerSettings } from "../config.ts"

/** `?wait=` checked against the server's bound: a clear 400 rather than a silent cut. */
export const waitSeconds = (settings: ServerSettings, wait: number | undefined) =>
  wait === undefined || wait === 0
    ? Effect.succeed(0)
    : wait > settings.maxWaitSeconds
      ? Effect.fail(new InvalidTask({ field: "wait", message: `wait must be between 0 and ${settings.maxWaitSeconds} seconds` }))
      : Effect.succeed(wait)

/** The task once final within `seconds` (event-driven, no polling), else the task as it is now. */
export const awaitUpTo = Effect.fn("Server.awaitUpTo")(function* (engine: Engine["Service"], task: Task, seconds: number) {
  if (seconds <= 0) return task
  const done = yield* engine.awaitResult(task.task_id, Duration.seconds(seconds))
  return Option.getOrElse(done, () => task)
})
