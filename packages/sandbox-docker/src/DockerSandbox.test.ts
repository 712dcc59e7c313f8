import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import Docker from "dockerode"
import { Effect, Fiber } from "effect"
import { afterAll, beforeAll, describe, expect, layer } from "@effect/vitest"
import { standardLimits, Sandbox, type SandboxStep } from "@codebox/core"
import { dockerSkipReason } from "@codebox/test-support"
import { Labels } from "./docker/containerSpec.ts"
import * as DockerSandbox from "./DockerSandbox.ts"

const repoRoot = fileURLToPath(new URL("../../../../", import.meta.url))
const skip = dockerSkipReason(repoRoot)
if (skip !== null) console.warn(skip)

// The shared base image has a shell and coreutils, enough to probe the container from inside.
const image = "codebox/base:1"
const docker = new Docker()
const ownContainers = () =>
  docker.listContainers({ all: true, filters: { label: [`${Labels.host}=${os.hostname()}`, `${Labels.pid}=${process.pid}`] } })

describe.skipIf(skip !== null)(
  "DockerSandbox",
  () => {
    let dir: string
    const run = (step: Partial<SandboxStep> & Pick<SandboxStep, "argv">) =>
      Effect.gen(function* () {
        const sandbox = yield* Sandbox
        return yield* sandbox.run({
          stdin: null,
          env: {},
          cwd: "/box/out",
          mounts: [
            { hostPath: path.join(dir, "in"), sandboxPath: "/box/in", writable: false },
            { hostPath: path.join(dir, "out"), sandboxPath: "/box/out", writable: true }
          ],
          limits: { ...standardLimits, wall_time_ms: 10_000 },
          runtime: { image, dockerfile: "", nativePaths: [], env: {}, debianPackages: [] },
          ...step
        })
      })
    const sh = (script: string, step: Partial<SandboxStep> = {}) => run({ argv: ["/bin/sh", "-c", script], ...step })

    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-docker-test-"))
      fs.chmodSync(dir, 0o711)
      fs.mkdirSync(path.join(dir, "in"), { mode: 0o755 })
      fs.mkdirSync(path.join(dir, "out"), { mode: 0o755 })
      fs.writeFileSync(path.join(dir, "in", "data.txt"), "input data\n", { mode: 0o644 })
    })
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

    // One sandbox for the suite; excludeTestServices keeps the live clock (real containers, real wall-time limits).
    layer(DockerSandbox.layer(), { excludeTestServices: true })((it) => {
      it.effect("names no host path of its mounts, not even in /proc/self/mountinfo", () =>
        Effect.gen(function* () {
          const outcome = yield* sh("cat /proc/self/mountinfo")
          expect(outcome.stdout).toContain(" /box/in ")
          expect(outcome.stdout).not.toContain(path.basename(dir))
        })
      )

      it.effect("runs user code hardened: non-root, no capabilities, no new privileges, read-only root, no network", () =>
        Effect.gen(function* () {
          const outcome = yield* sh(
            [
              "id -u; id -g",
              "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status",
              "touch /usr/x 2>/dev/null && echo root-writable || echo root-read-only",
              "tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' '",
              "cat /proc/self/mountinfo | grep ' /tmp ' | grep -o 'noexec'",
              "echo sys: $(ls -A /sys | wc -l)",
              "cat /etc/resolv.conf /etc/hostname 2>/dev/null || echo host-facts-unreadable"
            ].join("; ")
          )
          expect(outcome.stderr).toBe("")
          expect(outcome.stdout.split("\n")).toEqual([
            "1000",
            "1000",
            "CapEff:\t0000000000000000",
            "NoNewPrivs:\t1",
            "root-read-only",
            "lo",
            "noexec",
            "sys: 0",
            "host-facts-unreadable",
            ""
          ])
          expect(outcome).toMatchObject({ exitCode: 0, signal: null, limit: null })
        })
      )

      it.effect("passes stdin, the step's env (and only it), cwd and exit code", () =>
        Effect.gen(function* () {
          const outcome = yield* sh("cat; pwd; env | sort; exit 7", { stdin: "from stdin\n", env: { GREETING: "hi" } })
          expect(outcome.exitCode).toBe(7)
          const lines = outcome.stdout.split("\n")
          expect(lines.slice(0, 2)).toEqual(["from stdin", "/box/out"])
          expect(lines).toContain("GREETING=hi")
          expect(lines).toContain("HOME=/tmp")
          expect(lines.some((line) => line.startsWith("CODEBOX") || line.startsWith("NODE_EXTRA"))).toBe(false)
          expect(outcome.wallTimeMs).toBeGreaterThan(0)
        })
      )

      it.effect("mounts inputs read-only and the out directory writable for the sandbox user", () =>
        Effect.gen(function* () {
          const outcome = yield* sh(
            "cat /box/in/data.txt; echo x > /box/in/new 2>/dev/null || echo in-read-only; echo made > /box/out/made.txt"
          )
          expect(outcome.stdout).toBe("input data\nin-read-only\n")
          expect(fs.readFileSync(path.join(dir, "out", "made.txt"), "utf8")).toBe("made\n")
          expect(fs.existsSync(path.join(dir, "in", "new"))).toBe(false)
        })
      )

      it.effect("bounds what writable mounts can hold by the step's own staging tmpfs, not the host's disk", () =>
        Effect.gen(function* () {
          const outcome = yield* sh("echo kept > /box/out/kept.txt; head -c 8000000 /dev/zero > /box/out/big || echo full", {
            mounts: [{ hostPath: path.join(dir, "out"), sandboxPath: "/box/out", writable: true, maxCopyBytes: 4 * 1024 * 1024 }]
          })
          expect(outcome.stdout).toBe("full\n")
          expect(outcome.stderr).toMatch(/No space left/)
          expect(outcome.limit).toBe("output")
          // Results come back to the host directory, as root's, never through a link.
          expect(fs.readFileSync(path.join(dir, "out", "kept.txt"), "utf8")).toBe("kept\n")
          expect(fs.existsSync(path.join(dir, "out", "big"))).toBe(false)
        })
      )

      it.effect("kills a sleeper at the wall limit and reports wall_time", () =>
        Effect.gen(function* () {
          const outcome = yield* sh("echo before; sleep 60", { limits: { ...standardLimits, wall_time_ms: 1000 } })
          expect(outcome).toMatchObject({ stdout: "before\n", signal: "SIGKILL", exitCode: null, limit: "wall_time" })
        })
      )

      it.effect("stops a flood at the output cap, keeping what came before", () =>
        Effect.gen(function* () {
          const outcome = yield* sh("yes", { limits: { ...standardLimits, output_bytes: 4096 } })
          expect(outcome.limit).toBe("output")
          expect(outcome.stdoutTruncated).toBe(true)
          expect(outcome.stdout).toBe("y\n".repeat(2048))
        })
      )

      it.effect("reports an OOM kill as the memory limit", () =>
        Effect.gen(function* () {
          const outcome = yield* sh("x=$(head -c 200000000 /dev/zero | tr '\\0' a); echo survived", {
            limits: { ...standardLimits, memory_mb: 32 }
          })
          expect(outcome.limit, outcome.stderr).toBe("memory")
          expect(outcome.stdout).not.toContain("survived")
        })
      )

      it.effect("reports a busy loop past the cpu rlimit as cpu_time", () =>
        Effect.gen(function* () {
          const outcome = yield* sh("while :; do :; done", { limits: { ...standardLimits, cpu_time_ms: 1000, wall_time_ms: 20_000 } })
          // The container's cgroup total (the watchdog's SIGKILL) or the process's rlimit (SIGXCPU), whichever is first.
          expect(outcome.limit).toBe("cpu_time")
          expect(["SIGKILL", "SIGXCPU"]).toContain(outcome.signal)
        })
      )

      it.effect("stops a fork bomb at the pids limit", () =>
        Effect.gen(function* () {
          const outcome = yield* sh("for i in $(seq 40); do sleep 5 & done 2>&1; echo done", {
            limits: { ...standardLimits, processes: 8 }
          })
          expect(outcome.stdout + outcome.stderr).toMatch(/fork|Resource temporarily unavailable/i)
        })
      )

      it.effect("removes the container when the calling fiber is interrupted", () =>
        Effect.gen(function* () {
          const sandbox = yield* Sandbox
          const fiber = yield* Effect.forkChild(
            sandbox.run({
              argv: ["/bin/sleep", "60"],
              stdin: null,
              env: {},
              cwd: "/",
              mounts: [],
              limits: { ...standardLimits, wall_time_ms: 60_000 },
              runtime: { image, dockerfile: "", nativePaths: [], env: {}, debianPackages: [] }
            })
          )
          // Wait until it is running, then cancel it.
          for (let i = 0; i < 100 && (yield* Effect.promise(ownContainers)).every((c) => c.State !== "running"); i++) {
            yield* Effect.sleep(100)
          }
          expect((yield* Effect.promise(ownContainers)).map((c) => c.State)).toEqual(["running"])
          yield* Fiber.interrupt(fiber)
          expect(yield* Effect.promise(ownContainers)).toEqual([])
        })
      )

      it.effect("sweeps a dead worker's leftover container when it starts", () =>
        Effect.gen(function* () {
          const dead = fs.readFileSync("/proc/sys/kernel/pid_max", "utf8").trim() // no process has pid_max
          const leftover = yield* Effect.promise(() =>
            docker.createContainer({
              Image: image,
              Cmd: ["/bin/sleep", "60"],
              Labels: {
                [Labels.sandbox]: "1",
                [Labels.host]: os.hostname(),
                [Labels.pid]: dead,
                [Labels.deadline]: String(Date.now() + 600_000)
              },
              HostConfig: { NetworkMode: "none" }
            })
          )
          yield* Effect.promise(() => leftover.start())
          yield* Effect.provide(Effect.void, DockerSandbox.layer())
          yield* Effect.promise(() => expect(leftover.inspect()).rejects.toMatchObject({ statusCode: 404 }))
        })
      )

      it.effect("fails with a SandboxError naming the image when it is missing", () =>
        Effect.gen(function* () {
          const sandbox = yield* Sandbox
          const result = yield* sandbox
            .run({
              argv: ["/bin/true"],
              stdin: null,
              env: {},
              cwd: "/",
              mounts: [],
              limits: standardLimits,
              runtime: { image: "codebox/no-such-image:0", dockerfile: "", nativePaths: [], env: {}, debianPackages: [] }
            })
            .pipe(Effect.flip)
          expect(result._tag).toBe("SandboxError")
          expect(result.message).toContain("codebox/no-such-image:0")
        })
      )

      it("leaves no container behind", async () => {
        expect(await ownContainers()).toEqual([])
      })
    })
  },
  60_000
)
