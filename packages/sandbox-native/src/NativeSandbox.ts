import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { SandboxError, type LimitFired, Sandbox, type SandboxOutcome, type SandboxStep, processAlive } from "@codebox/core"
import type { CgroupDriver } from "./native/Cgroup.ts"
import { type CgroupPreference, detectHost } from "./native/detect.ts"
import { type BoundDir, hostDev, type LaunchCommand, launcherArgv, systemBinds, validatePlanInput } from "./native/launcher.ts"
import { findLeftovers } from "./native/inspect.ts"
import { type Launcher, makeLauncherPool } from "./native/launchers.ts"
import { runProcess, type RunnerResult } from "./native/runProcess.ts"
import { hidePaths } from "./native/hidePaths.ts"
import { seccompFilterProblem } from "./native/seccomp.ts"
import { makeJobAreaPool } from "./native/jobAreas.ts"
import { type HostView, prepareHostView } from "./native/hostView.ts"
import { mountStagingArea, unmountStagingArea } from "./native/staging.ts"
import { stageStep } from "./native/stageStep.ts"
import { releaseUid, tryLeaseUid, type UidRange, writeIdentityFiles } from "./native/uids.ts"

export interface NativeSandboxOptions {
  /** First uid (and gid) of the range steps run as, one of its own per running step. Default 200000. */
  readonly firstUid?: number
  /** How many uids: the most steps running at once on this host. Default 256. */
  readonly uidCount?: number
  /** CodeBox's cgroup under the hierarchy (v2) or each controller (v1). Default "codebox". */
  readonly cgroupRoot?: string
  /** Which cgroup version to use; "auto" prefers a v2 hierarchy with memory and pids. */
  readonly cgroupVersion?: CgroupPreference
  /** Where the sandbox keeps its state (uid leases, passwd, the staging tmpfs). Default /run/codebox. */
  readonly stateDir?: string
  /**
   * Size of the shared staging tmpfs, which holds passwd, group and the mount points of each step's
   * own staging area (sized from the step's mounts and their budgets, see native/jobAreas.ts). Default 16.
   */
  readonly stagingMb?: number
  /** Launchers kept waiting inside fresh cgroups, so a step does not wait for a cgroup move. Default 2. */
  readonly warmLaunchers?: number
  /**
   * The compiled seccomp filter every step runs under (see seccomp/README.md). Default
   * /var/lib/codebox/seccomp/codebox.bpf, built by scripts/setup.sh; the sandbox refuses to start
   * without it. null runs without a filter: only to measure what the filter costs.
   */
  readonly seccompFilter?: string | null
  /**
   * Whether each step sees the host's read-only files through fresh overlays and its device nodes
   * from a tmpfs of the sandbox, so that its mountinfo names neither the host's disk (device,
   * filesystem and its options) nor its devtmpfs (see native/hostView.ts). Default true; on a
   * host where that cannot be mounted the sandbox binds from the disk as before and logs why.
   * false: only to measure what it costs.
   */
  readonly hideHostDisks?: boolean
}

/** A task's error text reaches whoever submitted it: it names no host path (the cause keeps them). */
const fail = (message: string) => (cause: unknown) =>
  new SandboxError({ message: `${message}: ${hidePaths(cause instanceof Error ? cause.message : String(cause))}`, cause })

const signalName = (n: number): string | null => Object.entries(os.constants.signals).find(([, v]) => v === n)?.[0] ?? null

let instances = 0
const defaultFirstUid = 200_000
const defaultUidCount = 256
/** Where scripts/setup.sh builds the filter (packages/sandbox-native/seccomp/build.sh). */
export const defaultSeccompFilter = "/var/lib/codebox/seccomp/codebox.bpf"

/**
 * Builds the sandbox: checks the host (root, bubblewrap, util-linux, user namespaces, cgroups) and
 * fails with what to install or enable; prepares CodeBox's cgroup; removes job cgroups that a
 * crashed CodeBox process left; mounts the staging tmpfs (unmounted when the scope closes).
 */
