import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { afterAll, beforeAll, describe, expect, layer } from "@effect/vitest"
import { Sandbox, type SandboxStep, standardLimits } from "@codebox/core"
import { dockerSkipReason } from "@codebox/test-support"
import { parentRoot } from "./docker/containerCgroup.ts"
import * as DockerSandbox from "./DockerSandbox.ts"

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))
const skip = dockerSkipReason(repoRoot)
if (skip !== null) console.warn(skip)

const image = "codebox/base:1"

/** The step parents left in any cgroup hierarchy (none once every step ended, with no other worker running). */
const ownParents = () =>
  fs
    .readdirSync("/sys/fs/cgroup")
    .flatMap((hierarchy) => {
      try {
        return fs.readdirSync(path.join("/sys/fs/cgroup", hierarchy, parentRoot))
      } catch {
        return []
      }
    })
    .filter((name) => /^[0-9a-f]{16}$/.test(name))

describe.skipIf(skip !== null)("DockerSandbox cgroup", () => {
  let hostDir: string
  beforeAll(() => {
    hostDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-docker-cgroup-"))
    fs.chmodSync(hostDir, 0o711)
    fs.mkdirSync(path.join(hostDir, "out"), { mode: 0o755 })
  })
  afterAll(() => fs.rmSync(hostDir, { recursive: true, force: true }))

  const sh = (script: string, limits: Partial<SandboxStep["limits"]> = {}): SandboxStep => ({
    argv: ["/bin/sh", "-c", script],
    stdin: null,
    env: {},
    cwd: "/box/out",
    mounts: [{ hostPath: path.join(hostDir, "out"), sandboxPath: "/box/out", writable: true }],
    limits: { ...standardLimits, wall_time_ms: 30_000, ...limits },
    runtime: { image, dockerfile: "", nativePaths: [], env: {}, debianPackages: [] }
  })

  layer(DockerSandbox.layer(), { excludeTestServices: true })((it) => {
    it.effect(
      "limits the cpu time of the whole container: children run one after another share the limit",
      () =>
        Effect.gen(function* () {
          const sandbox = yield* Sandbox
          // Each child stays under the 1 s rlimit; together they use several seconds.
          const outcome = yield* sandbox.run(
            sh("for i in 1 2 3 4 5 6 7 8; do timeout 0.8 sh -c 'while :; do :; done'; done; echo survived", { cpu_time_ms: 1000 })
          )
          expect(outcome.stdout).not.toContain("survived")
          expect(outcome.limit).toBe("cpu_time")
          expect(outcome.signal).toBe("SIGKILL")
          expect(outcome.cpuTimeMs).toBeGreaterThanOrEqual(1000)
          expect(ownParents()).toEqual([])
        }),
      60_000
    )

    it.effect("reports the container's cpu time and peak memory", () =>
      Effect.gen(function* () {
        const sandbox = yield* Sandbox
        const outcome = yield* sandbox.run(sh("head -c 40000000 /dev/zero | od > /dev/null; echo done"))
        expect(outcome).toMatchObject({ exitCode: 0, limit: null, stdout: "done\n" })
        expect(outcome.cpuTimeMs).toBeGreaterThan(0)
        expect(outcome.memoryPeakBytes).toBeGreaterThan(1024 * 1024)
        expect(ownParents()).toEqual([])
      })
    )
  })
})
