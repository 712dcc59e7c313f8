import { monitorEventLoopDelay } from "node:perf_hooks"
import { Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type CodeBoxClient, createCodeBox, type LanguagePlugin, type Sandbox, type Task, type TaskRequest } from "@codebox/core"

export interface NeighbourSuiteOptions {
  /** The language whose `hostile` programs run beside its well-behaved one. */
  readonly plugin: LanguagePlugin
  /** The well-behaved program and what it must print; it may write `result.txt` in its working directory. */
  readonly wellBehaved: { readonly source: string; readonly stdout: string; readonly resultFile?: string }
  readonly timeoutMs?: number
}

/**
 * A well-behaved job beside hostile ones (a deep tree, sparse files, filling its working directory,
 * a huge stdout), all on one engine at once: the good job's verdict stays ok and its output and
 * files are intact. Timing is not asserted (CONTRIBUTING: no wall-time assertions); the suite
 * prints the good job's wall time alone and beside the hostile jobs, and the event loop's worst
 * delay meanwhile (what /api/health would wait for on a server running this engine).
 */
export const neighbourSuite = (name: string, sandbox: Layer.Layer<Sandbox, unknown>, options: NeighbourSuiteOptions) => {
  const timeout = options.timeoutMs ?? 180_000
  const { plugin, wellBehaved } = options
  const h = plugin.hostile ?? {}
  const hostile: ReadonlyArray<readonly [string, TaskRequest]> = [
    ["deep tree", h.deepTree, { wall_time_ms: 60_000 }],
    ["sparse files", h.sparseFiles, { file_size_mb: 256 }],
    ["staging fill", h.fillDisk, { memory_mb: 256, file_size_mb: 4, wall_time_ms: 20_000 }],
    ["huge output", h.stdoutFlood, { wall_time_ms: 10_000 }]
  ].flatMap(([what, source, limits]) =>
    source === undefined
      ? []
      : [[what as string, { language: plugin.id, source_code: source as string, limits: limits as object }] as const]
  )

  describe(`Sandbox ${name}: a well-behaved job beside hostile ones`, () => {
    let box: CodeBoxClient
    beforeAll(() => {
      box = createCodeBox({ plugins: [plugin], sandbox: sandbox.pipe(Layer.orDie), concurrency: hostile.length + 1 })
    })
    afterAll(() => box?.close())

    const finish = async (submitted: Promise<{ task_id: string }>): Promise<Task> => {
      const done = await box.awaitResult((await submitted).task_id, timeout)
      expect(done, "task finished in time").toBeDefined()
      return done as Task
    }
    const good = () => finish(box.submit({ language: plugin.id, source_code: wellBehaved.source }))
    const expectGood = async (task: Task) => {
      expect(task.state, task.error ?? "").toBe("SUCCESS")
      expect(task.result?.verdict, task.result?.stderr).toBe("ok")
      expect(task.result?.stdout).toBe(wellBehaved.stdout)
      if (wellBehaved.resultFile !== undefined) {
        expect(task.result?.output_files).toEqual(["result.txt"])
        expect(new TextDecoder().decode(await box.readOutput(task.task_id, "result.txt"))).toBe(wellBehaved.resultFile)
      }
    }

    it(`${hostile.map(([what]) => what).join(", ")}: the good job's verdict stays ok`, { timeout }, async () => {
      const alone = await good()
      await expectGood(alone)
      const loop = monitorEventLoopDelay({ resolution: 10 })
      loop.enable()
      const attacks = hostile.map(([what, request]) => finish(box.submit(request)).then((task) => [what, task] as const))
      // Good jobs at a few moments of the attack: each meets the hostile jobs at another stage.
      const besides = await Promise.all([0, 400, 800].map((delayMs) => new Promise((resolve) => setTimeout(resolve, delayMs)).then(good)))
      const attacked = await Promise.all(attacks)
      loop.disable()
      for (const beside of besides) await expectGood(beside)
      for (const [what, task] of attacked) {
        // Each hostile job ran and was stopped by its own bound, not turned into a failure.
        expect(task.state, `${what}: ${task.error ?? ""}`).toBe("SUCCESS")
        expect(task.attempts, what).toBe(1)
      }
      console.log(
        `neighbours (${name}): good job wall ${alone.result?.wall_time_ms} ms alone, ` +
          `${besides.map((task) => task.result?.wall_time_ms).join(" / ")} ms beside ` +
          `${attacked.map(([what, task]) => `${what} (${task.result?.verdict})`).join(", ")}; ` +
          `event loop delay max ${(loop.max / 1e6).toFixed(1)} ms, p99 ${(loop.percentile(99) / 1e6).toFixed(1)} ms`
      )
    })
  })
}
