import {
  CompareMode,
  Limits,
  LimitsRequest,
  maxTestCases,
  OutputFile,
  outputContentTypes,
  TaskId,
  TaskResult,
  TaskState
} from "@codebox/core"
import { Schema } from "effect"
import { Multipart } from "effect/http"
import { HttpApiSchema } from "effect/http-api"
import { type LanguageMaxima, limitsInWords, limitsRequestFor } from "./limits.ts"

/**
 * The wire format. Field names are the existing API's (`programming_language`, `task_id`, `status`,
 * `result`, `state`); everything added since is optional on requests and extra on responses.
 */

const nullable = <S extends Schema.Top>(schema: S) => Schema.optionalKey(Schema.NullOr(schema))

/**
 * Text the task store keeps: any Unicode except NUL (U+0000), which PostgreSQL text cannot hold. It
 * is refused here, with the field's name, rather than failing in the store after uploads are written.
 */
const storableText = (max: number) =>
  Schema.String.check(
    Schema.isMaxLength(max),
    Schema.makeFilter((s: string) => !s.includes("\u0000") || "contains a NUL character (U+0000), which cannot be stored")
  )

/** Fields a client may add to any task (null means "not given", as some clients send it). */
const taskOptions = (languages: ReadonlyArray<LanguageMaxima>) => ({
  stdin: nullable(storableText(1024 * 1024)),
  /** argv for the program, passed as is, never through a shell. */
  args: nullable(Schema.Array(storableText(4096)).check(Schema.isMaxLength(64))),
  /** Per-request limits, each in the language's range (see GET /api/languages). */
  limits: nullable(limitsRequestFor(languages))
})

/** One test case of a judge task. */
export const WireTestCase = Schema.Struct({
  name: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(200))),
  stdin: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(1024 * 1024))),
  args: Schema.optionalKey(Schema.Array(Schema.String.check(Schema.isMaxLength(4096))).check(Schema.isMaxLength(64))),
  expected_output: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(1024 * 1024))),
  /** Over the task's limits, each at most the language's maximum. */
  limits: Schema.optionalKey(LimitsRequest)
}).annotate({ description: "A test case: the program runs with this stdin and args; its stdout is compared with expected_output" })

export const WireTestCases = Schema.Array(WireTestCase)
  .check(Schema.isMinLength(1), Schema.isMaxLength(maxTestCases))
  .annotate({ description: `Judge mode: 1 to ${maxTestCases} test cases, compiled once, a verdict per case` })

/** Judge mode (see docs/api.md): test cases, how outputs are compared, whether to stop at the first failure. */
const judgeOptions = {
  tests: nullable(WireTestCases),
  compare: nullable(CompareMode.annotate({ description: "lines (default), exact or float" })),
  float_tolerance: nullable(
    Schema.Finite.check(Schema.isGreaterThanOrEqualTo(0)).annotate({
      description: "absolute or relative, for compare=float (default 1e-6)"
    })
  ),
  stop_on_first_failure: nullable(Schema.Boolean)
}

const language = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(32)).annotate({
  description: "python, javascript, php or c (or an alias listed by GET /api/languages)"
})
const sourceCode = storableText(1024 * 1024).check(Schema.isMinLength(1))
const formText = storableText(1024 * 1024)
/** One or several values of a repeated text field of a form. */
const formTextList = Schema.Union([formText, Schema.Array(formText)])

/** Where the final result is POSTed, signed (see docs/http-api.md, "Callbacks"). */
const callbackUrl = Schema.String.check(Schema.isMaxLength(2048)).annotate({
  description:
    "http or https URL that receives the final result (the task_result body) as a signed POST when the task ends; " +
    "refused (400) when its host is or resolves to a loopback, private, link-local, multicast or metadata address"
})

/** The JSON body of POST /api/tasks/create; the limits are documented with the server's languages. */
export const createTaskPayload = (languages: ReadonlyArray<LanguageMaxima>) =>
  Schema.Struct({
    programming_language: language,
    source_code: sourceCode,
    ...taskOptions(languages),
    ...judgeOptions,
    callback_url: nullable(callbackUrl)
  })
export type CreateTaskPayload = ReturnType<typeof createTaskPayload>["Type"]
/** A create body whatever the language (batch items; the engine checks limits per language). */
export const CreateTaskPayload = createTaskPayload([])

/** Every key a request body may have (JSON or form, limits included), for "did you mean". */
export const requestFieldNames: ReadonlyArray<string> = [
  ...Object.keys(createTaskPayload([]).fields),
  "input_files",
  "files",
  ...Object.keys(LimitsRequest.fields),
  ...Object.keys(WireTestCase.fields)
]

/** One or several values of a repeated form field. */
const formList = Schema.Union([Schema.String, Schema.Array(Schema.String)])

