import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { vmPackages } from "./plugins.ts"

/**
 * The host side of the cgroup-v2 VM tests (../src/*.vm*.test.ts): build.sh (about a second when the
 * cache is current), then run.sh with the checkout as an overlay share and a report directory at
 * /codebox-out, whose file `reportName` is parsed and returned.
 */
const repo = path.resolve(import.meta.dirname, "..", "..", "..")
const vm = path.join(repo, "packages", "sandbox-native", "vm")

export interface VmRun<Report> {
  readonly build: { readonly status: number; readonly output: string }
  readonly run: { readonly status: number; readonly output: string }
  readonly report: Report | null
}

const sh = (argv: ReadonlyArray<string>, env: Record<string, string>) =>
  new Promise<{ status: number; output: string }>((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd: repo, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (d: Buffer) => (output += d))
    child.stderr.on("data", (d: Buffer) => (output += d))
    child.on("close", (code) => resolve({ status: code ?? 1, output }))
  })

export const bootVm = async <Report>(options: {
  readonly label: string
  readonly logFile: string
  readonly command: ReadonlyArray<string>
  readonly reportName: string
  readonly timeoutSeconds: number
  /** Fills the report directory before the boot (the guest sees it at /codebox-out). */
  readonly prepare?: (outDir: string) => Promise<unknown>
}): Promise<VmRun<Report>> => {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-cgroup2-vm-"))
  const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`
  try {
    const t0 = Date.now()
    // The guest's runtimes are the Debian packages its plugins declare (the harness names none).
    const build = await sh(["bash", path.join(vm, "build.sh")], { CODEBOX_VM_PACKAGES: vmPackages })
    await options.prepare?.(outDir)
    const t1 = Date.now()
    const run =
      build.status === 0
        ? await sh(["bash", path.join(vm, "run.sh"), repo, options.logFile, "--", ...options.command], {
            CODEBOX_VM_SKIP_BUILD: "1",
            CODEBOX_VM_SHARE_MODE: "overlay",
            CODEBOX_VM_OUT_DIR: outDir,
            CODEBOX_VM_TIMEOUT: String(options.timeoutSeconds)
          })
        : { status: -1, output: "" }
    const t2 = Date.now()
    const reportFile = path.join(outDir, options.reportName)
    const report = fs.existsSync(reportFile) ? (JSON.parse(fs.readFileSync(reportFile, "utf8")) as Report) : null
    console.log(`${options.label}: build check ${seconds(t1 - t0)}, boot and guest ${seconds(t2 - t1)} (log: ${options.logFile})`)
    return { build, run, report }
  } finally {
    fs.rmSync(outDir, { recursive: true, force: true })
  }
}

/** The end of the VM's console, for a failure message. */
export const logTail = (logFile: string, lines = 60) =>
  fs.existsSync(logFile) ? fs.readFileSync(logFile, "utf8").split("\n").slice(-lines).join("\n") : ""
