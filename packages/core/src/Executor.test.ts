import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Deferred, Effect, Fiber, Layer, Option } from "effect"
import { TestClock } from "effect/testing"
import { describe, expect, it } from "@effect/vitest"
import * as CodeBox from "./CodeBox.ts"
import { SandboxError, StoreError } from "./domain/Errors.ts"
import { Engine } from "./Engine.ts"
import { Executor } from "./Executor.ts"
import { SandboxPaths } from "./LanguagePlugin.ts"
import { ScriptedSandbox } from "@codebox/testkit"
import type { SandboxStep } from "./Sandbox.ts"
import { toyPlugin } from "@codebox/test-support"
import * as MemoryTaskStore from "./store/MemoryTaskStore.ts"
import { TaskStore } from "./TaskStore.ts"

const hostPathOf = (step: SandboxStep, sandboxPath: string) => step.mounts.find((m) => m.sandboxPath === sandboxPath)!.hostPath

/** Runs `body` against an engine with no background worker, so the test drives the executor itself. */
const withEngine = <A, E>(
  script: ScriptedSandbox.Script,
  body: Effect.Effect<A, E, Engine | Executor | TaskStore>,
  plugins = [toyPlugin()]
) => {
  const scripted = ScriptedSandbox.make(script)
  return body.pipe(
    Effect.provide(CodeBox.layer({ plugins, sandbox: scripted.layer, concurrency: 0 })),
    Effect.map((value) => ({ value, steps: scripted.steps }))
  )
}

const submitAndRun = (source: string, files: ReadonlyArray<{ name: string; data: Uint8Array }> = [], extra = {}) =>
  Effect.gen(function* () {
    const engine = yield* Engine
    const executor = yield* Executor
    const task = yield* engine.submit({ language: "toy", source_code: source, ...extra }, files)
    const outcome = yield* executor.execute(task.task_id)
    return { outcome, task: yield* engine.result(task.task_id) }
  })

