import { Effect } from "effect"
import { LimitOutOfRange } from "../domain/Errors.ts"
import { defaultFloatTolerance, type JudgeSpec } from "../domain/Judge.ts"
import { type Limits, resolveLimits } from "../domain/Limits.ts"
import type { TaskRequest } from "../domain/Task.ts"

/**
 * The judge part of a task as stored, from a decoded request: defaults filled in, each case's limits
 * merged over the task's and checked against the language's maximum (a case over it is refused with
 * `limit` naming the case, e.g. `tests.2.limits.wall_time_ms`). Null for a request without `tests`.
 */
export const resolveJudgeSpec = (
  request: TaskRequest,
  taskLimits: Limits,
  maxima: Limits
): Effect.Effect<JudgeSpec | null, LimitOutOfRange> =>
  Effect.gen(function* () {
    if (request.tests === undefined) return null
    const tests = yield* Effect.forEach(request.tests, (test, i) =>
      resolveLimits(taskLimits, maxima, test.limits).pipe(
        Effect.mapError(
          (e) =>
            new LimitOutOfRange({ limit: `tests.${i}.limits.${e.limit}`, requested: e.requested, minimum: e.minimum, maximum: e.maximum })
        ),
        Effect.map((limits) => ({
          name: test.name ?? `test ${i + 1}`,
          stdin: test.stdin ?? null,
          args: test.args ?? [],
          expected_output: test.expected_output ?? null,
          limits
        }))
      )
    )
    return {
      tests,
      compare: request.compare ?? "lines",
      float_tolerance: request.float_tolerance ?? defaultFloatTolerance,
      stop_on_first_failure: request.stop_on_first_failure ?? false
    }
  })
