import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { StorageError } from "../domain/Errors.ts"
import { removeTreeInCleanup } from "../internal/removeTree.ts"

/** The host side of a job: `src/`, `in/` and `out/`, mounted by the sandbox under /box. */
export interface JobDirectory {
  readonly root: string
  readonly src: string
  readonly in: string
  readonly out: string
}

/**
 * A private directory for one job, removed when the scope closes. Directories are traversable but
 * not listable by others, because an unprivileged sandbox must reach its bind-mount sources.
 * Removal never follows links the program made, and copes with any depth (see removeTree).
 */
export const makeJobDirectory = (workRoot: string) =>
  Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        await fs.promises.mkdir(workRoot, { recursive: true, mode: 0o711 })
        await fs.promises.chmod(workRoot, 0o711)
        const root = await fs.promises.mkdtemp(path.join(workRoot, "job-"))
        await fs.promises.chmod(root, 0o711)
        const dirs = { root, src: path.join(root, "src"), in: path.join(root, "in"), out: path.join(root, "out") }
        for (const dir of [dirs.src, dirs.in, dirs.out]) await fs.promises.mkdir(dir, { mode: 0o755 })
        return dirs satisfies JobDirectory
      },
      catch: (cause) => new StorageError({ message: `cannot create a job directory under ${workRoot}`, cause })
    }),
    (dir) => removeTreeInCleanup(dir.root, "job directory")
  )
