import * as path from "node:path"

/** This process's cgroup-v2 path, from /proc/self/cgroup text (its `0::/path` line). */
export const ownCgroupPath = (procSelfCgroup: string): string | null => {
  const line = procSelfCgroup.split("\n").find((l) => l.startsWith("0::"))
  return line === undefined ? null : line.slice(3).trim() || "/"
}

export interface V2ParentInput {
  /** Where the v2 hierarchy is mounted, and which of its cgroups appears there (mountinfo's root). */
  readonly mountPoint: string
  readonly mountRoot: string
  readonly procSelfCgroup: string
  readonly uid: number
  /** True when this process may write the file (access W_OK). */
  readonly writable: (file: string) => boolean
}

/**
 * The cgroup CodeBox creates its own under. Root uses the mount itself: the hierarchy's root on a
 * host, or a container's namespace root (whose processes the driver first moves into a leaf). Any
 * other uid may only use the cgroup it runs in, and only when that cgroup is delegated to it (owned
 * by its uid, as systemd does for Delegate=yes): its directory, cgroup.procs and
 * cgroup.subtree_control writable. The error says what to run instead.
 */
export const chooseV2Parent = (input: V2ParentInput): { readonly parent: string } | { readonly error: string } => {
  if (input.uid === 0) return { parent: input.mountPoint }
  const own = ownCgroupPath(input.procSelfCgroup)
  if (own === null) return { error: "this process is in no cgroup v2 (no 0:: line in /proc/self/cgroup)" }
  const relative = path.posix.relative(input.mountRoot, own)
  if (relative.startsWith("..")) {
    return { error: `this process's cgroup ${own} is not under the cgroup v2 mount ${input.mountPoint} (which shows ${input.mountRoot})` }
  }
  const dir = path.join(input.mountPoint, relative)
  const needed = [dir, path.join(dir, "cgroup.procs"), path.join(dir, "cgroup.subtree_control")]
  const denied = needed.filter((f) => !input.writable(f))
  if (denied.length === 0) return { parent: dir }
  const mine = `/sys/fs/cgroup/codebox-${input.uid}`
  return {
    error:
      `its cgroup ${dir} is not delegated to uid ${input.uid} (cannot write ${denied.join(", ")}); ` +
      "start it in a delegated cgroup: `systemd-run --user --scope -p Delegate=yes npm start`, " +
      `or have root make one: \`sudo mkdir ${mine} && sudo chown ${input.uid} ${mine} ${mine}/cgroup.procs ${mine}/cgroup.subtree_control ${mine}/cgroup.threads\` ` +
      `and move the shell that starts it there: \`echo $$ | sudo tee ${mine}/cgroup.procs\``
  }
}
