import { type ChildProcess, execFile, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { matchAnswer, shellExamples, substituteIds } from "./docs/shellExamples.ts"

/**
 * Every curl example in README.md and docs/*.md, run with bash and the real curl against a real
 * CodeBox (the server's main, embedded defaults, native sandbox) as a reader would paste it; what
 * each prints is compared with the answer the document shows (see ./docs/shellExamples.ts).
 */
const root = path.resolve(import.meta.dirname, "../../..")
const documents = ["README.md", ...fs.readdirSync(path.join(root, "docs")).map((f) => `docs/${f}`)].filter((f) => f.endsWith(".md"))
const fixtures = path.resolve(import.meta.dirname, "../fixtures/docs-examples")
const unfinished = /"status":"(PENDING|RECEIVED|STARTED|RETRY)"/

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })

/** The prelude every step runs after: curl reports the status on stderr, after what it prints. */
const prelude = `curl() { command curl -w '%{stderr}\\n@@status=%{http_code}\\n' "$@"; }\n`

describe("documentation examples, run against a real server", () => {
  let server: ChildProcess
  let base = ""
  let dataDir = ""

  beforeAll(async () => {
    const port = await freePort()
    base = `http://127.0.0.1:${port}`
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-docs-"))
    server = spawn(process.execPath, [path.join(root, "packages/server/src/main.ts")], {
      cwd: root,
      env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", CODEBOX_DATA_DIR: dataDir, CODEBOX_LOG_LEVEL: "Warn" },
      stdio: ["ignore", "ignore", "inherit"]
    })
    // While it starts, a request can wait long (the sandbox's first probes): each try is bounded.
    const deadline = Date.now() + 170_000
    while (Date.now() < deadline) {
      const ready = await fetch(`${base}/api/health/ready`, { signal: AbortSignal.timeout(5000) }).then(
        (r) => r.ok,
        () => false
      )
      if (ready) return
      await new Promise((resolve) => setTimeout(resolve, 250))
    }
    throw new Error("the server did not become ready in 170 s")
  }, 180_000)
  afterAll(() => {
    server?.kill("SIGTERM")
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  for (const document of documents) {
    const examples = shellExamples(document, fs.readFileSync(path.join(root, document), "utf8")).filter((e) => e.notRun === undefined)
    if (examples.length === 0) continue
    describe(document, () => {
      // Ids bound by one example are used by the next ones of the same document.
      const ids = new Map<string, string>()
      const work = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-docs-work-"))
      fs.cpSync(fixtures, work, { recursive: true })
      afterAll(() => fs.rmSync(work, { recursive: true, force: true }))

      for (const example of examples) {
        const title = `line ${example.line}: ${example.steps
          .find((s) => s.script.includes("curl"))
          ?.script.split("\n")[0]
          ?.trim()}`
        it(title, { timeout: 120_000 }, async () => {
          for (const step of example.steps) {
            const script = substituteIds(step.script, ids).replaceAll("localhost:8000", base.replace("http://", ""))
            for (let attempt = 0; ; attempt++) {
              const { stdout, stderr, code } = await runBash(prelude + script, work, base)
              const status = [...stderr.matchAll(/@@status=(\d+)/g)].map((m) => Number(m[1]))
              const answer = stdout.trim()
              // A reader polls until the task is done; the document shows the final answer.
              const stillRunning = status.at(-1) === 202 || unfinished.test(answer)
              const documented = step.expect !== undefined && (step.expect.status === 202 || unfinished.test(step.expect.body))
              if (stillRunning && !documented && !script.includes("/create") && attempt < 120) {
                await new Promise((resolve) => setTimeout(resolve, 500))
                continue
              }
              expect(code, `${script}\nexited ${code}: ${stderr}`).toBe(0)
              if (step.expect === undefined) break
              const expectedStatus = step.expect.status
              if (expectedStatus !== undefined) expect(status.at(-1), `${script}\n${answer}`).toBe(expectedStatus)
              else expect(status.at(-1)! < 400, `${script}\nstatus ${status.at(-1)}: ${answer}`).toBe(true)
              expect(
                matchAnswer(substituteIds(step.expect.body, ids), answer, ids),
                `${script}\nprinted:  ${answer}\nexpected: ${step.expect.body}`
              ).toBe(true)
              break
            }
          }
        })
      }
    })
  }
})

const runBash = (script: string, cwd: string, base: string) =>
  promisify(execFile)("/bin/bash", ["-e", "-c", script], {
    cwd,
    env: { ...process.env, CODEBOX: base },
    timeout: 100_000,
    maxBuffer: 16 * 1024 * 1024
  }).then(
    ({ stdout, stderr }) => ({ stdout, stderr, code: 0 }),
    (e: { stdout?: string; stderr?: string; code?: number }) => ({ stdout: e.stdout ?? "", stderr: e.stderr ?? "", code: e.code ?? 1 })
  )
