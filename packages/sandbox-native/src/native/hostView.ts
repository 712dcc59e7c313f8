import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"

const run = promisify(execFile)

/**
 * What bwrap binds from the host (/usr, a few /etc files, a runtime's native paths) is the host's
 * own filesystem, and every bind of it shows that filesystem in the job's /proc/self/mountinfo:
 * its block device (`/dev/vda`), its type and its super options (`ext4 rw,discard,resv_strict,...`).
 * bwrap's `--dev` binds the host's device nodes, which show the host's devtmpfs and its `size=`
 * (half the host's memory). None of that can be renamed on a bind.
 *
 * So the sandbox mounts, on its staging tmpfs, a read-only overlay of each top directory it binds
 * from (/usr, /etc, /opt, and /bin, /lib... where they are not links into /usr), and bwrap binds
 * from those overlays instead of the disk. Their lower layers are named relative to a directory of
 * the staging tmpfs (`view/usr` is a link to /usr, `view/empty` an empty directory: a read-only
 * overlay needs two), so mountinfo shows `overlay overlay ro,lowerdir=usr:empty,redirect_dir=on`
 * and nothing of the disk under it. And it makes a small tmpfs holding the six device nodes
 * bwrap's `--dev` would bind from the host (mknod at set-up): a step's /dev is a tmpfs with these
 * nodes bound in and the usual links (fd, stdin, stdout, stderr), and no devpts (no
 * pseudo-terminals): bwrap 0.8 mounts a devpts only with `--dev`, which binds the host's nodes.
 *
 * The overlays are shared by all jobs, so their dentry cache is warm: a fresh overlay per job
 * costs python's start about 6 ms of lookups, gcc's many more. But an overlay caches what it looked
 * up, so one kept for the server's life would go on showing files the host has since replaced (a
 * package upgrade) and not show new ones. They are renewed: when dpkg's status file changed (a
 * package was installed or upgraded) the next step waits for a new set; when the current one is
 * `refreshMs` old a new set is mounted beside the step that noticed. Steps started after that bind
 * the new set, and a retired set is unmounted a minute later (a running job keeps its binds: an
 * unmount on the host does not reach them).
 */
export interface HostView {
  /** The top directories an overlay covers (paths elsewhere are bound from the disk as before). */
  readonly tops: ReadonlyArray<string>
  /**
   * The set of overlays a step starting now binds from (see ViewSet). Renews them when old: in the
   * background when merely old, before answering when a package changed since they were mounted.
   */
  readonly current: () => Promise<ViewSet>
  /** bwrap's options making /dev: a tmpfs, the device nodes bound from the sandbox's device tmpfs, the links. */
  readonly dev: ReadonlyArray<string>
  /** Sets of overlays mounted so far (for tests). */
  readonly generations: () => number
  /** Stops renewing (the overlays go with the staging tmpfs, which is unmounted with the sandbox). */
  readonly close: () => Promise<void>
}

/** One set of overlays. */
export interface ViewSet {
  readonly id: number
  /**
   * What to bind for a host path: the same file in this set's overlays (links resolved on the host
   * first: bwrap would resolve them against the host's root), or the path itself when no overlay
   * covers it.
   */
  readonly sourceOf: (hostPath: string) => string
}

/** The device nodes bwrap's `--dev` binds from the host's /dev, with their numbers. */
const deviceNodes: ReadonlyArray<readonly [string, number, number]> = [
  ["null", 1, 3],
  ["zero", 1, 5],
  ["full", 1, 7],
  ["random", 1, 8],
  ["urandom", 1, 9],
  ["tty", 5, 0]
]

/** Top directories the sandbox binds from (systemBinds, etcFiles, the runtimes' nativePaths). */
export const candidateTops = ["/usr", "/etc", "/opt", "/bin", "/sbin", "/lib", "/lib64", "/lib32", "/libx32"]

