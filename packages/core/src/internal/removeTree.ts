import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Schedule } from "effect"

/**
 * Removes a directory tree that a program may have shaped to hurt its remover: 22,000 levels deep
 * (a recursive remove opens a descriptor per level and fails with EMFILE, and the paths pass
 * PATH_MAX), or very wide. Iterative and at constant depth: each subdirectory is first renamed to
 * the top of the tree, so every path stays two components long and at most one directory is open at
 * a time. Every step is an asynchronous call, so the event loop keeps running between them. Links
 * are removed, never followed. A missing `dir` is not an error.
 */
export const removeTree = async (dir: string): Promise<void> => {
  if (!(await exists(dir))) return
  const tag = `.codebox-rm-${randomBytes(6).toString("hex")}`
  let hoisted = 0
  const pending: Array<string> = [dir]
  while (pending.length > 0) {
    const current = pending.pop()!
    const subdirs: Array<string> = []
    for (const entry of await fs.promises.readdir(current, { withFileTypes: true })) {
      const entryPath = path.join(current, entry.name)
      if (entry.isDirectory()) subdirs.push(entryPath)
      else await fs.promises.unlink(entryPath)
    }
    for (const subdir of subdirs) {
      const top = path.join(dir, `${tag}-${hoisted++}`)
      await fs.promises.rename(subdir, top)
      pending.push(top)
    }
    // A hoisted directory is empty now: its files are gone and its subdirectories moved up.
    if (current !== dir) await fs.promises.rmdir(current)
  }
  await fs.promises.rmdir(dir)
}

const exists = (file: string) =>
  fs.promises.lstat(file).then(
    () => true,
    () => false
  )

/**
 * removeTree for a cleanup: retried a few times (a process of the job may still be going away),
 * then logged. Never fails: a job's result does not depend on removing its scratch space, and a
 * cleanup failure must never turn into running the job again.
 */
export const removeTreeInCleanup = (dir: string, what: string) =>
  Effect.tryPromise(() => removeTree(dir)).pipe(
    Effect.retry({ schedule: Schedule.exponential("50 millis"), times: 4 }),
    Effect.catch((e) => Effect.logError(`${what}: could not remove ${dir}: ${String(e.cause)}`))
  )
