import { makeRegistry, rewritePlaceholders, SandboxPaths } from "@codebox/core"
import { pluginConformance } from "@codebox/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { php, quotePhp } from "./index.ts"

pluginConformance(php)

describe("php plugin", () => {
  it.effect("resolves its id, in any case", () =>
    Effect.gen(function* () {
      expect(yield* makeRegistry([php]).resolve("PHP")).toBe(php)
    })
  )

  it("quotes paths as single-quoted literals, escaping ' and \\", () => {
    expect(quotePhp("/box/in/a.txt")).toBe(`'/box/in/a.txt'`)
    expect(quotePhp("/box/in/it's")).toBe(`'/box/in/it\\'s'`)
    expect(quotePhp("a\\b")).toBe(`'a\\\\b'`)
    // `$` is literal inside single quotes, so no interpolation can sneak in.
    expect(quotePhp("/box/in/$x")).toBe(`'/box/in/$x'`)
  })

  it.effect("rewrites placeholders in code, in both comment styles and in strings", () =>
    Effect.gen(function* () {
      const source = `<?php\n# IN_1\n// OUT_r.txt\n$a = file_get_contents(IN_1);\n$b = "IN_1";\nfile_put_contents(OUT_r.txt, $a);\n`
      const rewritten = yield* rewritePlaceholders(source, {
        inputPaths: ["/box/in/a.txt"],
        outDir: SandboxPaths.out,
        quote: php.quote,
        syntax: php.syntax
      })
      expect(rewritten.source).toBe(
        `<?php\n# /box/in/a.txt\n// /box/out/r.txt\n$a = file_get_contents('/box/in/a.txt');\n$b = "/box/in/a.txt";\nfile_put_contents('/box/out/r.txt', $a);\n`
      )
      expect(rewritten.outputs).toEqual(["r.txt"])
    })
  )

  it.effect("quotes a placeholder inside {$...} and leaves it bare elsewhere in a double-quoted string", () =>
    Effect.gen(function* () {
      const source = `<?php\necho "IN_1 {$f(IN_1)} $x {$a["IN_1"]} {$f('{$g}', IN_1)}";\necho 'IN_1 {$f(IN_1)}';\n`
      const rewritten = yield* rewritePlaceholders(source, {
        inputPaths: ["/box/in/a.txt"],
        outDir: SandboxPaths.out,
        quote: php.quote,
        syntax: php.syntax
      })
      expect(rewritten.source).toBe(
        `<?php\necho "/box/in/a.txt {$f('/box/in/a.txt')} $x {$a["/box/in/a.txt"]} {$f('{$g}', '/box/in/a.txt')}";\necho '/box/in/a.txt {$f(/box/in/a.txt)}';\n`
      )
    })
  )
})