export const make = (options: NativeSandboxOptions = {}) =>
  Effect.gen(function* () {
    const range: UidRange = { first: options.firstUid ?? defaultFirstUid, count: options.uidCount ?? defaultUidCount }
    const stateDir = options.stateDir ?? (fs.existsSync("/run") ? "/run/codebox" : path.join(os.tmpdir(), "codebox"))
    const seccompFilter = options.seccompFilter === undefined ? defaultSeccompFilter : options.seccompFilter
    const filterProblem = seccompFilter === null ? null : seccompFilterProblem(seccompFilter)
    if (filterProblem !== null) return yield* new SandboxError({ message: filterProblem })
    const driver: CgroupDriver = yield* Effect.try({
      try: () => {
        const d = detectHost(options.cgroupRoot ?? "codebox", options.cgroupVersion ?? "auto")
        d.prepare()
        return d
      },
      catch: (e) => new SandboxError({ message: e instanceof Error ? e.message : String(e), cause: e })
    })
    // Job cgroups are named j<pid>-<instance>-<n>: those of dead processes are leftovers of a crash.
    for (const name of driver.list()) {
      const owner = Number(/^j(\d+)-/.exec(name)?.[1] ?? "0")
      if (owner > 0 && !processAlive(owner)) {
        yield* Effect.tryPromise({ try: () => driver.destroyByName(name), catch: fail(`cannot remove stale cgroup ${name}`) })
      }
    }
    const lockDir = path.join(stateDir, "uids")
    const identity = yield* Effect.try({
      try: () => {
        fs.mkdirSync(lockDir, { recursive: true, mode: 0o700 })
        fs.chmodSync(stateDir, 0o711)
        return writeIdentityFiles(stateDir, range)
      },
      catch: fail(`cannot prepare ${stateDir}`)
    })
    const staging = yield* Effect.acquireRelease(
      Effect.tryPromise({
        try: () => mountStagingArea(stateDir, options.stagingMb ?? 16),
        catch: fail("cannot prepare writable mounts")
      }),
      (dir) => Effect.promise(() => unmountStagingArea(dir))
    )
    // Each step stages its mounts on a tmpfs of its own, so one that fills it leaves its neighbours room.
    const areas = makeJobAreaPool(staging)
    yield* Effect.addFinalizer(() => Effect.promise(() => areas.close()))
    // passwd and group are bound from the staging tmpfs, so that mountinfo names no host path.
    const identityFiles = yield* Effect.try({
      try: () => {
        const files = { passwd: path.join(staging, "passwd"), group: path.join(staging, "group") }
        for (const [name, file] of Object.entries(files)) fs.copyFileSync(identity[name as keyof typeof files], file)
        return files
      },
      catch: fail("cannot prepare the sandbox's passwd and group")
    })
    // The read-only system files come from overlays on the staging tmpfs and /dev from a tmpfs of
    // the sandbox, so that no bind shows the host's disk or its devtmpfs (native/hostView.ts).
    let view: HostView | null = null
    if (options.hideHostDisks !== false) {
      const prepared = yield* Effect.promise(() => prepareHostView(staging))
      if ("problem" in prepared) {
        yield* Effect.logWarning(
          `native sandbox: steps bind /usr and /etc from the disk, and their mountinfo shows its device: ${prepared.problem}`
        )
      } else {
        view = prepared
        yield* Effect.addFinalizer(() => Effect.promise(() => prepared.close()))
      }
    }
    const direct = { id: 0, sourceOf: (p: string) => p }
    let system = { set: -1, binds: [] as ReadonlyArray<string> }
    /** The system binds and the source of each host path for a step starting now. */
    const hostFiles = async () => {
      const set = view === null ? direct : await view.current()
      if (system.set !== set.id) system = { set: set.id, binds: systemBinds(identityFiles.passwd, identityFiles.group, set.sourceOf) }
      return { system: system.binds, sourceOf: set.sourceOf, dev: view?.dev ?? hostDev }
    }
    const prefix = `j${process.pid}-${++instances}`
    let jobs = 0

    const leaseUid = Effect.acquireRelease(
      Effect.gen(function* () {
        for (;;) {
          const uid = yield* Effect.tryPromise({ try: () => tryLeaseUid(lockDir, range), catch: fail("cannot lease a sandbox uid") })
          if (uid !== null) return uid
          yield* Effect.sleep("20 millis")
        }
      }),
      (uid) => Effect.sync(() => releaseUid(lockDir, uid))
    )

    const pool = makeLauncherPool(driver, () => `${prefix}-${++jobs}`, options.warmLaunchers ?? 2, seccompFilter)
    yield* Effect.addFinalizer(() => Effect.promise(() => pool.close()))
    pool.refill()

    // The launcher's cgroup is the job's: removed (every process in it killed) when the step ends.
    const takeLauncher = Effect.acquireRelease(
      Effect.try({ try: () => pool.take(), catch: fail(`cannot start a launcher in ${driver.describe}`) }),
      (launcher) =>
        Effect.sync(() => launcher.child.kill("SIGKILL")).pipe(
          Effect.andThen(Effect.tryPromise({ try: () => launcher.cgroup.destroy(), catch: fail("cannot remove a job cgroup") })),
          Effect.catch((e) => Effect.logError(e.message))
        )
    )

    const spawnStep = (launch: LaunchCommand, step: SandboxStep, launcher: Launcher) =>
      Effect.callback<RunnerResult & { readonly cpuBase: number }, SandboxError>((resume) => {
        const { cgroup } = launcher
        const cpuBase = cgroup.cpuTimeMs() ?? 0
        const running = runProcess({
          child: launcher.child,
          start: () => launcher.start(launch),
          stdin: step.stdin,
          outputBytes: step.limits.output_bytes,
          wallTimeMs: step.limits.wall_time_ms,
          cpuTimeMs: step.limits.cpu_time_ms,
          cpuUsedMs: () => {
            const used = cgroup.cpuTimeMs()
            return used === null ? null : used - cpuBase
          },
          killJob: () => cgroup.kill(),
          onOutput: step.onOutput
        })
        running.done.then(
          (result) => resume(Effect.succeed({ ...result, cpuBase })),
          (e) => resume(Effect.fail(fail("cannot start the sandbox")(e)))
        )
        // Interruption (a cancelled task): kill the whole job now; the scope then removes its cgroup.
        return Effect.sync(() => running.abort())
      })

    const run = Effect.fn("NativeSandbox.run")(function* (step: SandboxStep) {
      const problem = validatePlanInput({ argv: step.argv, env: step.env, cwd: step.cwd, targets: step.mounts.map((m) => m.sandboxPath) })
      if (problem !== null) return yield* new SandboxError({ message: problem })
      for (const p of step.runtime.nativePaths) {
        if (!fs.existsSync(p)) {
          yield* Effect.logError(`native sandbox: ${p} does not exist on this host`)
          return yield* new SandboxError({
            message: "a directory this language's runtime needs is missing on this host (scripts/setup.sh installs the runtimes)"
          })
        }
      }
      for (const m of step.mounts) {
        if (!fs.existsSync(m.hostPath)) return yield* new SandboxError({ message: `the directory to mount at ${m.sandboxPath} is missing` })
      }
      // Spans name each phase of a step, so a tracer (npm run bench) shows where its time goes.
      const uid = yield* leaseUid.pipe(Effect.withSpan("NativeSandbox.leaseUid"))
      const owner = { uid, gid: uid }
      // Every mount is a copy on the step's own staging area: writable ones so a program cannot fill
      // the host's disk or a neighbour's room, read-only ones so that nothing inside (not even
      // /proc/self/mountinfo) names a host path.
      const staged = yield* stageStep(areas, step.mounts, owner, fail).pipe(Effect.withSpan("NativeSandbox.stage"))
      const stagingDirs = staged.dirs
      const mounts: Array<BoundDir> = step.mounts.map((m, i) => ({ source: stagingDirs[i]!, target: m.sandboxPath, writable: m.writable }))
      const launcher = yield* takeLauncher.pipe(Effect.withSpan("NativeSandbox.takeLauncher"))
      const { cgroup } = launcher
      yield* Effect.try({
        try: () => cgroup.setLimits({ memoryBytes: step.limits.memory_mb * 1024 * 1024, pids: step.limits.processes }),
        catch: fail(`cannot set the job's limits in ${driver.describe}`)
      })
      const host = yield* Effect.tryPromise({ try: hostFiles, catch: fail("cannot prepare the read-only system files") })
      const launch = launcherArgv({
        uid,
        gid: uid,
        limits: step.limits,
        ...host,
        nativePaths: step.runtime.nativePaths,
        mounts,
        env: step.env,
        cwd: step.cwd,
        argv: step.argv,
        seccomp: seccompFilter !== null
      })
      const result = yield* spawnStep(launch, step, launcher).pipe(
        Effect.tap((result) => Effect.annotateCurrentSpan(result.phases)),
        Effect.withSpan("NativeSandbox.spawn")
      )
      const measured = cgroup.usage()
      const programCpuMs = measured.cpuTimeMs === null ? null : measured.cpuTimeMs - result.cpuBase - result.cpuBeforeStartMs
      const usage = { ...measured, cpuTimeMs: programCpuMs }
      // Every process of the job is dead and its cgroup gone before its files are read back.
      yield* Effect.tryPromise({ try: () => cgroup.destroy(), catch: fail("cannot remove the job's cgroup") }).pipe(
        Effect.withSpan("NativeSandbox.removeCgroup")
      )
      // A limit of ours that fired during the set-up (a wall time shorter than bwrap's start on a
      // loaded host) is that limit's verdict, not a sandbox failure.
      if (!result.started && result.fired === null) {
        return yield* new SandboxError({
          message: `the sandbox did not start (exit ${result.exitCode ?? result.signal}): ${hidePaths(result.stderr.toString("utf8").trim().slice(0, 2000))}`
        })
      }
      const copied = yield* staged.copyBack.pipe(Effect.withSpan("NativeSandbox.copyBack"))
      const outcome = outcomeOf(result, usage, step)
      // Files too big to copy back (by apparent size: sparse files count in full), or a staging
      // area filled to the brim, are output over its cap.
      return (copied.leftOut > 0 || copied.filled) && outcome.limit === null ? { ...outcome, limit: "output" as const } : outcome
    }, Effect.scoped)

    const check = Effect.gen(function* () {
      const outcome = yield* run({
        argv: ["/usr/bin/true"],
        stdin: null,
        env: {},
        cwd: "/",
        mounts: [],
        limits: { wall_time_ms: 10_000, cpu_time_ms: 5_000, memory_mb: 64, processes: 16, output_bytes: 4096, file_size_mb: 1, tmp_mb: 1 },
        runtime: { image: "", dockerfile: "", nativePaths: [], env: {}, debianPackages: [] }
      })
      if (outcome.exitCode !== 0) {
        return yield* new SandboxError({
          message: `the sandbox probe failed (exit ${outcome.exitCode}, ${outcome.signal}): ${outcome.stderr.trim()}`
        })
      }
    })

    return Sandbox.of({ name: "native", run, check })
  })

