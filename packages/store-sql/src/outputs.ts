import { PgClient } from "@effect/sql-pg"
import { Effect } from "effect"
import type { SqlError } from "effect/sql/SqlError"
import { outputBytes, outputText, type StepReport, type TaskResult, type TestCaseReport } from "@codebox/core"

/**
 * Program output stored as bytes, in chunks (table `codebox_task_output`, see the migrations).
 * A chunk travels as base64 text (decoded by PostgreSQL), so no message comes near the client's
 * 16 MiB limit whatever a program printed, and NUL or invalid UTF-8 are stored as they were.
 */

/** Bytes per stored chunk: 1 MiB, about 1.4 MB on the wire as base64. */
export const chunkBytes = 1024 * 1024

type Stream = "stdout" | "stderr" | "compile_stdout" | "compile_stderr"

const bytesOf = (report: StepReport, stream: "stdout" | "stderr"): Uint8Array =>
  stream === "stdout" ? outputBytes(report.stdout, report.stdout_base64) : outputBytes(report.stderr, report.stderr_base64)

const withoutOutput = (report: StepReport): StepReport => ({
  ...report,
  stdout: "",
  stderr: "",
  stdout_base64: null,
  stderr_base64: null
})

/**
 * A test case's texts in the JSONB column: as base64 of the exact bytes, since JSONB cannot hold a
 * NUL. They are small (cut to caseReportBytes by the judge), so they need no chunks of their own.
 */
const caseForJsonb = (report: TestCaseReport): TestCaseReport => {
  const asBase64 = (text: string, base64: string | null) => (base64 !== null ? base64 : Buffer.from(text, "utf8").toString("base64"))
  return {
    ...report,
    stdout: "",
    stderr: "",
    stdout_base64: asBase64(report.stdout, report.stdout_base64),
    stderr_base64: asBase64(report.stderr, report.stderr_base64),
    // The expected output as base64 of its UTF-8 too (stored form only; read back by caseFromJsonb).
    ...(report.expected_output !== undefined ? { expected_output: asBase64(report.expected_output, null) } : {})
  }
}

/** A test case's texts as read back (the reverse of caseForJsonb). */
const caseFromJsonb = (report: TestCaseReport): TestCaseReport => {
  const out = outputText(Buffer.from(report.stdout_base64 ?? "", "base64"))
  const err = outputText(Buffer.from(report.stderr_base64 ?? "", "base64"))
  return {
    ...report,
    stdout: out.text,
    stdout_base64: out.base64,
    stderr: err.text,
    stderr_base64: err.base64,
    ...(report.expected_output !== undefined ? { expected_output: Buffer.from(report.expected_output, "base64").toString("utf8") } : {})
  }
}

/** A result split into what goes in the JSONB column (no program output) and the streams' bytes. */
export const splitResult = (result: TaskResult) => {
  const streams: Array<readonly [Stream, Uint8Array]> = [
    ["stdout", bytesOf(result, "stdout")],
    ["stderr", bytesOf(result, "stderr")]
  ]
  if (result.compile !== null) {
    streams.push(["compile_stdout", bytesOf(result.compile, "stdout")], ["compile_stderr", bytesOf(result.compile, "stderr")])
  }
  const stored: TaskResult = {
    ...result,
    ...withoutOutput(result),
    compile: result.compile === null ? null : withoutOutput(result.compile),
    ...(result.tests !== undefined ? { tests: result.tests.map(caseForJsonb) } : {})
  }
  return { stored, streams }
}

/** Replaces the stored output of a task (inside the caller's transaction). */
export const writeOutput = (taskId: string, streams: ReadonlyArray<readonly [Stream, Uint8Array]>) =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    yield* sql`DELETE FROM codebox_task_output WHERE task_id = ${taskId}`
    for (const [stream, bytes] of streams) {
      for (let seq = 0; seq * chunkBytes < bytes.length; seq++) {
        const chunk = Buffer.from(bytes.buffer, bytes.byteOffset + seq * chunkBytes, Math.min(chunkBytes, bytes.length - seq * chunkBytes))
        yield* sql`
          INSERT INTO codebox_task_output (task_id, stream, seq, chunk)
          VALUES (${taskId}, ${stream}, ${seq}, decode(${chunk.toString("base64")}, 'base64'))`
      }
    }
  })

const withOutput = (report: StepReport, stdout: Uint8Array, stderr: Uint8Array): StepReport => {
  const out = outputText(stdout)
  const err = outputText(stderr)
  return { ...report, stdout: out.text, stdout_base64: out.base64, stderr: err.text, stderr_base64: err.base64 }
}

const empty = new Uint8Array(0)

/** Puts the stored output of a task back into its result. */
export const readOutput = (taskId: string, result: TaskResult): Effect.Effect<TaskResult, SqlError, PgClient.PgClient> =>
  Effect.gen(function* () {
    const sql = yield* PgClient.PgClient
    const seqs = yield* sql<{ readonly stream: Stream; readonly n: number }>`
      SELECT stream, count(*)::int AS n FROM codebox_task_output WHERE task_id = ${taskId} GROUP BY stream`
    const bytes = new Map<Stream, Uint8Array>()
    // One query per chunk: a row is never bigger than one chunk, whatever the whole output is.
    for (const { stream, n } of seqs) {
      const parts: Array<Buffer> = []
      for (let seq = 0; seq < n; seq++) {
        const rows = yield* sql<{ readonly chunk: string }>`
          SELECT encode(chunk, 'base64') AS chunk FROM codebox_task_output
          WHERE task_id = ${taskId} AND stream = ${stream} AND seq = ${seq}`
        parts.push(Buffer.from(rows[0]?.chunk ?? "", "base64"))
      }
      bytes.set(stream, Buffer.concat(parts))
    }
    const of = (stream: Stream) => bytes.get(stream) ?? empty
    return {
      ...result,
      ...withOutput(result, of("stdout"), of("stderr")),
      compile: result.compile === null ? null : withOutput(result.compile, of("compile_stdout"), of("compile_stderr")),
      ...(result.tests !== undefined ? { tests: result.tests.map(caseFromJsonb) } : {})
    }
  })
