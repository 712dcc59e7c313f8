import { StoredTaskResult, type Task, TaskResult } from "@codebox/core"
import { Schema } from "effect"
import { describe, expect, it } from "vitest"
import { taskView, wireResult } from "./present.ts"

const task = (overrides: Partial<Task>): Task => ({
  task_id: "t",
  language: "python",
  source_code: "",
  stdin: null,
  args: [],
  limits: { wall_time_ms: 1000, cpu_time_ms: 1000, memory_mb: 64, processes: 1, output_bytes: 1024, file_size_mb: 1, tmp_mb: 1 },
  input_files: [],
  state: "SUCCESS",
  attempts: 1,
  error: null,
  worker: null,
  created_at: 0,
  started_at: 0,
  finished_at: 0,
  result: null,
  ...overrides
})

describe("wire presentation of results", () => {
  it("gives a FAILURE or REVOKED task a result whose error says why", () => {
    expect(wireResult(task({ state: "FAILURE", error: "sandbox unavailable" }))).toMatchObject({
      stdout: "",
      stderr: "",
      returncode: null,
      error: "sandbox unavailable",
      output_files: [],
      verdict: null
    })
    expect(taskView(task({ state: "REVOKED", error: "cancelled" }))).toMatchObject({ status: "REVOKED", result: { error: "cancelled" } })
  })

  it("answers {state} only while the task is not finished", () => {
    for (const state of ["PENDING", "RECEIVED", "STARTED", "RETRY"] as const)
      expect(taskView(task({ state }))).toEqual({ status: state, state })
  })

  it("reports every field of the stored result, so nothing the engine records is dropped", () => {
    const result = Schema.decodeUnknownSync(StoredTaskResult)({ stdout: "hi\n", returncode: 0, verdict: "ok", wall_time_ms: 12 })
    const view = wireResult(task({ result }))
    // A plain run has no judge fields (tests, summary): its result is exactly as before judge mode.
    const judgeOnly = ["tests", "summary"]
    expect(Object.keys(view).sort()).toEqual(
      Object.keys(TaskResult.fields)
        .filter((key) => !judgeOnly.includes(key))
        .sort()
    )
    expect(view).toMatchObject({ stdout: "hi\n", verdict: "ok", wall_time_ms: 12 })
    const judged = Schema.decodeUnknownSync(StoredTaskResult)({
      verdict: "ok",
      tests: [],
      summary: { total: 0, passed: 0, verdict: "accepted" }
    })
    expect(Object.keys(wireResult(task({ result: judged }))).sort()).toEqual(Object.keys(TaskResult.fields).sort())
  })
})
