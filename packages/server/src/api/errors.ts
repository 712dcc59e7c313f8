import { Schema } from "effect"

/** An API key is required and none was sent. */
export class Unauthorized extends Schema.TaggedError<Unauthorized>()("Unauthorized", { message: Schema.String }, { httpApiStatus: 401 }) {}

/** The API key sent is not one of the server's keys. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", { message: Schema.String }, { httpApiStatus: 403 }) {}

/** The request body, or an uploaded file, is larger than the server accepts. */
export class PayloadTooLarge extends Schema.TaggedError<PayloadTooLarge>()(
  "PayloadTooLarge",
  { message: Schema.String, limit_bytes: Schema.Number },
  { httpApiStatus: 413 }
) {}

/** Too many requests from this client in the current window; `Retry-After` says when to come back. */
export class RateLimited extends Schema.TaggedError<RateLimited>()(
  "RateLimited",
  { message: Schema.String, retry_after_seconds: Schema.Int },
  { httpApiStatus: 429 }
) {}

/** The task finished without output files (or has not kept any). */
export class NoOutputFiles extends Schema.TaggedError<NoOutputFiles>()(
  "NoOutputFiles",
  { task_id: Schema.String, message: Schema.String },
  { httpApiStatus: 404 }
) {}

/** Something the server depends on is down; `failing` names it. */
export class NotReady extends Schema.TaggedError<NotReady>()(
  "NotReady",
  {
    status: Schema.Literal("unavailable"),
    failing: Schema.Array(Schema.String),
    checks: Schema.Record(Schema.String, Schema.Struct({ ok: Schema.Boolean, detail: Schema.String }))
  },
  { httpApiStatus: 503 }
) {}

/** Failures every endpoint may answer with, before its handler runs (see http/RequestGuard.ts). */
export const guardErrors = [PayloadTooLarge, RateLimited] as const
