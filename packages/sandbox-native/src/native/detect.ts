import * as fs from "node:fs"
import * as path from "node:path"
import type { CgroupDriver } from "./Cgroup.ts"
import * as CgroupV1 from "./CgroupV1.ts"
import * as CgroupV2 from "./CgroupV2.ts"
import { chooseV2Parent } from "./delegation.ts"

export interface CgroupMount {
  readonly mountPoint: string
  /** Which cgroup of the hierarchy appears at mountPoint (mountinfo's root field; "/" mostly). */
  readonly root: string
  readonly fsType: "cgroup" | "cgroup2"
  /** v1: the controllers of this hierarchy (from the super options); v2: empty. */
  readonly controllers: ReadonlyArray<string>
}

/** cgroup mounts from /proc/self/mountinfo text. */
export const parseMountinfo = (text: string): Array<CgroupMount> =>
  text.split("\n").flatMap((line) => {
    const [left, right] = line.split(" - ")
    if (left === undefined || right === undefined) return []
    const root = left.split(" ")[3] ?? "/"
    const mountPoint = left.split(" ")[4]
    const [fsType, , superOptions = ""] = right.split(" ")
    if (mountPoint === undefined || (fsType !== "cgroup" && fsType !== "cgroup2")) return []
    // Paths in mountinfo escape spaces and the like as octal.
    const decode = (p: string) => p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))
    const controllers = fsType === "cgroup" ? superOptions.split(",").filter((o) => o !== "rw" && o !== "ro" && !o.includes("=")) : []
    return [{ mountPoint: decode(mountPoint), root: decode(root), fsType, controllers }]
  })

export type CgroupChoice =
  | { readonly version: "v2"; readonly parent: string }
  | { readonly version: "v1"; readonly mounts: CgroupV1.V1Mounts }

export type CgroupPreference = "auto" | "v1" | "v2"

/**
 * Picks the hierarchy to use: a cgroup v2 mount whose controllers include memory and pids (users'
 * hosts), otherwise v1 memory and pids mounts (older hosts, this CI). Fails with what to enable.
 */
export const chooseCgroups = (
  mounts: ReadonlyArray<CgroupMount>,
  controllersOf: (mountPoint: string) => ReadonlyArray<string>,
  preference: CgroupPreference = "auto"
): CgroupChoice | { readonly error: string } => {
  const v2 = mounts.find(
    (m) => m.fsType === "cgroup2" && CgroupV2.requiredControllers.every((c) => controllersOf(m.mountPoint).includes(c))
  )
  const v1Of = (controller: string) => mounts.find((m) => m.fsType === "cgroup" && m.controllers.includes(controller))?.mountPoint
  const memory = v1Of("memory")
  const pids = v1Of("pids")
  if (preference !== "v1" && v2 !== undefined) return { version: "v2", parent: v2.mountPoint }
  if (preference !== "v2" && memory !== undefined && pids !== undefined) {
    return { version: "v1", mounts: { memory, pids, cpuacct: v1Of("cpuacct") ?? null } }
  }
  const seen =
    mounts.length === 0
      ? "no cgroup filesystem is mounted"
      : `found: ${mounts.map((m) => `${m.fsType} at ${m.mountPoint}${m.fsType === "cgroup2" ? ` (controllers: ${controllersOf(m.mountPoint).join(" ") || "none"})` : ` (${m.controllers.join(",")})`}`).join("; ")}`
  const wanted =
    preference === "v1"
      ? "cgroup v1 memory and pids controllers (mount -t cgroup -o memory none /sys/fs/cgroup/memory, same for pids)"
      : preference === "v2"
        ? "a cgroup v2 hierarchy with the memory and pids controllers (boot with systemd.unified_cgroup_hierarchy=1, or in a container run with --cgroupns=host and a writable /sys/fs/cgroup)"
        : "a cgroup v2 hierarchy with the memory and pids controllers (the default on current distributions; in a container run with --cgroupns=host and a writable /sys/fs/cgroup), or the cgroup v1 memory and pids controllers mounted under /sys/fs/cgroup"
  return { error: `NativeSandbox needs ${wanted}; ${seen}` }
}

export const controllersOnHost = (mountPoint: string): ReadonlyArray<string> => {
  try {
    return fs.readFileSync(path.join(mountPoint, "cgroup.controllers"), "utf8").trim().split(/\s+/)
  } catch {
    return []
  }
}

/** The host tools the launcher chain runs, and the Debian package that provides each. */
export const requiredTools = [
  { path: "/usr/bin/bwrap", debian: "bubblewrap" },
  { path: "/usr/bin/setpriv", debian: "util-linux (setpriv)" },
  { path: "/usr/bin/prlimit", debian: "util-linux (prlimit)" },
  { path: "/bin/sh", debian: "dash" }
] as const

const readOr = (file: string, fallback: string) => {
  try {
    return fs.readFileSync(file, "utf8")
  } catch {
    return fallback
  }
}

const writable = (file: string) => {
  try {
    fs.accessSync(file, fs.constants.W_OK)
    return true
  } catch {
    return false
  }
}

/** Everything about the host the sandbox needs, checked at start; each problem says how to fix it. */
export const detectHost = (root: string, preference: CgroupPreference): CgroupDriver => {
  const problems: Array<string> = []
  const uid = process.getuid?.() ?? 0
  const missing = requiredTools.filter((t) => !fs.existsSync(t.path))
  if (missing.length > 0) {
    problems.push(
      `missing ${missing.map((t) => t.path).join(", ")}: apt-get install -y ${[...new Set(missing.map((t) => t.debian.split(" ")[0]))].join(" ")}`
    )
  }
  if (Number(readOr("/proc/sys/user/max_user_namespaces", "1")) === 0) {
    problems.push("user namespaces are disabled: sysctl -w user.max_user_namespaces=15000")
  }
  const mountinfo = readOr("/proc/self/mountinfo", "")
  if (mountinfo === "") problems.push("cannot read /proc/self/mountinfo")
  const mounts = parseMountinfo(mountinfo)
  const choice = chooseCgroups(mounts, controllersOnHost, preference)
  let v2Parent: string | null = null
  if ("error" in choice) problems.push(choice.error)
  else if (choice.version === "v2") {
    const mount = mounts.find((m) => m.fsType === "cgroup2" && m.mountPoint === choice.parent)
    const picked = chooseV2Parent({
      mountPoint: choice.parent,
      mountRoot: mount?.root ?? "/",
      procSelfCgroup: readOr("/proc/self/cgroup", ""),
      uid,
      writable
    })
    if ("error" in picked) problems.push(picked.error)
    else v2Parent = picked.parent
  }
  if (uid !== 0) {
    // A delegated cgroup covers the limits; the rest of the chain still needs root: each job drops
    // to a uid of its own (setpriv) and its files are staged on a tmpfs CodeBox mounts.
    problems.push(
      `it must run as root (uid ${uid} now)${v2Parent !== null ? `: its cgroup ${v2Parent} is delegated, but` : ":"} each job runs as a uid of its own (setpriv) ` +
        "and its files are staged on a tmpfs it mounts; run `sudo npm start`, or use the Docker sandbox (CODEBOX_SANDBOX=docker)"
    )
  }
  if (problems.length > 0 || "error" in choice) throw new Error(`NativeSandbox cannot start: ${problems.join("; ")}`)
  return choice.version === "v2" ? CgroupV2.make(v2Parent ?? choice.parent, root) : CgroupV1.make(choice.mounts, root)
}
