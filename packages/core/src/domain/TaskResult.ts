import { Schema } from "effect"

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

/** The report of one sandboxed step (compile or run). */
export const StepReport = Schema.Struct({
  stdout: Schema.String,
  stderr: Schema.String,
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
  compile: Schema.NullOr(StepReport)
})
export type TaskResult = typeof TaskResult.Type
