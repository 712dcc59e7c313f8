import { Effect, Layer } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { type CodeBoxClient, createCodeBox, type Task, type TaskRequest, type LanguagePlugin, Sandbox } from "@codebox/core"

export interface SandboxConformanceOptions {
  readonly plugins: ReadonlyArray<LanguagePlugin>
  readonly timeoutMs?: number
  /** Jobs run at once by the engine under test (races between jobs are part of the contract). */
  readonly concurrency?: number
}

/**
 * The contract every Sandbox implementation must meet, run through the whole engine: each plugin's
 * samples give the right output and verdicts, and jobs running side by side do not see each other.
 */
export const sandboxConformance = (name: string, sandbox: Layer.Layer<Sandbox, unknown>, options: SandboxConformanceOptions) => {
  const timeout = options.timeoutMs ?? 60_000
  describe(`Sandbox ${name}: conformance`, () => {
    let box: CodeBoxClient
    beforeAll(() => {
      box = createCodeBox({ plugins: options.plugins, sandbox: sandbox.pipe(Layer.orDie), concurrency: options.concurrency ?? 2 })
    })
    afterAll(() => box.close())

    const run = async (request: TaskRequest) => {
      const submitted = await box.submit(request)
      const done = await box.awaitResult(submitted.task_id, timeout)
      expect(done, "task finished in time").toBeDefined()
      return done as Task
    }

    for (const plugin of options.plugins) {
      it(`${plugin.id}: hello, exit code and stdin`, { timeout }, async () => {
        const [hello, exit, echo] = await Promise.all([
          run({ language: plugin.id, source_code: plugin.samples.hello }),
          run({ language: plugin.id, source_code: plugin.samples.exitThree }),
          run({ language: plugin.id, source_code: plugin.samples.echoUpper, stdin: "q" })
        ])
        expect(hello.result?.stdout, hello.result?.stderr).toBe("hello\n")
        expect(exit.result?.returncode).toBe(3)
        expect(echo.result?.stdout).toBe("Q")
      })
    }

    it("reports itself ready through check", { timeout }, async () => {
      const checked = Effect.gen(function* () {
        const ready = yield* Sandbox
        yield* ready.check
        return ready.name
      }).pipe(Effect.provide(sandbox), Effect.scoped)
      expect(await Effect.runPromise(checked)).toMatch(/^[a-z]+$/)
    })

    it("runs jobs side by side without mixing their outputs", { timeout: timeout * 2 }, async () => {
      const tasks = await Promise.all(
        options.plugins.flatMap((plugin) =>
          Array.from({ length: 3 }, (_, i) =>
            run({ language: plugin.id, source_code: plugin.samples.echoUpper, stdin: `${plugin.id}-${i}` })
          )
        )
      )
      const outputs = tasks.map((t) => t.result?.stdout)
      expect(outputs).toEqual(options.plugins.flatMap((plugin) => [0, 1, 2].map((i) => `${plugin.id}-${i}`.toUpperCase())))
    })
  })
}