/** Mount points from /proc/self/mountinfo text (octal escapes decoded). */
export const mountPoints = (mountinfo: string): Array<string> =>
  mountinfo.split("\n").flatMap((line) => {
    const point = line.split(" ")[4]
    return point === undefined || !line.includes(" - ")
      ? []
      : [point.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)))]
  })

/**
 * The tops an overlay can stand in for: real directories (not links into /usr) with no mount
 * point below them, since an overlay shows only its lower filesystem, not what is mounted on it.
 */
export const overlayTops = (
  tops: ReadonlyArray<string>,
  points: ReadonlyArray<string>,
  isDirectory: (p: string) => boolean
): Array<string> => tops.filter((top) => isDirectory(top) && !points.some((p) => p.startsWith(`${top}/`)))

/** The overlays of one set, mounted from the view directory (lower layers relative to it). */
export const overlayFstab = (tops: ReadonlyArray<string>, setDir: string): string =>
  tops.map((top) => `overlay ${path.join(setDir, path.basename(top))} overlay ro,lowerdir=${path.basename(top)}:empty 0 0\n`).join("")

/** The path under `setDir` standing for `hostPath` (already resolved), or null when no top covers it. */
export const sourceIn = (tops: ReadonlyArray<string>, setDir: string, hostPath: string): string | null => {
  const top = tops.find((t) => hostPath === t || hostPath.startsWith(`${t}/`))
  return top === undefined ? null : path.join(setDir, path.basename(top), hostPath.slice(top.length))
}

/** bwrap's options for a /dev made of a tmpfs, the nodes of `devDir` and the links bwrap's `--dev` makes. */
export const devOptions = (devDir: string): Array<string> => [
  "--tmpfs",
  "/dev",
  ...deviceNodes.flatMap(([name]) => ["--dev-bind", path.join(devDir, name), `/dev/${name}`]),
  ...[
    ["/proc/self/fd", "/dev/fd"],
    ["/proc/self/fd/0", "/dev/stdin"],
    ["/proc/self/fd/1", "/dev/stdout"],
    ["/proc/self/fd/2", "/dev/stderr"]
  ].flatMap(([target, link]) => ["--symlink", target!, link!])
]

const isRealDirectory = (p: string): boolean => {
  try {
    return fs.lstatSync(p).isDirectory()
  } catch {
    return false
  }
}

const errorText = (e: unknown): string => (e as { stderr?: string }).stderr?.trim() || (e instanceof Error ? e.message : String(e))

/** Changes when a package is installed, upgraded or removed (Debian and its derivatives). */
const packagesStamp = (): number => {
  try {
    return fs.statSync("/var/lib/dpkg/status").mtimeMs
  } catch {
    return 0
  }
}

/** How long a retired set of overlays stays mounted: steps that took it just before still bind it. */
const retireAfterMs = 60_000

export interface HostViewOptions {
  /** Age after which the overlays are renewed (see HostView). Default 30 s. */
  readonly refreshMs?: number
}

/**
 * Prepares the view on the staging tmpfs `staging` (already mounted): the device tmpfs and the
 * first set of overlays. Answers the view, or why it cannot be had here (then the sandbox binds
 * from the disk as before, and says so in its log).
 */
