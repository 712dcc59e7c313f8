/**
 * The focused cgroup-v2 check `npm test` runs inside the VM (booted by
 * ../src/native-cgroup2.vmfocus.test.ts). A plain Node script, not vitest: under TCG emulation
 * every module Node loads costs seconds, and vitest alone would take longer than the checks.
 * For python and c on the v2 kernel: memory limit (`memory_limit` verdict and the peak), pids
 * limit, cpu and wall time limits, cpu time and peak memory reported; then a python task through
 * HTTP against the server's own main (what `npm start` runs); then nothing left behind (no job
 * cgroup, no process of a sandbox uid). Each check is one entry of the JSON report written to
 * the path in argv[2], which the host test turns into a test of its own; argv[3] is a tar of the
 * server's data directory to start from.
 * The server starts first, before this script loads anything heavy: it needs about two and a half
 * minutes under emulation (Node's imports and PGlite's first start), the sandbox checks run meanwhile.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import type { LanguagePlugin, LimitsRequest, Task } from "@codebox/core"
import { forkCounters, sleepers } from "./programs.ts"

interface CheckResult {
  readonly name: string
  readonly status: "passed" | "failed"
  readonly message: string
  readonly ms: number
}

const reportFile = process.argv[2] ?? "/codebox-out/focus.json"
const repo = path.resolve(import.meta.dirname, "..", "..", "..")
const jobsRoot = "/sys/fs/cgroup/codebox"
const taskTimeoutMs = 240_000
const serverReadyMs = 360_000
const results: Array<CheckResult> = []
const started = Date.now()

class CheckFailed extends Error {}
const expect = (ok: boolean, what: string): void => {
  if (!ok) throw new CheckFailed(what)
}

const check = async (name: string, body: () => Promise<void>): Promise<void> => {
  const t0 = Date.now()
  let message = ""
  try {
    await body()
  } catch (e) {
    message = e instanceof Error ? (e instanceof CheckFailed ? e.message : (e.stack ?? e.message)) : String(e)
  }
  const result: CheckResult = { name, status: message === "" ? "passed" : "failed", message, ms: Date.now() - t0 }
  results.push(result)
  console.log(`[focus] ${result.status} ${name} (${(result.ms / 1000).toFixed(1)} s)${message ? `: ${message}` : ""}`)
}

const jobCgroups = () => (fs.existsSync(jobsRoot) ? fs.readdirSync(jobsRoot).filter((n) => /^j\d+-/.test(n)) : [])
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

const port = 8000
const base = `http://127.0.0.1:${port}`
const dataDir = fs.mkdtempSync("/tmp/codebox-data-")
// The data directory of a first start, made on the host (argv[3], a tar; see native-cgroup2.vmfocus.test.ts):
// PGlite's initdb alone takes minutes under emulation, so this is a second start, as `npm start`
// is on every run after the first.
const dataTemplate = process.argv[3]
// One tar file: a copy file by file over 9p takes 18 s here, the tar about 3.
if (dataTemplate !== undefined && fs.existsSync(dataTemplate)) execFileSync("tar", ["-xf", dataTemplate, "-C", dataDir])
// vmPlugins (./plugins.ts) as CODEBOX_PLUGINS names them: the VM has only their runtimes.
const pluginModules = ["@codebox/lang-python", "@codebox/lang-c"]
// --liftoff-only: PGlite's WebAssembly compiled by V8's baseline compiler only; its optimising
// tier takes minutes under emulation.
const server: ChildProcess = spawn(process.execPath, ["--liftoff-only", path.join(repo, "packages/server/src/main.ts")], {
  cwd: repo,
  env: {
    ...process.env,
    PORT: String(port),
    HOST: "127.0.0.1",
    CODEBOX_DATA_DIR: dataDir,
    CODEBOX_LOG_LEVEL: "Warn",
    CODEBOX_PLUGINS: pluginModules.join(",")
  },
  stdio: ["ignore", "inherit", "inherit"]
})
const serverStarted = Date.now()
const serverExited = new Promise<void>((resolve) => server.on("exit", () => resolve()))

const { createCodeBox } = await import("@codebox/core")
const { NativeSandbox } = await import("@codebox/sandbox-native")
const { Layer } = await import("effect")
const { vmPlugins } = await import("./plugins.ts")

await check("the kernel has cgroup v2 only, with memory and pids", async () => {
  const mountinfo = fs.readFileSync("/proc/self/mountinfo", "utf8")
  expect(/ \/sys\/fs\/cgroup .* - cgroup2 /.test(mountinfo), "no cgroup2 at /sys/fs/cgroup")
  expect(!/ - cgroup /.test(mountinfo), "a cgroup v1 hierarchy is mounted")
  const controllers = fs.readFileSync("/sys/fs/cgroup/cgroup.controllers", "utf8")
  expect(/\bmemory\b/.test(controllers) && /\bpids\b/.test(controllers), `controllers: ${controllers}`)
})

const box = createCodeBox({ plugins: vmPlugins, sandbox: NativeSandbox.layer({ cgroupVersion: "v2" }).pipe(Layer.orDie), concurrency: 2 })
const run = async (plugin: LanguagePlugin, source_code: string, limits: LimitsRequest = {}): Promise<NonNullable<Task["result"]>> => {
  const task = await box.awaitResult((await box.submit({ language: plugin.id, source_code, limits })).task_id, taskTimeoutMs)
  expect(task?.state === "SUCCESS", `task ${task?.state ?? "timed out"}: ${task?.error ?? ""}`)
  return task!.result!
}
const show = (r: NonNullable<Task["result"]>) =>
  JSON.stringify({
    verdict: r.verdict,
    limit: r.limit,
    returncode: r.returncode,
    stdout: r.stdout.slice(0, 200),
    stderr: r.stderr.slice(0, 400)
  })

const mib = 1024 * 1024
// The two languages in parallel (2 vCPUs); within one, the checks in turn.
await Promise.all(
  vmPlugins.map(async (plugin) => {
    const name = (what: string) => `${plugin.id}: ${what}`
    await check(name("a plain run reports its cpu time and peak memory"), async () => {
      const r = await run(plugin, plugin.samples.hello)
      expect(r.stdout === "hello\n" && r.verdict === "ok", show(r))
      expect((r.cpu_time_ms ?? 0) > 0, `cpu_time_ms ${r.cpu_time_ms}`)
      expect((r.memory_peak_bytes ?? 0) > 0, `memory_peak_bytes ${r.memory_peak_bytes}`)
    })
    await check(name("memory.max: a memory hog ends with memory_limit, its peak reported"), async () => {
      const r = await run(plugin, plugin.samples.memoryHog, { memory_mb: 64 })
      expect(r.verdict === "memory_limit" && r.limit === "memory", show(r))
      const peak = r.memory_peak_bytes ?? 0
      expect(peak >= 48 * mib && peak <= 72 * mib, `memory_peak_bytes ${peak} (limit 64 MiB)`)
    })
    await check(name("pids.max: forks beyond the process limit fail"), async () => {
      const r = await run(plugin, forkCounters[plugin.id]!, { processes: 8 })
      const forked = Number(r.stdout.trim())
      expect(r.verdict === "ok" && forked > 0 && forked < 8, `forked ${forked} with processes 8: ${show(r)}`)
    })
    await check(name("cpu.stat: a busy loop ends at its cpu time, which is reported"), async () => {
      const r = await run(plugin, plugin.samples.busyLoop, { cpu_time_ms: 1000, wall_time_ms: 60_000 })
      expect(r.verdict === "time_limit" && r.limit === "cpu_time", show(r))
      expect((r.cpu_time_ms ?? 0) >= 1000, `cpu_time_ms ${r.cpu_time_ms}`)
    })
    await check(name("a sleeper ends at its wall time"), async () => {
      const r = await run(plugin, sleepers[plugin.id]!, { wall_time_ms: 4000 })
      expect(r.verdict === "time_limit" && r.limit === "wall_time", show(r))
      expect((r.cpu_time_ms ?? 0) < 4000, `cpu_time_ms ${r.cpu_time_ms}`)
    })
  })
)
await box.close()

await check("npm start's server runs a python task through HTTP", async () => {
  try {
    const t0 = serverStarted
    for (;;) {
      const ready = await fetch(`${base}/api/health/ready`, { signal: AbortSignal.timeout(10_000) }).then(
        (r) => r.ok,
        () => false
      )
      if (ready) break
      expect(server.exitCode === null, `the server exited with status ${server.exitCode} before it was ready`)
      expect(Date.now() - t0 < serverReadyMs, `the server was not ready after ${serverReadyMs / 1000} s`)
      await sleep(500)
    }
    console.log(`[focus] server ready after ${((Date.now() - t0) / 1000).toFixed(1)} s`)
    const created = await fetch(`${base}/api/tasks/create`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ programming_language: "python", source_code: "print(6 * 7)" })
    })
    const body = (await created.json()) as { task_id?: string }
    expect(created.status === 202 && typeof body.task_id === "string", `create: ${created.status} ${JSON.stringify(body)}`)
    for (;;) {
      const answer = await fetch(`${base}/api/tasks/${body.task_id}/task_result`)
      const result = (await answer.json()) as { status?: string; result?: { stdout?: string; verdict?: string } }
      if (answer.status === 200) {
        expect(result.status === "SUCCESS" && result.result?.stdout === "42\n", `result: ${JSON.stringify(result)}`)
        break
      }
      expect(
        answer.status === 202 && Date.now() - t0 < serverReadyMs + taskTimeoutMs,
        `task_result: ${answer.status} ${JSON.stringify(result)}`
      )
      await sleep(250)
    }
  } finally {
    server.kill("SIGTERM")
    await Promise.race([serverExited, sleep(30_000)])
    if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL")
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
})

await check("nothing is left behind: no job cgroup, no process of a sandbox uid", async () => {
  // A killed job's processes take a moment to go.
  for (let i = 0; i < 100 && (jobCgroups().length > 0 || NativeSandbox.leftovers().length > 0); i++) await sleep(100)
  expect(jobCgroups().length === 0, `job cgroups left: ${jobCgroups().join(" ")}`)
  expect(NativeSandbox.leftovers().length === 0, `processes left: ${JSON.stringify(NativeSandbox.leftovers())}`)
  const procs = fs.readFileSync(path.join(jobsRoot, "cgroup.procs"), "utf8")
  expect(procs === "", `processes in ${jobsRoot}: ${procs}`)
})

fs.writeFileSync(reportFile, JSON.stringify({ seconds: (Date.now() - started) / 1000, results }, null, 2))
const failed = results.filter((r) => r.status === "failed").length
console.log(`[focus] ${results.length - failed} passed, ${failed} failed in ${((Date.now() - started) / 1000).toFixed(0)} s`)
process.exit(failed === 0 ? 0 : 1)
