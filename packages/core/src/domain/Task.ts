import { Schema } from "effect"
import { JudgeRequestFields, JudgeSpec } from "./Judge.ts"
import { Limits, LimitsRequest } from "./Limits.ts"
import { TaskResult } from "./TaskResult.ts"

export const TaskId = Schema.String.check(Schema.isPattern(/^[0-9a-f-]{36}$/))
export type TaskId = typeof TaskId.Type

/** A language id or alias as a client writes it (`python`, `py`, `nodejs`, ...). */
export const LanguageId = Schema.String.check(Schema.isPattern(/^[A-Za-z0-9][A-Za-z0-9+#._-]{0,31}$/))
export type LanguageId = typeof LanguageId.Type

/** The Celery state names the existing API reports. */
export const TaskState = Schema.Literals(["PENDING", "RECEIVED", "STARTED", "RETRY", "SUCCESS", "FAILURE", "REVOKED"])
export type TaskState = typeof TaskState.Type

/** A count per state, all zero: what a store fills in when it counts tasks. */
export const emptyStateCounts = (): Record<TaskState, number> =>
  Object.fromEntries(TaskState.literals.map((state) => [state, 0])) as Record<TaskState, number>

export const finalStates: ReadonlySet<TaskState> = new Set(["SUCCESS", "FAILURE", "REVOKED"])
export const isFinal = (state: TaskState): boolean => finalStates.has(state)

export const maxInputFiles = 5
export const maxSourceBytes = 1024 * 1024

/** What a client asks for. `input_files` name the uploads in the order IN_1, IN_2, ... refer to. */
export const TaskRequest = Schema.Struct({
  language: LanguageId,
  source_code: Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(maxSourceBytes)),
  stdin: Schema.optionalKey(Schema.String.check(Schema.isMaxLength(maxSourceBytes))),
  args: Schema.optionalKey(Schema.Array(Schema.String.check(Schema.isMaxLength(4096))).check(Schema.isMaxLength(64))),
  limits: Schema.optionalKey(LimitsRequest),
  input_files: Schema.optionalKey(Schema.Array(Schema.String).check(Schema.isMaxLength(maxInputFiles))),
  /** Judge mode: test cases, how outputs are compared, whether to stop at the first failure. */
  ...JudgeRequestFields
})
export type TaskRequest = typeof TaskRequest.Type

/** A task as the store keeps it. `language` is the plugin id (aliases resolved), names are sanitised. */
export const Task = Schema.Struct({
  task_id: TaskId,
  language: Schema.String,
  source_code: Schema.String,
  stdin: Schema.NullOr(Schema.String),
  args: Schema.Array(Schema.String),
  limits: Limits,
  input_files: Schema.Array(Schema.String),
  state: TaskState,
  attempts: Schema.Int,
  error: Schema.NullOr(Schema.String),
  worker: Schema.NullOr(Schema.String),
  created_at: Schema.Number,
  started_at: Schema.NullOr(Schema.Number),
  finished_at: Schema.NullOr(Schema.Number),
  result: Schema.NullOr(TaskResult),
  /**
   * The tenant the task belongs to (the server derives it from the API key that created it); null
   * or absent when the task was created without keys, and then anyone may read it.
   */
  owner: Schema.optionalKey(Schema.NullOr(Schema.String)),
  /** Judge mode: the test cases (limits resolved) and comparison; absent or null for a plain run. */
  judge: Schema.optionalKey(Schema.NullOr(JudgeSpec))
})
export type Task = typeof Task.Type
