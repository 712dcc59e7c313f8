import { execFile } from "node:child_process"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { promisify } from "node:util"
import { Effect, type Layer, ManagedRuntime } from "effect"
import { HttpServer } from "effect/http"
import { defaultSettings, type ServerSettings } from "../config.ts"
import { type EngineServices, ServerLive } from "../Server.ts"
import { unwatchServer, watchServer } from "./contract.ts"

export interface RunningServer {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string
  readonly dataDir: string
  close(): Promise<void>
}

/** Settings for a test server: an ephemeral port on loopback and a private data dir. */
export const testSettings = async (overrides: Partial<ServerSettings> = {}): Promise<ServerSettings> => ({
  ...defaultSettings,
  host: "127.0.0.1",
  port: 0,
  dataDir: await fs.mkdtemp(path.join(os.tmpdir(), "codebox-server-test-")),
  ...overrides
})

/** Starts the real HTTP server (Node http) on the given engine and returns where it listens. */
export const startServer = async (
  engine: (settings: ServerSettings) => Layer.Layer<EngineServices, unknown>,
  overrides: Partial<ServerSettings> = {}
): Promise<RunningServer> => {
  const settings = await testSettings(overrides)
  const runtime = ManagedRuntime.make(ServerLive(engine(settings), settings, { logRequests: false }))
  const address = await runtime.runPromise(Effect.map(Effect.service(HttpServer.HttpServer), (server) => server.address))
  if (!("port" in address)) throw new Error("expected a TCP address")
  const url = `http://127.0.0.1:${address.port}`
  // Every response of this server is checked against its OpenAPI document (test-support/contract.ts).
  watchServer(url)
  return {
    url,
    dataDir: settings.dataDir,
    close: async () => {
      unwatchServer(url)
      await runtime.dispose()
      await fs.rm(settings.dataDir, { recursive: true, force: true })
    }
  }
}

/** The entries of a zip, read with Python's zipfile (on every machine CodeBox builds on). */
export const unzip = async (zip: Uint8Array): Promise<Record<string, Buffer>> => {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "codebox-zip-"))
  try {
    const file = path.join(dir, "archive.zip")
    await fs.writeFile(file, zip)
    await promisify(execFile)("/usr/bin/python3", ["-m", "zipfile", "-e", file, path.join(dir, "x")])
    const names = await fs.readdir(path.join(dir, "x"))
    const entries: Record<string, Buffer> = {}
    for (const name of names) entries[name] = await fs.readFile(path.join(dir, "x", name))
    return entries
  } finally {
    await fs.rm(dir, { recursive: true, force: true })
  }
}

/** JSON body and status of a fetch. */
export const call = async (url: string, init?: RequestInit) => {
  const response = await fetch(url, init)
  const text = await response.text()
  // biome-ignore lint/suspicious/noExplicitAny: tests read whichever fields the endpoint answers with
  let body: any
  try {
    body = text.length > 0 ? JSON.parse(text) : undefined
  } catch {
    body = text
  }
  return { status: response.status, headers: response.headers, body, text }
}

export const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) })
