// Native sandbox overhead: hello world in each language run bare on the host and in NativeSandbox,
// interleaved in the same run (median of N each, and the ratio); then a file task through the whole
// engine: a 1024x1024 PNG resized with Pillow; and what the seccomp filter and the host view cost a step
// (native/seccompCost.ts).
import { spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import * as zlib from "node:zlib"
import { Effect, Layer, ManagedRuntime } from "effect"
import { createCodeBox, type LanguagePlugin, Sandbox, SandboxPaths, type SandboxStep } from "@codebox/core"
import { NativeSandbox } from "@codebox/sandbox-native"
import { c } from "@codebox/lang-c"
import { javascript } from "@codebox/lang-javascript"
import { php } from "@codebox/lang-php"
import { java } from "@codebox/lang-java"
import { typescript } from "@codebox/lang-typescript"
import { lua } from "@codebox/lang-lua"
import { perl } from "@codebox/lang-perl"
import { bash } from "@codebox/lang-bash"
import { cpp } from "@codebox/lang-cpp"
import { python } from "@codebox/lang-python"
import { hostViewCost, seccompCost } from "./native/seccompCost.ts"

const runs = Number(process.env.BENCH_RUNS ?? 15)
const median = (xs: Array<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const spawnBare = (argv: ReadonlyArray<string>, cwd: string, env: Record<string, string>) =>
  new Promise<number>((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env: { PATH: "/usr/bin:/bin", ...env }, stdio: ["ignore", "pipe", "pipe"] })
    child.stdout.resume()
    child.stderr.resume()
    child.on("error", reject)
    child.on("close", (code) => (code === 0 ? resolve(code) : reject(new Error(`${argv.join(" ")} exited ${code}`))))
  })

/** A job directory like the executor's: src/, in/, out/ under a root only root may list. */
const jobDir = (plugin: LanguagePlugin) => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "codebox-bench-"))
  fs.chmodSync(root, 0o711)
  const dirs = { root, src: path.join(root, "src"), in: path.join(root, "in"), out: path.join(root, "out") }
  for (const d of [dirs.src, dirs.in, dirs.out]) fs.mkdirSync(d, { mode: 0o755 })
  fs.writeFileSync(path.join(dirs.src, plugin.sourceFile), plugin.samples.hello, { mode: 0o644 })
  return dirs
}

/** Bare: the plugin's own argv with host paths (compile, then run, for compiled languages). */
const bareHello = async (plugin: LanguagePlugin) => {
  const dir = jobDir(plugin)
  const ctx = { sourcePath: path.join(dir.src, plugin.sourceFile), srcDir: dir.src }
  const started = performance.now()
  if (plugin.compile !== undefined) await spawnBare(plugin.compile.argv(ctx), dir.src, plugin.runtime.env)
  await spawnBare(plugin.run.argv(ctx), dir.out, plugin.runtime.env)
  const ms = performance.now() - started
  fs.rmSync(dir.root, { recursive: true, force: true })
  return ms
}

/** Sandboxed: the same steps the executor gives the sandbox. */
const sandboxHello = (sandbox: Sandbox["Service"], plugin: LanguagePlugin) =>
  Effect.gen(function* () {
    const dir = jobDir(plugin)
    const ctx = { sourcePath: `${SandboxPaths.src}/${plugin.sourceFile}`, srcDir: SandboxPaths.src }
    const base = { stdin: null, env: plugin.runtime.env, runtime: plugin.runtime, limits: plugin.defaultLimits }
    const started = performance.now()
    if (plugin.compile !== undefined) {
      const step: SandboxStep = {
        ...base,
        argv: plugin.compile.argv(ctx),
        cwd: SandboxPaths.src,
        limits: { ...plugin.defaultLimits, ...plugin.compile.limits },
        mounts: [
          { hostPath: dir.src, sandboxPath: SandboxPaths.src, writable: true },
          { hostPath: dir.in, sandboxPath: SandboxPaths.in, writable: false }
        ]
      }
      const compiled = yield* sandbox.run(step)
      if (compiled.exitCode !== 0) return yield* Effect.die(new Error(`compile failed: ${compiled.stderr}`))
    }
    const outcome = yield* sandbox.run({
      ...base,
      argv: plugin.run.argv(ctx),
      cwd: SandboxPaths.out,
      mounts: [
        { hostPath: dir.src, sandboxPath: SandboxPaths.src, writable: false },
        { hostPath: dir.in, sandboxPath: SandboxPaths.in, writable: false },
        { hostPath: dir.out, sandboxPath: SandboxPaths.out, writable: true }
      ]
    })
    const ms = performance.now() - started
    fs.rmSync(dir.root, { recursive: true, force: true })
    if (outcome.stdout !== "hello\n") return yield* Effect.die(new Error(`${plugin.id}: unexpected output ${JSON.stringify(outcome)}`))
    return ms
  })

