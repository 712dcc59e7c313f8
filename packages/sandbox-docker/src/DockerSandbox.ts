import * as fs from "node:fs"
import * as os from "node:os"
import Docker from "dockerode"
import { Effect, Layer } from "effect"
import { SandboxError, type Mount, Sandbox, type SandboxOutcome, type SandboxStep } from "@codebox/core"
import { type ContainerSettings, containerSpec, Labels, parseUser, pathMapper } from "./docker/containerSpec.ts"
import { elapsedMs, exitStatusOf, type StopReason } from "./docker/exitStatus.ts"
import { OutputCapture } from "./docker/OutputCapture.ts"
import { type CgroupHost, cgroupHost, makeStepCgroup, sweepStepCgroups } from "./docker/containerCgroup.ts"
import { acquireStagingArea, stageMounts } from "./docker/staging.ts"
import { sweepLeftovers } from "./docker/sweep.ts"
import { dockerSeccompProfile } from "@codebox/sandbox-native/seccomp"
import { parseMountinfo } from "@codebox/sandbox-native/cgroup"
import { hidePaths } from "@codebox/sandbox-native/staging"

export interface DockerSandboxOptions {
  /** How to reach the daemon (default: DOCKER_HOST, else /var/run/docker.sock). */
  readonly docker?: Docker.DockerOptions
  /**
   * `uid:gid` user code runs as, never root. Default: 1000:1000 when this process is root (it
   * chowns each writable mount to that user), else this process's own uid:gid, whose mounts
   * are already writable to it.
   */
  readonly user?: string
  /** CPUs a container may use (default 1, as the original service). */
  readonly cpus?: number
  /**
   * Where the Docker host sees the job directories when this process sees them elsewhere, e.g. a
   * worker in a container: `{ from: "/jobs", to: "/var/lib/codebox/jobs" }`. Not needed when the
   * host directory is mounted at the same path in the worker (what docker-compose.yml does).
   */
  readonly hostPaths?: { readonly from: string; readonly to: string }
  /** Remove leftover sandbox containers of dead workers when the layer starts (default true). */
  readonly sweepAtStart?: boolean
  /**
   * Size of the shared staging tmpfs, default 16: it holds the mount points of each step's own
   * staging area (sized from the step's mounts and their budgets). 0 binds mounts straight from
   * the host. Needs root on the Docker host.
   */
  readonly stagingMb?: number
  /** Where the staging tmpfs is mounted (default /run/codebox-docker). */
  readonly stateDir?: string
  /**
   * The seccomp profile (a Docker profile's JSON file) every container runs under. Default: the
   * one generated from the native sandbox's policy, packages/sandbox-native/seccomp/docker-seccomp.json.
   */
  readonly seccompProfile?: string
}

/** How long a stopped container may take to report its exit and flush its output. */
const exitGraceMs = 10_000
const drainGraceMs = 2_000
/** How often the container's cgroup is read for its cpu time, as the native sandbox's watchdog. */
const cpuPollMs = 50

/** The Docker host's cgroups, when this process can read them (see docker/containerCgroup.ts). */
const detectCgroups = (docker: Docker): Effect.Effect<CgroupHost | null> =>
  Effect.tryPromise(async () => {
    const info = (await docker.info()) as { CgroupDriver?: string }
    return cgroupHost(info.CgroupDriver, parseMountinfo(await fs.promises.readFile("/proc/self/mountinfo", "utf8")))
  }).pipe(Effect.orElseSucceed(() => null))

interface DockerError {
  readonly statusCode?: number
  readonly message?: string
}

/** A task's error text reaches whoever submitted it: it names no host path (the cause keeps them). */
const sandboxError = (what: string) => (cause: unknown) =>
  new SandboxError({ message: `docker: ${what}: ${hidePaths((cause as DockerError).message ?? String(cause))}`, cause })

const defaultUser = (): string => {
  const uid = process.getuid?.() ?? 0
  const gid = process.getgid?.() ?? 0
  return uid === 0 ? "1000:1000" : `${uid}:${gid}`
}

/**
 * Makes the writable mounts writable for the container's user. Root hands the directory itself
 * (never its contents, never through a link) to that user; a non-root worker running containers
 * as another uid can only open the directory up, which its 0711 parent keeps unlistable.
 */
const prepareWritableMounts = (mounts: ReadonlyArray<Mount>, user: { uid: number; gid: number }) =>
  Effect.tryPromise({
    try: async () => {
      const self = process.getuid?.() ?? 0
      for (const mount of mounts) {
        if (!mount.writable) continue
        if (self === 0) await fs.promises.lchown(mount.hostPath, user.uid, user.gid)
        else if (self !== user.uid) await fs.promises.chmod(mount.hostPath, 0o777)
      }
    },
    catch: sandboxError("cannot make the writable mounts writable for the sandbox user")
  })

