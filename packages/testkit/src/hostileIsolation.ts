import * as fs from "node:fs"
import * as os from "node:os"
import { expect, type it } from "vitest"
import type { HostilePrograms, LanguagePlugin, LimitsRequest, Task, TaskRequest } from "@codebox/core"

/** What the isolation cases need from the hostile suite around them. */
export interface IsolationContext {
  readonly plugin: LanguagePlugin
  readonly timeout: number
  readonly run: (request: TaskRequest) => Promise<Task>
  readonly runProgram: (plugin: LanguagePlugin, source: string, limits?: LimitsRequest, args?: Array<string>) => Promise<Task>
  readonly expectCleanAfter: (plugin: LanguagePlugin) => Promise<void>
  /** How a case is registered: `it`, or `it.fails` against a runner that does not isolate. */
  readonly isolationCase: (program: string | undefined) => typeof it | typeof it.fails
}

/** The calls the seccomp filter refuses that a program can make without any privilege. */
export const deniedSyscalls = ["io_uring_setup", "userfaultfd", "bpf", "ptrace", "unshare", "keyctl"] as const

/**
 * mountinfo without each line's mount id, parent id and device numbers: small counters of the
 * kernel's that a small pid (a VM's server runs as pid 164) can equal by chance.
 */
const withoutMountIds = (text: string): string => text.replace(/^\d+ \d+ \d+:\d+ /gm, "")

/** A number standing alone (not inside a longer number or a hex id). */
const standalone = (n: number) => new RegExp(`(^|[^0-9a-f])${n}([^0-9a-f]|$)`, "m")

/** One line of /proc/self/mountinfo: what is after its " - " separator. */
interface MountLine {
  readonly line: string
  readonly fstype: string
  readonly source: string
  readonly superOptions: string
}

const parseMountLines = (text: string): Array<MountLine> =>
  text
    .split("\n")
    .filter((line) => line.includes(" - "))
    .map((line) => {
      const [fstype = "", source = "", superOptions = ""] = line.slice(line.indexOf(" - ") + 3).split(" ")
      return { line, fstype, source, superOptions }
    })

/**
 * Lines of a job's mountinfo that tell about the host's disks: a mount whose source is a host
 * block device (`/dev/vda`), one with the super options of a host filesystem on a block device
 * (ext4's `resv_strict,resuid=...`: its options and so how it was set up), or the host's devtmpfs,
 * whose `size=` is half the host's memory. Bind mounts of host directories show all three.
 */
export const hostDiskDetails = (jobMountinfo: string): Array<string> => {
  const host = parseMountLines(fs.readFileSync("/proc/self/mountinfo", "utf8")).filter(
    (m) => m.source.startsWith("/dev/") || m.fstype === "devtmpfs"
  )
  const sources = new Set(host.filter((m) => m.source.startsWith("/dev/")).map((m) => m.source))
  const fstypes = new Set(host.map((m) => m.fstype))
  // Options that say something of the disk (ext4's `rw,discard,resv_strict,...`, devtmpfs's size):
  // a bare `rw` is what proc and many others show too.
  const options = new Set(host.map((m) => m.superOptions).filter((o) => o !== "rw" && o !== "ro"))
  return parseMountLines(jobMountinfo)
    .filter((m) => sources.has(m.source) || m.fstype === "devtmpfs" || fstypes.has(m.fstype) || options.has(m.superOptions))
    .map((m) => m.line)
}

/**
 * Cases of the hostile suite about what the kernel lets a program reach beyond its limits: system
 * calls the seccomp filter denies, the kernel keyring shared across jobs, descriptors inherited
 * from the server, and host details (pid, paths, name) seen from inside or in the result.
 */
export const isolationCases = (h: HostilePrograms, ctx: IsolationContext) => {
  const { plugin, timeout, runProgram } = ctx
  const when = ctx.isolationCase

  when(h.syscall)(`system calls denied by the seccomp filter: ${deniedSyscalls.join(", ")}`, { timeout }, async () => {
    const tasks = await Promise.all(deniedSyscalls.map((call) => runProgram(plugin, h.syscall!, {}, [call])))
    const seen = Object.fromEntries(tasks.map((task, i) => [deniedSyscalls[i], task.result?.stdout.trim() ?? task.error]))
    // EPERM: the filter's answer. Without it these succeed, or fail with another errno.
    expect(seen).toEqual(Object.fromEntries(deniedSyscalls.map((call) => [call, "EPERM"])))
    await ctx.expectCleanAfter(plugin)
  })

  when(h.keyring)("kernel keyring: a key added by one job is not there for the next", { timeout }, async () => {
    const secret = `secret-from-job-1-${Math.random().toString(36).slice(2)}`
    const first = await runProgram(plugin, h.keyring!, {}, ["add", secret])
    const second = await runProgram(plugin, h.keyring!, {}, ["read"])
    expect(first.result?.stdout, first.result?.stderr).toBe("EPERM\n")
    expect(second.result?.stdout, second.result?.stderr).toBe("none\n")
  })

  when(h.openFiles)("descriptors: a job has none open above 2", { timeout }, async () => {
    const task = await runProgram(plugin, h.openFiles!)
    expect(task.result?.verdict, task.result?.stderr).toBe("ok")
    expect(task.result?.stdout).toBe("\n")
  })

  when(h.readFile)("nothing of the host inside or in the result: pid, paths, host name", { timeout }, async () => {
    const files = ["/proc/self/mountinfo", "/proc/1/cmdline", "/proc/sys/kernel/hostname", "/proc/self/cgroup", "/etc/hostname"]
    const tasks = await Promise.all(files.map((file) => runProgram(plugin, h.readFile!, {}, [file])))
    const hostname = os.hostname()
    for (const [i, task] of tasks.entries()) {
      const stdout = task.result?.stdout.replaceAll("\0", " ") ?? ""
      const seen = i === 0 ? withoutMountIds(stdout) : stdout
      expect(task.result?.verdict, `${files[i]}: ${task.error}`).toBe("ok")
      expect(seen, files[i]).not.toMatch(standalone(process.pid))
      expect(seen, files[i]).not.toContain(hostname)
      for (const hostPath of ["/run/codebox", "/var/lib/codebox", "codebox-native", "codebox-jobs", `${os.tmpdir()}/`]) {
        expect(seen, `${files[i]} names ${hostPath}`).not.toContain(hostPath)
      }
    }
    // Nor the host's disks: no block device, no ext4 options, no devtmpfs and its size.
    expect(hostDiskDetails(tasks[0]!.result?.stdout ?? ""), "/proc/self/mountinfo names the host's disks").toEqual([])
    expect(tasks[2]!.result?.stdout).toBe("sandbox\n")
    // The whole task as its submitter gets it: no host name, no pid of the server.
    const first = tasks[0]!
    const whole = JSON.stringify(
      first.result ? { ...first, result: { ...first.result, stdout: withoutMountIds(first.result.stdout) } } : first
    )
    expect(whole).not.toContain(hostname)
    expect(whole).not.toMatch(standalone(process.pid))
  })
}
