import { randomUUID } from "node:crypto"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { Layer } from "effect"
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest"
import {
  type CodeBoxClient,
  createCodeBox,
  type LimitsRequest,
  type Task,
  type TaskRequest,
  type Verdict,
  type HostilePrograms,
  type LanguagePlugin,
  type Sandbox,
  type ExecutorSettings,
  outputBytes
} from "@codebox/core"
import { isolationCases } from "./hostileIsolation.ts"

export interface HostileSuiteOptions {
  readonly plugins: ReadonlyArray<LanguagePlugin>
  /**
   * What finished jobs left behind on the host (processes, cgroups, ...), described one per entry;
   * empty when clean. Called only while none of the suite's jobs runs. Without it, only the next
   * job's cleanliness is checked.
   */
  readonly leftovers?: () => Promise<ReadonlyArray<string>> | ReadonlyArray<string>
  readonly timeoutMs?: number
  /**
   * `present` (default): the sandbox isolates, every case must pass. `absent`: a runner that does
   * not isolate, to show the suite can fail: every isolation case must then fail (vitest's
   * `it.fails`); the engine's own cases (crashes, recursion, arguments, binary output, deep trees,
   * sparse files, cancellation), whose outcome does not depend on isolation, are not registered.
   */
  readonly isolation?: "present" | "absent"
  /** Run after each case (an unisolated runner ends what a case left). */
  readonly afterEach?: () => Promise<void> | void
  /** Executor settings for the suite's engine (e.g. a work root on a small tmpfs). */
  readonly executor?: Partial<ExecutorSettings>
}

/** Arguments no program may see altered: options, shell syntax, globs, spaces. */
const trickyArgs = ["--version", "-c", "$(touch /tmp/pwned)", "; echo injected", "`id`", "a b", "*", "-", "--"]

/**
 * The hostile suite: each language's `hostile` programs (see HostilePrograms) run through the
 * whole engine against the sandbox under test. Every case checks the verdict, then that nothing of
 * the job is left on the host, then that the next job on the same engine runs clean.
 */
