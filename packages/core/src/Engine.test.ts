import { Effect, Exit, Option } from "effect"
import { describe, expect, it } from "@effect/vitest"
import * as CodeBox from "./CodeBox.ts"
import { Engine } from "./Engine.ts"
import { FileStorage } from "./FileStorage.ts"
import { ScriptedSandbox } from "@codebox/testkit"
import { toyPlugin } from "@codebox/test-support"
import { TaskQueue } from "./TaskQueue.ts"

const scripted = ScriptedSandbox.make(() => ScriptedSandbox.outcome({ stdout: "ok\n" }))
const run = <A, E>(body: Effect.Effect<A, E, Engine | TaskQueue | FileStorage>) =>
  Effect.exit(body.pipe(Effect.provide(CodeBox.layer({ plugins: [toyPlugin()], sandbox: scripted.layer, concurrency: 0 }))))
const succeeded = <A>(exit: Exit.Exit<A, unknown>): A => {
  if (Exit.isSuccess(exit)) return exit.value
  throw new Error(`expected success, got ${String(exit.cause)}`)
}
const failureTag = (exit: Exit.Exit<unknown, unknown>) => {
  if (Exit.isSuccess(exit)) return "success"
  const reason = exit.cause.reasons[0]
  return reason?._tag === "Fail" ? (reason.error as { _tag: string; message: string }) : reason?._tag
}

describe("Engine.submit", () => {
  it.effect("stores the task as PENDING with resolved id, limits and sanitised names, and queues it", () =>
    Effect.gen(function* () {
      const exit = yield* run(
        Effect.gen(function* () {
          const engine = yield* Engine
          const task = yield* engine.submit({ language: "TOYLANG", source_code: "IN_1", limits: { memory_mb: 256 } }, [
            { name: "../../etc/passwd", data: new Uint8Array([1]) }
          ])
          return { task, depth: yield* (yield* TaskQueue).depth, files: yield* (yield* FileStorage).list(task.task_id, "in") }
        })
      )
      const { task, depth, files } = succeeded(exit)
      expect(task.language).toBe("toy")
      expect(task.state).toBe("PENDING")
      expect(task.limits.memory_mb).toBe(256)
      expect(task.limits.wall_time_ms).toBe(30_000)
      expect(task.input_files).toEqual(["passwd"])
      expect(files).toEqual([{ name: "passwd", size: 1 }])
      expect(depth).toBe(1)
    })
  )

  it.effect("refuses bad requests with a clear error, storing nothing", () =>
    Effect.gen(function* () {
      const cases: Array<[unknown, ReadonlyArray<{ name: string; data: Uint8Array }>, string, RegExp]> = [
        [{ language: "cobol", source_code: "x" }, [], "UnsupportedLanguage", /unsupported language "cobol"; supported: toy/],
        [{ language: "toy", source_code: "" }, [], "InvalidTask", /source_code/],
        [
          { language: "toy", source_code: "x", limits: { memory_mb: 4096 } },
          [],
          "LimitOutOfRange",
          /memory_mb=4096 is out of range: toy allows between 16 and 2048/
        ],
        [{ language: "toy", source_code: "x", input_files: ["a"] }, [], "InvalidTask", /names 1 file\(s\) but 0 were uploaded/],
        [
          { language: "toy", source_code: "open(IN_2)" },
          [{ name: "a", data: new Uint8Array() }],
          "PlaceholderError",
          /IN_2 at line 1, column 6/
        ],
        [
          { language: "toy", source_code: "x = 1\nopen(OUT_noext)" },
          [],
          "PlaceholderError",
          /OUT_noext at line 2, column 6: OUT_noext needs an extension/
        ],
        [{ language: "toy", source_code: "x", input_files: ["1", "2", "3", "4", "5", "6"] }, [], "InvalidTask", /input_files/]
      ]
      for (const [request, files, tag, message] of cases) {
        const stored = yield* run(
          Effect.gen(function* () {
            const engine = yield* Engine
            const exit = yield* Effect.exit(engine.submit(request as never, files))
            return { exit, depth: yield* (yield* TaskQueue).depth, files: yield* (yield* FileStorage).tasks }
          })
        )
        const { exit, depth, files: kept } = succeeded(stored)
        expect([depth, kept]).toEqual([0, []])
        const error = failureTag(exit) as { _tag: string; message: string }
        expect(error._tag, JSON.stringify(request)).toBe(tag)
        expect(error.message).toMatch(message)
      }
    })
  )

  // Live clock: the 20-millisecond wait has to run out in real time.
  it.live("answers awaitResult with None when the wait runs out, and TaskNotFound for unknown ids", () =>
    Effect.gen(function* () {
      const exit = yield* run(
        Effect.gen(function* () {
          const engine = yield* Engine
          const task = yield* engine.submit({ language: "toy", source_code: "x" })
          return yield* engine.awaitResult(task.task_id, "20 millis")
        })
      )
      expect(Option.isNone(succeeded(exit))).toBe(true)
      const unknown = yield* run(
        Effect.gen(function* () {
          return yield* (yield* Engine).awaitResult("00000000-0000-0000-0000-000000000000", "1 second")
        })
      )
      expect((failureTag(unknown) as { _tag: string })._tag).toBe("TaskNotFound")
    })
  )
})

describe("createCodeBox (plain async facade)", () => {
  it("registers a language at run time and runs a task with it", async () => {
    const fifth = toyPlugin({ id: "fifth", aliases: ["5th"], run: { argv: (ctx) => ["/usr/bin/fifth", ctx.sourcePath] } })
    const sandbox = ScriptedSandbox.make((step) => ScriptedSandbox.outcome({ stdout: `ran ${step.argv.join(" ")}` }))
    const box = CodeBox.createCodeBox({ plugins: [fifth], sandbox: sandbox.layer })
    try {
      const task = await box.submit({ language: "5th", source_code: "say hi" })
      const done = await box.awaitResult(task.task_id, 10_000)
      expect(done?.state).toBe("SUCCESS")
      expect(done?.result?.stdout).toBe("ran /usr/bin/fifth /box/src/main.toy")
      await expect(box.readOutput(task.task_id, "nope.txt")).rejects.toMatchObject({ _tag: "OutputNotFound" })
      await expect(box.submit({ language: "toy", source_code: "x" })).rejects.toMatchObject({ _tag: "UnsupportedLanguage" })
    } finally {
      await box.close()
    }
  })
})