describe("Executor", () => {
  it.effect("stages inputs read-only, rewrites placeholders, and collects and stores outputs", () =>
    Effect.gen(function* () {
      const { value, steps } = yield* withEngine(
        (step) => {
          const inDir = hostPathOf(step, SandboxPaths.in)
          const outDir = hostPathOf(step, SandboxPaths.out)
          const source = fs.readFileSync(path.join(hostPathOf(step, SandboxPaths.src), "main.toy"), "utf8")
          const input = fs.readFileSync(path.join(inDir, "b.txt"), "utf8")
          fs.writeFileSync(path.join(outDir, "r.txt"), input.toUpperCase())
          fs.writeFileSync(path.join(outDir, "s.csv"), "a,b\n")
          return ScriptedSandbox.outcome({ stdout: source })
        },
        Effect.gen(function* () {
          const { outcome, task } = yield* submitAndRun("read(IN_2) write(OUT_r.txt) # IN_1", [
            { name: "a.txt", data: new TextEncoder().encode("first") },
            { name: "../b.txt", data: new TextEncoder().encode("second") }
          ])
          const engine = yield* Engine
          return { outcome, task, r: new TextDecoder().decode(yield* engine.readOutput(task.task_id, "r.txt")) }
        })
      )
      expect(value.outcome).toEqual({ _tag: "Completed", state: "SUCCESS", verdict: "ok" })
      expect(value.task.input_files).toEqual(["a.txt", "b.txt"])
      expect(value.task.result?.stdout).toBe(`read("/box/in/b.txt") write("/box/out/r.txt") # /box/in/a.txt`)
      expect(value.task.result?.output_files).toEqual(["r.txt", "s.csv"])
      expect(value.task.result?.files.map((f) => [f.name, f.size, f.content_type])).toEqual([
        ["r.txt", 6, "text/plain; charset=utf-8"],
        ["s.csv", 4, "text/csv; charset=utf-8"]
      ])
      expect(value.r).toBe("SECOND")
      const run = steps[0]!
      expect(run.mounts.map((m) => [m.sandboxPath, m.writable])).toEqual([
        ["/box/src", false],
        ["/box/in", false],
        ["/box/out", true]
      ])
      expect(run.cwd).toBe("/box/out")
      // The job directory is gone once the task is done.
      expect(fs.existsSync(path.dirname(run.mounts[0]!.hostPath))).toBe(false)
    })
  )

  it.effect("runs the compile step with the source writable and stops at a compile error", () =>
    Effect.gen(function* () {
      const compiled = toyPlugin({ compile: { argv: (ctx) => ["/usr/bin/toyc", ctx.sourcePath], limits: { memory_mb: 1024 } } })
      const { value, steps } = yield* withEngine(
        (step) =>
          step.argv[0] === "/usr/bin/toyc"
            ? ScriptedSandbox.outcome({ exitCode: 1, stderr: "main.toy:1: oops" })
            : ScriptedSandbox.outcome(),
        submitAndRun("bad"),
        [compiled]
      )
      expect(steps.length).toBe(1)
      expect(steps[0]!.mounts.map((m) => [m.sandboxPath, m.writable])).toEqual([
        ["/box/src", true],
        ["/box/in", false]
      ])
      expect(steps[0]!.limits.memory_mb).toBe(1024)
      expect(value.task.state).toBe("SUCCESS")
      expect(value.task.result?.verdict).toBe("compile_error")
      expect(value.task.result?.stderr).toBe("main.toy:1: oops")
      expect(value.task.result?.compile?.returncode).toBe(1)
    })
  )

  it.effect("maps the limit that fired to the verdict", () =>
    Effect.gen(function* () {
      for (const [limit, verdict] of [
        ["wall_time", "time_limit"],
        ["cpu_time", "time_limit"],
        ["memory", "memory_limit"],
        ["output", "output_limit"]
      ] as const) {
        const { value } = yield* withEngine(() => ScriptedSandbox.outcome({ exitCode: 137, signal: "SIGKILL", limit }), submitAndRun("x"))
        expect(value.task.result?.verdict).toBe(verdict)
        expect(value.task.result?.signal).toBe("SIGKILL")
      }
      const { value } = yield* withEngine(() => ScriptedSandbox.outcome({ exitCode: 2 }), submitAndRun("x"))
      expect(value.task.result?.verdict).toBe("runtime_error")
    })
  )

  it.effect("passes args as argv after the plugin's, stdin as given, and the requested limits", () =>
    Effect.gen(function* () {
      const { steps } = yield* withEngine(
        () => ScriptedSandbox.outcome(),
        submitAndRun("x", [], { args: ["--flag", "$(rm -rf /)"], stdin: "in", limits: { wall_time_ms: 5000 } })
      )
      expect(steps[0]!.argv).toEqual(["/usr/bin/toy", "/box/src/main.toy", "--flag", "$(rm -rf /)"])
      expect(steps[0]!.stdin).toBe("in")
      expect(steps[0]!.limits.wall_time_ms).toBe(5000)
    })
  )

  it.effect("marks the task FAILURE with the reason when the sandbox cannot run it", () =>
    Effect.gen(function* () {
      const { value } = yield* withEngine(
        () => Effect.fail(new SandboxError({ message: "bubblewrap is not installed" })),
        submitAndRun("x")
      )
      expect(value.outcome).toEqual({ _tag: "Completed", state: "FAILURE", verdict: null })
      expect(value.task.state).toBe("FAILURE")
      expect(value.task.error).toBe("bubblewrap is not installed")
      expect(value.task.result).toBeNull()
    })
  )

  it.effect("lists output files it refused (links) in skipped_outputs; the run stays SUCCESS with error null", () =>
    Effect.gen(function* () {
      const { value } = yield* withEngine((step) => {
        fs.symlinkSync("/etc/passwd", path.join(hostPathOf(step, SandboxPaths.out), "leak.txt"))
        return ScriptedSandbox.outcome()
      }, submitAndRun("x"))
      expect(value.task.state).toBe("SUCCESS")
      expect(value.task.result?.output_files).toEqual([])
      expect(value.task.result?.error).toBeNull()
      expect(value.task.result?.skipped_outputs).toEqual([{ name: "leak.txt", reason: "a link" }])
    })
  )

  it.effect("bounds the list of refused output files, however many there are", () =>
    Effect.gen(function* () {
      const { value } = yield* withEngine((step) => {
        const out = hostPathOf(step, SandboxPaths.out)
        for (let i = 0; i < 500; i++) fs.symlinkSync("/etc/passwd", path.join(out, `link${i}`))
        return ScriptedSandbox.outcome()
      }, submitAndRun("x"))
      expect(value.task.result?.error).toBeNull()
      expect(value.task.result?.skipped_outputs).toHaveLength(100)
      expect(value.task.result?.skipped_outputs[0]).toEqual({ name: expect.stringMatching(/^link\d+$/), reason: "a link" })
    })
  )

  it.effect("ends FAILURE with the reason, never a re-run, when the store refuses a result", () =>
    Effect.gen(function* () {
      // A store that refuses any program result (as PostgreSQL refused a NUL in JSONB).
      const refusing = Layer.effect(
        TaskStore,
        Effect.gen(function* () {
          const store = yield* TaskStore
          return TaskStore.of({
            ...store,
            complete: (id, attempt, state, result, error) =>
              result === null ? store.complete(id, attempt, state, result, error) : Effect.fail(new StoreError({ message: "refused" }))
          })
        })
      ).pipe(Layer.provide(MemoryTaskStore.layer))
      let runs = 0
      const scripted = ScriptedSandbox.make(() => {
        runs++
        return ScriptedSandbox.outcome({ stdout: "printed" })
      })
      // The executor retries the write for about two minutes first (a store briefly away): let
      // the test clock run past that.
      const running = yield* submitAndRun("x").pipe(
        Effect.provide(CodeBox.layer({ plugins: [toyPlugin()], sandbox: scripted.layer, store: refusing, concurrency: 0 })),
        Effect.forkChild
      )
      // The run does real I/O (its job directory) between the retries' sleeps: keep moving the
      // clock, with a real pause each time, until it is done.
      const clock = yield* Effect.forkChild(
        Effect.forever(TestClock.adjust("1 second").pipe(Effect.andThen(Effect.promise(() => new Promise((r) => setTimeout(r, 2))))))
      )
      const { outcome, task } = yield* Fiber.join(running)
      yield* Fiber.interrupt(clock)
      expect(outcome).toEqual({ _tag: "Completed", state: "FAILURE", verdict: null })
      expect(task.state).toBe("FAILURE")
      expect(task.error).toBe("the program ran, but its result could not be stored")
      expect(task.attempts).toBe(1)
      expect(runs).toBe(1)
    })
  )

  it.effect("completes a task once: a duplicate delivery is skipped", () =>
    Effect.gen(function* () {
      const { value, steps } = yield* withEngine(
        () => ScriptedSandbox.outcome(),
        Effect.gen(function* () {
          const first = yield* submitAndRun("x")
          const again = yield* (yield* Executor).execute(first.task.task_id)
          return { first: first.outcome, again }
        })
      )
      expect(value.first._tag).toBe("Completed")
      expect(value.again).toEqual({ _tag: "Skipped" })
      expect(steps.length).toBe(1)
    })
  )

  it.effect("kills a running task when it is cancelled, and the store says REVOKED", () =>
    Effect.gen(function* () {
      const interrupted = yield* Deferred.make<void>()
      const started = yield* Deferred.make<void>()
      const { value } = yield* withEngine(
        () =>
          Deferred.succeed(started, undefined).pipe(
            Effect.andThen(Effect.never),
            Effect.onInterrupt(() => Deferred.succeed(interrupted, undefined))
          ),
        Effect.gen(function* () {
          const engine = yield* Engine
          const task = yield* engine.submit({ language: "toy", source_code: "x" })
          const fiber = yield* Effect.forkChild((yield* Executor).execute(task.task_id))
          yield* Deferred.await(started)
          yield* engine.cancel(task.task_id)
          const outcome = yield* Fiber.join(fiber)
          yield* Deferred.await(interrupted)
          return { outcome, task: yield* engine.result(task.task_id) }
        })
      )
      expect(value.outcome).toEqual({ _tag: "Revoked" })
      expect(value.task.state).toBe("REVOKED")
    })
  )

  it.effect("drops a result whose claim no longer holds (the task was reclaimed meanwhile)", () =>
    Effect.gen(function* () {
      const { value } = yield* withEngine(
        () => ScriptedSandbox.outcome(),
        Effect.gen(function* () {
          const engine = yield* Engine
          const store = yield* TaskStore
          const task = yield* engine.submit({ language: "toy", source_code: "x" })
          const claim = yield* store.claim(task.task_id, "old-worker")
          yield* store.retry(task.task_id, "worker lost")
          const outcome = yield* (yield* Executor).execute(task.task_id)
          const late = yield* store.complete(task.task_id, Option.getOrThrow(claim).attempt, "SUCCESS", null, null)
          return { outcome, late, task: yield* engine.result(task.task_id) }
        })
      )
      expect(value.outcome._tag).toBe("Completed")
      expect(value.late).toBe(false)
      expect(value.task.attempts).toBe(2)
    })
  )

  it.effect("gives up on a task that keeps being claimed without completing", () =>
    Effect.gen(function* () {
      const { value, steps } = yield* withEngine(
        () => ScriptedSandbox.outcome(),
        Effect.gen(function* () {
          const engine = yield* Engine
          const store = yield* TaskStore
          const task = yield* engine.submit({ language: "toy", source_code: "x" })
          for (let i = 0; i < 3; i++) {
            yield* store.claim(task.task_id, "crashing-worker")
            yield* store.retry(task.task_id, "worker lost")
          }
          yield* (yield* Executor).execute(task.task_id)
          return yield* engine.result(task.task_id)
        })
      )
      expect(steps.length).toBe(0)
      expect(value.state).toBe("FAILURE")
      expect(value.error).toMatch(/gave up after 3 attempts/)
    })
  )
})

