import { Sandbox } from "@codebox/core"
import { NativeSandbox } from "@codebox/sandbox-native"
import { Effect, Layer } from "effect"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { engineLayer } from "./layers.ts"
import { call, postJson, type RunningServer, startServer } from "./test-support/harness.ts"

/**
 * Judge mode through a real server into the native sandbox. The sandbox is the native one, counted:
 * every gcc step it runs for a program (not the version probe) adds one to `compiles`.
 */
let compiles = 0
const countingNativeSandbox = Layer.effect(
  Sandbox,
  Effect.map(Effect.service(Sandbox), (native) =>
    Sandbox.of({
      ...native,
      run: (step) => {
        if (step.argv[0] === "/usr/bin/gcc" && step.argv.some((a) => a.endsWith("main.c"))) compiles++
        return native.run(step)
      }
    })
  )
).pipe(Layer.provide(NativeSandbox.layer()))

const judged = [
  `#include <stdio.h>`,
  `#include <stdlib.h>`,
  `#include <string.h>`,
  ``,
  `int main(void) {`,
  `  char mode[32] = "";`,
  `  if (scanf("%31s", mode) != 1) return 2;`,
  `  if (strcmp(mode, "sum") == 0) {`,
  `    long a = 0, b = 0;`,
  `    if (scanf("%ld %ld", &a, &b) != 2) return 2;`,
  `    printf("%ld\\n", a + b);`,
  `    return 0;`,
  `  }`,
  `  if (strcmp(mode, "loop") == 0) {`,
  `    volatile unsigned long n = 0;`,
  `    for (;;) n++;`,
  `  }`,
  `  if (strcmp(mode, "crash") == 0) return 3;`,
  `  if (strcmp(mode, "hog") == 0) {`,
  `    const size_t size = 10u * 1024u * 1024u;`,
  `    for (;;) {`,
  `      volatile char *p = malloc(size);`,
  `      if (p == NULL) return 1;`,
  `      for (size_t i = 0; i < size; i += 4096) p[i] = 1;`,
  `    }`,
  `  }`,
  `  if (strcmp(mode, "padded") == 0) { printf("5  \\n\\n\\n"); return 0; }`,
  `  if (strcmp(mode, "third") == 0) { printf("%.9f\\n", 1.0 / 3.0); return 0; }`,
  `  if (strcmp(mode, "marker") == 0) {`,
  `    FILE *seen = fopen("marker", "r");`,
  `    if (seen != NULL) { puts("seen"); return 0; }`,
  `    FILE *made = fopen("marker", "w");`,
  `    if (made == NULL) return 1;`,
  `    fputs("made\\n", made);`,
  `    fclose(made);`,
  `    puts("fresh");`,
  `    return 0;`,
  `  }`,
  `  return 4;`,
  `}`,
  ``
].join("\n")

const timeout = 180_000

