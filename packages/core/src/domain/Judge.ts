import { Schema } from "effect"
import { Limits, LimitsRequest } from "./Limits.ts"

/** Test cases one judge task may have: enough for a course exercise or a contest problem. */
export const maxTestCases = 100

/**
 * Bytes of each case's stdout, stderr and expected output kept in its report. The comparison uses
 * the whole output (up to the `output_bytes` limit); the report is cut so that a result of 100
 * cases stays a few MiB (100 cases × 3 texts × 16 KiB ≈ 4.7 MiB at most).
 */
export const caseReportBytes = 16 * 1024

/**
 * How a case's stdout is compared with its expected output. `lines`: trailing whitespace on each
 * line and trailing empty lines are ignored. `exact`: byte for byte (as text). `float`: as `lines`,
 * then token by token, numbers within `float_tolerance` (absolute or relative), other tokens exactly.
 */
export const CompareMode = Schema.Literals(["lines", "exact", "float"])
export type CompareMode = typeof CompareMode.Type

export const defaultFloatTolerance = 1e-6

const caseText = Schema.String.check(Schema.isMaxLength(1024 * 1024))

/** One test case as a client sends it. */
export const TestCaseRequest = Schema.Struct({
  name: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(200))),
  stdin: Schema.optionalKey(caseText),
  args: Schema.optionalKey(Schema.Array(Schema.String.check(Schema.isMaxLength(4096))).check(Schema.isMaxLength(64))),
  expected_output: Schema.optionalKey(caseText),
  /** Over the task's limits, each at most the language's maximum. */
  limits: Schema.optionalKey(LimitsRequest)
})
export type TestCaseRequest = typeof TestCaseRequest.Type

/** The judge fields of a task request (all optional; without `tests` the task is a plain run). */
export const JudgeRequestFields = {
  tests: Schema.optionalKey(Schema.Array(TestCaseRequest).check(Schema.isMinLength(1), Schema.isMaxLength(maxTestCases))),
  compare: Schema.optionalKey(CompareMode),
  float_tolerance: Schema.optionalKey(Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0))),
  stop_on_first_failure: Schema.optionalKey(Schema.Boolean)
}

/** One test case as the store keeps it: defaults filled in, limits resolved against the language. */
export const TestCase = Schema.Struct({
  name: Schema.String,
  stdin: Schema.NullOr(Schema.String),
  args: Schema.Array(Schema.String),
  expected_output: Schema.NullOr(Schema.String),
  limits: Limits
})
export type TestCase = typeof TestCase.Type

/** What a judge task asks for, as stored with the task. */
export const JudgeSpec = Schema.Struct({
  tests: Schema.Array(TestCase),
  compare: CompareMode,
  float_tolerance: Schema.Number,
  stop_on_first_failure: Schema.Boolean
})
export type JudgeSpec = typeof JudgeSpec.Type

export const TestVerdict = Schema.Literals([
  "accepted",
  "wrong_answer",
  "time_limit",
  "memory_limit",
  "runtime_error",
  "output_limit",
  "compile_error",
  "skipped"
])
export type TestVerdict = typeof TestVerdict.Type

/** Where the output first differs from the expected output: 1-based line and column (characters). */
export const FirstDifference = Schema.Struct({ line: Schema.Int, column: Schema.Int })
export type FirstDifference = typeof FirstDifference.Type

/**
 * The report of one case. Texts are cut to `caseReportBytes` (the `_truncated` flags then say so);
 * `stdout_base64`/`stderr_base64` hold the exact bytes when the text is not them (see OutputText).
 */
export const TestCaseReport = Schema.Struct({
  name: Schema.String,
  verdict: TestVerdict,
  stdout: Schema.String,
  stderr: Schema.String,
  stdout_base64: Schema.NullOr(Schema.String),
  stderr_base64: Schema.NullOr(Schema.String),
  returncode: Schema.NullOr(Schema.Int),
  signal: Schema.NullOr(Schema.String),
  wall_time_ms: Schema.Number,
  cpu_time_ms: Schema.NullOr(Schema.Number),
  memory_peak_bytes: Schema.NullOr(Schema.Number),
  stdout_truncated: Schema.Boolean,
  stderr_truncated: Schema.Boolean,
  /** The case's expected output (cut like stdout), when it had one. */
  expected_output: Schema.optionalKey(Schema.String),
  /** For a wrong answer: where the output first differs; null otherwise. */
  first_difference: Schema.NullOr(FirstDifference)
})
export type TestCaseReport = typeof TestCaseReport.Type

/** `verdict`: accepted when every case is, else the verdict of the first case (in request order) that is not. */
export const JudgeSummary = Schema.Struct({
  total: Schema.Int,
  passed: Schema.Int,
  verdict: TestVerdict
})
export type JudgeSummary = typeof JudgeSummary.Type
