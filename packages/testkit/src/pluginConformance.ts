import * as fs from "node:fs"
import { Deferred, Effect, Fiber, Layer, Schema } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import {
  CodeBox,
  type CodeBoxClient,
  createCodeBox,
  Engine,
  Executor,
  TaskStore,
  Limits,
  LanguageId,
  type Task,
  rewriteForSandbox,
  type LanguagePlugin,
  SandboxPaths,
  makeRegistry,
  type Sandbox
} from "@codebox/core"
import * as ScriptedSandbox from "./ScriptedSandbox.ts"

export interface PluginConformanceOptions {
  /** A real sandbox to run the plugin's samples in; without one only the static contract is checked. */
  readonly sandbox?: Layer.Layer<Sandbox, unknown>
  /** Per-test timeout for sandboxed runs (default 60 s; compile steps on 2 cores take a while). */
  readonly timeoutMs?: number
}

const ctx = { sourcePath: `${SandboxPaths.src}/main`, srcDir: SandboxPaths.src }

/**
 * The contract every LanguagePlugin must meet. Call it at the top level of a vitest file; it
 * registers its own describe block. Given a sandbox, it runs the plugin's samples through the
 * whole engine and checks stdout, stdin, exit codes, input and output files and the verdicts.
 */
export const pluginConformance = (plugin: LanguagePlugin, options: PluginConformanceOptions = {}) => {
  describe(`LanguagePlugin ${plugin.id}: contract`, () => {
    it("has a valid id and aliases that do not collide", () => {
      for (const name of [plugin.id, ...plugin.aliases]) expect(Schema.is(LanguageId)(name), name).toBe(true)
      expect(() => makeRegistry([plugin])).not.toThrow()
      expect(new Set([plugin.id, ...plugin.aliases]).size).toBe(plugin.aliases.length + 1)
    })

    it("has valid limits, defaults within the maxima", () => {
      expect(Schema.is(Limits)(plugin.defaultLimits)).toBe(true)
      expect(Schema.is(Limits)(plugin.maxLimits)).toBe(true)
      for (const [key, value] of Object.entries(plugin.defaultLimits)) {
        expect(value, key).toBeLessThanOrEqual(plugin.maxLimits[key as keyof Limits])
      }
    })

    it("names a plain source file and absolute programs", () => {
      expect(plugin.sourceFile).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9]+$/)
      for (const argv of [plugin.run.argv(ctx), plugin.compile?.argv(ctx) ?? ["/"], plugin.versionProbe]) {
        expect(argv.length).toBeGreaterThan(0)
        expect(argv[0]!.startsWith("/"), argv[0]).toBe(true)
      }
    })

    it("quotes a path as a literal that contains it", () => {
      const quoted = plugin.quote("/box/in/data.csv")
      expect(quoted).toContain("/box/in/data.csv")
      expect(quoted).not.toBe("/box/in/data.csv")
    })

    it("ships its image recipe and runtime description", () => {
      expect(plugin.runtime.image).toMatch(/^[a-z0-9./_-]+:[A-Za-z0-9._-]+$/)
      expect(fs.existsSync(plugin.runtime.dockerfile), plugin.runtime.dockerfile).toBe(true)
      expect(fs.readFileSync(plugin.runtime.dockerfile, "utf8")).toMatch(/^ARG BASE/m)
      expect(plugin.runtime.debianPackages.length).toBeGreaterThan(0)
      for (const p of plugin.runtime.nativePaths) expect(p.startsWith("/"), p).toBe(true)
    })

    it("has samples whose placeholders rewrite", async () => {
      for (const [name, source] of Object.entries(plugin.samples)) expect(source.length, name).toBeGreaterThan(0)
      const rewritten = await Effect.runPromise(rewriteForSandbox(plugin.samples.copyInput, plugin, ["input.txt"]))
      expect(rewritten.outputs).toEqual(["copy.txt"])
      expect(rewritten.source).toContain(`${SandboxPaths.in}/input.txt`)
    })

    it("declares interpolations on its own string delimiters, with a sample that uses them", async () => {
      for (const interpolation of plugin.syntax.interpolations ?? []) {
        expect(plugin.syntax.strings, interpolation.open).toContain(interpolation.string)
      }
      const sample = plugin.samples.placeholders
      if (sample === undefined) return
      const rewritten = await Effect.runPromise(rewriteForSandbox(sample, plugin, ["input.txt"]))
      expect([...rewritten.outputs].sort()).toEqual(["data.json", "result.tar.gz"])
    })

    it("goes PENDING -> STARTED -> SUCCESS through the engine (scripted sandbox)", () =>
      Effect.runPromise(
        Effect.gen(function* () {
          const started = yield* Deferred.make<void>()
          const gate = yield* Deferred.make<void>()
          const scripted = ScriptedSandbox.make(() =>
            Deferred.succeed(started, undefined).pipe(
              Effect.andThen(Deferred.await(gate)),
              Effect.as(ScriptedSandbox.outcome({ stdout: "hello\n" }))
            )
          )
          yield* Effect.gen(function* () {
            const engine = yield* Engine
            const store = yield* TaskStore
            const executor = yield* Executor
            const task = yield* engine.submit({ language: plugin.aliases[0] ?? plugin.id, source_code: plugin.samples.hello })
            expect(task.state).toBe("PENDING")
            expect(task.language).toBe(plugin.id)
            const fiber = yield* Effect.forkChild(executor.execute(task.task_id))
            yield* Deferred.await(started)
            expect((yield* store.get(task.task_id)).state).toBe("STARTED")
            yield* Deferred.succeed(gate, undefined)
            expect(yield* Fiber.join(fiber)).toEqual({ _tag: "Completed", state: "SUCCESS", verdict: "ok" })
            const done = yield* store.get(task.task_id)
            expect(done.state).toBe("SUCCESS")
            expect(done.result?.stdout).toBe("hello\n")
            const runStep = scripted.steps.at(-1)!
            expect(runStep.argv).toEqual(
              plugin.run.argv({ sourcePath: `${SandboxPaths.src}/${plugin.sourceFile}`, srcDir: SandboxPaths.src })
            )
            expect(scripted.steps.length).toBe(plugin.compile === undefined ? 1 : 2)
          }).pipe(Effect.provide(CodeBox.layer({ plugins: [plugin], sandbox: scripted.layer, concurrency: 0 })))
        })
      ))
  })

  const sandbox = options.sandbox
  if (sandbox === undefined) return
  const timeout = options.timeoutMs ?? 60_000

  describe(`LanguagePlugin ${plugin.id}: samples in a real sandbox`, () => {
    let box: CodeBoxClient
    beforeAll(() => {
      box = createCodeBox({ plugins: [plugin], sandbox: sandbox.pipe(Layer.orDie), concurrency: 2 })
    })
    afterAll(() => box.close())

    const run = async (
      source: string,
      extra: Partial<Parameters<CodeBoxClient["submit"]>[0]> = {},
      files = [] as Array<{ name: string; data: Uint8Array }>
    ) => {
      const submitted = await box.submit({ language: plugin.id, source_code: source, ...extra }, files)
      const done = await box.awaitResult(submitted.task_id, timeout)
      expect(done, "task finished in time").toBeDefined()
      return done as Task
    }

    it("prints hello", { timeout }, async () => {
      const task = await run(plugin.samples.hello)
      expect(task.state, task.error ?? "").toBe("SUCCESS")
      expect(task.result?.stdout).toBe("hello\n")
      expect(task.result?.returncode).toBe(0)
      expect(task.result?.verdict).toBe("ok")
    })

    it("reads stdin", { timeout }, async () => {
      const task = await run(plugin.samples.echoUpper, { stdin: "abc xyz\n" })
      expect(task.result?.stdout).toBe("ABC XYZ\n")
    })

    it("reads IN_1 and writes OUT_copy.txt", { timeout }, async () => {
      const data = new TextEncoder().encode("line one\nline two\n")
      const task = await run(plugin.samples.copyInput, {}, [{ name: "input.txt", data }])
      expect(task.result?.stdout.trim(), task.result?.stderr).toBe(String(data.byteLength))
      expect(task.result?.output_files).toEqual(["copy.txt"])
      expect(await box.readOutput(task.task_id, "copy.txt")).toEqual(data)
    })

    const placeholders = plugin.samples.placeholders
    if (placeholders !== undefined) {
      it("replaces placeholders in code, in strings, inside interpolations, with multi-dot extensions", { timeout }, async () => {
        const data = new TextEncoder().encode("a,b\n1,2\n")
        const task = await run(placeholders, {}, [{ name: "input.txt", data }])
        const path = `${SandboxPaths.in}/input.txt`
        const interpolated = (plugin.syntax.interpolations ?? []).length > 0 ? [`interpolated ${path}`, `nested ${path}`] : []
        expect(task.result?.stdout, task.result?.stderr).toBe([`code ${path}`, `string ${path}`, ...interpolated, ""].join("\n"))
        expect(task.result?.verdict).toBe("ok")
        expect([...(task.result?.output_files ?? [])].sort()).toEqual(["data.json", "result.tar.gz"])
        expect(await box.readOutput(task.task_id, "result.tar.gz")).toEqual(data)
        expect(await box.readOutput(task.task_id, "data.json")).toEqual(data)
      })
    }

    it("reports a non-zero exit code as a runtime error", { timeout }, async () => {
      const task = await run(plugin.samples.exitThree)
      expect(task.result?.returncode).toBe(3)
      expect(task.result?.verdict).toBe("runtime_error")
    })

    it("stops a memory hog with memory_limit", { timeout }, async () => {
      const task = await run(plugin.samples.memoryHog, { limits: { memory_mb: 128 } })
      expect(task.result?.verdict, task.result?.stderr).toBe("memory_limit")
    })

    it("stops a busy loop with time_limit", { timeout }, async () => {
      const task = await run(plugin.samples.busyLoop, { limits: { cpu_time_ms: 1000, wall_time_ms: 5000 } })
      expect(task.result?.verdict).toBe("time_limit")
      expect(["cpu_time", "wall_time"]).toContain(task.result?.limit)
    })
  })
}
