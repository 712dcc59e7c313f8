import type { ChildProcess } from "node:child_process"
import type { Writable } from "node:stream"

/** A limit the runner itself enforces (memory is the kernel's, read from the cgroup afterwards). */
export type RunnerLimit = "wall_time" | "cpu_time" | "output"

export interface RunnerInput {
  /** A launcher waiting for its argv (see launcher.ts); its stdio 3 is bwrap's status fd. */
  readonly child: ChildProcess
  /** Hands the launcher its argv: the step starts now. */
  readonly start: () => void
  readonly stdin: string | null
  /** Cap per stream; reaching it keeps what came before and ends the step. */
  readonly outputBytes: number
  readonly wallTimeMs: number
  readonly cpuTimeMs: number
  /** Total cpu time of the job so far (its cgroup), polled by the cpu watchdog. */
  readonly cpuUsedMs: () => number | null
  /** Kills every process of the job at once (the cgroup), not just the direct child. */
  readonly killJob: () => void
  /** How often the cpu watchdog looks (default 50 ms). */
  readonly pollMs?: number
  /** Each chunk kept (within the cap), as it is read: live output (SandboxStep.onOutput). */
  readonly onOutput?: ((stream: "stdout" | "stderr", bytes: Uint8Array) => void) | undefined
}

export interface RunnerResult {
  /** What the direct child (bwrap) reported. */
  readonly exitCode: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: Buffer
  readonly stderr: Buffer
  readonly stdoutTruncated: boolean
  readonly stderrTruncated: boolean
  readonly wallTimeMs: number
  readonly fired: RunnerLimit | null
  /** False when bwrap failed before the program started (its status fd never named a child). */
  readonly started: boolean
  /** Cpu time the job had used when the program started: the sandbox's set-up, not the program's. */
  readonly cpuBeforeStartMs: number
  /**
   * Where the step's wall time went (ms): bwrap's set-up until it named the child, the program
   * until bwrap exited, and bwrap's exit until its pipes closed. Null where a mark was never reached.
   */
  readonly phases: { readonly setUpMs: number | null; readonly programMs: number | null; readonly closeMs: number | null }
}

export interface RunningProcess {
  readonly done: Promise<RunnerResult>
  /** Ends the step now (interruption): kills the job and lets `done` settle. */
  readonly abort: () => void
}

class Capped {
  readonly chunks: Array<Buffer> = []
  size = 0
  truncated = false
  readonly cap: number
  constructor(cap: number) {
    this.cap = cap
  }
  /** Keeps what fits; true when the cap was reached by this chunk. */
  push(chunk: Buffer): boolean {
    if (this.truncated) return false
    const room = this.cap - this.size
    if (chunk.length > room) {
      this.chunks.push(chunk.subarray(0, room))
      this.size = this.cap
      this.truncated = true
      return true
    }
    this.chunks.push(chunk)
    this.size += chunk.length
    return false
  }
  get data() {
    return Buffer.concat(this.chunks)
  }
}

/**
 * Runs the launcher chain with piped stdio. The step ends when bwrap exits; then whatever else of
 * the job is still alive is killed through its cgroup, so pipes held by a stray child close too.
 * Wall time and the output caps are watched here; the job's cpu time through the cgroup, because
 * RLIMIT_CPU is per process and a program can split its work over many.
 */
export const runProcess = (input: RunnerInput): RunningProcess => {
  const started = performance.now()
  const child = input.child
  const out = new Capped(input.outputBytes)
  const err = new Capped(input.outputBytes)
  let fired: RunnerLimit | null = null
  let status = ""
  let exited = false
  // The cpu limit is the program's: it counts from when bwrap names the child. Setting up the
  // sandbox (namespaces, mounts) costs cpu too, a few ms on a host but over a second under
  // emulation, and must not use up a 1 s limit before the program has run at all.
  let cpuAtStart: number | null = null
  let childNamedAt: number | null = null
  let exitedAt: number | null = null

  const killAll = () => {
    try {
      input.killJob()
    } catch {
      // The cgroup may already be gone; the direct child is killed below regardless.
    }
    child.kill("SIGKILL")
  }
  const fire = (limit: RunnerLimit) => {
    if (fired === null) fired = limit
    killAll()
  }

  const read = (stream: "stdout" | "stderr", kept: Capped) => (chunk: Buffer) => {
    const before = kept.size
    const capHit = kept.push(chunk)
    if (kept.size > before) input.onOutput?.(stream, chunk.subarray(0, kept.size - before))
    if (capHit) fire("output")
  }
  child.stdout!.on("data", read("stdout", out))
  child.stderr!.on("data", read("stderr", err))
  // fd 3 is bwrap's --json-status-fd: it names the child once the sandbox is set up.
  ;(child.stdio[3] as NodeJS.ReadableStream).on("data", (chunk: Buffer) => {
    if (status.length < 4096) status += chunk.toString("utf8")
    if (cpuAtStart === null && status.includes('"child-pid"')) {
      childNamedAt = performance.now()
      cpuAtStart = input.cpuUsedMs() ?? 0
    }
  })

  const stdin = child.stdin as Writable
  stdin.on("error", () => {
    // EPIPE: the program exited or closed stdin without reading it all, which is its right.
  })
  if (input.stdin !== null && input.stdin.length > 0) stdin.write(input.stdin)
  stdin.end()
  input.start()

  const wall = setTimeout(() => fire("wall_time"), input.wallTimeMs)
  const cpu = setInterval(() => {
    if (cpuAtStart === null) return // still setting up: the wall time bounds that
    const used = input.cpuUsedMs()
    if (used !== null && used - cpuAtStart >= input.cpuTimeMs) fire("cpu_time")
  }, input.pollMs ?? 50)

  let straggler: NodeJS.Timeout | undefined
  child.on("exit", () => {
    exited = true
    exitedAt = performance.now()
    clearTimeout(wall)
    clearInterval(cpu)
    // The program is done: nothing of the job may outlive it (daemons, double forks).
    try {
      input.killJob()
    } catch {
      // Nothing left to kill.
    }
    // If something outside the job held a pipe, do not wait for it forever.
    straggler = setTimeout(() => {
      for (const s of [child.stdout, child.stderr, child.stdio[3]]) (s as NodeJS.ReadableStream & { destroy(): void }).destroy()
    }, 2000)
  })

  const done = new Promise<RunnerResult>((resolve, reject) => {
    child.on("error", (e) => {
      clearTimeout(wall)
      clearInterval(cpu)
      reject(e)
    })
    const finish = (exitCode: number | null, signal: NodeJS.Signals | null) => {
      clearTimeout(wall)
      clearInterval(cpu)
      if (straggler !== undefined) clearTimeout(straggler)
      resolve({
        exitCode,
        signal,
        stdout: out.data,
        stderr: err.data,
        stdoutTruncated: out.truncated,
        stderrTruncated: err.truncated,
        wallTimeMs: Math.round(performance.now() - started),
        fired,
        started: status.includes('"child-pid"'),
        cpuBeforeStartMs: cpuAtStart ?? 0,
        phases: {
          setUpMs: childNamedAt === null ? null : childNamedAt - started,
          programMs: childNamedAt === null || exitedAt === null ? null : exitedAt - childNamedAt,
          closeMs: exitedAt === null ? null : performance.now() - exitedAt
        }
      })
    }
    // A launcher that died while waiting has already closed.
    if (child.exitCode !== null || child.signalCode !== null) finish(child.exitCode, child.signalCode)
    else child.on("close", finish)
  })

  return {
    done,
    abort: () => {
      if (!exited) killAll()
    }
  }
}
