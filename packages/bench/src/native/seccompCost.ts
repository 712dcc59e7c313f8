// What the seccomp filter costs a step: two native sandboxes in the same run, one loading the
// filter and one without it (only for this measurement), the same steps interleaved.
import { Effect, ManagedRuntime } from "effect"
import { Sandbox, standardLimits, type SandboxStep } from "@codebox/core"
import { NativeSandbox } from "@codebox/sandbox-native"

const step = (argv: ReadonlyArray<string>): SandboxStep => ({
  argv,
  stdin: null,
  env: {},
  cwd: "/",
  mounts: [],
  limits: standardLimits,
  runtime: { image: "", dockerfile: "", nativePaths: [], env: {}, debianPackages: [] }
})

const timed = (sandbox: Sandbox["Service"], argv: ReadonlyArray<string>) =>
  Effect.gen(function* () {
    const started = performance.now()
    const outcome = yield* sandbox.run(step(argv))
    if (outcome.exitCode !== 0) return yield* Effect.die(new Error(`${argv.join(" ")} failed: ${outcome.stderr}`))
    return performance.now() - started
  })

const sandboxOf = (runtime: ManagedRuntime.ManagedRuntime<Sandbox, unknown>): Promise<Sandbox["Service"]> =>
  runtime.runPromise(
    Effect.gen(function* () {
      return yield* Sandbox
    })
  )

/** Prints the median step time with and without the filter, and the difference, for a few programs. */
export const seccompCost = async (runs: number, median: (xs: Array<number>) => number): Promise<void> => {
  const withFilter = ManagedRuntime.make(NativeSandbox.layer())
  const without = ManagedRuntime.make(NativeSandbox.layer({ seccompFilter: null }))
  const filtered = await sandboxOf(withFilter)
  const bare = await sandboxOf(without)
  const programs: Array<[string, ReadonlyArray<string>]> = [
    ["true", ["/usr/bin/true"]],
    ["python hello", ["/usr/bin/python3", "-c", "print('hello')"]]
  ]
  console.log(`seccomp filter, median of ${runs} steps each, with and without interleaved`)
  console.log("program          without ms   with ms   cost ms")
  for (const [name, argv] of programs) {
    const on: Array<number> = []
    const off: Array<number> = []
    await withFilter.runPromise(timed(filtered, argv))
    await without.runPromise(timed(bare, argv))
    for (let i = 0; i < runs; i++) {
      off.push(await without.runPromise(timed(bare, argv)))
      on.push(await withFilter.runPromise(timed(filtered, argv)))
    }
    const cost = median(on) - median(off)
    console.log(
      `${name.padEnd(16)} ${median(off).toFixed(1).padStart(10)} ${median(on).toFixed(1).padStart(9)} ${cost.toFixed(2).padStart(9)}`
    )
  }
  await withFilter.dispose()
  await without.dispose()
}
