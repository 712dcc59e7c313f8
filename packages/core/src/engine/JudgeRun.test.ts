import { toyPlugin } from "@codebox/test-support"
import { ScriptedSandbox } from "@codebox/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import * as CodeBox from "../CodeBox.ts"
import { caseReportBytes } from "../domain/Judge.ts"

/** A compiled toy language: `/usr/bin/toyc` compiles, the run step reads its case from stdin. */
const compiled = toyPlugin({ compile: { argv: (ctx) => ["/usr/bin/toyc", ctx.sourcePath] } })

/**
 * Each run step answers by its stdin: `N` prints N after (10 - N) × 5 ms, so later cases finish
 * first; `big` prints more than a report keeps; `fail` exits 1. `running` tracks the steps at once.
 */
const judgeSandbox = () => {
  let running = 0
  let mostAtOnce = 0
  const sandbox = ScriptedSandbox.make((step) => {
    if (step.argv[0] === "/usr/bin/toyc") return ScriptedSandbox.outcome({ exitCode: step.argv.length === 2 ? 0 : 1 })
    const input = step.stdin ?? ""
    if (input === "big") return ScriptedSandbox.outcome({ stdout: "x".repeat(caseReportBytes + 10) })
    if (input === "fail") return ScriptedSandbox.outcome({ exitCode: 1 })
    const n = Number(input)
    return Effect.gen(function* () {
      running++
      mostAtOnce = Math.max(mostAtOnce, running)
      yield* Effect.sleep(`${(10 - n) * 5} millis`)
      running--
      return ScriptedSandbox.outcome({ stdout: `${n}\n` })
    })
  })
  return { sandbox, mostAtOnce: () => mostAtOnce }
}

describe("judge mode through the embedding API (createCodeBox)", () => {
  it("compiles once, runs cases in parallel up to caseConcurrency, reports them in request order", async () => {
    const { sandbox, mostAtOnce } = judgeSandbox()
    const box = CodeBox.createCodeBox({ plugins: [compiled], sandbox: sandbox.layer, executor: { caseConcurrency: 3 } })
    try {
      const tests = Array.from({ length: 8 }, (_, i) => ({ stdin: String(i), expected_output: i === 6 ? "wrong" : `${i}\n` }))
      const task = await box.submit({ language: "toy", source_code: "program", tests, limits: { memory_mb: 100 } })
      const done = await box.awaitResult(task.task_id, 10_000)
      const result = done?.result
      expect(result?.tests?.map((t) => t.stdout)).toEqual(tests.map((_, i) => `${i}\n`))
      expect(result?.tests?.map((t) => t.verdict)).toEqual([...Array(6).fill("accepted"), "wrong_answer", "accepted"])
      expect(result?.summary).toEqual({ total: 8, passed: 7, verdict: "wrong_answer" })
      expect(sandbox.steps.filter((s) => s.argv[0] === "/usr/bin/toyc")).toHaveLength(1)
      expect(sandbox.steps.filter((s) => s.argv[0] === "/usr/bin/toy")).toHaveLength(8)
      expect(mostAtOnce()).toBeLessThanOrEqual(3)
      expect(mostAtOnce()).toBeGreaterThan(1)
      // Each case has a working directory of its own.
      const outs = new Set(sandbox.steps.filter((s) => s.argv[0] === "/usr/bin/toy").map((s) => s.mounts.find((m) => m.writable)?.hostPath))
      expect(outs.size).toBe(8)
    } finally {
      await box.close()
    }
  })

  it("applies a case's own limits over the task's, and cuts a case's report to caseReportBytes", async () => {
    const { sandbox } = judgeSandbox()
    const box = CodeBox.createCodeBox({ plugins: [compiled], sandbox: sandbox.layer })
    try {
      const task = await box.submit({
        language: "toy",
        source_code: "program",
        limits: { memory_mb: 100 },
        tests: [{ stdin: "1", limits: { wall_time_ms: 1500 } }, { stdin: "big" }]
      })
      const result = (await box.awaitResult(task.task_id, 10_000))?.result
      const runs = sandbox.steps.filter((s) => s.argv[0] === "/usr/bin/toy")
      const first = runs.find((s) => s.stdin === "1")
      expect(first?.limits).toMatchObject({ wall_time_ms: 1500, memory_mb: 100 })
      expect(runs.find((s) => s.stdin === "big")?.limits.wall_time_ms).toBe(compiled.defaultLimits.wall_time_ms)
      expect(result?.tests?.[1]).toMatchObject({ verdict: "accepted", stdout_truncated: true })
      expect(result?.tests?.[1]?.stdout).toHaveLength(caseReportBytes)
      // Without expected output a case that runs cleanly is accepted.
      expect(result?.summary).toEqual({ total: 2, passed: 2, verdict: "accepted" })
      // Past any language's maximum too: refused with the bounds of this one.
      await expect(box.submit({ language: "toy", source_code: "p", tests: [{ limits: { memory_mb: 1_000_000 } }] })).rejects.toMatchObject({
        _tag: "LimitOutOfRange",
        limit: "tests.0.limits.memory_mb",
        minimum: 16
      })
      await expect(box.submit({ language: "toy", source_code: "p", tests: [{ limits: { memory_mb: 4096 } }] })).rejects.toMatchObject({
        _tag: "LimitOutOfRange",
        limit: "tests.0.limits.memory_mb"
      })
    } finally {
      await box.close()
    }
  })

  it("with stop_on_first_failure, reports every case after the first failure as skipped", async () => {
    const { sandbox } = judgeSandbox()
    const box = CodeBox.createCodeBox({ plugins: [compiled], sandbox: sandbox.layer, executor: { caseConcurrency: 1 } })
    try {
      const task = await box.submit({
        language: "toy",
        source_code: "program",
        stop_on_first_failure: true,
        tests: [{ stdin: "1" }, { stdin: "fail" }, { stdin: "2" }, { stdin: "3" }]
      })
      const result = (await box.awaitResult(task.task_id, 10_000))?.result
      expect(result?.tests?.map((t) => t.verdict)).toEqual(["accepted", "runtime_error", "skipped", "skipped"])
      expect(result?.summary).toEqual({ total: 4, passed: 1, verdict: "runtime_error" })
      // One at a time, nothing after the failure started.
      expect(sandbox.steps.filter((s) => s.argv[0] === "/usr/bin/toy")).toHaveLength(2)
    } finally {
      await box.close()
    }
  })
})
