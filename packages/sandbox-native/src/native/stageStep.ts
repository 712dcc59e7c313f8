import { Effect } from "effect"
import type { Mount, SandboxError } from "@codebox/core"
import { apparentBytes, areaSizeMb, type JobAreaPool } from "./jobAreas.ts"
import { copyTree, defaultMaxCopyBytes, makeStagingDir, randomName } from "./staging.ts"

const rootOwner = { uid: 0, gid: 0 }

/** What came back from a step's writable mounts. */
export interface CopiedBack {
  /** Files left out because they did not fit the mount's byte budget (by apparent size). */
  readonly leftOut: number
  /** The step used up its staging area (space or inodes): what it wrote is over its output cap. */
  readonly filled: boolean
}

/**
 * Stages a step's mounts in a staging area of its own (see jobAreas.ts), sized for what is copied
 * in plus each writable mount's budget: the staged directories to bind in place of the host ones,
 * and an effect that copies the writable ones back (run it only once every process of the step is
 * gone). The area is emptied and handed back to the pool when the scope closes, whatever happened.
 */
export const stageStep = Effect.fnUntraced(function* (
  pool: JobAreaPool,
  mounts: ReadonlyArray<Mount>,
  owner: { readonly uid: number; readonly gid: number },
  fail: (what: string) => (cause: unknown) => SandboxError
) {
  if (mounts.length === 0) return { dirs: [] as ReadonlyArray<string>, copyBack: Effect.succeed<CopiedBack>({ leftOut: 0, filled: false }) }
  const budgets = mounts.filter((m) => m.writable).map((m) => m.maxCopyBytes ?? defaultMaxCopyBytes)
  const area = yield* Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        let inputBytes = 0
        for (const mount of mounts) inputBytes += await apparentBytes(mount.hostPath)
        return pool.acquire(areaSizeMb(inputBytes, budgets))
      },
      catch: fail("cannot prepare the staging area")
    }),
    (area) =>
      Effect.tryPromise(() => pool.release(area)).pipe(
        Effect.catch((e) => Effect.logError(`staging area: could not release ${area.dir}: ${String(e.cause)}`))
      )
  )
  const dirs = yield* Effect.tryPromise({
    try: async () => {
      const dirs: Array<string> = []
      for (const mount of mounts) {
        // Random: these names show in the job's mountinfo, and must not tell the host pid or job count.
        const dir = makeStagingDir(area.dir, randomName(), mount.writable ? owner : rootOwner)
        dirs.push(dir)
        await copyTree(mount.hostPath, dir, mount.writable ? owner : null)
      }
      return dirs
    },
    catch: fail("cannot stage the mounts")
  })
  const copyBack = Effect.tryPromise({
    try: async (): Promise<CopiedBack> => {
      const filled = await pool.filled(area)
      let leftOut = 0
      for (const [i, mount] of mounts.entries()) {
        if (!mount.writable) continue
        const budget = { maxBytes: mount.maxCopyBytes ?? defaultMaxCopyBytes }
        leftOut += (await copyTree(dirs[i]!, mount.hostPath, null, budget)).leftOut
      }
      return { leftOut, filled }
    },
    catch: fail("cannot copy the step's files back")
  })
  return { dirs: dirs as ReadonlyArray<string>, copyBack }
})
