import { makeRegistry, rewritePlaceholders, SandboxPaths } from "@codebox/core"
import { pluginConformance } from "@codebox/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { c } from "./index.ts"

pluginConformance(c)

describe("c plugin", () => {
  const ctx = { sourcePath: `${SandboxPaths.src}/${c.sourceFile}`, srcDir: SandboxPaths.src }

  it.effect("resolves its id and alias, in any case", () =>
    Effect.gen(function* () {
      const registry = makeRegistry([c])
      for (const name of ["c", "C", "gcc"]) {
        expect(yield* registry.resolve(name)).toBe(c)
      }
    })
  )

  it("compiles into srcDir and runs the binary it built", () => {
    const compile = c.compile!.argv(ctx)
    expect(compile[0]).toBe("/usr/bin/gcc")
    expect(compile).toContain(ctx.sourcePath)
    expect(compile).toContain("-O2")
    const output = compile[compile.indexOf("-o") + 1]
    expect(output).toBe(`${SandboxPaths.src}/main`)
    expect(c.run.argv(ctx)).toEqual([output])
    expect(c.compile!.limits?.processes).toBeGreaterThan(1)
  })

  it.effect("turns the copy sample's placeholders into C string literals", () =>
    Effect.gen(function* () {
      const rewritten = yield* rewritePlaceholders(c.samples.copyInput, {
        inputPaths: ["/box/in/data.bin"],
        outDir: SandboxPaths.out,
        quote: c.quote,
        syntax: c.syntax
      })
      expect(rewritten.source).toContain(`fopen("/box/in/data.bin", "rb")`)
      expect(rewritten.source).toContain(`fopen("/box/out/copy.txt", "wb")`)
      expect(rewritten.outputs).toEqual(["copy.txt"])
    })
  )
})
