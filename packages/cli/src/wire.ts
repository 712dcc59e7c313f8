import { Schema } from "effect"

/** The parts of CodeBox's answers the CLI reads (other members are ignored, so newer servers work). */

export const Accepted = Schema.Struct({ task_id: Schema.String })

export const TestReport = Schema.Struct({
  name: Schema.optionalKey(Schema.NullOr(Schema.String)),
  verdict: Schema.String
})

export const Result = Schema.Struct({
  stdout: Schema.String,
  stderr: Schema.String,
  stdout_base64: Schema.optionalKey(Schema.NullOr(Schema.String)),
  stderr_base64: Schema.optionalKey(Schema.NullOr(Schema.String)),
  returncode: Schema.NullOr(Schema.Number),
  error: Schema.NullOr(Schema.String),
  output_files: Schema.Array(Schema.String),
  verdict: Schema.optionalKey(Schema.NullOr(Schema.String)),
  wall_time_ms: Schema.optionalKey(Schema.NullOr(Schema.Number)),
  compile: Schema.optionalKey(Schema.NullOr(Schema.Struct({ stdout: Schema.String, stderr: Schema.String }))),
  tests: Schema.optionalKey(Schema.NullOr(Schema.Array(TestReport))),
  summary: Schema.optionalKey(Schema.NullOr(Schema.Struct({ total: Schema.Number, passed: Schema.Number, verdict: Schema.String })))
})
export type Result = typeof Result.Type

export const Finished = Schema.Struct({
  task_id: Schema.String,
  status: Schema.Literals(["SUCCESS", "FAILURE", "REVOKED"]),
  result: Result
})
export type Finished = typeof Finished.Type

export const InProgress = Schema.Struct({ status: Schema.String })

/** task_result: 200 with the result, 202 while the task runs. */
export const TaskResultAnswer = Schema.Union([Finished, InProgress])

/** `stdout`/`stderr` event data: text, or base64 when the bytes are not valid UTF-8. */
export const OutputChunk = Schema.Struct({ text: Schema.String, base64: Schema.NullOr(Schema.String) })
export const StateEvent = Schema.Struct({ state: Schema.String })

export const Languages = Schema.Struct({
  languages: Schema.Array(
    Schema.Struct({
      id: Schema.String,
      aliases: Schema.Array(Schema.String),
      display_name: Schema.String,
      version: Schema.NullOr(Schema.String),
      compiled: Schema.Boolean
    })
  )
})
