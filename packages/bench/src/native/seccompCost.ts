// What an option of the native sandbox costs a step: two native sandboxes in the same run, one
// with the option and one without (only for this measurement), the same steps interleaved. Used
// for the seccomp filter and for the host view (the overlays and device tmpfs that keep the host's
// disk out of a job's mountinfo).
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { Effect, ManagedRuntime } from "effect"
import { Sandbox, standardLimits, type SandboxStep } from "@codebox/core"
import { NativeSandbox, type NativeSandboxOptions } from "@codebox/sandbox-native"

const step = (argv: ReadonlyArray<string>, mountDir: string | null): SandboxStep => ({
  argv,
  stdin: null,
  env: {},
  cwd: "/",
  mounts: mountDir === null ? [] : [{ hostPath: mountDir, sandboxPath: "/box", writable: true }],
  limits: standardLimits,
  runtime: { image: "", dockerfile: "", nativePaths: [], env: {}, debianPackages: [] }
})

const timed = (sandbox: Sandbox["Service"], argv: ReadonlyArray<string>, mountDir: string | null) =>
  Effect.gen(function* () {
    const started = performance.now()
    const outcome = yield* sandbox.run(step(argv, mountDir))
    if (outcome.exitCode !== 0) return yield* Effect.die(new Error(`${argv.join(" ")} failed: ${outcome.stderr}`))
    return performance.now() - started
  })

const sandboxOf = (runtime: ManagedRuntime.ManagedRuntime<Sandbox, unknown>): Promise<Sandbox["Service"]> =>
  runtime.runPromise(
    Effect.gen(function* () {
      return yield* Sandbox
    })
  )

/** Prints the median step time with and without `option`, and the difference, for a few programs. */
const optionCost = async (
  title: string,
  option: NativeSandboxOptions,
  runs: number,
  median: (xs: Array<number>) => number
): Promise<void> => {
  const withOption = ManagedRuntime.make(NativeSandbox.layer())
  const without = ManagedRuntime.make(NativeSandbox.layer(option))
  const on = await sandboxOf(withOption)
  const off = await sandboxOf(without)
  const mountDir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-mount-"))
  fs.writeFileSync(path.join(mountDir, "in.txt"), "input\n")
  const programs: Array<[string, ReadonlyArray<string>, string | null]> = [
    ["true", ["/usr/bin/true"], null],
    ["python hello", ["/usr/bin/python3", "-c", "print('hello')"], null],
    ["python, 1 mount", ["/usr/bin/python3", "-c", "print(open('/box/in.txt').read())"], mountDir]
  ]
  console.log(`${title}, median of ${runs} steps each, with and without interleaved`)
  console.log("program          without ms   with ms   cost ms")
  for (const [name, argv, dir] of programs) {
    const withTimes: Array<number> = []
    const withoutTimes: Array<number> = []
    await withOption.runPromise(timed(on, argv, dir))
    await without.runPromise(timed(off, argv, dir))
    for (let i = 0; i < runs; i++) {
      withoutTimes.push(await without.runPromise(timed(off, argv, dir)))
      withTimes.push(await withOption.runPromise(timed(on, argv, dir)))
    }
    const cost = median(withTimes) - median(withoutTimes)
    console.log(
      `${name.padEnd(16)} ${median(withoutTimes).toFixed(1).padStart(10)} ${median(withTimes).toFixed(1).padStart(9)} ${cost.toFixed(2).padStart(9)}`
    )
  }
  await withOption.dispose()
  await without.dispose()
  fs.rmSync(mountDir, { recursive: true, force: true })
}

/** What the seccomp filter costs a step (without it: `seccompFilter: null`). */
export const seccompCost = (runs: number, median: (xs: Array<number>) => number): Promise<void> =>
  optionCost("seccomp filter", { seccompFilter: null }, runs, median)

/** What hiding the host's disk from mountinfo costs a step (without it: `hideHostDisks: false`). */
export const hostViewCost = (runs: number, median: (xs: Array<number>) => number): Promise<void> =>
  optionCost("host view (overlays, device tmpfs)", { hideHostDisks: false }, runs, median)
