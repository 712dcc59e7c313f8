import { makeRegistry, rewritePlaceholders, SandboxPaths } from "@codebox/core"
import { pluginConformance } from "@codebox/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { python, quotePython } from "./index.ts"

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

  it("quotes with a quote no enclosing f-string uses (python 3.11 forbids reusing it), and with none when both are taken", () => {
    expect(quotePython("/box/in/a.csv")).toBe(`"/box/in/a.csv"`)
    expect(quotePython("/box/in/a.csv", { enclosing: ['"""'] })).toBe(`'/box/in/a.csv'`)
    expect(quotePython("/box/in/a.csv", { enclosing: ["'"] })).toBe(`"/box/in/a.csv"`)
    expect(quotePython("/b", { enclosing: ['"', "'''"] })).toBe("bytes([47, 98]).decode()")
  })

  it.effect("treats the code of f-strings as code, and every other string as text", () =>
    Effect.gen(function* () {
      const source = `f"{IN_1}" F'{IN_1}' rf"""{IN_1}""" "{IN_1}" b"{IN_1}" f"{{IN_1}}" f"{open('IN_1')}"\n`
      const rewritten = yield* rewritePlaceholders(source, {
        inputPaths: ["/box/in/a"],
        outDir: SandboxPaths.out,
        quote: python.quote,
        syntax: python.syntax
      })
      expect(rewritten.source).toBe(
        `f"{'/box/in/a'}" F'{"/box/in/a"}' rf"""{'/box/in/a'}""" "{/box/in/a}" b"{/box/in/a}" f"{{/box/in/a}}" f"{open('/box/in/a')}"\n`
      )
    })
  )
})
