import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { promisify } from "node:util"
import { removeTree } from "@codebox/core"
import { randomName } from "./staging.ts"

const run = promisify(execFile)

const MiB = 1024 * 1024
/** Room beyond what a step may bring back: directory entries, and the last write that fails. */
const slackBytes = MiB
/**
 * Files and directories one area holds. copyTree brings back at most 10,000 entries; the rest is
 * room for the deep trees the hostile suite makes (22,000 levels) without letting a job make
 * millions of empty files, whose inodes are kernel memory.
 */
const areaInodes = 65_536
/** Below this much free space (or with no inode left), the step filled its area. */
const filledBelowBytes = 512 * 1024
/** Idle areas kept mounted per size, so most steps pay no mount and no umount. */
const keepIdlePerSize = 2

/**
 * One step's staging area: a tmpfs of its own, mounted under the sandbox's shared staging
 * directory. Its size bounds what the step's mounts can hold (inputs, plus what each writable
 * mount may bring back), so a step that fills it fills only its own: its neighbours' areas and the
 * shared directory (passwd, group) keep their room. The kernel charges every page a program writes
 * here to the step's memory cgroup, as before.
 */
export interface JobArea {
  readonly dir: string
  readonly sizeMb: number
}

/** What a step's area must hold: the apparent size of what is copied in, plus each writable mount's budget. */
export const areaSizeMb = (inputBytes: number, writableBudgets: ReadonlyArray<number>): number =>
  Math.ceil((inputBytes + writableBudgets.reduce((a, b) => a + b, 0) + slackBytes) / MiB)

/**
 * Mounting and unmounting cost an exec of mount(8) each (about 20 ms on a loaded 2-core machine,
 * against a 22 ms sandboxed hello world), so an emptied area is kept for the next step that needs
 * the same size. An area is only reused once everything of the step in it is removed; if that
 * fails, the area is unmounted instead.
 */
export interface JobAreaPool {
  acquire(sizeMb: number): Promise<JobArea>
  /** True when the step left its area (nearly) without free space or inodes. */
  filled(area: JobArea): Promise<boolean>
  /** Empties the area and keeps it for a later step of the same size, or unmounts it. */
  release(area: JobArea): Promise<void>
  /** Unmounts every idle area (areas still in use are unmounted by their release). */
  close(): Promise<void>
  /** Mounts made so far, for tests and the bench. */
  readonly mounts: () => number
}

export const makeJobAreaPool = (parent: string): JobAreaPool => {
  const idle = new Map<number, Array<JobArea>>()
  let mounts = 0
  let closed = false

  const mount = async (sizeMb: number): Promise<JobArea> => {
    // Random: the area's name shows in the job's mountinfo as the root of its mounts.
    const dir = path.join(parent, `area-${randomName()}`)
    await fs.promises.mkdir(dir, { mode: 0o711 })
    try {
      const options = `size=${sizeMb}m,nr_inodes=${areaInodes},mode=0711,nosuid,nodev`
      await run("/usr/bin/mount", ["-t", "tmpfs", "-o", options, "codebox-staging", dir])
    } catch (e) {
      await fs.promises.rmdir(dir).catch(() => undefined)
      throw new Error(`cannot mount a staging area (${(e as { stderr?: string }).stderr?.trim() ?? String(e)})`)
    }
    mounts++
    return { dir, sizeMb }
  }

  const unmount = async (area: JobArea): Promise<void> => {
    await run("/usr/bin/umount", ["--lazy", area.dir]).catch(() => undefined)
    // Only an empty mount point is removed: never the contents of an area that stayed mounted.
    await fs.promises.rmdir(area.dir).catch(() => undefined)
  }

  const empty = async (dir: string): Promise<void> => {
    for (const entry of await fs.promises.readdir(dir, { withFileTypes: true })) {
      const entryPath = path.join(dir, entry.name)
      if (entry.isDirectory()) await removeTree(entryPath)
      else await fs.promises.unlink(entryPath)
    }
  }

  return {
    acquire: async (sizeMb) => idle.get(sizeMb)?.pop() ?? (await mount(sizeMb)),
    filled: async (area) => {
      const stat = await fs.promises.statfs(area.dir)
      return stat.ffree === 0 || stat.bavail * stat.bsize < filledBelowBytes
    },
    release: async (area) => {
      const kept = idle.get(area.sizeMb) ?? []
      if (!closed && kept.length < keepIdlePerSize) {
        const emptied = await empty(area.dir).then(
          () => true,
          () => false
        )
        if (emptied && !closed) {
          kept.push(area)
          idle.set(area.sizeMb, kept)
          return
        }
      }
      await unmount(area)
    },
    close: async () => {
      closed = true
      const areas = [...idle.values()].flat()
      idle.clear()
      for (const area of areas) await unmount(area)
    },
    mounts: () => mounts
  }
}

/** Apparent size of the regular files under `dir` (the host side of a mount, made by CodeBox). */
export const apparentBytes = async (dir: string): Promise<number> => {
  let bytes = 0
  const pending = [dir]
  while (pending.length > 0) {
    const current = pending.pop()!
    for (const entry of await fs.promises.readdir(current, { withFileTypes: true })) {
      const entryPath = path.join(current, entry.name)
      if (entry.isDirectory()) pending.push(entryPath)
      else if (entry.isFile()) bytes += (await fs.promises.lstat(entryPath)).size
    }
  }
  return bytes
}
