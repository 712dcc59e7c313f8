import * as fs from "node:fs"
import * as path from "node:path"
import { SandboxPaths, type SandboxStep } from "@codebox/core"
import { ScriptedSandbox } from "@codebox/testkit"
import { Effect } from "effect"

/** N bytes that differ from position to position (and are not all compressible), as `fill` writes them. */
export const filledBytes = (n: number): Uint8Array => {
  const data = new Uint8Array(n)
  let x = 2463534242
  for (let i = 0; i < n; i++) {
    // xorshift32: cheap, deterministic, and far from a repeating pattern a zip would shrink to nothing
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    data[i] = x & 0xff
  }
  return data
}

/**
 * A ScriptedSandbox whose "programs" are lines of a tiny language, so HTTP tests can drive the
 * whole engine (placeholders, staging, output collection) without a real runtime:
 *   print TEXT            stdout gets TEXT and a newline
 *   echo-stdin            stdout gets stdin
 *   echo-args             stdout gets the program's arguments as JSON
 *   copy "SRC" "DST"      copies a file inside the sandbox (IN_1 / OUT_x.txt rewrite to quoted paths)
 *   write "DST" TEXT      writes TEXT to a file
 *   fill "DST" N          writes N bytes of `filledBytes(N)` to a file
 *   exit N                ends with exit code N
 *   hang                  runs until cancelled (the interruption is recorded in `killed`)
 * A step with no source (the version probe) prints "Scripted 1.0".
 */
export const scriptedPrograms = () => {
  const killed: Array<string> = []

  const hostPath = (step: SandboxStep, sandboxPath: string) => {
    const mount = step.mounts.find((m) => sandboxPath.startsWith(`${m.sandboxPath}/`))
    if (mount === undefined) throw new Error(`no mount for ${sandboxPath}`)
    return path.join(mount.hostPath, sandboxPath.slice(mount.sandboxPath.length + 1))
  }
  const unquote = (s: string) => s.replace(/^["']|["']$/g, "")

  const sandbox = ScriptedSandbox.make((step) => {
    const src = step.mounts.find((m) => m.sandboxPath === SandboxPaths.src)
    if (src === undefined) return ScriptedSandbox.outcome({ stdout: "Scripted 1.0\n" })
    const sourceFile = fs.readdirSync(src.hostPath)[0]!
    const source = fs.readFileSync(path.join(src.hostPath, sourceFile), "utf8")
    const sourceIndex = step.argv.findIndex((a) => a.endsWith(sourceFile))
    const args = step.argv.slice(sourceIndex + 1)
    let stdout = ""
    for (const line of source.split("\n")) {
      const [command = "", ...rest] = line.trim().split(" ")
      const text = rest.join(" ")
      if (command === "print") stdout += `${text}\n`
      if (command === "echo-stdin") stdout += step.stdin ?? ""
      if (command === "echo-args") stdout += JSON.stringify(args)
      if (command === "copy") fs.copyFileSync(hostPath(step, unquote(rest[0]!)), hostPath(step, unquote(rest[1]!)))
      if (command === "write") fs.writeFileSync(hostPath(step, unquote(rest[0]!)), rest.slice(1).join(" "))
      if (command === "fill") fs.writeFileSync(hostPath(step, unquote(rest[0]!)), filledBytes(Number(rest[1])))
      if (command === "exit") return ScriptedSandbox.outcome({ stdout, exitCode: Number(rest[0]) })
      if (command === "hang") {
        return Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => killed.push(source))))
      }
    }
    return ScriptedSandbox.outcome({ stdout })
  })
  return { ...sandbox, killed }
}
