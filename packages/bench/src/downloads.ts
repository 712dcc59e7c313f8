/**
 * Benchmark module (packages/bench/src/main.ts runs it), issue 18. On the server's own main (a
 * process of its own: embedded store, native sandbox):
 * - its resident memory, idle and at its peak while 30 clients download one task's outputs at once
 *   (20 files, 64 MiB in all, random bytes so the zip cannot shrink them); goal: under 300 MB;
 * - how long `/api/health` takes to answer while hostile jobs run (a deep tree, sparse files, a
 *   staging fill, an output flood); the issue saw it unanswered for 8 to 22 s.
 * CODEBOX_BENCH_DOWNLOADS sets the number of concurrent downloads (default 30).
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { python } from "@codebox/lang-python"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const downloads = Number(process.env.CODEBOX_BENCH_DOWNLOADS ?? 30)
const files = 20
const totalBytes = 64 * 1024 * 1024
const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const probe = net.createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })

/** Resident memory of a process now (VmRSS) and at its highest so far (VmHWM), in bytes. */
const memoryOf = (pid: number) => {
  const status = fs.readFileSync(`/proc/${pid}/status`, "utf8")
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024
  return { rss: kb("VmRSS"), peak: kb("VmHWM") }
}

const startServer = async (dataDir: string, env: Record<string, string> = {}) => {
  const port = await freePort()
  const server = spawn(process.execPath, [path.join(root, "packages/server/src/main.ts")], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      CODEBOX_DATA_DIR: dataDir,
      CODEBOX_LOG_LEVEL: "Warn",
      CODEBOX_WORKER_CONCURRENCY: "5",
      CODEBOX_RATE_LIMIT: "0",
      CODEBOX_READ_RATE_LIMIT: "0",
      ...env
    },
    stdio: ["ignore", "ignore", "inherit"]
  })
  const base = `http://127.0.0.1:${port}`
  const deadline = Date.now() + 170_000
  while (Date.now() < deadline) {
    const ready = await fetch(`${base}/api/health/ready`, { signal: AbortSignal.timeout(5000) }).then(
      (r) => r.ok,
      () => false
    )
    if (ready) return { server, base }
    await sleep(250)
  }
  server.kill("SIGTERM")
  throw new Error("the server did not become ready in 170 s")
}

/** Submits a python task and waits for its result. */
const runTask = async (base: string, source: string, limits: object = {}) => {
  const created = await fetch(`${base}/api/tasks/create`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ programming_language: "python", source_code: source, limits })
  })
  const { task_id } = (await created.json()) as { task_id: string }
  while (true) {
    const answer = await fetch(`${base}/api/tasks/${task_id}/task_result?wait=30`)
    const body = (await answer.json()) as { status?: string; result?: { verdict?: string; output_files?: Array<string> } }
    if (answer.status === 200) return { task_id, ...body }
  }
}

/** Reads a download to the end without keeping it, returning its length and sha256. */
const download = async (url: string) => {
  const response = await fetch(url)
  if (response.status !== 200 || response.body === null) throw new Error(`download answered ${response.status}`)
  const hash = createHash("sha256")
  let size = 0
  for await (const chunk of response.body) {
    hash.update(chunk)
    size += chunk.byteLength
  }
  const declared = response.headers.get("content-length")
  if (declared !== null && Number(declared) !== size) throw new Error(`Content-Length ${declared}, body ${size} bytes`)
  return { size, sha256: hash.digest("hex") }
}