export const prepareHostView = async (staging: string, options: HostViewOptions = {}): Promise<HostView | { readonly problem: string }> => {
  const refreshMs = options.refreshMs ?? 30_000
  const tops = overlayTops(candidateTops, mountPoints(fs.readFileSync("/proc/self/mountinfo", "utf8")), isRealDirectory)
  if (tops.length === 0) return { problem: "no directory the sandbox binds from can be covered by an overlay" }
  const dir = path.join(staging, "view")
  const devDir = path.join(staging, "dev")

  interface OverlaySet extends ViewSet {
    readonly dir: string
    readonly mountedAt: number
    readonly stamp: number
  }
  let sets = 0
  const mountSet = async (): Promise<OverlaySet> => {
    const stamp = packagesStamp()
    const id = ++sets
    const setDir = path.join(staging, `overlays-${id}`)
    for (const top of tops) fs.mkdirSync(path.join(setDir, path.basename(top)), { recursive: true, mode: 0o755 })
    const fstab = `${setDir}.fstab`
    fs.writeFileSync(fstab, overlayFstab(tops, setDir), { mode: 0o600 })
    // One mount(8) for all of them, from the view directory: the lower layers are named relative to it.
    await run("/usr/bin/mount", ["-a", "-T", fstab], { cwd: dir }).catch(async (e: unknown) => {
      // Some may have been mounted: none of this set is used.
      await unmountSet({ id, sourceOf: (p) => p, dir: setDir, mountedAt: 0, stamp })
      throw e
    })
    const resolved = new Map<string, string>()
    const sourceOf = (hostPath: string): string => {
      let source = resolved.get(hostPath)
      if (source === undefined) {
        let real = hostPath
        try {
          real = fs.realpathSync(hostPath)
        } catch {
          // Absent (a --ro-bind-try file): bwrap skips it either way.
        }
        source = sourceIn(tops, setDir, real) ?? hostPath
        resolved.set(hostPath, source)
      }
      return source
    }
    return { id, sourceOf, dir: setDir, mountedAt: Date.now(), stamp }
  }
  const unmountSet = async (set: OverlaySet): Promise<void> => {
    const points = tops.map((top) => path.join(set.dir, path.basename(top)))
    await run("/usr/bin/umount", ["--lazy", ...points]).catch(() => undefined)
    // Only empty mount points are removed (rmdir, never recursive): an overlay still mounted there
    // is left alone, whatever went wrong with its umount.
    for (const dir of [...points, set.dir]) await fs.promises.rmdir(dir).catch(() => undefined)
    await fs.promises.rm(`${set.dir}.fstab`, { force: true }).catch(() => undefined)
  }

  let current: OverlaySet
  try {
    fs.mkdirSync(path.join(dir, "empty"), { recursive: true, mode: 0o755 })
    fs.chmodSync(dir, 0o755)
    for (const top of tops) fs.symlinkSync(top, path.join(dir, path.basename(top)))
    fs.mkdirSync(devDir, { mode: 0o755 })
    // Not nodev (its device nodes must work), nosuid; 16 inodes and 4 KiB: nothing else fits.
    await run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=4k,nr_inodes=16,mode=755,nosuid", "tmpfs", devDir])
    for (const [name, major, minor] of deviceNodes) {
      await run("/usr/bin/mknod", ["-m", "666", path.join(devDir, name), "c", String(major), String(minor)])
    }
    current = await mountSet()
  } catch (e) {
    return { problem: errorText(e) }
  }

  let renewing: Promise<void> | null = null
  let closed = false
  let retryAt = 0
  const timers = new Set<NodeJS.Timeout>()
  const renew = (): Promise<void> => {
    renewing ??= mountSet().then(
      (next) => {
        renewing = null
        if (closed) return void unmountSet(next)
        const retired = current
        current = next
        const timer = setTimeout(() => {
          timers.delete(timer)
          void unmountSet(retired)
        }, retireAfterMs)
        timer.unref()
        timers.add(timer)
      },
      // Kept: the current set still works; tried again a while later.
      () => {
        renewing = null
        retryAt = Date.now() + refreshMs
      }
    )
    return renewing
  }
  return {
    tops,
    current: async () => {
      const now = Date.now()
      if (!closed && now >= retryAt) {
        // A package changed: this step waits for a new set (a mount, a few ms), so no step after a
        // dpkg run sees the old files. Merely old: renewed beside this step, which takes the current set.
        if (packagesStamp() !== current.stamp) await renew()
        else if (now - current.mountedAt >= refreshMs) void renew()
      }
      return current
    },
    dev: devOptions(devDir),
    generations: () => sets,
    close: async () => {
      closed = true
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
    }
  }
}
