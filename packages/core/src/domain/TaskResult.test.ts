import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { decodeStoredResult } from "./TaskResult.ts"

describe("decodeStoredResult", () => {
  it.effect("reads a result stored before the newer fields existed with their neutral values", () =>
    Effect.gen(function* () {
      const result = yield* decodeStoredResult({ stdout: "a", stderr: "b", returncode: 2, error: null, output_files: ["x"] })
      assert.deepStrictEqual(result, {
        stdout: "a",
        stderr: "b",
        stdout_base64: null,
        stderr_base64: null,
        returncode: 2,
        signal: null,
        limit: null,
        stdout_truncated: false,
        stderr_truncated: false,
        wall_time_ms: 0,
        cpu_time_ms: null,
        memory_peak_bytes: null,
        error: null,
        output_files: ["x"],
        files: [],
        skipped_outputs: [],
        verdict: null,
        compile: null
      })
    })
  )

  it.effect("reads the original service's `sterr` as `stderr`, and prefers `stderr` when both are there", () =>
    Effect.gen(function* () {
      assert.strictEqual((yield* decodeStoredResult({ stdout: "", sterr: "old" })).stderr, "old")
      assert.strictEqual((yield* decodeStoredResult({ stdout: "", stderr: "new", sterr: "old" })).stderr, "new")
    })
  )

  it.effect("reads the refused output files an earlier version noted in `error` as skipped_outputs", () =>
    Effect.gen(function* () {
      const result = yield* decodeStoredResult({
        stdout: "",
        error: 'output files not kept: sub (a directory), "we ird.txt" (name has characters outside A-Z a-z 0-9 . _ -)',
        output_files: []
      })
      assert.strictEqual(result.error, null)
      assert.deepStrictEqual(result.skipped_outputs, [
        { name: "sub", reason: "a directory" },
        { name: '"we ird.txt"', reason: "name has characters outside A-Z a-z 0-9 . _ -" }
      ])
      // A FAILURE's reason is not touched.
      assert.strictEqual(
        (yield* decodeStoredResult({ stdout: "", error: "bubblewrap is not installed" })).error,
        "bubblewrap is not installed"
      )
    })
  )

  it.effect("refuses a malformed stored result, naming the field", () =>
    Effect.gen(function* () {
      const error = yield* decodeStoredResult({ stdout: "", wall_time_ms: "slow" }).pipe(Effect.flip)
      assert.include(error.message, "wall_time_ms")
    })
  )
})
