import * as fs from "node:fs"
import { createServer } from "node:http"
import * as path from "node:path"
import { CodeBox, SandboxPaths } from "@codebox/core"
import { ScriptedSandbox } from "@codebox/testkit"
import { c } from "@codebox/lang-c"
import { python } from "@codebox/lang-python"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, ManagedRuntime, Redacted } from "effect"
import { HttpRouter, HttpServer } from "effect/http"
import { defaultSettings, ServerConfig, type ServerSettings } from "../config.ts"
import { routesFor } from "../Server.ts"
import { unwatchServer, watchServer } from "../test-support/contract.ts"

/**
 * A scripted "program" is its source: every line `print TEXT` prints TEXT, `fail TEXT` writes TEXT
 * to stderr and exits 1, `write NAME TEXT` writes an output file, and `wait-for-gate [NAME]` blocks until
 * the test opens the gate, so a test can watch a task sit in STARTED and then finish.
 */
const gatedSandbox = () => {
  const gates = new Map<string, { readonly opened: Promise<void>; readonly open: () => void }>()
  const gate = (name: string) => {
    let entry = gates.get(name)
    if (entry === undefined) {
      let open: () => void = () => {}
      const opened = new Promise<void>((resolve) => {
        open = resolve
      })
      entry = { opened, open }
      gates.set(name, entry)
    }
    return entry
  }
  const sandbox = ScriptedSandbox.make((step) =>
    Effect.gen(function* () {
      const src = step.mounts.find((m) => m.sandboxPath === SandboxPaths.src)
      const out = step.mounts.find((m) => m.sandboxPath === SandboxPaths.out)
      if (src === undefined) return ScriptedSandbox.outcome({ stdout: "Scripted 1.0\n" })
      // A compile step (no out/ mount) always succeeds; the run step interprets the source.
      if (out === undefined) return ScriptedSandbox.outcome({ wallTimeMs: 5 })
      const source = fs.readFileSync(path.join(src.hostPath, fs.readdirSync(src.hostPath)[0]!), "utf8")
      let stdout = ""
      let stderr = ""
      let exitCode = 0
      for (const line of source.split("\n")) {
        const [command = "", ...rest] = line.trim().split(" ")
        if (command === "wait-for-gate") yield* Effect.promise(() => gate(rest[0] ?? "").opened)
        if (command === "print") {
          stdout += `${rest.join(" ")}\n`
          // Printed lines also go out live, as a real sandbox's output does.
          step.onOutput?.("stdout", new TextEncoder().encode(`${rest.join(" ")}\n`))
        }
        if (command === "fail") {
          stderr += `${rest.join(" ")}\n`
          exitCode = 1
        }
        if (command === "write" && out !== undefined) {
          // The placeholder OUT_name.ext arrives rewritten to a quoted path under the out mount.
          const name = path.basename((rest[0] ?? "").replace(/^["']|["']$/g, ""))
          fs.writeFileSync(path.join(out.hostPath, name), rest.slice(1).join(" "))
        }
      }
      return ScriptedSandbox.outcome({ stdout, stderr, exitCode, wallTimeMs: 12, cpuTimeMs: 9 })
    })
  )
  return {
    layer: sandbox.layer,
    openGate: (name = "") => gate(name).open(),
    openAllGates: () => {
      for (const entry of gates.values()) entry.open()
    }
  }
}

export interface OpsTestServer {
  readonly url: string
  readonly settings: ServerSettings
  /** Opens the gate `wait-for-gate NAME` waits for (no name: the unnamed gate). */
  openGate(name?: string): void
  close(): Promise<void>
}

/**
 * The HTTP server with the API and the operations routes, on a loopback port, over an in-memory
 * engine with the gated scripted sandbox (python and c plugins, so placeholders and compile steps
 * are real).
 */
export const startOpsServer = async (
  options: { readonly apiKeys?: ReadonlyArray<string>; readonly rateLimit?: number } = {}
): Promise<OpsTestServer> => {
  const dataDir = fs.mkdtempSync(path.join(process.env.TMPDIR ?? "/tmp", "codebox-ops-test-"))
  const settings: ServerSettings = {
    ...defaultSettings,
    host: "127.0.0.1",
    port: 0,
    dataDir,
    rateLimit: options.rateLimit ?? 0,
    readRateLimit: options.rateLimit ?? 0,
    apiKeys: (options.apiKeys ?? []).map((k) => Redacted.make(k))
  }
  const sandbox = gatedSandbox()
  const engine = CodeBox.layer({ plugins: [python, c], sandbox: sandbox.layer, concurrency: 2 })
  const server = HttpRouter.serve(routesFor(settings), {
    disableLogger: true,
    disableListenLog: true
  }).pipe(
    Layer.provideMerge(engine),
    Layer.provide(Layer.succeed(ServerConfig, settings)),
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" }))
  )
  const runtime = ManagedRuntime.make(server)
  const address = await runtime.runPromise(
    Effect.gen(function* () {
      return (yield* HttpServer.HttpServer).address
    })
  )
  if (!("port" in address)) throw new Error("expected a TCP address")
  const url = `http://127.0.0.1:${address.port}`
  // Every response of this server is checked against its OpenAPI document (test-support/contract.ts).
  watchServer(url)
  return {
    url,
    settings,
    openGate: sandbox.openGate,
    close: async () => {
      unwatchServer(url)
      sandbox.openAllGates()
      await runtime.dispose()
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  }
}
