import { Effect } from "effect"
import { PlaceholderError } from "../domain/Errors.ts"
import { type LanguagePlugin, type QuoteContext, SandboxPaths, type SourceSyntax, type StringInterpolation } from "../LanguagePlugin.ts"

/**
 * `IN_{N}` stands for the N-th uploaded file (1-based, in the order of `input_files`) and
 * `OUT_{NAME}.{EXT}` for a file the program writes. They are replaced by paths inside the sandbox:
 * as a quoted literal where they stand in code (also code inside a string's interpolation, such
 * as `${IN_1}`), as the bare path inside a string or a comment (so `open("IN_1")` and
 * `open(IN_1)` both work).
 *
 * A token glued to a longer word (`MY_IN_1`, `IN_1x`, `$OUT_a.txt`) is not a placeholder. Every
 * other word starting with `OUT_` is one, in code, strings and comments alike (as `IN_9` is
 * checked there too), so `OUT_noext` or `OUT_` is refused rather than left to fail at run time.
 *
 * The extension is one or more dot-separated runs of letters and digits (`txt`, `tar.gz`), at most
 * 16 characters. A run right before `(` is a method call, not part of it: `OUT_a.txt.upper()` is
 * `a.txt`, then `.upper()`. A property read without a call is taken (`OUT_a.txt.length` is the
 * file `a.txt.length`), and a dot not followed by a letter or digit ends the token (`OUT_a.txt.`).
 */
export interface PlaceholderContext {
  /** Sandbox paths of the inputs; IN_1 is inputPaths[0]. */
  readonly inputPaths: ReadonlyArray<string>
  readonly outDir: string
  readonly quote: (path: string, context?: QuoteContext) => string
  readonly syntax: SourceSyntax
}

export interface Rewritten {
  readonly source: string
  /** File names the source promises to write (from OUT_ placeholders), in order of appearance. */
  readonly outputs: ReadonlyArray<string>
}

const maxNameLength = 64
const maxExtLength = 16
const isWordChar = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_$]/.test(c)
const bracketPairs: Readonly<Record<string, string>> = { "}": "{", ")": "(", "]": "[" }

/** Where the scanner is; the innermost frame is last. */
type Frame =
  | { readonly kind: "code"; readonly interpolation?: { readonly close: string; readonly nest?: string; depth: number } }
  | { readonly kind: "string"; readonly close: string; readonly interpolation: StringInterpolation | undefined }
  | { readonly kind: "comment"; readonly close: string }

/** The letters right before `at` (a string prefix such as python's `rf`), if they start a word. */
const prefixBefore = (source: string, at: number): string => {
  let start = at
  while (start > 0 && /[A-Za-z]/.test(source[start - 1]!)) start--
  return isWordChar(source[start - 1]) ? "" : source.slice(start, at)
}

