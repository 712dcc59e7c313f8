import { Effect, Layer } from "effect"
import { type SandboxError, Sandbox, type SandboxOutcome, type SandboxStep } from "@codebox/core"

/** An outcome with defaults: exit 0, no output, nothing fired. Bytes follow the text unless given. */
export const outcome = (partial: Partial<SandboxOutcome> = {}): SandboxOutcome => ({
  exitCode: 0,
  signal: null,
  stdout: "",
  stderr: "",
  stdoutBytes: new TextEncoder().encode(partial.stdout ?? ""),
  stderrBytes: new TextEncoder().encode(partial.stderr ?? ""),
  stdoutTruncated: false,
  stderrTruncated: false,
  wallTimeMs: 1,
  cpuTimeMs: 1,
  memoryPeakBytes: 1024 * 1024,
  limit: null,
  ...partial
})

export type Script = (step: SandboxStep) => Effect.Effect<SandboxOutcome, SandboxError> | SandboxOutcome

/**
 * A Sandbox test double: each step is answered by the script (which may write files into the
 * step's writable mounts, as a program would). Every step is recorded in `steps`.
 */
export const make = (script: Script) => {
  const steps: Array<SandboxStep> = []
  const layer = Layer.succeed(
    Sandbox,
    Sandbox.of({
      name: "scripted",
      run: (step) =>
        Effect.suspend(() => {
          steps.push(step)
          const answer = script(step)
          return Effect.isEffect(answer) ? answer : Effect.succeed(answer)
        }),
      check: Effect.void
    })
  )
  return { layer, steps }
}
