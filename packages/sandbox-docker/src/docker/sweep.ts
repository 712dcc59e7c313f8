import type Docker from "dockerode"
import { Labels } from "./containerSpec.ts"

export interface SweepOwner {
  readonly host: string
  readonly pid: number
  /** When this process started (epoch ms). */
  readonly startedAtMs: number
}

/** What a sweep needs to know about one labelled container. */
export interface LabelledContainer {
  readonly id: string
  readonly labels: Readonly<Record<string, string>>
  /** When Docker created it (epoch ms, whole seconds). */
  readonly createdMs: number
}

/** True when a process with this pid runs on this host (EPERM: it runs, as another user). */
const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"
  }
}

/**
 * Whether a sandbox container is a leftover, seen from a worker that is just starting:
 * - made on this host by this pid before this process started: a previous process with the same
 *   pid left it (a restarted worker container is often pid 1 again);
 * - made on this host by a process that is gone: its worker died mid-run;
 * - past its deadline: every live worker kills its containers at the wall limit, so whoever made
 *   it (on any host sharing the daemon) is gone or stuck.
 * Containers of other live workers on the same daemon are left alone.
 */
export const isLeftover = (
  container: LabelledContainer,
  self: SweepOwner,
  now: number,
  alive: (pid: number) => boolean = processAlive
): boolean => {
  const deadline = Number(container.labels[Labels.deadline])
  if (Number.isFinite(deadline) && deadline < now) return true
  if (container.labels[Labels.host] !== self.host) return false
  const pid = Number(container.labels[Labels.pid])
  if (!Number.isInteger(pid) || pid <= 0) return true
  // Docker's creation time has whole seconds: a second of margin keeps this process's own.
  if (pid === self.pid) return container.createdMs < self.startedAtMs - 1000
  return !alive(pid)
}

/** Removes the leftover sandbox containers this worker can see; returns their ids. */
export const sweepLeftovers = async (docker: Docker, self: SweepOwner, now = Date.now()): Promise<ReadonlyArray<string>> => {
  const listed = await docker.listContainers({ all: true, filters: { label: [Labels.sandbox] } })
  const leftovers = listed
    .map((info) => ({ id: info.Id, labels: info.Labels ?? {}, createdMs: info.Created * 1000 }))
    .filter((container) => isLeftover(container, self, now))
  await Promise.all(
    leftovers.map((container) =>
      docker
        .getContainer(container.id)
        .remove({ force: true, v: true })
        .catch((error: { statusCode?: number }) => {
          // Already gone (another worker's sweep, or its own clean-up) is what we wanted.
          if (error.statusCode !== 404 && error.statusCode !== 409) throw error
        })
    )
  )
  return leftovers.map((container) => container.id)
}
