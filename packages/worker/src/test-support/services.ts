import { execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as net from "node:net"
import { restartingServices } from "@codebox/test-support"
import { Effect } from "effect"

const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = net.connect({ host: "127.0.0.1", port })
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

const awaitPort = (port: number, open: boolean) =>
  Effect.promise(async () => {
    for (let i = 0; i < 1200; i++) {
      if ((await accepts(port)) === open) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`port ${port} did not ${open ? "open" : "close"} within two minutes`)
  })

const run = (command: string, args: ReadonlyArray<string>) =>
  Effect.sync(() => execFileSync(command, args, { stdio: "ignore", timeout: 120_000 }))

/**
 * The pid of the host's RabbitMQ node (its Erlang VM), or null. A broker in a container (the
 * Compose stack's) has the same command line but another pid namespace: it is not the one to crash.
 */
const rabbitPid = (): number | null => {
  const hostPids = fs.readlinkSync("/proc/self/ns/pid")
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      if (fs.readlinkSync(`/proc/${entry}/ns/pid`) !== hostPids) continue
      const cmdline = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8")
      if (cmdline.includes("beam.smp") && cmdline.includes("-s\0rabbit\0boot")) return Number(entry)
    } catch {
      // gone meanwhile
    }
  }
  return null
}

/**
 * Crashes the local RabbitMQ: SIGKILL to its node, as a power cut or the OOM killer would, with no
 * chance to close connections or flush anything. Runs `whileDown`, then starts the broker again
 * and waits until it accepts connections.
 */
export const crashRabbitMq = <A, E>(whileDown: Effect.Effect<A, E> = Effect.void as never) =>
  restartingServices(
    Effect.gen(function* () {
      const pid = rabbitPid()
      if (pid === null) return yield* Effect.die(new Error("no RabbitMQ node is running"))
      process.kill(pid, "SIGKILL")
      yield* awaitPort(5672, false)
      const value = yield* whileDown
      // epmd and the node's leftovers survive a SIGKILL; the broker starts over them.
      yield* run("rabbitmq-server", ["-detached"])
      yield* awaitPort(5672, true)
      return value
    })
  )

/**
 * Crashes the local PostgreSQL: an immediate shutdown (no checkpoint, connections cut; the start
 * replays the WAL as after a crash), then starts it again and waits until it accepts connections.
 */
export const crashPostgres = restartingServices(
  Effect.gen(function* () {
    const version = fs.readdirSync("/etc/postgresql")[0]!
    yield* run("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "stop", "-m", "immediate"])
    yield* awaitPort(5432, false)
    yield* run("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "start"])
    yield* awaitPort(5432, true)
  })
)