/** Builds the Docker sandbox; fails when the daemon does not answer. */
export const make = Effect.fn("DockerSandbox.make")(function* (options: DockerSandboxOptions = {}) {
  const docker = new Docker(options.docker)
  const user = options.user ?? defaultUser()
  const userIds = yield* Effect.try({ try: () => parseUser(user), catch: sandboxError("invalid sandbox user") })
  const seccompFile = options.seccompProfile ?? dockerSeccompProfile
  const seccompProfile = yield* Effect.try({
    try: () => {
      const text = fs.readFileSync(seccompFile, "utf8")
      const profile = JSON.parse(text) as { defaultAction?: unknown; syscalls?: unknown }
      if (typeof profile.defaultAction !== "string" || !Array.isArray(profile.syscalls)) throw new Error("not a Docker seccomp profile")
      // One line: Docker reads the option's value as is, and a compact one is shorter.
      return JSON.stringify(profile)
    },
    catch: sandboxError(`cannot read the seccomp profile ${seccompFile}`)
  })
  const staging =
    (options.stagingMb ?? 16) > 0 && process.getuid?.() === 0
      ? yield* acquireStagingArea(options.stateDir ?? "/run/codebox-docker", options.stagingMb ?? 16)
      : null
  const settings: ContainerSettings = {
    user,
    cpus: options.cpus ?? 1,
    hostPathOf: pathMapper(options.hostPaths),
    owner: { host: os.hostname(), pid: process.pid },
    sweepGraceMs: 60_000,
    unreadableFile: staging?.unreadable ?? null,
    initFile: staging?.init ?? null,
    seccompProfile
  }

  const check = Effect.tryPromise({ try: () => docker.ping(), catch: sandboxError("the daemon does not answer") }).pipe(
    Effect.asVoid,
    Effect.withSpan("DockerSandbox.check")
  )
  yield* check
  if (options.sweepAtStart ?? true) {
    const removed = yield* Effect.tryPromise({
      try: () => sweepLeftovers(docker, { ...settings.owner, startedAtMs: Date.now() - process.uptime() * 1000 }),
      catch: sandboxError("cannot remove leftover sandbox containers")
    })
    if (removed.length > 0) yield* Effect.logWarning(`removed ${removed.length} leftover sandbox container(s)`)
  }
  const cgroups = yield* detectCgroups(docker)
  if (cgroups === null) {
    yield* Effect.logWarning(
      "docker sandbox: the Docker host's cgroups are not readable here; cpu time is limited per process only (rlimit), and cpu time and peak memory are not reported"
    )
  } else if (options.sweepAtStart ?? true) {
    yield* Effect.promise(() => sweepStepCgroups(cgroups))
  }

  const run = Effect.fn("DockerSandbox.run")(function* (step: SandboxStep) {
    const { mounts, copyBack } =
      staging === null
        ? { mounts: step.mounts, copyBack: Effect.succeed({ leftOut: 0, filled: false }) }
        : yield* stageMounts(staging, step.mounts, userIds)
    if (staging === null) yield* prepareWritableMounts(step.mounts, userIds)
    // Acquired before the container, so removed after it: the parent outlives the container's own cgroup.
    const stepCgroup =
      cgroups === null
        ? null
        : yield* Effect.acquireRelease(
            Effect.sync(() => makeStepCgroup(cgroups)),
            (cgroup) => Effect.promise(() => cgroup.remove().catch(() => undefined))
          )
    const spec = containerSpec({ ...step, mounts }, settings, Date.now(), stepCgroup?.parent)
    // Removal is the release: it runs on success, failure and interruption alike, and a forced
    // remove kills whatever still runs in the container.
    const container = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => docker.createContainer(spec),
        catch: (cause) =>
          (cause as DockerError).statusCode === 404
            ? new SandboxError({ message: `docker: image ${step.runtime.image} is missing: build it with sandbox/build-images.sh`, cause })
            : sandboxError("cannot create the container")(cause)
      }),
      (created) => Effect.promise(() => created.remove({ force: true, v: true }).catch(() => undefined))
    )

    let stopRequested: (reason: StopReason) => void = () => undefined
    const stopped = new Promise<StopReason>((resolve) => {
      stopRequested = resolve
    })
    const capture = new OutputCapture(step.limits.output_bytes, () => stopRequested("output"), step.onOutput)
    // Attach before start, so not a byte of early output is missed.
    const stream = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => container.attach({ stream: true, stdin: step.stdin !== null, stdout: true, stderr: true, hijack: step.stdin !== null }),
        catch: sandboxError("cannot attach to the container")
      }),
      (attached) => Effect.sync(() => (attached as NodeJS.ReadWriteStream & { destroy(): void }).destroy())
    )
    const drained = new Promise<void>((resolve) => {
      stream.on("data", (chunk: Buffer) => capture.push(chunk))
      stream.on("end", resolve)
      stream.on("close", resolve)
      stream.on("error", () => resolve())
    })

    const startedAt = performance.now()
    yield* Effect.tryPromise({ try: () => container.start(), catch: sandboxError("cannot start the container") })
    if (step.stdin !== null) {
      stream.write(step.stdin)
      // Half-close: the program reads EOF, and its output still comes back on this socket.
      stream.end()
    }

    const waitExit = Effect.tryPromise({
      try: () => container.wait() as Promise<{ StatusCode: number }>,
      catch: sandboxError("lost the container while waiting for it")
    })
    // The whole container's cpu time, children run one after another included (the rlimit is per process).
    const cpuWatch =
      stepCgroup === null
        ? Effect.never
        : Effect.sleep(cpuPollMs).pipe(
            Effect.map(() => stepCgroup.cpuTimeMs(container.id)),
            Effect.repeat({ until: (used) => used !== null && used >= step.limits.cpu_time_ms }),
            Effect.as<StopReason>("cpu_time")
          )
    const first = yield* Effect.raceFirst(
      waitExit.pipe(Effect.as(null)),
      Effect.raceAll([
        Effect.sleep(step.limits.wall_time_ms).pipe(Effect.as<StopReason>("wall_time")),
        Effect.promise(() => stopped),
        cpuWatch
      ])
    )
    if (first !== null) {
      yield* Effect.tryPromise({ try: () => container.kill(), catch: (cause) => cause }).pipe(
        // 409: it exited on its own meanwhile, which is just as good.
        Effect.catch(() => Effect.void)
      )
      yield* waitExit.pipe(
        Effect.timeoutOrElse({
          duration: exitGraceMs,
          orElse: () => Effect.fail(new SandboxError({ message: "docker: a killed container did not exit" }))
        })
      )
    }
    const measuredMs = performance.now() - startedAt
    const usage = stepCgroup?.usage(container.id) ?? { cpuTimeMs: null, memoryPeakBytes: null }
    yield* Effect.promise(() => drained).pipe(Effect.timeoutOption(drainGraceMs))
    const state = yield* Effect.tryPromise({ try: () => container.inspect(), catch: sandboxError("cannot inspect the container") })
    const copied = yield* copyBack

    const stopReason = first ?? (capture.capHit ? "output" : null)
    const wallTimeMs = elapsedMs(state.State.StartedAt, state.State.FinishedAt) ?? Math.round(measuredMs)
    const status = exitStatusOf({
      exitCode: state.State.ExitCode,
      oomKilled: state.State.OOMKilled,
      stopReason,
      wallTimeMs,
      cpuLimitSeconds: Math.max(1, Math.ceil(step.limits.cpu_time_ms / 1000))
    })
    return {
      ...status,
      // Files too big to copy back (by apparent size: sparse files count in full), or a staging area
      // filled to the brim, are output over its cap.
      limit: status.limit ?? (copied.leftOut > 0 || copied.filled ? "output" : null),
      stdout: capture.text("stdout"),
      stderr: capture.text("stderr"),
      stdoutBytes: capture.bytes("stdout"),
      stderrBytes: capture.bytes("stderr"),
      stdoutTruncated: capture.truncated.stdout,
      stderrTruncated: capture.truncated.stderr,
      wallTimeMs,
      // From the container's cgroup on the Docker host (null where this process cannot read it).
      cpuTimeMs: usage.cpuTimeMs,
      memoryPeakBytes: usage.memoryPeakBytes
    } satisfies SandboxOutcome
  }, Effect.scoped)

  return Sandbox.of({ name: "docker", run, check })
})

/** The Docker sandbox as the `Sandbox` service. Sweeps leftovers of dead workers when built. */
export const layer = (options: DockerSandboxOptions = {}): Layer.Layer<Sandbox, SandboxError> => Layer.effect(Sandbox, make(options))

/**
 * The sandbox containers this process made that still exist, one "id image state" each; empty
 * when clean. For tests and health checks: every step removes its container when it ends.
 */
export const leftovers = async (options: Pick<DockerSandboxOptions, "docker"> = {}): Promise<ReadonlyArray<string>> => {
  const labels = [Labels.sandbox, `${Labels.host}=${os.hostname()}`, `${Labels.pid}=${process.pid}`]
  const listed = await new Docker(options.docker).listContainers({ all: true, filters: { label: labels } })
  return listed.map((container) => `${container.Id.slice(0, 12)} ${container.Image} ${container.State}`)
}
