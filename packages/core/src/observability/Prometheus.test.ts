import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer, Metric } from "effect"
import { TestClock } from "effect/testing"
import { QueueError } from "../domain/Errors.ts"
import type { Task } from "../domain/Task.ts"
import * as MemoryTaskQueue from "../queue/MemoryTaskQueue.ts"
import * as MemoryTaskStore from "../store/MemoryTaskStore.ts"
import { TaskQueue } from "../TaskQueue.ts"
import { TaskStore } from "../TaskStore.ts"
import { testLayer } from "@codebox/testkit"
import * as Metrics from "./Metrics.ts"
import { prometheusText, renderFamilies } from "./Prometheus.ts"

const task = (id: string, language: string, created: number, started: number | null): Task => ({
  task_id: id,
  language,
  source_code: "x",
  stdin: null,
  args: [],
  limits: {} as Task["limits"],
  input_files: [],
  state: started === null ? "PENDING" : "STARTED",
  attempts: started === null ? 0 : 1,
  error: null,
  worker: null,
  created_at: created,
  started_at: started,
  finished_at: null,
  result: null
})

/** The value of one sample line, or undefined when the line is absent. */
const sample = (text: string, line: string) => {
  const found = text.split("\n").find((l) => l.startsWith(`${line} `))
  return found === undefined ? undefined : Number(found.slice(line.length + 1))
}

describe("Prometheus rendering", () => {
  it("escapes label values and help text", () => {
    const text = renderFamilies([
      {
        name: "x_total",
        help: "a\\b\nc",
        type: "counter",
        samples: [{ name: "x_total", labels: { path: 'say "hi"\n' }, value: 2 }]
      }
    ])
    assert.strictEqual(text, '# HELP x_total a\\\\b\\nc\n# TYPE x_total counter\nx_total{path="say \\"hi\\"\\n"} 2\n')
  })

  it.effect("renders recorded counters and histograms with live gauges from the store and queue", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(10_000)
      const store = yield* TaskStore
      yield* store.insert(task("00000000-0000-4000-8000-000000000001", "python", 9_000, null))
      const started = task("00000000-0000-4000-8000-000000000002", "c", 7_500, 8_000)
      yield* store.insert(started)
      yield* store.heartbeat({ name: "w1", concurrency: 4, running: 1, completed: 9, state: "running", started_at: 0, last_seen: 7_000 })
      yield* (yield* TaskQueue).publish("00000000-0000-4000-8000-000000000001")

      yield* Metrics.recordSubmitted(started)
      yield* Metrics.recordStarted(started) // 0.5 s in the queue
      yield* Metrics.recordFinished(started, "SUCCESS", "runtime_error") // 2 s running
      yield* Metrics.recordRateLimited("tasks")

      const text = yield* prometheusText
      assert.strictEqual(sample(text, 'codebox_tasks{state="PENDING"}'), 1)
      assert.strictEqual(sample(text, 'codebox_tasks{state="STARTED"}'), 1)
      assert.strictEqual(sample(text, 'codebox_tasks{state="SUCCESS"}'), 0)
      assert.strictEqual(sample(text, "codebox_queue_depth"), 1)
      assert.strictEqual(sample(text, 'codebox_workers{state="running"}'), 1)
      assert.strictEqual(sample(text, 'codebox_worker_heartbeat_age_seconds{worker="w1"}'), 3)
      assert.strictEqual(sample(text, 'codebox_up{component="store"}'), 1)
      assert.strictEqual(sample(text, 'codebox_tasks_submitted_total{language="c"}'), 1)
      assert.strictEqual(sample(text, 'codebox_tasks_finished_total{language="c",state="SUCCESS"}'), 1)
      assert.strictEqual(sample(text, 'codebox_task_verdicts_total{language="c",verdict="runtime_error"}'), 1)
      assert.strictEqual(sample(text, 'codebox_rate_limit_rejections_total{group="tasks"}'), 1)
      assert.strictEqual(sample(text, 'codebox_task_queue_latency_seconds_bucket{language="c",le="0.25"}'), 0)
      assert.strictEqual(sample(text, 'codebox_task_queue_latency_seconds_bucket{language="c",le="0.5"}'), 1)
      assert.strictEqual(sample(text, 'codebox_task_queue_latency_seconds_bucket{language="c",le="+Inf"}'), 1)
      assert.strictEqual(sample(text, 'codebox_task_duration_seconds_sum{language="c"}'), 2)
      assert.strictEqual(sample(text, 'codebox_task_duration_seconds_count{language="c"}'), 1)
      assert.include(text, "# TYPE codebox_task_duration_seconds histogram\n")
      assert.strictEqual(text.split("\n").filter((l) => l === "# TYPE codebox_tasks_finished_total counter").length, 1)
    }).pipe(
      Effect.provide(Layer.mergeAll(MemoryTaskStore.layer, MemoryTaskQueue.layer)),
      Effect.provideService(Metric.MetricRegistry, new Map())
    )
  )

  it.effect("shows a failing queue as codebox_up 0 instead of failing the scrape", () =>
    Effect.gen(function* () {
      const text = yield* prometheusText
      assert.strictEqual(sample(text, 'codebox_up{component="queue"}'), 0)
      assert.strictEqual(sample(text, 'codebox_up{component="store"}'), 1)
      assert.isUndefined(sample(text, "codebox_queue_depth"))
      assert.strictEqual(sample(text, 'codebox_tasks{state="PENDING"}'), 0)
    }).pipe(
      Effect.provide(
        Layer.mergeAll(MemoryTaskStore.layer, testLayer(TaskQueue, { depth: Effect.fail(new QueueError({ message: "broker down" })) }))
      ),
      Effect.provideService(Metric.MetricRegistry, new Map())
    )
  )
})
