/**
 * Benchmark module (packages/bench/src/main.ts runs it): per-step latency of "hello" in each language, bare
 * (the host's runtime, no sandbox) against the native and the Docker sandbox, in one run.
 * Median of BENCH_RUNS (default 10) runs of each step after one warm-up; a cell reads "n/a" when
 * that sandbox cannot run here, and "wrong" when a run did not print hello. Steps are built as the
 * executor builds them, on a job directory laid out the same way, so the figures are what a task pays.
 */
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { type LanguagePlugin, Sandbox, SandboxPaths, type SandboxStep, type StepContext } from "@codebox/core"
import { NativeSandbox } from "@codebox/sandbox-native"
import { DockerSandbox } from "@codebox/sandbox-docker"
import { c } from "@codebox/lang-c"
import { javascript } from "@codebox/lang-javascript"
import { php } from "@codebox/lang-php"
import { java } from "@codebox/lang-java"
import { typescript } from "@codebox/lang-typescript"
import { lua } from "@codebox/lang-lua"
import { perl } from "@codebox/lang-perl"
import { bash } from "@codebox/lang-bash"
import { cpp } from "@codebox/lang-cpp"
import { python } from "@codebox/lang-python"

interface Job {
  readonly root: string
  readonly src: string
  readonly in: string
  readonly out: string
}

const makeJob = (plugin: LanguagePlugin): Job => {
  const parent = path.join(os.tmpdir(), "codebox-bench")
  fs.mkdirSync(parent, { recursive: true, mode: 0o711 })
  const root = fs.mkdtempSync(path.join(parent, `${plugin.id}-`))
  fs.chmodSync(root, 0o711)
  const job = { root, src: path.join(root, "src"), in: path.join(root, "in"), out: path.join(root, "out") }
  for (const dir of [job.src, job.in, job.out]) fs.mkdirSync(dir, { mode: 0o755 })
  fs.writeFileSync(path.join(job.src, plugin.sourceFile), plugin.samples.hello, { mode: 0o644 })
  return job
}

/** One step of a plugin, the way the executor builds it. */
const stepOf = (plugin: LanguagePlugin, job: Job, kind: "compile" | "run"): SandboxStep => {
  const ctx: StepContext = { sourcePath: `${SandboxPaths.src}/${plugin.sourceFile}`, srcDir: SandboxPaths.src }
  const spec = kind === "compile" ? plugin.compile! : plugin.run
  return {
    argv: spec.argv(ctx),
    stdin: null,
    env: plugin.runtime.env,
    cwd: kind === "compile" ? SandboxPaths.src : SandboxPaths.out,
    mounts:
      kind === "compile"
        ? [
            { hostPath: job.src, sandboxPath: SandboxPaths.src, writable: true },
            { hostPath: job.in, sandboxPath: SandboxPaths.in, writable: false }
          ]
        : [
            { hostPath: job.src, sandboxPath: SandboxPaths.src, writable: false },
            { hostPath: job.in, sandboxPath: SandboxPaths.in, writable: false },
            { hostPath: job.out, sandboxPath: SandboxPaths.out, writable: true }
          ],
    limits: { ...plugin.defaultLimits, ...spec.limits },
    runtime: plugin.runtime
  }
}

/** The same step with the host's runtime and no sandbox: what the language itself costs. */
const bare = (plugin: LanguagePlugin, job: Job, kind: "compile" | "run") => async (): Promise<string> => {
  const ctx: StepContext = { sourcePath: path.join(job.src, plugin.sourceFile), srcDir: job.src }
  const argv = (kind === "compile" ? plugin.compile! : plugin.run).argv(ctx)
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), {
      cwd: kind === "compile" ? job.src : job.out,
      env: { PATH: "/usr/bin:/bin", ...plugin.runtime.env }
    })
    let stdout = ""
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()))
    child.on("error", reject)
    child.on("close", () => resolve(stdout))
  })
}

const median = (values: ReadonlyArray<number>) => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Median ms of `runs` calls after one warm-up, or a word saying why there is no figure. */
const measure = async (once: () => Promise<string>, expected: string | null, runs: number): Promise<string> => {
  try {
    await once()
    const times: Array<number> = []
    for (let i = 0; i < runs; i++) {
      const started = performance.now()
      const stdout = await once()
      times.push(performance.now() - started)
      if (expected !== null && stdout !== expected) return "wrong"
    }
    return `${median(times).toFixed(1)} ms`
  } catch {
    return "n/a"
  }
}

/** Builds a sandbox layer once for the whole run; null when it cannot run on this machine. */
const buildSandbox = async (name: string, layer: Layer.Layer<Sandbox, unknown>, log: (line: string) => void) => {
  const scope = Effect.runSync(Scope.make())
  const built = await Effect.runPromiseExit(Layer.buildWithScope(layer, scope))
  if (Exit.isFailure(built)) {
    log(`  (${name} sandbox unavailable: ${String(built.cause).split("\n")[0]})`)
    return null
  }
  const sandbox = Context.get(built.value, Sandbox)
  return { sandbox, close: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/** Rows of [step, bare, native, docker], the first one the header. */
const stepLatency = async (
  plugins: ReadonlyArray<LanguagePlugin>,
  runs: number,
  log: (line: string) => void = console.log
): Promise<ReadonlyArray<ReadonlyArray<string>>> => {
  const native = await buildSandbox("native", NativeSandbox.layer(), log)
  const docker = await buildSandbox("docker", DockerSandbox.layer(), log)
  const inSandbox = (sandbox: Sandbox["Service"] | undefined, step: SandboxStep) => async () => {
    if (sandbox === undefined) throw new Error("unavailable")
    const outcome = await Effect.runPromise(sandbox.run(step))
    if (outcome.exitCode !== 0) throw new Error(`exit ${outcome.exitCode}: ${outcome.stderr}`)
    return outcome.stdout
  }
  const rows: Array<ReadonlyArray<string>> = [["step", "bare", "native", "docker"]]
  try {
    for (const plugin of plugins) {
      const jobs = { bare: makeJob(plugin), native: makeJob(plugin), docker: makeJob(plugin) }
      const kinds = plugin.compile === undefined ? (["run"] as const) : (["compile", "run"] as const)
      for (const kind of kinds) {
        const expected = kind === "run" ? "hello\n" : ""
        rows.push([
          `${plugin.id} ${kind}`,
          await measure(bare(plugin, jobs.bare, kind), expected, runs),
          await measure(inSandbox(native?.sandbox, stepOf(plugin, jobs.native, kind)), expected, runs),
          await measure(inSandbox(docker?.sandbox, stepOf(plugin, jobs.docker, kind)), expected, runs)
        ])
      }
      for (const job of Object.values(jobs)) fs.rmSync(job.root, { recursive: true, force: true })
    }
  } finally {
    await native?.close()
    await docker?.close()
  }
  return rows
}

export const run = async (): Promise<void> => {
  const runs = Number(process.env.BENCH_RUNS ?? 10)
  console.log(`\n== Docker sandbox: per-step latency of hello, median of ${runs} runs`)
  const rows = await stepLatency([python, c, javascript, php, cpp, bash, lua, perl, typescript, java], runs)
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)))
  for (const row of rows) console.log(`  ${row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ")}`)
}

if (import.meta.url === `file://${process.argv[1]}`) await run()
