import { toyPlugin } from "@codebox/test-support"
import { Effect, Exit } from "effect"
import { describe, expect, it } from "vitest"
import type { SourceSyntax } from "./LanguagePlugin.ts"
import { decodePlugin } from "./LanguagePluginSchema.ts"

// A plugin loaded from configuration crosses a boundary: its syntax, interpolations included, is decoded.
const withSyntax = (syntax: unknown) => Effect.runSyncExit(decodePlugin(toyPlugin({ syntax: syntax as SourceSyntax })))
const message = (exit: Exit.Exit<unknown, { message: string }>) => (Exit.isFailure(exit) ? String(exit.cause) : "decoded")
const base = { lineComments: ["#"], blockComments: [], strings: ['"', "`"] }

describe("LanguagePluginSchema: syntax.interpolations", () => {
  it("accepts a syntax without interpolations, and well-formed ones", () => {
    expect(Exit.isSuccess(withSyntax(base))).toBe(true)
    const interpolations = [
      { string: "`", open: "${", close: "}" },
      { string: '"', prefixes: ["f"], open: "{", close: "}", escapes: ["{{", "}}"] }
    ]
    expect(Exit.isSuccess(withSyntax({ ...base, interpolations }))).toBe(true)
  })

  it("refuses an interpolation on a delimiter the language does not declare, naming it", () => {
    const exit = withSyntax({ ...base, interpolations: [{ string: "'", open: "{", close: "}" }] })
    expect(message(exit)).toMatch(/must be one of syntax.strings[\s\S]*"syntax"[\s\S]*"interpolations"[\s\S]*0[\s\S]*"string"/)
  })

  it("refuses a malformed interpolation", () => {
    expect(Exit.isFailure(withSyntax({ ...base, interpolations: [{ string: "`", open: "${" }] }))).toBe(true)
    expect(Exit.isFailure(withSyntax({ ...base, interpolations: [{ string: "`", open: "", close: "}" }] }))).toBe(true)
    expect(Exit.isFailure(withSyntax({ ...base, interpolations: [{ string: "`", open: "${", close: "}", prefixes: "f" }] }))).toBe(true)
  })

  it("checks the optional placeholders sample is source text", () => {
    const plugin = toyPlugin()
    const exit = Effect.runSyncExit(decodePlugin({ ...plugin, samples: { ...plugin.samples, placeholders: 3 } }))
    expect(message(exit)).toMatch(/placeholders/)
  })
})
