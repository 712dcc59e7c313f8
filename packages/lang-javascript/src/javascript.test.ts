import { makeRegistry, rewritePlaceholders, SandboxPaths } from "@codebox/core"
import { pluginConformance } from "@codebox/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { javascript, libraryDir } from "./index.ts"

pluginConformance(javascript)

describe("javascript plugin", () => {
  it.effect("resolves its id and aliases, in any case", () =>
    Effect.gen(function* () {
      const registry = makeRegistry([javascript])
      for (const name of ["javascript", "js", "node", "NodeJS"]) {
        expect(yield* registry.resolve(name)).toBe(javascript)
      }
    })
  )

  it("finds the bundled libraries through NODE_PATH, bound read-only in the native sandbox", () => {
    expect(javascript.runtime.env.NODE_PATH).toBe(libraryDir)
    expect(javascript.runtime.nativePaths).toContain(libraryDir)
  })

  it.effect("treats template literals as strings whose interpolations are code", () =>
    Effect.gen(function* () {
      // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source under test, not a template here
      const source = "const a = `${IN_1}`\nconst b = `IN_1`\nfs.readFileSync(IN_1) // IN_1\n"
      const rewritten = yield* rewritePlaceholders(source, {
        inputPaths: ["/box/in/a.json"],
        outDir: SandboxPaths.out,
        quote: javascript.quote,
        syntax: javascript.syntax
      })
      // biome-ignore lint/suspicious/noTemplateCurlyInString: JavaScript source under test, not a template here
      expect(rewritten.source.split("\n")[0]).toBe('const a = `${"/box/in/a.json"}`')
      expect(rewritten.source.split("\n")[1]).toBe("const b = `/box/in/a.json`")
      expect(rewritten.source.split("\n")[2]).toBe(`fs.readFileSync("/box/in/a.json") // /box/in/a.json`)
    })
  )
})
