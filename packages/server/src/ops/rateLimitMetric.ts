import { Metrics } from "@codebox/core"

/** Route groups under /api/ that get their own label; anything else is "other", so a client cannot grow the series. */
const groups: ReadonlySet<string> = new Set(["tasks", "file_task", "languages", "health"])

/** Counts a 429 in `codebox_rate_limit_rejections_total{group}`, from the request path. */
export const recordRateLimited = (path: string) => {
  const segment = path.split("/")[2] ?? ""
  return Metrics.recordRateLimited(groups.has(segment) ? segment : "other")
}
