import { makeRegistry, rewritePlaceholders, SandboxPaths } from "@codebox/core"
import { pluginConformance } from "@codebox/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { bash } from "./index.ts"

pluginConformance(bash)

describe("bash plugin", () => {
  it.effect("resolves its id and alias, in any case", () =>
    Effect.gen(function* () {
      const registry = makeRegistry([bash])
      for (const name of ["bash", "BASH", "sh"]) expect(yield* registry.resolve(name)).toBe(bash)
    })
  )

  it("runs the script with bash itself, not /bin/sh", () => {
    const ctx = { sourcePath: `${SandboxPaths.src}/${bash.sourceFile}`, srcDir: SandboxPaths.src }
    expect(bash.run.argv(ctx)).toEqual(["/usr/bin/bash", ctx.sourcePath])
    expect(bash.compile).toBeUndefined()
  })

  it.effect("quotes a placeholder in code and inside $(...), leaves it bare in a string and a comment", () =>
    Effect.gen(function* () {
      const source = [`wc -c IN_1 # IN_1`, `echo "IN_1 $(cat IN_1)"`, `echo 'IN_1'`, ``].join("\n")
      const rewritten = yield* rewritePlaceholders(source, {
        inputPaths: ["/box/in/a.txt"],
        outDir: SandboxPaths.out,
        quote: bash.quote,
        syntax: bash.syntax
      })
      expect(rewritten.source).toBe(
        [`wc -c "/box/in/a.txt" # /box/in/a.txt`, `echo "/box/in/a.txt $(cat "/box/in/a.txt")"`, `echo '/box/in/a.txt'`, ``].join("\n")
      )
    })
  )
})
