import { makeRegistry, rewritePlaceholders, SandboxPaths, standardLimits } from "@codebox/core"
import { pluginConformance } from "@codebox/testkit"
import { Effect } from "effect"
import { describe, expect, it } from "@effect/vitest"
import { java } from "./index.ts"

pluginConformance(java)

describe("java plugin", () => {
  const ctx = { sourcePath: `${SandboxPaths.src}/${java.sourceFile}`, srcDir: SandboxPaths.src }

  it.effect("resolves its id, in any case", () =>
    Effect.gen(function* () {
      const registry = makeRegistry([java])
      for (const name of ["java", "Java", "JAVA"]) expect(yield* registry.resolve(name)).toBe(java)
    })
  )

  it("compiles Main.java into srcDir with javac and runs class Main from there", () => {
    const compile = java.compile!.argv(ctx)
    expect(compile[0]).toBe("/usr/bin/javac")
    expect(compile.at(-1)).toBe(ctx.sourcePath)
    expect(compile[compile.indexOf("-d") + 1]).toBe(SandboxPaths.src)
    const run = java.run.argv(ctx)
    expect(run[0]).toBe("/usr/bin/java")
    expect(run.slice(-3)).toEqual(["-cp", SandboxPaths.src, "Main"])
  })

  it("sizes the heap from the step's memory limit, above it, so the sandbox's limit is met first", () => {
    const heap = (memory_mb: number) =>
      java.run.argv({ ...ctx, limits: { ...standardLimits, memory_mb } }).find((a) => a.startsWith("-Xmx"))
    expect(heap(64)).toBe("-Xmx128m")
    expect(heap(1024)).toBe("-Xmx2048m")
    expect(java.run.argv(ctx)).toContain(`-Xmx${2 * java.defaultLimits.memory_mb}m`)
  })

  it("leaves room in the default process limit for the JVM's own threads", () => {
    expect(java.defaultLimits.processes).toBeGreaterThan(standardLimits.processes)
    expect(java.defaultLimits.processes).toBeLessThanOrEqual(java.maxLimits.processes)
  })

  it.effect("turns the copy sample's placeholders into Java string literals", () =>
    Effect.gen(function* () {
      const rewritten = yield* rewritePlaceholders(java.samples.copyInput, {
        inputPaths: ["/box/in/data.bin"],
        outDir: SandboxPaths.out,
        quote: java.quote,
        syntax: java.syntax
      })
      expect(rewritten.source).toContain(`Files.readAllBytes(Path.of("/box/in/data.bin"))`)
      expect(rewritten.source).toContain(`Files.write(Path.of("/box/out/copy.txt"), data)`)
      expect(rewritten.outputs).toEqual(["copy.txt"])
    })
  )
})
