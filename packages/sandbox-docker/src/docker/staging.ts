import * as fs from "node:fs"
import * as path from "node:path"
import { Effect } from "effect"
import { type Mount, SandboxError } from "@codebox/core"
import {
  type CopiedBack,
  hidePaths,
  type JobAreaPool,
  makeJobAreaPool,
  mountStagingArea,
  stageStep,
  unmountStagingArea
} from "@codebox/sandbox-native/staging"

/**
 * Writable mounts bound straight from the host disk would let a program fill that disk, one
 * allowed-size file after another. When this process may mount (root on the Docker host), each
 * step's mounts are staged instead on a tmpfs of the step's own, sized for its inputs and its
 * writable mounts' budgets, the same way the native sandbox does: contents copied in before the
 * step, results copied back after it, never through a link; a step that fills its area fills no
 * neighbour's. Where it may not (a worker in a container), the job directories themselves must
 * sit on a size-limited filesystem (see docs/docker.md).
 */
export interface StagingArea {
  /** The shared directory (a small tmpfs) holding the steps' areas' mount points. */
  readonly dir: string
  /** An empty file nobody may read, bound over files Docker would otherwise fill with host facts. */
  readonly unreadable: string
  /** A copy of Docker's init, run as the containers' pid 1 (null: none found, Docker's own is used). */
  readonly init: string | null
  readonly areas: JobAreaPool
}

/** Where Docker's packages put its init (tini, static), the daemon's `docker-init`. */
const initCandidates = ["/usr/libexec/docker/docker-init", "/usr/local/bin/docker-init", "/usr/bin/docker-init", "/usr/sbin/docker-init"]

/**
 * Copies Docker's init onto the staging tmpfs: Docker's `Init: true` binds it from the host's
 * disk, and that bind shows the disk in every container's mountinfo; the copy shows only the tmpfs.
 */
const copyInit = (dir: string): string | null => {
  const found = initCandidates.find((p) => fs.existsSync(p) && fs.statSync(p).isFile())
  if (found === undefined) return null
  const init = path.join(dir, "docker-init")
  fs.copyFileSync(found, init)
  fs.chmodSync(init, 0o755)
  return init
}

const fail = (what: string) => (cause: unknown) =>
  new SandboxError({ message: `docker: ${what}: ${hidePaths(cause instanceof Error ? cause.message : String(cause))}`, cause })

/** Mounts the shared staging tmpfs for the sandbox's lifetime, or null (with the reason logged) when it cannot. */
export const acquireStagingArea = (stateDir: string, sizeMb: number) =>
  Effect.acquireRelease(
    Effect.tryPromise({ try: () => mountStagingArea(stateDir, sizeMb), catch: (cause) => cause }).pipe(
      Effect.map((dir): StagingArea => {
        const unreadable = path.join(dir, "unreadable")
        fs.writeFileSync(unreadable, "", { mode: 0 })
        fs.chmodSync(unreadable, 0)
        return { dir, unreadable, init: copyInit(dir), areas: makeJobAreaPool(dir) }
      }),
      Effect.catch((cause) =>
        Effect.logWarning(
          `docker sandbox: writable mounts are bound from the host disk (no staging tmpfs: ${String(cause)}); ` +
            "put the job directories on a size-limited filesystem"
        ).pipe(Effect.as(null))
      )
    ),
    (area) => (area === null ? Effect.void : Effect.promise(() => area.areas.close().then(() => unmountStagingArea(area.dir))))
  )

/**
 * Stages a step's mounts: returns the mounts to bind (staged copies in place of the host
 * directories; read-only ones too, so no host path shows in the container's mountinfo) and an
 * effect that copies the results back. The step's area is emptied and released when the scope
 * closes, whatever happened.
 */
export const stageMounts = Effect.fnUntraced(function* (
  area: StagingArea,
  mounts: ReadonlyArray<Mount>,
  owner: { readonly uid: number; readonly gid: number }
) {
  const staged = yield* stageStep(area.areas, mounts, owner, fail)
  const copyBack: Effect.Effect<CopiedBack, SandboxError> = staged.copyBack
  return { mounts: mounts.map((mount, i): Mount => ({ ...mount, hostPath: staged.dirs[i]! })), copyBack }
})