/** The multipart form of POST /api/file_task/create; `files` and `input_files` match 1:1. */
export const FileTaskForm = (
  limits: { readonly maxFileSize: number; readonly maxTotalSize: number },
  languages: ReadonlyArray<LanguageMaxima>
) =>
  Schema.Struct({
    programming_language: language,
    source_code: sourceCode,
    input_files: Schema.optionalKey(formList),
    "input_files[]": Schema.optionalKey(formList),
    files: Schema.optionalKey(Multipart.FilesSchema),
    "files[]": Schema.optionalKey(Multipart.FilesSchema),
    stdin: Schema.optionalKey(formText),
    args: Schema.optionalKey(formTextList),
    "args[]": Schema.optionalKey(formTextList),
    limits: Schema.optionalKey(
      Schema.String.annotate({
        description: `A JSON object, e.g. {"wall_time_ms": 5000}, with the keys and ranges of POST /api/tasks/create: ${limitsInWords(languages)}.`
      })
    ),
    /** Judge mode: the test cases as a JSON array (see the JSON body's `tests`). */
    tests: Schema.optionalKey(Schema.String),
    compare: Schema.optionalKey(Schema.String),
    float_tolerance: Schema.optionalKey(Schema.String),
    stop_on_first_failure: Schema.optionalKey(Schema.String),
    callback_url: Schema.optionalKey(callbackUrl)
  }).pipe(HttpApiSchema.asMultipart({ maxFileSize: limits.maxFileSize, maxTotalSize: limits.maxTotalSize, maxParts: 64 }))

export const WaitQuery = {
  /**
   * Whole seconds to wait for the result before answering 202. The server's maximum
   * (CODEBOX_MAX_WAIT_SECONDS) is checked by the handler (http/waiting.ts) and stated in the
   * OpenAPI document (api/document.ts).
   */
  wait: Schema.optionalKey(Schema.NumberFromString.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(0)))
}

/** A task id is checked before anything is looked up: a malformed one is a 400, never a query. */
export const TaskIdParams = {
  task_id: Schema.String.check(
    Schema.makeFilter((id: string) => Schema.is(TaskId)(id) || "is not a task id (the UUID the create call answered)")
  ).annotate({ description: "the task id the create call answered (a UUID)" })
}

export const TaskAccepted = Schema.Struct({
  task_id: Schema.String,
  status: Schema.Literal("accepted")
}).pipe(HttpApiSchema.status(202))

const ProgressState = Schema.Literals(["PENDING", "RECEIVED", "STARTED", "RETRY"])

/** `status` as in the final answer; `state` (the same value) as older clients read it. */
export const TaskInProgress = Schema.Struct({
  status: ProgressState,
  state: ProgressState
}).pipe(HttpApiSchema.status(202))
export type TaskInProgress = typeof TaskInProgress.Type

/**
 * `result` as clients read it: the TaskResult itself (the original five fields `stdout`,
 * `stderr`, `returncode`, `error`, `output_files`, then what was added), so a field added to the
 * domain result reaches the API and its OpenAPI document without being copied here.
 */
export const WireResult = TaskResult
export type WireResult = typeof WireResult.Type

/** How the task's callback went (only for a task created with `callback_url`). */
export const CallbackView = Schema.Struct({
  url: Schema.String,
  state: Schema.Literals(["pending", "delivered", "failed"]).annotate({
    description: "pending (waiting for the task to end, or for the next try), delivered (a 2xx answer) or failed (every try failed)"
  }),
  tries: Schema.Int,
  last_status: Schema.NullOr(Schema.Int).annotate({ description: "HTTP status of the last try; null before one, or without an answer" }),
  last_error: Schema.NullOr(Schema.String)
})

export const TaskFinished = Schema.Struct({
  task_id: Schema.String,
  status: Schema.Literals(["SUCCESS", "FAILURE", "REVOKED"]),
  result: WireResult,
  callback: Schema.optionalKey(CallbackView)
})
export type TaskFinished = typeof TaskFinished.Type

export const TaskCancelled = Schema.Struct({
  task_id: Schema.String,
  status: TaskState
})

export const OutputManifest = Schema.Struct({
  task_id: Schema.String,
  files: Schema.Array(OutputFile)
})

/** One output file, served with the content type of its name (see contentTypeOf). */
export const FileBody = HttpApiSchema.StreamUint8Array({ contentType: outputContentTypes })

/** GET /tasks/{id}/events: server-sent events (see the endpoint's description). */
export const TaskEventStream = HttpApiSchema.StreamUint8Array({ contentType: "text/event-stream" })

/** GET /download: the single output as itself, or a zip of several. */
export const DownloadBody = HttpApiSchema.StreamUint8Array({ contentType: [...new Set([...outputContentTypes, "application/zip"])] })

export const LanguageInfo = Schema.Struct({
  id: Schema.String,
  aliases: Schema.Array(Schema.String),
  display_name: Schema.String,
  /** What the runtime reports, from inside the sandbox; null when it could not be asked. */
  version: Schema.NullOr(Schema.String),
  compiled: Schema.Boolean,
  default_limits: Limits,
  max_limits: Limits
})
export type LanguageInfo = typeof LanguageInfo.Type

export const LanguageList = Schema.Struct({ languages: Schema.Array(LanguageInfo) })

export const Liveness = Schema.Struct({ status: Schema.Literal("ok") })

export const Readiness = Schema.Struct({
  status: Schema.Literal("ready"),
  checks: Schema.Record(Schema.String, Schema.Struct({ ok: Schema.Boolean, detail: Schema.String })),
  tasks: Schema.Record(Schema.String, Schema.Int),
  queue_depth: Schema.Int
})
