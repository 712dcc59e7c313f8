import * as path from "node:path"
import { parseArgs } from "node:util"
import { CliError, exitCodes, usageError } from "./CliError.ts"
import { type Client, makeClient } from "./client.ts"
import { awaitResult, download, exitCodeOf, follow, type Io, languageOf, parseLimits, readFileOrFail, submit } from "./task.ts"
import { Languages, TaskResultAnswer } from "./wire.ts"

const settingsHelp = `Settings: CODEBOX_URL (default http://localhost:8000), CODEBOX_API_KEY (sent as X-API-Key).
Exit codes: the program's own; 124 time limit; 2 bad arguments or request refused (400);
3 server unreachable; 4 key missing or wrong (401/403); 5 rate limited (429); 6 no such task; 7 CodeBox failed.`

export const help: Readonly<Record<string, string>> = {
  main: `codebox: run code on a CodeBox server

Usage: codebox <command> [options]

Commands:
  run FILE        run a program, streaming its output, and download the files it writes
  test FILE       judge a program against test cases (--case IN:OUT)
  status ID       the state of a task
  result ID       the result of a task, as JSON
  languages       the languages the server offers

Run 'codebox <command> --help' for a command's options.

${settingsHelp}`,
  run: `Usage: codebox run FILE [--lang L] [--stdin FILE] [--in FILE]... [--out DIR] [--limit NAME=N]... [--json]

Runs FILE on the server and prints its output as it is written (stdout to stdout, stderr to stderr).
  --lang L          language id or alias (default: from FILE's extension)
  --stdin FILE      give FILE's content to the program on standard input
  --in FILE         upload FILE; the program reads the first as IN_1, the next as IN_2, ...
  --out DIR         where the files the program writes (OUT_...) are saved (default: current directory)
  --limit NAME=N    a limit, e.g. --limit wall_time_ms=5000 --limit memory_mb=256
  --json            print the final result as JSON instead of streaming the output

${settingsHelp}`,
  test: `Usage: codebox test FILE --case IN:OUT [--case IN:OUT]... [--lang L] [--limit NAME=N]... [--json]

Compiles FILE once and runs it per case with IN's content on stdin, comparing its stdout with OUT's
content. Prints a verdict per case; exits 0 when every case is accepted, 1 otherwise.

${settingsHelp}`,
  status: `Usage: codebox status ID\n\nPrints the task's state (PENDING, STARTED, SUCCESS, ...).\n\n${settingsHelp}`,
  result: `Usage: codebox result ID [--wait]\n\nPrints the task's result as JSON (with --wait, once it is finished).\n\n${settingsHelp}`,
  languages: `Usage: codebox languages\n\nLists the languages the server offers, with their aliases and versions.\n\n${settingsHelp}`
}

const printHelp = (io: Io, text: string | undefined) => {
  io.stdout.write(`${text}\n`)
  return 0
}

const parse = <const O extends NonNullable<Parameters<typeof parseArgs>[0]>["options"]>(args: ReadonlyArray<string>, options: O) => {
  try {
    return parseArgs({
      args: [...args],
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true
    })
  } catch (error) {
    throw usageError(`${(error as Error).message}`)
  }
}

const onePositional = (positionals: ReadonlyArray<string>, what: string, command: string) => {
  if (positionals.length !== 1) throw usageError(`expected one ${what}: codebox ${command} ${what.toUpperCase()} (see --help)`)
  return positionals[0]!
}

const run = async (client: Client, args: ReadonlyArray<string>, io: Io) => {
  const { values, positionals } = parse(args, {
    lang: { type: "string" },
    stdin: { type: "string" },
    in: { type: "string", multiple: true },
    out: { type: "string" },
    limit: { type: "string", multiple: true },
    json: { type: "boolean" }
  })
  if (values.help === true) return printHelp(io, help.run)
  const file = onePositional(positionals, "file", "run")
  const taskId = await submit(client, {
    language: values.lang ?? languageOf(file),
    source: readFileOrFail(file, "program").toString("utf8"),
    stdin: values.stdin === undefined ? undefined : readFileOrFail(values.stdin, "stdin file").toString("utf8"),
    inputs: values.in ?? [],
    limits: parseLimits(values.limit ?? [])
  })
  const finished = values.json === true ? await awaitResult(client, taskId) : await follow(client, taskId, io)
  if (values.json === true) io.stdout.write(`${JSON.stringify(finished, null, 2)}\n`)
  else if (finished.result.verdict === "compile_error" && finished.result.compile != null) io.stderr.write(finished.result.compile.stderr)
  const saved = await download(client, finished, path.resolve(values.out ?? "."))
  if (io.stderr.isTTY === true) for (const file of saved) io.stderr.write(`[codebox] saved ${file}\n`)
  return exitCodeOf(finished)
}

