import { type ChildProcess, spawn } from "node:child_process"
import * as net from "node:net"
import * as path from "node:path"
import { watchServer } from "@codebox/server/test-support/contract"
import { testAmqpUrl } from "@codebox/test-support"
import type { Cluster } from "./cluster.ts"

const serverMain = path.join(import.meta.dirname, "..", "..", "..", "server", "src", "main.ts")

/** A port nothing listens on now (the server's PORT must be 1-65535, so 0 cannot be passed). */
export const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo
      probe.close(() => resolve(port))
    })
  })

export interface ServerProcess {
  readonly base: string
  readonly child: ChildProcess
  readonly output: () => string
}

/**
 * Starts the API server app (packages/server/src/main.ts) as its own process with `env` over this
 * process's environment, on 127.0.0.1. Resolves once it listens; rejects with everything it printed
 * if it exits first (a start that a setting stops).
 */
export const startServerProcess = async (env: Record<string, string>): Promise<ServerProcess> => {
  const port = await freePort()
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverMain], {
      env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), ...env },
      stdio: ["ignore", "pipe", "pipe"]
    })
    let output = ""
    const onData = (d: Buffer) => {
      output += d
      const listening = /Listening on (http:\/\/[\d.]+:\d+)/.exec(output)
      if (listening) {
        // Every response of the server is checked against its OpenAPI document, as in the server's tests.
        watchServer(listening[1]!)
        resolve({ base: listening[1]!, child, output: () => output })
      }
    }
    child.stdout!.on("data", onData)
    child.stderr!.on("data", onData)
    child.on("exit", (code) => reject(new Error(`server exited (${code}) before listening:\n${output}`)))
  })
}

/** The API server app on a cluster's PostgreSQL, RabbitMQ queue and data dir, with `env` over those. */
export const startServerOnCluster = (cluster: Cluster, env: Record<string, string> = {}) =>
  startServerProcess({
    DATABASE_URL: cluster.databaseUrl,
    CODEBOX_AMQP_URL: testAmqpUrl,
    CODEBOX_AMQP_QUEUE: cluster.queue,
    CODEBOX_DATA_DIR: cluster.dataDir,
    ...env
  })
