/**
 * True while a process with this pid exists. Leftovers (cgroups, staging mounts, uid leases, locks)
 * are named after the pid that made them, so a crashed process's leftovers can be told apart.
 * EPERM means it exists but belongs to someone else.
 */
export const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"
  }
}
