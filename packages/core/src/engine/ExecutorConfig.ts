import * as os from "node:os"
import * as path from "node:path"
import { Context } from "effect"

/** Where job directories go unless configured (CODEBOX_WORK_ROOT in the apps). */
export const defaultWorkRoot = path.join(os.tmpdir(), "codebox-jobs")

export interface ExecutorSettings {
  /** Host directory under which each job gets a private directory while it runs. */
  readonly workRoot: string
  /** Name recorded on claimed tasks (host and pid by default). */
  readonly workerName: string
  /** Output files kept per task, and their total size. */
  readonly maxOutputFiles: number
  readonly maxOutputBytes: number
  /** A task claimed this many times without completing is marked FAILURE (poison message). */
  readonly maxAttempts: number
}

/** Settings of the executor; override with `Layer.succeed(ExecutorConfig, {...})`. */
export const ExecutorConfig = Context.Reference<ExecutorSettings>("@codebox/core/ExecutorConfig", {
  defaultValue: () => ({
    workRoot: defaultWorkRoot,
    workerName: `${os.hostname()}-${process.pid}`,
    maxOutputFiles: 20,
    maxOutputBytes: 64 * 1024 * 1024,
    maxAttempts: 3
  })
})
