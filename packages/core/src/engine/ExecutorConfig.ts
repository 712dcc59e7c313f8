import { randomBytes } from "node:crypto"
import * as os from "node:os"
import * as path from "node:path"
import { Context } from "effect"

/** Where job directories go unless configured (CODEBOX_WORK_ROOT in the apps). */
export const defaultWorkRoot = path.join(os.tmpdir(), "codebox-jobs")

export interface ExecutorSettings {
  /** Host directory under which each job gets a private directory while it runs. */
  readonly workRoot: string
  /**
   * Name recorded on claimed tasks (the reconciler tells a live worker's task from a lost one by
   * it) and in heartbeats. Default: `worker-` and 8 random hex digits, which tell a task's
   * submitter nothing about the host (host-pid did: the host's name and the worker's pid).
   */
  readonly workerName: string
  /** Output files kept per task, and their total size. */
  readonly maxOutputFiles: number
  readonly maxOutputBytes: number
  /** A task claimed this many times without completing is marked FAILURE (poison message). */
  readonly maxAttempts: number
  /**
   * Test cases of one judge task run at once. The apps set it to the worker's concurrency, so a
   * judge task uses at most the sandboxes a worker would use for that many tasks.
   */
  readonly caseConcurrency: number
}

/** This process's worker name unless one is configured: random, the same for its whole life. */
export const defaultWorkerName = `worker-${randomBytes(4).toString("hex")}`

/** Settings of the executor; override with `Layer.succeed(ExecutorConfig, {...})`. */
export const ExecutorConfig = Context.Reference<ExecutorSettings>("@codebox/core/ExecutorConfig", {
  defaultValue: () => ({
    workRoot: defaultWorkRoot,
    workerName: defaultWorkerName,
    maxOutputFiles: 20,
    maxOutputBytes: 64 * 1024 * 1024,
    maxAttempts: 3,
    caseConcurrency: 2
  })
})
