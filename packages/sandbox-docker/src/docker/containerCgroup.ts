import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { type CgroupMount, readKey, readNumber } from "@codebox/sandbox-native/cgroup"

/**
 * The cpu rlimit holds per process only: children run one after another each get the full limit.
 * So the worker reads the cpu time of the whole container from its cgroup on the Docker host, as
 * the native sandbox does with its jobs' cgroups, and kills the container when it is over.
 *
 * With Docker's cgroupfs driver, each step's container goes under a cgroup parent of its own,
 * `/codebox-docker/<random>`: the parent outlives the container (runc removes only the container's
 * own cgroup), and keeps its totals, cpu time and peak memory, exact after the exit. The name is
 * random because the container sees it (its cgroup mounts' roots in /proc/self/mountinfo): it must
 * not tell the worker's pid.
 * With the systemd driver a parent must be a slice that systemd may collect as soon as the
 * container's scope ends, so the container's own scope is read while it runs and the last reading
 * stands for the end. Where this process cannot see the Docker host's cgroups (a worker in a
 * container, a remote daemon), nothing is read and the rlimit alone limits cpu time.
 */
export interface CgroupHost {
  readonly driver: "cgroupfs" | "systemd"
  /** The host's cgroup mounts this process sees whole (mountinfo root "/"). */
  readonly mounts: ReadonlyArray<CgroupMount>
}

/** Where the per-step parents go in every hierarchy. */
export const parentRoot = "codebox-docker"

/** The Docker host's cgroups as this process sees them, or null when it cannot read them. */
export const cgroupHost = (driver: string | undefined, mounts: ReadonlyArray<CgroupMount>): CgroupHost | null => {
  const visible = mounts.filter((m) => m.root === "/")
  if (driver !== "cgroupfs" && driver !== "systemd") return null
  const v1 = visible.some((m) => m.fsType === "cgroup" && m.controllers.includes("cpuacct"))
  const v2 = visible.some((m) => m.fsType === "cgroup2" && fs.existsSync(path.join(m.mountPoint, "cgroup.controllers")))
  return v1 || v2 ? { driver, mounts: visible } : null
}

/** One step's container as its cgroup sees it. */
export interface StepCgroup {
  /** HostConfig.CgroupParent for the container (cgroupfs), or undefined: Docker's default. */
  readonly parent: string | undefined
  /** Cpu time so far (samples memory too); null until the container's cgroup is there. */
  cpuTimeMs(containerId: string): number | null
  /** What the step used, once its container has exited: exact with a parent, else the last reading. */
  usage(containerId: string): { readonly cpuTimeMs: number | null; readonly memoryPeakBytes: number | null }
  /** Removes the step's parent cgroup (after its container is removed). */
  remove(): Promise<void>
}

const v1Dir = (host: CgroupHost, controller: string, cgroupPath: string): string | null => {
  const mount = host.mounts.find((m) => m.fsType === "cgroup" && m.controllers.includes(controller))
  return mount === undefined ? null : path.join(mount.mountPoint, cgroupPath)
}
const v2Dir = (host: CgroupHost, cgroupPath: string): string | null => {
  const mount = host.mounts.find((m) => m.fsType === "cgroup2")
  return mount === undefined ? null : path.join(mount.mountPoint, cgroupPath)
}

/** Cpu time in ms of the cgroup at `cgroupPath` (cpuacct on v1, cpu.stat on v2), or null. */
export const readCpuMs = (host: CgroupHost, cgroupPath: string): number | null => {
  const cpuacct = v1Dir(host, "cpuacct", cgroupPath)
  const ns = cpuacct === null ? null : readNumber(path.join(cpuacct, "cpuacct.usage"))
  if (ns !== null) return Math.round(ns / 1e6)
  const unified = v2Dir(host, cgroupPath)
  const usec = unified === null ? null : readKey(path.join(unified, "cpu.stat"), "usage_usec")
  return usec === null ? null : Math.round(usec / 1000)
}

/** Peak memory (v1 max_usage_in_bytes, v2 memory.peak) or, without one, the memory in use now. */
export const readMemory = (host: CgroupHost, cgroupPath: string): { peak: number | null; current: number | null } => {
  const memory = v1Dir(host, "memory", cgroupPath)
  if (memory !== null && fs.existsSync(memory)) {
    return {
      peak: readNumber(path.join(memory, "memory.max_usage_in_bytes")),
      current: readNumber(path.join(memory, "memory.usage_in_bytes"))
    }
  }
  const unified = v2Dir(host, cgroupPath)
  if (unified === null) return { peak: null, current: null }
  return { peak: readNumber(path.join(unified, "memory.peak")), current: readNumber(path.join(unified, "memory.current")) }
}

export const makeStepCgroup = (host: CgroupHost): StepCgroup => {
  const parent = host.driver === "cgroupfs" ? `/${parentRoot}/${randomBytes(8).toString("hex")}` : undefined
  // systemd's default parent for containers.
  const pathOf = (id: string) => parent ?? `/system.slice/docker-${id}.scope`
  let lastCpu: number | null = null
  let sampledPeak: number | null = null
  const sample = (id: string) => {
    const memory = readMemory(host, pathOf(id))
    const seen = memory.peak ?? memory.current
    if (seen !== null) sampledPeak = Math.max(sampledPeak ?? 0, seen)
  }
  return {
    parent,
    cpuTimeMs: (id) => {
      sample(id)
      const cpu = readCpuMs(host, pathOf(id))
      if (cpu !== null) lastCpu = cpu
      return cpu
    },
    usage: (id) => {
      sample(id)
      return { cpuTimeMs: readCpuMs(host, pathOf(id)) ?? lastCpu, memoryPeakBytes: sampledPeak }
    },
    remove: async () => {
      if (parent !== undefined) await removeParent(host, parent)
    }
  }
}

/** rmdir of a step's parent in every hierarchy, retried while runc is still removing the container's cgroup. */
const removeParent = async (host: CgroupHost, parent: string, attempts = 50): Promise<void> => {
  for (const mount of host.mounts) {
    const dir = path.join(mount.mountPoint, parent)
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        await fs.promises.rmdir(dir)
        break
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code
        if (code === "ENOENT") break
        if ((code !== "EBUSY" && code !== "ENOTEMPTY") || attempt === attempts) throw e
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
  }
}

/**
 * Removes the step parents a dead worker left (at start, after its containers were swept). A parent
 * is only ever empty when its step is over: runc makes it with the container, and a container that
 * still runs (a live worker's, or a dead one's not yet swept) keeps it busy, so rmdir, which
 * removes empty cgroups only, takes exactly the leftovers. Answers how many went.
 */
export const sweepStepCgroups = async (host: CgroupHost, now = Date.now(), minAgeMs = 60_000): Promise<number> => {
  const removed = new Set<string>()
  for (const mount of host.mounts) {
    const base = path.join(mount.mountPoint, parentRoot)
    const names = await fs.promises.readdir(base, { withFileTypes: true }).catch(() => [])
    for (const entry of names) {
      if (!entry.isDirectory()) continue
      const dir = path.join(base, entry.name)
      // A live worker reads its parent's totals between its container's exit and its own rmdir: a
      // parent that young is left to it.
      const stat = await fs.promises.stat(dir).catch(() => null)
      if (stat === null || stat.mtimeMs > now - minAgeMs) continue
      await fs.promises.rmdir(dir).then(
        () => removed.add(entry.name),
        () => undefined
      )
    }
  }
  return removed.size
}
