import { Schema } from "effect"

/**
 * Exit codes of CodeBox's own failures. A program's own exit code is passed through (0-255), so
 * these sit at 2 and up and a script can tell "CodeBox could not" from "the program said".
 */
export const exitCodes = {
  /** Wrong arguments, a file that cannot be read, or a request the server refused (400, 413). */
  usage: 2,
  /** The server could not be reached (refused, DNS, timeout). */
  unreachable: 3,
  /** 401 or 403: no key, or a wrong one (CODEBOX_API_KEY). */
  unauthorized: 4,
  /** 429: too many requests; the message says when to retry. */
  rateLimited: 5,
  /** 404: no such task (or not this key's). */
  notFound: 6,
  /** CodeBox failed: a 5xx, an answer it should not give, or a task it could not run (FAILURE). */
  server: 7,
  /** The program hit its time limit (as `timeout` does). */
  timeLimit: 124
} as const

/** A failure the CLI reports in one line on stderr before exiting with `exitCode`. */
export class CliError extends Schema.TaggedError<CliError>()("CliError", {
  message: Schema.String,
  exitCode: Schema.Int
}) {}

export const usageError = (message: string) => new CliError({ message, exitCode: exitCodes.usage })
