import * as fs from "node:fs"
import * as path from "node:path"

/**
 * A cgroup that only keeps an unisolated test run from hurting the machine it runs on (a fork bomb
 * without a sandbox would otherwise take the CI host down). Its limits are far above any job's, so
 * a hostile case never passes because of it; it is also how the run finds and ends what a job left.
 */
export interface SafetyCgroup {
  /** `cgroup.procs` files a process writes its own pid to before exec. */
  readonly procsFiles: ReadonlyArray<string>
  pids(): ReadonlyArray<number>
  /** SIGKILLs everything in it until it is empty, then removes it. */
  destroy(): Promise<void>
}

const root = "/sys/fs/cgroup"
const name = "codebox-unisolated"
const isV2 = () => fs.existsSync(path.join(root, "cgroup.controllers"))

const write = (file: string, value: string) => fs.writeFileSync(file, value)

/** Half a core per step: a fork bomb without a sandbox must not starve the machine's other work. */
const halfCorePeriodUs = 100_000

/** Makes the cgroup `id` with at most `pids` processes and `memoryBytes` of memory. */
export const makeSafetyCgroup = (id: string, limits: { readonly pids: number; readonly memoryBytes: number }): SafetyCgroup => {
  const dirs: Array<string> = []
  if (isV2()) {
    const parent = path.join(root, name)
    fs.mkdirSync(parent, { recursive: true })
    write(path.join(parent, "cgroup.subtree_control"), "+pids +memory +cpu")
    const dir = path.join(parent, id)
    fs.mkdirSync(dir)
    write(path.join(dir, "pids.max"), String(limits.pids))
    write(path.join(dir, "memory.max"), String(limits.memoryBytes))
    write(path.join(dir, "cpu.max"), `${halfCorePeriodUs / 2} ${halfCorePeriodUs}`)
    dirs.push(dir)
  } else {
    for (const controller of ["pids", "memory", "cpu"]) {
      const dir = path.join(root, controller, name, id)
      fs.mkdirSync(dir, { recursive: true })
      dirs.push(dir)
    }
    write(path.join(dirs[0]!, "pids.max"), String(limits.pids))
    write(path.join(dirs[1]!, "memory.limit_in_bytes"), String(limits.memoryBytes))
    write(path.join(dirs[2]!, "cpu.cfs_period_us"), String(halfCorePeriodUs))
    write(path.join(dirs[2]!, "cpu.cfs_quota_us"), String(halfCorePeriodUs / 2))
  }
  const procsOf = (dir: string): ReadonlyArray<number> => {
    try {
      return fs.readFileSync(path.join(dir, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number)
    } catch {
      return [] // removed already
    }
  }
  const pids = () => [...new Set(dirs.flatMap(procsOf))]
  return {
    procsFiles: dirs.map((dir) => path.join(dir, "cgroup.procs")),
    pids,
    destroy: async () => {
      for (let round = 0; round < 200; round++) {
        const left = pids()
        if (left.length === 0) break
        for (const pid of left) {
          try {
            process.kill(pid, "SIGKILL")
          } catch {}
        }
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      for (const dir of dirs) {
        for (let attempt = 0; attempt < 40 && fs.existsSync(dir); attempt++) {
          try {
            fs.rmdirSync(dir)
          } catch {
            await new Promise((resolve) => setTimeout(resolve, 25))
          }
        }
      }
    }
  }
}
