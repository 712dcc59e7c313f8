import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { python } from "@codebox/lang-python"
import { NativeSandbox } from "@codebox/sandbox-native"
import { defaultSettings, embeddedInfrastructure, engineLayer, ServerLive } from "@codebox/server"
import { scratchDatabase, testDatabaseUrl } from "@codebox/test-support"
import { Effect, Layer, ManagedRuntime, Option, Redacted, Tracer } from "effect"
import { HttpServer } from "effect/http"

/**
 * Benchmark module: where the time of one python hello task goes, end to end through the HTTP API
 * (`?wait`), one task at a time, on the embedded stack and on a PostgreSQL store. A tracer records
 * every span the server, engine, store and native sandbox open (their `Effect.fn` names and the
 * sandbox's phase spans); the table gives each span's median start (from the request's first span)
 * and median duration, beside the request as the client saw it and bare `python3` in the same run.
 * CODEBOX_BENCH_PHASE_TASKS sets the tasks per row (default 40).
 */

const hello = `print("hello")\n`

const median = (values: ReadonlyArray<number>) => {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}
const ms = (value: number) => (Number.isNaN(value) ? "-" : value < 10 ? value.toFixed(2) : value.toFixed(1))

/** Spans as they are opened; each request reads the ones opened while it ran. */
const recorder = () => {
  const spans: Array<Tracer.NativeSpan> = []
  const tracer = Tracer.make({
    span(options) {
      const span = new Tracer.NativeSpan(options)
      spans.push(span)
      return span
    }
  })
  return { spans, tracer }
}

interface Sample {
  readonly totalMs: number
  /** Span name to its first start (offset in ms), its time in all (ms) and how many opened in the task. */
  readonly spans: Map<string, { start: number; duration: number; count: number }>
  /** Attributes the sandbox's spawn span carries (bwrap set-up, program, pipes closing). */
  readonly spawn: Record<string, number>
}

const sample = (opened: ReadonlyArray<Tracer.NativeSpan>, totalMs: number): Sample => {
  const ended = opened.filter((s) => s.status._tag === "Ended")
  // Bigint nanoseconds: Math.min does not take them.
  let origin = ended[0]?.startTime ?? 0n
  for (const span of ended) if (span.startTime < origin) origin = span.startTime
  const spans = new Map<string, { start: number; duration: number; count: number }>()
  const spawn: Record<string, number> = {}
  for (const span of ended) {
    if (span.status._tag !== "Ended") continue
    const start = Number(span.startTime - origin) / 1e6
    const duration = Number(span.status.endTime - span.startTime) / 1e6
    const seen = spans.get(span.name)
    spans.set(
      span.name,
      seen === undefined
        ? { start, duration, count: 1 }
        : { start: Math.min(seen.start, start), duration: seen.duration + duration, count: seen.count + 1 }
    )
    if (span.name === "NativeSandbox.spawn") {
      for (const [key, value] of span.attributes) if (typeof value === "number") spawn[key] = value
    }
  }
  return { totalMs, spans, spawn }
}

