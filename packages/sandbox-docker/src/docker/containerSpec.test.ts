import { describe, expect, it } from "vitest"
import { standardLimits, type SandboxStep } from "@codebox/core"
import { type ContainerSettings, containerSpec, Labels, parseUser, pathMapper } from "./containerSpec.ts"

const step: SandboxStep = {
  argv: ["/usr/bin/python3", "-B", "/box/src/main.py"],
  stdin: null,
  env: { PYTHONUNBUFFERED: "1", PATH: "/evil" },
  cwd: "/box/out",
  mounts: [
    { hostPath: "/jobs/job-1/src", sandboxPath: "/box/src", writable: false },
    { hostPath: "/jobs/job-1/out", sandboxPath: "/box/out", writable: true }
  ],
  limits: { ...standardLimits, memory_mb: 256, cpu_time_ms: 1500, processes: 50, tmp_mb: 32, file_size_mb: 8 },
  runtime: { image: "codebox/python:1", dockerfile: "/x/Dockerfile", nativePaths: [], env: { LANG: "C.UTF-8" }, debianPackages: [] }
}
const settings: ContainerSettings = {
  user: "1000:1000",
  cpus: 1,
  hostPathOf: pathMapper({ from: "/jobs", to: "/srv/codebox/jobs" }),
  owner: { host: "worker-a", pid: 7 },
  sweepGraceMs: 60_000,
  unreadableFile: null,
  initFile: null,
  seccompProfile: '{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[]}'
}

describe("containerSpec", () => {
  const spec = containerSpec(step, settings, 1_000)
  const host = spec.HostConfig!

  it("applies the original service's hardening", () => {
    expect(host.NetworkMode).toBe("none")
    expect(host.ReadonlyRootfs).toBe(true)
    expect(host.CapDrop).toEqual(["ALL"])
    // Plus the seccomp profile generated from the native sandbox's policy, inline.
    expect(host.SecurityOpt).toEqual(["no-new-privileges", `seccomp=${settings.seccompProfile}`])
    expect(spec.User).toBe("1000:1000")
    expect(host.NanoCpus).toBe(1e9)
    expect(host.Tmpfs).toEqual({ "/tmp": "rw,nosuid,nodev,noexec,size=32m,mode=1777" })
  })

  it("sets memory with equal swap, pids with room for the init, and the rlimits", () => {
    expect(host.Memory).toBe(256 * 1024 * 1024)
    expect(host.MemorySwap).toBe(host.Memory)
    expect(host.PidsLimit).toBe(51)
    expect(host.Init).toBe(true)
    expect(host.Ulimits).toContainEqual({ Name: "cpu", Soft: 2, Hard: 3 })
    expect(host.Ulimits).toContainEqual({ Name: "fsize", Soft: 8 * 1024 * 1024, Hard: 8 * 1024 * 1024 })
  })

  it("runs argv as given with the step's image, cwd and env, PATH and HOME fixed", () => {
    expect(spec.Image).toBe("codebox/python:1")
    expect(spec.Cmd).toEqual(step.argv)
    expect(spec.Entrypoint).toEqual([])
    expect(spec.WorkingDir).toBe("/box/out")
    expect(spec.Env).toContain("PYTHONUNBUFFERED=1")
    expect(spec.Env).toContain("LANG=C.UTF-8")
    expect(spec.Env).toContain("PATH=/usr/local/bin:/usr/bin:/bin")
    expect(spec.Env).not.toContain("PATH=/evil")
  })

  it("binds the mounts at host paths, read-only unless writable", () => {
    expect(host.Mounts).toEqual([
      { Type: "bind", Source: "/srv/codebox/jobs/job-1/src", Target: "/box/src", ReadOnly: true, BindOptions: { Propagation: "rprivate" } },
      { Type: "bind", Source: "/srv/codebox/jobs/job-1/out", Target: "/box/out", ReadOnly: false, BindOptions: { Propagation: "rprivate" } }
    ])
  })

  it("hides host facts: /sys masked, hostname and resolv.conf replaced by an unreadable file", () => {
    expect(host.MaskedPaths).toContain("/sys")
    expect(host.MaskedPaths).toContain("/proc/kcore")
    const hidden = containerSpec(step, { ...settings, unreadableFile: "/run/x/unreadable" }, 1_000).HostConfig!.Mounts!
    expect(hidden.filter((m) => m.Source === "/run/x/unreadable").map((m) => [m.Target, m.ReadOnly])).toEqual([
      ["/etc/hostname", true],
      ["/etc/resolv.conf", true]
    ])
  })

  it("runs its own copy of the init from the staging tmpfs instead of Docker's bind of the host's disk", () => {
    const own = containerSpec(step, { ...settings, initFile: "/run/x/docker-init" }, 1_000)
    expect(own.HostConfig!.Init).toBe(false)
    expect(own.Entrypoint).toEqual(["/sbin/docker-init", "--"])
    expect(own.Cmd).toEqual(step.argv)
    expect(own.HostConfig!.Mounts!.filter((m) => m.Target === "/sbin/docker-init")).toEqual([
      { Type: "bind", Source: "/run/x/docker-init", Target: "/sbin/docker-init", ReadOnly: true }
    ])
  })

  it("opens stdin only when the step has some", () => {
    expect(spec.OpenStdin).toBe(false)
    const withStdin = containerSpec({ ...step, stdin: "x" }, settings, 1_000)
    expect(withStdin.OpenStdin).toBe(true)
    expect(withStdin.StdinOnce).toBe(true)
  })

  it("labels the container with its owner and a deadline past the wall limit", () => {
    expect(spec.Labels).toEqual({
      [Labels.sandbox]: "1",
      [Labels.host]: "worker-a",
      [Labels.pid]: "7",
      [Labels.deadline]: String(1_000 + standardLimits.wall_time_ms + 60_000)
    })
  })
})

describe("parseUser and pathMapper", () => {
  it("refuses root and non-numeric users", () => {
    expect(parseUser("1000:1001")).toEqual({ uid: 1000, gid: 1001 })
    expect(() => parseUser("0:0")).toThrow(/root/)
    expect(() => parseUser("1000:0")).toThrow(/root/)
    expect(() => parseUser("sandbox")).toThrow(/numeric/)
  })

  it("maps only paths under the mapped directory", () => {
    const map = pathMapper({ from: "/jobs/", to: "/srv/jobs" })
    expect(map("/jobs")).toBe("/srv/jobs")
    expect(map("/jobs/a/b")).toBe("/srv/jobs/a/b")
    expect(map("/jobsx/a")).toBe("/jobsx/a")
    expect(pathMapper(undefined)("/jobs/a")).toBe("/jobs/a")
  })
})
