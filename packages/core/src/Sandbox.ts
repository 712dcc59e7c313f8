import { Context, type Effect } from "effect"
import type { SandboxError } from "./domain/Errors.ts"
import type { Limits } from "./domain/Limits.ts"
import type { LimitFired } from "./domain/TaskResult.ts"
import type { RuntimeSpec } from "./LanguagePlugin.ts"

/** A host directory made visible inside the sandbox. */
export interface Mount {
  readonly hostPath: string
  readonly sandboxPath: string
  readonly writable: boolean
  /**
   * Writable mounts: the most a sandbox that copies the mount (staging) writes back to the host, by
   * apparent size (a sparse file counts in full, as its copy would be). Files past it are not copied.
   */
  readonly maxCopyBytes?: number
}

/** One step to run: a compile step or the program itself. argv is never passed through a shell. */
export interface SandboxStep {
  readonly argv: ReadonlyArray<string>
  readonly stdin: string | null
  readonly env: Readonly<Record<string, string>>
  readonly cwd: string
  readonly mounts: ReadonlyArray<Mount>
  readonly limits: Limits
  readonly runtime: RuntimeSpec
  /**
   * Optional: called with each chunk of output as the program writes it (only the bytes within the
   * output cap, in order per stream), for live streaming. Must not throw or block.
   */
  readonly onOutput?: (stream: "stdout" | "stderr", bytes: Uint8Array) => void
}

/** What happened. A program that fails is an outcome, not an error. */
export interface SandboxOutcome {
  readonly exitCode: number | null
  readonly signal: string | null
  /** What the program printed, decoded as UTF-8 (for logs and tests; results use the bytes). */
  readonly stdout: string
  readonly stderr: string
  /** The exact bytes kept of each stream (up to the output cap). */
  readonly stdoutBytes: Uint8Array
  readonly stderrBytes: Uint8Array
  readonly stdoutTruncated: boolean
  readonly stderrTruncated: boolean
  readonly wallTimeMs: number
  readonly cpuTimeMs: number | null
  readonly memoryPeakBytes: number | null
  /** The limit that ended the step, if one did. */
  readonly limit: LimitFired | null
}

/**
 * Runs one step in isolation. Implementations kill every process of the step when it ends or when
 * the calling fiber is interrupted (cancellation), and leave nothing behind.
 */
export class Sandbox extends Context.Service<
  Sandbox,
  {
    /** Short name for logs and health (`native`, `docker`). */
    readonly name: string
    run(step: SandboxStep): Effect.Effect<SandboxOutcome, SandboxError>
    /** Checks that the sandbox can run (daemon reachable, cgroups writable, ...), for readiness. */
    readonly check: Effect.Effect<void, SandboxError>
  }
>()("@codebox/core/Sandbox") {}
