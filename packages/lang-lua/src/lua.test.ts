import { makeRegistry, rewritePlaceholders, SandboxPaths } from "@codebox/core"
import { pluginConformance } from "@codebox/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { lua } from "./index.ts"

pluginConformance(lua)

describe("lua plugin", () => {
  it.effect("resolves its names, in any case", () =>
    Effect.gen(function* () {
      const registry = makeRegistry([lua])
      for (const name of ["lua", "LUA", "Lua"]) expect(yield* registry.resolve(name)).toBe(lua)
    })
  )

  it("runs the source with the interpreter, no compile step", () => {
    const ctx = { sourcePath: `${SandboxPaths.src}/${lua.sourceFile}`, srcDir: SandboxPaths.src }
    expect(lua.run.argv(ctx)).toEqual(["/usr/bin/lua5.4", ctx.sourcePath])
    expect(lua.compile).toBeUndefined()
  })

  it.effect("turns the copy sample's placeholders into string literals", () =>
    Effect.gen(function* () {
      const rewritten = yield* rewritePlaceholders(lua.samples.copyInput, {
        inputPaths: ["/box/in/data.bin"],
        outDir: SandboxPaths.out,
        quote: lua.quote,
        syntax: lua.syntax
      })
      expect(rewritten.source).toContain(`io.open("/box/in/data.bin", "rb")`)
      expect(rewritten.source).toContain(`io.open("/box/out/copy.txt", "wb")`)
      expect(rewritten.outputs).toEqual(["copy.txt"])
    })
  )
})
