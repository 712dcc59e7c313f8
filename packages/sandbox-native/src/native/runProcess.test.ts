import { spawn } from "node:child_process"
import { describe, expect, it } from "vitest"
import { runProcess } from "./runProcess.ts"

/**
 * A stand-in launcher: it "sets up" for a moment, then reports a child on fd 3 the way bwrap's
 * --json-status-fd does, then "runs" until killed. Its cpu clock is simulated: one cpu ms per
 * wall ms from the start, so set-up alone would use up a small limit.
 */
const launcher = () =>
  spawn("/bin/bash", ["-c", `sleep 0.5; echo '{"child-pid": 7}' >&3; sleep 30`], { stdio: ["pipe", "pipe", "pipe", "pipe"] })

/** A bash script as the launcher, with limits it never meets. */
const runScript = (script: string) =>
  runProcess({
    child: spawn("/bin/bash", ["-c", script], { stdio: ["pipe", "pipe", "pipe", "pipe"] }),
    start: () => {},
    stdin: null,
    outputBytes: 1024,
    wallTimeMs: 60_000,
    cpuTimeMs: 60_000,
    cpuUsedMs: () => 0,
    killJob: () => {}
  }).done

describe("runProcess", () => {
  it("counts the cpu limit from the program's start, not from the sandbox's set-up", async () => {
    const t0 = performance.now()
    const running = runProcess({
      child: launcher(),
      start: () => {},
      stdin: null,
      outputBytes: 1024,
      wallTimeMs: 60_000,
      cpuTimeMs: 200,
      cpuUsedMs: () => Math.round(performance.now() - t0),
      killJob: () => {},
      pollMs: 10
    })
    const result = await running.done
    expect(result.started).toBe(true)
    expect(result.fired).toBe("cpu_time")
    expect(result.cpuBeforeStartMs).toBeGreaterThan(0)
  })

  it("tells where the step's time went: set-up until the child is named, the program, the pipes closing", async () => {
    const result = await runScript(`echo '{"child-pid": 7}' >&3; exit 3`)
    expect(result.exitCode).toBe(3)
    for (const phase of Object.values(result.phases)) expect(phase).toBeGreaterThanOrEqual(0)
  })

  it("has no program phase when the set-up never named a child", async () => {
    const result = await runScript("exit 1")
    expect(result.started).toBe(false)
    expect(result.phases).toMatchObject({ setUpMs: null, programMs: null })
    expect(result.phases.closeMs).toBeGreaterThanOrEqual(0)
  })
})