/** Runs `tasks` python hello tasks one at a time through a real server on `engine`. */
const measure = async (label: string, engine: (dataDir: string) => Layer.Layer<HttpServer.HttpServer, unknown>, tasks: number) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-bench-phases-"))
  const { spans, tracer } = recorder()
  const runtime = ManagedRuntime.make(engine(dataDir).pipe(Layer.provide(Layer.succeed(Tracer.Tracer, tracer))))
  try {
    const address = await runtime.runPromise(Effect.map(Effect.service(HttpServer.HttpServer), (s) => s.address))
    if (!("port" in address)) throw new Error("expected a TCP address")
    const url = `http://127.0.0.1:${address.port}/api/tasks/create?wait=30`
    const one = async () => {
      const from = spans.length
      const started = performance.now()
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ programming_language: "python", source_code: hello })
      })
      const body = (await response.json()) as { result?: { stdout?: string } }
      const totalMs = performance.now() - started
      if (body.result?.stdout !== "hello\n") throw new Error(`${label}: ${JSON.stringify(body)}`)
      return sample(spans.slice(from), totalMs)
    }
    for (let i = 0; i < 3; i++) await one()
    const samples: Array<Sample> = []
    for (let i = 0; i < tasks; i++) samples.push(await one())
    return samples
  } finally {
    await runtime.dispose()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

const print = (label: string, samples: ReadonlyArray<Sample>, bareMs: number) => {
  const total = median(samples.map((s) => s.totalMs))
  console.log(`\n-- ${label}: ${samples.length} tasks, request as the client saw it ${ms(total)} ms (${(total / bareMs).toFixed(2)}x bare)`)
  const names = [...new Set(samples.flatMap((s) => [...s.spans.keys()]))]
  const rows = names
    .map((name) => {
      const seen = samples.flatMap((s) => {
        const span = s.spans.get(name)
        return span === undefined ? [] : [span]
      })
      return {
        name,
        start: median(seen.map((s) => s.start)),
        duration: median(seen.map((s) => s.duration)),
        count: median(seen.map((s) => s.count)),
        in: seen.length
      }
    })
    .sort((a, b) => a.start - b.start || b.duration - a.duration)
  const width = Math.max(...rows.map((r) => r.name.length), 28)
  // Spans overlap (a parent holds its children; awaitFinal waits while the task runs), so the
  // durations do not add up to the request; "opened" counts a span name's spans in one task.
  console.log(`  ${"span".padEnd(width)}  ${"starts at".padStart(9)}  ${"takes".padStart(8)}  opened  in tasks`)
  for (const r of rows) {
    console.log(
      `  ${r.name.padEnd(width)}  ${ms(r.start).padStart(9)}  ${ms(r.duration).padStart(8)}  ${String(r.count).padStart(6)}  ${r.in}`
    )
  }
  const gap = (from: string, fromEnd: boolean, to: string) =>
    median(
      samples.flatMap((s) => {
        const a = s.spans.get(from)
        const b = s.spans.get(to)
        return a === undefined || b === undefined ? [] : [b.start - (fromEnd ? a.start + a.duration : a.start)]
      })
    )
  console.log(`  queue wait (Engine.submit ends -> Executor.execute starts): ${ms(gap("Engine.submit", true, "Executor.execute"))} ms`)
  for (const key of ["setUpMs", "programMs", "closeMs"]) {
    console.log(
      `  sandbox spawn, ${key.replace(/Ms$/, "")}: ${ms(median(samples.flatMap((s) => (key in s.spawn ? [s.spawn[key]!] : []))))} ms`
    )
  }
}

/** Bare python hello as a process, the yardstick of the ratios. */
const bare = (runs: number) => {
  const times: Array<number> = []
  for (let i = 0; i < runs + 3; i++) {
    const started = performance.now()
    execFileSync("/usr/bin/python3", ["-c", hello])
    if (i >= 3) times.push(performance.now() - started)
  }
  return median(times)
}

export const run = async (): Promise<void> => {
  const tasks = Number(process.env.CODEBOX_BENCH_PHASE_TASKS ?? 40)
  console.log(`\n== Phases: one python hello task through the HTTP API (?wait), one at a time, medians of ${tasks}`)
  const settings = (dataDir: string) => ({ ...defaultSettings, host: "127.0.0.1", port: 0, rateLimit: 0, workerConcurrency: 1, dataDir })
  const server = (dataDir: string, infrastructure: ReturnType<typeof embeddedInfrastructure>) =>
    ServerLive(engineLayer(settings(dataDir), [python], NativeSandbox.layer(), infrastructure), settings(dataDir), { logRequests: false })
  const embedded = await measure("embedded", (dir) => server(dir, embeddedInfrastructure(dir)), tasks)
  const postgres = await measure(
    "postgres",
    (dir) =>
      Layer.unwrap(
        Effect.map(scratchDatabase(testDatabaseUrl), (url) =>
          server(dir, { ...embeddedInfrastructure(dir), databaseUrl: Option.some(Redacted.make(url)) })
        )
      ),
    tasks
  )
  const bareMs = bare(tasks)
  console.log(`\nbare python3 hello: ${ms(bareMs)} ms`)
  print("embedded (PGlite, in-process queue)", embedded, bareMs)
  print("PostgreSQL store, in-process queue", postgres, bareMs)
}

if (import.meta.url === `file://${process.argv[1]}`) await run()
