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
    for (let i = 0; i < 600; i++) {
      if ((await accepts(port)) === open) return
      await new Promise((r) => setTimeout(r, 100))
    }
    throw new Error(`port ${port} did not ${open ? "open" : "close"} within a minute`)
  })

const run = (command: string, args: ReadonlyArray<string>) =>
  Effect.sync(() => execFileSync(command, args, { stdio: "ignore", timeout: 60_000 }))

/** Stops the local RabbitMQ, runs `whileDown`, starts it again and waits until it accepts connections. */
export const restartRabbitMq = <A, E>(whileDown: Effect.Effect<A, E> = Effect.void as never) =>
  restartingServices(
    Effect.gen(function* () {
      yield* run("rabbitmqctl", ["shutdown"])
      yield* awaitPort(5672, false)
      const value = yield* whileDown
      yield* run("rabbitmq-server", ["-detached"])
      yield* awaitPort(5672, true)
      return value
    })
  )

/** Restarts the local PostgreSQL cluster (fast mode: connections are cut) and waits until it accepts connections. */
export const restartPostgres = restartingServices(
  Effect.gen(function* () {
    const version = fs.readdirSync("/etc/postgresql")[0]!
    yield* run("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "stop", "-m", "fast"])
    yield* awaitPort(5432, false)
    yield* run("pg_ctlcluster", ["--skip-systemctl-redirect", version, "main", "start"])
    yield* awaitPort(5432, true)
  })
)
