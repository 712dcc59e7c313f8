import { HttpServerResponse } from "effect/http"

/**
 * Every error the server answers with is an RFC 9457 problem (`application/problem+json`):
 * `type`, `title`, `status` and `detail`, with CodeBox's own members (`_tag`, `message`, `field`,
 * `limit_bytes`, `retry_after_seconds`, ...) as extensions, so clients written against the older
 * `{_tag, message}` bodies keep working.
 */
export const problemContentType = "application/problem+json"

const titles: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable"
}

export const statusTitle = (status: number) => titles[status] ?? (status >= 500 ? "Server Error" : "Client Error")

export interface ProblemMembers {
  readonly _tag: string
  readonly message: string
  readonly [extension: string]: unknown
}

/** The problem body: the standard members first, then CodeBox's; `detail` repeats `message`. */
export const problemBody = (status: number, members: ProblemMembers): Record<string, unknown> => ({
  ...members,
  type: "about:blank",
  title: statusTitle(status),
  status,
  detail: members.message
})

export const problemResponse = (status: number, members: ProblemMembers, headers: Record<string, string> = {}) =>
  HttpServerResponse.jsonUnsafe(problemBody(status, members), { status, headers, contentType: problemContentType })

/**
 * What a 500 says: which part failed, in words. The error's own message and cause (SQL text, file
 * paths, stacks) go to the server log only.
 */
export const internalFailure = (tag: string | undefined): ProblemMembers => {
  switch (tag) {
    case "StoreError":
      return { _tag: tag, message: "the task store failed to answer; the server log has the details" }
    case "StorageError":
      return { _tag: tag, message: "the file storage failed to answer; the server log has the details" }
    case "QueueError":
      return { _tag: tag, message: "the task queue failed to answer; the server log has the details" }
    default:
      return { _tag: "InternalError", message: "the server failed to answer this request; the server log has the details" }
  }
}

/** Levenshtein distance, for "did you mean" on misspelled keys. */
const distance = (a: string, b: string): number => {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length]!
}

/** The known name closest to `name`, when it is close enough to be a typo. */
export const nearestName = (name: string, known: ReadonlyArray<string>): string | undefined => {
  let best: { name: string; d: number } | undefined
  for (const candidate of known) {
    const d = distance(name.toLowerCase(), candidate.toLowerCase())
    if (d <= Math.max(2, Math.floor(candidate.length / 3)) && (best === undefined || d < best.d)) best = { name: candidate, d }
  }
  return best?.name
}