/** A 1024x1024 RGB gradient as a PNG, written with zlib alone. */
const gradientPng = (size: number) => {
  const raw = Buffer.alloc((size * 3 + 1) * size)
  for (let y = 0; y < size; y++) {
    const row = y * (size * 3 + 1)
    for (let x = 0; x < size; x++) raw.set([x & 255, y & 255, (x ^ y) & 255], row + 1 + x * 3)
  }
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let k = n
    for (let i = 0; i < 8; i++) k = k & 1 ? 0xedb88320 ^ (k >>> 1) : k >>> 1
    return k >>> 0
  })
  const crc = (b: Buffer) => {
    let v = 0xffffffff
    for (const byte of b) v = crcTable[(v ^ byte) & 255]! ^ (v >>> 8)
    return (v ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, "ascii"), data])
    const out = Buffer.alloc(12 + data.length)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(crc(body), 8 + data.length)
    return out
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr.set([8, 2, 0, 0, 0], 8)
  return Buffer.concat([
    Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk("IHDR", ihdr),
    chunk("IDAT", zlib.deflateSync(raw)),
    chunk("IEND", Buffer.alloc(0))
  ])
}

const resizeSource = [
  "from PIL import Image",
  "",
  "with Image.open(IN_1) as image:",
  "    image.resize((256, 256)).save(OUT_small.png)",
  'print("resized")',
  ""
].join("\n")

export const run = async (): Promise<void> => {
  const plugins = [python, c, javascript, php, cpp, bash, lua, perl, typescript, java]
  const runtime = ManagedRuntime.make(NativeSandbox.layer())
  const sandbox = await runtime.runPromise(
    Effect.gen(function* () {
      return yield* Sandbox
    })
  )
  console.log(`median of ${runs} runs each, bare and sandboxed interleaved, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}`)
  console.log("language                   bare ms   native ms   ratio")
  let pythonRatio = 0
  for (const plugin of plugins) {
    const bare: Array<number> = []
    const boxed: Array<number> = []
    await bareHello(plugin) // warm the page cache for both
    await runtime.runPromise(sandboxHello(sandbox, plugin))
    for (let i = 0; i < runs; i++) {
      bare.push(await bareHello(plugin))
      boxed.push(await runtime.runPromise(sandboxHello(sandbox, plugin)))
    }
    const ratio = median(boxed) / median(bare)
    if (plugin.id === "python") pythonRatio = ratio
    const label = plugin.compile === undefined ? plugin.id : `${plugin.id} (compile+run)`
    console.log(
      `${label.padEnd(24)} ${median(bare).toFixed(1).padStart(6)} ${median(boxed).toFixed(1).padStart(10)} ${ratio.toFixed(2).padStart(6)}x`
    )
  }
  await runtime.dispose()
  console.log(`python hello target: within 2.5x of bare -> ${pythonRatio <= 2.5 ? "met" : "NOT met"} (${pythonRatio.toFixed(2)}x)`)
  await seccompCost(Math.max(runs, 21), median)
  await hostViewCost(Math.max(runs, 21), median)

  // The file task, end to end: submit with an upload, await, read the output back.
  const box = createCodeBox({ plugins: [python], sandbox: NativeSandbox.layer().pipe(Layer.orDie), concurrency: 1 })
  const png = gradientPng(1024)
  const times: Array<number> = []
  let size = ""
  for (let i = 0; i < Math.max(3, Math.floor(runs / 3)); i++) {
    const started = performance.now()
    const submitted = await box.submit({ language: "python", source_code: resizeSource }, [{ name: "big.png", data: png }])
    const task = await box.awaitResult(submitted.task_id, 60_000)
    if (task?.result?.stdout !== "resized\n") throw new Error(`resize failed: ${task?.result?.stderr ?? task?.error}`)
    const out = Buffer.from(await box.readOutput(submitted.task_id, "small.png"))
    times.push(performance.now() - started)
    size = `${out.readUInt32BE(16)}x${out.readUInt32BE(20)}, ${out.length} bytes`
  }
  await box.close()
  console.log(
    `file task (Pillow resize 1024x1024 PNG of ${png.length} bytes -> ${size}) through the engine: median ${median(times).toFixed(1)} ms of ${times.length}`
  )
}
