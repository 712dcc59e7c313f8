import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { afterAll, describe, expect, it } from "vitest"

// Runs inside the cgroup-v2 VM only, after native.guest.test.ts: CodeBox in the other places a
// v2 host puts it (a container's own cgroup namespace, an unprivileged uid with or without a
// delegated subtree), each through nativeProbe.ts as a process of its own.
const repo = path.resolve(import.meta.dirname, "..", "..", "..")
const probe = path.join(import.meta.dirname, "nativeProbe.ts")
const nobody = 65534
const timeout = 600_000

const runShell = (script: string) =>
  new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn("/bin/bash", ["-c", script], { cwd: repo, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (d: Buffer) => (stdout += d))
    child.stderr.on("data", (d: Buffer) => (stderr += d))
    child.on("close", (status) => resolve({ status, stdout, stderr }))
  })

/** rmdir of a cgroup (fs.rm refuses directories without recursive, and a cgroup's files cannot go). */
const removeCgroup = (dir: string) => {
  try {
    fs.rmdirSync(dir)
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e
  }
}

const probeOutput = async (script: string) => {
  const { status, stdout, stderr } = await runShell(script)
  expect(status, stderr).toBe(0)
  const line = stdout.trim().split("\n").at(-1) ?? ""
  return JSON.parse(line) as {
    error?: string
    results?: Record<string, { verdict: string; stdout: string; memory_peak_bytes: number | null; cpu_time_ms: number | null }>
    cgroup?: string
    leftovers?: Array<string>
  }
}

describe("CodeBox as root in a container's own cgroup namespace", () => {
  const container = "/sys/fs/cgroup/container-test"
  afterAll(() => {
    for (const dir of ["codebox-service", "codebox", ""]) removeCgroup(path.join(container, dir))
  })

  it("moves its processes out of the namespace root, then limits and measures jobs there", { timeout }, async () => {
    fs.mkdirSync(container, { recursive: true })
    // As a container runtime does: the cgroup is the namespace's root, and the container's processes
    // are in it, so the no-internal-processes rule applies there (unlike at the hierarchy's root).
    const out = await probeOutput(
      `echo $$ > ${container}/cgroup.procs && exec unshare --cgroup --mount --propagation private bash -c ` +
        `'umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec node ${probe}'`
    )
    expect(out.error).toBeUndefined()
    expect(out.cgroup).toBe("0::/codebox-service")
    for (const language of ["python", "c"]) {
      expect(out.results?.[`${language} hello`]?.stdout).toBe("hello\n")
      expect(out.results?.[`${language} memoryHog`]?.verdict).toBe("memory_limit")
      expect(out.results?.[`${language} memoryHog`]?.memory_peak_bytes).toBeGreaterThan(0)
    }
    expect(out.leftovers).toEqual([])
    expect(fs.readFileSync(path.join(container, "cgroup.subtree_control"), "utf8")).toMatch(/memory.*pids/)
    expect(fs.readdirSync(path.join(container, "codebox")).filter((n) => /^j\d+-/.test(n))).toEqual([])
  })
})

describe("CodeBox without root", () => {
  const delegated = `/sys/fs/cgroup/codebox-${nobody}`
  afterAll(() => removeCgroup(delegated))

  it("with a subtree delegated by hand (chowned, as systemd does): refuses only for what still needs root", { timeout }, async () => {
    fs.mkdirSync(delegated, { recursive: true })
    for (const f of ["", "cgroup.procs", "cgroup.subtree_control", "cgroup.threads"]) fs.chownSync(path.join(delegated, f), nobody, nobody)
    const out = await probeOutput(
      `echo $$ > ${delegated}/cgroup.procs && exec setpriv --reuid=${nobody} --regid=${nobody} --clear-groups node ${probe}`
    )
    expect(out.error).toContain(`it must run as root (uid ${nobody} now): its cgroup ${delegated} is delegated, but`)
    expect(out.error).toContain("run `sudo npm start`, or use the Docker sandbox")
    expect(out.error).not.toContain("not delegated")
  })

  it("with nothing delegated: refuses, saying what to run", { timeout }, async () => {
    const out = await probeOutput(`exec setpriv --reuid=${nobody} --regid=${nobody} --clear-groups node ${probe}`)
    expect(out.error).toContain(`its cgroup /sys/fs/cgroup is not delegated to uid ${nobody}`)
    expect(out.error).toContain("systemd-run --user --scope -p Delegate=yes npm start")
    expect(out.error).toContain(`sudo chown ${nobody} ${delegated}`)
  })
})
