import * as fs from "node:fs"
import * as path from "node:path"

/** What a job's cgroup measured when the step ended. */
export interface CgroupUsage {
  /** Processes the kernel's OOM killer ended inside the job: the memory limit fired. */
  readonly oomKills: number
  readonly memoryPeakBytes: number | null
  readonly cpuTimeMs: number | null
}

export interface CgroupLimits {
  /** null: no memory limit yet (a launcher waiting for its job; the job's limit is set before it runs). */
  readonly memoryBytes: number | null
  /** Processes and threads (the pids controller counts both). */
  readonly pids: number
}

/** The cgroup (v1: one per controller) holding every process of one sandboxed step. */
export interface JobCgroup {
  /** `cgroup.procs` files a launcher writes its own pid to, before exec, so no child escapes. */
  readonly procsFiles: ReadonlyArray<string>
  /** Sets the job's limits (a launcher's cgroup is made before the job is known). */
  setLimits(limits: CgroupLimits): void
  /** Cpu time used so far, for the cpu-time watchdog. */
  cpuTimeMs(): number | null
  usage(): CgroupUsage
  /** Pids of the processes still in the job. */
  pids(): ReadonlyArray<number>
  /** SIGKILLs every process in the job now (one round; `destroy` repeats until it is empty). */
  kill(): void
  /** SIGKILLs every process in the job, waits until none is left, removes the cgroup dirs. */
  destroy(): Promise<void>
}

/** One cgroup hierarchy layout (v1 or v2), rooted at a directory CodeBox owns. */
export interface CgroupDriver {
  readonly version: "v1" | "v2"
  /** Where the job cgroups live, for logs and error messages. */
  readonly describe: string
  /** Creates the CodeBox root cgroup(s) and enables what they need; idempotent. */
  prepare(): void
  create(name: string, limits: CgroupLimits): JobCgroup
  /** Names of the job cgroups present now (leftovers of a crashed process included). */
  list(): ReadonlyArray<string>
  /** Kills and removes a job cgroup by name (used to sweep what a crashed process left). */
  destroyByName(name: string): Promise<void>
}

export const readText = (file: string): string | null => {
  try {
    return fs.readFileSync(file, "utf8")
  } catch {
    return null
  }
}

export const readNumber = (file: string): number | null => {
  const text = readText(file)
  if (text === null) return null
  const value = Number(text.trim())
  return Number.isFinite(value) ? value : null
}

/** A `key value` line from files like memory.events or memory.oom_control. */
export const readKey = (file: string, key: string): number | null => {
  const text = readText(file)
  if (text === null) return null
  for (const line of text.split("\n")) {
    const [k, v] = line.trim().split(/\s+/)
    if (k === key && v !== undefined) return Number(v)
  }
  return null
}

export const readPids = (procsFile: string): Array<number> =>
  (readText(procsFile) ?? "")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map(Number)

export const listChildren = (dir: string): Array<string> => {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
  } catch {
    return []
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Kills until the cgroup is empty, then removes it. `killAll` is the driver's way of killing
 * (cgroup.kill on v2, a SIGKILL per pid otherwise); it is repeated because a process may fork
 * between the read of cgroup.procs and the kill. Exiting processes leave the cgroup a moment
 * after SIGKILL, so rmdir is retried for a while before giving up loudly.
 */
export const killAndRemove = async (dirs: ReadonlyArray<string>, procsFile: string, killAll: () => void): Promise<void> => {
  const deadline = Date.now() + 10_000
  for (let round = 0; ; round++) {
    const existing = dirs.filter((d) => fs.existsSync(d))
    if (existing.length === 0) return
    if (fs.existsSync(procsFile) && readPids(procsFile).length > 0) killAll()
    let removedAll = true
    for (const dir of existing) {
      try {
        fs.rmdirSync(dir)
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ENOENT") removedAll = false
      }
    }
    if (removedAll) return
    if (Date.now() > deadline) {
      throw new Error(`cgroup ${existing.join(", ")} still busy after killing its processes: ${readPids(procsFile).join(" ")}`)
    }
    await sleep(round < 10 ? 1 : 10)
  }
}

export const killPids = (pids: ReadonlyArray<number>): void => {
  for (const pid of pids) {
    try {
      process.kill(pid, "SIGKILL")
    } catch {
      // Already gone.
    }
  }
}

export const writeFile = (dir: string, file: string, value: string): void => {
  try {
    fs.writeFileSync(path.join(dir, file), value, { flag: "r+" })
  } catch (e) {
    throw new Error(`cannot write ${value.trim()} to ${path.join(dir, file)}: ${(e as Error).message}`)
  }
}
