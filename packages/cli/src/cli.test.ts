import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { engineLayer } from "@codebox/server"
import { type RunningServer, startServer } from "@codebox/server/test-support/harness"
import { scriptedPrograms } from "@codebox/server/test-support/scripted"
import { builtInLanguages as plugins } from "@codebox/test-support"
import { Redacted } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"

/**
 * The `codebox` command as a user runs it (a child process, stdout and stderr not terminals) against
 * a real server on loopback, whose sandbox is scripted (test-support/scriptedPrograms: `print`,
 * `echo-stdin`, `copy`, `exit` lines) so the test needs no language runtime.
 */
const main = path.join(import.meta.dirname, "main.ts")

const codebox = (args: ReadonlyArray<string>, env: Record<string, string>, cwd: string) =>
  new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(process.execPath, [main, ...args], { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8")
    })
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8")
    })
    child.on("error", reject)
    child.on("close", (code) => resolve({ code, stdout, stderr }))
  })

describe("the codebox command against a real server", () => {
  let server: RunningServer
  let dir: string
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, scriptedPrograms().layer), { maxWaitSeconds: 30 })
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-cli-"))
  })
  afterAll(async () => {
    await server.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })
  const env = () => ({ CODEBOX_URL: server.url })

  it("runs a file with an input and stdin, prints its output, downloads its OUT_ files (named without the prefix) and exits with its code", {
    timeout: 60_000
  }, async () => {
    fs.writeFileSync(path.join(dir, "prog.py"), "print hello from the program\necho-stdin\ncopy IN_1 OUT_copy.txt\nexit 42\n")
    fs.writeFileSync(path.join(dir, "data.txt"), "the input file\n")
    fs.writeFileSync(path.join(dir, "stdin.txt"), "from stdin\n")
    const out = path.join(dir, "results")
    const result = await codebox(["run", "prog.py", "--in", "data.txt", "--stdin", "stdin.txt", "--out", out], env(), dir)
    expect(result.stderr).toBe("") // not a terminal: no progress line
    expect(result.stdout).toBe("hello from the program\nfrom stdin\n")
    expect(result.code).toBe(42)
    expect(fs.readFileSync(path.join(out, "copy.txt"), "utf8")).toBe("the input file\n")
  })

  it("prints the final result as JSON with --json, and reads status and result by id", { timeout: 60_000 }, async () => {
    fs.writeFileSync(path.join(dir, "ok.py"), "print fine\n")
    const run = await codebox(["run", "ok.py", "--json"], env(), dir)
    expect(run.code).toBe(0)
    const body = JSON.parse(run.stdout)
    expect(body).toMatchObject({ status: "SUCCESS", result: { stdout: "fine\n", returncode: 0 } })
    const status = await codebox(["status", body.task_id], env(), dir)
    expect(status).toMatchObject({ code: 0, stdout: "SUCCESS\n" })
    const result = await codebox(["result", body.task_id], env(), dir)
    expect(JSON.parse(result.stdout)).toEqual(body)
  })

  it("judges a program against cases with test --case IN:OUT", { timeout: 60_000 }, async () => {
    fs.writeFileSync(path.join(dir, "echo.py"), "echo-stdin\n")
    fs.writeFileSync(path.join(dir, "1.in"), "5\n")
    fs.writeFileSync(path.join(dir, "1.out"), "5\n")
    fs.writeFileSync(path.join(dir, "2.out"), "6\n")
    const passed = await codebox(["test", "echo.py", "--case", "1.in:1.out"], env(), dir)
    expect(passed.code).toBe(0)
    expect(passed.stdout).toContain("1/1 passed")
    const failed = await codebox(["test", "echo.py", "--case", "1.in:1.out", "--case", "1.in:2.out"], env(), dir)
    expect(failed.code).toBe(1)
    expect(failed.stdout).toContain("1/2 passed")
  })

  it("exits 2 with the server's reason when the request is refused (400)", { timeout: 60_000 }, async () => {
    fs.writeFileSync(path.join(dir, "any.py"), "print x\n")
    const language = await codebox(["run", "any.py", "--lang", "cobol"], env(), dir)
    expect(language.code).toBe(2)
    expect(language.stderr).toMatch(/refused \(400\).*cobol/)
    const limit = await codebox(["run", "any.py", "--limit", "wall_time_ms=1"], env(), dir)
    expect(limit.code).toBe(2)
    expect(limit.stderr).toContain("wall_time_ms")
    const usage = await codebox(["run"], env(), dir)
    expect(usage.code).toBe(2)
  })

  it("exits 3 naming the server when it cannot be reached", { timeout: 60_000 }, async () => {
    // A port that was just free on loopback, now closed.
    const probe = http.createServer()
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve))
    const port = (probe.address() as AddressInfo).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const result = await codebox(["languages"], { CODEBOX_URL: `http://127.0.0.1:${port}` }, dir)
    expect(result.code).toBe(3)
    expect(result.stderr).toContain(`cannot reach CodeBox at http://127.0.0.1:${port}`)
  })

  it("shows help for every command", { timeout: 60_000 }, async () => {
    for (const command of ["run", "test", "status", "result", "languages"]) {
      const help = await codebox([command, "--help"], env(), dir)
      expect(help.code, command).toBe(0)
      expect(help.stdout, command).toContain(`Usage: codebox ${command}`)
    }
    expect((await codebox(["--help"], env(), dir)).stdout).toContain("Commands:")
  })
})

describe("the codebox command against a server with keys and a rate limit", () => {
  let server: RunningServer
  let dir: string
  beforeAll(async () => {
    server = await startServer((settings) => engineLayer(settings, plugins, scriptedPrograms().layer), {
      apiKeys: [Redacted.make("cli-test-key")],
      readRateLimit: 2,
      rateLimitWindowSeconds: 3600
    })
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-cli-"))
  })
  afterAll(async () => {
    await server.close()
    fs.rmSync(dir, { recursive: true, force: true })
  })

  it("exits 4 without the key, then 5 with the wait once the key's reads are used up", { timeout: 60_000 }, async () => {
    const unauthorized = await codebox(["languages"], { CODEBOX_URL: server.url, CODEBOX_API_KEY: "" }, dir)
    expect(unauthorized.code).toBe(4)
    expect(unauthorized.stderr).toContain("CODEBOX_API_KEY")
    const env = { CODEBOX_URL: server.url, CODEBOX_API_KEY: "cli-test-key" }
    expect((await codebox(["languages"], env, dir)).code).toBe(0)
    expect((await codebox(["languages"], env, dir)).code).toBe(0)
    const limited = await codebox(["languages"], env, dir)
    expect(limited.code).toBe(5)
    expect(limited.stderr).toMatch(/rate limited \(429\).*retry in \d+ s/)
  })
})