export const rewritePlaceholders = (source: string, ctx: PlaceholderContext): Effect.Effect<Rewritten, PlaceholderError> =>
  Effect.suspend(() => {
    const out: Array<string> = []
    const outputs: Array<string> = []
    const frames: Array<Frame> = [{ kind: "code" }]
    // Sticky, so each match is tried exactly at `i`; made per call because they carry lastIndex.
    const inPattern = /IN_(\d+)/y
    const outPattern = /OUT_([A-Za-z0-9_-]*)((?:\.[A-Za-z0-9]+)*)/y
    let line = 1
    let lineStart = 0
    let i = 0
    const fail = (placeholder: string, message: string) =>
      Effect.fail(
        new PlaceholderError({
          placeholder,
          line,
          column: i - lineStart + 1,
          message: `${placeholder} at line ${line}, column ${i - lineStart + 1}: ${message}`
        })
      )
    const startsWithAny = (list: ReadonlyArray<string> | undefined) => list?.find((s) => source.startsWith(s, i))
    const emit = (text: string) => {
      out.push(text)
      i += text.length
    }
    const interpolationOf = (delimiter: string) =>
      ctx.syntax.interpolations?.find(
        (it) => it.string === delimiter && (it.prefixes === undefined || it.prefixes.includes(prefixBefore(source, i)))
      )
    /** Opens a comment or a string at `i`, when one starts there. */
    const openFrom = (): boolean => {
      const block = ctx.syntax.blockComments.find(([open]) => source.startsWith(open, i))
      if (block !== undefined) {
        frames.push({ kind: "comment", close: block[1] })
        emit(block[0])
        return true
      }
      const lineComment = startsWithAny(ctx.syntax.lineComments)
      if (lineComment !== undefined) {
        frames.push({ kind: "comment", close: "\n" })
        emit(lineComment)
        return true
      }
      const quote = startsWithAny(ctx.syntax.strings)
      if (quote === undefined) return false
      frames.push({ kind: "string", close: quote, interpolation: interpolationOf(quote) })
      emit(quote)
      return true
    }
    /** A placeholder's path as written where it stands: quoted in code, bare in strings and comments. */
    const written = (frame: Frame, path: string) =>
      frame.kind === "code" ? ctx.quote(path, { enclosing: frames.flatMap((f) => (f.kind === "string" ? [f.close] : [])) }) : path

    while (i < source.length) {
      const c = source[i]!
      const frame = frames.at(-1)!
      if (c === "\n") {
        line++
        lineStart = i + 1
        // Line comments end here, and one-character string delimiters (other than backticks) do not span lines.
        if (frame.kind === "comment" && frame.close === "\n") frames.pop()
        if (frame.kind === "string" && frame.close.length === 1 && frame.close !== "`") frames.pop()
        emit(c)
        continue
      }
      if (frame.kind === "code") {
        const inside = frame.interpolation
        if (inside !== undefined && source.startsWith(inside.close, i)) {
          if (inside.depth === 0) {
            frames.pop()
            emit(inside.close)
            continue
          }
          inside.depth--
        } else if (inside !== undefined && c === inside.nest) {
          inside.depth++
        } else if (openFrom()) {
          continue
        }
      } else if (frame.kind === "string") {
        if (c === "\\") {
          // An escaped newline continues the string; it still counts for the line numbers in errors.
          if (source[i + 1] === "\n") {
            line++
            lineStart = i + 2
          }
          emit(source.slice(i, i + 2))
          continue
        }
        const interpolation = frame.interpolation
        const escaped = startsWithAny(interpolation?.escapes)
        if (escaped !== undefined) {
          emit(escaped)
          continue
        }
        if (interpolation !== undefined && source.startsWith(interpolation.open, i)) {
          const nest = bracketPairs[interpolation.close]
          frames.push({
            kind: "code",
            interpolation: { close: interpolation.close, depth: 0, ...(nest !== undefined ? { nest } : {}) }
          })
          emit(interpolation.open)
          continue
        }
        if (source.startsWith(frame.close, i)) {
          frames.pop()
          emit(frame.close)
          continue
        }
      } else if (frame.close !== "\n" && source.startsWith(frame.close, i)) {
        frames.pop()
        emit(frame.close)
        continue
      }

      if ((c === "I" || c === "O") && !isWordChar(source[i - 1])) {
        inPattern.lastIndex = i
        const inMatch = inPattern.exec(source)
        if (inMatch !== null && !isWordChar(source[i + inMatch[0].length])) {
          const token = inMatch[0]
          const digits = inMatch[1]!
          const index = Number(digits)
          if (index === 0) return fail(token, "input placeholders start at IN_1")
          if (digits.startsWith("0")) return fail(token, `write IN_${index}, without leading zeros`)
          if (index > ctx.inputPaths.length) {
            return fail(
              token,
              ctx.inputPaths.length === 0
                ? "the task has no input files"
                : `the task has ${ctx.inputPaths.length} input file(s), so IN_1..IN_${ctx.inputPaths.length} are valid`
            )
          }
          out.push(written(frame, ctx.inputPaths[index - 1]!))
          i += token.length
          continue
        }
        outPattern.lastIndex = i
        const outMatch = outPattern.exec(source)
        if (outMatch !== null) {
          const name = outMatch[1]!
          const parts = outMatch[2]!.split(".").slice(1)
          // A last run right before `(` is a method called on the path (`OUT_a.txt.upper()`).
          if (parts.length > 0 && source[i + outMatch[0].length] === "(") parts.pop()
          const ext = parts.join(".")
          const token = `OUT_${name}${ext === "" ? "" : `.${ext}`}`
          const next = source[i + token.length]
          if (name === "") return fail(token, "OUT_ needs a name and an extension, e.g. OUT_result.txt")
          if (name.length > maxNameLength) return fail(token, `the name is longer than ${maxNameLength} characters`)
          if (ext === "") {
            return fail(token, `OUT_${name} needs an extension, e.g. OUT_${name}.txt (a word starting with OUT_ is always an output file)`)
          }
          if (ext.length > maxExtLength || next === "_" || next === "-") {
            return fail(token, `the extension may hold only letters, digits and dots (at most ${maxExtLength})`)
          }
          const file = `${name}.${ext}`
          if (!outputs.includes(file)) outputs.push(file)
          out.push(written(frame, `${ctx.outDir}/${file}`))
          i += token.length
          continue
        }
      }
      emit(c)
    }
    return Effect.succeed({ source: out.join(""), outputs })
  })

/** Rewrites a task's source for the sandbox layout: inputs under /box/in by name, outputs in /box/out. */
export const rewriteForSandbox = (
  source: string,
  plugin: Pick<LanguagePlugin, "quote" | "syntax">,
  inputNames: ReadonlyArray<string>
): Effect.Effect<Rewritten, PlaceholderError> =>
  rewritePlaceholders(source, {
    inputPaths: inputNames.map((name) => `${SandboxPaths.in}/${name}`),
    outDir: SandboxPaths.out,
    quote: plugin.quote,
    syntax: plugin.syntax
  })
