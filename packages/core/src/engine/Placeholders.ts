import { Effect } from "effect"
import { PlaceholderError } from "../domain/Errors.ts"
import { type LanguagePlugin, SandboxPaths, type SourceSyntax } from "../LanguagePlugin.ts"

/**
 * `IN_{N}` stands for the N-th uploaded file (1-based, in the order of `input_files`) and
 * `OUT_{NAME}.{EXT}` for a file the program writes. They are replaced by paths inside the sandbox:
 * as a quoted literal where they stand in code, as the bare path inside a string or a comment
 * (so `open("IN_1")` and `open(IN_1)` both work). A token glued to a longer word (`MY_IN_1`,
 * `IN_1x`) is not a placeholder; `OUT_NAME` without an extension is left alone too.
 */
export interface PlaceholderContext {
  /** Sandbox paths of the inputs; IN_1 is inputPaths[0]. */
  readonly inputPaths: ReadonlyArray<string>
  readonly outDir: string
  readonly quote: (path: string) => string
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

type Mode =
  | { readonly kind: "code" }
  | { readonly kind: "string"; readonly close: string }
  | {
      readonly kind: "comment"
      readonly close: string
    }

export const rewritePlaceholders = (source: string, ctx: PlaceholderContext): Effect.Effect<Rewritten, PlaceholderError> =>
  Effect.suspend(() => {
    const out: Array<string> = []
    const outputs: Array<string> = []
    let mode: Mode = { kind: "code" }
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
    const startsWithAny = (list: ReadonlyArray<string>) => list.find((s) => source.startsWith(s, i))

    while (i < source.length) {
      const c = source[i]!
      if (c === "\n") {
        line++
        lineStart = i + 1
        // One-character string delimiters (other than backticks) do not span lines.
        if (mode.kind === "string" && mode.close.length === 1 && mode.close !== "`") mode = { kind: "code" }
        if (mode.kind === "comment" && mode.close === "\n") mode = { kind: "code" }
        out.push(c)
        i++
        continue
      }
      if (mode.kind === "code") {
        const block = ctx.syntax.blockComments.find(([open]) => source.startsWith(open, i))
        const lineComment = block === undefined ? startsWithAny(ctx.syntax.lineComments) : undefined
        const quote = block === undefined && lineComment === undefined ? startsWithAny(ctx.syntax.strings) : undefined
        const opener = block?.[0] ?? lineComment ?? quote
        if (opener !== undefined) {
          mode =
            block !== undefined
              ? { kind: "comment", close: block[1] }
              : lineComment !== undefined
                ? { kind: "comment", close: "\n" }
                : { kind: "string", close: quote! }
          out.push(opener)
          i += opener.length
          continue
        }
      } else if (mode.kind === "string" && c === "\\") {
        out.push(source.slice(i, i + 2))
        i += 2
        continue
      } else if (mode.close !== "\n" && source.startsWith(mode.close, i)) {
        out.push(mode.close)
        i += mode.close.length
        mode = { kind: "code" }
        continue
      }

      if ((c === "I" || c === "O") && !isWordChar(source[i - 1])) {
        const inMatch = /^IN_(\d+)/.exec(source.slice(i, i + 16))
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
          const path = ctx.inputPaths[index - 1]!
          out.push(mode.kind === "code" ? ctx.quote(path) : path)
          i += token.length
          continue
        }
        const outMatch = /^OUT_([A-Za-z0-9_-]*)\.([A-Za-z0-9]*)/.exec(source.slice(i, i + 4 + maxNameLength + maxExtLength + 8))
        if (outMatch !== null) {
          const [token, name, ext] = outMatch as unknown as [string, string, string]
          const next = source[i + token.length]
          if (name === "") return fail(token, "OUT_ needs a name before the extension, e.g. OUT_result.txt")
          if (ext === "") return fail(token, `OUT_${name} needs an extension after the dot, e.g. OUT_${name}.txt`)
          if (name.length > maxNameLength) return fail(token, `the name is longer than ${maxNameLength} characters`)
          if (ext.length > maxExtLength || next === "_" || next === "-") {
            return fail(token, "the extension may hold only letters and digits (at most 16)")
          }
          const file = `${name}.${ext}`
          if (!outputs.includes(file)) outputs.push(file)
          const path = `${ctx.outDir}/${file}`
          out.push(mode.kind === "code" ? ctx.quote(path) : path)
          i += token.length
          continue
        }
      }
      out.push(c)
      i++
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
