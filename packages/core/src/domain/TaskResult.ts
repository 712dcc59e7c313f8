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

/** An entry the program left in its out directory that was not kept as an output file, and why. */
export const SkippedOutput = Schema.Struct({
  name: Schema.String,
  reason: Schema.String
})
export type SkippedOutput = typeof SkippedOutput.Type

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
 * fields the service always had; the rest is what users of judges expect. `error` is the reason
 * of a FAILURE (null when the program ran); what the program wrote but was not kept (links,
 * directories, files past the caps) is listed in `skipped_outputs`, at most 100 entries.
 */
export const TaskResult = Schema.Struct({
  ...StepReport.fields,
  error: Schema.NullOr(Schema.String),
  output_files: Schema.Array(Schema.String),
  files: Schema.Array(OutputFile),
  skipped_outputs: Schema.Array(SkippedOutput),
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
  skipped_outputs: [],
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

/**
 * Before `skipped_outputs`, a SUCCESS said what was not kept in `error`, as
 * `output files not kept: NAME (REASON), ... and N more`; such a result reads with them listed.
 */
const legacySkippedNote = "output files not kept: "

const fromLegacySkippedNote = (stored: Record<string, unknown>): Record<string, unknown> => {
  if ("skipped_outputs" in stored || typeof stored.error !== "string" || !stored.error.startsWith(legacySkippedNote)) return stored
  const skipped = [...stored.error.slice(legacySkippedNote.length).matchAll(/(?:^|, )(.+?) \(([^()]*)\)(?=, |$| and \d+ more$)/g)].map(
    ([, name, reason]) => ({ name: name!, reason: reason! })
  )
  return { ...stored, error: null, skipped_outputs: skipped }
}

/** Decodes a stored result (see StoredTaskResult). */
export const decodeStoredResult = (stored: unknown): Effect.Effect<TaskResult, Schema.SchemaError> => {
  const record = stored !== null && typeof stored === "object" && !Array.isArray(stored) ? (stored as Record<string, unknown>) : undefined
  const legacy = record !== undefined && !("stderr" in record) && "sterr" in record ? { ...record, stderr: record.sterr } : record
  return Schema.decodeUnknownEffect(StoredTaskResult)(legacy === undefined ? stored : fromLegacySkippedNote(legacy))
}
