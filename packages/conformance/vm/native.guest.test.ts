import * as fs from "node:fs"
import * as path from "node:path"
import { createCodeBox, type LanguagePlugin, type LimitsRequest, type Task } from "@codebox/core"
import { c } from "@codebox/lang-c"
import { python } from "@codebox/lang-python"
import { NativeSandbox } from "@codebox/sandbox-native"
import { hostileSuite, pluginConformance, sandboxConformance } from "@codebox/testkit"
import { Layer } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { forkCounters } from "./programs.ts"

// Runs inside the cgroup-v2 VM only (packages/sandbox-native/vm, booted by
// ../src/native-cgroup2.vm.test.ts): the native sandbox's contract, the hostile suite and each
// plugin's samples on a kernel with the unified hierarchy alone, then the v2 accounting checked
// value by value, and nothing left behind.
const plugins = [python, c]
const sandbox = NativeSandbox.layer({ cgroupVersion: "v2" })
// Everything is ~10x slower under emulation; the limits the suites set stay as they are.
const timeoutMs = 300_000
const jobsRoot = "/sys/fs/cgroup/codebox"
const jobCgroups = () => (fs.existsSync(jobsRoot) ? fs.readdirSync(jobsRoot).filter((n) => /^j\d+-/.test(n)) : [])

describe("the guest is a cgroup-v2-only kernel", () => {
  it("has cgroup2 at /sys/fs/cgroup and no v1 hierarchy", () => {
    const mountinfo = fs.readFileSync("/proc/self/mountinfo", "utf8")
    expect(mountinfo).toMatch(/ \/sys\/fs\/cgroup .* - cgroup2 /)
    expect(mountinfo).not.toMatch(/ - cgroup /)
    expect(fs.readFileSync("/sys/fs/cgroup/cgroup.controllers", "utf8")).toMatch(/\bmemory\b.*\bpids\b/)
  })
})

sandboxConformance("native (cgroup v2)", sandbox, { plugins, concurrency: 2, timeoutMs })
hostileSuite("native (cgroup v2)", sandbox, { plugins, leftovers: () => NativeSandbox.leftovers(), timeoutMs })
for (const plugin of plugins) pluginConformance(plugin, { sandbox, timeoutMs })

describe("cgroup v2: what each job is limited to and measured at", () => {
  const box = createCodeBox({ plugins, sandbox: sandbox.pipe(Layer.orDie), concurrency: 2 })
  afterAll(() => box.close())
  const run = async (plugin: LanguagePlugin, source_code: string, limits: LimitsRequest = {}): Promise<Task> => {
    const task = await box.awaitResult((await box.submit({ language: plugin.id, source_code, limits })).task_id, timeoutMs)
    expect(task?.state, task?.error ?? "").toBe("SUCCESS")
    return task!
  }

  for (const plugin of plugins) {
    describe(plugin.id, () => {
      it("memory.max: memory_limit from memory.events, with the peak reported", { timeout: timeoutMs }, async () => {
        const task = await run(plugin, plugin.samples.memoryHog, { memory_mb: 64 })
        expect(task.result?.verdict, task.result?.stderr).toBe("memory_limit")
        expect(task.result?.limit).toBe("memory")
        expect(task.result?.memory_peak_bytes).toBeGreaterThanOrEqual(48 * 1024 * 1024)
        expect(task.result?.memory_peak_bytes).toBeLessThanOrEqual(72 * 1024 * 1024)
      })

      it("pids.max: forks beyond the process limit fail", { timeout: timeoutMs }, async () => {
        const task = await run(plugin, forkCounters[plugin.id]!, { processes: 8 })
        expect(task.result?.verdict, task.result?.stderr).toBe("ok")
        const forked = Number(task.result?.stdout.trim())
        expect(forked).toBeGreaterThan(0)
        expect(forked).toBeLessThan(8)
      })

      it("cpu.stat: a busy loop ends at its cpu time, which is reported", { timeout: timeoutMs }, async () => {
        const task = await run(plugin, plugin.samples.busyLoop, { cpu_time_ms: 1000, wall_time_ms: 60_000 })
        expect(task.result?.verdict).toBe("time_limit")
        expect(task.result?.limit).toBe("cpu_time")
        expect(task.result?.cpu_time_ms).toBeGreaterThanOrEqual(1000)
      })

      it("a plain run reports its cpu time and peak memory", { timeout: timeoutMs }, async () => {
        const task = await run(plugin, plugin.samples.hello)
        expect(task.result?.stdout).toBe("hello\n")
        expect(task.result?.cpu_time_ms).toBeGreaterThan(0)
        expect(task.result?.memory_peak_bytes).toBeGreaterThan(0)
      })
    })
  }
})

describe("after every suite above", () => {
  it("left no job cgroup and no process of a sandbox uid", async () => {
    // Each suite's engine closed in its afterAll; a killed job's processes take a moment to go.
    for (let i = 0; i < 50 && (jobCgroups().length > 0 || NativeSandbox.leftovers().length > 0); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(jobCgroups()).toEqual([])
    expect(NativeSandbox.leftovers()).toEqual([])
    expect(fs.existsSync(path.join(jobsRoot, "cgroup.procs"))).toBe(true) // the root itself stays, empty
    expect(fs.readFileSync(path.join(jobsRoot, "cgroup.procs"), "utf8")).toBe("")
  })
})
