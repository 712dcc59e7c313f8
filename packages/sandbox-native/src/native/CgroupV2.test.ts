import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterEach, describe, expect, it } from "vitest"
import * as CgroupV2 from "./CgroupV2.ts"

/**
 * This CI host mounts its memory and pids controllers as cgroup v1, so no cgroup v2 hierarchy here
 * can have them. The limit and accounting files are therefore checked on a directory laid out like
 * a v2 cgroup, and killing and removal on the real (controller-less) v2 mount when there is one.
 */
const fakeTree = () => {
  const parent = fs.mkdtempSync(path.join(os.tmpdir(), "cgroup2-"))
  fs.writeFileSync(path.join(parent, "cgroup.controllers"), "cpuset cpu io memory pids\n")
  fs.writeFileSync(path.join(parent, "cgroup.subtree_control"), "")
  fs.mkdirSync(path.join(parent, "codebox"))
  fs.writeFileSync(path.join(parent, "codebox", "cgroup.subtree_control"), "")
  const job = path.join(parent, "codebox", "j1")
  fs.mkdirSync(job)
  for (const file of ["memory.max", "memory.swap.max", "memory.oom.group", "pids.max", "cgroup.kill", "cgroup.procs"]) {
    fs.writeFileSync(path.join(job, file), "")
  }
  fs.writeFileSync(path.join(job, "memory.events"), "low 0\nhigh 0\nmax 7\noom 2\noom_kill 2\noom_group_kill 1\n")
  fs.writeFileSync(path.join(job, "cpu.stat"), "usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\n")
  fs.writeFileSync(path.join(job, "memory.peak"), "73400320\n")
  return { parent, job }
}

describe("cgroup v2 driver", () => {
  const dirs: Array<string> = []
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
  })

  it("enables memory, pids and cpu for CodeBox's subtree", () => {
    const { parent } = fakeTree()
    dirs.push(parent)
    CgroupV2.make(parent, "codebox").prepare()
    expect(fs.readFileSync(path.join(parent, "cgroup.subtree_control"), "utf8")).toBe("+memory +pids +cpu")
    expect(fs.readFileSync(path.join(parent, "codebox", "cgroup.subtree_control"), "utf8")).toBe("+memory +pids +cpu")
  })

  it("refuses a hierarchy without the memory or pids controller, naming it", () => {
    const { parent } = fakeTree()
    dirs.push(parent)
    fs.writeFileSync(path.join(parent, "cgroup.controllers"), "cpu io\n")
    expect(() => CgroupV2.make(parent, "codebox").prepare()).toThrow(/memory, pids are not available/)
  })

  it("writes the limits, reads OOM kills, peak and cpu time, kills through cgroup.kill", () => {
    const { parent, job } = fakeTree()
    dirs.push(parent)
    const cgroup = CgroupV2.make(parent, "codebox").create("j1", { memoryBytes: 64 * 1024 * 1024, pids: 32 })
    const read = (file: string) => fs.readFileSync(path.join(job, file), "utf8")
    expect(read("memory.max")).toBe(String(64 * 1024 * 1024))
    expect(read("memory.swap.max")).toBe("0")
    expect(read("memory.oom.group")).toBe("1")
    expect(read("pids.max")).toBe("32")
    expect(cgroup.procsFiles).toEqual([path.join(job, "cgroup.procs")])
    expect(cgroup.usage()).toEqual({ oomKills: 2, memoryPeakBytes: 73_400_320, cpuTimeMs: 1235 })
    cgroup.kill()
    expect(read("cgroup.kill")).toBe("1")
  })

  it("without memory.peak (Linux < 5.19) reports the highest memory.current seen, or memory.max once reached", () => {
    const { parent, job } = fakeTree()
    dirs.push(parent)
    fs.rmSync(path.join(job, "memory.peak"))
    fs.writeFileSync(path.join(job, "memory.events"), "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n")
    const cgroup = CgroupV2.make(parent, "codebox").create("j1", { memoryBytes: 64 * 1024 * 1024, pids: 32 })
    fs.writeFileSync(path.join(job, "memory.current"), "5000000\n")
    cgroup.cpuTimeMs() // the watchdog's poll samples memory.current
    fs.writeFileSync(path.join(job, "memory.current"), "1000000\n")
    expect(cgroup.usage().memoryPeakBytes).toBe(5_000_000)
    fs.writeFileSync(path.join(job, "memory.events"), "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n")
    expect(cgroup.usage()).toEqual({ oomKills: 1, memoryPeakBytes: 64 * 1024 * 1024, cpuTimeMs: 1235 })
  })

  it("in a cgroup that is not the hierarchy's root, moves its processes into a leaf before enabling controllers", () => {
    const { parent } = fakeTree()
    dirs.push(parent)
    fs.writeFileSync(path.join(parent, "cgroup.events"), "populated 1\nfrozen 0\n") // only non-root cgroups have it
    fs.writeFileSync(path.join(parent, "cgroup.procs"), `${process.pid}\n`)
    const leaf = path.join(parent, CgroupV2.serviceLeaf("codebox"))
    fs.mkdirSync(leaf)
    fs.writeFileSync(path.join(leaf, "cgroup.procs"), "")
    CgroupV2.make(parent, "codebox").prepare()
    expect(fs.readFileSync(path.join(leaf, "cgroup.procs"), "utf8")).toBe(String(process.pid))
    expect(fs.readFileSync(path.join(parent, "cgroup.subtree_control"), "utf8")).toBe("+memory +pids +cpu")
  })

  const unified = "/sys/fs/cgroup/unified"
  const realV2 = fs.existsSync(path.join(unified, "cgroup.procs")) && process.getuid?.() === 0
  it.skipIf(!realV2)("kills every process of a real v2 cgroup and removes it", async () => {
    const root = `codebox-test-${process.pid}`
    const job = path.join(unified, root, "j1")
    fs.mkdirSync(job, { recursive: true })
    try {
      const sleeper = spawn("/bin/sh", ["-c", `echo $$ > ${job}/cgroup.procs; sleep 300 & sleep 300`], { stdio: "ignore" })
      const exited = new Promise((resolve) => sleeper.on("exit", resolve))
      while (fs.readFileSync(path.join(job, "cgroup.procs"), "utf8").trim().split("\n").length < 3) {
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      await CgroupV2.make(unified, root).destroyByName("j1")
      expect(fs.existsSync(job)).toBe(false)
      expect(await exited).toBeNull()
    } finally {
      fs.rmSync(job, { force: true, recursive: false })
      fs.rmdirSync(path.join(unified, root))
    }
  })
})
