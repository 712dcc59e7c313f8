import { spawn } from "node:child_process"
import { randomBytes } from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { Effect, Layer } from "effect"
import { Sandbox, type SandboxOutcome, type SandboxStep, SandboxPaths } from "@codebox/core"
import { makeSafetyCgroup, type SafetyCgroup } from "./safetyCgroup.ts"

/**
 * A Sandbox WITHOUT isolation, on purpose: the hostile suite runs against it to show that each of
 * its isolation cases fails when nothing isolates the job (a test that cannot fail proves nothing).
 * A step runs as root, with the host's network, processes, files and environment (the test
 * process's, merged with the step's), no limit and no verdict of a limit, and an extra descriptor
 * left open (as a server started by something that leaks one). Only a mount namespace exists, to
 * put the job's directories at /box as the plugins' argv expects.
 *
 * What keeps the host safe while it runs: a cgroup far above any job's limits (processes, memory),
 * /tmp replaced by one small tmpfs shared by every step (as a host's /tmp is shared), a kill of
 * the step's cgroup after a generous wall time (reported as a plain signal, not a limit), output
 * kept up to 1 MiB a stream. The work root for job directories should be a small tmpfs too (the
 * test mounts one). `cleanup` ends whatever a step left, between cases.
 */
export interface UnisolatedSandbox {
  readonly layer: Layer.Layer<Sandbox>
  /** Processes steps left running (daemons, bombs), described; empty when none. */
  leftovers(): ReadonlyArray<string>
  /** Kills what steps left and empties the shared /tmp. */
  cleanup(): Promise<void>
  close(): Promise<void>
}

const keptBytes = 1024 * 1024
const safetyWallMs = 5_000

export const makeUnisolatedSandbox = (options: { readonly sharedTmp: string }): UnisolatedSandbox => {
  const cgroups = new Set<SafetyCgroup>()
  let steps = 0
  for (const dir of Object.values(SandboxPaths)) fs.mkdirSync(dir, { recursive: true })

  const runStep = (step: SandboxStep) =>
    Effect.callback<SandboxOutcome>((resume) => {
      const cgroup = makeSafetyCgroup(`s${process.pid}-${++steps}-${randomBytes(3).toString("hex")}`, {
        pids: 512,
        memoryBytes: 1024 * 1024 * 1024
      })
      cgroups.add(cgroup)
      const binds = step.mounts.flatMap((m) => [m.writable ? "--bind" : "--ro-bind", m.hostPath, m.sandboxPath])
      const join = cgroup.procsFiles.map((f) => `echo $$ > ${f}`).join("; ")
      const started = Date.now()
      const child = spawn(
        "/bin/sh",
        [
          "-c",
          `${join}; exec "$0" "$@"`,
          "bwrap",
          "--dev-bind",
          "/",
          "/",
          "--bind",
          options.sharedTmp,
          "/tmp",
          ...binds,
          "--chdir",
          step.cwd,
          "--",
          ...step.argv
        ],
        // Descriptor 3: a pipe left open into the job, as one a server inherited would be.
        { env: { ...process.env, ...step.env }, stdio: ["pipe", "pipe", "pipe", "pipe"] }
      )
      const streams = { stdout: [] as Array<Buffer>, stderr: [] as Array<Buffer> }
      const sizes = { stdout: 0, stderr: 0 }
      for (const name of ["stdout", "stderr"] as const) {
        child[name].on("data", (chunk: Buffer) => {
          if (sizes[name] < keptBytes) streams[name].push(chunk)
          sizes[name] += chunk.length
        })
      }
      child.stdin.on("error", () => {})
      child.stdin.end(step.stdin ?? "")
      const safety = setTimeout(() => void cgroup.destroy(), Math.min(step.limits.wall_time_ms + 2000, safetyWallMs))
      child.on("exit", (code, signal) => {
        clearTimeout(safety)
        // A daemon may hold the pipes open: what was printed until the program exited is enough.
        setTimeout(() => {
          const bytes = (name: "stdout" | "stderr") => new Uint8Array(Buffer.concat(streams[name]).subarray(0, keptBytes))
          const stdoutBytes = bytes("stdout")
          const stderrBytes = bytes("stderr")
          child.stdout.destroy()
          child.stderr.destroy()
          resume(
            Effect.succeed({
              exitCode: code,
              signal,
              stdout: Buffer.from(stdoutBytes).toString("utf8"),
              stderr: Buffer.from(stderrBytes).toString("utf8"),
              stdoutBytes,
              stderrBytes,
              stdoutTruncated: sizes.stdout > keptBytes,
              stderrTruncated: sizes.stderr > keptBytes,
              wallTimeMs: Date.now() - started,
              cpuTimeMs: null,
              memoryPeakBytes: null,
              limit: null
            })
          )
        }, 50)
      })
      // Cancellation: the step's processes are killed, the way any runner would.
      return Effect.promise(() => cgroup.destroy())
    })

  const cleanup = async () => {
    for (const cgroup of cgroups) await cgroup.destroy()
    cgroups.clear()
    for (const entry of fs.readdirSync(options.sharedTmp)) fs.rmSync(path.join(options.sharedTmp, entry), { recursive: true, force: true })
  }

  return {
    layer: Layer.succeed(Sandbox, Sandbox.of({ name: "unisolated", run: runStep, check: Effect.void })),
    leftovers: () => [...cgroups].flatMap((cgroup) => cgroup.pids().map((pid) => `process ${pid} left by a step`)),
    cleanup,
    close: cleanup
  }
}
