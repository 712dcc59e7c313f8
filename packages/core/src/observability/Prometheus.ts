import { Clock, Effect, Metric } from "effect"
import { TaskState } from "../domain/Task.ts"
import { TaskQueue } from "../TaskQueue.ts"
import { TaskStore } from "../TaskStore.ts"

/** The content type Prometheus expects for the text exposition format. */
export const prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

export interface Sample {
  /** Full sample name, e.g. `codebox_task_duration_seconds_bucket`. */
  readonly name: string
  readonly labels: Readonly<Record<string, string>>
  readonly value: number
}

export interface Family {
  readonly name: string
  readonly help: string
  readonly type: "counter" | "gauge" | "histogram" | "summary"
  readonly samples: ReadonlyArray<Sample>
}

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"')
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")
const metricName = (name: string) => name.replace(/[^a-zA-Z0-9_:]/g, "_").replace(/^([0-9])/, "_$1")

const formatValue = (value: number) =>
  Number.isNaN(value) ? "NaN" : value === Infinity ? "+Inf" : value === -Infinity ? "-Inf" : String(value)

const formatLabels = (labels: Readonly<Record<string, string>>) => {
  const entries = Object.entries(labels)
  if (entries.length === 0) return ""
  return `{${entries.map(([k, v]) => `${metricName(k)}="${escapeLabel(v)}"`).join(",")}}`
}

/** Renders families in the Prometheus text exposition format (0.0.4). */
export const renderFamilies = (families: ReadonlyArray<Family>): string => {
  const lines: Array<string> = []
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`)
    lines.push(`# TYPE ${family.name} ${family.type}`)
    for (const s of family.samples) lines.push(`${s.name}${formatLabels(s.labels)} ${formatValue(s.value)}`)
  }
  return `${lines.join("\n")}\n`
}

/** Turns Effect metric snapshots into families: one per metric id, one sample set per attribute set. */
export const familiesFromSnapshots = (snapshots: ReadonlyArray<Metric.Metric.Snapshot>): Array<Family> => {
  const byName = new Map<string, { help: string; type: Family["type"]; samples: Array<Sample> }>()
  const familyOf = (name: string, help: string | undefined, type: Family["type"]) => {
    const existing = byName.get(name)
    if (existing !== undefined) return existing.samples
    const created = { help: help ?? name, type, samples: [] as Array<Sample> }
    byName.set(name, created)
    return created.samples
  }
  for (const snapshot of snapshots) {
    const name = metricName(snapshot.id)
    const labels = snapshot.attributes ?? {}
    switch (snapshot.type) {
      case "Counter":
        familyOf(name, snapshot.description, "counter").push({ name, labels, value: Number(snapshot.state.count) })
        break
      case "Gauge":
        familyOf(name, snapshot.description, "gauge").push({ name, labels, value: Number(snapshot.state.value) })
        break
      case "Frequency": {
        const samples = familyOf(name, snapshot.description, "counter")
        for (const [key, count] of snapshot.state.occurrences) samples.push({ name, labels: { ...labels, key }, value: count })
        break
      }
      case "Histogram": {
        const samples = familyOf(name, snapshot.description, "histogram")
        for (const [le, count] of snapshot.state.buckets) {
          samples.push({ name: `${name}_bucket`, labels: { ...labels, le: formatValue(le) }, value: count })
        }
        samples.push({ name: `${name}_bucket`, labels: { ...labels, le: "+Inf" }, value: snapshot.state.count })
        samples.push({ name: `${name}_sum`, labels, value: snapshot.state.sum })
        samples.push({ name: `${name}_count`, labels, value: snapshot.state.count })
        break
      }
      case "Summary": {
        const samples = familyOf(name, snapshot.description, "summary")
        for (const [q, value] of snapshot.state.quantiles) {
          samples.push({ name, labels: { ...labels, quantile: String(q) }, value: value ?? Number.NaN })
        }
        samples.push({ name: `${name}_sum`, labels, value: snapshot.state.sum })
        samples.push({ name: `${name}_count`, labels, value: snapshot.state.count })
        break
      }
    }
  }
  return [...byName.entries()].map(([name, f]) => ({ name, help: f.help, type: f.type, samples: f.samples }))
}

const gauge = (name: string, help: string, samples: ReadonlyArray<Omit<Sample, "name">>): Family => ({
  name,
  help,
  type: "gauge",
  samples: samples.map((s) => ({ name, ...s }))
})

/**
 * Gauges read at scrape time from the shared store and queue, so they are right in every process
 * (an API server in distributed mode sees the workers' tasks too). A failing dependency is shown as
 * `codebox_up{component} 0` instead of failing the whole scrape.
 */
export const liveFamilies: Effect.Effect<Array<Family>, never, TaskStore | TaskQueue> = Effect.gen(function* () {
  const store = yield* TaskStore
  const queue = yield* TaskQueue
  const now = yield* Clock.currentTimeMillis
  const [counts, depth, workers] = yield* Effect.all(
    [Effect.result(store.counts), Effect.result(queue.depth), Effect.result(store.workers)],
    { concurrency: "unbounded" }
  )
  const families: Array<Family> = [
    gauge("codebox_up", "1 when the component answered this scrape, 0 when it failed", [
      { labels: { component: "store" }, value: counts._tag === "Success" && workers._tag === "Success" ? 1 : 0 },
      { labels: { component: "queue" }, value: depth._tag === "Success" ? 1 : 0 }
    ])
  ]
  if (counts._tag === "Success") {
    families.push(
      gauge(
        "codebox_tasks",
        "Tasks in the store, by state",
        TaskState.literals.map((state) => ({ labels: { state }, value: counts.success[state] }))
      )
    )
  }
  if (depth._tag === "Success") {
    families.push(
      gauge("codebox_queue_depth", "Task messages waiting in the queue (not yet delivered)", [{ labels: {}, value: depth.success }])
    )
  }
  if (workers._tag === "Success") {
    const list = workers.success
    const states = ["running", "stopping", "stopped"] as const
    families.push(
      gauge(
        "codebox_workers",
        "Workers known to the store, by the state of their last heartbeat",
        states.map((state) => ({
          labels: { state },
          value: list.filter((w) => w.state === state).length
        }))
      ),
      gauge(
        "codebox_worker_tasks_running",
        "Tasks in flight at the worker's last heartbeat",
        list.map((w) => ({
          labels: { worker: w.name },
          value: w.running
        }))
      ),
      gauge(
        "codebox_worker_concurrency",
        "Tasks the worker runs at once",
        list.map((w) => ({
          labels: { worker: w.name },
          value: w.concurrency
        }))
      ),
      gauge(
        "codebox_worker_heartbeat_age_seconds",
        "Seconds since the worker's last heartbeat",
        list.map((w) => ({
          labels: { worker: w.name },
          value: Math.max(0, now - w.last_seen) / 1000
        }))
      )
    )
  }
  return families
})

/** The whole `/metrics` body: live gauges, then every metric recorded in this process. */
export const prometheusText: Effect.Effect<string, never, TaskStore | TaskQueue> = Effect.gen(function* () {
  const live = yield* liveFamilies
  const recorded = familiesFromSnapshots(yield* Metric.snapshot)
  return renderFamilies([...live, ...recorded])
})
