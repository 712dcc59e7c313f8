import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, expect, layer } from "@effect/vitest"
import { Sandbox, standardLimits, type SandboxStep } from "@codebox/core"
import * as NativeSandbox from "./NativeSandbox.ts"

let hostDir: string
beforeAll(() => {
  hostDir = fs.mkdtempSync(path.join(os.tmpdir(), "host-only-name-"))
  fs.mkdirSync(path.join(hostDir, "in"))
  fs.mkdirSync(path.join(hostDir, "out"))
  fs.writeFileSync(path.join(hostDir, "in", "data.txt"), "input bytes")
})
afterAll(() => fs.rmSync(hostDir, { recursive: true, force: true }))

const step = (argv: ReadonlyArray<string>): SandboxStep => ({
  argv,
  stdin: null,
  env: {},
  cwd: "/box/out",
  mounts: [
    { hostPath: path.join(hostDir, "in"), sandboxPath: "/box/in", writable: false },
    { hostPath: path.join(hostDir, "out"), sandboxPath: "/box/out", writable: true }
  ],
  limits: { ...standardLimits, wall_time_ms: 10_000 },
  runtime: { image: "", dockerfile: "", nativePaths: [], env: {}, debianPackages: [] }
})

const run = (argv: ReadonlyArray<string>) => Sandbox.use((sandbox) => sandbox.run(step(argv)))

// One sandbox for the suite; excludeTestServices keeps the live clock (real processes, real wall-time limits).
layer(NativeSandbox.layer(), { excludeTestServices: true })("NativeSandbox mounts", (it) => {
  it.effect("shows no host path inside, not even in /proc/self/mountinfo", () =>
    Effect.gen(function* () {
      const outcome = yield* run(["/usr/bin/cat", "/proc/self/mountinfo"])
      expect(outcome.exitCode, outcome.stderr).toBe(0)
      expect(outcome.stdout).toContain(" /box/in ")
      expect(outcome.stdout).not.toContain(path.basename(hostDir))
      expect(outcome.stdout).not.toContain(`${os.tmpdir()}/`)
    })
  )

  it.effect("reads read-only mounts, refuses writes to them, and brings back what is written to writable ones", () =>
    Effect.gen(function* () {
      const outcome = yield* run([
        "/usr/bin/sh",
        "-c",
        "cat /box/in/data.txt; echo x > /box/in/new.txt || echo refused; echo written > /box/out/result.txt"
      ])
      expect(outcome.stdout).toBe("input bytesrefused\n")
      expect(fs.existsSync(path.join(hostDir, "in", "new.txt"))).toBe(false)
      expect(fs.readFileSync(path.join(hostDir, "out", "result.txt"), "utf8")).toBe("written\n")
    })
  )

  it.effect("a wall time that ends before the program even starts is a wall_time limit, not a sandbox failure", () =>
    Effect.gen(function* () {
      const outcome = yield* Sandbox.use((sandbox) =>
        sandbox.run({ ...step(["/usr/bin/true"]), limits: { ...standardLimits, wall_time_ms: 1 } })
      )
      expect(outcome.limit).toBe("wall_time")
      expect(outcome.signal).toBe("SIGKILL")
    })
  )
})
