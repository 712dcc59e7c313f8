import { outputText } from "../domain/OutputText.ts"
import type { SkippedOutput, StepReport, Verdict } from "../domain/TaskResult.ts"
import type { SandboxOutcome } from "../Sandbox.ts"

/** What a sandboxed step reports, and the verdict it earns. */

export const toReport = (o: SandboxOutcome): StepReport => {
  const stdout = outputText(o.stdoutBytes)
  const stderr = outputText(o.stderrBytes)
  return {
    stdout: stdout.text,
    stderr: stderr.text,
    stdout_base64: stdout.base64,
    stderr_base64: stderr.base64,
    returncode: o.exitCode,
    signal: o.signal,
    limit: o.limit,
    stdout_truncated: o.stdoutTruncated,
    stderr_truncated: o.stderrTruncated,
    wall_time_ms: o.wallTimeMs,
    cpu_time_ms: o.cpuTimeMs,
    memory_peak_bytes: o.memoryPeakBytes
  }
}

export const verdictOf = (o: SandboxOutcome): Verdict => {
  switch (o.limit) {
    case "wall_time":
    case "cpu_time":
      return "time_limit"
    case "memory":
      return "memory_limit"
    case "output":
      return "output_limit"
    case null:
      return o.exitCode === 0 ? "ok" : "runtime_error"
  }
}

/** Entries listed in `skipped_outputs`; a program can leave any number, the result stays bounded. */
const listedSkippedOutputs = 100

/** The skipped outputs as the result lists them: the first ones, names cut to a file name's length. */
export const listSkippedOutputs = (skipped: ReadonlyArray<SkippedOutput>): ReadonlyArray<SkippedOutput> =>
  skipped.slice(0, listedSkippedOutputs).map((s) => ({ name: s.name.length > 255 ? `${s.name.slice(0, 255)}…` : s.name, reason: s.reason }))
