import { type ChildProcess, spawn } from "node:child_process"
import * as fs from "node:fs"
import type { CgroupDriver, JobCgroup } from "./Cgroup.ts"
import { encodeArgv, type LaunchCommand, LauncherFd, launcherCommand } from "./launcher.ts"

/** A launcher process already inside its job's fresh cgroups, waiting for an argv on fd 4. */
export interface Launcher {
  readonly name: string
  readonly cgroup: JobCgroup
  readonly child: ChildProcess
  /** Hands over the argv and bwrap's options; the launcher execs at once. */
  start(command: LaunchCommand): void
}

/** Processes a waiting launcher may have before its job's limit is set (bash needs one). */
const waitingPids = 8

/**
 * Starts a launcher in fresh cgroups named `name`. `seccompFilter` is the compiled filter bwrap
 * loads (null: none, only to measure its cost); it is opened afresh for every launcher, because
 * launchers sharing one open file would share its offset and all but the first read nothing.
 */
export const spawnLauncher = (driver: CgroupDriver, name: string, seccompFilter: string | null): Launcher => {
  const cgroup = driver.create(name, { memoryBytes: null, pids: waitingPids })
  const [command, ...args] = launcherCommand(cgroup.procsFiles, seccompFilter !== null)
  let child: ChildProcess
  let filter: number | null = null
  try {
    filter = seccompFilter === null ? null : fs.openSync(seccompFilter, "r")
    // stdio 3: bwrap's status; 4: the argv; 5: the filter; 6: bwrap's options. No host environment.
    const stdio = ["pipe", "pipe", "pipe", "pipe", "pipe", filter ?? "ignore", "pipe"] as const
    child = spawn(command!, args, { stdio: [...stdio], env: { PATH: "/usr/bin:/bin" } })
  } catch (e) {
    void cgroup.destroy()
    throw e
  } finally {
    // The launcher holds its own copy now.
    if (filter !== null) fs.closeSync(filter)
  }
  // Errors surface when the launcher is used; an idle one that failed is dropped.
  child.on("error", () => undefined)
  child.stdin!.on("error", () => undefined)
  return {
    name,
    cgroup,
    child,
    start: (launch) => {
      // Options first: the launcher execs bwrap as soon as it has the argv, and bwrap reads them.
      for (const [fd, args] of [
        [LauncherFd.bwrapOptions, launch.bwrapOptions],
        [LauncherFd.argv, launch.argv]
      ] as const) {
        const pipe = (child.stdio as ReadonlyArray<unknown>)[fd] as NodeJS.WritableStream & { on(e: "error", f: () => void): void }
        pipe.on("error", () => undefined)
        pipe.end(encodeArgv(args))
      }
    }
  }
}

export const isWaiting = (launcher: Launcher): boolean =>
  launcher.child.exitCode === null && launcher.child.signalCode === null && launcher.child.pid !== undefined

/**
 * Keeps `size` launchers ready. `take` hands out a waiting one (or starts one on the spot when
 * none is ready) and refills after the caller's step has started, off its critical path.
 */
export const makeLauncherPool = (driver: CgroupDriver, nextName: () => string, size: number, seccompFilter: string | null) => {
  const ready: Array<Launcher> = []
  let closed = false
  const discard = (launcher: Launcher) => {
    launcher.child.kill("SIGKILL")
    void launcher.cgroup.destroy().catch(() => undefined)
  }
  const refill = () => {
    while (!closed && ready.length < size) {
      try {
        ready.push(spawnLauncher(driver, nextName(), seccompFilter))
      } catch {
        return
      }
    }
  }
  return {
    take(): Launcher {
      for (let launcher = ready.shift(); launcher !== undefined; launcher = ready.shift()) {
        if (isWaiting(launcher)) {
          setImmediate(refill)
          return launcher
        }
        discard(launcher)
      }
      setImmediate(refill)
      return spawnLauncher(driver, nextName(), seccompFilter)
    },
    refill,
    /** Names of the cgroups of waiting launchers (they exist while nothing runs). */
    waiting: () => ready.map((l) => l.name),
    async close() {
      closed = true
      const all = ready.splice(0)
      for (const l of all) l.child.kill("SIGKILL")
      await Promise.all(all.map((l) => l.cgroup.destroy().catch(() => undefined)))
    }
  }
}