describe("Layer wiring", () => {
  // Live clock: the background worker and the 10-second wait run in real time.
  it.live("keeps one instance of each service across the engine and the worker", () =>
    Effect.gen(function* () {
      const scripted = ScriptedSandbox.make(() => ScriptedSandbox.outcome({ stdout: "ran" }))
      const layer = CodeBox.layer({ plugins: [toyPlugin()], sandbox: scripted.layer, concurrency: 1 })
      const task = yield* Effect.gen(function* () {
        const engine = yield* Engine
        const submitted = yield* engine.submit({ language: "toy", source_code: "x" })
        return yield* engine.awaitResult(submitted.task_id, "10 seconds")
      }).pipe(Effect.provide(layer as Layer.Layer<Engine>))
      expect(Option.getOrThrow(task).result?.stdout).toBe("ran")
    })
  )
})

describe("Executor: the worker's name on tasks", () => {
  it.effect("is random by default: it names neither the host nor the worker's pid", () =>
    Effect.gen(function* () {
      const { value } = yield* withEngine(() => ScriptedSandbox.outcome({ stdout: "ran" }), submitAndRun("print"))
      expect(value.task.worker).toMatch(/^worker-[0-9a-f]{8}$/)
      expect(value.task.worker).not.toContain(os.hostname())
      expect(value.task.worker).not.toContain(String(process.pid))
    })
  )
})