/** Turns what the runner saw and what the cgroup counted into the outcome the Executor maps. */
export const outcomeOf = (
  result: RunnerResult,
  usage: { oomKills: number; memoryPeakBytes: number | null; cpuTimeMs: number | null },
  step: SandboxStep
): SandboxOutcome => {
  // bwrap reports a program killed by signal N as exit 128+N, the shell convention.
  const fromExit =
    result.exitCode !== null && result.exitCode > 128 && result.exitCode <= 128 + 64 ? signalName(result.exitCode - 128) : null
  const signal = result.fired !== null ? "SIGKILL" : (result.signal ?? fromExit)
  const cpuOver = usage.cpuTimeMs !== null && usage.cpuTimeMs >= step.limits.cpu_time_ms
  const limit: LimitFired | null =
    result.fired ?? (usage.oomKills > 0 ? "memory" : signal === "SIGXCPU" || (signal === "SIGKILL" && cpuOver) ? "cpu_time" : null)
  return {
    exitCode: signal !== null ? null : result.exitCode,
    signal,
    stdout: result.stdout.toString("utf8"),
    stderr: result.stderr.toString("utf8"),
    stdoutBytes: result.stdout,
    stderrBytes: result.stderr,
    stdoutTruncated: result.stdoutTruncated,
    stderrTruncated: result.stderrTruncated,
    wallTimeMs: result.wallTimeMs,
    cpuTimeMs: usage.cpuTimeMs,
    memoryPeakBytes: usage.memoryPeakBytes,
    limit
  }
}

/** The native sandbox as the `Sandbox` service; fails to build with what the host lacks. */
export const layer = (options: NativeSandboxOptions = {}): Layer.Layer<Sandbox, SandboxError> => Layer.effect(Sandbox, make(options))

/** Readiness on its own: builds the sandbox, runs a probe through the whole chain, tears it down. */
export const check = (options: NativeSandboxOptions = {}): Effect.Effect<void, SandboxError> =>
  Effect.scoped(Effect.flatMap(make(options), (sandbox) => sandbox.check))

/** What finished jobs of this process left behind (see native/inspect.ts); empty when clean. */
export const leftovers = (options: NativeSandboxOptions = {}): ReadonlyArray<string> =>
  findLeftovers({
    firstUid: options.firstUid ?? defaultFirstUid,
    uidCount: options.uidCount ?? defaultUidCount,
    cgroupRoot: options.cgroupRoot ?? "codebox"
  })
