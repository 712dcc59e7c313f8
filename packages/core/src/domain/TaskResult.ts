import { Effect, Schema } from "effect"
import { JudgeSummary, TestCaseReport } from "./Judge.ts"

export const Verdict = Schema.Literals(["ok", "compile_error", "runtime_error", "time_limit", "memory_limit", "output_limit"])
export type Verdict = typeof Verdict.Type

/** Which limit ended a step, as the sandbox measured it. */
export const LimitFired = Schema.Literals(["wall_time", "cpu_time", "memory", "output"])
export type LimitFired = typeof LimitFired.Type

/** One output file in a result's manifest. */
export const OutputFile = Schema.Struct({
  name: Schema.String,
  size: Schema.Int,
  sha256: Schema.String,
  content_type: Schema.String
})
export type OutputFile = typeof OutputFile.Type

/**
 * The report of one sandboxed step (compile or run). `stdout` and `stderr` are valid UTF-8 text
 * (invalid sequences replaced by U+FFFD, NUL kept); `stdout_base64` and `stderr_base64` hold the
 * exact bytes when the text is not them (see OutputText), null otherwise.
 */
export const StepReport = Schema.Struct({
  stdout: Schema.String,
  stderr: Schema.String,
  stdout_base64: Schema.NullOr(Schema.String),
  stderr_base64: Schema.NullOr(Schema.String),
  returncode: Schema.NullOr(Schema.Int),
  signal: Schema.NullOr(Schema.String),
  limit: Schema.NullOr(LimitFired),
  stdout_truncated: Schema.Boolean,
  stderr_truncated: Schema.Boolean,
  wall_time_ms: Schema.Number,
  cpu_time_ms: Schema.NullOr(Schema.Number),
  memory_peak_bytes: Schema.NullOr(Schema.Number)
})
export type StepReport = typeof StepReport.Type

/**
 * The result clients read. `stdout`, `stderr`, `returncode`, `error` and `output_files` are the
 * fields the service always had; the rest is what users of judges expect.
 */
export const TaskResult = Schema.Struct({
  ...StepReport.fields,
  error: Schema.NullOr(Schema.String),
  output_files: Schema.Array(Schema.String),
  files: Schema.Array(OutputFile),
  verdict: Schema.NullOr(Verdict),
  compile: Schema.NullOr(StepReport),
  /**
   * Judge tasks only (absent otherwise): a report per test case in request order, and the summary.
   * The step fields above then describe the first case that did not pass (the last that ran when
   * every case passed), or the compile step when it failed.
   */
  tests: Schema.optionalKey(Schema.Array(TestCaseReport)),
  summary: Schema.optionalKey(JudgeSummary)
})
export type TaskResult = typeof TaskResult.Type

/**
 * The neutral value of each field: what a result written by an earlier version lacks (a result
 * stored before verdicts, timings or manifests existed still reads as a full TaskResult), and what
 * a task that never ran (FAILURE, REVOKED) reports beside its `error`.
 */
export const emptyTaskResult = {
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
  error: null,
  output_files: [],
  files: [],
  verdict: null,
  compile: null
} satisfies TaskResult

/**
 * A result as read back from storage, decoded with Schema: every field of TaskResult, each
 * defaulting to its neutral value when an older writer did not store it. The original service
 * stored stderr as `sterr`; such a result reads with it as `stderr`.
 */
const { tests, summary, ...alwaysPresent } = TaskResult.fields

export const StoredTaskResult = Schema.Struct({
  ...(Object.fromEntries(
    Object.entries(alwaysPresent).map(([key, schema]) => [
      key,
      schema.pipe(Schema.withDecodingDefaultKey(Effect.succeed(emptyTaskResult[key as keyof typeof alwaysPresent] as never)))
    ])
  ) as { readonly [K in keyof typeof alwaysPresent]: Schema.withDecodingDefaultKey<(typeof alwaysPresent)[K]> }),
  // Optional as they are: a result without tests is not a judge result.
  tests,
  summary
})

/** Decodes a stored result (see StoredTaskResult). */
export const decodeStoredResult = (stored: unknown): Effect.Effect<TaskResult, Schema.SchemaError> => {
  const legacy =
    stored !== null && typeof stored === "object" && !("stderr" in stored) && "sterr" in stored
      ? { ...(stored as Record<string, unknown>), stderr: (stored as Record<string, unknown>).sterr }
      : stored
  return Schema.decodeUnknownEffect(StoredTaskResult)(legacy)
}
