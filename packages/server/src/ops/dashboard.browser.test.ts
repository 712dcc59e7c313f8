import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { type BrowserContext, chromium, type Page } from "playwright-core"
import { postJson } from "../test-support/harness.ts"
import { type OpsTestServer, startOpsServer } from "./testServer.ts"

const executablePath = "/usr/bin/chromium"
const repoRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../../../..")
const screenshots = path.join(repoRoot, "test-results")
const unavailable = fs.existsSync(executablePath)
  ? null
  : (() => {
      try {
        return fs.readFileSync(path.join(repoRoot, ".tools/browser-unavailable"), "utf8").trim()
      } catch {
        return `${executablePath} is missing (scripts/setup.sh test installs it)`
      }
    })()

const key = "dashboard-test-key"

/** Polls a condition on the page from the test side (the page's CSP forbids evaluating strings in it). */
const eventually = async (condition: () => Promise<boolean>, what: string, timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

describe.skipIf(unavailable !== null)(`dashboard in headless Chromium${unavailable ? ` (skipped: ${unavailable})` : ""}`, () => {
  let server: OpsTestServer
  let context: BrowserContext
  let page: Page
  let profile: string
  const pageErrors: Array<string> = []

  const submit = async (programming_language: string, source_code: string) => {
    const r = await postJson(`${server.url}/api/tasks/create`, { programming_language, source_code }, { "x-api-key": key })
    assert.strictEqual(r.status, 202, r.text)
    return r.body.task_id as string
  }
  const row = (id: string) => page.locator(`tr.task[data-task-id="${id}"]`)

  beforeAll(async () => {
    server = await startOpsServer({ apiKeys: [key] })
    profile = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-chromium-"))
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync"
      ],
      viewport: { width: 1440, height: 960 },
      httpCredentials: { username: "ops", password: key }
    })
    page = context.pages()[0] ?? (await context.newPage())
    page.on("console", (m) => {
      if (m.type() === "error") pageErrors.push(m.text())
    })
    page.on("pageerror", (e) => pageErrors.push(e.message))
  }, 60_000)

  afterAll(async () => {
    await context?.close()
    await server?.close()
    if (profile) fs.rmSync(profile, { recursive: true, force: true })
  })

  it("lists API tasks, shows a task's output, and follows STARTED -> SUCCESS live", async () => {
    const hello = await submit("python", "print hello from the dashboard\nwrite OUT_result.txt 42")
    for (let i = 0; i < 5; i++) await submit(i % 2 ? "c" : "python", i === 3 ? "fail boom" : `print quick ${i}`)
    const gated = await submit("python", "wait-for-gate\nprint released by the test")

    const response = await page.goto(`${server.url}/dashboard`)
    assert.strictEqual(response?.status(), 200)

    // Listed with live state: the quick task finished, the gated one is running.
    await row(hello).and(page.locator('[data-state="SUCCESS"]')).waitFor({ timeout: 15_000 })
    await row(gated).and(page.locator('[data-state="STARTED"]')).waitFor({ timeout: 15_000 })
    // The quick tasks may still be finishing (two run at once): wait until only the gated one runs.
    await eventually(
      async () =>
        (await page.locator('tr.task[data-state="SUCCESS"]').count()) === 6 && (await page.locator("#cards-running").textContent()) === "1",
      "only the gated task to be running"
    )
    assert.strictEqual(await page.locator("tr.task").count(), 7)

    // A task's detail: its source, stdout and output file.
    await row(hello).click()
    await page.locator("#detail-stdout").filter({ hasText: "hello from the dashboard" }).waitFor({ timeout: 10_000 })
    assert.include(await page.locator("#detail-source").textContent(), "write OUT_result.txt 42")
    assert.strictEqual(await page.locator('#detail a[download="result.txt"]').count(), 1)

    // The state change: open the gated task while it runs, release it, and watch the page follow.
    await row(gated).click()
    await page.locator('#detail-body[data-state="STARTED"]').waitFor({ timeout: 10_000 })
    server.openGate()
    await page.locator('#detail-body[data-state="SUCCESS"]').waitFor({ timeout: 15_000 })
    assert.strictEqual((await page.locator("#detail-stdout").textContent())?.trim(), "released by the test")
    await row(gated).and(page.locator('[data-state="SUCCESS"]')).waitFor({ timeout: 15_000 })

    // Filters: only the failed task.
    await page.locator("#filter-state").selectOption("SUCCESS")
    await page.locator("#filter-language").selectOption("c")
    await eventually(async () => {
      const languages = await page.locator("tr.task td:nth-child(2)").allTextContents()
      return languages.length === 2 && languages.every((l) => l === "c")
    }, "the filtered list")
    assert.isAtLeast(await page.locator("#chart-throughput rect").count(), 1)

    fs.mkdirSync(screenshots, { recursive: true })
    await page.screenshot({ path: path.join(screenshots, "dashboard-detail.png"), fullPage: false })
    await page.keyboard.press("Escape")
    await page.waitForTimeout(300) // the drawer's slide-out animation, only for the picture
    await page.screenshot({ path: path.join(screenshots, "dashboard.png"), fullPage: true })
    assert.deepStrictEqual(pageErrors, [], "no script errors or CSP violations on the page")
  }, 90_000)

  it("shows a judge task's cases with their verdicts, in the list and in its detail", async () => {
    const r = await postJson(
      `${server.url}/api/tasks/create`,
      {
        programming_language: "python",
        source_code: "print same",
        tests: [
          { name: "right", expected_output: "same" },
          { name: "wrong", expected_output: "other" }
        ]
      },
      { "x-api-key": key }
    )
    assert.strictEqual(r.status, 202, r.text)
    const id = r.body.task_id as string
    await page.goto(`${server.url}/dashboard`)
    await row(id).and(page.locator('[data-state="SUCCESS"]')).waitFor({ timeout: 15_000 })
    assert.strictEqual((await row(id).locator(".judged").textContent())?.trim(), "wrong_answer 1/2")
    await row(id).click()
    await page.locator("#detail-tests tr.case").nth(1).waitFor({ timeout: 10_000 })
    const verdicts = await page.locator("#detail-tests tr.case").evaluateAll((rows) => rows.map((tr) => tr.getAttribute("data-verdict")))
    assert.deepStrictEqual(verdicts, ["accepted", "wrong_answer"])
    assert.include(await page.locator("#detail-tests tr.case").nth(1).textContent(), "line 1, column 1")
    fs.mkdirSync(screenshots, { recursive: true })
    await page.screenshot({ path: path.join(screenshots, "dashboard-judge.png"), fullPage: false })
    assert.deepStrictEqual(pageErrors, [], "no script errors or CSP violations on the page")
  }, 60_000)

  it("shows a running task's output live, through its event stream, before the task finishes", async () => {
    const id = await submit("python", "print written before the gate\nwait-for-gate live\nprint written after the gate")
    await page.goto(`${server.url}/dashboard`)
    await row(id).and(page.locator('[data-state="STARTED"]')).waitFor({ timeout: 15_000 })
    await row(id).click()
    await page.locator('#detail-body[data-state="STARTED"]').waitFor({ timeout: 10_000 })
    // The task cannot finish before the gate opens, so this output can only have come live.
    await page.locator("#detail-stdout").filter({ hasText: "written before the gate" }).waitFor({ timeout: 10_000 })
    assert.strictEqual(await page.locator('#detail-body[data-state="STARTED"]').count(), 1)
    server.openGate("live")
    await page.locator('#detail-body[data-state="SUCCESS"]').waitFor({ timeout: 15_000 })
    assert.strictEqual((await page.locator("#detail-stdout").textContent())?.trim(), "written before the gate\nwritten after the gate")
    fs.mkdirSync(screenshots, { recursive: true })
    await page.screenshot({ path: path.join(screenshots, "dashboard-live.png"), fullPage: false })
    assert.deepStrictEqual(pageErrors, [], "no script errors or CSP violations on the page")
  }, 60_000)

  it("without the key the page is refused", async () => {
    const response = await fetch(`${server.url}/dashboard`)
    assert.strictEqual(response.status, 401)
  })
})
