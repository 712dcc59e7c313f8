import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, layer } from "@effect/vitest"
import { Sandbox, type SandboxStep, standardLimits } from "@codebox/core"
import { dockerSkipReason } from "@codebox/test-support"
import * as DockerSandbox from "./DockerSandbox.ts"

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))
const skip = dockerSkipReason(repoRoot)
if (skip !== null) console.warn(skip)

const MiB = 1024 * 1024
const image = "codebox/base:1"

describe.skipIf(skip !== null)("DockerSandbox staging", () => {
  let hostDir: string
  beforeAll(() => {
    hostDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-docker-neighbours-"))
    fs.chmodSync(hostDir, 0o711)
    for (const name of ["hog", "neighbour"]) fs.mkdirSync(path.join(hostDir, name), { mode: 0o755 })
  })
  afterAll(() => fs.rmSync(hostDir, { recursive: true, force: true }))

  const step = (out: string, script: string, maxCopyBytes: number): SandboxStep => ({
    argv: ["/bin/sh", "-c", script],
    stdin: null,
    env: {},
    cwd: "/box/out",
    mounts: [{ hostPath: path.join(hostDir, out), sandboxPath: "/box/out", writable: true, maxCopyBytes }],
    limits: { ...standardLimits, wall_time_ms: 20_000, memory_mb: 256, file_size_mb: 64 },
    runtime: { image, dockerfile: "", nativePaths: [], env: {}, debianPackages: [] }
  })

  // A small shared staging tmpfs: before each step had an area of its own, the hog filled this one
  // and its neighbour's write failed with ENOSPC.
  layer(DockerSandbox.layer({ stagingMb: 32 }), { excludeTestServices: true })((it) => {
    it.effect(
      "a step that fills its staging area gets output_limit, and a neighbour running beside it keeps its room",
      () =>
        Effect.gen(function* () {
          const sandbox = yield* Sandbox
          // Writes 1 MiB files until a write fails, then stays, holding what it wrote.
          const hog = step("hog", "i=0; while head -c 1048576 /dev/zero > fill-$i; do i=$((i+1)); done; echo full; sleep 3", 8 * MiB)
          // Starts writing once the hog has had time to fill whatever it can.
          const neighbour = step("neighbour", "sleep 1.5; head -c 4000000 /dev/zero > mine.bin && echo wrote", 16 * MiB)
          const [hogOutcome, neighbourOutcome] = yield* Effect.all([sandbox.run(hog), sandbox.run(neighbour)], { concurrency: 2 })
          expect(hogOutcome.stdout).toBe("full\n")
          expect(hogOutcome.limit).toBe("output")
          expect(hogOutcome.stderr).not.toMatch(/\/run\/|codebox/)
          expect(neighbourOutcome.stderr).toBe("")
          expect(neighbourOutcome).toMatchObject({ exitCode: 0, limit: null, stdout: "wrote\n" })
          expect(fs.statSync(path.join(hostDir, "neighbour", "mine.bin")).size).toBe(4_000_000)
          const hogFiles = fs.readdirSync(path.join(hostDir, "hog")).map((name) => fs.statSync(path.join(hostDir, "hog", name)).size)
          expect(hogFiles.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(8 * MiB)
        }),
      60_000
    )
  })
})
