import { outputText } from "../domain/OutputText.ts"
import type { StepReport, Verdict } from "../domain/TaskResult.ts"
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

/** Names listed in `error` for refused output files; the rest are counted, so the text stays bounded. */
const listedSkippedFiles = 20

/** The `error` of a result whose output files were not all kept: bounded whatever the program made. */
export const skippedFilesError = (skipped: ReadonlyArray<string>): string => {
  const listed = skipped.slice(0, listedSkippedFiles).map((s) => (s.length > 200 ? `${s.slice(0, 200)}…` : s))
  const more = skipped.length - listed.length
  return `output files not kept: ${listed.join(", ")}${more > 0 ? ` and ${more} more` : ""}`
}
