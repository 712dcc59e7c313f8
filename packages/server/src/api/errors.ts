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

/**
 * The shapes the request guard (http/RequestGuard.ts) gives the errors the router, the schema
 * decoding and the body parsers make, declared so the OpenAPI document describes every answer.
 */

/** The request does not match the endpoint's schema; `field` names the first problem, `errors` all. */
export class ValidationError extends Schema.TaggedError<ValidationError>()(
  "ValidationError",
  {
    message: Schema.String,
    field: Schema.optionalKey(Schema.String),
    errors: Schema.Array(Schema.Struct({ path: Schema.Array(Schema.Union([Schema.String, Schema.Number])), message: Schema.String }))
  },
  { httpApiStatus: 400 }
) {}

/** The request body has a content type the endpoint does not read. */
export class UnsupportedMediaType extends Schema.TaggedError<UnsupportedMediaType>()(
  "UnsupportedMediaType",
  { message: Schema.String },
  { httpApiStatus: 415 }
) {}

/** No endpoint has this path (`_tag` "NotFound"). */
export class RouteNotFound extends Schema.TaggedError<RouteNotFound>()("NotFound", { message: Schema.String }, { httpApiStatus: 404 }) {}

/** The path exists with other methods; `Allow` lists them. */
export class MethodNotAllowed extends Schema.TaggedError<MethodNotAllowed>()(
  "MethodNotAllowed",
  { message: Schema.String },
  { httpApiStatus: 405 }
) {}

/** A failure inside the server; the words name the part that failed, the log has the rest. */
export class InternalError extends Schema.TaggedError<InternalError>()(
  "InternalError",
  { message: Schema.String },
  { httpApiStatus: 500 }
) {}

/**
 * Failures every endpoint may answer with before (or instead of) its handler: the guard's limits
 * (http/RequestGuard.ts), a request its schema refuses, and an internal failure.
 */
export const guardErrors = [PayloadTooLarge, RateLimited, ValidationError, InternalError] as const
