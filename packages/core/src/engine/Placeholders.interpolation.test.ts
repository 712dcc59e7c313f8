// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the sources under test are other languages' templates

import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import { PlaceholderError } from "../domain/Errors.ts"
import { type QuoteContext, quoteJson, type SourceSyntax } from "../LanguagePlugin.ts"
import { type PlaceholderContext, rewritePlaceholders } from "./Placeholders.ts"

const fPrefixes = ["f", "F", "rf", "fr"]
/** A language with all the interpolation forms at once: javascript's, python's (prefixed, with escapes) and a `#{...}` form. */
const syntax: SourceSyntax = {
  lineComments: ["//"],
  blockComments: [["/*", "*/"]],
  strings: ['"""', '"', "'", "`"],
  interpolations: [
    { string: "`", open: "${", close: "}" },
    { string: '"""', prefixes: fPrefixes, open: "{", close: "}", escapes: ["{{", "}}"] },
    { string: "'", prefixes: fPrefixes, open: "{", close: "}", escapes: ["{{", "}}"] },
    { string: '"', prefixes: ["f"], open: "{", close: "}", escapes: ["{{", "}}"] },
    { string: '"', prefixes: ["r"], open: "#{", close: "}" }
  ]
}
const contexts: Array<QuoteContext | undefined> = []
const ctx: PlaceholderContext = {
  inputPaths: ["/box/in/a.csv", "/box/in/b.png"],
  outDir: "/box/out",
  quote: (path, context) => {
    contexts.push(context)
    return quoteJson(path)
  },
  syntax
}
const rewrite = (source: string) => Effect.runSync(rewritePlaceholders(source, ctx)).source
const failure = (source: string) => {
  const exit = Effect.runSyncExit(rewritePlaceholders(source, ctx))
  if (Exit.isSuccess(exit)) throw new Error("expected a PlaceholderError")
  const reason = exit.cause.reasons[0]
  if (reason?._tag !== "Fail" || !(reason.error instanceof PlaceholderError)) throw new Error("not a PlaceholderError")
  return reason.error
}

describe("rewritePlaceholders inside interpolated strings", () => {
  it("quotes a placeholder in a template literal's code, and leaves the text around it bare", () => {
    expect(rewrite("`${IN_1}`")).toBe('`${"/box/in/a.csv"}`')
    expect(rewrite("`IN_2: ${IN_1} of OUT_r.tar.gz`")).toBe('`/box/in/b.png: ${"/box/in/a.csv"} of /box/out/r.tar.gz`')
    expect(rewrite("x = `${IN_1}` + IN_2")).toBe('x = `${"/box/in/a.csv"}` + "/box/in/b.png"')
  })

  it("ends the code at the matching brace, not at a brace of an object inside it", () => {
    expect(rewrite("`${ {a: IN_1}.a } IN_2`")).toBe('`${ {a: "/box/in/a.csv"}.a } /box/in/b.png`')
    expect(rewrite("`${ f({x: {y: 1}}) }IN_1`")).toBe("`${ f({x: {y: 1}}) }/box/in/a.csv`")
  })

  it("nests strings, comments and interpolations inside the code", () => {
    expect(rewrite('`${"IN_1"}`')).toBe('`${"/box/in/a.csv"}`')
    expect(rewrite("`${`${IN_1}`}`")).toBe('`${`${"/box/in/a.csv"}`}`')
    expect(rewrite("`a ${`b ${IN_1} IN_2`} IN_1`")).toBe('`a ${`b ${"/box/in/a.csv"} /box/in/b.png`} /box/in/a.csv`')
    expect(rewrite("`${IN_1 /* IN_2 } */}` + IN_2")).toBe('`${"/box/in/a.csv" /* /box/in/b.png } */}` + "/box/in/b.png"')
    expect(rewrite("`${'}' + IN_1}`")).toBe("`${'}' + \"/box/in/a.csv\"}`")
  })

  it("leaves an escaped opener alone", () => {
    expect(rewrite("`\\${IN_1}`")).toBe("`\\${/box/in/a.csv}`")
  })

  it("interpolates only strings with a declared prefix, and honours escapes", () => {
    expect(rewrite('f"{IN_1}"')).toBe('f"{"/box/in/a.csv"}"')
    expect(rewrite('"{IN_1}"')).toBe('"{/box/in/a.csv}"')
    expect(rewrite('rb"{IN_1}"')).toBe('rb"{/box/in/a.csv}"')
    expect(rewrite('elif"{IN_1}"')).toBe('elif"{/box/in/a.csv}"')
    expect(rewrite('x=f"{IN_1}"')).toBe('x=f"{"/box/in/a.csv"}"')
    expect(rewrite('f"{{IN_1}} {IN_2}"')).toBe('f"{{/box/in/a.csv}} {"/box/in/b.png"}"')
    expect(rewrite("F'{IN_1!r:>20}'")).toBe("F'{\"/box/in/a.csv\"!r:>20}'")
    expect(rewrite('r"#{IN_1} {IN_2}"')).toBe('r"#{"/box/in/a.csv"} {/box/in/b.png}"')
  })

  it("keeps a triple-quoted interpolated string open across lines", () => {
    expect(rewrite('f"""\nIN_1 {IN_2}\n"""\nIN_1')).toBe('f"""\n/box/in/a.csv {"/box/in/b.png"}\n"""\n"/box/in/a.csv"')
  })

  it("tells quote which strings enclose the placeholder, outermost first", () => {
    contexts.length = 0
    rewrite("IN_1; `${IN_1}`; f\"{f'{`${IN_1}`}'}\"")
    expect(contexts).toEqual([{ enclosing: [] }, { enclosing: ["`"] }, { enclosing: ['"', "'", "`"] }])
  })

  it("refuses a bad placeholder inside an interpolation with its line and column", () => {
    const e = failure("x\n  `${IN_9}`")
    expect([e.placeholder, e.line, e.column]).toEqual(["IN_9", 2, 6])
    expect(failure('f"{open(OUT_noext)}"').placeholder).toBe("OUT_noext")
  })

  it("is back in code after the string ends", () => {
    expect(rewrite("`${IN_1}`; `IN_2`; IN_1")).toBe('`${"/box/in/a.csv"}`; `/box/in/b.png`; "/box/in/a.csv"')
    expect(rewrite('f"{IN_1}"\nIN_2')).toBe('f"{"/box/in/a.csv"}"\n"/box/in/b.png"')
  })
})
