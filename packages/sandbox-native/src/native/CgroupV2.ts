import * as fs from "node:fs"
import * as path from "node:path"
import {
  type CgroupDriver,
  type CgroupLimits,
  type JobCgroup,
  killAndRemove,
  killPids,
  listChildren,
  readKey,
  readNumber,
  readPids,
  readText,
  writeFile
} from "./Cgroup.ts"

/** Controllers a job cgroup needs enabled in its parent's cgroup.subtree_control. */
export const requiredControllers = ["memory", "pids"] as const

/** The child of a delegated parent that its own processes (CodeBox's included) are moved into. */
export const serviceLeaf = (root: string) => `${root}-service`

/**
 * The real root of the hierarchy is the only cgroup without cgroup.events. A cgroup namespace's
 * root (a container's /sys/fs/cgroup) has one, and is bound by the no-internal-processes rule.
 */
export const isHierarchyRoot = (dir: string) => !fs.existsSync(path.join(dir, "cgroup.events"))

/**
 * A cgroup with processes in it cannot enable controllers for its children ("no internal
 * processes"; the hierarchy's real root is exempt). In a delegated cgroup or a container's
 * namespace root, CodeBox's own process is in the very cgroup it must divide: every process there
 * moves into one leaf child first, as systemd documents for Delegate=yes and as containers do.
 */
const moveProcessesToLeaf = (parent: string, leaf: string) => {
  if (isHierarchyRoot(parent)) return
  const pids = readPids(path.join(parent, "cgroup.procs"))
  if (pids.length === 0) return
  const dir = path.join(parent, leaf)
  fs.mkdirSync(dir, { recursive: true })
  for (const pid of pids) {
    try {
      fs.writeFileSync(path.join(dir, "cgroup.procs"), String(pid), { flag: "r+" })
    } catch (e) {
      // ESRCH: it exited meanwhile. Anything else leaves a process behind: say which.
      if ((e as NodeJS.ErrnoException).code !== "ESRCH") {
        throw new Error(`cannot move process ${pid} out of ${parent} into ${dir}: ${(e as Error).message}`)
      }
    }
  }
}

/**
 * cgroup v2: one tree. `parent` is a cgroup CodeBox may write to (the hierarchy root, a container's
 * namespace root, or a subtree delegated to its uid); `root` is created under it with memory and
 * pids (and cpu when available) enabled for its children. Limits are memory.max (+ memory.swap.max
 * 0), pids.max; OOM kills come from memory.events, cpu time from cpu.stat; the whole job dies at
 * once through cgroup.kill.
 */
export const make = (parent: string, root: string): CgroupDriver => {
  const base = path.join(parent, root)
  const dirOf = (name: string) => path.join(base, name)

  // cgroup.kill (Linux 5.14+) kills the whole job atomically; before it, freeze forks and kill each.
  const killRound = (name: string) => {
    const dir = dirOf(name)
    try {
      fs.writeFileSync(path.join(dir, "cgroup.kill"), "1", { flag: "r+" })
      return
    } catch {
      // No cgroup.kill on this kernel (or the cgroup is gone): one SIGKILL per process below.
    }
    try {
      fs.writeFileSync(path.join(dir, "pids.max"), "0", { flag: "r+" })
    } catch {
      // Already removed.
    }
    killPids(readPids(path.join(dir, "cgroup.procs")))
  }
  const destroyByName = (name: string) => killAndRemove([dirOf(name)], path.join(dirOf(name), "cgroup.procs"), () => killRound(name))

  const cpuTimeMs = (dir: string) => {
    const usec = readKey(path.join(dir, "cpu.stat"), "usage_usec")
    return usec === null ? null : Math.round(usec / 1000)
  }

  return {
    version: "v2",
    describe: `cgroup v2 (${base})`,
    prepare() {
      const available = (readText(path.join(parent, "cgroup.controllers")) ?? "").trim().split(/\s+/)
      const missing = requiredControllers.filter((c) => !available.includes(c))
      if (missing.length > 0) {
        throw new Error(`the cgroup v2 controllers ${missing.join(", ")} are not available in ${parent}`)
      }
      const wanted = [...requiredControllers, ...(available.includes("cpu") ? ["cpu"] : [])]
      const enable = wanted.map((c) => `+${c}`).join(" ")
      const enabledIn = (dir: string) => (readText(path.join(dir, "cgroup.subtree_control")) ?? "").trim().split(/\s+/)
      if (!wanted.every((c) => enabledIn(parent).includes(c))) {
        moveProcessesToLeaf(parent, serviceLeaf(root))
        writeFile(parent, "cgroup.subtree_control", enable)
      }
      fs.mkdirSync(base, { recursive: true })
      if (!wanted.every((c) => enabledIn(base).includes(c))) writeFile(base, "cgroup.subtree_control", enable)
    },
    create(name: string, limits: CgroupLimits): JobCgroup {
      const dir = dirOf(name)
      const setLimits = (limits: CgroupLimits) => {
        if (limits.memoryBytes !== null) writeFile(dir, "memory.max", String(limits.memoryBytes))
        writeFile(dir, "pids.max", String(limits.pids))
      }
      // recursive: never fails on an existing name (names are unique), and lets tests pre-build one.
      fs.mkdirSync(dir, { recursive: true })
      try {
        if (fs.existsSync(path.join(dir, "memory.swap.max"))) writeFile(dir, "memory.swap.max", "0")
        // A job whose memory is exhausted is killed whole, not left limping with one process gone.
        if (fs.existsSync(path.join(dir, "memory.oom.group"))) writeFile(dir, "memory.oom.group", "1")
        setLimits(limits)
      } catch (e) {
        fs.rmdirSync(dir)
        throw e
      }
      // memory.peak exists from Linux 5.19. Before it (Debian 12's 6.1), the peak is the highest
      // memory.current seen by the cpu watchdog's polls, or memory.max itself once memory.events
      // says the job reached it (a memory bomb rises to the limit between two polls).
      let sampledPeak: number | null = null
      const sampleMemory = () => {
        const current = readNumber(path.join(dir, "memory.current"))
        if (current !== null) sampledPeak = Math.max(sampledPeak ?? 0, current)
      }
      const memoryPeak = (): number | null => {
        const peak = readNumber(path.join(dir, "memory.peak"))
        if (peak !== null) return peak
        sampleMemory()
        const events = path.join(dir, "memory.events")
        const reachedMax = (readKey(events, "max") ?? 0) > 0 || (readKey(events, "oom_kill") ?? 0) > 0
        const max = readNumber(path.join(dir, "memory.max")) // null for "max" (no limit)
        return reachedMax && max !== null ? Math.max(max, sampledPeak ?? 0) : sampledPeak
      }
      return {
        procsFiles: [path.join(dir, "cgroup.procs")],
        setLimits,
        cpuTimeMs: () => {
          sampleMemory()
          return cpuTimeMs(dir)
        },
        usage: () => ({
          oomKills: readKey(path.join(dir, "memory.events"), "oom_kill") ?? 0,
          memoryPeakBytes: memoryPeak(),
          cpuTimeMs: cpuTimeMs(dir)
        }),
        pids: () => readPids(path.join(dir, "cgroup.procs")),
        kill: () => killRound(name),
        destroy: () => destroyByName(name)
      }
    },
    list: () => listChildren(base),
    destroyByName
  }
}
