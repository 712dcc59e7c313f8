import { execFile } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"
import { processAlive } from "@codebox/core"

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

/** Deepest directory nesting copied back; deeper trees are a program playing games. */
const maxDepth = 16

/**
 * Copies regular files and directories from `from` to `to`, skipping links, devices and fifos.
 * `owner` (uid/gid) is given to everything copied in; copies out stay root's. An existing link at a
 * destination name is removed, never written through.
 */
export const copyTree = (from: string, to: string, owner: { uid: number; gid: number } | null, depth = 0): void => {
  if (depth > maxDepth) return
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name)
    const target = path.join(to, entry.name)
    const existing = lstatOrNull(target)
    if (entry.isDirectory()) {
      if (existing !== null && !existing.isDirectory()) fs.rmSync(target, { force: true })
      if (existing === null || !existing.isDirectory()) fs.mkdirSync(target, { mode: 0o755 })
      if (owner !== null) fs.lchownSync(target, owner.uid, owner.gid)
      copyTree(source, target, owner, depth + 1)
    } else if (entry.isFile()) {
      if (existing !== null && !existing.isFile()) fs.rmSync(target, { recursive: true, force: true })
      else if (existing !== null) fs.unlinkSync(target)
      fs.copyFileSync(source, target)
      // Only permission bits travel: no set-uid, set-gid or sticky bit comes back from a program.
      fs.chmodSync(target, fs.lstatSync(source).mode & 0o777)
      if (owner !== null) fs.lchownSync(target, owner.uid, owner.gid)
    }
  }
}

const lstatOrNull = (file: string): fs.Stats | null => {
  try {
    return fs.lstatSync(file)
  } catch {
    return null
  }
}

/** A fresh directory for one mount, owned by the job's uid (writable) or root (read-only). */
export const makeStagingDir = (area: string, name: string, owner: { uid: number; gid: number }): string => {
  const dir = path.join(area, name)
  fs.mkdirSync(dir, { mode: owner.uid === 0 ? 0o755 : 0o700 })
  fs.chownSync(dir, owner.uid, owner.gid)
  return dir
}
