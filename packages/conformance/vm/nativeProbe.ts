/**
 * Started as its own process by nested.guest.test.ts inside the cgroup-v2 VM, in a setting the
 * test process itself cannot be in (a container's cgroup namespace, an unprivileged uid). Starts
 * the native sandbox with the python and c plugins, runs a small task and a memory bomb in each,
 * and prints one JSON line: what the tasks reported, or the error the sandbox refused to start with.
 */
import * as fs from "node:fs"
import { createCodeBox } from "@codebox/core"
import { c } from "@codebox/lang-c"
import { python } from "@codebox/lang-python"
import { NativeSandbox } from "@codebox/sandbox-native"
import { Effect, Layer } from "effect"

// The readiness probe: builds the sandbox and runs one job through the whole launcher chain.
const refused = await Effect.runPromise(NativeSandbox.check().pipe(Effect.match({ onFailure: (e) => e.message, onSuccess: () => null })))
if (refused !== null) {
  console.log(JSON.stringify({ error: refused }))
  process.exit(0)
}

const box = createCodeBox({ plugins: [python, c], sandbox: NativeSandbox.layer().pipe(Layer.orDie), concurrency: 2 })
const results: Record<string, unknown> = {}
for (const plugin of [python, c]) {
  for (const [name, source, limits] of [
    ["hello", plugin.samples.hello, {}],
    ["memoryHog", plugin.samples.memoryHog, { memory_mb: 64 }]
  ] as const) {
    const task = await box.awaitResult((await box.submit({ language: plugin.id, source_code: source, limits })).task_id, 300_000)
    results[`${plugin.id} ${name}`] = {
      verdict: task?.result?.verdict ?? task?.error,
      stdout: task?.result?.stdout,
      memory_peak_bytes: task?.result?.memory_peak_bytes,
      cpu_time_ms: task?.result?.cpu_time_ms
    }
  }
}
await box.close()
console.log(JSON.stringify({ results, cgroup: fs.readFileSync("/proc/self/cgroup", "utf8").trim(), leftovers: NativeSandbox.leftovers() }))
