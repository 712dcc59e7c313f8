import { spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect } from "effect"
import { afterAll, beforeAll, expect, it, layer } from "@effect/vitest"
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

  it.effect("shows no disk of the host in mountinfo: /usr and /etc from overlays, /dev nodes from a tmpfs, and they work", () =>
    Effect.gen(function* () {
      const outcome = yield* run(["/usr/bin/cat", "/proc/self/mountinfo"])
      const rootSource = fs
        .readFileSync("/proc/self/mountinfo", "utf8")
        .split("\n")
        .find((line) => line.split(" ")[4] === "/")!
        .split(" - ")[1]!
        .split(" ")[1]!
      const fields = (target: string) =>
        outcome.stdout
          .split("\n")
          .find((line) => line.split(" ")[4] === target)
          ?.split(" - ")[1]
      expect(fields("/usr")).toBe("overlay overlay ro,lowerdir=usr:empty,redirect_dir=on")
      expect(fields("/etc/ld.so.cache")).toMatch(/^overlay overlay ro,lowerdir=etc:empty/)
      expect(fields("/dev/null")).toBe("tmpfs tmpfs rw,size=4k,nr_inodes=16,mode=755")
      expect(outcome.stdout).not.toContain(" - devtmpfs ")
      if (rootSource.startsWith("/dev/")) expect(outcome.stdout).not.toContain(` ${rootSource} `)
      const devices = yield* run([
        "/usr/bin/sh",
        "-c",
        "echo x > /dev/null && head -c 5 /dev/urandom | wc -c && head -c 2 /dev/zero | od -An -tx1 && ls /dev | tr '\\n' ' '"
      ])
      expect(devices.stdout, devices.stderr).toBe("5\n 00 00\nfd full null random shm stderr stdin stdout tty urandom zero ")
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

layer(NativeSandbox.layer(), { excludeTestServices: true })("NativeSandbox: nothing of the host", (it) => {
  it.effect("mountinfo and /proc/1/cmdline (bwrap's argv) name no host path and not this process's pid", () =>
    Effect.gen(function* () {
      const outcome = yield* run(["/usr/bin/sh", "-c", "cat /proc/self/mountinfo; tr '\\0' ' ' < /proc/1/cmdline"])
      expect(outcome.exitCode, outcome.stderr).toBe(0)
      expect(outcome.stdout).toContain("/usr/bin/bwrap --args 6")
      for (const hostDetail of [`${process.pid}-`, `j${process.pid}`, "/run/codebox", "codebox-native", path.basename(hostDir)]) {
        expect(outcome.stdout, hostDetail).not.toContain(hostDetail)
      }
    })
  )

  it.effect("runs every step under the seccomp filter", () =>
    Effect.gen(function* () {
      const outcome = yield* run(["/usr/bin/grep", "^Seccomp:", "/proc/self/status"])
      expect(outcome.stdout).toBe("Seccomp:\t2\n")
    })
  )
})

it.effect("refuses to start without its seccomp filter, naming the command that builds it", () =>
  Effect.gen(function* () {
    const error = yield* NativeSandbox.make({ seccompFilter: "/nonexistent/codebox.bpf" }).pipe(Effect.scoped, Effect.flip)
    expect(error.message).toMatch(/seccomp filter \/nonexistent\/codebox\.bpf is missing; build it as root with: .*build\.sh \/nonexistent/)
  })
)

it("a descriptor the server inherited without close-on-exec does not reach the job", { timeout: 60_000 }, () => {
  // Node opens everything close-on-exec, so the server is started the way a careless parent would:
  // a shell leaves fd 251 open on a file for it. The child lists the job's descriptors.
  const marker = path.join(hostDir, "inherited-by-the-server")
  const child = spawnSync(
    "/bin/bash",
    ["-c", `exec "$0" "$1" 251>"$2"`, process.execPath, path.join(import.meta.dirname, "native", "listJobFds.fixture.ts"), marker],
    { encoding: "utf8", cwd: path.resolve(import.meta.dirname, "..") }
  )
  expect(child.status, child.stderr).toBe(0)
  const [server, job] = child.stdout.trim().split("\n")
  // The control: the server itself does hold the descriptor.
  expect(server).toContain("251")
  expect(job).toBe("0 1 2")
})

it("kernel keyring: a key one job adds to the session keyring the server holds is not there for the next job", { timeout: 60_000 }, () => {
  // The server joins a session keyring of its own first, then becomes node (python's ctypes makes
  // the keyctl call); every job inherits that keyring, whatever its uid.
  const joinThenRun = [
    "import ctypes, os, sys",
    "ctypes.CDLL(None).syscall(ctypes.c_long(250), ctypes.c_long(1), b'codebox-server')",
    "os.execv(sys.argv[1], sys.argv[1:])"
  ].join("\n")
  const run = (filter: "on" | "off") => {
    const fixture = path.join(import.meta.dirname, "native", "keyringAcrossJobs.fixture.ts")
    const child = spawnSync("/usr/bin/python3", ["-c", joinThenRun, process.execPath, fixture, filter], {
      encoding: "utf8",
      cwd: path.resolve(import.meta.dirname, "..")
    })
    expect(child.status, child.stderr).toBe(0)
    return child.stdout.trim().split("\n")
  }
  // The control: without the filter the second job, with the same uid, reads the first one's key.
  const [addedBy, readBy] = run("off").map((line) => line.split(" "))
  expect(addedBy![1]).toBe("added")
  expect(readBy).toEqual([addedBy![0], "secret-from-job-1"])
  // With it, the key calls are refused and nothing crosses.
  const [added, read] = run("on").map((line) => line.split(" "))
  expect(added!.slice(1).join(" ")).toBe("Operation not permitted")
  expect(read).toEqual([added![0], "none"])
})
