/**
 * The documentation's shell examples, read so a test can run them against a real server as a user
 * would and compare what they print with what the document says.
 *
 * Conventions the documents follow (CONTRIBUTING.md, "Documentation examples"):
 * - Every ```sh block that calls `curl` runs, unless the line before it is
 *   `<!-- example: not run (why) -->`. `localhost:8000` and `$CODEBOX` reach the test's server.
 * - A full-line comment after a curl command that starts with a JSON value, optionally after an
 *   HTTP status (`# 202 {"task_id":"5c0e...",...}`), is what that command prints; further comment
 *   lines indented after `#` continue it. Other comments are prose.
 * - In an expected answer `...` or `…` stands for any text. A short hex prefix before it
 *   (`5c0e...`) is a task id: the first answer that shows it binds it, and later commands and
 *   answers of the same document use the real id in its place.
 */

export interface Expectation {
  readonly status: number | undefined
  readonly body: string
}

/** One curl command with the lines after it up to the next curl command, run as one step. */
export interface ExampleStep {
  readonly script: string
  readonly expect: Expectation | undefined
}

export interface ShellExample {
  readonly file: string
  /** 1-based line of the opening fence. */
  readonly line: number
  readonly steps: ReadonlyArray<ExampleStep>
  /** Why it does not run, from `<!-- example: not run (why) -->`; undefined when it runs. */
  readonly notRun: string | undefined
}

const fence = /^```sh\s*$/
const notRunMarker = /^<!-- example: not run \((.+)\) -->$/
const expectationStart = /^#\s(?:(\d{3})\s)?([{[].*)$/
const continuation = /^#\s{2,}(\S.*)$/
const isCurl = (line: string) => /^\s*curl\s/.test(line)

/** The ```sh blocks of a markdown document that call curl. */
export const shellExamples = (file: string, markdown: string): ReadonlyArray<ShellExample> => {
  const lines = markdown.split("\n")
  const examples: Array<ShellExample> = []
  for (let i = 0; i < lines.length; i++) {
    if (!fence.test(lines[i]!)) continue
    const start = i
    const body: Array<string> = []
    for (i++; i < lines.length && lines[i] !== "```"; i++) body.push(lines[i]!)
    if (!body.some((line) => /(^|[\s;&|(])curl\s/.test(line))) continue
    let before = start - 1
    while (before >= 0 && lines[before]!.trim() === "") before--
    const notRun = notRunMarker.exec(lines[before]?.trim() ?? "")?.[1]
    examples.push({ file, line: start + 1, steps: stepsOf(body), notRun })
  }
  return examples
}

const stepsOf = (body: ReadonlyArray<string>): ReadonlyArray<ExampleStep> => {
  const steps: Array<{ lines: Array<string>; expect: { status: number | undefined; body: string } | undefined }> = []
  let inExpectation = false
  for (const line of body) {
    if (isCurl(line) || steps.length === 0) steps.push({ lines: [], expect: undefined })
    const step = steps[steps.length - 1]!
    const started = expectationStart.exec(line)
    const continued = continuation.exec(line)
    if (step.expect === undefined && started !== null && step.lines.some(isCurl)) {
      step.expect = { status: started[1] === undefined ? undefined : Number(started[1]), body: started[2]! }
      inExpectation = true
    } else if (inExpectation && step.expect !== undefined && continued !== null) {
      step.expect.body += continued[1]!
    } else {
      inExpectation = false
      step.lines.push(line)
    }
  }
  return steps.map((s) => ({ script: s.lines.join("\n"), expect: s.expect }))
}

/** A task id as the documents abbreviate it: a few hex digits and an ellipsis. */
const idToken = /\b[0-9a-f]{4}(?:…|\.\.\.)/g

/** Replaces the ids bound so far by the real ones. */
export const substituteIds = (text: string, ids: ReadonlyMap<string, string>): string =>
  text.replace(idToken, (token) => ids.get(token) ?? token)

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
const ellipsis = /…|\.\.\./

/** Marks where a document left out members or elements (`…` outside a string). */
const more = "\u0000more"

/**
 * The expected answer as JSON, or undefined when it is not JSON. `…` outside strings becomes a
 * marker member (objects) or element (arrays): there the actual answer may have more.
 */
const parseExpected = (text: string): unknown => {
  let out = ""
  const stack: Array<"{" | "["> = []
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === '"') {
      let j = i + 1
      while (j < text.length && text[j] !== '"') j += text[j] === "\\" ? 2 : 1
      out += text.slice(i, j + 1)
      i = j
    } else if (c === "…" || text.startsWith("...", i)) {
      out += stack.at(-1) === "[" ? JSON.stringify(more) : `${JSON.stringify(more)}:true`
      if (c !== "…") i += 2
    } else {
      if (c === "{" || c === "[") stack.push(c)
      if (c === "}" || c === "]") stack.pop()
      out += c
    }
  }
  try {
    return JSON.parse(out)
  } catch {
    return undefined
  }
}

