import { type ChildProcess, spawn } from "node:child_process"
import type { CgroupDriver, JobCgroup } from "./Cgroup.ts"
import { encodeArgv, launcherCommand } from "./launcher.ts"

/** A launcher process already inside its job's fresh cgroups, waiting for an argv on fd 4. */
export interface Launcher {
  readonly name: string
  readonly cgroup: JobCgroup
  readonly child: ChildProcess
  /** Hands over the argv; the launcher execs it at once. */
  start(argv: ReadonlyArray<string>): void
}

/** Processes a waiting launcher may have before its job's limit is set (bash needs one). */
const waitingPids = 8

export const spawnLauncher = (driver: CgroupDriver, name: string): Launcher => {
  const cgroup = driver.create(name, { memoryBytes: null, pids: waitingPids })
  const [command, ...args] = launcherCommand(cgroup.procsFiles)
  let child: ChildProcess
  try {
    // stdio 3: bwrap's status fd; stdio 4: the argv. Nothing of the host's environment is passed.
    child = spawn(command!, args, { stdio: ["pipe", "pipe", "pipe", "pipe", "pipe"], env: { PATH: "/usr/bin:/bin" } })
  } catch (e) {
    void cgroup.destroy()
    throw e
  }
  // Errors surface when the launcher is used; an idle one that failed is dropped.
  child.on("error", () => undefined)
  child.stdin!.on("error", () => undefined)
  return {
    name,
    cgroup,
    child,
    start: (argv) => {
      const control = child.stdio[4] as NodeJS.WritableStream & { on(e: "error", f: () => void): void }
      control.on("error", () => undefined)
      control.end(encodeArgv(argv))
    }
  }
}

export const isWaiting = (launcher: Launcher): boolean =>
  launcher.child.exitCode === null && launcher.child.signalCode === null && launcher.child.pid !== undefined

/**
 * Keeps `size` launchers ready. `take` hands out a waiting one (or starts one on the spot when
 * none is ready) and refills after the caller's step has started, off its critical path.
 */
export const makeLauncherPool = (driver: CgroupDriver, nextName: () => string, size: number) => {
  const ready: Array<Launcher> = []
  let closed = false
  const discard = (launcher: Launcher) => {
    launcher.child.kill("SIGKILL")
    void launcher.cgroup.destroy().catch(() => undefined)
  }
  const refill = () => {
    while (!closed && ready.length < size) {
      try {
        ready.push(spawnLauncher(driver, nextName()))
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
      return spawnLauncher(driver, nextName())
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
