import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { type CgroupHost, cgroupHost, makeStepCgroup, parentRoot, sweepStepCgroups } from "./containerCgroup.ts"

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-fake-cgroup-"))
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }))

const write = (file: string, text: string) => {
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, text)
}

describe("a container's cgroup", () => {
  it("is read from a cgroup v2 tree: cpu.stat usage_usec and memory.peak of the step's parent", () => {
    const root = path.join(scratch, "v2")
    write(path.join(root, "cgroup.controllers"), "cpu memory pids\n")
    const host = cgroupHost("cgroupfs", [{ mountPoint: root, root: "/", fsType: "cgroup2", controllers: [] }])!
    expect(host).not.toBeNull()
    const step = makeStepCgroup(host)
    expect(step.parent).toMatch(new RegExp(`^/${parentRoot}/[0-9a-f]{16}$`))
    expect(step.parent).not.toContain(String(process.pid))
    expect(step.cpuTimeMs("abc")).toBeNull()
    const dir = path.join(root, step.parent!)
    write(path.join(dir, "cpu.stat"), "usage_usec 1500000\nuser_usec 1400000\nsystem_usec 100000\n")
    write(path.join(dir, "memory.peak"), "7340032\n")
    expect(step.cpuTimeMs("abc")).toBe(1500)
    expect(step.usage("abc")).toEqual({ cpuTimeMs: 1500, memoryPeakBytes: 7340032 })
  })

  it("with the systemd driver, reads the container's scope while it runs and keeps the last reading", () => {
    const root = path.join(scratch, "systemd")
    write(path.join(root, "cgroup.controllers"), "cpu memory pids\n")
    const host = cgroupHost("systemd", [{ mountPoint: root, root: "/", fsType: "cgroup2", controllers: [] }])!
    const step = makeStepCgroup(host)
    expect(step.parent).toBeUndefined()
    const scope = path.join(root, "system.slice", "docker-abc.scope")
    write(path.join(scope, "cpu.stat"), "usage_usec 250000\n")
    write(path.join(scope, "memory.current"), "1048576\n")
    expect(step.cpuTimeMs("abc")).toBe(250)
    fs.rmSync(scope, { recursive: true })
    expect(step.usage("abc")).toEqual({ cpuTimeMs: 250, memoryPeakBytes: 1048576 })
  })

  it("is not read where the Docker host's hierarchies are not visible whole", () => {
    expect(cgroupHost("cgroupfs", [{ mountPoint: "/sys/fs/cgroup", root: "/docker/abc", fsType: "cgroup2", controllers: [] }])).toBeNull()
    expect(cgroupHost(undefined, [])).toBeNull()
  })

  it("empty parents (their steps are over) are swept at start; one with a container inside stays", async () => {
    const hierarchy = path.join(scratch, "v1-cpuacct")
    const host: CgroupHost = {
      driver: "cgroupfs",
      mounts: [{ mountPoint: hierarchy, root: "/", fsType: "cgroup", controllers: ["cpuacct"] }]
    }
    fs.mkdirSync(path.join(hierarchy, parentRoot, "aaaaaaaaaaaaaaaa"), { recursive: true })
    fs.mkdirSync(path.join(hierarchy, parentRoot, "bbbbbbbbbbbbbbbb", "container-id"), { recursive: true })
    // Young ones may be a live worker's, between its container's exit and its own removal.
    expect(await sweepStepCgroups(host)).toBe(0)
    expect(await sweepStepCgroups(host, Date.now() + 120_000)).toBe(1)
    expect(fs.readdirSync(path.join(hierarchy, parentRoot))).toEqual(["bbbbbbbbbbbbbbbb"])
  })
})
