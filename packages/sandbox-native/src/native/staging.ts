import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"
import { processAlive, removeTree } from "@codebox/core"

const run = promisify(execFile)

/**
 * Mounts are not bound straight from the host disk: through a writable one a program could fill the
 * disk with files of the allowed size, one after another, and any bind would name its host path in
 * /proc/self/mountinfo. Instead each mount is a directory on one tmpfs owned by the sandbox (its
 * size caps what all jobs together can hold, and the kernel charges each page a program writes to
 * its memory cgroup, so one job holds at most its memory limit). The host directory's contents are
 * copied in before the step and a writable mount's results copied back after it, as root, never
 * following a link the program made.
 */
export const mountStagingArea = async (parent: string, sizeMb: number): Promise<string> => {
  fs.mkdirSync(parent, { recursive: true, mode: 0o711 })
  await sweepStagingAreas(parent)
  // A random name: it shows in a job's /proc/self/mountinfo only as the tmpfs's source, but the
  // area's path must not carry this process's pid either. Who owns it is in a side file.
  const dir = path.join(parent, `staging-${randomName()}`)
  fs.mkdirSync(dir, { mode: 0o711 })
  fs.writeFileSync(`${dir}${ownerSuffix}`, String(process.pid), { mode: 0o600 })
  try {
    await run("/usr/bin/mount", ["-t", "tmpfs", "-o", `size=${sizeMb}m,mode=0711,nosuid,nodev`, "codebox-staging", dir])
  } catch (e) {
    fs.rmdirSync(dir)
    fs.rmSync(`${dir}${ownerSuffix}`, { force: true })
    throw new Error(`cannot mount the staging tmpfs (${(e as { stderr?: string }).stderr?.trim() ?? String(e)})`)
  }
  return dir
}

/** Beside each staging area, a file holding the pid of the process that owns it. */
const ownerSuffix = ".owner"

/** 16 random hex digits: names that say nothing about the host, the process or the job count. */
export const randomName = (): string => randomBytes(8).toString("hex")

/** Unmounts the staging areas of CodeBox processes that died without cleaning up. */
const sweepStagingAreas = async (parent: string): Promise<void> => {
  for (const name of fs.readdirSync(parent)) {
    if (!name.endsWith(ownerSuffix)) continue
    const owner = Number(fs.readFileSync(path.join(parent, name), "utf8").trim())
    if (Number.isInteger(owner) && owner > 0 && !processAlive(owner)) {
      await unmountStagingArea(path.join(parent, name.slice(0, -ownerSuffix.length)))
    }
  }
}

export const unmountStagingArea = async (dir: string): Promise<void> => {
  await run("/usr/bin/umount", ["--lazy", dir]).catch(() => undefined)
  fs.rmSync(dir, { recursive: true, force: true })
  fs.rmSync(`${dir}${ownerSuffix}`, { force: true })
}

/** Deepest directory nesting copied; deeper trees are a program playing games. */
const maxDepth = 16
/** Most entries (files and directories) copied from one mount. */
const maxEntries = 10_000
/** What a copy writes at most unless the mount says (Mount.maxCopyBytes). */
export const defaultMaxCopyBytes = 64 * 1024 * 1024

export interface CopyLimits {
  /** Most bytes written, by apparent size: a sparse file counts in full, as its copy would be. */
  readonly maxBytes: number
}

/**
 * Copies regular files and directories from `from` to `to`, skipping links, devices and fifos.
 * `owner` (uid/gid) is given to everything copied in; copies out stay root's. An existing link at a
 * destination name is removed, never written through. Iterative (no stack frame or descriptor per
 * level) and asynchronous (the event loop runs between steps); at most `maxDepth` levels and
 * `maxEntries` entries, and with `limits`, files are copied in name order while their apparent
 * sizes fit in `maxBytes` (one that does not fit is left out, smaller ones after it still go).
 * Answers how many files were left out for the byte budget (the step's verdict becomes output_limit).
 */
export const copyTree = async (
  from: string,
  to: string,
  owner: { uid: number; gid: number } | null,
  limits: CopyLimits | null = null
): Promise<{ readonly leftOut: number }> => {
  let leftOut = 0
  let entries = 0
  let bytes = 0
  const pending: Array<{ readonly from: string; readonly to: string; readonly depth: number }> = [{ from, to, depth: 0 }]
  while (pending.length > 0) {
    const dir = pending.shift()!
    const listed = (await fs.promises.readdir(dir.from, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))
    for (const entry of listed) {
      if (entries >= maxEntries) return { leftOut }
      const source = path.join(dir.from, entry.name)
      const target = path.join(dir.to, entry.name)
      if (entry.isDirectory()) {
        if (dir.depth >= maxDepth) continue
        entries++
        const existing = await lstatOrNull(target)
        if (existing !== null && !existing.isDirectory()) await fs.promises.rm(target, { force: true })
        if (existing === null || !existing.isDirectory()) await fs.promises.mkdir(target, { mode: 0o755 })
        if (owner !== null) await fs.promises.lchown(target, owner.uid, owner.gid)
        pending.push({ from: source, to: target, depth: dir.depth + 1 })
      } else if (entry.isFile()) {
        const stat = await fs.promises.lstat(source)
        if (!stat.isFile()) continue
        if (limits !== null && bytes + stat.size > limits.maxBytes) {
          leftOut++
          continue
        }
        entries++
        bytes += stat.size
        const existing = await lstatOrNull(target)
        if (existing !== null && !existing.isFile()) await removeTree(target)
        else if (existing !== null) await fs.promises.unlink(target)
        await fs.promises.copyFile(source, target)
        // Only permission bits travel: no set-uid, set-gid or sticky bit comes back from a program.
        await fs.promises.chmod(target, stat.mode & 0o777)
        if (owner !== null) await fs.promises.lchown(target, owner.uid, owner.gid)
      }
    }
  }
  return { leftOut }
}

const lstatOrNull = (file: string): Promise<fs.Stats | null> => fs.promises.lstat(file).catch(() => null)

/** A fresh directory for one mount, owned by the job's uid (writable) or root (read-only). */
export const makeStagingDir = (area: string, name: string, owner: { uid: number; gid: number }): string => {
  const dir = path.join(area, name)
  fs.mkdirSync(dir, { mode: owner.uid === 0 ? 0o755 : 0o700 })
  fs.chownSync(dir, owner.uid, owner.gid)
  return dir
}
