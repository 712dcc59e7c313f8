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

/** A requested limit is above what the language allows. */
export class LimitOutOfRange extends Schema.TaggedError<LimitOutOfRange>()(
  "LimitOutOfRange",
  { limit: Schema.String, requested: Schema.Number, maximum: Schema.Number },
  { httpApiStatus: 400 }
) {
  override get message() {
    return `limit ${this.limit}=${this.requested} is above the maximum ${this.maximum}`
  }
}

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
