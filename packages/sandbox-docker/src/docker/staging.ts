import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { type Mount, removeTreeInCleanup, SandboxError } from "@codebox/core"
import {
  copyTree,
  defaultMaxCopyBytes,
  hidePaths,
  makeStagingDir,
  mountStagingArea,
  randomName,
  unmountStagingArea
} from "@codebox/sandbox-native/staging"

/**
 * Writable mounts bound straight from the host disk would let a program fill that disk, one
 * allowed-size file after another. When this process may mount (root on the Docker host), each
 * writable mount is staged instead on one tmpfs of `sizeMb` (the bound for all running steps
 * together), the same way the native sandbox does: contents copied in before the step, results
 * copied back after it, never through a link. Where it may not (a worker in a container), the
 * job directories themselves must sit on a size-limited filesystem (see docs/docker.md).
 */
export interface StagingArea {
  readonly dir: string
  /** An empty file nobody may read, bound over files Docker would otherwise fill with host facts. */
  readonly unreadable: string
}

const root = { uid: 0, gid: 0 }

const fail = (what: string) => (cause: unknown) =>
  new SandboxError({ message: `docker: ${what}: ${hidePaths(cause instanceof Error ? cause.message : String(cause))}`, cause })

/** Mounts the staging tmpfs for the sandbox's lifetime, or null (with the reason logged) when it cannot. */
export const acquireStagingArea = (stateDir: string, sizeMb: number) =>
  Effect.acquireRelease(
    Effect.tryPromise({ try: () => mountStagingArea(stateDir, sizeMb), catch: (cause) => cause }).pipe(
      Effect.map((dir): StagingArea => {
        const unreadable = path.join(dir, "unreadable")
        fs.writeFileSync(unreadable, "", { mode: 0 })
        fs.chmodSync(unreadable, 0)
        return { dir, unreadable }
      }),
      Effect.catch((cause) =>
        Effect.logWarning(
          `docker sandbox: writable mounts are bound from the host disk (no staging tmpfs: ${String(cause)}); ` +
            "put the job directories on a size-limited filesystem"
        ).pipe(Effect.as(null))
      )
    ),
    (area) => (area === null ? Effect.void : Effect.promise(() => unmountStagingArea(area.dir)))
  )

/**
 * Stages a step's mounts: returns the mounts to bind (staged copies in place of the host
 * directories; read-only ones too, so no host path shows in the container's mountinfo) and an effect that copies the results back. The staged directories are removed when
 * the scope closes, whatever happened.
 */
export const stageMounts = Effect.fnUntraced(function* (
  area: StagingArea,
  mounts: ReadonlyArray<Mount>,
  owner: { readonly uid: number; readonly gid: number }
) {
  // Random: the name shows in the container's mountinfo, and must not tell the worker's pid or its job count.
  const step = randomName()
  const staged = yield* Effect.acquireRelease(
    Effect.tryPromise({
      try: async () => {
        const list: Array<Mount> = []
        for (const [i, mount] of mounts.entries()) {
          const dir = makeStagingDir(area.dir, `${step}-${i}`, mount.writable ? owner : root)
          list.push({ ...mount, hostPath: dir })
          await copyTree(mount.hostPath, dir, mount.writable ? owner : null)
        }
        return list
      },
      catch: fail("cannot stage the mounts")
    }),
    (list) => Effect.forEach(list, (mount) => removeTreeInCleanup(mount.hostPath, "docker sandbox staging"), { discard: true })
  )
  /** Copies the writable mounts back; answers how many files were too big to (see copyTree). */
  const copyBack = Effect.tryPromise({
    try: async () => {
      let leftOut = 0
      for (const [i, mount] of staged.entries()) {
        if (mount.writable) {
          leftOut += (await copyTree(mount.hostPath, mounts[i]!.hostPath, null, { maxBytes: mount.maxCopyBytes ?? defaultMaxCopyBytes }))
            .leftOut
        }
      }
      return leftOut
    },
    catch: fail("cannot copy the results of the writable mounts back")
  })
  return { mounts: staged, copyBack }
})
