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
    // The cpu time the job's cgroup counted: less disturbed by other work on the host than the wall time.
    return { wall: performance.now() - started, cpu: outcome.cpuTimeMs ?? Number.NaN }
  })

const sandboxOf = (runtime: ManagedRuntime.ManagedRuntime<Sandbox, unknown>): Promise<Sandbox["Service"]> =>
  runtime.runPromise(
    Effect.gen(function* () {
      return yield* Sandbox
    })
  )

/** A compile and run: many more files looked up (headers, the toolchain) than a hello. */
const gccHello: [string, ReadonlyArray<string>, string | null] = [
  "gcc hello",
  ["/bin/sh", "-c", `printf '#include <stdio.h>\\nint main(void){puts("hi");}\\n' > /tmp/a.c && gcc -o /tmp/a /tmp/a.c && /tmp/a`],
  null
]

/** Prints the median step time with and without `option`, and the difference, for a few programs. */
const optionCost = async (
  title: string,
  option: NativeSandboxOptions,
  runs: number,
  median: (xs: Array<number>) => number,
  compile = false
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
    ["python, 1 mount", ["/usr/bin/python3", "-c", "print(open('/box/in.txt').read())"], mountDir],
    ...(compile ? [gccHello] : [])
  ]
  console.log(`${title}, median of ${runs} steps each, with and without interleaved`)
  console.log("program          without ms   with ms   cost ms   cpu without   cpu with   cpu cost")
  const fmt = (n: number, width: number, digits = 1) => n.toFixed(digits).padStart(width)
  for (const [name, argv, dir] of programs) {
    const withTimes: Array<{ wall: number; cpu: number }> = []
    const withoutTimes: Array<{ wall: number; cpu: number }> = []
    await withOption.runPromise(timed(on, argv, dir))
    await without.runPromise(timed(off, argv, dir))
    for (let i = 0; i < runs; i++) {
      withoutTimes.push(await without.runPromise(timed(off, argv, dir)))
      withTimes.push(await withOption.runPromise(timed(on, argv, dir)))
    }
    const wall = [median(withoutTimes.map((t) => t.wall)), median(withTimes.map((t) => t.wall))] as const
    const cpu = [median(withoutTimes.map((t) => t.cpu)), median(withTimes.map((t) => t.cpu))] as const
    console.log(
      `${name.padEnd(16)} ${fmt(wall[0], 10)} ${fmt(wall[1], 9)} ${fmt(wall[1] - wall[0], 9, 2)} ${fmt(cpu[0], 13)} ${fmt(cpu[1], 10)} ${fmt(cpu[1] - cpu[0], 10, 2)}`
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
  optionCost("host view (overlays, device tmpfs)", { hideHostDisks: false }, runs, median, true)
