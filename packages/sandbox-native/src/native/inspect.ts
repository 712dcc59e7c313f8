import * as fs from "node:fs"
import { readText } from "./Cgroup.ts"

export interface LeftoverQuery {
  /** The uid range jobs run as. */
  readonly firstUid: number
  readonly uidCount: number
  /** CodeBox's cgroup name (job cgroups are `<root>/j<pid>-...`). */
  readonly cgroupRoot: string
  /** Only jobs of this CodeBox process count (default: the current one). */
  readonly pid?: number
}

/**
 * What jobs left behind, for tests and health checks, when none of this process's jobs is running:
 * a process of a sandbox uid still inside one of this process's job cgroups, or one outside every
 * CodeBox job cgroup (an escape). Waiting launchers run as root and are not leftovers, nor are
 * zombies (exited processes not yet reaped by the host's init).
 */
export const findLeftovers = (query: LeftoverQuery): Array<string> => {
  const own = `/${query.cgroupRoot}/j${query.pid ?? process.pid}-`
  const anyJob = `/${query.cgroupRoot}/j`
  const found: Array<string> = []
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    const status = readText(`/proc/${entry}/status`)
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status ?? "")?.[1] ?? "-1")
    if (uid < query.firstUid || uid >= query.firstUid + query.uidCount) continue
    const cgroups = readText(`/proc/${entry}/cgroup`) ?? ""
    const name = /^Name:\s+(.*)$/m.exec(status ?? "")?.[1] ?? "?"
    // A zombie has already exited (and left its cgroups): bwrap's init in the job's pid namespace
    // outlives bwrap by a moment and is reaped by the host's init, which may take a second or two.
    if (/^State:\s+Z/m.test(status ?? "")) continue
    if (cgroups.includes(own)) found.push(`process ${entry} (${name}, uid ${uid}) is still in a job cgroup`)
    else if (!cgroups.includes(anyJob)) found.push(`process ${entry} (${name}, uid ${uid}) is outside every job cgroup`)
  }
  return found
}
