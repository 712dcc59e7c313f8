import { constants } from "node:os"
import type { LimitFired } from "@codebox/core"

/** Why the sandbox itself stopped a container before it exited on its own (cpu_time: its cgroup's total). */
export type StopReason = "wall_time" | "cpu_time" | "output"

export interface ContainerEnd {
  /** State.ExitCode from inspect: 128 + n when signal n ended the program (reported by the init). */
  readonly exitCode: number
  readonly oomKilled: boolean
  readonly stopReason: StopReason | null
  readonly wallTimeMs: number
  /** The cpu rlimit in seconds: a SIGKILL after at least this long is the hard cpu limit. */
  readonly cpuLimitSeconds: number
}

export interface ExitStatus {
  readonly exitCode: number | null
  readonly signal: string | null
  readonly limit: LimitFired | null
}

const signalNames = new Map<number, string>(Object.entries(constants.signals).map(([name, number]) => [number, name]))

/**
 * Exit code, signal and the limit that fired, from how a container ended. Docker reports a
 * program killed by signal n as exit code 128 + n, so a program that itself exits with 137 reads
 * as SIGKILL; that ambiguity is Docker's, and a shell reports it the same way.
 * Which limit fired is decided by what the sandbox saw, not by the exit code alone: its own timer
 * and output cap, the kernel's OOM flag, and SIGXCPU (the soft cpu rlimit) or a SIGKILL that came
 * after the cpu limit had passed (the hard one, when the program caught SIGXCPU).
 */
export const exitStatusOf = (end: ContainerEnd): ExitStatus => {
  const signalNumber = end.exitCode > 128 && end.exitCode < 128 + 65 ? end.exitCode - 128 : null
  const signal = signalNumber === null ? null : (signalNames.get(signalNumber) ?? `SIG${signalNumber}`)
  const exitCode = signal === null ? end.exitCode : null
  const limit = ((): LimitFired | null => {
    if (end.stopReason !== null) return end.stopReason
    if (end.oomKilled) return "memory"
    if (signal === "SIGXCPU") return "cpu_time"
    if (signal === "SIGKILL" && end.wallTimeMs >= end.cpuLimitSeconds * 1000) return "cpu_time"
    return null
  })()
  return { exitCode, signal, limit }
}

/** Milliseconds between two RFC 3339 times with nanoseconds, as Docker's State reports them. */
export const elapsedMs = (startedAt: string, finishedAt: string): number | null => {
  const start = preciseMs(startedAt)
  const end = preciseMs(finishedAt)
  if (start === null || end === null || end < start) return null
  return Math.round((end - start) * 10) / 10
}

const preciseMs = (time: string): number | null => {
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time)
  if (match === null) return null
  const whole = Date.parse(`${match[1]}${match[3]}`)
  if (Number.isNaN(whole) || whole <= 0) return null
  const fraction = match[2] === undefined ? 0 : Number(`0.${match[2]}`) * 1000
  return whole + fraction
}
