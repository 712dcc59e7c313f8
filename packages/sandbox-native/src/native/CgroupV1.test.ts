import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { describe, expect, it } from "vitest"
import * as CgroupV1 from "./CgroupV1.ts"
import { chooseCgroups, controllersOnHost, parseMountinfo } from "./detect.ts"

const choice = chooseCgroups(parseMountinfo(fs.readFileSync("/proc/self/mountinfo", "utf8")), controllersOnHost, "v1")
const v1 = "version" in choice && choice.version === "v1" && process.getuid?.() === 0 ? choice.mounts : null

// The real thing where the host has cgroup v1 (this CI does); skipped, with the reason, elsewhere.
describe.skipIf(v1 === null)("cgroup v1 driver on this host", () => {
  it("limits, joins, kills every process (forks included) and removes the cgroups", async () => {
    const driver = CgroupV1.make(v1!, `codebox-test-${process.pid}`)
    driver.prepare()
    const cgroup = driver.create("j1", { memoryBytes: 32 * 1024 * 1024, pids: 16 })
    const dirs = cgroup.procsFiles.map((f) => path.dirname(f))
    expect(fs.readFileSync(path.join(v1!.memory, `codebox-test-${process.pid}`, "j1", "memory.limit_in_bytes"), "utf8").trim()).toBe(
      String(32 * 1024 * 1024)
    )
    expect(fs.readFileSync(path.join(v1!.pids, `codebox-test-${process.pid}`, "j1", "pids.max"), "utf8").trim()).toBe("16")

    const script = `for f in "$@"; do echo $$ > "$f"; done; sleep 300 & sleep 300 & sleep 300`
    const child = spawn("/bin/sh", ["-c", script, "sh", ...cgroup.procsFiles], { stdio: "ignore" })
    const exited = new Promise((resolve) => child.on("exit", (_, signal) => resolve(signal)))
    while (cgroup.pids().length < 4) await new Promise((resolve) => setTimeout(resolve, 10))
    expect(driver.list()).toContain("j1")

    await cgroup.destroy()
    expect(await exited).toBe("SIGKILL")
    for (const dir of dirs) expect(fs.existsSync(dir), dir).toBe(false)
    expect(driver.list()).toEqual([])
    for (const m of [v1!.memory, v1!.pids, ...(v1!.cpuacct === null ? [] : [v1!.cpuacct])]) {
      fs.rmdirSync(path.join(m, `codebox-test-${process.pid}`))
    }
  })

  it("counts a kernel OOM kill", async () => {
    const driver = CgroupV1.make(v1!, `codebox-test-oom-${process.pid}`)
    driver.prepare()
    const cgroup = driver.create("j1", { memoryBytes: 16 * 1024 * 1024, pids: 16 })
    const script = `for f in "$@"; do echo $$ > "$f"; done; exec /usr/bin/python3 -c "x = bytearray(256 * 1024 * 1024)"`
    const child = spawn("/bin/sh", ["-c", script, "sh", ...cgroup.procsFiles], { stdio: "ignore" })
    expect(await new Promise((resolve) => child.on("exit", (_, signal) => resolve(signal)))).toBe("SIGKILL")
    expect(cgroup.usage().oomKills).toBe(1)
    expect(cgroup.usage().memoryPeakBytes).toBeGreaterThanOrEqual(15 * 1024 * 1024)
    await cgroup.destroy()
    for (const m of [v1!.memory, v1!.pids, ...(v1!.cpuacct === null ? [] : [v1!.cpuacct])]) {
      fs.rmdirSync(path.join(m, `codebox-test-oom-${process.pid}`))
    }
  })
})
