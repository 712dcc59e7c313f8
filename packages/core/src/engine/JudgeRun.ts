import * as fs from "node:fs/promises"
import * as path from "node:path"
import { Effect } from "effect"
import { StorageError } from "../domain/Errors.ts"
import {
  caseReportBytes,
  type JudgeSpec,
  type JudgeSummary,
  type TestCase,
  type TestCaseReport,
  type TestVerdict
} from "../domain/Judge.ts"
import { outputText } from "../domain/OutputText.ts"
import type { Task } from "../domain/Task.ts"
import type { StepReport, TaskResult, Verdict } from "../domain/TaskResult.ts"
import type { FileStorage } from "../FileStorage.ts"
import { removeTree } from "../internal/removeTree.ts"
import { type LanguagePlugin, SandboxPaths, type StepContext } from "../LanguagePlugin.ts"
import type { Sandbox, SandboxOutcome } from "../Sandbox.ts"
import { collectOutputs } from "./collectOutputs.ts"
import { compareOutput } from "./compareOutput.ts"
import { ExecutorConfig } from "./ExecutorConfig.ts"
import type { JobDirectory } from "./JobDirectory.ts"
import { listSkippedOutputs, toReport, verdictOf } from "./stepReport.ts"

/**
 * Judge mode: the program, compiled once, runs once per test case, each in a fresh sandbox with the
 * task's input files (read-only) and an empty working directory of its own, so nothing one case
 * writes reaches another. Cases run up to `caseConcurrency` at once; reports are in request order.
 * Output files are those the last case (in request order) wrote; none when it was skipped.
 */

export interface JudgeInput {
  readonly task: Task
  readonly spec: JudgeSpec
  readonly plugin: LanguagePlugin
  readonly dir: JobDirectory
  readonly ctx: StepContext
  readonly compile: StepReport | null
  readonly sandbox: Sandbox["Service"]
  readonly storage: FileStorage["Service"]
}

/** At most `caseReportBytes` of a stream, cut where a UTF-8 character starts. */
const cut = (bytes: Uint8Array): { readonly bytes: Uint8Array; readonly cut: boolean } => {
  if (bytes.length <= caseReportBytes) return { bytes, cut: false }
  let end = caseReportBytes
  // Back off over continuation bytes (10xxxxxx) so the kept text ends on a whole character.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--
  return { bytes: bytes.subarray(0, end), cut: true }
}

const expectedForReport = (expected: string | null) => {
  if (expected === null) return {}
  const kept = cut(new TextEncoder().encode(expected))
  return { expected_output: kept.cut ? new TextDecoder().decode(kept.bytes) : expected }
}

/** A case that did not run (skipped, or the program did not compile). */
const notRunReport = (test: TestCase, verdict: TestVerdict): TestCaseReport => ({
  name: test.name,
  verdict,
  stdout: "",
  stderr: "",
  stdout_base64: null,
  stderr_base64: null,
  returncode: null,
  signal: null,
  wall_time_ms: 0,
  cpu_time_ms: null,
  memory_peak_bytes: null,
  stdout_truncated: false,
  stderr_truncated: false,
  ...expectedForReport(test.expected_output),
  first_difference: null
})

/** The verdict of one case and where a wrong answer first differs. */
const judgeOutcome = (test: TestCase, outcome: SandboxOutcome, spec: JudgeSpec): TestCaseReport => {
  const ran = verdictOf(outcome)
  const difference =
    ran === "ok" && test.expected_output !== null
      ? compareOutput(outputText(outcome.stdoutBytes).text, test.expected_output, spec.compare, spec.float_tolerance)
      : null
  const verdict: TestVerdict = ran === "ok" ? (difference === null ? "accepted" : "wrong_answer") : ran
  const stdout = cut(outcome.stdoutBytes)
  const stderr = cut(outcome.stderrBytes)
  const out = outputText(stdout.bytes)
  const err = outputText(stderr.bytes)
  return {
    name: test.name,
    verdict,
    stdout: out.text,
    stderr: err.text,
    stdout_base64: out.base64,
    stderr_base64: err.base64,
    returncode: outcome.exitCode,
    signal: outcome.signal,
    wall_time_ms: outcome.wallTimeMs,
    cpu_time_ms: outcome.cpuTimeMs,
    memory_peak_bytes: outcome.memoryPeakBytes,
    stdout_truncated: outcome.stdoutTruncated || stdout.cut,
    stderr_truncated: outcome.stderrTruncated || stderr.cut,
    ...expectedForReport(test.expected_output),
    first_difference: difference
  }
}

