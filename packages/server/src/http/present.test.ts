import type { Task, TaskResult } from "@codebox/core"
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
  it("reports an old `sterr` as `stderr` and drops it", () => {
    const result = wireResult(task({ result: { stdout: "a", sterr: "b", returncode: 2, output_files: ["x"] } as unknown as TaskResult }))
    expect(result).toEqual({ stdout: "a", stderr: "b", returncode: 2, error: null, output_files: ["x"] })
  })

  it("prefers `stderr` when both are stored", () => {
    const result = wireResult(task({ result: { stdout: "", stderr: "new", sterr: "old", returncode: 0 } as unknown as TaskResult }))
    expect(result.stderr).toBe("new")
  })

  it("gives a FAILURE or REVOKED task a result whose error says why", () => {
    expect(wireResult(task({ state: "FAILURE", error: "sandbox unavailable" }))).toEqual({
      stdout: "",
      stderr: "",
      returncode: null,
      error: "sandbox unavailable",
      output_files: []
    })
    expect(taskView(task({ state: "REVOKED", error: "cancelled" }))).toMatchObject({ status: "REVOKED", result: { error: "cancelled" } })
  })

  it("answers {state} only while the task is not finished", () => {
    for (const state of ["PENDING", "RECEIVED", "STARTED", "RETRY"] as const) expect(taskView(task({ state }))).toEqual({ state })
  })

  it("keeps well-formed extras and drops malformed ones", () => {
    const result = wireResult(
      task({ result: { stdout: "", stderr: "", returncode: 0, verdict: "ok", wall_time_ms: "slow" } as unknown as TaskResult })
    )
    expect(result.verdict).toBe("ok")
    expect("wall_time_ms" in result).toBe(false)
  })
})