const judge = async (client: Client, args: ReadonlyArray<string>, io: Io) => {
  const { values, positionals } = parse(args, {
    lang: { type: "string" },
    case: { type: "string", multiple: true },
    limit: { type: "string", multiple: true },
    json: { type: "boolean" }
  })
  if (values.help === true) return printHelp(io, help.test)
  const file = onePositional(positionals, "file", "test")
  const cases = (values.case ?? []).map((spec, i) => {
    const [input, expected, ...rest] = spec.split(":")
    if (input === undefined || expected === undefined || rest.length > 0) throw usageError(`--case ${spec}: expected IN:OUT (two files)`)
    return {
      name: `${i + 1}: ${path.basename(input)}`,
      stdin: readFileOrFail(input, "case input").toString("utf8"),
      expected_output: readFileOrFail(expected, "expected output").toString("utf8")
    }
  })
  if (cases.length === 0) throw usageError("give at least one --case IN:OUT")
  const taskId = await submit(client, {
    language: values.lang ?? languageOf(file),
    source: readFileOrFail(file, "program").toString("utf8"),
    inputs: [],
    limits: parseLimits(values.limit ?? []),
    tests: cases
  })
  const finished = await awaitResult(client, taskId)
  if (values.json === true) io.stdout.write(`${JSON.stringify(finished, null, 2)}\n`)
  if (finished.status !== "SUCCESS") return exitCodeOf(finished)
  const { tests, summary, compile } = finished.result
  if (values.json !== true) {
    if (finished.result.verdict === "compile_error" && compile != null) io.stderr.write(compile.stderr)
    for (const report of tests ?? []) io.stdout.write(`${report.verdict.padEnd(20)} ${report.name ?? ""}\n`)
    if (summary != null) io.stdout.write(`${summary.passed}/${summary.total} passed: ${summary.verdict}\n`)
  }
  return summary?.verdict === "accepted" ? 0 : 1
}

const status = async (client: Client, args: ReadonlyArray<string>, io: Io) => {
  const { values, positionals } = parse(args, {})
  if (values.help === true) return printHelp(io, help.status)
  const id = onePositional(positionals, "id", "status")
  const answer = await client.json(TaskResultAnswer, "read the task", `/api/tasks/${encodeURIComponent(id)}/task_result`)
  io.stdout.write(`${answer.status}\n`)
  return 0
}

const result = async (client: Client, args: ReadonlyArray<string>, io: Io) => {
  const { values, positionals } = parse(args, { wait: { type: "boolean" } })
  if (values.help === true) return printHelp(io, help.result)
  const id = onePositional(positionals, "id", "result")
  const answer =
    values.wait === true
      ? await awaitResult(client, encodeURIComponent(id))
      : await client.json(TaskResultAnswer, "read the result", `/api/tasks/${encodeURIComponent(id)}/task_result`)
  io.stdout.write(`${JSON.stringify(answer, null, 2)}\n`)
  return 0
}

const languages = async (client: Client, args: ReadonlyArray<string>, io: Io) => {
  const { values } = parse(args, {})
  if (values.help === true) return printHelp(io, help.languages)
  const list = await client.json(Languages, "list the languages", "/api/languages")
  for (const language of list.languages) {
    const aliases = language.aliases.length > 0 ? ` (${language.aliases.join(", ")})` : ""
    io.stdout.write(`${`${language.id}${aliases}`.padEnd(36)} ${language.version ?? language.display_name}\n`)
  }
  return 0
}

const commands = { run, test: judge, status, result, languages } as const

/** Runs one command line; returns the exit code (errors are reported on stderr here). */
export const main = async (argv: ReadonlyArray<string>, env: NodeJS.ProcessEnv, io: Io): Promise<number> => {
  const [name, ...args] = argv
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    io.stdout.write(`${help.main}\n`)
    return name === undefined ? exitCodes.usage : 0
  }
  const command = commands[name as keyof typeof commands]
  try {
    if (command === undefined) throw usageError(`unknown command "${name}"; the commands are ${Object.keys(commands).join(", ")}`)
    const client = makeClient({ baseUrl: env.CODEBOX_URL || "http://localhost:8000", apiKey: env.CODEBOX_API_KEY })
    return await command(client, args, io)
  } catch (error) {
    if (error instanceof CliError) {
      io.stderr.write(`codebox: ${error.message}\n`)
      return error.exitCode
    }
    io.stderr.write(`codebox: unexpected failure: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    return exitCodes.server
  }
}