describe("judge mode on a real server (native sandbox)", () => {
  let server: RunningServer
  let api: string
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, countingNativeSandbox), { maxWaitSeconds: 150 })
    api = `${server.url}/api`
  }, timeout)
  afterAll(() => server?.close())

  const judge = async (body: Record<string, unknown>) => {
    const created = await postJson(`${api}/tasks/create?wait=150`, { programming_language: "c", source_code: judged, ...body })
    expect(created.status, JSON.stringify(created.body)).toBe(200)
    return created.body.result
  }

  it("gives each of five cases its verdict, compiles once, and sums them up", { timeout }, async () => {
    const compilesBefore = compiles
    const result = await judge({
      tests: [
        { name: "adds", stdin: "sum 2 3", expected_output: "5\n" },
        { name: "wrong", stdin: "sum 2 2", expected_output: "5\n" },
        { name: "loops", stdin: "loop", expected_output: "", limits: { wall_time_ms: 1000, cpu_time_ms: 500 } },
        { name: "crashes", stdin: "crash", expected_output: "" },
        { name: "hogs", stdin: "hog", expected_output: "", limits: { memory_mb: 64 } }
      ]
    })
    expect(result.tests.map((t: { name: string; verdict: string }) => [t.name, t.verdict])).toEqual([
      ["adds", "accepted"],
      ["wrong", "wrong_answer"],
      ["loops", "time_limit"],
      ["crashes", "runtime_error"],
      ["hogs", "memory_limit"]
    ])
    expect(result.summary).toEqual({ total: 5, passed: 1, verdict: "wrong_answer" })
    expect(result.tests[0]).toMatchObject({ stdout: "5\n", returncode: 0, expected_output: "5\n", first_difference: null })
    expect(result.tests[1]).toMatchObject({ stdout: "4\n", expected_output: "5\n", first_difference: { line: 1, column: 1 } })
    expect(result.tests[3]).toMatchObject({ returncode: 3 })
    for (const test of result.tests) {
      expect(test).toMatchObject({ wall_time_ms: expect.any(Number), stdout_truncated: false })
      expect(test.memory_peak_bytes === null || typeof test.memory_peak_bytes === "number").toBe(true)
    }
    // One compile for five cases, reported once.
    expect(compiles - compilesBefore).toBe(1)
    expect(result.compile).toMatchObject({ returncode: 0 })
    // The step fields describe the first case that did not pass.
    expect(result).toMatchObject({ stdout: "4\n", returncode: 0, verdict: "ok" })
  })

  it("compares by lines by default and exactly when asked", { timeout }, async () => {
    const tests = [{ stdin: "padded", expected_output: "5\n" }]
    const lines = await judge({ tests })
    expect(lines.tests[0]).toMatchObject({ name: "test 1", verdict: "accepted", stdout: "5  \n\n\n" })
    const exact = await judge({ tests, compare: "exact" })
    expect(exact.tests[0]).toMatchObject({ verdict: "wrong_answer", first_difference: { line: 1, column: 2 } })
    expect(exact.summary).toEqual({ total: 1, passed: 0, verdict: "wrong_answer" })
  })

  it("compares numbers within a tolerance with compare=float", { timeout }, async () => {
    const tests = [{ stdin: "third", expected_output: "0.3333333\n" }]
    expect((await judge({ tests })).tests[0].verdict).toBe("wrong_answer")
    expect((await judge({ tests, compare: "float" })).tests[0].verdict).toBe("accepted")
    const strict = await judge({ tests, compare: "float", float_tolerance: 1e-12 })
    expect(strict.tests[0]).toMatchObject({ verdict: "wrong_answer", first_difference: { line: 1, column: 1 } })
  })

  it("marks every case compile_error when the program does not compile", { timeout }, async () => {
    const created = await postJson(`${api}/tasks/create?wait=150`, {
      programming_language: "c",
      source_code: "int main(void) { return nope; }\n",
      tests: [{ stdin: "a", expected_output: "a" }, { name: "second" }]
    })
    const result = created.body.result
    expect(result.verdict).toBe("compile_error")
    expect(result.compile.returncode).not.toBe(0)
    expect(result.compile.stderr).toContain("nope")
    expect(result.tests.map((t: { verdict: string }) => t.verdict)).toEqual(["compile_error", "compile_error"])
    expect(result.tests[1].name).toBe("second")
    expect(result.summary).toEqual({ total: 2, passed: 0, verdict: "compile_error" })
  })

  it("runs each case in an empty directory of its own; the last case's files are the output files", { timeout }, async () => {
    const result = await judge({ tests: [{ stdin: "marker" }, { stdin: "marker" }, { stdin: "marker" }] })
    expect(result.tests.map((t: { stdout: string }) => t.stdout)).toEqual(["fresh\n", "fresh\n", "fresh\n"])
    expect(result.summary).toEqual({ total: 3, passed: 3, verdict: "accepted" })
    expect(result.output_files).toEqual(["marker"])
  })

  it("skips the cases after the first failure with stop_on_first_failure", { timeout }, async () => {
    const result = await judge({
      stop_on_first_failure: true,
      tests: [{ stdin: "sum 1 1", expected_output: "2" }, { stdin: "crash" }, { stdin: "sum 1 2", expected_output: "3" }]
    })
    expect(result.tests.map((t: { verdict: string }) => t.verdict)).toEqual(["accepted", "runtime_error", "skipped"])
    expect(result.summary).toEqual({ total: 3, passed: 1, verdict: "runtime_error" })
  })

  it("keeps a plain task exactly as before: no tests, no summary", { timeout }, async () => {
    const created = await postJson(`${api}/tasks/create?wait=150`, { programming_language: "c", source_code: judged, stdin: "sum 1 1" })
    expect(created.body.result).toMatchObject({ stdout: "2\n", verdict: "ok" })
    expect("tests" in created.body.result).toBe(false)
    expect("summary" in created.body.result).toBe(false)
  })

  it("creates a batch of 12 with one invalid item and reads the results back in order", { timeout }, async () => {
    const items = Array.from({ length: 12 }, (_, i) =>
      i === 5
        ? { programming_language: "python", source_code: "print(5)", tests: [{ stdin: "" }], compare: "fuzzy" }
        : { programming_language: "python", source_code: `print(${i})`, tests: [{ expected_output: `${i}\n` }] }
    )
    const created = await postJson(`${api}/tasks/batch`, { tasks: items })
    expect(created.status, JSON.stringify(created.body)).toBe(202)
    expect(created.body.tasks).toHaveLength(12)
    expect(created.body.tasks[5].error).toMatchObject({ _tag: "ValidationError", field: "compare" })
    const ids: Array<string> = created.body.tasks
      .filter((t: { task_id?: string }) => t.task_id !== undefined)
      .map((t: { task_id: string }) => t.task_id)
    expect(ids).toHaveLength(11)

    const unknown = "00000000-0000-4000-8000-000000000000"
    let read = await call(`${api}/tasks/batch?ids=${[...ids, unknown].join(",")}`)
    for (
      let attempt = 0;
      attempt < 300 && read.body.tasks.some((t: { status?: string; error?: unknown }) => t.status !== "SUCCESS" && t.error === undefined);
      attempt++
    ) {
      await new Promise((resolve) => setTimeout(resolve, 500))
      read = await call(`${api}/tasks/batch?ids=${[...ids, unknown].join(",")}`)
    }
    expect(read.status).toBe(200)
    expect(read.body.tasks.map((t: { task_id: string }) => t.task_id)).toEqual([...ids, unknown])
    const expected = [0, 1, 2, 3, 4, 6, 7, 8, 9, 10, 11]
    expected.forEach((n, i) => {
      expect(read.body.tasks[i]).toMatchObject({ status: "SUCCESS", result: { stdout: `${n}\n`, summary: { verdict: "accepted" } } })
    })
    expect(read.body.tasks[11].error).toMatchObject({ _tag: "TaskNotFound" })
  })
})
