import { createHash, randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { StorageError } from "../domain/Errors.ts"
import { processAlive } from "../internal/processAlive.ts"
import { removeTreeInCleanup } from "../internal/removeTree.ts"

/** The host side of a job: `src/`, `in/` and `out/`, mounted by the sandbox under /box. */
export interface JobDirectory {
  readonly root: string
  readonly src: string
  readonly in: string
  readonly out: string
}

/**
 * Who made a job directory, in its name (`job-<pid>-<host>-<instance>-<random>`), so that what a
 * dead process left can be found at the next start. The pid alone is not enough: workers in
 * containers share one work root on the host and often have the same pid (host tells them apart,
 * as 8 hex digits of a hash that name no host), and a restarted worker often gets its old pid again
 * (instance, random for each process, tells the new one from the old).
 */
export interface JobDirectoryOwner {
  readonly pid: number
  readonly host: string
  readonly instance: string
}

export const thisProcess: JobDirectoryOwner = {
  pid: process.pid,
  host: createHash("sha256").update(os.hostname()).digest("hex").slice(0, 8),
  instance: randomBytes(4).toString("hex")
}

const ownedName = /^job-(\d+)-([0-9a-f]{8})-([0-9a-f]{8})-/

/**
 * Whether a name in the work root is a job directory whose owner is gone. Only this host's are
 * judged (another host's pid means nothing here); a live process's are never leftovers, nor are
 * names that say no owner (left alone rather than guessed at).
 */
export const isLeftover = (name: string, self: JobDirectoryOwner, alive: (pid: number) => boolean = processAlive): boolean => {
  const match = ownedName.exec(name)
  if (match === null || match[2] !== self.host) return false
  const pid = Number(match[1])
  if (pid === self.pid) return match[3] !== self.instance
  return !alive(pid)
}

/**
 * Removes the job directories that dead processes left in `workRoot` (at start: a crash or a kill
 * leaves the sources, inputs and outputs of the jobs it was running). Answers how many went.
 */
export const sweepJobDirectories = (workRoot: string, self: JobDirectoryOwner = thisProcess) =>
  Effect.gen(function* () {
    const names = yield* Effect.promise(() => fs.promises.readdir(workRoot).catch(() => [] as Array<string>))
    const leftovers = names.filter((name) => isLeftover(name, self))
    yield* Effect.forEach(leftovers, (name) => removeTreeInCleanup(path.join(workRoot, name), "leftover job directory"), {
      discard: true
    })
    return leftovers.length
  })

/**
 * A private directory for one job, removed when the scope closes. Directories are traversable but
 * not listable by others, because an unprivileged sandbox must reach its bind-mount sources.
 * Removal never follows links the program made, and copes with any depth (see removeTree).
 */
export const makeJobDirectory = (workRoot: string, owner: JobDirectoryOwner = thisProcess) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        await fs.promises.mkdir(workRoot, { recursive: true, mode: 0o711 })
        await fs.promises.chmod(workRoot, 0o711)
        const root = await fs.promises.mkdtemp(path.join(workRoot, `job-${owner.pid}-${owner.host}-${owner.instance}-`))
        await fs.promises.chmod(root, 0o711)
        const dirs = { root, src: path.join(root, "src"), in: path.join(root, "in"), out: path.join(root, "out") }
        for (const dir of [dirs.src, dirs.in, dirs.out]) await fs.promises.mkdir(dir, { mode: 0o755 })
        return dirs satisfies JobDirectory
      },
      catch: (cause) => new StorageError({ message: `cannot create a job directory under ${workRoot}`, cause })
    }),
    (dir) => removeTreeInCleanup(dir.root, "job directory")
  )
