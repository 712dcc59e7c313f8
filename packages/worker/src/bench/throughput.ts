import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { CodeBox, Sandbox, SandboxPaths } from "@codebox/core"
import { NativeSandbox } from "@codebox/sandbox-native"
import { layerInfrastructure } from "@codebox/app"
import { python } from "@codebox/lang-python"
import { Effect, ManagedRuntime } from "effect"
import { HttpServer } from "effect/http"
import { defaultSettings, ServerLive } from "@codebox/server"
import { startCluster } from "../test-support/cluster.ts"
import { builtInLanguages as plugins } from "@codebox/test-support"

const hello = `print("hello")\n`
const perWorker = Number(process.env.CODEBOX_BENCH_WORKER_CONCURRENCY ?? 2)

/** Runs `total` calls of `one`, `concurrency` at a time; returns tasks per second. */
const rate = async (total: number, concurrency: number, one: () => Promise<void>) => {
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) await one()
    })
  )
  return total / ((performance.now() - started) / 1000)
}

/** Python hello straight through the native sandbox: no HTTP, queue or database. */
const sandboxOnly = async (total: number, concurrency: number) => {
  const runtime = ManagedRuntime.make(NativeSandbox.layer())
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-bench-"))
  fs.mkdirSync(path.join(dir, "src"))
  fs.writeFileSync(path.join(dir, "src", python.sourceFile), hello)
  fs.chmodSync(dir, 0o755)
  const ctx = { sourcePath: `${SandboxPaths.src}/${python.sourceFile}`, srcDir: SandboxPaths.src }
  const one = async () => {
    const out = fs.mkdtempSync(path.join(dir, "out-"))
    fs.chmodSync(out, 0o777)
    const outcome = await runtime.runPromise(
      Sandbox.use((sandbox) =>
        sandbox.run({
          argv: python.run.argv(ctx),
          stdin: null,
          env: python.runtime.env,
          runtime: python.runtime,
          cwd: SandboxPaths.out,
          limits: python.defaultLimits,
          mounts: [
            { hostPath: path.join(dir, "src"), sandboxPath: SandboxPaths.src, writable: false },
            { hostPath: out, sandboxPath: SandboxPaths.out, writable: true }
          ]
        })
      )
    )
    if (outcome.stdout !== "hello\n") throw new Error(`sandbox said ${JSON.stringify(outcome)}`)
    fs.rmSync(out, { recursive: true, force: true })
  }
  try {
    await rate(4, concurrency, one)
    return await rate(total, concurrency, one)
  } finally {
    await runtime.dispose()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Python hello through HTTP, RabbitMQ, PostgreSQL and `workers` worker processes. */
const distributed = async (total: number, workers: number) => {
  const cluster = await startCluster({ CODEBOX_WORKER_CONCURRENCY: String(perWorker), CODEBOX_LOG_LEVEL: "Warn" }, { audit: false })
  const infrastructure = layerInfrastructure(cluster.settings)
  const engine = CodeBox.layer<unknown>({
    plugins,
    sandbox: NativeSandbox.layer(),
    concurrency: 0,
    store: infrastructure,
    queue: infrastructure,
    storage: infrastructure
  })
  const server = ManagedRuntime.make(
    ServerLive(engine, { ...defaultSettings, host: "127.0.0.1", port: 0, rateLimit: 0, workerConcurrency: 0 }, { logRequests: false })
  )
  try {
    const address = await server.runPromise(Effect.map(Effect.service(HttpServer.HttpServer), (s) => s.address))
    if (!("port" in address)) throw new Error("expected a TCP address")
    const base = `http://127.0.0.1:${address.port}/api/tasks`
    for (let i = 0; i < workers; i++) await cluster.awaitWorker(cluster.spawnWorker(`bench-${workers}-${i}`).name)
    const one = async () => {
      const created = await fetch(`${base}/create`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ programming_language: "python", source_code: hello })
      })
      const { task_id } = (await created.json()) as { task_id: string }
      while (true) {
        const response = await fetch(`${base}/${task_id}/task_result?wait=30`)
        if (response.status === 200) {
          const body = (await response.json()) as { result?: { stdout?: string } }
          if (body.result?.stdout !== "hello\n") throw new Error(`task ${task_id}: ${JSON.stringify(body)}`)
          return
        }
        if (response.status !== 202) throw new Error(`task ${task_id}: HTTP ${response.status}`)
      }
    }
    await rate(4, 4, one)
    return await rate(total, 4 * workers * perWorker, one)
  } finally {
    await server.dispose()
    await cluster.stop()
  }
}

/** The throughput table: tasks per second, distributed with 1 and 2 workers, and the sandbox alone. */
export const run = async (): Promise<void> => {
  const total = Number(process.env.CODEBOX_BENCH_TASKS ?? 100)
  console.log(`\n== Throughput: python hello, ${total} tasks each, tasks per second (worker concurrency ${perWorker})`)
  const rows: Array<[string, string]> = [["path", "tasks/s"]]
  for (const workers of [1, 2]) {
    rows.push([`HTTP + RabbitMQ + PostgreSQL + sandbox, ${workers} worker(s)`, (await distributed(total, workers)).toFixed(1)])
  }
  for (const concurrency of [perWorker, 2 * perWorker]) {
    rows.push([`sandbox only, ${concurrency} at once`, (await sandboxOnly(total, concurrency)).toFixed(1)])
  }
  const width = Math.max(...rows.map(([label]) => label.length))
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`)
}
