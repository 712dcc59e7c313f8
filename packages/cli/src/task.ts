import * as fs from "node:fs"
import * as path from "node:path"
import { CliError, exitCodes, usageError } from "./CliError.ts"
import type { Client } from "./client.ts"
import { readEvents } from "./events.ts"
import { multipartBody, type Part } from "./multipart.ts"
import { Accepted, type Finished, Finished as FinishedSchema, OutputChunk, StateEvent, TaskResultAnswer } from "./wire.ts"
import { Schema } from "effect"

/** Where the CLI writes: the process's streams, or a test's. */
export interface Io {
  readonly stdout: NodeJS.WritableStream
  readonly stderr: NodeJS.WritableStream & { readonly isTTY?: boolean }
}

/** A task as the CLI submits it. */
export interface Submission {
  readonly language: string
  readonly source: string
  readonly stdin?: string | undefined
  /** Files uploaded in order: the program reads them as IN_1, IN_2... */
  readonly inputs: ReadonlyArray<string>
  readonly limits: Readonly<Record<string, number>>
  readonly tests?: ReadonlyArray<{ readonly name: string; readonly stdin: string; readonly expected_output: string }>
}

export const readFileOrFail = (file: string, what: string) => {
  try {
    return fs.readFileSync(file)
  } catch (error) {
    throw usageError(`cannot read ${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`)
  }
}

/** Language by extension; the server resolves aliases (py, js, ...), so most extensions are ids already. */
const extensionLanguages: Readonly<Record<string, string>> = { mjs: "javascript", cjs: "javascript", h: "c", py3: "python" }
export const languageOf = (file: string) => {
  const extension = path.extname(file).slice(1).toLowerCase()
  if (extension === "") throw usageError(`cannot tell the language of ${file} (no extension): give --lang`)
  return extensionLanguages[extension] ?? extension
}

/** `--limit wall_time_ms=5000` pairs as the request's `limits`. */
export const parseLimits = (pairs: ReadonlyArray<string>): Record<string, number> => {
  const limits: Record<string, number> = {}
  for (const pair of pairs) {
    const match = /^([a-z_]+)=(\d+)$/.exec(pair.trim())
    if (match === null) throw usageError(`--limit ${pair}: expected NAME=NUMBER, e.g. --limit wall_time_ms=5000`)
    limits[match[1]!] = Number(match[2])
  }
  return limits
}

/** Posts the task: JSON without inputs, a multipart form with them. Returns its id. */
export const submit = async (client: Client, task: Submission): Promise<string> => {
  const hasLimits = Object.keys(task.limits).length > 0
  if (task.inputs.length === 0) {
    const body = {
      programming_language: task.language,
      source_code: task.source,
      ...(task.stdin !== undefined ? { stdin: task.stdin } : {}),
      ...(hasLimits ? { limits: task.limits } : {}),
      ...(task.tests !== undefined ? { tests: task.tests } : {})
    }
    const accepted = await client.json(Accepted, "submit", "/api/tasks/create", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body)
    })
    return accepted.task_id
  }
  const parts: Array<Part> = [
    { name: "programming_language", value: task.language },
    { name: "source_code", value: task.source },
    ...(task.stdin !== undefined ? [{ name: "stdin", value: task.stdin }] : []),
    ...(hasLimits ? [{ name: "limits", value: JSON.stringify(task.limits) }] : []),
    ...(task.tests !== undefined ? [{ name: "tests", value: JSON.stringify(task.tests) }] : []),
    ...task.inputs.map((input) => ({ name: "files", fileName: path.basename(input), data: readFileOrFail(input, "input file") }))
  ]
  const form = multipartBody(parts)
  const accepted = await client.json(Accepted, "submit", "/api/file_task/create", {
    method: "POST",
    headers: { "content-type": form.contentType },
    body: form.body
  })
  return accepted.task_id
}

const decodeFinished = Schema.decodeUnknownSync(FinishedSchema)
const bytesOf = (chunk: typeof OutputChunk.Type) => (chunk.base64 !== null ? Buffer.from(chunk.base64, "base64") : chunk.text)

/** Waits for the result by asking (long polls of 30 s), for --json and servers without events. */
export const awaitResult = async (client: Client, taskId: string): Promise<Finished> => {
  for (;;) {
    const answer = await client.json(TaskResultAnswer, "read the result", `/api/tasks/${taskId}/task_result?wait=30`)
    if ("result" in answer) return answer
  }
}

/** Progress on stderr, only for a person at a terminal: pipes and logs get the program's output alone. */
export const progress = (io: Io) => {
  const started = Date.now()
  const words: Readonly<Record<string, string>> = { PENDING: "queued", RECEIVED: "queued", STARTED: "running", RETRY: "retrying" }
  return (state: string) => {
    if (io.stderr.isTTY !== true) return
    const seconds = ((Date.now() - started) / 1000).toFixed(1)
    io.stderr.write(`\x1b[2m[codebox] ${words[state] ?? state.toLowerCase()} (${seconds} s)\x1b[0m\n`)
  }
}

/** Follows the task's events, writing its output as it comes; returns the final body. */
export const follow = async (client: Client, taskId: string, io: Io): Promise<Finished> => {
  const report = progress(io)
  const response = await client.send("follow the task", `/api/tasks/${taskId}/events`, { headers: { accept: "text/event-stream" } })
  if (response.body === null) return awaitResult(client, taskId)
  for await (const event of readEvents(response.body)) {
    const data: unknown = JSON.parse(event.data)
    if (event.event === "state") report(Schema.decodeUnknownSync(StateEvent)(data).state)
    else if (event.event === "stdout") io.stdout.write(bytesOf(Schema.decodeUnknownSync(OutputChunk)(data)))
    else if (event.event === "stderr") io.stderr.write(bytesOf(Schema.decodeUnknownSync(OutputChunk)(data)))
    else if (event.event === "result") {
      const finished = decodeFinished(data)
      report(finished.status)
      return finished
    }
  }
  // The stream ended without a result (a proxy cut it): ask instead.
  return awaitResult(client, taskId)
}

/** Saves the task's output files into `dir`; returns the paths written. */
export const download = async (client: Client, finished: Finished, dir: string): Promise<ReadonlyArray<string>> => {
  if (finished.result.output_files.length === 0) return []
  fs.mkdirSync(dir, { recursive: true })
  const saved: Array<string> = []
  for (const name of finished.result.output_files) {
    const response = await client.send(`download ${name}`, `/api/file_task/${finished.task_id}/files/${encodeURIComponent(name)}`)
    // The server names files safely already; basename keeps a hostile name inside `dir` regardless.
    const target = path.join(dir, path.basename(name))
    fs.writeFileSync(target, Buffer.from(await response.arrayBuffer()))
    saved.push(target)
  }
  return saved
}

/** The exit code a finished task stands for: the program's own, 124 for its time limit, 7 if CodeBox failed. */
export const exitCodeOf = (finished: Finished): number => {
  if (finished.status === "FAILURE") {
    throw new CliError({
      message: `CodeBox could not run the task: ${finished.result.error ?? "no reason given"}`,
      exitCode: exitCodes.server
    })
  }
  if (finished.status === "REVOKED") throw new CliError({ message: "the task was cancelled", exitCode: exitCodes.server })
  if (finished.result.verdict === "time_limit") return exitCodes.timeLimit
  return finished.result.returncode ?? 1
}
