import { describe, expect, it } from "vitest"
import { type ContainerEnd, elapsedMs, exitStatusOf } from "./exitStatus.ts"

const end = (partial: Partial<ContainerEnd>): ContainerEnd => ({
  exitCode: 0,
  oomKilled: false,
  stopReason: null,
  wallTimeMs: 50,
  cpuLimitSeconds: 2,
  ...partial
})

describe("exitStatusOf", () => {
  it("reports a plain exit code with no signal and no limit", () => {
    expect(exitStatusOf(end({ exitCode: 3 }))).toEqual({ exitCode: 3, signal: null, limit: null })
  })

  it("reads 128 + n as signal n", () => {
    expect(exitStatusOf(end({ exitCode: 139 }))).toEqual({ exitCode: null, signal: "SIGSEGV", limit: null })
  })

  it("names the limit the sandbox itself enforced, before what the exit code says", () => {
    expect(exitStatusOf(end({ exitCode: 137, stopReason: "wall_time" })).limit).toBe("wall_time")
    expect(exitStatusOf(end({ exitCode: 137, stopReason: "output", oomKilled: true })).limit).toBe("output")
  })

  it("reports the kernel's OOM kill as the memory limit", () => {
    expect(exitStatusOf(end({ exitCode: 137, oomKilled: true }))).toEqual({ exitCode: null, signal: "SIGKILL", limit: "memory" })
  })

  it("reports SIGXCPU, or a SIGKILL after the cpu limit passed, as the cpu limit", () => {
    expect(exitStatusOf(end({ exitCode: 152 })).limit).toBe("cpu_time")
    expect(exitStatusOf(end({ exitCode: 137, wallTimeMs: 3000 })).limit).toBe("cpu_time")
    // A program that kills itself early is not a cpu limit.
    expect(exitStatusOf(end({ exitCode: 137, wallTimeMs: 100 })).limit).toBe(null)
  })
})

describe("elapsedMs", () => {
  it("keeps the sub-millisecond part of Docker's nanosecond times", () => {
    expect(elapsedMs("2024-05-01T10:00:00.100000000Z", "2024-05-01T10:00:01.350500000Z")).toBe(1250.5)
  })

  it("refuses Docker's zero time and times that run backwards", () => {
    expect(elapsedMs("0001-01-01T00:00:00Z", "2024-05-01T10:00:00Z")).toBe(null)
    expect(elapsedMs("2024-05-01T10:00:01Z", "2024-05-01T10:00:00Z")).toBe(null)
    expect(elapsedMs("yesterday", "2024-05-01T10:00:00Z")).toBe(null)
  })
})
