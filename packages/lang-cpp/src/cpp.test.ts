import { makeRegistry, rewritePlaceholders, SandboxPaths } from "@codebox/core"
import { pluginConformance } from "@codebox/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { cpp } from "./index.ts"

pluginConformance(cpp)

describe("cpp plugin", () => {
  const ctx = { sourcePath: `${SandboxPaths.src}/${cpp.sourceFile}`, srcDir: SandboxPaths.src }

  it.effect("resolves its id and aliases, in any case", () =>
    Effect.gen(function* () {
      const registry = makeRegistry([cpp])
      for (const name of ["cpp", "CPP", "c++", "g++", "G++"]) {
        expect(yield* registry.resolve(name)).toBe(cpp)
      }
    })
  )

  it("compiles C++17 with -O2 into srcDir and runs the binary it built", () => {
    const compile = cpp.compile!.argv(ctx)
    expect(compile[0]).toBe("/usr/bin/g++")
    expect(compile).toContain(ctx.sourcePath)
    expect(compile).toEqual(expect.arrayContaining(["-O2", "-std=c++17"]))
    const output = compile[compile.indexOf("-o") + 1]
    expect(output).toBe(`${SandboxPaths.src}/main`)
    expect(cpp.run.argv(ctx)).toEqual([output])
    expect(cpp.compile!.limits?.processes).toBeGreaterThan(1)
  })

  it.effect("turns the copy sample's placeholders into C++ string literals", () =>
    Effect.gen(function* () {
      const rewritten = yield* rewritePlaceholders(cpp.samples.copyInput, {
        inputPaths: ["/box/in/data.bin"],
        outDir: SandboxPaths.out,
        quote: cpp.quote,
        syntax: cpp.syntax
      })
      expect(rewritten.source).toContain(`std::ifstream in("/box/in/data.bin", std::ios::binary)`)
      expect(rewritten.source).toContain(`std::ofstream out("/box/out/copy.txt", std::ios::binary)`)
      expect(rewritten.outputs).toEqual(["copy.txt"])
    })
  )
})