export const hostileSuite = (name: string, sandbox: Layer.Layer<Sandbox, unknown>, options: HostileSuiteOptions) => {
  const timeout = options.timeoutMs ?? 90_000
  describe(`Sandbox ${name}: hostile programs`, () => {
    const canary = `codebox-canary-${randomUUID()}`
    const canaryName = "CODEBOX_HOSTILE_CANARY"
    let box: CodeBoxClient
    let server: net.Server
    let port = 0
    let ipv6 = false
    let secretDir = ""

    beforeAll(async () => {
      // A secret in the test process's environment and on the host's disk; neither may be seen.
      process.env[canaryName] = canary
      secretDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-secret-"))
      fs.chmodSync(secretDir, 0o755)
      fs.writeFileSync(path.join(secretDir, "secret.txt"), canary, { mode: 0o644 })
      // A service of the host on its loopback addresses (IPv6 too where the host has it), so
      // "blocked" means the sandbox, not a closed port. Only loopback is ever probed: without a
      // sandbox a probe of any other address would really send traffic.
      server = net.createServer((socket) => {
        // A prober that resets the connection is no error of the test.
        socket.on("error", () => {})
        socket.end("host service\n")
      })
      ipv6 = await new Promise<boolean>((resolve) => {
        server.once("error", () => resolve(false))
        server.listen({ port: 0, host: "::", ipv6Only: false }, () => resolve(true))
      })
      if (!ipv6) await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
      port = (server.address() as net.AddressInfo).port
      box = createCodeBox({
        plugins: options.plugins,
        sandbox: sandbox.pipe(Layer.orDie),
        concurrency: 4,
        ...(options.executor !== undefined ? { executor: options.executor } : {})
      })
    })
    if (options.afterEach !== undefined) afterEach(options.afterEach)
    afterAll(async () => {
      await box?.close()
      server?.close()
      fs.rmSync(secretDir, { recursive: true, force: true })
      delete process.env[canaryName]
    })

    const run = async (request: TaskRequest): Promise<Task> => {
      const submitted = await box.submit(request)
      const done = await box.awaitResult(submitted.task_id, timeout)
      expect(done, "task finished in time").toBeDefined()
      return done as Task
    }
    const runProgram = (plugin: LanguagePlugin, source: string, limits: LimitsRequest = {}, args: Array<string> = []) =>
      run({ language: plugin.id, source_code: source, limits, args })

    /** Nothing left on the host (waiting briefly: a killed job's processes take a moment to go). */
    const expectNothingLeft = async () => {
      if (options.leftovers === undefined) return
      let left: ReadonlyArray<string> = []
      for (let attempt = 0; attempt < 50; attempt++) {
        left = await options.leftovers()
        if (left.length === 0) return
        await new Promise((resolve) => setTimeout(resolve, 100))
      }
      expect(left).toEqual([])
    }
    const expectCleanAfter = async (plugin: LanguagePlugin) => {
      await expectNothingLeft()
      const next = await runProgram(plugin, plugin.samples.hello)
      expect(next.result?.stdout, next.result?.stderr).toBe("hello\n")
      expect(next.result?.verdict).toBe("ok")
    }
    const expectVerdict = (task: Task, verdicts: ReadonlyArray<Verdict>) => {
      expect(task.state, task.error ?? "").toBe("SUCCESS")
      expect(
        verdicts,
        `verdict ${task.result?.verdict}, limit ${task.result?.limit}, stderr: ${task.result?.stderr.slice(0, 500)}`
      ).toContain(task.result?.verdict)
    }

    const absent = options.isolation === "absent"
    /** A case about isolation: must pass with isolation, and fail without. */
    const isolationCase = (program: string | undefined) => (program === undefined ? it.skip : absent ? it.fails : it)
    const always = "always"

    for (const plugin of options.plugins) {
      const h: HostilePrograms = plugin.hostile ?? {}
      const when = isolationCase
      const bomb = { processes: 32, wall_time_ms: 4000, cpu_time_ms: 3000, memory_mb: 256 }

      describe(plugin.id, () => {
        when(h.forkBomb)("fork bomb: stopped by a limit, every process gone", { timeout }, async () => {
          const task = await runProgram(plugin, h.forkBomb!, bomb)
          expectVerdict(task, ["time_limit", "memory_limit"])
          await expectCleanAfter(plugin)
        })

        when(h.threadBomb)("thread bomb: stopped by a limit", { timeout }, async () => {
          const task = await runProgram(plugin, h.threadBomb!, bomb)
          expectVerdict(task, ["time_limit", "memory_limit"])
          await expectCleanAfter(plugin)
        })

        when(always)("memory bomb: memory_limit, with the peak reported", { timeout }, async () => {
          const task = await runProgram(plugin, plugin.samples.memoryHog, { memory_mb: 64 })
          expectVerdict(task, ["memory_limit"])
          expect(task.result?.limit).toBe("memory")
          await expectCleanAfter(plugin)
        })

        when(always)("busy loop: cpu_time", { timeout }, async () => {
          const task = await runProgram(plugin, plugin.samples.busyLoop, { cpu_time_ms: 1000, wall_time_ms: 20_000 })
          expectVerdict(task, ["time_limit"])
          expect(task.result?.limit).toBe("cpu_time")
          await expectCleanAfter(plugin)
        })

        when(h.sleeper)("sleeper: wall_time, killed", { timeout }, async () => {
          const task = await runProgram(plugin, h.sleeper!, { wall_time_ms: 1500 })
          expectVerdict(task, ["time_limit"])
          expect(task.result?.limit).toBe("wall_time")
          expect(task.result?.signal).toBe("SIGKILL")
          await expectCleanAfter(plugin)
        })

        for (const stream of ["stdout", "stderr"] as const) {
          const program = stream === "stdout" ? h.stdoutFlood : h.stderrFlood
          when(program)(`${stream} flood: output_limit, the first bytes kept`, { timeout }, async () => {
            const task = await runProgram(plugin, program!, { output_bytes: 4096 })
            expectVerdict(task, ["output_limit"])
            expect(task.result?.[`${stream}_truncated`]).toBe(true)
            expect(task.result?.[stream]).toBe("x".repeat(4096))
            await expectCleanAfter(plugin)
          })
        }

        when(h.fillTmp)("filling /tmp: stopped at its size", { timeout }, async () => {
          const task = await runProgram(plugin, h.fillTmp!, { tmp_mb: 8, memory_mb: 256 })
          expectVerdict(task, ["ok"])
          expect(task.result?.stdout).toMatch(/^full \d+\n$/)
          // Whole 1 MiB files: at most the 8 MiB of its /tmp.
          expect(Number(task.result?.stdout.split(" ")[1])).toBeLessThanOrEqual(8)
          await expectCleanAfter(plugin)
        })

        when(h.fillDisk)("filling the working directory: stopped by a bound, not the host's disk", { timeout }, async () => {
          const task = await runProgram(plugin, h.fillDisk!, { memory_mb: 128, file_size_mb: 4, wall_time_ms: 20_000 })
          // The step's own staging area (or, where a sandbox binds the host directory, the memory
          // its pages are charged to) stops it: a filled area is output over the cap.
          expectVerdict(task, ["output_limit", "memory_limit"])
          if (task.result?.verdict === "output_limit") {
            expect(task.result.stdout).toMatch(/^full \d+\n$/)
            expect(Number(task.result.stdout.split(" ")[1])).toBeLessThanOrEqual(128)
          }
          await expectCleanAfter(plugin)
        })

        when(h.connect)("network: no service of the host is reachable over loopback", { timeout }, async () => {
          // The control: the service answers the host itself, on every address probed below.
          const targets = [
            ["127.0.0.1", String(port)],
            ["localhost", String(port)],
            ...(ipv6 ? [["::1", String(port)]] : []),
            ["127.0.0.1", "5432"],
            ["127.0.0.1", "5672"],
            ["127.0.0.1", "6379"]
          ]
          for (const host of ["127.0.0.1", ...(ipv6 ? ["::1"] : [])])
            await new Promise<void>((resolve, reject) => net.connect(port, host, resolve).on("error", reject).end())
          const tasks = await Promise.all(targets.map((args) => runProgram(plugin, h.connect!, { wall_time_ms: 10_000 }, args)))
          for (const [i, task] of tasks.entries()) {
            expect(task.result?.stdout, `${targets[i]!.join(":")}: ${task.result?.stderr}`).toBe("blocked\n")
          }
          await expectCleanAfter(plugin)
        })

        when(h.readFile)("host files: shadow, /root, the host's secrets are not readable", { timeout }, async () => {
          const denied = [
            "/etc/shadow",
            "/root/.bashrc",
            "/root/.ssh/id_rsa",
            path.join(secretDir, "secret.txt"),
            "/sys/kernel/notes",
            "/etc/hostname"
          ]
          const tasks = await Promise.all(denied.map((file) => runProgram(plugin, h.readFile!, {}, [file])))
          for (const [i, task] of tasks.entries()) expect(task.result?.stdout, denied[i]).toBe("denied\n")
          // pid 1 inside is the sandbox's own init; whatever it shows, the host's secrets are not in it.
          for (const file of ["/proc/1/environ", "/proc/self/environ", "/proc/1/cmdline"]) {
            const task = await runProgram(plugin, h.readFile!, {}, [file])
            expect(task.result?.stdout).not.toContain(canary)
          }
          await expectCleanAfter(plugin)
        })

        when(h.printEnv)("environment: cleared, no secret of the host", { timeout }, async () => {
          const task = await runProgram(plugin, h.printEnv!)
          expectVerdict(task, ["ok"])
          expect(task.result?.stdout).not.toContain(canary)
          const names = task
            .result!.stdout.split("\n")
            .filter((l) => l !== "")
            .map((l) => l.split("=")[0]!)
          const allowed = new Set(["PATH", "HOME", "LANG", "PWD", "SHLVL", "_", "OLDPWD", ...Object.keys(plugin.runtime.env)])
          expect(names.filter((n) => !allowed.has(n) && n in process.env)).toEqual([])
        })

        when(h.daemon)("daemon: the detached process is gone when the job ends", { timeout }, async () => {
          const task = await runProgram(plugin, h.daemon!, { wall_time_ms: 20_000 })
          expectVerdict(task, ["ok"])
          expect(task.result?.stdout).toBe("started\n")
          await expectCleanAfter(plugin)
        })

        when(h.leaveFiles)("files: nothing in /tmp or the working directory survives into the next job", { timeout }, async () => {
          const first = await runProgram(plugin, h.leaveFiles!)
          const second = await runProgram(plugin, h.leaveFiles!)
          expect(first.result?.stdout, first.result?.stderr).toBe("fresh\n")
          expect(second.result?.stdout, second.result?.stderr).toBe("fresh\n")
        })

        // The engine's own cases: their outcome does not depend on isolation.
        if (!absent) {
          when(h.segfault)("crash: SIGSEGV is a runtime error with its signal", { timeout }, async () => {
            const task = await runProgram(plugin, h.segfault!)
            expectVerdict(task, ["runtime_error"])
            expect(task.result?.signal).toBe("SIGSEGV")
            expect(task.result?.returncode).toBeNull()
            await expectCleanAfter(plugin)
          })

          when(h.deepRecursion)("deep recursion: ends as an error, not a hang", { timeout }, async () => {
            const task = await runProgram(plugin, h.deepRecursion!, { wall_time_ms: 20_000, memory_mb: 256 })
            expectVerdict(task, ["runtime_error", "memory_limit"])
            await expectCleanAfter(plugin)
          })

          when(h.printArgs)("argument injection: args reach the program verbatim", { timeout }, async () => {
            const task = await runProgram(plugin, h.printArgs!, {}, trickyArgs)
            expectVerdict(task, ["ok"])
            expect(task.result?.stdout).toBe(trickyArgs.map((a) => `${a}\n`).join(""))
          })

          when(h.binaryOutput)("binary output: SUCCESS, every byte kept (NUL, invalid UTF-8)", { timeout }, async () => {
            const task = await runProgram(plugin, h.binaryOutput!)
            expectVerdict(task, ["ok"])
            const result = task.result!
            // Not valid UTF-8: the text has replacement characters, the exact bytes are in base64.
            expect(result.stdout_base64).not.toBeNull()
            expect([...outputBytes(result.stdout, result.stdout_base64)]).toEqual(Array.from({ length: 256 }, (_, i) => i))
            expect(result.stdout.slice(0, 128)).toBe(String.fromCharCode(...Array.from({ length: 128 }, (_, i) => i)))
            // Valid UTF-8 with a NUL: the text is exact, so no base64.
            expect(result.stderr).toBe("A\u0000B\n")
            expect(result.stderr_base64).toBeNull()
            await expectCleanAfter(plugin)
          })

          when(h.deepTree)("a 22,000-deep directory tree: SUCCESS on the first run, removed", { timeout }, async () => {
            const task = await runProgram(plugin, h.deepTree!, { wall_time_ms: 60_000 })
            expectVerdict(task, ["ok"])
            expect(task.result?.stdout).toBe("deep\n")
            expect(task.attempts).toBe(1)
            await expectCleanAfter(plugin)
          })

          when(h.sparseFiles)("sparse files: counted by apparent size, not copied out past the cap", { timeout }, async () => {
            const task = await runProgram(plugin, h.sparseFiles!, { file_size_mb: 256 })
            expectVerdict(task, ["output_limit"])
            expect(task.result?.stdout).toBe("sparse\n")
            expect(task.result?.output_files).toEqual([])
            expect(task.attempts).toBe(1)
            await expectCleanAfter(plugin)
          })
        }

        when(h.includeHostFile)("compile time: including /etc/shadow fails without showing it", { timeout }, async () => {
          const task = await runProgram(plugin, h.includeHostFile!)
          expectVerdict(task, ["compile_error"])
          expect(task.result?.compile?.stderr).toContain("/etc/shadow")
          // gcc quotes the line it choked on (`    1 | root:$y$...`): no line of the file may show.
          expect(task.result?.compile?.stderr).not.toMatch(/root:/)
          await expectCleanAfter(plugin)
        })

        when(h.hugeCompile)("compile time: an exploding compilation is stopped by a limit", { timeout }, async () => {
          const task = await runProgram(plugin, h.hugeCompile!)
          expectVerdict(task, ["compile_error"])
          expect(["memory", "cpu_time", "wall_time"]).toContain(task.result?.compile?.limit)
          await expectCleanAfter(plugin)
        })

        isolationCases(h, { plugin, timeout, run, runProgram, expectCleanAfter, isolationCase })

        if (!absent) {
          it("cancellation: a running job is killed and leaves nothing", { timeout }, async () => {
            const sleeper = h.sleeper ?? plugin.samples.busyLoop
            const submitted = await box.submit({ language: plugin.id, source_code: sleeper, limits: { wall_time_ms: 60_000 } })
            for (let i = 0; i < 600 && (await box.result(submitted.task_id)).state !== "STARTED"; i++) {
              await new Promise((resolve) => setTimeout(resolve, 50))
            }
            // Let the program itself start, not just the task.
            await new Promise((resolve) => setTimeout(resolve, 500))
            const revoked = await box.cancel(submitted.task_id)
            expect(revoked.state).toBe("REVOKED")
            await expectCleanAfter(plugin)
          })
        }
      })
    }

    // Each of its jobs is a case above already: without isolation only those are run.
    if (!absent)
      it("hostile jobs racing each other each get their own verdict", { timeout: timeout * 2 }, async () => {
        const cases: Array<{ plugin: LanguagePlugin; request: TaskRequest; verdicts: ReadonlyArray<Verdict> }> = []
        for (const plugin of options.plugins) {
          const h = plugin.hostile ?? {}
          const add = (source: string | undefined, limits: LimitsRequest, verdicts: ReadonlyArray<Verdict>) => {
            if (source !== undefined) cases.push({ plugin, request: { language: plugin.id, source_code: source, limits }, verdicts })
          }
          add(h.forkBomb, { processes: 32, wall_time_ms: 4000, cpu_time_ms: 3000 }, ["time_limit", "memory_limit"])
          add(h.stdoutFlood, { output_bytes: 4096 }, ["output_limit"])
          add(h.sleeper, { wall_time_ms: 2000 }, ["time_limit"])
          add(plugin.samples.memoryHog, { memory_mb: 64 }, ["memory_limit"])
          add(plugin.samples.hello, {}, ["ok"])
        }
        const tasks = await Promise.all(cases.map((c) => run(c.request)))
        for (const [i, task] of tasks.entries()) {
          const c = cases[i]!
          expect(
            c.verdicts,
            `${c.plugin.id} case ${i}: verdict ${task.result?.verdict} (${task.error ?? task.result?.stderr.slice(0, 300)})`
          ).toContain(task.result?.verdict)
          if (c.verdicts[0] === "ok") expect(task.result?.stdout).toBe("hello\n")
        }
        await expectNothingLeft()
      })
  })
}
