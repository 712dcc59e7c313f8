import * as path from "node:path"
import { describe, expect, it } from "vitest"
import { bootVm, logTail } from "../vm/boot.ts"

/**
 * The native sandbox on a real cgroup-v2-only kernel: boots Debian's kernel under qemu
 * (packages/sandbox-native/vm, built once and cached), runs packages/conformance/vm inside, and
 * turns each test of the guest's JSON report into a test here, so its counts join the main
 * "N passed, N failed". The VM runs while this file is collected (top-level await): the tests it
 * declares are the guest's. The console of the VM is in test-results/cgroup2-vm.log.
 */
const repo = path.resolve(import.meta.dirname, "..", "..", "..")
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

const { build, run, report } = await bootVm<GuestReport>({
  label: "cgroup2 VM",
  logFile,
  // CI=1: the guest's console is a tty, but nobody watches it live; plain lines read better.
  command: [
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
  reportName: "report.json",
  timeoutSeconds: 1500
})

describe("native sandbox on a cgroup-v2-only kernel (qemu VM)", () => {
  it("builds the VM, boots it and runs the guest suite to its report", () => {
    expect(build.status, `build.sh failed:\n${build.output.slice(-4000)}`).toBe(0)
    expect(
      report,
      `no report from the guest (run.sh status ${run.status}):\n${run.output.slice(-2000)}\n${logTail(logFile)}`
    ).not.toBeNull()
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
