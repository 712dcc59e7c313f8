import { describe, expect, it } from "vitest"
import { chooseV2Parent, ownCgroupPath } from "./delegation.ts"

const service = "0::/user.slice/user-1000.slice/user@1000.service/app.slice/codebox.service\n"
const base = { mountPoint: "/sys/fs/cgroup", mountRoot: "/", procSelfCgroup: service }

describe("chooseV2Parent", () => {
  it("reads the v2 line of /proc/self/cgroup, ignoring v1 lines", () => {
    expect(ownCgroupPath("12:memory:/x\n0::/system.slice/a.service\n")).toBe("/system.slice/a.service")
    expect(ownCgroupPath("0::/\n")).toBe("/")
    expect(ownCgroupPath("4:pids:/\n")).toBeNull()
  })

  it("gives root the mount itself, wherever the process sits", () => {
    expect(chooseV2Parent({ ...base, uid: 0, writable: () => false })).toEqual({ parent: "/sys/fs/cgroup" })
  })

  it("gives another uid its own cgroup when that is delegated to it", () => {
    expect(chooseV2Parent({ ...base, uid: 1000, writable: () => true })).toEqual({
      parent: "/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/app.slice/codebox.service"
    })
  })

  it("resolves the process's cgroup against a mount that shows a subtree", () => {
    const picked = chooseV2Parent({
      mountPoint: "/sys/fs/cgroup",
      mountRoot: "/ctr",
      procSelfCgroup: "0::/ctr/codebox\n",
      uid: 1000,
      writable: () => true
    })
    expect(picked).toEqual({ parent: "/sys/fs/cgroup/codebox" })
  })

  it("refuses a cgroup not delegated to the uid, saying what to run", () => {
    const writable = (file: string) => !file.endsWith("cgroup.subtree_control")
    const picked = chooseV2Parent({ ...base, uid: 1000, writable })
    const error = "error" in picked ? picked.error : ""
    expect(error).toContain("is not delegated to uid 1000")
    expect(error).toContain("codebox.service/cgroup.subtree_control")
    expect(error).toContain("systemd-run --user --scope -p Delegate=yes npm start")
    expect(error).toContain("sudo chown 1000 /sys/fs/cgroup/codebox-1000 /sys/fs/cgroup/codebox-1000/cgroup.procs")
  })
})
