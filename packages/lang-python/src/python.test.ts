import { makeRegistry, rewritePlaceholders, SandboxPaths } from "@codebox/core"
import { pluginConformance } from "@codebox/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { python } from "./index.ts"

pluginConformance(python)

describe("python plugin", () => {
  it.effect("resolves its id and aliases, in any case", () =>
    Effect.gen(function* () {
      const registry = makeRegistry([python])
      for (const name of ["python", "py", "python3", "Python3"]) {
        expect(yield* registry.resolve(name)).toBe(python)
      }
    })
  )

  it("runs the source with the system python and no bytecode writes", () => {
    const sourcePath = `${SandboxPaths.src}/${python.sourceFile}`
    expect(python.compile).toBeUndefined()
    expect(python.run.argv({ sourcePath, srcDir: SandboxPaths.src })).toEqual(["/usr/bin/python3", "-B", sourcePath])
  })

  it.effect("quotes placeholders in code and leaves them bare in strings and comments", () =>
    Effect.gen(function* () {
      const source = `# reads IN_1\nopen(IN_1)\nopen("IN_1")\n"""OUT_a.txt"""\nopen(OUT_b.txt, "w")\n`
      const rewritten = yield* rewritePlaceholders(source, {
        inputPaths: ["/box/in/data.csv"],
        outDir: SandboxPaths.out,
        quote: python.quote,
        syntax: python.syntax
      })
      expect(rewritten.source).toBe(
        `# reads /box/in/data.csv\nopen("/box/in/data.csv")\nopen("/box/in/data.csv")\n"""/box/out/a.txt"""\nopen("/box/out/b.txt", "w")\n`
      )
      expect(rewritten.outputs).toEqual(["a.txt", "b.txt"])
    })
  )
})
