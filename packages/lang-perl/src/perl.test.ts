import { makeRegistry, rewritePlaceholders, SandboxPaths } from "@codebox/core"
import { pluginConformance } from "@codebox/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { perl } from "./index.ts"

pluginConformance(perl)

describe("perl plugin", () => {
  it.effect("resolves its names, in any case", () =>
    Effect.gen(function* () {
      const registry = makeRegistry([perl])
      for (const name of ["perl", "PERL", "pl"]) expect(yield* registry.resolve(name)).toBe(perl)
    })
  )

  it("runs the source with the interpreter, no compile step", () => {
    const ctx = { sourcePath: `${SandboxPaths.src}/${perl.sourceFile}`, srcDir: SandboxPaths.src }
    expect(perl.run.argv(ctx)).toEqual(["/usr/bin/perl", ctx.sourcePath])
    expect(perl.compile).toBeUndefined()
  })

  it.effect("turns the copy sample's placeholders into string literals", () =>
    Effect.gen(function* () {
      const rewritten = yield* rewritePlaceholders(perl.samples.copyInput, {
        inputPaths: ["/box/in/data.bin"],
        outDir: SandboxPaths.out,
        quote: perl.quote,
        syntax: perl.syntax
      })
      expect(rewritten.source).toContain(`open(my $in, "<:raw", '/box/in/data.bin')`)
      expect(rewritten.source).toContain(`open(my $out, ">:raw", '/box/out/copy.txt')`)
      expect(rewritten.outputs).toEqual(["copy.txt"])
    })
  )
})
