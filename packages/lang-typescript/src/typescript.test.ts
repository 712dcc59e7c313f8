import { makeRegistry, rewritePlaceholders, SandboxPaths } from "@codebox/core"
import { javascript, libraryDir } from "@codebox/lang-javascript"
import { pluginConformance } from "@codebox/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { compilerDir, typescript } from "./index.ts"

pluginConformance(typescript)

describe("typescript plugin", () => {
  const ctx = { sourcePath: `${SandboxPaths.src}/${typescript.sourceFile}`, srcDir: SandboxPaths.src }

  it.effect("resolves its id and alias, in any case", () =>
    Effect.gen(function* () {
      const registry = makeRegistry([typescript])
      for (const name of ["typescript", "TypeScript", "ts"]) expect(yield* registry.resolve(name)).toBe(typescript)
    })
  )

  it("transpiles main.ts into srcDir with the installed compiler, then runs the JavaScript with Node", () => {
    const compile = typescript.compile!.argv(ctx)
    expect(compile.slice(0, 2)).toEqual(["/usr/bin/node", "-e"])
    expect(compile[2]).toContain(compilerDir)
    expect(compile.slice(3)).toEqual([ctx.sourcePath, `${SandboxPaths.src}/main.js`])
    expect(typescript.run.argv(ctx).at(-1)).toBe(`${SandboxPaths.src}/main.js`)
  })

  it("shares the JavaScript plugin's libraries, one set under one prefix, with the compiler added", () => {
    expect(typescript.runtime.env.NODE_PATH).toBe(libraryDir)
    expect(typescript.runtime.nativePaths).toContain(libraryDir)
    expect(typescript.runtime.npmPackages?.prefix).toBe(javascript.runtime.npmPackages?.prefix)
    expect(typescript.runtime.npmPackages?.packages).toEqual(expect.arrayContaining([...javascript.runtime.npmPackages!.packages]))
    expect(typescript.runtime.npmPackages?.packages.some((p) => p.startsWith("typescript@"))).toBe(true)
  })

  it.effect("turns the copy sample's placeholders into string literals", () =>
    Effect.gen(function* () {
      const rewritten = yield* rewritePlaceholders(typescript.samples.copyInput, {
        inputPaths: ["/box/in/data.bin"],
        outDir: SandboxPaths.out,
        quote: typescript.quote,
        syntax: typescript.syntax
      })
      expect(rewritten.source).toContain(`fs.readFileSync("/box/in/data.bin")`)
      expect(rewritten.source).toContain(`fs.writeFileSync("/box/out/copy.txt", data)`)
      expect(rewritten.outputs).toEqual(["copy.txt"])
    })
  )
})
