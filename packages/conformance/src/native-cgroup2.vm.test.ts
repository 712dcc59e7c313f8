import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { c } from "@codebox/lang-c"
import { python } from "@codebox/lang-python"
import { describe, expect, it } from "vitest"

/**
 * The native sandbox on a real cgroup-v2-only kernel: boots Debian's kernel under qemu
 * (packages/sandbox-native/vm, built once and cached), runs packages/conformance/vm inside, and
 * turns each test of the guest's JSON report into a test here, so its counts join the main
 * "N passed, N failed". The VM runs while this file is collected (top-level await): the tests it
 * declares are the guest's. The console of the VM is in test-results/cgroup2-vm.log.
 */
const repo = path.resolve(import.meta.dirname, "..", "..", "..")
const vm = path.join(repo, "packages", "sandbox-native", "vm")
const plugins = [python, c]
const logFile = path.join(repo, "test-results", "cgroup2-vm.log")

interface GuestTest {
  readonly fullName: string
  readonly status: string
  readonly failureMessages: ReadonlyArray<string>
  readonly duration?: number
}
interface GuestReport {
  readonly numFailedTestSuites: number
  readonly testResults: ReadonlyArray<{
    readonly name: string
    readonly status: string
    readonly message: string
    readonly assertionResults: ReadonlyArray<GuestTest>
  }>
}

const sh = (argv: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ status: number; output: string }>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: repo, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (d: Buffer) => (output += d))
    child.stderr.on("data", (d: Buffer) => (output += d))
    child.on("close", (code) => resolve({ status: code ?? 1, output }))
  })

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`
const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-cgroup2-vm-"))
const t0 = Date.now()
// The guest's runtimes are the Debian packages these plugins declare (the harness names none).
const packages = [...new Set(plugins.flatMap((p) => p.runtime.debianPackages))].join(" ")
const build = await sh(["bash", path.join(vm, "build.sh")], { CODEBOX_VM_PACKAGES: packages })
const t1 = Date.now()
const run =
  build.status === 0
    ? await sh(
        [
          "bash",
          path.join(vm, "run.sh"),
          repo,
          logFile,
          "--",
          // CI=1: the guest's console is a tty, but nobody watches it live; plain lines read better.
          "/usr/bin/env",
          "CI=1",
          "node",
          "node_modules/vitest/vitest.mjs",
          "run",
          "--config",
          "packages/conformance/vm/vitest.config.ts",
          "--reporter=default",
          "--reporter=json",
          "--outputFile.json=/codebox-out/report.json"
        ],
        { CODEBOX_VM_SKIP_BUILD: "1", CODEBOX_VM_SHARE_MODE: "overlay", CODEBOX_VM_OUT_DIR: outDir, CODEBOX_VM_TIMEOUT: "1500" }
      )
    : { status: -1, output: "" }
const t2 = Date.now()
const reportFile = path.join(outDir, "report.json")
const report: GuestReport | null = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, "utf8")) : null
fs.rmSync(outDir, { recursive: true, force: true })
console.log(`cgroup2 VM: build ${seconds(t1 - t0)}, boot and suite ${seconds(t2 - t1)} (log: ${logFile})`)

describe("native sandbox on a cgroup-v2-only kernel (qemu VM)", () => {
  it("builds the VM, boots it and runs the guest suite to its report", () => {
    expect(build.status, `build.sh failed:\n${build.output.slice(-4000)}`).toBe(0)
    const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").slice(-60).join("\n") : ""
    expect(report, `no report from the guest (run.sh status ${run.status}):\n${run.output.slice(-2000)}\n${tail}`).not.toBeNull()
    // A file that failed with none of its tests failing broke in a hook (an afterAll's clean-up).
    const broken = report!.testResults
      .filter((f) => f.message !== "" || (f.status === "failed" && f.assertionResults.every((t) => t.status !== "failed")))
      .map((f) => `${f.name}: ${f.message || "failed outside its tests (a hook)"}`)
    expect(broken, "guest test files that failed outside a test").toEqual([])
  })

  for (const test of report?.testResults.flatMap((f) => f.assertionResults) ?? []) {
    const name = `guest: ${test.fullName}`
    if (test.status === "skipped" || test.status === "pending" || test.status === "todo") it.skip(name, () => {})
    else it(name, () => expect(test.status, test.failureMessages.join("\n")).toBe("passed"))
  }
})
