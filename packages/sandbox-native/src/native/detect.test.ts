import { describe, expect, it } from "vitest"
import { chooseCgroups, parseMountinfo } from "./detect.ts"

const v1Host = [
  "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755",
  "32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct",
  "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory",
  "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids",
  "40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd",
  "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw"
].join("\n")
const v2Host = "30 23 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot"

describe("parseMountinfo", () => {
  it("finds cgroup mounts and the v1 controllers of each", () => {
    const mounts = parseMountinfo(v1Host)
    expect(mounts.map((m) => m.mountPoint)).toEqual([
      "/sys/fs/cgroup/cpu,cpuacct",
      "/sys/fs/cgroup/memory",
      "/sys/fs/cgroup/pids",
      "/sys/fs/cgroup/systemd",
      "/sys/fs/cgroup/unified"
    ])
    expect(mounts[0]!.controllers).toEqual(["cpu", "cpuacct"])
    expect(mounts[3]!.controllers).toEqual(["xattr"])
    expect(mounts[4]!.fsType).toBe("cgroup2")
  })
})

describe("chooseCgroups", () => {
  const none = () => [] as Array<string>
  it("prefers a v2 hierarchy that has memory and pids", () => {
    const choice = chooseCgroups(parseMountinfo(v2Host), () => ["cpuset", "cpu", "io", "memory", "pids"])
    expect(choice).toEqual({ version: "v2", parent: "/sys/fs/cgroup" })
  })

  it("uses v1 when the v2 mount has no controllers (a hybrid host)", () => {
    expect(chooseCgroups(parseMountinfo(v1Host), none)).toEqual({
      version: "v1",
      mounts: { memory: "/sys/fs/cgroup/memory", pids: "/sys/fs/cgroup/pids", cpuacct: "/sys/fs/cgroup/cpu,cpuacct" }
    })
  })

  it("honours an explicit preference, and says what is missing", () => {
    const forced = chooseCgroups(parseMountinfo(v1Host), none, "v2")
    expect("error" in forced && forced.error).toMatch(/cgroup v2 hierarchy with the memory and pids controllers/)
    expect("error" in forced && forced.error).toMatch(/cgroup2 at \/sys\/fs\/cgroup\/unified \(controllers: none\)/)
    const bare = chooseCgroups([], none)
    expect("error" in bare && bare.error).toMatch(/no cgroup filesystem is mounted/)
  })
})