const downloadMemory = async (server: ChildProcess, base: string) => {
  const pid = server.pid!
  const fresh = memoryOf(pid)
  const each = Math.floor(totalBytes / files)
  const source = [
    "import os",
    ...Array.from({ length: files }, (_, i) => `open(OUT_part${String(i).padStart(2, "0")}.bin, "wb").write(os.urandom(${each}))`)
  ].join("\n")
  const task = await runTask(base, source, { wall_time_ms: 60_000 })
  if (task.result?.output_files?.length !== files) throw new Error(`the task wrote ${JSON.stringify(task.result)}`)
  await sleep(2000)
  const idle = memoryOf(pid)
  // Resets the kernel's high-water mark (VmHWM), so it covers the downloads only; the 10 ms samples
  // stand in where that is not allowed.
  const hwmReset = (() => {
    try {
      fs.writeFileSync(`/proc/${pid}/clear_refs`, "5")
      return true
    } catch {
      return false
    }
  })()

  let peak = idle.rss
  const sampler = setInterval(() => {
    peak = Math.max(peak, memoryOf(pid).rss)
  }, 10)
  const started = performance.now()
  const results = await Promise.all(Array.from({ length: downloads }, () => download(`${base}/api/file_task/${task.task_id}/download`)))
  const seconds = (performance.now() - started) / 1000
  clearInterval(sampler)
  if (hwmReset) peak = Math.max(peak, memoryOf(pid).peak)
  // One zip built once is the same bytes for everyone; zips built per request differ (entry times).
  const distinct = new Set(results.map((r) => r.sha256)).size

  console.log(`${downloads} concurrent downloads of one task (${files} files, ${mb(files * each)} of random bytes, as one zip)`)
  console.log(`  server memory, idle once ready           ${mb(fresh.rss)}`)
  console.log(`  server memory, idle after the task ran   ${mb(idle.rss)}`)
  console.log(`  server memory, peak during downloads     ${mb(peak)}   (goal: under 300 MB; ${mb(peak - idle.rss)} over idle)`)
  console.log(`  zip size                                  ${mb(results[0]!.size)} (${distinct} distinct zip(s) served)`)
  console.log(`  all downloads done in                     ${seconds.toFixed(1)} s`)
}

/** The hostile jobs of the neighbour suite (packages/testkit/src/neighbours.ts), with its limits. */
const hostileJobs = (): ReadonlyArray<readonly [string, string | undefined, object]> => [
  ["deep tree", python.hostile?.deepTree, { wall_time_ms: 60_000 }],
  ["sparse files", python.hostile?.sparseFiles, { file_size_mb: 256 }],
  ["staging fill", python.hostile?.fillDisk, { memory_mb: 256, file_size_mb: 4, wall_time_ms: 20_000 }],
  ["huge output", python.hostile?.stdoutFlood, { wall_time_ms: 10_000 }]
]

const healthUnderAttack = async (base: string) => {
  const jobs = hostileJobs().filter((job): job is readonly [string, string, object] => job[1] !== undefined)
  const times: Array<number> = []
  let attacking = true
  const probing = (async () => {
    while (attacking) {
      const started = performance.now()
      await fetch(`${base}/api/health`).then((r) => r.text())
      times.push(performance.now() - started)
      await sleep(100)
    }
  })()
  const verdicts = await Promise.all(
    jobs.map(([what, source, limits]) => runTask(base, source, limits).then((t) => `${what}: ${t.result?.verdict ?? t.status}`))
  )
  attacking = false
  await probing
  const sorted = [...times].sort((a, b) => a - b)
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!
  console.log(`/api/health while hostile jobs run (${verdicts.join(", ")})`)
  console.log(
    `  ${times.length} probes: median ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, worst ${sorted.at(-1)!.toFixed(1)} ms`
  )
}

/** A fresh database on the local PostgreSQL (the tests' server), or null where there is none. */
const scratchPostgres = () => {
  const server = new URL(process.env.CODEBOX_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test")
  const name = `codebox_bench_downloads_${process.pid}`
  server.pathname = "/postgres"
  const psql = (sql: string) => spawnSync("psql", [server.href, "-qc", sql], { stdio: ["ignore", "ignore", "pipe"] }).status === 0
  if (!psql(`CREATE DATABASE ${name}`)) return null
  const url = new URL(server.href)
  url.pathname = `/${name}`
  return { url: url.href, drop: () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) }
}

/** Runs `measure` against a server of its own, stopped and cleaned up after. */
const withServer = async (env: Record<string, string>, measure: (server: ChildProcess, base: string) => Promise<void>) => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-bench-downloads-"))
  const { server, base } = await startServer(dataDir, env)
  try {
    await measure(server, base)
  } finally {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once("exit", resolve))
      server.kill("SIGTERM")
      await exited
    }
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

export const run = async () => {
  console.log("embedded store (PGlite):")
  await withServer({}, async (server, base) => {
    await downloadMemory(server, base)
    await healthUnderAttack(base)
  })
  const postgres = scratchPostgres()
  if (postgres === null) {
    console.log("PostgreSQL store: skipped (no local PostgreSQL answers psql)")
    return
  }
  console.log("PostgreSQL store:")
  try {
    await withServer({ DATABASE_URL: postgres.url }, downloadMemory)
  } finally {
    postgres.drop()
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run()
