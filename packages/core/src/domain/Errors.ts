import { Schema } from "effect"

/** The task id is not known (never existed, or cleaned up). */
export class TaskNotFound extends Schema.TaggedError<TaskNotFound>()(
  "TaskNotFound",
  { task_id: Schema.String, message: Schema.String },
  { httpApiStatus: 404 }
) {}

/** The language id or alias is not registered. */
export class UnsupportedLanguage extends Schema.TaggedError<UnsupportedLanguage>()(
  "UnsupportedLanguage",
  { language: Schema.String, supported: Schema.Array(Schema.String), message: Schema.String },
  { httpApiStatus: 400 }
) {}

/** A placeholder in the source is wrong: IN_0, an index past the inputs, or a malformed OUT_ name. */
export class PlaceholderError extends Schema.TaggedError<PlaceholderError>()(
  "PlaceholderError",
  { placeholder: Schema.String, line: Schema.Int, column: Schema.Int, message: Schema.String },
  { httpApiStatus: 400 }
) {}

/** A requested limit is outside the range the language allows (`minimum` to `maximum`, inclusive). */
export class LimitOutOfRange extends Schema.TaggedError<LimitOutOfRange>()(
  "LimitOutOfRange",
  {
    limit: Schema.String,
    requested: Schema.Number,
    minimum: Schema.Number,
    maximum: Schema.Number,
    /** The language whose range it is. */
    language: Schema.optionalKey(Schema.String)
  },
  { httpApiStatus: 400 }
) {
  override get message() {
    return describeLimitOutOfRange(this)
  }
}

/** The words of a LimitOutOfRange, also for its JSON body, which carries the fields only. */
export const describeLimitOutOfRange = (e: {
  readonly limit: unknown
  readonly requested: unknown
  readonly minimum?: unknown
  readonly maximum: unknown
  readonly language?: unknown
}) =>
  `limit ${e.limit}=${e.requested} is out of range: ${e.language === undefined ? "it must be" : `${e.language} allows`} ` +
  `between ${e.minimum ?? "?"} and ${e.maximum}`

/** The request is well-formed JSON but not a valid task (bad input file names, too many files, ...). */
export class InvalidTask extends Schema.TaggedError<InvalidTask>()(
  "InvalidTask",
  { field: Schema.String, message: Schema.String },
  { httpApiStatus: 400 }
) {}

/** An output file the task does not have. */
export class OutputNotFound extends Schema.TaggedError<OutputNotFound>()(
  "OutputNotFound",
  { task_id: Schema.String, name: Schema.String, message: Schema.String },
  { httpApiStatus: 404 }
) {}

/** The result store failed (connection lost, constraint broken). */
export class StoreError extends Schema.TaggedError<StoreError>()(
  "StoreError",
  { message: Schema.String, cause: Schema.optional(Schema.Defect()) },
  { httpApiStatus: 500 }
) {}

/** The queue failed to accept or deliver a message. */
export class QueueError extends Schema.TaggedError<QueueError>()(
  "QueueError",
  { message: Schema.String, cause: Schema.optional(Schema.Defect()) },
  { httpApiStatus: 500 }
) {}

/** File storage failed (disk full, permission). */
export class StorageError extends Schema.TaggedError<StorageError>()(
  "StorageError",
  { message: Schema.String, cause: Schema.optional(Schema.Defect()) },
  { httpApiStatus: 500 }
) {}

/** The sandbox could not run a step at all (not: the program failed, which is an outcome). */
export class SandboxError extends Schema.TaggedError<SandboxError>()(
  "SandboxError",
  { message: Schema.String, cause: Schema.optional(Schema.Defect()) },
  { httpApiStatus: 500 }
) {}
