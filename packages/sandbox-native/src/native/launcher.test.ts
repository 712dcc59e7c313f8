import { describe, expect, it } from "vitest"
import { standardLimits } from "@codebox/core"
import { encodeArgv, hostDev, launcherArgv, launcherCommand, validatePlanInput } from "./launcher.ts"

const plan = {
  uid: 200_007,
  gid: 200_007,
  limits: { ...standardLimits, cpu_time_ms: 2500, file_size_mb: 3, tmp_mb: 5 },
  system: ["--ro-bind", "/usr", "/usr"],
  nativePaths: ["/opt/codebox/node_modules"],
  sourceOf: (p: string) => p,
  dev: hostDev,
  mounts: [
    { source: "/jobs/j1/src", target: "/box/src", writable: false },
    { source: "/staging/j1-0", target: "/box/out", writable: true }
  ],
  env: { NODE_PATH: "/opt/codebox/node_modules" },
  cwd: "/box/out",
  argv: ["/usr/bin/python3", "-B", "/box/src/main.py", "--", "$(id)", "; rm -rf /"],
  seccomp: true
}

describe("launcherArgv", () => {
  const launch = launcherArgv(plan)
  // The options bwrap reads from fd 6 stand where `--args 6` is.
  const at = launch.argv.indexOf("--args")
  const argv = [...launch.argv.slice(0, at), ...launch.bwrapOptions, ...launch.argv.slice(at + 2)]
  const flagValue = (flag: string) => argv[argv.indexOf(flag) + 1]

  it("names no host path in bwrap's own argv (a program sees it as /proc/1/cmdline)", () => {
    const bwrap = launch.argv.indexOf("/usr/bin/bwrap")
    expect(launch.argv.slice(bwrap, launch.argv.indexOf("--") + 1)).toEqual([
      "/usr/bin/bwrap",
      "--args",
      "6",
      "--json-status-fd",
      "3",
      "--seccomp",
      "5",
      "--"
    ])
    expect(launcherArgv({ ...plan, seccomp: false }).argv).not.toContain("--seccomp")
  })

  it("drops root with setpriv before bwrap, after the rlimits", () => {
    expect(argv[0]).toBe("/usr/bin/prlimit")
    expect(argv).toContain("--cpu=4:5")
    expect(argv).toContain(`--fsize=${3 * 1024 * 1024}`)
    expect(argv).toContain("--core=0")
    const setpriv = argv.indexOf("/usr/bin/setpriv")
    expect(argv.slice(setpriv, setpriv + 6)).toEqual([
      "/usr/bin/setpriv",
      "--reuid=200007",
      "--regid=200007",
      "--clear-groups",
      "--no-new-privs",
      "/usr/bin/bwrap"
    ])
  })

  it("isolates every namespace, drops capabilities and clears the environment", () => {
    for (const flag of ["--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent", "--new-session", "--clearenv"]) {
      expect(argv, flag).toContain(flag)
    }
    expect(argv).not.toContain("--share-net")
    expect(flagValue("--cap-drop")).toBe("ALL")
    expect(flagValue("--remount-ro")).toBe("/")
  })

  it("binds mounts as asked, read-only unless writable, and sizes /tmp by the limits", () => {
    const bwrap = argv.join(" ")
    expect(bwrap).toContain("--ro-bind /jobs/j1/src /box/src")
    expect(bwrap).toContain("--bind /staging/j1-0 /box/out")
    expect(bwrap).toContain("--ro-bind /opt/codebox/node_modules /opt/codebox/node_modules")
    expect(bwrap).toContain(`--size ${5 * 1024 * 1024} --perms 1777 --tmpfs /tmp`)
    expect(flagValue("--chdir")).toBe("/box/out")
  })

  it("binds native paths from what sourceOf names (the host view's overlays) and builds /dev from plan.dev", () => {
    const viewed = launcherArgv({
      ...plan,
      sourceOf: (p: string) => `/staging/overlays-1${p}`,
      dev: ["--tmpfs", "/dev", "--dev-bind", "/staging/dev/null", "/dev/null"]
    }).bwrapOptions
    const at = viewed.indexOf("/opt/codebox/node_modules")
    expect(viewed.slice(at - 2, at + 1)).toEqual(["--ro-bind", "/staging/overlays-1/opt/codebox/node_modules", "/opt/codebox/node_modules"])
    expect(viewed).not.toContain("--dev")
    expect(viewed.join(" ")).toContain("--proc /proc --tmpfs /dev --dev-bind /staging/dev/null /dev/null")
    expect(launcherArgv(plan).bwrapOptions.join(" ")).toContain("--proc /proc --dev /dev")
  })

  it("sets PATH, HOME and the step's environment", () => {
    const env = new Map<string, string>()
    for (const [i, a] of argv.entries()) if (a === "--setenv") env.set(argv[i + 1]!, argv[i + 2]!)
    expect(env.get("PATH")).toBe("/usr/local/bin:/usr/bin:/bin")
    expect(env.get("HOME")).toBe("/tmp")
    expect(env.get("NODE_PATH")).toBe("/opt/codebox/node_modules")
  })

  it("puts the program's argv after --, untouched", () => {
    expect(launch.argv.slice(launch.argv.indexOf("--") + 1)).toEqual(plan.argv)
  })
})

describe("the launcher handover", () => {
  it("encodes each argument NUL-terminated, empty ones included", () => {
    expect(encodeArgv(["a", "", "b c"]).toString("utf8")).toBe("a\0\0b c\0")
  })

  it("runs bash with the cgroup files as its own arguments", () => {
    const command = launcherCommand(["/sys/fs/cgroup/pids/codebox/j1/cgroup.procs"], true)
    expect(command[0]).toBe("/bin/bash")
    // The descriptors it keeps open for bwrap: the standard three, status, filter and options.
    expect(command.at(-2)).toBe("0 1 2 3 5 6")
    expect(launcherCommand([], false).at(-1)).toBe("0 1 2 3 6")
    expect(command.at(-1)).toBe("/sys/fs/cgroup/pids/codebox/j1/cgroup.procs")
  })
})

describe("validatePlanInput", () => {
  const ok = { argv: ["/usr/bin/true"], env: {}, cwd: "/box/out", targets: ["/box/src"] }
  it("accepts a plain step", () => expect(validatePlanInput(ok)).toBeNull())
  it("refuses what bwrap or the kernel would misread", () => {
    expect(validatePlanInput({ ...ok, argv: [] })).toMatch(/empty argv/)
    expect(validatePlanInput({ ...ok, argv: ["python3"] })).toMatch(/absolute path/)
    expect(validatePlanInput({ ...ok, argv: ["/bin/x", "a\0b"] })).toMatch(/NUL/)
    expect(validatePlanInput({ ...ok, env: { "A=B": "x" } })).toMatch(/environment variable name/)
    expect(validatePlanInput({ ...ok, cwd: "box" })).toMatch(/absolute/)
    expect(validatePlanInput({ ...ok, targets: ["/box/../etc"] })).toMatch(/\.\./)
  })
})
