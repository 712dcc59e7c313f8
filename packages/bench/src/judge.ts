// Judge mode: 100 cases of a C program in one task (compiled once) against 100 separate tasks
// (compiled each time), through the engine with the native sandbox; and what one case costs over
// running the compiled program bare on the host.
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Layer } from "effect"
import { createCodeBox, type Task } from "@codebox/core"
import { NativeSandbox } from "@codebox/sandbox-native"
import { c } from "@codebox/lang-c"

const cases = 100
const concurrency = 2
const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const sumSource = `#include <stdio.h>
int main(void) {
  long a = 0, b = 0;
  if (scanf("%ld %ld", &a, &b) != 2) return 2;
  printf("%ld\\n", a + b);
  return 0;
}
`

const tests = Array.from({ length: cases }, (_, i) => ({ stdin: `${i} ${i * 7}`, expected_output: `${i * 8}\n` }))

const spawnBare = (argv: ReadonlyArray<string>, stdin: string) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: "/usr/bin:/bin" }, stdio: ["pipe", "pipe", "pipe"] })
    child.stdout.resume()
    child.stderr.resume()
    child.on("error", reject)
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${argv.join(" ")} exited ${code}`))))
    child.stdin.end(stdin)
  })

/** The program compiled once on the host, then run once per case, one after another: ms per run. */
const bareRuns = async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-bench-judge-"))
  try {
    fs.writeFileSync(path.join(dir, "main.c"), sumSource)
    const binary = path.join(dir, "main")
    await spawnBare(["/usr/bin/gcc", "-O2", "-std=gnu17", "-o", binary, path.join(dir, "main.c"), "-lm"], "")
    const times: Array<number> = []
    for (const test of tests) {
      const started = performance.now()
      await spawnBare([binary], test.stdin)
      times.push(performance.now() - started)
    }
    return median(times)
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

const expectAccepted = (task: Task | undefined, total: number) => {
  const summary = task?.result?.summary
  if (summary?.passed !== total) throw new Error(`judge task not accepted: ${JSON.stringify(summary ?? task?.error)}`)
}

export const run = async (): Promise<void> => {
  const sandbox = NativeSandbox.layer().pipe(Layer.orDie)
  console.log(
    `${cases} cases of a C program, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}, worker concurrency ${concurrency}`
  )
  const bareMs = await bareRuns()

  const timed = async (caseConcurrency: number, body: (box: ReturnType<typeof createCodeBox>) => Promise<void>) => {
    const box = createCodeBox({ plugins: [c], sandbox, concurrency, executor: { caseConcurrency } })
    try {
      // Warm up: the first task pays for the sandbox's set-up and a cold page cache.
      const warm = await box.submit({ language: "c", source_code: sumSource, tests: tests.slice(0, 2) })
      expectAccepted(await box.awaitResult(warm.task_id, 120_000), 2)
      const started = performance.now()
      await body(box)
      return performance.now() - started
    } finally {
      await box.close()
    }
  }

  let compileMs = 0
  let caseWallMs = 0
  const oneTask = (caseConcurrency: number) =>
    timed(caseConcurrency, async (box) => {
      const task = await box.submit({ language: "c", source_code: sumSource, tests })
      const done = await box.awaitResult(task.task_id, 600_000)
      expectAccepted(done, cases)
      compileMs = done?.result?.compile?.wall_time_ms ?? 0
      caseWallMs = median((done?.result?.tests ?? []).map((t) => t.wall_time_ms))
    })
  const judgeParallel = await oneTask(concurrency)
  const judgeSequential = await oneTask(1)

  const separate = await timed(concurrency, async (box) => {
    const submitted = await Promise.all(tests.map((test) => box.submit({ language: "c", source_code: sumSource, stdin: test.stdin })))
    for (const [i, task] of submitted.entries()) {
      const done = await box.awaitResult(task.task_id, 600_000)
      if (done?.result?.stdout !== tests[i]!.expected_output) throw new Error(`task ${i}: ${JSON.stringify(done?.result?.stdout)}`)
    }
  })

  const perCase = (judgeSequential - compileMs) / cases
  const row = (label: string, total: number) =>
    console.log(`${label.padEnd(48)} ${total.toFixed(0).padStart(8)} ${(total / cases).toFixed(1).padStart(12)}`)
  console.log(`${"way".padEnd(48)} ${"total ms".padStart(8)} ${"per case ms".padStart(12)}`)
  row(`one task, ${cases} cases (${concurrency} at once)`, judgeParallel)
  row(`one task, ${cases} cases (one at a time)`, judgeSequential)
  row(`${cases} separate tasks (compile each, ${concurrency} at once)`, separate)
  console.log(
    `one task against separate tasks: ${(separate / judgeParallel).toFixed(1)}x faster (compile ${compileMs.toFixed(0)} ms, once)`
  )
  console.log(
    `per case, one at a time: ${perCase.toFixed(1)} ms against ${bareMs.toFixed(1)} ms bare (median run on the host): ` +
      `${(perCase - bareMs).toFixed(1)} ms overhead, ${(perCase / bareMs).toFixed(1)}x; a case's own wall time (median) ${caseWallMs.toFixed(1)} ms`
  )
}