/** A string of the document: exact, or with `…` for any text and `5c0e…` for a task id. */
const matchString = (expected: string, actual: string, ids: Map<string, string>): boolean => {
  if (!ellipsis.test(expected)) return expected === actual
  const unbound: Array<string> = []
  let pattern = ""
  let last = 0
  for (const m of expected.matchAll(/\b[0-9a-f]{4}(?:…|\.\.\.)|…|\.\.\./g)) {
    pattern += escapeRegExp(expected.slice(last, m.index))
    const token = m[0]
    if (token === "…" || token === "...") pattern += "[\\s\\S]*?"
    else if (ids.has(token)) pattern += escapeRegExp(ids.get(token)!)
    else if (unbound.includes(token)) pattern += `\\k<id${unbound.indexOf(token)}>`
    else {
      pattern += `(?<id${unbound.length}>[A-Za-z0-9-]+)`
      unbound.push(token)
    }
    last = m.index + token.length
  }
  pattern += escapeRegExp(expected.slice(last))
  const match = new RegExp(`^${pattern}$`).exec(actual)
  if (match === null) return false
  for (const [i, token] of unbound.entries()) ids.set(token, match.groups![`id${i}`]!)
  return true
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v)

const matchValue = (expected: unknown, actual: unknown, ids: Map<string, string>): boolean => {
  if (typeof expected === "string") return typeof actual === "string" && matchString(expected, actual, ids)
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return false
    const open = expected.includes(more)
    const items = expected.filter((e) => e !== more)
    if (open ? actual.length < items.length : actual.length !== items.length) return false
    return items.every((item, i) => matchValue(item, actual[i], ids))
  }
  if (isObject(expected)) {
    if (!isObject(actual)) return false
    const keys = Object.keys(expected).filter((k) => k !== more)
    if (!(more in expected) && Object.keys(actual).length !== keys.length) return false
    return keys.every((k) => k in actual && matchValue(expected[k], actual[k], ids))
  }
  return Object.is(expected, actual)
}

/**
 * Whether `actual` is what `expected` describes, binding the id tokens it sees for the first time
 * (into `ids`) when it matches. JSON is compared as values (members in any order; `…` where the
 * document leaves some out); other text as a pattern.
 */
export const matchAnswer = (expected: string, actual: string, ids: Map<string, string>): boolean => {
  const expectedJson = parseExpected(expected)
  let actualJson: unknown
  try {
    actualJson = JSON.parse(actual)
  } catch {
    return matchString(expected, actual.trim(), ids)
  }
  if (expectedJson === undefined) return false
  // Bind only when the whole answer matches: work on a copy.
  const trial = new Map(ids)
  if (!matchValue(expectedJson, actualJson, trial)) return false
  for (const [token, id] of trial) ids.set(token, id)
  return true
}
