/**
 * Prints the line CI reads, `N passed, N failed, N skipped`, from vitest's JSON report, and exits
 * non-zero when anything failed. Usage: node scripts/test-summary.ts REPORT VITEST_STATUS ALLOWED_SKIPS
 *
 * Counted as failed: failed tests; test files that failed outside any test (they may hold many
 * tests that never ran); a vitest run that exited non-zero with no failure in the report
 * (unhandled errors, a crash); and each skipped test whose full name matches no line of
 * ALLOWED_SKIPS. A missing or unreadable report is one failure.
 */
import * as fs from "node:fs"

interface Report {
  readonly numPassedTests: number
  readonly numFailedTests: number
  readonly testResults: ReadonlyArray<{
    readonly name: string
    readonly status: string
    readonly message?: string
    readonly assertionResults: ReadonlyArray<{ readonly fullName: string; readonly status: string }>
  }>
}

const [reportFile = "", statusText = "1", allowedFile = ""] = process.argv.slice(2)
const fail = (why: string) => {
  console.log(why)
  console.log("0 passed, 1 failed")
  process.exit(1)
}

let report: Report
try {
  report = JSON.parse(fs.readFileSync(reportFile, "utf8")) as Report
} catch (e) {
  fail(`no test report at ${reportFile} (${e instanceof Error ? e.message : String(e)}): the test run did not finish`)
  process.exit(1)
}

const allowed = fs.existsSync(allowedFile)
  ? fs
      .readFileSync(allowedFile, "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.startsWith("#"))
      .map((line) => new RegExp(line))
  : []

const skipped = report.testResults.flatMap((file) =>
  file.assertionResults.filter((t) => t.status === "pending" || t.status === "skipped" || t.status === "todo")
)
const unexpectedSkips = skipped.filter((t) => !allowed.some((re) => re.test(t.fullName)))
const brokenFiles = report.testResults.filter(
  (file) => file.status === "failed" && file.assertionResults.every((t) => t.status !== "failed")
)

let failed = report.numFailedTests + brokenFiles.length + unexpectedSkips.length
for (const file of brokenFiles)
  console.log(`failed outside any test: ${file.name}${file.message ? `: ${file.message.split("\n")[0]}` : ""}`)
for (const t of unexpectedSkips) console.log(`skipped, and not allowed by ${allowedFile}: ${t.fullName}`)
if (Number(statusText) !== 0 && failed === 0) {
  console.log(`vitest exited with status ${statusText} with no failed test in its report (unhandled errors?): counted as a failure`)
  failed = 1
}
console.log(`${report.numPassedTests} passed, ${failed} failed, ${skipped.length - unexpectedSkips.length} skipped`)
process.exit(failed > 0 ? 1 : 0)
