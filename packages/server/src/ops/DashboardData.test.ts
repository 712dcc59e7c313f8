import { assert, describe, it } from "@effect/vitest"
import type { Task } from "@codebox/core"
import { finishedSeries, percentile } from "./DashboardData.ts"

const finished = (state: Task["state"], created: number, started: number | null, done: number) =>
  ({ state, created_at: created, started_at: started, finished_at: done }) as Task

describe("dashboard series", () => {
  it("nearest-rank percentiles", () => {
    assert.isNull(percentile([], 0.5))
    assert.strictEqual(percentile([5], 0.95), 5)
    assert.strictEqual(percentile([1, 2, 3, 4], 0.5), 2)
    assert.strictEqual(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95), 10)
  })

  it("buckets finished tasks by when they finished, with queue and run percentiles", () => {
    const now = 600_000
    const series = finishedSeries(
      [
        finished("SUCCESS", 0, 100, 1_000), // bucket 0: queued 100, ran 900
        finished("FAILURE", 0, 300, 2_000), // bucket 0: queued 300, ran 1700
        finished("REVOKED", 5_000, null, 15_000), // bucket 1, no timings
        finished("SUCCESS", 590_000, 595_000, 599_999), // last bucket
        finished("SUCCESS", 0, 1, now + 1), // in the future: ignored
        finished("SUCCESS", -99_999, -99_990, -1), // before the window: ignored
        { ...finished("STARTED", 0, 1, 0), finished_at: null } // not finished
      ],
      { now, windowMs: 600_000, buckets: 60 }
    )
    assert.strictEqual(series.length, 60)
    assert.deepStrictEqual(series[0], {
      t: 0,
      succeeded: 1,
      failed: 1,
      revoked: 0,
      queue_p50_ms: 100,
      queue_p95_ms: 300,
      run_p50_ms: 900,
      run_p95_ms: 1700
    })
    assert.deepInclude(series[1], { revoked: 1, queue_p50_ms: null })
    assert.deepInclude(series[59], { t: 590_000, succeeded: 1, queue_p50_ms: 5_000 })
    assert.strictEqual(
      series.reduce((n, p) => n + p.succeeded + p.failed + p.revoked, 0),
      4
    )
  })
})