export const summarize = (reports: ReadonlyArray<TestCaseReport>): JudgeSummary => {
  const failed = reports.find((r) => r.verdict !== "accepted")
  return {
    total: reports.length,
    passed: reports.filter((r) => r.verdict === "accepted").length,
    verdict: failed === undefined ? "accepted" : failed.verdict
  }
}

/** The judge fields of a result whose program did not compile: every case `compile_error`. */
export const judgeCompileError = (spec: JudgeSpec): Pick<TaskResult, "tests" | "summary"> => {
  const tests = spec.tests.map((test) => notRunReport(test, "compile_error"))
  return { tests, summary: { total: tests.length, passed: 0, verdict: "compile_error" } }
}

const caseDirectory = (root: string, index: number) =>
  Effect.tryPromise({
    try: async () => {
      const dir = path.join(root, `case-${index}`)
      await fs.mkdir(dir, { mode: 0o755 })
      return dir
    },
    catch: (cause) => new StorageError({ message: "cannot create a test case's working directory", cause })
  })

interface Step {
  readonly report: StepReport
  readonly verdict: Verdict
}

export const runJudge = Effect.fn("Executor.runJudge")(function* (input: JudgeInput) {
  const { task, spec, plugin, dir, ctx, sandbox, storage } = input
  const config = yield* ExecutorConfig
  const count = spec.tests.length
  const last = count - 1
  const reports: Array<TestCaseReport | undefined> = new Array(count)
  // The full report (whole output) of the first failing case so far and of the last case: the
  // result's step fields come from one of them, so no more than two outputs are held whole.
  let firstFailure = count
  let firstFailureStep: Step | null = null
  let lastStep: Step | null = null
  let lastOutputs: string | null = null

  const runCase = (test: TestCase, index: number) =>
    Effect.gen(function* () {
      if (spec.stop_on_first_failure && index > firstFailure) return
      const out = yield* caseDirectory(dir.root, index)
      const limits = { ...test.limits, ...plugin.run.limits }
      const outcome = yield* sandbox.run({
        env: plugin.runtime.env,
        runtime: plugin.runtime,
        argv: [...plugin.run.argv({ ...ctx, limits }), ...test.args],
        stdin: test.stdin,
        cwd: SandboxPaths.out,
        mounts: [
          { hostPath: dir.src, sandboxPath: SandboxPaths.src, writable: false },
          { hostPath: dir.in, sandboxPath: SandboxPaths.in, writable: false },
          { hostPath: out, sandboxPath: SandboxPaths.out, writable: true, maxCopyBytes: config.maxOutputBytes }
        ],
        limits
      })
      const report = judgeOutcome(test, outcome, spec)
      reports[index] = report
      if (report.verdict !== "accepted" && index < firstFailure) {
        firstFailure = index
        firstFailureStep = { report: toReport(outcome), verdict: verdictOf(outcome) }
      }
      if (index === last) {
        lastStep = { report: toReport(outcome), verdict: verdictOf(outcome) }
        lastOutputs = out
      } else {
        // Only the last case's files are kept, so the others' leave the disk as soon as they end.
        yield* Effect.promise(() => removeTree(out).catch(() => undefined))
      }
    })

  // Started in request order, so with stop_on_first_failure no case after a known failure starts.
  yield* Effect.forEach(spec.tests, runCase, { concurrency: Math.max(1, config.caseConcurrency), discard: true })

  // Cases after the first failure are reported skipped even when they ran in parallel with it, so
  // the answer does not depend on timing.
  const tests = spec.tests.map((test, i) =>
    spec.stop_on_first_failure && i > firstFailure ? notRunReport(test, "skipped") : (reports[i] ?? notRunReport(test, "skipped"))
  )
  const keptLast = !(spec.stop_on_first_failure && last > firstFailure) && lastOutputs !== null
  const { files, skipped } = keptLast
    ? yield* collectOutputs(lastOutputs!, { maxFiles: config.maxOutputFiles, maxBytes: config.maxOutputBytes }, (name, chunks) =>
        storage.writeStream(task.task_id, "out", name, chunks)
      )
    : { files: [], skipped: [] }
  // Every case passed when none failed, so the last one ran.
  const step: Step = (firstFailureStep ?? lastStep)!
  const result: TaskResult = {
    ...step.report,
    error: null,
    output_files: files.map((f) => f.name),
    files,
    skipped_outputs: listSkippedOutputs(skipped),
    verdict: step.verdict,
    compile: input.compile,
    tests,
    summary: summarize(tests)
  }
  return result
})
