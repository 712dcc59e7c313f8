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
  writeFile
} from "./Cgroup.ts"

/** Where each v1 controller is mounted (e.g. /sys/fs/cgroup/memory). cpuacct is optional. */
export interface V1Mounts {
  readonly memory: string
  readonly pids: string
  readonly cpuacct: string | null
}

/**
 * cgroup v1: one directory per controller, `root` inside each. Memory is limited with
 * memory.limit_in_bytes (and memsw when swap accounting is on, so swap is no way around it), OOM
 * kills are read from memory.oom_control, cpu time from cpuacct.usage. v1 has no cgroup.kill:
 * pids.max is set to 0 first so nothing can fork while the survivors are killed one by one.
 */
export const make = (mounts: V1Mounts, root: string): CgroupDriver => {
  const controllers = [mounts.memory, mounts.pids, ...(mounts.cpuacct === null ? [] : [mounts.cpuacct])]
  const dirsOf = (name: string) => controllers.map((m) => path.join(m, root, name))
  const pidsDir = (name: string) => path.join(mounts.pids, root, name)

  const killRound = (name: string) => {
    try {
      fs.writeFileSync(path.join(pidsDir(name), "pids.max"), "0", { flag: "r+" })
    } catch {
      // Already removed.
    }
    // A process may sit in the memory cgroup alone if the launcher died between its two joins.
    for (const dir of dirsOf(name)) killPids(readPids(path.join(dir, "cgroup.procs")))
  }
  const destroyByName = (name: string) => killAndRemove(dirsOf(name), path.join(pidsDir(name), "cgroup.procs"), () => killRound(name))

  return {
    version: "v1",
    describe: `cgroup v1 (${controllers.map((m) => path.join(m, root)).join(", ")})`,
    prepare() {
      for (const m of controllers) fs.mkdirSync(path.join(m, root), { recursive: true })
    },
    create(name: string, limits: CgroupLimits): JobCgroup {
      const [memory, pids, cpuacct] = dirsOf(name) as [string, string, string | undefined]
      const setLimits = (limits: CgroupLimits) => {
        if (limits.memoryBytes !== null) {
          // Lowered from unlimited: memory first, then memsw (memsw may never be below memory).
          writeFile(memory, "memory.limit_in_bytes", String(limits.memoryBytes))
          if (fs.existsSync(path.join(memory, "memory.memsw.limit_in_bytes"))) {
            writeFile(memory, "memory.memsw.limit_in_bytes", String(limits.memoryBytes))
          }
          // The peak is the job's, not the waiting launcher's.
          writeFile(memory, "memory.max_usage_in_bytes", "0")
        }
        writeFile(pids, "pids.max", String(limits.pids))
      }
      try {
        for (const dir of dirsOf(name)) fs.mkdirSync(dir)
        try {
          writeFile(memory, "memory.swappiness", "0")
        } catch {
          // Not settable on every kernel; memsw keeps swap out where swap is accounted.
        }
        setLimits(limits)
      } catch (e) {
        for (const dir of dirsOf(name)) fs.rmSync(dir, { force: true, recursive: false })
        throw e
      }
      return {
        procsFiles: dirsOf(name).map((d) => path.join(d, "cgroup.procs")),
        setLimits,
        cpuTimeMs: () => {
          const ns = cpuacct === undefined ? null : readNumber(path.join(cpuacct, "cpuacct.usage"))
          return ns === null ? null : Math.round(ns / 1e6)
        },
        usage: () => {
          const ns = cpuacct === undefined ? null : readNumber(path.join(cpuacct, "cpuacct.usage"))
          return {
            oomKills: readKey(path.join(memory, "memory.oom_control"), "oom_kill") ?? 0,
            memoryPeakBytes: readNumber(path.join(memory, "memory.max_usage_in_bytes")),
            cpuTimeMs: ns === null ? null : Math.round(ns / 1e6)
          }
        },
        pids: () => [...new Set(dirsOf(name).flatMap((d) => readPids(path.join(d, "cgroup.procs"))))],
        kill: () => killRound(name),
        destroy: () => destroyByName(name)
      }
    },
    list: () => listChildren(path.join(mounts.pids, root)),
    destroyByName
  }
}
